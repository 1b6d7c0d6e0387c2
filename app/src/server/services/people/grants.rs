//! Giving people roles and taking them away.

use super::{field_error, manageable};
use crate::domain::AuditAction;
use crate::domain::{OdsCode, Role};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize};
use crate::server::db;
use crate::server::entities::{grant_team, role_grant, team};
use crate::server::services::{audit, sessions, trusts};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

/// Gives `person` a role at a trust (a line manager's grant names a team; granting it again
/// with another team adds the team).
pub async fn grant(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    person_id: i32,
    role: &str,
    ods: &str,
    team_raw: &str,
) -> Result<String, AppError> {
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
    let (person, _) = manageable(txn, actor, person_id).await?;
    let at = match &trust_code {
        Some(code) => Some(
            trusts::find(txn, code)
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
            .one(txn)
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
        .one(txn)
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
            .insert(txn)
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
        let added = grant_team::ActiveModel { grant_id: Set(grant_id), team_id: Set(team_id) }.insert(txn).await;
        match added {
            Ok(_) => {}
            Err(e) if db::is_unique_violation(&e) => {
                return Err(field_error(values, "team", format!("{} already manages this team", person.name)));
            }
            Err(e) => return Err(e.into()),
        }
    }
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::RoleGranted,
            subject: format!("user {} ({})", person.id, person.email),
            trust_id,
            detail: json!({ "role": role.code(), "team": team_id }),
        },
    )
    .await?;
    Ok(format!("{} is now a {} at {at_name}", person.name, role.label().to_lowercase()))
}

/// Removes one grant. Removing a person's last grant ends their sessions.
pub async fn remove_grant(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    person_id: i32,
    grant_id: i32,
) -> Result<String, AppError> {
    let (person, _) = manageable(txn, actor, person_id).await?;
    let g = role_grant::Entity::find_by_id(grant_id)
        .filter(role_grant::Column::UserId.eq(person.id))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = g.role;
    authorize(Some(actor), &Action::ChangeGrant { role, trust: g.trust_id, own: person.id == actor.user_id })?;
    role_grant::Entity::delete_by_id(g.id).exec(txn).await?;
    let left = sessions::load_grants(txn, person.id).await?;
    let ended = if left.is_empty() { sessions::revoke_all(txn, person.id).await? } else { 0 };
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::RoleRemoved,
            subject: format!("user {} ({})", person.id, person.email),
            trust_id: g.trust_id,
            detail: json!({ "role": role.code(), "sessions_ended": ended }),
        },
    )
    .await?;
    Ok(format!("{} is no longer a {}", person.name, role.label().to_lowercase()))
}
