//! Hardening (issue 18): bounded request bodies, nothing personal cached by the browser, mail
//! that keeps no live link, traceable anonymous passport reads, and audit logs the database
//! itself keeps append-only.

use crate::helpers::{Backend, NURSE_R0A, PM, backend, spawn_app, spawn_app_as};
use app::server::entities::{audit_event, form_flash, outbox, passport_audit};
use reqwest::{StatusCode, header};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use std::time::Duration;

fn cache_control(res: &reqwest::Response) -> String {
    res.headers().get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn nothing_answered_to_a_signed_in_person_may_be_kept_by_the_browser() {
    let app = spawn_app_as(NURSE_R0A).await;
    for path in ["/", "/passport", "/placements", "/account"] {
        let res = app.client.get(app.url(path)).header(header::ACCEPT, "text/html").send().await.unwrap();
        assert_eq!(cache_control(&res), "no-store", "{path}");
    }
    let res = app.who_am_i(&app.client).await;
    assert_eq!(cache_control(&res), "no-store", "server functions too");
    // Public issuer data keeps its own caching for anyone not signed in.
    let res = app.new_browser().get(app.url("/.well-known/jwt-vc-issuer/trusts/R0A")).send().await.unwrap();
    assert!(cache_control(&res).starts_with("public, max-age="), "{}", cache_control(&res));
    // Signing out is answered uncached too.
    let res = app.sign_out(&app.client).await;
    assert_eq!(cache_control(&res), "no-store");
}

#[tokio::test]
async fn a_huge_anonymous_post_is_refused_before_it_is_read_and_writes_nothing() {
    let app = spawn_app().await;
    // A megabyte: read and thrown away unparsed, so the browser sees the refusal. (Bodies over
    // 2 MB are not read at all: their connection closes.)
    let huge = "a".repeat(1024 * 1024);
    let before = (
        audit_event::Entity::find().count(&app.db).await.unwrap(),
        form_flash::Entity::find().count(&app.db).await.unwrap(),
    );
    for (endpoint, field) in
        [("auth/forgot-password", "email"), ("auth/sign-in", "email"), ("passports/verify", "credential")]
    {
        let mut fields = vec![(field, huge.as_str())];
        if endpoint == "auth/sign-in" {
            fields.push(("password", "x"));
        }
        let js_off = app.post_form(&app.client, endpoint, "/", &fields).await;
        assert_eq!(js_off.status(), StatusCode::PAYLOAD_TOO_LARGE, "{endpoint}");
        let page = js_off.text().await.unwrap();
        assert!(page.contains("What you sent is too large"), "{endpoint}: {page:.300}");
        let js_on = app.call(&app.client, endpoint, &fields).await;
        assert_eq!(js_on.status(), StatusCode::PAYLOAD_TOO_LARGE, "{endpoint}");
        assert_eq!(js_on.json::<serde_json::Value>().await.unwrap(), "TooLarge");
    }
    let after = (
        audit_event::Entity::find().count(&app.db).await.unwrap(),
        form_flash::Entity::find().count(&app.db).await.unwrap(),
    );
    assert_eq!(before, after, "nothing written");
}

#[tokio::test]
async fn a_long_value_under_the_limit_is_kept_for_the_form_no_longer_than_the_longest_field() {
    let app = spawn_app().await;
    let long = format!("{}@example.nhs.uk", "a".repeat(60_000));
    let res = app.forgot_password_without_js(&app.client, "/forgot-password", &long).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let flash = form_flash::Entity::find().one(&app.db).await.unwrap().expect("a flash");
    // Hex of the sealed JSON: twice the kept length, plus the framing.
    let kept = app::server::flash::MAX_KEPT_CHARS;
    assert!(flash.payload.len() < 2 * (kept + 1000), "{} bytes stored", flash.payload.len());
    let page = app.visit("/forgot-password").await;
    assert_eq!(page.attr("#email", "value").map(|v| v.len()), Some(kept), "what is kept comes back");
}

#[tokio::test]
async fn delivered_mail_keeps_no_live_link_in_the_outbox() {
    let app = spawn_app().await;
    app.forgot_password(&app.client, NURSE_R0A).await;
    let mail = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    let token = mail[0].body.split_whitespace().find_map(|w| w.split("token=").nth(1)).expect("a link").to_owned();
    // The worker marks it sent just after the SMTP server has it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let row = loop {
        let rows = outbox::Entity::find().all(&app.db).await.unwrap();
        if let Some(sent) = rows.into_iter().find(|r| r.status == "sent") {
            break sent;
        }
        assert!(tokio::time::Instant::now() < deadline, "never marked sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!row.body_text.contains(&token), "the token is gone");
    assert_eq!(row.body_text, app::server::outbox::DELIVERED_BODY);
    assert_eq!((row.recipient.as_str(), row.kind.as_str()), (NURSE_R0A, "password_reset"));
}

#[tokio::test]
async fn an_anonymous_passport_check_is_logged_with_the_address_it_came_from() {
    let app = spawn_app().await;
    crate::passports::passport_for(&app, NURSE_R0A).await;
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let res = app.download_passport(&nurse).await;
    assert_eq!(res.status(), StatusCode::OK);
    let credential = res.text().await.unwrap();
    let res = app.verify_passport(&app.new_browser(), credential.trim()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let entries = passport_audit::Entity::find().all(&app.db).await.unwrap();
    let check = entries.iter().find(|e| e.action.code() == "verified").expect("the check is logged");
    assert_eq!((check.actor_id, check.ip.as_deref()), (None, Some("127.0.0.1")));
}

#[tokio::test]
async fn both_audit_logs_refuse_update_delete_and_truncate_on_either_database() {
    let app = spawn_app_as(PM).await;
    let _ = crate::passports::passport_for(&app, NURSE_R0A).await;
    assert!(audit_event::Entity::find().count(&app.db).await.unwrap() > 0);
    assert!(passport_audit::Entity::find().count(&app.db).await.unwrap() > 0);
    for table in ["audit_events", "passport_audit"] {
        let mut statements = vec![format!("UPDATE {table} SET action = 'x'"), format!("DELETE FROM {table}")];
        if backend() == Backend::Postgres {
            statements.push(format!("TRUNCATE {table}"));
        }
        for sql in statements {
            let refused = app.db.execute_unprepared(&sql).await;
            let message = refused.expect_err(&sql).to_string();
            assert!(message.contains("append-only"), "{sql}: {message}");
        }
    }
    assert!(audit_event::Entity::find().count(&app.db).await.unwrap() > 0);
    assert!(passport_audit::Entity::find().count(&app.db).await.unwrap() > 0);
}
