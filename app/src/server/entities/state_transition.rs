use sea_orm::entity::prelude::*;

/// One state change of a workflow entity: the row every duration the pilot reports is read from.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "state_transitions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `placement` (and `application` next).
    pub entity: String,
    pub entity_id: i32,
    /// `None` when the entity was created.
    pub from_state: Option<String>,
    pub to_state: String,
    pub event: String,
    pub actor_id: Option<i32>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
