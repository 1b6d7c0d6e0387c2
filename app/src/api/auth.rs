//! Signing in and out, password resets and invitations, and who is signed in.

use crate::error::AppError;
use leptos::server;
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

/// Who is signed in, if anyone.
#[server(endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    use crate::server::{respond, services::me};
    let (state, ctx) = respond::request()?;
    respond::finish(me::describe(&state.db, ctx.actor()).await)
}

/// Signs in. Succeeds with the path to go to next.
#[server(endpoint = "auth/sign-in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<String, AppError> {
    use crate::server::{
        respond,
        services::{auth, sessions},
    };
    let (state, ctx) = respond::request()?;
    let next = local_path(next.as_deref().unwrap_or("/"));
    let mut retry_after = None;
    let result = match auth::sign_in(&state, &ctx, &email, password).await {
        Ok(signed_in) => {
            respond::set_cookie(&sessions::cookie(&signed_in.token, state.is_https()));
            Ok(next.clone())
        }
        Err((err, throttled)) => {
            retry_after = throttled.map(|t| t.retry_after_seconds);
            Err(err)
        }
    };
    let finished = respond::finish_form_to(&state, SIGN_IN_FORM, result, Some(&next)).await;
    if let Some(seconds) = retry_after {
        respond::too_many_requests(seconds);
    }
    finished
}

/// Signs out and goes to the sign-in page.
#[server(endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<String, AppError> {
    use crate::server::{
        respond,
        services::{auth, sessions},
    };
    let (state, ctx) = respond::request()?;
    let result = auth::sign_out(&state, &ctx).await.map(|()| "You have signed out".to_owned());
    if result.is_ok() {
        respond::set_cookie(&sessions::clear_cookie(state.is_https()));
    }
    respond::finish_form_to(&state, SIGN_IN_FORM, result, Some("/sign-in")).await
}

/// Emails a password reset link, if the address has an account (the answer is the same).
#[server(endpoint = "auth/forgot-password")]
pub async fn request_password_reset(email: String) -> Result<String, AppError> {
    use crate::server::{respond, services::auth};
    let (state, ctx) = respond::request()?;
    let result = auth::request_reset(&state, &ctx, &email).await;
    respond::finish_form(&state, RESET_REQUEST_FORM, result).await
}

/// Checks an emailed link before showing its form.
#[server(endpoint = "auth/check-link")]
pub async fn check_password_link(token: String) -> Result<PasswordLink, AppError> {
    use crate::server::{respond, services::auth};
    let (state, _) = respond::request()?;
    respond::finish(
        auth::check_link(&state.db, &token).await.map(|i| PasswordLink { invitation: i.invitation, email: i.email }),
    )
}

/// Sets a password from an emailed link, then goes to the sign-in page.
#[server(endpoint = "auth/set-password")]
pub async fn set_password(token: String, password: String, confirm: String) -> Result<String, AppError> {
    use crate::server::{respond, services::auth};
    let (state, ctx) = respond::request()?;
    let result = auth::set_password(&state, &ctx, &token, &password, &confirm).await;
    let form = if result.is_ok() { SIGN_IN_FORM } else { SET_PASSWORD_FORM };
    // The sign-in page the browser goes to next says the password has changed.
    respond::carry_notice(&state, SIGN_IN_FORM, &result).await?;
    respond::finish_form_to(&state, form, result, Some("/sign-in")).await
}

/// Changes the signed-in person's password; their other sessions end.
#[server(endpoint = "auth/change-password")]
pub async fn change_password(current: String, password: String, confirm: String) -> Result<String, AppError> {
    use crate::server::{
        respond,
        services::{auth, sessions},
    };
    let (state, ctx) = respond::request()?;
    let result = auth::change_password(&state, &ctx, current, &password, &confirm).await.map(|(token, notice)| {
        respond::set_cookie(&sessions::cookie(&token, state.is_https()));
        notice
    });
    respond::finish_form(&state, CHANGE_PASSWORD_FORM, result).await
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
