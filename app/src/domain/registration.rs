use serde::{Deserialize, Serialize};

/// The regulator a professional registration is held with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegistrationBody {
    /// General Medical Council (doctors, physician associates from December 2024).
    Gmc,
    /// Nursing and Midwifery Council.
    Nmc,
    /// Health and Care Professions Council (radiographers and other AHPs).
    Hcpc,
    /// General Dental Council.
    Gdc,
}

impl RegistrationBody {
    pub const ALL: [RegistrationBody; 4] = [Self::Gmc, Self::Nmc, Self::Hcpc, Self::Gdc];

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "GMC" => Ok(Self::Gmc),
            "NMC" => Ok(Self::Nmc),
            "HCPC" => Ok(Self::Hcpc),
            "GDC" => Ok(Self::Gdc),
            "" => Err("Select a registration body".into()),
            _ => Err("Select GMC, NMC, HCPC or GDC".into()),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Gmc => "GMC",
            Self::Nmc => "NMC",
            Self::Hcpc => "HCPC",
            Self::Gdc => "GDC",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_body_through_its_code() {
        for b in RegistrationBody::ALL {
            assert_eq!(RegistrationBody::parse(&b.code().to_lowercase()), Ok(b));
        }
        assert!(RegistrationBody::parse("RCN").is_err());
    }
}
