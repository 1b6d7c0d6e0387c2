//! A trust's teams: adding one (its trust's contact is told), and changing one.

use super::one_error;
use crate::domain::AuditAction;
use crate::domain::NewTeam;
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize};
use crate::server::db;
use crate::server::entities::{site, team, trust};
use crate::server::outbox;
use crate::server::services::mail_templates;
use crate::server::services::{audit, trusts};
use crate::views::network::{SiteView, TeamEdit};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// Adds a team and, in the same transaction, queues the notice to the trust's contact and
/// records the change. The caller wakes the mail worker once it has committed.
pub async fn add_team(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    public_url: &str,
    cmd: NewTeam,
) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let t = trusts::get(txn, &cmd.trust).await?;
    let values = [
        ("name", cmd.name.as_str().to_owned()),
        ("site", cmd.site_id.map(|i| i.to_string()).unwrap_or_default()),
        ("min_cover", cmd.min_cover.get().to_string()),
    ];
    let field_error = |field: &str, message: String| {
        let mut f = FormErrors::with_values(values.iter().map(|(k, v)| (*k, v.as_str())));
        f.add(field, message);
        AppError::Validation(f)
    };
    if let Some(site_id) = cmd.site_id {
        let belongs =
            site::Entity::find_by_id(site_id).filter(site::Column::TrustId.eq(t.id)).one(txn).await?.is_some();
        if !belongs {
            return Err(field_error("site", "Select a site from the list".into()));
        }
    }
    let name_key = cmd.name.as_str().to_lowercase();
    let duplicate = || field_error("name", format!("{} already has a team called {}", t.name, cmd.name.as_str()));
    let exists = team::Entity::find()
        .filter(team::Column::TrustId.eq(t.id))
        .filter(team::Column::NameKey.eq(name_key.clone()))
        .one(txn)
        .await?
        .is_some();
    if exists {
        return Err(duplicate());
    }
    let inserted = team::ActiveModel {
        trust_id: Set(t.id),
        site_id: Set(cmd.site_id),
        name: Set(cmd.name.as_str().to_owned()),
        name_key: Set(name_key),
        min_cover: Set(i32::from(cmd.min_cover.get())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await;
    let inserted = match inserted {
        Ok(m) => m,
        // Two people adding the same team at once: the unique index decides.
        Err(e) if db::is_unique_violation(&e) => {
            return Err(duplicate());
        }
        Err(e) => return Err(e.into()),
    };
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::TeamAdded,
            subject: format!("team {} ({})", inserted.id, inserted.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "min_cover": inserted.min_cover, "site": inserted.site_id }),
        },
    )
    .await?;
    if let Some(contact) = &t.contact_email {
        let link = format!("{public_url}/trusts/{}", t.ods_code);
        outbox::enqueue(
            txn,
            mail_templates::team_added(contact, &t.name, cmd.name.as_str(), cmd.min_cover.get(), &link),
        )
        .await?;
    }
    Ok(format!("{} added to {}", cmd.name.as_str(), t.name))
}

/// One team, for its edit page.
pub async fn get_team(conn: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<TeamEdit, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let tm = team::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let t = trust::Entity::find_by_id(tm.trust_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let sites =
        site::Entity::find().filter(site::Column::TrustId.eq(t.id)).order_by_asc(site::Column::Name).all(conn).await?;
    Ok(TeamEdit {
        id: tm.id,
        trust_ods: t.ods_code,
        trust_name: t.name,
        name: tm.name,
        site: tm.site_id.map(|s| s.to_string()).unwrap_or_default(),
        min_cover: tm.min_cover.to_string(),
        sites: sites.into_iter().map(|s| SiteView { id: s.id, name: s.name }).collect(),
    })
}

/// Renames a team, moves it to another site of its trust, or changes its minimum cover.
pub async fn edit_team(txn: &impl ConnectionTrait, actor: &Actor, id: i32, cmd: NewTeam) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ManageNetwork)?;
    let tm = team::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::NotFound)?;
    let t = trusts::get(txn, &cmd.trust).await?;
    if tm.trust_id != t.id {
        return Err(AppError::NotFound);
    }
    let site_value = cmd.site_id.map(|i| i.to_string()).unwrap_or_default();
    let cover_value = cmd.min_cover.get().to_string();
    let values = [("name", cmd.name.as_str()), ("site", site_value.as_str()), ("min_cover", cover_value.as_str())];
    if let Some(site_id) = cmd.site_id
        && site::Entity::find_by_id(site_id).filter(site::Column::TrustId.eq(t.id)).one(txn).await?.is_none()
    {
        return Err(one_error(&values, "site", "Select a site from the list"));
    }
    let before = (tm.name.clone(), tm.site_id, tm.min_cover);
    let mut row: team::ActiveModel = tm.into();
    row.name = Set(cmd.name.as_str().to_owned());
    row.name_key = Set(cmd.name.as_str().to_lowercase());
    row.site_id = Set(cmd.site_id);
    row.min_cover = Set(i32::from(cmd.min_cover.get()));
    let updated = match row.update(txn).await {
        Ok(m) => m,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(
                &values,
                "name",
                format!("{} already has a team called {}", t.name, cmd.name.as_str()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::TeamUpdated,
            subject: format!("team {} ({})", updated.id, updated.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "before": { "name": before.0, "site": before.1, "min_cover": before.2 } }),
        },
    )
    .await?;
    Ok(format!("{} has been saved", updated.name))
}
