//! Server-only code: state, database entities, services and the mail outbox.
//! Compiled only with the `ssr` feature; the browser build never sees it.

pub mod db;
pub mod entities;
pub mod flash;
pub mod outbox;
pub mod respond;
pub mod services;
pub mod state;

pub use state::AppState;
