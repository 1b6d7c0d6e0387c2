//! The sign-in throttle: failures for one account and from one address, in parallel, from
//! behind a proxy, and what is logged of what was typed.

use super::error_message;
use crate::helpers::{DEMO_PASSWORD, NURSE_R0A, PM, spawn_app, spawn_app_with};
use reqwest::{StatusCode, header};
use sea_orm::EntityTrait;

#[tokio::test]
async fn repeated_failures_for_one_account_make_it_wait_even_with_the_right_password() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.sign_in_with(&app.client, NURSE_R0A, "a wrong guess at it").await;
    }
    let res = app.sign_in_with(&app.client, NURSE_R0A, DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry), "about 15 minutes: {retry}");
    let (_, message) = error_message(res).await;
    assert!(message.contains("Wait 15 minutes"), "{message}");
    // Another account from the same address is not held up by this one's failures.
    assert_eq!(app.sign_in_with(&app.new_browser(), PM, DEMO_PASSWORD).await.status(), StatusCode::OK);
    assert!(app.audit_actions().await.contains(&"sign_in_throttled".to_owned()));
}

#[tokio::test]
async fn too_many_failures_from_one_address_slow_down_every_account_from_it() {
    let app = spawn_app_with(|s| s.auth.address_failure_limit = 3).await;
    for n in 0..3 {
        app.sign_in_with(&app.client, &format!("guess{n}@r0a.nhs.example"), "wrong password guess").await;
    }
    let res = app.sign_in_with(&app.client, PM, DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Signs in through a trusted proxy hop that says the client is at `client_ip`.
async fn sign_in_from(
    app: &crate::helpers::TestApp,
    client_ip: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.new_browser()
        .post(app.url("/api/auth/sign-in"))
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", client_ip)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("POST")
}

fn behind_one_proxy(s: &mut server::config::Settings) {
    s.server.trusted_proxies = server::client_addr::TrustedProxies::Hops(1);
}

#[tokio::test]
async fn fifty_parallel_wrong_guesses_get_no_more_password_checks_than_the_limit() {
    let app = spawn_app().await;
    let mut guesses = tokio::task::JoinSet::new();
    for n in 0..50 {
        let (client, url) = (app.new_browser(), app.url("/api/auth/sign-in"));
        guesses.spawn(async move {
            let password = format!("parallel wrong guess {n}");
            let form = [("email", NURSE_R0A), ("password", password.as_str())];
            client.post(url).header(header::ACCEPT, "application/json").form(&form).send().await.unwrap().status()
        });
    }
    let statuses = guesses.join_all().await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, throttled), (5, 45), "{statuses:?}");
    // The log agrees: five checked and failed, one throttled spell that counted the rest.
    let audit = app.audit_actions().await;
    assert_eq!(audit.iter().filter(|a| *a == "sign_in_failed").count(), 5);
    assert_eq!(audit.iter().filter(|a| *a == "sign_in_throttled").count(), 1, "one entry, not a row each");
    let spells = app::server::entities::sign_in_throttle::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(spells.iter().map(|s| s.attempts).collect::<Vec<_>>(), [45]);
}

#[tokio::test]
async fn a_lock_out_aimed_from_elsewhere_does_not_stop_the_person_signing_in_from_their_own_machine() {
    let app = spawn_app_with(behind_one_proxy).await;
    for _ in 0..5 {
        let res = sign_in_from(&app, "203.0.113.66", NURSE_R0A, "someone else guessing").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(
        sign_in_from(&app, "203.0.113.66", NURSE_R0A, DEMO_PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(sign_in_from(&app, "198.51.100.10", NURSE_R0A, DEMO_PASSWORD).await.status(), StatusCode::OK);
    // The failures were recorded against the address they came from, not the proxy's.
    use app::server::entities::audit_event;
    let ips: Vec<Option<String>> =
        audit_event::Entity::find().all(&app.db).await.unwrap().into_iter().map(|e| e.ip).collect();
    assert!(ips.contains(&Some("203.0.113.66".into())) && ips.contains(&Some("198.51.100.10".into())), "{ips:?}");
    assert!(!ips.contains(&Some("127.0.0.1".into())), "{ips:?}");
}

#[tokio::test]
async fn what_was_typed_into_the_email_box_is_logged_only_when_it_is_an_email_address() {
    use app::server::entities::{audit_event, sign_in_failure};
    let app = spawn_app().await;
    let typed = "my password is hunter2 oops";
    let res = app.sign_in_with(&app.client, typed, "a wrong password").await;
    assert_eq!(error_message(res).await.1, "Enter a correct email address and password");
    let audit = audit_event::Entity::find().all(&app.db).await.unwrap();
    let failure = audit.iter().find(|e| e.action.code() == "sign_in_failed").expect("the failure is logged");
    assert_eq!(failure.actor_email, None);
    assert!(audit.iter().all(|e| !e.subject.contains("hunter2") && !e.detail.contains("hunter2")));
    let counted = sign_in_failure::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(counted.iter().map(|f| f.email_key.as_str()).collect::<Vec<_>>(), [""]);
    // A valid address is logged as typed (lower-cased), as before.
    app.sign_in_with(&app.client, "Someone@Elsewhere.NHS.example", "a wrong password").await;
    let audit = audit_event::Entity::find().all(&app.db).await.unwrap();
    assert!(audit.iter().any(|e| e.actor_email.as_deref() == Some("someone@elsewhere.nhs.example")));
}
