//! Password hashing with argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane).
//!
//! Hashing takes tens of milliseconds of CPU by design, so it runs on the blocking pool and at
//! most `permits` at a time: a burst of sign-ins queues here instead of taking every core from
//! the requests that only read a page.

use super::db::internal;
use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// A real hash of a random password: verified against when the account does not exist,
    /// so a wrong email costs the same time as a wrong password.
    dummy: Arc<str>,
}

fn argon2() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` on the current thread (tests, seeding and benchmarks call it directly).
pub fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2().hash_password(password.as_bytes(), &salt)?.to_string())
}

fn verify_blocking(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

impl Hasher {
    pub fn new(max_concurrent: usize) -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let permits = if max_concurrent == 0 { cores.saturating_sub(1).max(1) } else { max_concurrent };
        let mut random = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut random);
        let dummy = hash_blocking(&hex::encode(random)).unwrap_or_default();
        Self { permits: Arc::new(Semaphore::new(permits)), dummy: dummy.into() }
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(|e| internal("hash permits", e))?;
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .map_err(|e| internal("hashing task", e))?
            .map_err(|e| internal("hashing", e))
    }

    /// Checks `password` against `hash`, or against the dummy hash when there is none, so the
    /// answer takes the same time either way.
    pub async fn verify(&self, hash: Option<String>, password: String) -> Result<bool, AppError> {
        let _permit = self.permits.acquire().await.map_err(|e| internal("hash permits", e))?;
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy.to_string());
        let ok = tokio::task::spawn_blocking(move || verify_blocking(&hash, &password))
            .await
            .map_err(|e| internal("verifying task", e))?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let h = hash_blocking("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_blocking(&h, "correct horse battery staple"));
        assert!(!verify_blocking(&h, "correct horse battery stapler"));
        assert!(!verify_blocking("not a hash", "x"));
    }

    #[tokio::test]
    async fn a_missing_hash_never_verifies_even_with_the_dummy_password() {
        let hasher = Hasher::new(1);
        assert!(!hasher.verify(None, String::new()).await.unwrap());
        let h = hasher.hash("a long enough passphrase".into()).await.unwrap();
        assert!(hasher.verify(Some(h), "a long enough passphrase".into()).await.unwrap());
    }
}
