use sea_orm::entity::prelude::*;

/// The key held for a staff member by the service (no smartphone needed), bound into their
/// passport as `cnf.jwk`. The private half is stored encrypted only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "holder_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub user_id: i32,
    pub kid: String,
    pub public_jwk: String,
    pub private_key_enc: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
