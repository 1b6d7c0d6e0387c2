//! The stages of checking a credential, in the order they are reported: what a verifier
//! (the verification page, the `verify` command) shows a person, one line per stage. Every
//! [`VerifyError`] belongs to one stage, [`VerifyError::stage`].

use std::fmt;

use crate::error::VerifyError;

/// One stage of checking a credential, in verification order ([`CheckStage::ALL`]). Each
/// groups several of [`verify`](crate::verify)'s checks; a failure names one stage, and the
/// stages after it are not reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckStage {
    /// The SD-JWT's form: size, `~` structure, JWT segments, header and payload encoding,
    /// `typ`, `crit`, the registered claims' presence and types, `_sd_alg`, `_sd`, `cnf`.
    Format,
    /// Who issued it: `iss` is the expected issuer, whose keys the verifier holds.
    Issuer,
    /// `alg` is ES256.
    Algorithm,
    /// `kid` is present and names one of the issuer's keys.
    Key,
    /// The issuer's signature.
    Signature,
    /// `exp`, `iat` and `nbf` against the verifier's clock.
    Expiry,
    /// Every disclosure (each matching a signed digest, once), and the key binding JWT.
    Disclosures,
    /// The `status` claim and the issuer's status list: not revoked.
    Revocation,
}

impl CheckStage {
    /// Every stage, in verification order.
    pub const ALL: [CheckStage; 8] = [
        Self::Format,
        Self::Issuer,
        Self::Algorithm,
        Self::Key,
        Self::Signature,
        Self::Expiry,
        Self::Disclosures,
        Self::Revocation,
    ];

    /// The stage's name as a report shows it: "Format", "Issuer", "Algorithm (alg)",
    /// "Key (kid)", "Signature", "Expiry", "Disclosures", "Revocation".
    pub fn label(self) -> &'static str {
        match self {
            Self::Format => "Format",
            Self::Issuer => "Issuer",
            Self::Algorithm => "Algorithm (alg)",
            Self::Key => "Key (kid)",
            Self::Signature => "Signature",
            Self::Expiry => "Expiry",
            Self::Disclosures => "Disclosures",
            Self::Revocation => "Revocation",
        }
    }
}

impl fmt::Display for CheckStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl VerifyError {
    /// The [`CheckStage`] this failure belongs to.
    pub fn stage(&self) -> CheckStage {
        match self {
            Self::TooLarge { .. }
            | Self::MalformedStructure(_)
            | Self::MalformedJwt
            | Self::InvalidHeader
            | Self::WrongTyp { .. }
            | Self::CriticalHeader
            | Self::InvalidPayload
            | Self::MissingClaim(_)
            | Self::InvalidClaim(_)
            | Self::UnsupportedSdAlg(_)
            | Self::DuplicateDigestInPayload
            | Self::MissingCnf
            | Self::InvalidCnf(_) => CheckStage::Format,
            Self::IssuerMismatch { .. } => CheckStage::Issuer,
            Self::UnsupportedAlg(_) => CheckStage::Algorithm,
            Self::MissingKid | Self::UnknownKid(_) => CheckStage::Key,
            Self::MalformedSignature | Self::InvalidSignature => CheckStage::Signature,
            Self::Expired { .. } | Self::IssuedInFuture { .. } | Self::NotYetValid { .. } => CheckStage::Expiry,
            Self::DisclosureEncoding { .. }
            | Self::DisclosureFormat { .. }
            | Self::ReservedDisclosureName(_)
            | Self::DisclosureNotInPayload { .. }
            | Self::DuplicateDisclosure { .. }
            | Self::ClaimNameCollision(_)
            | Self::DuplicateClaimName(_)
            | Self::NestedDisclosureUnsupported(_)
            | Self::MissingKeyBinding
            | Self::KbMalformed(_)
            | Self::KbUnsupportedAlg(_)
            | Self::KbWrongTyp(_)
            | Self::KbInvalidSignature
            | Self::KbInvalidClaim(_)
            | Self::KbAudienceMismatch
            | Self::KbNonceMismatch
            | Self::KbSdHashMismatch
            | Self::KbNotFresh { .. } => CheckStage::Disclosures,
            Self::MissingStatus
            | Self::InvalidStatus(_)
            | Self::StatusListUriMismatch { .. }
            | Self::StatusIndexOutOfRange { .. }
            | Self::Revoked { .. }
            | Self::StatusListSubjectMismatch { .. }
            | Self::InvalidStatusList(_) => CheckStage::Revocation,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// One error of every kind. The match has no wildcard, so a new kind does not compile
    /// until it is listed here (and given a stage in [`VerifyError::stage`]).
    fn every_kind() -> Vec<VerifyError> {
        use VerifyError as E;
        let all = vec![
            E::TooLarge { len: 2, max: 1 },
            E::MalformedStructure("x"),
            E::MalformedJwt,
            E::InvalidHeader,
            E::UnsupportedAlg(None),
            E::WrongTyp { expected: "dc+sd-jwt", found: None },
            E::CriticalHeader,
            E::MissingKid,
            E::UnknownKid("k".into()),
            E::MalformedSignature,
            E::InvalidSignature,
            E::InvalidPayload,
            E::MissingClaim("iss"),
            E::InvalidClaim("exp"),
            E::IssuerMismatch { found: "i".into() },
            E::Expired { exp: 0, now: 1 },
            E::IssuedInFuture { iat: 2, now: 1 },
            E::NotYetValid { nbf: 2, now: 1 },
            E::UnsupportedSdAlg("sha-1".into()),
            E::DuplicateDigestInPayload,
            E::DisclosureEncoding { index: 0 },
            E::DisclosureFormat { index: 0 },
            E::ReservedDisclosureName("iss".into()),
            E::DisclosureNotInPayload { index: 0 },
            E::DuplicateDisclosure { index: 0 },
            E::ClaimNameCollision("n".into()),
            E::DuplicateClaimName("n".into()),
            E::NestedDisclosureUnsupported("n".into()),
            E::MissingCnf,
            E::InvalidCnf("x"),
            E::MissingKeyBinding,
            E::KbMalformed("x"),
            E::KbUnsupportedAlg(None),
            E::KbWrongTyp(None),
            E::KbInvalidSignature,
            E::KbInvalidClaim("aud"),
            E::KbAudienceMismatch,
            E::KbNonceMismatch,
            E::KbSdHashMismatch,
            E::KbNotFresh { iat: 0, now: 1 },
            E::MissingStatus,
            E::InvalidStatus("x"),
            E::StatusListUriMismatch { expected: "a".into(), found: "b".into() },
            E::StatusIndexOutOfRange { idx: 9, len: 8 },
            E::Revoked { idx: 1 },
            E::StatusListSubjectMismatch { found: "s".into() },
            E::InvalidStatusList("x"),
        ];
        for e in &all {
            match e {
                E::TooLarge { .. }
                | E::MalformedStructure(_)
                | E::MalformedJwt
                | E::InvalidHeader
                | E::UnsupportedAlg(_)
                | E::WrongTyp { .. }
                | E::CriticalHeader
                | E::MissingKid
                | E::UnknownKid(_)
                | E::MalformedSignature
                | E::InvalidSignature
                | E::InvalidPayload
                | E::MissingClaim(_)
                | E::InvalidClaim(_)
                | E::IssuerMismatch { .. }
                | E::Expired { .. }
                | E::IssuedInFuture { .. }
                | E::NotYetValid { .. }
                | E::UnsupportedSdAlg(_)
                | E::DuplicateDigestInPayload
                | E::DisclosureEncoding { .. }
                | E::DisclosureFormat { .. }
                | E::ReservedDisclosureName(_)
                | E::DisclosureNotInPayload { .. }
                | E::DuplicateDisclosure { .. }
                | E::ClaimNameCollision(_)
                | E::DuplicateClaimName(_)
                | E::NestedDisclosureUnsupported(_)
                | E::MissingCnf
                | E::InvalidCnf(_)
                | E::MissingKeyBinding
                | E::KbMalformed(_)
                | E::KbUnsupportedAlg(_)
                | E::KbWrongTyp(_)
                | E::KbInvalidSignature
                | E::KbInvalidClaim(_)
                | E::KbAudienceMismatch
                | E::KbNonceMismatch
                | E::KbSdHashMismatch
                | E::KbNotFresh { .. }
                | E::MissingStatus
                | E::InvalidStatus(_)
                | E::StatusListUriMismatch { .. }
                | E::StatusIndexOutOfRange { .. }
                | E::Revoked { .. }
                | E::StatusListSubjectMismatch { .. }
                | E::InvalidStatusList(_) => {}
            }
        }
        all
    }

    /// The stage of each [`VerifyError::check`] name, as the verification page used to map
    /// them before the stages were the crate's.
    fn stage_of_check(check: &str) -> CheckStage {
        match check {
            "size"
            | "structure"
            | "jwt_segments"
            | "header"
            | "typ"
            | "crit"
            | "payload"
            | "claim_missing"
            | "claim_invalid"
            | "sd_alg"
            | "sd_duplicate_digest"
            | "cnf_missing"
            | "cnf_invalid" => CheckStage::Format,
            "iss" => CheckStage::Issuer,
            "alg" => CheckStage::Algorithm,
            "kid_missing" | "kid_unknown" => CheckStage::Key,
            "signature_encoding" | "signature" => CheckStage::Signature,
            "expired" | "iat_future" | "nbf" => CheckStage::Expiry,
            "status_missing"
            | "status_invalid"
            | "status_uri"
            | "status_index"
            | "revoked"
            | "status_list_sub"
            | "status_list_invalid" => CheckStage::Revocation,
            _ => CheckStage::Disclosures,
        }
    }

    #[test]
    fn every_kind_of_failure_has_the_stage_the_page_gave_it() {
        let all = every_kind();
        let checks: BTreeSet<&str> = all.iter().map(VerifyError::check).collect();
        assert_eq!(checks.len(), all.len(), "one example of each kind");
        for e in &all {
            assert_eq!(e.stage(), stage_of_check(e.check()), "{e:?}");
            assert!(CheckStage::ALL.contains(&e.stage()));
        }
        let reached: BTreeSet<CheckStage> = all.iter().map(VerifyError::stage).collect();
        assert_eq!(reached, CheckStage::ALL.into_iter().collect(), "every stage has failures of its own");
    }

    #[test]
    fn stages_are_in_verification_order_with_the_reports_names() {
        let labels: Vec<&str> = CheckStage::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(
            labels,
            ["Format", "Issuer", "Algorithm (alg)", "Key (kid)", "Signature", "Expiry", "Disclosures", "Revocation"]
        );
        assert!(CheckStage::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(CheckStage::Key.to_string(), "Key (kid)");
    }
}
