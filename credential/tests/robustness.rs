//! The verifier must never panic, whatever it is fed: 20,000 random mutations of valid
//! credentials, presentations and status list tokens (seeded, so failures reproduce).

mod common;

use common::*;
use credential::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const CASES: usize = 20_000;

/// Characters that matter to the parsers, plus some multi-byte ones to exercise char
/// boundaries.
const ALPHABET: &[char] = &[
    '~', '.', '=', '-', '_', '+', '/', 'A', 'a', 'z', '0', '9', 'e', 'y', 'J', 'W', '{', '}', '"', ':', '[', ']', ',',
    ' ', '\\', '\0', '\n', 'é', 'ö', '€', '𝄞',
];

fn mutate(rng: &mut StdRng, input: &str) -> String {
    let mut chars: Vec<char> = input.chars().collect();
    let rounds = rng.random_range(1..=3);
    for _ in 0..rounds {
        let len = chars.len();
        match rng.random_range(0..8) {
            // flip one character
            0 | 1 if len > 0 => {
                let i = rng.random_range(0..len);
                chars[i] = ALPHABET[rng.random_range(0..ALPHABET.len())];
            }
            // truncate
            2 if len > 0 => chars.truncate(rng.random_range(0..len)),
            // insert
            3 => {
                let i = rng.random_range(0..=len);
                chars.insert(i, ALPHABET[rng.random_range(0..ALPHABET.len())]);
            }
            // delete a range
            4 if len > 1 => {
                let a = rng.random_range(0..len);
                let b = rng.random_range(a..len);
                chars.drain(a..=b);
            }
            // duplicate a range in place
            5 if len > 1 => {
                let a = rng.random_range(0..len);
                let b = rng.random_range(a..len.min(a + 200));
                let piece: Vec<char> = chars[a..=b].to_vec();
                let at = rng.random_range(0..=len);
                chars.splice(at..at, piece);
            }
            // shuffle '~' segments
            6 => {
                let s: String = chars.iter().collect();
                let mut segs: Vec<&str> = s.split('~').collect();
                let n = segs.len();
                if n > 1 {
                    segs.swap(rng.random_range(0..n), rng.random_range(0..n));
                }
                chars = segs.join("~").chars().collect();
            }
            // flip a bit inside one base64url segment's decoded form (structure-aware)
            _ => {
                let s: String = chars.iter().collect();
                let segs: Vec<&str> = s.split(['~', '.']).collect();
                let pick = segs[rng.random_range(0..segs.len())];
                if let Some(mut bytes) = credential::jose::b64url_decode(pick)
                    && !bytes.is_empty()
                {
                    let i = rng.random_range(0..bytes.len());
                    bytes[i] ^= 1 << rng.random_range(0..8);
                    let replaced = s.replacen(pick, &credential::jose::b64url_encode(bytes), 1);
                    chars = replaced.chars().collect();
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn verifier_never_panics_on_mutated_input() {
    let f = Fixture::new();
    let sd_jwt = f.issue();
    let kb_presentation = present(&sd_jwt, &["given_name", "dbs_check"], Some(&f.kb())).unwrap();
    let mut list = StatusList::new(1024).unwrap();
    list.set(3, true).unwrap();
    let token = list
        .sign_token(&f.issuer, &StatusListTokenRequest { uri: LIST_URI, iat: NOW, exp: NOW + 3600, ttl: None })
        .unwrap();
    let seeds = [sd_jwt.as_str(), kb_presentation.as_str()];

    let mut rng = StdRng::seed_from_u64(0x5EED_CAFE);
    let mut accepted = 0usize;
    let mut rejected_checks = std::collections::BTreeMap::<&str, usize>::new();
    for case in 0..CASES {
        let base = seeds[case % seeds.len()];
        let input = mutate(&mut rng, base);
        let mut opts = VerifyOptions::new(NOW);
        if case % 3 == 0 {
            opts.key_binding = Some(kb_check());
            opts.status = Some(StatusCheck { uri: LIST_URI, list: &list });
        }
        match verify(&input, &f.keys, &opts) {
            Ok(v) => {
                accepted += 1;
                // Anything accepted must only carry claims the issuer actually issued.
                let issued = Fixture::claims();
                for (name, value) in &v.claims {
                    assert_eq!(issued.get(name), Some(value), "case {case}: {input}");
                }
            }
            Err(e) => *rejected_checks.entry(e.check()).or_default() += 1,
        }
        let _ = present(&input, &["given_name"], None);
        let _ = Disclosure::parse(&input);
        if case % 4 == 0 {
            let t = mutate(&mut rng, &token);
            let _ = verify_status_list_token(&t, &f.keys, LIST_URI, &StatusListVerifyOptions::new(NOW));
        }
    }
    // The mutations reach deep checks, not just the first parser.
    for check in ["signature", "disclosure_encoding", "disclosure_not_in_payload", "structure"] {
        assert!(rejected_checks.contains_key(check), "{check} never hit: {rejected_checks:?}");
    }
    eprintln!("accepted {accepted} of {CASES}; rejections by check: {rejected_checks:?}");
}

#[test]
fn random_bytes_never_panic_and_never_verify() {
    let f = Fixture::new();
    let mut rng = StdRng::seed_from_u64(42);
    let mut checks = std::collections::BTreeSet::new();
    for case in 0..2_000 {
        let len = rng.random_range(0..300);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let s = String::from_utf8_lossy(&bytes);
        // Noise is never a credential, a status list token or a status list: each is refused
        // with a named check, and nothing panics on the way.
        let refused = verify(&s, &f.keys, &VerifyOptions::new(NOW)).expect_err("noise never verifies");
        checks.insert(refused.check());
        assert!(
            verify_status_list_token(&s, &f.keys, LIST_URI, &StatusListVerifyOptions::new(NOW)).is_err(),
            "case {case}: noise is not a status list token"
        );
        let base64url = s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !base64url {
            assert!(StatusList::from_lst(&s, 1 << 16).is_err(), "case {case}: not even base64url");
        } else {
            let _ = StatusList::from_lst(&s, 1 << 16);
        }
    }
    // Refused by the first parser, as noise should be: never by a later, deeper check.
    assert!(!checks.contains("signature") && !checks.contains("expired"), "{checks:?}");
}
