//! The audit log: who did what, to what, when and from where. Written in the same transaction
//! as the change it records, so a change is never without its record (or the reverse).

use crate::domain::AuditAction;
use crate::server::RequestContext;
use crate::server::access::Actor;
use crate::server::entities::audit_event;
use chrono::Utc;
use sea_orm::sea_query::InsertStatement;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryTrait, Set};

/// What happened, for one audit entry.
pub struct Event {
    /// What kind of entry it is (stored as its code, like `signed_in` or `role_granted`).
    pub action: AuditAction,
    /// What it happened to, readable: "user 12 (asha.patel@mft.nhs.uk)".
    pub subject: String,
    pub trust_id: Option<i32>,
    pub detail: serde_json::Value,
}

/// Records `event` as done by the request's actor (or, before sign-in, by `claimed_email`).
pub async fn record(
    conn: &impl ConnectionTrait,
    ctx: &RequestContext,
    claimed_email: Option<&str>,
    event: Event,
) -> Result<(), DbErr> {
    insert(conn, ctx.actor(), claimed_email, &ctx.ip, event).await
}

/// Records `event` as done by `actor`, from the address their request came from.
pub async fn record_by(conn: &impl ConnectionTrait, actor: &Actor, event: Event) -> Result<(), DbErr> {
    insert(conn, Some(actor), None, &actor.ip, event).await
}

/// [`record_by`] as a statement, for a caller that sends it with others (`db::Batch`).
pub fn entry_by(actor: &Actor, event: Event) -> InsertStatement {
    audit_event::Entity::insert(entry(Some(actor), None, &actor.ip, event)).into_query()
}

async fn insert(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    claimed_email: Option<&str>,
    ip: &str,
    event: Event,
) -> Result<(), DbErr> {
    entry(actor, claimed_email, ip, event).insert(conn).await?;
    Ok(())
}

fn entry(actor: Option<&Actor>, claimed_email: Option<&str>, ip: &str, event: Event) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        at: Set(Utc::now()),
        actor_id: Set(actor.map(|a| a.user_id)),
        actor_email: Set(actor
            .map(|a| a.email.clone())
            .or_else(|| claimed_email.map(|e| e.chars().take(254).collect()))),
        action: Set(event.action),
        subject: Set(event.subject.chars().take(300).collect()),
        trust_id: Set(event.trust_id),
        ip: Set(Some(ip.chars().take(45).collect())),
        detail: Set(event.detail.to_string()),
        ..Default::default()
    }
}

/// The most recent entries, newest first, for the project managers' audit page.
pub async fn recent(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    limit: u64,
) -> Result<Vec<crate::views::audit::AuditRow>, crate::error::AppError> {
    use crate::server::access::{Action, authorize};
    use crate::server::entities::trust;
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    authorize(Some(actor), &Action::ViewAuditLog)?;
    let trusts: std::collections::HashMap<i32, String> =
        trust::Entity::find().all(conn).await?.into_iter().map(|t| (t.id, t.ods_code)).collect();
    Ok(audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| crate::views::audit::AuditRow {
            at: crate::domain::dates::moment(e.at),
            who: e.actor_email.unwrap_or_else(|| "—".into()),
            action: e.action,
            subject: e.subject,
            trust: e.trust_id.and_then(|t| trusts.get(&t).cloned()).unwrap_or_default(),
            from: e.ip.unwrap_or_default(),
            detail: e.detail,
        })
        .collect())
}
