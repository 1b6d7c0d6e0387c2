//! The alliance's trusts and their sites.

use super::one_error;
use crate::domain::AuditAction;
use crate::domain::{BoundedText, OdsCode, TrustDetails, TrustInput};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize};
use crate::server::db;
use crate::server::entities::{site, trust};
use crate::server::services::{audit, trusts};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

/// Adds a trust to the alliance.
pub async fn add_trust(txn: &impl ConnectionTrait, actor: &Actor, input: &TrustInput) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let d = TrustDetails::parse(input)?;
    let values =
        [("ods", input.ods.as_str()), ("name", input.name.as_str()), ("contact_email", input.contact_email.as_str())];
    let inserted = trust::ActiveModel {
        ods_code: Set(d.ods.as_str().to_owned()),
        name: Set(d.name.as_str().to_owned()),
        contact_email: Set(d.contact.as_ref().map(|e| e.as_str().to_owned())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await;
    let t = match inserted {
        Ok(t) => t,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(
                &values,
                "ods",
                format!("A trust with ODS code {} is already in the alliance", d.ods),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::TrustAdded,
            subject: format!("trust {} ({})", t.ods_code, t.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "contact_email": t.contact_email }),
        },
    )
    .await?;
    Ok(format!("{} added to the alliance", t.name))
}

/// Changes a trust's name and contact (its ODS code is its identity and never changes).
pub async fn edit_trust(txn: &impl ConnectionTrait, actor: &Actor, input: &TrustInput) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let d = TrustDetails::parse(input)?;
    let t = trusts::get(txn, &d.ods).await?;
    let before = (t.name.clone(), t.contact_email.clone());
    let mut row: trust::ActiveModel = t.into();
    row.name = Set(d.name.as_str().to_owned());
    row.contact_email = Set(d.contact.as_ref().map(|e| e.as_str().to_owned()));
    let t = row.update(txn).await?;
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::TrustUpdated,
            subject: format!("trust {} ({})", t.ods_code, t.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "before": { "name": before.0, "contact_email": before.1 } }),
        },
    )
    .await?;
    Ok(format!("{}'s details have been saved", t.name))
}

/// Adds a site to a trust.
pub async fn add_site(txn: &impl ConnectionTrait, actor: &Actor, ods: &str, name: &str) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let ods = OdsCode::parse(ods).map_err(|_| AppError::NotFound)?;
    let values = [("site_name", name)];
    let name = BoundedText::parse(name, "the site's name", 200).map_err(|m| one_error(&values, "site_name", m))?;
    let t = trusts::get(txn, &ods).await?;
    let inserted = site::ActiveModel {
        trust_id: Set(t.id),
        name: Set(name.as_str().to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await;
    let s = match inserted {
        Ok(s) => s,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(
                &values,
                "site_name",
                format!("{} already has a site called {}", t.name, name.as_str()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::SiteAdded,
            subject: format!("site {} ({})", s.id, s.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({}),
        },
    )
    .await?;
    Ok(format!("{} added to {}", s.name, t.name))
}

/// Renames a site.
pub async fn rename_site(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    site_id: &str,
    new_name: &str,
) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let values = [("site", site_id), ("new_name", new_name)];
    let mut errors = FormErrors::with_values(values.iter().copied());
    let id = errors.check("site", site_id.trim().parse::<i32>().map_err(|_| "Select the site to rename".to_owned()));
    let name = errors.check("new_name", BoundedText::parse(new_name, "the site's new name", 200));
    let (id, name) = errors.into_result(|| Some((id?, name?)))?;
    let s = site::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::NotFound)?;
    let t = trust::Entity::find_by_id(s.trust_id).one(txn).await?.ok_or(AppError::NotFound)?;
    let before = s.name.clone();
    let mut row: site::ActiveModel = s.into();
    row.name = Set(name.as_str().to_owned());
    let s = match row.update(txn).await {
        Ok(s) => s,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(
                &values,
                "new_name",
                format!("{} already has a site called {}", t.name, name.as_str()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::SiteRenamed,
            subject: format!("site {} ({})", s.id, s.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "before": before }),
        },
    )
    .await?;
    Ok(format!("{before} is now called {}", s.name))
}
