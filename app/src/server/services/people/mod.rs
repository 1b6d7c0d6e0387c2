//! People and their role grants, administered by project managers (everyone) and HR passport
//! officers (their own trust's people, and only the roles HR may give).

//!
//! Every function takes the connection (a write transaction the caller opened, for changes),
//! the signed-in [`Actor`] and the command. Reads are here; [`changes`] adds, edits,
//! deactivates and reactivates people, and [`grants`] gives and removes roles.

mod changes;
mod grants;
#[cfg(test)]
mod tests;

pub use changes::{Invite, add, change_status, edit};
pub use grants::{grant, remove_grant};

use super::{sessions, trusts};
use crate::domain::{PersonDetails, PersonInput, Role};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, PersonScope, authorize, permits};
use crate::server::entities::{role_grant, team, trust, user};
use crate::views::people::{Choice, GrantView, PeopleList, PersonChoices, PersonDetail, PersonRow, PersonStatus};
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::HashMap;

async fn trusts_by_id(conn: &impl ConnectionTrait) -> Result<HashMap<i32, trust::Model>, AppError> {
    Ok(trust::Entity::find().all(conn).await?.into_iter().map(|t| (t.id, t)).collect())
}

/// A person's grants as (role, trust) pairs, for the access rules.
async fn scope_of(conn: &impl ConnectionTrait, person: &user::Model) -> Result<PersonScope, AppError> {
    let grants = sessions::load_grants(conn, person.id).await?;
    Ok(PersonScope {
        home_trust_id: person.home_trust_id,
        grants: grants.into_iter().map(|g| (g.role, g.trust_id)).collect(),
    })
}

fn status_of(u: &user::Model) -> PersonStatus {
    if !u.active {
        PersonStatus::Deactivated
    } else if u.password_hash.is_none() {
        PersonStatus::Invited
    } else {
        PersonStatus::Active
    }
}

/// Lists people of one trust (`ods`), or of the whole alliance when `ods` is empty and the
/// viewer is a project manager. HR officers default to their own trust.
pub async fn list(conn: &impl ConnectionTrait, actor: &Actor, ods: &str) -> Result<PeopleList, AppError> {
    let trusts = trusts_by_id(conn).await?;
    let trust_id = match ods.trim() {
        "" if actor.is_project_manager() => None,
        "" => actor.hr_trusts().first().copied(),
        code => Some(trusts::by_ods(conn, code).await?.id),
    };
    authorize(Some(actor), &Action::ListPeople { trust: trust_id })?;
    let mut query = user::Entity::find().order_by_asc(user::Column::Name);
    if let Some(id) = trust_id {
        query = query.filter(user::Column::HomeTrustId.eq(id));
    }
    let people = query.all(conn).await?;
    let team_ids: Vec<i32> = people.iter().filter_map(|p| p.team_id).collect();
    let team_names: HashMap<i32, String> = team::Entity::find()
        .filter(team::Column::Id.is_in(team_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let mut roles: HashMap<i32, Vec<String>> = HashMap::new();
    let ids: Vec<i32> = people.iter().map(|p| p.id).collect();
    for g in role_grant::Entity::find()
        .filter(role_grant::Column::UserId.is_in(ids))
        .order_by_asc(role_grant::Column::Id)
        .all(conn)
        .await?
    {
        let at = g.trust_id.and_then(|t| trusts.get(&t)).map(|t| format!(" ({})", t.ods_code));
        roles.entry(g.user_id).or_default().push(format!("{}{}", g.role.label(), at.unwrap_or_default()));
    }
    let mut trust_choices: Vec<Choice> = trusts
        .values()
        .filter(|t| permits(actor, &Action::ListPeople { trust: Some(t.id) }))
        .map(|t| (t.ods_code.clone(), t.name.clone()))
        .collect();
    trust_choices.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(PeopleList {
        trust: trust_id.and_then(|id| trusts.get(&id)).map(|t| t.ods_code.clone()).unwrap_or_default(),
        trust_choices,
        alliance_wide: actor.is_project_manager(),
        people: people
            .into_iter()
            .map(|p| PersonRow {
                status: status_of(&p),
                roles: roles.remove(&p.id).unwrap_or_default(),
                trust: p.home_trust_id.and_then(|id| trusts.get(&id)).map(|t| t.name.clone()),
                team: p.team_id.and_then(|id| team_names.get(&id).cloned()),
                id: p.id,
                name: p.name,
                email: p.email,
            })
            .collect(),
    })
}

/// What the viewer may pick in the person and grant forms.
pub async fn choices_for(conn: &impl ConnectionTrait, actor: &Actor) -> Result<PersonChoices, AppError> {
    let mut trusts: Vec<trust::Model> = trust::Entity::find()
        .order_by_asc(trust::Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .filter(|t| permits(actor, &Action::AddPerson { trust: Some(t.id) }))
        .collect();
    if trusts.is_empty() && !actor.is_project_manager() {
        return Err(AppError::Forbidden);
    }
    trusts.sort_by(|a, b| a.name.cmp(&b.name));
    let names: HashMap<i32, String> = trusts.iter().map(|t| (t.id, t.ods_code.clone())).collect();
    let teams = team::Entity::find()
        .filter(team::Column::TrustId.is_in(names.keys().copied().collect::<Vec<_>>()))
        .order_by_asc(team::Column::NameKey)
        .all(conn)
        .await?
        .into_iter()
        .map(|t| {
            let label = match names.get(&t.trust_id) {
                Some(ods) if names.len() > 1 => format!("{} ({ods})", t.name),
                _ => t.name.clone(),
            };
            (t.id.to_string(), label)
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .filter(|r| {
            // What may be given to someone else; one's own roles are never changed.
            trusts.iter().any(|t| permits(actor, &Action::ChangeGrant { role: *r, trust: Some(t.id), own: false }))
                || permits(actor, &Action::ChangeGrant { role: *r, trust: None, own: false })
        })
        .map(|r| (r.code().to_owned(), r.label().to_owned()))
        .collect();
    Ok(PersonChoices {
        trusts: trusts.into_iter().map(|t| (t.ods_code, t.name)).collect(),
        teams,
        roles,
        alliance_wide: actor.is_project_manager(),
    })
}

pub async fn get(conn: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<PersonDetail, AppError> {
    // Someone the viewer may not see is "not found", so ids cannot be probed.
    let person = user::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let scope = scope_of(conn, &person).await?;
    if !permits(actor, &Action::ViewPerson(&scope)) {
        return Err(AppError::NotFound);
    }
    let manageable = permits(actor, &Action::ManagePerson(&scope));
    let passport_record = permits(actor, &Action::ViewPassportRecord { trust: person.home_trust_id });
    let trusts = trusts_by_id(conn).await?;
    let grants = sessions::load_grants(conn, person.id).await?;
    let all_team_ids: Vec<i32> = grants.iter().flat_map(|g| g.team_ids.iter().copied()).collect();
    let team_names: HashMap<i32, String> = team::Entity::find()
        .filter(team::Column::Id.is_in(all_team_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let views = grants
        .into_iter()
        .map(|g| {
            let mut teams: Vec<String> = g.team_ids.iter().filter_map(|t| team_names.get(t).cloned()).collect();
            teams.sort();
            GrantView {
                id: g.id,
                role: g.role.label().to_owned(),
                trust: g.trust_id.and_then(|t| trusts.get(&t)).map(|t| t.name.clone()),
                teams,
                removable: manageable
                    && permits(
                        actor,
                        &Action::ChangeGrant { role: g.role, trust: g.trust_id, own: person.id == actor.user_id },
                    ),
            }
        })
        .collect();
    // Only someone who may change the person gets the edit forms' choices.
    let choices = if manageable {
        choices_for(conn, actor).await?
    } else {
        PersonChoices { trusts: vec![], teams: vec![], roles: vec![], alliance_wide: false }
    };
    Ok(PersonDetail {
        id: person.id,
        status: status_of(&person),
        details: PersonInput {
            name: person.name.clone(),
            email: person.email.clone(),
            trust: person.home_trust_id.and_then(|t| trusts.get(&t)).map(|t| t.ods_code.clone()).unwrap_or_default(),
            team: person.team_id.map(|t| t.to_string()).unwrap_or_default(),
            staff_group: person.staff_group.map(|g| g.code().to_owned()).unwrap_or_default(),
            pay_band: person.pay_band.clone().unwrap_or_default(),
            registration_body: person.registration_body.clone().unwrap_or_default(),
            registration_number: person.registration_number.clone().unwrap_or_default(),
        },
        name: person.name,
        email: person.email,
        grants: views,
        manageable,
        passport_record,
        choices,
    })
}

fn field_error(mut values: FormErrors, field: &str, message: impl Into<String>) -> AppError {
    values.add(field, message);
    AppError::Validation(values)
}

/// Resolves the home trust and team of `details`, checking the team is the trust's.
async fn resolve_home(
    conn: &impl ConnectionTrait,
    input: &PersonInput,
    details: &PersonDetails,
) -> Result<(Option<trust::Model>, Option<i32>), AppError> {
    let home = match &details.trust {
        Some(ods) => Some(
            trusts::find(conn, ods)
                .await?
                .ok_or_else(|| field_error(input.values(), "trust", "Select a trust from the list"))?,
        ),
        None => None,
    };
    if let (Some(team_id), Some(home)) = (details.team_id, &home) {
        team::Entity::find_by_id(team_id)
            .filter(team::Column::TrustId.eq(home.id))
            .one(conn)
            .await?
            .ok_or_else(|| field_error(input.values(), "team", format!("Select a team at {}", home.name)))?;
    }
    Ok((home, details.team_id))
}

fn apply(active: &mut user::ActiveModel, details: &PersonDetails, home: Option<i32>, team: Option<i32>) {
    active.name = Set(details.name.as_str().to_owned());
    active.email = Set(details.email.as_str().to_owned());
    active.home_trust_id = Set(home);
    active.team_id = Set(team);
    active.staff_group = Set(details.staff_group);
    active.pay_band = Set(details.pay_band.map(|b| b.code().to_owned()));
    active.registration_body = Set(details.registration.as_ref().map(|(b, _)| b.code().to_owned()));
    active.registration_number = Set(details.registration.as_ref().map(|(_, n)| n.as_str().to_owned()));
    active.updated_at = Set(Utc::now());
}

fn duplicate_email(input: &PersonInput) -> AppError {
    field_error(input.values(), "email", "Someone already has this email address")
}

/// Loads a person the actor may manage (a person they may not see is not found).
async fn manageable(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
) -> Result<(user::Model, PersonScope), AppError> {
    let person = user::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let scope = scope_of(conn, &person).await?;
    if !permits(actor, &Action::ViewPerson(&scope)) {
        return Err(AppError::NotFound);
    }
    authorize(Some(actor), &Action::ManagePerson(&scope))?;
    Ok((person, scope))
}
