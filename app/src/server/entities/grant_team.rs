use sea_orm::entity::prelude::*;

/// A team a line manager's grant covers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grant_teams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub grant_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub team_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
