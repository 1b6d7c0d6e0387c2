use crate::helpers::{PM, TeamForm, spawn_app_as};
use reqwest::{StatusCode, header};
use std::time::Duration;

fn form<'a>(name: &'a str, site: &'a str, min_cover: &'a str) -> TeamForm<'a> {
    TeamForm { trust: "RWJ", name, site, min_cover }
}

const STOCKPORT_TEAMS: [&str; 3] = ["Acute Oncology Service", "Cancer Nurse Specialists", "Chemotherapy Day Unit"];

#[tokio::test]
async fn with_javascript_a_valid_team_is_saved_and_its_trust_is_emailed_over_smtp() {
    let app = spawn_app_as(PM).await;
    let res = app.add_team_with_js(form("  Haematology   Day Unit ", "", "5")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let notice: String = res.json().await.unwrap();
    assert_eq!(notice, "Haematology Day Unit added to Stockport NHS Foundation Trust");
    assert!(app.team_names("RWJ").await.contains(&"Haematology Day Unit".to_owned()));

    let mail = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].to, "education-lead@rwj.nhs.example");
    assert_eq!(mail[0].subject, "Team added to Stockport NHS Foundation Trust: Haematology Day Unit");
    assert!(mail[0].body.contains("Minimum cover: 5 staff on duty"), "{}", mail[0].body);
    assert!(mail[0].body.contains(&format!("{}/trusts/RWJ", app.base)), "{}", mail[0].body);
}

#[tokio::test]
async fn with_javascript_bad_input_gets_a_message_per_field_and_saves_nothing() {
    let app = spawn_app_as(PM).await;
    let long = "x".repeat(101);
    let res = app.add_team_with_js(form(&long, "not-a-site", "-1")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    let errors = &body["Validation"]["errors"];
    let message = |field: &str| {
        errors
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .map(|e| e["message"].as_str().unwrap().to_owned())
    };
    assert_eq!(message("name").as_deref(), Some("Team name must be 100 characters or fewer"));
    assert_eq!(message("site").as_deref(), Some("Select a site from the list"));
    assert_eq!(message("min_cover").as_deref(), Some("Minimum cover must be 0 or more"));
    assert_eq!(body["Validation"]["values"]["min_cover"], "-1");
    assert_eq!(app.team_names("RWJ").await, STOCKPORT_TEAMS);
    assert!(app.outbox().await.is_empty(), "no mail is queued for a refused change");
}

#[tokio::test]
async fn without_javascript_bad_input_redirects_back_and_the_page_shows_messages_and_typed_values() {
    let app = spawn_app_as(PM).await;
    let res = app.add_team_without_js(form("", "", "lots")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/trusts/RWJ");
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!res.headers()[header::LOCATION].to_str().unwrap().contains("lots"), "typed values stay out of the URL");

    let page = app.visit("/trusts/RWJ").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts(".nhsuk-error-summary__heading"), ["There is a problem"]);
    assert_eq!(
        page.texts(".nhsuk-error-summary__list a"),
        ["Enter a team name", "Minimum cover must be a whole number, like 4"]
    );
    assert_eq!(page.attr(".nhsuk-error-summary__list a", "href").as_deref(), Some("#name"));
    assert_eq!(page.texts("#name-error"), ["Error: Enter a team name"]);
    assert_eq!(page.attr("#min_cover", "value").as_deref(), Some("lots"));
    assert_eq!(page.attr("#min_cover", "aria-describedby").as_deref(), Some("min_cover-hint min_cover-error"));
    assert!(page.has(".nhsuk-form-group--error #min_cover.nhsuk-input--error"));
    assert_eq!(app.team_names("RWJ").await, STOCKPORT_TEAMS);

    // The messages are shown once: a reload shows a clean form.
    let again = app.visit("/trusts/RWJ").await;
    assert!(!again.has(".nhsuk-error-summary"));
    assert_eq!(again.attr("#min_cover", "value"), None);
}

#[tokio::test]
async fn without_javascript_a_valid_team_redirects_back_to_a_success_banner_and_the_new_row() {
    let app = spawn_app_as(PM).await;
    let site = {
        let page = app.visit("/trusts/RWJ").await;
        page.attr("select#site option:nth-child(2)", "value").unwrap()
    };
    let res = app.add_team_without_js(form("Radiotherapy", &site, "2")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.visit("/trusts/RWJ").await;
    assert_eq!(
        page.texts(".nhsuk-notification-banner__heading"),
        ["Radiotherapy added to Stockport NHS Foundation Trust"]
    );
    assert!(page.texts("tbody tr").contains(&"Radiotherapy Stepping Hill Hospital 2".to_owned()));
}

#[tokio::test]
async fn a_team_name_already_used_at_the_trust_is_refused_whatever_its_case() {
    let app = spawn_app_as(PM).await;
    let res = app.add_team_with_js(form("acute oncology SERVICE", "", "1")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["Validation"]["errors"][0]["message"],
        "Stockport NHS Foundation Trust already has a team called acute oncology SERVICE"
    );
    assert_eq!(app.team_names("RWJ").await, STOCKPORT_TEAMS);
}

#[tokio::test]
async fn a_site_of_another_trust_is_refused() {
    let app = spawn_app_as(PM).await;
    let salford = app.visit("/trusts/RM3").await.attr("select#site option:nth-child(2)", "value").unwrap();
    let res = app.add_team_with_js(form("Borrowed site team", &salford, "1")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["Validation"]["errors"][0]["field"], "site");
    assert_eq!(app.team_names("RWJ").await, STOCKPORT_TEAMS);
}

#[tokio::test]
async fn an_unknown_trust_is_not_found_and_missing_fields_are_a_bad_request_never_a_500() {
    let app = spawn_app_as(PM).await;
    let res = app.add_team_with_js(TeamForm { trust: "ZZZ", name: "Team", site: "", min_cover: "1" }).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .client
        .post(app.url("/api/network/add-team"))
        .header(header::ACCEPT, "application/json")
        .form(&[("trust", "RWJ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_post_whose_referer_is_another_site_is_sent_home_not_back_there() {
    let app = spawn_app_as(PM).await;
    let res = app
        .client
        .post(app.url("/api/network/add-team"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "https://evil.example/trusts/RWJ")
        .form(&[("trust", "RWJ"), ("name", ""), ("site", ""), ("min_cover", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/");
}
