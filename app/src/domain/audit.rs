//! What the audit log records: each kind of entry, by the stable code stored in the table.

use super::coded::coded_enum;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// One kind of audit entry. The label is what the audit page shows (the code, in words).
    /// On the wire it is its code too (`"role_granted"`), as the log has always shown it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum AuditAction {
        ApplicationChanged = "application_changed", "application changed";
        ApplicationSubmitted = "application_submitted", "application submitted";
        FeedbackGiven = "feedback_given", "feedback given";
        InvitationAccepted = "invitation_accepted", "invitation accepted";
        InvitationSent = "invitation_sent", "invitation sent";
        IssuerKeyRetired = "issuer_key_retired", "issuer key retired";
        IssuerKeyRotated = "issuer_key_rotated", "issuer key rotated";
        PassportIssued = "passport_issued", "passport issued";
        PassportPhotoRecorded = "passport_photo_recorded", "passport photo recorded";
        PassportReissued = "passport_reissued", "passport reissued";
        PassportRevoked = "passport_revoked", "passport revoked";
        PasswordChangeFailed = "password_change_failed", "password change failed";
        PasswordChanged = "password_changed", "password changed";
        PasswordReset = "password_reset", "password reset";
        PasswordResetRequested = "password_reset_requested", "password reset requested";
        PathwayAdded = "pathway_added", "pathway added";
        PathwayRenamed = "pathway_renamed", "pathway renamed";
        PathwayStatusChanged = "pathway_status_changed", "pathway status changed";
        PersonAdded = "person_added", "person added";
        PersonDeactivated = "person_deactivated", "person deactivated";
        PersonReactivated = "person_reactivated", "person reactivated";
        PersonUpdated = "person_updated", "person updated";
        PlacementCopied = "placement_copied", "placement copied";
        PlacementCreated = "placement_created", "placement created";
        PlacementStateChanged = "placement_state_changed", "placement state changed";
        PlacementUpdated = "placement_updated", "placement updated";
        RoleGranted = "role_granted", "role granted";
        RoleRemoved = "role_removed", "role removed";
        SignInFailed = "sign_in_failed", "sign in failed";
        SignInThrottled = "sign_in_throttled", "sign in throttled";
        SignedIn = "signed_in", "signed in";
        SignedOut = "signed_out", "signed out";
        SiteAdded = "site_added", "site added";
        SiteRenamed = "site_renamed", "site renamed";
        TeamAdded = "team_added", "team added";
        TeamUpdated = "team_updated", "team updated";
        TrustAdded = "trust_added", "trust added";
        TrustUpdated = "trust_updated", "trust updated";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_reads_as_its_words() {
        let mut codes: Vec<&str> = AuditAction::ALL.iter().map(|a| a.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AuditAction::ALL.len());
        for a in AuditAction::ALL {
            assert_eq!(a.label(), a.code().replace('_', " "));
            assert_eq!(serde_json::to_value(a).ok(), Some(serde_json::Value::String(a.code().to_owned())));
        }
    }
}
