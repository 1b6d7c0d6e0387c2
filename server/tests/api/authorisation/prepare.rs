//! What a row needs in place before it is tried: the placement in the right state, a passport,
//! a photo, someone invited, an extra role grant to remove.

use super::table::{Act, Who, Whose};
use crate::helpers::{PM, TestApp};
use crate::placements_schema::placement_at;
use app::server::entities::{role_grant, trust, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// What a row needs in place before it is tried: the placement it acts on, in the right state.
pub(super) async fn prepare(app: &TestApp, act: Act, (who, whose): (Who, Whose), target: &str) -> String {
    let state = match act {
        Act::PublishPlacement | Act::ViewDraftPlacement => "draft",
        Act::EditPlacement
        | Act::ClosePlacement
        | Act::CancelPlacement
        | Act::CopyPlacement
        | Act::ViewOpenPlacement
        | Act::PlacementEditForm => "open",
        Act::ReopenPlacement => "closed",
        Act::ListTrustPlacements => "open",
        // A current passport of the row's target, issued by their trust's HR (a project
        // manager, with no home trust, holds none: the row names a passport that does not exist).
        // Retiring the trust's key then has a key to retire and a passport to reissue.
        Act::RetireIssuerKey
        | Act::RevokePassport
        | Act::ConfirmPassport
        | Act::ReportPassportProblem
        | Act::VerifyPassport
        | Act::ViewPassportHistory
        | Act::ViewCurrentPassport => {
            if target == PM {
                return "0".into();
            }
            return crate::passports::passport_for(app, target).await.to_string();
        }
        // The actor's own passport, to download (a project manager, with no home trust, has none).
        Act::DownloadPassport | Act::DownloadPassportJson => {
            return match who.email() {
                Some(me) if me != PM => crate::passports::passport_for(app, me).await.to_string(),
                _ => String::new(),
            };
        }
        // Someone at the row's trust invited but not yet signed up.
        Act::ResendInvitation => return invited_at(app, whose.ods()).await.to_string(),
        // A stored photo of the row's target; the row fetches it by its digest.
        Act::ViewPassportPhoto => {
            use app::server::entities::passport_photo;
            use sea_orm::{ActiveModelTrait, Set};
            let bytes = crate::passport_records::photo(120, 150, image::ImageFormat::Png);
            let digest = app::server::photo::digest_of(&bytes);
            if passport_photo::Entity::find()
                .filter(passport_photo::Column::Digest.eq(digest.as_str()))
                .one(&app.db)
                .await
                .unwrap()
                .is_none()
            {
                passport_photo::ActiveModel {
                    holder_id: Set(app.person_id(target).await),
                    digest: Set(digest.clone()),
                    content_type: Set("image/png".into()),
                    image: Set(bytes),
                    width: Set(120),
                    height: Set(150),
                    uploaded_at: Set(chrono::Utc::now()),
                    uploaded_by: Set(None),
                    ..Default::default()
                }
                .insert(&app.db)
                .await
                .unwrap();
            }
            // A photo is served only while a valid passport binds it: issue one that does.
            use app::server::entities::passport;
            let bound = passport::Entity::find()
                .filter(passport::Column::PhotoDigest.eq(digest.as_str()))
                .filter(passport::Column::RevokedAt.is_null())
                .one(&app.db)
                .await
                .unwrap();
            if bound.is_none() {
                crate::passports::passport_for(app, target).await;
            }
            return digest.trim_start_matches("sha-256:").to_owned();
        }
        _ => return String::new(),
    };
    placement_at(app, whose.ods(), state).await.id.to_string()
}

/// A person at `ods` invited but without a password yet (the demo has one at R0A; others are
/// added straight to the database). Returns their id.
pub(super) async fn invited_at(app: &TestApp, ods: &str) -> i32 {
    use sea_orm::{ActiveModelTrait, Set};
    let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
    let email = format!("invited@{}.nhs.example", ods.to_lowercase());
    if let Some(u) = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&app.db).await.unwrap() {
        return u.id;
    }
    let now = chrono::Utc::now();
    let u = user::ActiveModel {
        email: Set(email),
        name: Set(format!("Invited at {ods}")),
        home_trust_id: Set(Some(t.id)),
        password_hash: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    role_grant::ActiveModel {
        user_id: Set(u.id),
        role: Set(app::domain::Role::from_code("placement_lead").unwrap()),
        trust_id: Set(Some(t.id)),
        created_at: Set(now),
        created_by: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    u.id
}

/// Gives `user` a line-manager grant at `trust` directly in the database; returns its id.
pub(super) async fn app_extra_grant(app: &TestApp, user_id: i32, trust_id: i32) -> i32 {
    use sea_orm::{ActiveModelTrait, Set};
    if let Some(g) = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user_id))
        .filter(role_grant::Column::Role.eq("line_manager"))
        .one(&app.db)
        .await
        .unwrap()
    {
        return g.id;
    }
    role_grant::ActiveModel {
        user_id: Set(user_id),
        role: Set(app::domain::Role::from_code("line_manager").unwrap()),
        trust_id: Set(Some(trust_id)),
        created_at: Set(chrono::Utc::now()),
        created_by: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id
}
