//! The sign-in throttle: attempts counted before a password is checked, per account and
//! address together and per address, and throttled spells logged once with their count.

use super::attempted;
use crate::domain::AuditAction;
use crate::error::AppError;
use crate::server::entities::{sign_in_failure, sign_in_throttle};
use crate::server::services::audit;
use crate::server::{AppState, AuthConfig, RequestContext};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;

/// A sign-in refused for too many failures, with when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_seconds: i64,
}

/// Counts one password attempt for the account `key` from network address `ip` *before* the
/// password is checked, as one atomic step: the counts in the window are read and the attempt
/// recorded under a lock (PostgreSQL) or the single writer (SQLite), so parallel guesses queue
/// and no more than the limit ever reach the password check. The limits are per account and
/// address together (a lock-out cannot be aimed at someone from elsewhere) and per address.
/// A throttled attempt is not checked; the spell is logged once and its attempts counted in
/// `sign_in_throttles`. A successful check clears the account's attempts ([`clear_attempts`]).
pub async fn count_attempt(state: &AppState, ctx: &RequestContext, key: &str) -> Result<Option<Throttled>, AppError> {
    state.write(async |txn| count_in(txn, &state.auth, ctx, key).await).await
}

/// [`count_attempt`]'s reads and writes, in its turn to write.
async fn count_in(
    txn: &DatabaseTransaction,
    auth: &AuthConfig,
    ctx: &RequestContext,
    key: &str,
) -> Result<Option<Throttled>, AppError> {
    let ip: String = ctx.ip.chars().take(45).collect();
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE sign_in_failures IN SHARE ROW EXCLUSIVE MODE").await?;
    }
    let window = Duration::minutes(auth.failure_window_minutes);
    let now = Utc::now();
    let mut wait_until: Option<DateTime<Utc>> = None;
    for (account, limit) in [(Some(key), auth.account_failure_limit), (None, auth.address_failure_limit)] {
        if limit == 0 {
            continue;
        }
        let mut q = sign_in_failure::Entity::find()
            .select_only()
            .column(sign_in_failure::Column::At)
            .filter(sign_in_failure::Column::Ip.eq(ip.as_str()))
            .filter(sign_in_failure::Column::At.gt(now - window));
        if let Some(account) = account {
            q = q.filter(sign_in_failure::Column::EmailKey.eq(account));
        }
        // The limit-th most recent attempt in the window: once it leaves the window, the count
        // drops below the limit again.
        let nth: Option<DateTime<Utc>> =
            q.order_by_desc(sign_in_failure::Column::At).offset(limit - 1).limit(1).into_tuple().one(txn).await?;
        if let Some(at) = nth {
            let until = at + window;
            wait_until = Some(wait_until.map_or(until, |w| w.max(until)));
        }
    }
    let throttled = wait_until.map(|until| Throttled { retry_after_seconds: (until - now).num_seconds().max(1) });
    match throttled {
        Some(t) => record_throttled(txn, ctx, key, &ip, t, window).await?,
        None => {
            sign_in_failure::ActiveModel {
                email_key: Set(key.to_owned()),
                ip: Set(ip),
                at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(throttled)
}

/// Logs a throttled attempt as part of its spell: the first of a spell writes one audit entry,
/// the rest only add to the spell's count.
pub(super) async fn record_throttled(
    conn: &impl ConnectionTrait,
    ctx: &RequestContext,
    key: &str,
    ip: &str,
    t: Throttled,
    window: Duration,
) -> Result<(), AppError> {
    let now = Utc::now();
    let spell = sign_in_throttle::Entity::find()
        .filter(sign_in_throttle::Column::EmailKey.eq(key))
        .filter(sign_in_throttle::Column::Ip.eq(ip))
        .one(conn)
        .await?;
    match spell {
        Some(spell) if spell.last_at > now - window => {
            let attempts = spell.attempts.saturating_add(1);
            let mut spell: sign_in_throttle::ActiveModel = spell.into();
            spell.attempts = Set(attempts);
            spell.last_at = Set(now);
            spell.update(conn).await?;
        }
        stale => {
            if let Some(stale) = stale {
                sign_in_throttle::Entity::delete_by_id(stale.id).exec(conn).await?;
            }
            sign_in_throttle::ActiveModel {
                email_key: Set(key.to_owned()),
                ip: Set(ip.to_owned()),
                first_at: Set(now),
                last_at: Set(now),
                attempts: Set(1),
                ..Default::default()
            }
            .insert(conn)
            .await?;
            audit::record(
                conn,
                ctx,
                (!key.is_empty()).then_some(key),
                audit::Event {
                    action: AuditAction::SignInThrottled,
                    subject: attempted(key),
                    trust_id: None,
                    detail: json!({ "retry_after_seconds": t.retry_after_seconds }),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Clears the account's counted attempts, from every address: after a correct password, and
/// when a password reset is completed (so a lock-out aimed at someone ends when they reset).
pub async fn clear_attempts(conn: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    sign_in_failure::Entity::delete_many().filter(sign_in_failure::Column::EmailKey.eq(key)).exec(conn).await?;
    Ok(())
}

/// Deletes counted attempts and throttle spells older than the window (the server's
/// housekeeping runs it on a schedule). Returns how many rows went.
pub async fn purge_attempts(conn: &impl ConnectionTrait, window_minutes: i64) -> Result<u64, DbErr> {
    let before = Utc::now() - Duration::minutes(window_minutes);
    let a = sign_in_failure::Entity::delete_many().filter(sign_in_failure::Column::At.lt(before)).exec(conn).await?;
    let b =
        sign_in_throttle::Entity::delete_many().filter(sign_in_throttle::Column::LastAt.lt(before)).exec(conn).await?;
    Ok(a.rows_affected + b.rows_affected)
}

pub(super) fn wait_message(what: &str, t: Throttled) -> String {
    format!("Too many {what}. Wait {} and try again, or reset your password", wait_wording(t.retry_after_seconds))
}

/// Human wording for a wait: "1 minute", "12 minutes".
pub fn wait_wording(seconds: i64) -> String {
    let minutes = (seconds + 59) / 60;
    if minutes == 1 { "1 minute".into() } else { format!("{minutes} minutes") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_worded_in_whole_minutes_rounded_up() {
        assert_eq!(wait_wording(1), "1 minute");
        assert_eq!(wait_wording(60), "1 minute");
        assert_eq!(wait_wording(61), "2 minutes");
        assert_eq!(wait_wording(900), "15 minutes");
    }
}
