//! The holder's side: their own passport with its values, the file they download, and
//! confirming it is right or reporting what is wrong (which tells their HR by email).

use super::super::credential_store::{claims_of, opened};
use super::super::mail_templates;
use super::{Entry, history, item_names, items_of, log, summary};
use crate::domain::PassportActorRole;
use crate::domain::{PassportAction, ProblemReport, Role};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize, authorize_on};
use crate::server::entities::{passport, passport_audit, role_grant, trust, user};
use crate::server::keyring::KeyEncryptionKey;
use crate::server::outbox;
use crate::views::passports::HolderPassport;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// The signed-in holder's current passport, as the file they download (the SD-JWT with every
/// disclosure, opened with `kek`). The download is written to their passport history.
pub async fn download(conn: &impl ConnectionTrait, actor: &Actor, kek: &KeyEncryptionKey) -> Result<String, AppError> {
    authorize(Some(actor), &Action::ViewPassport { holder: actor.user_id, trust: actor.home_trust_id })?;
    let p = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(actor.user_id))
        .filter(passport::Column::RevokedAt.is_null())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = item_names(&p.items);
    log(
        conn,
        Some(actor),
        Entry {
            holder_id: actor.user_id,
            passport_id: Some(p.id),
            role: PassportActorRole::Holder,
            trust_id: actor.home_trust_id,
            action: PassportAction::Downloaded,
            items: &names,
            reason: Some("downloaded by the holder"),
        },
    )
    .await?;
    opened(kek, &p)
}

/// The signed-in holder's newest passport with every item's value, its history, and whether
/// they have confirmed it. Showing the values is a read of passport data, so it is written to
/// the passport's history (as `viewed`, by the holder) before anything is returned.
pub async fn mine(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    kek: &KeyEncryptionKey,
    public_url: &str,
) -> Result<Option<HolderPassport>, AppError> {
    authorize(Some(actor), &Action::ViewPassportItems { holder: actor.user_id })?;
    let Some(p) = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(actor.user_id))
        .order_by_desc(passport::Column::Id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let trust = trust::Entity::find_by_id(p.trust_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let items = items_of(claims_of(kek, &p)?);
    let names: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
    log(
        conn,
        Some(actor),
        Entry {
            holder_id: actor.user_id,
            passport_id: Some(p.id),
            role: PassportActorRole::Holder,
            trust_id: actor.home_trust_id,
            action: PassportAction::Viewed,
            items: &names,
            reason: Some("viewed by the holder on their passport page"),
        },
    )
    .await?;
    let confirmed = passport_audit::Entity::find()
        .filter(passport_audit::Column::PassportId.eq(p.id))
        .filter(passport_audit::Column::Action.eq(PassportAction::Confirmed))
        .one(conn)
        .await?
        .is_some();
    let history = history(conn, actor, actor.user_id).await?;
    Ok(Some(HolderPassport {
        summary: summary(&p, public_url, &trust.ods_code),
        trust_name: trust.name,
        items,
        history,
        confirmed,
    }))
}

/// The holder confirms that the items of their passport `passport_id` are right. Recorded in
/// its history (`confirmed`), so HR can tell which passports still await confirmation.
pub async fn confirm(conn: &impl ConnectionTrait, actor: &Actor, passport_id: i32) -> Result<String, AppError> {
    review(conn, actor, passport_id, None).await?;
    Ok("Thank you for confirming your passport is right".to_owned())
}

/// The holder reports what is wrong with their passport `passport_id` (`problem_reported`,
/// with their words as the reason), for their HR to put right: each active HR passport
/// officer of their home trust is sent an email linking to `public_url`'s record. The caller
/// wakes the mail worker once this commits.
pub async fn report_problem(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    public_url: &str,
    passport_id: i32,
    problem: &str,
) -> Result<String, AppError> {
    review(conn, actor, passport_id, Some((problem, public_url))).await?;
    Ok("Thank you. Your HR passport officer will see what you reported in your passport's history".to_owned())
}

/// Records the holder's review: a confirmation, or a problem (what they wrote, and the public
/// address for the link in HR's email).
async fn review(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    passport_id: i32,
    problem: Option<(&str, &str)>,
) -> Result<(), AppError> {
    let p = passport::Entity::find_by_id(passport_id).one(conn).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        Some(actor),
        &Action::ViewPassport { holder: p.holder_id, trust: Some(p.trust_id) },
        &Action::ReviewPassport { holder: p.holder_id },
    )?;
    let report = match problem {
        None => None,
        Some((raw, public_url)) => match ProblemReport::parse(raw) {
            Ok(report) => Some((report, public_url)),
            Err(message) => {
                let mut errors = FormErrors::with_values([("problem", raw)]);
                errors.add("problem", message);
                return Err(AppError::Validation(errors));
            }
        },
    };
    if p.revoked_at.is_some() {
        return Err(AppError::Conflict(
            "This passport has been revoked: your HR passport officer issues a new one".into(),
        ));
    }
    let names = item_names(&p.items);
    log(
        conn,
        Some(actor),
        Entry {
            holder_id: p.holder_id,
            passport_id: Some(p.id),
            role: PassportActorRole::Holder,
            trust_id: actor.home_trust_id,
            action: if report.is_some() { PassportAction::ProblemReported } else { PassportAction::Confirmed },
            items: &names,
            reason: report.as_ref().map(|(r, _)| r.as_str()),
        },
    )
    .await?;
    if let Some((_, public_url)) = report {
        tell_hr_of_problem(conn, public_url, p.holder_id).await?;
    }
    Ok(())
}

/// Queues an email to each active HR passport officer of the holder's home trust, in the same
/// transaction as the report, so it is sent when the mail server is there.
async fn tell_hr_of_problem(conn: &impl ConnectionTrait, public_url: &str, holder_id: i32) -> Result<(), AppError> {
    let holder = user::Entity::find_by_id(holder_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let Some(trust_id) = holder.home_trust_id else { return Ok(()) };
    let hr_of_trust = sea_orm::sea_query::Query::select()
        .column(role_grant::Column::UserId)
        .from(role_grant::Entity)
        .and_where(role_grant::Column::Role.eq(Role::HrOfficer.code()))
        .and_where(role_grant::Column::TrustId.eq(trust_id))
        .to_owned();
    let officers = user::Entity::find()
        .filter(user::Column::Id.in_subquery(hr_of_trust))
        .filter(user::Column::Active.eq(true))
        .all(conn)
        .await?;
    let link = format!("{public_url}/people/{}/passport", holder.id);
    for officer in officers {
        let mail = mail_templates::passport_problem(&officer.email, &officer.name, &holder.name, &link);
        outbox::enqueue(conn, mail).await?;
    }
    Ok(())
}
