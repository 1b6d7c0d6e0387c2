//! Placements as their host trust's leads write and manage them: validation, the state
//! machine against the real server, copying, and who sees a draft.

use crate::helpers::{LEAD_R0A, NURSE_R0A, PM, field_messages, spawn_app_as};
use crate::placements_schema::placement_at;
use app::server::entities::placement;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

/// A valid placement form (for R0A; dates in 2099 so it can always be published).
pub fn form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("site", ""),
        ("department", "Acute Oncology"),
        ("pathway", "acute-oncology"),
        ("kind", "shadowing"),
        ("title", "Shadow a 7-day acute oncology service"),
        ("description", "Spend a week with the team: triage line, ward reviews, MDT."),
        ("outcomes", "Recognise and escalate neutropenic sepsis."),
        ("supervisor", "Dr Ana Silva"),
        ("schedule", "fixed"),
        ("start", "2099-03-01"),
        ("end", "2099-03-05"),
        ("days", ""),
        ("places", "2"),
        ("staff_groups[]", "nursing_midwifery"),
        ("band_min", "5"),
        ("band_max", "7"),
        ("registration", "any"),
        ("closing_date", "2099-02-01"),
    ]
}

fn with(fields: &[(&'static str, &'static str)], key: &str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    fields.iter().map(|(k, v)| (*k, if *k == key { value } else { *v })).collect()
}

async fn create(app: &crate::helpers::TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.create_placement(&app.client, "R0A", fields).await
}

#[tokio::test]
async fn a_lead_writes_a_draft_that_only_its_trusts_leads_see_then_publishes_it() {
    let app = spawn_app_as(LEAD_R0A).await;
    let res = create(&app, &form()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let path: String = res.json().await.unwrap();
    assert!(path.ends_with("?created=1"), "{path}: the new placement's page, saying it was saved");
    let id = path.trim_start_matches("/placements/").trim_end_matches("?created=1").to_owned();
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let pm = app.browser_signed_in_as(PM).await;
    assert_eq!(app.view_placement(&nurse, &id).await.status(), StatusCode::NOT_FOUND, "a draft is the leads' alone");
    assert_eq!(app.view_placement(&pm, &id).await.status(), StatusCode::NOT_FOUND);

    let res = app.publish(&app.client, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: serde_json::Value = app.view_placement(&nurse, &id).await.json().await.unwrap();
    assert_eq!(view["state"], "Open");
    assert_eq!(view["places_left"], 2);
    assert_eq!(view["not_eligible_because"], serde_json::json!([]), "a band 6 registered nurse may apply");
    assert_eq!(view["manageable"], false);
    // Publishing twice is refused by the state machine.
    let res = app.publish(&app.client, &id).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn bad_placement_forms_get_a_message_per_field_and_save_nothing() {
    let app = spawn_app_as(LEAD_R0A).await;
    let cases = [
        ("title", "", "Enter a title"),
        ("supervisor", "", "Enter the supervisor's name"),
        ("places", "0", "Offer between 1 and 50 places"),
        ("places", "many", "Enter the number of places as a whole number, like 2"),
        ("band_max", "4", "The highest band must be 5 or above"),
        ("end", "2099-02-27", "The end date must be on or after the start date"),
        ("closing_date", "2099-03-02", "The closing date must be before the placement starts"),
        ("pathway", "no-such-pathway", "Select a pathway from the list"),
        ("kind", "holiday", "Select the kind of placement"),
        ("registration", "", "Select whether a professional registration is needed"),
    ];
    for (field, value, message) in cases {
        let msgs = field_messages(create(&app, &with(&form(), field, value)).await).await;
        assert!(msgs.contains(&(field.to_owned(), message.to_owned())), "{field}={value}: {msgs:?}");
    }
    // A site of another trust.
    let other_site = {
        use app::server::entities::{site, trust};
        use sea_orm::{ColumnTrait, QueryFilter};
        let t = trust::Entity::find().filter(trust::Column::OdsCode.eq("RM3")).one(&app.db).await.unwrap().unwrap();
        site::Entity::find().filter(site::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap().id.to_string()
    };
    let mut f = form();
    f[0] = ("site", other_site.as_str());
    let msgs = field_messages(create(&app, &f).await).await;
    assert_eq!(msgs, [("site".to_owned(), "Select a site from the list".to_owned())]);
    assert_eq!(placement::Entity::find().all(&app.db).await.unwrap().len(), 0);
}

#[tokio::test]
async fn places_never_drop_below_those_accepted_and_a_full_placement_reopens_with_more() {
    let app = spawn_app_as(LEAD_R0A).await;
    let p = placement_at(&app, "R0A", "full").await;
    let mut row: placement::ActiveModel = p.clone().into();
    row.accepted = Set(2);
    row.update(&app.db).await.unwrap();
    let id = p.id.to_string();
    let msgs = field_messages(app.update_placement(&app.client, &id, &with(&form(), "places", "1")).await).await;
    assert_eq!(msgs[0].1, "2 people have already been accepted. Offer at least 2 places");
    assert_eq!(app.update_placement(&app.client, &id, &with(&form(), "places", "3")).await.status(), StatusCode::OK);
    let after = placement::Entity::find_by_id(p.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((after.places, after.state.code()), (3, "open"), "a place freed: open again");
}

#[tokio::test]
async fn cancelling_needs_a_reason_is_final_and_a_copy_is_a_new_draft() {
    let app = spawn_app_as(LEAD_R0A).await;
    let p = placement_at(&app, "R0A", "open").await;
    let id = p.id.to_string();
    let msgs = field_messages(app.cancel(&app.client, &id, " ").await).await;
    assert_eq!(msgs[0].0, "reason");
    let res = app.cancel(&app.client, &id, "Supervisor on long-term leave").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.reopen(&app.client, &id).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(
        app.update_placement(&app.client, &id, &form()).await.status(),
        StatusCode::CONFLICT,
        "a cancelled placement cannot be edited"
    );
    // An event that does not exist, posted as it is.
    let res = app.call(&app.client, "placements/state", &[("id", &id), ("event", "explode")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let copy: String = app.copy_placement(&app.client, &id).await.json().await.unwrap();
    let copy_id: i32 = copy.trim_start_matches("/placements/").parse().unwrap();
    let c = placement::Entity::find_by_id(copy_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((c.state.code(), c.copied_from, c.cancel_reason), ("draft", Some(p.id), None));
    assert_eq!(c.title, p.title);
}

#[tokio::test]
async fn a_placement_whose_closing_date_has_passed_cannot_be_published_or_reopened() {
    let app = spawn_app_as(LEAD_R0A).await;
    // `placement_at` writes dates in 2027; move them into the past.
    let p = placement_at(&app, "R0A", "draft").await;
    let mut row: placement::ActiveModel = p.clone().into();
    row.closing_date = Set(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
    row.update(&app.db).await.unwrap();
    let res = app.publish(&app.client, &p.id.to_string()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // A closed placement past its closing date is not reopened either.
    let closed = placement_at(&app, "R0A", "closed").await;
    let mut row: placement::ActiveModel = closed.clone().into();
    row.closing_date = Set(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
    row.update(&app.db).await.unwrap();
    let res = app.reopen(&app.client, &closed.id.to_string()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    for (id, state) in [(p.id, "draft"), (closed.id, "closed")] {
        let now = placement::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(now.state.code(), state, "placement {id} unchanged");
    }
}

#[tokio::test]
async fn a_trusts_list_shows_its_leads_the_drafts_and_a_project_manager_only_the_published() {
    let app = spawn_app_as(LEAD_R0A).await;
    placement_at(&app, "R0A", "draft").await;
    placement_at(&app, "R0A", "open").await;
    let list: serde_json::Value = app.trust_placements(&app.client, "R0A").await.json().await.unwrap();
    assert_eq!(list["rows"].as_array().unwrap().len(), 2);
    assert_eq!(list["manageable"], true);
    let pm = app.browser_signed_in_as(PM).await;
    let list: serde_json::Value = app.trust_placements(&pm, "R0A").await.json().await.unwrap();
    assert_eq!(list["rows"].as_array().unwrap().len(), 1);
    assert_eq!(list["rows"][0]["state"], "Open");
    assert_eq!(list["manageable"], false, "a project manager sees but does not change");
}

#[tokio::test]
async fn a_placement_fills_by_itself_when_its_last_place_is_accepted_and_opens_again_when_one_is_given_back() {
    use app::server::services::placements::{place_accepted, place_released};
    let app = spawn_app_as(NURSE_R0A).await;
    let p = placement_at(&app, "R0A", "open").await;
    let pid = p.id;
    let in_browse = async |app: &crate::helpers::TestApp| {
        let query = [("filtered", "true"), ("eligible", "false")];
        let page: serde_json::Value = app.browse_placements(&app.client, &query).await.json().await.unwrap();
        page["rows"].as_array().unwrap().iter().any(|r| r["id"] == pid)
    };
    assert!(in_browse(&app).await);
    assert_eq!(place_accepted(&app.db, p.id).await.unwrap().code(), "open", "one of two places taken");
    assert_eq!(place_accepted(&app.db, p.id).await.unwrap().code(), "full", "the last place fills it");
    assert!(!in_browse(&app).await, "a full placement is not offered");
    let view: serde_json::Value = app.view_placement(&app.client, &p.id.to_string()).await.json().await.unwrap();
    assert_eq!((view["state"].as_str(), view["places_left"].as_i64()), (Some("Full"), Some(0)));
    assert!(place_accepted(&app.db, p.id).await.is_err(), "never more accepted than places");

    assert_eq!(place_released(&app.db, p.id).await.unwrap().code(), "open", "a place given back opens it again");
    assert!(in_browse(&app).await);
    let after = placement::Entity::find_by_id(p.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((after.accepted, after.state.code()), (1, "open"));
}
