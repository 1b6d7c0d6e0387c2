//! The digital staff passport: issuing, reissuing and revoking (the home trust's HR), seeing
//! it and its history (the holder, and that HR), and rotating a trust's issuer key. Every
//! function asks `access` through its service; every read of passport data is audited there.

use crate::domain::PassportItems;
use crate::error::AppError;
use leptos::server;
use serde::{Deserialize, Serialize};

/// A passport as its holder and their HR see it: no item values, just which items it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportSummary {
    pub id: i32,
    pub holder_id: i32,
    /// The issuer identifier (`iss`), `{public_url}/trusts/{ods}`.
    pub issuer: String,
    /// The issuing trust's ODS code.
    pub trust: String,
    pub issued_at: String,
    pub expires_at: String,
    /// `valid`, `expired` or `revoked`.
    pub status: String,
    pub revoke_reason: Option<String>,
    pub items: Vec<String>,
}

/// One entry of a passport's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportEvent {
    pub at: String,
    /// `issued`, `reissued`, `revoked`, `downloaded`, …
    pub action: String,
    pub who: String,
    /// The role they acted in: `hr_officer`, `holder`, …
    pub role: String,
    /// Their trust's ODS code, if any.
    pub trust: Option<String>,
    pub items: Vec<String>,
    pub reason: Option<String>,
}

/// Issues `holder` a passport holding `items` (replacing their current one, if any).
#[server(endpoint = "passports/issue")]
pub async fn issue_passport(holder: i32, items: PassportItems) -> Result<PassportSummary, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    respond::finish(passports::issue(&state, &ctx, holder, &items).await)
}

/// Revokes passport `id` with a reason.
#[server(endpoint = "passports/revoke")]
pub async fn revoke_passport(id: i32, reason: String) -> Result<String, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    respond::finish(passports::revoke(&state, &ctx, id, &reason).await.map(|()| "Passport revoked".to_owned()))
}

/// The current passport of `holder`, if they have one.
#[server(endpoint = "passports/current")]
pub async fn current_passport(holder: i32) -> Result<Option<PassportSummary>, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    respond::finish(passports::current(&state, ctx.actor(), holder).await)
}

/// Every issue, reissue, revocation and read of `holder`'s passport, newest first.
#[server(endpoint = "passports/history")]
pub async fn passport_history(holder: i32) -> Result<Vec<PassportEvent>, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    respond::finish(passports::history(&state.db, ctx.actor(), holder).await)
}

/// Starts signing `trust`'s passports with a new key; the old one stays published while
/// passports it signed are valid. Succeeds with the new key's `kid`.
#[server(endpoint = "passports/rotate-key")]
pub async fn rotate_issuer_key(trust: String) -> Result<String, AppError> {
    use crate::server::{respond, services::issuer};
    let (state, ctx) = respond::request()?;
    respond::finish(issuer::rotate(&state, &ctx, &trust).await)
}
