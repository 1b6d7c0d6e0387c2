//! Applications: a staff member asks to go on a placement, their line manager releases them and
//! the host's lead accepts them, in either order; the one state machine an application's life
//! follows, who may move it, and whom it is waiting on.

use super::coded::coded_enum;
use super::dates;
use super::placement::{Schedule, long_text};
use crate::error::{AppError, FormErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// Where an application is in its life. Approval needs both decisions, in either order.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ApplicationState {
        /// Sent: waiting on the applicant's line manager and the host's lead.
        Submitted = "submitted", "Waiting for release and acceptance";
        /// Released by the line manager: waiting on the host's lead.
        Released = "released", "Released, waiting for the host";
        /// Accepted by the host's lead, who holds a place for it: waiting on the line manager.
        Accepted = "accepted", "Accepted, waiting for release";
        /// Released and accepted: the placement will go ahead.
        Approved = "approved", "Approved";
        /// The host's lead has recorded the induction.
        Inducted = "inducted", "Induction done";
        Completed = "completed", "Completed";
        /// Stopped after the start, with a reason.
        EndedEarly = "ended_early", "Ended early";
        /// Declined by the line manager or the host's lead, with a reason.
        Declined = "declined", "Declined";
        /// Withdrawn by the applicant before the start, with a reason.
        Withdrawn = "withdrawn", "Withdrawn";
        /// Called off after approval, before the start, by either side, with a reason.
        Cancelled = "cancelled", "Cancelled";
    }
}

coded_enum! {
    /// Something that happens to an application. The code is what a form posts and what the
    /// transition's row records.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ApplicationEvent {
        Release = "release", "Release";
        RefuseRelease = "refuse_release", "Do not release";
        Accept = "accept", "Accept";
        Decline = "decline", "Decline";
        Withdraw = "withdraw", "Withdraw";
        Cancel = "cancel", "Cancel the placement";
        RecordInduction = "record_induction", "Record induction";
        Complete = "complete", "Record completion";
        EndEarly = "end_early", "Record an early end";
    }
}

/// Who takes part in an application. A person may be several (a line manager who is also
/// staff); the access rules resolve each actor to the parties they are for one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Party {
    /// The staff member who applied.
    Applicant,
    /// A line manager of the applicant's own team.
    LineManager,
    /// A placement lead of the host trust.
    HostLead,
}

impl Party {
    pub fn label(self) -> &'static str {
        match self {
            Party::Applicant => "the applicant",
            Party::LineManager => "their line manager",
            Party::HostLead => "the host's placement lead",
        }
    }
}

/// Where today falls against the placement's days (the proposed days, for a window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Phase {
    BeforeStart,
    /// From the first day to the last, inclusive.
    Running,
    /// After the last day.
    Ended,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::BeforeStart, Phase::Running, Phase::Ended];

    pub fn on(today: NaiveDate, first: NaiveDate, last: NaiveDate) -> Self {
        if today < first {
            Phase::BeforeStart
        } else if today <= last {
            Phase::Running
        } else {
            Phase::Ended
        }
    }
}

/// The longest reason a decline, withdrawal, cancellation or early end may carry.
pub const MAX_REASON_CHARS: usize = 500;
/// The longest statement of what someone wants to learn.
pub const MAX_GOALS_CHARS: usize = 1000;

impl ApplicationEvent {
    /// Who may cause it.
    pub fn parties(self) -> &'static [Party] {
        use ApplicationEvent as E;
        match self {
            E::Release | E::RefuseRelease => &[Party::LineManager],
            E::Accept | E::Decline | E::RecordInduction | E::Complete | E::EndEarly => &[Party::HostLead],
            E::Withdraw => &[Party::Applicant],
            E::Cancel => &[Party::LineManager, Party::HostLead],
        }
    }

    /// Whether it must say why.
    pub fn needs_reason(self) -> bool {
        use ApplicationEvent as E;
        matches!(self, E::RefuseRelease | E::Decline | E::Withdraw | E::Cancel | E::EndEarly)
    }
}

const TOO_LATE: &str = "The placement has started, so this can no longer be done";
const NOT_STARTED: &str = "This can be recorded once the placement has started";

impl ApplicationState {
    /// The state after `event` in `phase`, or why it cannot happen. Every transition is here
    /// and nowhere else; who may cause each event is [`ApplicationEvent::parties`].
    pub fn after(self, event: ApplicationEvent, phase: Phase) -> Result<Self, String> {
        use ApplicationEvent as E;
        use ApplicationState as S;
        use Phase::{BeforeStart, Ended, Running};
        match (self, event, phase) {
            (S::Completed | S::EndedEarly | S::Declined | S::Withdrawn | S::Cancelled, _, _) => {
                Err(format!("This application is {}: nothing more can be done to it", self.label().to_lowercase()))
            }
            // The two decisions, in either order, before the start.
            (
                S::Submitted | S::Released | S::Accepted,
                E::Release | E::RefuseRelease | E::Accept | E::Decline,
                Running | Ended,
            ) => Err(TOO_LATE.into()),
            (S::Submitted, E::Release, BeforeStart) => Ok(S::Released),
            (S::Accepted, E::Release, BeforeStart) => Ok(S::Approved),
            (S::Submitted, E::Accept, BeforeStart) => Ok(S::Accepted),
            (S::Released, E::Accept, BeforeStart) => Ok(S::Approved),
            (S::Submitted | S::Accepted, E::RefuseRelease, BeforeStart) => Ok(S::Declined),
            (S::Submitted | S::Released, E::Decline, BeforeStart) => Ok(S::Declined),
            (S::Released, E::Release | E::RefuseRelease, BeforeStart) => {
                Err("The line manager has already released this application".into())
            }
            (S::Accepted, E::Accept | E::Decline, BeforeStart) => {
                Err("The host has already accepted this application".into())
            }
            (S::Approved | S::Inducted, E::Release | E::RefuseRelease | E::Accept | E::Decline, _) => {
                Err("This application has already been approved".into())
            }
            // The applicant withdraws, and either side cancels an approved one, before the start.
            (S::Submitted | S::Released | S::Accepted | S::Approved, E::Withdraw, BeforeStart) => Ok(S::Withdrawn),
            (S::Submitted | S::Released | S::Accepted | S::Approved, E::Withdraw, Running | Ended) => {
                Err(TOO_LATE.into())
            }
            (S::Approved, E::Cancel, BeforeStart) => Ok(S::Cancelled),
            (S::Approved, E::Cancel, Running | Ended) => Err(TOO_LATE.into()),
            (S::Submitted | S::Released | S::Accepted, E::Cancel, _) => {
                Err("Only an approved placement can be cancelled: decline the application instead".into())
            }
            (S::Inducted, E::Withdraw | E::Cancel, _) => Err(TOO_LATE.into()),
            // After the start, the host records induction, then completion or an early end.
            (S::Approved, E::RecordInduction, Running | Ended) => Ok(S::Inducted),
            (S::Approved | S::Inducted, E::EndEarly, Running | Ended) => Ok(S::EndedEarly),
            (S::Inducted, E::Complete, Ended) => Ok(S::Completed),
            (S::Approved, E::RecordInduction | E::EndEarly, BeforeStart) | (S::Inducted, E::EndEarly, BeforeStart) => {
                Err(NOT_STARTED.into())
            }
            (S::Inducted, E::Complete, BeforeStart | Running) => {
                Err("Completion can be recorded after the placement's last day".into())
            }
            (S::Approved, E::Complete, _) => Err("Record the induction first".into()),
            (S::Inducted, E::RecordInduction, _) => Err("The induction has already been recorded".into()),
            (S::Submitted | S::Released | S::Accepted, E::RecordInduction | E::Complete | E::EndEarly, _) => {
                Err("This application has not been approved".into())
            }
        }
    }

    /// Whether it holds one of the placement's places: the host accepted it, and it has not
    /// since been declined, withdrawn or cancelled. (A completed or ended one keeps its place:
    /// the place was used.)
    pub fn holds_place(self) -> bool {
        use ApplicationState as S;
        matches!(self, S::Accepted | S::Approved | S::Inducted | S::Completed | S::EndedEarly)
    }

    /// Whether it takes the applicant away from their team on its days (for cover): it has been
    /// released and has not since ended before it began.
    pub fn takes_from_team(self) -> bool {
        use ApplicationState as S;
        matches!(self, S::Released | S::Approved | S::Inducted | S::Completed | S::EndedEarly)
    }

    /// Still under way: a person has at most one live application per placement.
    pub fn is_live(self) -> bool {
        use ApplicationState as S;
        matches!(self, S::Submitted | S::Released | S::Accepted | S::Approved | S::Inducted)
    }

    /// Whom it is waiting on now, in `phase`.
    pub fn waiting_on(self, phase: Phase) -> Vec<Party> {
        ApplicationEvent::ALL
            .into_iter()
            .filter(|e| {
                !matches!(e, ApplicationEvent::Withdraw | ApplicationEvent::Cancel | ApplicationEvent::EndEarly)
            })
            .filter(|e| self.after(*e, phase).is_ok())
            .flat_map(|e| e.parties().iter().copied())
            .fold(Vec::new(), |mut parties, p| {
                if !parties.contains(&p) {
                    parties.push(p);
                }
                parties
            })
    }

    /// The events `party` could cause now, so a page offers those buttons and no others.
    pub fn events_for(self, party: Party, phase: Phase) -> Vec<ApplicationEvent> {
        ApplicationEvent::ALL
            .into_iter()
            .filter(|e| e.parties().contains(&party) && self.after(*e, phase).is_ok())
            .collect()
    }
}

/// The application form's fields, exactly as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationInput {
    /// What they want to learn.
    pub goals: String,
    /// The first and last days they propose, for a placement with a window.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// An application's details, valid against its placement's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDetails {
    pub goals: String,
    /// The days they would be away: the placement's own, or those proposed in its window.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl ApplicationDetails {
    pub fn parse(input: &ApplicationInput, schedule: Schedule) -> Result<Self, AppError> {
        let mut e = FormErrors::with_values([
            ("goals", input.goals.as_str()),
            ("from", input.from.as_str()),
            ("to", input.to.as_str()),
        ]);
        let goals = e.check("goals", long_text(&input.goals, "what you want to learn", MAX_GOALS_CHARS));
        let days = match schedule {
            Schedule::Fixed { start, end } => Some((start, end)),
            Schedule::Window { from, to, days } => {
                let day = |raw: &str, what: &str| match raw.trim() {
                    "" => Err(format!("Enter the {what} you propose")),
                    s => dates::parse_day(s)
                        .ok_or_else(|| format!("Enter the {what} as a real date, like {}", dates::form_day(from)))
                        .and_then(|d| {
                            if d < from || d > to {
                                Err(format!(
                                    "The {what} must be between {} and {}",
                                    dates::long_day(from),
                                    dates::long_day(to)
                                ))
                            } else {
                                Ok(d)
                            }
                        }),
                };
                let first = e.check("from", day(&input.from, "first day"));
                let last = e.check("to", day(&input.to, "last day"));
                match (first, last) {
                    (Some(f), Some(l)) if l < f => {
                        e.add("to", "The last day must be on or after the first day");
                        None
                    }
                    (Some(f), Some(l)) if (l - f).num_days() + 1 != i64::from(days) => {
                        let n = (l - f).num_days() + 1;
                        e.add("to", format!("This placement is {days} days long: those dates make {n}"));
                        None
                    }
                    (Some(f), Some(l)) => Some((f, l)),
                    _ => None,
                }
            }
        };
        e.into_result(|| {
            let (first_day, last_day) = days?;
            Some(ApplicationDetails { goals: goals?, first_day, last_day })
        })
    }
}

coded_enum! {
    /// How many of the placement's learning outcomes were met, as feedback says.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum OutcomesMet {
        All = "all", "All of them";
        Some = "some", "Some of them";
        None = "none", "None of them";
    }
}

/// The feedback form's fields, exactly as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackInput {
    pub outcomes_met: String,
    /// 1 to 5.
    pub rating: String,
    /// `yes` or `no`.
    pub would_recommend: String,
    #[serde(default)]
    pub comments: String,
}

/// Feedback on a completed placement, valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub outcomes_met: OutcomesMet,
    pub rating: u8,
    pub would_recommend: bool,
    pub comments: String,
}

/// The longest free text feedback may carry.
pub const MAX_FEEDBACK_CHARS: usize = 1000;

impl Feedback {
    pub fn parse(input: &FeedbackInput) -> Result<Self, AppError> {
        let mut e = FormErrors::with_values([
            ("outcomes_met", input.outcomes_met.as_str()),
            ("rating", input.rating.as_str()),
            ("would_recommend", input.would_recommend.as_str()),
            ("comments", input.comments.as_str()),
        ]);
        let missing = "Select how many of the learning outcomes were met";
        let outcomes_met = e.check("outcomes_met", OutcomesMet::parse_code(&input.outcomes_met, missing, missing));
        let rating = e.check(
            "rating",
            match input.rating.trim().parse::<u8>() {
                Ok(n @ 1..=5) => Ok(n),
                _ => Err("Select a rating from 1 to 5".to_owned()),
            },
        );
        let would_recommend = e.check(
            "would_recommend",
            match input.would_recommend.trim() {
                "yes" => Ok(true),
                "no" => Ok(false),
                _ => Err("Select whether you would recommend it".to_owned()),
            },
        );
        let comments = match input.comments.trim() {
            "" => Some(String::new()),
            _ => e.check("comments", long_text(&input.comments, "your comments", MAX_FEEDBACK_CHARS)),
        };
        e.into_result(|| {
            Some(Feedback {
                outcomes_met: outcomes_met?,
                rating: rating?,
                would_recommend: would_recommend?,
                comments: comments?,
            })
        })
    }
}

/// Parses the reason an event must give.
pub fn parse_reason(raw: &str) -> Result<String, String> {
    long_text(raw, "the reason", MAX_REASON_CHARS)
}

#[cfg(test)]
mod tests;
