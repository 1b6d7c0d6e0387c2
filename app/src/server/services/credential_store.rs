//! Issued credentials at rest: each passport's full SD-JWT (every disclosure in it, superseded
//! and revoked ones too) is sealed with AES-256-GCM under the key-encryption key, like the
//! issuer and holder keys, and bound to the passport's status entry (unique per passport), so a
//! copy of the database alone reads no passport and a sealed credential moved to another row
//! does not open.
//!
//! Signing and storing a passport happens here too, in one place for HR's issue and for the
//! reissue after an emergency key retirement.

use super::issuer;
use crate::error::AppError;
use crate::server::db;
use crate::server::entities::{passport, trust};
use crate::server::keyring::KeyEncryptionKey;
use chrono::{DateTime, Utc};
use credential::{DEFAULT_SD_COUNT, IssueRequest, StatusReference};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Map, Value};

/// The credential type (`vct`) of a staff passport.
pub const PASSPORT_VCT: &str = "urn:nhs:placement-passport:staff-passport:1";

fn crypto(context: &str, err: impl std::fmt::Display) -> AppError {
    db::internal(context, err)
}

/// The associated data a sealed credential is bound to: its status entry.
fn sealed_as(status_list_id: i32, status_index: i32) -> String {
    format!("passport-credential:{status_list_id}:{status_index}")
}

fn seal(kek: &KeyEncryptionKey, status_list_id: i32, status_index: i32, credential: &str) -> Result<Vec<u8>, AppError> {
    kek.seal(credential.as_bytes(), &sealed_as(status_list_id, status_index))
        .map_err(|e| crypto("sealing a credential", e))
}

/// The full credential of a stored passport, opened. A passport issued before credentials were
/// sealed, and not yet sealed by the start-up pass, is read from its clear column.
pub fn opened(kek: &KeyEncryptionKey, p: &passport::Model) -> Result<String, AppError> {
    match &p.credential_sealed {
        Some(sealed) => {
            let bytes = kek
                .open(sealed, &sealed_as(p.status_list_id, p.status_index))
                .map_err(|e| crypto("opening a stored credential", e))?;
            String::from_utf8(bytes).map_err(|e| crypto("a stored credential", e))
        }
        None if !p.credential_clear.is_empty() => Ok(p.credential_clear.clone()),
        None => Err(crypto("opening a stored credential", "the passport has no credential")),
    }
}

/// The disclosed items of a stored passport, as name and value (our own copy, so nothing is
/// verified); none if it does not parse.
pub(crate) fn claims_of(kek: &KeyEncryptionKey, p: &passport::Model) -> Result<Vec<(String, Value)>, AppError> {
    Ok(disclosed_claims(&opened(kek, p)?))
}

/// The disclosed items of a credential this service issued, as name and value.
pub(crate) fn disclosed_claims(credential: &str) -> Vec<(String, Value)> {
    credential::SdJwt::parse(credential)
        .map(|parsed| parsed.claims().map(|(name, value)| (name.to_owned(), value.clone())).collect())
        .unwrap_or_default()
}

/// Seals every credential still stored in clear (passports issued before sealing) and empties
/// its clear column, in one transaction. Returns how many. Run at start-up; sealing twice is a
/// no-op.
pub async fn seal_stored(conn: &impl ConnectionTrait, kek: &KeyEncryptionKey) -> Result<usize, AppError> {
    let rows = passport::Entity::find().filter(passport::Column::CredentialSealed.is_null()).all(conn).await?;
    let mut sealed = 0;
    for p in rows {
        if p.credential_clear.is_empty() {
            continue;
        }
        let value = seal(kek, p.status_list_id, p.status_index, &p.credential_clear)?;
        let mut row: passport::ActiveModel = p.into();
        row.credential_sealed = Set(Some(value));
        row.credential_clear = Set(String::new());
        row.update(conn).await?;
        sealed += 1;
    }
    Ok(sealed)
}

/// A passport to sign and store.
pub(crate) struct NewPassport<'a> {
    pub holder_id: i32,
    pub trust: &'a trust::Model,
    pub claims: &'a Map<String, Value>,
    pub names: &'a [String],
    pub expires_at: DateTime<Utc>,
    pub photo_digest: Option<String>,
    pub issued_by: Option<i32>,
}

/// Signs `new` with its trust's current key, under a fresh random status entry and the holder's
/// key, and stores it sealed. The caller holds the trust's lock and writes the audit entries.
pub(crate) async fn sign_and_store(
    conn: &impl ConnectionTrait,
    kek: &KeyEncryptionKey,
    public_url: &str,
    new: NewPassport<'_>,
) -> Result<passport::Model, AppError> {
    let now = Utc::now();
    let holder_jwk = super::passports::holder_public_key(conn, kek, new.holder_id).await?;
    let (key_row, key) = issuer::signing_key(conn, kek, new.trust.id).await?;
    let (list, idx) = issuer::allocate_index(conn, new.trust.id).await?;
    let iss = issuer::issuer_id(public_url, &new.trust.ods_code);
    let credential = credential::issue(
        &key,
        &IssueRequest {
            issuer: &iss,
            vct: PASSPORT_VCT,
            iat: now.timestamp(),
            exp: new.expires_at.timestamp(),
            holder: &holder_jwk,
            status: Some(StatusReference {
                idx: u64::try_from(idx).map_err(|e| crypto("status index", e))?,
                uri: issuer::status_list_uri(public_url, &new.trust.ods_code, list.list_number),
            }),
            claims: new.claims,
            sd_count: DEFAULT_SD_COUNT,
        },
    )
    .map_err(|e| crypto("issuing a passport", e))?;
    Ok(passport::ActiveModel {
        holder_id: Set(new.holder_id),
        trust_id: Set(new.trust.id),
        status_list_id: Set(list.id),
        status_index: Set(idx),
        kid: Set(key_row.kid),
        issued_by: Set(new.issued_by),
        issued_at: Set(now),
        expires_at: Set(new.expires_at),
        revoked_at: Set(None),
        revoke_reason: Set(None),
        credential_clear: Set(String::new()),
        credential_sealed: Set(Some(seal(kek, list.id, idx, &credential)?)),
        items: Set(serde_json::to_string(new.names).map_err(|e| crypto("encoding item names", e))?),
        photo_digest: Set(new.photo_digest),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}
