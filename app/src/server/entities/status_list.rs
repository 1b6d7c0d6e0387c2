use sea_orm::entity::prelude::*;

/// One of a trust's Token Status Lists, served at `/trusts/{ods}/status-lists/{list_number}`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "status_lists")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub trust_id: i32,
    pub list_number: i32,
    /// Entries (bits).
    pub size: i32,
    /// One bit per entry; a set bit is a revoked (or superseded) passport.
    pub bits: Vec<u8>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
