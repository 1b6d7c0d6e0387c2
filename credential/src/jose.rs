//! Compact JWS (RFC 7515) helpers, restricted to ES256.
//!
//! Everything this crate signs or verifies (issuer-signed SD-JWTs, key binding JWTs, status
//! list tokens) is a compact JWS signed with ECDSA P-256 / SHA-256 in the fixed-width
//! `r || s` encoding (RFC 7518 §3.4). Only that one algorithm is implemented, so algorithm
//! confusion (`none`, HS256 keyed with a public key, ...) is impossible by construction.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::keys::{KeyResolver, Signer, VerifyingKey};

/// The only JWS algorithm this crate signs with or accepts.
pub const ES256: &str = "ES256";

/// Encodes bytes as unpadded base64url (RFC 7515 §2): the encoding of every JWS segment,
/// disclosure, digest, salt and status list in this crate.
pub fn b64url_encode(data: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Decodes strict unpadded base64url. Padding, whitespace, characters outside the
/// alphabet and non-canonical trailing bits are rejected, so every byte string has exactly
/// one accepted encoding. Returns `None` on any error.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// SHA-256 of `data`, base64url-encoded: the digest used for disclosures (RFC 9901 §4.2.3),
/// `sd_hash` (RFC 9901 §4.3.1) and JWK thumbprints (RFC 7638).
pub fn sha256_b64url(data: impl AsRef<[u8]>) -> String {
    b64url_encode(ring::digest::digest(&ring::digest::SHA256, data.as_ref()))
}

/// Signs `payload` under `header` as a compact JWS `header.payload.signature` with the
/// ES256 `signer`. The header's `alg` is always set to `ES256`; the caller sets `typ` and
/// `kid`.
pub fn sign_compact<S: Signer + ?Sized>(
    header: &Map<String, Value>,
    payload: &Map<String, Value>,
    signer: &S,
) -> Result<String, Error> {
    let mut header = header.clone();
    header.insert("alg".into(), Value::String(ES256.into()));
    let header_json = serde_json::to_vec(&header).map_err(|_| Error::Json)?;
    let payload_json = serde_json::to_vec(payload).map_err(|_| Error::Json)?;
    let mut out = b64url_encode(header_json);
    out.push('.');
    out.push_str(&b64url_encode(payload_json));
    let signature = signer.sign_es256(out.as_bytes())?;
    out.push('.');
    out.push_str(&b64url_encode(signature));
    Ok(out)
}

/// Parses a JSON object, rejecting duplicate member names (RFC 7515 §5.2 allows rejecting
/// them, and doing so removes any ambiguity about which `alg` or `exp` was meant) and
/// trailing data. Returns `None` on any error.
pub(crate) fn parse_json_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    serde_json::from_slice::<StrictObject>(bytes).ok().map(|o| o.0)
}

struct StrictObject(Map<String, Value>);

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = StrictObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object without duplicate member names")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<StrictObject, A::Error> {
                let mut map = Map::new();
                while let Some(key) = access.next_key::<String>()? {
                    let value: Value = access.next_value()?;
                    if map.contains_key(&key) {
                        return Err(de::Error::custom("duplicate member name"));
                    }
                    map.insert(key, value);
                }
                Ok(StrictObject(map))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Which check of [`verify_es256`] failed; mapped by callers onto the issuer-JWT, KB-JWT or
/// status-list variants of [`VerifyError`](crate::VerifyError).
#[derive(Debug)]
pub(crate) enum JwsFailure {
    Segments,
    Header,
    Alg(Option<String>),
    Typ(Option<String>),
    Crit,
    MissingKid,
    UnknownKid(String),
    SignatureEncoding,
    Signature,
    Payload,
}

/// Where the verification key comes from.
pub(crate) enum KeySource<'a> {
    /// Look the header's `kid` up (issuer-signed JWTs, status list tokens).
    Resolver(&'a dyn KeyResolver),
    /// A key known in advance (KB-JWT: the credential's `cnf.jwk`); `kid` is not needed.
    Fixed(&'a VerifyingKey),
}

/// A compact JWS whose signature has been verified.
pub(crate) struct VerifiedJws {
    pub payload: Map<String, Value>,
    pub kid: Option<String>,
}

/// Verifies a compact ES256 JWS, in this order: three segments, header is base64url JSON,
/// `alg` is exactly ES256, `typ` is exactly `expected_typ`, no `crit`, key found (by `kid`
/// unless fixed), signature is 64 bytes and valid, and only then decodes the payload.
pub(crate) fn verify_es256(jws: &str, expected_typ: &str, keys: KeySource<'_>) -> Result<VerifiedJws, JwsFailure> {
    let mut parts = jws.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwsFailure::Segments);
    };
    let header = b64url_decode(h).and_then(|b| parse_json_object(&b)).ok_or(JwsFailure::Header)?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == ES256 => {}
        Some(Value::String(alg)) => return Err(JwsFailure::Alg(Some(alg.clone()))),
        _ => return Err(JwsFailure::Alg(None)),
    }
    match header.get("typ") {
        Some(Value::String(typ)) if typ == expected_typ => {}
        Some(Value::String(typ)) => return Err(JwsFailure::Typ(Some(typ.clone()))),
        _ => return Err(JwsFailure::Typ(None)),
    }
    if header.contains_key("crit") {
        return Err(JwsFailure::Crit);
    }
    let kid = match header.get("kid") {
        Some(Value::String(kid)) => Some(kid.clone()),
        _ => None,
    };
    let key = match keys {
        KeySource::Fixed(key) => key,
        KeySource::Resolver(resolver) => {
            let kid = kid.as_deref().ok_or(JwsFailure::MissingKid)?;
            resolver.resolve(kid).ok_or_else(|| JwsFailure::UnknownKid(kid.to_owned()))?
        }
    };
    let signature = b64url_decode(s).ok_or(JwsFailure::SignatureEncoding)?;
    if signature.len() != 64 {
        return Err(JwsFailure::SignatureEncoding);
    }
    // `h` and `p` are the first two '.'-separated pieces of `jws`, so the signing input is
    // its prefix of that length; `get` keeps this panic-free regardless.
    let signing_input = jws.get(..h.len() + 1 + p.len()).ok_or(JwsFailure::Segments)?;
    if !key.verify_es256(signing_input.as_bytes(), &signature) {
        return Err(JwsFailure::Signature);
    }
    let payload = b64url_decode(p).and_then(|b| parse_json_object(&b)).ok_or(JwsFailure::Payload)?;
    Ok(VerifiedJws { payload, kid })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_is_strict() {
        assert_eq!(b64url_encode(b"\xfb\xff"), "-_8");
        assert_eq!(b64url_decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(b64url_decode("-_8="), None, "padding rejected");
        assert_eq!(b64url_decode("+/8"), None, "standard alphabet rejected");
        assert_eq!(b64url_decode("-_9"), None, "non-canonical trailing bits rejected");
        assert_eq!(b64url_decode("a"), None);
    }

    #[test]
    fn duplicate_members_rejected() {
        assert!(parse_json_object(br#"{"alg":"ES256"}"#).is_some());
        assert!(parse_json_object(br#"{"alg":"none","alg":"ES256"}"#).is_none());
        assert!(parse_json_object(br#"{"a":1} x"#).is_none());
        assert!(parse_json_object(br#"[1]"#).is_none());
    }
}
