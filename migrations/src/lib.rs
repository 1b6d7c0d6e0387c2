//! The schema history. Each migration is frozen once released: never edit one, add another.
//! Migrations describe tables with SeaQuery's builder so the same file runs on SQLite and
//! PostgreSQL, and never import the app's entities. Demo data is not here: see `server seed`.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_network;
mod m20261123_000002_create_outbox;
mod m20261123_000003_create_form_flashes;
mod m20261123_000004_create_people;
mod m20261123_000005_create_placements;
mod m20261123_000006_placement_search;
mod m20261201_000007_create_passports;
mod m20261202_000008_placement_changes;
mod m20261202_000009_passport_checks;
mod m20261203_000010_state_transitions;
mod m20261203_000011_hardening;
mod m20261203_000012_seal_credentials;
mod m20261204_000013_applications;
mod m20261204_000014_placement_change_log;
mod m20261205_000015_team_members_index;
mod m20261205_000016_team_away_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_network::Migration),
            Box::new(m20261123_000002_create_outbox::Migration),
            Box::new(m20261123_000003_create_form_flashes::Migration),
            Box::new(m20261123_000004_create_people::Migration),
            Box::new(m20261123_000005_create_placements::Migration),
            Box::new(m20261123_000006_placement_search::Migration),
            Box::new(m20261201_000007_create_passports::Migration),
            Box::new(m20261202_000008_placement_changes::Migration),
            Box::new(m20261202_000009_passport_checks::Migration),
            Box::new(m20261203_000010_state_transitions::Migration),
            Box::new(m20261203_000011_hardening::Migration),
            Box::new(m20261203_000012_seal_credentials::Migration),
            Box::new(m20261204_000013_applications::Migration),
            Box::new(m20261204_000014_placement_change_log::Migration),
            Box::new(m20261205_000015_team_members_index::Migration),
            Box::new(m20261205_000016_team_away_index::Migration),
        ]
    }
}
