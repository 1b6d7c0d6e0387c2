//! The placements table's own guarantees, on both databases: whatever the code does, the
//! database never holds more accepted people than places, a cancellation without a reason, or
//! dates out of order. (The placement features themselves come with the placements issue.)

use crate::helpers::{PM, TestApp, spawn_app};
use app::server::entities::{pathway, placement, trust, user};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, Statement};

async fn a_placement(app: &TestApp) -> placement::Model {
    placement_at(app, "RBV", "open").await
}

/// A placement of trust `ods` in `state`, written straight to the database.
pub async fn placement_at(app: &TestApp, ods: &str, state: &str) -> placement::Model {
    let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
    let p = pathway::Entity::find().one(&app.db).await.unwrap().unwrap();
    let u = user::Entity::find().filter(user::Column::Email.eq(PM)).one(&app.db).await.unwrap().unwrap();
    // Dates relative to today, so the placement can always be published or reopened.
    let today = chrono::Utc::now().date_naive();
    let d = |weeks: i64, day: i64| today + chrono::Duration::weeks(weeks) + chrono::Duration::days(day);
    placement::ActiveModel {
        trust_id: Set(t.id),
        site_id: Set(None),
        department: Set("Acute Oncology".into()),
        pathway_id: Set(p.id),
        kind: Set(app::domain::PlacementKind::from_code("shadowing").unwrap()),
        title: Set("Shadow the acute oncology service".into()),
        description: Set("A week with the team".into()),
        outcomes: Set("Recognise neutropenic sepsis".into()),
        supervisor: Set("Dr Ana Silva".into()),
        schedule: Set("fixed".into()),
        start_date: Set(d(14, 0)),
        end_date: Set(d(14, 4)),
        window_days: Set(None),
        places: Set(2),
        accepted: Set(0),
        band_min: Set("5".into()),
        band_max: Set("7".into()),
        band_min_rank: Set(3),
        band_max_rank: Set(5),
        registration: Set("any".into()),
        closing_date: Set(d(10, 0)),
        state: Set(app::domain::PlacementState::from_code(state).unwrap()),
        cancel_reason: Set(None),
        copied_from: Set(None),
        created_by: Set(u.id),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        published_at: Set((state != "draft").then(Utc::now)),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("a valid placement is stored")
}

/// Accepts one more person if a place is left: the conditional update the acceptance code uses.
async fn accept_one(app: &TestApp, id: i32) -> u64 {
    let backend = app.db.get_database_backend();
    let sql = "UPDATE placements SET accepted = accepted + 1 WHERE id = $1 AND accepted < places";
    let sql = if backend == sea_orm::DatabaseBackend::Sqlite { sql.replace("$1", "?") } else { sql.to_owned() };
    app.db.execute_raw(Statement::from_sql_and_values(backend, sql, [id.into()])).await.unwrap().rows_affected()
}

#[tokio::test]
async fn the_database_never_holds_more_accepted_than_places() {
    let app = spawn_app().await;
    let p = a_placement(&app).await;
    assert_eq!(accept_one(&app, p.id).await, 1);
    assert_eq!(accept_one(&app, p.id).await, 1);
    assert_eq!(accept_one(&app, p.id).await, 0, "the third acceptance finds no place");
    // Even a blunt write past the limit is refused by the CHECK.
    let mut row: placement::ActiveModel =
        placement::Entity::find_by_id(p.id).one(&app.db).await.unwrap().unwrap().into();
    row.accepted = Set(3);
    assert!(row.update(&app.db).await.is_err());
}

#[tokio::test]
async fn a_cancellation_needs_a_reason_and_dates_must_be_in_order() {
    let app = spawn_app().await;
    let p = a_placement(&app).await;
    let mut row: placement::ActiveModel = p.clone().into();
    row.state = Set(app::domain::PlacementState::from_code("cancelled").unwrap());
    assert!(row.clone().update(&app.db).await.is_err(), "no reason");
    row.cancel_reason = Set(Some("Supervisor on leave".into()));
    assert!(row.update(&app.db).await.is_ok());
    let closing_after_start = p.start_date + chrono::Duration::days(1);
    let mut row: placement::ActiveModel = p.into();
    row.closing_date = Set(closing_after_start);
    assert!(row.update(&app.db).await.is_err(), "closing after the start");
}
