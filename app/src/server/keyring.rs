//! Private keys at rest: sealed with AES-256-GCM under the key-encryption key (KEK) from
//! configuration (`passport.key_encryption_key`). A copy of the database alone signs nothing.
//!
//! Each sealed value is `nonce (12 bytes) || ciphertext || tag`, with a fresh random nonce, and
//! is bound to what it is (the associated data, e.g. `issuer-key:{kid}`), so a ciphertext moved
//! to another row does not open.

use base64::Engine;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use std::fmt;

/// The key-encryption key. `Debug` never shows it.
#[derive(Clone)]
pub struct KeyEncryptionKey {
    bytes: [u8; 32],
}

/// Why a sealed key could not be opened (or a KEK not read). Never carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("the key-encryption key must be base64 of exactly 32 bytes")]
    BadKek,
    #[error("a sealed key could not be opened (wrong key-encryption key, or tampered)")]
    Open,
    #[error("sealing failed")]
    Seal,
}

impl KeyEncryptionKey {
    /// Reads the configured value: standard base64 (padding optional) of 32 bytes.
    pub fn from_base64(value: &str) -> Result<Self, KeyringError> {
        let value = value.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(value))
            .map_err(|_| KeyringError::BadKek)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyringError::BadKek)?;
        Ok(Self { bytes })
    }

    /// A fresh random KEK (for tests and for `scripts/run.sh`'s generated configuration).
    pub fn generate() -> Result<Self, KeyringError> {
        let mut bytes = [0u8; 32];
        SystemRandom::new().fill(&mut bytes).map_err(|_| KeyringError::Seal)?;
        Ok(Self { bytes })
    }

    /// A key from 32 bytes the caller derived (the form flash seals with a per-flash key).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self { bytes }
    }

    /// The base64 form the configuration takes.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.bytes)
    }

    fn key(&self) -> Result<LessSafeKey, KeyringError> {
        UnboundKey::new(&AES_256_GCM, &self.bytes).map(LessSafeKey::new).map_err(|_| KeyringError::Seal)
    }

    /// Encrypts `plaintext`, bound to `context`.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<Vec<u8>, KeyringError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| KeyringError::Seal)?;
        let mut buf = plaintext.to_vec();
        self.key()?
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(context.as_bytes()), &mut buf)
            .map_err(|_| KeyringError::Seal)?;
        let mut out = Vec::with_capacity(NONCE_LEN + buf.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buf);
        buf.fill(0);
        Ok(out)
    }

    /// Decrypts what [`Self::seal`] produced for the same `context`. The caller should drop
    /// (and, where it can, clear) the plaintext as soon as it has loaded the key.
    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, KeyringError> {
        let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN).ok_or(KeyringError::Open)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| KeyringError::Open)?;
        let mut buf = ciphertext.to_vec();
        let len = self
            .key()?
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf)
            .map_err(|_| KeyringError::Open)?
            .len();
        buf.truncate(len);
        Ok(buf)
    }
}

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyEncryptionKey(…)")
    }
}

impl Drop for KeyEncryptionKey {
    fn drop(&mut self) {
        self.bytes.fill(0);
        std::hint::black_box(&self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_the_same_kek_and_context() {
        let kek = KeyEncryptionKey::generate().unwrap();
        let sealed = kek.seal(b"pkcs8 document", "issuer-key:abc").unwrap();
        assert!(!sealed.windows(14).any(|w| w == b"pkcs8 document"));
        assert_eq!(kek.open(&sealed, "issuer-key:abc").unwrap(), b"pkcs8 document");
        assert_eq!(kek.open(&sealed, "issuer-key:abd"), Err(KeyringError::Open));
        let other = KeyEncryptionKey::generate().unwrap();
        assert_eq!(other.open(&sealed, "issuer-key:abc"), Err(KeyringError::Open));
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert_eq!(kek.open(&tampered, "issuer-key:abc"), Err(KeyringError::Open));
        assert_eq!(kek.open(&sealed[..5], "issuer-key:abc"), Err(KeyringError::Open));
    }

    #[test]
    fn the_kek_is_base64_of_32_bytes_and_never_printed() {
        let kek = KeyEncryptionKey::generate().unwrap();
        let b64 = kek.to_base64();
        assert!(KeyEncryptionKey::from_base64(&b64).is_ok());
        assert_eq!(KeyEncryptionKey::from_base64("c2hvcnQ=").err(), Some(KeyringError::BadKek));
        assert_eq!(KeyEncryptionKey::from_base64("not base64!").err(), Some(KeyringError::BadKek));
        assert!(!format!("{kek:?}").contains(&b64));
    }
}
