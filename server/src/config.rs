//! Typed configuration: built-in defaults, then `config/default.toml`, then the untracked
//! `config/local.toml`, then `APP_…` environment variables (`APP_DATABASE__URL`,
//! `APP_MAIL__SMTP__HOST`, …). Secrets have no default in a release build.

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};
use std::{fmt, path::PathBuf};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    /// Sign-in, sessions and throttling.
    pub auth: app::server::AuthConfig,
    /// Secret used to derive the service's signing keys. Required in a release build.
    pub secret_key: Option<Secret>,
    /// The digital passport's key management.
    pub passport: PassportSettings,
    /// Applications: when reminders about waiting decisions go.
    pub applications: app::server::services::applications::ReminderConfig,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PassportSettings {
    /// Base64 of 32 random bytes: the AES-256-GCM key that seals issuer and holder private keys
    /// at rest. Required in a release build; losing it makes the stored keys unusable.
    pub key_encryption_key: Option<Secret>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// The address people reach the service at, for links in emails. Defaults to
    /// `http://{host}:{port}`.
    pub public_url: Option<String>,
    /// Where the built site (wasm, JS, CSS, assets) is served from.
    pub site_root: PathBuf,
    /// Seconds to let requests in flight finish after SIGTERM.
    pub shutdown_grace_seconds: u64,
    /// Seconds a request may take before it is answered 503 and abandoned, so nothing (a stuck
    /// lock, a render that never resolves) can hold a connection open for ever.
    pub request_timeout_seconds: u64,
    /// The reverse proxies in front of the service, whose `X-Forwarded-For` entries are
    /// believed: a count of hops, or a list of their networks. None by default (the header is
    /// then ignored and the connection's peer is the client).
    pub trusted_proxies: crate::client_addr::TrustedProxies,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `sqlite://data/placement-passport.db?mode=rwc` or `postgres://user@host/db`.
    pub url: Secret,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    /// Write each message as an `.eml` file under `mail.file_dir` (the embedded default).
    File,
    /// Deliver over SMTP.
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MailSettings {
    pub from: String,
    pub transport: MailTransportKind,
    pub file_dir: PathBuf,
    pub smtp: SmtpSettings,
    /// Run the delivery worker in this process.
    pub worker: bool,
    pub poll_interval_ms: u64,
    pub batch_size: u32,
    /// After delivering a part-full batch, how long the worker lets mail gather before it
    /// claims again (0: claim on every wake).
    pub gather_ms: u64,
    /// First retry delay; it doubles per attempt up to `retry_max_ms`.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// Attempts before a message is given up as dead.
    pub max_attempts: i32,
    /// How long a claimed message is leased to one worker.
    pub lease_seconds: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 3000,
            public_url: None,
            site_root: "target/site".into(),
            shutdown_grace_seconds: 20,
            request_timeout_seconds: 30,
            trusted_proxies: Default::default(),
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self { url: Secret("sqlite://data/placement-passport.db?mode=rwc".into()), max_connections: 8 }
    }
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 25,
            tls: SmtpTls::None,
            username: None,
            password: None,
            timeout_seconds: 10,
        }
    }
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            from: "Placement Passport <no-reply@placement-passport.invalid>".into(),
            transport: MailTransportKind::File,
            file_dir: "data/mail".into(),
            smtp: SmtpSettings::default(),
            worker: true,
            poll_interval_ms: 2000,
            batch_size: 50,
            gather_ms: 200,
            retry_base_ms: 5000,
            retry_max_ms: 15 * 60 * 1000,
            max_attempts: 12,
            lease_seconds: 60,
        }
    }
}

impl Settings {
    /// Loads the configuration from the files under `config/` and the environment.
    pub fn load() -> anyhow::Result<Self> {
        Self::load_from(Figment::new())
    }

    /// Loads on top of `base` (tests pass their own values in it, under the same layering).
    pub fn load_from(base: Figment) -> anyhow::Result<Self> {
        let settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file("config/default.toml"))
            .merge(Toml::file("config/local.toml"))
            .merge(base)
            .merge(Env::prefixed("APP_").split("__"))
            .extract()?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if cfg!(not(debug_assertions)) && self.secret_key.as_ref().is_none_or(|s| s.0.len() < 32) {
            anyhow::bail!(
                "secret_key is not set (or shorter than 32 characters): set APP_SECRET_KEY or \
                 secret_key in config/local.toml (scripts/run.sh generates one)"
            );
        }
        match &self.passport.key_encryption_key {
            None if cfg!(not(debug_assertions)) => anyhow::bail!(
                "passport.key_encryption_key is not set: set APP_PASSPORT__KEY_ENCRYPTION_KEY or \
                 [passport] key_encryption_key in config/local.toml to base64 of 32 random bytes \
                 (scripts/run.sh generates one)"
            ),
            None => tracing::warn!("passport.key_encryption_key is not set: passports cannot be issued in this run"),
            Some(_) => {
                self.key_encryption_key()?;
            }
        }
        Ok(())
    }

    /// The passport key-encryption key, if configured (checked to be base64 of 32 bytes).
    pub fn key_encryption_key(&self) -> anyhow::Result<Option<app::server::keyring::KeyEncryptionKey>> {
        self.passport
            .key_encryption_key
            .as_ref()
            .map(|s| app::server::keyring::KeyEncryptionKey::from_base64(s.expose()))
            .transpose()
            .map_err(|e| anyhow::anyhow!("passport.key_encryption_key: {e}"))
    }

    pub fn public_url(&self) -> String {
        self.server.public_url.clone().unwrap_or_else(|| format!("http://{}:{}", self.server.host, self.server.port))
    }
}

/// A configuration value that is never printed.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = Settings {
            secret_key: Some(Secret("hunter2hunter2".into())),
            passport: PassportSettings {
                key_encryption_key: Some(Secret("c2VjcmV0LWtleS1lbmNyeXB0aW9uLWtleS0zMmJ5dGU=".into())),
            },
            ..Settings::default()
        };
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s:?}").contains("c2VjcmV0"));
    }

    #[test]
    fn later_layers_override_defaults() {
        let s = Settings::load_from(Figment::new().merge(("server.port", 8123))).unwrap();
        assert_eq!(s.server.port, 8123);
        assert_eq!(s.public_url(), "http://127.0.0.1:8123");
    }

    #[test]
    fn a_key_encryption_key_that_is_not_32_bytes_of_base64_is_refused() {
        let bad = Settings::load_from(Figment::new().merge(("passport.key_encryption_key", "c2hvcnQ=")));
        assert!(bad.is_err());
        let good = Settings::load_from(
            Figment::new().merge(("passport.key_encryption_key", "c2VjcmV0LWtleS1lbmNyeXB0aW9uLWtleS0zMmJ5dGU=")),
        )
        .unwrap();
        assert!(good.key_encryption_key().unwrap().is_some());
    }
}
