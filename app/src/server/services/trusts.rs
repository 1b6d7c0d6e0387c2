//! Finding a trust by its ODS code: the one lookup every service uses, so a code is always
//! parsed (and so normalised) the same way before it reaches the database.

use crate::domain::OdsCode;
use crate::error::AppError;
use crate::server::entities::trust;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// The trust with this code, if the alliance has one.
pub async fn find(conn: &impl ConnectionTrait, ods: &OdsCode) -> Result<Option<trust::Model>, DbErr> {
    trust::Entity::find().filter(trust::Column::OdsCode.eq(ods.as_str())).one(conn).await
}

/// The trust with this code; one the alliance does not have is "not found".
pub async fn get(conn: &impl ConnectionTrait, ods: &OdsCode) -> Result<trust::Model, AppError> {
    find(conn, ods).await?.ok_or(AppError::NotFound)
}

/// The trust a typed or URL code names; an unknown or malformed code is "not found".
pub async fn by_ods(conn: &impl ConnectionTrait, raw: &str) -> Result<trust::Model, AppError> {
    let ods = OdsCode::parse(raw).map_err(|_| AppError::NotFound)?;
    get(conn, &ods).await
}
