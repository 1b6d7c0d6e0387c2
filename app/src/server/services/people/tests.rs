//! The people service without HTTP, on an in-memory database.

use super::*;
use crate::domain::AccountChange;
use crate::server::db;
use crate::server::entities::{audit_event, auth_token, outbox};
use crate::server::testing;
use sea_orm::{DatabaseConnection, PaginatorTrait};

const INVITE: Invite<'static> = Invite { public_url: "https://passport.example", days: 7 };

fn newcomer(trust: &str) -> PersonInput {
    PersonInput {
        name: "Ravi Shah".into(),
        email: "ravi.shah@raa.nhs.example".into(),
        trust: trust.into(),
        ..Default::default()
    }
}

/// Trusts RAA and RBB, with an HR officer at each.
async fn setup() -> (DatabaseConnection, Actor, Actor) {
    let db = testing::database().await;
    let a = testing::add_trust(&db, "RAA").await;
    let b = testing::add_trust(&db, "RBB").await;
    let hr = testing::person(&db, "hr@raa.nhs.example", Role::HrOfficer, a).await;
    let other = testing::person(&db, "hr@rbb.nhs.example", Role::HrOfficer, b).await;
    (db, hr, other)
}

/// Rows in the tables a change to people writes to: people, links, mail and the audit log.
async fn counts(db: &DatabaseConnection) -> [u64; 4] {
    [
        user::Entity::find().count(db).await.unwrap(),
        auth_token::Entity::find().count(db).await.unwrap(),
        outbox::Entity::find().count(db).await.unwrap(),
        audit_event::Entity::find().count(db).await.unwrap(),
    ]
}

#[tokio::test]
async fn adding_a_person_writes_them_their_invitation_and_the_audit_entry_in_the_callers_transaction() {
    let (db, hr, _) = setup().await;
    let before = counts(&db).await;

    // Not committed: nothing of it stays, the invitation included.
    let txn = db::begin_write(&db).await.unwrap();
    add(&txn, &hr, INVITE, &newcomer("RAA")).await.unwrap();
    drop(txn);
    assert_eq!(counts(&db).await, before);

    let txn = db::begin_write(&db).await.unwrap();
    let id = add(&txn, &hr, INVITE, &newcomer("RAA")).await.unwrap();
    txn.commit().await.unwrap();
    let [people, links, mail, audit] = counts(&db).await;
    assert_eq!([people, links, mail, audit], [before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1]);
    let mail = outbox::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(mail.recipient, "ravi.shah@raa.nhs.example");
    assert!(mail.body_text.contains("https://passport.example/set-password?token="), "{}", mail.body_text);
    let entry = audit_event::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!((entry.action.code(), entry.actor_id), ("person_added", Some(hr.user_id)));
    assert_eq!(entry.subject, format!("user {id} (ravi.shah@raa.nhs.example)"));
}

#[tokio::test]
async fn hr_of_another_trust_neither_adds_nor_sees_nor_changes_a_trusts_people() {
    let (db, hr, other) = setup().await;
    let txn = db::begin_write(&db).await.unwrap();
    let id = add(&txn, &hr, INVITE, &newcomer("RAA")).await.unwrap();
    txn.commit().await.unwrap();
    let before = counts(&db).await;

    let txn = db::begin_write(&db).await.unwrap();
    assert_eq!(add(&txn, &other, INVITE, &newcomer("RAA")).await, Err(AppError::Forbidden));
    assert_eq!(get(&txn, &other, id).await.map(|p| p.id), Err(AppError::NotFound));
    let renamed = PersonInput { name: "Someone Else".into(), ..newcomer("RAA") };
    assert_eq!(edit(&txn, &other, id, &renamed).await, Err(AppError::NotFound));
    assert_eq!(change_status(&txn, &other, INVITE, id, "deactivate").await, Err(AppError::NotFound));
    assert_eq!(grant(&txn, &other, id, "staff", "RAA", "").await, Err(AppError::NotFound));
    txn.commit().await.unwrap();
    assert_eq!(counts(&db).await, before);
    assert_eq!(get(&db, &hr, id).await.map(|p| p.name), Ok("Ravi Shah".to_owned()));
}

#[tokio::test]
async fn an_account_change_is_one_of_the_three_the_form_offers() {
    let (db, hr, _) = setup().await;
    let txn = db::begin_write(&db).await.unwrap();
    let id = add(&txn, &hr, INVITE, &newcomer("RAA")).await.unwrap();
    assert_eq!(change_status(&txn, &hr, INVITE, id, "delete").await, Err(AppError::BadRequest));
    let resent = change_status(&txn, &hr, INVITE, id, AccountChange::ResendInvitation.code()).await;
    assert_eq!(resent, Ok("We have sent Ravi Shah a new invitation".to_owned()));
    let deactivated = change_status(&txn, &hr, INVITE, id, AccountChange::Deactivate.code()).await;
    assert_eq!(deactivated, Ok("Ravi Shah has been deactivated and signed out".to_owned()));
    // The first invitation's link was retired by the second, the second by deactivation.
    let live = auth_token::Entity::find().filter(auth_token::Column::UsedAt.is_null()).count(&txn).await.unwrap();
    assert_eq!(live, 0);
}

#[tokio::test]
async fn a_project_manager_is_told_why_they_cannot_give_themselves_a_role_and_nothing_is_written() {
    let db = testing::database().await;
    let a = testing::add_trust(&db, "RAA").await;
    let pm = testing::person(&db, "pm@alliance.nhs.example", Role::ProjectManager, a).await;
    let before = counts(&db).await;
    let txn = db::begin_write(&db).await.unwrap();
    let refused = grant(&txn, &pm, pm.user_id, "hr_officer", "RAA", "").await;
    assert_eq!(
        refused,
        Err(AppError::Refused("You cannot give or remove your own roles. Ask another project manager".into()))
    );
    txn.commit().await.unwrap();
    assert_eq!(counts(&db).await, before);
    assert_eq!(role_grant::Entity::find().count(&db).await.unwrap(), 1);
}
