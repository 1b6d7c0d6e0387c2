//! The passport, part 1: HR issues a real SD-JWT VC that verifies against the keys and status
//! list the running app publishes over HTTP (checked with the credential crate, the `verify`
//! command and an independent implementation), revokes it, rotates keys; and nobody else may.
//!
//! Here: HR's form, passports issued for a test, and reading what the app publishes; the tests
//! of issuing, revoking, keys and downloads are in `issuing`, those of verifying in
//! `verification`.

mod issuing;
mod verification;

pub(crate) use verification::{tamper, tamper_payload, verify_command};

use crate::helpers::{HR_R0A, NURSE_R0A, TEST_KEK, TestApp};
use app::server::entities::{holder_key, issuer_key, passport, passport_audit};
use app::server::keyring::KeyEncryptionKey;
use credential::{JwkSet, StatusListVerifyOptions, VerifyError, VerifyOptions};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};

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
        self.record_checks(client, holder, &items("Asha Patel")).await
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
