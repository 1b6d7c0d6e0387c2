//! HR's side of the passport: the record of a person's checks (the form to reissue from, who
//! recorded each check and when it lapses), their photo, and the trust's passport queue. Every
//! read of passport data here is written to the holder's passport history, like any other.

use super::credential_store::claims_of;
use super::passports::{Entry, log, log_from, summary, when};
use super::{audit, passports};
use crate::domain::{CheckRecord, PassportCheck, PassportForm, PassportItems, PayBand};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, authorize, authorize_on, authorize_public, permits};
use crate::server::entities::{
    passport, passport_audit, passport_check, passport_photo, role_grant, team, trust, user,
};
use crate::server::{AppState, RequestContext, db, photo};
use crate::views::passports::{
    CheckView, EXPIRY_WARNING_DAYS, LAPSE_WARNING_DAYS, PassportQueue, PassportRecord, PhotoView, QueueEntry,
    QueueReason, photo_url,
};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use std::collections::HashMap;

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

/// The newest holder review (`confirmed` or `problem_reported`) of passport `passport_id`.
async fn newest_review(
    conn: &impl ConnectionTrait,
    passport_id: i32,
) -> Result<Option<passport_audit::Model>, AppError> {
    Ok(passport_audit::Entity::find()
        .filter(passport_audit::Column::PassportId.eq(passport_id))
        .filter(passport_audit::Column::Action.is_in(["confirmed", "problem_reported"]))
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

/// HR's record of `holder_id`'s passport. Only an HR passport officer of their home trust may
/// open it; showing the values of an issued passport is written to its history.
pub async fn record(state: &AppState, ctx: &RequestContext, holder_id: i32) -> Result<PassportRecord, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let holder = user::Entity::find_by_id(holder_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let see = Action::ViewPassportRecord { trust: holder.home_trust_id };
    authorize_on(Some(actor), &see, &see)?;
    let trust_id = holder.home_trust_id.ok_or(AppError::NotFound)?;
    let txn = db::begin_write(&state.db).await?;
    let home = trust::Entity::find_by_id(trust_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let newest = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(holder.id))
        .order_by_desc(passport::Column::Id)
        .one(&txn)
        .await?;
    let photo_row = passport_photo::Entity::find()
        .filter(passport_photo::Column::HolderId.eq(holder.id))
        .order_by_desc(passport_photo::Column::Id)
        .one(&txn)
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
        review: "none".into(),
        problem: None,
        history: Vec::new(),
    };
    let mut bound_digest = None;
    match &newest {
        None => record.form = form_from_person(&txn, &holder).await?,
        Some(p) => {
            let claims: serde_json::Map<String, serde_json::Value> = claims_of(state.kek()?, p)?.into_iter().collect();
            let items: PassportItems = serde_json::from_value(serde_json::Value::Object(claims)).unwrap_or_default();
            let rows =
                passport_check::Entity::find().filter(passport_check::Column::PassportId.eq(p.id)).all(&txn).await?;
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
            record.current = Some(summary(p, &state.public_url, &home.ods_code));
            if p.revoked_at.is_none() {
                let review = newest_review(&txn, p.id).await?;
                record.review = review.as_ref().map_or("awaiting", |r| r.action.as_str()).to_owned();
                record.problem = review.filter(|r| r.action == "problem_reported").and_then(|r| r.reason);
            }
            let names = items.names();
            log(
                &txn,
                Some(actor),
                Entry {
                    holder_id: holder.id,
                    passport_id: Some(p.id),
                    role: "hr_officer",
                    trust_id: Some(home.id),
                    action: "viewed",
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
    record.history = passports::history(&txn, Some(actor), holder.id).await?;
    txn.commit().await?;
    Ok(record)
}

/// How urgent a queue reason is: lower first.
fn urgency(kind: &str) -> u8 {
    match kind {
        "missing" => 0,
        "problem_reported" => 1,
        "expiring_soon" => 2,
        "item_lapsing" => 3,
        _ => 4,
    }
}

/// The passport queue of the trust `ods`: its active staff (holding the staff role) whose passport is missing (never
/// issued, revoked or expired), has a problem reported, awaits their confirmation, expires
/// within [`EXPIRY_WARNING_DAYS`] or holds a check lapsing within [`LAPSE_WARNING_DAYS`].
pub async fn queue(state: &AppState, ctx: &RequestContext, ods: &str) -> Result<PassportQueue, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    // No trust named: the first trust the actor is HR at (anyone else is refused below).
    let home = if ods.trim().is_empty() {
        match actor.hr_trusts().first() {
            Some(id) => trust::Entity::find_by_id(*id).one(&state.db).await?,
            None => return Err(AppError::Forbidden),
        }
    } else {
        Some(super::trusts::by_ods(&state.db, ods).await?)
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
        .and_where(role_grant::Column::Role.eq(crate::domain::Role::Staff.code()))
        .to_owned();
    let txn = db::begin_write(&state.db).await?;
    let staff = user::Entity::find()
        .filter(user::Column::HomeTrustId.eq(home.id))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Id.in_subquery(holding_staff_role))
        .order_by_asc(user::Column::Name)
        .all(&txn)
        .await?;
    let mut newest: HashMap<i32, passport::Model> = HashMap::new();
    for p in passport::Entity::find()
        .filter(passport::Column::HolderId.in_subquery(staff_of_trust.clone()))
        .order_by_asc(passport::Column::Id)
        .all(&txn)
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
        .filter(passport_audit::Column::Action.is_in(["confirmed", "problem_reported"]))
        .filter(passport_audit::Column::PassportId.in_subquery(current_of_trust.clone()))
        .order_by_asc(passport_audit::Column::Id)
        .all(&txn)
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
        .all(&txn)
        .await?
    {
        if let Some(on) = c.lapses_on {
            lapsing.entry(c.passport_id).or_default().push((c.check, on));
        }
    }
    let mut entries = Vec::new();
    for person in &staff {
        let mut reasons = Vec::new();
        let reason = |kind: &str, detail: String| QueueReason { kind: kind.to_owned(), detail };
        match newest.get(&person.id) {
            None => reasons.push(reason("missing", "No passport issued yet".into())),
            Some(p) if p.revoked_at.is_some() => reasons.push(reason(
                "missing",
                format!(
                    "Revoked on {}: {}",
                    date(p.revoked_at.unwrap_or(now).date_naive()),
                    p.revoke_reason.clone().unwrap_or_default()
                ),
            )),
            Some(p) if p.expires_at <= now => {
                reasons.push(reason("missing", format!("Expired on {}", date(p.expires_at.date_naive()))))
            }
            Some(p) => {
                let mut shown: Vec<String> = Vec::new();
                match reviews.get(&p.id) {
                    Some(r) if r.action == "problem_reported" => {
                        reasons.push(reason("problem_reported", r.reason.clone().unwrap_or_default()));
                    }
                    Some(_) => {}
                    None => reasons.push(reason(
                        "awaiting_confirmation",
                        format!(
                            "Issued on {}; they have not yet confirmed it is right",
                            date(p.issued_at.date_naive())
                        ),
                    )),
                }
                if p.expires_at <= now + Duration::days(EXPIRY_WARNING_DAYS) {
                    reasons.push(reason("expiring_soon", format!("Expires on {}", date(p.expires_at.date_naive()))));
                }
                for (check, on) in lapsing.get(&p.id).into_iter().flatten() {
                    let verb = if *on <= today { "lapsed" } else { "lapses" };
                    reasons.push(reason("item_lapsing", format!("{} {verb} on {}", check.label(), date(*on))));
                    shown.extend(lapsing_items(*check).iter().map(|s| (*s).to_owned()));
                }
                // Showing lapse dates or a problem report is showing passport data.
                if !shown.is_empty() || reasons.iter().any(|r| r.kind == "problem_reported") {
                    log(
                        &txn,
                        Some(actor),
                        Entry {
                            holder_id: person.id,
                            passport_id: Some(p.id),
                            role: "hr_officer",
                            trust_id: Some(home.id),
                            action: "viewed",
                            items: &shown,
                            reason: Some("listed in HR's passport queue"),
                        },
                    )
                    .await?;
                }
            }
        }
        if !reasons.is_empty() {
            reasons.sort_by_key(|r| urgency(&r.kind));
            entries.push(QueueEntry {
                holder_id: person.id,
                name: person.name.clone(),
                email: person.email.clone(),
                reasons,
            });
        }
    }
    txn.commit().await?;
    entries.sort_by(|a, b| {
        let rank = |e: &QueueEntry| e.reasons.first().map_or(9, |r| urgency(&r.kind));
        rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name))
    });
    Ok(PassportQueue { trust: home.ods_code, trust_name: home.name, up_to_date: staff.len() - entries.len(), entries })
}

/// Whether the signed-in person may upload `holder_id`'s passport photo (asked before the
/// upload is read).
pub async fn may_record_photo(state: &AppState, ctx: &RequestContext, holder_id: i32) -> Result<(), AppError> {
    let holder = user::Entity::find_by_id(holder_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        ctx.actor(),
        &Action::ViewPassportRecord { trust: holder.home_trust_id },
        &Action::RecordPassportPhoto { holder: holder.id, trust: holder.home_trust_id },
    )?;
    Ok(())
}

/// Stores `upload` as `holder_id`'s passport photo, once it has proved to be a real JPEG or PNG
/// under 500 KB; the cleaned image (no metadata) is what is kept, and the next passport issued
/// binds its digest. Only an HR passport officer of their home trust may.
pub async fn record_photo(
    state: &AppState,
    ctx: &RequestContext,
    holder_id: i32,
    upload: Vec<u8>,
) -> Result<String, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let holder = user::Entity::find_by_id(holder_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        Some(actor),
        &Action::ViewPassportRecord { trust: holder.home_trust_id },
        &Action::RecordPassportPhoto { holder: holder.id, trust: holder.home_trust_id },
    )?;
    let trust_id = holder.home_trust_id.ok_or(AppError::NotFound)?;
    // Decoding is CPU and memory work: off the async workers, a few at a time.
    let cleaned = photo::clean_queued(upload).await.map_err(|e| db::internal("cleaning a photo", e))?;
    let clean = cleaned.map_err(|message| {
        let mut errors = FormErrors::default();
        errors.add("photo", message);
        AppError::Validation(errors)
    })?;
    let txn = db::begin_write(&state.db).await?;
    // The same image as the newest is kept as it is; an older copy of it becomes the newest.
    let row = match passport_photo::Entity::find()
        .filter(passport_photo::Column::HolderId.eq(holder.id))
        .order_by_desc(passport_photo::Column::Id)
        .one(&txn)
        .await?
    {
        Some(newest) if newest.digest == clean.digest => newest,
        _ => {
            passport_photo::Entity::delete_many()
                .filter(passport_photo::Column::HolderId.eq(holder.id))
                .filter(passport_photo::Column::Digest.eq(clean.digest.as_str()))
                .exec(&txn)
                .await?;
            passport_photo::ActiveModel {
                holder_id: Set(holder.id),
                digest: Set(clean.digest.clone()),
                content_type: Set(clean.content_type.to_owned()),
                image: Set(clean.bytes),
                width: Set(i32::try_from(clean.width).unwrap_or(i32::MAX)),
                height: Set(i32::try_from(clean.height).unwrap_or(i32::MAX)),
                uploaded_at: Set(Utc::now()),
                uploaded_by: Set(Some(actor.user_id)),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    log(
        &txn,
        Some(actor),
        Entry {
            holder_id: holder.id,
            passport_id: None,
            role: "hr_officer",
            trust_id: Some(trust_id),
            action: "photo_recorded",
            items: &["photo_digest".to_owned()],
            reason: None,
        },
    )
    .await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "passport_photo_recorded",
            subject: format!("user {} ({})", holder.id, holder.email),
            trust_id: Some(trust_id),
            detail: json!({ "digest": row.digest, "width": row.width, "height": row.height, "bytes": row.image.len() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok("Photo saved. Issue the passport again to bind it into the credential".to_owned())
}

/// The photo whose digest is `digest_b64` (the base64url part of `sha-256:…`), and its content
/// type. Whoever holds a passport disclosing the digest may see it, signed in or not; every
/// fetch is written to the holder's passport history.
pub async fn photo(state: &AppState, ctx: &RequestContext, digest_b64: &str) -> Result<(String, Vec<u8>), AppError> {
    let actor = authorize_public(ctx.actor(), &Action::ViewPassportPhoto)?;
    let well_formed =
        digest_b64.len() == 43 && digest_b64.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(AppError::NotFound);
    }
    let txn = db::begin_write(&state.db).await?;
    let row = passport_photo::Entity::find()
        .filter(passport_photo::Column::Digest.eq(format!("sha-256:{digest_b64}")))
        .order_by_desc(passport_photo::Column::Id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    // Served only while a valid passport binds it: a photo replaced, or whose passport was
    // revoked or has expired, is no longer a verifier's to fetch. The holder and their trust's
    // HR see the holder's photos regardless (HR checks a new one before it is issued).
    let holder = user::Entity::find_by_id(row.holder_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let own_side = actor.is_some_and(|a| {
        a.user_id == holder.id || permits(a, &Action::ViewPassportRecord { trust: holder.home_trust_id })
    });
    let bound = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(row.holder_id))
        .filter(passport::Column::PhotoDigest.eq(row.digest.as_str()))
        .filter(passport::Column::RevokedAt.is_null())
        .filter(passport::Column::ExpiresAt.gt(Utc::now()))
        .one(&txn)
        .await?;
    if bound.is_none() && !own_side {
        return Err(AppError::NotFound);
    }
    let role = match actor {
        Some(a) if a.user_id == holder.id => "holder",
        Some(a) if holder.home_trust_id.is_some() && a.holds(crate::domain::Role::HrOfficer, holder.home_trust_id) => {
            "hr_officer"
        }
        _ => "verifier",
    };
    log_from(
        &txn,
        actor,
        &ctx.ip,
        Entry {
            holder_id: holder.id,
            passport_id: None,
            role,
            trust_id: actor.and_then(|a| a.home_trust_id),
            action: "viewed",
            items: &["photo_digest".to_owned()],
            reason: Some("photo fetched by its digest"),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((row.content_type, row.image))
}
