//! Emailed links: asking for a password reset, inviting, checking a link and setting a
//! password with it.

use super::{clear_attempts, email_key};
use crate::domain::AuditAction;
use crate::domain::{EmailAddress, NewPassword};
use crate::error::{AppError, FormErrors};
use crate::server::entities::{auth_token, user};
use crate::server::services::{audit, mail_templates, sessions};
use crate::server::{AppState, RequestContext, outbox, tokens};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde_json::json;

/// Sends a single-use reset link if the address has an active account. The answer is the same
/// either way.
pub async fn request_reset(state: &AppState, ctx: &RequestContext, email: &str) -> Result<String, AppError> {
    let address = EmailAddress::parse(email).map_err(|m| {
        let mut f = FormErrors::with_values([("email", email)]);
        f.add("email", m);
        AppError::Validation(f)
    })?;
    let minutes = state.auth.reset_link_minutes;
    state
        .write(async |txn| {
            let found = user::Entity::find()
                .filter(user::Column::Email.eq(address.as_str()))
                .filter(user::Column::Active.eq(true))
                .one(txn)
                .await?;
            if let Some(person) = &found {
                let link = issue_link(txn, &state.public_url, person.id, "reset", Duration::minutes(minutes)).await?;
                outbox::enqueue(txn, mail_templates::password_reset(&person.email, &person.name, &link, minutes))
                    .await?;
            }
            audit::record(
                txn,
                ctx,
                Some(address.as_str()),
                audit::Event {
                    action: AuditAction::PasswordResetRequested,
                    subject: format!("email {}", address.as_str()),
                    trust_id: found.as_ref().and_then(|u| u.home_trust_id),
                    detail: json!({ "account_found": found.is_some() }),
                },
            )
            .await?;
            Ok(())
        })
        .await?;
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
    public_url: &str,
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
    Ok(format!("{public_url}/set-password?token={token}"))
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
    state
        .write(async |txn| {
            // Using the link and changing the password are one step: two tabs cannot both use it.
            let used = auth_token::Entity::update_many()
                .col_expr(auth_token::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
                .filter(auth_token::Column::Id.eq(id.clone()))
                .filter(auth_token::Column::UsedAt.is_null())
                .filter(auth_token::Column::ExpiresAt.gt(now))
                .exec(txn)
                .await?;
            if used.rows_affected != 1 {
                return Err(AppError::Conflict(LINK_EXPIRED.into()));
            }
            let row = auth_token::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::Internal)?;
            let person = user::Entity::find_by_id(row.user_id).one(txn).await?.ok_or(AppError::Internal)?;
            let home_trust = person.home_trust_id;
            let mut active: user::ActiveModel = person.into();
            active.password_hash = Set(Some(hash));
            active.updated_at = Set(now);
            active.update(txn).await?;
            let ended = sessions::revoke_all(txn, row.user_id).await?;
            // Whoever proved they hold the mailbox is let in again, wherever the failures came from.
            clear_attempts(txn, &email_key(&info.email)).await?;
            audit::record(
                txn,
                ctx,
                Some(&info.email),
                audit::Event {
                    action: if info.invitation { AuditAction::InvitationAccepted } else { AuditAction::PasswordReset },
                    subject: format!("user {} ({})", row.user_id, info.email),
                    trust_id: home_trust,
                    detail: json!({ "sessions_ended": ended }),
                },
            )
            .await?;
            Ok(())
        })
        .await?;
    Ok(if info.invitation {
        "Your password has been created. Sign in with your email address and new password".into()
    } else {
        "Your password has been changed. Sign in with your new password".into()
    })
}
