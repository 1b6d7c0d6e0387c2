//! Every bad input fails with the check that names it (and nothing panics).

mod common;

use common::*;
use credential::jose::{b64url_encode, sign_compact};
use credential::*;
use serde_json::{Value, json};

fn opts() -> VerifyOptions<'static> {
    VerifyOptions::new(NOW)
}

fn err(f: &Fixture, input: &str) -> VerifyError {
    verify(input, &f.keys, &opts()).unwrap_err()
}

#[test]
fn malformed_structure() {
    let f = Fixture::new();
    let good = f.issue();
    let (jwt, ds, _) = split(&good);
    use VerifyError::*;
    assert_eq!(err(&f, ""), MalformedStructure("no '~' separator"));
    assert_eq!(err(&f, &jwt), MalformedStructure("no '~' separator"));
    assert_eq!(err(&f, "~"), MalformedStructure("empty issuer-signed JWT"));
    assert_eq!(err(&f, &format!("~{}~", ds[0])), MalformedStructure("empty issuer-signed JWT"));
    assert_eq!(err(&f, &format!("{jwt}~{}~~", ds[0])), MalformedStructure("empty disclosure"));
    assert_eq!(err(&f, "a.b~"), MalformedJwt);
    assert_eq!(err(&f, "a.b.c.d~"), MalformedJwt);
    assert_eq!(err(&f, &format!("{jwt}.x~")), MalformedJwt);
    assert_eq!(err(&f, "!!!.e30.AAAA~"), InvalidHeader);
    let not_json = b64url_encode("{alg: ES256}");
    assert_eq!(err(&f, &format!("{not_json}.e30.AAAA~")), InvalidHeader);
    let array = b64url_encode(r#"["ES256"]"#);
    assert_eq!(err(&f, &format!("{array}.e30.AAAA~")), InvalidHeader);
    // Duplicate member names in the header are refused outright.
    let dup = b64url_encode(r#"{"alg":"none","alg":"ES256","typ":"dc+sd-jwt"}"#);
    assert_eq!(err(&f, &format!("{dup}.e30.AAAA~")), InvalidHeader);
}

#[test]
fn truncated() {
    let f = Fixture::new();
    let good = f.issue();
    let (jwt, ds, _) = split(&good);
    // Signature cut short.
    assert_eq!(err(&f, &format!("{}~", &jwt[..jwt.len() - 10])), VerifyError::MalformedSignature);
    // Cut in the middle of the last disclosure: the fragment sits where a KB-JWT would.
    let cut = &good[..good.len() - 5];
    assert_eq!(err(&f, cut), VerifyError::KbMalformed("not three segments"));
    // Cut in the middle of a disclosure, then '~': not base64url of JSON any more.
    let partial = format!("{jwt}~{}~", &ds[0][..ds[0].len() - 3]);
    assert!(matches!(
        err(&f, &partial),
        VerifyError::DisclosureEncoding { index: 0 } | VerifyError::DisclosureNotInPayload { index: 0 }
    ));
    // Payload cut: signature no longer matches.
    let p: Vec<&str> = jwt.split('.').collect();
    let cut_payload = format!("{}.{}.{}~", p[0], &p[1][..p[1].len() - 4], p[2]);
    assert_eq!(err(&f, &cut_payload), VerifyError::InvalidSignature);
}

#[test]
fn oversized() {
    let f = Fixture::new();
    let huge = "A".repeat(DEFAULT_MAX_LEN_PLUS_ONE);
    assert_eq!(err(&f, &huge), VerifyError::TooLarge { len: DEFAULT_MAX_LEN_PLUS_ONE, max: 64 * 1024 });
    // A genuine credential over the limit is refused too, unless the limit is raised.
    let mut claims = Fixture::claims();
    claims.insert("essay".into(), json!("x".repeat(70_000)));
    let big = f.issue_with(&claims, None);
    assert!(matches!(err(&f, &big), VerifyError::TooLarge { .. }));
    let mut o = opts();
    o.max_len = 1 << 20;
    assert!(verify(&big, &f.keys, &o).is_ok());
}
const DEFAULT_MAX_LEN_PLUS_ONE: usize = 64 * 1024 + 1;

#[test]
fn alg_none() {
    let f = Fixture::new();
    let (jwt, ds, _) = split(&f.issue());
    let (_, payload, _) = jwt_parts(&jwt);
    let header = json!({"alg": "none", "typ": "dc+sd-jwt", "kid": f.issuer.kid()});
    for sig in ["", "AAAA"] {
        let forged = format!("{}.{}.{sig}", encode_json(&header), encode_json(&payload));
        assert_eq!(err(&f, &join(&forged, &ds, "")), VerifyError::UnsupportedAlg(Some("none".into())));
    }
    // And no alg at all.
    let header = json!({"typ": "dc+sd-jwt", "kid": f.issuer.kid()});
    let forged = format!("{}.{}.", encode_json(&header), encode_json(&payload));
    assert_eq!(err(&f, &join(&forged, &ds, "")), VerifyError::UnsupportedAlg(None));
}

#[test]
fn hs256_keyed_with_the_public_key() {
    let f = Fixture::new();
    let (jwt, ds, _) = split(&f.issue());
    let (_, mut payload, _) = jwt_parts(&jwt);
    payload.insert("iss".into(), json!("https://attacker.example"));
    let header = json!({"alg": "HS256", "typ": "dc+sd-jwt", "kid": f.issuer.kid()});
    let signing_input = format!("{}.{}", encode_json(&header), encode_json(&payload));
    // The attacker knows the public key in every serialisation a naive verifier might use
    // as an HMAC secret.
    let jwk = f.issuer.public_jwk();
    let secrets: Vec<Vec<u8>> =
        vec![jwk.to_sec1().unwrap().to_vec(), serde_json::to_vec(jwk).unwrap(), jwk.x.as_bytes().to_vec()];
    for secret in secrets {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret);
        let tag = ring::hmac::sign(&key, signing_input.as_bytes());
        let forged = format!("{signing_input}.{}", b64url_encode(tag.as_ref()));
        assert_eq!(err(&f, &join(&forged, &ds, "")), VerifyError::UnsupportedAlg(Some("HS256".into())));
    }
    // Other algorithms and case games are refused the same way.
    for alg in ["RS256", "ES384", "es256", "EdDSA", "ES256K"] {
        let header = json!({"alg": alg, "typ": "dc+sd-jwt", "kid": f.issuer.kid()});
        let forged = format!("{}.{}.AAAA", encode_json(&header), encode_json(&payload));
        assert_eq!(err(&f, &join(&forged, &ds, "")), VerifyError::UnsupportedAlg(Some(alg.into())));
    }
}

#[test]
fn wrong_typ_crit_and_kid() {
    let f = Fixture::new();
    let good = f.issue();
    let t = resign(&good, &f.issuer, |h, _| {
        h.insert("typ".into(), json!("JWT"));
    });
    assert_eq!(err(&f, &t), VerifyError::WrongTyp { expected: "dc+sd-jwt", found: Some("JWT".into()) });
    let t = resign(&good, &f.issuer, |h, _| {
        h.insert("typ".into(), json!("vc+sd-jwt"));
    });
    assert!(matches!(err(&f, &t), VerifyError::WrongTyp { .. }));
    let t = resign(&good, &f.issuer, |h, _| {
        h.insert("crit".into(), json!(["exp"]));
    });
    assert_eq!(err(&f, &t), VerifyError::CriticalHeader);
    let t = resign(&good, &f.issuer, |h, _| {
        h.remove("kid");
    });
    assert_eq!(err(&f, &t), VerifyError::MissingKid);
}

#[test]
fn unknown_kid() {
    let f = Fixture::new();
    let stranger = IssuerKey::generate().unwrap();
    let foreign = issue_by(&stranger, &f.holder, &Fixture::claims(), None);
    assert_eq!(err(&f, &foreign), VerifyError::UnknownKid(stranger.kid().into()));
    // Claiming a trusted kid while signing with another key fails the signature check.
    let spoofed = resign(&foreign, &stranger, |h, _| {
        h.insert("kid".into(), json!(f.issuer.kid()));
    });
    assert_eq!(err(&f, &spoofed), VerifyError::InvalidSignature);
}

#[test]
fn tampered_payload_fails_signature() {
    let f = Fixture::new();
    let (jwt, ds, _) = split(&f.issue());
    let p: Vec<&str> = jwt.split('.').collect();
    let (_, mut payload, _) = jwt_parts(&jwt);
    payload.insert("exp".into(), json!(NOW + 100 * 365 * 86400));
    let forged = format!("{}.{}.{}", p[0], encode_json(&payload), p[2]);
    assert_eq!(err(&f, &join(&forged, &ds, "")), VerifyError::InvalidSignature);
    // Flip one signature byte.
    let mut sig = credential::jose::b64url_decode(p[2]).unwrap();
    sig[10] ^= 1;
    let forged = format!("{}.{}.{}", p[0], p[1], b64url_encode(sig));
    assert_eq!(err(&f, &join(&forged, &ds, "")), VerifyError::InvalidSignature);
}

#[test]
fn tampered_disclosure_is_not_in_payload() {
    let f = Fixture::new();
    let (jwt, mut ds, _) = split(&f.issue());
    let idx = ds.iter().position(|d| Disclosure::parse(d).unwrap().name() == "staff_number").unwrap();
    let orig = Disclosure::parse(&ds[idx]).unwrap();
    let forged = Disclosure::new(orig.salt(), "staff_number", json!("NHS-9999999")).unwrap();
    ds[idx] = forged.encoded().to_owned();
    assert_eq!(err(&f, &join(&jwt, &ds, "")), VerifyError::DisclosureNotInPayload { index: idx });
    // A disclosure lifted from another credential is just as foreign.
    let (_, other_ds, _) = split(&f.issue());
    let mut mixed = split(&f.issue()).1;
    mixed.push(other_ds[0].clone());
    let (jwt2, _, _) = split(&f.issue());
    assert!(matches!(err(&f, &join(&jwt2, &mixed, "")), VerifyError::DisclosureNotInPayload { .. }));
}

#[test]
fn duplicate_disclosure() {
    let f = Fixture::new();
    let (jwt, ds, _) = split(&f.issue());
    let twice = vec![ds[0].clone(), ds[1].clone(), ds[0].clone()];
    assert_eq!(err(&f, &join(&jwt, &twice, "")), VerifyError::DuplicateDisclosure { index: 2 });
}

#[test]
fn disclosure_encoding_and_format() {
    let f = Fixture::new();
    let (jwt, _, _) = split(&f.issue());
    assert_eq!(err(&f, &join(&jwt, &["!!notbase64".into()], "")), VerifyError::DisclosureEncoding { index: 0 });
    assert_eq!(err(&f, &join(&jwt, &[b64url_encode("[1, 2")], "")), VerifyError::DisclosureEncoding { index: 0 });
    for bad in [
        json!(["salt", "name"]),
        json!(["salt", "name", 1, 2]),
        json!([1, "name", "v"]),
        json!(["salt", 5, "v"]),
        json!({"salt": "s"}),
    ] {
        assert_eq!(err(&f, &join(&jwt, &[encode_json(&bad)], "")), VerifyError::DisclosureFormat { index: 0 }, "{bad}");
    }
}

#[test]
fn signed_but_invalid_disclosure_sets() {
    // These need a valid issuer signature over a bad payload, as a buggy or hostile issuer
    // (or a compromised issuance path) could produce.
    let f = Fixture::new();
    let good = f.issue();

    let reserved = Disclosure::new("c2FsdHNhbHRzYWx0c2FsdA", "_sd", json!(["x"])).unwrap();
    let t = with_extra_disclosures(&good, &f.issuer, &[reserved.encoded().into()]);
    assert_eq!(err(&f, &t), VerifyError::ReservedDisclosureName("_sd".into()));
    let reserved = Disclosure::new("c2FsdHNhbHRzYWx0c2FsdA", "...", json!("x")).unwrap();
    let t = with_extra_disclosures(&good, &f.issuer, &[reserved.encoded().into()]);
    assert_eq!(err(&f, &t), VerifyError::ReservedDisclosureName("...".into()));
    let reserved = Disclosure::new("c2FsdHNhbHRzYWx0c2FsdA", "iss", json!("https://evil")).unwrap();
    let t = with_extra_disclosures(&good, &f.issuer, &[reserved.encoded().into()]);
    assert_eq!(err(&f, &t), VerifyError::ReservedDisclosureName("iss".into()));

    // A disclosed name that also appears in clear.
    let t = resign(&good, &f.issuer, |_, p| {
        p.insert("given_name".into(), json!("Mallory"));
    });
    assert_eq!(err(&f, &t), VerifyError::ClaimNameCollision("given_name".into()));

    // Two disclosures (different salts) for the same name.
    let again = Disclosure::new("YW5vdGhlcnNhbHRhbm90aA", "given_name", json!("Eve")).unwrap();
    let t = with_extra_disclosures(&good, &f.issuer, &[again.encoded().into()]);
    assert_eq!(err(&f, &t), VerifyError::DuplicateClaimName("given_name".into()));

    // The same digest twice in _sd.
    let t = resign(&good, &f.issuer, |_, p| {
        let sd = p["_sd"].as_array_mut().unwrap();
        let first = sd[0].clone();
        sd.push(first);
    });
    assert_eq!(err(&f, &t), VerifyError::DuplicateDigestInPayload);

    // Nested SD markers inside a disclosed value are not processed, so refused.
    let nested = Disclosure::new("bmVzdGVkc2FsdG5lc3RlZA", "address", json!({"_sd": ["x"]})).unwrap();
    let t = with_extra_disclosures(&good, &f.issuer, &[nested.encoded().into()]);
    assert_eq!(err(&f, &t), VerifyError::NestedDisclosureUnsupported("address".into()));

    // _sd_alg other than sha-256.
    let t = resign(&good, &f.issuer, |_, p| {
        p.insert("_sd_alg".into(), json!("sha-512"));
    });
    assert_eq!(err(&f, &t), VerifyError::UnsupportedSdAlg("sha-512".into()));

    // _sd not an array of strings.
    let t = resign(&good, &f.issuer, |_, p| {
        p.insert("_sd".into(), json!([1, 2]));
    });
    assert_eq!(err(&f, &t), VerifyError::InvalidClaim("_sd"));
}

#[test]
fn registered_claims() {
    let f = Fixture::new();
    let good = f.issue();
    for (name, expect) in [
        ("vct", VerifyError::MissingClaim("vct")),
        ("iss", VerifyError::MissingClaim("iss")),
        ("exp", VerifyError::MissingClaim("exp")),
        ("iat", VerifyError::MissingClaim("iat")),
    ] {
        let t = resign(&good, &f.issuer, |_, p| {
            p.remove(name);
        });
        assert_eq!(err(&f, &t), expect);
    }
    let t = resign(&good, &f.issuer, |_, p| {
        p.insert("exp".into(), json!("tomorrow"));
    });
    assert_eq!(err(&f, &t), VerifyError::InvalidClaim("exp"));
    let t = resign(&good, &f.issuer, |_, p| {
        p.insert("nbf".into(), json!(NOW + 3600));
    });
    assert_eq!(err(&f, &t), VerifyError::NotYetValid { nbf: NOW + 3600, now: NOW });
    let t = resign(&good, &f.issuer, |_, p| {
        p.insert("cnf".into(), json!({"jwk": {"kty": "RSA", "n": "x", "e": "AQAB"}}));
    });
    assert!(matches!(err(&f, &t), VerifyError::InvalidCnf(_)));
    let t = resign(&good, &f.issuer, |_, p| {
        p.insert("status".into(), json!({"status_list": {"idx": -1, "uri": LIST_URI}}));
    });
    assert_eq!(err(&f, &t), VerifyError::InvalidStatus("idx"));
}

#[test]
fn expired_and_future() {
    let f = Fixture::new();
    let good = f.issue();
    let exp = NOW + 365 * 86400;
    let o = VerifyOptions::new(exp + 61);
    assert_eq!(verify(&good, &f.keys, &o).unwrap_err(), VerifyError::Expired { exp, now: exp + 61 });
    // Within the leeway is fine.
    assert!(verify(&good, &f.keys, &VerifyOptions::new(exp + 30)).is_ok());
    let iat = NOW - 3600;
    let o = VerifyOptions::new(iat - 61);
    assert_eq!(verify(&good, &f.keys, &o).unwrap_err(), VerifyError::IssuedInFuture { iat, now: iat - 61 });
    // Extreme clocks do not overflow.
    assert!(verify(&good, &f.keys, &VerifyOptions::new(i64::MAX)).is_err());
    assert!(verify(&good, &f.keys, &VerifyOptions::new(i64::MIN)).is_err());
}

fn kb_opts() -> VerifyOptions<'static> {
    let mut o = VerifyOptions::new(NOW);
    o.key_binding = Some(kb_check());
    o
}

#[test]
fn key_binding_failures() {
    let f = Fixture::new();
    let sd_jwt = f.issue();
    let verify_kb = |p: &str| verify(p, &f.keys, &kb_opts()).unwrap_err();

    // Required but absent.
    let bare = present(&sd_jwt, &["given_name"], None).unwrap();
    assert_eq!(verify_kb(&bare), VerifyError::MissingKeyBinding);

    // Wrong aud / nonce.
    let p = present(&sd_jwt, &["given_name"], Some(&KeyBindingRequest { aud: "https://other", ..f.kb() })).unwrap();
    assert_eq!(verify_kb(&p), VerifyError::KbAudienceMismatch);
    let p = present(&sd_jwt, &["given_name"], Some(&KeyBindingRequest { nonce: "replayed", ..f.kb() })).unwrap();
    assert_eq!(verify_kb(&p), VerifyError::KbNonceMismatch);

    // Stale or future iat.
    let p = present(&sd_jwt, &["given_name"], Some(&KeyBindingRequest { iat: NOW - 3600, ..f.kb() })).unwrap();
    assert_eq!(verify_kb(&p), VerifyError::KbNotFresh { iat: NOW - 3600, now: NOW });
    let p = present(&sd_jwt, &["given_name"], Some(&KeyBindingRequest { iat: NOW + 3600, ..f.kb() })).unwrap();
    assert_eq!(verify_kb(&p), VerifyError::KbNotFresh { iat: NOW + 3600, now: NOW });

    // sd_hash: a KB-JWT made for one selection moved onto another selection.
    let p1 = present(&sd_jwt, &["given_name"], Some(&f.kb())).unwrap();
    let (_, _, kb1) = split(&p1);
    let p2 = present(&sd_jwt, &["given_name", "dbs_check"], None).unwrap();
    assert_eq!(verify_kb(&format!("{p2}{kb1}")), VerifyError::KbSdHashMismatch);
    // ... or onto the same selection with disclosures removed.
    let p3 = present(&sd_jwt, &[], None).unwrap();
    assert_eq!(verify_kb(&format!("{p3}{kb1}")), VerifyError::KbSdHashMismatch);

    // Signed by a key that is not cnf.jwk.
    let thief = HolderKey::generate().unwrap();
    let body = present(&sd_jwt, &["given_name"], None).unwrap();
    let kb_payload = json!({"iat": NOW, "aud": AUD, "nonce": NONCE,
        "sd_hash": credential::jose::sha256_b64url(body.as_bytes())});
    let header = json!({"typ": "kb+jwt"});
    let forged = sign_compact(header.as_object().unwrap(), kb_payload.as_object().unwrap(), &thief).unwrap();
    assert_eq!(verify_kb(&format!("{body}{forged}")), VerifyError::KbInvalidSignature);

    // Right key, wrong typ; and alg none.
    let forged =
        sign_compact(json!({"typ": "JWT"}).as_object().unwrap(), kb_payload.as_object().unwrap(), &f.holder).unwrap();
    assert_eq!(verify_kb(&format!("{body}{forged}")), VerifyError::KbWrongTyp(Some("JWT".into())));
    let none = format!("{}.{}.", encode_json(&json!({"alg": "none", "typ": "kb+jwt"})), encode_json(&kb_payload));
    assert_eq!(verify_kb(&format!("{body}{none}")), VerifyError::KbUnsupportedAlg(Some("none".into())));

    // Correct construction by hand verifies (sanity check of the forgeries above).
    let ok = sign_compact(header.as_object().unwrap(), kb_payload.as_object().unwrap(), &f.holder).unwrap();
    assert!(verify(&format!("{body}{ok}"), &f.keys, &kb_opts()).is_ok());

    // A credential without cnf cannot be key-bound.
    let no_cnf = resign(&body, &f.issuer, |_, p| {
        p.remove("cnf");
    });
    assert_eq!(verify_kb(&format!("{no_cnf}{ok}")), VerifyError::MissingCnf);

    // A verifier that does not ask for key binding still checks a KB-JWT that is there: a bad
    // one fails the credential, rather than being ignored and reported as bound.
    let lenient = |p: &str| verify(p, &f.keys, &VerifyOptions::new(NOW)).unwrap_err();
    let thief_kb = sign_compact(header.as_object().unwrap(), kb_payload.as_object().unwrap(), &thief).unwrap();
    assert_eq!(lenient(&format!("{body}{thief_kb}")), VerifyError::KbInvalidSignature);
    assert_eq!(lenient(&format!("{p2}{kb1}")), VerifyError::KbSdHashMismatch);
    let future = present(&sd_jwt, &["given_name"], Some(&KeyBindingRequest { iat: NOW + 3600, ..f.kb() })).unwrap();
    assert_eq!(lenient(&future), VerifyError::KbNotFresh { iat: NOW + 3600, now: NOW });
    assert_eq!(lenient(&format!("{body}{none}")), VerifyError::KbUnsupportedAlg(Some("none".into())));
    assert_eq!(lenient(&format!("{no_cnf}{ok}")), VerifyError::MissingCnf);
    let good = verify(&format!("{body}{ok}"), &f.keys, &VerifyOptions::new(NOW)).unwrap();
    assert_eq!(good.key_binding.map(|kb| kb.nonce), Some(NONCE.to_owned()));
}

#[test]
fn revoked_and_status_list_mismatches() {
    let f = Fixture::new();
    let sd_jwt = f.issue(); // idx 7 in LIST_URI
    let mut list = StatusList::new(1024).unwrap();
    let mut o = VerifyOptions::new(NOW);
    o.status = Some(StatusCheck { uri: LIST_URI, list: &list });
    assert!(verify(&sd_jwt, &f.keys, &o).is_ok());

    list.set(7, true).unwrap();
    let mut o = VerifyOptions::new(NOW);
    o.status = Some(StatusCheck { uri: LIST_URI, list: &list });
    assert_eq!(verify(&sd_jwt, &f.keys, &o).unwrap_err(), VerifyError::Revoked { idx: 7 });

    let other = StatusList::new(1024).unwrap();
    o.status = Some(StatusCheck { uri: "https://passport.example.nhs.uk/status/2", list: &other });
    assert!(matches!(verify(&sd_jwt, &f.keys, &o).unwrap_err(), VerifyError::StatusListUriMismatch { .. }));

    let tiny = StatusList::new(8).unwrap();
    o.status = Some(StatusCheck { uri: LIST_URI, list: &tiny });
    let far = f.issue_with(&Fixture::claims(), Some(5000));
    assert_eq!(verify(&far, &f.keys, &o).unwrap_err(), VerifyError::StatusIndexOutOfRange { idx: 5000, len: 8 });

    let no_status = f.issue_with(&Fixture::claims(), None);
    assert_eq!(verify(&no_status, &f.keys, &o).unwrap_err(), VerifyError::MissingStatus);
}

#[test]
fn every_error_has_a_check_name() {
    let names = [
        VerifyError::UnsupportedAlg(None).check(),
        VerifyError::UnknownKid(String::new()).check(),
        VerifyError::InvalidSignature.check(),
        VerifyError::Revoked { idx: 0 }.check(),
        VerifyError::KbSdHashMismatch.check(),
    ];
    assert_eq!(names, ["alg", "kid_unknown", "signature", "revoked", "kb_sd_hash"]);
    let _: Value = json!(VerifyError::InvalidSignature.to_string());
}
