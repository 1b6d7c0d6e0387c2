//! One-shot form outcomes for browsers without JavaScript.
//!
//! A form posted without JavaScript gets a redirect back to its page (post/redirect/get). Its
//! outcome — the notice, or the field messages and what was typed — is kept here for that one
//! page load, keyed by a random id in an `HttpOnly` cookie. Typed values never go into the URL,
//! where they would end up in browser history and access logs.

use super::entities::form_flash;
use crate::error::FormOutcome;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// The cookie holding the flash id.
pub const COOKIE: &str = "pp_flash";
/// How long an unread flash is kept.
const TTL_SECONDS: i64 = 300;

/// Stores `outcome` for `form` and returns the `Set-Cookie` value that points at it.
pub async fn store(
    conn: &impl ConnectionTrait,
    form: &str,
    outcome: &FormOutcome,
    secure: bool,
) -> Result<String, DbErr> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let id = hex::encode(bytes);
    let payload = serde_json::to_string(outcome).map_err(|e| DbErr::Custom(e.to_string()))?;
    let now = Utc::now();
    // Opportunistic clean-up keeps the table small without a separate job.
    form_flash::Entity::delete_many()
        .filter(form_flash::Column::CreatedAt.lt(now - Duration::seconds(TTL_SECONDS)))
        .exec(conn)
        .await?;
    form_flash::ActiveModel {
        id: Set(id.clone()),
        form: Set(form.to_owned()),
        payload: Set(payload),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    let secure = if secure { "; Secure" } else { "" };
    Ok(format!("{COOKIE}={id}; Path=/; Max-Age={TTL_SECONDS}; HttpOnly; SameSite=Lax{secure}"))
}

/// Takes (reads and deletes) the flash for `form` named by `cookie_header`, if there is one.
pub async fn take(
    conn: &impl ConnectionTrait,
    cookie_header: Option<&str>,
    form: &str,
) -> Result<Option<FormOutcome>, DbErr> {
    let Some(id) = cookie_header.and_then(flash_id) else {
        return Ok(None);
    };
    let Some(row) =
        form_flash::Entity::find_by_id(id.to_owned()).filter(form_flash::Column::Form.eq(form)).one(conn).await?
    else {
        return Ok(None);
    };
    let deleted = form_flash::Entity::delete_by_id(row.id).exec(conn).await?;
    if deleted.rows_affected == 0 || row.created_at < Utc::now() - Duration::seconds(TTL_SECONDS) {
        // Another request took it first, or it is stale.
        return Ok(None);
    }
    Ok(serde_json::from_str(&row.payload).ok())
}

fn flash_id(cookie_header: &str) -> Option<&str> {
    super::tokens::cookie_token(cookie_header, COOKIE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_flash_cookie_among_others_and_ignores_malformed_ids() {
        let id = "a".repeat(64);
        assert_eq!(flash_id(&format!("x=1; {COOKIE}={id}; y=2")), Some(id.as_str()));
        assert_eq!(flash_id(&format!("{COOKIE}=zz")), None);
        assert_eq!(flash_id(&format!("{COOKIE}={}", "g".repeat(64))), None);
        assert_eq!(flash_id("other=1"), None);
    }
}
