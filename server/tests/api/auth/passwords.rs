//! Passwords: a reset by a real mailbox that works once and ends every session, malformed links,
//! changing the password, and the throttle on guessing the current one.

use super::{error_message, session_cookie};
use crate::helpers::{DEMO_PASSWORD, NURSE_R0A, spawn_app};
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn a_password_reset_arrives_by_email_works_once_and_ends_every_session() {
    let app = spawn_app().await;
    let other_device = app.browser_signed_in_as(NURSE_R0A).await;

    // The same answer for an unknown address, and no mail for it.
    let unknown: String = app.forgot_password(&app.client, "nobody@nowhere.nhs.example").await.json().await.unwrap();
    assert!(unknown.starts_with("If nobody@nowhere.nhs.example has a Placement Passport account"), "{unknown}");
    let known: String = app.forgot_password(&app.client, NURSE_R0A).await.json().await.unwrap();
    assert_eq!(known.replace(NURSE_R0A, "X"), unknown.replace("nobody@nowhere.nhs.example", "X"));

    let mail = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].to, NURSE_R0A);
    let link = mail[0]
        .body
        .split_whitespace()
        .find(|w| w.contains("/set-password?token="))
        .expect("a link in the mail")
        .to_owned();
    let path = link.trim_start_matches(&app.base).to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();
    assert_eq!(app.visit(&path).await.texts("h1"), ["Choose a new password"]);

    // Bad input changes nothing and keeps the link usable.
    let res = app.set_password(&app.client, &token, "too short", "too short").await;
    assert_eq!(error_message(res).await.1, "Password must be 15 characters or more");
    let res = app.set_password(&app.client, &token, "a brand new passphrase", "a different passphrase").await;
    assert_eq!(error_message(res).await.1, "The passwords do not match. Type the same password twice");

    let res = app.set_password(&app.client, &token, "a brand new passphrase", "a brand new passphrase").await;
    assert_eq!(res.status(), StatusCode::OK);
    // Used once only.
    let again = app.set_password(&app.client, &token, "another new passphrase", "another new passphrase").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(app.visit(&path).await.text.contains("This link does not work"));

    // The other device was signed out; the old password no longer works; the new one does.
    let home = other_device.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!home.contains("Your work"));
    assert_eq!(
        app.sign_in_with(&app.new_browser(), NURSE_R0A, DEMO_PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.sign_in_with(&app.new_browser(), NURSE_R0A, "a brand new passphrase").await.status(),
        StatusCode::OK
    );
    let audit = app.audit_actions().await;
    assert!(audit.contains(&"password_reset_requested".to_owned()) && audit.contains(&"password_reset".to_owned()));
}

#[tokio::test]
async fn a_malformed_or_unknown_link_is_refused_without_an_error_page() {
    let app = spawn_app().await;
    for token in ["", "abc", &"0".repeat(64), "<script>"] {
        let res = app.set_password(&app.client, token, "a brand new passphrase", "a brand new passphrase").await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{token}");
        let page = app.visit(&format!("/set-password?token={}", urlencode(token))).await;
        assert!(page.text.contains("This link does not work"), "{token}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_every_other_device() {
    let app = spawn_app().await;
    app.sign_in_as(NURSE_R0A).await;
    let other_device = app.browser_signed_in_as(NURSE_R0A).await;
    let new = "plum kettle harbour sixteen";
    let res = app.change_password(&app.client, "not my password!", new, new).await;
    assert_eq!(error_message(res).await.1, "Your current password is not right");
    let res = app.change_password(&app.client, DEMO_PASSWORD, "short", "short").await;
    assert_eq!(error_message(res).await.1, "Password must be 15 characters or more");
    assert_eq!(
        app.sign_in_with(&app.new_browser(), NURSE_R0A, DEMO_PASSWORD).await.status(),
        StatusCode::OK,
        "unchanged so far"
    );

    let res = app.change_password(&app.client, DEMO_PASSWORD, new, new).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(session_cookie(&res).is_some(), "this browser gets a fresh session");
    assert!(app.visit("/account").await.texts("h1").contains(&"Your account".to_owned()), "and stays signed in");
    let home = other_device.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!home.contains("Your work"), "the other device is signed out");
    assert_eq!(app.sign_in_with(&app.new_browser(), NURSE_R0A, new).await.status(), StatusCode::OK);
    assert!(app.audit_actions().await.contains(&"password_changed".to_owned()));
    // Not signed in: refused.
    let res = app.change_password(&app.new_browser(), new, new, new).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_completed_password_reset_ends_a_lock_out() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.sign_in_with(&app.new_browser(), NURSE_R0A, "a wrong guess at it").await;
    }
    assert_eq!(
        app.sign_in_with(&app.new_browser(), NURSE_R0A, DEMO_PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.forgot_password(&app.client, NURSE_R0A).await;
    let mail = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    let link = mail[0].body.split_whitespace().find(|w| w.contains("/set-password?token=")).expect("a link").to_owned();
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let new = "a brand new passphrase";
    let res = app.set_password(&app.client, &token, new, new).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.sign_in_with(&app.new_browser(), NURSE_R0A, new).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn guessing_the_current_password_when_changing_it_is_throttled_like_signing_in() {
    let app = spawn_app().await;
    app.sign_in_as(NURSE_R0A).await;
    let new = "plum kettle harbour sixteen";
    for _ in 0..5 {
        let res = app.change_password(&app.client, "a wrong guess!", new, new).await;
        assert_eq!(error_message(res).await.1, "Your current password is not right");
    }
    // Now even the right one waits, and the password is unchanged.
    let res = app.change_password(&app.client, DEMO_PASSWORD, new, new).await;
    let (status, message) = error_message(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message.starts_with("Too many wrong current passwords. Wait 15 minutes"), "{message}");
    assert_eq!(app.audit_actions().await.iter().filter(|a| *a == "password_change_failed").count(), 5);
    assert_eq!(app.sign_in_with(&app.new_browser(), NURSE_R0A, new).await.status(), StatusCode::TOO_MANY_REQUESTS);
}
