//! In-app notifications: what is waiting on a person or news for them, each written by the step
//! that caused it (see `applications::notify`), listed newest first and marked read once opened.

use crate::error::AppError;
use crate::server::access::Actor;
use crate::server::entities::notification;
use crate::views::notifications::NotificationRow;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// How many notifications a person has not opened, for the header.
pub async fn unread(conn: &impl ConnectionTrait, actor: &Actor) -> Result<u64, AppError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(conn)
        .await?)
}

/// The person's latest notifications, newest first. Only their own: nobody else's are ever read.
pub async fn list(conn: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<NotificationRow>, AppError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .order_by_desc(notification::Column::Id)
        .limit(100)
        .all(conn)
        .await?
        .into_iter()
        .map(|n| NotificationRow {
            id: n.id,
            text: n.text,
            at: crate::domain::dates::moment(n.created_at),
            unread: n.read_at.is_none(),
            link: n.application_id.map(|a| format!("/applications/{a}")).unwrap_or_else(|| "/applications".into()),
        })
        .collect())
}

/// Marks one of the person's notifications read and returns where it leads. Someone else's, or
/// one that does not exist, is not found.
pub async fn open(txn: &impl ConnectionTrait, actor: &Actor, id: i64) -> Result<String, AppError> {
    let n = notification::Entity::find_by_id(id)
        .filter(notification::Column::UserId.eq(actor.user_id))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::Id.eq(n.id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(txn)
        .await?;
    Ok(n.application_id.map(|a| format!("/applications/{a}")).unwrap_or_else(|| "/applications".into()))
}

/// Marks every one of the person's notifications read.
pub async fn open_all(txn: &impl ConnectionTrait, actor: &Actor) -> Result<String, AppError> {
    let done = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(txn)
        .await?;
    Ok(match done.rows_affected {
        1 => "1 notification marked as read".into(),
        n => format!("{n} notifications marked as read"),
    })
}
