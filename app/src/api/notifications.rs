//! In-app notifications: the list, opening one, marking all read.

use crate::error::AppError;
use crate::views::notifications::*;
use leptos::server;

#[server(endpoint = "notifications/list")]
pub async fn my_notifications() -> Result<Vec<NotificationRow>, AppError> {
    use crate::server::{respond, services::notifications};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| notifications::list(&state.db, actor).await).await
}

/// Marks notification `id` read; succeeds with where it leads, where the browser goes next.
#[server(endpoint = "notifications/open")]
pub async fn open_notification(id: i64) -> Result<String, AppError> {
    use crate::server::{respond, services::notifications};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| notifications::open(txn, actor, id).await).await;
    let to = result.as_ref().ok().cloned();
    respond::finish_form_to(&state, NOTIFICATIONS_FORM, result, to.as_deref()).await
}

#[server(endpoint = "notifications/read-all")]
pub async fn mark_all_read() -> Result<String, AppError> {
    use crate::server::{respond, services::notifications};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| notifications::open_all(txn, actor).await).await;
    respond::finish_form(&state, NOTIFICATIONS_FORM, result).await
}
