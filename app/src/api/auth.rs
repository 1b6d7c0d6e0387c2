//! Signing in and out, password resets and invitations, and who is signed in.

use crate::error::AppError;
use crate::views::auth::*;
use leptos::server;

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
    respond::finish_form_in_place(&state, RESET_REQUEST_FORM, result).await
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
    respond::finish_form_in_place(&state, CHANGE_PASSWORD_FORM, result).await
}
