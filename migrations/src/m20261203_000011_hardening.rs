//! Hardening (issue 18): throttled sign-in attempts counted as one row per spell, the client's
//! address on every passport audit entry, the photo digest each passport binds, and both audit
//! logs refusing `TRUNCATE` on PostgreSQL
//! as they already refuse updates and deletes (SQLite has no `TRUNCATE`: its `DELETE` trigger
//! covers a delete without `WHERE` too).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SignInThrottles {
    Table,
    Id,
    EmailKey,
    Ip,
    FirstAt,
    LastAt,
    Attempts,
}

#[derive(DeriveIden)]
enum PassportAudit {
    Table,
    Ip,
}

#[derive(DeriveIden)]
enum Passports {
    Table,
    PhotoDigest,
}

/// The append-only tables and the function each one's row triggers already call.
const AUDIT_TABLES: [(&str, &str); 2] =
    [("audit_events", "audit_events_append_only"), ("passport_audit", "passport_audit_append_only")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SignInThrottles::Table)
                    .col(pk_auto(SignInThrottles::Id))
                    // Empty when what was typed is not a valid email address.
                    .col(string_len(SignInThrottles::EmailKey, 254))
                    .col(string_len(SignInThrottles::Ip, 45))
                    .col(timestamp_with_time_zone(SignInThrottles::FirstAt))
                    .col(timestamp_with_time_zone(SignInThrottles::LastAt))
                    .col(integer(SignInThrottles::Attempts))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sign_in_throttles_key_ip")
                    .table(SignInThrottles::Table)
                    .col(SignInThrottles::EmailKey)
                    .col(SignInThrottles::Ip)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PassportAudit::Table)
                    .add_column(string_len_null(PassportAudit::Ip, 45))
                    .to_owned(),
            )
            .await?;
        // The photo a passport binds, so a photo is served only while a valid passport binds it.
        // Passports issued before this migration bind theirs only once reissued.
        manager
            .alter_table(
                Table::alter()
                    .table(Passports::Table)
                    .add_column(string_len_null(Passports::PhotoDigest, 60))
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            let conn = manager.get_connection();
            for (table, function) in AUDIT_TABLES {
                conn.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            let conn = manager.get_connection();
            for (table, _) in AUDIT_TABLES {
                conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")).await?;
            }
        }
        manager
            .alter_table(Table::alter().table(PassportAudit::Table).drop_column(PassportAudit::Ip).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Passports::Table).drop_column(Passports::PhotoDigest).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(SignInThrottles::Table).to_owned()).await?;
        Ok(())
    }
}
