//! Domain types that can only be built valid. Forms become commands only through these parsers,
//! which compile for the browser and the server alike and return the message a user should see.

mod application;
mod audit;
mod checks;
mod coded;
pub mod dates;
mod eligibility;
mod email;
mod network;
mod ods_code;
mod passport;
mod passport_form;
mod passport_state;
mod password;
mod pay_band;
mod person;
mod placement;
mod registration;
mod role;
mod staff_group;
mod team;
mod text;

pub use application::{
    ApplicationDetails, ApplicationEvent, ApplicationInput, ApplicationState, Feedback, FeedbackInput, MAX_GOALS_CHARS,
    MAX_REASON_CHARS, OutcomesMet, Party, Phase, parse_reason,
};
pub use audit::AuditAction;
pub use checks::{DbsLevel, OhClearance, PassportCheck, RightToWork};
pub use email::EmailAddress;
pub use network::{NewPathway, PathwayStatus, TrustDetails, TrustInput};
pub use ods_code::OdsCode;
pub use passport::{
    MAX_PROBLEM_CHARS, PASSPORT_ITEM_COUNT, PASSPORT_ITEM_LABELS, PassportItems, ProblemReport, item_display,
    item_label, item_rank,
};
pub use passport_form::{
    CheckRecord, DBS_RECHECK_MONTHS, DbsCheck, NiNumber, ParsedPassport, PassportForm, Registration, SmartcardNumber,
};
pub use passport_state::{PassportAction, PassportActorRole, PassportReview, PassportStatus, QueueReasonKind};
pub use password::{MIN_PASSWORD_CHARS, NewPassword};
pub use pay_band::PayBand;
pub use person::{AccountChange, PersonDetails, PersonInput, RegistrationNumber};
pub use placement::{
    Applicant, CANCELLED_IS_FINAL, Eligibility, MAX_PLACES, PlacementDetails, PlacementEvent, PlacementInput,
    PlacementKind, PlacementState, Schedule, search_terms, text_words,
};
pub use registration::RegistrationBody;
pub use role::Role;
pub use staff_group::StaffGroup;
pub use team::{MinimumCover, NewTeam, NewTeamInput, TeamName};
pub use text::BoundedText;
