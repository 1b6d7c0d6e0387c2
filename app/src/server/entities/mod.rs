//! SeaORM entities: one file per table, mechanical, mirroring the migrations.
//! Behaviour lives in `services`, not here.

pub mod form_flash;
pub mod outbox;
pub mod pathway;
pub mod site;
pub mod team;
pub mod trust;
