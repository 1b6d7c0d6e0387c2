//! The project manager's network administration: trusts, sites, teams and pathways, with bad
//! input on every form.

use crate::helpers::{PM, TeamForm, TestApp, field_messages, spawn_app_as};
use reqwest::StatusCode;

async fn trust_names(app: &TestApp) -> Vec<String> {
    app.visit("/trusts").await.texts("tbody tr td:first-child")
}

#[tokio::test]
async fn a_trust_is_added_and_renamed_and_bad_details_change_nothing() {
    let app = spawn_app_as(PM).await;
    let res = app.add_trust(&app.client, "rxl", "Blackpool Teaching Hospitals NHS FT", "").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(trust_names(&app).await.contains(&"Blackpool Teaching Hospitals NHS FT".to_owned()));
    let before = trust_names(&app).await;
    let msgs = field_messages(app.add_trust(&app.client, "RXL", "Again", "").await).await;
    assert_eq!(msgs, [("ods".to_owned(), "A trust with ODS code RXL is already in the alliance".to_owned())]);
    let msgs = field_messages(app.add_trust(&app.client, "R!", "", "nope").await).await;
    let fields: Vec<_> = msgs.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(fields, ["ods", "name", "contact_email"]);
    assert_eq!(trust_names(&app).await, before);

    let res = app
        .edit_trust(&app.client, "RXL", "Blackpool Teaching Hospitals NHS Foundation Trust", "pp@bth.nhs.example")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = app.visit("/trusts/RXL").await;
    assert_eq!(page.texts("h1"), ["Blackpool Teaching Hospitals NHS Foundation Trust"]);
    let res = app.edit_trust(&app.client, "ZZZ", "Nowhere", "").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(app.audit_actions().await.contains(&"trust_updated".to_owned()));
}

#[tokio::test]
async fn a_site_is_added_once_and_a_team_is_edited_within_its_trust() {
    let app = spawn_app_as(PM).await;
    let res = app.add_site(&app.client, "RWJ", "Swanbourne Gardens").await;
    assert_eq!(res.status(), StatusCode::OK);
    let msgs = field_messages(app.add_site(&app.client, "RWJ", "Swanbourne Gardens").await).await;
    assert_eq!(msgs[0].1, "Stockport NHS Foundation Trust already has a site called Swanbourne Gardens");
    let msgs = field_messages(app.add_site(&app.client, "RWJ", " ").await).await;
    assert_eq!(msgs[0].1, "Enter the site's name");

    let page = app.visit("/trusts/RWJ").await;
    let edit_link = page.attr("tbody tr td a[href^='/teams/']", "href").expect("PMs get a link to edit each team");
    let id = edit_link.trim_start_matches("/teams/").to_owned();
    let team = |trust, name, min_cover| TeamForm { trust, name, site: "", min_cover };
    let res = app.edit_team(&app.client, &id, team("RWJ", "Acute Oncology", "6")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app.team_names("RWJ").await.contains(&"Acute Oncology".to_owned()));
    // Renaming onto another team's name, a bad cover, or the team through another trust: refused.
    let msgs = field_messages(app.edit_team(&app.client, &id, team("RWJ", "chemotherapy day unit", "1")).await).await;
    assert_eq!(msgs[0].1, "Stockport NHS Foundation Trust already has a team called chemotherapy day unit");
    let msgs = field_messages(app.edit_team(&app.client, &id, team("RWJ", "Acute Oncology", "many")).await).await;
    assert_eq!(msgs[0].0, "min_cover");
    let res = app.edit_team(&app.client, &id, team("R0A", "Stolen", "1")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page = app.visit(&format!("/teams/{id}")).await;
    assert_eq!(page.attr("input#min_cover", "value").as_deref(), Some("6"));
}

#[tokio::test]
async fn pathways_are_added_and_their_status_changed() {
    let app = spawn_app_as(PM).await;
    let res = app.add_pathway(&app.client, "Children's Cancer", "joining").await;
    assert_eq!(res.status(), StatusCode::OK);
    let msgs = field_messages(app.add_pathway(&app.client, "Children's Cancer", "joining").await).await;
    assert_eq!(msgs[0].1, "There is already a pathway called Children's Cancer");
    let msgs = field_messages(app.add_pathway(&app.client, "", "maybe").await).await;
    assert_eq!(msgs.len(), 2);
    let res = app.set_pathway_status(&app.client, "imaging", "active").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = app.visit("/pathways").await;
    let rows = page.texts(".nhsuk-summary-list__row");
    assert!(rows.iter().any(|r| r.starts_with("Imaging In the pilot")), "{rows:?}");
    assert!(rows.iter().any(|r| r.starts_with("Children's Cancer Asked to join")), "{rows:?}");
    let res = app.set_pathway_status(&app.client, "no-such", "active").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sites_and_pathways_are_renamed_but_never_onto_a_name_in_use() {
    use app::server::entities::site;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let app = spawn_app_as(PM).await;
    let t = app::server::entities::trust::Entity::find()
        .filter(app::server::entities::trust::Column::OdsCode.eq("R0A"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let sites = site::Entity::find()
        .filter(site::Column::TrustId.eq(t.id))
        .order_by_asc(site::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let (first, second) = (sites[0].id.to_string(), sites[1].name.clone());
    let msgs = field_messages(app.rename_site(&app.client, &first, &second).await).await;
    assert_eq!(
        msgs[0],
        (
            "new_name".to_owned(),
            format!("Manchester University NHS Foundation Trust already has a site called {second}")
        )
    );
    let msgs = field_messages(app.rename_site(&app.client, "", "").await).await;
    assert_eq!(msgs.len(), 2);
    let res = app.rename_site(&app.client, &first, "MRI (Oxford Road)").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app.visit("/trusts/R0A").await.texts("main ul.nhsuk-list li").contains(&"MRI (Oxford Road)".to_owned()));

    let msgs = field_messages(app.rename_pathway(&app.client, "imaging", "Acute Oncology").await).await;
    assert_eq!(msgs[0].1, "There is already a pathway called Acute Oncology");
    let msgs = field_messages(app.rename_pathway(&app.client, "nope", "X").await).await;
    assert_eq!(msgs[0].0, "slug");
    let res = app.rename_pathway(&app.client, "imaging", "Diagnostic Imaging").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app.visit("/pathways").await.text.contains("Diagnostic Imaging"));
}
