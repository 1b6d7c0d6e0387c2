//! Issuing, revoking, rotating keys and downloading: who may, what it stores, and that what was
//! issued verifies against what the app publishes.

use crate::helpers::{HR_R0A, LEAD_R0A, NURSE_R0A, PM, TEST_KEK, spawn_app};
use crate::passports::now;
use app::server::entities::{audit_event, holder_key, issuer_key, passport, passport_audit};
use app::server::keyring::KeyEncryptionKey;
use credential::{HolderKey, IssuerKey, VerifyError};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder};

#[tokio::test]
async fn hr_issues_their_own_staff_a_passport_that_verifies_against_what_the_app_publishes() {
    let app = spawn_app().await;
    let (id, credential) = app.issued_passport().await;
    let verified = app.verify_over_http(&credential).await.expect("the passport verifies");
    assert_eq!(verified.issuer, app.url("/trusts/R0A"));
    assert_eq!(verified.claims["name"], "Asha Patel");
    assert_eq!(verified.claims["ni_number"], "JK123456C");
    assert_eq!(verified.claims["registration_number"], "12A3456E");
    assert!(verified.exp > now() + 300 * 24 * 3600, "about a year");
    assert!(verified.holder.is_some(), "a holder key in cnf");
    // Each item can be disclosed on its own.
    let only_name = credential::present(&credential, &["name"], None).unwrap();
    let shown = app.verify_over_http(&only_name).await.unwrap();
    assert_eq!(shown.claims.keys().collect::<Vec<_>>(), ["name"]);

    let history: Vec<_> = passport_audit::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].action.code(), history[0].actor_role.code()), ("issued", "hr_officer"));
    assert_eq!(history[0].passport_id, Some(id));
    assert!(history[0].items.contains("ni_number"));
    assert!(app.audit_actions().await.contains(&"passport_issued".to_owned()));
    // The alliance's log records which items, never their values.
    let logged =
        audit_event::Entity::find().order_by_desc(audit_event::Column::Id).one(&app.db).await.unwrap().unwrap();
    assert!(!logged.detail.contains("JK123456C"));

    // The holder sees it, and its history.
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let holder = app.person_id(NURSE_R0A).await.to_string();
    let res = app.current_passport(&nurse, &holder).await;
    let current: serde_json::Value = res.json().await.unwrap();
    assert_eq!(current["status"], "valid");
    let res = app.passport_history(&nurse, &holder).await;
    let events: serde_json::Value = res.json().await.unwrap();
    assert_eq!(events[0]["action"], "issued");
    assert_eq!(events[0]["who"], HR_R0A);
    assert_eq!(events[0]["trust"], "R0A");
}

#[tokio::test]
async fn hr_of_another_trust_a_lead_a_staff_member_and_a_project_manager_cannot_issue_and_nothing_changes() {
    let app = spawn_app().await;
    let holder = app.person_id(NURSE_R0A).await;
    for who in ["hr@rm3.nhs.example", LEAD_R0A, NURSE_R0A, PM] {
        let client = app.browser_signed_in_as(who).await;
        let res = app.issue_passport(&client, holder).await;
        assert!(matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{who}: {}", res.status());
        assert_eq!(app.count_rows().await, (0, 0, 0, 0), "{who} changed nothing");
    }
    let res = app.issue_passport(&app.new_browser(), holder).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count_rows().await, (0, 0, 0, 0));
}

#[tokio::test]
async fn a_form_without_the_checks_is_refused_with_a_message_for_each_and_nothing_is_saved() {
    let app = spawn_app().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let holder = app.person_id(NURSE_R0A).await.to_string();
    let res = app
        .call(&hr, "passports/issue", &[("holder", &holder), ("items[name]", " "), ("items[employing_trust]", "R0A")])
        .await;
    let fields: Vec<String> = crate::helpers::field_messages(res).await.into_iter().map(|(f, _)| f).collect();
    for required in [
        "name",
        "birthdate",
        "identity_checked_on",
        "ni_number",
        "ni_number_checked_on",
        "right_to_work",
        "right_to_work_checked_on",
        "job_role",
        "staff_group",
        "start_date",
        "pay_band",
        "work_email",
        "occupational_health_clearance",
        "occupational_health_checked_on",
    ] {
        assert!(fields.contains(&format!("items[{required}]")), "{required} in {fields:?}");
    }
    assert!(!fields.contains(&"items[employing_trust]".to_owned()), "the trust is the holder's own, never typed");
    assert_eq!(app.count_rows().await, (0, 0, 0, 0));
}

#[tokio::test]
async fn a_deactivated_person_is_issued_no_passport_until_reactivated() {
    let app = spawn_app().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let holder = app.person_id(NURSE_R0A).await;
    let res = app.deactivate(&hr, &holder.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.issue_passport(&hr, holder).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("reactivate them"));
    assert_eq!(app.count_rows().await, (0, 0, 0, 0), "nothing issued, no key made");
    let res = app.reactivate(&hr, &holder.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.issue_passport(&hr, holder).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn revoking_flips_the_status_bit_and_verification_then_fails_as_revoked() {
    let app = spawn_app().await;
    let (id, credential) = app.issued_passport().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let id_s = id.to_string();
    // Nobody but the issuing trust's HR may revoke.
    // The holder sees it and is refused; anyone who may not even see it is told it does not
    // exist, as for an id that exists nowhere.
    for (who, refused) in
        [("hr@rm3.nhs.example", StatusCode::NOT_FOUND), (NURSE_R0A, StatusCode::FORBIDDEN), (PM, StatusCode::NOT_FOUND)]
    {
        let other = app.browser_signed_in_as(who).await;
        let res = app.revoke_passport(&other, &id_s, "Left the trust").await;
        assert_eq!(res.status(), refused, "{who}");
    }
    let res = app.revoke_passport(&hr, "999999", "Left the trust").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "the same answer as an unknown id");
    assert!(app.verify_over_http(&credential).await.is_ok());
    let res = app.revoke_passport(&hr, &id_s, "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.revoke_passport(&hr, &id_s, "Left the trust").await;
    assert_eq!(res.status(), StatusCode::OK);
    let err = app.verify_over_http(&credential).await.unwrap_err();
    assert!(matches!(err, VerifyError::Revoked { .. }), "{err:?}");
    let res = app.revoke_passport(&hr, &id_s, "Again").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let actions: Vec<String> = passport_audit::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action.code().to_owned())
        .collect();
    assert_eq!(actions, ["issued", "revoked"]);
}

#[tokio::test]
async fn reissuing_replaces_the_passport_and_the_old_one_reads_revoked() {
    let app = spawn_app().await;
    let (old_id, old) = app.issued_passport().await;
    let (new_id, new) = app.issued_passport().await;
    assert_ne!(old_id, new_id);
    assert!(matches!(app.verify_over_http(&old).await, Err(VerifyError::Revoked { .. })));
    assert!(app.verify_over_http(&new).await.is_ok());
    let old_row = passport::Entity::find_by_id(old_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(old_row.revoke_reason.as_deref(), Some("superseded by a reissue"));
    assert_eq!(holder_key::Entity::find().count(&app.db).await.unwrap(), 1, "one holder key, reused");
}

#[tokio::test]
async fn a_rotated_key_keeps_signing_nothing_new_but_its_passports_still_verify() {
    let app = spawn_app().await;
    let (_, old) = app.issued_passport().await;
    let hr = app.browser_signed_in_as(HR_R0A).await;
    for who in ["hr@rm3.nhs.example", LEAD_R0A, PM] {
        let other = app.browser_signed_in_as(who).await;
        let res = app.rotate_issuer_key(&other, "R0A").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let res = app.rotate_issuer_key(&hr, "R0A").await;
    assert_eq!(res.status(), StatusCode::OK);
    let new_kid: String = res.json().await.unwrap();
    let keys = app.published_keys("R0A").await;
    assert_eq!(keys.len(), 2);
    let verified_old = app.verify_over_http(&old).await.expect("the old passport still verifies");
    assert_ne!(verified_old.kid, new_kid);
    // New passports (and the status list) are signed with the new key.
    let hr2 = app.browser_signed_in_as(HR_R0A).await;
    let res = app.issue_passport(&hr2, app.person_id(MANAGER_R0A_EMAIL).await).await;
    let id = res.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap() as i32;
    let fresh = app.verify_over_http(&app.credential_of(id).await).await.unwrap();
    assert_eq!(fresh.kid, new_kid);
    // Once everything the old key signed has expired, it is no longer published.
    app.db
        .execute_unprepared("UPDATE issuer_keys SET published_until = created_at WHERE retired_at IS NOT NULL")
        .await
        .unwrap();
    assert_eq!(app.published_keys("R0A").await.len(), 1);
    assert!(matches!(app.verify_over_http(&old).await, Err(VerifyError::UnknownKid(_))));
}

const MANAGER_R0A_EMAIL: &str = crate::helpers::MANAGER_R0A;

#[tokio::test]
async fn the_passport_audit_log_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    app.issued_passport().await;
    assert!(app.db.execute_unprepared("UPDATE passport_audit SET action = 'nothing'").await.is_err());
    assert!(app.db.execute_unprepared("DELETE FROM passport_audit").await.is_err());
    assert_eq!(passport_audit::Entity::find().count(&app.db).await.unwrap(), 1);
}

#[tokio::test]
async fn private_keys_are_sealed_at_rest_and_open_only_with_the_configured_key() {
    let app = spawn_app().await;
    app.issued_passport().await;
    let kek = KeyEncryptionKey::from_base64(TEST_KEK).unwrap();
    let issuer = issuer_key::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert!(IssuerKey::from_pkcs8_der(&issuer.private_key_enc).is_err(), "not PKCS#8 in clear");
    let pkcs8 = kek.open(&issuer.private_key_enc, &format!("issuer-key:{}", issuer.kid)).unwrap();
    assert!(!issuer.private_key_enc.windows(pkcs8.len()).any(|w| w == pkcs8.as_slice()));
    assert_eq!(IssuerKey::from_pkcs8_der(&pkcs8).unwrap().kid(), issuer.kid);
    let holder = holder_key::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert!(HolderKey::from_pkcs8_der(&holder.private_key_enc).is_err());
    let context = app::server::services::passports::holder_sealed_as(holder.user_id, &holder.kid);
    let pkcs8 = kek.open(&holder.private_key_enc, &context).unwrap();
    assert_eq!(HolderKey::from_pkcs8_der(&pkcs8).unwrap().kid(), holder.kid);
    let other = KeyEncryptionKey::generate().unwrap();
    assert!(other.open(&issuer.private_key_enc, &format!("issuer-key:{}", issuer.kid)).is_err());
}

#[tokio::test]
async fn the_holder_downloads_their_own_passport_and_the_download_is_in_their_history() {
    let app = spawn_app().await;
    let (_, credential) = app.issued_passport().await;
    let res = app.download_passport(&app.new_browser()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let lead = app.browser_signed_in_as(LEAD_R0A).await;
    let res = app.download_passport(&lead).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "no passport of their own");
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let res = app.download_passport(&nurse).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/dc+sd-jwt");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.text().await.unwrap(), credential);
    let res = app.download_passport_json(&nurse).await;
    let doc: serde_json::Value = res.json().await.unwrap();
    assert_eq!(doc["credential"], credential);
    let actions: Vec<(String, String)> = passport_audit::Entity::find()
        .order_by_asc(passport_audit::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action.code().to_owned(), e.actor_role.code().to_owned()))
        .collect();
    assert_eq!(actions[1..], [("downloaded".into(), "holder".into()), ("downloaded".into(), "holder".into())]);
}
