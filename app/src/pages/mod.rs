//! Pages: each takes its data from server functions through resources and lays it out; no SQL,
//! no business rules.

pub mod account;
pub mod applications;
pub mod audit;
pub mod home;
pub mod not_found;
pub mod notifications;
pub mod passport;
pub mod passport_record;
pub mod pathways;
pub mod people;
pub mod placement_form;
pub mod placements;
pub mod sign_in;
pub mod team;
pub mod trust;
pub mod trusts;
pub mod verify;
