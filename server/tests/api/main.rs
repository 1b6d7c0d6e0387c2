//! Integration tests against the real router, on SQLite by default and on PostgreSQL when
//! `APP_TEST_DATABASE=postgres`. One binary, many modules: one link instead of many.

mod helpers;
mod network_pages;
mod add_team;
mod outbox;
mod service;
