//! Signing in and out, throttling guesses, and setting a password from an emailed link.

use super::{audit, mail_templates, sessions};
use crate::domain::{EmailAddress, NewPassword};
use crate::error::{AppError, FormErrors};
use crate::server::entities::{auth_token, sign_in_failure, user};
use crate::server::{AppState, RequestContext, db, outbox, tokens};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
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

fn email_key(raw: &str) -> String {
    raw.trim().to_lowercase().chars().take(254).collect()
}

fn sign_in_error(email: &str, message: String) -> AppError {
    let mut f = FormErrors::with_values([("email", email)]);
    f.add("email", message);
    AppError::Validation(f)
}

/// When a throttled email address or network address may try again, if it must wait.
async fn throttled(
    conn: &impl ConnectionTrait,
    state: &AppState,
    key: &str,
    ip: &str,
) -> Result<Option<Throttled>, AppError> {
    let window = Duration::minutes(state.auth.failure_window_minutes);
    let since = Utc::now() - window;
    let mut wait_until: Option<DateTime<Utc>> = None;
    for (column, value, limit) in [
        (sign_in_failure::Column::EmailKey, key, state.auth.account_failure_limit),
        (sign_in_failure::Column::Ip, ip, state.auth.address_failure_limit),
    ] {
        if limit == 0 {
            continue;
        }
        // The limit-th most recent failure in the window: once it leaves the window, the
        // count drops below the limit again.
        let nth: Option<DateTime<Utc>> = sign_in_failure::Entity::find()
            .select_only()
            .column(sign_in_failure::Column::At)
            .filter(column.eq(value))
            .filter(sign_in_failure::Column::At.gt(since))
            .order_by_desc(sign_in_failure::Column::At)
            .offset(limit - 1)
            .limit(1)
            .into_tuple()
            .one(conn)
            .await?;
        if let Some(at) = nth {
            let until = at + window;
            wait_until = Some(wait_until.map_or(until, |w| w.max(until)));
        }
    }
    Ok(wait_until.map(|until| Throttled { retry_after_seconds: (until - Utc::now()).num_seconds().max(1) }))
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
    let key = email_key(email);
    if key.is_empty() {
        return Err(plain(sign_in_error(email, "Enter your email address".into())));
    }
    if password.is_empty() {
        let mut f = FormErrors::with_values([("email", email)]);
        f.add("password", "Enter your password");
        return Err(plain(AppError::Validation(f)));
    }
    if let Some(t) = throttled(&state.db, state, &key, &ctx.ip).await.map_err(plain)? {
        audit::record(
            &state.db,
            ctx,
            Some(&key),
            audit::Event {
                action: "sign_in_throttled",
                subject: format!("email {key}"),
                trust_id: None,
                detail: json!({ "retry_after_seconds": t.retry_after_seconds }),
            },
        )
        .await
        .map_err(|e| plain(e.into()))?;
        let message = format!(
            "Too many failed attempts to sign in. Wait {} and try again, or reset your password",
            wait_wording(t.retry_after_seconds)
        );
        return Err((sign_in_error(email, message), Some(t)));
    }
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(key.clone()))
        .one(&state.db)
        .await
        .map_err(|e| plain(e.into()))?;
    let hash = found.as_ref().and_then(|u| u.password_hash.clone());
    let verified = state.hasher.verify(hash, password).await.map_err(plain)?;
    let person = found.filter(|u| verified && u.active);
    let Some(person) = person else {
        let txn = db::begin_write(&state.db).await.map_err(|e| plain(e.into()))?;
        // Failures older than the window count for nothing: clear them as new ones arrive.
        sign_in_failure::Entity::delete_many()
            .filter(sign_in_failure::Column::At.lt(Utc::now() - Duration::minutes(state.auth.failure_window_minutes)))
            .exec(&txn)
            .await
            .map_err(|e| plain(e.into()))?;
        sign_in_failure::ActiveModel {
            email_key: Set(key.clone()),
            ip: Set(ctx.ip.chars().take(45).collect()),
            at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| plain(e.into()))?;
        audit::record(
            &txn,
            ctx,
            Some(&key),
            audit::Event {
                action: "sign_in_failed",
                subject: format!("email {key}"),
                trust_id: None,
                detail: json!({}),
            },
        )
        .await
        .map_err(|e| plain(e.into()))?;
        txn.commit().await.map_err(|e| plain(e.into()))?;
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
    sign_in_failure::Entity::delete_many()
        .filter(sign_in_failure::Column::EmailKey.eq(key.clone()))
        .exec(&txn)
        .await
        .map_err(|e| plain(e.into()))?;
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
    if !state.hasher.verify(person.password_hash.clone(), current).await? {
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
