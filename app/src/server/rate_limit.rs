//! A per-address budget for what anyone may do without signing in and that writes to the
//! database each time: checking a passport and fetching a passport photo (each is recorded in
//! the holder's history). Fixed one-minute windows held in memory, per server process: enough
//! to stop one address flooding the audit log, without a table of its own.

use super::{AppState, RequestContext};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most addresses remembered before windows that have ended are swept out.
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    limit: u64,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u64)>>,
}

impl RateLimiter {
    /// At most `per_minute` a minute for each key; 0 is no limit.
    pub fn per_minute(per_minute: u64) -> Self {
        Self { limit: per_minute, window: Duration::from_secs(60), hits: Mutex::default() }
    }

    /// Counts one more for `key`, or says how many seconds until it may try again.
    pub fn check(&self, key: &str) -> Result<(), i64> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), i64> {
        if self.limit == 0 {
            return Ok(());
        }
        // A poisoned lock only means another request panicked mid-count: the map is still sound.
        let mut hits = self.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if hits.len() >= SWEEP_AT {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(i64::try_from(left.as_secs()).unwrap_or(60).max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Counts a passport check or photo fetch by someone not signed in against their network
/// address's budget; `Err` is the seconds until they may try again. Signed-in people are
/// accountable and not counted.
pub fn anonymous_passport_read(state: &AppState, ctx: &RequestContext) -> Result<(), i64> {
    match ctx.actor() {
        Some(_) => Ok(()),
        None => state.anonymous_passport_reads.check(&ctx.ip),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_gets_its_budget_per_window_and_is_told_when_to_come_back() {
        let limiter = RateLimiter::per_minute(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at("10.0.0.1", t0), Ok(()));
        }
        assert_eq!(limiter.check_at("10.0.0.1", t0 + Duration::from_secs(20)), Err(40));
        assert_eq!(limiter.check_at("10.0.0.2", t0), Ok(()), "another address has its own budget");
        assert_eq!(limiter.check_at("10.0.0.1", t0 + Duration::from_secs(60)), Ok(()), "a new window");
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = RateLimiter::per_minute(0);
        for _ in 0..1000 {
            assert_eq!(limiter.check("x"), Ok(()));
        }
    }
}
