//! Signing in and out, sessions, throttling, password reset by a real mailbox, and CSRF.

use crate::helpers::{DEMO_PASSWORD, INVITED_R0A, NURSE_R0A, PM, spawn_app, spawn_app_with};
use app::server::entities::session;
use reqwest::{StatusCode, header};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::time::Duration;

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

#[tokio::test]
async fn signing_in_sets_an_http_only_lax_session_cookie_and_the_header_shows_who_it_is() {
    let app = spawn_app().await;
    let res = app.sign_in_with(&app.client, PM, DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = session_cookie(&res).expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not over plain http");
    let token = cookie.trim_start_matches("pp_session=").split(';').next().unwrap();
    assert!(
        session::Entity::find_by_id(token.to_owned()).one(&app.db).await.unwrap().is_none(),
        "the database keeps only the token's digest"
    );
    let page = app.visit("/").await;
    assert!(page.texts(".nhsuk-header__account-item").contains(&"Priya Shah".to_owned()));
    assert_eq!(page.texts("h1"), ["Your work, Priya Shah"]);
    assert!(app.audit_actions().await.contains(&"signed_in".to_owned()));
    // The project manager reads it on the audit page, with who and from where.
    let audit = app.visit("/audit").await;
    let first = audit.texts("tbody tr").into_iter().next().unwrap_or_default();
    assert!(first.contains("signed in") && first.contains(PM) && first.contains("127.0.0.1"), "{first}");
}

#[tokio::test]
async fn a_wrong_password_an_unknown_email_and_an_unaccepted_invitation_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong_password = error_message(app.sign_in_with(&app.client, PM, "not the password at all").await).await;
    let unknown = error_message(app.sign_in_with(&app.client, "nobody@nowhere.nhs.example", DEMO_PASSWORD).await).await;
    let invited = error_message(app.sign_in_with(&app.client, INVITED_R0A, "").await).await;
    let invited_guess = error_message(app.sign_in_with(&app.client, INVITED_R0A, DEMO_PASSWORD).await).await;
    let expected = (StatusCode::UNPROCESSABLE_ENTITY, "Enter a correct email address and password".to_owned());
    assert_eq!(wrong_password, expected);
    assert_eq!(unknown, expected);
    assert_eq!(invited_guess, expected);
    assert_eq!(invited, (StatusCode::UNPROCESSABLE_ENTITY, "Enter your password".to_owned()));
    let failures = app.audit_actions().await.iter().filter(|a| *a == "sign_in_failed").count();
    assert_eq!(failures, 3);
    assert!(!app.visit("/").await.text.contains("Sign out"), "nobody is signed in");
}

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

#[tokio::test]
async fn signing_in_again_replaces_the_session_and_signing_out_ends_it() {
    let app = spawn_app().await;
    let first = session_cookie(&app.sign_in_with(&app.client, PM, DEMO_PASSWORD).await).unwrap();
    let second = session_cookie(&app.sign_in_with(&app.client, PM, DEMO_PASSWORD).await).unwrap();
    assert_ne!(first, second, "a new id at every sign-in");
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 1, "the old session is gone");

    // Sign out without JavaScript: back to the sign-in page with a notice, cookie cleared.
    let res = app.post_form(&app.client, "auth/sign-out", "/", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/sign-in");
    assert!(session_cookie(&res).unwrap().contains("Max-Age=0"));
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 0);
    let page = app.visit("/sign-in").await;
    assert!(page.text.contains("You have signed out"));

    // The old cookie, replayed by another client, signs nobody in.
    let replay = app.new_browser();
    let token = second.trim_start_matches("pp_session=").split(';').next().unwrap().to_owned();
    let res = replay.get(app.url("/")).header(header::COOKIE, format!("pp_session={token}")).send().await.unwrap();
    let text = res.text().await.unwrap();
    assert!(!text.contains("Your work"), "a revoked session is not signed in");
}

#[tokio::test]
async fn a_session_unused_for_longer_than_the_idle_limit_has_ended() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    app.sign_in_as(PM).await;
    let s = session::Entity::find().one(&app.db).await.unwrap().unwrap();
    let mut old: session::ActiveModel = s.into();
    old.last_seen_at = Set(chrono::Utc::now() - chrono::Duration::minutes(31));
    old.update(&app.db).await.unwrap();
    let page = app.visit("/people").await;
    assert_eq!(page.status, StatusCode::FOUND, "sent to sign in");
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn a_signed_out_visitor_to_a_protected_page_is_sent_to_sign_in_and_back_after() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/people?trust=R0A")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert!(res.status().is_redirection(), "got {} instead of a redirect", res.status());
    let to = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(to, "/sign-in?next=/people%3Ftrust%3DR0A");
    // Without JavaScript, signing in from there redirects to `next`; a foreign `next` goes home.
    let res = app
        .post_form(
            &app.client,
            "auth/sign-in",
            &to,
            &[("email", PM), ("password", DEMO_PASSWORD), ("next", "/people?trust=R0A")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/people?trust=R0A");
    let res = app
        .post_form(
            &app.new_browser(),
            "auth/sign-in",
            "/sign-in",
            &[("email", PM), ("password", DEMO_PASSWORD), ("next", "https://evil.example/")],
        )
        .await;
    assert_eq!(res.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn without_javascript_a_failed_sign_in_shows_its_message_and_keeps_the_email_but_never_the_password() {
    let app = spawn_app().await;
    let res = app
        .post_form(&app.client, "auth/sign-in", "/sign-in", &[("email", PM), ("password", "secret guess 12345")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/sign-in");
    let page = app.visit("/sign-in").await;
    assert!(
        page.texts(".nhsuk-error-message").iter().any(|m| m.contains("Enter a correct email address and password"))
    );
    assert_eq!(page.attr("input#email", "value").as_deref(), Some(PM));
    assert_eq!(page.attr("input#password", "value"), None);
    assert!(!page.text.contains("secret guess"));
}

#[tokio::test]
async fn a_password_reset_arrives_by_email_works_once_and_ends_every_session() {
    let app = spawn_app().await;
    let other_device = app.browser_signed_in_as(NURSE_R0A).await;

    // The same answer for an unknown address, and no mail for it.
    let unknown: String = app
        .call(&app.client, "auth/forgot-password", &[("email", "nobody@nowhere.nhs.example")])
        .await
        .json()
        .await
        .unwrap();
    assert!(unknown.starts_with("If nobody@nowhere.nhs.example has a Placement Passport account"), "{unknown}");
    let known: String =
        app.call(&app.client, "auth/forgot-password", &[("email", NURSE_R0A)]).await.json().await.unwrap();
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
    let res = app
        .call(
            &app.client,
            "auth/set-password",
            &[("token", &token), ("password", "too short"), ("confirm", "too short")],
        )
        .await;
    assert_eq!(error_message(res).await.1, "Password must be 15 characters or more");
    let res = app
        .call(
            &app.client,
            "auth/set-password",
            &[("token", &token), ("password", "a brand new passphrase"), ("confirm", "a different passphrase")],
        )
        .await;
    assert_eq!(error_message(res).await.1, "The passwords do not match. Type the same password twice");

    let res = app
        .call(
            &app.client,
            "auth/set-password",
            &[("token", &token), ("password", "a brand new passphrase"), ("confirm", "a brand new passphrase")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Used once only.
    let again = app
        .call(
            &app.client,
            "auth/set-password",
            &[("token", &token), ("password", "another new passphrase"), ("confirm", "another new passphrase")],
        )
        .await;
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
        let res = app
            .call(
                &app.client,
                "auth/set-password",
                &[("token", token), ("password", "a brand new passphrase"), ("confirm", "a brand new passphrase")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{token}");
        let page = app.visit(&format!("/set-password?token={}", urlencode(token))).await;
        assert!(page.text.contains("This link does not work"), "{token}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn cross_site_and_unattributed_posts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    app.sign_in_as(PM).await;
    let fields = [("trust", "RWJ"), ("name", "Forged team"), ("site", ""), ("min_cover", "1")];
    let forged = [
        ("a foreign Origin", vec![(header::ORIGIN.as_str(), "https://evil.example")]),
        (
            "a cross-site fetch",
            vec![("sec-fetch-site", "cross-site"), (header::ORIGIN.as_str(), "https://evil.example")],
        ),
        ("a same-site but other-origin fetch", vec![("sec-fetch-site", "same-site")]),
        ("an opaque Origin", vec![(header::ORIGIN.as_str(), "null")]),
    ];
    for (what, headers) in forged {
        let mut req = app.client.post(app.url("/api/network/add-team")).form(&fields);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{what}");
    }
    // No Origin and no Sec-Fetch-Site at all (not a browser that runs the app): refused too.
    let bare = reqwest::Client::new();
    let res = bare
        .post(app.url("/api/auth/sign-in"))
        .form(&[("email", PM), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(!app.team_names("RWJ").await.contains(&"Forged team".to_owned()));
    // The same request from this site goes through.
    let res = app
        .client
        .post(app.url("/api/network/add-team"))
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_responses_carry_hsts() {
    let app = spawn_app_with(|s| s.server.public_url = Some("https://placement-passport.example".into())).await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.headers()[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000; includeSubDomains");
    let res = app.sign_in_with(&app.client, PM, DEMO_PASSWORD).await;
    assert!(session_cookie(&res).unwrap().ends_with("; Secure"));
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_every_other_device() {
    let app = spawn_app().await;
    app.sign_in_as(NURSE_R0A).await;
    let other_device = app.browser_signed_in_as(NURSE_R0A).await;
    let new = "plum kettle harbour sixteen";
    let res = app
        .call(
            &app.client,
            "auth/change-password",
            &[("current", "not my password!"), ("password", new), ("confirm", new)],
        )
        .await;
    assert_eq!(error_message(res).await.1, "Your current password is not right");
    let res = app
        .call(
            &app.client,
            "auth/change-password",
            &[("current", DEMO_PASSWORD), ("password", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(error_message(res).await.1, "Password must be 15 characters or more");
    assert_eq!(
        app.sign_in_with(&app.new_browser(), NURSE_R0A, DEMO_PASSWORD).await.status(),
        StatusCode::OK,
        "unchanged so far"
    );

    let res = app
        .call(&app.client, "auth/change-password", &[("current", DEMO_PASSWORD), ("password", new), ("confirm", new)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(session_cookie(&res).is_some(), "this browser gets a fresh session");
    assert!(app.visit("/account").await.texts("h1").contains(&"Your account".to_owned()), "and stays signed in");
    let home = other_device.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!home.contains("Your work"), "the other device is signed out");
    assert_eq!(app.sign_in_with(&app.new_browser(), NURSE_R0A, new).await.status(), StatusCode::OK);
    assert!(app.audit_actions().await.contains(&"password_changed".to_owned()));
    // Not signed in: refused.
    let res = app
        .call(&app.new_browser(), "auth/change-password", &[("current", new), ("password", new), ("confirm", new)])
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn ended_sessions_never_presented_again_are_cleared_at_the_next_sign_in() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    app.browser_signed_in_as(NURSE_R0A).await;
    let s = session::Entity::find().one(&app.db).await.unwrap().unwrap();
    let mut old: session::ActiveModel = s.into();
    old.last_seen_at = Set(chrono::Utc::now() - chrono::Duration::hours(2));
    old.update(&app.db).await.unwrap();
    app.sign_in_as(PM).await;
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 1, "only the new session is left");
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
async fn a_completed_password_reset_ends_a_lock_out() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.sign_in_with(&app.new_browser(), NURSE_R0A, "a wrong guess at it").await;
    }
    assert_eq!(
        app.sign_in_with(&app.new_browser(), NURSE_R0A, DEMO_PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.call(&app.client, "auth/forgot-password", &[("email", NURSE_R0A)]).await;
    let mail = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    let link = mail[0].body.split_whitespace().find(|w| w.contains("/set-password?token=")).expect("a link").to_owned();
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let new = "a brand new passphrase";
    let res =
        app.call(&app.client, "auth/set-password", &[("token", &token), ("password", new), ("confirm", new)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.sign_in_with(&app.new_browser(), NURSE_R0A, new).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn guessing_the_current_password_when_changing_it_is_throttled_like_signing_in() {
    let app = spawn_app().await;
    app.sign_in_as(NURSE_R0A).await;
    let new = "plum kettle harbour sixteen";
    for _ in 0..5 {
        let res = app
            .call(
                &app.client,
                "auth/change-password",
                &[("current", "a wrong guess!"), ("password", new), ("confirm", new)],
            )
            .await;
        assert_eq!(error_message(res).await.1, "Your current password is not right");
    }
    // Now even the right one waits, and the password is unchanged.
    let res = app
        .call(&app.client, "auth/change-password", &[("current", DEMO_PASSWORD), ("password", new), ("confirm", new)])
        .await;
    let (status, message) = error_message(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message.starts_with("Too many wrong current passwords. Wait 15 minutes"), "{message}");
    assert_eq!(app.audit_actions().await.iter().filter(|a| *a == "password_change_failed").count(), 5);
    assert_eq!(app.sign_in_with(&app.new_browser(), NURSE_R0A, new).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn what_was_typed_into_the_email_box_is_logged_only_when_it_is_an_email_address() {
    use app::server::entities::{audit_event, sign_in_failure};
    let app = spawn_app().await;
    let typed = "my password is hunter2 oops";
    let res = app.sign_in_with(&app.client, typed, "a wrong password").await;
    assert_eq!(error_message(res).await.1, "Enter a correct email address and password");
    let audit = audit_event::Entity::find().all(&app.db).await.unwrap();
    let failure = audit.iter().find(|e| e.action == "sign_in_failed").expect("the failure is logged");
    assert_eq!(failure.actor_email, None);
    assert!(audit.iter().all(|e| !e.subject.contains("hunter2") && !e.detail.contains("hunter2")));
    let counted = sign_in_failure::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(counted.iter().map(|f| f.email_key.as_str()).collect::<Vec<_>>(), [""]);
    // A valid address is logged as typed (lower-cased), as before.
    app.sign_in_with(&app.client, "Someone@Elsewhere.NHS.example", "a wrong password").await;
    let audit = audit_event::Entity::find().all(&app.db).await.unwrap();
    assert!(audit.iter().any(|e| e.actor_email.as_deref() == Some("someone@elsewhere.nhs.example")));
}
