use crate::domain::PassportCheck;
use sea_orm::entity::prelude::*;

/// One employment check behind a passport: which, the day it was done, who recorded it and the
/// day it lapses (a registration's expiry, a DBS recheck, a time-limited right to work).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passport_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub passport_id: i32,
    pub check: PassportCheck,
    pub checked_on: Date,
    pub recorded_by: Option<i32>,
    pub recorded_by_email: String,
    pub lapses_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
