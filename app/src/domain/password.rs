use std::fmt;

/// A new password that meets the policy: 15 to 128 characters (NIST SP 800-63B for a password
/// used alone), not one character repeated, not a commonly used one. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 15;
const MAX_PASSWORD_CHARS: usize = 128;

/// A short list of passwords people reach for first, checked case-insensitively.
const COMMON: &[&str] = &[
    "passwordpassword",
    "password1234567",
    "password12345678",
    "123456789012345",
    "1234567890123456",
    "qwertyuiopasdfg",
    "qwertyuiopasdfgh",
    "iloveyouiloveyou",
    "welcome12345678",
    "letmeinletmein1",
    "changemechangeme",
    "nhspassword12345",
];

impl NewPassword {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if raw.is_empty() {
            return Err("Enter a password".into());
        }
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!("Password must be {MIN_PASSWORD_CHARS} characters or more"));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!("Password must be {MAX_PASSWORD_CHARS} characters or fewer"));
        }
        let first = raw.chars().next();
        if raw.chars().all(|c| Some(c) == first) {
            return Err("Password must not be one character repeated".into());
        }
        if COMMON.contains(&raw.to_lowercase().as_str()) {
            return Err("This password is too common. Choose a different one".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_long_passphrase() {
        assert!(NewPassword::parse("correct horse battery staple").is_ok());
    }

    #[test]
    fn refuses_short_empty_repeated_common_and_overlong_passwords() {
        assert_eq!(NewPassword::parse("").unwrap_err(), "Enter a password");
        assert!(NewPassword::parse("short pass 12").unwrap_err().contains("15 characters or more"));
        assert!(NewPassword::parse(&"a".repeat(20)).unwrap_err().contains("repeated"));
        assert!(NewPassword::parse("PasswordPassword").unwrap_err().contains("too common"));
        assert!(NewPassword::parse(&"ab".repeat(65)).unwrap_err().contains("128"));
    }

    #[test]
    fn never_prints_the_password() {
        let p = NewPassword::parse("correct horse battery staple").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
