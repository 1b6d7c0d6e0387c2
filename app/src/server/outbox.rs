//! The mail outbox. A service queues mail with [`enqueue`] inside the same transaction as the
//! change that causes it, so a decision and its email commit or roll back together. The
//! server's worker delivers queued mail with [`claim`], [`marking_sent`] and [`marking_failed`].
//!
//! Claims are leases: a claimed row is invisible to other workers until `locked_until`, and if
//! a worker dies mid-delivery the row becomes claimable again when the lease runs out. On
//! PostgreSQL the claim uses `FOR UPDATE SKIP LOCKED`, so instances sharing a database never
//! pick the same row; on SQLite writes are serialised, which gives the same guarantee.

use super::entities::outbox;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, InsertStatement, Query, UpdateStatement};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryTrait, Set, Statement, Value};

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
}

/// A message a worker has claimed and must now deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMail {
    pub id: i32,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    /// Delivery attempts including this one.
    pub attempts: i32,
}

/// Queues `mail` on `conn` — pass the transaction that makes the change the mail is about.
pub async fn enqueue(conn: &impl ConnectionTrait, mail: OutgoingMail) -> Result<i32, DbErr> {
    Ok(pending(mail, Utc::now()).insert(conn).await?.id)
}

/// Queues every one of `mails` in one statement, as [`enqueue`] does one.
pub async fn enqueue_all(conn: &impl ConnectionTrait, mails: Vec<OutgoingMail>) -> Result<(), DbErr> {
    if let Some(insert) = enqueuing(mails) {
        conn.execute(&insert).await?;
    }
    Ok(())
}

/// The one statement queuing every one of `mails` (none for no mail), for a caller that sends
/// it with others (`db::Batch`).
pub fn enqueuing(mails: Vec<OutgoingMail>) -> Option<InsertStatement> {
    if mails.is_empty() {
        return None;
    }
    let now = Utc::now();
    Some(outbox::Entity::insert_many(mails.into_iter().map(|m| pending(m, now))).into_query())
}

fn pending(mail: OutgoingMail, now: DateTime<Utc>) -> outbox::ActiveModel {
    outbox::ActiveModel {
        kind: Set(mail.kind.to_owned()),
        recipient: Set(mail.recipient),
        subject: Set(mail.subject),
        body_text: Set(mail.body_text),
        status: Set("pending".to_owned()),
        attempts: Set(0),
        available_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
}

/// Claims up to `batch` messages that are due and not leased by another worker, leasing them to
/// `worker` until `lease_until`, and counts the attempt.
pub async fn claim(
    conn: &impl ConnectionTrait,
    worker: &str,
    batch: u32,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Vec<ClaimedMail>, DbErr> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE outbox SET locked_by = $1, locked_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND available_at <= $3 \
             AND (locked_until IS NULL OR locked_until < $3) ORDER BY id LIMIT $4 \
             FOR UPDATE SKIP LOCKED) \
             RETURNING id, kind, recipient, subject, body_text, attempts"
        }
        _ => {
            "UPDATE outbox SET locked_by = ?, locked_until = ?, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND available_at <= ? \
             AND (locked_until IS NULL OR locked_until < ?) ORDER BY id LIMIT ?) \
             RETURNING id, kind, recipient, subject, body_text, attempts"
        }
    };
    let mut values: Vec<Value> = vec![worker.into(), lease_until.into(), now.into()];
    if backend != DbBackend::Postgres {
        values.push(now.into());
    }
    values.push(i64::from(batch).into());
    let rows = conn.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    let mut claimed = rows
        .into_iter()
        .map(|r| {
            Ok(ClaimedMail {
                id: r.try_get("", "id")?,
                kind: r.try_get("", "kind")?,
                recipient: r.try_get("", "recipient")?,
                subject: r.try_get("", "subject")?,
                body_text: r.try_get("", "body_text")?,
                attempts: r.try_get("", "attempts")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// What a delivered message's body is replaced with.
pub const DELIVERED_BODY: &str = "(delivered; the body is not kept)";

/// The statement recording the delivery of messages `ids`, all in one: a batch's deliveries
/// cost the worker one statement however many it holds. Only the worker holding a message's
/// lease can complete it. The body goes: it may hold a live single-use link (a password reset,
/// an invitation), which must exist only in the recipient's mailbox once delivered; the row
/// keeps who, what kind, the subject and when. `None` when there is nothing to record.
pub fn marking_sent(ids: &[i32], worker: &str, now: DateTime<Utc>) -> Option<UpdateStatement> {
    (!ids.is_empty()).then(|| {
        leased(worker)
            .and_where(Expr::col(outbox::Column::Id).is_in(ids.iter().copied()))
            .value(outbox::Column::Status, "sent")
            .value(outbox::Column::SentAt, now)
            .value(outbox::Column::LastError, Option::<String>::None)
            .value(outbox::Column::BodyText, DELIVERED_BODY)
            .to_owned()
    })
}

/// The statement recording a failed attempt: the message is retried at `retry_at`, or given up
/// (`dead`) when `retry_at` is `None`.
pub fn marking_failed(id: i32, worker: &str, error: &str, retry_at: Option<DateTime<Utc>>) -> UpdateStatement {
    let (status, available_at) = match retry_at {
        Some(at) => ("pending", at),
        None => ("dead", Utc::now()),
    };
    let error: String = error.chars().take(1000).collect();
    leased(worker)
        .and_where(Expr::col(outbox::Column::Id).eq(id))
        .value(outbox::Column::Status, status)
        .value(outbox::Column::AvailableAt, available_at)
        .value(outbox::Column::LastError, error)
        .to_owned()
}

/// An update that ends `worker`'s lease on the messages it selects, and touches only those
/// `worker` holds the lease on.
fn leased(worker: &str) -> UpdateStatement {
    Query::update()
        .table(outbox::Entity)
        .value(outbox::Column::LockedBy, Option::<String>::None)
        .value(outbox::Column::LockedUntil, Option::<DateTime<Utc>>::None)
        .and_where(Expr::col(outbox::Column::LockedBy).eq(worker))
        .to_owned()
}
