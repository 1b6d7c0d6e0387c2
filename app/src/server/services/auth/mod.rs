//! Signing in and out, throttling guesses ([`throttle`]), and setting a password from an
//! emailed link ([`links`]).

mod links;
mod throttle;

use crate::domain::AuditAction;
pub use links::{LinkInfo, check_link, issue_link, request_reset, retire_links, set_password};
use throttle::wait_message;
pub use throttle::{Throttled, clear_attempts, count_attempt, purge_attempts, wait_wording};

use super::{audit, sessions};
use crate::domain::{EmailAddress, NewPassword};
use crate::error::{AppError, FormErrors};
use crate::server::entities::user;
use crate::server::{AppState, RequestContext};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

/// The one answer to a wrong email or a wrong password, so neither reveals which accounts exist.
pub const WRONG_CREDENTIALS: &str = "Enter a correct email address and password";

/// What a successful sign-in hands back.
pub struct SignedIn {
    pub token: String,
    pub user_id: i32,
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
        let event = audit::Event {
            action: AuditAction::SignInFailed,
            subject: attempted(&key),
            trust_id: None,
            detail: json!({}),
        };
        let claimed = (!key.is_empty()).then_some(key.as_str());
        state.write(async |txn| Ok(audit::record(txn, ctx, claimed, event).await?)).await.map_err(plain)?;
        return Err(plain(sign_in_error(email, WRONG_CREDENTIALS.into())));
    };
    let grants = sessions::load_grants(&state.db, person.id).await.map_err(|e| plain(e.into()))?;
    if grants.is_empty() {
        return Err(plain(sign_in_error(
            email,
            "You do not have access to Placement Passport. Ask your HR passport officer".into(),
        )));
    }
    let token = state
        .write(async |txn| {
            clear_attempts(txn, &key).await?;
            // A session the browser already had is replaced, never reused (no session fixation).
            if let Some(old) = ctx.actor() {
                sessions::revoke(txn, &old.session_id).await?;
            }
            sessions::prune(txn, &state.auth).await?;
            let token = sessions::create(txn, person.id, ctx).await?;
            let event = audit::Event {
                action: AuditAction::SignedIn,
                subject: format!("user {} ({})", person.id, person.email),
                trust_id: person.home_trust_id,
                detail: json!({}),
            };
            audit::record(txn, ctx, Some(&key), event).await?;
            Ok(token)
        })
        .await
        .map_err(plain)?;
    Ok(SignedIn { token, user_id: person.id })
}

/// Ends the request's session.
pub async fn sign_out(state: &AppState, ctx: &RequestContext) -> Result<(), AppError> {
    let Some(actor) = ctx.actor() else { return Ok(()) };
    let event = audit::Event {
        action: AuditAction::SignedOut,
        subject: format!("user {} ({})", actor.user_id, actor.email),
        trust_id: actor.home_trust_id,
        detail: json!({}),
    };
    state
        .write(async |txn| {
            sessions::revoke(txn, &actor.session_id).await?;
            Ok(audit::record(txn, ctx, None, event).await?)
        })
        .await
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
        let event = audit::Event {
            action: AuditAction::PasswordChangeFailed,
            subject: format!("user {} ({})", actor.user_id, actor.email),
            trust_id: actor.home_trust_id,
            detail: json!({}),
        };
        state.write(async |txn| Ok(audit::record(txn, ctx, None, event).await?)).await?;
        let mut f = FormErrors::default();
        f.add("current", "Your current password is not right");
        return Err(AppError::Validation(f));
    }
    let hash = state.hasher.hash(new.expose().to_owned()).await?;
    let token = state
        .write(async |txn| {
            let mut row: user::ActiveModel = person.into();
            row.password_hash = Set(Some(hash));
            row.updated_at = Set(Utc::now());
            row.update(txn).await?;
            clear_attempts(txn, &key).await?;
            let ended = sessions::revoke_all(txn, actor.user_id).await?;
            let token = sessions::create(txn, actor.user_id, ctx).await?;
            let event = audit::Event {
                action: AuditAction::PasswordChanged,
                subject: format!("user {} ({})", actor.user_id, actor.email),
                trust_id: actor.home_trust_id,
                detail: json!({ "sessions_ended": ended }),
            };
            audit::record(txn, ctx, None, event).await?;
            Ok(token)
        })
        .await?;
    Ok((token, "Your password has been changed. You have been signed out everywhere else".into()))
}
