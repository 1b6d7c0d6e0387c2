//! Who is asking, by address, behind a real reverse proxy (nginx from Debian's packages, started
//! by the test) and with forged `X-Forwarded-For` headers: the address that counts for the
//! sign-in throttle and goes into the audit log is the one the trusted proxy saw.

use crate::helpers::{NURSE_R0A, TestApp, free_port, spawn_app_with};
use app::server::entities::audit_event;
use reqwest::{StatusCode, header};
use sea_orm::{EntityTrait, QueryOrder};
use server::client_addr::TrustedProxies;
use std::net::IpAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// nginx in front of the app on a port of its own, appending the peer it sees to
/// `X-Forwarded-For` as any reverse proxy does.
struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(upstream: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let p = dir.path().display();
        let conf = format!(
            "worker_processes 1;\n\
             pid {p}/nginx.pid;\n\
             error_log {p}/error.log warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n\
               access_log off;\n\
               client_body_temp_path {p}/body; proxy_temp_path {p}/proxy; fastcgi_temp_path {p}/fastcgi;\n\
               uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;\n\
               server {{\n\
                 listen 127.0.0.1:{port};\n\
                 location / {{\n\
                   proxy_pass http://{upstream};\n\
                   proxy_set_header Host $host:$server_port;\n\
                   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                 }}\n\
               }}\n\
             }}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx is installed (scripts/install-test-deps.sh)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, port, _dir: dir }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser-like client connecting from `from` (any 127.x address is this machine), whose
/// pages are at `base`.
fn client_from(from: &str, base: &str) -> reqwest::Client {
    let mut headers = header::HeaderMap::new();
    headers.insert(header::ORIGIN, header::HeaderValue::from_str(base).unwrap());
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(45))
        .build()
        .unwrap()
}

/// A wrong password for the nurse, posted to `base` with `forged` as the client's own
/// `X-Forwarded-For`.
async fn wrong_guess(client: &reqwest::Client, base: &str, forged: &str) -> StatusCode {
    client
        .post(format!("{base}/api/auth/sign-in"))
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", forged)
        .form(&[("email", NURSE_R0A), ("password", "not the password at all")])
        .send()
        .await
        .unwrap()
        .status()
}

/// The addresses the failed sign-ins were logged from, oldest first.
async fn logged_addresses(app: &TestApp) -> Vec<String> {
    audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.code() == "sign_in_failed")
        .filter_map(|e| e.ip)
        .collect()
}

fn app_addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_address_it_saw_counts_and_forged_entries_do_not() {
    let app = spawn_app_with(|s| {
        s.server.trusted_proxies = TrustedProxies::Networks(vec!["127.0.0.1/32".parse().unwrap()]);
        s.auth.address_failure_limit = 3;
        s.auth.account_failure_limit = 0;
    })
    .await;
    let proxy = Nginx::start(&app_addr(&app));
    let through_proxy = client_from("127.0.0.2", &proxy.base());
    // Each guess claims to come from somewhere new; none of it is believed.
    for n in 1..=3 {
        assert_eq!(
            wrong_guess(&through_proxy, &proxy.base(), &format!("203.0.113.{n}")).await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(logged_addresses(&app).await, ["127.0.0.2"; 3]);
    assert_eq!(
        wrong_guess(&through_proxy, &proxy.base(), "198.51.100.99").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the address limit holds whatever the header says"
    );
    // Another machine behind the same proxy is not held up.
    let elsewhere = client_from("127.0.0.3", &proxy.base());
    assert_eq!(wrong_guess(&elsewhere, &proxy.base(), "127.0.0.2").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(logged_addresses(&app).await.last().map(String::as_str), Some("127.0.0.3"));
    // Going round the proxy, straight to the app: the peer is not a trusted proxy, so its
    // header is not believed either.
    let direct = client_from("127.0.0.4", &app.base);
    assert_eq!(wrong_guess(&direct, &app.base, "203.0.113.50, 127.0.0.1").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(logged_addresses(&app).await.last().map(String::as_str), Some("127.0.0.4"));
}

#[tokio::test]
async fn with_a_count_of_hops_the_client_is_what_the_outermost_proxy_appended() {
    let app = spawn_app_with(|s| s.server.trusted_proxies = TrustedProxies::Hops(1)).await;
    let proxy = Nginx::start(&app_addr(&app));
    let through_proxy = client_from("127.0.0.5", &proxy.base());
    assert_eq!(wrong_guess(&through_proxy, &proxy.base(), "203.0.113.7").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(logged_addresses(&app).await, ["127.0.0.5"]);
}

#[tokio::test]
async fn with_no_proxy_configured_the_header_is_ignored() {
    let app = spawn_app_with(|_| {}).await;
    let direct = client_from("127.0.0.6", &app.base);
    assert_eq!(wrong_guess(&direct, &app.base, "203.0.113.8").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(logged_addresses(&app).await, ["127.0.0.6"]);
}
