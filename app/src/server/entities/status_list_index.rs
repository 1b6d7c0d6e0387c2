use sea_orm::entity::prelude::*;

/// An index handed out in a status list (never handed out twice).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "status_list_indexes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub status_list_id: i32,
    pub idx: i32,
    pub allocated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
