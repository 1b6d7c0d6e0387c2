//! Passports: issued by the holder's home trust's HR as SD-JWT VCs (every item its own
//! selectively disclosable claim, a holder key in `cnf`, a random index in the trust's status
//! list), reissued (the old one is revoked as superseded) and revoked by flipping that bit.
//!
//! Every issue, revocation and read of passport data is written to the append-only passport
//! audit log (who, in which role, for which trust, which items, why), in the same transaction
//! as the change, along with an `audit_events` row for the alliance's log.

use super::{audit, issuer, mail_templates};
use crate::domain::{ParsedPassport, PassportForm, ProblemReport, item_display, item_label, item_rank};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize, authorize_on};
use crate::server::entities::{
    holder_key, passport, passport_audit, passport_check, passport_photo, role_grant, trust, user,
};
use crate::server::keyring::KeyEncryptionKey;
use crate::server::{AppState, RequestContext, db, outbox};
use crate::views::passports::{HolderPassport, PassportEvent, PassportItemView, PassportSummary};
use chrono::{DateTime, NaiveTime, Utc};
use credential::{HolderKey, PublicJwk};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use std::collections::HashMap;

pub use super::credential_store::PASSPORT_VCT;
use super::credential_store::{NewPassport, claims_of, opened, sign_and_store};

/// The longest reason a revocation may carry.
const MAX_REASON_CHARS: usize = 500;

fn crypto(context: &str, err: impl std::fmt::Display) -> AppError {
    db::internal(context, err)
}

pub(crate) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub(crate) fn item_names(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// One row of the passport audit log.
pub(crate) struct Entry<'a> {
    pub holder_id: i32,
    pub passport_id: Option<i32>,
    /// The role acted in: `hr_officer`, `holder`, `verifier`, …
    pub role: &'a str,
    pub trust_id: Option<i32>,
    pub action: &'a str,
    pub items: &'a [String],
    pub reason: Option<&'a str>,
}

/// Writes `entry` to the passport audit log, as `actor`, from the address their request came
/// from.
pub(crate) async fn log(conn: &impl ConnectionTrait, actor: Option<&Actor>, entry: Entry<'_>) -> Result<(), AppError> {
    log_from(conn, actor, actor.map_or("unknown", |a| a.ip.as_str()), entry).await
}

/// Writes `entry` to the passport audit log, as `actor` from `ip`; an actor of `None` is someone
/// who has not signed in (anyone may verify a passport or fetch its photo), recorded without an
/// id or email but with the address, so anonymous reads are traceable too.
pub(crate) async fn log_from(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    ip: &str,
    entry: Entry<'_>,
) -> Result<(), AppError> {
    passport_audit::ActiveModel {
        ip: Set(Some(ip.chars().take(45).collect())),
        at: Set(Utc::now()),
        holder_id: Set(entry.holder_id),
        passport_id: Set(entry.passport_id),
        actor_id: Set(actor.map(|a| a.user_id)),
        actor_email: Set(actor.map(|a| a.email.clone())),
        actor_role: Set(entry.role.to_owned()),
        actor_trust_id: Set(entry.trust_id),
        action: Set(entry.action.to_owned()),
        items: Set(serde_json::to_string(entry.items).map_err(|e| crypto("encoding item names", e))?),
        reason: Set(entry.reason.map(|r| r.chars().take(MAX_REASON_CHARS).collect())),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The key the service holds for `user_id`, made (and sealed) on first use. Returns its public
/// half, the only part issuing needs.
pub(crate) async fn holder_public_key(
    conn: &impl ConnectionTrait,
    kek: &KeyEncryptionKey,
    user_id: i32,
) -> Result<PublicJwk, AppError> {
    if let Some(row) = holder_key::Entity::find().filter(holder_key::Column::UserId.eq(user_id)).one(conn).await? {
        return serde_json::from_str(&row.public_jwk).map_err(|e| crypto("decoding a holder JWK", e));
    }
    let key = HolderKey::generate().map_err(|e| crypto("generating a holder key", e))?;
    let sealed = kek
        .seal(key.to_pkcs8_der(), &holder_sealed_as(user_id, key.kid()))
        .map_err(|e| crypto("sealing a holder key", e))?;
    holder_key::ActiveModel {
        user_id: Set(user_id),
        kid: Set(key.kid().to_owned()),
        public_jwk: Set(serde_json::to_string(key.public_jwk()).map_err(|e| crypto("encoding a JWK", e))?),
        private_key_enc: Set(sealed),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(key.public_jwk().clone())
}

/// The associated data a sealed holder key is bound to.
pub fn holder_sealed_as(user_id: i32, kid: &str) -> String {
    format!("holder-key:{user_id}:{kid}")
}

pub(crate) fn summary(p: &passport::Model, public_url: &str, ods: &str) -> PassportSummary {
    let status = if p.revoked_at.is_some() {
        "revoked"
    } else if p.expires_at <= Utc::now() {
        "expired"
    } else {
        "valid"
    };
    PassportSummary {
        id: p.id,
        holder_id: p.holder_id,
        issuer: issuer::issuer_id(public_url, ods),
        trust: ods.to_owned(),
        issued_at: when(p.issued_at),
        expires_at: when(p.expires_at),
        status: status.to_owned(),
        revoke_reason: p.revoke_reason.clone(),
        items: item_names(&p.items),
    }
}

/// Marks `p` revoked with `reason` and sets its status bit.
pub(crate) async fn revoke_row(conn: &impl ConnectionTrait, p: passport::Model, reason: &str) -> Result<(), AppError> {
    issuer::set_revoked(conn, p.status_list_id, p.status_index).await?;
    let mut row: passport::ActiveModel = p.into();
    row.revoked_at = Set(Some(Utc::now()));
    row.revoke_reason = Set(Some(reason.to_owned()));
    row.update(conn).await?;
    Ok(())
}

/// Records the checks on HR's form and issues `holder_id` a passport holding what they found,
/// signed with their home trust's current key and binding their newest photo. Only an HR
/// passport officer of that trust may. A current passport is replaced: it is revoked as
/// superseded, so only the newest one verifies. A form with any bad field changes nothing.
pub async fn issue(
    state: &AppState,
    ctx: &RequestContext,
    holder_id: i32,
    form: &PassportForm,
) -> Result<PassportSummary, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let txn = db::begin_write(&state.db).await?;
    let holder = user::Entity::find_by_id(holder_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        Some(actor),
        &Action::ViewPassportRecord { trust: holder.home_trust_id },
        &Action::IssuePassport { holder: holder.id, trust: holder.home_trust_id },
    )?;
    let trust_id = holder.home_trust_id.ok_or(AppError::NotFound)?;
    // Someone who has left (or is suspended) gets no new credential; reactivate them first.
    if !holder.active {
        return Err(AppError::Conflict("This person is deactivated: reactivate them before issuing a passport".into()));
    }
    let trust = issuer::lock_trust(&txn, trust_id).await?;
    let now = Utc::now();
    let ParsedPassport { mut items, checks } = form.parse(now.date_naive()).map_err(AppError::Validation)?;
    items.employing_trust = trust.ods_code.clone();
    items.photo_digest = passport_photo::Entity::find()
        .filter(passport_photo::Column::HolderId.eq(holder.id))
        .order_by_desc(passport_photo::Column::Id)
        .one(&txn)
        .await?
        .map(|p| p.digest);
    let expires_at = items.expiry(now.date_naive()).and_time(NaiveTime::MIN).and_utc();
    if expires_at <= now {
        // The form refuses lapsed dates, so only a clock passing midnight mid-request gets here.
        let mut errors = FormErrors::with_values(form.values().iter().map(|(k, v)| (k.as_str(), v.as_str())));
        errors.add("items[registration_expiry]", "The passport would expire today: check the expiry dates");
        return Err(AppError::Validation(errors));
    }
    let kek = state.kek()?;

    let previous = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(holder.id))
        .filter(passport::Column::RevokedAt.is_null())
        .lock_exclusive()
        .one(&txn)
        .await?;
    let reissue = previous.is_some();
    if let Some(previous) = previous {
        revoke_row(&txn, previous, "superseded by a reissue").await?;
    }
    let names = items.names();
    let row = sign_and_store(
        &txn,
        kek,
        &state.public_url,
        NewPassport {
            holder_id: holder.id,
            trust: &trust,
            claims: &items.to_claims(),
            names: &names,
            expires_at,
            photo_digest: items.photo_digest.clone(),
            issued_by: Some(actor.user_id),
        },
    )
    .await?;
    for check in &checks {
        passport_check::ActiveModel {
            passport_id: Set(row.id),
            check: Set(check.check),
            checked_on: Set(check.checked_on),
            recorded_by: Set(Some(actor.user_id)),
            recorded_by_email: Set(actor.email.clone()),
            lapses_on: Set(check.lapses_on),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let action = if reissue { "reissued" } else { "issued" };
    log(
        &txn,
        Some(actor),
        Entry {
            holder_id: holder.id,
            passport_id: Some(row.id),
            role: "hr_officer",
            trust_id: Some(trust.id),
            action,
            items: &names,
            reason: None,
        },
    )
    .await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: if reissue { "passport_reissued" } else { "passport_issued" },
            subject: format!("user {} ({})", holder.id, holder.email),
            trust_id: Some(trust.id),
            detail: json!({ "passport": row.id, "kid": row.kid, "items": names, "expires_at": expires_at }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(summary(&row, &state.public_url, &trust.ods_code))
}

/// Revokes passport `passport_id`: its status bit is set, so every verifier that fetches the
/// trust's status list sees it revoked. Only an HR passport officer of the issuing trust may.
pub async fn revoke(state: &AppState, ctx: &RequestContext, passport_id: i32, reason: &str) -> Result<(), AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let txn = db::begin_write(&state.db).await?;
    let p = passport::Entity::find_by_id(passport_id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        Some(actor),
        &Action::ViewPassport { holder: p.holder_id, trust: Some(p.trust_id) },
        &Action::RevokePassport { holder: p.holder_id, trust: p.trust_id },
    )?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        let mut errors = FormErrors::with_values([("reason", reason)]);
        errors.add("reason", format!("Enter why the passport is revoked, in {MAX_REASON_CHARS} characters or fewer"));
        return Err(AppError::Validation(errors));
    }
    if p.revoked_at.is_some() {
        return Err(AppError::Conflict("This passport has already been revoked".into()));
    }
    let (holder_id, trust_id, names) = (p.holder_id, p.trust_id, item_names(&p.items));
    revoke_row(&txn, p, reason).await?;
    log(
        &txn,
        Some(actor),
        Entry {
            holder_id,
            passport_id: Some(passport_id),
            role: "hr_officer",
            trust_id: Some(trust_id),
            action: "revoked",
            items: &names,
            reason: Some(reason),
        },
    )
    .await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "passport_revoked",
            subject: format!("passport {passport_id} of user {holder_id}"),
            trust_id: Some(trust_id),
            detail: json!({ "passport": passport_id, "reason": reason }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The holder's home trust, for the access rules (not found if there is no such person).
async fn holder_trust(conn: &impl ConnectionTrait, holder_id: i32) -> Result<Option<i32>, AppError> {
    Ok(user::Entity::find_by_id(holder_id).one(conn).await?.ok_or(AppError::NotFound)?.home_trust_id)
}

/// The newest passport of `holder_id` (valid, expired or revoked), as the holder or their HR
/// sees it: which items it holds, not their values.
pub async fn current(
    state: &AppState,
    actor: Option<&Actor>,
    holder_id: i32,
) -> Result<Option<PassportSummary>, AppError> {
    let trust = holder_trust(&state.db, holder_id).await?;
    let see = Action::ViewPassport { holder: holder_id, trust };
    authorize_on(actor, &see, &see)?;
    let Some(p) = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(holder_id))
        .order_by_desc(passport::Column::Id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let ods = trust::Entity::find_by_id(p.trust_id).one(&state.db).await?.map(|t| t.ods_code).unwrap_or_default();
    Ok(Some(summary(&p, &state.public_url, &ods)))
}

/// The passport history of `holder_id`, newest first, from the passport audit log.
pub async fn history(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    holder_id: i32,
) -> Result<Vec<PassportEvent>, AppError> {
    let trust = holder_trust(conn, holder_id).await?;
    let see = Action::ViewPassport { holder: holder_id, trust };
    authorize_on(actor, &see, &see)?;
    let trusts: HashMap<i32, String> =
        trust::Entity::find().all(conn).await?.into_iter().map(|t| (t.id, t.ods_code)).collect();
    Ok(passport_audit::Entity::find()
        .filter(passport_audit::Column::HolderId.eq(holder_id))
        .order_by_desc(passport_audit::Column::Id)
        .limit(500)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| PassportEvent {
            at: when(e.at),
            action: e.action,
            who: e.actor_email.unwrap_or_else(|| "Someone not signed in".into()),
            role: e.actor_role,
            trust: e.actor_trust_id.and_then(|t| trusts.get(&t).cloned()),
            items: item_names(&e.items),
            reason: e.reason,
        })
        .collect())
}

/// The signed-in holder's current passport, as the file they download (the SD-JWT with every
/// disclosure). The download is written to their passport history.
pub async fn download(state: &AppState, ctx: &RequestContext) -> Result<String, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    authorize(Some(actor), &Action::ViewPassport { holder: actor.user_id, trust: actor.home_trust_id })?;
    let txn = db::begin_write(&state.db).await?;
    let p = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(actor.user_id))
        .filter(passport::Column::RevokedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = item_names(&p.items);
    log(
        &txn,
        Some(actor),
        Entry {
            holder_id: actor.user_id,
            passport_id: Some(p.id),
            role: "holder",
            trust_id: actor.home_trust_id,
            action: "downloaded",
            items: &names,
            reason: Some("downloaded by the holder"),
        },
    )
    .await?;
    let credential = opened(state.kek()?, &p)?;
    txn.commit().await?;
    Ok(credential)
}

/// The items of a credential this service issued, with their values, in reading order: its
/// disclosures decoded (the credential is our own stored copy, so nothing is verified here).
pub(crate) fn items_of(claims: impl IntoIterator<Item = (String, serde_json::Value)>) -> Vec<PassportItemView> {
    let mut items: Vec<PassportItemView> = claims
        .into_iter()
        .map(|(name, value)| PassportItemView { label: item_label(&name), value: item_display(&name, &value), name })
        .collect();
    items.sort_by_key(|i| (item_rank(&i.name), i.name.clone()));
    items
}

/// The signed-in holder's newest passport with every item's value, its history, and whether
/// they have confirmed it. Showing the values is a read of passport data, so it is written to
/// the passport's history (as `viewed`, by the holder) before anything is returned.
pub async fn mine(state: &AppState, ctx: &RequestContext) -> Result<Option<HolderPassport>, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    authorize(Some(actor), &Action::ViewPassportItems { holder: actor.user_id })?;
    let txn = db::begin_write(&state.db).await?;
    let Some(p) = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(actor.user_id))
        .order_by_desc(passport::Column::Id)
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let trust = trust::Entity::find_by_id(p.trust_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let items = items_of(claims_of(state.kek()?, &p)?);
    let names: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
    log(
        &txn,
        Some(actor),
        Entry {
            holder_id: actor.user_id,
            passport_id: Some(p.id),
            role: "holder",
            trust_id: actor.home_trust_id,
            action: "viewed",
            items: &names,
            reason: Some("viewed by the holder on their passport page"),
        },
    )
    .await?;
    let confirmed = passport_audit::Entity::find()
        .filter(passport_audit::Column::PassportId.eq(p.id))
        .filter(passport_audit::Column::Action.eq("confirmed"))
        .one(&txn)
        .await?
        .is_some();
    let history = history(&txn, Some(actor), actor.user_id).await?;
    txn.commit().await?;
    Ok(Some(HolderPassport {
        summary: summary(&p, &state.public_url, &trust.ods_code),
        trust_name: trust.name,
        items,
        history,
        confirmed,
    }))
}

/// The holder confirms that the items of their passport `passport_id` are right. Recorded in
/// its history (`confirmed`), so HR can tell which passports still await confirmation.
pub async fn confirm(state: &AppState, ctx: &RequestContext, passport_id: i32) -> Result<String, AppError> {
    review(state, ctx, passport_id, None).await?;
    Ok("Thank you for confirming your passport is right".to_owned())
}

/// The holder reports what is wrong with their passport `passport_id` (`problem_reported`,
/// with their words as the reason), for their HR to put right.
pub async fn report_problem(
    state: &AppState,
    ctx: &RequestContext,
    passport_id: i32,
    problem: &str,
) -> Result<String, AppError> {
    review(state, ctx, passport_id, Some(problem)).await?;
    Ok("Thank you. Your HR passport officer will see what you reported in your passport's history".to_owned())
}

async fn review(
    state: &AppState,
    ctx: &RequestContext,
    passport_id: i32,
    problem: Option<&str>,
) -> Result<(), AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let txn = db::begin_write(&state.db).await?;
    let p = passport::Entity::find_by_id(passport_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        Some(actor),
        &Action::ViewPassport { holder: p.holder_id, trust: Some(p.trust_id) },
        &Action::ReviewPassport { holder: p.holder_id },
    )?;
    let report = match problem {
        None => None,
        Some(raw) => match ProblemReport::parse(raw) {
            Ok(report) => Some(report),
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
        &txn,
        Some(actor),
        Entry {
            holder_id: p.holder_id,
            passport_id: Some(p.id),
            role: "holder",
            trust_id: actor.home_trust_id,
            action: if report.is_some() { "problem_reported" } else { "confirmed" },
            items: &names,
            reason: report.as_ref().map(ProblemReport::as_str),
        },
    )
    .await?;
    if report.is_some() {
        tell_hr_of_problem(&txn, state, p.holder_id).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Queues an email to each active HR passport officer of the holder's home trust, in the same
/// transaction as the report, so it is sent when the mail server is there.
async fn tell_hr_of_problem(conn: &impl ConnectionTrait, state: &AppState, holder_id: i32) -> Result<(), AppError> {
    let holder = user::Entity::find_by_id(holder_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let Some(trust_id) = holder.home_trust_id else { return Ok(()) };
    let hr_of_trust = sea_orm::sea_query::Query::select()
        .column(role_grant::Column::UserId)
        .from(role_grant::Entity)
        .and_where(role_grant::Column::Role.eq(crate::domain::Role::HrOfficer.code()))
        .and_where(role_grant::Column::TrustId.eq(trust_id))
        .to_owned();
    let officers = user::Entity::find()
        .filter(user::Column::Id.in_subquery(hr_of_trust))
        .filter(user::Column::Active.eq(true))
        .all(conn)
        .await?;
    let link = format!("{}/people/{}/passport", state.public_url, holder.id);
    for officer in officers {
        let mail = mail_templates::passport_problem(&officer.email, &officer.name, &holder.name, &link);
        outbox::enqueue(conn, mail).await?;
    }
    Ok(())
}
