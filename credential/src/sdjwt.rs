//! SD-JWT VC issuance, presentation and verification (RFC 9901, draft-ietf-oauth-sd-jwt-vc).
//!
//! A Placement Passport credential is an issuer-signed JWT whose every item (claim) is a
//! separate top-level selectively disclosable claim: the JWT carries only a sorted `_sd` array
//! of digests, padded with decoys to a fixed length, and each item travels as a disclosure
//! `base64url(["<salt>", "<name>", <value>])` after the JWT:
//!
//! ```text
//! <issuer-signed JWT>~<disclosure 1>~...~<disclosure N>~[<key binding JWT>]
//! ```
//!
//! The holder [`present`]s a subset of the disclosures, optionally proving possession of the
//! `cnf.jwk` key with a key binding JWT; a verifier calls [`verify`].

use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{Error, VerifyError};
use crate::jose::{self, b64url_encode, sha256_b64url};
use crate::keys::{HolderKey, PublicJwk, Signer};
pub use crate::parsed::{Disclosure, disclosure_digest};
use crate::parsed::{Pieces, decode_unverified};
pub use crate::verifier::{
    DEFAULT_KB_MAX_AGE_SECS, DEFAULT_LEEWAY_SECS, DEFAULT_MAX_LEN, KeyBindingCheck, KeyBindingInfo, StatusCheck,
    VerifiedCredential, VerifyOptions, verify,
};

/// `typ` of an issuer-signed SD-JWT VC.
pub const SD_JWT_VC_TYP: &str = "dc+sd-jwt";
/// `typ` of a key binding JWT.
pub const KB_JWT_TYP: &str = "kb+jwt";
/// The only `_sd_alg` supported.
pub const SD_ALG: &str = "sha-256";
/// Default fixed number of `_sd` digests (real plus decoys) per credential.
pub const DEFAULT_SD_COUNT: usize = 24;
/// Upper bound on [`IssueRequest::sd_count`], to keep issuance bounded.
pub const MAX_SD_COUNT: usize = 4096;

/// Claim names that must never be selectively disclosable: SD-JWT markers, and registered
/// claims the SD-JWT VC draft requires in clear (§3.2.2.2). A verifier rejects disclosures
/// with these names.
pub(crate) const NON_DISCLOSABLE: &[&str] =
    &["_sd", "...", "_sd_alg", "iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"];

/// A credential's pointer into a Token Status List: the `status.status_list` claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReference {
    /// Index of this credential's entry in the list.
    pub idx: u64,
    /// URI the status list token is fetched from (its `sub`).
    pub uri: String,
}

/// Everything needed to issue one credential.
#[derive(Clone, Debug)]
pub struct IssueRequest<'a> {
    /// `iss`: the issuer identifier (URL).
    pub issuer: &'a str,
    /// `vct`: the credential type.
    pub vct: &'a str,
    /// `iat`, unix seconds (the caller's clock).
    pub iat: i64,
    /// `exp`, unix seconds; must be after `iat`.
    pub exp: i64,
    /// The holder's public key, embedded as `cnf.jwk` for key binding.
    pub holder: &'a PublicJwk,
    /// Where the credential's revocation status is published, if anywhere.
    pub status: Option<StatusReference>,
    /// The items; each becomes its own selectively disclosable claim.
    pub claims: &'a Map<String, Value>,
    /// Fixed length of the `_sd` array (real digests plus decoys), so the number of items is
    /// not revealed. Must be at least `claims.len()`. [`DEFAULT_SD_COUNT`] is a good default.
    pub sd_count: usize,
}

/// Issues an SD-JWT VC, returning its compact form `<jwt>~<d1>~...~<dn>~` with every
/// disclosure included (the holder's copy).
pub fn issue<S: Signer + ?Sized>(signer: &S, request: &IssueRequest<'_>) -> Result<String, Error> {
    if request.exp <= request.iat {
        return Err(Error::InvalidRequest("exp must be after iat"));
    }
    if request.issuer.is_empty() || request.vct.is_empty() {
        return Err(Error::InvalidRequest("iss and vct must be non-empty"));
    }
    if request.sd_count > MAX_SD_COUNT {
        return Err(Error::InvalidRequest("sd_count over MAX_SD_COUNT"));
    }
    if request.claims.len() > request.sd_count {
        return Err(Error::TooManyClaims { claims: request.claims.len(), sd_count: request.sd_count });
    }
    for name in request.claims.keys() {
        if NON_DISCLOSABLE.contains(&name.as_str()) || name == "iat" {
            return Err(Error::ReservedClaimName(name.clone()));
        }
    }
    request.holder.to_sec1()?;

    // All randomness in one call: 16 bytes of salt per claim, 32 bytes per decoy.
    let decoys = request.sd_count - request.claims.len();
    let mut random = vec![0u8; request.claims.len() * 16 + decoys * 32];
    SystemRandom::new().fill(&mut random).map_err(|_| Error::Random)?;
    let (salt_bytes, decoy_bytes) = random.split_at(request.claims.len() * 16);

    let mut disclosures = Vec::with_capacity(request.claims.len());
    let mut digests = Vec::with_capacity(request.sd_count);
    for ((name, value), salt) in request.claims.iter().zip(salt_bytes.chunks_exact(16)) {
        let disclosure = Disclosure::new(&b64url_encode(salt), name, value.clone())?;
        digests.push(disclosure.digest());
        disclosures.push(disclosure.encoded);
    }
    // Decoys: base64url of 32 random bytes, indistinguishable from real SHA-256 digests.
    digests.extend(decoy_bytes.chunks_exact(32).map(b64url_encode));
    // Sorted, so position says nothing about which digests are real (RFC 9901 §4.2.5).
    digests.sort_unstable();

    let mut header = Map::new();
    header.insert("typ".into(), SD_JWT_VC_TYP.into());
    header.insert("kid".into(), signer.kid().into());

    let mut payload = Map::new();
    payload.insert("iss".into(), request.issuer.into());
    payload.insert("iat".into(), request.iat.into());
    payload.insert("exp".into(), request.exp.into());
    payload.insert("vct".into(), request.vct.into());
    payload
        .insert("cnf".into(), json!({ "jwk": serde_json::to_value(request.holder.bare()).map_err(|_| Error::Json)? }));
    if let Some(status) = &request.status {
        payload.insert("status".into(), json!({ "status_list": { "idx": status.idx, "uri": status.uri } }));
    }
    payload.insert("_sd_alg".into(), SD_ALG.into());
    payload.insert("_sd".into(), digests.into());

    let mut out = jose::sign_compact(&header, &payload, signer)?;
    out.push('~');
    for d in &disclosures {
        out.push_str(d);
        out.push('~');
    }
    Ok(out)
}

/// Inputs for a key binding JWT (RFC 9901 §4.3).
#[derive(Clone, Copy, Debug)]
pub struct KeyBindingRequest<'a> {
    /// The holder key matching the credential's `cnf.jwk`.
    pub holder: &'a HolderKey,
    /// `aud`: the verifier this presentation is for.
    pub aud: &'a str,
    /// `nonce`: the verifier's challenge.
    pub nonce: &'a str,
    /// `iat`, unix seconds (the holder's clock).
    pub iat: i64,
}

/// Makes a presentation from an issued SD-JWT: keeps only the disclosures whose claim name is
/// in `disclose` and, if asked, appends a key binding JWT over the result.
///
/// Fails if a name in `disclose` is not in the credential, if the SD-JWT already has a KB-JWT,
/// or if the holder key is not the credential's `cnf.jwk`. The issuer signature is not checked
/// here (that is the verifier's job).
pub fn present(sd_jwt: &str, disclose: &[&str], key_binding: Option<&KeyBindingRequest<'_>>) -> Result<String, Error> {
    let pieces = Pieces::split(sd_jwt).map_err(|e| match e {
        VerifyError::MalformedStructure(what) => Error::MalformedSdJwt(what),
        _ => Error::MalformedSdJwt("structure"),
    })?;
    if !pieces.key_binding.is_empty() {
        return Err(Error::AlreadyKeyBound);
    }
    let jwt = pieces.jwt;

    let mut out = String::with_capacity(sd_jwt.len());
    out.push_str(jwt);
    out.push('~');
    let mut found = vec![false; disclose.len()];
    for encoded in pieces.disclosures {
        let disclosure = Disclosure::parse(encoded).ok_or(Error::MalformedSdJwt("invalid disclosure"))?;
        let mut keep = false;
        for (wanted, f) in disclose.iter().zip(found.iter_mut()) {
            if *wanted == disclosure.name {
                *f = true;
                keep = true;
            }
        }
        if keep {
            out.push_str(encoded);
            out.push('~');
        }
    }
    if let Some((name, _)) = disclose.iter().zip(&found).find(|(_, f)| !**f) {
        return Err(Error::ClaimNotFound((*name).to_owned()));
    }

    if let Some(kb) = key_binding {
        // Catch a wrong holder key now rather than at the verifier.
        let cnf_kid = decode_unverified(jwt)
            .ok()
            .and_then(|jwt| serde_json::from_value::<PublicJwk>(jwt.payload.get("cnf")?.get("jwk")?.clone()).ok())
            .and_then(|j| j.thumbprint().ok())
            .ok_or(Error::MalformedSdJwt("no cnf.jwk in credential"))?;
        if cnf_kid != kb.holder.kid() {
            return Err(Error::HolderKeyMismatch);
        }
        let mut header = Map::new();
        header.insert("typ".into(), KB_JWT_TYP.into());
        let mut payload = Map::new();
        payload.insert("iat".into(), kb.iat.into());
        payload.insert("aud".into(), kb.aud.into());
        payload.insert("nonce".into(), kb.nonce.into());
        payload.insert("sd_hash".into(), sha256_b64url(out.as_bytes()).into());
        out.push_str(&jose::sign_compact(&header, &payload, kb.holder)?);
    }
    Ok(out)
}
