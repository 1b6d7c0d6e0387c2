use crate::domain::StaffGroup;
use sea_orm::entity::prelude::*;

/// A person. Deliberately not `Serialize`: it holds the password hash, and pages get response
/// types built for them instead.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Lower-cased.
    pub email: String,
    pub name: String,
    /// argon2id PHC string; `None` until an invited person sets a password.
    pub password_hash: Option<String>,
    pub active: bool,
    pub home_trust_id: Option<i32>,
    pub team_id: Option<i32>,
    pub staff_group: Option<StaffGroup>,
    pub pay_band: Option<String>,
    pub registration_body: Option<String>,
    pub registration_number: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
