//! The passport, part 1, HR's side: recording each check (what, when, by whom) on a form whose
//! every field is parsed and refused with its own message, saving nothing; the photo proved to
//! be an image, stripped of metadata, bound into the credential by its digest and served beside
//! it; and the trust's queue of passports that need HR.

use crate::helpers::{HR_R0A, LEAD_R0A, MANAGER_R0A, NURSE_R0A, NURSE_RM3, PM, TestApp, field_messages, spawn_app};
use crate::passports::nurse_form;
use app::server::entities::{passport, passport_audit, passport_check, passport_photo};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::{StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::io::Cursor;

/// A made-up photo: a gradient, `w` × `h`, in `format`.
pub(crate) fn photo(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90])));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG carrying EXIF metadata (a location and a camera serial number) in an APP1 segment.
fn jpeg_with_exif() -> Vec<u8> {
    let plain = photo(320, 400, ImageFormat::Jpeg);
    let payload = b"Exif\0\0MM\0*\0\0\0\x08\0\0GPSLatitude 53.47N CameraSerial 0042";
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

/// The items of HR's form as posted, with `field` (without `items[…]`) set to `value`.
fn form_with(name: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    nurse_form(name, NURSE_R0A)
        .values()
        .into_iter()
        .map(|(k, v)| {
            let bare = &k["items[".len()..k.len() - 1];
            let v = changes.iter().find(|(f, _)| *f == bare).map_or(v, |(_, nv)| (*nv).to_owned());
            (k, v)
        })
        .collect()
}

impl TestApp {
    /// Posts HR's checks form for `holder` (JavaScript on).
    async fn record_checks(
        &self,
        client: &reqwest::Client,
        holder: i32,
        fields: &[(String, String)],
    ) -> reqwest::Response {
        let holder = holder.to_string();
        let mut form: Vec<(&str, &str)> = vec![("holder", &holder)];
        form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.call(client, "passports/issue", &form).await
    }

    /// Uploads `bytes` as the photo of `holder`, as the page's multipart form does; `html`
    /// says whether as a browser (JavaScript or not, the form is a plain post) or a program.
    pub(crate) async fn upload_photo(
        &self,
        client: &reqwest::Client,
        holder: i32,
        bytes: &[u8],
        html: bool,
    ) -> reqwest::Response {
        let boundary = "----pp-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"me.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        client
            .post(self.url(&format!("/people/{holder}/passport/photo")))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::ACCEPT, if html { "text/html" } else { "application/json" })
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// Rows of everything HR's passport forms could change.
    async fn passport_rows(&self) -> (u64, u64, u64, u64) {
        (
            passport::Entity::find().count(&self.db).await.unwrap(),
            passport_check::Entity::find().count(&self.db).await.unwrap(),
            passport_photo::Entity::find().count(&self.db).await.unwrap(),
            passport_audit::Entity::find().count(&self.db).await.unwrap(),
        )
    }
}

#[tokio::test]
async fn every_bad_field_on_hrs_form_gets_its_own_message_and_saves_nothing() {
    let app = spawn_app().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let holder = app.person_id(NURSE_R0A).await;
    // (the fields changed, the field whose message shows, the message)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            &[("ni_number", "QQ123456C")],
            "ni_number",
            "QQ is not a National Insurance number prefix HMRC allocates: check the number",
        ),
        (
            &[("ni_number", "JK12345C")],
            "ni_number",
            "Enter a National Insurance number in the right format, like QQ 12 34 56 C",
        ),
        (&[("ni_number", "")], "ni_number", "Enter the National Insurance number"),
        (&[("registration_number", "1234567")], "registration_number", "Enter an NMC PIN like 12A3456E"),
        (&[("registration_body", "GMC")], "registration_number", "Enter a GMC number of 7 digits, like 1234567"),
        (
            &[("registration_body", "HCPC"), ("registration_number", "RA12")],
            "registration_number",
            "Enter an HCPC number like RA123456",
        ),
        (
            &[("registration_body", "GDC"), ("registration_number", "1234567")],
            "registration_number",
            "Enter a GDC number of up to 6 digits, like 123456",
        ),
        (&[("registration_body", "RCN")], "registration_body", "Select GMC, NMC, HCPC or GDC"),
        (
            &[("registration_expiry", "01/01/2020")],
            "registration_expiry",
            "The professional registration has lapsed: renew it before issuing",
        ),
        (&[("registration_checked_on", "")], "registration_checked_on", "Enter the date the registration was checked"),
        (&[("dbs_check_date", "01/01/2099")], "dbs_check_date", "The DBS check date must be today or in the past"),
        (&[("dbs_level", "platinum")], "dbs_level", "Select a DBS check level from the list"),
        (&[("dbs_level", "")], "dbs_level", "Select the DBS check level, or clear the DBS check date"),
        (&[("birthdate", "31/02/1990")], "birthdate", "Enter the date of birth as a real date, like 17/04/2026"),
        (&[("birthdate", "01/01/2020")], "birthdate", "Enter a date of birth for someone aged 16 to 100"),
        (
            &[("identity_checked_on", "tomorrow")],
            "identity_checked_on",
            "Enter the date identity was checked as a real date, like 17/04/2026",
        ),
        (&[("right_to_work", "")], "right_to_work", "Select the result of the right-to-work check"),
        (&[("right_to_work", "time_limited")], "right_to_work_expiry", "Enter the date the right to work ends"),
        (
            &[("right_to_work_expiry", "01/01/2030")],
            "right_to_work_expiry",
            "Leave the end date empty for a right to work with no time limit",
        ),
        (
            &[("occupational_health_clearance", "maybe")],
            "occupational_health_clearance",
            "Select a clearance from the list",
        ),
        (
            &[("occupational_health_checked_on", "")],
            "occupational_health_checked_on",
            "Enter the date occupational health cleared them",
        ),
        (&[("staff_group", "wizards")], "staff_group", "Select a staff group from the list"),
        (&[("pay_band", "10")], "pay_band", "Enter an Agenda for Change band from 2 to 9, like 6 or 8a"),
        (
            &[("smartcard_number", "12ab")],
            "smartcard_number",
            "Enter the smartcard number as its 12 digits, or leave it empty",
        ),
        (&[("fixed_term_end", "01/01/2021")], "fixed_term_end", "This fixed-term contract has ended"),
        (&[("job_role", "")], "job_role", "Enter the job role"),
        (&[("name", " ")], "name", "Enter the person's full name"),
    ];
    let before = app.passport_rows().await;
    for (changes, field, message) in cases {
        let res = app.record_checks(&hr, holder, &form_with("Asha Patel", changes)).await;
        let messages = field_messages(res).await;
        assert_eq!(messages, [(format!("items[{field}]"), (*message).to_owned())], "{changes:?}");
        assert_eq!(app.passport_rows().await, before, "{changes:?} saved nothing");
    }
    let email = app.record_checks(&hr, holder, &form_with("Asha Patel", &[("work_email", "not an email")])).await;
    assert_eq!(field_messages(email).await[0].0, "items[work_email]");

    // Without JavaScript: back to the page, the message beside its field, what was typed kept.
    let path = format!("/people/{holder}/passport");
    let fields = form_with("Asha Patel", &[("ni_number", "QQ123456C")]);
    let mut form: Vec<(&str, &str)> = vec![("holder", "0")];
    let holder_s = holder.to_string();
    form[0].1 = &holder_s;
    form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let res = app.post_form(&hr, "passports/issue", &path, &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], path.as_str());
    // What was typed is personal data: the flash keeping it for the next page is sealed.
    let flashes = app::server::entities::form_flash::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(flashes.len(), 1);
    let stored = hex::decode(&flashes[0].payload).expect("hex of the sealed bytes");
    for typed in [&b"QQ123456C"[..], b"Asha Patel", b"Acute oncology"] {
        assert!(!stored.windows(typed.len()).any(|w| w == typed), "nothing in clear");
    }
    let page = app.visit_as(&hr, &path).await;
    assert_eq!(
        page.texts("[id='items[ni_number]-error']"),
        ["Error: QQ is not a National Insurance number prefix HMRC allocates: check the number"]
    );
    assert_eq!(page.attr("[id='items[ni_number]']", "value").as_deref(), Some("QQ123456C"));
    assert_eq!(
        page.attr("[id='items[job_role]']", "value").as_deref(),
        Some("Acute oncology staff nurse"),
        "other fields kept too"
    );
    assert_eq!(app.passport_rows().await.0, 0, "nothing issued");
}

#[tokio::test]
async fn hr_records_each_check_with_who_and_when_and_a_reissue_starts_from_what_was_recorded() {
    let app = spawn_app().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let holder = app.person_id(NURSE_R0A).await;
    let path = format!("/people/{holder}/passport");

    // Before any passport, the form starts from the person's record.
    let page = app.visit_as(&hr, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("#record-no-passport"));
    assert_eq!(page.attr("[id='items[work_email]']", "value").as_deref(), Some(NURSE_R0A));
    assert!(page.attr("[id='items[name]']", "value").is_some_and(|n| !n.is_empty()));
    assert_eq!(app.passport_rows().await.3, 0, "opening the record of no passport reads no passport data");

    let res = app.record_checks(&hr, holder, &form_with("Asha Patel", &[])).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
    let first = passport::Entity::find().one(&app.db).await.unwrap().unwrap();
    let checks = passport_check::Entity::find()
        .filter(passport_check::Column::PassportId.eq(first.id))
        .all(&app.db)
        .await
        .unwrap();
    let mut kinds: Vec<&str> = checks.iter().map(|c| c.check.code()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        ["dbs", "employment", "identity", "ni_number", "occupational_health", "registration", "right_to_work"]
    );
    assert!(checks.iter().all(|c| c.recorded_by_email == HR_R0A));
    let dbs = checks.iter().find(|c| c.check.code() == "dbs").unwrap();
    assert_eq!(dbs.checked_on.to_string(), "2025-10-01");
    assert_eq!(dbs.lapses_on.map(|d| d.to_string()).as_deref(), Some("2028-10-01"), "rechecked after three years");

    let page = app.visit_as(&hr, &path).await;
    assert_eq!(page.texts("#record-status"), ["Valid"]);
    assert_eq!(page.texts("#record-review"), ["Waiting for them to confirm it is right"]);
    let rows = page.texts("#record-checks-table tbody tr");
    assert_eq!(rows.len(), 7, "{rows:?}");
    assert!(
        rows.iter().any(|r| r.starts_with("DBS check 1 October 2025 hr@r0a.nhs.example 1 October 2028")),
        "{rows:?}"
    );
    // The reissue form starts from the passport's values, dates as a person writes them.
    assert_eq!(page.attr("[id='items[ni_number]']", "value").as_deref(), Some("JK123456C"));
    assert_eq!(page.attr("[id='items[dbs_check_date]']", "value").as_deref(), Some("01/10/2025"));
    assert_eq!(page.attr("[id='items[birthdate]']", "value").as_deref(), Some("17/04/1991"));
    // Reading the values to fill the form is in the holder's history.
    let viewed = passport_audit::Entity::find()
        .filter(passport_audit::Column::Action.eq("viewed"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("HR's read is logged");
    assert_eq!((viewed.actor_role.as_str(), viewed.actor_email.as_deref()), ("hr_officer", Some(HR_R0A)));
    assert!(viewed.items.contains("ni_number"));

    // The holder reports a problem; HR sees it, reissues, and the old passport is superseded.
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let id = first.id.to_string();
    let res =
        app.call(&nurse, "passports/report-problem", &[("passport", &id), ("problem", "My pay band is 7 now")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = app.visit_as(&hr, &path).await;
    assert_eq!(page.texts("#record-review"), ["They reported a problem: My pay band is 7 now"]);
    // HR is told by email, over real SMTP, where to read it; the holder's words stay in the service.
    let mail = app.smtp.wait_for(1, std::time::Duration::from_secs(10)).await;
    let told: Vec<_> = mail.iter().filter(|m| m.to.contains(HR_R0A)).collect();
    assert_eq!(told.len(), 1, "{mail:?}");
    assert_eq!(told[0].subject, "Asha Patel reported a problem with their passport");
    assert!(told[0].body.contains(&app.url(&path)), "{}", told[0].body);
    assert!(!told[0].body.contains("pay band"), "the report itself is not emailed");
    let res = app.record_checks(&hr, holder, &form_with("Asha Patel", &[("pay_band", "7")])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let all = passport::Entity::find().order_by_asc(passport::Column::Id).all(&app.db).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].revoke_reason.as_deref(), Some("superseded by a reissue"));
    assert_eq!(
        discloses(&crate::helpers::stored_credential(&all[1]), "pay_band"),
        Some(serde_json::Value::from("Band 7")),
        "the new passport holds the new band"
    );
    let page = app.visit_as(&hr, &path).await;
    assert_eq!(
        page.texts("#record-review"),
        ["Waiting for them to confirm it is right"],
        "a new passport awaits a new review"
    );
}

/// The value a credential discloses for `name`, its disclosures decoded.
fn discloses(credential: &str, name: &str) -> Option<serde_json::Value> {
    credential
        .split('~')
        .skip(1)
        .filter_map(credential::Disclosure::parse)
        .find(|d| d.name() == name)
        .map(|d| d.value().clone())
}

/// HR of another trust, the holder, a lead and a project manager cannot open the record,
/// upload a photo or see the queue, and nothing is read or changed.
#[tokio::test]
async fn nobody_but_the_home_trusts_hr_opens_a_passport_record_uploads_a_photo_or_sees_the_queue() {
    let app = spawn_app().await;
    let holder = app.person_id(NURSE_R0A).await;
    let before = app.passport_rows().await;
    for who in ["hr@rm3.nhs.example", NURSE_R0A, LEAD_R0A, MANAGER_R0A, PM] {
        let client = app.browser_signed_in_as(who).await;
        // A record they may not see answers as one that does not exist, so ids cannot be probed.
        let res = app.call(&client, "passports/record", &[("holder", &holder.to_string())]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who} record");
        let res = app.upload_photo(&client, holder, &photo(200, 200, ImageFormat::Png), false).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who} photo");
        let res = app.call(&client, "passports/queue", &[("trust", "R0A")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who} queue");
        assert_eq!(app.passport_rows().await, before, "{who} changed and read nothing");
    }
    let anonymous = app.new_browser();
    assert_eq!(
        app.call(&anonymous, "passports/record", &[("holder", &holder.to_string())]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.upload_photo(&anonymous, holder, &photo(200, 200, ImageFormat::Png), false).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.call(&anonymous, "passports/queue", &[("trust", "R0A")]).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.passport_rows().await, before);
    // HR of RM3 keeps RM3's record and queue.
    let rm3 = app.browser_signed_in_as("hr@rm3.nhs.example").await;
    let other = app.person_id(NURSE_RM3).await.to_string();
    assert_eq!(app.call(&rm3, "passports/record", &[("holder", &other)]).await.status(), StatusCode::OK);
    assert_eq!(app.call(&rm3, "passports/queue", &[("trust", "RM3")]).await.status(), StatusCode::OK);
}

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
    assert_eq!((last.action.code(), last.actor_role.as_str(), last.actor_id), ("viewed", "verifier", None));
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
    let res = app.call(&hr, "passports/revoke", &[("id", &current.id.to_string()), ("reason", "Left the trust")]).await;
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

#[tokio::test]
async fn the_queue_lists_missing_unconfirmed_problem_expiring_and_lapsing_passports_most_urgent_first() {
    let app = spawn_app().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let nurse = app.person_id(NURSE_R0A).await;
    let soon = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).format("%d/%m/%Y").to_string();
    // The nurse's registration lapses in 20 days, so the passport expires then too.
    let res = app.record_checks(&hr, nurse, &form_with("Asha Patel", &[("registration_expiry", &soon)])).await;
    assert_eq!(res.status(), StatusCode::OK);

    let queue = |app: &TestApp, client: reqwest::Client| {
        let url = app.url("/api/passports/queue");
        async move {
            let res = client
                .post(url)
                .header(header::ACCEPT, "application/json")
                .form(&[("trust", "R0A")])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    let q = queue(&app, hr.clone()).await;
    let entry = |q: &serde_json::Value, email: &str| {
        q["entries"].as_array().unwrap().iter().find(|e| e["email"] == email).cloned()
    };
    let kinds = |e: &serde_json::Value| -> Vec<String> {
        e["reasons"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap().to_owned()).collect()
    };
    let asha = entry(&q, NURSE_R0A).expect("the nurse is in the queue");
    assert_eq!(kinds(&asha), ["expiring_soon", "item_lapsing", "awaiting_confirmation"]);
    assert!(asha["reasons"][1]["detail"].as_str().unwrap().starts_with("Professional registration lapses on"));
    let manager = entry(&q, MANAGER_R0A).expect("someone without a passport is in the queue");
    assert_eq!(kinds(&manager), ["missing"]);
    // Most urgent first: no passport before a passport that needs attention.
    let order: Vec<&str> = q["entries"].as_array().unwrap().iter().map(|e| e["email"].as_str().unwrap()).collect();
    assert!(order.iter().position(|e| *e == MANAGER_R0A) < order.iter().position(|e| *e == NURSE_R0A), "{order:?}");
    assert!(entry(&q, NURSE_RM3).is_none(), "another trust's staff are not in R0A's queue");
    assert!(
        entry(&q, LEAD_R0A).is_none() && entry(&q, HR_R0A).is_none(),
        "passports are for those holding the staff role"
    );

    // A problem report takes the place of "awaiting confirmation"; a confirmation clears both.
    let client = app.browser_signed_in_as(NURSE_R0A).await;
    let id = passport::Entity::find().one(&app.db).await.unwrap().unwrap().id.to_string();
    app.call(&client, "passports/report-problem", &[("passport", &id), ("problem", "Wrong department")]).await;
    let q = queue(&app, hr.clone()).await;
    let asha = entry(&q, NURSE_R0A).unwrap();
    assert_eq!(kinds(&asha), ["problem_reported", "expiring_soon", "item_lapsing"]);
    assert_eq!(asha["reasons"][0]["detail"], "Wrong department");
    app.call(&client, "passports/confirm", &[("passport", &id)]).await;
    let q = queue(&app, hr.clone()).await;
    assert_eq!(kinds(&entry(&q, NURSE_R0A).unwrap()), ["expiring_soon", "item_lapsing"]);
    // Showing lapse dates is showing passport data: it is in the holder's history.
    let listed = passport_audit::Entity::find()
        .filter(passport_audit::Column::Reason.eq("listed in HR's passport queue"))
        .order_by_desc(passport_audit::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the listing is logged");
    assert!(listed.items.contains("registration_expiry"));

    // Revoked, the passport is missing again.
    let res = app.call(&hr, "passports/revoke", &[("id", &id), ("reason", "Left the trust")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let q = queue(&app, hr.clone()).await;
    let asha = entry(&q, NURSE_R0A).unwrap();
    assert_eq!(kinds(&asha), ["missing"]);
    assert!(asha["reasons"][0]["detail"].as_str().unwrap().ends_with(": Left the trust"));

    // The page: HR's own trust by default, each person linking to their record.
    let page = app.visit_as(&hr, "/passports").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.texts("#queue-summary")[0].contains("need"));
    assert_eq!(
        page.attr(&format!("#passport-queue a[href='/people/{nurse}/passport']"), "href"),
        Some(format!("/people/{nurse}/passport"))
    );
}

#[tokio::test]
async fn an_hr_officer_cannot_issue_record_or_revoke_their_own_passport_and_is_told_why() {
    let app = spawn_app().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let me = app.person_id(HR_R0A).await;
    let told = "You cannot issue your own passport or record its checks. Ask another HR passport officer at your trust";
    let res = app.issue_passport(&hr, me).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["Refused"], told);
    let res = app.upload_photo(&hr, me, &photo(300, 400, ImageFormat::Jpeg), false).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.passport_rows().await, (0, 0, 0, 0), "nothing recorded");

    // A second HR officer at the trust issues it; the first still cannot revoke their own.
    let pm = app.browser_signed_in_as(PM).await;
    let lead = app.person_id(LEAD_R0A).await.to_string();
    let res = app
        .call(&pm, "people/grant", &[("person", &lead), ("role", "hr_officer"), ("trust", "R0A"), ("team", "")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = app.browser_signed_in_as(LEAD_R0A).await;
    assert_eq!(app.issue_passport(&second, me).await.status(), StatusCode::OK);
    let id = passport::Entity::find().one(&app.db).await.unwrap().unwrap().id.to_string();
    let res = app.call(&hr, "passports/revoke", &[("id", &id), ("reason", "Left the trust")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["Refused"], "You cannot revoke your own passport. Ask another HR passport officer at your trust");
    assert!(passport::Entity::find().one(&app.db).await.unwrap().unwrap().revoked_at.is_none());
    assert_eq!(
        app.call(&second, "passports/revoke", &[("id", &id), ("reason", "Left the trust")]).await.status(),
        StatusCode::OK
    );
}
