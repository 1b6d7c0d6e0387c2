//! Demo applications, made through the app's own service and state machine (never written
//! straight into the table), so each has its real transitions, notifications and audit entries.
//!
//! Some are live, so every demo account signing in finds work: waiting on a line manager,
//! waiting on a host's lead, approved, declined with a reason, withdrawn. The rest are history:
//! placements that ran over the past months at hosts across the alliance, completed, their steps
//! dated as they happened (the service is told the day; the transitions' times are set to it),
//! with both sides' feedback, so the evaluation figures have something to read. Idempotent:
//! nothing is added once any application exists.

use anyhow::Context as _;
use app::domain::{ApplicationEvent, ApplicationInput, ApplicationState, FeedbackInput, PlacementKind, PlacementState};
use app::server::access::Actor;
use app::server::entities::{application, notification, outbox, pathway, placement, state_transition, trust, user};
use app::server::services::applications::{self, Context};
use app::server::services::{placements, sessions};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

async fn actor(conn: &impl ConnectionTrait, email: &str) -> anyhow::Result<Actor> {
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(conn)
        .await?
        .with_context(|| format!("demo person {email}"))?;
    Ok(sessions::actor_of(conn, &u, String::new(), "127.0.0.1").await?)
}

/// Sets the time of the application's latest transition to `day` at `hour` o'clock.
async fn dated(conn: &impl ConnectionTrait, id: i32, day: NaiveDate, hour: u32) -> anyhow::Result<()> {
    let at = day.and_hms_opt(hour, 0, 0).context("a time of day")?.and_utc();
    let last = state_transition::Entity::find()
        .filter(state_transition::Column::Entity.eq("application"))
        .filter(state_transition::Column::EntityId.eq(id))
        .order_by_desc(state_transition::Column::Id)
        .one(conn)
        .await?
        .context("a transition")?;
    state_transition::Entity::update_many()
        .col_expr(state_transition::Column::At, Expr::value(at))
        .filter(state_transition::Column::Id.eq(last.id))
        .exec(conn)
        .await?;
    application::Entity::update_many()
        .col_expr(application::Column::UpdatedAt, Expr::value(at))
        .filter(application::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

fn goals(n: usize) -> ApplicationInput {
    const GOALS: [&str; 4] = [
        "Recognising and escalating neutropenic sepsis, and how a 7-day service triages its calls.",
        "How another team runs its chemotherapy day unit: scheduling, capacity and nurse-led clinics.",
        "Shadow senior decision-making in the acute oncology MDT.",
        "Supervised practice towards my non-medical prescribing course.",
    ];
    ApplicationInput { goals: GOALS[n % GOALS.len()].into(), ..Default::default() }
}

/// The open placements of `host` the applicant may apply for, soonest first (fixed ones only,
/// so the demo needs no proposed days).
async fn open_at(conn: &impl ConnectionTrait, host: &str) -> anyhow::Result<Vec<placement::Model>> {
    let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(host)).one(conn).await?.context("a host")?;
    Ok(placement::Entity::find()
        .filter(placement::Column::TrustId.eq(t.id))
        .filter(placement::Column::State.eq(PlacementState::Open))
        .filter(placement::Column::Schedule.eq("fixed"))
        .order_by_asc(placement::Column::StartDate)
        .all(conn)
        .await?)
}

/// Applies as `who` to the first open placement at `host` (or, failing that, at any other
/// host but their own) they are eligible for and have not applied to; returns the application.
/// Each try runs under a savepoint: on PostgreSQL a refused insert would otherwise end the
/// whole transaction.
async fn apply_at(conn: &DatabaseTransaction, who: &Actor, host: &str, n: usize) -> anyhow::Result<i32> {
    let cx = Context::of("");
    for ods in std::iter::once(host).chain(["R0A", "RM3", "RBV"]) {
        for p in open_at(conn, ods).await? {
            if Some(p.trust_id) == who.home_trust_id {
                continue;
            }
            let attempt = conn.begin().await?;
            match applications::apply(&attempt, who, cx, p.id, &goals(n)).await {
                Ok(id) => {
                    attempt.commit().await?;
                    return Ok(id);
                }
                Err(_) => attempt.rollback().await?,
            }
        }
    }
    anyhow::bail!("no placement that {} may apply for", who.email)
}

/// The one of `leads` who leads at the host of application `id`.
async fn host_lead<'a>(conn: &impl ConnectionTrait, id: i32, leads: &[&'a Actor]) -> anyhow::Result<&'a Actor> {
    let a = application::Entity::find_by_id(id).one(conn).await?.context("the application")?;
    let p = placement::Entity::find_by_id(a.placement_id).one(conn).await?.context("its placement")?;
    leads
        .iter()
        .copied()
        .find(|l| l.grants.iter().any(|g| g.role == app::domain::Role::PlacementLead && g.trust_id == Some(p.trust_id)))
        .context("a lead at the host")
}

async fn step(
    conn: &DatabaseTransaction,
    who: &Actor,
    id: i32,
    event: ApplicationEvent,
    reason: &str,
) -> anyhow::Result<()> {
    applications::act(conn, who, Context::of(""), id, event.code(), reason)
        .await
        .map_err(|e| anyhow::anyhow!("{} by {}: {e:?}", event.code(), who.email))?;
    Ok(())
}

/// Adds the demo applications unless there are some already; returns how many were added.
pub async fn demo_applications(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let txn = app::server::db::begin_write(db).await?;
    if application::Entity::find().count(&txn).await? > 0 {
        return Ok(0);
    }
    let outbox_before = outbox::Entity::find().order_by_desc(outbox::Column::Id).one(&txn).await?.map_or(0, |m| m.id);
    let who = async |email: &str| actor(&txn, email).await;
    let (nurse_r0a, manager_r0a, lead_r0a) = (
        who("nurse@r0a.nhs.example").await?,
        who("manager@r0a.nhs.example").await?,
        who("lead@r0a.nhs.example").await?,
    );
    let (nurse_rm3, manager_rm3, lead_rm3) = (
        who("nurse@rm3.nhs.example").await?,
        who("manager@rm3.nhs.example").await?,
        who("lead@rm3.nhs.example").await?,
    );
    let (radiographer, lead_rbv) = (who("radiographer@rbv.nhs.example").await?, who("lead@rbv.nhs.example").await?);
    let mut added = 0;

    // Live work, so each demo account finds something waiting. (The demo's radiographer is in
    // a team no demo manager manages, so nothing of theirs needs a release.)
    // Waiting on both: Asha's manager (Tom) and RM3's lead (Owen).
    apply_at(&txn, &nurse_r0a, "RM3", 0).await?;
    // Released by Fatima; waiting on R0A's lead (Grace).
    let a = apply_at(&txn, &nurse_rm3, "R0A", 1).await?;
    step(&txn, &manager_rm3, a, ApplicationEvent::Release, "").await?;
    // Accepted by RBV's lead (Mohammed); waiting on Tom.
    let a = apply_at(&txn, &nurse_r0a, "RBV", 2).await?;
    step(&txn, host_lead(&txn, a, &[&lead_r0a, &lead_rm3, &lead_rbv]).await?, a, ApplicationEvent::Accept, "").await?;
    // Approved: Tom released Asha and the host accepted her.
    let a = apply_at(&txn, &nurse_r0a, "RM3", 3).await?;
    step(&txn, &manager_r0a, a, ApplicationEvent::Release, "").await?;
    step(&txn, host_lead(&txn, a, &[&lead_r0a, &lead_rm3, &lead_rbv]).await?, a, ApplicationEvent::Accept, "").await?;
    // Declined by the host, with its reason; and withdrawn by the applicant, with theirs.
    let a = apply_at(&txn, &radiographer, "RM3", 0).await?;
    let why = "The dates clash with our ward move; please apply for the spring placement";
    step(&txn, host_lead(&txn, a, &[&lead_r0a, &lead_rm3, &lead_rbv]).await?, a, ApplicationEvent::Decline, why)
        .await?;
    let a = apply_at(&txn, &radiographer, "R0A", 1).await?;
    step(&txn, &radiographer, a, ApplicationEvent::Withdraw, "My course dates have moved").await?;
    added += 6;

    // Under way now: approved and started two days ago, waiting for the host to record the
    // induction; and inducted and ended two days ago, waiting for the host to record completion.
    // One of each at R0A (Daniel, from RM3) and at RM3 (Asha, from R0A).
    let pathway = pathway::Entity::find().order_by_asc(pathway::Column::Id).one(&txn).await?.context("a pathway")?;
    let today = Utc::now().date_naive();
    let mut n: i64 = 0;
    for (applicant, manager, lead) in [(&nurse_rm3, &manager_rm3, &lead_r0a), (&nurse_r0a, &manager_r0a, &lead_rm3)] {
        for (start, steps) in [
            (today - Duration::days(2), &[ApplicationEvent::Release, ApplicationEvent::Accept][..]),
            (
                today - Duration::days(6),
                &[ApplicationEvent::Release, ApplicationEvent::Accept, ApplicationEvent::RecordInduction][..],
            ),
        ] {
            n += 1;
            past(&txn, (applicant, manager, lead), &pathway, start, n, steps).await?;
            added += 1;
        }
    }

    // History: placements that ran over the past year at every host in the alliance, each
    // completed, with both sides' feedback.
    let mut leads = Vec::new();
    for (ods, _, _) in crate::seed::TRUSTS {
        leads.push(who(&format!("lead@{}.nhs.example", ods.to_lowercase())).await?);
    }
    let people = [(&nurse_r0a, &manager_r0a), (&nurse_rm3, &manager_rm3)];
    let history = [
        ApplicationEvent::Release,
        ApplicationEvent::Accept,
        ApplicationEvent::RecordInduction,
        ApplicationEvent::Complete,
    ];
    let mut k = 0;
    for lead in &leads {
        let host = lead.grants.iter().find(|g| g.role == app::domain::Role::PlacementLead).and_then(|g| g.trust_id);
        let Some(host) = host else { continue };
        for (applicant, manager) in people.iter().filter(|(a, _)| a.home_trust_id != Some(host)) {
            k += 1;
            n += 1;
            let start = today - Duration::weeks(4 + 3 * k);
            let id = past(&txn, (*applicant, *manager, lead), &pathway, start, n, &history).await?;
            for (who, rating, comments) in [
                (*applicant, 4 + n % 2, "Good to see how another team runs its triage line."),
                (lead, 5 - n % 2, "Keen and well prepared."),
            ] {
                let input = FeedbackInput {
                    outcomes_met: if n % 3 == 0 { "some".into() } else { "all".into() },
                    rating: rating.to_string(),
                    would_recommend: "yes".into(),
                    comments: comments.into(),
                };
                applications::give_feedback(&txn, who, id, &input)
                    .await
                    .map_err(|e| anyhow::anyhow!("feedback: {e:?}"))?;
            }
            added += 1;
        }
    }

    // The history's notifications have been read long since, and so has news of live work
    // that asks nothing of its reader; what the seed queued is not sent.
    let done: Vec<i32> = application::Entity::find()
        .filter(application::Column::State.eq(ApplicationState::Completed))
        .all(&txn)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(sea_orm::Condition::any().add(notification::Column::ApplicationId.is_in(done)).add(
            notification::Column::Kind.is_in(["application_approved", "application_released", "application_accepted"]),
        ))
        .exec(&txn)
        .await?;
    outbox::Entity::delete_many().filter(outbox::Column::Id.gt(outbox_before)).exec(&txn).await?;
    txn.commit().await?;
    Ok(added)
}

/// A placement at `lead`'s trust that started on `start`, applied for 40 days before by the
/// applicant, then taken through `steps` each on its day (managers take a few days to release,
/// hosts a week or two to accept; induction on the first day, completion after the last); the
/// placement is closed once it has filled. Returns the application.
async fn past(
    txn: &DatabaseTransaction,
    (applicant, manager, lead): (&Actor, &Actor, &Actor),
    pathway: &pathway::Model,
    start: NaiveDate,
    n: i64,
    steps: &[ApplicationEvent],
) -> anyhow::Result<i32> {
    let host = lead
        .grants
        .iter()
        .find(|g| g.role == app::domain::Role::PlacementLead)
        .and_then(|g| g.trust_id)
        .context("the lead's trust")?;
    let p = past_placement(txn, host, pathway.id, lead.user_id, start, n).await?;
    let applied = start - Duration::days(40);
    let id = applications::apply(txn, applicant, Context { public_url: "", today: applied }, p.id, &goals(n as usize))
        .await
        .map_err(|e| anyhow::anyhow!("a past application: {e:?}"))?;
    dated(txn, id, applied, 9).await?;
    for event in steps {
        let (who, day, hour) = match event {
            ApplicationEvent::Release => (manager, -38 + n % 4, 11),
            ApplicationEvent::Accept => (lead, -30 + n % 7, 14),
            ApplicationEvent::RecordInduction => (lead, 0, 9),
            _ => (lead, 5, 16),
        };
        let on = start + Duration::days(day);
        applications::act(txn, who, Context { public_url: "", today: on }, id, event.code(), "")
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e:?}", event.code()))?;
        dated(txn, id, on, hour).await?;
    }
    placements::change_state(txn, lead, p.id, "close", "")
        .await
        .map_err(|e| anyhow::anyhow!("closing a past placement: {e:?}"))?;
    Ok(id)
}

/// A five-day placement of `trust` that started on `start`, open when it took applications.
async fn past_placement(
    conn: &impl ConnectionTrait,
    trust_id: i32,
    pathway_id: i32,
    author: i32,
    start: NaiveDate,
    n: i64,
) -> anyhow::Result<placement::Model> {
    let now = Utc::now();
    let kind = [PlacementKind::Shadowing, PlacementKind::TrainingEducation, PlacementKind::Mentoring][(n % 3) as usize];
    Ok(placement::ActiveModel {
        trust_id: Set(trust_id),
        site_id: Set(None),
        department: Set("Acute Oncology".into()),
        pathway_id: Set(pathway_id),
        kind: Set(kind),
        title: Set(format!("{} with the acute oncology team ({})", kind.label(), start.format("%B %Y"))),
        description: Set("Five days with the team: triage line, ward reviews and the MDT.".into()),
        outcomes: Set("Recognise and escalate neutropenic sepsis.".into()),
        supervisor: Set("The acute oncology nurse consultant".into()),
        schedule: Set("fixed".into()),
        start_date: Set(start),
        end_date: Set(start + Duration::days(4)),
        window_days: Set(None),
        places: Set(2),
        accepted: Set(0),
        band_min: Set("5".into()),
        band_max: Set("7".into()),
        band_min_rank: Set(3),
        band_max_rank: Set(5),
        registration: Set("none".into()),
        closing_date: Set(start - Duration::days(21)),
        state: Set(PlacementState::Open),
        cancel_reason: Set(None),
        copied_from: Set(None),
        created_by: Set(author),
        created_at: Set(now),
        updated_at: Set(now),
        published_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}
