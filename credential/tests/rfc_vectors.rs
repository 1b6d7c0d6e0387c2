//! Published test vectors.
//!
//! RFC 9901 disclosure examples (§4.2.1–§4.2.3 "Möbius"/"FR", and the §5.1 example
//! credential's disclosures) and the Token Status List draft's 1-bit example. These strings
//! were taken from several independent SD-JWT / status-list implementations' test suites
//! that quote the RFC/draft sections; each digest is checked here by our own code.

use credential::jose::{b64url_decode, b64url_encode};
use credential::*;
use serde_json::json;

/// RFC 9901 §4.2.1: `["_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"]`.
const MOBIUS: &str = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";

#[test]
fn rfc9901_mobius_disclosure_and_digest() {
    // §4.2.1: the disclosure is base64url of the UTF-8 JSON exactly as written in the RFC.
    assert_eq!(b64url_encode(r#"["_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"]"#), MOBIUS);
    let d = Disclosure::parse(MOBIUS).unwrap();
    assert_eq!(d.salt(), "_26bc4LT-ac6q2KI6cBW5es");
    assert_eq!(d.name(), "family_name");
    assert_eq!(d.value(), &json!("Möbius"));
    // §4.2.3: the digest is over the encoded string.
    assert_eq!(disclosure_digest(MOBIUS), "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0");
    assert_eq!(d.digest(), "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0");
}

#[test]
fn rfc9901_array_element_digest() {
    // §4.2.2 / §4.2.4.2: `["lklxF5jMYlGTPUovMNIvCA", "FR"]`.
    let fr = "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0";
    assert_eq!(b64url_decode(fr).unwrap(), br#"["lklxF5jMYlGTPUovMNIvCA", "FR"]"#);
    assert_eq!(disclosure_digest(fr), "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs");
    // This library only uses object-property disclosures; a 2-element one is not a claim.
    assert!(Disclosure::parse(fr).is_none());
}

#[test]
fn rfc9901_section_5_1_example_disclosures() {
    let vectors = [
        // (disclosure, digest, salt, name, value)
        (
            "WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd",
            "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4",
            "2GLC42sKQveCfGfryNRN9w",
            "given_name",
            json!("John"),
        ),
        (
            "WyJlbHVWNU9nM2dTTklJOEVZbnN4QV9BIiwgImZhbWlseV9uYW1lIiwgIkRvZSJd",
            "TGf4oLbgwd5JQaHyKVQZU9UdGE0w5rtDsrZzfUaomLo",
            "eluV5Og3gSNII8EYnsxA_A",
            "family_name",
            json!("Doe"),
        ),
        (
            "WyJQYzMzSk0yTGNoY1VfbEhnZ3ZfdWZRIiwgImJpcnRoZGF0ZSIsICIxOTQwLTAxLTAxIl0",
            "gbOsI4Edq2x2Kw-w5wPEzakob9hV1cRD0ATN3oQL9JM",
            "Pc33JM2LchcU_lHggv_ufQ",
            "birthdate",
            json!("1940-01-01"),
        ),
        (
            "WyJHMDJOU3JRZmpGWFE3SW8wOXN5YWpBIiwgInVwZGF0ZWRfYXQiLCAxNTcwMDAwMDAwXQ",
            "CrQe7S5kqBAHt-nMYXgc6bdt2SH5aTY1sU_M-PgkjPI",
            "G02NSrQfjFXQ7Io09syajA",
            "updated_at",
            json!(1570000000),
        ),
    ];
    for (encoded, digest, salt, name, value) in vectors {
        assert_eq!(disclosure_digest(encoded), digest, "{name}");
        let d = Disclosure::parse(encoded).unwrap();
        assert_eq!((d.salt(), d.name(), d.value()), (salt, name, &value));
    }
    // The §5.1 array-element disclosures for nationalities "US" and "DE".
    assert_eq!(
        disclosure_digest("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0"),
        "pFndjkZ_VCzmyTa6UjlZo3dh-ko8aIKQc9DlGzhaVYo"
    );
    assert_eq!(
        disclosure_digest("WyJuUHVvUW5rUkZxM0JJZUFtN0FuWEZBIiwgIkRFIl0"),
        "7Cf6JkPudry3lcbwHgeZ8khAv1U1OSlerP0VkBJrWZ0"
    );
}

#[test]
fn rfc9901_same_claim_different_encoding_different_digest() {
    // §4.2.1: "Möbius" may also be written with a JSON escape; it decodes to the same claim
    // but is a different disclosure string and so has a different digest.
    let escaped = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNXHUwMGY2Yml1cyJd";
    let d = Disclosure::parse(escaped).unwrap();
    assert_eq!(d.value(), &json!("Möbius"));
    assert_ne!(disclosure_digest(escaped), disclosure_digest(MOBIUS));
}

#[test]
fn token_status_list_draft_one_bit_example() {
    // draft-ietf-oauth-status-list, 1-bit example: statuses → bytes [0xB9, 0xA3] →
    // {"bits": 1, "lst": "eNrbuRgAAhcBXQ"}.
    let statuses = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
    let decoded = StatusList::from_lst("eNrbuRgAAhcBXQ", 1 << 20).unwrap();
    assert_eq!(decoded.as_bytes(), &[0xB9, 0xA3]);
    for (i, s) in statuses.iter().enumerate() {
        assert_eq!(decoded.is_set(i as u64).unwrap(), *s == 1, "index {i}");
    }
    let mut built = StatusList::new(16).unwrap();
    for (i, s) in statuses.iter().enumerate() {
        built.set(i as u64, *s == 1).unwrap();
    }
    assert_eq!(built.as_bytes(), &[0xB9, 0xA3]);
    assert_eq!(built.to_lst().unwrap(), "eNrbuRgAAhcBXQ");
}
