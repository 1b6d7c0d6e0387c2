//! A person's passport photo: HR's upload, cleaned and stored, and the fetch by its digest
//! that a verifier makes.

use crate::domain::AuditAction;
use crate::domain::PassportActorRole;
use crate::domain::{PassportAction, Role};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize_on, authorize_public, permits};
use crate::server::db;
use crate::server::entities::{passport, passport_photo, user};
use crate::server::photo::{self, CleanPhoto};
use crate::server::services::audit;
use crate::server::services::passports::{Entry, log, log_from};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

/// Whether `actor` may upload `holder_id`'s passport photo (asked before the upload is read).
pub async fn may_record_photo(conn: &impl ConnectionTrait, actor: &Actor, holder_id: i32) -> Result<(), AppError> {
    let holder = user::Entity::find_by_id(holder_id).one(conn).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        Some(actor),
        &Action::ViewPassportRecord { trust: holder.home_trust_id },
        &Action::RecordPassportPhoto { holder: holder.id, trust: holder.home_trust_id },
    )?;
    Ok(())
}

/// Proves `upload` a real JPEG or PNG under 500 KB and cleans it (no metadata). Decoding is CPU
/// and memory work: it runs off the async workers, a few at a time, and before any transaction
/// is opened, so no write waits on it.
pub async fn clean_photo(upload: Vec<u8>) -> Result<CleanPhoto, AppError> {
    let cleaned = photo::clean_queued(upload).await.map_err(|e| db::internal("cleaning a photo", e))?;
    cleaned.map_err(|message| {
        let mut errors = FormErrors::default();
        errors.add("photo", message);
        AppError::Validation(errors)
    })
}

/// Stores `clean` (from [`clean_photo`]) as `holder_id`'s passport photo; the next passport
/// issued binds its digest. Only an HR passport officer of their home trust may.
pub async fn record_photo(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    holder_id: i32,
    clean: CleanPhoto,
) -> Result<String, AppError> {
    let holder = user::Entity::find_by_id(holder_id).one(conn).await?.ok_or(AppError::NotFound)?;
    authorize_on(
        Some(actor),
        &Action::ViewPassportRecord { trust: holder.home_trust_id },
        &Action::RecordPassportPhoto { holder: holder.id, trust: holder.home_trust_id },
    )?;
    let trust_id = holder.home_trust_id.ok_or(AppError::NotFound)?;
    // The same image as the newest is kept as it is; an older copy of it becomes the newest.
    let row = match passport_photo::Entity::find()
        .filter(passport_photo::Column::HolderId.eq(holder.id))
        .order_by_desc(passport_photo::Column::Id)
        .one(conn)
        .await?
    {
        Some(newest) if newest.digest == clean.digest => newest,
        _ => {
            passport_photo::Entity::delete_many()
                .filter(passport_photo::Column::HolderId.eq(holder.id))
                .filter(passport_photo::Column::Digest.eq(clean.digest.as_str()))
                .exec(conn)
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
            .insert(conn)
            .await?
        }
    };
    log(
        conn,
        Some(actor),
        Entry {
            holder_id: holder.id,
            passport_id: None,
            role: PassportActorRole::HrOfficer,
            trust_id: Some(trust_id),
            action: PassportAction::PhotoRecorded,
            items: &["photo_digest".to_owned()],
            reason: None,
        },
    )
    .await?;
    audit::record_by(
        conn,
        actor,
        audit::Event {
            action: AuditAction::PassportPhotoRecorded,
            subject: format!("user {} ({})", holder.id, holder.email),
            trust_id: Some(trust_id),
            detail: json!({ "digest": row.digest, "width": row.width, "height": row.height, "bytes": row.image.len() }),
        },
    )
    .await?;
    Ok("Photo saved. Issue the passport again to bind it into the credential".to_owned())
}

/// The photo whose digest is `digest_b64` (the base64url part of `sha-256:…`), and its content
/// type. Whoever holds a passport disclosing the digest may see it, signed in or not; every
/// fetch is written to the holder's passport history, in the caller's transaction.
///
/// Anonymous on purpose: a verifier who was shown a passport fetches its photo without an
/// account, so this takes an `Option<&Actor>` (through `authorize_public`) and the request's
/// address `ip`, which the history records when there is no actor to carry it.
pub async fn photo(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    ip: &str,
    digest_b64: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let actor = authorize_public(actor, &Action::ViewPassportPhoto)?;
    let well_formed =
        digest_b64.len() == 43 && digest_b64.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(AppError::NotFound);
    }
    let row = passport_photo::Entity::find()
        .filter(passport_photo::Column::Digest.eq(format!("sha-256:{digest_b64}")))
        .order_by_desc(passport_photo::Column::Id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    // Served only while a valid passport binds it: a photo replaced, or whose passport was
    // revoked or has expired, is no longer a verifier's to fetch. The holder and their trust's
    // HR see the holder's photos regardless (HR checks a new one before it is issued).
    let holder = user::Entity::find_by_id(row.holder_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let own_side = actor.is_some_and(|a| {
        a.user_id == holder.id || permits(a, &Action::ViewPassportRecord { trust: holder.home_trust_id })
    });
    let bound = passport::Entity::find()
        .filter(passport::Column::HolderId.eq(row.holder_id))
        .filter(passport::Column::PhotoDigest.eq(row.digest.as_str()))
        .filter(passport::Column::RevokedAt.is_null())
        .filter(passport::Column::ExpiresAt.gt(Utc::now()))
        .one(conn)
        .await?;
    if bound.is_none() && !own_side {
        return Err(AppError::NotFound);
    }
    let role = match actor {
        Some(a) if a.user_id == holder.id => PassportActorRole::Holder,
        Some(a) if holder.home_trust_id.is_some() && a.holds(Role::HrOfficer, holder.home_trust_id) => {
            PassportActorRole::HrOfficer
        }
        _ => PassportActorRole::Verifier,
    };
    log_from(
        conn,
        actor,
        ip,
        Entry {
            holder_id: holder.id,
            passport_id: None,
            role,
            trust_id: actor.and_then(|a| a.home_trust_id),
            action: PassportAction::Viewed,
            items: &["photo_digest".to_owned()],
            reason: Some("photo fetched by its digest"),
        },
    )
    .await?;
    Ok((row.content_type, row.image))
}
