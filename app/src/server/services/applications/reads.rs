//! Reading applications: one with its timeline, what the viewer may do and (for the line
//! manager deciding) the team's cover; and the lists of one's own and of those waiting on one.

use super::{Context, ENTITY, cover_for, involving};
use crate::domain::{ApplicationEvent, ApplicationState, OutcomesMet, Party, Phase, Role, dates};
use crate::error::AppError;
use crate::server::access::Actor;
use crate::server::entities::{application, application_feedback, placement, state_transition, team, trust, user};
use crate::views::applications::{
    ApplicationLists, ApplicationRow, ApplicationView, CoverView, FeedbackView, StepView,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

fn days_text(a: &application::Model) -> String {
    if a.first_day == a.last_day {
        dates::long_day(a.first_day)
    } else {
        format!("{} to {}", dates::long_day(a.first_day), dates::long_day(a.last_day))
    }
}

/// What a transition reads as on the timeline; reaching approval is a step of its own.
fn step_texts(event: &str, to: &str) -> Vec<&'static str> {
    let what = match ApplicationEvent::from_code(event) {
        None => "Applied",
        Some(ApplicationEvent::Release) => "Released by the line manager",
        Some(ApplicationEvent::RefuseRelease) => "Not released by the line manager",
        Some(ApplicationEvent::Accept) => "Accepted by the host",
        Some(ApplicationEvent::Decline) => "Declined by the host",
        Some(ApplicationEvent::Withdraw) => "Withdrawn",
        Some(ApplicationEvent::Cancel) => "Cancelled",
        Some(ApplicationEvent::RecordInduction) => "Induction done",
        Some(ApplicationEvent::Complete) => "Completed",
        Some(ApplicationEvent::EndEarly) => "Ended early",
    };
    if to == ApplicationState::Approved.code() { vec![what, "Approved"] } else { vec![what] }
}

async fn names(conn: &impl ConnectionTrait, ids: Vec<i32>) -> Result<HashMap<i32, String>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// One application, as `actor` may see it: not found unless it involves them or they are a
/// project manager, who sees its state and steps but not the applicant's own words.
pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    cx: Context<'_>,
    id: i32,
) -> Result<ApplicationView, AppError> {
    let (a, p, parties) = involving(conn, actor, id).await?;
    let phase = Phase::on(cx.today, a.first_day, a.last_day);
    let transitions = state_transition::Entity::find()
        .filter(state_transition::Column::Entity.eq(ENTITY))
        .filter(state_transition::Column::EntityId.eq(a.id))
        .order_by_asc(state_transition::Column::Id)
        .all(conn)
        .await?;
    let mut ids: Vec<i32> = transitions.iter().filter_map(|t| t.actor_id).collect();
    ids.push(a.applicant_id);
    let who = names(conn, ids).await?;
    let steps = transitions
        .iter()
        .flat_map(|t| {
            let by = t.actor_id.and_then(|id| who.get(&id).cloned()).unwrap_or_default();
            step_texts(&t.event, &t.to_state).into_iter().map(move |what| StepView {
                at: dates::moment(t.at),
                who: by.clone(),
                what: what.to_owned(),
            })
        })
        .collect();
    let mut events: Vec<ApplicationEvent> = Vec::new();
    for party in &parties {
        for e in a.state.events_for(*party, phase) {
            if !events.contains(&e) {
                events.push(e);
            }
        }
    }
    let cover = if parties.contains(&Party::LineManager)
        && a.state.events_for(Party::LineManager, phase).contains(&ApplicationEvent::Release)
    {
        let c = cover_for(conn, &a, false).await?;
        Some(CoverView {
            team: c.team.clone(),
            size: c.size,
            min_cover: c.min_cover,
            away: c
                .away
                .iter()
                .map(|(n, f, l)| (n.clone(), format!("{} to {}", dates::long_day(*f), dates::long_day(*l))))
                .collect(),
            fewest_on_duty: c.days.iter().map(|(_, on)| *on).min().unwrap_or(i64::from(c.size) - 1),
            shortfall: c.shortfall(),
        })
    } else {
        None
    };
    let given = application_feedback::Entity::find()
        .filter(application_feedback::Column::ApplicationId.eq(a.id))
        .order_by_asc(application_feedback::Column::Id)
        .all(conn)
        .await?;
    let mine = super::feedback::feedback_party(&parties).map(super::feedback::party_code);
    let feedback_due =
        a.state == ApplicationState::Completed && mine.is_some_and(|m| given.iter().all(|f| f.party != m));
    let feedback = if parties.is_empty() {
        vec![]
    } else {
        given
            .into_iter()
            .map(|f| FeedbackView {
                from: if f.party == "applicant" { "The applicant".into() } else { "The host's placement lead".into() },
                outcomes_met: OutcomesMet::from_code(&f.outcomes_met).map(|o| o.label().to_owned()).unwrap_or_default(),
                rating: f.rating,
                would_recommend: f.would_recommend,
                comments: f.comments,
            })
            .collect()
    };
    let applicant = user::Entity::find_by_id(a.applicant_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let trusts: HashMap<i32, String> = trust::Entity::find()
        .filter(trust::Column::Id.is_in([a.home_trust_id, p.trust_id]))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let team_name = team::Entity::find_by_id(a.team_id).one(conn).await?.map(|t| t.name).unwrap_or_default();
    Ok(ApplicationView {
        id: a.id,
        placement_id: p.id,
        placement_title: p.title.clone(),
        host_trust: trusts.get(&p.trust_id).cloned().unwrap_or_default(),
        applicant: applicant.name,
        home_trust: trusts.get(&a.home_trust_id).cloned().unwrap_or_default(),
        team: team_name,
        staff_group: applicant.staff_group.map(|g| g.label().to_owned()).unwrap_or_default(),
        pay_band: applicant.pay_band.unwrap_or_default(),
        days: days_text(&a),
        state: a.state,
        goals: (!parties.is_empty()).then(|| a.goals.clone()),
        reason: if parties.is_empty() { None } else { a.reason.clone() },
        waiting_on: a.state.waiting_on(phase),
        steps,
        events,
        cover,
        feedback_due,
        feedback,
    })
}

/// The signed-in person's own applications, newest first, and those waiting on them as a line
/// manager or a placement lead.
pub async fn lists(conn: &impl ConnectionTrait, actor: &Actor, cx: Context<'_>) -> Result<ApplicationLists, AppError> {
    let mine = application::Entity::find()
        .filter(application::Column::ApplicantId.eq(actor.user_id))
        .order_by_desc(application::Column::SubmittedAt)
        .all(conn)
        .await?;
    let live: Vec<ApplicationState> = ApplicationState::ALL.into_iter().filter(|s| s.is_live()).collect();
    let lead_trusts: Vec<i32> =
        actor.grants.iter().filter(|g| g.role == Role::PlacementLead).filter_map(|g| g.trust_id).collect();
    let managed_teams: Vec<i32> =
        actor.grants.iter().filter(|g| g.role == Role::LineManager).flat_map(|g| g.team_ids.iter().copied()).collect();
    // The host's placements, as a subquery: a lead's trust may post thousands.
    let hosted = sea_orm::sea_query::Query::select()
        .column(placement::Column::Id)
        .from(placement::Entity)
        .and_where(placement::Column::TrustId.is_in(lead_trusts))
        .to_owned();
    let others = application::Entity::find()
        .filter(application::Column::State.is_in(live))
        .filter(application::Column::ApplicantId.ne(actor.user_id))
        .filter(
            sea_orm::Condition::any()
                .add(application::Column::PlacementId.in_subquery(hosted))
                .add(application::Column::TeamId.is_in(managed_teams)),
        )
        .order_by_asc(application::Column::SubmittedAt)
        .all(conn)
        .await?;
    let placement_ids: Vec<i32> = mine.iter().chain(others.iter()).map(|a| a.placement_id).collect();
    let placements: HashMap<i32, placement::Model> = placement::Entity::find()
        .filter(placement::Column::Id.is_in(placement_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let trusts: HashMap<i32, String> =
        trust::Entity::find().all(conn).await?.into_iter().map(|t| (t.id, t.name)).collect();
    let who = names(conn, mine.iter().chain(others.iter()).map(|a| a.applicant_id).collect()).await?;
    let row = |a: &application::Model| -> Option<ApplicationRow> {
        let p = placements.get(&a.placement_id)?;
        let parties = actor.parties_to(a.applicant_id, a.home_trust_id, a.team_id, p.trust_id);
        let phase = Phase::on(cx.today, a.first_day, a.last_day);
        let waiting_on = a.state.waiting_on(phase);
        Some(ApplicationRow {
            id: a.id,
            placement_title: p.title.clone(),
            applicant: who.get(&a.applicant_id).cloned().unwrap_or_default(),
            host_trust: trusts.get(&p.trust_id).cloned().unwrap_or_default(),
            days: days_text(a),
            state: a.state,
            yours_to_decide: waiting_on.iter().any(|w| *w != Party::Applicant && parties.contains(w)),
            waiting_on,
        })
    };
    Ok(ApplicationLists {
        mine: mine.iter().filter_map(row).collect(),
        to_decide: others.iter().filter_map(row).filter(|r| !r.waiting_on.is_empty()).collect(),
    })
}
