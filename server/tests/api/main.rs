//! Integration tests against the real router, on SQLite by default and on PostgreSQL when
//! `APP_TEST_DATABASE=postgres`. One binary, many modules: one link instead of many.

mod add_team;
mod application_access;
mod applications;
mod auth;
mod authorisation;
mod browse;
mod client_address;
mod credentials;
mod hardening;
mod helpers;
mod network_admin;
mod network_pages;
mod outbox;
mod passport_pages;
mod passport_records;
mod passports;
mod people;
mod placements;
mod placements_schema;
mod service;
mod static_files;
