//! The passport, part 1, pages: the holder sees their own passport with its values (and that
//! read is in its history), confirms it or reports what is wrong; anyone checks a pasted
//! passport on the verification page, which names the check that failed. Nobody else reads a
//! holder's values.

use crate::helpers::{HR_R0A, LEAD_R0A, NURSE_R0A, NURSE_RM3, PM, TestApp, spawn_app};
use crate::passports::{now, passport_for, tamper, tamper_payload};
use app::server::entities::{passport, passport_audit};
use credential::{HolderKey, IssuerKey};
use reqwest::{StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

impl TestApp {
    /// The passport audit log, oldest first, as (action, role, actor id).
    async fn passport_log(&self) -> Vec<(String, String, Option<i32>)> {
        passport_audit::Entity::find()
            .order_by_asc(passport_audit::Column::Id)
            .all(&self.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.action.code().to_owned(), e.actor_role.code().to_owned(), e.actor_id))
            .collect()
    }

    async fn passport_log_len(&self) -> u64 {
        passport_audit::Entity::find().count(&self.db).await.unwrap()
    }

    async fn credential_of_passport(&self, id: i32) -> String {
        crate::helpers::stored_credential(&passport::Entity::find_by_id(id).one(&self.db).await.unwrap().unwrap())
    }

    /// Checks `credential` on the verification page's server function, as someone who has not
    /// signed in (JavaScript on).
    async fn verify_anonymously(&self, credential: &str) -> reqwest::Response {
        self.verify_passport(&self.new_browser(), credential).await
    }
}

/// The failed check of a verification report, and whether it verified.
fn failed_check(report: &Value) -> (bool, Option<String>) {
    let failed = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["outcome"] == "Failed")
        .map(|c| c["name"].as_str().unwrap().to_owned());
    (report["verified"].as_bool().unwrap(), failed)
}

#[tokio::test]
async fn the_holder_sees_their_passport_item_by_item_with_values_and_the_view_is_in_its_history() {
    let app = spawn_app().await;
    let id = passport_for(&app, NURSE_R0A).await;
    app.sign_in_as(NURSE_R0A).await;
    let page = app.visit("/passport").await;
    assert_eq!(page.status, StatusCode::OK);
    let labels = page.texts("#passport-items tbody th");
    let values = page.texts("#passport-items tbody td");
    assert_eq!(&labels[..3], ["Name", "Date of birth", "NI number"], "in reading order");
    assert_eq!(&values[..3], ["Asha Patel", "17 April 1991", "JK123456C"]);
    let row = |label: &str| labels.iter().position(|l| l == label).map(|i| values[i].clone());
    assert_eq!(row("Employing trust (ODS code)").as_deref(), Some("R0A"));
    assert_eq!(row("Right to work").as_deref(), Some("Confirmed, no time limit"), "codes read as words");
    assert_eq!(row("DBS check level").as_deref(), Some("Enhanced"));
    assert_eq!(page.texts("#passport-status"), ["Valid"]);
    let summary = page.texts("#passport-summary").join(" ");
    assert!(summary.contains("(R0A)") && summary.contains("Issued") && summary.contains("Expires"), "{summary}");
    assert_eq!(page.attr("a[href='/passport/download']", "href").as_deref(), Some("/passport/download"));
    // The history shows the issue and this very view.
    let history = page.texts("#passport-history tbody tr").join("\n");
    assert!(history.contains("Issued") && history.contains(HR_R0A), "{history}");
    assert!(history.contains("Viewed"), "{history}");

    let nurse = app.person_id(NURSE_R0A).await;
    let log = app.passport_log().await;
    assert_eq!(log[1], ("viewed".to_owned(), "holder".to_owned(), Some(nurse)));
    let viewed = passport_audit::Entity::find()
        .filter(passport_audit::Column::Action.eq("viewed"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(viewed.passport_id, Some(id));
    assert!(viewed.items.contains("ni_number"));
}

#[tokio::test]
async fn someone_without_a_passport_is_told_their_hr_has_not_issued_it_yet_and_nothing_is_logged() {
    let app = spawn_app().await;
    app.sign_in_as(NURSE_R0A).await;
    let page = app.visit("/passport").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("#no-passport"), ["Your HR has not issued your passport yet."]);
    assert_eq!(app.passport_log_len().await, 0);
    // Signed out, the page asks to sign in.
    let res = app.new_browser().get(app.url("/passport")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(res.headers()[header::LOCATION].to_str().unwrap().starts_with("/sign-in"));
}

#[tokio::test]
async fn another_staff_member_a_lead_hr_and_a_project_manager_cannot_read_or_review_someone_elses_passport() {
    let app = spawn_app().await;
    let id = passport_for(&app, NURSE_R0A).await.to_string();
    let before = app.passport_log_len().await;
    for who in [NURSE_RM3, LEAD_R0A, PM, HR_R0A] {
        let client = app.browser_signed_in_as(who).await;
        // "Mine" is always the caller's own: none of them holds a passport.
        let res = app.my_passport(&client).await;
        assert_eq!(res.status(), StatusCode::OK, "{who}");
        let body = res.text().await.unwrap();
        assert_eq!(body, "null", "{who} sees no passport");
        let page = app.visit_as(&client, "/passport").await;
        assert!(!page.text.contains("JK123456C"), "{who} never sees the values");
        for endpoint in ["passports/confirm", "passports/report-problem"] {
            let res = match endpoint {
                "passports/confirm" => app.confirm_passport(&client, &id).await,
                _ => app.report_passport_problem(&client, &id, "Not me").await,
            };
            // The holder's HR sees the passport and is refused; the others may not even see it,
            // so it answers as an id that does not exist.
            let refused = if who == HR_R0A { StatusCode::FORBIDDEN } else { StatusCode::NOT_FOUND };
            assert_eq!(res.status(), refused, "{who} {endpoint}");
        }
    }
    let res = app.my_passport(&app.new_browser()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.confirm_passport(&app.new_browser(), &id).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.passport_log_len().await, before, "nothing read, nothing written");
}

#[tokio::test]
async fn the_holder_confirms_the_items_and_reports_a_problem_and_bad_reports_save_nothing() {
    let app = spawn_app().await;
    let id = passport_for(&app, NURSE_R0A).await.to_string();
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let res = app.confirm_passport(&nurse, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mine: Value = app.my_passport(&nurse).await.json().await.unwrap();
    assert_eq!(mine["confirmed"], true);

    let before = app.passport_log_len().await;
    for (problem, message) in [
        ("   ", "Enter what is wrong with your passport"),
        (&"x".repeat(501) as &str, "What is wrong must be 500 characters or fewer"),
    ] {
        let res = app.report_passport_problem(&nurse, &id, problem).await;
        assert_eq!(crate::helpers::field_messages(res).await, [("problem".to_owned(), message.to_owned())]);
    }
    assert_eq!(app.passport_log_len().await, before, "nothing saved");

    let text = "My NI number ends in D, not C";
    let res = app.report_passport_problem(&nurse, &id, text).await;
    assert_eq!(res.status(), StatusCode::OK);
    let reported = passport_audit::Entity::find()
        .filter(passport_audit::Column::Action.eq("problem_reported"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reported.reason.as_deref(), Some(text));
    assert_eq!(reported.actor_role.code(), "holder");
    // HR sees both in the history.
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let holder = app.person_id(NURSE_R0A).await.to_string();
    let history: Value = app.passport_history(&hr, &holder).await.json().await.unwrap();
    let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"confirmed") && actions.contains(&"problem_reported"), "{actions:?}");
    assert_eq!(history[0]["reason"], text);

    // A reissue needs confirming again.
    passport_for(&app, NURSE_R0A).await;
    let mine: Value = app.my_passport(&nurse).await.json().await.unwrap();
    assert_eq!(mine["confirmed"], false);
    // The old, revoked one cannot be confirmed any more.
    let res = app.confirm_passport(&nurse, &id).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn without_javascript_a_bad_report_comes_back_beside_the_field_with_the_text_kept() {
    let app = spawn_app().await;
    let id = passport_for(&app, NURSE_R0A).await.to_string();
    app.sign_in_as(NURSE_R0A).await;
    let typed = "y".repeat(501);
    let before = app.passport_log_len().await;
    let res = app.report_passport_problem_without_js(&app.client, "/passport", &id, &typed).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/passport");
    assert_eq!(app.passport_log_len().await, before, "nothing saved");
    let page = app.visit("/passport").await;
    assert_eq!(page.texts("#problem-error"), ["Error: What is wrong must be 500 characters or fewer"]);
    assert_eq!(page.texts("textarea#problem"), [typed]);
    assert!(page.has(".nhsuk-error-summary"));

    let res = app.report_passport_problem_without_js(&app.client, "/passport", &id, "Wrong band").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.visit("/passport").await;
    assert!(page.texts(".nhsuk-notification-banner--success").join(" ").contains("Thank you"));
    assert!(page.texts("#passport-history").join(" ").contains("Wrong band"));
    let res = app.confirm_passport_without_js(&app.client, "/passport", &id).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.visit("/passport").await;
    assert!(page.has("#passport-confirmed"));
}

#[tokio::test]
async fn anyone_verifies_the_apps_own_passport_and_the_check_is_in_the_holders_history() {
    let app = spawn_app().await;
    let id = passport_for(&app, NURSE_R0A).await;
    let credential = app.credential_of_passport(id).await;
    let res = app.verify_anonymously(&credential).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: Value = res.json().await.unwrap();
    assert_eq!(failed_check(&report), (true, None));
    assert!(report["issuer"].as_str().unwrap().ends_with("(R0A)"));
    let items: Vec<(&str, &str)> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["label"].as_str().unwrap(), i["value"].as_str().unwrap()))
        .collect();
    assert!(items.contains(&("NI number", "JK123456C")), "{items:?}");
    let log = app.passport_log().await;
    assert_eq!(log.last().unwrap(), &("verified".to_owned(), "verifier".to_owned(), None));
    let entry =
        passport_audit::Entity::find().order_by_desc(passport_audit::Column::Id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(entry.passport_id, Some(id));
    assert_eq!(entry.holder_id, app.person_id(NURSE_R0A).await);

    // The JSON download verifies too, and a signed-in verifier is named.
    let json = serde_json::json!({ "format": "dc+sd-jwt", "credential": credential }).to_string();
    let lead = app.browser_signed_in_as(LEAD_R0A).await;
    let report: Value = app.verify_passport(&lead, &json).await.json().await.unwrap();
    assert_eq!(failed_check(&report), (true, None));
    let entry =
        passport_audit::Entity::find().order_by_desc(passport_audit::Column::Id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(entry.actor_id, Some(app.person_id(LEAD_R0A).await));
    // The holder sees both checks in their history.
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let holder = app.person_id(NURSE_R0A).await.to_string();
    let history: Value = app.passport_history(&nurse, &holder).await.json().await.unwrap();
    let verified: Vec<&Value> = history.as_array().unwrap().iter().filter(|e| e["action"] == "verified").collect();
    assert_eq!(verified.len(), 2);
    assert_eq!(verified[1]["who"], "Someone not signed in");
}

#[tokio::test]
async fn the_verification_page_names_the_failing_check_of_tampered_forged_and_revoked_passports() {
    let app = spawn_app().await;
    let id = passport_for(&app, NURSE_R0A).await;
    let credential = app.credential_of_passport(id).await;
    let before = app.passport_log_len().await;
    let stranger = IssuerKey::generate().unwrap();
    let holder = HolderKey::generate().unwrap();
    let claims = serde_json::json!({"name": "Asha Patel"});
    let forge = |issuer: &str| {
        credential::issue(
            &stranger,
            &credential::IssueRequest {
                issuer,
                vct: app::server::services::passports::PASSPORT_VCT,
                iat: now(),
                exp: now() + 3600,
                holder: holder.public_jwk(),
                status: None,
                claims: claims.as_object().unwrap(),
                sd_count: credential::DEFAULT_SD_COUNT,
            },
        )
        .unwrap()
    };
    let cases = [
        ("a changed payload", tamper_payload(&credential), "Signature"),
        ("a forged disclosure", tamper(&credential), "Disclosures"),
        ("an unknown key", forge(&app.url("/trusts/R0A")), "Key (kid)"),
        ("an unknown issuer", forge("https://elsewhere.example/trusts/R0A"), "Issuer"),
    ];
    for (what, credential, check) in cases {
        let res = app.verify_anonymously(&credential).await;
        assert_eq!(res.status(), StatusCode::OK, "{what}");
        let report: Value = res.json().await.unwrap();
        assert_eq!(failed_check(&report), (false, Some(check.to_owned())), "{what}: {report}");
        assert!(report["items"].as_array().unwrap().is_empty(), "{what} discloses nothing");
    }
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let res = app.revoke_passport(&hr, &id.to_string(), "Left the trust").await;
    assert_eq!(res.status(), StatusCode::OK);
    let before = before + 1;
    let report: Value = app.verify_anonymously(&credential).await.json().await.unwrap();
    assert_eq!(failed_check(&report), (false, Some("Revocation".to_owned())), "{report}");
    assert_eq!(app.passport_log_len().await, before, "a failed check reveals nothing, so logs nothing");
}

#[tokio::test]
async fn empty_oversized_and_garbage_input_get_a_message_beside_the_field_never_a_500() {
    let app = spawn_app().await;
    let big = format!("eyJ{}", "A".repeat(70 * 1024));
    for (input, message) in [
        ("", "Paste the passport you want to check"),
        (big.as_str(), "The passport must be 64 KB or smaller"),
        ("not a passport at all", "This is not a passport credential"),
        ("a.b.c~", "This is not a passport credential"),
        ("{\"format\": 1}", "This file is not a downloaded passport"),
        ("{ not json", "This file is not a downloaded passport"),
        ("eyJ\u{0}~~~", "This is not a passport credential"),
    ] {
        let res = app.verify_anonymously(input).await;
        let messages = crate::helpers::field_messages(res).await;
        assert_eq!(messages.len(), 1, "{input:.40}");
        assert_eq!(messages[0].0, "credential");
        assert!(messages[0].1.starts_with(message), "{input:.40}: {}", messages[0].1);
    }
    assert_eq!(app.passport_log_len().await, 0);
}

#[tokio::test]
async fn without_javascript_the_verification_page_shows_the_report_after_the_redirect() {
    let app = spawn_app().await;
    let id = passport_for(&app, NURSE_R0A).await;
    let credential = app.credential_of_passport(id).await;
    let page = app.visit("/verify").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("textarea#credential"));
    let res = app.verify_passport_without_js(&app.client, "/verify", &credential).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/verify");
    let page = app.visit("/verify").await;
    assert_eq!(page.texts("#verify-outcome"), ["Passport verified"]);
    assert!(page.texts("#verify-items td").contains(&"JK123456C".to_owned()));
    // Garbage comes back beside the field, with what was typed.
    let res = app.verify_passport_without_js(&app.client, "/verify", "garbage").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.visit("/verify").await;
    assert!(page.texts("#credential-error")[0].contains("This is not a passport credential"));
    assert_eq!(page.texts("textarea#credential"), ["garbage"]);
    assert!(!page.has("#verify-outcome"));
    // A tampered one names its failing check.
    app.verify_passport_without_js(&app.client, "/verify", &tamper_payload(&credential)).await;
    let page = app.visit("/verify").await;
    assert_eq!(page.texts("#verify-outcome"), ["Not verified: the signature check failed"]);
}

#[tokio::test]
async fn someone_not_signed_in_has_a_budget_of_passport_checks_and_photo_fetches_a_minute() {
    let app = crate::helpers::spawn_app_with(|s| s.auth.anonymous_passport_reads_per_minute = 3).await;
    let id = passport_for(&app, NURSE_R0A).await;
    let credential = app.credential_of_passport(id).await;
    let anonymous = app.new_browser();
    for n in 0..3 {
        let res = app.verify_passport(&anonymous, &credential).await;
        assert_eq!(res.status(), StatusCode::OK, "check {n}");
    }
    let before = app.passport_log_len().await;
    let res = app.verify_passport(&anonymous, &credential).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = res.json().await.unwrap();
    let message = body["Validation"]["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Too many passports checked from your network address. Try again in 1 minute"),
        "{message}"
    );
    // Photo fetches share the budget.
    let res =
        anonymous.get(app.url("/passport-photos/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.passport_log_len().await, before, "a refused check writes nothing");
    // Signed in, a person is accountable and not counted.
    let signed_in = app.browser_signed_in_as(NURSE_RM3).await;
    let res = app.verify_passport(&signed_in, &credential).await;
    assert_eq!(res.status(), StatusCode::OK);
}
