//! Status list tokens, revocation end to end, and random index allocation.

mod common;

use std::collections::HashSet;

use common::*;
use credential::jose::sign_compact;
use credential::status_list::DEFAULT_LIST_SIZE;
use credential::*;
use serde_json::json;

fn token_request() -> StatusListTokenRequest<'static> {
    StatusListTokenRequest { uri: LIST_URI, iat: NOW - 60, exp: NOW + 86400, ttl: Some(3600) }
}

#[test]
fn status_list_token_round_trip_and_revocation() {
    let f = Fixture::new();
    let mut allocator = IndexAllocator::new(DEFAULT_LIST_SIZE).unwrap();
    let mut list = StatusList::new(DEFAULT_LIST_SIZE).unwrap();
    let idx = allocator.allocate().unwrap();
    let sd_jwt = f.issue_with(&Fixture::claims(), Some(idx));

    let token = list.sign_token(&f.issuer, &token_request()).unwrap();
    let (_, p, _) = {
        let (jwt, _, _) = split(&format!("{token}~"));
        jwt_parts(&jwt)
    };
    assert_eq!(p["sub"], LIST_URI);
    assert_eq!(p["ttl"], 3600);
    assert_eq!(p["status_list"]["bits"], 1);
    let verified = verify_status_list_token(&token, &f.keys, LIST_URI, &StatusListVerifyOptions::new(NOW)).unwrap();
    assert_eq!(verified.list.len(), DEFAULT_LIST_SIZE);
    assert_eq!(verified.ttl, Some(3600));
    assert_eq!(verified.kid, f.issuer.kid());
    let mut o = VerifyOptions::new(NOW);
    o.status = Some(verified.as_check());
    assert!(verify(&sd_jwt, &f.keys, &o).is_ok());

    // Revoke, republish, re-fetch: the credential now fails as revoked.
    list.set(idx, true).unwrap();
    let token = list.sign_token(&f.issuer, &token_request()).unwrap();
    let verified = verify_status_list_token(&token, &f.keys, LIST_URI, &StatusListVerifyOptions::new(NOW)).unwrap();
    assert_eq!(verified.list.count_set(), 1);
    let mut o = VerifyOptions::new(NOW);
    o.status = Some(verified.as_check());
    assert_eq!(verify(&sd_jwt, &f.keys, &o).unwrap_err(), VerifyError::Revoked { idx });

    // A full 16 KiB list with one bit set compresses to very little.
    assert!(token.len() < 1000, "{}", token.len());
}

#[test]
fn status_list_token_failures() {
    let f = Fixture::new();
    let list = StatusList::new(1024).unwrap();
    let token = list.sign_token(&f.issuer, &token_request()).unwrap();
    let o = StatusListVerifyOptions::new(NOW);

    // Signed by an unknown key.
    let stranger = IssuerKey::generate().unwrap();
    let foreign = list.sign_token(&stranger, &token_request()).unwrap();
    assert_eq!(
        verify_status_list_token(&foreign, &f.keys, LIST_URI, &o).unwrap_err(),
        VerifyError::UnknownKid(stranger.kid().into())
    );
    // Not the list the credential points at.
    assert_eq!(
        verify_status_list_token(&token, &f.keys, "https://passport.example.nhs.uk/status/2", &o).unwrap_err(),
        VerifyError::StatusListSubjectMismatch { found: LIST_URI.into() }
    );
    // Expired.
    let late = StatusListVerifyOptions::new(NOW + 2 * 86400);
    assert!(matches!(
        verify_status_list_token(&token, &f.keys, LIST_URI, &late).unwrap_err(),
        VerifyError::Expired { .. }
    ));
    // Oversized.
    let mut small = StatusListVerifyOptions::new(NOW);
    small.max_len = 100;
    assert!(matches!(
        verify_status_list_token(&token, &f.keys, LIST_URI, &small).unwrap_err(),
        VerifyError::TooLarge { .. }
    ));
    // A credential is not a status list token (typ), and vice versa.
    let cred = f.issue();
    assert!(matches!(
        verify_status_list_token(cred.trim_end_matches('~'), &f.keys, LIST_URI, &o).unwrap_err(),
        VerifyError::WrongTyp { expected: "statuslist+jwt", .. }
    ));
    assert!(matches!(
        verify(&format!("{token}~"), &f.keys, &VerifyOptions::new(NOW)).unwrap_err(),
        VerifyError::WrongTyp { expected: "dc+sd-jwt", .. }
    ));
    // alg none.
    let (_, payload, _) = jwt_parts(&token);
    let none = format!(
        "{}.{}.",
        encode_json(&json!({"alg": "none", "typ": "statuslist+jwt", "kid": f.issuer.kid()})),
        encode_json(&payload)
    );
    assert_eq!(
        verify_status_list_token(&none, &f.keys, LIST_URI, &o).unwrap_err(),
        VerifyError::UnsupportedAlg(Some("none".into()))
    );
    // Signed, but bits != 1 or lst garbage.
    let header = json!({"typ": "statuslist+jwt", "kid": f.issuer.kid()});
    for (status_list, expect) in [
        (json!({"bits": 2, "lst": list.to_lst().unwrap()}), "bits must be 1"),
        (json!({"bits": 1, "lst": "not*base64"}), "lst is not base64url"),
        (json!({"bits": 1, "lst": "AAAA"}), "lst is not zlib data"),
    ] {
        let mut p = payload.clone();
        p.insert("status_list".into(), status_list);
        let t = sign_compact(header.as_object().unwrap(), &p, &f.issuer).unwrap();
        assert_eq!(
            verify_status_list_token(&t, &f.keys, LIST_URI, &o).unwrap_err(),
            VerifyError::InvalidStatusList(expect)
        );
    }
}

#[test]
fn allocator_hands_out_every_index_once_at_random() {
    let mut a = IndexAllocator::new(1024).unwrap();
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    while let Ok(i) = a.allocate() {
        assert!(i < 1024);
        assert!(seen.insert(i), "index {i} handed out twice");
        order.push(i);
    }
    assert_eq!(seen.len(), 1024);
    assert_eq!(a.available(), 0);
    assert_eq!(a.allocate().unwrap_err(), Error::StatusListFull);
    // Not sequential: the first 32 are not 0..32 (probability of failure ~ 1/1024!).
    assert_ne!(order[..32].to_vec(), (0..32).collect::<Vec<u64>>());
    // Spread: the first 64 draws from a 131072-entry list are not clustered in a corner.
    let mut big = IndexAllocator::new(DEFAULT_LIST_SIZE).unwrap();
    let draws: Vec<u64> = (0..64).map(|_| big.allocate().unwrap()).collect();
    assert!(draws.iter().any(|d| *d >= DEFAULT_LIST_SIZE as u64 / 2));
    assert!(draws.iter().any(|d| *d < DEFAULT_LIST_SIZE as u64 / 2));
}

#[test]
fn allocator_respects_already_used_indexes() {
    // Rebuilt from storage with all but three indexes taken: only those three come out.
    let free = [3u64, 500, 1023];
    let used = (0..1024u64).filter(|i| !free.contains(i));
    let mut a = IndexAllocator::with_used(1024, used).unwrap();
    assert_eq!(a.available(), 3);
    let mut got: Vec<u64> = (0..3).map(|_| a.allocate().unwrap()).collect();
    got.sort();
    assert_eq!(got, free);
    assert_eq!(a.allocate().unwrap_err(), Error::StatusListFull);
    assert!(matches!(
        IndexAllocator::with_used(1024, [1024]).unwrap_err(),
        Error::IndexOutOfRange { index: 1024, len: 1024 }
    ));
    assert!(IndexAllocator::new(1000 + 3).is_err());
}
