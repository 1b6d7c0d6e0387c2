//! The passport audit log: one append-only row for every issue, revocation and read of
//! passport data, and a passport's history and current state as its holder and HR see them.

use super::{MAX_REASON_CHARS, crypto, item_names, summary, when};
use crate::domain::{PassportAction, PassportActorRole};
use crate::error::AppError;
use crate::server::access::{Action, Actor, authorize_on};
use crate::server::entities::{passport, passport_audit, trust, user};
use crate::views::passports::{PassportEvent, PassportSummary};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use std::collections::HashMap;

/// One row of the passport audit log.
pub(crate) struct Entry<'a> {
    pub holder_id: i32,
    pub passport_id: Option<i32>,
    /// The role acted in: `hr_officer`, `holder`, `verifier`, …
    pub role: PassportActorRole,
    pub trust_id: Option<i32>,
    pub action: PassportAction,
    pub items: &'a [String],
    pub reason: Option<&'a str>,
}

/// Writes `entry` to the passport audit log, as `actor`, from the address their request came
/// from.
pub(crate) async fn log(conn: &impl ConnectionTrait, actor: Option<&Actor>, entry: Entry<'_>) -> Result<(), AppError> {
    log_from(conn, actor, actor.map_or("unknown", |a| a.ip.as_str()), entry).await
}

/// Writes `entry` to the passport audit log, as `actor` from `ip`; an actor of `None` is someone
/// who has not signed in (anyone may verify a passport or fetch its photo), recorded without an
/// id or email but with the address, so anonymous reads are traceable too.
pub(crate) async fn log_from(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    ip: &str,
    entry: Entry<'_>,
) -> Result<(), AppError> {
    passport_audit::ActiveModel {
        ip: Set(Some(ip.chars().take(45).collect())),
        at: Set(Utc::now()),
        holder_id: Set(entry.holder_id),
        passport_id: Set(entry.passport_id),
        actor_id: Set(actor.map(|a| a.user_id)),
        actor_email: Set(actor.map(|a| a.email.clone())),
        actor_role: Set(entry.role),
        actor_trust_id: Set(entry.trust_id),
        action: Set(entry.action),
        items: Set(serde_json::to_string(entry.items).map_err(|e| crypto("encoding item names", e))?),
        reason: Set(entry.reason.map(|r| r.chars().take(MAX_REASON_CHARS).collect())),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The holder's home trust, for the access rules (not found if there is no such person).
async fn holder_trust(conn: &impl ConnectionTrait, holder_id: i32) -> Result<Option<i32>, AppError> {
    Ok(user::Entity::find_by_id(holder_id).one(conn).await?.ok_or(AppError::NotFound)?.home_trust_id)
}

/// The newest passport of `holder_id` (valid, expired or revoked), as the holder or their HR
/// sees it: which items it holds, not their values.
pub async fn current(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    public_url: &str,
    holder_id: i32,
) -> Result<Option<PassportSummary>, AppError> {
    let trust = holder_trust(conn, holder_id).await?;
    let see = Action::ViewPassport { holder: holder_id, trust };
    authorize_on(Some(actor), &see, &see)?;
    let Some(p) = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(holder_id))
        .order_by_desc(passport::Column::Id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let ods = trust::Entity::find_by_id(p.trust_id).one(conn).await?.map(|t| t.ods_code).unwrap_or_default();
    Ok(Some(summary(&p, public_url, &ods)))
}

/// The passport history of `holder_id`, newest first, from the passport audit log.
pub async fn history(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    holder_id: i32,
) -> Result<Vec<PassportEvent>, AppError> {
    let trust = holder_trust(conn, holder_id).await?;
    let see = Action::ViewPassport { holder: holder_id, trust };
    authorize_on(Some(actor), &see, &see)?;
    let trusts: HashMap<i32, String> =
        trust::Entity::find().all(conn).await?.into_iter().map(|t| (t.id, t.ods_code)).collect();
    Ok(passport_audit::Entity::find()
        .filter(passport_audit::Column::HolderId.eq(holder_id))
        .order_by_desc(passport_audit::Column::Id)
        .limit(500)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| PassportEvent {
            at: when(e.at),
            action: e.action,
            who: e.actor_email.unwrap_or_else(|| "Someone not signed in".into()),
            role: e.actor_role,
            trust: e.actor_trust_id.and_then(|t| trusts.get(&t).cloned()),
            items: item_names(&e.items),
            reason: e.reason,
        })
        .collect())
}
