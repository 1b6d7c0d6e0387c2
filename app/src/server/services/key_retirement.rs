//! The emergency path for a trust whose signing key may be compromised, in one transaction:
//! the key is retired at once and no longer published (so no verifier accepts anything it
//! signed, a forgery included), every valid passport it signed is revoked and reissued with the
//! same items, checks and expiry under a new key, and the holders and the trust's HR officers
//! are told by email. Each reissue is in the holder's passport history; the retirement is in
//! the alliance's audit log with its reason and figures.
//!
//! An ordinary rotation ([`super::issuer::rotate`]) keeps the old key published while what it
//! signed is valid; this is for when that would be unsafe.

use super::credential_store::{NewPassport, claims_of, sign_and_store};
use super::passports::{Entry, item_names, log, revoke_row};
use super::{audit, issuer, trusts};
use crate::domain::AuditAction;
use crate::domain::PassportActorRole;
use crate::domain::{PassportAction, Role};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize};
use crate::server::entities::{issuer_key, passport, passport_check, role_grant, trust, user};
use crate::server::keyring::KeyEncryptionKey;
use crate::server::outbox::{self, OutgoingMail};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

/// The longest reason a retirement may carry.
pub const MAX_REASON_CHARS: usize = 500;

/// What an emergency retirement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retirement {
    pub trust: String,
    pub retired_kid: String,
    pub new_kid: String,
    /// Valid passports the key had signed: revoked and reissued under the new key.
    pub reissued: usize,
    /// Expired passports it had signed: revoked, not reissued.
    pub revoked_expired: usize,
}

/// The reason, trimmed, or a message beside the `reason` field.
pub fn parse_reason(raw: &str) -> Result<String, AppError> {
    let reason = raw.trim();
    let message = if reason.is_empty() {
        "Say why the key is being retired (for example, how it may have been exposed)"
    } else if reason.chars().count() > MAX_REASON_CHARS {
        "The reason must be 500 characters or fewer"
    } else {
        return Ok(reason.to_owned());
    };
    let kept: String = raw.chars().take(MAX_REASON_CHARS * 2).collect();
    let mut errors = FormErrors::with_values([("reason", kept.as_str())]);
    errors.add("reason", message);
    Err(AppError::Validation(errors))
}

/// Retires `ods`'s current signing key at once, as an HR passport officer of that trust, in the
/// caller's transaction (`kek` seals the new key and opens the credentials reissued; the public
/// address goes into the holders' emails). The caller wakes the mail worker once this commits.
pub async fn retire(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    kek: &KeyEncryptionKey,
    public_url: &str,
    ods: &str,
    reason: &str,
) -> Result<Retirement, AppError> {
    let found = trusts::by_ods(conn, ods).await?;
    authorize(Some(actor), &Action::RetireIssuerKey { trust: found.id })?;
    let reason = parse_reason(reason)?;
    retire_key(conn, actor, kek, public_url, found.id, &reason).await
}

/// The retirement itself, by `actor`, in the caller's transaction: authorised by the caller
/// ([`retire`] above, or the operator's `server retire-key` naming an HR officer).
pub async fn retire_key(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    kek: &KeyEncryptionKey,
    public_url: &str,
    trust_id: i32,
    reason: &str,
) -> Result<Retirement, AppError> {
    let trust = issuer::lock_trust(conn, trust_id).await?;
    let now = Utc::now();
    let old = issuer_key::Entity::find()
        .filter(issuer_key::Column::TrustId.eq(trust.id))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Conflict(format!("{} has no signing key to retire", trust.name)))?;
    let retired_kid = old.kid.clone();
    let mut row: issuer_key::ActiveModel = old.into();
    row.retired_at = Set(Some(now));
    row.published_until = Set(Some(now));
    row.retire_reason = Set(Some(reason.to_owned()));
    row.update(conn).await?;
    let (new_key, _) = issuer::create_key(conn, kek, trust.id).await?;

    let signed = passport::Entity::find()
        .filter(passport::Column::Kid.eq(retired_kid.clone()))
        .filter(passport::Column::RevokedAt.is_null())
        .order_by_asc(passport::Column::Id)
        .all(conn)
        .await?;
    let revoke_reason = format!("issuer key retired: {reason}");
    let (mut reissued, mut revoked_expired) = (0, 0);
    for old in signed {
        let claims: serde_json::Map<String, serde_json::Value> = claims_of(kek, &old)?.into_iter().collect();
        let names = item_names(&old.items);
        revoke_row(conn, old.clone(), &revoke_reason).await?;
        if old.expires_at <= now {
            revoked_expired += 1;
            continue;
        }
        let new = sign_and_store(
            conn,
            kek,
            public_url,
            NewPassport {
                holder_id: old.holder_id,
                trust: &trust,
                claims: &claims,
                names: &names,
                expires_at: old.expires_at,
                photo_digest: old.photo_digest.clone(),
                issued_by: Some(actor.user_id),
            },
        )
        .await?;
        // The checks behind it are the same checks: they carry over as HR recorded them.
        for check in
            passport_check::Entity::find().filter(passport_check::Column::PassportId.eq(old.id)).all(conn).await?
        {
            let copy = passport_check::ActiveModel {
                passport_id: Set(new.id),
                check: Set(check.check),
                checked_on: Set(check.checked_on),
                recorded_by: Set(check.recorded_by),
                recorded_by_email: Set(check.recorded_by_email),
                lapses_on: Set(check.lapses_on),
                ..Default::default()
            };
            copy.insert(conn).await?;
        }
        log(
            conn,
            Some(actor),
            Entry {
                holder_id: old.holder_id,
                passport_id: Some(new.id),
                role: PassportActorRole::HrOfficer,
                trust_id: Some(trust.id),
                action: PassportAction::Reissued,
                items: &names,
                reason: Some("the trust's signing key was retired; the same items were signed with its new key"),
            },
        )
        .await?;
        if let Some(holder) = user::Entity::find_by_id(old.holder_id).one(conn).await?
            && holder.active
        {
            outbox::enqueue(conn, holder_told(&holder, &trust, public_url)).await?;
        }
        reissued += 1;
    }
    let done =
        Retirement { trust: trust.ods_code.clone(), retired_kid, new_kid: new_key.kid, reissued, revoked_expired };
    for officer in hr_officers(conn, trust.id).await? {
        outbox::enqueue(conn, hr_told(&officer, &trust, &done, reason)).await?;
    }
    audit::record_by(
        conn,
        actor,
        audit::Event {
            action: AuditAction::IssuerKeyRetired,
            subject: format!("trust {}", trust.ods_code),
            trust_id: Some(trust.id),
            detail: json!({
                "retired_kid": done.retired_kid,
                "new_kid": done.new_kid,
                "reason": reason,
                "reissued": done.reissued,
                "revoked_expired": done.revoked_expired,
            }),
        },
    )
    .await?;
    Ok(done)
}

/// The active HR passport officers of `trust_id`.
async fn hr_officers(conn: &impl ConnectionTrait, trust_id: i32) -> Result<Vec<user::Model>, AppError> {
    let ids = sea_orm::sea_query::Query::select()
        .column(role_grant::Column::UserId)
        .from(role_grant::Entity)
        .and_where(role_grant::Column::Role.eq(Role::HrOfficer.code()))
        .and_where(role_grant::Column::TrustId.eq(trust_id))
        .to_owned();
    Ok(user::Entity::find()
        .filter(user::Column::Id.in_subquery(ids))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .all(conn)
        .await?)
}

fn holder_told(holder: &user::Model, trust: &trust::Model, public_url: &str) -> OutgoingMail {
    OutgoingMail {
        kind: "passport_reissued_key_retired",
        recipient: holder.email.clone(),
        subject: "Your digital staff passport has been reissued".into(),
        body_text: format!(
            "Dear {},\n\n\
             {} has replaced the key it signs passports with, as a precaution. Your passport was \
             reissued with the same details, signed with the new key; the old one no longer \
             verifies.\n\n\
             If you saved or shared a copy of your passport, download it again from your \
             passport page:\n\n{public_url}/passport\n\n\
             You do not need to do anything else. Questions go to your trust's HR team.\n",
            holder.name, trust.name
        ),
    }
}

fn hr_told(officer: &user::Model, trust: &trust::Model, done: &Retirement, reason: &str) -> OutgoingMail {
    OutgoingMail {
        kind: "issuer_key_retired",
        recipient: officer.email.clone(),
        subject: format!("{}'s passport signing key was retired", trust.name),
        body_text: format!(
            "Dear {},\n\n\
             The key {} signs passports with was retired at once and is no longer published. \
             Reason given: {reason}\n\n\
             {} valid passport(s) were revoked and reissued with the same items under the new \
             key; {} expired passport(s) were revoked. Each holder has been told by email. \
             Passports or copies shared before now stop verifying; holders can share their \
             new passport.\n\n\
             Old key: {}\nNew key: {}\n",
            officer.name, trust.name, done.reissued, done.revoked_expired, done.retired_kid, done.new_kid
        ),
    }
}
