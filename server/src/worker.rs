//! The outbox worker: claims due mail, delivers it, and retries failures with exponential
//! backoff. Any number of workers (in one or several server instances) can share a database.

use crate::config::MailSettings;
use crate::mailer::Mailer;
use app::server::{WriteTurns, db::Batch, outbox, turns::Checked};
use chrono::Utc;
use lettre::message::Mailbox;
use rand::Rng;
use sea_orm::DatabaseConnection;
use std::{sync::Arc, time::Duration};
use tokio::sync::{Notify, watch};

pub struct OutboxWorker {
    db: DatabaseConnection,
    /// On SQLite the worker's writes take turns with everyone else's (see `WriteTurns`).
    turns: WriteTurns,
    mailer: Arc<Mailer>,
    from: Mailbox,
    settings: MailSettings,
    /// Identifies this worker's leases.
    id: String,
    wake: Arc<Notify>,
}

impl OutboxWorker {
    pub fn new(
        db: DatabaseConnection,
        turns: WriteTurns,
        mailer: Arc<Mailer>,
        settings: MailSettings,
        wake: Arc<Notify>,
    ) -> anyhow::Result<Self> {
        let from = settings.from.parse().map_err(|e| anyhow::anyhow!("mail.from is not a valid address: {e}"))?;
        let id = format!("{}-{:08x}", std::process::id(), rand::rng().random::<u32>());
        Ok(Self { db, turns, mailer, from, settings, id, wake })
    }

    /// Delivers until `shutdown` turns true.
    ///
    /// Mail is claimed when it is queued (the services wake the worker) or every poll interval.
    /// After a part-full batch the worker lets mail gather for `gather_ms` before it claims
    /// again: a lone message goes at once, while under a stream of decisions (each waking it)
    /// the worker claims full batches rather than one or two messages a wake, and its claims
    /// and records cost the turns to write a few statements a second rather than hundreds. A
    /// full batch means more is waiting: the next is claimed straight away.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, "outbox worker started");
        let poll = Duration::from_millis(self.settings.poll_interval_ms);
        let gather = Duration::from_millis(self.settings.gather_ms);
        loop {
            let claimed = match self.run_once().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "outbox worker: claiming mail failed");
                    0
                }
            };
            if *shutdown.borrow() {
                break;
            }
            if claimed >= self.settings.batch_size as usize {
                continue;
            }
            if claimed > 0 && !gather.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(gather) => {}
                    _ = shutdown.changed() => break,
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = self.wake.notified() => {}
                _ = shutdown.changed() => break,
            }
        }
        tracing::info!(worker = %self.id, "outbox worker stopped");
    }

    /// Claims a batch, delivers it, then records every outcome at once: two writes a batch,
    /// however many messages it holds. Both join the turns to write like a request's change (on
    /// SQLite as members of the open group, so mail sent under a stream of decisions does not
    /// break their groups up), and the outcomes go as one `db::Batch`, one statement for all
    /// the deliveries and one for each failure. A claim is stored before any of its mail is
    /// sent. A worker that stops between delivering and recording leaves the batch leased; once
    /// the lease ends it is delivered again (at least once, never lost). Returns how many
    /// messages were claimed.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let now = Utc::now();
        let lease = now + chrono::Duration::seconds(self.settings.lease_seconds as i64);
        let (worker, size) = (self.id.as_str(), self.settings.batch_size);
        let batch = self
            .turns
            .write(&self.db, async |txn| Ok(outbox::claim(txn, worker, size, now, lease).await?), |_| true)
            .await?;
        let claimed = batch.len();
        if claimed == 0 {
            return Ok(0);
        }
        let mut outcomes = Batch::new(&self.db);
        let mut delivered = Vec::with_capacity(claimed);
        for (mail, outcome) in self.mailer.send_all(&self.from, batch).await {
            match outcome {
                Ok(()) => {
                    tracing::info!(id = mail.id, kind = %mail.kind, "mail delivered");
                    delivered.push(mail.id);
                }
                Err(error) => {
                    let retry_at = (mail.attempts < self.settings.max_attempts)
                        .then(|| Utc::now() + backoff(&self.settings, mail.attempts));
                    match retry_at {
                        Some(_) => tracing::warn!(id = mail.id, attempts = mail.attempts, %error,
                            "mail delivery failed; will retry"),
                        None => tracing::error!(id = mail.id, attempts = mail.attempts, %error,
                            "mail delivery failed; giving up"),
                    }
                    outcomes.push(&outbox::marking_failed(mail.id, worker, &error, retry_at));
                }
            }
        }
        if let Some(sent) = outbox::marking_sent(&delivered, worker, Utc::now()) {
            outcomes.push(&sent);
        }
        self.turns.write_batch(&self.db, outcomes, |_| Checked::Done(Ok(())), |_| true).await?;
        Ok(claimed)
    }
}

/// The delay before retrying a message that failed on its `attempts`-th try:
/// `retry_base_ms × 2^(attempts−1)`, capped at `retry_max_ms`, with ±20 % jitter so retries of
/// many messages do not reach the SMTP server together.
fn backoff(settings: &MailSettings, attempts: i32) -> chrono::Duration {
    let exp = attempts.clamp(1, 30) as u32 - 1;
    let base = settings.retry_base_ms.saturating_mul(1u64 << exp.min(20));
    let capped = base.min(settings.retry_max_ms) as f64;
    let jitter = rand::rng().random_range(0.8..1.2);
    chrono::Duration::milliseconds((capped * jitter) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_per_attempt_within_jitter_and_stops_at_the_cap() {
        let settings = MailSettings { retry_base_ms: 1000, retry_max_ms: 10_000, ..MailSettings::default() };
        for (attempt, nominal) in [(1, 1000), (2, 2000), (3, 4000), (4, 8000), (5, 10_000), (30, 10_000)] {
            let ms = backoff(&settings, attempt).num_milliseconds();
            let (lo, hi) = (nominal * 8 / 10, nominal * 12 / 10);
            assert!((lo..=hi).contains(&ms), "attempt {attempt}: {ms} ms not within {lo}..={hi}");
        }
    }
}
