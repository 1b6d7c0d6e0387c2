//! Server functions and the response types they return. Each server function is a thin shell:
//! find the state, call one service, map the outcome. Response types are built for the page
//! that shows them and never carry more than it needs.

pub mod network;

use crate::error::AppError;

/// What a form's submission led to: a notice to show on success, or the error.
pub type FormOutcome = Result<String, AppError>;

/// Takes the outcome of `form` posted without JavaScript, if this page load follows one.
#[leptos::server(endpoint = "forms/flash")]
pub async fn take_form_flash(form: String) -> Result<Option<FormOutcome>, AppError> {
    crate::server::respond::take_flash(&form).await
}
