//! The wire contract: what server functions return and pages show, the names forms are kept
//! under, and the constants both sides agree on. Compiled for the browser and the server; the
//! services build these types and the `#[server]` shells in [`crate::api`] only carry them.

pub mod applications;
pub mod audit;
pub mod auth;
pub mod network;
pub mod notifications;
pub mod passports;
pub mod people;
pub mod placements;

/// Percent-encodes a query value (letters, digits, `-_.~` and `/` stay as they are).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
