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
