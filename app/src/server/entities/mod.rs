//! SeaORM entities: one file per table, mechanical, mirroring the migrations.
//! Behaviour lives in `services`, not here.

pub mod application;
pub mod application_feedback;
pub mod audit_event;
pub mod auth_token;
pub mod form_flash;
pub mod grant_team;
pub mod holder_key;
pub mod issuer_key;
pub mod notification;
pub mod outbox;
pub mod passport;
pub mod passport_audit;
pub mod passport_check;
pub mod passport_photo;
pub mod pathway;
pub mod placement;
pub mod placement_staff_group;
pub mod role_grant;
pub mod session;
pub mod sign_in_failure;
pub mod sign_in_throttle;
pub mod site;
pub mod state_transition;
pub mod status_list;
pub mod status_list_index;
pub mod team;
pub mod trust;
pub mod user;
