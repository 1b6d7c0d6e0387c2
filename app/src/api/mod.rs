//! Server functions and the response types they return. Each server function is a thin shell:
//! find the state and the request's actor, call one service (which asks `access`), map the
//! outcome. Response types are built for the page that shows them and never carry more than it
//! needs.

pub mod audit;
pub mod auth;
pub mod network;
pub mod passports;
pub mod people;
pub mod placements;

use crate::error::AppError;

/// Percent-encodes a query value (letters, digits, `-_.~` and `/` stay as they are).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a form's submission led to: a notice to show on success, or the error.
pub type FormOutcome = Result<String, AppError>;

/// Takes the outcome of `form` posted without JavaScript, if this page load follows one.
#[leptos::server(endpoint = "forms/flash")]
pub async fn take_form_flash(form: String) -> Result<Option<FormOutcome>, AppError> {
    crate::server::respond::take_flash(&form).await
}
