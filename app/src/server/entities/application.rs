use crate::domain::ApplicationState;
use sea_orm::entity::prelude::*;

/// A staff member's application to a placement. Its state changes only through
/// `domain::ApplicationState::after`, each change a `state_transitions` row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub placement_id: i32,
    pub applicant_id: i32,
    /// The applicant's team when they applied: whose cover it takes, whose managers decide.
    pub team_id: i32,
    pub home_trust_id: i32,
    pub state: ApplicationState,
    /// What they want to learn.
    pub goals: String,
    pub first_day: Date,
    pub last_day: Date,
    /// Why it was declined, withdrawn, cancelled or ended early.
    pub reason: Option<String>,
    pub submitted_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub reminded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::placement::Entity",
        from = "Column::PlacementId",
        to = "super::placement::Column::Id"
    )]
    Placement,
}

impl Related<super::placement::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Placement.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
