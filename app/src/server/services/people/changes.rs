//! Adding people, changing their details and their account's status.

use super::{apply, duplicate_email, manageable, resolve_home};
use crate::domain::AuditAction;
use crate::domain::{AccountChange, PersonDetails, PersonInput};
use crate::error::AppError;
use crate::server::AppState;
use crate::server::access::{Action, Actor, PersonScope, authorize};
use crate::server::entities::user;
use crate::server::services::{audit, auth, mail_templates, sessions};
use crate::server::{db, outbox};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;

/// How an invitation is made: where its link points and how long it lasts.
#[derive(Debug, Clone, Copy)]
pub struct Invite<'a> {
    pub public_url: &'a str,
    pub days: i64,
}

impl<'a> Invite<'a> {
    pub fn of(state: &'a AppState) -> Self {
        Invite { public_url: &state.public_url, days: state.auth.invite_link_days }
    }

    /// Queues `person`'s invitation from `inviter`, retiring any earlier one.
    async fn send(self, conn: &impl ConnectionTrait, person: &user::Model, inviter: &str) -> Result<(), AppError> {
        let link = auth::issue_link(conn, self.public_url, person.id, "invite", Duration::days(self.days)).await?;
        outbox::enqueue(conn, mail_templates::invitation(&person.email, &person.name, inviter, &link, self.days))
            .await?;
        Ok(())
    }
}

/// Adds a person and emails them an invitation to set their password. Returns their id.
/// The caller wakes the mail worker once the transaction has committed.
pub async fn add(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    invite: Invite<'_>,
    input: &PersonInput,
) -> Result<i32, AppError> {
    let details = PersonDetails::parse(input)?;
    let (home, team) = resolve_home(txn, input, &details).await?;
    let home_id = home.as_ref().map(|t| t.id);
    authorize(Some(actor), &Action::AddPerson { trust: home_id })?;
    let now = Utc::now();
    let mut row =
        user::ActiveModel { password_hash: Set(None), active: Set(true), created_at: Set(now), ..Default::default() };
    apply(&mut row, &details, home_id, team);
    let inserted = match row.insert(txn).await {
        Ok(m) => m,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(duplicate_email(input));
        }
        Err(e) => return Err(e.into()),
    };
    invite.send(txn, &inserted, &actor.name).await?;
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::PersonAdded,
            subject: format!("user {} ({})", inserted.id, inserted.email),
            trust_id: home_id,
            detail: json!({ "invited": true }),
        },
    )
    .await?;
    Ok(inserted.id)
}

/// Changes a person's details. A new email address ends their sessions and retires their links.
pub async fn edit(txn: &impl ConnectionTrait, actor: &Actor, id: i32, input: &PersonInput) -> Result<String, AppError> {
    let details = PersonDetails::parse(input)?;
    let (person, scope) = manageable(txn, actor, id).await?;
    let (home, team) = resolve_home(txn, input, &details).await?;
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
    match row.update(txn).await {
        Ok(_) => {}
        Err(e) if db::is_unique_violation(&e) => {
            return Err(duplicate_email(input));
        }
        Err(e) => return Err(e.into()),
    }
    // A new email address must not keep sessions or links made under the old one.
    if before.0 != details.email.as_str() {
        sessions::revoke_all(txn, id).await?;
        auth::retire_links(txn, id).await?;
    }
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::PersonUpdated,
            subject: format!("user {id} ({})", details.email.as_str()),
            trust_id: home_id.or(before.1),
            detail: json!({ "changed": changed }),
        },
    )
    .await?;
    Ok(format!("{}'s details have been saved", details.name.as_str()))
}

/// Deactivates (ending their sessions), reactivates, or sends a new invitation.
/// `action` is an [`AccountChange`] code; anything else is a bad request. The caller wakes the
/// mail worker once the transaction has committed.
pub async fn change_status(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    invite: Invite<'_>,
    person_id: i32,
    action: &str,
) -> Result<String, AppError> {
    let (person, _) = manageable(txn, actor, person_id).await?;
    let action = AccountChange::from_code(action).ok_or(AppError::BadRequest)?;
    if person.id == actor.user_id && action == AccountChange::Deactivate {
        return Err(AppError::Refused("You cannot deactivate your own account. Ask another project manager".into()));
    }
    let subject = format!("user {} ({})", person.id, person.email);
    let (code, notice, detail) = match action {
        AccountChange::Deactivate => {
            let mut row: user::ActiveModel = person.clone().into();
            row.active = Set(false);
            row.updated_at = Set(Utc::now());
            row.update(txn).await?;
            let ended = sessions::revoke_all(txn, person.id).await?;
            let links_retired = auth::retire_links(txn, person.id).await?;
            (
                AuditAction::PersonDeactivated,
                format!("{} has been deactivated and signed out", person.name),
                json!({ "sessions_ended": ended, "links_retired": links_retired }),
            )
        }
        AccountChange::Reactivate => {
            let mut row: user::ActiveModel = person.clone().into();
            row.active = Set(true);
            row.updated_at = Set(Utc::now());
            row.update(txn).await?;
            (AuditAction::PersonReactivated, format!("{} has been reactivated", person.name), json!({}))
        }
        AccountChange::ResendInvitation if person.password_hash.is_none() && person.active => {
            invite.send(txn, &person, &actor.name).await?;
            (AuditAction::InvitationSent, format!("We have sent {} a new invitation", person.name), json!({}))
        }
        AccountChange::ResendInvitation => {
            return Err(AppError::Conflict(format!("{} has already set a password", person.name)));
        }
    };
    audit::record_by(txn, actor, audit::Event { action: code, subject, trust_id: person.home_trust_id, detail })
        .await?;
    Ok(notice)
}
