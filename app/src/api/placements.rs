//! Placements: a host trust's leads write, publish, close, reopen, cancel and copy them; staff
//! browse the open ones across the alliance.

use crate::error::AppError;
use crate::views::placements::*;
use leptos::server;

#[server(endpoint = "placements/create")]
#[allow(clippy::too_many_arguments)]
pub async fn create_placement(
    trust: String,
    site: String,
    department: String,
    pathway: String,
    kind: String,
    title: String,
    description: String,
    outcomes: String,
    supervisor: String,
    schedule: String,
    start: String,
    end: String,
    days: String,
    places: String,
    /// The ticked boxes, posted as `staff_groups[]` (none ticked: all groups).
    staff_groups: Option<Vec<String>>,
    band_min: String,
    band_max: String,
    registration: String,
    closing_date: String,
) -> Result<String, AppError> {
    use crate::domain::PlacementInput;
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    let input = PlacementInput {
        site,
        department,
        pathway,
        kind,
        title,
        description,
        outcomes,
        supervisor,
        schedule,
        start,
        end,
        days,
        places,
        staff_groups: staff_groups.unwrap_or_default().join(","),
        band_min,
        band_max,
        registration,
        closing_date,
    };
    let result = respond::write(&state, &ctx, async |txn, actor| placements::create(txn, actor, &trust, &input).await)
        .await
        .map(|id| format!("/placements/{id}?created=1"));
    let to = result.as_ref().ok().cloned();
    respond::finish_form_to(&state, NEW_PLACEMENT_FORM, result, to.as_deref()).await
}

#[server(endpoint = "placements/update")]
#[allow(clippy::too_many_arguments)]
pub async fn update_placement(
    id: i32,
    site: String,
    department: String,
    pathway: String,
    kind: String,
    title: String,
    description: String,
    outcomes: String,
    supervisor: String,
    schedule: String,
    start: String,
    end: String,
    days: String,
    places: String,
    /// The ticked boxes, posted as `staff_groups[]` (none ticked: all groups).
    staff_groups: Option<Vec<String>>,
    band_min: String,
    band_max: String,
    registration: String,
    closing_date: String,
) -> Result<String, AppError> {
    use crate::domain::PlacementInput;
    use crate::server::{respond, services::placements};
    let (state, ctx) = respond::request()?;
    let input = PlacementInput {
        site,
        department,
        pathway,
        kind,
        title,
        description,
        outcomes,
        supervisor,
        schedule,
        start,
        end,
        days,
        places,
        staff_groups: staff_groups.unwrap_or_default().join(","),
        band_min,
        band_max,
        registration,
        closing_date,
    };
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
