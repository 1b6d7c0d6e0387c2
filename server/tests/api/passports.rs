//! The passport, part 1: HR issues a real SD-JWT VC that verifies against the keys and status
//! list the running app publishes over HTTP (checked with the credential crate, the `verify`
//! command and an independent implementation), revokes it, rotates keys; and nobody else may.

use crate::helpers::{HR_R0A, LEAD_R0A, NURSE_R0A, PM, TEST_KEK, TestApp, spawn_app};
use app::server::entities::{audit_event, holder_key, issuer_key, passport, passport_audit};
use app::server::keyring::KeyEncryptionKey;
use credential::{HolderKey, IssuerKey, JwkSet, StatusListVerifyOptions, VerifyError, VerifyOptions};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder};
use std::process::Command;

/// HR's passport form for a registered nurse called `name`, every check done recently.
pub(crate) fn nurse_form(name: &str, email: &str) -> app::domain::PassportForm {
    let ago =
        |days: i64| (chrono::Utc::now().date_naive() - chrono::Duration::days(days)).format("%d/%m/%Y").to_string();
    let ahead = |days: i64| (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string();
    app::domain::PassportForm {
        name: name.into(),
        birthdate: "1991-04-17".into(),
        identity_checked_on: ago(3),
        ni_number: "JK 12 34 56 C".into(),
        ni_number_checked_on: ago(3),
        dbs_level: "enhanced".into(),
        dbs_check_date: "2025-10-01".into(),
        right_to_work: "unlimited".into(),
        right_to_work_checked_on: ago(1000),
        registration_body: "NMC".into(),
        registration_number: "12A3456E".into(),
        registration_expiry: ahead(330),
        registration_checked_on: ago(3),
        job_role: "Acute oncology staff nurse".into(),
        staff_group: "nursing_midwifery".into(),
        department: "Acute Oncology Service".into(),
        start_date: "2022-09-05".into(),
        pay_band: "6".into(),
        work_email: email.into(),
        occupational_health_clearance: "cleared".into(),
        occupational_health_checked_on: ago(900),
        ..Default::default()
    }
}

/// The items HR enters for Asha Patel, as form fields.
fn items(name: &str) -> Vec<(String, String)> {
    nurse_form(name, NURSE_R0A).values()
}

pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Issues the person `email` a passport straight through the service, as their trust's demo HR
/// officer would (for tests that need one in place without going through HTTP). Returns its id.
pub async fn passport_for(app: &TestApp, email: &str) -> i32 {
    use app::server::entities::{trust, user};
    use app::server::services::{passports, sessions};
    use sea_orm::{ColumnTrait, QueryFilter};
    let holder = user::Entity::find_by_id(app.person_id(email).await).one(&app.db).await.unwrap().unwrap();
    let trust = trust::Entity::find_by_id(holder.home_trust_id.unwrap()).one(&app.db).await.unwrap().unwrap();
    let hr_email = format!("hr@{}.nhs.example", trust.ods_code.to_lowercase());
    let hr = user::Entity::find().filter(user::Column::Email.eq(hr_email)).one(&app.db).await.unwrap().unwrap();
    let actor = if hr.id == holder.id {
        // Nobody issues their own passport: the trust's HR officer's is issued by another
        // officer (the project manager's account, given the role for this one call).
        let pm = user::Entity::find()
            .filter(user::Column::Email.eq(crate::helpers::PM))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut other = sessions::actor_of(&app.db, &pm, String::new(), "test").await.unwrap();
        other.grants.push(app::server::access::Grant {
            id: 0,
            role: app::domain::Role::HrOfficer,
            trust_id: Some(trust.id),
            team_ids: vec![],
        });
        other
    } else {
        sessions::actor_of(&app.db, &hr, String::new(), "test").await.unwrap()
    };
    let kek = KeyEncryptionKey::from_base64(TEST_KEK).unwrap();
    let form = nurse_form(&holder.name, &holder.email);
    let txn = app::server::db::begin_write(&app.db).await.unwrap();
    let id = passports::issue(&txn, &actor, &kek, &app.base, holder.id, &form).await.unwrap().id;
    txn.commit().await.unwrap();
    id
}

impl TestApp {
    /// Issues `holder` a passport from `client`; returns the response.
    pub async fn issue_passport(&self, client: &reqwest::Client, holder: i32) -> reqwest::Response {
        let holder = holder.to_string();
        let fields = items("Asha Patel");
        let mut form: Vec<(&str, &str)> = vec![("holder", &holder)];
        form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.call(client, "passports/issue", &form).await
    }

    /// HR of R0A issues the R0A nurse a passport; returns its id and credential.
    pub(crate) async fn issued_passport(&self) -> (i32, String) {
        let hr = self.browser_signed_in_as(HR_R0A).await;
        let res = self.issue_passport(&hr, self.person_id(NURSE_R0A).await).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
        let summary: serde_json::Value = res.json().await.unwrap();
        let id = summary["id"].as_i64().unwrap() as i32;
        (id, self.credential_of(id).await)
    }

    pub(crate) async fn credential_of(&self, id: i32) -> String {
        crate::helpers::stored_credential(&passport::Entity::find_by_id(id).one(&self.db).await.unwrap().unwrap())
    }

    /// The trust's published keys, fetched as any verifier does.
    pub(crate) async fn published_keys(&self, ods: &str) -> JwkSet {
        let res = self.client.get(self.url(&format!("/.well-known/jwt-vc-issuer/trusts/{ods}"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let doc: serde_json::Value = res.json().await.unwrap();
        assert_eq!(doc["issuer"], self.url(&format!("/trusts/{ods}")));
        JwkSet::from_json(&doc["jwks"].to_string()).unwrap()
    }

    /// Verifies `credential` with the credential crate against the keys and the status list
    /// fetched from the running app over HTTP.
    pub(crate) async fn verify_over_http(
        &self,
        credential: &str,
    ) -> Result<credential::VerifiedCredential, VerifyError> {
        let keys = self.published_keys("R0A").await;
        let uri = self.url("/trusts/R0A/status-lists/1");
        let res = self.client.get(&uri).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/statuslist+jwt");
        assert!(res.headers()["cache-control"].to_str().unwrap().contains("max-age=60"));
        let token = res.text().await.unwrap();
        let list = credential::verify_status_list_token(&token, &keys, &uri, &StatusListVerifyOptions::new(now()))
            .expect("a valid status list token");
        let mut options = VerifyOptions::new(now());
        let iss = self.url("/trusts/R0A");
        options.expected_issuer = Some(&iss);
        options.status = Some(list.as_check());
        credential::verify(credential, &keys, &options)
    }

    async fn count_rows(&self) -> (u64, u64, u64, u64) {
        (
            passport::Entity::find().count(&self.db).await.unwrap(),
            passport_audit::Entity::find().count(&self.db).await.unwrap(),
            issuer_key::Entity::find().count(&self.db).await.unwrap(),
            holder_key::Entity::find().count(&self.db).await.unwrap(),
        )
    }
}

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
    assert_eq!((history[0].action.code(), history[0].actor_role.as_str()), ("issued", "hr_officer"));
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
    let res = app.call(&nurse, "passports/current", &[("holder", &holder)]).await;
    let current: serde_json::Value = res.json().await.unwrap();
    assert_eq!(current["status"], "valid");
    let res = app.call(&nurse, "passports/history", &[("holder", &holder)]).await;
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
    let res = app.call(&hr, "people/status", &[("person", &holder.to_string()), ("action", "deactivate")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.issue_passport(&hr, holder).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("reactivate them"));
    assert_eq!(app.count_rows().await, (0, 0, 0, 0), "nothing issued, no key made");
    let res = app.call(&hr, "people/status", &[("person", &holder.to_string()), ("action", "reactivate")]).await;
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
        let res = app.call(&other, "passports/revoke", &[("id", &id_s), ("reason", "Left the trust")]).await;
        assert_eq!(res.status(), refused, "{who}");
    }
    let res = app.call(&hr, "passports/revoke", &[("id", "999999"), ("reason", "Left the trust")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "the same answer as an unknown id");
    assert!(app.verify_over_http(&credential).await.is_ok());
    let res = app.call(&hr, "passports/revoke", &[("id", &id_s), ("reason", "")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.call(&hr, "passports/revoke", &[("id", &id_s), ("reason", "Left the trust")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let err = app.verify_over_http(&credential).await.unwrap_err();
    assert!(matches!(err, VerifyError::Revoked { .. }), "{err:?}");
    let res = app.call(&hr, "passports/revoke", &[("id", &id_s), ("reason", "Again")]).await;
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
        let res = app.call(&other, "passports/rotate-key", &[("trust", "R0A")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let res = app.call(&hr, "passports/rotate-key", &[("trust", "R0A")]).await;
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
    let res = app.new_browser().get(app.url("/passport/download")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let lead = app.browser_signed_in_as(LEAD_R0A).await;
    let res = lead.get(app.url("/passport/download")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "no passport of their own");
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let res = nurse.get(app.url("/passport/download")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/dc+sd-jwt");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.text().await.unwrap(), credential);
    let res = nurse.get(app.url("/passport/download.json")).send().await.unwrap();
    let doc: serde_json::Value = res.json().await.unwrap();
    assert_eq!(doc["credential"], credential);
    let actions: Vec<(String, String)> = passport_audit::Entity::find()
        .order_by_asc(passport_audit::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action.code().to_owned(), e.actor_role))
        .collect();
    assert_eq!(actions[1..], [("downloaded".into(), "holder".into()), ("downloaded".into(), "holder".into())]);
}

/// Runs `server verify <file> --issuer-base <app>` with `extra` arguments; returns (success,
/// what it printed on stdout and stderr).
pub(crate) fn verify_command(app: &TestApp, credential: &str, extra: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("passport.sd-jwt");
    std::fs::write(&file, credential).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("verify")
        .arg(&file)
        .args(["--issuer-base", &app.base])
        .args(extra)
        .output()
        .expect("running server verify");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test]
async fn the_verify_command_checks_a_passport_file_over_http_and_names_what_failed() {
    let app = spawn_app().await;
    let (id, credential) = app.issued_passport().await;
    let (ok, out) = verify_command(&app, &credential, &[]);
    assert!(ok, "{out}");
    assert!(out.contains("PASS  Signature") && out.contains("name: Asha Patel") && out.contains("VERIFIED"), "{out}");
    // A disclosure changed after signing.
    let tampered = tamper(&credential);
    let (ok, out) = verify_command(&app, &tampered, &[]);
    assert!(!ok && out.contains("FAIL"), "{out}");
    let (ok, out) = verify_command(&app, &tamper_payload(&credential), &[]);
    assert!(!ok && out.contains("FAIL  Signature"), "{out}");
    let hr = app.browser_signed_in_as(HR_R0A).await;
    app.call(&hr, "passports/revoke", &[("id", &id.to_string()), ("reason", "Left the trust")]).await;
    let (ok, out) = verify_command(&app, &credential, &[]);
    assert!(!ok && out.contains("revoked"), "{out}");
}

/// The credential with its signed payload changed (a later expiry), the signature kept.
pub(crate) fn tamper_payload(credential: &str) -> String {
    let (jwt, rest) = credential.split_once('~').unwrap();
    let segments: Vec<&str> = jwt.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&credential::jose::b64url_decode(segments[1]).unwrap()).unwrap();
    payload["exp"] = serde_json::json!(payload["exp"].as_i64().unwrap() + 10 * 365 * 24 * 3600);
    let forged = credential::jose::b64url_encode(payload.to_string());
    format!("{}.{forged}.{}~{rest}", segments[0], segments[2])
}

/// The credential with its first disclosure replaced by one claiming another name.
pub(crate) fn tamper(credential: &str) -> String {
    let mut parts: Vec<String> = credential.split('~').map(str::to_owned).collect();
    let forged = credential::Disclosure::new("c2FsdHNhbHRzYWx0", "name", serde_json::json!("Someone Else")).unwrap();
    parts[1] = forged.encoded().to_owned();
    parts.join("~")
}

#[tokio::test]
async fn an_independent_sd_jwt_implementation_verifies_a_passport_and_rejects_tampered_and_revoked_ones() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent");
    // Not a silent skip: without the verifier this test proves nothing, so it fails.
    assert!(
        dir.join("node_modules/@sd-jwt/sd-jwt-vc").exists(),
        "the independent verifier is not installed: run `npm ci` in server/tests/independent \
         (scripts/install-test-deps.sh does)"
    );
    let app = spawn_app().await;
    let (id, credential) = app.issued_passport().await;
    let run = |credential: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("passport.sd-jwt");
        std::fs::write(&file, credential).unwrap();
        let out = Command::new("node")
            .current_dir(&dir)
            .arg("verify.mjs")
            .arg(&app.base)
            .arg(&file)
            .output()
            .expect("running node");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.success(), format!("{stdout}{stderr}"))
    };
    let (ok, out) = run(&credential);
    assert!(ok, "a fresh passport: {out}");
    let result: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(result["claims"]["name"], "Asha Patel");
    assert_eq!(result["issuer"], app.url("/trusts/R0A"));
    // The JSON line the verifier prints: which check failed and why.
    let failed = |out: &str| -> (String, String) {
        let line: serde_json::Value = serde_json::from_str(out.lines().next().unwrap_or("")).expect(out);
        assert_eq!(line["verified"], false, "{out}");
        (line["check"].as_str().unwrap().to_owned(), line["error"].as_str().unwrap().to_owned())
    };
    let (ok, out) = run(&tamper_payload(&credential));
    assert!(!ok, "a tampered passport: {out}");
    assert_eq!(failed(&out).0, "signature", "{out}");
    // A disclosure no signed digest refers to fails the whole credential (RFC 9901 §7.1), which
    // the library would skip: the script's own check catches it, and the claim is not returned.
    let (ok, out) = run(&tamper(&credential));
    assert!(!ok, "a forged disclosure: {out}");
    assert_eq!(failed(&out), ("disclosures".into(), "disclosure 0 matches no digest the issuer signed".into()));
    assert!(!out.contains("Someone Else"), "a forged disclosure: {out}");
    // Signed by a key the issuer never published.
    let stranger = IssuerKey::generate().unwrap();
    let claims = serde_json::json!({"name": "Asha Patel"});
    let holder = HolderKey::generate().unwrap();
    let forged = credential::issue(
        &stranger,
        &credential::IssueRequest {
            issuer: &app.url("/trusts/R0A"),
            vct: app::server::services::passports::PASSPORT_VCT,
            iat: now(),
            exp: now() + 3600,
            holder: holder.public_jwk(),
            status: None,
            claims: claims.as_object().unwrap(),
            sd_count: credential::DEFAULT_SD_COUNT,
        },
    )
    .unwrap();
    let (ok, out) = run(&forged);
    assert!(!ok, "a passport signed by an unknown key: {out}");
    let (check, error) = failed(&out);
    assert_eq!(check, "signature", "{out}");
    assert!(error.starts_with("no published key has kid"), "{out}");
    let hr = app.browser_signed_in_as(HR_R0A).await;
    app.call(&hr, "passports/revoke", &[("id", &id.to_string()), ("reason", "Left the trust")]).await;
    let (ok, out) = run(&credential);
    assert!(!ok, "a revoked passport: {out}");
    assert_eq!(failed(&out), ("status".into(), "revoked: the status list entry is 1".into()), "{out}");
}

#[tokio::test]
async fn the_demo_seed_issues_each_demo_staff_member_a_passport_once() {
    let app = spawn_app().await;
    let kek = || KeyEncryptionKey::from_base64(TEST_KEK).unwrap();
    let issued = server::seed_passports::demo_passports(&app.db, &app.base, kek()).await.unwrap();
    assert_eq!(issued, 4);
    let again = server::seed_passports::demo_passports(&app.db, &app.base, kek()).await.unwrap();
    assert_eq!(again, 0);
    let nurse = app.person_id(NURSE_R0A).await;
    let p = passport::Entity::find().all(&app.db).await.unwrap().into_iter().find(|p| p.holder_id == nurse).unwrap();
    let verified = app.verify_over_http(&crate::helpers::stored_credential(&p)).await.unwrap();
    assert_eq!(verified.claims["name"], "Asha Patel");
    assert_eq!(verified.claims["employing_trust"], "R0A");
}
