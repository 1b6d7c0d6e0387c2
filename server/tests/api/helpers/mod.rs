//! The test harness: `spawn_app()` starts the real app on port 0 with a fresh database (SQLite
//! file or PostgreSQL database), the demo network, and a real SMTP server (aiosmtpd) on
//! 127.0.0.1; it hands back helpers named after what a user does.
//!
//! This file is the harness itself: starting and stopping the app, its settings, browsers, and
//! the two raw ways to post a server function (`call`, `post_form`), kept for the tests that
//! post something odd on purpose. The rest, by topic: `mail` (the SMTP server), `page` (fetched
//! pages), `db` (reads straight from the database) and the actions a user takes, each with its
//! endpoint written once: `accounts` (signing in, passwords, people), `network`, `placements`
//! (and applications) and `passports`.

mod accounts;
mod db;
mod mail;
mod network;
mod page;
mod passports;
mod placements;

pub use db::stored_credential;
pub use mail::{SmtpServer, free_port};
pub use network::TeamForm;

use reqwest::{StatusCode, header};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use server::config::{MailTransportKind, Secret, Settings, SmtpTls};
use server::startup::Application;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("APP_TEST_DATABASE").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// A fresh, empty database for one test; returns its URL.
pub async fn fresh_database(dir: &Path) -> String {
    match backend() {
        Backend::Sqlite => format!("sqlite://{}/test.db?mode=rwc", dir.display()),
        Backend::Postgres => {
            let admin_url = std::env::var("APP_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://pp_test@127.0.0.1:5432/postgres".into());
            let name = format!("pp_test_{}", hex::encode(rand::random::<[u8; 8]>()));
            let admin = Database::connect(&admin_url).await.expect("connecting to PostgreSQL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("creating the test database");
            admin.close().await.ok();
            let (base, _) = admin_url.rsplit_once('/').expect("a URL with a database name");
            format!("{base}/{name}")
        }
    }
}

/// The running app and what a test needs to drive it.
pub struct TestApp {
    pub base: String,
    /// A browser-like client with a cookie jar that does not follow redirects.
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub smtp: SmtpServer,
    pub settings: Settings,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The app, with the test's browser signed in as `email`.
pub async fn spawn_app_as(email: &str) -> TestApp {
    let app = spawn_app().await;
    app.sign_in_as(email).await;
    app
}

/// Test settings: port 0, fresh database, real SMTP, fast retries.
pub fn test_settings(db_url: &str, smtp_port: u16) -> Settings {
    let mut s = Settings::default();
    s.server.host = "127.0.0.1".into();
    s.server.port = 0;
    s.server.site_root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    s.server.shutdown_grace_seconds = 5;
    s.database.url = Secret(db_url.to_owned());
    s.database.max_connections = 5;
    s.mail.transport = MailTransportKind::Smtp;
    s.mail.smtp.host = "127.0.0.1".into();
    s.mail.smtp.port = smtp_port;
    s.mail.smtp.tls = SmtpTls::None;
    s.mail.smtp.timeout_seconds = 2;
    s.mail.poll_interval_ms = 50;
    s.mail.retry_base_ms = 100;
    s.mail.retry_max_ms = 400;
    s.mail.lease_seconds = 10;
    s.secret_key = Some(Secret("test-secret-test-secret-test-secret".into()));
    s.passport.key_encryption_key = Some(Secret(TEST_KEK.into()));
    s
}

/// The tests' passport key-encryption key (base64 of 32 bytes).
pub const TEST_KEK: &str = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=";

/// Every app under test runs on this one multi-threaded runtime, as the server binary runs
/// on one: a test's own runtime (one thread, ended with the test) only drives the client and
/// its checks. Rendering under a test's short-lived single-thread runtime stalled a page now
/// and then, which production never sees.
static SERVER_RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("app-under-test")
        .enable_all()
        .build()
        .expect("the server runtime")
});

pub async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    server::telemetry::init_with_default("warn");
    let dir = tempfile::tempdir().expect("a temp dir");
    let smtp = SmtpServer::start_new(dir.path());
    let db_url = fresh_database(dir.path()).await;
    let mut settings = test_settings(&db_url, smtp.port);
    tweak(&mut settings);
    let (ready_tx, ready_rx) = oneshot::channel();
    let (tx, rx) = oneshot::channel::<()>();
    let server_settings = settings.clone();
    let server = SERVER_RUNTIME.spawn(async move {
        let app = Application::build(server_settings).await?;
        let _ = ready_tx.send(app.local_addr());
        app.run_until(async move {
            let _ = rx.await;
        })
        .await
    });
    let addr = ready_rx.await.expect("the app builds and listens");
    // The test's own connection pool, on the test's runtime.
    let db = server::database::connect(&settings.database).await.expect("connecting to the test database");
    server::seed::demo(&db, 0).await.expect("demo data");
    let base = format!("http://{addr}");
    TestApp { client: browser(&base), base, db, smtp, settings, shutdown: Some(tx), server: Some(server), _dir: dir }
}

/// A browser-like client: a cookie jar, no redirects followed, and the `Origin` a browser sends
/// with a same-site post.
pub fn browser(base: &str) -> reqwest::Client {
    let mut headers = header::HeaderMap::new();
    headers.insert(header::ORIGIN, header::HeaderValue::from_str(base).expect("an origin"));
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        // Longer than the server's own 30-second request limit: a stuck request fails the test
        // with its URL instead of hanging the suite.
        .timeout(Duration::from_secs(45))
        .build()
        .expect("a client")
}

/// The field messages of a refused form (which must be a 422), as (field, message) pairs.
pub async fn field_messages(res: reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.expect("a JSON error");
    body["Validation"]["errors"]
        .as_array()
        .expect("field errors")
        .iter()
        .map(|e| {
            (e["field"].as_str().unwrap_or_default().to_owned(), e["message"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

/// The demo accounts (see `server::seed::PEOPLE`).
pub const PM: &str = "pm@gmcancer.nhs.example";
pub const HR_R0A: &str = "hr@r0a.nhs.example";
pub const NURSE_R0A: &str = "nurse@r0a.nhs.example";
pub const NURSE_RM3: &str = "nurse@rm3.nhs.example";
pub const MANAGER_R0A: &str = "manager@r0a.nhs.example";
pub const LEAD_R0A: &str = "lead@r0a.nhs.example";
pub const INVITED_R0A: &str = "invited@r0a.nhs.example";
pub use server::seed::DEMO_PASSWORD;

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A second browser, with its own (empty) cookie jar.
    pub fn new_browser(&self) -> reqwest::Client {
        browser(&self.base)
    }

    /// Posts a server function as the hydrated app does (JavaScript on), from `client`. The raw
    /// way, for a test that posts something odd on purpose; the actions a user takes have their
    /// own helpers, named after them, that post through this.
    pub async fn call(&self, client: &reqwest::Client, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(header::ACCEPT, "application/json")
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a form as a browser with JavaScript off does, from the page at `from` (the raw way,
    /// as `call`).
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        from: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, self.url(from))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Stops the server (as SIGTERM does) and waits for it to finish.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.server.take() {
            handle.await.expect("the server task").expect("a clean shutdown");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
