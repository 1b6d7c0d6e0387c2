//! The audit log, for the alliance's project managers.

use crate::error::AppError;
use crate::views::audit::*;
use leptos::server;

/// The latest 200 entries, newest first.
#[server(endpoint = "audit/recent")]
pub async fn recent_audit() -> Result<Vec<AuditRow>, AppError> {
    use crate::server::{respond, services::audit};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| audit::recent(&state.db, actor, 200).await).await
}
