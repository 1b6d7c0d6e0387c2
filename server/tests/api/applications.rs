//! Applications against the real server: the whole path over HTTP with JavaScript on and off,
//! the mail it sends over SMTP, and the two races the issue names (never overbooked, never a
//! team short), on SQLite and PostgreSQL.

use crate::helpers::{MANAGER_R0A, NURSE_R0A, TestApp, spawn_app};
use crate::placements_schema::placement_at;
use app::domain::{ApplicationState, PlacementState, Role};
use app::server::entities::{application, grant_team, placement, role_grant, team, trust, user};
use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::time::Duration;

const LEAD_RM3: &str = "lead@rm3.nhs.example";

async fn state_of(app: &TestApp, id: i32) -> ApplicationState {
    application::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().state
}

async fn trust_id(app: &TestApp, ods: &str) -> i32 {
    trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap().id
}

/// `n` new staff members of a new team at R0A with minimum cover `min_cover`, and a line
/// manager of that team who can sign in (with the demo password). Returns the team's members'
/// ids and the manager's email.
async fn team_of(app: &TestApp, n: usize, min_cover: i32) -> (Vec<i32>, String) {
    let r0a = trust_id(app, "R0A").await;
    let now = Utc::now();
    let t = team::ActiveModel {
        trust_id: Set(r0a),
        site_id: Set(None),
        name: Set("Race Team".into()),
        name_key: Set("race team".into()),
        min_cover: Set(min_cover),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let hash = user::Entity::find()
        .filter(user::Column::Email.eq(NURSE_R0A))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    let add = async |email: String, role: Role, in_team: bool| {
        let u = user::ActiveModel {
            email: Set(email.clone()),
            name: Set(format!("Staff {email}")),
            password_hash: Set(hash.clone()),
            active: Set(true),
            home_trust_id: Set(Some(r0a)),
            team_id: Set(in_team.then_some(t.id)),
            staff_group: Set(app::domain::StaffGroup::from_code("nursing_midwifery")),
            pay_band: Set(Some("6".into())),
            registration_body: Set(Some("NMC".into())),
            registration_number: Set(Some("12A3456E".into())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let g = role_grant::ActiveModel {
            user_id: Set(u.id),
            role: Set(role),
            trust_id: Set(Some(r0a)),
            created_at: Set(now),
            created_by: Set(None),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        (u.id, g.id)
    };
    let mut members = Vec::new();
    for i in 0..n {
        members.push(add(format!("race{i}@r0a.nhs.example"), Role::Staff, true).await.0);
    }
    let manager = "race.manager@r0a.nhs.example".to_owned();
    let (_, grant) = add(manager.clone(), Role::LineManager, false).await;
    grant_team::ActiveModel { grant_id: Set(grant), team_id: Set(t.id) }.insert(&app.db).await.unwrap();
    (members, manager)
}

/// An application by each of `applicants`, waiting on both sides, straight into the database.
async fn applications_for(app: &TestApp, p: &placement::Model, applicants: &[i32]) -> Vec<i32> {
    let mut ids = Vec::new();
    for who in applicants {
        let u = user::Entity::find_by_id(*who).one(&app.db).await.unwrap().unwrap();
        let a = application::ActiveModel {
            placement_id: Set(p.id),
            applicant_id: Set(u.id),
            team_id: Set(u.team_id.unwrap()),
            home_trust_id: Set(u.home_trust_id.unwrap()),
            state: Set(ApplicationState::Submitted),
            goals: Set("Triage".into()),
            first_day: Set(p.start_date),
            last_day: Set(p.end_date),
            reason: Set(None),
            submitted_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
            reminded_at: Set(None),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        ids.push(a.id);
    }
    ids
}

async fn act(app: &TestApp, client: &reqwest::Client, id: i32, event: &str, reason: &str) -> reqwest::Response {
    app.act_on_application(client, &id.to_string(), event, reason).await
}

/// Posts `event` on each of `ids` at once, as `client`; the answers, in no particular order.
async fn all_at_once(
    app: &TestApp,
    client: &reqwest::Client,
    ids: &[i32],
    event: &'static str,
) -> Vec<(StatusCode, String)> {
    let mut set = tokio::task::JoinSet::new();
    let url = app.url("/api/applications/act");
    for id in ids {
        let (client, url, id) = (client.clone(), url.clone(), id.to_string());
        set.spawn(async move {
            let res = client
                .post(url)
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&[("id", id.as_str()), ("event", event), ("reason", "")])
                .send()
                .await
                .expect("POST");
            let status = res.status();
            (status, res.text().await.unwrap_or_default())
        });
    }
    set.join_all().await
}

#[tokio::test]
async fn a_nurse_applies_without_javascript_her_manager_releases_the_host_accepts_and_everyone_is_mailed() {
    let app = spawn_app().await;
    let p = placement_at(&app, "RM3", "open").await;
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let from = format!("/placements/{}", p.id);
    let pid = p.id.to_string();

    // Nothing typed: a message beside the field, the value kept, nothing saved.
    let res = app.apply_without_js(&nurse, &from, &pid, " ").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(application::Entity::find().count(&app.db).await.unwrap(), 0);

    let goals = "Recognising neutropenic sepsis on the ward";
    let res = app.apply_without_js(&nurse, &from, &pid, goals).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let a = application::Entity::find().one(&app.db).await.unwrap().expect("the application is stored");
    assert_eq!(to, format!("/applications/{}?applied=1", a.id));
    assert_eq!(
        (a.state, a.goals.as_str(), a.first_day, a.last_day),
        (ApplicationState::Submitted, goals, p.start_date, p.end_date)
    );

    // The placement's page now leads to it, and the host's list counts it as waiting on them.
    let view: serde_json::Value = app.view_placement(&nurse, &pid).await.json().await.unwrap();
    assert_eq!(view["your_application"].as_i64(), Some(i64::from(a.id)));
    let host = app.browser_signed_in_as(LEAD_RM3).await;
    let list: serde_json::Value = app.trust_placements(&host, "RM3").await.json().await.unwrap();
    let row = list["rows"].as_array().unwrap().iter().find(|r| r["id"] == p.id).unwrap().clone();
    assert_eq!(row["waiting"].as_i64(), Some(1), "{row}");

    // The lead of another trust cannot see it; the applicant cannot decide it.
    let other_lead = app.browser_signed_in_as("lead@r0a.nhs.example").await;
    assert_eq!(act(&app, &other_lead, a.id, "accept", "").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(act(&app, &nurse, a.id, "accept", "").await.status(), StatusCode::FORBIDDEN);

    let manager = app.browser_signed_in_as(MANAGER_R0A).await;
    assert_eq!(act(&app, &manager, a.id, "release", "").await.status(), StatusCode::OK);
    assert_eq!(state_of(&app, a.id).await, ApplicationState::Released);
    let lead = app.browser_signed_in_as(LEAD_RM3).await;
    assert_eq!(act(&app, &lead, a.id, "accept", "").await.status(), StatusCode::OK);
    assert_eq!(state_of(&app, a.id).await, ApplicationState::Approved);
    // Deciding twice is refused and changes nothing.
    let again = act(&app, &lead, a.id, "decline", "Second thoughts").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(state_of(&app, a.id).await, ApplicationState::Approved);

    // Mail, over real SMTP: the new application (the host's lead), the release request (the
    // manager), released (the nurse), approved (the nurse and the manager; the lead approved it).
    let mails = app.smtp.wait_for(5, Duration::from_secs(20)).await;
    let mut to_whom: Vec<(String, String)> = mails.iter().map(|m| (m.to.clone(), m.subject.clone())).collect();
    to_whom.sort();
    assert_eq!(
        to_whom,
        vec![
            (LEAD_RM3.to_owned(), "New application for your placement".to_owned()),
            (MANAGER_R0A.to_owned(), "A placement has been approved".to_owned()),
            (MANAGER_R0A.to_owned(), "A release request from your team".to_owned()),
            (NURSE_R0A.to_owned(), "A placement has been approved".to_owned()),
            (NURSE_R0A.to_owned(), "You have been released".to_owned()),
        ]
    );
    assert!(mails.iter().all(|m| !m.body.contains("neutropenic")), "the nurse's own words stay in the service");

    // The page: the timeline, and nothing left for the lead to decide.
    let page = lead.get(app.url(&format!("/applications/{}", a.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Released by the line manager") && page.contains("Accepted by the host"), "{page}");
    assert!(page.contains(goals), "the host reads the learning goals");
}

#[tokio::test]
async fn fifty_concurrent_accepts_at_a_placement_with_three_places_accept_exactly_three() {
    let app = spawn_app().await;
    let p = placement_at(&app, "RM3", "open").await;
    let mut row: placement::ActiveModel = p.clone().into();
    row.places = Set(3);
    let p = row.update(&app.db).await.unwrap();
    let (members, _) = team_of(&app, 50, 0).await;
    let ids = applications_for(&app, &p, &members).await;
    let lead = app.browser_signed_in_as(LEAD_RM3).await;
    let answers = all_at_once(&app, &lead, &ids, "accept").await;
    let ok = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let full: Vec<&(StatusCode, String)> = answers.iter().filter(|(s, _)| *s != StatusCode::OK).collect();
    assert_eq!(ok, 3, "{answers:?}");
    assert!(
        full.iter().all(|(s, body)| *s == StatusCode::CONFLICT && body.contains("This placement is full")),
        "{full:?}"
    );
    let after = placement::Entity::find_by_id(p.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((after.accepted, after.state), (3, PlacementState::Full));
    let accepted = application::Entity::find()
        .filter(application::Column::State.eq(ApplicationState::Accepted))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(accepted, 3);
}

#[tokio::test]
async fn concurrent_releases_from_a_team_whose_cover_allows_one_release_exactly_one() {
    let app = spawn_app().await;
    let p = placement_at(&app, "RM3", "open").await;
    // Five in the team and a minimum cover of four: one may go.
    let (members, manager) = team_of(&app, 5, 4).await;
    let ids = applications_for(&app, &p, &members).await;
    let manager = app.browser_signed_in_as(&manager).await;
    let answers = all_at_once(&app, &manager, &ids, "release").await;
    let ok = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(ok, 1, "{answers:?}");
    assert!(
        answers.iter().filter(|(s, _)| *s != StatusCode::OK).all(|(s, body)| *s == StatusCode::CONFLICT
            && body.contains("would leave Race Team with 3 on duty, 1 below its minimum cover of 4")),
        "{answers:?}"
    );
    let released = application::Entity::find()
        .filter(application::Column::State.eq(ApplicationState::Released))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(released, 1);
}

#[tokio::test]
async fn the_demo_has_applications_in_every_state_made_through_the_state_machine_and_dated_over_months() {
    use app::server::entities::state_transition;
    let app = spawn_app().await;
    let txn = app::server::db::begin_write(&app.db).await.unwrap();
    server::seed_placements::demo_placements(&txn, 0).await.unwrap();
    txn.commit().await.unwrap();
    // Six live, four under way (two waiting for the induction, two for completion), and
    // sixteen completed: the two demo nurses at each of the eight hosts other than their own.
    assert_eq!(server::seed_applications::demo_applications(&app.db).await.unwrap(), 26);
    assert_eq!(server::seed_applications::demo_applications(&app.db).await.unwrap(), 0, "seeding again adds nothing");
    let mut states: Vec<&str> =
        application::Entity::find().all(&app.db).await.unwrap().iter().map(|a| a.state.code()).collect();
    states.sort_unstable();
    states.dedup();
    assert_eq!(
        states,
        vec!["accepted", "approved", "completed", "declined", "inducted", "released", "submitted", "withdrawn"]
    );
    let mut hosts: Vec<i32> = Vec::new();
    for a in application::Entity::find().all(&app.db).await.unwrap() {
        let p =
            app::server::entities::placement::Entity::find_by_id(a.placement_id).one(&app.db).await.unwrap().unwrap();
        hosts.push(p.trust_id);
    }
    hosts.sort_unstable();
    hosts.dedup();
    assert_eq!(hosts.len(), 9, "every trust in the alliance has hosted");
    let steps = state_transition::Entity::find()
        .filter(state_transition::Column::Entity.eq("application"))
        .all(&app.db)
        .await
        .unwrap();
    let oldest = steps.iter().map(|t| t.at).min().unwrap();
    assert!(Utc::now() - oldest > chrono::Duration::days(120), "history reaches back months: {oldest}");
    assert!(app.outbox().await.iter().all(|m| !m.kind.starts_with("application")), "the seed sends no mail");
}

#[tokio::test]
async fn decisions_made_while_the_mail_server_is_down_stand_and_their_mail_arrives_once_it_is_back() {
    let mut app = spawn_app().await;
    let p = placement_at(&app, "RM3", "open").await;
    app.smtp.stop();
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let res = app.apply(&nurse, &p.id.to_string(), "Triage").await;
    assert_eq!(res.status(), StatusCode::OK);
    let a = application::Entity::find().one(&app.db).await.unwrap().unwrap();
    let manager = app.browser_signed_in_as(MANAGER_R0A).await;
    assert_eq!(act(&app, &manager, a.id, "release", "").await.status(), StatusCode::OK);
    let lead = app.browser_signed_in_as(LEAD_RM3).await;
    assert_eq!(act(&app, &lead, a.id, "accept", "").await.status(), StatusCode::OK);
    assert_eq!(state_of(&app, a.id).await, ApplicationState::Approved, "every decision stands without mail");
    // Give the worker time to fail at least once against the stopped server.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.smtp.received().is_empty());
    app.smtp.start();
    let mails = app.smtp.wait_for(5, Duration::from_secs(30)).await;
    // Wait a little longer: nothing more may come.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut got: Vec<(String, String)> = app.smtp.received().into_iter().map(|m| (m.to, m.subject)).collect();
    got.sort();
    assert_eq!(mails.len(), 5);
    let mut unique = got.clone();
    unique.dedup();
    assert_eq!(got, unique, "each recipient gets each step's mail exactly once");
    assert_eq!(got.len(), 5, "{got:?}");
}

#[tokio::test]
async fn a_decision_kept_waiting_is_reminded_once_per_period_however_many_servers_run_the_job() {
    use app::server::entities::{notification, state_transition};
    use app::server::services::applications::{ReminderConfig, send_due};
    // The app's own housekeeping never reminds here: this test runs the job itself.
    let app = crate::helpers::spawn_app_with(|s| s.applications.after_working_days = u32::MAX).await;
    let p = placement_at(&app, "RM3", "open").await;
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let res = app.apply(&nurse, &p.id.to_string(), "Triage").await;
    assert_eq!(res.status(), StatusCode::OK);
    let cfg = ReminderConfig { after_working_days: 3, every_days: 3 };
    let now = Utc::now();
    assert_eq!(send_due(&app.db, "https://pp.example", &cfg, now).await, Ok(0), "just sent: nothing is due");
    // Ten days later, four servers run the job at once: one reminder for each of the two it waits on.
    state_transition::Entity::update_many()
        .col_expr(state_transition::Column::At, sea_orm::sea_query::Expr::value(now - chrono::Duration::days(10)))
        .exec(&app.db)
        .await
        .unwrap();
    let runs = futures_join4(
        send_due(&app.db, "https://pp.example", &cfg, now),
        send_due(&app.db, "https://pp.example", &cfg, now),
        send_due(&app.db, "https://pp.example", &cfg, now),
        send_due(&app.db, "https://pp.example", &cfg, now),
    )
    .await;
    assert_eq!(runs.iter().map(|r| *r.as_ref().unwrap()).sum::<usize>(), 1, "{runs:?}");
    let reminders = || async {
        notification::Entity::find().filter(notification::Column::Kind.eq("reminder")).count(&app.db).await.unwrap()
    };
    assert_eq!(reminders().await, 2, "the line manager and the host's lead");
    assert_eq!(app.outbox().await.iter().filter(|m| m.kind == "reminder").count(), 2);
    // Within the period, nothing more; after it, again.
    assert_eq!(send_due(&app.db, "https://pp.example", &cfg, now + chrono::Duration::days(1)).await, Ok(0));
    assert_eq!(send_due(&app.db, "https://pp.example", &cfg, now + chrono::Duration::days(4)).await, Ok(1));
    assert_eq!(reminders().await, 4);
}

async fn futures_join4<T>(
    a: impl Future<Output = T>,
    b: impl Future<Output = T>,
    c: impl Future<Output = T>,
    d: impl Future<Output = T>,
) -> [T; 4] {
    let (a, b, c, d) = tokio::join!(a, b, c, d);
    [a, b, c, d]
}
