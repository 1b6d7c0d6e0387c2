//! Placements and the staff groups each is open to.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Trusts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sites {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Pathways {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Placements {
    Table,
    Id,
    TrustId,
    SiteId,
    Department,
    PathwayId,
    Kind,
    Title,
    Description,
    Outcomes,
    Supervisor,
    Schedule,
    StartDate,
    EndDate,
    WindowDays,
    Places,
    Accepted,
    BandMin,
    BandMax,
    BandMinRank,
    BandMaxRank,
    Registration,
    ClosingDate,
    State,
    CancelReason,
    CopiedFrom,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum PlacementStaffGroups {
    Table,
    PlacementId,
    StaffGroup,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Placements::Table)
                    .col(pk_auto(Placements::Id))
                    .col(integer(Placements::TrustId))
                    .col(integer_null(Placements::SiteId))
                    .col(string_len(Placements::Department, 100))
                    .col(integer(Placements::PathwayId))
                    .col(string_len(Placements::Kind, 20))
                    .col(string_len(Placements::Title, 120))
                    .col(text(Placements::Description))
                    .col(text(Placements::Outcomes))
                    .col(string_len(Placements::Supervisor, 100))
                    .col(string_len(Placements::Schedule, 10))
                    .col(date(Placements::StartDate))
                    .col(date(Placements::EndDate))
                    .col(small_integer_null(Placements::WindowDays))
                    .col(small_integer(Placements::Places))
                    // Places accepted so far: kept beside `places` so "never overbook" is one
                    // conditional UPDATE, checked by the database too.
                    .col(small_integer(Placements::Accepted).default(0))
                    .col(string_len(Placements::BandMin, 4))
                    .col(string_len(Placements::BandMax, 4))
                    // Bands as ranks (2 = 0 … 9 = 10), so "eligible for my band" is a range query.
                    .col(small_integer(Placements::BandMinRank))
                    .col(small_integer(Placements::BandMaxRank))
                    // "none", "any", or a body's code.
                    .col(string_len(Placements::Registration, 8))
                    .col(date(Placements::ClosingDate))
                    .col(string_len(Placements::State, 12))
                    .col(text_null(Placements::CancelReason))
                    .col(integer_null(Placements::CopiedFrom))
                    .col(integer(Placements::CreatedBy))
                    .col(timestamp_with_time_zone(Placements::CreatedAt))
                    .col(timestamp_with_time_zone(Placements::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Placements::PublishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_placements_trust")
                            .from(Placements::Table, Placements::TrustId)
                            .to(Trusts::Table, Trusts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_placements_site")
                            .from(Placements::Table, Placements::SiteId)
                            .to(Sites::Table, Sites::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_placements_pathway")
                            .from(Placements::Table, Placements::PathwayId)
                            .to(Pathways::Table, Pathways::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_placements_created_by")
                            .from(Placements::Table, Placements::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .check(Expr::cust(
                        "kind IN ('training', 'shadowing', 'mentoring', 'leadership', 'service_support')",
                    ))
                    .check(Expr::cust("state IN ('draft', 'open', 'full', 'closed', 'cancelled')"))
                    .check(Expr::cust("schedule IN ('fixed', 'window')"))
                    .check(Expr::cust("places BETWEEN 1 AND 50"))
                    .check(Expr::cust("accepted BETWEEN 0 AND places"))
                    .check(Expr::cust("band_min_rank BETWEEN 0 AND 10 AND band_max_rank BETWEEN band_min_rank AND 10"))
                    .check(Expr::cust("end_date >= start_date AND closing_date < start_date"))
                    .check(Expr::cust(
                        "(schedule = 'fixed' AND window_days IS NULL) OR (schedule = 'window' AND window_days >= 1)",
                    ))
                    .check(Expr::cust("(state = 'cancelled') = (cancel_reason IS NOT NULL)"))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_placements_state_closing", vec![Placements::State, Placements::ClosingDate]),
            ("ix_placements_trust_state", vec![Placements::TrustId, Placements::State]),
            ("ix_placements_state_start", vec![Placements::State, Placements::StartDate]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Placements::Table);
            for c in cols {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PlacementStaffGroups::Table)
                    .col(integer(PlacementStaffGroups::PlacementId))
                    .col(string_len(PlacementStaffGroups::StaffGroup, 40))
                    .primary_key(
                        Index::create().col(PlacementStaffGroups::PlacementId).col(PlacementStaffGroups::StaffGroup),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_placement_staff_groups_placement")
                            .from(PlacementStaffGroups::Table, PlacementStaffGroups::PlacementId)
                            .to(Placements::Table, Placements::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_placement_staff_groups_group")
                    .table(PlacementStaffGroups::Table)
                    .col(PlacementStaffGroups::StaffGroup)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PlacementStaffGroups::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Placements::Table).to_owned()).await
    }
}
