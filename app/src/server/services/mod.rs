//! Business rules. Each function takes a connection (or the state) and typed input, is tested
//! without HTTP, and is called by a thin server function.

pub mod applications;
pub mod audit;
pub mod auth;
pub mod credential_store;
pub mod issuer;
pub mod key_retirement;
pub mod mail_templates;
pub mod me;
pub mod network;
pub mod notifications;
pub mod passport_records;
pub mod passports;
pub mod people;
pub mod placements;
pub mod sessions;
pub mod trusts;
pub mod verification;
