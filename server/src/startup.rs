//! Building the application: database, state, router, worker; serving until shutdown.

use crate::config::Settings;
use crate::mailer::Mailer;
use crate::worker::OutboxWorker;
use crate::{database, security};
use anyhow::Context;
use app::{App, server::AppState, shell};
use axum::{Router, extract::State, http::StatusCode, response::IntoResponse, routing::get};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::watch};
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, timeout::TimeoutLayer, trace::TraceLayer,
};

/// A built application, bound to its port and ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    settings: Settings,
}

impl Application {
    /// Connects to the database, applies migrations and binds the port (port 0 picks a free one).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = database::connect(&settings.database).await?;
        database::migrate(&db).await?;
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .await
            .with_context(|| format!("binding {}:{}", settings.server.host, settings.server.port))?;
        let mut settings = settings;
        // With port 0, links in mail must name the port actually bound.
        if settings.server.port == 0 {
            settings.server.port = listener.local_addr()?.port();
        }
        let kek = settings.key_encryption_key()?;
        let mut state = AppState::new(db, &settings.public_url(), settings.auth.clone(), kek);
        state.reminders = std::sync::Arc::new(settings.applications.clone());
        // Passports stored before credentials were sealed are sealed now, once, in one transaction.
        if let Some(kek) = state.kek.as_deref() {
            let txn = app::server::db::begin_write(&state.db).await?;
            let sealed = app::server::services::credential_store::seal_stored(&txn, kek)
                .await
                .map_err(|e| anyhow::anyhow!("sealing stored credentials: {e}"))?;
            txn.commit().await?;
            if sealed > 0 {
                tracing::info!(sealed, "stored credentials sealed under the key-encryption key");
            }
        }
        let router = router(state.clone(), &settings, listener.local_addr()?);
        Ok(Self { listener, router, state, settings })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish (up to the grace
    /// period) and stops the outbox worker.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = if self.settings.mail.worker {
            let mailer = Arc::new(Mailer::from_settings(&self.settings.mail)?);
            let worker = OutboxWorker::new(
                self.state.db.clone(),
                self.state.write_turns().clone(),
                mailer,
                self.settings.mail.clone(),
                self.state.outbox_wake.clone(),
            )?;
            Some(tokio::spawn(worker.run(stop_rx.clone())))
        } else {
            None
        };
        let housekeeping = tokio::spawn(crate::housekeeping::run(self.state.clone(), stop_rx.clone()));
        let checkpoints = tokio::spawn(crate::database::checkpoint_wal(self.state.db.clone(), stop_rx.clone()));
        // Build the placement index now rather than on the first browse, which would wait for it.
        let warm = self.state.clone();
        tokio::spawn(async move {
            if let Err(e) = warm.placement_index.snapshot(&warm.db).await {
                tracing::warn!(error = %e, "building the placement index at start-up");
            }
        });
        tracing::info!(addr = %self.local_addr(), "listening");
        let grace = Duration::from_secs(self.settings.server.shutdown_grace_seconds);
        let (drain_tx, drain_rx) = watch::channel(false);
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let server = axum::serve(self.listener, service).with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: finishing requests in flight");
            let _ = drain_tx.send(true);
        });
        let mut drain_rx = drain_rx;
        let result = tokio::select! {
            r = server => r.context("serving"),
            _ = async move {
                let _ = drain_rx.wait_for(|d| *d).await;
                tokio::time::sleep(grace).await;
            } => {
                tracing::warn!("requests still in flight after the grace period; stopping anyway");
                Ok(())
            }
        };
        let _ = stop_tx.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        let _ = housekeeping.await;
        let _ = checkpoints.await;
        self.state.db.clone().close().await.ok();
        result
    }
}

/// The app's routes, listed once per process. Listing renders the app with resource loading
/// switched off by a process-wide flag (leptos_server's `SuppressResourceLoad`), so a page that
/// another app in the same process renders at that moment waits for ever (leptos issue 4773).
/// The binary builds one app, but the integration tests build dozens side by side; listing once
/// means no listing ever overlaps a render.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::LazyLock<Vec<AxumRouteListing>> = std::sync::LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// The whole HTTP surface: health check, pages, server functions and static files.
pub fn router(state: AppState, settings: &Settings, addr: SocketAddr) -> Router {
    let site = crate::static_files::Site::new(&settings.server.site_root);
    let leptos_options = LeptosOptions::builder()
        .output_name("pp")
        .site_root(settings.server.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        // The page names the bundle's files by the hashes the build wrote, when it wrote them.
        .hash_files(site.hashed)
        .hash_file(Arc::from(site.hash_file.to_string_lossy().as_ref()))
        .build();
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let shell_options = leptos_options.clone();
    let fallback_options = leptos_options.clone();
    site.serve(Router::new())
        .route("/health", get(health).with_state(state.clone()))
        .merge(crate::passport_routes::routes(state.clone()))
        .leptos_routes_with_context(&leptos_options, routes, context.clone(), move || shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context(context, move |_| shell(fallback_options.clone())))
        .with_state(leptos_options)
        .layer(axum::middleware::from_fn(security::server_fn_status))
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), Arc::new(settings.server.trusted_proxies.clone())),
            security::session,
        ))
        .layer(axum::middleware::from_fn(security::same_origin_writes))
        .layer(axum::middleware::from_fn(security::body_limit))
        .layer(axum::middleware::from_fn_with_state(state.is_https(), security::headers))
        .layer(CompressionLayer::new())
        // Pages render in full before their first byte (SsrMode::Async), so this bounds them too.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(settings.server.request_timeout_seconds.max(1)),
        ))
        .layer(CatchPanicLayer::custom(security::panic_response))
        .layer(TraceLayer::new_for_http())
}

/// `GET /health`: 200 when the database answers, 503 when it does not.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, [("content-type", "application/json")], r#"{"status":"ok"}"#),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [("content-type", "application/json")],
                r#"{"status":"database unavailable"}"#,
            )
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
