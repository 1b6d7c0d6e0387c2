//! Stored credentials sealed like the keys (issue 18): each passport's full SD-JWT, every
//! disclosure in it, is kept as AES-256-GCM under the key-encryption key in `credential_sealed`.
//! The key-encryption key is configuration, not schema, so this migration only adds the column:
//! the server seals the rows issued before it when it starts, and empties their clear
//! `credential`. Issuer keys gain the reason they were retired early (a suspected compromise).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Passports {
    Table,
    CredentialSealed,
}

#[derive(DeriveIden)]
enum IssuerKeys {
    Table,
    RetireReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Passports::Table).add_column(binary_null(Passports::CredentialSealed)).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(IssuerKeys::Table)
                    .add_column(string_len_null(IssuerKeys::RetireReason, 500))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(IssuerKeys::Table).drop_column(IssuerKeys::RetireReason).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Passports::Table).drop_column(Passports::CredentialSealed).to_owned())
            .await?;
        Ok(())
    }
}
