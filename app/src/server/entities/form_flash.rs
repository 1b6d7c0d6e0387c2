use sea_orm::entity::prelude::*;

/// The outcome of a form posted without JavaScript, kept for the one page load after the
/// redirect so that page can show the messages and what was typed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "form_flashes")]
pub struct Model {
    /// 256 random bits, hex; also the value of the `pp_flash` cookie.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub form: String,
    pub payload: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
