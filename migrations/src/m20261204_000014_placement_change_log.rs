//! Which placements changed, for the browse index to follow changes one placement at a time.
//!
//! Migration 8's counter told the index *that* something changed, so every change rebuilt it
//! whole: a third of a second for 8,000 open placements, after every accepted place. Each bump of
//! the counter now also writes one row here: the new version and the placement it was for (none
//! for a change the index must rebuild for: staff groups, trusts, pathways). The bump comes first
//! and holds the counter's row until the writer commits, so versions are handed out in commit
//! order: a reader holding version `v` has seen exactly the changes logged up to `v`, and every
//! later change has a version above it. Versions are consecutive, so a reader can tell when rows
//! it needs have been pruned (housekeeping keeps the most recent ones) and rebuild instead.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

use super::m20261202_000008_placement_changes as counter;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PlacementChangeLog {
    Table,
    Version,
    PlacementId,
}

/// Tables whose changes make the index rebuild (logged without a placement).
const REBUILD_FOR: [&str; 3] = ["placement_staff_groups", "trusts", "pathways"];
const BUMP: &str = "UPDATE placement_changes SET version = version + 1 WHERE id = 1";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlacementChangeLog::Table)
                    .col(big_integer(PlacementChangeLog::Version).primary_key())
                    .col(integer_null(PlacementChangeLog::PlacementId))
                    .to_owned(),
            )
            .await?;
        counter::drop_triggers(manager).await?;
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                conn.execute_unprepared(&format!(
                    "CREATE FUNCTION log_placement_change() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     DECLARE v BIGINT; changed INTEGER; \
                     BEGIN \
                       IF TG_LEVEL = 'ROW' THEN \
                         IF TG_OP = 'DELETE' THEN changed := OLD.id; ELSE changed := NEW.id; END IF; \
                       END IF; \
                       {BUMP} RETURNING version INTO v; \
                       INSERT INTO placement_change_log (version, placement_id) VALUES (v, changed); \
                       RETURN NULL; \
                     END $$"
                ))
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER placements_changed AFTER INSERT OR UPDATE OR DELETE ON placements \
                     FOR EACH ROW EXECUTE FUNCTION log_placement_change()",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER placements_truncated AFTER TRUNCATE ON placements \
                     FOR EACH STATEMENT EXECUTE FUNCTION log_placement_change()",
                )
                .await?;
                for table in REBUILD_FOR {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} \
                         FOR EACH STATEMENT EXECUTE FUNCTION log_placement_change()"
                    ))
                    .await?;
                }
            }
            _ => {
                let log = |what: &str| {
                    format!(
                        "{BUMP}; INSERT INTO placement_change_log (version, placement_id) \
                         SELECT version, {what} FROM placement_changes WHERE id = 1;"
                    )
                };
                for (event, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER placements_{}_logged AFTER {event} ON placements BEGIN {} END",
                        event.to_lowercase(),
                        log(&format!("{row}.id"))
                    ))
                    .await?;
                }
                for table in REBUILD_FOR {
                    for event in ["INSERT", "UPDATE", "DELETE"] {
                        conn.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_{}_logged AFTER {event} ON {table} BEGIN {} END",
                            event.to_lowercase(),
                            log("NULL")
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                for table in REBUILD_FOR.iter().chain(&["placements"]) {
                    conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_changed ON {table}")).await?;
                }
                conn.execute_unprepared("DROP TRIGGER IF EXISTS placements_truncated ON placements").await?;
                conn.execute_unprepared("DROP FUNCTION IF EXISTS log_placement_change()").await?;
            }
            _ => {
                for table in REBUILD_FOR.iter().chain(&["placements"]) {
                    for event in ["insert", "update", "delete"] {
                        conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_{event}_logged")).await?;
                    }
                }
            }
        }
        counter::create_triggers(manager).await?;
        manager.drop_table(Table::drop().table(PlacementChangeLog::Table).to_owned()).await
    }
}
