//! Structured logs. `RUST_LOG` filters (default `info`); `APP_LOG_FORMAT=json` logs JSON lines.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

pub fn init() {
    init_with_default("info,sqlx=warn,sea_orm=warn,tower_http=info");
}

/// Like [`init`], with another filter when `RUST_LOG` is not set (tests log only warnings).
pub fn init_with_default(default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let json = std::env::var("APP_LOG_FORMAT").is_ok_and(|v| v == "json");
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry.with(fmt::layer().json().with_current_span(false)).try_init()
    } else {
        registry.with(fmt::layer().compact()).try_init()
    };
    // A second init (tests start many apps in one process) is harmless.
    let _ = result;
}
