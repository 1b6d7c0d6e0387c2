//! HR's side of a passport's life: issuing (and reissuing) one from the checks on the form, and
//! revoking it.

use super::super::audit;
use super::super::credential_store::{NewPassport, sign_and_store};
use super::{Entry, MAX_REASON_CHARS, issuer, item_names, log, revoke_row, summary};
use crate::domain::AuditAction;
use crate::domain::PassportActorRole;
use crate::domain::{PassportAction, PassportForm};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize_on};
use crate::server::entities::{passport, passport_check, passport_photo, user};
use crate::server::keyring::KeyEncryptionKey;
use crate::views::passports::PassportSummary;
use chrono::{NaiveTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;

/// Records the checks on HR's form and issues `holder_id` a passport holding what they found,
/// signed with their home trust's current key (sealed under `kek`; `public_url` makes the
/// issuer's identifier) and binding their newest photo. Only an HR passport officer of that
/// trust may. A current passport is replaced: it is revoked as superseded, so only the newest
/// one verifies. A form with any bad field changes nothing.
pub async fn issue(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    kek: &KeyEncryptionKey,
    public_url: &str,
    holder_id: i32,
    form: &PassportForm,
) -> Result<PassportSummary, AppError> {
    let holder = user::Entity::find_by_id(holder_id).one(conn).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        Some(actor),
        &Action::ViewPassportRecord { trust: holder.home_trust_id },
        &Action::IssuePassport { holder: holder.id, trust: holder.home_trust_id },
    )?;
    let trust_id = holder.home_trust_id.ok_or(AppError::NotFound)?;
    // Someone who has left (or is suspended) gets no new credential; reactivate them first.
    if !holder.active {
        return Err(AppError::Conflict("This person is deactivated: reactivate them before issuing a passport".into()));
    }
    let trust = issuer::lock_trust(conn, trust_id).await?;
    let now = Utc::now();
    let parsed = form.parse(now.date_naive()).map_err(AppError::Validation)?;
    let photo_digest = passport_photo::Entity::find()
        .filter(passport_photo::Column::HolderId.eq(holder.id))
        .order_by_desc(passport_photo::Column::Id)
        .one(conn)
        .await?
        .map(|p| p.digest);
    let expires_at = parsed.expiry(now.date_naive()).and_time(NaiveTime::MIN).and_utc();
    if expires_at <= now {
        // The form refuses lapsed dates, so only a clock passing midnight mid-request gets here.
        let mut errors = FormErrors::with_values(form.values().iter().map(|(k, v)| (k.as_str(), v.as_str())));
        errors.add("items[registration_expiry]", "The passport would expire today: check the expiry dates");
        return Err(AppError::Validation(errors));
    }
    let items = parsed.items(&trust.ods_code, photo_digest);

    let previous = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(holder.id))
        .filter(passport::Column::RevokedAt.is_null())
        .lock_exclusive()
        .one(conn)
        .await?;
    let reissue = previous.is_some();
    if let Some(previous) = previous {
        revoke_row(conn, previous, "superseded by a reissue").await?;
    }
    let names = items.names();
    let row = sign_and_store(
        conn,
        kek,
        public_url,
        NewPassport {
            holder_id: holder.id,
            trust: &trust,
            claims: &items.to_claims(),
            names: &names,
            expires_at,
            photo_digest: items.photo_digest.clone(),
            issued_by: Some(actor.user_id),
        },
    )
    .await?;
    for check in &parsed.checks {
        passport_check::ActiveModel {
            passport_id: Set(row.id),
            check: Set(check.check),
            checked_on: Set(check.checked_on),
            recorded_by: Set(Some(actor.user_id)),
            recorded_by_email: Set(actor.email.clone()),
            lapses_on: Set(check.lapses_on),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    let action = if reissue { PassportAction::Reissued } else { PassportAction::Issued };
    log(
        conn,
        Some(actor),
        Entry {
            holder_id: holder.id,
            passport_id: Some(row.id),
            role: PassportActorRole::HrOfficer,
            trust_id: Some(trust.id),
            action,
            items: &names,
            reason: None,
        },
    )
    .await?;
    audit::record_by(
        conn,
        actor,
        audit::Event {
            action: if reissue { AuditAction::PassportReissued } else { AuditAction::PassportIssued },
            subject: format!("user {} ({})", holder.id, holder.email),
            trust_id: Some(trust.id),
            detail: json!({ "passport": row.id, "kid": row.kid, "items": names, "expires_at": expires_at }),
        },
    )
    .await?;
    Ok(summary(&row, public_url, &trust.ods_code))
}

/// Revokes passport `passport_id`: its status bit is set, so every verifier that fetches the
/// trust's status list sees it revoked. Only an HR passport officer of the issuing trust may.
pub async fn revoke(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    passport_id: i32,
    reason: &str,
) -> Result<(), AppError> {
    let p = passport::Entity::find_by_id(passport_id).lock_exclusive().one(conn).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        Some(actor),
        &Action::ViewPassport { holder: p.holder_id, trust: Some(p.trust_id) },
        &Action::RevokePassport { holder: p.holder_id, trust: p.trust_id },
    )?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        let mut errors = FormErrors::with_values([("reason", reason)]);
        errors.add("reason", format!("Enter why the passport is revoked, in {MAX_REASON_CHARS} characters or fewer"));
        return Err(AppError::Validation(errors));
    }
    if p.revoked_at.is_some() {
        return Err(AppError::Conflict("This passport has already been revoked".into()));
    }
    let (holder_id, trust_id, names) = (p.holder_id, p.trust_id, item_names(&p.items));
    revoke_row(conn, p, reason).await?;
    log(
        conn,
        Some(actor),
        Entry {
            holder_id,
            passport_id: Some(passport_id),
            role: PassportActorRole::HrOfficer,
            trust_id: Some(trust_id),
            action: PassportAction::Revoked,
            items: &names,
            reason: Some(reason),
        },
    )
    .await?;
    audit::record_by(
        conn,
        actor,
        audit::Event {
            action: AuditAction::PassportRevoked,
            subject: format!("passport {passport_id} of user {holder_id}"),
            trust_id: Some(trust_id),
            detail: json!({ "passport": passport_id, "reason": reason }),
        },
    )
    .await?;
    Ok(())
}
