//! The audit log, for the alliance's project managers.

use crate::error::AppError;
use leptos::server;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub subject: String,
    pub trust: String,
    pub from: String,
    pub detail: String,
}

/// The latest 200 entries, newest first.
#[server(endpoint = "audit/recent")]
pub async fn recent_audit() -> Result<Vec<AuditRow>, AppError> {
    use crate::server::{respond, services::audit};
    let (state, ctx) = respond::request()?;
    respond::finish(audit::recent(&state.db, ctx.actor(), 200).await)
}
