use sea_orm::entity::prelude::*;

/// One spell of throttled sign-in attempts for an account from an address: logged once in the
/// audit log when it starts, counted here for as long as it lasts (one row, not one per attempt).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_throttles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The account's email key, empty when what was typed is not a valid address.
    pub email_key: String,
    pub ip: String,
    pub first_at: DateTimeUtc,
    pub last_at: DateTimeUtc,
    pub attempts: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
