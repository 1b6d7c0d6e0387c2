//! The photo: proved to be a real small JPEG or PNG, stripped of metadata, bound into the
//! credential by its digest and served beside it only while a valid passport binds it.

use super::{discloses, form_with, jpeg_with_exif, photo};
use crate::helpers::{HR_R0A, NURSE_R0A, field_messages, spawn_app};
use app::server::entities::{passport, passport_audit, passport_photo};
use image::ImageFormat;
use reqwest::{StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[tokio::test]
async fn a_photo_is_decoded_stripped_of_metadata_bound_by_its_digest_and_served_beside_the_passport() {
    let app = spawn_app().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let holder = app.person_id(NURSE_R0A).await;
    let upload = jpeg_with_exif();
    let res = app.upload_photo(&hr, holder, &upload, false).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
    let stored = passport_photo::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!((stored.content_type.as_str(), stored.width, stored.height), ("image/jpeg", 320, 400));
    assert!(upload.windows(11).any(|w| w == b"GPSLatitude"));
    assert!(!stored.image.windows(11).any(|w| w == b"GPSLatitude"), "the location is gone");
    assert!(!stored.image.windows(12).any(|w| w == b"CameraSerial"), "the camera is gone");
    assert_eq!(stored.digest, app::server::photo::digest_of(&stored.image));

    // Issued next, the passport discloses the digest.
    let res = app.record_checks(&hr, holder, &form_with("Asha Patel", &[])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let p = passport::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(
        discloses(&crate::helpers::stored_credential(&p), "photo_digest"),
        Some(serde_json::Value::from(stored.digest.clone()))
    );

    // Anyone holding the digest fetches the image it binds, and that read is in the history.
    let url = app::views::passports::photo_url(&stored.digest);
    let res = app.new_browser().get(app.url(&url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "private, no-store");
    let served = res.bytes().await.unwrap();
    assert_eq!(app::server::photo::digest_of(&served), stored.digest, "the verifier can tell it was not swapped");
    let last =
        passport_audit::Entity::find().order_by_desc(passport_audit::Column::Id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((last.action.code(), last.actor_role.code(), last.actor_id), ("viewed", "verifier", None));
    assert!(last.items.contains("photo_digest"));
    // A digest nobody holds, or not a digest at all, finds nothing.
    for bad in ["/passport-photos/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/passport-photos/..%2F..%2Fetc"] {
        assert_eq!(app.new_browser().get(app.url(bad)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{bad}");
    }

    // HR's record shows the photo as the one the passport binds.
    let page = app.visit_as(&hr, &format!("/people/{holder}/passport")).await;
    assert_eq!(page.attr("#photo-current", "src").as_deref(), Some(url.as_str()));
    assert!(page.texts("#photo-status")[0].contains("The current passport binds this photo"));
    // So does the holder's own passport page, beside the digest.
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let page = app.visit_as(&nurse, "/passport").await;
    assert_eq!(page.attr("#passport-items img", "src").as_deref(), Some(url.as_str()));

    // Only while a valid passport binds it: a new photo and a reissue retire the old one, and
    // revoking the passport retires the new one.
    let res = app.upload_photo(&hr, holder, &photo(330, 410, ImageFormat::Png), false).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.new_browser().get(app.url(&url)).send().await.unwrap().status(), StatusCode::OK, "still bound");
    let newest = passport_photo::Entity::find().order_by_desc(passport_photo::Column::Id).one(&app.db).await.unwrap();
    let unissued = app::views::passports::photo_url(&newest.unwrap().digest);
    let get = |client: &reqwest::Client| client.get(app.url(&unissued)).send();
    assert_eq!(get(&app.new_browser()).await.unwrap().status(), StatusCode::NOT_FOUND, "not bound yet: no verifier's");
    assert_eq!(get(&hr).await.unwrap().status(), StatusCode::OK, "but the trust's HR checks it before issuing");
    assert_eq!(app.record_checks(&hr, holder, &form_with("Asha Patel", &[])).await.status(), StatusCode::OK);
    assert_eq!(app.new_browser().get(app.url(&url)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "replaced");
    let current =
        passport::Entity::find().filter(passport::Column::RevokedAt.is_null()).one(&app.db).await.unwrap().unwrap();
    let new_url =
        app::views::passports::photo_url(current.photo_digest.as_deref().expect("the reissue binds the new photo"));
    assert_eq!(app.new_browser().get(app.url(&new_url)).send().await.unwrap().status(), StatusCode::OK);
    let res = app.revoke_passport(&hr, &current.id.to_string(), "Left the trust").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.new_browser().get(app.url(&new_url)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "revoked"
    );
}

#[tokio::test]
async fn what_is_not_a_real_small_jpeg_or_png_is_refused_beside_the_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let holder = app.person_id(NURSE_R0A).await;
    let mut too_big = photo(200, 200, ImageFormat::Png);
    too_big.resize(600_000, 0);
    let mut truncated = photo(300, 300, ImageFormat::Jpeg);
    truncated.truncate(150);
    let cases: [(&[u8], &str); 5] = [
        (b"%PDF-1.7\n1 0 obj", "The photo must be a JPEG or PNG image"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "The photo must be a JPEG or PNG image"),
        (&too_big, "The photo must be smaller than 500 KB"),
        (&truncated, "The photo could not be read: the file may be damaged or not really an image"),
        (b"", "Choose a photo to upload"),
    ];
    for (bytes, message) in cases {
        let res = app.upload_photo(&hr, holder, bytes, false).await;
        assert_eq!(field_messages(res).await, [("photo".to_owned(), message.to_owned())], "{message}");
        assert_eq!(app.passport_rows().await, (0, 0, 0, 0), "{message}: nothing stored");
    }
    // Without JavaScript: back to the record, the message beside the file field.
    let res = app.upload_photo(&hr, holder, b"GIF89a not a photo", true).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let path = format!("/people/{holder}/passport");
    assert_eq!(res.headers()[header::LOCATION], path.as_str());
    let page = app.visit_as(&hr, &path).await;
    assert_eq!(page.texts("#photo-error"), ["Error: The photo must be a JPEG or PNG image"]);
    assert_eq!(app.passport_rows().await.2, 0);
}
