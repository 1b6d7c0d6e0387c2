//! The passport services without HTTP, on an in-memory database: issuing, reissuing, revoking
//! and the holder's review, each in a transaction the test opens as a server function would.

use super::*;
use crate::domain::{PassportAction, PassportForm, PassportReview, QueueReasonKind, Role};
use crate::server::access::Actor;
use crate::server::entities::{audit_event, outbox, passport_audit, passport_check};
use crate::server::services::passport_records;
use crate::server::testing::{self, written};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, PaginatorTrait, QueryOrder};

const URL: &str = "https://passport.example";

fn kek() -> KeyEncryptionKey {
    KeyEncryptionKey::from_bytes([7; 32])
}

fn day(days_from_today: i64) -> String {
    (Utc::now().date_naive() + Duration::days(days_from_today)).format("%Y-%m-%d").to_string()
}

/// HR's form for a staff nurse with no professional registration entered.
fn form() -> PassportForm {
    PassportForm {
        name: "Asha Patel".into(),
        birthdate: "17/04/1991".into(),
        identity_checked_on: day(-2),
        ni_number: "JK 12 34 56 C".into(),
        ni_number_checked_on: day(-2),
        dbs_level: "enhanced".into(),
        dbs_check_date: day(-300),
        right_to_work: "unlimited".into(),
        right_to_work_checked_on: day(-900),
        job_role: "Acute oncology staff nurse".into(),
        staff_group: "nursing_midwifery".into(),
        start_date: day(-1000),
        pay_band: "6".into(),
        work_email: "nurse@raa.nhs.example".into(),
        occupational_health_clearance: "cleared".into(),
        occupational_health_checked_on: day(-900),
        ..Default::default()
    }
}

/// Trusts RAA and RBB, a staff member at RAA (the holder) and an HR officer at each.
struct World {
    db: DatabaseConnection,
    holder: Actor,
    hr: Actor,
    other_hr: Actor,
}

async fn world() -> World {
    let db = testing::database().await;
    let a = testing::add_trust(&db, "RAA").await;
    let b = testing::add_trust(&db, "RBB").await;
    let holder = testing::person(&db, "nurse@raa.nhs.example", Role::Staff, a).await;
    let hr = testing::person(&db, "hr@raa.nhs.example", Role::HrOfficer, a).await;
    let other_hr = testing::person(&db, "hr@rbb.nhs.example", Role::HrOfficer, b).await;
    World { db, holder, hr, other_hr }
}

async fn issued(w: &World) -> PassportSummary {
    written(&w.db, async |txn| issue(txn, &w.hr, &kek(), URL, w.holder.user_id, &form()).await).await.unwrap()
}

/// The passport audit log, oldest first, as (action, role, actor).
async fn log_rows(db: &DatabaseConnection) -> Vec<(PassportAction, String, Option<i32>)> {
    passport_audit::Entity::find()
        .order_by_asc(passport_audit::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor_role.code().to_owned(), e.actor_id))
        .collect()
}

#[tokio::test]
async fn issuing_writes_one_history_row_by_the_hr_officer_and_records_every_check() {
    let w = world().await;
    let summary = issued(&w).await;
    assert_eq!(summary.status, PassportStatus::Valid);
    assert_eq!(summary.trust, "RAA");
    assert!(summary.items.contains(&"ni_number".to_owned()), "{:?}", summary.items);
    assert_eq!(log_rows(&w.db).await, [(PassportAction::Issued, "hr_officer".to_owned(), Some(w.hr.user_id))]);
    // Identity, NI number, DBS, right to work, employment and occupational health: no registration.
    assert_eq!(passport_check::Entity::find().count(&w.db).await.unwrap(), 6);
    let audit: Vec<String> =
        audit_event::Entity::find().all(&w.db).await.unwrap().into_iter().map(|e| e.action.code().to_owned()).collect();
    assert_eq!(audit, ["passport_issued"]);

    // The holder sees it as HR does, and its history names the issue.
    let current = current(&w.db, &w.holder, URL, w.holder.user_id).await.unwrap().unwrap();
    assert_eq!((current.id, current.status), (summary.id, PassportStatus::Valid));
    let events = history(&w.db, &w.holder, w.holder.user_id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.action).collect::<Vec<_>>(), [PassportAction::Issued]);
}

#[tokio::test]
async fn another_trusts_hr_can_neither_issue_nor_revoke_and_changes_nothing() {
    let w = world().await;
    let refused =
        written(&w.db, async |txn| issue(txn, &w.other_hr, &kek(), URL, w.holder.user_id, &form()).await).await;
    assert!(matches!(refused, Err(AppError::NotFound)), "{refused:?}");
    assert_eq!(passport::Entity::find().count(&w.db).await.unwrap(), 0);
    assert!(log_rows(&w.db).await.is_empty());

    let summary = issued(&w).await;
    let refused = written(&w.db, async |txn| revoke(txn, &w.other_hr, summary.id, "left the trust").await).await;
    assert!(matches!(refused, Err(AppError::NotFound)), "{refused:?}");
    let p = passport::Entity::find_by_id(summary.id).one(&w.db).await.unwrap().unwrap();
    assert!(p.revoked_at.is_none());
    assert_eq!(log_rows(&w.db).await.len(), 1, "only the issue");
    // Nor may they read it.
    assert!(matches!(current(&w.db, &w.other_hr, URL, w.holder.user_id).await, Err(AppError::NotFound)));
}

#[tokio::test]
async fn a_revocation_in_a_transaction_that_is_dropped_leaves_nothing() {
    let w = world().await;
    let summary = issued(&w).await;
    {
        let txn = db::begin_write(&w.db).await.unwrap();
        revoke(&txn, &w.hr, summary.id, "left the trust").await.unwrap();
        // Dropped without a commit, as when a later step of the same request fails.
    }
    let p = passport::Entity::find_by_id(summary.id).one(&w.db).await.unwrap().unwrap();
    assert!(p.revoked_at.is_none() && p.revoke_reason.is_none());
    assert_eq!(log_rows(&w.db).await.len(), 1, "no revocation in the history");
    let status = current(&w.db, &w.hr, URL, w.holder.user_id).await.unwrap().unwrap().status;
    assert_eq!(status, PassportStatus::Valid);

    // Committed, it is revoked, and says so.
    written(&w.db, async |txn| revoke(txn, &w.hr, summary.id, "left the trust").await).await.unwrap();
    let status = current(&w.db, &w.hr, URL, w.holder.user_id).await.unwrap().unwrap().status;
    assert_eq!(status, PassportStatus::Revoked);
    assert_eq!(log_rows(&w.db).await.last().map(|r| r.0), Some(PassportAction::Revoked));
}

#[tokio::test]
async fn a_reissue_supersedes_the_passport_it_replaces() {
    let w = world().await;
    let first = issued(&w).await;
    let second = issued(&w).await;
    let old = passport::Entity::find_by_id(first.id).one(&w.db).await.unwrap().unwrap();
    assert_eq!(old.revoke_reason.as_deref(), Some("superseded by a reissue"));
    assert_eq!(status_of(&old, Utc::now()), PassportStatus::Revoked);
    let now = current(&w.db, &w.hr, URL, w.holder.user_id).await.unwrap().unwrap();
    assert_eq!((now.id, now.status), (second.id, PassportStatus::Valid));
    let actions: Vec<PassportAction> = log_rows(&w.db).await.into_iter().map(|r| r.0).collect();
    assert_eq!(actions, [PassportAction::Issued, PassportAction::Reissued]);
}

#[tokio::test]
async fn a_problem_the_holder_reports_reaches_hr_by_mail_their_record_and_their_queue() {
    let w = world().await;
    let summary = issued(&w).await;
    let record = written(&w.db, async |txn| passport_records::record(txn, &w.hr, &kek(), URL, w.holder.user_id).await)
        .await
        .unwrap();
    assert_eq!(record.review, PassportReview::Awaiting);
    assert_eq!(record.form.ni_number, "JK123456C", "the form to reissue from holds what was issued");

    // The holder is not staff of RAA's queue until they hold the staff role: they do.
    let queue = written(&w.db, async |txn| passport_records::queue(txn, &w.hr, "RAA").await).await.unwrap();
    let kinds: Vec<QueueReasonKind> = queue.entries.iter().flat_map(|e| e.reasons.iter().map(|r| r.kind)).collect();
    assert_eq!(kinds, [QueueReasonKind::AwaitingConfirmation]);

    written(&w.db, async |txn| report_problem(txn, &w.holder, URL, summary.id, "My pay band is 7 now").await)
        .await
        .unwrap();
    let mail: Vec<String> = outbox::Entity::find().all(&w.db).await.unwrap().into_iter().map(|m| m.recipient).collect();
    assert_eq!(mail, [w.hr.email.as_str()], "the holder's HR is told, no one else");
    let record = written(&w.db, async |txn| passport_records::record(txn, &w.hr, &kek(), URL, w.holder.user_id).await)
        .await
        .unwrap();
    assert_eq!(
        (record.review, record.problem.as_deref()),
        (PassportReview::ProblemReported, Some("My pay band is 7 now"))
    );
    let queue = written(&w.db, async |txn| passport_records::queue(txn, &w.hr, "RAA").await).await.unwrap();
    assert_eq!(queue.entries[0].reasons[0].kind, QueueReasonKind::ProblemReported);

    // HR cannot report for the holder, and a report too long is refused; neither is recorded.
    let before = log_rows(&w.db).await.len();
    let refused = written(&w.db, async |txn| report_problem(txn, &w.hr, URL, summary.id, "wrong").await).await;
    assert!(matches!(refused, Err(AppError::Forbidden | AppError::Refused(_))), "{refused:?}");
    let long = "x".repeat(501);
    let refused = written(&w.db, async |txn| report_problem(txn, &w.holder, URL, summary.id, &long).await).await;
    assert!(matches!(refused, Err(AppError::Validation(_))), "{refused:?}");
    assert_eq!(log_rows(&w.db).await.len(), before);
}

#[tokio::test]
async fn the_holder_sees_every_value_and_that_read_is_in_their_history() {
    let w = world().await;
    assert!(written(&w.db, async |txn| mine(txn, &w.holder, &kek(), URL).await).await.unwrap().is_none());
    issued(&w).await;
    let passport = written(&w.db, async |txn| mine(txn, &w.holder, &kek(), URL).await).await.unwrap().unwrap();
    let ni = passport.items.iter().find(|i| i.name == "ni_number").map(|i| i.value.as_str());
    assert_eq!(ni, Some("JK123456C"));
    let birth: NaiveDate = NaiveDate::from_ymd_opt(1991, 4, 17).unwrap();
    let shown = passport.items.iter().find(|i| i.name == "birthdate").map(|i| i.value.clone());
    assert_eq!(shown, Some(birth.format("%-d %B %Y").to_string()));
    assert_eq!(passport.history.first().map(|e| e.action), Some(PassportAction::Viewed));
    assert!(!passport.confirmed);
    written(&w.db, async |txn| confirm(txn, &w.holder, passport.summary.id).await).await.unwrap();
    let again = written(&w.db, async |txn| mine(txn, &w.holder, &kek(), URL).await).await.unwrap().unwrap();
    assert!(again.confirmed);
}

#[tokio::test]
async fn retiring_the_key_reissues_the_valid_passport_and_another_trusts_hr_cannot() {
    use crate::server::services::key_retirement;
    let w = world().await;
    let first = issued(&w).await;
    let refused =
        written(&w.db, async |txn| key_retirement::retire(txn, &w.other_hr, &kek(), URL, "RAA", "laptop stolen").await)
            .await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    assert_eq!(log_rows(&w.db).await.len(), 1, "nothing reissued");

    let done =
        written(&w.db, async |txn| key_retirement::retire(txn, &w.hr, &kek(), URL, "RAA", "laptop stolen").await)
            .await
            .unwrap();
    assert_eq!((done.reissued, done.revoked_expired), (1, 0));
    let now = current(&w.db, &w.holder, URL, w.holder.user_id).await.unwrap().unwrap();
    assert_ne!(now.id, first.id);
    assert_eq!(now.status, PassportStatus::Valid);
    let old = passport::Entity::find_by_id(first.id).one(&w.db).await.unwrap().unwrap();
    assert_eq!(status_of(&old, Utc::now()), PassportStatus::Revoked);
    assert_ne!(old.kid, passport::Entity::find_by_id(now.id).one(&w.db).await.unwrap().unwrap().kid);
    let actions: Vec<PassportAction> = log_rows(&w.db).await.into_iter().map(|r| r.0).collect();
    assert_eq!(actions, [PassportAction::Issued, PassportAction::Reissued]);
    assert_eq!(passport_check::Entity::find().count(&w.db).await.unwrap(), 12, "the checks carry over");
}
