//! Every state change of every workflow entity, as one row: which entity, from which state to
//! which, who made it and when. Written in the same transaction as the change, so the time
//! between any two steps (published → full, applied → released → accepted → approved) comes from
//! this one table, on SQLite and PostgreSQL alike, without reading the audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum StateTransitions {
    Table,
    Id,
    Entity,
    EntityId,
    FromState,
    ToState,
    Event,
    ActorId,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StateTransitions::Table)
                    .col(big_pk_auto(StateTransitions::Id))
                    // `placement`, and `application` next.
                    .col(string_len(StateTransitions::Entity, 32))
                    .col(integer(StateTransitions::EntityId))
                    // NULL when the entity is created.
                    .col(string_len_null(StateTransitions::FromState, 32))
                    .col(string_len(StateTransitions::ToState, 32))
                    // The event's code (`publish`, `filled`, `created`, …).
                    .col(string_len(StateTransitions::Event, 32))
                    // NULL for what the system does by itself, or once the person is erased.
                    .col(integer_null(StateTransitions::ActorId))
                    .col(timestamp_with_time_zone(StateTransitions::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_state_transitions_actor")
                            .from(StateTransitions::Table, StateTransitions::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_state_transitions_entity")
                    .table(StateTransitions::Table)
                    .col(StateTransitions::Entity)
                    .col(StateTransitions::EntityId)
                    .col(StateTransitions::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(StateTransitions::Table).to_owned()).await
    }
}
