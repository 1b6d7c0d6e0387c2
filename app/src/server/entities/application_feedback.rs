use sea_orm::entity::prelude::*;

/// Feedback on a completed placement, once from the applicant and once from the host's lead.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_feedback")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    /// `applicant` or `host_lead`.
    pub party: String,
    /// `all`, `some` or `none` of the placement's learning outcomes.
    pub outcomes_met: String,
    /// 1 to 5.
    pub rating: i16,
    pub would_recommend: bool,
    pub comments: String,
    pub given_by: Option<i32>,
    pub given_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
