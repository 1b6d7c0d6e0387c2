use crate::domain::PassportAction;
use sea_orm::entity::prelude::*;

/// One entry of the append-only passport audit log (the database refuses updates and deletes):
/// every issue, reissue, revocation and read of passport data, by whom and why.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passport_audit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub holder_id: i32,
    pub passport_id: Option<i32>,
    pub actor_id: Option<i32>,
    pub actor_email: Option<String>,
    pub actor_role: crate::domain::PassportActorRole,
    pub actor_trust_id: Option<i32>,
    pub action: PassportAction,
    /// JSON array of item names.
    pub items: String,
    pub reason: Option<String>,
    /// The client's network address (anonymous checks and photo fetches are traceable by it).
    pub ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
