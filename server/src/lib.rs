//! The Placement Passport server: configuration, database, router, mail worker and demo data.
//! `main.rs` is the command line over these.

pub mod client_addr;
pub mod config;
pub mod database;
pub mod housekeeping;
pub mod mailer;
pub mod passport_routes;
pub mod retire_key;
pub mod security;
pub mod seed;
pub mod seed_applications;
pub mod seed_passports;
pub mod seed_placements;
pub mod sqlite_memory;
pub mod startup;
pub mod static_files;
pub mod telemetry;
pub mod verify;
pub mod worker;
