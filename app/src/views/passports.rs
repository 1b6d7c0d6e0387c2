//! The digital staff passport: issuing, reissuing and revoking (the home trust's HR), seeing
//! it and its history (the holder, and that HR), and rotating a trust's issuer key. Every
//! function asks `access` through its service; every read of passport data is audited there.

use crate::domain::{PassportAction, PassportForm, PassportReview, PassportStatus, QueueReasonKind};
use serde::{Deserialize, Serialize};

/// A passport as its holder and their HR see it: no item values, just which items it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportSummary {
    pub id: i32,
    pub holder_id: i32,
    /// The issuer identifier (`iss`), `{public_url}/trusts/{ods}`.
    pub issuer: String,
    /// The issuing trust's ODS code.
    pub trust: String,
    pub issued_at: String,
    pub expires_at: String,
    pub status: PassportStatus,
    pub revoke_reason: Option<String>,
    pub items: Vec<String>,
}

/// One entry of a passport's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportEvent {
    pub at: String,
    pub action: PassportAction,
    pub who: String,
    /// The role they acted in.
    pub role: crate::domain::PassportActorRole,
    /// Their trust's ODS code, if any.
    pub trust: Option<String>,
    pub items: Vec<String>,
    pub reason: Option<String>,
}

/// One item of a passport with its value, as its holder (or a verifier) reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportItemView {
    /// The claim name, e.g. `ni_number`.
    pub name: String,
    /// The label shown, e.g. "NI number".
    pub label: String,
    pub value: String,
}

/// The signed-in holder's own passport, for their passport page: the newest one (valid,
/// expired or revoked), every item with its value, and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderPassport {
    pub summary: PassportSummary,
    /// The issuing trust's name.
    pub trust_name: String,
    pub items: Vec<PassportItemView>,
    pub history: Vec<PassportEvent>,
    /// Whether the holder has confirmed its items since it was issued.
    pub confirmed: bool,
}

/// How one check of a verification went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckOutcome {
    Passed,
    Failed,
    /// Not reached: an earlier check failed.
    NotChecked,
}

/// One named check of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationCheck {
    /// "Issuer", "Signature", "Revocation", …
    pub name: String,
    pub outcome: CheckOutcome,
    pub detail: String,
}

/// What checking a pasted credential found: every check in order and, when all passed, who
/// issued it and the items it discloses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationReport {
    pub verified: bool,
    pub checks: Vec<VerificationCheck>,
    /// The issuing trust's name and ODS code, when it is a trust of this service.
    pub issuer: Option<String>,
    pub issued_at: Option<String>,
    pub expires_at: Option<String>,
    /// The disclosed items, only when verified.
    pub items: Vec<PassportItemView>,
}

impl VerificationReport {
    /// The first check that failed, if any.
    pub fn failed_check(&self) -> Option<&VerificationCheck> {
        self.checks.iter().find(|c| c.outcome == CheckOutcome::Failed)
    }
}

/// One employment check behind a passport, as HR recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckView {
    /// `identity`, `dbs`, …
    pub check: String,
    pub label: String,
    /// The day it was done, `YYYY-MM-DD`.
    pub checked_on: String,
    /// Who recorded it (an HR passport officer's email).
    pub recorded_by: String,
    /// The day it lapses, if it does.
    pub lapses_on: Option<String>,
}

/// A person's stored passport photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoView {
    /// Where the image is served, by its digest.
    pub url: String,
    pub digest: String,
    pub uploaded_at: String,
    pub width: i32,
    pub height: i32,
    /// Whether the current passport binds this photo (else the next issue will).
    pub in_passport: bool,
}

/// HR's record of one person's passport: the checks behind it, the form to reissue it from,
/// their photo, whether they have confirmed it, and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportRecord {
    pub holder_id: i32,
    pub holder_name: String,
    pub holder_email: String,
    pub active: bool,
    /// The home trust's ODS code and name.
    pub trust: String,
    pub trust_name: String,
    /// The newest passport, valid or not.
    pub current: Option<PassportSummary>,
    /// The form's starting values: the newest passport's, else the person's record.
    pub form: PassportForm,
    pub checks: Vec<CheckView>,
    pub photo: Option<PhotoView>,
    /// The holder's review of the newest passport, if it is not revoked.
    pub review: PassportReview,
    /// What the holder reported, if that is the newest review.
    pub problem: Option<String>,
    pub history: Vec<PassportEvent>,
}

/// Why someone is in HR's passport queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueReason {
    pub kind: QueueReasonKind,
    pub detail: String,
}

/// One person in HR's passport queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub holder_id: i32,
    pub name: String,
    pub email: String,
    pub reasons: Vec<QueueReason>,
}

/// A trust's passport queue: its active staff whose passport needs HR, most urgent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportQueue {
    pub trust: String,
    pub trust_name: String,
    pub entries: Vec<QueueEntry>,
    /// How many of the trust's active staff need nothing.
    pub up_to_date: usize,
}

/// Where the photo with `digest` (`sha-256:…`, a passport's `photo_digest`) is served.
pub fn photo_url(digest: &str) -> String {
    format!("/passport-photos/{}", digest.strip_prefix("sha-256:").unwrap_or(digest))
}

/// How far ahead the queue looks for a passport expiring.
pub const EXPIRY_WARNING_DAYS: i64 = 30;
/// How far ahead the queue looks for a check lapsing.
pub const LAPSE_WARNING_DAYS: i64 = 60;

pub const ISSUE_PASSPORT_FORM: &str = "issue_passport";
pub const REVOKE_PASSPORT_FORM: &str = "revoke_passport";
pub const PASSPORT_PHOTO_FORM: &str = "passport_photo";
pub const CONFIRM_PASSPORT_FORM: &str = "confirm_passport";
pub const PASSPORT_PROBLEM_FORM: &str = "passport_problem";
pub const VERIFY_PASSPORT_FORM: &str = "verify_passport";
