//! Signing in and out, throttling guesses, and setting a password from an emailed link.

use super::{audit, mail_templates, sessions};
use crate::domain::{EmailAddress, NewPassword};
use crate::error::{AppError, FormErrors};
use crate::server::entities::{auth_token, sign_in_failure, sign_in_throttle, user};
use crate::server::{AppState, RequestContext, db, outbox, tokens};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;

/// The one answer to a wrong email or a wrong password, so neither reveals which accounts exist.
pub const WRONG_CREDENTIALS: &str = "Enter a correct email address and password";

/// What a successful sign-in hands back.
pub struct SignedIn {
    pub token: String,
    pub user_id: i32,
}

/// A sign-in refused for too many failures, with when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_seconds: i64,
}

/// What the throttle and the logs know an attempt by: the address typed, lower-cased, when it
/// is a valid email address; otherwise nothing of what was typed (an empty key: every such
/// attempt from one network address counts together).
fn email_key(raw: &str) -> String {
    EmailAddress::parse(raw).map(|a| a.as_str().to_lowercase()).unwrap_or_default()
}

/// How the logs name the account an attempt was for.
fn attempted(key: &str) -> String {
    if key.is_empty() { "an address that is not a valid email address".into() } else { format!("email {key}") }
}

fn sign_in_error(email: &str, message: String) -> AppError {
    let mut f = FormErrors::with_values([("email", email)]);
    f.add("email", message);
    AppError::Validation(f)
}

/// Counts one password attempt for the account `key` from network address `ip` *before* the
/// password is checked, as one atomic step: the counts in the window are read and the attempt
/// recorded under a lock (PostgreSQL) or the single writer (SQLite), so parallel guesses queue
/// and no more than the limit ever reach the password check. The limits are per account and
/// address together (a lock-out cannot be aimed at someone from elsewhere) and per address.
/// A throttled attempt is not checked; the spell is logged once and its attempts counted in
/// `sign_in_throttles`. A successful check clears the account's attempts ([`clear_attempts`]).
pub async fn count_attempt(state: &AppState, ctx: &RequestContext, key: &str) -> Result<Option<Throttled>, AppError> {
    let ip: String = ctx.ip.chars().take(45).collect();
    let txn = db::begin_write(&state.db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE sign_in_failures IN SHARE ROW EXCLUSIVE MODE").await?;
    }
    let window = Duration::minutes(state.auth.failure_window_minutes);
    let now = Utc::now();
    let mut wait_until: Option<DateTime<Utc>> = None;
    for (account, limit) in [(Some(key), state.auth.account_failure_limit), (None, state.auth.address_failure_limit)] {
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
            q.order_by_desc(sign_in_failure::Column::At).offset(limit - 1).limit(1).into_tuple().one(&txn).await?;
        if let Some(at) = nth {
            let until = at + window;
            wait_until = Some(wait_until.map_or(until, |w| w.max(until)));
        }
    }
    let throttled = wait_until.map(|until| Throttled { retry_after_seconds: (until - now).num_seconds().max(1) });
    match throttled {
        Some(t) => record_throttled(&txn, ctx, key, &ip, t, window).await?,
        None => {
            sign_in_failure::ActiveModel {
                email_key: Set(key.to_owned()),
                ip: Set(ip),
                at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(throttled)
}

/// Logs a throttled attempt as part of its spell: the first of a spell writes one audit entry,
/// the rest only add to the spell's count.
async fn record_throttled(
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
                    action: "sign_in_throttled",
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

fn wait_message(what: &str, t: Throttled) -> String {
    format!("Too many {what}. Wait {} and try again, or reset your password", wait_wording(t.retry_after_seconds))
}

/// Human wording for a wait: "1 minute", "12 minutes".
pub fn wait_wording(seconds: i64) -> String {
    let minutes = (seconds + 59) / 60;
    if minutes == 1 { "1 minute".into() } else { format!("{minutes} minutes") }
}

/// Signs a person in. A wrong email, a wrong password, a deactivated account and an invitation
/// not yet accepted all get the same answer after the same work (one argon2id verification).
#[tracing::instrument(skip(state, ctx, password), fields(ip = %ctx.ip))]
pub async fn sign_in(
    state: &AppState,
    ctx: &RequestContext,
    email: &str,
    password: String,
) -> Result<SignedIn, (AppError, Option<Throttled>)> {
    let plain = |e: AppError| (e, None);
    if email.trim().is_empty() {
        return Err(plain(sign_in_error(email, "Enter your email address".into())));
    }
    if password.is_empty() {
        let mut f = FormErrors::with_values([("email", email)]);
        f.add("password", "Enter your password");
        return Err(plain(AppError::Validation(f)));
    }
    let key = email_key(email);
    if let Some(t) = count_attempt(state, ctx, &key).await.map_err(plain)? {
        return Err((sign_in_error(email, wait_message("failed attempts to sign in", t)), Some(t)));
    }
    let found = if key.is_empty() {
        None
    } else {
        user::Entity::find()
            .filter(user::Column::Email.eq(key.clone()))
            .one(&state.db)
            .await
            .map_err(|e| plain(e.into()))?
    };
    let hash = found.as_ref().and_then(|u| u.password_hash.clone());
    let verified = state.hasher.verify(hash, password).await.map_err(plain)?;
    let person = found.filter(|u| verified && u.active);
    let Some(person) = person else {
        // The attempt is already counted; the log says how it went.
        audit::record(
            &state.db,
            ctx,
            (!key.is_empty()).then_some(key.as_str()),
            audit::Event { action: "sign_in_failed", subject: attempted(&key), trust_id: None, detail: json!({}) },
        )
        .await
        .map_err(|e| plain(e.into()))?;
        return Err(plain(sign_in_error(email, WRONG_CREDENTIALS.into())));
    };
    let grants = sessions::load_grants(&state.db, person.id).await.map_err(|e| plain(e.into()))?;
    if grants.is_empty() {
        return Err(plain(sign_in_error(
            email,
            "You do not have access to Placement Passport. Ask your HR passport officer".into(),
        )));
    }
    let txn = db::begin_write(&state.db).await.map_err(|e| plain(e.into()))?;
    clear_attempts(&txn, &key).await.map_err(|e| plain(e.into()))?;
    // A session the browser already had is replaced, never reused (no session fixation).
    if let Some(old) = ctx.actor() {
        sessions::revoke(&txn, &old.session_id).await.map_err(|e| plain(e.into()))?;
    }
    sessions::prune(&txn, &state.auth).await.map_err(|e| plain(e.into()))?;
    let token = sessions::create(&txn, person.id, ctx).await.map_err(|e| plain(e.into()))?;
    audit::record(
        &txn,
        ctx,
        Some(&key),
        audit::Event {
            action: "signed_in",
            subject: format!("user {} ({})", person.id, person.email),
            trust_id: person.home_trust_id,
            detail: json!({}),
        },
    )
    .await
    .map_err(|e| plain(e.into()))?;
    txn.commit().await.map_err(|e| plain(e.into()))?;
    Ok(SignedIn { token, user_id: person.id })
}

/// Ends the request's session.
pub async fn sign_out(state: &AppState, ctx: &RequestContext) -> Result<(), AppError> {
    let Some(actor) = ctx.actor() else { return Ok(()) };
    let txn = db::begin_write(&state.db).await?;
    sessions::revoke(&txn, &actor.session_id).await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "signed_out",
            subject: format!("user {} ({})", actor.user_id, actor.email),
            trust_id: actor.home_trust_id,
            detail: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Sends a single-use reset link if the address has an active account. The answer is the same
/// either way.
pub async fn request_reset(state: &AppState, ctx: &RequestContext, email: &str) -> Result<String, AppError> {
    let address = EmailAddress::parse(email).map_err(|m| {
        let mut f = FormErrors::with_values([("email", email)]);
        f.add("email", m);
        AppError::Validation(f)
    })?;
    let minutes = state.auth.reset_link_minutes;
    let txn = db::begin_write(&state.db).await?;
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(address.as_str()))
        .filter(user::Column::Active.eq(true))
        .one(&txn)
        .await?;
    if let Some(person) = &found {
        let link = issue_link(&txn, state, person.id, "reset", Duration::minutes(minutes)).await?;
        outbox::enqueue(&txn, mail_templates::password_reset(&person.email, &person.name, &link, minutes)).await?;
    }
    audit::record(
        &txn,
        ctx,
        Some(address.as_str()),
        audit::Event {
            action: "password_reset_requested",
            subject: format!("email {}", address.as_str()),
            trust_id: found.as_ref().and_then(|u| u.home_trust_id),
            detail: json!({ "account_found": found.is_some() }),
        },
    )
    .await?;
    txn.commit().await?;
    state.outbox_wake.notify_one();
    Ok(format!(
        "If {} has a Placement Passport account, we have sent it a link to reset the password. \
         The link works once, for {minutes} minutes.",
        address.as_str()
    ))
}

/// Retires every unused emailed link (reset or invitation) of `user_id`: when their address
/// changes (a link sent to the old mailbox must not work) and when they are deactivated (a
/// link must not outlive the account it was for, even if it is reactivated later). Returns
/// how many were retired.
pub async fn retire_links(conn: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    let done = auth_token::Entity::update_many()
        .col_expr(auth_token::Column::UsedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(auth_token::Column::UserId.eq(user_id))
        .filter(auth_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}

/// Creates a single-use link for `purpose` (`reset` or `invite`), retiring any earlier unused
/// link of the same purpose, and returns its address.
pub async fn issue_link(
    conn: &impl ConnectionTrait,
    state: &AppState,
    user_id: i32,
    purpose: &str,
    lifetime: Duration,
) -> Result<String, AppError> {
    let now = Utc::now();
    auth_token::Entity::update_many()
        .col_expr(auth_token::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(auth_token::Column::UserId.eq(user_id))
        .filter(auth_token::Column::Purpose.eq(purpose))
        .filter(auth_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    let (token, id) = tokens::new_token();
    auth_token::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        purpose: Set(purpose.to_owned()),
        created_at: Set(now),
        expires_at: Set(now + lifetime),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(format!("{}/set-password?token={token}", state.public_url))
}

/// What an emailed link is for, shown above its form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub invitation: bool,
    pub email: String,
}

const LINK_EXPIRED: &str = "This link has expired or has already been used. Ask for a new password reset link, or ask whoever invited you to send the invitation again";

/// Checks an emailed link without using it.
pub async fn check_link(conn: &impl ConnectionTrait, token: &str) -> Result<LinkInfo, AppError> {
    if !tokens::is_well_formed(token) {
        return Err(AppError::Conflict(LINK_EXPIRED.into()));
    }
    let row = auth_token::Entity::find_by_id(tokens::token_id(token))
        .filter(auth_token::Column::UsedAt.is_null())
        .filter(auth_token::Column::ExpiresAt.gt(Utc::now()))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Conflict(LINK_EXPIRED.into()))?;
    let person = user::Entity::find_by_id(row.user_id)
        .filter(user::Column::Active.eq(true))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Conflict(LINK_EXPIRED.into()))?;
    Ok(LinkInfo { invitation: row.purpose == "invite", email: person.email })
}

/// Sets a password from an emailed link: the link is used up, and every session of the person
/// ends (whoever had their old password is signed out).
pub async fn set_password(
    state: &AppState,
    ctx: &RequestContext,
    token: &str,
    password: &str,
    confirm: &str,
) -> Result<String, AppError> {
    let mut errors = FormErrors::default();
    let new = errors.check("password", NewPassword::parse(password));
    if new.is_some() && password != confirm {
        errors.add("confirm", "The passwords do not match. Type the same password twice");
    }
    let new = errors.into_result(|| new)?;
    let info = check_link(&state.db, token).await?;
    let hash = state.hasher.hash(new.expose().to_owned()).await?;
    let id = tokens::token_id(token);
    let now = Utc::now();
    let txn = db::begin_write(&state.db).await?;
    // Using the link and changing the password are one step: two tabs cannot both use it.
    let used = auth_token::Entity::update_many()
        .col_expr(auth_token::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(auth_token::Column::Id.eq(id.clone()))
        .filter(auth_token::Column::UsedAt.is_null())
        .filter(auth_token::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(AppError::Conflict(LINK_EXPIRED.into()));
    }
    let row = auth_token::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::Internal)?;
    let person = user::Entity::find_by_id(row.user_id).one(&txn).await?.ok_or(AppError::Internal)?;
    let home_trust = person.home_trust_id;
    let mut active: user::ActiveModel = person.into();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let ended = sessions::revoke_all(&txn, row.user_id).await?;
    // Whoever proved they hold the mailbox is let in again, wherever the failures came from.
    clear_attempts(&txn, &email_key(&info.email)).await?;
    audit::record(
        &txn,
        ctx,
        Some(&info.email),
        audit::Event {
            action: if info.invitation { "invitation_accepted" } else { "password_reset" },
            subject: format!("user {} ({})", row.user_id, info.email),
            trust_id: home_trust,
            detail: json!({ "sessions_ended": ended }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(if info.invitation {
        "Your password has been created. Sign in with your email address and new password".into()
    } else {
        "Your password has been changed. Sign in with your new password".into()
    })
}

/// Changes the signed-in person's password, after checking the current one. Every session of
/// theirs ends and this browser gets a new one. Returns the new session's token and the notice.
pub async fn change_password(
    state: &AppState,
    ctx: &RequestContext,
    current: String,
    password: &str,
    confirm: &str,
) -> Result<(String, String), AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let mut errors = FormErrors::default();
    if current.is_empty() {
        errors.add("current", "Enter your current password");
    }
    let new = errors.check("password", NewPassword::parse(password));
    if new.is_some() && password != confirm {
        errors.add("confirm", "The passwords do not match. Type the same password twice");
    }
    let new = errors.into_result(|| new)?;
    let person = user::Entity::find_by_id(actor.user_id).one(&state.db).await?.ok_or(AppError::Unauthenticated)?;
    // The current password is guessed at like a sign-in (say, at an unlocked ward PC), so it is
    // counted and limited the same way, by the same counters.
    let key = email_key(&person.email);
    if let Some(t) = count_attempt(state, ctx, &key).await? {
        let mut f = FormErrors::default();
        f.add("current", wait_message("wrong current passwords", t));
        return Err(AppError::Validation(f));
    }
    if !state.hasher.verify(person.password_hash.clone(), current).await? {
        audit::record(
            &state.db,
            ctx,
            None,
            audit::Event {
                action: "password_change_failed",
                subject: format!("user {} ({})", actor.user_id, actor.email),
                trust_id: actor.home_trust_id,
                detail: json!({}),
            },
        )
        .await?;
        let mut f = FormErrors::default();
        f.add("current", "Your current password is not right");
        return Err(AppError::Validation(f));
    }
    let hash = state.hasher.hash(new.expose().to_owned()).await?;
    let txn = db::begin_write(&state.db).await?;
    let mut row: user::ActiveModel = person.into();
    row.password_hash = Set(Some(hash));
    row.updated_at = Set(Utc::now());
    row.update(&txn).await?;
    clear_attempts(&txn, &key).await?;
    let ended = sessions::revoke_all(&txn, actor.user_id).await?;
    let token = sessions::create(&txn, actor.user_id, ctx).await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "password_changed",
            subject: format!("user {} ({})", actor.user_id, actor.email),
            trust_id: actor.home_trust_id,
            detail: json!({ "sessions_ended": ended }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((token, "Your password has been changed. You have been signed out everywhere else".into()))
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
