//! Placements: a host trust's leads write, publish, close, reopen, cancel and copy them; staff
//! browse the open ones across the alliance.

use crate::domain::PlacementInput;
use crate::error::AppError;
use crate::views::placements::*;
use leptos::server;

/// Writes a new placement of trust `trust` (an ODS code) as a draft; succeeds with its path.
#[server(endpoint = "placements/create")]
pub async fn create_placement(
    trust: String,
    /// The form's fields, posted flat (`title=…&staff_groups[]=…`).
    #[server(flatten)]
    input: PlacementInput,
) -> Result<String, AppError> {
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| placements::create(txn, actor, &trust, &input).await)
        .await
        .map(|id| format!("/placements/{id}?created=1"));
    let to = result.as_ref().ok().cloned();
    respond::finish_form_to(&state, NEW_PLACEMENT_FORM, result, to.as_deref()).await
}

/// Changes placement `id`'s details.
#[server(endpoint = "placements/update")]
pub async fn update_placement(
    id: i32,
    /// The form's fields, posted flat, as for a new placement.
    #[server(flatten)]
    input: PlacementInput,
) -> Result<String, AppError> {
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| placements::update(txn, actor, id, &input).await).await;
    // With JavaScript on the page moves to the placement, which shows this notice.
    respond::carry_notice(&state, PLACEMENT_FORM, &result).await?;
    let to = format!("/placements/{id}");
    respond::finish_form_to(&state, PLACEMENT_FORM, result, Some(&to)).await
}

/// `event` is `publish`, `close`, `reopen` or `cancel` (which needs a `reason`).
#[server(endpoint = "placements/state")]
pub async fn change_placement_state(id: i32, event: String, reason: Option<String>) -> Result<String, AppError> {
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    let reason = reason.unwrap_or_default();
    let result = respond::write(&state, &ctx, async |txn, actor| {
        placements::change_state(txn, actor, id, &event, &reason).await
    })
    .await;
    respond::finish_form(&state, PLACEMENT_STATE_FORM, result).await
}

/// Copies a placement into a new draft; succeeds with the copy's path.
#[server(endpoint = "placements/copy")]
pub async fn copy_placement(id: i32) -> Result<String, AppError> {
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| placements::copy(txn, actor, id).await)
        .await
        .map(|id| format!("/placements/{id}"));
    let to = result.as_ref().ok().cloned();
    respond::finish_form_to(&state, PLACEMENT_STATE_FORM, result, to.as_deref()).await
}

#[server(endpoint = "placements/get")]
pub async fn get_placement(id: i32) -> Result<PlacementView, AppError> {
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| placements::get(&state.db, actor, id).await).await
}

#[server(endpoint = "placements/of-trust")]
pub async fn trust_placements(trust: String) -> Result<TrustPlacementList, AppError> {
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| placements::of_trust(&state.db, actor, &trust).await).await
}

#[server(endpoint = "placements/browse")]
pub async fn browse_placements(#[server(default)] query: BrowseQuery) -> Result<BrowsePage, AppError> {
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| placements::browse(&state.db, &state.placement_index, actor, &query).await).await
}

/// What the new-placement form offers at `trust`.
#[server(endpoint = "placements/choices")]
pub async fn placement_choices(trust: String) -> Result<PlacementFormChoices, AppError> {
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| placements::choices(&state.db, actor, &trust).await).await
}

/// A placement's current details, for its edit form.
#[server(endpoint = "placements/edit-form")]
pub async fn placement_edit_form(id: i32) -> Result<PlacementEdit, AppError> {
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| placements::edit_form(&state.db, actor, id).await).await
}
