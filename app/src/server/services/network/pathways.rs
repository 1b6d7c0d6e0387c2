//! The pathways: adding one, marking it in the pilot or joining, renaming it.

use super::one_error;
use crate::domain::AuditAction;
use crate::domain::{BoundedText, NewPathway, PathwayStatus};
use crate::error::AppError;
use crate::server::access::{Action, Actor, authorize};
use crate::server::db;
use crate::server::entities::pathway;
use crate::server::services::audit;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// Adds a pathway.
pub async fn add_pathway(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    name: &str,
    status: &str,
) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let p = NewPathway::parse(name, status)?;
    let values = [("name", name), ("status", status)];
    let slug = p.slug();
    if slug.is_empty() {
        return Err(one_error(&values, "name", "Use letters or numbers in the pathway's name"));
    }
    let inserted = pathway::ActiveModel {
        slug: Set(slug),
        name: Set(p.name.as_str().to_owned()),
        status: Set(p.status),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await;
    let row = match inserted {
        Ok(r) => r,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(&values, "name", format!("There is already a pathway called {}", p.name.as_str())));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::PathwayAdded,
            subject: format!("pathway {}", row.slug),
            trust_id: None,
            detail: serde_json::json!({ "status": row.status.code() }),
        },
    )
    .await?;
    Ok(format!("{} added", row.name))
}

/// Marks a pathway as in the pilot or asking to join.
pub async fn set_pathway_status(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    slug: &str,
    status: &str,
) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let status = PathwayStatus::parse(status).map_err(|_| AppError::BadRequest)?;
    let p = pathway::Entity::find().filter(pathway::Column::Slug.eq(slug)).one(txn).await?.ok_or(AppError::NotFound)?;
    let before = p.status;
    let mut row: pathway::ActiveModel = p.into();
    row.status = Set(status);
    let p = row.update(txn).await?;
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::PathwayStatusChanged,
            subject: format!("pathway {}", p.slug),
            trust_id: None,
            detail: serde_json::json!({ "before": before.code(), "after": p.status.code() }),
        },
    )
    .await?;
    Ok(format!("{} is now marked “{}”", p.name, status.label()))
}

/// Renames a pathway (its slug, the stable key, stays).
pub async fn rename_pathway(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    slug: &str,
    new_name: &str,
) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let values = [("slug", slug), ("new_name", new_name)];
    let name =
        BoundedText::parse(new_name, "the pathway's new name", 100).map_err(|m| one_error(&values, "new_name", m))?;
    let p = pathway::Entity::find()
        .filter(pathway::Column::Slug.eq(slug))
        .one(txn)
        .await?
        .ok_or_else(|| one_error(&values, "slug", "Select the pathway to rename"))?;
    let before = p.name.clone();
    let mut row: pathway::ActiveModel = p.into();
    row.name = Set(name.as_str().to_owned());
    let p = match row.update(txn).await {
        Ok(p) => p,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(&values, "new_name", format!("There is already a pathway called {}", name.as_str())));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::PathwayRenamed,
            subject: format!("pathway {}", p.slug),
            trust_id: None,
            detail: serde_json::json!({ "before": before }),
        },
    )
    .await?;
    Ok(format!("{before} is now called {}", p.name))
}
