//! The network service without HTTP, on an in-memory database.

use super::*;
use crate::domain::{NewTeam, NewTeamInput, Role};
use crate::server::db;
use crate::server::entities::{audit_event, outbox};
use crate::server::testing;
use sea_orm::{ActiveModelTrait, DatabaseConnection, PaginatorTrait, Set};

const URL: &str = "https://passport.example";

fn team(name: &str) -> NewTeam {
    let input = NewTeamInput { trust: "RAA".into(), name: name.into(), site: String::new(), min_cover: "2".into() };
    NewTeam::parse(&input).expect("a valid team")
}

/// Trust RAA (with a contact address), a project manager and RAA's HR officer.
async fn setup() -> (DatabaseConnection, Actor, Actor) {
    let db = testing::database().await;
    let a = testing::add_trust(&db, "RAA").await;
    let mut t: trust::ActiveModel = trust::Entity::find_by_id(a).one(&db).await.unwrap().unwrap().into();
    t.contact_email = Set(Some("workforce@raa.nhs.example".into()));
    t.update(&db).await.unwrap();
    let pm = testing::person(&db, "pm@alliance.nhs.example", Role::ProjectManager, a).await;
    let hr = testing::person(&db, "hr@raa.nhs.example", Role::HrOfficer, a).await;
    (db, pm, hr)
}

async fn counts(db: &DatabaseConnection) -> [u64; 3] {
    [
        team::Entity::find().count(db).await.unwrap(),
        outbox::Entity::find().count(db).await.unwrap(),
        audit_event::Entity::find().count(db).await.unwrap(),
    ]
}

#[tokio::test]
async fn a_new_team_its_notice_to_the_trust_and_its_audit_entry_commit_together_or_not_at_all() {
    let (db, pm, _) = setup().await;
    let txn = db::begin_write(&db).await.unwrap();
    add_team(&txn, &pm, URL, team("Chemotherapy Day Unit")).await.unwrap();
    drop(txn);
    assert_eq!(counts(&db).await, [0, 0, 0]);

    let txn = db::begin_write(&db).await.unwrap();
    let notice = add_team(&txn, &pm, URL, team("Chemotherapy Day Unit")).await;
    txn.commit().await.unwrap();
    assert_eq!(notice, Ok("Chemotherapy Day Unit added to RAA NHS Foundation Trust".to_owned()));
    assert_eq!(counts(&db).await, [1, 1, 1]);
    let mail = outbox::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(mail.recipient, "workforce@raa.nhs.example");
    assert!(mail.body_text.contains("https://passport.example/trusts/RAA"), "{}", mail.body_text);
    let entry = audit_event::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!((entry.action.code(), entry.actor_id), ("team_added", Some(pm.user_id)));
}

#[tokio::test]
async fn a_second_team_of_the_same_name_is_refused_beside_the_name_keeping_what_was_typed() {
    let (db, pm, _) = setup().await;
    let txn = db::begin_write(&db).await.unwrap();
    add_team(&txn, &pm, URL, team("Chemotherapy Day Unit")).await.unwrap();
    let Err(AppError::Validation(f)) = add_team(&txn, &pm, URL, team("chemotherapy day unit")).await else {
        panic!("a duplicate team must be refused beside its field");
    };
    let message = "RAA NHS Foundation Trust already has a team called chemotherapy day unit";
    assert_eq!(f.message_for("name"), Some(message));
    assert_eq!(f.value_of("name"), Some("chemotherapy day unit"));
}

#[tokio::test]
async fn only_a_project_manager_changes_the_network_and_a_refusal_writes_nothing() {
    let (db, _, hr) = setup().await;
    let txn = db::begin_write(&db).await.unwrap();
    assert_eq!(add_team(&txn, &hr, URL, team("Radiotherapy")).await, Err(AppError::Forbidden));
    assert_eq!(add_site(&txn, &hr, "RAA", "Christie Hospital").await, Err(AppError::Forbidden));
    assert_eq!(add_pathway(&txn, &hr, "Lung cancer", "active").await, Err(AppError::Forbidden));
    assert_eq!(get_team(&txn, &hr, 1).await.map(|t| t.id), Err(AppError::Forbidden));
    txn.commit().await.unwrap();
    assert_eq!(counts(&db).await, [0, 0, 0]);
    // Anyone, signed in or not, reads what the alliance publishes.
    assert_eq!(list_trusts(&db, None).await.map(|t| t.len()), Ok(1));
}
