//! What HR recorded behind each passport: every employment check with the day it was done, who
//! recorded it and the day it lapses (for HR's queue); and the staff photos, stored as the
//! cleaned image whose digest a passport discloses.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Passports {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PassportChecks {
    Table,
    Id,
    PassportId,
    Check,
    CheckedOn,
    RecordedBy,
    RecordedByEmail,
    LapsesOn,
}

#[derive(DeriveIden)]
enum PassportPhotos {
    Table,
    Id,
    HolderId,
    Digest,
    ContentType,
    Image,
    Width,
    Height,
    UploadedAt,
    UploadedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PassportChecks::Table)
                    .col(pk_auto(PassportChecks::Id))
                    .col(integer(PassportChecks::PassportId))
                    // identity, ni_number, dbs, right_to_work, registration, employment, occupational_health
                    .col(string_len(PassportChecks::Check, 32))
                    .col(date(PassportChecks::CheckedOn))
                    .col(integer_null(PassportChecks::RecordedBy))
                    .col(string_len(PassportChecks::RecordedByEmail, 254))
                    .col(date_null(PassportChecks::LapsesOn))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_passport_checks_passport")
                            .from(PassportChecks::Table, PassportChecks::PassportId)
                            .to(Passports::Table, Passports::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_passport_checks_recorded_by")
                            .from(PassportChecks::Table, PassportChecks::RecordedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_passport_checks")
                    .table(PassportChecks::Table)
                    .col(PassportChecks::PassportId)
                    .col(PassportChecks::Check)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PassportPhotos::Table)
                    .col(pk_auto(PassportPhotos::Id))
                    .col(integer(PassportPhotos::HolderId))
                    // `sha-256:` and the base64url SHA-256 of `image`, as the passport discloses it.
                    .col(string_len(PassportPhotos::Digest, 64))
                    // image/jpeg or image/png
                    .col(string_len(PassportPhotos::ContentType, 16))
                    // Re-encoded from the decoded pixels: no metadata survives.
                    .col(binary(PassportPhotos::Image))
                    .col(integer(PassportPhotos::Width))
                    .col(integer(PassportPhotos::Height))
                    .col(timestamp_with_time_zone(PassportPhotos::UploadedAt))
                    .col(integer_null(PassportPhotos::UploadedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_passport_photos_holder")
                            .from(PassportPhotos::Table, PassportPhotos::HolderId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_passport_photos_uploaded_by")
                            .from(PassportPhotos::Table, PassportPhotos::UploadedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_passport_photos_digest")
                    .table(PassportPhotos::Table)
                    .col(PassportPhotos::HolderId)
                    .col(PassportPhotos::Digest)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_passport_photos_digest")
                    .table(PassportPhotos::Table)
                    .col(PassportPhotos::Digest)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PassportPhotos::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(PassportChecks::Table).to_owned()).await
    }
}
