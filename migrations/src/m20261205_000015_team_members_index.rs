//! An index on each person's team. Counting a team's cover (who is on the team, who of them is
//! away) is part of every release and of the line manager's page; without it each count read
//! every user, in the turn to write on SQLite.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    TeamId,
    Active,
}

const NAME: &str = "ix_users_team";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create().name(NAME).table(Users::Table).col(Users::TeamId).col(Users::Active).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(NAME).table(Users::Table).to_owned()).await
    }
}
