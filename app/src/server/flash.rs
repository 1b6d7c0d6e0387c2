//! One-shot form outcomes for browsers without JavaScript.
//!
//! A form posted without JavaScript gets a redirect back to its page (post/redirect/get). Its
//! outcome — the notice, or the field messages and what was typed — is kept here for that one
//! page load, keyed by a random token in an `HttpOnly` cookie. Typed values never go into the
//! URL, where they would end up in browser history and access logs.
//!
//! What was typed can be personal data (an NI number in HR's form, the disclosed items of a
//! checked passport), so it never sits in the table in clear: the row is stored under the
//! SHA-256 of the cookie's token and sealed (AES-256-GCM) under a key derived from the token,
//! which only the browser holds. A copy of the database opens no flash. Each typed value is cut
//! to [`MAX_KEPT_CHARS`] first, so a flood of huge posts cannot fill the table either, and rows
//! left unread are purged by [`purge_expired`] on a schedule.

use super::AppState;
use super::entities::form_flash;
use super::keyring::KeyEncryptionKey;
use super::tokens;
use crate::error::{AppError, FormOutcome};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// The cookie holding the flash id.
pub const COOKIE: &str = "pp_flash";
/// How long an unread flash is kept.
const TTL_SECONDS: i64 = 300;

/// The most of any one typed value a flash keeps: the longest field the app has (a placement's
/// description). A longer value failed its field's own check, and the user gets back enough of
/// it to shorten.
pub const MAX_KEPT_CHARS: usize = 4000;
/// The most typed values a flash keeps (the largest form has under 30 fields).
const MAX_KEPT_VALUES: usize = 64;

/// The key a flash is sealed with, derived from its cookie token (never stored).
fn sealing_key(token: &str) -> KeyEncryptionKey {
    KeyEncryptionKey::from_bytes(
        Sha256::new_with_prefix(b"placement-passport form flash\0").chain_update(token).finalize().into(),
    )
}

/// `outcome` as kept: typed values cut to size, so what is stored is bounded whatever was posted.
fn bounded(outcome: &FormOutcome) -> FormOutcome {
    match outcome {
        Err(AppError::Validation(f)) => {
            let mut f = f.clone();
            f.values = std::mem::take(&mut f.values)
                .into_iter()
                .take(MAX_KEPT_VALUES)
                .map(|(k, v)| (k.chars().take(60).collect(), v.chars().take(MAX_KEPT_CHARS).collect()))
                .collect();
            Err(AppError::Validation(f))
        }
        Ok(notice) => Ok(notice.chars().take(MAX_KEPT_CHARS * 4).collect()),
        other => other.clone(),
    }
}

/// Stores `outcome` for `form` and returns the `Set-Cookie` value that points at it.
pub async fn store(
    conn: &impl ConnectionTrait,
    form: &str,
    outcome: &FormOutcome,
    secure: bool,
) -> Result<String, DbErr> {
    let (token, id) = tokens::new_token();
    let json = serde_json::to_vec(&bounded(outcome)).map_err(|e| DbErr::Custom(e.to_string()))?;
    let sealed = sealing_key(&token).seal(&json, form).map_err(|e| DbErr::Custom(e.to_string()))?;
    form_flash::ActiveModel {
        id: Set(id),
        form: Set(form.to_owned()),
        payload: Set(hex::encode(sealed)),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    let secure = if secure { "; Secure" } else { "" };
    Ok(format!("{COOKIE}={token}; Path=/; Max-Age={TTL_SECONDS}; HttpOnly; SameSite=Lax{secure}"))
}

/// Deletes every flash older than its lifetime (unread: the browser never came back for it).
/// Run on a schedule by the server's housekeeping; returns how many went.
pub async fn purge_expired(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let stale = Utc::now() - Duration::seconds(TTL_SECONDS);
    Ok(form_flash::Entity::delete_many()
        .filter(form_flash::Column::CreatedAt.lt(stale))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Stores `outcome` for `form` in the turn to write ([`AppState::write`]) and returns the
/// `Set-Cookie` value that points at it.
pub async fn keep(state: &AppState, form: &str, outcome: &FormOutcome) -> Result<String, AppError> {
    state.write(async |txn| Ok(store(txn, form, outcome, state.is_https()).await?)).await
}

/// Takes the flash for `form` named by `cookie_header` ([`take`]) in the turn to write; a
/// request without a flash cookie (nearly every one) reads and writes nothing.
pub async fn take_kept(
    state: &AppState,
    cookie_header: Option<&str>,
    form: &str,
) -> Result<Option<FormOutcome>, AppError> {
    if cookie_header.and_then(flash_id).is_none() {
        return Ok(None);
    }
    state.write(async |txn| Ok(take(txn, cookie_header, form).await?)).await
}

/// Takes (reads and deletes) the flash for `form` named by `cookie_header`, if there is one.
pub async fn take(
    conn: &impl ConnectionTrait,
    cookie_header: Option<&str>,
    form: &str,
) -> Result<Option<FormOutcome>, DbErr> {
    let Some(token) = cookie_header.and_then(flash_id) else {
        return Ok(None);
    };
    let Some(row) = form_flash::Entity::find_by_id(tokens::token_id(token))
        .filter(form_flash::Column::Form.eq(form))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let deleted = form_flash::Entity::delete_by_id(row.id).exec(conn).await?;
    if deleted.rows_affected == 0 || row.created_at < Utc::now() - Duration::seconds(TTL_SECONDS) {
        // Another request took it first, or it is stale.
        return Ok(None);
    }
    let opened = hex::decode(&row.payload).ok().and_then(|sealed| sealing_key(token).open(&sealed, form).ok());
    Ok(opened.and_then(|json| serde_json::from_slice(&json).ok()))
}

fn flash_id(cookie_header: &str) -> Option<&str> {
    super::tokens::cookie_token(cookie_header, COOKIE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FormErrors;
    use crate::server::testing;

    fn cookie_of(set_cookie: &str) -> String {
        set_cookie.split(';').next().unwrap().to_owned()
    }

    #[tokio::test]
    async fn typed_values_are_sealed_at_rest_and_open_only_with_the_browsers_cookie() {
        let db = testing::database().await;
        let ni = "QQ123456C";
        let outcome: FormOutcome = Err(AppError::Validation(FormErrors::with_values([("ni_number", ni)])));
        let cookie = cookie_of(&store(&db, "hr", &outcome, false).await.unwrap());
        let row = form_flash::Entity::find().one(&db).await.unwrap().unwrap();
        assert!(!row.payload.contains(ni) && !row.payload.contains(&hex::encode(ni)), "no clear value at rest");
        assert!(!cookie.contains(&row.id), "the row is found by the token's digest, not the token");
        // Another form's name, or another cookie, opens nothing.
        assert_eq!(take(&db, Some(&cookie), "other").await.unwrap(), None);
        let forged = format!("{COOKIE}={}", "a".repeat(64));
        assert_eq!(take(&db, Some(&forged), "hr").await.unwrap(), None);
        assert_eq!(take(&db, Some(&cookie), "hr").await.unwrap(), Some(outcome));
        assert_eq!(take(&db, Some(&cookie), "hr").await.unwrap(), None, "one-shot");
    }

    #[tokio::test]
    async fn a_flood_of_huge_values_is_kept_no_longer_than_the_longest_field() {
        let db = testing::database().await;
        let huge = "x".repeat(1_000_000);
        let many: Vec<(String, String)> = (0..500).map(|i| (format!("f{i}"), huge.clone())).collect();
        let f = FormErrors::with_values(many.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let cookie = cookie_of(&store(&db, "f", &Err(AppError::Validation(f)), false).await.unwrap());
        let row = form_flash::Entity::find().one(&db).await.unwrap().unwrap();
        assert!(row.payload.len() < 2 * (MAX_KEPT_VALUES * (MAX_KEPT_CHARS + 80)) + 200, "{} bytes", row.payload.len());
        let Some(Err(AppError::Validation(back))) = take(&db, Some(&cookie), "f").await.unwrap() else { panic!() };
        assert_eq!(back.values.len(), MAX_KEPT_VALUES);
        assert!(back.values.values().all(|v| v.chars().count() == MAX_KEPT_CHARS));
    }

    #[tokio::test]
    async fn the_purge_removes_only_flashes_past_their_lifetime() {
        let db = testing::database().await;
        store(&db, "a", &Ok("fresh".into()), false).await.unwrap();
        form_flash::ActiveModel {
            id: Set("b".repeat(64)),
            form: Set("a".into()),
            payload: Set(String::new()),
            created_at: Set(Utc::now() - Duration::seconds(TTL_SECONDS + 1)),
        }
        .insert(&db)
        .await
        .unwrap();
        assert_eq!(purge_expired(&db).await.unwrap(), 1);
        assert_eq!(form_flash::Entity::find().all(&db).await.unwrap().len(), 1);
    }

    #[test]
    fn finds_the_flash_cookie_among_others_and_ignores_malformed_ids() {
        let id = "a".repeat(64);
        assert_eq!(flash_id(&format!("x=1; {COOKIE}={id}; y=2")), Some(id.as_str()));
        assert_eq!(flash_id(&format!("{COOKIE}=zz")), None);
        assert_eq!(flash_id(&format!("{COOKIE}={}", "g".repeat(64))), None);
        assert_eq!(flash_id("other=1"), None);
    }
}
