//! The one error type that crosses the wire between server functions and the UI.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::collections::BTreeMap;

/// A message about one form field, shown beside it and in the error summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's `name` (and, by convention, the input's `id`).
    pub field: String,
    pub message: String,
}

/// What was wrong with a submitted form, and what the user typed (so it can be shown again).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormErrors {
    pub errors: Vec<FieldError>,
    pub values: BTreeMap<String, String>,
}

impl FormErrors {
    /// Starts an empty set of errors that remembers the submitted values.
    pub fn with_values<'a>(values: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self { errors: Vec::new(), values: values.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect() }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.to_owned(), message: message.into() });
    }

    /// Keeps the error (if any) of a field parse, returning the parsed value.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The first message for `field`, if it has one.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// What the user typed into `field`.
    pub fn value_of(&self, field: &str) -> Option<&str> {
        self.values.get(field).map(String::as_str)
    }

    /// `Ok(value)` when nothing was wrong, else the errors.
    pub fn into_result<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, AppError> {
        if self.is_empty() {
            // Every field parsed, so `value` can build the command.
            value().ok_or(AppError::Internal)
        } else {
            Err(AppError::Validation(self))
        }
    }
}

/// Every way a request can fail, as the user sees it. `Internal` is opaque: its cause is logged
/// on the server and never sent to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("There is a problem with what you entered")]
    Validation(FormErrors),
    #[error("You need to sign in to do that")]
    Unauthenticated,
    #[error("You are not allowed to do that")]
    Forbidden,
    /// Not allowed, for a reason the person should be told (separation of duties).
    #[error("{0}")]
    Refused(String),
    #[error("Page not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("The request could not be understood")]
    BadRequest,
    #[error("What you sent is too large. Make it shorter and try again")]
    TooLarge,
    #[error("The service could not be reached. Check your connection and try again")]
    Unreachable,
    #[error("Sorry, there is a problem with the service. Try again later")]
    Internal,
}

/// What a form's submission led to: a notice to show on success, or the error.
pub type FormOutcome = Result<String, AppError>;

impl AppError {
    /// The HTTP status a response carrying this error gets.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::Refused(_) => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::BadRequest => 400,
            AppError::TooLarge => 413,
            AppError::Unreachable => 503,
            AppError::Internal => 500,
        }
    }

    /// The field errors, when this is a validation error.
    pub fn form_errors(&self) -> Option<&FormErrors> {
        match self {
            AppError::Validation(f) => Some(f),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::BadRequest,
            ServerFnErrorErr::Request(_) => AppError::Unreachable,
            _ => AppError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_errors_remember_values_and_find_messages_by_field() {
        let mut f = FormErrors::with_values([("name", "  x "), ("min_cover", "abc")]);
        f.add("min_cover", "Enter a whole number");
        assert_eq!(f.message_for("min_cover"), Some("Enter a whole number"));
        assert_eq!(f.message_for("name"), None);
        assert_eq!(f.value_of("name"), Some("  x "));
        assert!(f.into_result(|| Some(1)).is_err());
    }

    #[test]
    fn an_empty_form_errors_yields_the_value() {
        let f = FormErrors::default();
        assert_eq!(f.into_result(|| Some(7)), Ok(7));
    }

    #[test]
    fn arguments_that_do_not_parse_are_a_bad_request_not_an_internal_error() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::MissingArg("name".into()));
        assert_eq!(e, AppError::BadRequest);
        assert_eq!(e.status_code(), 400);
    }
}
