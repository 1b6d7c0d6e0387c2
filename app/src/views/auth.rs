//! Signing in and out, password resets and invitations, and who is signed in.

use serde::{Deserialize, Serialize};

pub const SIGN_IN_FORM: &str = "sign_in";
pub const RESET_REQUEST_FORM: &str = "reset_request";
pub const SET_PASSWORD_FORM: &str = "set_password";
pub const CHANGE_PASSWORD_FORM: &str = "change_password";

/// The signed-in person, as the header and home page show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub email: String,
    pub grants: Vec<MyGrant>,
    /// Notifications not yet opened, for the header.
    pub unread: u64,
}

/// One of the signed-in person's roles, with where it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyGrant {
    pub role: crate::domain::Role,
    /// The trust's ODS code and name, or `None` alliance-wide.
    pub trust: Option<(String, String)>,
    pub teams: Vec<String>,
}

/// What an emailed link is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordLink {
    pub invitation: bool,
    pub email: String,
}

/// A path on this site to go to after signing in; anything else goes home.
pub fn local_path(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && !next.starts_with("/api/");
    if ok { next.to_owned() } else { "/".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed_after_sign_in() {
        assert_eq!(local_path("/people?trust=R0A"), "/people?trust=R0A");
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "", "people", "/api/auth/sign-out"] {
            assert_eq!(local_path(bad), "/", "{bad}");
        }
    }
}
