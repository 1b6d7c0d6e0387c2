//! Issue → present → verify round trips, key rotation and decoy padding.

mod common;

use common::*;
use credential::*;
use serde_json::json;

#[test]
fn issue_then_verify_returns_every_claim() {
    let f = Fixture::new();
    let sd_jwt = f.issue();
    let v = verify(&sd_jwt, &f.keys, &VerifyOptions::new(NOW)).unwrap();
    let claims = Fixture::claims();
    assert_eq!(v.claims.len(), claims.len());
    for (name, value) in &claims {
        assert_eq!(&v.claims[name], value, "{name}");
    }
    assert_eq!(v.issuer, ISS);
    assert_eq!(v.vct, VCT);
    assert_eq!(v.kid, f.issuer.kid());
    assert_eq!(v.iat, NOW - 3600);
    assert_eq!(v.exp, NOW + 365 * 86400);
    assert_eq!(v.status, Some(StatusReference { idx: 7, uri: LIST_URI.into() }));
    let holder = v.holder.unwrap();
    assert_eq!(holder.thumbprint().unwrap(), f.holder.kid());
    assert_eq!(v.key_binding, None);
}

#[test]
fn issued_form_matches_the_specs() {
    let f = Fixture::new();
    let sd_jwt = f.issue();
    assert!(sd_jwt.ends_with('~'));
    let (jwt, disclosures, kb) = split(&sd_jwt);
    assert_eq!(kb, "");
    let (header, payload, _) = jwt_parts(&jwt);
    assert_eq!(serde_json::Value::Object(header), json!({"alg": "ES256", "typ": "dc+sd-jwt", "kid": f.issuer.kid()}));
    assert_eq!(payload["_sd_alg"], "sha-256");
    assert_eq!(payload["status"], json!({"status_list": {"idx": 7, "uri": LIST_URI}}));
    assert_eq!(payload["cnf"]["jwk"], serde_json::to_value(f.holder.public_jwk().bare()).unwrap());
    // No claim value appears in clear.
    for name in Fixture::claims().keys() {
        assert!(!payload.contains_key(name), "{name} in clear");
    }
    let sd: Vec<&str> = payload["_sd"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    for d in &disclosures {
        let parsed = Disclosure::parse(d).unwrap();
        assert_eq!(parsed.salt().len(), 22, "128-bit salt, base64url");
        assert_eq!(sd.iter().filter(|x| **x == parsed.digest()).count(), 1);
    }
}

#[test]
fn presenting_a_subset_discloses_only_that_subset() {
    let f = Fixture::new();
    let sd_jwt = f.issue();
    let presentation = present(&sd_jwt, &["given_name", "dbs_check", "given_name"], None).unwrap();
    assert_eq!(split(&presentation).1.len(), 2);
    let v = verify(&presentation, &f.keys, &VerifyOptions::new(NOW)).unwrap();
    assert_eq!(v.claims.keys().collect::<Vec<_>>(), vec!["dbs_check", "given_name"]);
    assert_eq!(v.claims["given_name"], "Ada");
    assert_eq!(v.claims["dbs_check"]["level"], "enhanced");

    // Nothing disclosed is still a valid (if uninformative) presentation.
    let none = present(&sd_jwt, &[], None).unwrap();
    let v = verify(&none, &f.keys, &VerifyOptions::new(NOW)).unwrap();
    assert!(v.claims.is_empty());
}

#[test]
fn presenting_with_key_binding() {
    let f = Fixture::new();
    let sd_jwt = f.issue();
    let presentation = present(&sd_jwt, &["staff_number"], Some(&f.kb())).unwrap();
    assert!(!presentation.ends_with('~'));
    let mut opts = VerifyOptions::new(NOW);
    opts.key_binding = Some(kb_check());
    let v = verify(&presentation, &f.keys, &opts).unwrap();
    assert_eq!(v.claims.len(), 1);
    assert_eq!(v.claims["staff_number"], "NHS-0012345");
    assert_eq!(v.key_binding, Some(KeyBindingInfo { aud: AUD.into(), nonce: NONCE.into(), iat: NOW - 5 }));
    // A KB-JWT that is present but not required is still checked and reported.
    let v = verify(&presentation, &f.keys, &VerifyOptions::new(NOW)).unwrap();
    assert!(v.key_binding.is_some());
}

#[test]
fn present_rejects_unknown_claims_wrong_holder_and_double_binding() {
    let f = Fixture::new();
    let sd_jwt = f.issue();
    assert_eq!(present(&sd_jwt, &["salary"], None).unwrap_err(), Error::ClaimNotFound("salary".into()));
    let other = HolderKey::generate().unwrap();
    let kb = KeyBindingRequest { holder: &other, ..f.kb() };
    assert_eq!(present(&sd_jwt, &[], Some(&kb)).unwrap_err(), Error::HolderKeyMismatch);
    let bound = present(&sd_jwt, &[], Some(&f.kb())).unwrap();
    assert_eq!(present(&bound, &[], None).unwrap_err(), Error::AlreadyKeyBound);
}

#[test]
fn issue_rejects_reserved_names_and_overflowing_claims() {
    let f = Fixture::new();
    for reserved in ["iss", "exp", "cnf", "vct", "status", "_sd", "...", "iat"] {
        let mut claims = Fixture::claims();
        claims.insert(reserved.into(), json!("x"));
        let err = issue(
            &f.issuer,
            &IssueRequest {
                issuer: ISS,
                vct: VCT,
                iat: NOW,
                exp: NOW + 10,
                holder: f.holder.public_jwk(),
                status: None,
                claims: &claims,
                sd_count: 24,
            },
        )
        .unwrap_err();
        assert_eq!(err, Error::ReservedClaimName(reserved.into()));
    }
    let claims = Fixture::claims();
    let err = issue(
        &f.issuer,
        &IssueRequest {
            issuer: ISS,
            vct: VCT,
            iat: NOW,
            exp: NOW + 10,
            holder: f.holder.public_jwk(),
            status: None,
            claims: &claims,
            sd_count: 4,
        },
    )
    .unwrap_err();
    assert_eq!(err, Error::TooManyClaims { claims: claims.len(), sd_count: 4 });
    let err = issue(
        &f.issuer,
        &IssueRequest {
            issuer: ISS,
            vct: VCT,
            iat: NOW,
            exp: NOW + 10,
            holder: f.holder.public_jwk(),
            status: None,
            claims: &claims,
            sd_count: usize::MAX,
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)));
    let err = issue(
        &f.issuer,
        &IssueRequest {
            issuer: ISS,
            vct: VCT,
            iat: NOW,
            exp: NOW,
            holder: f.holder.public_jwk(),
            status: None,
            claims: &claims,
            sd_count: 24,
        },
    )
    .unwrap_err();
    assert_eq!(err, Error::InvalidRequest("exp must be after iat"));
}

#[test]
fn key_rotation() {
    let holder = HolderKey::generate().unwrap();
    let old = IssuerKey::generate().unwrap();
    let new = IssuerKey::generate().unwrap();
    let claims = Fixture::claims();
    let from_old = issue_by(&old, &holder, &claims, None);
    let from_new = issue_by(&new, &holder, &claims, None);

    let mut keys: JwkSet = [old.verifying_key(), new.verifying_key()].into_iter().collect();
    let opts = VerifyOptions::new(NOW);
    assert_eq!(verify(&from_old, &keys, &opts).unwrap().kid, old.kid());
    assert_eq!(verify(&from_new, &keys, &opts).unwrap().kid, new.kid());

    // The published JWK Set round-trips and still verifies both.
    let published = JwkSet::from_json(&keys.to_json().to_string()).unwrap();
    assert!(verify(&from_old, &published, &opts).is_ok());

    // Retire the old key.
    keys.remove(old.kid());
    assert_eq!(verify(&from_old, &keys, &opts).unwrap_err(), VerifyError::UnknownKid(old.kid().into()));
    assert!(verify(&from_new, &keys, &opts).is_ok());

    // A reloaded (PKCS#8 round-tripped) key is the same key.
    let reloaded = IssuerKey::from_pkcs8_der(new.to_pkcs8_der()).unwrap();
    assert!(verify(&issue_by(&reloaded, &holder, &claims, None), &keys, &opts).is_ok());
}

#[test]
fn decoys_hide_the_number_of_items() {
    let f = Fixture::new();
    let few = json!({"given_name": "Ada"}).as_object().unwrap().clone();
    let mut many = Fixture::claims();
    for i in 0..12 {
        many.insert(format!("extra_{i}"), json!(i));
    }
    assert!(many.len() > few.len() + 10);
    let a = f.issue_with(&few, None);
    let b = f.issue_with(&many, None);
    let sd = |s: &str| -> Vec<String> {
        let (_, payload, _) = jwt_parts(&split(s).0);
        payload["_sd"].as_array().unwrap().iter().map(|d| d.as_str().unwrap().to_owned()).collect()
    };
    let (sd_a, sd_b) = (sd(&a), sd(&b));
    assert_eq!(sd_a.len(), DEFAULT_SD_COUNT);
    assert_eq!(sd_b.len(), DEFAULT_SD_COUNT);
    for list in [&sd_a, &sd_b] {
        // Sorted (so position leaks nothing) and all shaped like SHA-256 digests.
        assert!(list.windows(2).all(|w| w[0] < w[1]));
        assert!(list.iter().all(|d| d.len() == 43));
    }
    // Both still verify with exactly their own items.
    let opts = VerifyOptions::new(NOW);
    assert_eq!(verify(&a, &f.keys, &opts).unwrap().claims.len(), 1);
    assert_eq!(verify(&b, &f.keys, &opts).unwrap().claims.len(), many.len());
}

#[test]
fn expected_issuer_is_enforced() {
    let f = Fixture::new();
    let sd_jwt = f.issue();
    let mut opts = VerifyOptions::new(NOW);
    opts.expected_issuer = Some(ISS);
    assert!(verify(&sd_jwt, &f.keys, &opts).is_ok());
    opts.expected_issuer = Some("https://evil.example");
    assert_eq!(verify(&sd_jwt, &f.keys, &opts).unwrap_err(), VerifyError::IssuerMismatch { found: ISS.into() });
}
