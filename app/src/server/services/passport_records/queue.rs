//! HR's passport queue: who at a trust needs a passport issued, put right or renewed.

use super::{REVIEWS, date, lapsing_items};
use crate::domain::PassportActorRole;
use crate::domain::{PassportAction, PassportCheck, QueueReasonKind, Role};
use crate::error::AppError;
use crate::server::access::{Action, Actor, authorize};
use crate::server::entities::{passport, passport_audit, passport_check, role_grant, trust, user};
use crate::server::services::passports::{Entry, log};
use crate::views::passports::{EXPIRY_WARNING_DAYS, LAPSE_WARNING_DAYS, PassportQueue, QueueEntry, QueueReason};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// The passport queue of the trust `ods`: its active staff (holding the staff role) whose
/// passport is missing (never issued, revoked or expired), has a problem reported, awaits their
/// confirmation, expires within [`EXPIRY_WARNING_DAYS`] or holds a check lapsing within
/// [`LAPSE_WARNING_DAYS`]. Listing a problem or a lapse date is a read of passport data, written
/// to the holder's history in the caller's transaction.
pub async fn queue(conn: &impl ConnectionTrait, actor: &Actor, ods: &str) -> Result<PassportQueue, AppError> {
    // No trust named: the first trust the actor is HR at (anyone else is refused below).
    let home = if ods.trim().is_empty() {
        match actor.hr_trusts().first() {
            Some(id) => trust::Entity::find_by_id(*id).one(conn).await?,
            None => return Err(AppError::Forbidden),
        }
    } else {
        Some(crate::server::services::trusts::by_ods(conn, ods).await?)
    }
    .ok_or(AppError::NotFound)?;
    authorize(Some(actor), &Action::ViewPassportQueue { trust: home.id })?;
    let staff_of_trust = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(user::Column::HomeTrustId.eq(home.id))
        .to_owned();
    // Passports are for the staff who may move: those holding the staff role.
    let holding_staff_role = Query::select()
        .column(role_grant::Column::UserId)
        .from(role_grant::Entity)
        .and_where(role_grant::Column::Role.eq(Role::Staff.code()))
        .to_owned();
    let staff = user::Entity::find()
        .filter(user::Column::HomeTrustId.eq(home.id))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Id.in_subquery(holding_staff_role))
        .order_by_asc(user::Column::Name)
        .all(conn)
        .await?;
    let mut newest: HashMap<i32, passport::Model> = HashMap::new();
    for p in passport::Entity::find()
        .filter(passport::Column::HolderId.in_subquery(staff_of_trust.clone()))
        .order_by_asc(passport::Column::Id)
        .all(conn)
        .await?
    {
        newest.insert(p.holder_id, p);
    }
    let current_of_trust = Query::select()
        .column(passport::Column::Id)
        .from(passport::Entity)
        .and_where(passport::Column::RevokedAt.is_null())
        .and_where(passport::Column::HolderId.in_subquery(staff_of_trust))
        .to_owned();
    let mut reviews: HashMap<i32, passport_audit::Model> = HashMap::new();
    for r in passport_audit::Entity::find()
        .filter(passport_audit::Column::Action.is_in(REVIEWS))
        .filter(passport_audit::Column::PassportId.in_subquery(current_of_trust.clone()))
        .order_by_asc(passport_audit::Column::Id)
        .all(conn)
        .await?
    {
        if let Some(id) = r.passport_id {
            reviews.insert(id, r);
        }
    }
    let now = Utc::now();
    let today = now.date_naive();
    let mut lapsing: HashMap<i32, Vec<(PassportCheck, NaiveDate)>> = HashMap::new();
    for c in passport_check::Entity::find()
        .filter(passport_check::Column::PassportId.in_subquery(current_of_trust))
        .filter(passport_check::Column::LapsesOn.lte(today + Duration::days(LAPSE_WARNING_DAYS)))
        .order_by_asc(passport_check::Column::LapsesOn)
        .all(conn)
        .await?
    {
        if let Some(on) = c.lapses_on {
            lapsing.entry(c.passport_id).or_default().push((c.check, on));
        }
    }
    let mut entries = Vec::new();
    for person in &staff {
        let mut reasons = Vec::new();
        let reason = |kind: QueueReasonKind, detail: String| QueueReason { kind, detail };
        match newest.get(&person.id) {
            None => reasons.push(reason(QueueReasonKind::Missing, "No passport issued yet".into())),
            Some(p) if p.revoked_at.is_some() => reasons.push(reason(
                QueueReasonKind::Missing,
                format!(
                    "Revoked on {}: {}",
                    date(p.revoked_at.unwrap_or(now).date_naive()),
                    p.revoke_reason.clone().unwrap_or_default()
                ),
            )),
            Some(p) if p.expires_at <= now => reasons
                .push(reason(QueueReasonKind::Missing, format!("Expired on {}", date(p.expires_at.date_naive())))),
            Some(p) => {
                let mut shown: Vec<String> = Vec::new();
                match reviews.get(&p.id) {
                    Some(r) if r.action == PassportAction::ProblemReported => {
                        reasons.push(reason(QueueReasonKind::ProblemReported, r.reason.clone().unwrap_or_default()));
                    }
                    Some(_) => {}
                    None => reasons.push(reason(
                        QueueReasonKind::AwaitingConfirmation,
                        format!(
                            "Issued on {}; they have not yet confirmed it is right",
                            date(p.issued_at.date_naive())
                        ),
                    )),
                }
                if p.expires_at <= now + Duration::days(EXPIRY_WARNING_DAYS) {
                    reasons.push(reason(
                        QueueReasonKind::ExpiringSoon,
                        format!("Expires on {}", date(p.expires_at.date_naive())),
                    ));
                }
                for (check, on) in lapsing.get(&p.id).into_iter().flatten() {
                    let verb = if *on <= today { "lapsed" } else { "lapses" };
                    reasons.push(reason(
                        QueueReasonKind::ItemLapsing,
                        format!("{} {verb} on {}", check.label(), date(*on)),
                    ));
                    shown.extend(lapsing_items(*check).iter().map(|s| (*s).to_owned()));
                }
                // Showing lapse dates or a problem report is showing passport data.
                if !shown.is_empty() || reasons.iter().any(|r| r.kind == QueueReasonKind::ProblemReported) {
                    log(
                        conn,
                        Some(actor),
                        Entry {
                            holder_id: person.id,
                            passport_id: Some(p.id),
                            role: PassportActorRole::HrOfficer,
                            trust_id: Some(home.id),
                            action: PassportAction::Viewed,
                            items: &shown,
                            reason: Some("listed in HR's passport queue"),
                        },
                    )
                    .await?;
                }
            }
        }
        if !reasons.is_empty() {
            reasons.sort_by_key(|r| r.kind.urgency());
            entries.push(QueueEntry {
                holder_id: person.id,
                name: person.name.clone(),
                email: person.email.clone(),
                reasons,
            });
        }
    }
    entries.sort_by(|a, b| {
        let rank = |e: &QueueEntry| e.reasons.first().map_or(9, |r| r.kind.urgency());
        rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name))
    });
    Ok(PassportQueue { trust: home.ods_code, trust_name: home.name, up_to_date: staff.len() - entries.len(), entries })
}
