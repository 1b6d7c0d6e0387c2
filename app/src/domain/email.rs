use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically plausible email address, stored lower-cased. Real proof of ownership comes
/// from sending mail to it; this only rules out what can never be delivered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("Enter an email address".into());
        }
        if s.len() > 254 {
            return Err("Email address must be 254 characters or fewer".into());
        }
        let valid = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                    && !local.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
            }
            None => false,
        };
        if !valid {
            return Err("Enter an email address in the correct format, like name@example.nhs.uk".into());
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases_ordinary_addresses() {
        assert_eq!(EmailAddress::parse(" Ann.Lee@MFT.nhs.uk ").unwrap().as_str(), "ann.lee@mft.nhs.uk");
    }

    #[test]
    fn refuses_what_can_never_be_delivered() {
        for bad in [
            "",
            "ann",
            "ann@",
            "@nhs.uk",
            "ann@nhs",
            "ann@@nhs.uk",
            "ann@nhs..uk",
            "a b@nhs.uk",
            "ann@nhs.uk.",
            "<a>@x.uk",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
