use sea_orm::entity::prelude::*;

/// One entry of the append-only audit log (the database refuses updates and deletes).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub actor_id: Option<i32>,
    pub actor_email: Option<String>,
    pub action: crate::domain::AuditAction,
    pub subject: String,
    pub trust_id: Option<i32>,
    pub ip: Option<String>,
    /// JSON with what changed.
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
