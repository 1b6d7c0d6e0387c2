//! The digital staff passport: each trust's issuer keys (private halves encrypted at rest),
//! its Token Status Lists and the indexes handed out in them, the passports issued, the keys
//! held for holders, and the append-only passport audit log a holder's history is drawn from.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Trusts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IssuerKeys {
    Table,
    Id,
    TrustId,
    Kid,
    PublicJwk,
    PrivateKeyEnc,
    CreatedAt,
    RetiredAt,
    PublishedUntil,
}

#[derive(DeriveIden)]
enum StatusLists {
    Table,
    Id,
    TrustId,
    ListNumber,
    Size,
    Bits,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StatusListIndexes {
    Table,
    Id,
    StatusListId,
    Idx,
    AllocatedAt,
}

#[derive(DeriveIden)]
enum Passports {
    Table,
    Id,
    HolderId,
    TrustId,
    StatusListId,
    StatusIndex,
    Kid,
    IssuedBy,
    IssuedAt,
    ExpiresAt,
    RevokedAt,
    RevokeReason,
    Credential,
    Items,
}

#[derive(DeriveIden)]
enum HolderKeys {
    Table,
    Id,
    UserId,
    Kid,
    PublicJwk,
    PrivateKeyEnc,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PassportAudit {
    Table,
    Id,
    At,
    HolderId,
    PassportId,
    ActorId,
    ActorEmail,
    ActorRole,
    ActorTrustId,
    Action,
    Items,
    Reason,
}

fn fk(
    name: &str,
    from: (impl IntoTableRef, impl IntoIden),
    to: (impl IntoTableRef, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Restrict).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IssuerKeys::Table)
                    .col(pk_auto(IssuerKeys::Id))
                    .col(integer(IssuerKeys::TrustId))
                    // The RFC 7638 thumbprint of the public key.
                    .col(string_len_uniq(IssuerKeys::Kid, 64))
                    .col(text(IssuerKeys::PublicJwk))
                    // AES-256-GCM (nonce || ciphertext || tag) of the PKCS#8 document, under the
                    // key-encryption key from configuration. Never the key in clear.
                    .col(binary(IssuerKeys::PrivateKeyEnc))
                    .col(timestamp_with_time_zone(IssuerKeys::CreatedAt))
                    // A retired key signs nothing more ...
                    .col(timestamp_with_time_zone_null(IssuerKeys::RetiredAt))
                    // ... but stays published until what it signed has expired.
                    .col(timestamp_with_time_zone_null(IssuerKeys::PublishedUntil))
                    .foreign_key(&mut fk(
                        "fk_issuer_keys_trust",
                        (IssuerKeys::Table, IssuerKeys::TrustId),
                        (Trusts::Table, Trusts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        // One signing key per trust at a time (partial unique index: same SQL on both databases).
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX ux_issuer_keys_current ON issuer_keys (trust_id) WHERE retired_at IS NULL",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusLists::Table)
                    .col(pk_auto(StatusLists::Id))
                    .col(integer(StatusLists::TrustId))
                    .col(integer(StatusLists::ListNumber))
                    .col(integer(StatusLists::Size))
                    // One bit per entry, index 0 the least significant bit of byte 0.
                    .col(binary(StatusLists::Bits))
                    .col(timestamp_with_time_zone(StatusLists::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_status_lists_trust",
                        (StatusLists::Table, StatusLists::TrustId),
                        (Trusts::Table, Trusts::Id),
                    ))
                    .check(Expr::cust("size > 0 AND size % 8 = 0"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_status_lists_number")
                    .table(StatusLists::Table)
                    .col(StatusLists::TrustId)
                    .col(StatusLists::ListNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusListIndexes::Table)
                    .col(pk_auto(StatusListIndexes::Id))
                    .col(integer(StatusListIndexes::StatusListId))
                    .col(integer(StatusListIndexes::Idx))
                    .col(timestamp_with_time_zone(StatusListIndexes::AllocatedAt))
                    .foreign_key(&mut fk(
                        "fk_status_list_indexes_list",
                        (StatusListIndexes::Table, StatusListIndexes::StatusListId),
                        (StatusLists::Table, StatusLists::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // An index is never handed out twice: an old revocation must not apply to a new passport.
        manager
            .create_index(
                Index::create()
                    .name("ux_status_list_indexes")
                    .table(StatusListIndexes::Table)
                    .col(StatusListIndexes::StatusListId)
                    .col(StatusListIndexes::Idx)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HolderKeys::Table)
                    .col(pk_auto(HolderKeys::Id))
                    .col(integer_uniq(HolderKeys::UserId))
                    .col(string_len(HolderKeys::Kid, 64))
                    .col(text(HolderKeys::PublicJwk))
                    .col(binary(HolderKeys::PrivateKeyEnc))
                    .col(timestamp_with_time_zone(HolderKeys::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_holder_keys_user",
                        (HolderKeys::Table, HolderKeys::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Passports::Table)
                    .col(pk_auto(Passports::Id))
                    .col(integer(Passports::HolderId))
                    .col(integer(Passports::TrustId))
                    .col(integer(Passports::StatusListId))
                    .col(integer(Passports::StatusIndex))
                    // The issuer key that signed it: kept published while this passport is valid.
                    .col(string_len(Passports::Kid, 64))
                    .col(integer_null(Passports::IssuedBy))
                    .col(timestamp_with_time_zone(Passports::IssuedAt))
                    .col(timestamp_with_time_zone(Passports::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Passports::RevokedAt))
                    .col(string_len_null(Passports::RevokeReason, 500))
                    // The holder's copy: the SD-JWT with every disclosure.
                    .col(text(Passports::Credential))
                    // JSON array of the item names it holds.
                    .col(text(Passports::Items))
                    .foreign_key(&mut fk(
                        "fk_passports_holder",
                        (Passports::Table, Passports::HolderId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_passports_trust",
                        (Passports::Table, Passports::TrustId),
                        (Trusts::Table, Trusts::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_passports_status_list",
                        (Passports::Table, Passports::StatusListId),
                        (StatusLists::Table, StatusLists::Id),
                    ))
                    .check(Expr::cust("(revoked_at IS NULL) = (revoke_reason IS NULL)"))
                    .to_owned(),
            )
            .await?;
        // At most one current (unrevoked) passport per holder: a reissue revokes the old one.
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX ux_passports_current ON passports (holder_id) WHERE revoked_at IS NULL",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_passports_status")
                    .table(Passports::Table)
                    .col(Passports::StatusListId)
                    .col(Passports::StatusIndex)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PassportAudit::Table)
                    .col(pk_auto(PassportAudit::Id))
                    .col(timestamp_with_time_zone(PassportAudit::At))
                    // No foreign keys: the record outlives whatever it names.
                    .col(integer(PassportAudit::HolderId))
                    .col(integer_null(PassportAudit::PassportId))
                    .col(integer_null(PassportAudit::ActorId))
                    .col(string_len_null(PassportAudit::ActorEmail, 254))
                    // The role the actor acted in: hr_officer, holder, system, …
                    .col(string_len(PassportAudit::ActorRole, 32))
                    .col(integer_null(PassportAudit::ActorTrustId))
                    // issued, reissued, revoked, downloaded, …
                    .col(string_len(PassportAudit::Action, 32))
                    // JSON array of the item names concerned.
                    .col(text(PassportAudit::Items))
                    .col(string_len_null(PassportAudit::Reason, 500))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_passport_audit_holder")
                    .table(PassportAudit::Table)
                    .col(PassportAudit::HolderId)
                    .col(PassportAudit::At)
                    .to_owned(),
            )
            .await?;
        // Append-only, enforced by the database itself (as for audit_events).
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE FUNCTION passport_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'the passport audit log is append-only'; END $$",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER passport_audit_append_only BEFORE UPDATE OR DELETE ON passport_audit \
                     FOR EACH ROW EXECUTE FUNCTION passport_audit_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER passport_audit_no_{} BEFORE {op} ON passport_audit \
                         BEGIN SELECT RAISE(ABORT, 'the passport audit log is append-only'); END",
                        op.to_lowercase()
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS passport_audit_append_only() CASCADE")
                .await?;
        }
        for table in [
            PassportAudit::Table.into_iden(),
            Passports::Table.into_iden(),
            HolderKeys::Table.into_iden(),
            StatusListIndexes::Table.into_iden(),
            StatusLists::Table.into_iden(),
            IssuerKeys::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
