use serde::{Deserialize, Serialize};

/// The NHS Electronic Staff Record staff groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StaffGroup {
    AddProfScientificTechnical,
    AdditionalClinicalServices,
    AdministrativeClerical,
    AlliedHealthProfessionals,
    EstatesAncillary,
    HealthcareScientists,
    MedicalDental,
    NursingMidwiferyRegistered,
    Students,
}

impl StaffGroup {
    pub const ALL: [StaffGroup; 9] = [
        Self::AddProfScientificTechnical,
        Self::AdditionalClinicalServices,
        Self::AdministrativeClerical,
        Self::AlliedHealthProfessionals,
        Self::EstatesAncillary,
        Self::HealthcareScientists,
        Self::MedicalDental,
        Self::NursingMidwiferyRegistered,
        Self::Students,
    ];

    /// The stable code stored in the database and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::AddProfScientificTechnical => "add_prof_sci_tech",
            Self::AdditionalClinicalServices => "additional_clinical",
            Self::AdministrativeClerical => "admin_clerical",
            Self::AlliedHealthProfessionals => "ahp",
            Self::EstatesAncillary => "estates_ancillary",
            Self::HealthcareScientists => "healthcare_scientists",
            Self::MedicalDental => "medical_dental",
            Self::NursingMidwiferyRegistered => "nursing_midwifery",
            Self::Students => "students",
        }
    }

    /// The name as ESR spells it.
    pub fn label(self) -> &'static str {
        match self {
            Self::AddProfScientificTechnical => "Additional Professional Scientific and Technical",
            Self::AdditionalClinicalServices => "Additional Clinical Services",
            Self::AdministrativeClerical => "Administrative and Clerical",
            Self::AlliedHealthProfessionals => "Allied Health Professionals",
            Self::EstatesAncillary => "Estates and Ancillary",
            Self::HealthcareScientists => "Healthcare Scientists",
            Self::MedicalDental => "Medical and Dental",
            Self::NursingMidwiferyRegistered => "Nursing and Midwifery Registered",
            Self::Students => "Students",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("Select a staff group".into());
        }
        Self::ALL.into_iter().find(|g| g.code() == raw).ok_or_else(|| "Select a staff group from the list".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_round_trips_and_codes_are_unique() {
        let mut codes: Vec<_> = StaffGroup::ALL.iter().map(|g| g.code()).collect();
        for g in StaffGroup::ALL {
            assert_eq!(StaffGroup::parse(g.code()), Ok(g));
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), StaffGroup::ALL.len());
        assert!(StaffGroup::parse("Nursing").is_err());
    }
}
