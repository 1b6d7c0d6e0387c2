//! The parsed, UNVERIFIED form of an SD-JWT (RFC 9901 §4):
//!
//! ```text
//! <issuer-signed JWT>~<disclosure 1>~...~<disclosure N>~[<key binding JWT>]
//! ```
//!
//! [`SdJwt::parse`] splits a credential or presentation into its issuer-signed JWT (header and
//! payload decoded), its [`Disclosure`]s and its key binding JWT, checking only that each piece
//! is well formed. Nothing is verified: no signature, no expiry, no digest. It is for learning
//! where to fetch the issuer's keys and status list from, or for reading a credential this
//! service issued and stored itself. Anything that decides trust calls [`verify`](crate::verify).

use serde_json::{Map, Value, json};

use crate::error::{Error, VerifyError};
use crate::jose::{b64url_decode, b64url_encode, parse_json_object, sha256_b64url};

/// The disclosure digest of RFC 9901 §4.2.3: base64url(SHA-256(ASCII of the disclosure
/// string as transmitted)). The hash is over the encoded form, not the decoded JSON.
pub fn disclosure_digest(disclosure: &str) -> String {
    sha256_b64url(disclosure.as_bytes())
}

/// One object-property disclosure `[salt, name, value]` (RFC 9901 §4.2.1), kept together with
/// its exact encoded form (which is what the digest covers).
#[derive(Clone, Debug, PartialEq)]
pub struct Disclosure {
    pub(crate) encoded: String,
    pub(crate) salt: String,
    pub(crate) name: String,
    pub(crate) value: Value,
}

/// Why a disclosure failed to parse.
pub(crate) enum DisclosureFault {
    Encoding,
    Format,
}

impl DisclosureFault {
    /// The verification error for the disclosure at `index`.
    pub(crate) fn at(self, index: usize) -> VerifyError {
        match self {
            Self::Encoding => VerifyError::DisclosureEncoding { index },
            Self::Format => VerifyError::DisclosureFormat { index },
        }
    }
}

impl Disclosure {
    /// Builds a disclosure from its parts, encoding the array as compact JSON.
    pub fn new(salt: &str, name: &str, value: Value) -> Result<Self, Error> {
        let json = serde_json::to_vec(&json!([salt, name, value])).map_err(|_| Error::Json)?;
        Ok(Self { encoded: b64url_encode(json), salt: salt.to_owned(), name: name.to_owned(), value })
    }

    /// Parses an encoded disclosure. Only 3-element (object property) disclosures with a
    /// string salt and a string name are accepted.
    pub fn parse(encoded: &str) -> Option<Self> {
        Self::parse_inner(encoded).ok()
    }

    pub(crate) fn parse_inner(encoded: &str) -> Result<Self, DisclosureFault> {
        let bytes = b64url_decode(encoded).ok_or(DisclosureFault::Encoding)?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| DisclosureFault::Encoding)?;
        let Value::Array(items) = value else {
            return Err(DisclosureFault::Format);
        };
        let [salt, name, value]: [Value; 3] = items.try_into().map_err(|_| DisclosureFault::Format)?;
        let (Value::String(salt), Value::String(name)) = (salt, name) else {
            return Err(DisclosureFault::Format);
        };
        Ok(Self { encoded: encoded.to_owned(), salt, name, value })
    }

    /// The encoded disclosure, exactly as it appears in the SD-JWT.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }
    /// The salt.
    pub fn salt(&self) -> &str {
        &self.salt
    }
    /// The claim name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The claim value.
    pub fn value(&self) -> &Value {
        &self.value
    }
    /// The digest that appears in the payload's `_sd` array.
    pub fn digest(&self) -> String {
        disclosure_digest(&self.encoded)
    }
    /// The claim name and value, taking them out of the disclosure.
    pub fn into_claim(self) -> (String, Value) {
        (self.name, self.value)
    }
}

/// The `~`-separated pieces of an SD-JWT, undecoded.
pub(crate) struct Pieces<'a> {
    /// Everything up to and including the last `~`: what a KB-JWT's `sd_hash` covers.
    pub presented: &'a str,
    /// The issuer-signed JWT (non-empty).
    pub jwt: &'a str,
    /// The encoded disclosures (each non-empty).
    pub disclosures: Vec<&'a str>,
    /// The key binding JWT, empty if there is none.
    pub key_binding: &'a str,
}

impl<'a> Pieces<'a> {
    /// Splits `<jwt>~<d1>~...~<dn>~[<kb-jwt>]`, failing with
    /// [`VerifyError::MalformedStructure`] if there is no `~`, the JWT is empty or a disclosure
    /// is empty.
    pub(crate) fn split(input: &'a str) -> Result<Self, VerifyError> {
        let Some(last_tilde) = input.rfind('~') else {
            return Err(VerifyError::MalformedStructure("no '~' separator"));
        };
        // '~' is one byte, so both offsets are char boundaries; `get` keeps it panic-free anyway.
        let (Some(presented), Some(key_binding)) = (input.get(..=last_tilde), input.get(last_tilde + 1..)) else {
            return Err(VerifyError::MalformedStructure("separator"));
        };
        let mut segments = input.get(..last_tilde).unwrap_or_default().split('~');
        let jwt = segments.next().unwrap_or_default();
        if jwt.is_empty() {
            return Err(VerifyError::MalformedStructure("empty issuer-signed JWT"));
        }
        let disclosures: Vec<&str> = segments.collect();
        if disclosures.iter().any(|d| d.is_empty()) {
            return Err(VerifyError::MalformedStructure("empty disclosure"));
        }
        Ok(Self { presented, jwt, disclosures, key_binding })
    }
}

/// A JWT's JOSE header and payload, decoded without checking anything.
pub(crate) struct Unverified {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
}

/// Decodes a compact JWT's header and payload without checking the signature (nor even
/// decoding it): [`VerifyError::MalformedJwt`] unless three segments, then
/// [`VerifyError::InvalidHeader`] or [`VerifyError::InvalidPayload`] unless each is base64url
/// of a JSON object without duplicate members.
pub(crate) fn decode_unverified(jwt: &str) -> Result<Unverified, VerifyError> {
    let mut parts = jwt.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VerifyError::MalformedJwt);
    };
    let header = b64url_decode(header).and_then(|b| parse_json_object(&b)).ok_or(VerifyError::InvalidHeader)?;
    let payload = b64url_decode(payload).and_then(|b| parse_json_object(&b)).ok_or(VerifyError::InvalidPayload)?;
    Ok(Unverified { header, payload })
}

/// An SD-JWT (credential or presentation) split into its parts and decoded, NOT verified.
///
/// The header and payload of the issuer-signed JWT are whatever the bytes say: nothing about
/// them has been checked, not even who signed them. Use them only to learn where to fetch the
/// issuer's keys and status list from (then [`verify`](crate::verify)), or to read a credential
/// this service issued and stored itself.
#[derive(Clone, Debug, PartialEq)]
pub struct SdJwt {
    issuer_jwt: String,
    header: Map<String, Value>,
    payload: Map<String, Value>,
    disclosures: Vec<Disclosure>,
    key_binding_jwt: Option<String>,
}

impl SdJwt {
    /// Parses `<jwt>~<d1>~...~<dn>~[<kb-jwt>]`. Fails, with the [`VerifyError`]
    /// [`verify`](crate::verify) would give for the same fault, if the `~` structure is broken,
    /// the issuer-signed JWT is not three segments with a JSON object header and payload, or
    /// a disclosure is not `[salt, name, value]`. The key binding JWT is kept as it is, not
    /// decoded. There is no size limit: bound the input first.
    pub fn parse(input: &str) -> Result<Self, VerifyError> {
        let pieces = Pieces::split(input)?;
        let Unverified { header, payload } = decode_unverified(pieces.jwt)?;
        let disclosures = pieces
            .disclosures
            .iter()
            .enumerate()
            .map(|(index, encoded)| Disclosure::parse_inner(encoded).map_err(|f| f.at(index)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            issuer_jwt: pieces.jwt.to_owned(),
            header,
            payload,
            disclosures,
            key_binding_jwt: (!pieces.key_binding.is_empty()).then(|| pieces.key_binding.to_owned()),
        })
    }

    /// The issuer-signed JWT, compact, as it appears in the SD-JWT.
    pub fn issuer_jwt(&self) -> &str {
        &self.issuer_jwt
    }
    /// The issuer-signed JWT's JOSE header. UNVERIFIED.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }
    /// The issuer-signed JWT's payload. UNVERIFIED: only to learn where to fetch keys and
    /// status from.
    pub fn payload(&self) -> &Map<String, Value> {
        &self.payload
    }
    /// The disclosures, in the order they appear.
    pub fn disclosures(&self) -> &[Disclosure] {
        &self.disclosures
    }
    /// The key binding JWT, compact and undecoded, if the SD-JWT ends with one.
    pub fn key_binding_jwt(&self) -> Option<&str> {
        self.key_binding_jwt.as_deref()
    }
    /// The disclosed claims, name and value, in the order they appear. UNVERIFIED: a digest
    /// not in the payload or a claim disclosed twice is not noticed here.
    pub fn claims(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.disclosures.iter().map(|d| (d.name(), d.value()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{HolderKey, IssuerKey};
    use crate::sdjwt::{DEFAULT_SD_COUNT, IssueRequest, KeyBindingRequest, issue, present};

    #[test]
    fn disclosure_round_trip() {
        let d = Disclosure::new("c2FsdA", "given_name", json!("Ada")).unwrap();
        let back = Disclosure::parse(d.encoded()).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.digest(), disclosure_digest(d.encoded()));
        assert!(Disclosure::parse("WyJhIiwgImIiXQ").is_none(), "2-element array");
        assert!(Disclosure::parse("!!").is_none());
        assert_eq!(d.into_claim(), ("given_name".to_owned(), json!("Ada")));
    }

    /// A credential with `given_name` and `registration`, and the holder key it is bound to.
    fn credential() -> (String, HolderKey) {
        let issuer = IssuerKey::generate().unwrap();
        let holder = HolderKey::generate().unwrap();
        let claims = json!({"given_name": "Ada", "registration": {"body": "NMC", "pin": "12A3456E"}});
        let sd_jwt = issue(
            &issuer,
            &IssueRequest {
                issuer: "https://passport.example.nhs.uk",
                vct: "https://passport.example.nhs.uk/vct/placement-passport",
                iat: 1_700_000_000,
                exp: 1_800_000_000,
                holder: holder.public_jwk(),
                status: None,
                claims: claims.as_object().unwrap(),
                sd_count: DEFAULT_SD_COUNT,
            },
        )
        .unwrap();
        (sd_jwt, holder)
    }

    #[test]
    fn a_presentation_with_disclosures_and_key_binding_parses_into_its_parts() {
        let (sd_jwt, holder) = credential();
        let kb =
            KeyBindingRequest { holder: &holder, aud: "https://verifier.example", nonce: "n-1", iat: 1_750_000_000 };
        let presentation = present(&sd_jwt, &["given_name", "registration"], Some(&kb)).unwrap();
        let parsed = SdJwt::parse(&presentation).unwrap();

        assert!(presentation.starts_with(&format!("{}~", parsed.issuer_jwt())));
        assert_eq!(parsed.header()["typ"], "dc+sd-jwt");
        assert_eq!(parsed.payload()["iss"], "https://passport.example.nhs.uk");
        assert_eq!(parsed.payload()["_sd"].as_array().map(Vec::len), Some(DEFAULT_SD_COUNT));
        let kb_jwt = parsed.key_binding_jwt().unwrap();
        assert!(presentation.ends_with(&format!("~{kb_jwt}")) && kb_jwt.split('.').count() == 3);
        let mut claims: Vec<(&str, &Value)> = parsed.claims().collect();
        claims.sort_by_key(|(name, _)| *name);
        assert_eq!(
            claims,
            [("given_name", &json!("Ada")), ("registration", &json!({"body": "NMC", "pin": "12A3456E"}))]
        );
        for d in parsed.disclosures() {
            assert!(parsed.payload()["_sd"].as_array().unwrap().contains(&json!(d.digest())));
        }
    }

    #[test]
    fn a_credential_without_disclosures_or_key_binding_parses() {
        let (sd_jwt, _) = credential();
        let issued = SdJwt::parse(&sd_jwt).unwrap();
        assert_eq!(issued.disclosures().len(), 2);
        assert_eq!(issued.key_binding_jwt(), None);

        let bare = present(&sd_jwt, &[], None).unwrap();
        let parsed = SdJwt::parse(&bare).unwrap();
        assert_eq!(bare, format!("{}~", parsed.issuer_jwt()));
        assert!(parsed.disclosures().is_empty() && parsed.claims().next().is_none());
        assert_eq!(parsed.key_binding_jwt(), None);
        assert_eq!(parsed.payload(), issued.payload());
        assert_eq!(parsed.header(), issued.header());
    }

    #[test]
    fn garbage_fails_with_the_error_verify_gives() {
        let (sd_jwt, _) = credential();
        let jwt = sd_jwt.split('~').next().unwrap();
        let (h, rest) = jwt.split_once('.').unwrap();
        let (p, s) = rest.split_once('.').unwrap();
        let object = b64url_encode(b"{}");
        let cases: Vec<(String, VerifyError)> = vec![
            (String::new(), VerifyError::MalformedStructure("no '~' separator")),
            ("not an SD-JWT".into(), VerifyError::MalformedStructure("no '~' separator")),
            (jwt.into(), VerifyError::MalformedStructure("no '~' separator")),
            ("~".into(), VerifyError::MalformedStructure("empty issuer-signed JWT")),
            (format!("{jwt}~~"), VerifyError::MalformedStructure("empty disclosure")),
            ("a.b.c~".into(), VerifyError::InvalidHeader),
            ("a.b~".into(), VerifyError::MalformedJwt),
            (format!("{jwt}.x~"), VerifyError::MalformedJwt),
            (format!("{h}.!!.{s}~"), VerifyError::InvalidPayload),
            (format!("{}.{p}.{s}~", b64url_encode(br#"{"a":1,"a":2}"#)), VerifyError::InvalidHeader),
            (format!("{h}.{}.{s}~", b64url_encode(b"[1]")), VerifyError::InvalidPayload),
            (format!("{jwt}~!!~"), VerifyError::DisclosureEncoding { index: 0 }),
            (
                format!("{jwt}~{}~WyJhIiwgImIiXQ~", b64url_encode(br#"["s","n",1]"#)),
                VerifyError::DisclosureFormat { index: 1 },
            ),
            ("eyJ\u{0}~~~".into(), VerifyError::MalformedStructure("empty disclosure")),
        ];
        for (input, expected) in cases {
            assert_eq!(SdJwt::parse(&input), Err(expected), "{input:.60}");
        }
        // Only the form is checked: any header, any signature.
        let unsigned = SdJwt::parse(&format!("{object}.{p}.~")).unwrap();
        assert!(unsigned.header().is_empty());
        assert_eq!(unsigned.payload()["iss"], "https://passport.example.nhs.uk");
    }
}
