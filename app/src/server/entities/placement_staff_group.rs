use crate::domain::StaffGroup;
use sea_orm::entity::prelude::*;

/// A staff group a placement is open to (none listed: open to every group).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "placement_staff_groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub placement_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub staff_group: StaffGroup,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
