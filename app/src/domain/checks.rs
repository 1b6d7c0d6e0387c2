//! The employment checks HR records behind a passport, and the results some of them have:
//! the DBS level, the right to work and occupational health's clearance.

use super::coded::coded_enum;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The level of a DBS check.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum DbsLevel {
        Basic = "basic", "Basic";
        Standard = "standard", "Standard";
        Enhanced = "enhanced", "Enhanced";
        EnhancedBarred = "enhanced_barred", "Enhanced with barred list check";
    }
}

impl DbsLevel {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let message = "Select a DBS check level from the list";
        Self::parse_code(raw, message, message)
    }
}

coded_enum! {
    /// The result of a right-to-work check (never the document itself).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum RightToWork {
        /// A British or Irish citizen, or settled status: no follow-up check.
        Unlimited = "unlimited", "Confirmed, no time limit";
        /// Permission to work until a date, when it must be checked again.
        TimeLimited = "time_limited", "Confirmed, time-limited";
    }
}

impl RightToWork {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_code(
            raw,
            "Select the result of the right-to-work check",
            "Select a right-to-work result from the list",
        )
    }
}

coded_enum! {
    /// Occupational health's clearance.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum OhClearance {
        Cleared = "cleared", "Cleared";
        ClearedWithAdjustments = "cleared_with_adjustments", "Cleared with adjustments";
        NotCleared = "not_cleared", "Not cleared";
    }
}

impl OhClearance {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_code(raw, "Select the occupational health clearance", "Select a clearance from the list")
    }
}

coded_enum! {
    /// One employment check HR records, each with the day it was done.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum PassportCheck {
        /// Name, date of birth and photo against an identity document.
        Identity = "identity", "Identity and photo";
        NiNumber = "ni_number", "National Insurance number";
        Dbs = "dbs", "DBS check";
        RightToWork = "right_to_work", "Right to work";
        Registration = "registration", "Professional registration";
        /// The employment details, from the trust's own records.
        Employment = "employment", "Employment details";
        OccupationalHealth = "occupational_health", "Occupational health clearance";
    }
}
