//! A release counts who else in the team is away on the days asked for: the team's applications
//! in a state that takes someone from the team, overlapping those days. The index it used began
//! with the team and the first day, so each count read every application of the team starting
//! before the last day asked for, whatever its state, and on SQLite it did so in the turn to
//! write. With the state after the team, the count reads only the approved and running ones.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    TeamId,
    State,
    FirstDay,
    LastDay,
}

const NEW: &str = "ix_applications_team_state_days";
const OLD: &str = "ix_applications_team_days";

fn index<const N: usize>(name: &str, cols: [Applications; N]) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(Applications::Table).to_owned();
    for c in cols {
        index.col(c);
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Applications::*;
        manager.create_index(index(NEW, [TeamId, State, FirstDay, LastDay])).await?;
        manager.drop_index(Index::drop().name(OLD).table(Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Applications::*;
        manager.create_index(index(OLD, [TeamId, FirstDay, LastDay])).await?;
        manager.drop_index(Index::drop().name(NEW).table(Table).to_owned()).await
    }
}
