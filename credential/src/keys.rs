//! P-256 keys: the issuer's signing key, the holder's key-binding key, public JWKs, and the
//! verifier's key set.
//!
//! Every key is identified by its `kid`, the RFC 7638 JWK thumbprint (base64url SHA-256 of
//! the canonical `{"crv","kty","x","y"}` JSON), so a `kid` can never point at a different
//! key than the one it was derived from.
//!
//! Private keys are held as PKCS#8 documents so the server can export them, encrypt them at
//! rest and load them back. They are never printed: `Debug` shows only the `kid`.

use std::collections::BTreeMap;
use std::fmt;

use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, UnparsedPublicKey,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;
use crate::jose::{ES256, b64url_decode, b64url_encode, sha256_b64url};

/// Something that can produce ES256 signatures: implemented by [`IssuerKey`] and
/// [`HolderKey`], and open for other implementations (for example a KMS- or HSM-backed
/// issuer key) so issuance code does not depend on where the private key lives.
pub trait Signer {
    /// The key's `kid` (RFC 7638 thumbprint for keys made by this crate).
    fn kid(&self) -> &str;
    /// The public key as a JWK (with `kid`, `alg`, `use`).
    fn public_jwk(&self) -> &PublicJwk;
    /// Signs `message` with ECDSA P-256 SHA-256, returning the 64-byte `r || s` signature.
    fn sign_es256(&self, message: &[u8]) -> Result<Vec<u8>, Error>;
}

/// Shared implementation of the two private key types.
struct EcKey {
    pair: EcdsaKeyPair,
    pkcs8: Vec<u8>,
    jwk: PublicJwk,
    kid: String,
    rng: SystemRandom,
}

impl EcKey {
    fn generate() -> Result<Self, Error> {
        let rng = SystemRandom::new();
        let doc =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(|_| Error::KeyGeneration)?;
        Self::from_pkcs8(doc.as_ref())
    }

    fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, Error> {
        let rng = SystemRandom::new();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng).map_err(|_| Error::InvalidPkcs8)?;
        let mut jwk = PublicJwk::from_sec1(pair.public_key().as_ref())?;
        let kid = jwk.thumbprint()?;
        jwk.kid = Some(kid.clone());
        jwk.alg = Some(ES256.into());
        jwk.use_ = Some("sig".into());
        Ok(Self { pair, pkcs8: pkcs8.to_vec(), jwk, kid, rng })
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.pair.sign(&self.rng, message).map(|s| s.as_ref().to_vec()).map_err(|_| Error::Signing)
    }

    fn verifying_key(&self) -> VerifyingKey {
        let mut point = [0u8; 65];
        point.copy_from_slice(self.pair.public_key().as_ref());
        VerifyingKey { kid: self.kid.clone(), point }
    }
}

impl Drop for EcKey {
    fn drop(&mut self) {
        // Best effort: clear our copy of the PKCS#8 document. (ring's own key schedule is
        // not ours to wipe.)
        self.pkcs8.fill(0);
        std::hint::black_box(&self.pkcs8);
    }
}

macro_rules! private_key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(EcKey);

        impl $name {
            /// Generates a fresh random P-256 key with the operating system's CSPRNG.
            pub fn generate() -> Result<Self, Error> {
                EcKey::generate().map(Self)
            }

            /// Loads a key from a PKCS#8 v1/v2 DER document (as produced by
            /// [`Self::to_pkcs8_der`], `generate_pkcs8` or `openssl genpkey`).
            pub fn from_pkcs8_der(pkcs8: &[u8]) -> Result<Self, Error> {
                EcKey::from_pkcs8(pkcs8).map(Self)
            }

            /// The PKCS#8 DER document holding the private key, for the caller to encrypt
            /// and store. Handle with care: this is the secret.
            pub fn to_pkcs8_der(&self) -> &[u8] {
                &self.0.pkcs8
            }

            /// The key's `kid`: its RFC 7638 JWK thumbprint.
            pub fn kid(&self) -> &str {
                &self.0.kid
            }

            /// The public key as a JWK with `kid`, `alg: ES256` and `use: sig`, ready to
            /// publish in a JWK Set.
            pub fn public_jwk(&self) -> &PublicJwk {
                &self.0.jwk
            }

            /// The public key in the form verifiers use (see [`JwkSet`]).
            pub fn verifying_key(&self) -> VerifyingKey {
                self.0.verifying_key()
            }
        }

        impl Signer for $name {
            fn kid(&self) -> &str {
                &self.0.kid
            }
            fn public_jwk(&self) -> &PublicJwk {
                &self.0.jwk
            }
            fn sign_es256(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
                self.0.sign(message)
            }
        }

        impl fmt::Debug for $name {
            /// Shows only the `kid`; private key material is never formatted.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("kid", &self.0.kid)
                    .finish_non_exhaustive()
            }
        }
    };
}

private_key_type!(
    /// The issuer's ES256 signing key, used to sign credentials and status list tokens.
    ///
    /// Not `Clone`; share it behind an `Arc`. `Debug` prints only the `kid`.
    IssuerKey
);

private_key_type!(
    /// A holder's ES256 key: its public half goes into a credential's `cnf.jwk`, and the
    /// private half signs key binding JWTs when presenting.
    ///
    /// Not `Clone`; share it behind an `Arc`. `Debug` prints only the `kid`.
    HolderKey
);

/// A public P-256 key as a JSON Web Key (RFC 7517 / RFC 7518 §6.2), as published in a JWK
/// Set or embedded in `cnf.jwk`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicJwk {
    /// Key type; must be `EC`.
    pub kty: String,
    /// Curve; must be `P-256`.
    pub crv: String,
    /// base64url of the 32-byte big-endian x coordinate.
    pub x: String,
    /// base64url of the 32-byte big-endian y coordinate.
    pub y: String,
    /// Key id (the RFC 7638 thumbprint for keys made by this crate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Algorithm; if present must be `ES256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Public key use; if present must be `sig`.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
}

impl PublicJwk {
    /// Builds a JWK (without `kid`/`alg`/`use`) from an uncompressed SEC1 point
    /// (`0x04 || x || y`, 65 bytes).
    pub fn from_sec1(point: &[u8]) -> Result<Self, Error> {
        let (Some(&0x04), Some(x), Some(y)) = (point.first(), point.get(1..33), point.get(33..65)) else {
            return Err(Error::InvalidJwk("not an uncompressed P-256 point"));
        };
        if point.len() != 65 {
            return Err(Error::InvalidJwk("not an uncompressed P-256 point"));
        }
        Ok(Self {
            kty: "EC".into(),
            crv: "P-256".into(),
            x: b64url_encode(x),
            y: b64url_encode(y),
            kid: None,
            alg: None,
            use_: None,
        })
    }

    /// Checks this is an ES256 signing key and returns the uncompressed SEC1 point. (That
    /// the point is on the curve is checked by ring on every signature verification.)
    pub fn to_sec1(&self) -> Result<[u8; 65], Error> {
        if self.kty != "EC" {
            return Err(Error::InvalidJwk("kty must be EC"));
        }
        if self.crv != "P-256" {
            return Err(Error::InvalidJwk("crv must be P-256"));
        }
        if self.alg.as_deref().is_some_and(|a| a != ES256) {
            return Err(Error::InvalidJwk("alg must be ES256"));
        }
        if self.use_.as_deref().is_some_and(|u| u != "sig") {
            return Err(Error::InvalidJwk("use must be sig"));
        }
        let x = b64url_decode(&self.x).ok_or(Error::InvalidJwk("x is not base64url"))?;
        let y = b64url_decode(&self.y).ok_or(Error::InvalidJwk("y is not base64url"))?;
        let (Ok(x), Ok(y)) = (<[u8; 32]>::try_from(x), <[u8; 32]>::try_from(y)) else {
            return Err(Error::InvalidJwk("x and y must be 32 bytes"));
        };
        let mut point = [0u8; 65];
        point[0] = 0x04;
        point[1..33].copy_from_slice(&x);
        point[33..].copy_from_slice(&y);
        Ok(point)
    }

    /// The RFC 7638 thumbprint: base64url(SHA-256(`{"crv":"P-256","kty":"EC","x":..,"y":..}`)).
    pub fn thumbprint(&self) -> Result<String, Error> {
        self.to_sec1()?;
        // x and y were just validated as canonical base64url, so they need no JSON escaping.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#, self.x, self.y);
        Ok(sha256_b64url(canonical))
    }

    /// The same key with only `kty`, `crv`, `x`, `y`: the form embedded in `cnf.jwk`.
    pub fn bare(&self) -> Self {
        Self {
            kty: self.kty.clone(),
            crv: self.crv.clone(),
            x: self.x.clone(),
            y: self.y.clone(),
            kid: None,
            alg: None,
            use_: None,
        }
    }
}

/// A validated public ES256 key with its `kid`, ready to verify signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    kid: String,
    point: [u8; 65],
}

impl VerifyingKey {
    /// Validates a JWK. Its `kid` is its RFC 7638 thumbprint: a JWK that names itself
    /// otherwise is refused ([`Error::KidNotThumbprint`]), so a published set cannot make one
    /// key answer to another key's `kid`.
    pub fn from_jwk(jwk: &PublicJwk) -> Result<Self, Error> {
        let point = jwk.to_sec1()?;
        let thumbprint = jwk.thumbprint()?;
        match &jwk.kid {
            Some(kid) if kid != &thumbprint => Err(Error::KidNotThumbprint { kid: kid.clone() }),
            _ => Ok(Self { kid: thumbprint, point }),
        }
    }

    /// The key's `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key as a publishable JWK with `kid`, `alg: ES256`, `use: sig`.
    pub fn to_jwk(&self) -> PublicJwk {
        // The point came from a validated JWK or from ring, so this cannot fail; fall back to
        // an (unusable) empty JWK rather than panicking.
        let mut jwk = PublicJwk::from_sec1(&self.point).unwrap_or_else(|_| PublicJwk {
            kty: String::new(),
            crv: String::new(),
            x: String::new(),
            y: String::new(),
            kid: None,
            alg: None,
            use_: None,
        });
        jwk.kid = Some(self.kid.clone());
        jwk.alg = Some(ES256.into());
        jwk.use_ = Some("sig".into());
        jwk
    }

    /// Verifies a 64-byte `r || s` ES256 signature over `message`.
    pub fn verify_es256(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.point).verify(message, signature).is_ok()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

/// Finds the public key for a `kid`. Implemented by [`JwkSet`]; a caller can implement it
/// over its own key store (for example keys per issuer loaded from a database).
pub trait KeyResolver {
    /// The key with this `kid`, or `None` if it is unknown (or retired).
    fn resolve(&self, kid: &str) -> Option<&VerifyingKey>;
}

/// Adapter so generic entry points can hand a `&dyn KeyResolver` to the JWS layer even for
/// unsized resolvers.
pub(crate) struct AsDyn<'a, R: KeyResolver + ?Sized>(pub(crate) &'a R);

impl<R: KeyResolver + ?Sized> KeyResolver for AsDyn<'_, R> {
    fn resolve(&self, kid: &str) -> Option<&VerifyingKey> {
        self.0.resolve(kid)
    }
}

impl KeyResolver for VerifyingKey {
    fn resolve(&self, kid: &str) -> Option<&VerifyingKey> {
        (self.kid == kid).then_some(self)
    }
}

/// The set of public keys a verifier trusts for one issuer, by `kid`.
///
/// Holding several keys at once is how key rotation works: after the issuer starts signing
/// with a new key, credentials signed with the old key keep verifying for as long as the old
/// key stays in the set; removing it makes them fail with
/// [`VerifyError::UnknownKid`](crate::VerifyError::UnknownKid).
#[derive(Clone, Debug, Default)]
pub struct JwkSet {
    keys: BTreeMap<String, VerifyingKey>,
}

impl JwkSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a key, returning the key previously under that `kid`.
    pub fn insert(&mut self, key: VerifyingKey) -> Option<VerifyingKey> {
        self.keys.insert(key.kid.clone(), key)
    }

    /// Validates and adds a JWK.
    pub fn insert_jwk(&mut self, jwk: &PublicJwk) -> Result<(), Error> {
        self.insert(VerifyingKey::from_jwk(jwk)?);
        Ok(())
    }

    /// Removes (retires) the key with this `kid`.
    pub fn remove(&mut self, kid: &str) -> Option<VerifyingKey> {
        self.keys.remove(kid)
    }

    /// The key with this `kid`.
    pub fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.get(kid)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The `kid`s in the set, sorted.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Parses a JWK Set document `{"keys": [...]}` (RFC 7517 §5). Every key must be a valid
    /// ES256 public key; a key carrying private material (`d`) is rejected.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let doc: Value = serde_json::from_str(json).map_err(|_| Error::InvalidJwkSet("not JSON"))?;
        let keys = doc.get("keys").and_then(Value::as_array).ok_or(Error::InvalidJwkSet("no keys array"))?;
        let mut set = Self::new();
        for key in keys {
            if key.get("d").is_some() {
                return Err(Error::InvalidJwkSet("contains a private key"));
            }
            let jwk: PublicJwk =
                serde_json::from_value(key.clone()).map_err(|_| Error::InvalidJwkSet("key is not an EC JWK"))?;
            set.insert_jwk(&jwk)?;
        }
        Ok(set)
    }

    /// The publishable JWK Set document `{"keys": [...]}`.
    pub fn to_json(&self) -> Value {
        let keys: Vec<Value> = self.keys.values().filter_map(|k| serde_json::to_value(k.to_jwk()).ok()).collect();
        serde_json::json!({ "keys": keys })
    }
}

impl KeyResolver for JwkSet {
    fn resolve(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.get(kid)
    }
}

impl FromIterator<VerifyingKey> for JwkSet {
    fn from_iter<I: IntoIterator<Item = VerifyingKey>>(iter: I) -> Self {
        let mut set = Self::new();
        for key in iter {
            set.insert(key);
        }
        set
    }
}

#[cfg(test)]
mod tests;
