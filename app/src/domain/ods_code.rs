use serde::{Deserialize, Serialize};
use std::fmt;

/// An NHS Organisation Data Service code, e.g. `R0A` for Manchester University NHS FT.
/// Trust codes are three characters; site and other organisation codes run to five or six.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OdsCode(String);

impl OdsCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err("Enter an ODS code".into());
        }
        if !(3..=6).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("Enter an ODS code of 3 to 6 letters and numbers, like R0A".into());
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_pilot_trust_codes_in_any_case() {
        for code in ["R0A", "RM3", "RWJ", "RMP", "RRF", "RMC", "RBV", "RJN", "RBT"] {
            assert_eq!(OdsCode::parse(code).unwrap().as_str(), code);
        }
        assert_eq!(OdsCode::parse(" r0a ").unwrap().as_str(), "R0A");
    }

    #[test]
    fn refuses_empty_short_long_and_punctuated_codes() {
        assert_eq!(OdsCode::parse(""), Err("Enter an ODS code".into()));
        assert!(OdsCode::parse("R0").is_err());
        assert!(OdsCode::parse("R0A1234").is_err());
        assert!(OdsCode::parse("R0-A").is_err());
        assert!(OdsCode::parse("R0Á").is_err());
    }
}
