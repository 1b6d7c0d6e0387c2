//! The applications service without HTTP, on an in-memory database.

use super::*;
use crate::domain::{Applicant, PayBand, Role, dates};
use crate::server::access::Grant;
use crate::server::entities::{grant_team, notification, outbox, state_transition, team};
use crate::server::testing::{self, written};
use chrono::Duration;
use sea_orm::{DatabaseConnection, PaginatorTrait, QueryOrder};

struct World {
    db: DatabaseConnection,
    /// The host trust's placement lead.
    lead: Actor,
    /// A line manager of the staff's team, at their home trust.
    manager: Actor,
    /// Members of one team at the home trust, which has a minimum cover of `members - 2`.
    staff: Vec<Actor>,
    /// A lead of the home trust (not the host).
    other_lead: Actor,
    placement: i32,
}

fn day(n: i64) -> NaiveDate {
    Utc::now().date_naive() + Duration::days(n)
}

fn cx() -> Context<'static> {
    Context::of("https://passport.example")
}

/// Home trust RAA with a team of `members` (minimum cover `members - 2`) and its manager; host
/// trust RBB with a lead and an open fixed placement of `places` places, 60 to 64 days away.
async fn world(members: usize, places: u16) -> World {
    let db = testing::database().await;
    let home = testing::add_trust(&db, "RAA").await;
    let host = testing::add_trust(&db, "RBB").await;
    testing::add_pathway(&db, "acute-oncology").await;
    let t = team::ActiveModel {
        trust_id: Set(home),
        site_id: Set(None),
        name: Set("Chemotherapy Day Unit".into()),
        name_key: Set("chemotherapy day unit".into()),
        min_cover: Set(i32::try_from(members).unwrap() - 2),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let mut staff = Vec::new();
    for n in 0..members {
        let mut s = testing::person(&db, &format!("staff{n}@raa.nhs.example"), Role::Staff, home).await;
        let mut row: user::ActiveModel = user::Entity::find_by_id(s.user_id).one(&db).await.unwrap().unwrap().into();
        row.team_id = Set(Some(t.id));
        row.update(&db).await.unwrap();
        s.applicant = Applicant { staff_group: None, band: PayBand::parse("6").ok(), registration: None };
        staff.push(s);
    }
    let mut manager = testing::person(&db, "manager@raa.nhs.example", Role::LineManager, home).await;
    grant_team::ActiveModel { grant_id: Set(manager.grants[0].id), team_id: Set(t.id) }.insert(&db).await.unwrap();
    manager.grants = vec![Grant { team_ids: vec![t.id], ..manager.grants[0].clone() }];
    let lead = testing::person(&db, "lead@rbb.nhs.example", Role::PlacementLead, host).await;
    let other_lead = testing::person(&db, "lead@raa.nhs.example", Role::PlacementLead, home).await;
    let placement = testing::open_placement(&db, &lead, "RBB", places, "Shadow the acute oncology team").await;
    World { db, lead, manager, staff, other_lead, placement }
}

fn goals() -> ApplicationInput {
    ApplicationInput { goals: "Recognising neutropenic sepsis".into(), ..Default::default() }
}

impl World {
    async fn apply(&self, who: usize) -> Result<i32, AppError> {
        written(&self.db, async |txn| apply(txn, &self.staff[who], cx(), self.placement, &goals()).await).await
    }

    async fn act(&self, actor: &Actor, id: i32, event: ApplicationEvent, reason: &str) -> Result<String, AppError> {
        written(&self.db, async |txn| act(txn, actor, cx(), id, event.code(), reason).await).await
    }

    async fn state(&self, id: i32) -> ApplicationState {
        application::Entity::find_by_id(id).one(&self.db).await.unwrap().unwrap().state
    }

    /// The recorded transitions of an entity, in order: from, to, event and who.
    async fn transitions(&self, entity: &str, id: i32) -> Vec<(Option<String>, String, String, Option<i32>)> {
        state_transition::Entity::find()
            .filter(state_transition::Column::Entity.eq(entity))
            .filter(state_transition::Column::EntityId.eq(id))
            .order_by_asc(state_transition::Column::Id)
            .all(&self.db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.from_state, t.to_state, t.event, t.actor_id))
            .collect()
    }

    async fn placement(&self) -> placement::Model {
        placement::Entity::find_by_id(self.placement).one(&self.db).await.unwrap().unwrap()
    }
}

#[tokio::test]
async fn release_and_acceptance_in_either_order_approve_it_each_step_recorded_with_who_and_when() {
    let w = world(4, 2).await;
    let first = w.apply(0).await.unwrap();
    let second = w.apply(1).await.unwrap();
    assert_eq!(w.act(&w.manager, first, ApplicationEvent::Release, "").await.map(|_| ()), Ok(()));
    let approved = w.act(&w.lead, first, ApplicationEvent::Accept, "").await;
    assert_eq!(approved, Ok("Approved: both the line manager and the host have agreed".into()));
    w.act(&w.lead, second, ApplicationEvent::Accept, "").await.unwrap();
    assert_eq!(w.state(second).await, ApplicationState::Accepted);
    w.act(&w.manager, second, ApplicationEvent::Release, "").await.unwrap();
    assert_eq!((w.state(first).await, w.state(second).await), (ApplicationState::Approved, ApplicationState::Approved));
    let steps = w.transitions(ENTITY, first).await;
    let s = |x: &str| x.to_owned();
    assert_eq!(
        steps,
        vec![
            (None, s("submitted"), s("submitted"), Some(w.staff[0].user_id)),
            (Some(s("submitted")), s("released"), s("release"), Some(w.manager.user_id)),
            (Some(s("released")), s("approved"), s("accept"), Some(w.lead.user_id)),
        ]
    );
    // Both places taken: the placement is full, by its own state machine.
    let p = w.placement().await;
    assert_eq!((p.accepted, p.state), (2, PlacementState::Full));
}

#[tokio::test]
async fn the_host_cannot_accept_more_than_its_places_and_a_withdrawal_frees_one() {
    let w = world(6, 1).await;
    let a = w.apply(0).await.unwrap();
    let b = w.apply(1).await.unwrap();
    w.act(&w.lead, a, ApplicationEvent::Accept, "").await.unwrap();
    assert_eq!(
        w.act(&w.lead, b, ApplicationEvent::Accept, "").await,
        Err(AppError::Conflict("This placement is full".into()))
    );
    assert_eq!(w.state(b).await, ApplicationState::Submitted);
    w.act(&w.staff[0], a, ApplicationEvent::Withdraw, "Ward short over Easter").await.unwrap();
    assert_eq!(w.placement().await.state, PlacementState::Open);
    w.act(&w.lead, b, ApplicationEvent::Accept, "").await.unwrap();
    assert_eq!(w.placement().await.accepted, 1);
    // Each time the last place was taken the placement filled, and each fill, like the place
    // given back between them, is recorded once, as the system's.
    let steps = w.transitions("placement", w.placement).await;
    let moved = |from: &str, to: &str, event: &str| (Some(from.to_owned()), to.to_owned(), event.to_owned(), None);
    assert_eq!(
        steps[steps.len() - 3..],
        [moved("open", "full", "filled"), moved("full", "open", "place_freed"), moved("open", "full", "filled")]
    );
}

#[tokio::test]
async fn an_accept_that_leaves_places_free_records_no_fill() {
    let w = world(4, 2).await;
    let a = w.apply(0).await.unwrap();
    w.act(&w.lead, a, ApplicationEvent::Accept, "").await.unwrap();
    let p = w.placement().await;
    assert_eq!((p.accepted, p.state), (1, PlacementState::Open));
    let fills = state_transition::Entity::find()
        .filter(state_transition::Column::Entity.eq("placement"))
        .filter(state_transition::Column::EntityId.eq(w.placement))
        .filter(state_transition::Column::Event.eq("filled"))
        .count(&w.db)
        .await
        .unwrap();
    assert_eq!(fills, 0);
}

/// A step is worked out before the turn to write (`decide`) and written in it (`commit`),
/// guarded on the state it was worked out from: written after someone else's step, it changes
/// nothing, and worked out again it follows from where the application now is.
#[tokio::test]
async fn a_step_worked_out_before_another_was_written_is_not_written_over_it_and_is_worked_out_again() {
    let w = world(4, 1).await;
    let a = w.apply(0).await.unwrap();
    let accept = decide(&w.db, &w.lead, cx(), a, "accept", "").await.unwrap();
    w.act(&w.manager, a, ApplicationEvent::Release, "").await.unwrap();
    let txn = db::begin_write(&w.db).await.unwrap();
    assert_eq!(commit(&txn, &w.lead, cx(), &accept).await, Ok(None));
    txn.rollback().await.unwrap();
    assert_eq!(w.state(a).await, ApplicationState::Released);
    let p = w.placement().await;
    assert_eq!((p.accepted, p.state), (0, PlacementState::Open), "the place taken on the way was given back");
    let by_lead = state_transition::Entity::find()
        .filter(state_transition::Column::Entity.eq(ENTITY))
        .filter(state_transition::Column::EntityId.eq(a))
        .filter(state_transition::Column::ActorId.eq(w.lead.user_id))
        .count(&w.db)
        .await
        .unwrap();
    assert_eq!(by_lead, 0);
    // Worked out again, the accept now approves.
    let approved = w.act(&w.lead, a, ApplicationEvent::Accept, "").await.unwrap();
    assert!(approved.starts_with("Approved"), "{approved}");
    assert_eq!(w.placement().await.state, PlacementState::Full);
}

#[tokio::test]
async fn a_release_that_would_leave_the_team_short_is_refused_saying_by_how_much_and_when() {
    // A team of 3 with a minimum cover of 2: one may go, not two.
    let w = world(3, 3).await;
    let mut t: team::ActiveModel = team::Entity::find().one(&w.db).await.unwrap().unwrap().into();
    t.min_cover = Set(2);
    t.update(&w.db).await.unwrap();
    let a = w.apply(0).await.unwrap();
    let b = w.apply(1).await.unwrap();
    w.act(&w.manager, a, ApplicationEvent::Release, "").await.unwrap();
    let refused = w.act(&w.manager, b, ApplicationEvent::Release, "").await;
    let Err(AppError::Conflict(why)) = refused else { panic!("{refused:?}") };
    assert!(why.starts_with("Releasing this person would leave Chemotherapy Day Unit with 1 on duty, 1 below its minimum cover of 2, on "), "{why}");
    assert!(why.contains(&dates::long_day(day(60))), "{why}");
    assert_eq!(w.state(b).await, ApplicationState::Submitted);
    // The cover the manager is shown says the same.
    let cover =
        cover_for(&w.db, &application::Entity::find_by_id(b).one(&w.db).await.unwrap().unwrap(), false).await.unwrap();
    assert_eq!((cover.size, cover.min_cover, cover.away.len()), (3, 2, 1));
    assert!(cover.days.iter().all(|(_, on)| *on == 1));
}

#[tokio::test]
async fn each_person_away_counts_once_however_many_of_their_placements_overlap() {
    // A team of 4 with a minimum cover of 2: two may go at once.
    let w = world(4, 3).await;
    let second = testing::open_placement(&w.db, &w.lead, "RBB", 3, "Shadow the chemotherapy day unit").await;
    let apply_to = async |who: usize, placement: i32| {
        written(&w.db, async |txn| apply(txn, &w.staff[who], cx(), placement, &goals()).await).await.unwrap()
    };
    // Staff 0 is released for two placements on the same days: they are one person away.
    let (a, b) = (apply_to(0, w.placement).await, apply_to(0, second).await);
    w.act(&w.manager, a, ApplicationEvent::Release, "").await.unwrap();
    assert_eq!(w.act(&w.manager, b, ApplicationEvent::Release, "").await.map(|_| ()), Ok(()));
    // Staff 1 may still go: with staff 0 away (once), 2 remain on duty.
    let c = apply_to(1, w.placement).await;
    let cover =
        cover_for(&w.db, &application::Entity::find_by_id(c).one(&w.db).await.unwrap().unwrap(), false).await.unwrap();
    assert!(cover.days.iter().all(|(_, on)| *on == 2), "{:?}", cover.days);
    assert_eq!(cover.away.len(), 2, "both of staff 0's placements are listed");
    w.act(&w.manager, c, ApplicationEvent::Release, "").await.unwrap();
    // Staff 2 may not: that would leave 1.
    let d = apply_to(2, second).await;
    let refused = w.act(&w.manager, d, ApplicationEvent::Release, "").await;
    assert!(matches!(&refused, Err(AppError::Conflict(why)) if why.contains("with 1 on duty")), "{refused:?}");
}

#[tokio::test]
async fn those_it_does_not_involve_do_not_see_it_and_a_party_does_only_its_own_part() {
    let w = world(4, 2).await;
    let a = w.apply(0).await.unwrap();
    let before = state_transition::Entity::find().count(&w.db).await.unwrap();
    assert_eq!(w.act(&w.other_lead, a, ApplicationEvent::Accept, "").await, Err(AppError::NotFound));
    assert_eq!(w.act(&w.staff[1], a, ApplicationEvent::Withdraw, "x").await, Err(AppError::NotFound));
    let own = w.act(&w.staff[0], a, ApplicationEvent::Accept, "").await;
    assert_eq!(own, Err(AppError::Refused("Only the host's placement lead can do this".into())));
    let no_reason = w.act(&w.lead, a, ApplicationEvent::Decline, "  ").await;
    let Err(AppError::Validation(f)) = no_reason else { panic!("{no_reason:?}") };
    assert_eq!(f.message_for("reason"), Some("Enter the reason"));
    assert_eq!(state_transition::Entity::find().count(&w.db).await.unwrap(), before);
    // Deciding twice is refused, and changes nothing.
    w.act(&w.lead, a, ApplicationEvent::Accept, "").await.unwrap();
    let twice = w.act(&w.lead, a, ApplicationEvent::Decline, "Changed my mind").await;
    assert_eq!(twice, Err(AppError::Conflict("The host has already accepted this application".into())));
    // One live application per person per placement.
    assert_eq!(w.apply(0).await, Err(AppError::Conflict("You have already applied for this placement".into())));
}

#[tokio::test]
async fn each_step_tells_whoever_it_now_waits_on_in_the_app_and_by_mail_in_the_same_transaction() {
    let w = world(4, 1).await;
    let a = w.apply(0).await.unwrap();
    let told = |db: &DatabaseConnection| {
        let db = db.clone();
        async move {
            notification::Entity::find()
                .order_by_asc(notification::Column::Id)
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .map(|n| (n.user_id, n.kind))
                .collect::<Vec<_>>()
        }
    };
    let s = |x: &str| x.to_owned();
    assert_eq!(
        told(&w.db).await,
        vec![(w.lead.user_id, s("application_submitted")), (w.manager.user_id, s("release_requested"))]
    );
    assert_eq!(outbox::Entity::find().count(&w.db).await.unwrap(), 2);
    // A step that fails after its mail was queued queues none.
    let txn = db::begin_write(&w.db).await.unwrap();
    act(&txn, &w.lead, cx(), a, "accept", "").await.unwrap();
    drop(txn);
    assert_eq!(outbox::Entity::find().count(&w.db).await.unwrap(), 2);
    w.act(&w.lead, a, ApplicationEvent::Accept, "").await.unwrap();
    w.act(&w.manager, a, ApplicationEvent::Release, "").await.unwrap();
    let kinds: Vec<String> = told(&w.db).await.into_iter().skip(2).map(|(_, k)| k).collect();
    // Accepted: the applicant; approved: the applicant and the lead (the manager acted).
    assert_eq!(kinds, vec![s("application_accepted"), s("application_approved"), s("application_approved")]);
    let mail = outbox::Entity::find().order_by_desc(outbox::Column::Id).one(&w.db).await.unwrap().unwrap();
    assert!(mail.body_text.contains(&format!("https://passport.example/applications/{a}")), "{}", mail.body_text);
    assert!(!mail.body_text.contains("neutropenic"), "learning goals stay in the service");
}

#[tokio::test]
async fn each_party_sees_its_part_and_a_project_manager_the_state_and_steps_but_not_the_applicants_words() {
    let w = world(4, 2).await;
    let a = w.apply(0).await.unwrap();
    w.act(&w.manager, a, ApplicationEvent::Release, "").await.unwrap();
    let seen = get(&w.db, &w.staff[0], cx(), a).await.unwrap();
    assert_eq!(seen.goals.as_deref(), Some("Recognising neutropenic sepsis"));
    assert_eq!(
        (seen.state, seen.waiting_on.clone(), seen.events.clone()),
        (ApplicationState::Released, vec![Party::HostLead], vec![ApplicationEvent::Withdraw])
    );
    let whats: Vec<&str> = seen.steps.iter().map(|s| s.what.as_str()).collect();
    assert_eq!(whats, vec!["Applied", "Released by the line manager"]);
    let host = get(&w.db, &w.lead, cx(), a).await.unwrap();
    assert_eq!(host.events, vec![ApplicationEvent::Accept, ApplicationEvent::Decline]);
    assert_eq!(host.cover, None, "the team's cover is the line manager's to weigh");
    let db = &w.db;
    let home = w.staff[0].home_trust_id.unwrap();
    let pm = testing::person(db, "pm@alliance.nhs.example", Role::ProjectManager, home).await;
    let figures = get(db, &pm, cx(), a).await.unwrap();
    assert_eq!((figures.goals, figures.events), (None, vec![]));
    assert_eq!(get(db, &w.other_lead, cx(), a).await.map(|v| v.id), Err(AppError::NotFound));
    // The manager, deciding on a second member, is shown who else is away then.
    let b = w.apply(1).await.unwrap();
    let deciding = get(db, &w.manager, cx(), b).await.unwrap();
    let cover = deciding.cover.expect("the cover, for the release");
    assert_eq!((cover.size, cover.min_cover, cover.fewest_on_duty, cover.away.len()), (4, 2, 2, 1));
    assert_eq!(cover.shortfall, None);
    let queue = lists(db, &w.manager, cx()).await.unwrap();
    let rows: Vec<(i32, bool)> = queue.to_decide.iter().map(|r| (r.id, r.yours_to_decide)).collect();
    assert_eq!(rows, vec![(a, false), (b, true)]);
    assert_eq!(lists(db, &w.staff[0], cx()).await.unwrap().mine.iter().map(|r| r.id).collect::<Vec<_>>(), vec![a]);
}

#[tokio::test]
async fn a_notification_is_its_recipients_alone_and_opening_it_marks_it_read() {
    use crate::server::services::notifications;
    let w = world(4, 2).await;
    let a = w.apply(0).await.unwrap();
    assert_eq!(notifications::unread(&w.db, &w.lead).await, Ok(1));
    let rows = notifications::list(&w.db, &w.lead).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].link, format!("/applications/{a}"));
    assert!(rows[0].text.starts_with("staff0 has applied for Shadow the acute oncology team"), "{}", rows[0].text);
    let theirs = rows[0].id;
    assert_eq!(
        written(&w.db, async |txn| notifications::open(txn, &w.manager, theirs).await).await,
        Err(AppError::NotFound)
    );
    assert_eq!(notifications::unread(&w.db, &w.lead).await, Ok(1));
    let to = written(&w.db, async |txn| notifications::open(txn, &w.lead, theirs).await).await;
    assert_eq!(to, Ok(format!("/applications/{a}")));
    assert_eq!(notifications::unread(&w.db, &w.lead).await, Ok(0));
    assert_eq!(notifications::unread(&w.db, &w.manager).await, Ok(1), "the manager's own is untouched");
}

#[tokio::test]
async fn after_completion_the_applicant_and_the_host_each_give_feedback_once() {
    use crate::domain::FeedbackInput;
    let w = world(4, 2).await;
    let a = w.apply(0).await.unwrap();
    w.act(&w.manager, a, ApplicationEvent::Release, "").await.unwrap();
    w.act(&w.lead, a, ApplicationEvent::Accept, "").await.unwrap();
    let on = |d: i64| Context { public_url: "https://passport.example", today: day(d) };
    let input = FeedbackInput {
        outcomes_met: "all".into(),
        rating: "5".into(),
        would_recommend: "yes".into(),
        comments: "A well-run unit".into(),
    };
    let give = |who: &Actor, input: FeedbackInput| {
        let (db, who) = (w.db.clone(), who.clone());
        async move { written(&db, async |txn| give_feedback(txn, &who, a, &input).await).await }
    };
    let early = give(&w.staff[0], input.clone()).await;
    assert_eq!(early, Err(AppError::Conflict("Feedback can be given once the placement is completed".into())));
    written(&w.db, async |txn| act(txn, &w.lead, on(60), a, "record_induction", "").await).await.unwrap();
    written(&w.db, async |txn| act(txn, &w.lead, on(65), a, "complete", "").await).await.unwrap();
    assert!(get(&w.db, &w.staff[0], on(66), a).await.unwrap().feedback_due);
    let bad = give(&w.staff[0], FeedbackInput { rating: "9".into(), ..input.clone() }).await;
    let Err(AppError::Validation(f)) = bad else { panic!("{bad:?}") };
    assert_eq!(f.message_for("rating"), Some("Select a rating from 1 to 5"));
    assert_eq!(give(&w.staff[0], input.clone()).await, Ok("Thank you: your feedback has been saved".into()));
    assert_eq!(
        give(&w.staff[0], input.clone()).await,
        Err(AppError::Conflict("Feedback on this placement has already been given".into()))
    );
    let refused = give(&w.manager, input.clone()).await;
    assert_eq!(
        refused,
        Err(AppError::Refused("Feedback comes from the applicant and the host's placement lead".into()))
    );
    assert!(give(&w.lead, FeedbackInput { comments: String::new(), ..input }).await.is_ok());
    let seen = get(&w.db, &w.lead, on(66), a).await.unwrap();
    assert!(!seen.feedback_due);
    let from: Vec<&str> = seen.feedback.iter().map(|f| f.from.as_str()).collect();
    assert_eq!(from, vec!["The applicant", "The host's placement lead"]);
}
