//! Applications: a staff member applies, their line manager releases and the host's lead
//! accepts (in either order), and the placement runs. Every function takes the caller's write
//! transaction and the signed-in [`Actor`]; every change is one guarded transition of the one
//! state machine (`domain::ApplicationState::after`) with its `state_transitions` row, its audit
//! entry, its notifications and its mail, all in that transaction.
//!
//! Two rules hold however many people act at once. **Never overbooked:** a place is taken by
//! one conditional `UPDATE … SET accepted = accepted + 1 WHERE accepted < places`, which the
//! database applies one at a time. **Never a team short:** a release locks the team's row (on
//! PostgreSQL; SQLite has one writer) before counting who is away, so two releases of one team
//! are decided one after the other.

mod cover;
mod feedback;
mod notify;
mod reads;
mod reminders;
#[cfg(test)]
mod tests;

pub use cover::{Cover, cover_for};
pub use feedback::give_feedback;
pub use reads::{get, lists};
pub use reminders::{ReminderConfig, send_due, working_days_between};

use super::{audit, placements};
use crate::domain::AuditAction;
use crate::domain::{
    ApplicationDetails, ApplicationEvent, ApplicationInput, ApplicationState, Party, Phase, PlacementState, Schedule,
    StaffGroup, parse_reason,
};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize, permits};
use crate::server::db::{self, Transition};
use crate::server::entities::{application, placement, placement_staff_group, user};
use crate::server::placement_index::eligibility_of;
use crate::server::turns::Checked;
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, UpdateStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryTrait, Set,
};
use serde_json::json;

pub(crate) const ENTITY: &str = "application";

/// Where links in mail point, and the day it is (a test sets it; the app uses today's).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub public_url: &'a str,
    pub today: NaiveDate,
}

impl<'a> Context<'a> {
    pub fn of(public_url: &'a str) -> Self {
        Context { public_url, today: Utc::now().date_naive() }
    }
}

pub(crate) fn schedule_of(p: &placement::Model) -> Schedule {
    match p.window_days {
        Some(days) if p.schedule == "window" => {
            Schedule::Window { from: p.start_date, to: p.end_date, days: u16::try_from(days).unwrap_or(1) }
        }
        _ => Schedule::Fixed { start: p.start_date, end: p.end_date },
    }
}

/// Applies for placement `placement_id` as the signed-in staff member; returns the
/// application's id. The caller wakes the mail worker once it has committed.
pub async fn apply(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    cx: Context<'_>,
    placement_id: i32,
    input: &ApplicationInput,
) -> Result<i32, AppError> {
    let p = placement::Entity::find_by_id(placement_id).one(txn).await?.ok_or(AppError::NotFound)?;
    if !permits(actor, &Action::ViewPlacement { trust: p.trust_id, draft: p.state == PlacementState::Draft }) {
        return Err(AppError::NotFound);
    }
    authorize(Some(actor), &Action::Apply)?;
    let me = user::Entity::find_by_id(actor.user_id).one(txn).await?.ok_or(AppError::Unauthenticated)?;
    let (Some(team_id), Some(home)) = (me.team_id, me.home_trust_id) else {
        return Err(AppError::Refused(
            "Your team is not recorded, so your line manager cannot release you. Ask your HR team to add it".into(),
        ));
    };
    if p.state != PlacementState::Open || cx.today > p.closing_date {
        return Err(AppError::Conflict("This placement is not taking applications".into()));
    }
    let groups: Vec<StaffGroup> = placement_staff_group::Entity::find()
        .filter(placement_staff_group::Column::PlacementId.eq(p.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|g| g.staff_group)
        .collect();
    let reasons = eligibility_of(&p, groups)?.reasons_not(&actor.applicant);
    if !reasons.is_empty() {
        return Err(AppError::Refused(format!("You cannot apply for this placement. {}", reasons.join(". "))));
    }
    let details = ApplicationDetails::parse(input, schedule_of(&p))?;
    if details.first_day <= cx.today {
        return Err(AppError::Conflict("This placement has started, so it takes no more applications".into()));
    }
    let now = Utc::now();
    let inserted = application::ActiveModel {
        placement_id: Set(p.id),
        applicant_id: Set(actor.user_id),
        team_id: Set(team_id),
        home_trust_id: Set(home),
        state: Set(ApplicationState::Submitted),
        goals: Set(details.goals),
        first_day: Set(details.first_day),
        last_day: Set(details.last_day),
        reason: Set(None),
        submitted_at: Set(now),
        updated_at: Set(now),
        reminded_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await;
    let a = match inserted {
        Ok(a) => a,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(AppError::Conflict("You have already applied for this placement".into()));
        }
        Err(e) => return Err(e.into()),
    };
    db::record_transition(
        txn,
        Transition {
            entity: ENTITY,
            id: a.id,
            from: None,
            to: ApplicationState::Submitted.code(),
            event: "submitted",
            actor: Some(actor.user_id),
        },
    )
    .await?;
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::ApplicationSubmitted,
            subject: format!("application {} (placement {})", a.id, p.id),
            trust_id: Some(p.trust_id),
            detail: json!({ "first_day": a.first_day, "last_day": a.last_day }),
        },
    )
    .await?;
    notify::submitted(txn, cx, &a, &p, &actor.name).await?;
    Ok(a.id)
}

/// Loads an application with its placement and what the actor is to it. Someone it does not
/// involve (and who is not a project manager) gets "not found", so ids cannot be probed.
pub(crate) async fn involving(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
) -> Result<(application::Model, placement::Model, Vec<Party>), AppError> {
    // The application and its placement in one query: every decision starts here.
    let found = application::Entity::find_by_id(id).find_also_related(placement::Entity).one(conn).await?;
    let Some((a, Some(p))) = found else { return Err(AppError::NotFound) };
    let parties = actor.parties_to(a.applicant_id, a.home_trust_id, a.team_id, p.trust_id);
    if !permits(actor, &Action::ViewApplication { parties: &parties }) {
        return Err(AppError::NotFound);
    }
    Ok((a, p, parties))
}

fn reason_error(raw: &str, message: String) -> AppError {
    let mut f = FormErrors::with_values([("reason", raw)]);
    f.add("reason", message);
    AppError::Validation(f)
}

/// Causes `event` (its code, as a form posts it) on application `id`, with the `reason` the
/// event needs, in one transaction: [`decide`] then [`commit`]. Returns the notice to show. The
/// caller wakes the mail worker once it has committed.
pub async fn act(
    conn: &DatabaseTransaction,
    actor: &Actor,
    cx: Context<'_>,
    id: i32,
    event: &str,
    reason: &str,
) -> Result<String, AppError> {
    let step = decide(conn, actor, cx, id, event, reason).await?;
    commit(conn, actor, cx, &step).await?.ok_or_else(moved_meanwhile)
}

/// The answer when someone else moved an application between reading it and writing.
pub fn moved_meanwhile() -> AppError {
    AppError::Conflict("Someone else has just changed this application. Reload the page to see where it is".into())
}

/// A step on an application, checked and worked out by [`decide`] and written by [`commit`].
#[derive(Debug, Clone)]
pub struct Step {
    /// The application as read, before the step.
    a: application::Model,
    p: placement::Model,
    event: ApplicationEvent,
    to: ApplicationState,
    reason: Option<String>,
    telling: notify::Telling,
}

/// Checks that the actor may cause `event` on application `id` and works out the step: the
/// state it leads to and whom it tells. Only reads, so it can run before the turn to write;
/// [`commit`] then writes it only if the application is still in the state read.
pub async fn decide(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    cx: Context<'_>,
    id: i32,
    event: &str,
    reason: &str,
) -> Result<Step, AppError> {
    let (a, p, parties) = involving(conn, actor, id).await?;
    let event = ApplicationEvent::from_code(event.trim()).ok_or(AppError::BadRequest)?;
    if !permits(actor, &Action::ActOnApplication { event, parties: &parties }) {
        let who: Vec<&str> = event.parties().iter().map(|p| p.label()).collect();
        return Err(AppError::Refused(format!("Only {} can do this", who.join(" or "))));
    }
    let reason =
        if event.needs_reason() { Some(parse_reason(reason).map_err(|m| reason_error(reason, m))?) } else { None };
    let phase = Phase::on(cx.today, a.first_day, a.last_day);
    let to = a.state.after(event, phase).map_err(AppError::Conflict)?;
    let moved = application::Model { state: to, reason: reason.clone(), ..a.clone() };
    let telling = notify::telling_of(conn, &moved, &p, actor, event).await?;
    Ok(Step { a, p, event, to, reason, telling })
}

/// Writes a step worked out by [`decide`]: [`Step::batch`] then [`Step::check`] (and its
/// follow-up, if it has one).
pub async fn commit(
    txn: &DatabaseTransaction,
    actor: &Actor,
    cx: Context<'_>,
    step: &Step,
) -> Result<Option<String>, AppError> {
    let rows = step.batch(txn, actor, cx)?.run(txn).await?;
    step.check(rows).finish(txn).await
}

const MOVED: &str = "moved";
const TOOK: &str = "took";

impl Step {
    /// The step's statements, as one [`db::Batch`] (on SQLite one round trip, which is what
    /// keeps the turn to write short); built before the turn, run first in it:
    ///
    /// 1. The application moves only if it is still in the state read.
    /// 2. For a release, the team's cover is counted after every release before it.
    /// 3. A place is taken (never beyond the placement's places), and if it was the last, the
    ///    placement is full.
    /// 4. The transition, audit entry, notifications and mail are written with it.
    pub fn batch(&self, conn: &impl ConnectionTrait, actor: &Actor, cx: Context<'_>) -> Result<db::Batch, AppError> {
        let Step { a, p, event, to, reason, telling } = self;
        let (event, to, from) = (*event, *to, a.state);
        let update = application::Entity::update_many()
            .col_expr(application::Column::UpdatedAt, Expr::value(Utc::now()))
            .col_expr(application::Column::Reason, Expr::value(reason.clone().or(a.reason.clone())))
            .filter(application::Column::Id.eq(a.id));
        let transition = Transition {
            entity: ENTITY,
            id: a.id,
            from: Some(from.code()),
            to: to.code(),
            event: event.code(),
            actor: Some(actor.user_id),
        };
        let (moved, recorded) = db::guarded_move(update, application::Column::State, transition, MOVED)?;
        let mut batch = db::Batch::new(conn);
        batch.push(&moved);
        if event == ApplicationEvent::Release {
            cover::read_cover(&mut batch, a, true);
        }
        if self.takes_place() {
            batch.push(&taking_place(p, TOOK));
            let (fill, filled) = placements::filling(p.id)?;
            batch.push(&fill);
            batch.push(&filled);
        }
        batch.push(&recorded);
        batch.push(&audit::entry_by(
            actor,
            audit::Event {
                action: AuditAction::ApplicationChanged,
                subject: format!("application {} (placement {})", a.id, p.id),
                trust_id: Some(p.trust_id),
                detail: json!({ "event": event.code(), "from": from.code(), "to": to.code(), "reason": reason }),
            },
        ));
        telling.push_to(&mut batch, cx, a.id);
        Ok(batch)
    }

    fn takes_place(&self) -> bool {
        !self.a.state.holds_place() && self.to.holds_place()
    }

    /// Checks, in order, what the step's batch returned, and finishes the step. Answers `None`
    /// if someone else moved the application since it was read (for the caller to decide
    /// again, so a stale step never answers with a refusal that no longer applies), and an
    /// error if the team would be short or the placement is full; either way the caller rolls
    /// back all the batch wrote. Otherwise the notice to show, at once, or once the follow-up
    /// that gives a place back has run. Reads only the rows, so the writer that holds the turn
    /// can run it for the step's writer ([`crate::server::WriteTurns::write_batch`]).
    pub fn check(&self, rows: db::BatchRows) -> Checked<Option<String>> {
        self.checked(&rows).unwrap_or_else(|e| Checked::Done(Err(e)))
    }

    fn checked(&self, rows: &db::BatchRows) -> Result<Checked<Option<String>>, AppError> {
        let Step { a, p, event, to, .. } = self;
        let (event, to, from) = (*event, *to, a.state);
        if rows.tagged(MOVED).next().is_none() {
            return Ok(Checked::Done(Ok(None)));
        }
        if event == ApplicationEvent::Release
            && let Some(short) = cover::counted(a, rows)?.shortfall()
        {
            return Err(AppError::Conflict(short));
        }
        let notice = notice(event, to);
        if self.takes_place() {
            if p.state == PlacementState::Cancelled {
                return Err(AppError::Conflict("This placement has been cancelled".into()));
            }
            if rows.tagged(TOOK).next().is_none() {
                return Err(AppError::Conflict("This placement is full".into()));
            }
        } else if from.holds_place() && !to.holds_place() {
            let placement = p.id;
            return Ok(Checked::then(move |txn| {
                Box::pin(async move {
                    placements::place_released(txn, placement).await?;
                    Ok(Some(notice))
                })
            }));
        }
        Ok(Checked::Done(Ok(Some(notice))))
    }
}

fn notice(event: ApplicationEvent, to: ApplicationState) -> String {
    use ApplicationEvent as E;
    match (event, to) {
        (_, ApplicationState::Approved) => "Approved: both the line manager and the host have agreed".into(),
        (E::Release, _) => "Released. The host's placement lead decides next".into(),
        (E::Accept, _) => "Accepted. The applicant's line manager decides next".into(),
        (E::RefuseRelease | E::Decline, _) => "Declined. The applicant has been told why".into(),
        (E::Withdraw, _) => "Your application has been withdrawn".into(),
        (E::Cancel, _) => "The placement has been cancelled for this person".into(),
        (E::RecordInduction, _) => "Induction recorded".into(),
        (E::Complete, _) => "Completion recorded. Both sides are asked for feedback".into(),
        (E::EndEarly, _) => "The early end has been recorded".into(),
    }
}

/// Takes one of the placement's places, in one conditional update: however many leads accept
/// at once, the database applies them one at a time and no more than `places` succeed. The
/// update returns a row tagged `tag`; none means the placement was full (or cancelled).
fn taking_place(p: &placement::Model, tag: &'static str) -> UpdateStatement {
    let mut take = placement::Entity::update_many()
        .col_expr(placement::Column::Accepted, Expr::col(placement::Column::Accepted).add(1))
        .col_expr(placement::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(placement::Column::Id.eq(p.id))
        .filter(Expr::col(placement::Column::Accepted).lt(Expr::col(placement::Column::Places)))
        .filter(placement::Column::State.ne(PlacementState::Cancelled))
        .into_query();
    take.returning(Query::returning().expr(db::tag_column(tag)));
    take
}
