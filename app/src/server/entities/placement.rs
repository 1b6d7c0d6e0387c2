use crate::domain::{PlacementKind, PlacementState};
use sea_orm::entity::prelude::*;

/// A placement a host trust offers. Its state changes only through
/// `domain::PlacementState::after`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "placements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub trust_id: i32,
    pub site_id: Option<i32>,
    pub department: String,
    pub pathway_id: i32,
    pub kind: PlacementKind,
    pub title: String,
    pub description: String,
    pub outcomes: String,
    pub supervisor: String,
    /// `fixed` or `window`.
    pub schedule: String,
    pub start_date: Date,
    pub end_date: Date,
    pub window_days: Option<i16>,
    pub places: i16,
    /// Places accepted so far (the database keeps it between 0 and `places`).
    pub accepted: i16,
    pub band_min: String,
    pub band_max: String,
    pub band_min_rank: i16,
    pub band_max_rank: i16,
    /// `none`, `any` or a registration body's code.
    pub registration: String,
    pub closing_date: Date,
    pub state: PlacementState,
    pub cancel_reason: Option<String>,
    pub copied_from: Option<i32>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
