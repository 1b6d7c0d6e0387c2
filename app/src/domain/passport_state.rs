//! What the passport pages and the passport audit log say about a passport, as closed sets:
//! its status, what happened to it (each entry of its history), the holder's review of it and
//! why HR's queue lists someone. Each code is the string stored or sent today; serde writes
//! the same code (`snake_case` of the variant), so the wire is unchanged.

use super::coded::coded_enum;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// Where a passport is: a passport replaced by a reissue is revoked (as superseded), so
    /// there are exactly these three.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum PassportStatus {
        Valid = "valid", "Valid";
        Expired = "expired", "Expired";
        /// Revoked by HR, superseded by a reissue, or its issuer key retired.
        Revoked = "revoked", "Revoked";
    }
}

coded_enum! {
    /// In what capacity someone acted on a passport (the `actor_role` of its audit log).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum PassportActorRole {
        HrOfficer = "hr_officer", "HR passport officer";
        Holder = "holder", "Holder";
        /// Anyone checking it, signed in or not.
        Verifier = "verifier", "Verifier";
    }
}

coded_enum! {
    /// One entry of a passport's history (the `action` of the passport audit log).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum PassportAction {
        Issued = "issued", "Issued";
        Reissued = "reissued", "Reissued";
        Revoked = "revoked", "Revoked";
        Downloaded = "downloaded", "Downloaded";
        Viewed = "viewed", "Viewed";
        Shared = "shared", "Shared";
        Verified = "verified", "Verified";
        /// The holder confirmed the items are right.
        Confirmed = "confirmed", "Confirmed as right";
        /// The holder reported something wrong (their words are the entry's reason).
        ProblemReported = "problem_reported", "Problem reported";
        PhotoRecorded = "photo_recorded", "Photo recorded";
    }
}

coded_enum! {
    /// The holder's review of their newest passport, as HR's record shows it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum PassportReview {
        /// No passport, or the newest one is revoked: nothing to review.
        None = "none", "Not applicable";
        /// Issued; the holder has neither confirmed it nor reported a problem yet.
        Awaiting = "awaiting", "Waiting for them to confirm it is right";
        Confirmed = "confirmed", "They have confirmed their passport is right";
        ProblemReported = "problem_reported", "They reported a problem";
    }
}

coded_enum! {
    /// Why someone is in HR's passport queue, most urgent first.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum QueueReasonKind {
        /// Never issued, revoked or expired.
        Missing = "missing", "No valid passport";
        ProblemReported = "problem_reported", "Problem reported";
        ExpiringSoon = "expiring_soon", "Expiring soon";
        ItemLapsing = "item_lapsing", "Check lapsing";
        AwaitingConfirmation = "awaiting_confirmation", "Awaiting confirmation";
    }
}

impl QueueReasonKind {
    /// How urgent it is: lower first (the order declared).
    pub fn urgency(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(Self::ALL.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire<T: Serialize>(value: T) -> String {
        serde_json::to_value(value).unwrap().as_str().unwrap().to_owned()
    }

    #[test]
    fn each_is_sent_as_its_stored_code() {
        for s in PassportStatus::ALL {
            assert_eq!(wire(s), s.code());
            assert_eq!(serde_json::from_value::<PassportStatus>(s.code().into()).unwrap(), s);
        }
        for a in PassportAction::ALL {
            assert_eq!(wire(a), a.code());
        }
        for r in PassportReview::ALL {
            assert_eq!(wire(r), r.code());
        }
        for k in QueueReasonKind::ALL {
            assert_eq!(wire(k), k.code());
        }
    }

    #[test]
    fn queue_reasons_rank_as_before() {
        use QueueReasonKind as K;
        let ranked: Vec<usize> =
            [K::Missing, K::ProblemReported, K::ExpiringSoon, K::ItemLapsing, K::AwaitingConfirmation]
                .map(K::urgency)
                .to_vec();
        assert_eq!(ranked, [0, 1, 2, 3, 4]);
    }
}
