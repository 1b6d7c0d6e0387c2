//! Passports: issued by the holder's home trust's HR as SD-JWT VCs (every item its own
//! selectively disclosable claim, a holder key in `cnf`, a random index in the trust's status
//! list), reissued (the old one is revoked as superseded) and revoked by flipping that bit.
//!
//! Every issue, revocation and read of passport data is written to the append-only passport
//! audit log (who, in which role, for which trust, which items, why), in the same transaction
//! as the change, along with an `audit_events` row for the alliance's log.
//!
//! Every function has the one service shape: a connection (a write takes the caller's
//! transaction), the signed-in actor, and the command; what it needs of the configuration (the
//! key-encryption key, the public address) comes as a plain value.
//!
//! - [`issue`]: HR issues, reissues and revokes;
//! - [`holder`]: the holder's own passport, its download, confirming it or reporting a problem;
//! - [`log`]: the passport audit log and the history read from it.

mod holder;
mod issue;
mod log;
#[cfg(test)]
mod tests;

pub(crate) use self::log::{Entry, log, log_from};
pub use self::log::{current, history};
pub use holder::{confirm, download, mine, report_problem};
pub use issue::{issue, revoke};

pub use super::credential_store::PASSPORT_VCT;
use super::issuer;
use crate::domain::{PassportStatus, item_display, item_label, item_rank};
use crate::error::AppError;
use crate::server::db;
use crate::server::entities::{holder_key, passport};
use crate::server::keyring::KeyEncryptionKey;
use crate::views::passports::{PassportItemView, PassportSummary};
use chrono::{DateTime, Utc};
use credential::{HolderKey, PublicJwk};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// The longest reason a revocation may carry.
const MAX_REASON_CHARS: usize = 500;

fn crypto(context: &str, err: impl std::fmt::Display) -> AppError {
    db::internal(context, err)
}

pub(crate) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub(crate) fn item_names(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The key the service holds for `user_id`, made (and sealed) on first use. Returns its public
/// half, the only part issuing needs.
pub(crate) async fn holder_public_key(
    conn: &impl ConnectionTrait,
    kek: &KeyEncryptionKey,
    user_id: i32,
) -> Result<PublicJwk, AppError> {
    if let Some(row) = holder_key::Entity::find().filter(holder_key::Column::UserId.eq(user_id)).one(conn).await? {
        return serde_json::from_str(&row.public_jwk).map_err(|e| crypto("decoding a holder JWK", e));
    }
    let key = HolderKey::generate().map_err(|e| crypto("generating a holder key", e))?;
    let sealed = kek
        .seal(key.to_pkcs8_der(), &holder_sealed_as(user_id, key.kid()))
        .map_err(|e| crypto("sealing a holder key", e))?;
    holder_key::ActiveModel {
        user_id: Set(user_id),
        kid: Set(key.kid().to_owned()),
        public_jwk: Set(serde_json::to_string(key.public_jwk()).map_err(|e| crypto("encoding a JWK", e))?),
        private_key_enc: Set(sealed),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(key.public_jwk().clone())
}

/// The associated data a sealed holder key is bound to.
pub fn holder_sealed_as(user_id: i32, kid: &str) -> String {
    format!("holder-key:{user_id}:{kid}")
}

/// Where passport `p` is now: revoked (for any reason, a reissue included), else expired or
/// valid by its expiry.
pub(crate) fn status_of(p: &passport::Model, now: DateTime<Utc>) -> PassportStatus {
    if p.revoked_at.is_some() {
        PassportStatus::Revoked
    } else if p.expires_at <= now {
        PassportStatus::Expired
    } else {
        PassportStatus::Valid
    }
}

pub(crate) fn summary(p: &passport::Model, public_url: &str, ods: &str) -> PassportSummary {
    PassportSummary {
        id: p.id,
        holder_id: p.holder_id,
        issuer: issuer::issuer_id(public_url, ods),
        trust: ods.to_owned(),
        issued_at: when(p.issued_at),
        expires_at: when(p.expires_at),
        status: status_of(p, Utc::now()),
        revoke_reason: p.revoke_reason.clone(),
        items: item_names(&p.items),
    }
}

/// Marks `p` revoked with `reason` and sets its status bit.
pub(crate) async fn revoke_row(conn: &impl ConnectionTrait, p: passport::Model, reason: &str) -> Result<(), AppError> {
    issuer::set_revoked(conn, p.status_list_id, p.status_index).await?;
    let mut row: passport::ActiveModel = p.into();
    row.revoked_at = Set(Some(Utc::now()));
    row.revoke_reason = Set(Some(reason.to_owned()));
    row.update(conn).await?;
    Ok(())
}

/// The items of a credential this service issued, with their values, in reading order: its
/// disclosures decoded (the credential is our own stored copy, so nothing is verified here).
pub(crate) fn items_of(claims: impl IntoIterator<Item = (String, serde_json::Value)>) -> Vec<PassportItemView> {
    let mut items: Vec<PassportItemView> = claims
        .into_iter()
        .map(|(name, value)| PassportItemView { label: item_label(&name), value: item_display(&name, &value), name })
        .collect();
    items.sort_by_key(|i| (item_rank(&i.name), i.name.clone()));
    items
}
