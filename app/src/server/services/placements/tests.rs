//! The placements service without HTTP, on an in-memory database.

use super::*;
use crate::server::entities::{audit_event, state_transition};
use crate::server::testing::{self, written};
use chrono::Duration;
use sea_orm::{DatabaseConnection, PaginatorTrait, QueryOrder, TransactionTrait};

fn input() -> PlacementInput {
    let day = |n: i64| (today() + Duration::days(n)).format("%Y-%m-%d").to_string();
    PlacementInput {
        department: "Acute Oncology".into(),
        pathway: "acute-oncology".into(),
        kind: "shadowing".into(),
        title: "Shadow the acute oncology team".into(),
        description: "A week on the unit.".into(),
        outcomes: "Recognise neutropenic sepsis early.".into(),
        supervisor: "Dr Ana Silva".into(),
        schedule: "fixed".into(),
        start: day(60),
        end: day(64),
        places: "1".into(),
        band_min: "5".into(),
        band_max: "7".into(),
        registration: "none".into(),
        closing_date: day(30),
        ..Default::default()
    }
}

/// A database with trusts RAA and RBB, a pathway and a lead at each.
async fn setup() -> (DatabaseConnection, Actor, Actor) {
    let db = testing::database().await;
    let a = testing::add_trust(&db, "RAA").await;
    let b = testing::add_trust(&db, "RBB").await;
    testing::add_pathway(&db, "acute-oncology").await;
    let lead = testing::person(&db, "lead@raa.nhs.example", Role::PlacementLead, a).await;
    let other = testing::person(&db, "lead@rbb.nhs.example", Role::PlacementLead, b).await;
    (db, lead, other)
}

async fn transitions(db: &DatabaseConnection, id: i32) -> Vec<(Option<String>, String, String, Option<i32>)> {
    state_transition::Entity::find()
        .filter(state_transition::Column::Entity.eq("placement"))
        .filter(state_transition::Column::EntityId.eq(id))
        .order_by_asc(state_transition::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.from_state, t.to_state, t.event, t.actor_id))
        .collect()
}

#[tokio::test]
async fn each_state_change_is_one_transition_row_with_who_made_it() {
    let (db, lead, _) = setup().await;
    let id = written(&db, async |txn| create(txn, &lead, "RAA", &input()).await).await.unwrap();
    written(&db, async |txn| change_state(txn, &lead, id, "publish", "").await.map(|_| 0)).await.unwrap();
    assert_eq!(place_accepted(&db, id).await.unwrap(), PlacementState::Full, "its one place taken");
    let by = Some(lead.user_id);
    assert_eq!(
        transitions(&db, id).await,
        vec![
            (None, "draft".into(), "created".into(), by),
            (Some("draft".into()), "open".into(), "publish".into(), by),
            (Some("open".into()), "full".into(), "filled".into(), None),
        ]
    );
    let copy = written(&db, async |txn| copy(txn, &lead, id).await).await.unwrap();
    assert_eq!(transitions(&db, copy).await, vec![(None, "draft".into(), "copied".into(), by)]);
}

#[tokio::test]
async fn steps_in_one_transaction_commit_together_or_not_at_all() {
    let (db, lead, _) = setup().await;
    let txn = db.begin().await.unwrap();
    let id = create(&txn, &lead, "RAA", &input()).await.unwrap();
    change_state(&txn, &lead, id, "publish", "").await.unwrap();
    // The second step fails (published already): the caller drops the transaction.
    assert!(matches!(change_state(&txn, &lead, id, "publish", "").await, Err(AppError::Conflict(_))));
    drop(txn);
    assert_eq!(placement::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(state_transition::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(audit_event::Entity::find().count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn another_trusts_lead_changes_nothing() {
    let (db, lead, other) = setup().await;
    let id = written(&db, async |txn| create(txn, &lead, "RAA", &input()).await).await.unwrap();
    let refused = written(&db, async |txn| change_state(txn, &other, id, "cancel", "no").await.map(|_| 0)).await;
    assert_eq!(refused, Err(AppError::NotFound), "a draft of another trust is not even seen");
    let refused = written(&db, async |txn| create(txn, &other, "RAA", &input()).await).await;
    assert_eq!(refused, Err(AppError::Forbidden));
    assert_eq!(placement::Entity::find().count(&db).await.unwrap(), 1);
    assert_eq!(transitions(&db, id).await.len(), 1, "only its creation");
}

#[tokio::test]
async fn a_guarded_transition_from_a_state_the_row_has_left_changes_nothing() {
    let (db, lead, _) = setup().await;
    let id = written(&db, async |txn| create(txn, &lead, "RAA", &input()).await).await.unwrap();
    let stale = moved(id, Some(PlacementState::Open), PlacementState::Closed, "close", Some(lead.user_id));
    let update = placement::Entity::update_many().filter(placement::Column::Id.eq(id));
    assert!(!db::transition(&db, update, placement::Column::State, stale).await.unwrap());
    let p = placement::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
    assert_eq!(p.state, PlacementState::Draft);
    assert_eq!(transitions(&db, id).await.len(), 1);
}

#[tokio::test]
async fn the_view_offers_a_lead_only_what_the_state_machine_allows() {
    let (db, lead, other) = setup().await;
    let id = written(&db, async |txn| create(txn, &lead, "RAA", &input()).await).await.unwrap();
    let v = get(&db, &lead, id).await.unwrap();
    assert_eq!((v.state, v.events), (PlacementState::Draft, vec![PlacementEvent::Publish, PlacementEvent::Cancel]));
    written(&db, async |txn| change_state(txn, &lead, id, "publish", "").await.map(|_| 0)).await.unwrap();
    let v = get(&db, &lead, id).await.unwrap();
    assert_eq!(v.events, vec![PlacementEvent::Close, PlacementEvent::Cancel]);
    let seen_by_other = get(&db, &other, id).await.unwrap();
    assert_eq!((seen_by_other.state, seen_by_other.events), (PlacementState::Open, vec![]), "nothing to press");
}
