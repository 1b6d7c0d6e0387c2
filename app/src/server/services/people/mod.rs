//! People and their role grants, administered by project managers (everyone) and HR passport
//! officers (their own trust's people, and only the roles HR may give).

use super::{audit, auth, mail_templates, sessions, trusts};
use crate::domain::{OdsCode, PersonDetails, PersonInput, Role};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, PersonScope, authorize, permits};
use crate::server::entities::{grant_team, role_grant, team, trust, user};
use crate::server::{AppState, RequestContext, db, outbox};
use crate::views::people::{Choice, GrantView, PeopleList, PersonChoices, PersonDetail, PersonRow, PersonStatus};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
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
pub async fn list(conn: &impl ConnectionTrait, actor: Option<&Actor>, ods: &str) -> Result<PeopleList, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
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
pub async fn choices_for(conn: &impl ConnectionTrait, actor: Option<&Actor>) -> Result<PersonChoices, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
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

pub async fn get(conn: &impl ConnectionTrait, actor: Option<&Actor>, id: i32) -> Result<PersonDetail, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
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
        choices_for(conn, Some(actor)).await?
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

/// Adds a person and emails them an invitation to set their password. Returns their id.
pub async fn add(state: &AppState, ctx: &RequestContext, input: &PersonInput) -> Result<i32, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let details = PersonDetails::parse(input)?;
    let txn = db::begin_write(&state.db).await?;
    let (home, team) = resolve_home(&txn, input, &details).await?;
    let home_id = home.as_ref().map(|t| t.id);
    authorize(Some(actor), &Action::AddPerson { trust: home_id })?;
    let now = Utc::now();
    let mut row =
        user::ActiveModel { password_hash: Set(None), active: Set(true), created_at: Set(now), ..Default::default() };
    apply(&mut row, &details, home_id, team);
    let inserted = match row.insert(&txn).await {
        Ok(m) => m,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(duplicate_email(input));
        }
        Err(e) => return Err(e.into()),
    };
    let days = state.auth.invite_link_days;
    let link = auth::issue_link(&txn, state, inserted.id, "invite", Duration::days(days)).await?;
    outbox::enqueue(&txn, mail_templates::invitation(&inserted.email, &inserted.name, &actor.name, &link, days))
        .await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "person_added",
            subject: format!("user {} ({})", inserted.id, inserted.email),
            trust_id: home_id,
            detail: json!({ "invited": true }),
        },
    )
    .await?;
    txn.commit().await?;
    state.outbox_wake.notify_one();
    Ok(inserted.id)
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

pub async fn edit(state: &AppState, ctx: &RequestContext, id: i32, input: &PersonInput) -> Result<String, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let details = PersonDetails::parse(input)?;
    let txn = db::begin_write(&state.db).await?;
    let (person, scope) = manageable(&txn, actor, id).await?;
    let (home, team) = resolve_home(&txn, input, &details).await?;
    let home_id = home.as_ref().map(|t| t.id);
    // Moving someone to another trust is adding them there.
    authorize(Some(actor), &Action::ManagePerson(&PersonScope { home_trust_id: home_id, grants: scope.grants }))?;
    let before = (person.email.clone(), person.home_trust_id);
    let mut changed = Vec::new();
    let mut row: user::ActiveModel = person.clone().into();
    apply(&mut row, &details, home_id, team);
    for (field, was, now) in [
        ("name", Some(person.name.clone()), Some(details.name.as_str().to_owned())),
        ("email", Some(person.email.clone()), Some(details.email.as_str().to_owned())),
        ("trust", person.home_trust_id.map(|t| t.to_string()), home_id.map(|t| t.to_string())),
        ("team", person.team_id.map(|t| t.to_string()), team.map(|t| t.to_string())),
        (
            "staff_group",
            person.staff_group.map(|g| g.code().to_owned()),
            details.staff_group.map(|g| g.code().to_owned()),
        ),
        ("pay_band", person.pay_band.clone(), details.pay_band.map(|b| b.code().to_owned())),
        (
            "registration",
            person.registration_number.clone(),
            details.registration.as_ref().map(|(_, n)| n.as_str().to_owned()),
        ),
    ] {
        if was != now {
            changed.push(field);
        }
    }
    if changed.is_empty() {
        return Ok(format!("No changes to {}", person.name));
    }
    match row.update(&txn).await {
        Ok(_) => {}
        Err(e) if db::is_unique_violation(&e) => {
            return Err(duplicate_email(input));
        }
        Err(e) => return Err(e.into()),
    }
    // A new email address must not keep sessions or links made under the old one.
    if before.0 != details.email.as_str() {
        sessions::revoke_all(&txn, id).await?;
        auth::retire_links(&txn, id).await?;
    }
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "person_updated",
            subject: format!("user {id} ({})", details.email.as_str()),
            trust_id: home_id.or(before.1),
            detail: json!({ "changed": changed }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{}'s details have been saved", details.name.as_str()))
}

/// Gives `person` a role at a trust (a line manager's grant names a team; granting it again
/// with another team adds the team).
pub async fn grant(
    state: &AppState,
    ctx: &RequestContext,
    person_id: i32,
    role: &str,
    ods: &str,
    team_raw: &str,
) -> Result<String, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let values = FormErrors::with_values([("role", role), ("trust", ods), ("team", team_raw)]);
    let mut errors = values.clone();
    let role = errors.check("role", Role::parse(role));
    let trust_code = match role {
        Some(r) if r.is_trust_scoped() => errors
            .check("trust", OdsCode::parse(ods).map(Some).map_err(|_| "Select the trust this role is at".to_owned())),
        _ => Some(None),
    };
    let team_id = match role {
        Some(Role::LineManager) => errors.check(
            "team",
            team_raw.trim().parse::<i32>().map(Some).map_err(|_| "Select the team this person manages".to_owned()),
        ),
        _ => Some(None),
    };
    let (role, trust_code, team_id) = errors.into_result(|| Some((role?, trust_code?, team_id?)))?;
    let txn = db::begin_write(&state.db).await?;
    let (person, _) = manageable(&txn, actor, person_id).await?;
    let at = match &trust_code {
        Some(code) => Some(
            trusts::find(&txn, code)
                .await?
                .ok_or_else(|| field_error(values.clone(), "trust", "Select a trust from the list"))?,
        ),
        None => None,
    };
    let trust_id = at.as_ref().map(|t| t.id);
    authorize(Some(actor), &Action::ChangeGrant { role, trust: trust_id, own: person.id == actor.user_id })?;
    let at_name = at.as_ref().map(|t| t.name.clone()).unwrap_or_else(|| "the alliance".into());
    if role == Role::Staff
        && (person.home_trust_id != trust_id
            || person.team_id.is_none()
            || person.staff_group.is_none()
            || person.pay_band.is_none())
    {
        return Err(field_error(
            values,
            "role",
            format!(
                "A staff member needs {at_name} as their home trust, a team, a staff group and a pay band. Add them to {}'s details first",
                person.name
            ),
        ));
    }
    if let (Some(team_id), Some(t)) = (team_id, &at) {
        team::Entity::find_by_id(team_id)
            .filter(team::Column::TrustId.eq(t.id))
            .one(&txn)
            .await?
            .ok_or_else(|| field_error(values.clone(), "team", format!("Select a team at {}", t.name)))?;
    }
    let existing = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(person.id))
        .filter(role_grant::Column::Role.eq(role.code()))
        .filter(match trust_id {
            Some(t) => role_grant::Column::TrustId.eq(t),
            None => role_grant::Column::TrustId.is_null(),
        })
        .one(&txn)
        .await?;
    let grant_id = match (existing, team_id) {
        (Some(g), Some(_)) => g.id,
        (Some(_), None) => {
            return Err(field_error(
                values,
                "role",
                format!("{} is already a {} at {at_name}", person.name, role.label().to_lowercase()),
            ));
        }
        (None, _) => {
            let inserted = role_grant::ActiveModel {
                user_id: Set(person.id),
                role: Set(role),
                trust_id: Set(trust_id),
                created_at: Set(Utc::now()),
                created_by: Set(Some(actor.user_id)),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            match inserted {
                Ok(g) => g.id,
                Err(e) if db::is_unique_violation(&e) => {
                    return Err(field_error(values, "role", format!("{} already has this role", person.name)));
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    if let Some(team_id) = team_id {
        let added = grant_team::ActiveModel { grant_id: Set(grant_id), team_id: Set(team_id) }.insert(&txn).await;
        match added {
            Ok(_) => {}
            Err(e) if db::is_unique_violation(&e) => {
                return Err(field_error(values, "team", format!("{} already manages this team", person.name)));
            }
            Err(e) => return Err(e.into()),
        }
    }
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "role_granted",
            subject: format!("user {} ({})", person.id, person.email),
            trust_id,
            detail: json!({ "role": role.code(), "team": team_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{} is now a {} at {at_name}", person.name, role.label().to_lowercase()))
}

/// Removes one grant. Removing a person's last grant ends their sessions.
pub async fn remove_grant(
    state: &AppState,
    ctx: &RequestContext,
    person_id: i32,
    grant_id: i32,
) -> Result<String, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let txn = db::begin_write(&state.db).await?;
    let (person, _) = manageable(&txn, actor, person_id).await?;
    let g = role_grant::Entity::find_by_id(grant_id)
        .filter(role_grant::Column::UserId.eq(person.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = g.role;
    authorize(Some(actor), &Action::ChangeGrant { role, trust: g.trust_id, own: person.id == actor.user_id })?;
    role_grant::Entity::delete_by_id(g.id).exec(&txn).await?;
    let left = sessions::load_grants(&txn, person.id).await?;
    let ended = if left.is_empty() { sessions::revoke_all(&txn, person.id).await? } else { 0 };
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "role_removed",
            subject: format!("user {} ({})", person.id, person.email),
            trust_id: g.trust_id,
            detail: json!({ "role": role.code(), "sessions_ended": ended }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{} is no longer a {}", person.name, role.label().to_lowercase()))
}

/// Deactivates (ending their sessions), reactivates, or sends a new invitation.
pub async fn change_status(
    state: &AppState,
    ctx: &RequestContext,
    person_id: i32,
    action: &str,
) -> Result<String, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let txn = db::begin_write(&state.db).await?;
    let (person, _) = manageable(&txn, actor, person_id).await?;
    if person.id == actor.user_id && action == "deactivate" {
        return Err(AppError::Refused("You cannot deactivate your own account. Ask another project manager".into()));
    }
    let subject = format!("user {} ({})", person.id, person.email);
    let (code, notice, detail) = match action {
        "deactivate" => {
            let mut row: user::ActiveModel = person.clone().into();
            row.active = Set(false);
            row.updated_at = Set(Utc::now());
            row.update(&txn).await?;
            let ended = sessions::revoke_all(&txn, person.id).await?;
            let links_retired = auth::retire_links(&txn, person.id).await?;
            (
                "person_deactivated",
                format!("{} has been deactivated and signed out", person.name),
                json!({ "sessions_ended": ended, "links_retired": links_retired }),
            )
        }
        "reactivate" => {
            let mut row: user::ActiveModel = person.clone().into();
            row.active = Set(true);
            row.updated_at = Set(Utc::now());
            row.update(&txn).await?;
            ("person_reactivated", format!("{} has been reactivated", person.name), json!({}))
        }
        "resend_invitation" if person.password_hash.is_none() && person.active => {
            let days = state.auth.invite_link_days;
            let link = auth::issue_link(&txn, state, person.id, "invite", Duration::days(days)).await?;
            outbox::enqueue(&txn, mail_templates::invitation(&person.email, &person.name, &actor.name, &link, days))
                .await?;
            ("invitation_sent", format!("We have sent {} a new invitation", person.name), json!({}))
        }
        "resend_invitation" => return Err(AppError::Conflict(format!("{} has already set a password", person.name))),
        _ => return Err(AppError::BadRequest),
    };
    audit::record(&txn, ctx, None, audit::Event { action: code, subject, trust_id: person.home_trust_id, detail })
        .await?;
    txn.commit().await?;
    state.outbox_wake.notify_one();
    Ok(notice)
}
