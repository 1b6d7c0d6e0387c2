//! # credential
//!
//! The Placement Passport credential format: issue, present and verify NHS staff "digital
//! passport" credentials as SD-JWT VCs (RFC 9901 Selective Disclosure for JWTs, and the
//! SD-JWT VC draft), with revocation through IETF Token Status Lists.
//!
//! No web framework, database or clock: callers pass `now` (unix seconds) and keys in, so
//! the same code serves the HTTP server, the `verify` command and the tests.
//!
//! * [`keys`]: issuer and holder P-256 keys, public JWKs, the verifier's [`JwkSet`].
//! * [`sdjwt`]: [`issue`], [`present`], and (from [`verifier`]) [`verify`].
//! * [`parsed`]: [`SdJwt`], an SD-JWT split into its parts, decoded but not verified, and its
//!   [`Disclosure`]s.
//! * [`status_list`]: [`StatusList`], status list tokens, random [`IndexAllocator`].
//! * [`jose`]: compact ES256 JWS helpers.
//! * [`error`]: [`Error`] and the per-check [`VerifyError`].
//! * [`stage`]: [`CheckStage`], the stages a verifier reports, each [`VerifyError`] in one.
//!
//! ```
//! use credential::*;
//! use serde_json::json;
//!
//! let issuer = IssuerKey::generate()?;
//! let holder = HolderKey::generate()?;
//! let claims = json!({"given_name": "Ada", "registration": {"body": "NMC", "pin": "12A3456E"}});
//! let sd_jwt = issue(&issuer, &IssueRequest {
//!     issuer: "https://passport.example.nhs.uk",
//!     vct: "https://passport.example.nhs.uk/vct/placement-passport",
//!     iat: 1_700_000_000,
//!     exp: 1_800_000_000,
//!     holder: holder.public_jwk(),
//!     status: None,
//!     claims: claims.as_object().unwrap(),
//!     sd_count: DEFAULT_SD_COUNT,
//! })?;
//! let presentation = present(&sd_jwt, &["given_name"], None)?;
//! let keys: JwkSet = [issuer.verifying_key()].into_iter().collect();
//! let verified = verify(&presentation, &keys, &VerifyOptions::new(1_750_000_000)).unwrap();
//! assert_eq!(verified.claims["given_name"], "Ada");
//! assert!(!verified.claims.contains_key("registration"));
//! # Ok::<(), credential::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::string_slice)
)]

pub mod error;
pub mod jose;
pub mod keys;
pub mod parsed;
pub mod sdjwt;
pub mod stage;
pub mod status_list;
pub mod verifier;

pub use error::{Error, VerifyError};
pub use keys::{HolderKey, IssuerKey, JwkSet, KeyResolver, PublicJwk, Signer, VerifyingKey};
pub use parsed::SdJwt;
pub use sdjwt::{
    DEFAULT_SD_COUNT, Disclosure, IssueRequest, KeyBindingCheck, KeyBindingInfo, KeyBindingRequest, StatusCheck,
    StatusReference, VerifiedCredential, VerifyOptions, disclosure_digest, issue, present, verify,
};
pub use stage::CheckStage;
pub use status_list::{
    IndexAllocator, StatusList, StatusListTokenRequest, StatusListVerifyOptions, VerifiedStatusList,
    verify_status_list_token,
};
