//! People and their role grants: listing, adding (by invitation), editing, granting and
//! removing roles, deactivating. Every function asks `access` first, through its service.

use crate::domain::PersonInput;
use crate::error::AppError;
use crate::views::people::*;
use leptos::server;

#[server(endpoint = "people/list")]
pub async fn list_people(trust: String) -> Result<PeopleList, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| people::list(&state.db, actor, &trust).await).await
}

#[server(endpoint = "people/choices")]
pub async fn people_form_choices() -> Result<PersonChoices, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| people::choices_for(&state.db, actor).await).await
}

#[server(endpoint = "people/get")]
pub async fn get_person(id: i32) -> Result<PersonDetail, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| people::get(&state.db, actor, id).await).await
}

/// Adds a person and emails them an invitation. Succeeds with the path of their page, which
/// the browser goes on to (and so does a post without JavaScript).
#[server(endpoint = "people/add")]
pub async fn add_person(
    /// The form's fields, posted flat (`name=…&email=…`).
    #[server(flatten)]
    input: PersonInput,
) -> Result<String, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let invite = people::Invite::of(&state);
    let result = respond::write(&state, &ctx, async |txn, actor| people::add(txn, actor, invite, &input).await)
        .await
        .map(|id| format!("/people/{id}?added=1"));
    if result.is_ok() {
        state.outbox_wake.notify_one();
    }
    let to = result.as_ref().ok().cloned();
    respond::finish_form_to(&state, ADD_PERSON_FORM, result, to.as_deref()).await
}

#[server(endpoint = "people/edit")]
pub async fn edit_person(
    id: i32,
    /// The form's fields, posted flat, as for a new person.
    #[server(flatten)]
    input: PersonInput,
) -> Result<String, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| people::edit(txn, actor, id, &input).await).await;
    respond::finish_form(&state, EDIT_PERSON_FORM, result).await
}

#[server(endpoint = "people/grant")]
pub async fn grant_role(person: i32, role: String, trust: String, team: String) -> Result<String, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| people::grant(txn, actor, person, &role, &trust, &team).await)
            .await;
    respond::finish_form(&state, GRANT_FORM, result).await
}

#[server(endpoint = "people/remove-grant")]
pub async fn remove_grant(person: i32, grant: i32) -> Result<String, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| people::remove_grant(txn, actor, person, grant).await).await;
    respond::finish_form(&state, GRANT_FORM, result).await
}

/// `action` is `deactivate`, `reactivate` or `resend_invitation`.
#[server(endpoint = "people/status")]
pub async fn change_person_status(person: i32, action: String) -> Result<String, AppError> {
    use crate::server::{respond, services::people};
    let (state, ctx) = respond::request()?;
    let invite = people::Invite::of(&state);
    let result = respond::write(&state, &ctx, async |txn, actor| {
        people::change_status(txn, actor, invite, person, &action).await
    })
    .await;
    if result.is_ok() {
        state.outbox_wake.notify_one();
    }
    respond::finish_form(&state, PERSON_STATUS_FORM, result).await
}
