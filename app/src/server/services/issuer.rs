//! Each trust as a credential issuer: its signing keys (sealed at rest, rotated with the old
//! key kept published while what it signed is still valid), its published JWK Set, and its
//! Token Status Lists (random indexes, one bit each, served as signed status list tokens).
//!
//! The issuer identifier of trust `R0A` is `{public_url}/trusts/R0A`; SD-JWT VC verifiers find
//! its metadata at `{public_url}/.well-known/jwt-vc-issuer/trusts/R0A`.

use super::audit;
use super::trusts;
use crate::domain::AuditAction;
use crate::error::AppError;
use crate::server::access::{Action, Actor, authorize};
use crate::server::entities::{issuer_key, passport, status_list, status_list_index, trust};
use crate::server::keyring::KeyEncryptionKey;
use crate::server::{AppState, db};
use chrono::{DateTime, Duration, Utc};
use credential::{IndexAllocator, IssuerKey, PublicJwk, StatusList, StatusListTokenRequest};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::{Value, json};

/// Entries per status list: 131,072 (16 KiB), so a list reveals little about any one index.
pub const STATUS_LIST_SIZE: usize = credential::status_list::DEFAULT_LIST_SIZE;
/// How long verifiers may cache a status list token (its `ttl` and the HTTP `max-age`).
pub const STATUS_LIST_TTL_SECS: u64 = 60;
/// A status list token's lifetime (`exp - iat`): minutes, so a replayed old token cannot hide a
/// revocation for long. A retired key stays published at least this long.
pub const STATUS_LIST_TOKEN_LIFETIME: Duration = Duration::minutes(10);
/// A cached token is signed afresh once less than this is left of its lifetime, so every token
/// served is good for at least this long.
const STATUS_LIST_TOKEN_REFRESH: Duration = Duration::minutes(5);

/// Signed status list tokens, kept until their list's bits change, the trust signs
/// with another key, or half their lifetime has passed, so a busy list is not compressed and
/// signed on every request. Keyed by the database's list id and checked against the database on
/// each request, so several server instances sharing one database each stay current.
#[derive(Default)]
pub struct StatusTokenCache {
    tokens: std::sync::Mutex<std::collections::HashMap<i32, CachedToken>>,
}

struct CachedToken {
    bits: Vec<u8>,
    kid: String,
    exp: DateTime<Utc>,
    token: std::sync::Arc<str>,
}

impl StatusTokenCache {
    fn get(&self, list: &status_list::Model, kid: &str, now: DateTime<Utc>) -> Option<std::sync::Arc<str>> {
        let tokens = self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        tokens
            .get(&list.id)
            .filter(|t| t.bits == list.bits && t.kid == kid && t.exp - now > STATUS_LIST_TOKEN_REFRESH)
            .map(|t| t.token.clone())
    }

    fn put(&self, list_id: i32, token: CachedToken) {
        let mut tokens = self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        tokens.insert(list_id, token);
    }
}

/// The issuer identifier (`iss`) of a trust.
pub fn issuer_id(public_url: &str, ods: &str) -> String {
    format!("{public_url}/trusts/{ods}")
}

/// Where a trust's status list `n` is served (the token's `sub`, the credential's `status.uri`).
pub fn status_list_uri(public_url: &str, ods: &str, n: i32) -> String {
    format!("{public_url}/trusts/{ods}/status-lists/{n}")
}

/// The associated data a sealed issuer key is bound to.
fn sealed_as(kid: &str) -> String {
    format!("issuer-key:{kid}")
}

fn crypto(context: &str, err: impl std::fmt::Display) -> AppError {
    db::internal(context, err)
}

/// Reads the trust and, on PostgreSQL, locks its row for the rest of the transaction, so two
/// HR officers issuing at once queue: otherwise both could make the trust's first key or list
/// and one would fail on the unique index. (SQLite's `BEGIN IMMEDIATE` already serialises them.)
pub(crate) async fn lock_trust(conn: &impl ConnectionTrait, trust_id: i32) -> Result<trust::Model, AppError> {
    trust::Entity::find_by_id(trust_id).lock_exclusive().one(conn).await?.ok_or(AppError::NotFound)
}

/// Generates a signing key for `trust_id`, seals it and stores it as the current key.
pub(crate) async fn create_key(
    conn: &impl ConnectionTrait,
    kek: &KeyEncryptionKey,
    trust_id: i32,
) -> Result<(issuer_key::Model, IssuerKey), AppError> {
    let key = IssuerKey::generate().map_err(|e| crypto("generating an issuer key", e))?;
    let sealed = kek.seal(key.to_pkcs8_der(), &sealed_as(key.kid())).map_err(|e| crypto("sealing an issuer key", e))?;
    let jwk = serde_json::to_string(key.public_jwk()).map_err(|e| crypto("encoding a JWK", e))?;
    let row = issuer_key::ActiveModel {
        trust_id: Set(trust_id),
        kid: Set(key.kid().to_owned()),
        public_jwk: Set(jwk),
        private_key_enc: Set(sealed),
        created_at: Set(Utc::now()),
        retired_at: Set(None),
        published_until: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok((row, key))
}

/// The trust's current signing key, made on first use.
pub(crate) async fn signing_key(
    conn: &impl ConnectionTrait,
    kek: &KeyEncryptionKey,
    trust_id: i32,
) -> Result<(issuer_key::Model, IssuerKey), AppError> {
    let current = issuer_key::Entity::find()
        .filter(issuer_key::Column::TrustId.eq(trust_id))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .one(conn)
        .await?;
    let Some(row) = current else {
        return create_key(conn, kek, trust_id).await;
    };
    let mut pkcs8 =
        kek.open(&row.private_key_enc, &sealed_as(&row.kid)).map_err(|e| crypto("opening an issuer key", e))?;
    let key = IssuerKey::from_pkcs8_der(&pkcs8).map_err(|e| crypto("loading an issuer key", e));
    pkcs8.fill(0);
    Ok((row, key?))
}

/// Starts signing with a new key and retires the old one, which stays published until every
/// passport it signed has expired (and at least as long as a status list token it signed), so
/// credentials it signed keep verifying. Returns the new key's `kid`.
pub async fn rotate(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    kek: &KeyEncryptionKey,
    ods: &str,
) -> Result<String, AppError> {
    let trust = trusts::by_ods(txn, ods).await?;
    authorize(Some(actor), &Action::RotateIssuerKey { trust: trust.id })?;
    let trust = lock_trust(txn, trust.id).await?;
    let new_kid = rotate_key(txn, kek, trust.id).await?;
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::IssuerKeyRotated,
            subject: format!("trust {}", trust.ods_code),
            trust_id: Some(trust.id),
            detail: json!({ "kid": new_kid }),
        },
    )
    .await?;
    Ok(new_kid)
}

/// The rotation itself, without authorisation or audit (for `rotate` and the seed).
pub async fn rotate_key(
    conn: &impl ConnectionTrait,
    kek: &KeyEncryptionKey,
    trust_id: i32,
) -> Result<String, AppError> {
    let now = Utc::now();
    if let Some(old) = issuer_key::Entity::find()
        .filter(issuer_key::Column::TrustId.eq(trust_id))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .one(conn)
        .await?
    {
        let last_expiry: Option<DateTime<Utc>> = passport::Entity::find()
            .filter(passport::Column::Kid.eq(old.kid.clone()))
            .order_by_desc(passport::Column::ExpiresAt)
            .one(conn)
            .await?
            .map(|p| p.expires_at);
        let until = last_expiry.unwrap_or(now).max(now + STATUS_LIST_TOKEN_LIFETIME);
        let mut old: issuer_key::ActiveModel = old.into();
        old.retired_at = Set(Some(now));
        old.published_until = Set(Some(until));
        old.update(conn).await?;
    }
    let (row, _) = create_key(conn, kek, trust_id).await?;
    Ok(row.kid)
}

/// Every key a verifier needs for `trust_id` now: the current one and the retired ones still
/// covering valid credentials.
pub async fn published_keys(conn: &impl ConnectionTrait, trust_id: i32) -> Result<Vec<PublicJwk>, AppError> {
    let now = Utc::now();
    issuer_key::Entity::find()
        .filter(issuer_key::Column::TrustId.eq(trust_id))
        .order_by_asc(issuer_key::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter(|k| k.retired_at.is_none() || k.published_until.is_some_and(|u| u > now))
        .map(|k| serde_json::from_str(&k.public_jwk).map_err(|e| crypto("decoding a stored JWK", e)))
        .collect()
}

/// The SD-JWT VC issuer metadata of a trust: `{"issuer", "jwks": {"keys": [...]}}`.
pub async fn issuer_metadata(state: &AppState, ods: &str) -> Result<Value, AppError> {
    let trust = trusts::by_ods(&state.db, ods).await?;
    let keys = published_keys(&state.db, trust.id).await?;
    Ok(json!({
        "issuer": issuer_id(&state.public_url, &trust.ods_code),
        "jwks": { "keys": keys },
    }))
}

/// A trust's status list `n` as a status list token signed with its current key: the cached
/// one while it is current ([`StatusTokenCache`]), else one signed now.
pub async fn status_list_token(state: &AppState, ods: &str, n: i32) -> Result<std::sync::Arc<str>, AppError> {
    let trust = trusts::by_ods(&state.db, ods).await?;
    let list = status_list::Entity::find()
        .filter(status_list::Column::TrustId.eq(trust.id))
        .filter(status_list::Column::ListNumber.eq(n))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let current_kid: Option<String> = issuer_key::Entity::find()
        .select_only()
        .column(issuer_key::Column::Kid)
        .filter(issuer_key::Column::TrustId.eq(trust.id))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .into_tuple()
        .one(&state.db)
        .await?;
    if let Some(token) = current_kid.and_then(|kid| state.status_tokens.get(&list, &kid, now)) {
        return Ok(token);
    }
    let bits = StatusList::from_bytes(list.bits.clone()).map_err(|e| crypto("decoding a status list", e))?;
    let (key_row, key) = signing_key(&state.db, state.kek()?, trust.id).await?;
    let uri = status_list_uri(&state.public_url, &trust.ods_code, n);
    let exp = now + STATUS_LIST_TOKEN_LIFETIME;
    let token: std::sync::Arc<str> = bits
        .sign_token(
            &key,
            &StatusListTokenRequest {
                uri: &uri,
                iat: now.timestamp(),
                exp: exp.timestamp(),
                ttl: Some(STATUS_LIST_TTL_SECS),
            },
        )
        .map_err(|e| crypto("signing a status list token", e))?
        .into();
    state.status_tokens.put(list.id, CachedToken { bits: list.bits, kid: key_row.kid, exp, token: token.clone() });
    Ok(token)
}

/// Hands out a random unused index in the trust's newest status list (starting a new list when
/// it is full). Returns the list and the index.
pub(crate) async fn allocate_index(
    conn: &impl ConnectionTrait,
    trust_id: i32,
) -> Result<(status_list::Model, i32), AppError> {
    let now = Utc::now();
    // Locked (on PostgreSQL) so two issuers at one trust do not pick from the same snapshot;
    // SQLite's write transactions are already serialised.
    let newest = status_list::Entity::find()
        .filter(status_list::Column::TrustId.eq(trust_id))
        .order_by_desc(status_list::Column::ListNumber)
        .lock_exclusive()
        .one(conn)
        .await?;
    let size = i32::try_from(STATUS_LIST_SIZE).map_err(|e| crypto("status list size", e))?;
    let mut list = match newest {
        Some(list) => list,
        None => new_list(conn, trust_id, 1, size).await?,
    };
    loop {
        let used: Vec<i32> = status_list_index::Entity::find()
            .select_only()
            .column(status_list_index::Column::Idx)
            .filter(status_list_index::Column::StatusListId.eq(list.id))
            .into_tuple()
            .all(conn)
            .await?;
        let len = usize::try_from(list.size).map_err(|e| crypto("status list size", e))?;
        let mut allocator = IndexAllocator::with_used(len, used.into_iter().filter_map(|i| u64::try_from(i).ok()))
            .map_err(|e| crypto("status list allocator", e))?;
        match allocator.allocate() {
            Ok(idx) => {
                let idx = i32::try_from(idx).map_err(|e| crypto("status list index", e))?;
                status_list_index::ActiveModel {
                    status_list_id: Set(list.id),
                    idx: Set(idx),
                    allocated_at: Set(now),
                    ..Default::default()
                }
                .insert(conn)
                .await?;
                return Ok((list, idx));
            }
            Err(credential::Error::StatusListFull) => {
                list = new_list(conn, trust_id, list.list_number + 1, size).await?;
            }
            Err(e) => return Err(crypto("allocating a status index", e)),
        }
    }
}

async fn new_list(
    conn: &impl ConnectionTrait,
    trust_id: i32,
    n: i32,
    size: i32,
) -> Result<status_list::Model, AppError> {
    let bytes = usize::try_from(size / 8).map_err(|e| crypto("status list size", e))?;
    Ok(status_list::ActiveModel {
        trust_id: Set(trust_id),
        list_number: Set(n),
        size: Set(size),
        bits: Set(vec![0; bytes]),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Sets (revokes) entry `idx` of status list `list_id`.
pub(crate) async fn set_revoked(conn: &impl ConnectionTrait, list_id: i32, idx: i32) -> Result<(), AppError> {
    let list = status_list::Entity::find_by_id(list_id)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| crypto("revoking", "status list missing"))?;
    let mut bits = StatusList::from_bytes(list.bits.clone()).map_err(|e| crypto("decoding a status list", e))?;
    let idx = u64::try_from(idx).map_err(|e| crypto("status index", e))?;
    bits.set(idx, true).map_err(|e| crypto("setting a status bit", e))?;
    let mut row: status_list::ActiveModel = list.into();
    row.bits = Set(bits.as_bytes().to_vec());
    row.updated_at = Set(Utc::now());
    row.update(conn).await?;
    Ok(())
}
