//! People administration: adding by invitation, editing, roles, deactivation, and every form's
//! bad input.

use crate::helpers::{HR_R0A, NURSE_R0A, PM, TestApp, spawn_app, spawn_app_as};
use app::server::entities::{role_grant, session, user};
use reqwest::{StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::time::Duration;

fn person<'a>(name: &'a str, email: &'a str, trust: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name", name),
        ("email", email),
        ("trust", trust),
        ("team", ""),
        ("staff_group", "nursing_midwifery"),
        ("pay_band", "6"),
        ("registration_body", "NMC"),
        ("registration_number", "12A3456E"),
    ]
}

async fn people_count(app: &TestApp) -> u64 {
    user::Entity::find().count(&app.db).await.unwrap()
}

fn messages(body: &serde_json::Value) -> Vec<(String, String)> {
    body["Validation"]["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| (e["field"].as_str().unwrap().to_owned(), e["message"].as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_project_manager_adds_a_person_who_gets_an_invitation_sets_a_password_and_signs_in() {
    let app = spawn_app_as(PM).await;
    let res = app.add_person(&app.client, &person("Nia Jones", "Nia.Jones@RWJ.nhs.example", "RWJ")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let to: String = res.json().await.unwrap();
    assert!(to.starts_with("/people/") && to.ends_with("?added=1"), "{to}");
    let page = app.visit(&to).await;
    assert!(page.text.contains("Person added"));
    assert!(page.texts("h1").contains(&"Nia Jones".to_owned()));

    let mail = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail[0].to, "nia.jones@rwj.nhs.example");
    assert_eq!(mail[0].subject, "You have been invited to Placement Passport");
    assert!(mail[0].body.contains("Priya Shah has added you"));
    let link = mail[0].body.split_whitespace().find(|w| w.contains("token=")).unwrap().to_owned();
    let token = link.split("token=").nth(1).unwrap();
    assert_eq!(app.visit(link.trim_start_matches(&app.base)).await.texts("h1"), ["Create your password"]);
    let pass = "river lantern copper meadow";
    let res = app.set_password(&app.client, token, pass, pass).await;
    assert_eq!(res.status(), StatusCode::OK);
    // No role yet: the password is right, but there is nothing to sign in to.
    let res = app.sign_in_with(&app.new_browser(), "nia.jones@rwj.nhs.example", pass).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let id = app.person_id("nia.jones@rwj.nhs.example").await.to_string();
    let res = app.grant_role(&app.client, &id, "placement_lead", "RWJ", "").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.sign_in_with(&app.new_browser(), "nia.jones@rwj.nhs.example", pass).await;
    assert_eq!(res.status(), StatusCode::OK);
    let audit = app.audit_actions().await;
    for a in ["person_added", "invitation_accepted", "role_granted"] {
        assert!(audit.contains(&a.to_owned()), "{a} in {audit:?}");
    }
}

#[tokio::test]
async fn bad_person_details_get_a_message_per_field_and_save_nothing() {
    let app = spawn_app_as(PM).await;
    let before = people_count(&app).await;
    let long = "x".repeat(101);
    // (the form's fields, the field in error, its message)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (person("", "a@b.nhs.uk", "RWJ"), "name", "Enter a full name"),
        (person(&long, "a@b.nhs.uk", "RWJ"), "name", "Full name must be 100 characters or fewer"),
        (
            person("Ann Other", "not-an-email", "RWJ"),
            "email",
            "Enter an email address in the correct format, like name@example.nhs.uk",
        ),
        (person("Ann Other", "a@b.nhs.uk", "ZZZ"), "trust", "Select a trust from the list"),
        (person("Ann Other", "a@b.nhs.uk", "not a code!"), "trust", "Select a trust from the list"),
        (person("Ann Other", NURSE_R0A, "R0A"), "email", "Someone already has this email address"),
    ];
    for (fields, field, message) in cases {
        let res = app.add_person(&app.client, &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}: {message}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(messages(&body).contains(&(field.to_owned(), message.to_owned())), "{body}");
    }
    // Field rules that need the other fields: an NMC PIN in the wrong format, a team of another trust.
    let mut fields = person("Ann Other", "ann@rwj.nhs.example", "RWJ");
    fields[7] = ("registration_number", "123");
    let body: serde_json::Value = app.add_person(&app.client, &fields).await.json().await.unwrap();
    assert!(
        messages(&body).contains(&("registration_number".into(), "Enter an NMC PIN like 12A3456E".into())),
        "{body}"
    );
    let other_team = app_team_id(&app, "RM3").await.to_string();
    let mut fields = person("Ann Other", "ann@rwj.nhs.example", "RWJ");
    fields[3] = ("team", &other_team);
    let body: serde_json::Value = app.add_person(&app.client, &fields).await.json().await.unwrap();
    assert!(
        messages(&body).contains(&("team".into(), "Select a team at Stockport NHS Foundation Trust".into())),
        "{body}"
    );
    assert_eq!(people_count(&app).await, before, "nothing saved");
    assert!(app.outbox().await.is_empty(), "no invitation queued");
}

async fn app_team_id(app: &TestApp, ods: &str) -> i32 {
    use app::server::entities::{team, trust};
    let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
    team::Entity::find().filter(team::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap().id
}

#[tokio::test]
async fn without_javascript_a_bad_person_form_comes_back_with_messages_and_what_was_typed() {
    let app = spawn_app_as(HR_R0A).await;
    let res = app.add_person_without_js(&app.client, "/people/new", &person("", "nope", "R0A")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/people/new");
    let page = app.visit("/people/new").await;
    let errors = page.texts(".nhsuk-error-message");
    assert!(errors.iter().any(|e| e.contains("Enter a full name")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("correct format")), "{errors:?}");
    assert_eq!(page.attr("input#email", "value").as_deref(), Some("nope"));
    // HR picks only their own trust.
    assert_eq!(page.texts("select#trust option"), ["Manchester University NHS Foundation Trust"]);
}

#[tokio::test]
async fn hr_cannot_give_roles_beyond_its_own_trusts_staff_manager_and_lead_roles() {
    let app = spawn_app_as(HR_R0A).await;
    let nurse = app.person_id(NURSE_R0A).await.to_string();
    let team = app_team_id(&app, "R0A").await.to_string();
    for (role, trust, team, status) in [
        ("hr_officer", "R0A", "", StatusCode::FORBIDDEN),
        ("project_manager", "", "", StatusCode::FORBIDDEN),
        ("placement_lead", "RM3", "", StatusCode::FORBIDDEN),
        ("line_manager", "R0A", "", StatusCode::UNPROCESSABLE_ENTITY),
        ("line_manager", "R0A", team.as_str(), StatusCode::OK),
        ("placement_lead", "R0A", "", StatusCode::OK),
        ("placement_lead", "R0A", "", StatusCode::UNPROCESSABLE_ENTITY),
        ("wizard", "R0A", "", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let res = app.grant_role(&app.client, &nurse, role, trust, team).await;
        assert_eq!(res.status(), status, "{role} at {trust} team {team}");
    }
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(nurse.parse::<i32>().unwrap()))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(grants, 3, "staff, plus line manager and placement lead");
}

#[tokio::test]
async fn a_staff_role_needs_a_home_team_group_and_band_first() {
    let app = spawn_app_as(PM).await;
    app.add_person(
        &app.client,
        &[
            ("name", "Sam Lee"),
            ("email", "sam@rwj.nhs.example"),
            ("trust", "RWJ"),
            ("team", ""),
            ("staff_group", ""),
            ("pay_band", ""),
            ("registration_body", ""),
            ("registration_number", ""),
        ],
    )
    .await;
    let id = app.person_id("sam@rwj.nhs.example").await.to_string();
    let res = app.grant_role(&app.client, &id, "staff", "RWJ", "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        messages(&body)[0].1.starts_with("A staff member needs Stockport NHS Foundation Trust as their home trust"),
        "{body}"
    );
}

#[tokio::test]
async fn removing_the_last_role_or_deactivating_ends_the_persons_sessions() {
    let app = spawn_app_as(HR_R0A).await;
    let nurse_browser = app.browser_signed_in_as(NURSE_R0A).await;
    let nurse = app.person_id(NURSE_R0A).await;
    let grant =
        role_grant::Entity::find().filter(role_grant::Column::UserId.eq(nurse)).one(&app.db).await.unwrap().unwrap();
    let res = app.remove_grant(&app.client, &nurse.to_string(), &grant.id.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(session::Entity::find().filter(session::Column::UserId.eq(nurse)).count(&app.db).await.unwrap(), 0);
    let home = nurse_browser.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!home.contains("Your work"));

    let manager = app.person_id(crate::helpers::MANAGER_R0A).await;
    let manager_browser = app.browser_signed_in_as(crate::helpers::MANAGER_R0A).await;
    let res = app.deactivate(&app.client, &manager.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let home = manager_browser.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!home.contains("Your work"));
    let res = app.sign_in_with(&app.new_browser(), crate::helpers::MANAGER_R0A, crate::helpers::DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a deactivated person cannot sign in");
    let audit = app.audit_actions().await;
    assert!(audit.contains(&"role_removed".to_owned()) && audit.contains(&"person_deactivated".to_owned()));
}

#[tokio::test]
async fn hr_cannot_take_over_a_project_manager_based_at_its_trust() {
    let app = spawn_app_as(PM).await;
    // A project manager whose home trust is R0A.
    app.add_person(&app.client, &person("Pam Manager", "pam@r0a.nhs.example", "R0A")).await;
    let pam = app.person_id("pam@r0a.nhs.example").await.to_string();
    let res = app.grant_role(&app.client, &pam, "project_manager", "", "").await;
    assert_eq!(res.status(), StatusCode::OK);
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let res = app.edit_person(&hr, &pam, &person("Pam Manager", "attacker@evil.example", "R0A")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.deactivate(&hr, &pam).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let email = user::Entity::find_by_id(pam.parse::<i32>().unwrap()).one(&app.db).await.unwrap().unwrap().email;
    assert_eq!(email, "pam@r0a.nhs.example");
}

#[tokio::test]
async fn the_people_list_shows_hr_only_its_own_trust_and_refuses_another() {
    let app = spawn_app_as(HR_R0A).await;
    let page = app.visit("/people").await;
    assert_eq!(page.status, StatusCode::OK);
    let names = page.texts("tbody tr td:first-child a");
    assert!(names.contains(&"Asha Patel".to_owned()), "{names:?}");
    assert!(!names.contains(&"Daniel Hughes".to_owned()), "RM3's nurse is not listed: {names:?}");
    let page = app.visit("/people?trust=RM3").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let res = app.list_people(&app.client, "RM3").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_people_pages_need_a_signed_in_person() {
    let app = spawn_app().await;
    assert_eq!(app.list_people(&app.client, "").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.view_person(&app.client, "1").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn editing_a_person_with_bad_details_or_an_unknown_id_changes_nothing() {
    let app = spawn_app_as(HR_R0A).await;
    let nurse = app.person_id(NURSE_R0A).await.to_string();
    let before = user::Entity::find_by_id(nurse.parse::<i32>().unwrap()).one(&app.db).await.unwrap().unwrap();
    let res = app.edit_person(&app.client, &nurse, &person("", "still-not-an-email", "R0A")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    let fields_with_errors: Vec<String> = messages(&body).into_iter().map(|m| m.0).collect();
    assert_eq!(fields_with_errors, ["name", "email"]);
    // Another person's email, an unknown id, and an id that is not a number.
    let fields = person("Asha Patel", crate::helpers::LEAD_R0A, "R0A");
    let body: serde_json::Value = app.edit_person(&app.client, &nurse, &fields).await.json().await.unwrap();
    assert_eq!(messages(&body), [("email".to_owned(), "Someone already has this email address".to_owned())]);
    let fields = person("Asha Patel", NURSE_R0A, "R0A");
    assert_eq!(app.edit_person(&app.client, "999999", &fields).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.edit_person(&app.client, "x", &fields).await.status(), StatusCode::BAD_REQUEST);
    let after = user::Entity::find_by_id(before.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(before, after);
}

/// The token of the `n`-th mail the SMTP server has received (0-based), waiting for it.
async fn emailed_token(app: &TestApp, n: usize) -> String {
    let mail = app.smtp.wait_for(n + 1, Duration::from_secs(10)).await;
    let link = mail[n].body.split_whitespace().find(|w| w.contains("token=")).expect("a link in the mail").to_owned();
    link.split("token=").nth(1).unwrap().to_owned()
}

async fn set_password_with(app: &TestApp, token: &str) -> StatusCode {
    let new = "a brand new passphrase";
    app.set_password(&app.new_browser(), token, new, new).await.status()
}

#[tokio::test]
async fn emailed_links_stop_working_when_the_address_changes_or_the_person_is_deactivated() {
    let app = spawn_app_as(PM).await;
    // A reset link went to the lead's old mailbox; then their address changes.
    app.forgot_password(&app.new_browser(), crate::helpers::LEAD_R0A).await;
    let reset = emailed_token(&app, 0).await;
    let lead = app.person_id(crate::helpers::LEAD_R0A).await.to_string();
    let res = app.edit_person(&app.client, &lead, &person("Grace Okafor", "grace.okafor@r0a.nhs.example", "R0A")).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert_eq!(set_password_with(&app, &reset).await, StatusCode::CONFLICT, "the old mailbox's link is retired");

    // An invitation, then deactivation: reactivating does not bring the link back.
    let invited = app.person_id(crate::helpers::INVITED_R0A).await.to_string();
    let res = app.resend_invitation(&app.client, &invited).await;
    assert_eq!(res.status(), StatusCode::OK);
    let invitation = emailed_token(&app, 1).await;
    for action in ["deactivate", "reactivate"] {
        let res = app.set_person_status(&app.client, &invited, action).await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
    }
    assert_eq!(set_password_with(&app, &invitation).await, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_project_manager_cannot_give_or_remove_their_own_roles_and_is_told_why() {
    let app = spawn_app_as(PM).await;
    let me = app.person_id(PM).await.to_string();
    let res = app.grant_role(&app.client, &me, "hr_officer", "R0A", "").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["Refused"], "You cannot give or remove your own roles. Ask another project manager");
    let own = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(me.parse::<i32>().unwrap()))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(own.len(), 1, "nothing granted");
    let res = app.remove_grant(&app.client, &me, &own[0].id.to_string()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        role_grant::Entity::find().filter(role_grant::Column::UserId.eq(own[0].user_id)).count(&app.db).await.unwrap(),
        1
    );
    // Their own page offers no button to remove it.
    let page = app.visit(&format!("/people/{me}")).await;
    assert!(!page.text.contains("Remove project manager"), "no button to remove one's own role");
}
