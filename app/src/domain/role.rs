use super::coded::coded_enum;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// What a person may do, granted at one trust (or, for the project manager, alliance-wide).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum Role {
        Staff = "staff", "Staff member";
        LineManager = "line_manager", "Line manager";
        PlacementLead = "placement_lead", "Placement lead";
        HrOfficer = "hr_officer", "HR passport officer";
        ProjectManager = "project_manager", "Alliance project manager";
    }
}

impl Role {
    /// Every role but the project manager's is held at one trust.
    pub fn is_trust_scoped(self) -> bool {
        self != Role::ProjectManager
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_code(raw, "Select a role", "Select a role from the list")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_code() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Ok(r));
        }
        assert!(Role::parse("").is_err());
        assert!(Role::parse("admin").is_err());
    }

    #[test]
    fn only_the_project_manager_is_alliance_wide() {
        let alliance: Vec<_> = Role::ALL.into_iter().filter(|r| !r.is_trust_scoped()).collect();
        assert_eq!(alliance, vec![Role::ProjectManager]);
    }
}
