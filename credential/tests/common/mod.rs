//! Shared fixtures for the integration tests.
#![allow(dead_code)]

use credential::jose::{b64url_decode, b64url_encode, sign_compact};
use credential::*;
use serde_json::{Map, Value, json};

pub const NOW: i64 = 1_750_000_000;
pub const ISS: &str = "https://passport.example.nhs.uk";
pub const VCT: &str = "https://passport.example.nhs.uk/vct/placement-passport/v1";
pub const LIST_URI: &str = "https://passport.example.nhs.uk/status/1";
pub const AUD: &str = "https://trust.example.nhs.uk/verifier";
pub const NONCE: &str = "n-0S6_WzA2Mj";

pub struct Fixture {
    pub issuer: IssuerKey,
    pub holder: HolderKey,
    pub keys: JwkSet,
}

impl Fixture {
    pub fn new() -> Self {
        let issuer = IssuerKey::generate().unwrap();
        let holder = HolderKey::generate().unwrap();
        let keys: JwkSet = [issuer.verifying_key()].into_iter().collect();
        Self { issuer, holder, keys }
    }

    /// A representative passport: strings, objects, arrays, numbers, unicode.
    pub fn claims() -> Map<String, Value> {
        json!({
            "given_name": "Ada",
            "family_name": "Möbius-Lovelace",
            "staff_number": "NHS-0012345",
            "professional_registration": {"body": "NMC", "pin": "12A3456E", "expires": "2027-03-31"},
            "dbs_check": {"level": "enhanced", "barred_lists": ["adults", "children"], "issued": "2024-05-01"},
            "mandatory_training": [{"course": "Information Governance", "completed": "2025-01-10"}],
            "fte": 0.8,
            "photo_sha256": "uutlBuYeMDyjLLTpf6Jxi7yNkEF35jdyWMn9U7b_RYY",
        })
        .as_object()
        .unwrap()
        .clone()
    }

    pub fn issue_with(&self, claims: &Map<String, Value>, idx: Option<u64>) -> String {
        issue_by(&self.issuer, &self.holder, claims, idx)
    }

    pub fn issue(&self) -> String {
        self.issue_with(&Self::claims(), Some(7))
    }

    pub fn kb<'a>(&'a self) -> KeyBindingRequest<'a> {
        KeyBindingRequest { holder: &self.holder, aud: AUD, nonce: NONCE, iat: NOW - 5 }
    }
}

pub fn issue_by(issuer: &IssuerKey, holder: &HolderKey, claims: &Map<String, Value>, idx: Option<u64>) -> String {
    issue(
        issuer,
        &IssueRequest {
            issuer: ISS,
            vct: VCT,
            iat: NOW - 3600,
            exp: NOW + 365 * 86400,
            holder: holder.public_jwk(),
            status: idx.map(|idx| StatusReference { idx, uri: LIST_URI.into() }),
            claims,
            sd_count: DEFAULT_SD_COUNT,
        },
    )
    .unwrap()
}

pub fn kb_check() -> KeyBindingCheck<'static> {
    KeyBindingCheck { aud: AUD, nonce: NONCE, max_age_secs: 300 }
}

/// Splits `<jwt>~<d1>~...~<dn>~<kb>` into (jwt, disclosures, kb).
pub fn split(sd_jwt: &str) -> (String, Vec<String>, String) {
    let parts: Vec<&str> = sd_jwt.split('~').collect();
    let (kb, rest) = parts.split_last().unwrap();
    let (jwt, ds) = rest.split_first().unwrap();
    (jwt.to_string(), ds.iter().map(|s| s.to_string()).collect(), kb.to_string())
}

pub fn join(jwt: &str, disclosures: &[String], kb: &str) -> String {
    let mut out = format!("{jwt}~");
    for d in disclosures {
        out.push_str(d);
        out.push('~');
    }
    out.push_str(kb);
    out
}

pub fn decode_segment(seg: &str) -> Map<String, Value> {
    serde_json::from_slice(&b64url_decode(seg).unwrap()).unwrap()
}

pub fn jwt_parts(jwt: &str) -> (Map<String, Value>, Map<String, Value>, String) {
    let p: Vec<&str> = jwt.split('.').collect();
    (decode_segment(p[0]), decode_segment(p[1]), p[2].to_string())
}

pub fn encode_json(v: &impl serde::Serialize) -> String {
    b64url_encode(serde_json::to_vec(v).unwrap())
}

/// Re-signs the issuer JWT of `sd_jwt` after editing header and payload: a *validly signed*
/// credential with whatever content a test needs (as a compromised or buggy issuer could
/// produce), keeping the disclosures.
pub fn resign(
    sd_jwt: &str,
    key: &IssuerKey,
    edit: impl FnOnce(&mut Map<String, Value>, &mut Map<String, Value>),
) -> String {
    let (jwt, ds, kb) = split(sd_jwt);
    let (mut header, mut payload, _) = jwt_parts(&jwt);
    edit(&mut header, &mut payload);
    let jwt = sign_compact(&header, &payload, key).unwrap();
    join(&jwt, &ds, &kb)
}

/// Appends digests of `extra` disclosures to `_sd` and re-signs; returns the new SD-JWT with
/// the extra disclosures appended.
pub fn with_extra_disclosures(sd_jwt: &str, key: &IssuerKey, extra: &[String]) -> String {
    let out = resign(sd_jwt, key, |_, p| {
        let sd = p.get_mut("_sd").unwrap().as_array_mut().unwrap();
        for d in extra {
            sd.push(Value::String(disclosure_digest(d)));
        }
    });
    let (jwt, mut ds, kb) = split(&out);
    ds.extend(extra.iter().cloned());
    join(&jwt, &ds, &kb)
}
