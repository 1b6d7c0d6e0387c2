//! People and their role grants: listing, adding (by invitation), editing, granting and
//! removing roles, deactivating. Every function asks `access` first, through its service.

use crate::error::AppError;
use crate::views::people::*;
use leptos::server;

#[server(endpoint = "people/list")]
pub async fn list_people(trust: String) -> Result<PeopleList, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    respond::finish(people::list(&state.db, ctx.actor(), &trust).await)
}

#[server(endpoint = "people/choices")]
pub async fn people_form_choices() -> Result<PersonChoices, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    respond::finish(people::choices_for(&state.db, ctx.actor()).await)
}

#[server(endpoint = "people/get")]
pub async fn get_person(id: i32) -> Result<PersonDetail, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    respond::finish(people::get(&state.db, ctx.actor(), id).await)
}

/// Adds a person and emails them an invitation. Succeeds with the path of their page, which
/// the browser goes on to (and so does a post without JavaScript).
#[server(endpoint = "people/add")]
#[allow(clippy::too_many_arguments)]
pub async fn add_person(
    name: String,
    email: String,
    trust: String,
    team: String,
    staff_group: String,
    pay_band: String,
    registration_body: String,
    registration_number: String,
) -> Result<String, AppError> {
    use crate::domain::PersonInput;
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let input = PersonInput { name, email, trust, team, staff_group, pay_band, registration_body, registration_number };
    let result = people::add(&state, &ctx, &input).await.map(|id| format!("/people/{id}?added=1"));
    let to = result.as_ref().ok().cloned();
    respond::finish_form_to(&state, ADD_PERSON_FORM, result, to.as_deref()).await
}

#[server(endpoint = "people/edit")]
#[allow(clippy::too_many_arguments)]
pub async fn edit_person(
    id: i32,
    name: String,
    email: String,
    trust: String,
    team: String,
    staff_group: String,
    pay_band: String,
    registration_body: String,
    registration_number: String,
) -> Result<String, AppError> {
    use crate::domain::PersonInput;
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let input = PersonInput { name, email, trust, team, staff_group, pay_band, registration_body, registration_number };
    let result = people::edit(&state, &ctx, id, &input).await;
    respond::finish_form(&state, EDIT_PERSON_FORM, result).await
}

#[server(endpoint = "people/grant")]
pub async fn grant_role(person: i32, role: String, trust: String, team: String) -> Result<String, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let result = people::grant(&state, &ctx, person, &role, &trust, &team).await;
    respond::finish_form(&state, GRANT_FORM, result).await
}

#[server(endpoint = "people/remove-grant")]
pub async fn remove_grant(person: i32, grant: i32) -> Result<String, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let result = people::remove_grant(&state, &ctx, person, grant).await;
    respond::finish_form(&state, GRANT_FORM, result).await
}

/// `action` is `deactivate`, `reactivate` or `resend_invitation`.
#[server(endpoint = "people/status")]
pub async fn change_person_status(person: i32, action: String) -> Result<String, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let result = people::change_status(&state, &ctx, person, &action).await;
    respond::finish_form(&state, PERSON_STATUS_FORM, result).await
}
