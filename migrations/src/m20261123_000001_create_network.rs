//! Trusts, their sites and teams, and the pathways (workforce groups).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Trusts {
    Table,
    Id,
    OdsCode,
    Name,
    ContactEmail,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
    TrustId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    TrustId,
    SiteId,
    Name,
    NameKey,
    MinCover,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Pathways {
    Table,
    Id,
    Slug,
    Name,
    Status,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Trusts::Table)
                    .col(pk_auto(Trusts::Id))
                    .col(string_len_uniq(Trusts::OdsCode, 6))
                    .col(string_len(Trusts::Name, 200))
                    .col(string_len_null(Trusts::ContactEmail, 254))
                    .col(timestamp_with_time_zone(Trusts::CreatedAt))
                    .check(Expr::cust("length(ods_code) BETWEEN 3 AND 6"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sites::Table)
                    .col(pk_auto(Sites::Id))
                    .col(integer(Sites::TrustId))
                    .col(string_len(Sites::Name, 200))
                    .col(timestamp_with_time_zone(Sites::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sites_trust")
                            .from(Sites::Table, Sites::TrustId)
                            .to(Trusts::Table, Trusts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sites_trust_name")
                    .table(Sites::Table)
                    .col(Sites::TrustId)
                    .col(Sites::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Teams::Table)
                    .col(pk_auto(Teams::Id))
                    .col(integer(Teams::TrustId))
                    .col(integer_null(Teams::SiteId))
                    .col(string_len(Teams::Name, 100))
                    .col(string_len(Teams::NameKey, 100))
                    .col(integer(Teams::MinCover).check(Expr::col(Teams::MinCover).between(0, 500)))
                    .col(timestamp_with_time_zone(Teams::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_teams_trust")
                            .from(Teams::Table, Teams::TrustId)
                            .to(Trusts::Table, Trusts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_teams_site")
                            .from(Teams::Table, Teams::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_teams_trust_name_key")
                    .table(Teams::Table)
                    .col(Teams::TrustId)
                    .col(Teams::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Pathways::Table)
                    .col(pk_auto(Pathways::Id))
                    .col(string_len_uniq(Pathways::Slug, 60))
                    .col(string_len_uniq(Pathways::Name, 100))
                    .col(
                        string_len(Pathways::Status, 20)
                            .check(Expr::col(Pathways::Status).is_in(["active", "joining"])),
                    )
                    .col(timestamp_with_time_zone(Pathways::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in
            [Teams::Table.into_iden(), Sites::Table.into_iden(), Pathways::Table.into_iden(), Trusts::Table.into_iden()]
        {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
