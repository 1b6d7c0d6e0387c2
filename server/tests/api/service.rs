use crate::helpers::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn health_answers_ok_when_the_database_is_up() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), r#"{"status":"ok"}"#);
}

#[tokio::test]
async fn responses_carry_the_hardening_headers() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
}

#[tokio::test]
async fn shutdown_stops_the_server_cleanly_and_it_stops_listening() {
    let mut app = spawn_app().await;
    assert_eq!(app.visit("/").await.status, StatusCode::OK);
    app.stop().await;
    let err = app.client.get(app.url("/health")).send().await;
    assert!(err.is_err(), "the port is closed after shutdown");
}

#[tokio::test]
async fn the_nhs_frontend_assets_are_served_by_the_app() {
    let app = spawn_app().await;
    for path in ["/nhsuk/nhsuk-frontend.min.css", "/nhsuk/nhsuk-frontend.min.js", "/js/enhance.js"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path} (run scripts/assets.sh)");
    }
    // The stylesheet loads nothing from another site: its web fonts are taken out (the page's
    // policy would block them, and they would tell assets.nhs.uk who opens each page).
    let css = app.client.get(app.url("/nhsuk/nhsuk-frontend.min.css")).send().await.unwrap().text().await.unwrap();
    assert!(css.contains(".nhsuk-header"), "the NHS.UK frontend's CSS");
    assert!(!css.contains("@font-face") && !css.contains("url(http"), "the CSS refers to another site");
}

#[tokio::test]
async fn pages_allow_only_their_own_nonce_for_inline_scripts() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/trusts/RWJ")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let body = res.text().await.unwrap();
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the policy");
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains("https:"), "nothing is allowed from another site: {csp}");
    // Every inline script carries this response's nonce; no script lacks one.
    let doc = scraper::Html::parse_document(&body);
    let scripts = scraper::Selector::parse("script:not([src])").unwrap();
    let inline: Vec<_> = doc.select(&scripts).collect();
    assert!(!inline.is_empty());
    assert!(inline.iter().all(|s| s.value().attr("nonce") == Some(nonce)), "{csp}");
    // A fresh nonce per response.
    let again = app.client.get(app.url("/trusts/RWJ")).send().await.unwrap();
    assert_ne!(again.headers()["content-security-policy"].to_str().unwrap(), csp);
}

#[tokio::test]
async fn sqlite_keeps_temporary_data_in_memory_so_no_write_creates_a_file() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let app = spawn_app().await;
    if app.db.get_database_backend() != DatabaseBackend::Sqlite {
        return; // PostgreSQL has no such setting
    }
    // Every connection of the pool, held at once so each is a different one.
    let mut held = Vec::new();
    for _ in 0..3 {
        let txn = sea_orm::TransactionTrait::begin(&app.db).await.unwrap();
        let row = txn.query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, "PRAGMA temp_store")).await;
        let mode: i32 = row.unwrap().expect("a row").try_get_by_index(0).unwrap();
        assert_eq!(mode, 2, "temp_store = MEMORY (2) on every connection");
        held.push(txn);
    }
}
