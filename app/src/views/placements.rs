//! Placements: a host trust's leads write, publish, close, reopen, cancel and copy them; staff
//! browse the open ones across the alliance.

use crate::domain::{PlacementEvent, PlacementState};
use serde::{Deserialize, Serialize};

/// One placement as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementView {
    pub id: i32,
    pub trust_ods: String,
    pub trust_name: String,
    pub site: Option<String>,
    pub department: String,
    pub pathway: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub outcomes: String,
    pub supervisor: String,
    /// "1 March 2027 to 5 March 2027", or "5 days between … and …".
    pub when: String,
    pub places: i16,
    pub places_left: i16,
    pub closing_date: String,
    pub state: PlacementState,
    /// What the viewer may do to it next, as the state machine allows (empty unless they
    /// manage it).
    pub events: Vec<PlacementEvent>,
    /// Why the viewer may not apply (empty: they may); `None` when the viewer is not staff.
    pub not_eligible_because: Option<Vec<String>>,
    /// Whether the viewer may change it.
    pub manageable: bool,
    /// Whether it takes applications now: open, and its closing date not passed.
    pub takes_applications: bool,
    /// For a placement with a window, the days one takes in it (the applicant proposes them).
    pub window_days: Option<i16>,
    /// The viewer's own application to it that is still under way, if any.
    pub your_application: Option<i32>,
}

/// What the browse page asks for, straight from its URL (`/placements?q=…&pathway=…`), so a
/// search can be shared and the back button works.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct BrowseQuery {
    /// Free text over title, description and learning outcomes.
    pub q: String,
    /// A pathway's slug.
    pub pathway: String,
    /// A placement kind's code.
    pub kind: String,
    /// A host trust's ODS code.
    pub trust: String,
    /// Runs on or after this date (YYYY-MM-DD).
    pub from: String,
    /// Runs on or before this date (YYYY-MM-DD).
    pub to: String,
    /// `closing` (soonest closing first, the default) or `start`.
    pub sort: String,
    /// Only placements the viewer is eligible for. On unless the filter form was submitted
    /// without it: `filtered` marks a submitted form, since an unticked box sends nothing.
    pub eligible: bool,
    pub filtered: bool,
    /// 1-based.
    pub page: u32,
}

impl Default for BrowseQuery {
    /// Everything, soonest closing first, only what the viewer is eligible for, page 1.
    fn default() -> Self {
        Self::from_params(|_| None)
    }
}

impl BrowseQuery {
    /// Reads the query from URL parameters.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| get(k).unwrap_or_default();
        let filtered = get("filtered").is_some();
        Self {
            q: text("q"),
            pathway: text("pathway"),
            kind: text("kind"),
            trust: text("trust"),
            from: text("from"),
            to: text("to"),
            sort: text("sort"),
            eligible: !filtered || get("eligible").is_some(),
            filtered,
            page: get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
        }
    }

    /// The URL of this query at `page`, leaving out what is empty.
    pub fn href(&self, page: u32) -> String {
        let mut parts: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("pathway", &self.pathway),
            ("kind", &self.kind),
            ("trust", &self.trust),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", &self.sort),
        ] {
            if !v.trim().is_empty() {
                parts.push((k, v.trim().to_owned()));
            }
        }
        if self.filtered {
            parts.push(("filtered", "1".into()));
            if self.eligible {
                parts.push(("eligible", "1".into()));
            }
        }
        if page > 1 {
            parts.push(("page", page.to_string()));
        }
        let qs: Vec<String> = parts.into_iter().map(|(k, v)| format!("{k}={}", super::urlencode(&v))).collect();
        if qs.is_empty() { "/placements".into() } else { format!("/placements?{}", qs.join("&")) }
    }
}

/// One open placement in the browse list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowseRow {
    pub id: i32,
    pub title: String,
    pub trust_name: String,
    pub pathway: String,
    pub kind: String,
    pub when: String,
    pub closing_date: String,
    pub places_left: i16,
}

/// A page of browse results, with what the filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowsePage {
    pub rows: Vec<BrowseRow>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    /// Whether the viewer is staff, so "only what I am eligible for" means something.
    pub is_staff: bool,
    /// Filters that could not be read, as (field, message); those filters were not applied.
    pub problems: Vec<(String, String)>,
    /// (slug, name) of pathways, (ODS code, name) of trusts, (code, label) of kinds.
    pub pathways: Vec<(String, String)>,
    pub trusts: Vec<(String, String)>,
    pub kinds: Vec<(String, String)>,
}

pub const BROWSE_PAGE_SIZE: u64 = 20;

/// What the placement form offers: the trust's sites, pathways, kinds, staff groups, bands
/// and registration bodies, as (value, label) pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementFormChoices {
    pub trust_ods: String,
    pub trust_name: String,
    pub sites: Vec<(String, String)>,
    pub pathways: Vec<(String, String)>,
    pub kinds: Vec<(String, String)>,
    pub staff_groups: Vec<(String, String)>,
    pub bands: Vec<(String, String)>,
    pub registrations: Vec<(String, String)>,
}

/// A placement as its edit form starts: the choices and the current values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementEdit {
    pub id: i32,
    pub title: String,
    pub state: PlacementState,
    pub choices: PlacementFormChoices,
    pub input: crate::domain::PlacementInput,
}

/// A row of a trust's placements list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustPlacementRow {
    pub id: i32,
    pub title: String,
    pub state: PlacementState,
    pub start: String,
    pub closing_date: String,
    pub places: i16,
    pub accepted: i16,
    /// Applications waiting on the host: sent, or released by the applicant's line manager.
    pub waiting: i64,
}

/// A trust's placements, for its leads (drafts included) or a project manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustPlacementList {
    pub trust_ods: String,
    pub trust_name: String,
    /// Whether the viewer may post and change this trust's placements.
    pub manageable: bool,
    pub rows: Vec<TrustPlacementRow>,
}

/// The new-placement form (its success goes to the new placement's page).
pub const NEW_PLACEMENT_FORM: &str = "new_placement";
/// The edit form (its success message shows on the placement's page).
pub const PLACEMENT_FORM: &str = "placement";
pub const PLACEMENT_STATE_FORM: &str = "placement_state";
