//! Signing in and out, sessions, throttling, password reset by a real mailbox, and CSRF:
//! `sign_in` (sessions, cookies, CSRF), `throttle` (failures and lock-outs) and `passwords`
//! (emailed links, resets and changes).

mod passwords;
mod sign_in;
mod throttle;

use reqwest::{StatusCode, header};

async fn error_message(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let body: serde_json::Value = res.json().await.expect("a JSON error");
    let msg = body["Validation"]["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
    (status, msg)
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("pp_session="))
        .map(str::to_owned)
}
