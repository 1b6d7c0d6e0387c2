//! HR's checks form: every bad field refused with its own message, each check recorded with who
//! and when, a reissue starting from what was recorded; and nobody but the home trust's HR
//! opens a record, uploads a photo or sees the queue.

use super::{discloses, form_with, photo};
use crate::helpers::{HR_R0A, LEAD_R0A, MANAGER_R0A, NURSE_R0A, NURSE_RM3, PM, field_messages, spawn_app};
use app::server::entities::{passport, passport_audit, passport_check};
use image::ImageFormat;
use reqwest::{StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

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
    let res = app.record_checks_without_js(&hr, &path, holder, &fields).await;
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
    assert_eq!((viewed.actor_role.code(), viewed.actor_email.as_deref()), ("hr_officer", Some(HR_R0A)));
    assert!(viewed.items.contains("ni_number"));

    // The holder reports a problem; HR sees it, reissues, and the old passport is superseded.
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let id = first.id.to_string();
    let res = app.report_passport_problem(&nurse, &id, "My pay band is 7 now").await;
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
        let res = app.passport_record(&client, &holder.to_string()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who} record");
        let res = app.upload_photo(&client, holder, &photo(200, 200, ImageFormat::Png), false).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who} photo");
        let res = app.passport_queue(&client, "R0A").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who} queue");
        assert_eq!(app.passport_rows().await, before, "{who} changed and read nothing");
    }
    let anonymous = app.new_browser();
    assert_eq!(app.passport_record(&anonymous, &holder.to_string()).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.upload_photo(&anonymous, holder, &photo(200, 200, ImageFormat::Png), false).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.passport_queue(&anonymous, "R0A").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.passport_rows().await, before);
    // HR of RM3 keeps RM3's record and queue.
    let rm3 = app.browser_signed_in_as("hr@rm3.nhs.example").await;
    let other = app.person_id(NURSE_RM3).await.to_string();
    assert_eq!(app.passport_record(&rm3, &other).await.status(), StatusCode::OK);
    assert_eq!(app.passport_queue(&rm3, "RM3").await.status(), StatusCode::OK);
}
