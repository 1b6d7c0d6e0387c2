//! Error types.
//!
//! There are two: [`Error`](enum@Error) for operations on data this service produces itself (keys,
//! issuance, presentation, status-list maintenance), and [`VerifyError`] for checking data
//! that arrives from outside (credentials, presentations, status list tokens). Every
//! verification check has its own [`VerifyError`] variant so that callers, logs and tests
//! can tell exactly which check rejected an input; [`VerifyError::check`] gives a stable
//! short name for each, and [`VerifyError::stage`] the [`CheckStage`](crate::CheckStage) a
//! report shows it under.

use thiserror::Error;

/// Failure of an operation on trusted, locally produced data: key generation and loading,
/// issuing, presenting, building or signing a status list.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// Generating a P-256 key pair failed.
    #[error("P-256 key generation failed")]
    KeyGeneration,
    /// The bytes are not a PKCS#8 document holding a P-256 private key.
    #[error("not a valid PKCS#8 P-256 private key")]
    InvalidPkcs8,
    /// A public JWK is not an ES256 signing key (`kty` EC, `crv` P-256, 32-byte `x`/`y`).
    #[error("invalid public JWK: {0}")]
    InvalidJwk(&'static str),
    /// A JWK's `kid` is not its RFC 7638 thumbprint (every key of this format is named by it).
    #[error("the JWK's kid {kid:?} is not its RFC 7638 thumbprint")]
    KidNotThumbprint {
        /// The `kid` the JWK gave itself.
        kid: String,
    },
    /// A JWK Set document is not `{"keys": [...]}` of valid keys.
    #[error("invalid JWK Set: {0}")]
    InvalidJwkSet(&'static str),
    /// ES256 signing failed.
    #[error("ES256 signing failed")]
    Signing,
    /// Serialising JSON failed.
    #[error("JSON serialisation failed")]
    Json,
    /// An issuance request is inconsistent (for example `exp` not after `iat`).
    #[error("invalid issuance request: {0}")]
    InvalidRequest(&'static str),
    /// This claim name may not be selectively disclosed (it is a registered claim the
    /// SD-JWT VC specification requires in clear, or an SD-JWT marker).
    #[error("claim name {0:?} is reserved and cannot be selectively disclosed")]
    ReservedClaimName(String),
    /// More claims than the fixed number of `_sd` digests the credential must carry.
    #[error("{claims} claims do not fit in a fixed digest count of {sd_count}")]
    TooManyClaims {
        /// Number of claims requested.
        claims: usize,
        /// Fixed `_sd` length requested.
        sd_count: usize,
    },
    /// The SD-JWT handed to [`present`](crate::sdjwt::present) is not well formed.
    #[error("malformed SD-JWT: {0}")]
    MalformedSdJwt(&'static str),
    /// A claim asked for in a presentation is not in the credential.
    #[error("claim {0:?} is not in the credential")]
    ClaimNotFound(String),
    /// The SD-JWT handed to [`present`](crate::sdjwt::present) already ends in a KB-JWT.
    #[error("the SD-JWT already ends with a key binding JWT")]
    AlreadyKeyBound,
    /// The holder key used for key binding is not the one in the credential's `cnf.jwk`.
    #[error("the holder key does not match the credential's cnf.jwk")]
    HolderKeyMismatch,
    /// Status lists must have a positive size that is a multiple of 8.
    #[error("status list size must be a positive multiple of 8, got {0}")]
    InvalidListSize(usize),
    /// A status list index is outside the list.
    #[error("status list index {index} is out of range for a list of {len} entries")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The list's number of entries.
        len: usize,
    },
    /// Every index of the status list is already allocated; start a new list.
    #[error("every index of the status list is already allocated")]
    StatusListFull,
    /// zlib compression of a status list failed.
    #[error("status list compression failed")]
    Compression,
}

/// Why an untrusted credential, presentation or status list token was rejected.
///
/// One variant per check. Variants carry only non-secret diagnostic data (never key
/// material, never claim values), so they are safe to log and to return to a verifier.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Input longer than the configured limit; rejected before any parsing.
    #[error("input is {len} bytes, over the limit of {max}")]
    TooLarge {
        /// Input length in bytes.
        len: usize,
        /// Configured maximum.
        max: usize,
    },
    /// The `<JWT>~<Disclosure>~...~[<KB-JWT>]` structure is broken.
    #[error("malformed SD-JWT structure: {0}")]
    MalformedStructure(&'static str),
    /// The issuer-signed JWT is not three `.`-separated segments.
    #[error("malformed JWT: not three segments")]
    MalformedJwt,
    /// The JOSE header is not base64url of a JSON object (without duplicate members).
    #[error("JOSE header is not base64url-encoded JSON object")]
    InvalidHeader,
    /// `alg` is not exactly `ES256` (this rejects `none`, HS256 and everything else).
    #[error("unsupported alg {0:?}: only ES256 is accepted")]
    UnsupportedAlg(Option<String>),
    /// `typ` is not the expected media type.
    #[error("wrong typ {found:?}, expected {expected:?}")]
    WrongTyp {
        /// The required `typ`.
        expected: &'static str,
        /// The `typ` found, if any.
        found: Option<String>,
    },
    /// The header has a `crit` member; no critical extensions are understood.
    #[error("unsupported crit header")]
    CriticalHeader,
    /// The header has no string `kid`.
    #[error("header has no kid")]
    MissingKid,
    /// The `kid` is not in the verifier's key set (unknown issuer key or retired key).
    #[error("unknown kid {0:?}")]
    UnknownKid(String),
    /// The signature segment is not base64url of a 64-byte ES256 signature.
    #[error("signature is not a base64url 64-byte ES256 signature")]
    MalformedSignature,
    /// The signature does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// The signed payload is not base64url of a JSON object (without duplicate members).
    #[error("payload is not base64url-encoded JSON object")]
    InvalidPayload,
    /// A required claim is absent.
    #[error("missing claim {0}")]
    MissingClaim(&'static str),
    /// A claim has the wrong type or an impossible value.
    #[error("invalid claim {0}")]
    InvalidClaim(&'static str),
    /// `iss` is not the expected issuer.
    #[error("issuer {found:?} is not the expected issuer")]
    IssuerMismatch {
        /// The `iss` found.
        found: String,
    },
    /// `exp` is in the past (beyond the leeway).
    #[error("expired at {exp} (now {now})")]
    Expired {
        /// The `exp` claim.
        exp: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `iat` is in the future (beyond the leeway).
    #[error("issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// The `iat` claim.
        iat: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `nbf` is in the future (beyond the leeway).
    #[error("not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The `nbf` claim.
        nbf: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `_sd_alg` is not `sha-256`.
    #[error("unsupported _sd_alg {0:?}")]
    UnsupportedSdAlg(String),
    /// The same digest appears more than once in the signed payload.
    #[error("a digest appears more than once in _sd")]
    DuplicateDigestInPayload,
    /// A disclosure is not valid base64url of valid JSON.
    #[error("disclosure #{index} is not base64url-encoded JSON")]
    DisclosureEncoding {
        /// Position of the disclosure (0-based).
        index: usize,
    },
    /// A disclosure is not a 3-element array `[salt, name, value]` with string salt and name.
    #[error("disclosure #{index} is not a [salt, name, value] array")]
    DisclosureFormat {
        /// Position of the disclosure (0-based).
        index: usize,
    },
    /// A disclosure uses a name that may not be disclosed (`_sd`, `...`, `iss`, `cnf`, ...).
    #[error("disclosure uses reserved claim name {0:?}")]
    ReservedDisclosureName(String),
    /// A disclosure's digest is not in the signed `_sd` array (tampered or foreign disclosure).
    #[error("disclosure #{index} is not referenced by the signed payload")]
    DisclosureNotInPayload {
        /// Position of the disclosure (0-based).
        index: usize,
    },
    /// The same disclosure (same digest) is presented twice.
    #[error("disclosure #{index} is presented more than once")]
    DuplicateDisclosure {
        /// Position of the repeated disclosure (0-based).
        index: usize,
    },
    /// A disclosed claim name also appears in clear in the signed payload.
    #[error("disclosed claim {0:?} also appears in clear in the payload")]
    ClaimNameCollision(String),
    /// Two disclosures carry the same claim name.
    #[error("claim {0:?} is disclosed more than once")]
    DuplicateClaimName(String),
    /// A disclosed value or clear claim contains nested `_sd`/`...` markers, which this
    /// library does not process (it only issues flat, top-level disclosures).
    #[error("nested selective disclosure in claim {0:?} is not supported")]
    NestedDisclosureUnsupported(String),
    /// `cnf` is absent although key binding is required.
    #[error("credential has no cnf.jwk holder key")]
    MissingCnf,
    /// `cnf` is not `{"jwk": <P-256 public JWK>}`.
    #[error("invalid cnf: {0}")]
    InvalidCnf(&'static str),
    /// Key binding is required but the presentation has no KB-JWT.
    #[error("key binding JWT required but absent")]
    MissingKeyBinding,
    /// The KB-JWT is not a well-formed compact JWS (segments, header or payload encoding).
    #[error("malformed key binding JWT: {0}")]
    KbMalformed(&'static str),
    /// The KB-JWT `alg` is not ES256.
    #[error("key binding JWT alg {0:?} unsupported: only ES256 is accepted")]
    KbUnsupportedAlg(Option<String>),
    /// The KB-JWT `typ` is not `kb+jwt`.
    #[error("key binding JWT typ {0:?} is not kb+jwt")]
    KbWrongTyp(Option<String>),
    /// The KB-JWT signature does not verify with `cnf.jwk`.
    #[error("key binding JWT signature invalid")]
    KbInvalidSignature,
    /// A KB-JWT claim is absent or of the wrong type.
    #[error("key binding JWT claim {0} missing or invalid")]
    KbInvalidClaim(&'static str),
    /// The KB-JWT `aud` is not the expected audience.
    #[error("key binding JWT aud does not match")]
    KbAudienceMismatch,
    /// The KB-JWT `nonce` is not the expected nonce.
    #[error("key binding JWT nonce does not match")]
    KbNonceMismatch,
    /// The KB-JWT `sd_hash` is not the hash of the presented SD-JWT.
    #[error("key binding JWT sd_hash does not match the presentation")]
    KbSdHashMismatch,
    /// The KB-JWT `iat` is in the future or older than the allowed age.
    #[error("key binding JWT iat {iat} is not fresh (now {now})")]
    KbNotFresh {
        /// The KB-JWT `iat`.
        iat: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// A status list check was asked for but the credential has no `status`.
    #[error("credential has no status reference")]
    MissingStatus,
    /// `status` is not `{"status_list": {"idx": <int>, "uri": <string>}}`.
    #[error("invalid status claim: {0}")]
    InvalidStatus(&'static str),
    /// The credential points at a different status list than the one supplied.
    #[error("credential's status list uri {found:?} is not the supplied list {expected:?}")]
    StatusListUriMismatch {
        /// The uri of the list supplied to the verifier.
        expected: String,
        /// The uri in the credential.
        found: String,
    },
    /// The credential's status index is outside the status list.
    #[error("status index {idx} is outside the status list of {len} entries")]
    StatusIndexOutOfRange {
        /// The index in the credential.
        idx: u64,
        /// Entries in the list.
        len: usize,
    },
    /// The credential is revoked (its status bit is set).
    #[error("credential revoked (status list index {idx})")]
    Revoked {
        /// The credential's status list index.
        idx: u64,
    },
    /// A status list token's `sub` is not the uri the credential points at.
    #[error("status list token sub {found:?} is not the expected uri")]
    StatusListSubjectMismatch {
        /// The `sub` found.
        found: String,
    },
    /// A status list token's `status_list` is malformed (bits, lst encoding, size).
    #[error("invalid status list: {0}")]
    InvalidStatusList(&'static str),
}

impl VerifyError {
    /// A stable, short, machine-readable name of the check that failed (for logs, metrics
    /// and API error codes), for example `"alg"`, `"kid"`, `"signature"`, `"expired"`.
    pub fn check(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "size",
            Self::MalformedStructure(_) => "structure",
            Self::MalformedJwt => "jwt_segments",
            Self::InvalidHeader => "header",
            Self::UnsupportedAlg(_) => "alg",
            Self::WrongTyp { .. } => "typ",
            Self::CriticalHeader => "crit",
            Self::MissingKid => "kid_missing",
            Self::UnknownKid(_) => "kid_unknown",
            Self::MalformedSignature => "signature_encoding",
            Self::InvalidSignature => "signature",
            Self::InvalidPayload => "payload",
            Self::MissingClaim(_) => "claim_missing",
            Self::InvalidClaim(_) => "claim_invalid",
            Self::IssuerMismatch { .. } => "iss",
            Self::Expired { .. } => "expired",
            Self::IssuedInFuture { .. } => "iat_future",
            Self::NotYetValid { .. } => "nbf",
            Self::UnsupportedSdAlg(_) => "sd_alg",
            Self::DuplicateDigestInPayload => "sd_duplicate_digest",
            Self::DisclosureEncoding { .. } => "disclosure_encoding",
            Self::DisclosureFormat { .. } => "disclosure_format",
            Self::ReservedDisclosureName(_) => "disclosure_reserved_name",
            Self::DisclosureNotInPayload { .. } => "disclosure_not_in_payload",
            Self::DuplicateDisclosure { .. } => "disclosure_duplicate",
            Self::ClaimNameCollision(_) => "disclosure_name_collision",
            Self::DuplicateClaimName(_) => "disclosure_duplicate_name",
            Self::NestedDisclosureUnsupported(_) => "disclosure_nested",
            Self::MissingCnf => "cnf_missing",
            Self::InvalidCnf(_) => "cnf_invalid",
            Self::MissingKeyBinding => "kb_missing",
            Self::KbMalformed(_) => "kb_malformed",
            Self::KbUnsupportedAlg(_) => "kb_alg",
            Self::KbWrongTyp(_) => "kb_typ",
            Self::KbInvalidSignature => "kb_signature",
            Self::KbInvalidClaim(_) => "kb_claim",
            Self::KbAudienceMismatch => "kb_aud",
            Self::KbNonceMismatch => "kb_nonce",
            Self::KbSdHashMismatch => "kb_sd_hash",
            Self::KbNotFresh { .. } => "kb_iat",
            Self::MissingStatus => "status_missing",
            Self::InvalidStatus(_) => "status_invalid",
            Self::StatusListUriMismatch { .. } => "status_uri",
            Self::StatusIndexOutOfRange { .. } => "status_index",
            Self::Revoked { .. } => "revoked",
            Self::StatusListSubjectMismatch { .. } => "status_list_sub",
            Self::InvalidStatusList(_) => "status_list_invalid",
        }
    }
}
