//! Who may apply for a placement: its staff groups, bands and registration, against the
//! applicant's own, with the reasons in plain words when they fall short.

use super::pay_band::PayBand;
use super::registration::RegistrationBody;
use super::staff_group::StaffGroup;
use serde::{Deserialize, Serialize};

/// Who may apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Empty: every staff group.
    pub staff_groups: Vec<StaffGroup>,
    pub band_min: PayBand,
    pub band_max: PayBand,
    /// `None`: no registration needed. `Some(None)`: registration with any body.
    pub registration: Option<Option<RegistrationBody>>,
}

/// A staff member as eligibility sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub staff_group: Option<StaffGroup>,
    pub band: Option<PayBand>,
    pub registration: Option<RegistrationBody>,
}

/// One way a person falls short of a placement's eligibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shortfall {
    Group(StaffGroup),
    GroupUnknown,
    Band(PayBand, PayBand),
    BandUnknown,
    Body(RegistrationBody),
    NoRegistration,
}

impl std::fmt::Display for Shortfall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Group(g) => write!(f, "It is not open to {}", g.label()),
            Self::GroupUnknown => f.write_str("Your staff group is not recorded"),
            Self::Band(min, max) => write!(f, "It is for bands {} to {}", min.code(), max.code()),
            Self::BandUnknown => f.write_str("Your pay band is not recorded"),
            Self::Body(body) => write!(f, "It needs registration with the {}", body.code()),
            Self::NoRegistration => f.write_str("It needs a professional registration"),
        }
    }
}

impl Eligibility {
    /// The one rule: each of staff group, band and registration either fits or falls short.
    fn shortfalls(&self, who: &Applicant) -> impl Iterator<Item = Shortfall> {
        let group = match who.staff_group {
            Some(g) if self.staff_groups.is_empty() || self.staff_groups.contains(&g) => None,
            Some(g) => Some(Shortfall::Group(g)),
            None if self.staff_groups.is_empty() => None,
            None => Some(Shortfall::GroupUnknown),
        };
        let band = match who.band {
            Some(b) if b >= self.band_min && b <= self.band_max => None,
            Some(_) => Some(Shortfall::Band(self.band_min, self.band_max)),
            None => Some(Shortfall::BandUnknown),
        };
        let registration = match (self.registration, who.registration) {
            (None, _) | (Some(None), Some(_)) => None,
            (Some(Some(body)), Some(held)) if body == held => None,
            (Some(Some(body)), _) => Some(Shortfall::Body(body)),
            (Some(None), None) => Some(Shortfall::NoRegistration),
        };
        [group, band, registration].into_iter().flatten()
    }

    /// Whether `who` may apply (what browsing filters on, without building the reasons).
    pub fn admits(&self, who: &Applicant) -> bool {
        self.shortfalls(who).next().is_none()
    }

    /// Why `who` may not apply, each reason in plain words; empty when they may.
    pub fn reasons_not(&self, who: &Applicant) -> Vec<String> {
        self.shortfalls(who).map(|s| s.to_string()).collect()
    }
}
