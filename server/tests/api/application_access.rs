//! The authorisation table for applications, against the real server: every event in every
//! state before the start, as each kind of person (the applicant, another member of staff, the
//! line manager of the applicant's team and of another team, a lead of the host trust and of
//! another trust, HR of the applicant's trust, a project manager), and who may see one. A
//! refused event changes nothing.
//!
//! The oracle is written out here from the rules (who is what to an application, and
//! who may cause each event); whether the state allows the event is the domain's state machine,
//! which its own test holds to a written-out table.

use crate::helpers::{HR_R0A, MANAGER_R0A, NURSE_R0A, NURSE_RM3, PM, TestApp, spawn_app};
use crate::placements_schema::placement_at;
use app::domain::{ApplicationEvent, ApplicationState, Phase};
use app::server::entities::{application, outbox, placement, state_transition, user};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

/// Who someone is to the application under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Applicant,
    OtherStaff,
    TeamManager,
    OtherTeamManager,
    HostLead,
    OtherLead,
    HomeHr,
    ProjectManager,
}

impl Who {
    const ALL: [Who; 8] = [
        Who::Applicant,
        Who::OtherStaff,
        Who::TeamManager,
        Who::OtherTeamManager,
        Who::HostLead,
        Who::OtherLead,
        Who::HomeHr,
        Who::ProjectManager,
    ];

    /// The demo account: the applicant is Asha at R0A (her team's manager Tom), applying to RM3.
    fn email(self) -> &'static str {
        match self {
            Who::Applicant => NURSE_R0A,
            Who::OtherStaff => NURSE_RM3,
            Who::TeamManager => MANAGER_R0A,
            Who::OtherTeamManager => "manager@rm3.nhs.example",
            Who::HostLead => "lead@rm3.nhs.example",
            Who::OtherLead => "lead@rbv.nhs.example",
            Who::HomeHr => HR_R0A,
            Who::ProjectManager => PM,
        }
    }

    /// May see the application: those it involves, and the project managers (for the figures).
    fn sees(self) -> bool {
        matches!(self, Who::Applicant | Who::TeamManager | Who::HostLead | Who::ProjectManager)
    }

    /// May cause `event` (if the state allows it): the rules, written out.
    fn causes(self, event: ApplicationEvent) -> bool {
        use ApplicationEvent as E;
        match self {
            Who::Applicant => event == E::Withdraw,
            Who::TeamManager => matches!(event, E::Release | E::RefuseRelease | E::Cancel),
            Who::HostLead => {
                matches!(event, E::Accept | E::Decline | E::Cancel | E::RecordInduction | E::Complete | E::EndEarly)
            }
            _ => false,
        }
    }
}

const STATES: [ApplicationState; 7] = [
    ApplicationState::Submitted,
    ApplicationState::Released,
    ApplicationState::Accepted,
    ApplicationState::Approved,
    ApplicationState::Declined,
    ApplicationState::Withdrawn,
    ApplicationState::Cancelled,
];

/// A placement of its own at RM3 (so no two applications share one), its days `n` weeks apart
/// from every other's (so no release is refused for cover), and Asha's application to it in
/// `state`, straight into the database.
async fn application_in(app: &TestApp, n: i64, state: ApplicationState) -> application::Model {
    let p = placement_at(app, "RM3", "open").await;
    let start = Utc::now().date_naive() + Duration::weeks(20 + n);
    let mut row: placement::ActiveModel = p.into();
    row.start_date = Set(start);
    row.end_date = Set(start + Duration::days(4));
    row.accepted = Set(i16::from(state.holds_place()));
    let p = row.update(&app.db).await.unwrap();
    let nurse = user::Entity::find().filter(user::Column::Email.eq(NURSE_R0A)).one(&app.db).await.unwrap().unwrap();
    application::ActiveModel {
        placement_id: Set(p.id),
        applicant_id: Set(nurse.id),
        team_id: Set(nurse.team_id.unwrap()),
        home_trust_id: Set(nurse.home_trust_id.unwrap()),
        state: Set(state),
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
    .unwrap()
}

async fn steps_of(app: &TestApp, id: i32) -> u64 {
    state_transition::Entity::find()
        .filter(state_transition::Column::Entity.eq("application"))
        .filter(state_transition::Column::EntityId.eq(id))
        .count(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_event_in_every_state_as_every_party_is_allowed_exactly_as_the_rules_say() {
    let app = spawn_app().await;
    let mut browsers = Vec::new();
    for who in Who::ALL {
        browsers.push((who, app.browser_signed_in_as(who.email()).await));
    }
    let mut rows = 0;
    let mut wrong = Vec::new();
    let mut n = 0;
    for state in STATES {
        for event in ApplicationEvent::ALL {
            for (who, browser) in &browsers {
                n += 1;
                let a = application_in(&app, n, state).await;
                let mail_before = outbox::Entity::find().count(&app.db).await.unwrap();
                let id = a.id.to_string();
                let got = app.act_on_application(browser, &id, event.code(), "Plans changed").await.status();
                let want = if !who.sees() {
                    StatusCode::NOT_FOUND
                } else if !who.causes(event) {
                    StatusCode::FORBIDDEN
                } else if state.after(event, Phase::BeforeStart).is_err() {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::OK
                };
                if got != want {
                    wrong.push(format!("{state:?} {event:?} as {who:?}: got {got}, want {want}"));
                }
                let after = application::Entity::find_by_id(a.id).one(&app.db).await.unwrap().unwrap();
                if want != StatusCode::OK {
                    let unchanged = after == a
                        && steps_of(&app, a.id).await == 0
                        && outbox::Entity::find().count(&app.db).await.unwrap() == mail_before;
                    if !unchanged {
                        wrong.push(format!("{state:?} {event:?} as {who:?}: refused, yet something changed"));
                    }
                } else if after.state == a.state || steps_of(&app, a.id).await != 1 {
                    wrong.push(format!("{state:?} {event:?} as {who:?}: allowed, yet it did not move"));
                }
                rows += 1;
            }
        }
    }
    assert_eq!(rows, STATES.len() * ApplicationEvent::ALL.len() * Who::ALL.len());
    assert!(wrong.is_empty(), "{} of {rows} rows wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[tokio::test]
async fn an_application_is_seen_by_those_it_involves_and_the_project_managers_only_without_the_words_for_the_pm() {
    let app = spawn_app().await;
    let a = application_in(&app, 0, ApplicationState::Submitted).await;
    for who in Who::ALL {
        let browser = app.browser_signed_in_as(who.email()).await;
        let res = app.view_application(&browser, &a.id.to_string()).await;
        let status = res.status();
        let want = if who.sees() { StatusCode::OK } else { StatusCode::NOT_FOUND };
        assert_eq!(status, want, "as {who:?}");
        if status == StatusCode::OK {
            let view: serde_json::Value = res.json().await.unwrap();
            let words = view["goals"].as_str();
            assert_eq!(words.is_some(), who != Who::ProjectManager, "as {who:?}: {view}");
        }
    }
    // An id that exists nowhere answers as one the viewer may not see.
    let nurse = app.browser_signed_in_as(NURSE_RM3).await;
    let res = app.view_application(&nurse, "999999").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
