//! Placements: written, published and managed by their host trust's placement leads.
//!
//! Every function has the one service shape: a connection (a write takes the caller's
//! transaction, so several steps can commit together), the signed-in actor, and the command.

use super::{audit, trusts};
use crate::domain::AuditAction;
use crate::domain::{
    BoundedText, CANCELLED_IS_FINAL, PayBand, PlacementDetails, PlacementEvent, PlacementInput, PlacementKind,
    PlacementState, RegistrationBody, Role, Schedule, StaffGroup, search_terms,
};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize, permits};
use crate::server::db;
use crate::server::entities::{pathway, placement, placement_staff_group, site, trust};
use crate::server::placement_index::{self, PlacementIndex, eligibility_of};
use crate::views::placements::{
    BROWSE_PAGE_SIZE, BrowsePage, BrowseQuery, BrowseRow, PlacementEdit, PlacementFormChoices, PlacementView,
    TrustPlacementList, TrustPlacementRow,
};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, InsertStatement, UpdateStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set,
};
use serde_json::json;

/// Today's date where the pilot runs (dates are whole days in the UK; UTC is within an hour).
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn field_error(values: FormErrors, field: &str, message: impl Into<String>) -> AppError {
    let mut f = values;
    f.add(field, message);
    AppError::Validation(f)
}

/// A placement's state change, as the transitions table records it.
fn moved(
    id: i32,
    from: Option<PlacementState>,
    to: PlacementState,
    event: &'static str,
    actor: Option<i32>,
) -> db::Transition {
    db::Transition { entity: "placement", id, from: from.map(PlacementState::code), to: to.code(), event, actor }
}

/// The site (of this trust) and the pathway a form names.
async fn resolve(
    conn: &impl ConnectionTrait,
    trust_id: i32,
    input: &PlacementInput,
    d: &PlacementDetails,
) -> Result<(Option<i32>, i32), AppError> {
    if let Some(site_id) = d.site_id
        && site::Entity::find_by_id(site_id).filter(site::Column::TrustId.eq(trust_id)).one(conn).await?.is_none()
    {
        return Err(field_error(input.values(), "site", "Select a site from the list"));
    }
    let p = pathway::Entity::find()
        .filter(pathway::Column::Slug.eq(d.pathway.as_str()))
        .one(conn)
        .await?
        .ok_or_else(|| field_error(input.values(), "pathway", "Select a pathway from the list"))?;
    Ok((d.site_id, p.id))
}

fn write(row: &mut placement::ActiveModel, d: &PlacementDetails, site_id: Option<i32>, pathway_id: i32) {
    row.site_id = Set(site_id);
    row.department = Set(d.department.as_str().to_owned());
    row.pathway_id = Set(pathway_id);
    row.kind = Set(d.kind);
    row.title = Set(d.title.as_str().to_owned());
    row.description = Set(d.description.clone());
    row.outcomes = Set(d.outcomes.clone());
    row.supervisor = Set(d.supervisor.as_str().to_owned());
    let (schedule, days) = match d.schedule {
        Schedule::Fixed { .. } => ("fixed", None),
        Schedule::Window { days, .. } => ("window", Some(days as i16)),
    };
    row.schedule = Set(schedule.to_owned());
    row.start_date = Set(d.schedule.start());
    row.end_date = Set(d.schedule.end());
    row.window_days = Set(days);
    row.places = Set(d.places as i16);
    row.band_min = Set(d.eligibility.band_min.code().to_owned());
    row.band_max = Set(d.eligibility.band_max.code().to_owned());
    row.band_min_rank = Set(d.eligibility.band_min.rank());
    row.band_max_rank = Set(d.eligibility.band_max.rank());
    row.registration = Set(match d.eligibility.registration {
        None => "none".to_owned(),
        Some(None) => "any".to_owned(),
        Some(Some(body)) => body.code().to_owned(),
    });
    row.closing_date = Set(d.closing_date);
    row.updated_at = Set(Utc::now());
}

async fn set_staff_groups(conn: &impl ConnectionTrait, id: i32, groups: &[StaffGroup]) -> Result<(), AppError> {
    placement_staff_group::Entity::delete_many()
        .filter(placement_staff_group::Column::PlacementId.eq(id))
        .exec(conn)
        .await?;
    for g in groups {
        placement_staff_group::ActiveModel { placement_id: Set(id), staff_group: Set(*g) }.insert(conn).await?;
    }
    Ok(())
}

/// Writes a new placement as a draft; returns its id.
pub async fn create(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    ods: &str,
    input: &PlacementInput,
) -> Result<i32, AppError> {
    let t = trusts::by_ods(txn, ods).await?;
    authorize(Some(actor), &Action::ManagePlacement { trust: t.id })?;
    let d = PlacementDetails::parse(input)?;
    let (site_id, pathway_id) = resolve(txn, t.id, input, &d).await?;
    let now = Utc::now();
    let mut row = placement::ActiveModel {
        trust_id: Set(t.id),
        accepted: Set(0),
        state: Set(PlacementState::Draft),
        cancel_reason: Set(None),
        copied_from: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        published_at: Set(None),
        ..Default::default()
    };
    write(&mut row, &d, site_id, pathway_id);
    let saved = row.insert(txn).await?;
    db::record_transition(txn, moved(saved.id, None, PlacementState::Draft, "created", Some(actor.user_id))).await?;
    set_staff_groups(txn, saved.id, &d.eligibility.staff_groups).await?;
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::PlacementCreated,
            subject: format!("placement {} ({})", saved.id, saved.title),
            trust_id: Some(t.id),
            detail: json!({ "state": saved.state }),
        },
    )
    .await?;
    Ok(saved.id)
}

/// Loads a placement the actor may change; one they may not even see is "not found".
async fn managed(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
) -> Result<(placement::Model, PlacementState), AppError> {
    let p = placement::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let st = p.state;
    if !permits(actor, &Action::ViewPlacement { trust: p.trust_id, draft: st == PlacementState::Draft }) {
        return Err(AppError::NotFound);
    }
    authorize(Some(actor), &Action::ManagePlacement { trust: p.trust_id })?;
    Ok((p, st))
}

/// Changes a placement's details. Its places never drop below those already accepted, and
/// places gained or lost move it between open and full through the state machine.
pub async fn update(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    input: &PlacementInput,
) -> Result<String, AppError> {
    let (p, st) = managed(txn, actor, id).await?;
    if !st.is_editable() {
        return Err(AppError::Conflict(CANCELLED_IS_FINAL.into()));
    }
    let d = PlacementDetails::parse(input)?;
    if i32::from(d.places) < i32::from(p.accepted) {
        return Err(field_error(
            input.values(),
            "places",
            format!("{} people have already been accepted. Offer at least {} places", p.accepted, p.accepted),
        ));
    }
    if matches!(st, PlacementState::Open | PlacementState::Full)
        && let Err(m) = d.check_publishable(today())
    {
        return Err(field_error(input.values(), "closing_date", m));
    }
    let (site_id, pathway_id) = resolve(txn, p.trust_id, input, &d).await?;
    let places_now = d.places as i16;
    let event = match st {
        PlacementState::Full if p.accepted < places_now => Some(PlacementEvent::PlaceFreed),
        PlacementState::Open if p.accepted == places_now => Some(PlacementEvent::Filled),
        _ => None,
    };
    let next = match event {
        Some(e) => st.after(e).map_err(AppError::Conflict)?,
        None => st,
    };
    let mut row: placement::ActiveModel = p.clone().into();
    write(&mut row, &d, site_id, pathway_id);
    row.state = Set(next);
    row.update(txn).await?;
    if let Some(e) = event {
        db::record_transition(txn, moved(id, Some(st), next, e.code(), Some(actor.user_id))).await?;
    }
    set_staff_groups(txn, id, &d.eligibility.staff_groups).await?;
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::PlacementUpdated,
            subject: format!("placement {id} ({})", d.title.as_str()),
            trust_id: Some(p.trust_id),
            detail: json!({ "state": next.code(), "places": places_now }),
        },
    )
    .await?;
    Ok(format!("{} has been saved", d.title.as_str()))
}

/// Publishes, closes, reopens or cancels (with a reason).
pub async fn change_state(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    event: &str,
    reason: &str,
) -> Result<String, AppError> {
    let event = PlacementEvent::parse_by_lead(event).ok_or(AppError::BadRequest)?;
    let reason = if event == PlacementEvent::Cancel {
        Some(
            BoundedText::parse(reason, "the reason for cancelling", 500)
                .map_err(|m| field_error(FormErrors::with_values([("reason", reason)]), "reason", m))?,
        )
    } else {
        None
    };
    let (p, st) = managed(txn, actor, id).await?;
    let next = st.after(event).map_err(AppError::Conflict)?;
    if matches!(event, PlacementEvent::Publish | PlacementEvent::Reopen) && p.closing_date < today() {
        return Err(AppError::Conflict("The closing date has passed. Change the dates first".into()));
    }
    let now = Utc::now();
    let mut update = placement::Entity::update_many()
        .col_expr(placement::Column::UpdatedAt, Expr::value(now))
        .filter(placement::Column::Id.eq(id));
    if let Some(r) = &reason {
        update = update.col_expr(placement::Column::CancelReason, Expr::value(r.as_str()));
    }
    if event == PlacementEvent::Publish {
        update = update.col_expr(placement::Column::PublishedAt, Expr::value(now));
    }
    // Only from the state read: two leads acting at once cannot both win.
    let transition = moved(id, Some(st), next, event.code(), Some(actor.user_id));
    if !db::transition(txn, update, placement::Column::State, transition).await? {
        return Err(AppError::Conflict("Someone else changed this placement. Reload the page and try again".into()));
    }
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::PlacementStateChanged,
            subject: format!("placement {id} ({})", p.title),
            trust_id: Some(p.trust_id),
            detail: json!({ "from": st.code(), "to": next.code(), "reason": reason.as_ref().map(|r| r.as_str()) }),
        },
    )
    .await?;
    Ok(match event {
        PlacementEvent::Publish => format!("{} is published and open for applications", p.title),
        PlacementEvent::Close => format!("{} is closed to applications", p.title),
        PlacementEvent::Reopen => format!("{} is open for applications again", p.title),
        _ => format!("{} has been cancelled", p.title),
    })
}

/// Counts one more accepted place, in the caller's transaction (applications call this when a
/// host accepts someone). The last place makes the placement full, by the state machine.
pub async fn place_accepted(conn: &impl ConnectionTrait, id: i32) -> Result<PlacementState, AppError> {
    let p = placement::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let st = p.state;
    if st != PlacementState::Open || p.accepted >= p.places {
        return Err(AppError::Conflict("This placement has no places left".into()));
    }
    let accepted = p.accepted + 1;
    let next = if accepted == p.places { st.after(PlacementEvent::Filled).map_err(AppError::Conflict)? } else { st };
    set_accepted(conn, &p, st, accepted, next, PlacementEvent::Filled).await?;
    Ok(next)
}

/// Gives back an accepted place when the person withdraws before the start, in the caller's
/// transaction. A full placement opens again.
pub async fn place_released(conn: &impl ConnectionTrait, id: i32) -> Result<PlacementState, AppError> {
    let p = placement::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let st = p.state;
    if p.accepted == 0 {
        return Err(AppError::Conflict("Nobody has been accepted for this placement".into()));
    }
    if today() >= p.start_date {
        return Err(AppError::Conflict("The placement has started; its places no longer change".into()));
    }
    let next = st.after(PlacementEvent::PlaceFreed).map_err(AppError::Conflict)?;
    set_accepted(conn, &p, st, p.accepted - 1, next, PlacementEvent::PlaceFreed).await?;
    Ok(next)
}

/// Marks an open placement full once its last place has been taken (an application's accept
/// takes the place itself, in one conditional update), as the system's transition: two
/// statements for the accept's batch, after the place is taken, in the same transaction. The
/// placement moves from open to full only if that was its last place, and the move is recorded
/// only if it was made. (A placement is full exactly when every place is taken, so, the place
/// just taken, it was not full before.)
pub fn filling(id: i32) -> Result<(UpdateStatement, InsertStatement), AppError> {
    let to = PlacementState::Open.after(PlacementEvent::Filled).map_err(AppError::Conflict)?;
    let fill = placement::Entity::update_many()
        .col_expr(placement::Column::State, Expr::value(to))
        .col_expr(placement::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(placement::Column::Id.eq(id))
        .filter(placement::Column::State.eq(PlacementState::Open))
        .filter(Expr::col(placement::Column::Accepted).gte(Expr::col(placement::Column::Places)))
        .into_query();
    let now_full = placement::Entity::find()
        .select_only()
        .expr(Expr::val(1))
        .filter(placement::Column::Id.eq(id))
        .filter(placement::Column::State.eq(to))
        .into_query();
    let record =
        db::record_if(moved(id, Some(PlacementState::Open), to, PlacementEvent::Filled.code(), None), now_full)?;
    Ok((fill, record))
}

/// Writes the accepted count and state, only over the values read (no lost update); a change
/// of state is recorded as the system's (the person accepted or withdrawing is recorded on
/// their application).
async fn set_accepted(
    conn: &impl ConnectionTrait,
    p: &placement::Model,
    from: PlacementState,
    accepted: i16,
    to: PlacementState,
    event: PlacementEvent,
) -> Result<(), AppError> {
    let update = placement::Entity::update_many()
        .col_expr(placement::Column::Accepted, Expr::value(accepted))
        .col_expr(placement::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(placement::Column::Id.eq(p.id))
        .filter(placement::Column::Accepted.eq(p.accepted));
    let done = if from == to {
        update.filter(placement::Column::State.eq(from)).exec(conn).await?.rows_affected == 1
    } else {
        db::transition(conn, update, placement::Column::State, moved(p.id, Some(from), to, event.code(), None)).await?
    };
    if !done {
        return Err(AppError::Conflict("Someone else changed this placement. Try again".into()));
    }
    Ok(())
}

/// Copies a placement into a new draft of the same trust; returns the copy's id.
pub async fn copy(txn: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<i32, AppError> {
    let p = placement::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::NotFound)?;
    let draft = p.state == PlacementState::Draft;
    if !permits(actor, &Action::ViewPlacement { trust: p.trust_id, draft }) {
        return Err(AppError::NotFound);
    }
    authorize(Some(actor), &Action::ManagePlacement { trust: p.trust_id })?;
    let groups = placement_staff_group::Entity::find()
        .filter(placement_staff_group::Column::PlacementId.eq(id))
        .all(txn)
        .await?;
    let now = Utc::now();
    let mut row: placement::ActiveModel = p.clone().into();
    row.id = sea_orm::ActiveValue::NotSet;
    row.state = Set(PlacementState::Draft);
    row.accepted = Set(0);
    row.cancel_reason = Set(None);
    row.copied_from = Set(Some(p.id));
    row.created_by = Set(actor.user_id);
    row.created_at = Set(now);
    row.updated_at = Set(now);
    row.published_at = Set(None);
    let copy = row.insert(txn).await?;
    db::record_transition(txn, moved(copy.id, None, PlacementState::Draft, "copied", Some(actor.user_id))).await?;
    for g in groups {
        placement_staff_group::ActiveModel { placement_id: Set(copy.id), staff_group: Set(g.staff_group) }
            .insert(txn)
            .await?;
    }
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::PlacementCopied,
            subject: format!("placement {} ({}) from {}", copy.id, copy.title, p.id),
            trust_id: Some(p.trust_id),
            detail: json!({}),
        },
    )
    .await?;
    Ok(copy.id)
}

mod reads;
pub use reads::{browse, choices, edit_form, get, of_trust};

#[cfg(test)]
mod tests;
