//! The test harness: `spawn_app()` starts the real app on port 0 with a fresh database (SQLite
//! file or PostgreSQL database), the demo network, and a real SMTP server (aiosmtpd) on
//! 127.0.0.1; it hands back helpers named after what a user does.

use reqwest::{StatusCode, header};
use scraper::{Html, Selector};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait};
use server::config::{MailTransportKind, Secret, Settings, SmtpTls};
use server::startup::Application;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
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

/// A real SMTP server on 127.0.0.1 that stores what it receives in a Maildir.
pub struct SmtpServer {
    pub port: u16,
    maildir: PathBuf,
    child: Option<Child>,
}

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl SmtpServer {
    pub fn start_new(dir: &Path) -> Self {
        let port = free_port();
        let mut s = Self { port, maildir: dir.join("maildir"), child: None };
        s.start();
        s
    }

    /// Starts (or restarts) the server on its port and waits until it accepts connections.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "SMTP server already running");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting aiosmtpd (pip install aiosmtpd)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server: connections are refused until `start`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) else { continue };
            for entry in entries.flatten() {
                let raw = std::fs::read_to_string(entry.path()).unwrap_or_default();
                out.push(parse_mail(&raw));
            }
        }
        out
    }

    /// Waits until at least `n` messages have arrived (or the timeout passes), then returns all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn parse_mail(raw: &str) -> ReceivedMail {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let header =
        |name: &str| head.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned())).unwrap_or_default();
    ReceivedMail {
        to: header("To:"),
        subject: header("Subject:"),
        body: decode_quoted_printable(&body.replace("\r\n", "\n")),
    }
}

/// Undoes quoted-printable: soft line breaks and `=XX` escapes (lettre uses it for long lines).
fn decode_quoted_printable(s: &str) -> String {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
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

/// The full credential of a stored passport, opened with the test key-encryption key.
pub fn stored_credential(p: &app::server::entities::passport::Model) -> String {
    let kek = app::server::keyring::KeyEncryptionKey::from_base64(TEST_KEK).unwrap();
    app::server::services::credential_store::opened(&kek, p).unwrap()
}

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

/// A fetched HTML page.
pub struct Page {
    pub status: StatusCode,
    pub html: Html,
    pub text: String,
}

impl Page {
    /// The trimmed text of every element matching `css`.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let sel = Selector::parse(css).expect("a valid selector");
        self.html
            .select(&sel)
            .map(|e| e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// The value of attribute `attr` on the first element matching `css`.
    pub fn attr(&self, css: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(css).expect("a valid selector");
        self.html.select(&sel).next().and_then(|e| e.value().attr(attr).map(str::to_owned))
    }

    pub fn has(&self, css: &str) -> bool {
        !self.texts(css).is_empty()
    }
}

/// The add-team form's fields.
pub struct TeamForm<'a> {
    pub trust: &'a str,
    pub name: &'a str,
    pub site: &'a str,
    pub min_cover: &'a str,
}

impl TeamForm<'_> {
    fn fields(&self) -> [(&str, &str); 4] {
        [("trust", self.trust), ("name", self.name), ("site", self.site), ("min_cover", self.min_cover)]
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A second browser, with its own (empty) cookie jar.
    pub fn new_browser(&self) -> reqwest::Client {
        browser(&self.base)
    }

    /// Posts a server function as the hydrated app does (JavaScript on), from `client`.
    pub async fn call(&self, client: &reqwest::Client, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(header::ACCEPT, "application/json")
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a form as a browser with JavaScript off does, from the page at `from`.
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

    /// Signs the test's main browser in as a demo account.
    pub async fn sign_in_as(&self, email: &str) {
        let res = self.sign_in_with(&self.client, email, DEMO_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "signing in as {email}");
    }

    /// Signs `client` in and returns the response.
    pub async fn sign_in_with(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        self.call(client, "auth/sign-in", &[("email", email), ("password", password)]).await
    }

    /// A new browser signed in as `email`.
    pub async fn browser_signed_in_as(&self, email: &str) -> reqwest::Client {
        let client = self.new_browser();
        let res = self.sign_in_with(&client, email, DEMO_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "signing in as {email}");
        client
    }

    /// The id of a demo person.
    pub async fn person_id(&self, email: &str) -> i32 {
        use app::server::entities::user;
        use sea_orm::{ColumnTrait, QueryFilter};
        user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(&self.db)
            .await
            .expect("query")
            .expect("a demo person")
            .id
    }

    /// The audit log's actions, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        use app::server::entities::audit_event;
        use sea_orm::QueryOrder;
        audit_event::Entity::find()
            .order_by_asc(audit_event::Column::Id)
            .all(&self.db)
            .await
            .expect("query")
            .into_iter()
            .map(|e| e.action)
            .collect()
    }

    /// Opens a page as a browser does.
    pub async fn visit(&self, path: &str) -> Page {
        let res = self.client.get(self.url(path)).header(header::ACCEPT, "text/html").send().await.expect("GET");
        let status = res.status();
        let text = res.text().await.expect("a body");
        Page { status, html: Html::parse_document(&text), text }
    }

    /// Submits the add-team form as the hydrated app does (JavaScript on).
    pub async fn add_team_with_js(&self, form: TeamForm<'_>) -> reqwest::Response {
        self.client
            .post(self.url("/api/network/add-team"))
            .header(header::ACCEPT, "application/json")
            .form(&form.fields())
            .send()
            .await
            .expect("POST")
    }

    /// Submits the add-team form as a browser with JavaScript off does, from the trust's page.
    pub async fn add_team_without_js(&self, form: TeamForm<'_>) -> reqwest::Response {
        self.client
            .post(self.url("/api/network/add-team"))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, self.url(&format!("/trusts/{}", form.trust)))
            .form(&form.fields())
            .send()
            .await
            .expect("POST")
    }

    /// The names of a trust's teams, straight from the database.
    pub async fn team_names(&self, ods: &str) -> Vec<String> {
        use app::server::entities::{team, trust};
        use sea_orm::{ColumnTrait, QueryFilter};
        let Some(t) = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&self.db).await.expect("query")
        else {
            return Vec::new();
        };
        let mut names: Vec<String> = team::Entity::find()
            .filter(team::Column::TrustId.eq(t.id))
            .all(&self.db)
            .await
            .expect("query")
            .into_iter()
            .map(|t| t.name)
            .collect();
        names.sort();
        names
    }

    /// Every row of the outbox.
    pub async fn outbox(&self) -> Vec<app::server::entities::outbox::Model> {
        app::server::entities::outbox::Entity::find().all(&self.db).await.expect("query")
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
