//! Server-only code: state, access rules, database entities, services and the mail outbox.
//! Compiled only with the `ssr` feature; the browser build never sees it.

pub mod access;
pub mod db;
pub mod entities;
pub mod flash;
pub mod keyring;
pub mod outbox;
pub mod password;
pub mod photo;
pub mod placement_index;
pub mod rate_limit;
pub mod request;
pub mod respond;
pub mod services;
pub mod state;
#[cfg(test)]
pub mod testing;
pub mod tokens;
pub mod turns;

pub use request::RequestContext;
pub use state::{AppState, AuthConfig};
pub use turns::WriteTurns;
