//! Applications: staff apply for placements; line managers release them and host leads accept
//! them, in either order; and each side moves an approved placement on.

use crate::domain::ApplicationInput;
use crate::error::AppError;
use crate::views::applications::*;
use leptos::server;

/// Applies for placement `placement`; succeeds with the new application's path.
#[server(endpoint = "applications/apply")]
pub async fn apply_for_placement(
    placement: i32,
    /// The form's fields, posted flat (`goals=…&from=…&to=…`).
    #[server(flatten)]
    input: ApplicationInput,
) -> Result<String, AppError> {
    use crate::server::{respond, services::applications};
    let (state, ctx) = respond::request()?;
    let cx = applications::Context::of(&state.public_url);
    let result =
        respond::write(&state, &ctx, async |txn, actor| applications::apply(txn, actor, cx, placement, &input).await)
            .await
            .map(|id| format!("/applications/{id}?applied=1"));
    if result.is_ok() {
        state.outbox_wake.notify_one();
    }
    let to = result.as_ref().ok().cloned();
    respond::finish_form_to(&state, APPLY_FORM, result, to.as_deref()).await
}

/// `event` is an application event's code (`release`, `accept`, `decline`, `withdraw`, …);
/// those that must say why carry a `reason`.
#[server(endpoint = "applications/act")]
pub async fn act_on_application(id: i32, event: String, reason: Option<String>) -> Result<String, AppError> {
    use crate::server::{respond, services::applications};
    let (state, ctx) = respond::request()?;
    let cx = applications::Context::of(&state.public_url);
    let reason = reason.unwrap_or_default();
    // The step is worked out before the turn to write, its statements built, and written in the
    // turn, guarded on the state read: the turn is held only for the writes.
    let result = async {
        let actor = ctx.signed_in()?;
        for _ in 0..respond::ATTEMPTS {
            let step = applications::decide(&state.db, actor, cx, id, &event, &reason).await?;
            let batch = step.batch(&state.db, actor, cx)?;
            let written = respond::write_guarded(&state, batch, move |rows| step.check(rows)).await?;
            if let Some(notice) = written {
                return Ok(notice);
            }
        }
        Err(applications::moved_meanwhile())
    }
    .await;
    if result.is_ok() {
        state.outbox_wake.notify_one();
    }
    respond::finish_form(&state, APPLICATION_FORM, result).await
}

#[server(endpoint = "applications/get")]
pub async fn get_application(id: i32) -> Result<ApplicationView, AppError> {
    use crate::server::{respond, services::applications};
    let (state, ctx) = respond::request()?;
    let cx = applications::Context::of(&state.public_url);
    respond::read(&ctx, async |actor| applications::get(&state.db, actor, cx, id).await).await
}

/// The signed-in person's own applications and those waiting on them.
#[server(endpoint = "applications/mine")]
pub async fn my_applications() -> Result<ApplicationLists, AppError> {
    use crate::server::{respond, services::applications};
    let (state, ctx) = respond::request()?;
    let cx = applications::Context::of(&state.public_url);
    respond::read(&ctx, async |actor| applications::lists(&state.db, actor, cx).await).await
}

/// Gives the signed-in person's feedback on completed application `id`.
#[server(endpoint = "applications/feedback")]
pub async fn give_feedback(
    id: i32,
    /// The form's fields, posted flat.
    #[server(flatten)]
    input: crate::domain::FeedbackInput,
) -> Result<String, AppError> {
    use crate::server::{respond, services::applications};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| applications::give_feedback(txn, actor, id, &input).await)
            .await;
    respond::finish_form(&state, FEEDBACK_FORM, result).await
}
