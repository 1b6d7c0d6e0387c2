//! Browsing placements: only open ones, "only what I am eligible for" on by default and in
//! agreement with each placement's own eligibility verdict, filters, free-text search, sorting,
//! pagination, bad filters, and the page without JavaScript.

use crate::helpers::{LEAD_R0A, NURSE_R0A, PM, TestApp, spawn_app, spawn_app_as, spawn_app_with};
use app::server::entities::placement;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use std::collections::BTreeSet;

const RADIOGRAPHER_RBV: &str = "radiographer@rbv.nhs.example";

async fn with_placements(email: &str, at_least: usize) -> TestApp {
    let app = spawn_app_as(email).await;
    server::seed_placements::demo_placements(&app.db, at_least).await.unwrap();
    app
}

async fn browse(app: &TestApp, client: &reqwest::Client, query: &[(&str, &str)]) -> Value {
    let res = app.browse_placements(client, query).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Rewrites placement `id`'s description through the lead's edit form (the app's client).
async fn describe(app: &TestApp, id: i32, description: &'static str) {
    let mut fields = crate::placements::form();
    for f in fields.iter_mut() {
        if f.0 == "description" {
            f.1 = description;
        }
    }
    assert_eq!(app.update_placement(&app.client, &id.to_string(), &fields).await.status(), StatusCode::OK);
}

/// The demo's "Shadow a 7-day acute oncology service" placement (R0A's, open).
async fn shadowing(app: &TestApp) -> placement::Model {
    placement::Entity::find()
        .filter(placement::Column::Title.eq("Shadow a 7-day acute oncology service"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

fn ids(page: &Value) -> BTreeSet<i64> {
    page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

fn titles(page: &Value) -> Vec<String> {
    page["rows"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_owned()).collect()
}

/// Ids of open placements whose own page tells `client` it is eligible (or every open one).
async fn open_ids(app: &TestApp, client: &reqwest::Client, only_eligible: bool) -> BTreeSet<i64> {
    let open = placement::Entity::find().filter(placement::Column::State.eq("open")).all(&app.db).await.unwrap();
    let mut out = BTreeSet::new();
    for p in open {
        let view: Value = app.view_placement(client, &p.id.to_string()).await.json().await.unwrap();
        if !only_eligible || view["not_eligible_because"] == serde_json::json!([]) {
            out.insert(i64::from(p.id));
        }
    }
    out
}

#[tokio::test]
async fn staff_see_only_open_placements_they_are_eligible_for_unless_they_untick_it() {
    let app = with_placements(NURSE_R0A, 0).await;
    let page = browse(&app, &app.client, &[]).await;
    assert_eq!(page["is_staff"], true);
    let eligible = open_ids(&app, &app.client, true).await;
    assert!(!eligible.is_empty());
    assert_eq!(ids(&page), eligible, "the filter agrees with each placement's own verdict");
    let all = browse(&app, &app.client, &[("filtered", "true"), ("eligible", "false")]).await;
    let every_open = open_ids(&app, &app.client, false).await;
    assert_eq!(ids(&all), every_open);
    assert!(every_open.len() > eligible.len(), "a nurse is not eligible for everything");
    // Drafts and closed placements never appear.
    for t in titles(&all) {
        assert!(
            !t.contains("Mentoring for new chemotherapy nurses") && !t.contains("service improvement project"),
            "{t}"
        );
    }

    // A radiographer (AHP, HCPC) sees a different set: the radiotherapy placement among it.
    let rad = app.browser_signed_in_as(RADIOGRAPHER_RBV).await;
    let theirs = browse(&app, &rad, &[]).await;
    assert_eq!(ids(&theirs), open_ids(&app, &rad, true).await);
    assert!(titles(&theirs).iter().any(|t| t.starts_with("Radiotherapy planning")));
    assert!(!titles(&page).iter().any(|t| t.starts_with("Radiotherapy planning")));
}

#[tokio::test]
async fn filters_narrow_by_pathway_kind_trust_and_dates_and_sorting_orders_by_date() {
    let app = with_placements(PM, 60).await;
    let pm = &app.client;
    let everything = browse(&app, pm, &[]).await;
    assert_eq!(everything["is_staff"], false, "eligibility does not apply to a project manager");
    let total = everything["total"].as_u64().unwrap();
    assert_eq!(total as usize, open_ids(&app, pm, false).await.len());

    let imaging = browse(&app, pm, &[("pathway", "imaging")]).await;
    assert!(imaging["total"].as_u64().unwrap() > 0);
    for r in imaging["rows"].as_array().unwrap() {
        assert_eq!(r["pathway"], "Imaging");
    }
    let training = browse(&app, pm, &[("kind", "training")]).await;
    for r in training["rows"].as_array().unwrap() {
        assert_eq!(r["kind"], "Training and education");
    }
    let christie = browse(&app, pm, &[("trust", "rbv")]).await;
    assert!(christie["total"].as_u64().unwrap() > 0);
    for r in christie["rows"].as_array().unwrap() {
        assert_eq!(r["trust_name"], "The Christie NHS Foundation Trust");
    }
    let mut sum = 0;
    for k in ["training", "shadowing", "mentoring", "leadership", "service_support"] {
        sum += browse(&app, pm, &[("kind", k)]).await["total"].as_u64().unwrap();
    }
    assert_eq!(sum, total, "the kinds partition the list");

    // A date range keeps placements running at least partly inside it.
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today + chrono::Duration::days(60), today + chrono::Duration::days(90));
    let ranged = browse(&app, pm, &[("from", &from.to_string()), ("to", &to.to_string())]).await;
    let in_range = placement::Entity::find()
        .filter(placement::Column::State.eq("open"))
        .filter(placement::Column::EndDate.gte(from))
        .filter(placement::Column::StartDate.lte(to))
        .all(&app.db)
        .await
        .unwrap()
        .len();
    assert_eq!(ranged["total"].as_u64().unwrap() as usize, in_range);
    assert!(in_range > 0 && (in_range as u64) < total);

    // Sorting: closing date by default, start date when asked, every page in order.
    async fn dates(app: &TestApp, client: &reqwest::Client, sort: &str, by_start: bool) -> Vec<chrono::NaiveDate> {
        let page = browse(app, client, &[("sort", sort)]).await;
        let mut out = Vec::new();
        for id in page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()) {
            let p = placement::Entity::find_by_id(id as i32).one(&app.db).await.unwrap().unwrap();
            out.push(if by_start { p.start_date } else { p.closing_date });
        }
        out
    }
    let by_closing = dates(&app, pm, "", false).await;
    assert!(by_closing.windows(2).all(|w| w[0] <= w[1]), "{by_closing:?}");
    let by_start = dates(&app, pm, "start", true).await;
    assert!(by_start.windows(2).all(|w| w[0] <= w[1]), "{by_start:?}");
}

#[tokio::test]
async fn results_come_a_page_at_a_time_with_every_open_placement_once() {
    let app = with_placements(PM, 70).await;
    let first = browse(&app, &app.client, &[]).await;
    let total = first["total"].as_u64().unwrap();
    let pages = first["pages"].as_u64().unwrap();
    assert_eq!(pages, total.div_ceil(20));
    assert!(pages >= 3, "{total} open placements");
    let mut seen = BTreeSet::new();
    for n in 1..=pages {
        let page = browse(&app, &app.client, &[("page", &n.to_string())]).await;
        assert_eq!(page["page"], n);
        let rows = ids(&page);
        assert_eq!(rows.len() as u64, if n < pages { 20 } else { total - 20 * (pages - 1) });
        assert!(seen.is_disjoint(&rows), "no placement on two pages");
        seen.extend(rows);
    }
    assert_eq!(seen, open_ids(&app, &app.client, false).await);
    // A page past the end shows the last page.
    let past = browse(&app, &app.client, &[("page", "999")]).await;
    assert_eq!(past["page"], pages);
}

#[tokio::test]
async fn free_text_search_finds_words_and_prefixes_in_title_description_and_outcomes() {
    let app = with_placements(PM, 0).await;
    let pm = &app.client;
    // In the learning outcomes of some placements only.
    let sepsis = browse(&app, pm, &[("q", "neutropenic sepsis")]).await;
    let expected: BTreeSet<i64> = placement::Entity::find()
        .filter(placement::Column::State.eq("open"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.outcomes.contains("neutropenic sepsis"))
        .map(|p| i64::from(p.id))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(&sepsis), expected);
    // A prefix matches a whole word; a title word matches.
    let immuno = browse(&app, pm, &[("q", "Immuno")]).await;
    assert!(titles(&immuno).iter().any(|t| t == "Immunotherapy toxicity clinic"));
    let radiotherapy = browse(&app, pm, &[("q", "radiotherapy")]).await;
    assert_eq!(titles(&radiotherapy), vec!["Radiotherapy planning: observe the pathway"]);
    // Query syntax and quotes are only words: no error, nothing unexpected.
    for q in ["\"unbalanced", "sepsis OR *", "'; DROP TABLE placements; --", "NEAR(a b)", "%_"] {
        let page = browse(&app, pm, &[("q", q)]).await;
        assert!(page["total"].as_u64().is_some(), "{q}");
    }
    assert_eq!(browse(&app, pm, &[("q", "zzzunknownword")]).await["total"], 0);
    assert!(placement::Entity::find().all(&app.db).await.unwrap().len() >= 10, "nothing was dropped");
}

#[tokio::test]
async fn search_follows_edits_to_a_placement() {
    let app = with_placements(LEAD_R0A, 0).await;
    let p = shadowing(&app).await;
    assert_eq!(browse(&app, &app.client, &[("q", "brachytherapy")]).await["total"], 0);
    describe(&app, p.id, "Observe brachytherapy with the team.").await;
    assert_eq!(ids(&browse(&app, &app.client, &[("q", "brachytherapy")]).await), BTreeSet::from([i64::from(p.id)]));
}

#[tokio::test]
async fn a_bad_filter_gets_a_message_beside_it_and_the_rest_still_apply() {
    let app = with_placements(PM, 0).await;
    let page = browse(&app, &app.client, &[("from", "31/02/2027"), ("pathway", "imaging")]).await;
    assert_eq!(page["problems"], serde_json::json!([["from", "Enter a real date, like 27/03/2027"]]));
    for r in page["rows"].as_array().unwrap() {
        assert_eq!(r["pathway"], "Imaging");
    }
    let page = browse(&app, &app.client, &[("pathway", "astrology"), ("kind", "holiday")]).await;
    let fields: Vec<&str> = page["problems"].as_array().unwrap().iter().map(|p| p[0].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["pathway", "kind"]);
    let page = browse(&app, &app.client, &[("from", "2027-06-01"), ("to", "2027-05-01")]).await;
    assert_eq!(page["problems"][0][0], "to");
}

#[tokio::test]
async fn without_javascript_the_filters_are_a_link_and_the_page_keeps_them() {
    let app = with_placements(NURSE_R0A, 0).await;
    let page = app.visit("/placements?pathway=acute-oncology&kind=training&filtered=1&eligible=1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Acute oncology triage line: supervised practice"), "{}", page.text);
    assert!(!page.text.contains("Shadow a 7-day acute oncology service"), "a shadowing placement is filtered out");
    let selected = |name: &str| {
        let sel = scraper::Selector::parse(&format!("select[name={name}] option[selected]")).unwrap();
        page.html.select(&sel).next().map(|o| o.value().attr("value").unwrap_or_default().to_owned())
    };
    assert_eq!(selected("pathway").as_deref(), Some("acute-oncology"));
    assert_eq!(selected("kind").as_deref(), Some("training"));
    let checked = scraper::Selector::parse("input[name=eligible][checked]").unwrap();
    assert!(page.html.select(&checked).next().is_some(), "the eligibility box stays ticked");
    // Unticked and submitted: everything open, the box unticked.
    let page = app.visit("/placements?filtered=1").await;
    assert!(page.html.select(&checked).next().is_none());
    assert!(page.text.contains("Radiotherapy planning: observe the pathway"));
    // A bad date is shown beside its field, with what was typed.
    let page = app.visit("/placements?from=2027-13-45&filtered=1").await;
    assert!(page.text.contains("Enter a real date, like 27/03/2027"));
    assert!(page.text.contains("value=\"2027-13-45\""));
}

#[tokio::test]
async fn browsing_needs_a_signed_in_person() {
    let app = spawn_app().await;
    let res = app.browse_placements(&app.client, &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let page = app.client.get(app.url("/placements")).header("accept", "text/html").send().await.unwrap();
    assert!(page.status().is_redirection());
}

#[tokio::test]
async fn two_servers_on_one_database_each_see_the_others_changes_at_once() {
    // Browsing reads an index each server keeps in memory: a change made through one server,
    // or straight in the database, shows on the next page any server renders.
    let app = with_placements(LEAD_R0A, 0).await;
    let other = spawn_app_with({
        let url = app.settings.database.url.clone();
        move |s| s.database.url = url
    })
    .await;
    let lead_on_other = other.browser_signed_in_as(LEAD_R0A).await;
    let query = [("q", "brachytherapy"), ("filtered", "true")];
    assert_eq!(browse(&other, &lead_on_other, &query).await["total"], 0, "the other server's index is built");

    let p = shadowing(&app).await;
    describe(&app, p.id, "Observe brachytherapy with the team.").await;
    assert_eq!(ids(&browse(&other, &lead_on_other, &query).await), BTreeSet::from([i64::from(p.id)]));

    // Written straight to the database (no service told anyone): a trust renamed, a placement closed.
    app.db
        .execute_unprepared("UPDATE trusts SET name = 'Renamed Hospital NHS Trust' WHERE ods_code = 'R0A'")
        .await
        .unwrap();
    let page = browse(&other, &lead_on_other, &query).await;
    assert_eq!(page["rows"][0]["trust_name"], "Renamed Hospital NHS Trust");
    assert!(page["trusts"].as_array().unwrap().iter().any(|t| t[1] == "Renamed Hospital NHS Trust"));
    app.db.execute_unprepared(&format!("UPDATE placements SET state = 'closed' WHERE id = {}", p.id)).await.unwrap();
    assert_eq!(browse(&other, &lead_on_other, &query).await["total"], 0);
    assert_eq!(browse(&app, &app.client, &query).await["total"], 0);
}

#[tokio::test]
async fn search_matches_every_word_as_a_prefix_of_some_word_in_any_order() {
    let app = with_placements(PM, 0).await;
    let pm = &app.client;
    let both = ids(&browse(&app, pm, &[("q", "sepsis neutro")]).await);
    assert_eq!(both, ids(&browse(&app, pm, &[("q", "NEUTROPENIC Sepsis")]).await), "order and case do not matter");
    assert!(!both.is_empty());
    // A word must begin a word: "tropenic" is inside one, not at its start.
    assert_eq!(browse(&app, pm, &[("q", "tropenic")]).await["total"], 0);
    // Every word must match: adding one that matches nothing empties the list.
    assert_eq!(browse(&app, pm, &[("q", "neutropenic zzzunknown")]).await["total"], 0);
}

#[tokio::test]
async fn places_taken_and_freed_show_at_once_and_a_full_placement_leaves_the_list() {
    // The index follows a placement's places and state without a rebuild; the page must still
    // show each change on the very next request, on either database.
    let app = with_placements(LEAD_R0A, 0).await;
    let p = shadowing(&app).await;
    let query = [("q", "shadow 7-day acute oncology service"), ("filtered", "true")];
    let places_left = async || {
        let page = browse(&app, &app.client, &query).await;
        page["rows"].as_array().unwrap().iter().find(|r| r["id"] == p.id).map(|r| r["places_left"].as_i64().unwrap())
    };
    assert_eq!(places_left().await, Some(i64::from(p.places)));
    let sql = async |sql: String| {
        app.db.execute_unprepared(&sql).await.unwrap();
    };
    sql(format!("UPDATE placements SET accepted = places - 1 WHERE id = {}", p.id)).await;
    assert_eq!(places_left().await, Some(1));
    sql(format!("UPDATE placements SET accepted = places, state = 'full' WHERE id = {}", p.id)).await;
    assert_eq!(places_left().await, None, "a full placement is not listed");
    sql(format!("UPDATE placements SET accepted = places - 1, state = 'open' WHERE id = {}", p.id)).await;
    assert_eq!(places_left().await, Some(1), "a place freed lists it again");
}
