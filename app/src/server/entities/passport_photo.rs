use sea_orm::entity::prelude::*;

/// A staff member's passport photo as stored: re-encoded from its decoded pixels (so no
/// metadata survives), with the digest a passport discloses to bind it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passport_photos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub holder_id: i32,
    pub digest: String,
    pub content_type: String,
    pub image: Vec<u8>,
    pub width: i32,
    pub height: i32,
    pub uploaded_at: DateTimeUtc,
    pub uploaded_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
