use crate::helpers::{PM, TeamForm, spawn_app, spawn_app_as, spawn_app_with};
use app::server::outbox::{self, OutgoingMail};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use server::mailer::Mailer;
use server::worker::OutboxWorker;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

#[tokio::test]
async fn mail_queued_while_the_smtp_server_is_down_arrives_exactly_once_when_it_is_back() {
    let mut app = spawn_app_as(PM).await;
    app.smtp.stop();
    for name in ["Team one", "Team two", "Team three"] {
        let res = app.add_team_with_js(TeamForm { trust: "RMC", name, site: "", min_cover: "1" }).await;
        assert_eq!(res.status(), StatusCode::OK, "the change is made although mail is down");
    }
    // Wait until the worker has tried and failed at least once for each message.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let rows = app.outbox().await;
        if rows.len() == 3 && rows.iter().all(|r| r.attempts >= 1 && r.last_error.is_some()) {
            assert!(rows.iter().all(|r| r.status == "pending"), "{rows:?}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no failed attempt recorded: {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(app.smtp.received().is_empty());

    app.smtp.start();
    let mail = app.smtp.wait_for(3, Duration::from_secs(15)).await;
    // Give any duplicate a chance to show up before counting.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mail = if mail.len() >= 3 { app.smtp.received() } else { mail };
    let mut subjects: Vec<_> = mail.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "Team added to Bolton NHS Foundation Trust: Team one",
            "Team added to Bolton NHS Foundation Trust: Team three",
            "Team added to Bolton NHS Foundation Trust: Team two",
        ]
    );
    let rows = app.outbox().await;
    assert!(rows.iter().all(|r| r.status == "sent" && r.sent_at.is_some()), "{rows:?}");
}

#[tokio::test]
async fn two_workers_sharing_one_database_deliver_every_message_exactly_once() {
    // The app's own worker is off; two independent workers compete for the same rows.
    let app = spawn_app_with(|s| s.mail.worker = false).await;
    const N: usize = 40;
    for i in 0..N {
        outbox::enqueue(
            &app.db,
            OutgoingMail {
                kind: "test",
                recipient: "someone@rwj.nhs.example".into(),
                subject: format!("Message {i:02}"),
                body_text: "Hello".into(),
            },
        )
        .await
        .unwrap();
    }
    let mut settings = app.settings.mail.clone();
    settings.batch_size = 3;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut handles = Vec::new();
    for _ in 0..2 {
        let mailer = Arc::new(Mailer::from_settings(&settings).unwrap());
        // Each worker as if in a server instance of its own: its own turns.
        let turns = app::server::WriteTurns::for_database(&app.db);
        let worker =
            OutboxWorker::new(app.db.clone(), turns, mailer, settings.clone(), Arc::new(Notify::new())).unwrap();
        handles.push(tokio::spawn(worker.run(stop_rx.clone())));
    }
    let mail = app.smtp.wait_for(N, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop_tx.send(true).unwrap();
    for h in handles {
        h.await.unwrap();
    }
    let mail = if mail.len() >= N { app.smtp.received() } else { mail };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for m in &mail {
        *counts.entry(m.subject.clone()).or_default() += 1;
    }
    assert_eq!(counts.len(), N, "every message arrived");
    assert!(counts.values().all(|&c| c == 1), "no message arrived twice: {counts:?}");
    // Both workers took part (they raced for batches of 3).
    let rows = app.outbox().await;
    assert!(rows.iter().all(|r| r.status == "sent"));
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_given_up_after_the_last_attempt() {
    let mut app = spawn_app_with(|s| s.mail.max_attempts = 2).await;
    app.sign_in_as(PM).await;
    app.smtp.stop();
    let res = app.add_team_with_js(TeamForm { trust: "RJN", name: "Doomed mail", site: "", min_cover: "1" }).await;
    assert_eq!(res.status(), StatusCode::OK);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let rows = app.outbox().await;
        if rows.first().is_some_and(|r| r.status == "dead") {
            assert_eq!(rows[0].attempts, 2);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never given up: {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_change_that_fails_after_queueing_its_mail_queues_none() {
    use app::server::services::{mail_templates, sessions};
    use app::server::{AppState, RequestContext, respond};
    let app = spawn_app().await;
    let pm =
        app::server::entities::user::Entity::find_by_id(app.person_id(PM).await).one(&app.db).await.unwrap().unwrap();
    let actor = sessions::actor_of(&app.db, &pm, String::new(), "test").await.unwrap();
    let ctx = RequestContext { ip: "test".into(), user_agent: None, actor: Some(actor) };
    let state = AppState::new(app.db.clone(), &app.base, Default::default(), None);
    // Every service writes through `respond::write`: here a change queues its mail and then
    // fails, as a later step of a real change can.
    let result: Result<(), app::AppError> = respond::write(&state, &ctx, async |txn, actor| {
        let link = format!("{}/set-password?token=never", app.base);
        outbox::enqueue(txn, mail_templates::password_reset(&actor.email, &actor.name, &link, 30)).await?;
        Err(app::AppError::Conflict("a later step failed".into()))
    })
    .await;
    assert_eq!(result, Err(app::AppError::Conflict("a later step failed".into())));
    assert!(app.outbox().await.is_empty(), "the mail went with the change");
    // The same change succeeding queues exactly its mail.
    respond::write(&state, &ctx, async |txn, actor| {
        outbox::enqueue(txn, mail_templates::password_reset(&actor.email, &actor.name, "x", 30)).await?;
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(app.outbox().await.len(), 1);
}

fn test_mail(subject: String) -> OutgoingMail {
    OutgoingMail { kind: "test", recipient: "someone@rwj.nhs.example".into(), subject, body_text: "Hello".into() }
}

#[tokio::test]
async fn recording_a_batch_delivered_touches_only_the_messages_the_worker_still_holds() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app_with(|s| s.mail.worker = false).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(outbox::enqueue(&app.db, test_mail(format!("Message {i}"))).await.unwrap());
    }
    let now = chrono::Utc::now();
    let lease = now + chrono::Duration::seconds(60);
    // Worker A claims two; B the other two.
    let a = outbox::claim(&app.db, "worker-a", 2, now, lease).await.unwrap();
    let b = outbox::claim(&app.db, "worker-b", 2, now, lease).await.unwrap();
    assert_eq!((a.len(), b.len()), (2, 2));
    // A records all four as delivered, as a confused or late worker might: only its own two change.
    let sent = outbox::marking_sent(&ids, "worker-a", now).expect("a statement for four ids");
    app.db.execute(&sent).await.unwrap();
    let rows = app.outbox().await;
    for row in &rows {
        if a.iter().any(|m| m.id == row.id) {
            assert_eq!(row.status, "sent", "{row:?}");
            assert_eq!(row.body_text, outbox::DELIVERED_BODY, "the body goes once delivered");
            assert_eq!(row.locked_by, None, "the lease ends");
        } else {
            assert_eq!(row.status, "pending", "another worker's message is untouched: {row:?}");
            assert_eq!(row.locked_by.as_deref(), Some("worker-b"));
            assert_eq!(row.body_text, "Hello");
        }
    }
    assert_eq!(outbox::marking_sent(&[], "worker-a", now), None, "nothing to record, no statement");
}

#[tokio::test]
async fn after_a_part_full_batch_the_worker_lets_mail_gather_and_claims_it_together() {
    let app = spawn_app_with(|s| s.mail.worker = false).await;
    let mut settings = app.settings.mail.clone();
    settings.gather_ms = 1500;
    settings.poll_interval_ms = 60_000;
    let wake = Arc::new(Notify::new());
    let mailer = Arc::new(Mailer::from_settings(&settings).unwrap());
    let turns = app::server::WriteTurns::for_database(&app.db);
    let worker = OutboxWorker::new(app.db.clone(), turns, mailer, settings, wake.clone()).unwrap();
    let (stop_tx, stop_rx) = watch::channel(false);
    let handle = tokio::spawn(worker.run(stop_rx));
    // The worker's first claim finds nothing; it then waits to be woken.
    tokio::time::sleep(Duration::from_millis(200)).await;

    // A lone message goes at once.
    let started = tokio::time::Instant::now();
    outbox::enqueue(&app.db, test_mail("First".into())).await.unwrap();
    wake.notify_one();
    app.smtp.wait_for(1, Duration::from_secs(10)).await;
    assert!(started.elapsed() < Duration::from_millis(1000), "a lone message is not held back");

    // Five more, each waking the worker, while it lets mail gather after that part-full batch.
    for i in 0..5 {
        outbox::enqueue(&app.db, test_mail(format!("Then {i}"))).await.unwrap();
        wake.notify_one();
    }
    let mail = app.smtp.wait_for(6, Duration::from_secs(10)).await;
    assert_eq!(mail.len(), 6, "{mail:?}");
    stop_tx.send(true).unwrap();
    handle.await.unwrap();

    let rows = app.outbox().await;
    let first = rows.iter().find(|r| r.subject == "First").unwrap().sent_at.unwrap();
    let rest: Vec<_> = rows.iter().filter(|r| r.subject != "First").map(|r| r.sent_at.unwrap()).collect();
    assert!(rest.iter().all(|at| *at == rest[0]), "the five were claimed and recorded as one batch: {rest:?}");
    assert!(
        rest[0] - first >= chrono::Duration::milliseconds(1400),
        "they waited for the gathering time after the first: {first} then {}",
        rest[0]
    );
}
