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
}
