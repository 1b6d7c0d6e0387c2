//! Housekeeping on a schedule: removes what has outlived its purpose, so no table grows with
//! the traffic a script can send (unread form flashes, counted sign-in attempts and throttle
//! spells past their window, the placement change log beyond what the index patches from), and reminds whoever has kept an application waiting. Every step
//! is an idempotent delete or a claimed reminder, so any number of server instances can run it
//! at once.

use app::server::{AppState, flash, placement_index, services::applications, services::auth};
use std::time::Duration;
use tokio::sync::watch;

/// How often the sweep runs.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// One sweep; returns how many rows went.
pub async fn sweep(state: &AppState) -> anyhow::Result<u64> {
    // The deletes take their turn to write like everyone else's writes: on SQLite one that
    // took the lock between the turn's groups would leave the next group waiting in SQLite's
    // busy handler.
    let window = state.auth.failure_window_minutes;
    let (flashes, attempts) = state
        .write(async |txn| Ok((flash::purge_expired(txn).await?, auth::purge_attempts(txn, window).await?)))
        .await?;
    let changes = state
        .write(async |txn| placement_index::prune_log(txn).await)
        .await
        .map_err(|e| anyhow::anyhow!("change log: {e}"))?;
    let reminded = applications::send_due(&state.db, &state.public_url, &state.reminders, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("reminders: {e}"))?;
    if reminded > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(flashes + attempts + changes + reminded as u64)
}

/// Sweeps every [`INTERVAL`] until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        match sweep(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(rows = n, "housekeeping removed expired rows"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; will try again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(INTERVAL) => {}
            _ = shutdown.changed() => break,
        }
        if *shutdown.borrow() {
            break;
        }
    }
}
