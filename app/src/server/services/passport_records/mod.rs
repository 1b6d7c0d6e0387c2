//! HR's side of the passport: the record of a person's checks (the form to reissue from, who
//! recorded each check and when it lapses), their photo, and the trust's passport queue. Every
//! read of passport data here is written to the holder's passport history, like any other.

mod photos;
mod queue;

pub use photos::{clean_photo, may_record_photo, photo, record_photo};
pub use queue::queue;

use super::credential_store::claims_of;
use super::passports::{self, Entry, log, summary, when};
use crate::domain::PassportActorRole;
use crate::domain::{CheckRecord, PassportAction, PassportCheck, PassportForm, PassportItems, PassportReview, PayBand};
use crate::error::AppError;
use crate::server::access::{Action, Actor, authorize_on};
use crate::server::entities::{passport, passport_audit, passport_check, passport_photo, team, trust, user};
use crate::server::keyring::KeyEncryptionKey;
use crate::views::passports::{CheckView, PassportRecord, PhotoView, photo_url};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The items a lapsing check concerns, for the audit entry of showing it.
fn lapsing_items(check: PassportCheck) -> &'static [&'static str] {
    match check {
        PassportCheck::Dbs => &["dbs_check_date"],
        PassportCheck::RightToWork => &["right_to_work_expiry"],
        PassportCheck::Registration => &["registration_expiry"],
        PassportCheck::Employment => &["fixed_term_end"],
        _ => &[],
    }
}

/// What a holder's review of their passport is recorded as.
const REVIEWS: [PassportAction; 2] = [PassportAction::Confirmed, PassportAction::ProblemReported];

/// The newest holder review (`confirmed` or `problem_reported`) of passport `passport_id`.
async fn newest_review(
    conn: &impl ConnectionTrait,
    passport_id: i32,
) -> Result<Option<passport_audit::Model>, AppError> {
    Ok(passport_audit::Entity::find()
        .filter(passport_audit::Column::PassportId.eq(passport_id))
        .filter(passport_audit::Column::Action.is_in(REVIEWS))
        .order_by_desc(passport_audit::Column::Id)
        .one(conn)
        .await?)
}

/// The form filled in from the person's own record (name, work email, staff group, pay band,
/// registration, department), for their first passport.
pub async fn form_from_person(conn: &impl ConnectionTrait, holder: &user::Model) -> Result<PassportForm, AppError> {
    let department = match holder.team_id {
        Some(t) => team::Entity::find_by_id(t).one(conn).await?.map(|t| t.name).unwrap_or_default(),
        None => String::new(),
    };
    Ok(PassportForm {
        name: holder.name.clone(),
        work_email: holder.email.clone(),
        staff_group: holder.staff_group.map(|g| g.code().to_owned()).unwrap_or_default(),
        pay_band: holder
            .pay_band
            .as_deref()
            .and_then(|b| PayBand::parse(b).ok())
            .map(|b| b.code().to_owned())
            .unwrap_or_default(),
        registration_body: holder.registration_body.clone().unwrap_or_default(),
        registration_number: holder.registration_number.clone().unwrap_or_default(),
        department,
        ..Default::default()
    })
}

/// HR's record of `holder_id`'s passport (its credential opened with `kek`; `public_url`
/// makes its issuer's identifier). Only an HR passport officer of their home trust may open
/// it; showing the values of an issued passport is written to its history, in the caller's
/// transaction.
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    kek: &KeyEncryptionKey,
    public_url: &str,
    holder_id: i32,
) -> Result<PassportRecord, AppError> {
    let holder = user::Entity::find_by_id(holder_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let see = Action::ViewPassportRecord { trust: holder.home_trust_id };
    authorize_on(Some(actor), &see, &see)?;
    let trust_id = holder.home_trust_id.ok_or(AppError::NotFound)?;
    let home = trust::Entity::find_by_id(trust_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let newest = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(holder.id))
        .order_by_desc(passport::Column::Id)
        .one(conn)
        .await?;
    let photo_row = passport_photo::Entity::find()
        .filter(passport_photo::Column::HolderId.eq(holder.id))
        .order_by_desc(passport_photo::Column::Id)
        .one(conn)
        .await?;
    let mut record = PassportRecord {
        holder_id: holder.id,
        holder_name: holder.name.clone(),
        holder_email: holder.email.clone(),
        active: holder.active,
        trust: home.ods_code.clone(),
        trust_name: home.name.clone(),
        current: None,
        form: PassportForm::default(),
        checks: Vec::new(),
        photo: None,
        review: PassportReview::None,
        problem: None,
        history: Vec::new(),
    };
    let mut bound_digest = None;
    match &newest {
        None => record.form = form_from_person(conn, &holder).await?,
        Some(p) => {
            let claims: serde_json::Map<String, serde_json::Value> = claims_of(kek, p)?.into_iter().collect();
            let items: PassportItems = serde_json::from_value(serde_json::Value::Object(claims)).unwrap_or_default();
            let rows =
                passport_check::Entity::find().filter(passport_check::Column::PassportId.eq(p.id)).all(conn).await?;
            let checks: Vec<(PassportCheck, passport_check::Model)> = rows.into_iter().map(|r| (r.check, r)).collect();
            let records: Vec<CheckRecord> = checks
                .iter()
                .map(|(c, r)| CheckRecord { check: *c, checked_on: r.checked_on, lapses_on: r.lapses_on })
                .collect();
            record.form = PassportForm::from_items(&items, &records);
            record.checks = PassportCheck::ALL
                .into_iter()
                .filter_map(|c| checks.iter().find(|(k, _)| *k == c))
                .map(|(c, r)| CheckView {
                    check: c.code().to_owned(),
                    label: c.label().to_owned(),
                    checked_on: date(r.checked_on),
                    recorded_by: r.recorded_by_email.clone(),
                    lapses_on: r.lapses_on.map(date),
                })
                .collect();
            bound_digest = items.photo_digest.clone();
            record.current = Some(summary(p, public_url, &home.ods_code));
            if p.revoked_at.is_none() {
                let review = newest_review(conn, p.id).await?;
                record.review = match review.as_ref().map(|r| r.action) {
                    None => PassportReview::Awaiting,
                    Some(PassportAction::ProblemReported) => PassportReview::ProblemReported,
                    Some(_) => PassportReview::Confirmed,
                };
                record.problem = review.filter(|r| r.action == PassportAction::ProblemReported).and_then(|r| r.reason);
            }
            let names = items.names();
            log(
                conn,
                Some(actor),
                Entry {
                    holder_id: holder.id,
                    passport_id: Some(p.id),
                    role: PassportActorRole::HrOfficer,
                    trust_id: Some(home.id),
                    action: PassportAction::Viewed,
                    items: &names,
                    reason: Some("opened by HR to record checks and reissue"),
                },
            )
            .await?;
        }
    }
    record.photo = photo_row.map(|ph| PhotoView {
        url: photo_url(&ph.digest),
        in_passport: bound_digest.as_deref() == Some(ph.digest.as_str()),
        digest: ph.digest,
        uploaded_at: when(ph.uploaded_at),
        width: ph.width,
        height: ph.height,
    });
    record.history = passports::history(conn, actor, holder.id).await?;
    Ok(record)
}
