//! People, their role grants, sessions, one-time sign-in tokens, failed sign-ins and the audit log.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Trusts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Active,
    HomeTrustId,
    TeamId,
    StaffGroup,
    PayBand,
    RegistrationBody,
    RegistrationNumber,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RoleGrants {
    Table,
    Id,
    UserId,
    Role,
    TrustId,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum GrantTeams {
    Table,
    GrantId,
    TeamId,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastSeenAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
enum AuthTokens {
    Table,
    Id,
    UserId,
    Purpose,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    Id,
    EmailKey,
    Ip,
    At,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorId,
    ActorEmail,
    Action,
    Subject,
    TrustId,
    Ip,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_auto(Users::Id))
                    // Stored lower-cased, so the unique index is case-insensitive.
                    .col(string_len_uniq(Users::Email, 254))
                    .col(string_len(Users::Name, 100))
                    // NULL until an invited person sets their password.
                    .col(string_len_null(Users::PasswordHash, 255))
                    .col(boolean(Users::Active).default(true))
                    .col(integer_null(Users::HomeTrustId))
                    .col(integer_null(Users::TeamId))
                    .col(string_len_null(Users::StaffGroup, 40))
                    .col(string_len_null(Users::PayBand, 4))
                    .col(string_len_null(Users::RegistrationBody, 8))
                    .col(string_len_null(Users::RegistrationNumber, 20))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_home_trust")
                            .from(Users::Table, Users::HomeTrustId)
                            .to(Trusts::Table, Trusts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_team")
                            .from(Users::Table, Users::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    // A registration number only with its body.
                    .check(Expr::cust("(registration_number IS NULL) OR (registration_body IS NOT NULL)"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_users_home_trust").table(Users::Table).col(Users::HomeTrustId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleGrants::Table)
                    .col(pk_auto(RoleGrants::Id))
                    .col(integer(RoleGrants::UserId))
                    .col(string_len(RoleGrants::Role, 32))
                    .col(integer_null(RoleGrants::TrustId))
                    .col(timestamp_with_time_zone(RoleGrants::CreatedAt))
                    .col(integer_null(RoleGrants::CreatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_grants_user")
                            .from(RoleGrants::Table, RoleGrants::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_role_grants_trust")
                            .from(RoleGrants::Table, RoleGrants::TrustId)
                            .to(Trusts::Table, Trusts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .check(Expr::cust(
                        "role IN ('staff', 'line_manager', 'placement_lead', 'hr_officer', 'project_manager')",
                    ))
                    // The project manager's grant is alliance-wide; every other grant names a trust.
                    .check(Expr::cust(
                        "(role = 'project_manager' AND trust_id IS NULL) OR (role <> 'project_manager' AND trust_id IS NOT NULL)",
                    ))
                    .to_owned(),
            )
            .await?;
        // One grant per person, role and scope. COALESCE because NULLs never clash in a unique
        // index; the same statement works on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_role_grants_scope ON role_grants (user_id, role, COALESCE(trust_id, 0))",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GrantTeams::Table)
                    .col(integer(GrantTeams::GrantId))
                    .col(integer(GrantTeams::TeamId))
                    .primary_key(Index::create().col(GrantTeams::GrantId).col(GrantTeams::TeamId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_grant_teams_grant")
                            .from(GrantTeams::Table, GrantTeams::GrantId)
                            .to(RoleGrants::Table, RoleGrants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_grant_teams_team")
                            .from(GrantTeams::Table, GrantTeams::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    // The SHA-256 of the cookie's token: a copy of this table signs nobody in.
                    .col(string_len(Sessions::Id, 64).primary_key())
                    .col(integer(Sessions::UserId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(string_len_null(Sessions::Ip, 45))
                    .col(string_len_null(Sessions::UserAgent, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_sessions_user").table(Sessions::Table).col(Sessions::UserId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuthTokens::Table)
                    .col(string_len(AuthTokens::Id, 64).primary_key())
                    .col(integer(AuthTokens::UserId))
                    .col(string_len(AuthTokens::Purpose, 16))
                    .col(timestamp_with_time_zone(AuthTokens::CreatedAt))
                    .col(timestamp_with_time_zone(AuthTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_auth_tokens_user")
                            .from(AuthTokens::Table, AuthTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::cust("purpose IN ('reset', 'invite')"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_auth_tokens_user").table(AuthTokens::Table).col(AuthTokens::UserId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInFailures::Table)
                    .col(pk_auto(SignInFailures::Id))
                    .col(string_len(SignInFailures::EmailKey, 254))
                    .col(string_len(SignInFailures::Ip, 45))
                    .col(timestamp_with_time_zone(SignInFailures::At))
                    .to_owned(),
            )
            .await?;
        for (name, col) in
            [("ix_sign_in_failures_email", SignInFailures::EmailKey), ("ix_sign_in_failures_ip", SignInFailures::Ip)]
        {
            manager
                .create_index(
                    Index::create().name(name).table(SignInFailures::Table).col(col).col(SignInFailures::At).to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    // No foreign key: the record outlives whatever it names.
                    .col(integer_null(AuditEvents::ActorId))
                    .col(string_len_null(AuditEvents::ActorEmail, 254))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(string_len(AuditEvents::Subject, 300))
                    .col(integer_null(AuditEvents::TrustId))
                    .col(string_len_null(AuditEvents::Ip, 45))
                    .col(text(AuditEvents::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_audit_events_at").table(AuditEvents::Table).col(AuditEvents::At).to_owned(),
            )
            .await?;
        // The audit log is append-only, enforced by the database itself.
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events \
                     FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_events_no_{} BEFORE {op} ON audit_events \
                         BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
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
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_events_append_only() CASCADE")
                .await?;
        }
        for table in [
            AuditEvents::Table.into_iden(),
            SignInFailures::Table.into_iden(),
            AuthTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            GrantTeams::Table.into_iden(),
            RoleGrants::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
