//! Signing in and out: the session cookie, one session per sign-in, idle sessions ending, the
//! way back after signing in, CSRF, and HTTPS.

use super::{error_message, session_cookie};
use crate::helpers::{DEMO_PASSWORD, INVITED_R0A, NURSE_R0A, PM, TestApp, spawn_app, spawn_app_with};
use app::server::entities::session;
use reqwest::{StatusCode, header};
use sea_orm::{EntityTrait, PaginatorTrait};

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
async fn signing_in_again_replaces_the_session_and_signing_out_ends_it() {
    let app = spawn_app().await;
    let first = session_cookie(&app.sign_in_with(&app.client, PM, DEMO_PASSWORD).await).unwrap();
    let second = session_cookie(&app.sign_in_with(&app.client, PM, DEMO_PASSWORD).await).unwrap();
    assert_ne!(first, second, "a new id at every sign-in");
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 1, "the old session is gone");

    // Sign out without JavaScript: back to the sign-in page with a notice, cookie cleared.
    let res = app.sign_out_without_js(&app.client, "/").await;
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

/// Makes the only session look last used `ago`.
async fn last_used(app: &TestApp, ago: chrono::Duration) {
    use sea_orm::{ActiveModelTrait, Set};
    let s = session::Entity::find().one(&app.db).await.unwrap().expect("one session");
    let mut old: session::ActiveModel = s.into();
    old.last_seen_at = Set(chrono::Utc::now() - ago);
    old.update(&app.db).await.unwrap();
}

/// When the only session was last used.
async fn last_seen(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    session::Entity::find().one(&app.db).await.unwrap().expect("one session").last_seen_at
}

#[tokio::test]
async fn a_session_unused_for_longer_than_the_idle_limit_has_ended() {
    let app = spawn_app().await;
    app.sign_in_as(PM).await;
    last_used(&app, chrono::Duration::minutes(31)).await;
    let page = app.visit("/people").await;
    assert_eq!(page.status, StatusCode::FOUND, "sent to sign in");
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn a_session_in_use_is_recorded_as_used_beside_the_request_so_the_idle_limit_counts_from_then() {
    let app = spawn_app().await;
    app.sign_in_as(PM).await;
    // Used half a minute ago: within the minute, a page read writes nothing.
    last_used(&app, chrono::Duration::seconds(30)).await;
    let before = last_seen(&app).await;
    assert_eq!(app.visit("/people").await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(last_seen(&app).await, before, "not recorded more than once a minute");

    // Used 29 minutes ago, a minute short of the idle limit: the visit is answered, and its use
    // is recorded beside it (the request does not wait for that write), so the session now has
    // a full idle limit again.
    last_used(&app, chrono::Duration::minutes(29)).await;
    let page = app.visit("/people").await;
    assert_eq!(page.status, StatusCode::OK, "still signed in");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while chrono::Utc::now() - last_seen(&app).await > chrono::Duration::minutes(1) {
        assert!(std::time::Instant::now() < deadline, "the session's use was never recorded");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(chrono::Utc::now() - last_seen(&app).await < chrono::Duration::seconds(10));
}

#[tokio::test]
async fn a_signed_out_visitor_to_a_protected_page_is_sent_to_sign_in_and_back_after() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/people?trust=R0A")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert!(res.status().is_redirection(), "got {} instead of a redirect", res.status());
    let to = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(to, "/sign-in?next=/people%3Ftrust%3DR0A");
    // Without JavaScript, signing in from there redirects to `next`; a foreign `next` goes home.
    let res = app.sign_in_without_js(&app.client, &to, PM, DEMO_PASSWORD, Some("/people?trust=R0A")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/people?trust=R0A");
    let res =
        app.sign_in_without_js(&app.new_browser(), "/sign-in", PM, DEMO_PASSWORD, Some("https://evil.example/")).await;
    assert_eq!(res.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn without_javascript_a_failed_sign_in_shows_its_message_and_keeps_the_email_but_never_the_password() {
    let app = spawn_app().await;
    let res = app.sign_in_without_js(&app.client, "/sign-in", PM, "secret guess 12345", None).await;
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
async fn ended_sessions_never_presented_again_are_cleared_at_the_next_sign_in() {
    let app = spawn_app().await;
    app.browser_signed_in_as(NURSE_R0A).await;
    last_used(&app, chrono::Duration::hours(2)).await;
    app.sign_in_as(PM).await;
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 1, "only the new session is left");
}
