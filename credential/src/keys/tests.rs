//! Keys, JWKs and JWK Sets.

use super::*;

#[test]
fn pkcs8_round_trip_keeps_kid_and_signs() {
    let key = IssuerKey::generate().unwrap();
    let again = IssuerKey::from_pkcs8_der(key.to_pkcs8_der()).unwrap();
    assert_eq!(key.kid(), again.kid());
    let sig = again.sign_es256(b"hello").unwrap();
    assert_eq!(sig.len(), 64);
    assert!(key.verifying_key().verify_es256(b"hello", &sig));
    assert!(!key.verifying_key().verify_es256(b"hellO", &sig));
}

#[test]
fn garbage_pkcs8_rejected() {
    assert_eq!(IssuerKey::from_pkcs8_der(b"not a key").unwrap_err(), Error::InvalidPkcs8);
}

#[test]
fn debug_shows_only_kid() {
    let key = IssuerKey::generate().unwrap();
    let dbg = format!("{key:?}");
    assert!(dbg.contains(key.kid()));
    let pkcs8_b64 = b64url_encode(key.to_pkcs8_der());
    assert!(!dbg.contains(&pkcs8_b64));
    assert!(!dbg.contains("pkcs8"));
    assert!(dbg.len() < 120, "{dbg}");
}

#[test]
fn kid_is_rfc7638_thumbprint() {
    let key = HolderKey::generate().unwrap();
    let jwk = key.public_jwk();
    // Recompute independently with serde_json's (sorted-key, compact) serialisation.
    let canonical = serde_json::to_string(&serde_json::json!({
        "crv": jwk.crv, "kty": jwk.kty, "x": jwk.x, "y": jwk.y
    }))
    .unwrap();
    assert_eq!(key.kid(), sha256_b64url(canonical));
    assert_eq!(key.kid().len(), 43);
    assert_eq!(jwk.kid.as_deref(), Some(key.kid()));
    assert_eq!(jwk.alg.as_deref(), Some("ES256"));
    assert_eq!(jwk.use_.as_deref(), Some("sig"));
    let json = serde_json::to_value(jwk).unwrap();
    assert_eq!(json["use"], "sig");
    assert!(json.get("d").is_none());
}

#[test]
fn jwk_validation() {
    let key = IssuerKey::generate().unwrap();
    let mut jwk = key.public_jwk().clone();
    assert!(VerifyingKey::from_jwk(&jwk).is_ok());
    jwk.crv = "P-384".into();
    assert!(VerifyingKey::from_jwk(&jwk).is_err());
    let mut jwk = key.public_jwk().clone();
    jwk.x.pop();
    assert!(VerifyingKey::from_jwk(&jwk).is_err());
    let mut jwk = key.public_jwk().clone();
    jwk.alg = Some("HS256".into());
    assert!(VerifyingKey::from_jwk(&jwk).is_err());
}

#[test]
fn a_jwk_named_other_than_its_thumbprint_is_refused() {
    let key = IssuerKey::generate().unwrap();
    let other = IssuerKey::generate().unwrap();
    // Key A published under key B's kid: a verifier resolving B's kid must not get A.
    let mut jwk = key.public_jwk().clone();
    jwk.kid = Some(other.kid().to_owned());
    assert_eq!(VerifyingKey::from_jwk(&jwk).unwrap_err(), Error::KidNotThumbprint { kid: other.kid().to_owned() });
    jwk.kid = Some(String::new());
    assert!(matches!(VerifyingKey::from_jwk(&jwk), Err(Error::KidNotThumbprint { .. })));
    let mut doc = serde_json::to_value(key.public_jwk()).unwrap();
    doc["kid"] = other.kid().into();
    let set = serde_json::json!({ "keys": [doc] }).to_string();
    assert!(matches!(JwkSet::from_json(&set), Err(Error::KidNotThumbprint { .. })));
    // Without a kid, the thumbprint names it.
    jwk.kid = None;
    assert_eq!(VerifyingKey::from_jwk(&jwk).unwrap().kid(), key.kid());
}

#[test]
fn jwk_set_json_round_trip() {
    let a = IssuerKey::generate().unwrap();
    let b = IssuerKey::generate().unwrap();
    let set: JwkSet = [a.verifying_key(), b.verifying_key()].into_iter().collect();
    let json = set.to_json().to_string();
    let back = JwkSet::from_json(&json).unwrap();
    assert_eq!(back.len(), 2);
    assert!(back.get(a.kid()).is_some() && back.get(b.kid()).is_some());
    assert!(JwkSet::from_json(r#"{"keys":[{"kty":"EC","crv":"P-256","x":"","y":"","d":"x"}]}"#).is_err());
    assert!(JwkSet::from_json("[]").is_err());
}
