//! The glue every server function goes through: finding the app state, setting the response
//! status, and handling forms posted without JavaScript.

use super::access::Actor;
use super::{AppState, RequestContext, flash};
use crate::components::form::KEEP_NOTICE_HEADER;
use crate::error::AppError;
use crate::error::FormOutcome;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sea_orm::DatabaseTransaction;

/// The app state, provided as context to every server function and page render.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| super::db::internal("AppState missing", "no context"))
}

/// The app state and what is known about the request: who is asking and from where.
pub fn request() -> Result<(AppState, RequestContext), AppError> {
    let state = state()?;
    let ctx = use_context::<Parts>().and_then(|p| p.extensions.get::<RequestContext>().cloned()).unwrap_or_default();
    Ok((state, ctx))
}

/// Runs one change as the signed-in person, in the turn to write ([`super::WriteTurns::write`]):
/// `change` gets a write transaction and the actor, and what it wrote is kept only if it
/// succeeds, so a change that fails half-way leaves nothing behind.
pub async fn write<T>(
    state: &AppState,
    ctx: &RequestContext,
    change: impl AsyncFnOnce(&DatabaseTransaction, &Actor) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let actor = ctx.signed_in()?;
    state.write(async |txn| change(txn, actor).await).await
}

/// How many times a change read before its turn ([`write_guarded`]) is read and tried again
/// when someone else wrote first.
pub const ATTEMPTS: usize = 5;

/// Runs one change whose reads and checks were made before the turn to write and whose writes
/// were built then as one batch (a decision's), so the turn is held only for the writes: the
/// batch runs in the turn (on SQLite by whichever writer holds it, after the batches queued
/// before it), each statement guarded on what was read, and `check` reads what it returned and
/// finishes the change. `check` answers `None` when someone else changed what was read
/// meanwhile: what the batch wrote is undone, and the caller reads again and tries again (up to
/// [`ATTEMPTS`] times).
pub async fn write_guarded<T: Send + 'static>(
    state: &AppState,
    batch: super::db::Batch,
    check: impl FnOnce(super::db::BatchRows) -> super::turns::Checked<Option<T>> + Send + 'static,
) -> Result<Option<T>, AppError> {
    state.write_turns().write_batch(&state.db, batch, check, Option::is_some).await
}

/// Answers a read by the signed-in person, setting the HTTP status of its error.
pub async fn read<T>(
    ctx: &RequestContext,
    query: impl AsyncFnOnce(&Actor) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let result = match ctx.signed_in() {
        Ok(actor) => query(actor).await,
        Err(e) => Err(e),
    };
    finish(result)
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(value)) {
        res.append_header(header::SET_COOKIE, v);
    }
}

/// Finishes a server function that is not a form: sets the HTTP status of an error.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        set_status(err.status_code());
    }
    result
}

/// Finishes a form's server function. Called by script (JavaScript on), the outcome goes back
/// as the function's result. Posted by a plain HTML form (JavaScript off), the outcome is kept
/// as a one-shot flash and the browser is sent back to the form's page with 303 See Other.
///
/// With JavaScript on, the form's island loads the page again after a success (so everything the
/// server renders shows the change), and the notice is kept for that load.
pub async fn finish_form(state: &AppState, form: &str, result: Result<String, AppError>) -> Result<String, AppError> {
    carry_notice(state, form, &result).await?;
    finish_form_to(state, form, result, None).await
}

/// Like [`finish_form`], for a form whose island shows its own success with JavaScript on and
/// stays (nothing else on its page changes), so no notice is kept for another page load.
pub async fn finish_form_in_place(
    state: &AppState,
    form: &str,
    result: Result<String, AppError>,
) -> Result<String, AppError> {
    finish_form_to(state, form, result, None).await
}

/// Like [`finish_form`], but a success posted without JavaScript goes on to `success_to` (a
/// path on this site) instead of back to the form's page.
pub async fn finish_form_to(
    state: &AppState,
    form: &str,
    result: Result<String, AppError>,
    success_to: Option<&str>,
) -> Result<String, AppError> {
    let Some(parts) = use_context::<Parts>() else {
        return finish(result);
    };
    if !is_plain_form_post(&parts) {
        return finish(result);
    }
    let outcome: FormOutcome = result.clone();
    let cookie = flash::keep(state, form, &outcome).await?;
    let back = match (&result, success_to) {
        (Ok(_), Some(to)) => to.to_owned(),
        _ => same_origin_referer(&parts).unwrap_or_else(|| "/".to_owned()),
    };
    if let Some(res) = use_context::<ResponseOptions>() {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.append_header(header::SET_COOKIE, v);
        }
        if let Ok(v) = HeaderValue::from_str(&back) {
            res.insert_header(header::LOCATION, v);
        }
        res.set_status(StatusCode::SEE_OTHER);
    }
    // The values typed are in the flash; the error that leaves here carries none of them.
    result.map_err(|e| match e {
        AppError::Validation(f) => {
            AppError::Validation(crate::error::FormErrors { errors: f.errors, values: Default::default() })
        }
        other => other,
    })
}

/// Like [`finish_form`], for a form whose success is a value the page shows (a report, not a
/// notice). Without JavaScript, the value goes into the flash as JSON, for the page to read
/// back after the redirect.
pub async fn finish_form_as<T: serde::Serialize>(
    state: &AppState,
    form: &str,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    if !use_context::<Parts>().is_some_and(|p| is_plain_form_post(&p)) {
        return finish(result);
    }
    let outcome: FormOutcome = match &result {
        Ok(value) => Ok(serde_json::to_string(value).map_err(|e| super::db::internal("encoding a form outcome", e))?),
        Err(e) => Err(e.clone()),
    };
    match finish_form_to(state, form, outcome, None).await {
        Ok(_) => result,
        Err(e) => Err(e),
    }
}

/// With JavaScript on, keeps a success notice for the page a form island loads next (a post
/// without JavaScript already keeps it, in `finish_form_to`). Only a form island asks for it
/// (its post carries [`KEEP_NOTICE_HEADER`]): a script that calls the function and reads the answer
/// (the benchmark, an integration) gets no flash row written for a page load that never comes.
pub async fn carry_notice(state: &AppState, form: &str, result: &Result<String, AppError>) -> Result<(), AppError> {
    let island =
        use_context::<Parts>().is_some_and(|p| !is_plain_form_post(&p) && p.headers.contains_key(KEEP_NOTICE_HEADER));
    if let (Ok(_), true) = (result, island) {
        let cookie = flash::keep(state, form, result).await?;
        set_cookie(&cookie);
    }
    Ok(())
}

/// Takes the flash left for `form` by a post without JavaScript.
pub async fn take_flash(form: &str) -> Result<Option<FormOutcome>, AppError> {
    let state = state()?;
    let cookie = use_context::<Parts>()
        .and_then(|p| p.headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).map(str::to_owned));
    flash::take_kept(&state, cookie.as_deref(), form).await
}

/// Marks the response as throttled: `Retry-After`, and status 429 unless it is the redirect
/// answering a post without JavaScript.
pub fn too_many_requests(retry_after_seconds: i64) {
    let Some(res) = use_context::<ResponseOptions>() else { return };
    if let Ok(v) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
        res.insert_header(header::RETRY_AFTER, v);
    }
    if !use_context::<Parts>().is_some_and(|p| is_plain_form_post(&p)) {
        res.set_status(StatusCode::TOO_MANY_REQUESTS);
    }
}

/// Sets the status of the current response (a page or a server function).
pub fn set_status(code: u16) {
    if let (Some(res), Ok(code)) = (use_context::<ResponseOptions>(), StatusCode::from_u16(code)) {
        res.set_status(code);
    }
}

/// Sets the page's Content-Security-Policy, allowing only this page's nonce for inline scripts
/// (Leptos puts it on its hydration and resource scripts) and `wasm-unsafe-eval` for the app's
/// wasm. Nothing is loaded from another site (`scripts/assets.sh` takes the NHS.UK frontend's
/// web fonts out of its CSS).
pub fn content_security_policy() {
    let (Some(res), Some(nonce)) = (use_context::<ResponseOptions>(), leptos::nonce::use_nonce()) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; \
         object-src 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&policy) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, v);
    }
}

/// A browser navigation or plain form post asks for HTML; the server function client does not.
fn is_plain_form_post(parts: &Parts) -> bool {
    wants_html(&parts.headers)
}

/// Whether a request's `Accept` asks for HTML (a page or a form posted without script).
pub fn wants_html(headers: &axum::http::HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// The path and query of the Referer, only if it points at this same site.
fn same_origin_referer(parts: &Parts) -> Option<String> {
    let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
    let uri: axum::http::Uri = referer.parse().ok()?;
    let host = parts.headers.get(header::HOST)?.to_str().ok()?;
    if uri.authority()?.as_str() != host {
        return None;
    }
    Some(uri.path_and_query()?.as_str().to_owned())
}
