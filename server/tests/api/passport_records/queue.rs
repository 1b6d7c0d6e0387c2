//! HR's queue of the passports that need them, most urgent first; and an HR officer's own
//! passport, which another officer must issue and revoke.

use super::{form_with, photo};
use crate::helpers::{HR_R0A, LEAD_R0A, MANAGER_R0A, NURSE_R0A, NURSE_RM3, PM, TestApp, spawn_app};
use app::server::entities::{passport, passport_audit};
use image::ImageFormat;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[tokio::test]
async fn the_queue_lists_missing_unconfirmed_problem_expiring_and_lapsing_passports_most_urgent_first() {
    let app = spawn_app().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let nurse = app.person_id(NURSE_R0A).await;
    let soon = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).format("%d/%m/%Y").to_string();
    // The nurse's registration lapses in 20 days, so the passport expires then too.
    let res = app.record_checks(&hr, nurse, &form_with("Asha Patel", &[("registration_expiry", &soon)])).await;
    assert_eq!(res.status(), StatusCode::OK);

    let queue = async |app: &TestApp, client: reqwest::Client| {
        let res = app.passport_queue(&client, "R0A").await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<serde_json::Value>().await.unwrap()
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
    app.report_passport_problem(&client, &id, "Wrong department").await;
    let q = queue(&app, hr.clone()).await;
    let asha = entry(&q, NURSE_R0A).unwrap();
    assert_eq!(kinds(&asha), ["problem_reported", "expiring_soon", "item_lapsing"]);
    assert_eq!(asha["reasons"][0]["detail"], "Wrong department");
    app.confirm_passport(&client, &id).await;
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
    let res = app.revoke_passport(&hr, &id, "Left the trust").await;
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
    let res = app.grant_role(&pm, &lead, "hr_officer", "R0A", "").await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = app.browser_signed_in_as(LEAD_R0A).await;
    assert_eq!(app.issue_passport(&second, me).await.status(), StatusCode::OK);
    let id = passport::Entity::find().one(&app.db).await.unwrap().unwrap().id.to_string();
    let res = app.revoke_passport(&hr, &id, "Left the trust").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["Refused"], "You cannot revoke your own passport. Ask another HR passport officer at your trust");
    assert!(passport::Entity::find().one(&app.db).await.unwrap().unwrap().revoked_at.is_none());
    assert_eq!(app.revoke_passport(&second, &id, "Left the trust").await.status(), StatusCode::OK);
}
