//! One-shot outcomes of forms posted without JavaScript (see the app's `server::flash`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FormFlashes {
    Table,
    Id,
    Form,
    Payload,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FormFlashes::Table)
                    .col(string_len(FormFlashes::Id, 64).primary_key())
                    .col(string_len(FormFlashes::Form, 60))
                    .col(text(FormFlashes::Payload))
                    .col(timestamp_with_time_zone(FormFlashes::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FormFlashes::Table).to_owned()).await
    }
}
