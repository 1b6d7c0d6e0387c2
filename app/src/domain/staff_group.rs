use super::coded::coded_enum;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The NHS Electronic Staff Record staff groups.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum StaffGroup {
        AddProfScientificTechnical = "add_prof_sci_tech", "Additional Professional Scientific and Technical";
        AdditionalClinicalServices = "additional_clinical", "Additional Clinical Services";
        AdministrativeClerical = "admin_clerical", "Administrative and Clerical";
        AlliedHealthProfessionals = "ahp", "Allied Health Professionals";
        EstatesAncillary = "estates_ancillary", "Estates and Ancillary";
        HealthcareScientists = "healthcare_scientists", "Healthcare Scientists";
        MedicalDental = "medical_dental", "Medical and Dental";
        NursingMidwiferyRegistered = "nursing_midwifery", "Nursing and Midwifery Registered";
        Students = "students", "Students";
    }
}

impl StaffGroup {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_code(raw, "Select a staff group", "Select a staff group from the list")
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
