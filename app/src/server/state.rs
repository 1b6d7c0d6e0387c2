use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::Notify;

/// Everything a request needs, given to server functions and handlers as one context.
/// Cheap to clone; holds no per-request or per-instance state, so several server instances can
/// share one database.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Woken after a transaction that queued mail commits, so delivery starts at once
    /// instead of at the next poll.
    pub outbox_wake: Arc<Notify>,
    /// The address people reach the service at, for links in emails (no trailing slash).
    pub public_url: Arc<str>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, public_url: &str) -> Self {
        Self {
            db,
            outbox_wake: Arc::new(Notify::new()),
            public_url: public_url.trim_end_matches('/').into(),
        }
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}
