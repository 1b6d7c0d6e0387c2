use super::keyring::KeyEncryptionKey;
use super::password::Hasher;
use super::placement_index::PlacementIndex;
use super::turns::WriteTurns;
use crate::error::AppError;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::Notify;

/// Everything a request needs, given to server functions and handlers as one context.
/// Cheap to clone; holds no per-request state, and no per-instance state but caches the
/// database keeps current (the placement index), so several server instances can share one
/// database.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Woken after a transaction that queued mail commits, so delivery starts at once
    /// instead of at the next poll.
    pub outbox_wake: Arc<Notify>,
    /// The address people reach the service at, for links in emails (no trailing slash).
    pub public_url: Arc<str>,
    /// Sign-in, session and throttling settings.
    pub auth: Arc<AuthConfig>,
    /// Password hashing, off the async threads and bounded so it cannot starve other requests.
    pub hasher: Hasher,
    /// Seals the issuer and holder private keys at rest. `None` only in a debug build run
    /// without `passport.key_encryption_key`: passports then cannot be issued.
    pub kek: Option<Arc<KeyEncryptionKey>>,
    /// The open placements in memory, for browsing; rebuilt when the database says they changed.
    pub placement_index: Arc<PlacementIndex>,
    /// Passport checks and photo fetches by people not signed in, per network address.
    pub anonymous_passport_reads: Arc<super::rate_limit::RateLimiter>,
    /// Signed status list tokens, until their list changes.
    pub status_tokens: Arc<super::services::issuer::StatusTokenCache>,
    /// When reminders about waiting applications go.
    pub reminders: Arc<super::services::applications::ReminderConfig>,
    /// On SQLite, the changes people make take turns here to write, in groups that commit
    /// together (see [`WriteTurns`]), and so does the outbox worker.
    writes: WriteTurns,
}

/// Sign-in, session and throttling settings (the `[auth]` table of the configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// A session ends after this long without a request.
    pub session_idle_minutes: i64,
    /// A session ends this long after sign-in, however active.
    pub session_max_hours: i64,
    /// How long a password reset link works.
    pub reset_link_minutes: i64,
    /// How long an invitation link works.
    pub invite_link_days: i64,
    /// Failed sign-ins for one email address within the window before it must wait.
    pub account_failure_limit: u64,
    /// Failed sign-ins from one network address within the window before it must wait.
    pub address_failure_limit: u64,
    pub failure_window_minutes: i64,
    /// Password hashes allowed to run at once (0: one fewer than the cores, at least one).
    pub max_concurrent_hashes: usize,
    /// Passport checks and photo fetches a minute from one network address without signing in
    /// (each writes to the holder's history); 0 = no limit.
    pub anonymous_passport_reads_per_minute: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_max_hours: 12,
            reset_link_minutes: 30,
            invite_link_days: 7,
            account_failure_limit: 5,
            address_failure_limit: 50,
            failure_window_minutes: 15,
            max_concurrent_hashes: 0,
            anonymous_passport_reads_per_minute: 60,
        }
    }
}

impl AppState {
    pub fn new(db: DatabaseConnection, public_url: &str, auth: AuthConfig, kek: Option<KeyEncryptionKey>) -> Self {
        let hasher = Hasher::new(auth.max_concurrent_hashes);
        let writes = WriteTurns::for_database(&db);
        let anonymous_passport_reads =
            Arc::new(super::rate_limit::RateLimiter::per_minute(auth.anonymous_passport_reads_per_minute));
        Self {
            db,
            outbox_wake: Arc::new(Notify::new()),
            public_url: public_url.trim_end_matches('/').into(),
            auth: Arc::new(auth),
            hasher,
            kek: kek.map(Arc::new),
            placement_index: Arc::default(),
            anonymous_passport_reads,
            status_tokens: Arc::default(),
            reminders: Arc::default(),
            writes,
        }
    }

    /// The turns to write: for changes people make ([`WriteTurns::write`]) and for the writers
    /// outside a request (the outbox worker, the housekeeping).
    pub fn write_turns(&self) -> &WriteTurns {
        &self.writes
    }

    /// Runs `change` in the turn to write ([`WriteTurns::write`]) and keeps what it wrote if it
    /// succeeds: for the writes that are not a signed-in person's change (signing in and out, a
    /// form's flash, a session's use). Every write in a request takes its turn: on SQLite a write
    /// that did not would wait in SQLite's busy handler behind the groups, for up to a second.
    pub async fn write<T>(
        &self,
        change: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.writes.write(&self.db, change, |_| true).await
    }

    /// The key-encryption key, or an internal error (logged) when none is configured.
    pub fn kek(&self) -> Result<&KeyEncryptionKey, AppError> {
        self.kek.as_deref().ok_or_else(|| {
            super::db::internal("passport keys unavailable", "passport.key_encryption_key is not configured")
        })
    }

    /// Served over HTTPS: cookies get `Secure` and responses HSTS.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}
