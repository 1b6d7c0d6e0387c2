//! Applications to placements, their feedback, and in-app notifications.
//!
//! An application's state follows the one state machine in `app/src/domain/application.rs`;
//! each change is also a `state_transitions` row (entity `application`), so every duration the
//! pilot reports comes from stored times. The row keeps what the rules need at once: the team the
//! applicant left (for cover) and the days they would be away. At most one live application per
//! person per placement, enforced by a partial unique index on both databases.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Trusts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Placements {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    PlacementId,
    ApplicantId,
    TeamId,
    HomeTrustId,
    State,
    Goals,
    FirstDay,
    LastDay,
    Reason,
    SubmittedAt,
    UpdatedAt,
    RemindedAt,
}

#[derive(DeriveIden)]
enum ApplicationFeedback {
    Table,
    Id,
    ApplicationId,
    Party,
    OutcomesMet,
    Rating,
    WouldRecommend,
    Comments,
    GivenBy,
    GivenAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    ApplicationId,
    Kind,
    Text,
    CreatedAt,
    ReadAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Applications::Table)
                    .col(pk_auto(Applications::Id))
                    .col(integer(Applications::PlacementId))
                    .col(integer(Applications::ApplicantId))
                    // The applicant's team and home trust when they applied: whose cover it
                    // takes and whose line managers decide.
                    .col(integer(Applications::TeamId))
                    .col(integer(Applications::HomeTrustId))
                    .col(string_len(Applications::State, 32))
                    .col(text(Applications::Goals))
                    .col(date(Applications::FirstDay))
                    .col(date(Applications::LastDay))
                    // Why it was declined, withdrawn, cancelled or ended early.
                    .col(text_null(Applications::Reason))
                    .col(timestamp_with_time_zone(Applications::SubmittedAt))
                    .col(timestamp_with_time_zone(Applications::UpdatedAt))
                    // When whoever it waits on was last reminded (claimed by one server only).
                    .col(timestamp_with_time_zone_null(Applications::RemindedAt))
                    .foreign_key(&mut fk(
                        "fk_applications_placement",
                        (Applications::Table, Applications::PlacementId),
                        (Placements::Table, Placements::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_applications_applicant",
                        (Applications::Table, Applications::ApplicantId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_applications_team",
                        (Applications::Table, Applications::TeamId),
                        (Teams::Table, Teams::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_applications_home_trust",
                        (Applications::Table, Applications::HomeTrustId),
                        (Trusts::Table, Trusts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_applications_placement", vec![Applications::PlacementId, Applications::State]),
            ("ix_applications_applicant", vec![Applications::ApplicantId, Applications::SubmittedAt]),
            ("ix_applications_team_days", vec![Applications::TeamId, Applications::FirstDay, Applications::LastDay]),
        ] {
            let mut index = Index::create().name(name).table(Applications::Table).to_owned();
            for c in cols {
                index.col(c);
            }
            manager.create_index(index).await?;
        }
        // One live application per person per placement. A partial index reads the same on
        // SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_applications_live ON applications (placement_id, applicant_id) \
                 WHERE state IN ('submitted', 'released', 'accepted', 'approved', 'inducted')",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApplicationFeedback::Table)
                    .col(pk_auto(ApplicationFeedback::Id))
                    .col(integer(ApplicationFeedback::ApplicationId))
                    // `applicant` or `host_lead`: each gives feedback once.
                    .col(string_len(ApplicationFeedback::Party, 16))
                    // The placement's learning outcomes met: `all`, `some` or `none`.
                    .col(string_len(ApplicationFeedback::OutcomesMet, 8))
                    // 1 to 5.
                    .col(small_integer(ApplicationFeedback::Rating))
                    .col(boolean(ApplicationFeedback::WouldRecommend))
                    .col(text(ApplicationFeedback::Comments))
                    .col(integer_null(ApplicationFeedback::GivenBy))
                    .col(timestamp_with_time_zone(ApplicationFeedback::GivenAt))
                    .foreign_key(&mut fk(
                        "fk_application_feedback_application",
                        (ApplicationFeedback::Table, ApplicationFeedback::ApplicationId),
                        (Applications::Table, Applications::Id),
                    ))
                    .foreign_key(
                        &mut fk(
                            "fk_application_feedback_given_by",
                            (ApplicationFeedback::Table, ApplicationFeedback::GivenBy),
                            (Users::Table, Users::Id),
                        )
                        .on_delete(ForeignKeyAction::SetNull)
                        .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_application_feedback_once")
                    .table(ApplicationFeedback::Table)
                    .col(ApplicationFeedback::ApplicationId)
                    .col(ApplicationFeedback::Party)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(big_pk_auto(Notifications::Id))
                    .col(integer(Notifications::UserId))
                    .col(integer_null(Notifications::ApplicationId))
                    // What it is about (`release_requested`, `decided`, …), for its link and mail.
                    .col(string_len(Notifications::Kind, 32))
                    .col(string_len(Notifications::Text, 500))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .foreign_key(
                        &mut fk(
                            "fk_notifications_user",
                            (Notifications::Table, Notifications::UserId),
                            (Users::Table, Users::Id),
                        )
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                    )
                    .foreign_key(
                        &mut fk(
                            "fk_notifications_application",
                            (Notifications::Table, Notifications::ApplicationId),
                            (Applications::Table, Applications::Id),
                        )
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notifications_user_unread")
                    .table(Notifications::Table)
                    .col(Notifications::UserId)
                    .col(Notifications::ReadAt)
                    .col(Notifications::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in
            [Notifications::Table.into_iden(), ApplicationFeedback::Table.into_iden(), Applications::Table.into_iden()]
        {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
