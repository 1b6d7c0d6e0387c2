//! SD-JWT VC verification (RFC 9901 §7, draft-ietf-oauth-sd-jwt-vc): [`verify`] checks a
//! credential or presentation, with its key binding JWT and its status list entry, against
//! the issuer keys and the policy in [`VerifyOptions`]. Re-exported from [`sdjwt`](crate::sdjwt).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::error::VerifyError;
use crate::jose::{self, JwsFailure, KeySource, sha256_b64url};
use crate::keys::{AsDyn, KeyResolver, PublicJwk, VerifyingKey};
use crate::parsed::{Disclosure, Pieces, disclosure_digest};
use crate::sdjwt::{KB_JWT_TYP, NON_DISCLOSABLE, SD_ALG, SD_JWT_VC_TYP, StatusReference};
use crate::status_list::StatusList;

/// Default maximum accepted input length for [`verify`]: 64 KiB.
pub const DEFAULT_MAX_LEN: usize = 64 * 1024;
/// Default clock leeway in seconds for `exp`/`iat`/`nbf` checks.
pub const DEFAULT_LEEWAY_SECS: i64 = 60;
/// Default maximum age in seconds of a key binding JWT.
pub const DEFAULT_KB_MAX_AGE_SECS: i64 = 300;

/// What a verifier requires of the key binding JWT.
#[derive(Clone, Copy, Debug)]
pub struct KeyBindingCheck<'a> {
    /// Expected `aud` (this verifier).
    pub aud: &'a str,
    /// Expected `nonce` (the challenge this verifier issued).
    pub nonce: &'a str,
    /// Maximum age of the KB-JWT's `iat`, seconds.
    pub max_age_secs: i64,
}

/// A decoded status list and the URI it was fetched from, to check a credential against.
#[derive(Clone, Copy, Debug)]
pub struct StatusCheck<'a> {
    /// The list's URI (the status list token's `sub`).
    pub uri: &'a str,
    /// The decoded list.
    pub list: &'a StatusList,
}

/// Verification policy and context. Build with [`VerifyOptions::new`] and adjust fields.
#[derive(Clone, Copy, Debug)]
pub struct VerifyOptions<'a> {
    /// Current time, unix seconds. The library never reads the clock itself.
    pub now: i64,
    /// Clock leeway for `exp`, `iat`, `nbf` and KB-JWT `iat`, seconds.
    pub leeway_secs: i64,
    /// Inputs longer than this many bytes are rejected before parsing.
    pub max_len: usize,
    /// If set, `iss` must equal this.
    pub expected_issuer: Option<&'a str>,
    /// If set, a key binding JWT is required and checked against these values. If unset, a
    /// KB-JWT that is present is still checked (signature, `typ`, `sd_hash`, `iat` not in the
    /// future) and reported, but `aud`/`nonce` are not compared.
    pub key_binding: Option<KeyBindingCheck<'a>>,
    /// If set, the credential must have a status reference into this list and must not be
    /// revoked in it.
    pub status: Option<StatusCheck<'a>>,
}

impl<'a> VerifyOptions<'a> {
    /// Defaults: 60 s leeway, 64 KiB limit, no issuer pinning, no key binding required, no
    /// status check.
    pub fn new(now: i64) -> Self {
        Self {
            now,
            leeway_secs: DEFAULT_LEEWAY_SECS,
            max_len: DEFAULT_MAX_LEN,
            expected_issuer: None,
            key_binding: None,
            status: None,
        }
    }
}

/// The verified key binding JWT claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyBindingInfo {
    /// `aud`.
    pub aud: String,
    /// `nonce`.
    pub nonce: String,
    /// `iat`.
    pub iat: i64,
}

/// The result of a successful [`verify`].
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedCredential {
    /// `iss`.
    pub issuer: String,
    /// `kid` of the issuer key that signed it.
    pub kid: String,
    /// `iat`.
    pub iat: i64,
    /// `exp`.
    pub exp: i64,
    /// `vct`.
    pub vct: String,
    /// Where its revocation status lives, if it has one.
    pub status: Option<StatusReference>,
    /// The holder key (`cnf.jwk`), if any.
    pub holder: Option<PublicJwk>,
    /// The KB-JWT claims if the presentation had a (valid) KB-JWT.
    pub key_binding: Option<KeyBindingInfo>,
    /// The disclosed claims, name → value. Undisclosed items do not appear.
    pub claims: BTreeMap<String, Value>,
}

fn issuer_jws_error(f: JwsFailure) -> VerifyError {
    match f {
        JwsFailure::Segments => VerifyError::MalformedJwt,
        JwsFailure::Header => VerifyError::InvalidHeader,
        JwsFailure::Alg(a) => VerifyError::UnsupportedAlg(a),
        JwsFailure::Typ(t) => VerifyError::WrongTyp { expected: SD_JWT_VC_TYP, found: t },
        JwsFailure::Crit => VerifyError::CriticalHeader,
        JwsFailure::MissingKid => VerifyError::MissingKid,
        JwsFailure::UnknownKid(k) => VerifyError::UnknownKid(k),
        JwsFailure::SignatureEncoding => VerifyError::MalformedSignature,
        JwsFailure::Signature => VerifyError::InvalidSignature,
        JwsFailure::Payload => VerifyError::InvalidPayload,
    }
}

fn kb_jws_error(f: JwsFailure) -> VerifyError {
    match f {
        JwsFailure::Segments => VerifyError::KbMalformed("not three segments"),
        JwsFailure::Header => VerifyError::KbMalformed("header"),
        JwsFailure::Alg(a) => VerifyError::KbUnsupportedAlg(a),
        JwsFailure::Typ(t) => VerifyError::KbWrongTyp(t),
        JwsFailure::Crit => VerifyError::KbMalformed("crit header"),
        JwsFailure::MissingKid | JwsFailure::UnknownKid(_) => VerifyError::KbMalformed("kid"),
        JwsFailure::SignatureEncoding => VerifyError::KbMalformed("signature encoding"),
        JwsFailure::Signature => VerifyError::KbInvalidSignature,
        JwsFailure::Payload => VerifyError::KbMalformed("payload"),
    }
}

/// Reads a required integer (NumericDate) claim.
pub(crate) fn int_claim(payload: &Map<String, Value>, name: &'static str) -> Result<i64, VerifyError> {
    match payload.get(name) {
        None => Err(VerifyError::MissingClaim(name)),
        Some(v) => v.as_i64().ok_or(VerifyError::InvalidClaim(name)),
    }
}

/// Reads a required non-empty string claim.
fn str_claim<'p>(payload: &'p Map<String, Value>, name: &'static str) -> Result<&'p str, VerifyError> {
    match payload.get(name) {
        None => Err(VerifyError::MissingClaim(name)),
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(_) => Err(VerifyError::InvalidClaim(name)),
    }
}

/// Whether a JSON value contains an object with an `_sd` or `...` member anywhere (bounded by
/// serde_json's recursion limit at parse time; walked iteratively here).
fn has_sd_markers(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if m.contains_key("_sd") || m.contains_key("...") {
                    return true;
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    false
}

/// Verifies an SD-JWT VC (with or without a key binding JWT) and returns the disclosed claims.
///
/// Checks, in order, each failing with its own [`VerifyError`] variant: size limit; `~`
/// structure; JWT segments; header encoding; `alg` is ES256; `typ` is `dc+sd-jwt`; no `crit`;
/// `kid` present and known to `keys`; signature; payload encoding; `iss` (and
/// `expected_issuer`); `iat`/`exp`/`nbf` against `now` with leeway; `vct`; `_sd_alg`; `_sd`
/// well formed and without duplicate digests; `cnf`; `status`; then every disclosure
/// (encoding, `[salt, name, value]` format, reserved names, digest referenced by `_sd`,
/// not repeated, name not in clear, name not disclosed twice, no nested SD markers); then the
/// key binding JWT (signature with `cnf.jwk`, `typ`, `sd_hash`, `aud`, `nonce`, `iat`); then
/// the status list (uri, index range, revoked bit).
///
/// Never panics, whatever the input.
pub fn verify<R: KeyResolver + ?Sized>(
    input: &str,
    keys: &R,
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedCredential, VerifyError> {
    verify_dyn(input, &AsDyn(keys), opts)
}

fn verify_dyn(
    input: &str,
    keys: &dyn KeyResolver,
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedCredential, VerifyError> {
    // 1. Size, before anything else.
    if input.len() > opts.max_len {
        return Err(VerifyError::TooLarge { len: input.len(), max: opts.max_len });
    }

    // 2. Structure: <jwt>~<d1>~...~<dn>~[<kb-jwt>]
    let Pieces { presented, jwt, disclosures, key_binding: kb_jwt } = Pieces::split(input)?;

    // 3. Issuer-signed JWT: header, alg, typ, kid, signature, payload.
    let verified = jose::verify_es256(jwt, SD_JWT_VC_TYP, KeySource::Resolver(keys)).map_err(issuer_jws_error)?;
    let payload = verified.payload;
    let kid = verified.kid.unwrap_or_default();

    // 4. Registered claims.
    let issuer = str_claim(&payload, "iss")?;
    if let Some(expected) = opts.expected_issuer
        && issuer != expected
    {
        return Err(VerifyError::IssuerMismatch { found: issuer.to_owned() });
    }
    let iat = int_claim(&payload, "iat")?;
    let exp = int_claim(&payload, "exp")?;
    let now = opts.now;
    let leeway = opts.leeway_secs.max(0);
    if exp <= now.saturating_sub(leeway) {
        return Err(VerifyError::Expired { exp, now });
    }
    if iat > now.saturating_add(leeway) {
        return Err(VerifyError::IssuedInFuture { iat, now });
    }
    if payload.contains_key("nbf") {
        let nbf = int_claim(&payload, "nbf")?;
        if nbf > now.saturating_add(leeway) {
            return Err(VerifyError::NotYetValid { nbf, now });
        }
    }
    let vct = str_claim(&payload, "vct")?;
    match payload.get("_sd_alg") {
        // RFC 9901 §4.1.1: absent means sha-256.
        None => {}
        Some(Value::String(alg)) if alg == SD_ALG => {}
        Some(Value::String(alg)) => return Err(VerifyError::UnsupportedSdAlg(alg.clone())),
        Some(_) => return Err(VerifyError::InvalidClaim("_sd_alg")),
    }
    // digest -> already matched by a disclosure?
    let mut sd: HashMap<&str, bool> = HashMap::new();
    match payload.get("_sd") {
        None => {}
        Some(Value::Array(items)) => {
            sd.reserve(items.len());
            for item in items {
                let Value::String(digest) = item else {
                    return Err(VerifyError::InvalidClaim("_sd"));
                };
                if sd.insert(digest.as_str(), false).is_some() {
                    return Err(VerifyError::DuplicateDigestInPayload);
                }
            }
        }
        Some(_) => return Err(VerifyError::InvalidClaim("_sd")),
    }
    for (name, value) in &payload {
        if name != "_sd" && has_sd_markers(value) {
            return Err(VerifyError::NestedDisclosureUnsupported(name.clone()));
        }
    }
    let holder = match payload.get("cnf") {
        None => None,
        Some(cnf) => {
            let jwk = cnf.get("jwk").ok_or(VerifyError::InvalidCnf("no jwk member"))?;
            let jwk: PublicJwk =
                serde_json::from_value(jwk.clone()).map_err(|_| VerifyError::InvalidCnf("jwk is not an EC JWK"))?;
            let mut bare = jwk.bare();
            // The holder key is identified by value, not by any kid the issuer put in cnf.
            let key = VerifyingKey::from_jwk(&bare).map_err(|_| VerifyError::InvalidCnf("jwk is not a P-256 key"))?;
            bare.kid = Some(key.kid().to_owned());
            Some((bare, key))
        }
    };
    let status = match payload.get("status") {
        None => None,
        Some(status) => {
            let list = status.get("status_list").ok_or(VerifyError::InvalidStatus("no status_list member"))?;
            let idx = list.get("idx").and_then(Value::as_u64).ok_or(VerifyError::InvalidStatus("idx"))?;
            let uri = list
                .get("uri")
                .and_then(Value::as_str)
                .filter(|u| !u.is_empty())
                .ok_or(VerifyError::InvalidStatus("uri"))?;
            Some(StatusReference { idx, uri: uri.to_owned() })
        }
    };

    // 5. Disclosures.
    let mut claims = BTreeMap::new();
    for (index, encoded) in disclosures.iter().enumerate() {
        let disclosure = Disclosure::parse_inner(encoded).map_err(|f| f.at(index))?;
        if NON_DISCLOSABLE.contains(&disclosure.name.as_str()) {
            return Err(VerifyError::ReservedDisclosureName(disclosure.name));
        }
        match sd.get_mut(disclosure_digest(encoded).as_str()) {
            None => return Err(VerifyError::DisclosureNotInPayload { index }),
            Some(true) => return Err(VerifyError::DuplicateDisclosure { index }),
            Some(seen) => *seen = true,
        }
        if payload.contains_key(&disclosure.name) {
            return Err(VerifyError::ClaimNameCollision(disclosure.name));
        }
        if has_sd_markers(&disclosure.value) {
            return Err(VerifyError::NestedDisclosureUnsupported(disclosure.name));
        }
        if claims.contains_key(&disclosure.name) {
            return Err(VerifyError::DuplicateClaimName(disclosure.name));
        }
        claims.insert(disclosure.name, disclosure.value);
    }

    // 6. Key binding.
    let key_binding = if kb_jwt.is_empty() {
        if opts.key_binding.is_some() {
            return Err(VerifyError::MissingKeyBinding);
        }
        None
    } else {
        let (_, holder_key) = holder.as_ref().ok_or(VerifyError::MissingCnf)?;
        let kb = jose::verify_es256(kb_jwt, KB_JWT_TYP, KeySource::Fixed(holder_key)).map_err(kb_jws_error)?;
        let kb_str = |name: &'static str| match kb.payload.get(name) {
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(VerifyError::KbInvalidClaim(name)),
        };
        let kb_iat = kb.payload.get("iat").and_then(Value::as_i64).ok_or(VerifyError::KbInvalidClaim("iat"))?;
        let aud = kb_str("aud")?;
        let nonce = kb_str("nonce")?;
        let sd_hash = kb_str("sd_hash")?;
        if sd_hash != sha256_b64url(presented.as_bytes()) {
            return Err(VerifyError::KbSdHashMismatch);
        }
        if kb_iat > now.saturating_add(leeway) {
            return Err(VerifyError::KbNotFresh { iat: kb_iat, now });
        }
        if let Some(check) = &opts.key_binding {
            if aud != check.aud {
                return Err(VerifyError::KbAudienceMismatch);
            }
            if nonce != check.nonce {
                return Err(VerifyError::KbNonceMismatch);
            }
            let oldest = now.saturating_sub(check.max_age_secs.max(0)).saturating_sub(leeway);
            if kb_iat < oldest {
                return Err(VerifyError::KbNotFresh { iat: kb_iat, now });
            }
        }
        Some(KeyBindingInfo { aud, nonce, iat: kb_iat })
    };

    // 7. Status.
    if let Some(check) = &opts.status {
        let reference = status.as_ref().ok_or(VerifyError::MissingStatus)?;
        if reference.uri != check.uri {
            return Err(VerifyError::StatusListUriMismatch {
                expected: check.uri.to_owned(),
                found: reference.uri.clone(),
            });
        }
        match check.list.is_set(reference.idx) {
            Err(_) => {
                return Err(VerifyError::StatusIndexOutOfRange { idx: reference.idx, len: check.list.len() });
            }
            Ok(true) => return Err(VerifyError::Revoked { idx: reference.idx }),
            Ok(false) => {}
        }
    }

    Ok(VerifiedCredential {
        issuer: issuer.to_owned(),
        kid,
        iat,
        exp,
        vct: vct.to_owned(),
        status,
        holder: holder.map(|(jwk, _)| jwk),
        key_binding,
        claims,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sd_markers_found_at_depth() {
        assert!(!has_sd_markers(&json!({"a": [1, {"b": "c"}]})));
        assert!(has_sd_markers(&json!({"a": [1, {"b": {"_sd": []}}]})));
        assert!(has_sd_markers(&json!([{"...": "x"}])));
    }
}
