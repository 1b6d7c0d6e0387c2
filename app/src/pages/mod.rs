//! Pages: each takes its data from server functions through resources and lays it out; no SQL,
//! no business rules.

pub mod home;
pub mod not_found;
pub mod pathways;
pub mod trust;
pub mod trusts;
