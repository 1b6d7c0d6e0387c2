use serde::{Deserialize, Serialize};

/// What a person may do, granted at one trust (or, for the project manager, alliance-wide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Staff,
    LineManager,
    PlacementLead,
    HrOfficer,
    ProjectManager,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::Staff, Role::LineManager, Role::PlacementLead, Role::HrOfficer, Role::ProjectManager];

    /// The stable code stored in the database and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::LineManager => "line_manager",
            Role::PlacementLead => "placement_lead",
            Role::HrOfficer => "hr_officer",
            Role::ProjectManager => "project_manager",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Staff => "Staff member",
            Role::LineManager => "Line manager",
            Role::PlacementLead => "Placement lead",
            Role::HrOfficer => "HR passport officer",
            Role::ProjectManager => "Alliance project manager",
        }
    }

    /// Every role but the project manager's is held at one trust.
    pub fn is_trust_scoped(self) -> bool {
        self != Role::ProjectManager
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "" => Err("Select a role".into()),
            s => Self::ALL.into_iter().find(|r| r.code() == s).ok_or_else(|| "Select a role from the list".into()),
        }
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
