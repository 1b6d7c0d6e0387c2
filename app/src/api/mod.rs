//! The `#[server]` functions, and nothing else. Each is a thin shell: find the state and the
//! request's actor, call one service (which asks `access`), map the outcome. The types they
//! carry live in [`crate::views`]; server code never imports this module (the test command
//! checks), so editing a service does not touch the browser's copy of these shells.

pub mod applications;
pub mod audit;
pub mod auth;
pub mod network;
pub mod notifications;
pub mod passports;
pub mod people;
pub mod placements;

use crate::error::{AppError, FormOutcome};

/// Takes the outcome of `form` posted without JavaScript, if this page load follows one.
#[leptos::server(endpoint = "forms/flash")]
pub async fn take_form_flash(form: String) -> Result<Option<FormOutcome>, AppError> {
    crate::server::respond::take_flash(&form).await
}
