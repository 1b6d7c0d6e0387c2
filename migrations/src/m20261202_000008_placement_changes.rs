//! Browsing reads open placements from an index the server keeps in memory (see the app's
//! `placement_index`), so a page is a filter over memory instead of a query over thousands of
//! rows. This migration gives that index something cheap to check it is current: one counter,
//! bumped by triggers on every change to what the index holds (placements, their staff groups,
//! trust and pathway names), in the writer's own transaction, so no code path can forget it and
//! every server instance sharing the database sees a change at once.
//!
//! Free-text search moved into that index too, so the database's full-text machinery of
//! migration 6 (an FTS5 table on SQLite, a `tsvector` column on PostgreSQL) is dropped: one
//! search, the same on both databases.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PlacementChanges {
    Table,
    Id,
    Version,
}

/// The tables whose changes the browse index must follow.
const WATCHED: [&str; 4] = ["placements", "placement_staff_groups", "trusts", "pathways"];
const BUMP: &str = "UPDATE placement_changes SET version = version + 1 WHERE id = 1";

/// Migration 6's full-text search triggers on SQLite, to drop.
const SQLITE_SEARCH_TRIGGERS: [&str; 3] =
    ["placement_search_insert", "placement_search_delete", "placement_search_update"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlacementChanges::Table)
                    .col(integer(PlacementChanges::Id).primary_key())
                    .col(big_integer(PlacementChanges::Version).default(0))
                    .check(Expr::cust("id = 1"))
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        conn.execute_unprepared("INSERT INTO placement_changes (id, version) VALUES (1, 0)").await?;
        let backend = manager.get_database_backend();
        create_triggers(manager).await?;
        match backend {
            DatabaseBackend::Postgres => {
                conn.execute_unprepared("DROP INDEX IF EXISTS ix_placements_search").await?;
                conn.execute_unprepared("ALTER TABLE placements DROP COLUMN IF EXISTS search").await?;
            }
            _ => {
                for t in SQLITE_SEARCH_TRIGGERS {
                    conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}")).await?;
                }
                conn.execute_unprepared("DROP TABLE IF EXISTS placement_search").await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let backend = manager.get_database_backend();
        drop_triggers(manager).await?;
        // Migration 6's search, as it made it.
        let search = match backend {
            DatabaseBackend::Postgres => &super::m20261123_000006_placement_search::POSTGRES_UP[..],
            _ => &super::m20261123_000006_placement_search::SQLITE_UP[..],
        };
        for sql in search {
            conn.execute_unprepared(sql).await?;
        }
        manager.drop_table(Table::drop().table(PlacementChanges::Table).to_owned()).await
    }
}

/// The counter's triggers as this migration makes them (migration 14 replaces them, and puts
/// them back when it is undone).
pub(crate) async fn create_triggers(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    match manager.get_database_backend() {
        DatabaseBackend::Postgres => {
            conn.execute_unprepared(&format!(
                "CREATE FUNCTION bump_placement_changes() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN {BUMP}; RETURN NULL; END $$"
            ))
            .await?;
            for table in WATCHED {
                conn.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION bump_placement_changes()"
                ))
                .await?;
            }
        }
        _ => {
            for table in WATCHED {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_{}_changed AFTER {event} ON {table} BEGIN {BUMP}; END",
                        event.to_lowercase()
                    ))
                    .await?;
                }
            }
        }
    }
    Ok(())
}

pub(crate) async fn drop_triggers(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    match manager.get_database_backend() {
        DatabaseBackend::Postgres => {
            for table in WATCHED {
                conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_changed ON {table}")).await?;
            }
            conn.execute_unprepared("DROP FUNCTION IF EXISTS bump_placement_changes()").await?;
        }
        _ => {
            for table in WATCHED {
                for event in ["insert", "update", "delete"] {
                    conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_{event}_changed")).await?;
                }
            }
        }
    }
    Ok(())
}
