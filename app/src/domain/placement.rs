//! Placements: what a host trust offers, its schedule, who is eligible, and the one state
//! machine its life follows.

use super::coded::coded_enum;
pub use super::eligibility::{Applicant, Eligibility};
use super::pay_band::PayBand;
use super::registration::RegistrationBody;
use super::staff_group::StaffGroup;
use super::text::BoundedText;
use crate::error::{AppError, FormErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The kinds of placement in the pilot model.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum PlacementKind {
        /// E.g. supervised practice for a non-medical prescribing course.
        TrainingEducation = "training", "Training and education";
        /// Observe a 7-day service, another acute oncology team, senior decision-making.
        Shadowing = "shadowing", "Shadowing";
        Mentoring = "mentoring", "Mentoring";
        /// Business cases, service development, strategic working.
        ManagementLeadership = "leadership", "Management and leadership development";
        /// Service support for an urgent need.
        ServiceSupport = "service_support", "Service support for an urgent need";
    }
}

impl PlacementKind {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_code(raw, "Select the kind of placement", "Select the kind of placement")
    }
}

coded_enum! {
    /// Where a placement is in its life.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum PlacementState {
        /// Being written; seen only by its trust's leads.
        Draft = "draft", "Draft";
        /// Taking applications.
        Open = "open", "Open";
        /// Every place accepted; opens again if someone accepted withdraws before the start.
        Full = "full", "Full";
        /// Closed early or past its closing date.
        Closed = "closed", "Closed";
        /// Withdrawn by the host, with a reason. Final.
        Cancelled = "cancelled", "Cancelled";
    }
}

/// Why nothing can be done to a cancelled placement.
pub const CANCELLED_IS_FINAL: &str = "This placement has been cancelled. Copy it to post it again";

/// Something that happens to a placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlacementEvent {
    Publish,
    Close,
    Reopen,
    Cancel,
    /// The last place was accepted.
    Filled,
    /// Someone accepted withdrew before the start, freeing a place.
    PlaceFreed,
}

impl PlacementEvent {
    /// What a lead does to a placement; the others happen as applications are accepted or
    /// withdrawn.
    pub const BY_LEAD: [PlacementEvent; 4] = [Self::Publish, Self::Close, Self::Reopen, Self::Cancel];

    /// The code a form posts for a lead's event.
    pub fn code(self) -> &'static str {
        match self {
            Self::Publish => "publish",
            Self::Close => "close",
            Self::Reopen => "reopen",
            Self::Cancel => "cancel",
            Self::Filled => "filled",
            Self::PlaceFreed => "place_freed",
        }
    }

    /// A lead's event from the code its form posts (`Filled` and `PlaceFreed` are never posted).
    pub fn parse_by_lead(raw: &str) -> Option<Self> {
        Self::BY_LEAD.into_iter().find(|e| e.code() == raw)
    }
}

impl PlacementState {
    /// The state after `event`, or why it cannot happen. Every transition is here and nowhere
    /// else; the dates a transition needs (not in the past, before the closing date) are checked
    /// by the caller with [`PlacementDetails::check_publishable`].
    pub fn after(self, event: PlacementEvent) -> Result<Self, String> {
        use PlacementEvent as E;
        use PlacementState as S;
        match (self, event) {
            (S::Draft, E::Publish) => Ok(S::Open),
            (S::Open, E::Filled) => Ok(S::Full),
            (S::Full, E::PlaceFreed) => Ok(S::Open),
            (S::Open | S::Full, E::Close) => Ok(S::Closed),
            (S::Closed, E::Reopen) => Ok(S::Open),
            (S::Draft | S::Open | S::Full | S::Closed, E::Cancel) => Ok(S::Cancelled),
            (S::Cancelled, _) => Err(CANCELLED_IS_FINAL.into()),
            (S::Open | S::Full, E::Publish) => Err("This placement is already published".into()),
            (S::Closed, E::Publish) => Err("This placement is closed. Reopen it instead".into()),
            (S::Draft, E::Close | E::Reopen) => Err("This placement has not been published yet".into()),
            (S::Open | S::Full, E::Reopen) => Err("This placement is not closed".into()),
            (S::Closed, E::Close) => Err("This placement is already closed".into()),
            (S::Draft | S::Closed, E::Filled) | (S::Full, E::Filled) => {
                Err("Places can only fill while a placement is open".into())
            }
            (S::Draft | S::Open | S::Closed, E::PlaceFreed) => Ok(self),
        }
    }

    /// The lead's events the state machine allows from this state, so a page offers those
    /// buttons and no others.
    pub fn lead_events(self) -> Vec<PlacementEvent> {
        PlacementEvent::BY_LEAD.into_iter().filter(|e| self.after(*e).is_ok()).collect()
    }

    /// Whether the details may still be changed (a cancelled placement is final).
    pub fn is_editable(self) -> bool {
        self != Self::Cancelled
    }
}

/// When a placement runs: fixed dates, or a window in which the placement takes some days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    Fixed { start: NaiveDate, end: NaiveDate },
    Window { from: NaiveDate, to: NaiveDate, days: u16 },
}

impl Schedule {
    pub fn start(self) -> NaiveDate {
        match self {
            Schedule::Fixed { start, .. } => start,
            Schedule::Window { from, .. } => from,
        }
    }

    pub fn end(self) -> NaiveDate {
        match self {
            Schedule::Fixed { end, .. } => end,
            Schedule::Window { to, .. } => to,
        }
    }
}

/// Text as words: lower-cased runs of letters and digits. Placements are indexed for search,
/// and searches read, by this one rule.
pub fn text_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
}

/// The words of a free-text search: at most 8 words of at most 40 characters (a longer word
/// still matches as a prefix).
pub fn search_terms(raw: &str) -> Vec<String> {
    text_words(raw).map(|w| w.chars().take(40).collect()).take(8).collect()
}

/// Most places a placement may offer.
pub const MAX_PLACES: u16 = 50;

/// The placement form's fields, exactly as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementInput {
    pub site: String,
    pub department: String,
    pub pathway: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub outcomes: String,
    pub supervisor: String,
    /// `fixed` or `window`.
    pub schedule: String,
    pub start: String,
    pub end: String,
    /// Days on placement, for a window.
    pub days: String,
    pub places: String,
    /// Staff group codes, comma-separated (empty: all groups). The form posts the ticked boxes
    /// as `staff_groups[]`, read into this list; none ticked sends nothing.
    #[serde(default, deserialize_with = "comma_list")]
    pub staff_groups: String,
    pub band_min: String,
    pub band_max: String,
    /// `none`, `any` or a body's code.
    pub registration: String,
    pub closing_date: String,
}

/// A list posted as repeated `name[]` fields (or already joined) as one comma-separated string.
fn comma_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of codes")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
            let mut codes = Vec::new();
            while let Some(code) = seq.next_element::<String>()? {
                codes.push(code);
            }
            Ok(codes.join(","))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
            // `staff_groups[0]=a&staff_groups[1]=b`, as a form encoder may index them.
            let mut codes = Vec::new();
            while let Some((_, code)) = map.next_entry::<String, String>()? {
                codes.push(code);
            }
            Ok(codes.join(","))
        }
    }
    d.deserialize_any(Visitor)
}

/// A placement's details, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementDetails {
    pub site_id: Option<i32>,
    pub department: BoundedText,
    pub pathway: String,
    pub kind: PlacementKind,
    pub title: BoundedText,
    pub description: String,
    pub outcomes: String,
    pub supervisor: BoundedText,
    pub schedule: Schedule,
    pub places: u16,
    pub eligibility: Eligibility,
    pub closing_date: NaiveDate,
}

fn date(raw: &str, what: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(format!("Enter the {what}"));
    }
    super::dates::parse_day(s).ok_or_else(|| format!("Enter the {what} as a real date, like 27/03/2027"))
}

/// Multi-line text of bounded length (descriptions, learning outcomes).
pub(super) fn long_text(raw: &str, what: &str, max_chars: usize) -> Result<String, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(format!("Enter {what}"));
    }
    if t.chars().count() > max_chars {
        return Err(format!("Use {max_chars} characters or fewer"));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err("Remove the control characters".into());
    }
    Ok(t.replace("\r\n", "\n"))
}

impl PlacementInput {
    pub fn values(&self) -> FormErrors {
        FormErrors::with_values([
            ("site", self.site.as_str()),
            ("department", self.department.as_str()),
            ("pathway", self.pathway.as_str()),
            ("kind", self.kind.as_str()),
            ("title", self.title.as_str()),
            ("description", self.description.as_str()),
            ("outcomes", self.outcomes.as_str()),
            ("supervisor", self.supervisor.as_str()),
            ("schedule", self.schedule.as_str()),
            ("start", self.start.as_str()),
            ("end", self.end.as_str()),
            ("days", self.days.as_str()),
            ("places", self.places.as_str()),
            ("staff_groups", self.staff_groups.as_str()),
            ("band_min", self.band_min.as_str()),
            ("band_max", self.band_max.as_str()),
            ("registration", self.registration.as_str()),
            ("closing_date", self.closing_date.as_str()),
        ])
    }
}

impl PlacementDetails {
    /// Checks every field, collecting every problem. Dates must be in order here; whether they
    /// are still in the future is checked on publishing ([`Self::check_publishable`]), so a
    /// draft can be saved half-planned.
    pub fn parse(input: &PlacementInput) -> Result<Self, AppError> {
        let mut e = input.values();
        let site_id = e.check(
            "site",
            match input.site.trim() {
                "" => Ok(None),
                s => s.parse::<i32>().map(Some).map_err(|_| "Select a site from the list".to_owned()),
            },
        );
        let department = e.check("department", BoundedText::parse(&input.department, "the department", 100));
        let pathway = e.check(
            "pathway",
            match input.pathway.trim() {
                "" => Err("Select a pathway".to_owned()),
                s => Ok(s.to_owned()),
            },
        );
        let kind = e.check("kind", PlacementKind::parse(&input.kind));
        let title = e.check("title", BoundedText::parse(&input.title, "a title", 120));
        let description = e.check("description", long_text(&input.description, "a description", 4000));
        let outcomes = e.check("outcomes", long_text(&input.outcomes, "the learning outcomes", 2000));
        let supervisor = e.check("supervisor", BoundedText::parse(&input.supervisor, "the supervisor's name", 100));
        let start = e.check("start", date(&input.start, "start date"));
        let end = e.check("end", date(&input.end, "end date"));
        let schedule = match (input.schedule.trim(), start, end) {
            (_, Some(s), Some(t)) if t < s => {
                e.add("end", "The end date must be on or after the start date");
                None
            }
            ("fixed", Some(start), Some(end)) => Some(Schedule::Fixed { start, end }),
            ("window", Some(from), Some(to)) => {
                let span = (to - from).num_days() + 1;
                e.check(
                    "days",
                    input
                        .days
                        .trim()
                        .parse::<u16>()
                        .map_err(|_| "Enter the number of days as a whole number, like 5".to_owned())
                        .and_then(|d| match d {
                            0 => Err("Enter at least 1 day".to_owned()),
                            d if i64::from(d) > span => Err(format!("There are only {span} days between those dates")),
                            d => Ok(d),
                        }),
                )
                .map(|days| Schedule::Window { from, to, days })
            }
            ("fixed" | "window", _, _) => None,
            _ => {
                e.add("schedule", "Select fixed dates or a window");
                None
            }
        };
        let places = e.check(
            "places",
            input
                .places
                .trim()
                .parse::<u16>()
                .map_err(|_| "Enter the number of places as a whole number, like 2".to_owned())
                .and_then(|p| {
                    if (1..=MAX_PLACES).contains(&p) {
                        Ok(p)
                    } else {
                        Err(format!("Offer between 1 and {MAX_PLACES} places"))
                    }
                }),
        );
        let staff_groups = e.check(
            "staff_groups",
            input
                .staff_groups
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(StaffGroup::parse)
                .collect::<Result<Vec<_>, _>>(),
        );
        let band_min = e.check("band_min", PayBand::parse(&input.band_min));
        let band_max = e.check("band_max", PayBand::parse(&input.band_max));
        if let (Some(lo), Some(hi)) = (band_min, band_max)
            && lo > hi
        {
            e.add("band_max", format!("The highest band must be {} or above", lo.code()));
        }
        let registration = e.check(
            "registration",
            match input.registration.trim() {
                "none" => Ok(None),
                "any" => Ok(Some(None)),
                "" => Err("Select whether a professional registration is needed".to_owned()),
                body => RegistrationBody::parse(body).map(|b| Some(Some(b))),
            },
        );
        let closing_date = e.check("closing_date", date(&input.closing_date, "closing date"));
        if let (Some(close), Some(s)) = (closing_date, schedule)
            && close >= s.start()
        {
            e.add("closing_date", "The closing date must be before the placement starts");
        }
        e.into_result(|| {
            Some(PlacementDetails {
                site_id: site_id?,
                department: department?,
                pathway: pathway?,
                kind: kind?,
                title: title?,
                description: description?,
                outcomes: outcomes?,
                supervisor: supervisor?,
                schedule: schedule?,
                places: places?,
                eligibility: Eligibility {
                    staff_groups: staff_groups?,
                    band_min: band_min?,
                    band_max: band_max?,
                    registration: registration?,
                },
                closing_date: closing_date?,
            })
        })
    }

    /// What must also hold to publish (or reopen) on `today`: the closing date not passed, so
    /// the start is not either.
    pub fn check_publishable(&self, today: NaiveDate) -> Result<(), String> {
        if self.closing_date < today {
            return Err("The closing date has passed. Change the dates before publishing".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
