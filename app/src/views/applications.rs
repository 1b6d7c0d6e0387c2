//! Applications: what the applicant, their line manager and the host's lead see of one, and the
//! lists of those each has made or must decide.

use crate::domain::{ApplicationEvent, ApplicationState, Party};
use serde::{Deserialize, Serialize};

/// The form a staff member applies with, on a placement's page.
pub const APPLY_FORM: &str = "apply";
/// The forms that move an application on (release, accept, decline, withdraw, …).
pub const APPLICATION_FORM: &str = "application";
/// The feedback form on a completed application.
pub const FEEDBACK_FORM: &str = "feedback";

/// One step of an application's life, for its timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    /// "2027-03-01 09:05 UTC".
    pub at: String,
    /// Who took it.
    pub who: String,
    /// What happened: "Applied", "Released", "Approved", …
    pub what: String,
}

/// A team's cover over an application's days, for the line manager deciding on a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverView {
    pub team: String,
    pub size: u32,
    pub min_cover: u32,
    /// Who else in the team is away then: name and days.
    pub away: Vec<(String, String)>,
    /// The fewest on duty on any of the days if this person went.
    pub fewest_on_duty: i64,
    /// Why releasing would leave the team short; `None` when it would not.
    pub shortfall: Option<String>,
}

/// One application, as the person viewing it may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationView {
    pub id: i32,
    pub placement_id: i32,
    pub placement_title: String,
    pub host_trust: String,
    pub applicant: String,
    pub home_trust: String,
    pub team: String,
    /// The applicant's staff group and band, for the host.
    pub staff_group: String,
    pub pay_band: String,
    /// "1 March 2027 to 5 March 2027".
    pub days: String,
    pub state: ApplicationState,
    /// What they want to learn; `None` for a viewer it does not involve (a project manager).
    pub goals: Option<String>,
    /// Why it was declined, withdrawn, cancelled or ended early.
    pub reason: Option<String>,
    /// "Waiting for their line manager", or nothing.
    pub waiting_on: Vec<Party>,
    pub steps: Vec<StepView>,
    /// What the viewer may do now.
    pub events: Vec<ApplicationEvent>,
    /// For the applicant's line manager while a release is theirs to decide.
    pub cover: Option<CoverView>,
    /// Whether the viewer is asked for their feedback now (completed, not yet given).
    pub feedback_due: bool,
    /// The feedback given so far, for those it involves: who gave it and what it said.
    pub feedback: Vec<FeedbackView>,
}

/// One side's feedback on a completed placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackView {
    /// "The applicant" or "The host's placement lead".
    pub from: String,
    pub outcomes_met: String,
    pub rating: i16,
    pub would_recommend: bool,
    pub comments: String,
}

/// One row of a list of applications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRow {
    pub id: i32,
    pub placement_title: String,
    pub applicant: String,
    pub host_trust: String,
    pub days: String,
    pub state: ApplicationState,
    pub waiting_on: Vec<Party>,
    /// Whether it waits on the viewer.
    pub yours_to_decide: bool,
}

/// Everything a person's applications page shows: their own, and those waiting on them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationLists {
    pub mine: Vec<ApplicationRow>,
    /// As a line manager of a team or a placement lead of a host trust.
    pub to_decide: Vec<ApplicationRow>,
}

/// "Waiting for their line manager and the host's placement lead".
pub fn waiting_text(parties: &[Party]) -> String {
    match parties {
        [] => String::new(),
        [one] => format!("Waiting for {}", one.label()),
        [first, rest @ ..] => {
            let rest: Vec<&str> = rest.iter().map(|p| p.label()).collect();
            format!("Waiting for {} and {}", first.label(), rest.join(" and "))
        }
    }
}
