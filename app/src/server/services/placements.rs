//! Placements: written, published and managed by their host trust's placement leads.
//!
//! Every function has the one service shape: a connection (a write takes the caller's
//! transaction, so several steps can commit together), the signed-in actor, and the command.

use super::{audit, trusts};
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
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
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
            action: "placement_created",
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
            action: "placement_updated",
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
            action: "placement_state_changed",
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
            action: "placement_copied",
            subject: format!("placement {} ({}) from {}", copy.id, copy.title, p.id),
            trust_id: Some(p.trust_id),
            detail: json!({}),
        },
    )
    .await?;
    Ok(copy.id)
}

fn when_text(start: NaiveDate, end: NaiveDate, window_days: Option<i16>) -> String {
    match window_days {
        Some(1) => format!("1 day between {} and {}", date_text(start), date_text(end)),
        Some(days) => format!("{days} days between {} and {}", date_text(start), date_text(end)),
        None if start == end => date_text(start),
        None => format!("{} to {}", date_text(start), date_text(end)),
    }
}

/// One placement, with whether the viewer may apply and why not.
pub async fn get(conn: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<PlacementView, AppError> {
    let p = placement::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let draft = p.state == PlacementState::Draft;
    if !permits(actor, &Action::ViewPlacement { trust: p.trust_id, draft }) {
        return Err(AppError::NotFound);
    }
    let t = trust::Entity::find_by_id(p.trust_id).one(conn).await?.ok_or(AppError::Internal)?;
    let site_name = match p.site_id {
        Some(s) => site::Entity::find_by_id(s).one(conn).await?.map(|s| s.name),
        None => None,
    };
    let pw = pathway::Entity::find_by_id(p.pathway_id).one(conn).await?.ok_or(AppError::Internal)?;
    let groups: Vec<StaffGroup> = placement_staff_group::Entity::find()
        .filter(placement_staff_group::Column::PlacementId.eq(p.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| g.staff_group)
        .collect();
    let eligibility = eligibility_of(&p, groups)?;
    let not_eligible_because = if actor.grants.iter().any(|g| g.role == Role::Staff) {
        Some(eligibility.reasons_not(&actor.applicant))
    } else {
        None
    };
    let manageable = permits(actor, &Action::ManagePlacement { trust: p.trust_id });
    let state = p.state;
    Ok(PlacementView {
        id: p.id,
        manageable,
        events: if manageable { state.lead_events() } else { Vec::new() },
        trust_ods: t.ods_code,
        trust_name: t.name,
        site: site_name,
        department: p.department.clone(),
        pathway: pw.name,
        kind: p.kind.label().to_owned(),
        title: p.title.clone(),
        description: p.description.clone(),
        outcomes: p.outcomes.clone(),
        supervisor: p.supervisor.clone(),
        when: when_text(p.start_date, p.end_date, p.window_days),
        places: p.places,
        places_left: p.places - p.accepted,
        closing_date: date_text(p.closing_date),
        state,
        not_eligible_because,
    })
}

/// A trust's placements, soonest start first; drafts only for its leads.
pub async fn of_trust(conn: &impl ConnectionTrait, actor: &Actor, ods: &str) -> Result<TrustPlacementList, AppError> {
    let t = trusts::by_ods(conn, ods).await?;
    let drafts = actor.holds(Role::PlacementLead, Some(t.id));
    authorize(Some(actor), &Action::ListTrustPlacements { trust: t.id, drafts })?;
    let mut q = placement::Entity::find()
        .filter(placement::Column::TrustId.eq(t.id))
        .order_by_asc(placement::Column::StartDate)
        .order_by_asc(placement::Column::Id);
    if !drafts {
        q = q.filter(placement::Column::State.ne(PlacementState::Draft));
    }
    let rows = q
        .all(conn)
        .await?
        .into_iter()
        .map(|p| {
            Ok(TrustPlacementRow {
                id: p.id,
                state: p.state,
                start: date_text(p.start_date),
                closing_date: date_text(p.closing_date),
                title: p.title,
                places: p.places,
                accepted: p.accepted,
                // Applications arrive with their own issue; until then nothing can be waiting.
                waiting: 0,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(TrustPlacementList {
        manageable: permits(actor, &Action::ManagePlacement { trust: t.id }),
        trust_ods: t.ods_code,
        trust_name: t.name,
        rows,
    })
}

fn date_text(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn optional_date(raw: &str, field: &str, problems: &mut Vec<(String, String)>) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y")) {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push((field.to_owned(), "Enter a real date, like 27/03/2027".to_owned()));
            None
        }
    }
}

/// Open placements across the alliance, filtered, searched, sorted and a page at a time, from
/// the in-memory placement index (which the database keeps current).
pub async fn browse(
    conn: &DatabaseConnection,
    placements: &PlacementIndex,
    actor: &Actor,
    query: &BrowseQuery,
) -> Result<BrowsePage, AppError> {
    authorize(Some(actor), &Action::BrowsePlacements)?;
    let is_staff = actor.grants.iter().any(|g| g.role == Role::Staff);
    let index = placements.snapshot(conn).await?;
    let mut problems = Vec::new();
    let pathway = match query.pathway.trim() {
        "" => None,
        slug => {
            let found = index.pathways.iter().find(|p| p.code == slug).map(|p| p.id);
            if found.is_none() {
                problems.push(("pathway".to_owned(), "Select a pathway from the list".to_owned()));
            }
            found
        }
    };
    let trust = match query.trust.trim() {
        "" => None,
        ods => {
            let found = index.trusts.iter().find(|t| t.code.eq_ignore_ascii_case(ods)).map(|t| t.id);
            if found.is_none() {
                problems.push(("trust".to_owned(), "Select a trust from the list".to_owned()));
            }
            found
        }
    };
    let kind = match query.kind.trim() {
        "" => None,
        k => PlacementKind::parse(k).map_err(|m| problems.push(("kind".to_owned(), m))).ok(),
    };
    let from = optional_date(&query.from, "from", &mut problems);
    let to = optional_date(&query.to, "to", &mut problems);
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) if t < f => {
            problems.push(("to".to_owned(), "The end of the range must be on or after its start".to_owned()));
            (None, None)
        }
        range => range,
    };
    let applicant = (is_staff && query.eligible).then_some(&actor.applicant);
    let text = index.matching(&search_terms(&query.q));
    let today = today();
    let wanted = |pos: u32| {
        let e = &index.entries[pos as usize];
        e.closing >= today
            && pathway.is_none_or(|p| e.pathway_id == p)
            && trust.is_none_or(|t| e.trust_id == t)
            && kind.is_none_or(|k| e.kind == k)
            // Placements that run at least partly inside the range.
            && from.is_none_or(|f| e.end >= f)
            && to.is_none_or(|t| e.start <= t)
            && text.as_deref().is_none_or(|bits| placement_index::has(bits, pos))
            && applicant.is_none_or(|a| e.eligibility.admits(a))
    };
    let found: Vec<u32> = match query.sort.as_str() {
        "start" => index.by_start.iter().copied().filter(|&p| wanted(p)).collect(),
        _ => (0..index.entries.len() as u32).filter(|&p| wanted(p)).collect(),
    };
    let total = found.len() as u64;
    let pages = std::cmp::max(total.div_ceil(BROWSE_PAGE_SIZE), 1) as u32;
    let page = query.page.clamp(1, pages);
    let rows = found
        .iter()
        .skip((u64::from(page - 1) * BROWSE_PAGE_SIZE) as usize)
        .take(BROWSE_PAGE_SIZE as usize)
        .map(|&pos| {
            let e = &index.entries[pos as usize];
            BrowseRow {
                id: e.id,
                title: e.title.clone(),
                trust_name: index.trust_name(e.trust_id).to_owned(),
                pathway: index.pathway_name(e.pathway_id).to_owned(),
                kind: e.kind.label().to_owned(),
                when: when_text(e.start, e.end, e.window_days),
                closing_date: date_text(e.closing),
                places_left: e.places_left,
            }
        })
        .collect();
    Ok(BrowsePage {
        rows,
        total,
        page,
        pages,
        is_staff,
        problems,
        pathways: index.pathways.iter().map(|p| (p.code.clone(), p.name.clone())).collect(),
        trusts: index.trusts.iter().map(|t| (t.code.clone(), t.name.clone())).collect(),
        kinds: PlacementKind::ALL.into_iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect(),
    })
}

async fn choices_at(conn: &impl ConnectionTrait, t: &trust::Model) -> Result<PlacementFormChoices, AppError> {
    let sites = site::Entity::find()
        .filter(site::Column::TrustId.eq(t.id))
        .order_by_asc(site::Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id.to_string(), s.name))
        .collect();
    let pathways = pathway::Entity::find()
        .order_by_asc(pathway::Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.slug, p.name))
        .collect();
    Ok(PlacementFormChoices {
        trust_ods: t.ods_code.clone(),
        trust_name: t.name.clone(),
        sites,
        pathways,
        kinds: PlacementKind::ALL.into_iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect(),
        staff_groups: StaffGroup::ALL.into_iter().map(|g| (g.code().to_owned(), g.label().to_owned())).collect(),
        bands: PayBand::ALL.into_iter().map(|b| (b.code().to_owned(), b.to_string())).collect(),
        registrations: std::iter::once(("none".to_owned(), "Not needed".to_owned()))
            .chain(std::iter::once(("any".to_owned(), "Any professional registration".to_owned())))
            .chain(
                RegistrationBody::ALL.into_iter().map(|b| (b.code().to_owned(), format!("{} registration", b.code()))),
            )
            .collect(),
    })
}

/// What the new-placement form offers at a trust its leads manage.
pub async fn choices(conn: &impl ConnectionTrait, actor: &Actor, ods: &str) -> Result<PlacementFormChoices, AppError> {
    let t = trusts::by_ods(conn, ods).await?;
    authorize(Some(actor), &Action::ManagePlacement { trust: t.id })?;
    choices_at(conn, &t).await
}

/// A placement's current details as its edit form starts.
pub async fn edit_form(conn: &impl ConnectionTrait, actor: &Actor, id: i32) -> Result<PlacementEdit, AppError> {
    let (p, st) = managed(conn, actor, id).await?;
    if !st.is_editable() {
        return Err(AppError::Conflict(CANCELLED_IS_FINAL.into()));
    }
    let t = trust::Entity::find_by_id(p.trust_id).one(conn).await?.ok_or(AppError::Internal)?;
    let pw = pathway::Entity::find_by_id(p.pathway_id).one(conn).await?.ok_or(AppError::Internal)?;
    let groups: Vec<&str> = placement_staff_group::Entity::find()
        .filter(placement_staff_group::Column::PlacementId.eq(p.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| g.staff_group.code())
        .collect();
    let input = PlacementInput {
        site: p.site_id.map(|s| s.to_string()).unwrap_or_default(),
        department: p.department.clone(),
        pathway: pw.slug,
        kind: p.kind.code().to_owned(),
        title: p.title.clone(),
        description: p.description.clone(),
        outcomes: p.outcomes.clone(),
        supervisor: p.supervisor.clone(),
        schedule: p.schedule.clone(),
        start: p.start_date.to_string(),
        end: p.end_date.to_string(),
        days: p.window_days.map(|d| d.to_string()).unwrap_or_default(),
        places: p.places.to_string(),
        staff_groups: groups.join(","),
        band_min: p.band_min.clone(),
        band_max: p.band_max.clone(),
        registration: p.registration.clone(),
        closing_date: p.closing_date.to_string(),
    };
    Ok(PlacementEdit { id: p.id, title: p.title.clone(), state: st, choices: choices_at(conn, &t).await?, input })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::entities::{audit_event, state_transition};
    use crate::server::testing;
    use chrono::Duration;
    use sea_orm::{DatabaseConnection, PaginatorTrait, QueryOrder, TransactionTrait};

    fn input() -> PlacementInput {
        let day = |n: i64| (today() + Duration::days(n)).format("%Y-%m-%d").to_string();
        PlacementInput {
            department: "Acute Oncology".into(),
            pathway: "acute-oncology".into(),
            kind: "shadowing".into(),
            title: "Shadow the acute oncology team".into(),
            description: "A week on the unit.".into(),
            outcomes: "Recognise neutropenic sepsis early.".into(),
            supervisor: "Dr Ana Silva".into(),
            schedule: "fixed".into(),
            start: day(60),
            end: day(64),
            places: "1".into(),
            band_min: "5".into(),
            band_max: "7".into(),
            registration: "none".into(),
            closing_date: day(30),
            ..Default::default()
        }
    }

    /// A database with trusts RAA and RBB, a pathway and a lead at each.
    async fn setup() -> (DatabaseConnection, Actor, Actor) {
        let db = testing::database().await;
        let a = testing::add_trust(&db, "RAA").await;
        let b = testing::add_trust(&db, "RBB").await;
        testing::add_pathway(&db, "acute-oncology").await;
        let lead = testing::person(&db, "lead@raa.nhs.example", Role::PlacementLead, a).await;
        let other = testing::person(&db, "lead@rbb.nhs.example", Role::PlacementLead, b).await;
        (db, lead, other)
    }

    async fn transitions(db: &DatabaseConnection, id: i32) -> Vec<(Option<String>, String, String, Option<i32>)> {
        state_transition::Entity::find()
            .filter(state_transition::Column::Entity.eq("placement"))
            .filter(state_transition::Column::EntityId.eq(id))
            .order_by_asc(state_transition::Column::Id)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.from_state, t.to_state, t.event, t.actor_id))
            .collect()
    }

    /// Runs `f` in a write transaction committed only if it succeeds, as a server function does.
    async fn written(
        db: &DatabaseConnection,
        f: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> Result<i32, AppError>,
    ) -> Result<i32, AppError> {
        let txn = db::begin_write(db).await.unwrap();
        let out = f(&txn).await;
        if out.is_ok() {
            txn.commit().await.unwrap();
        }
        out
    }

    #[tokio::test]
    async fn each_state_change_is_one_transition_row_with_who_made_it() {
        let (db, lead, _) = setup().await;
        let id = written(&db, async |txn| create(txn, &lead, "RAA", &input()).await).await.unwrap();
        written(&db, async |txn| change_state(txn, &lead, id, "publish", "").await.map(|_| 0)).await.unwrap();
        assert_eq!(place_accepted(&db, id).await.unwrap(), PlacementState::Full, "its one place taken");
        let by = Some(lead.user_id);
        assert_eq!(
            transitions(&db, id).await,
            vec![
                (None, "draft".into(), "created".into(), by),
                (Some("draft".into()), "open".into(), "publish".into(), by),
                (Some("open".into()), "full".into(), "filled".into(), None),
            ]
        );
        let copy = written(&db, async |txn| copy(txn, &lead, id).await).await.unwrap();
        assert_eq!(transitions(&db, copy).await, vec![(None, "draft".into(), "copied".into(), by)]);
    }

    #[tokio::test]
    async fn steps_in_one_transaction_commit_together_or_not_at_all() {
        let (db, lead, _) = setup().await;
        let txn = db.begin().await.unwrap();
        let id = create(&txn, &lead, "RAA", &input()).await.unwrap();
        change_state(&txn, &lead, id, "publish", "").await.unwrap();
        // The second step fails (published already): the caller drops the transaction.
        assert!(matches!(change_state(&txn, &lead, id, "publish", "").await, Err(AppError::Conflict(_))));
        drop(txn);
        assert_eq!(placement::Entity::find().count(&db).await.unwrap(), 0);
        assert_eq!(state_transition::Entity::find().count(&db).await.unwrap(), 0);
        assert_eq!(audit_event::Entity::find().count(&db).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn another_trusts_lead_changes_nothing() {
        let (db, lead, other) = setup().await;
        let id = written(&db, async |txn| create(txn, &lead, "RAA", &input()).await).await.unwrap();
        let refused = written(&db, async |txn| change_state(txn, &other, id, "cancel", "no").await.map(|_| 0)).await;
        assert_eq!(refused, Err(AppError::NotFound), "a draft of another trust is not even seen");
        let refused = written(&db, async |txn| create(txn, &other, "RAA", &input()).await).await;
        assert_eq!(refused, Err(AppError::Forbidden));
        assert_eq!(placement::Entity::find().count(&db).await.unwrap(), 1);
        assert_eq!(transitions(&db, id).await.len(), 1, "only its creation");
    }

    #[tokio::test]
    async fn a_guarded_transition_from_a_state_the_row_has_left_changes_nothing() {
        let (db, lead, _) = setup().await;
        let id = written(&db, async |txn| create(txn, &lead, "RAA", &input()).await).await.unwrap();
        let stale = moved(id, Some(PlacementState::Open), PlacementState::Closed, "close", Some(lead.user_id));
        let update = placement::Entity::update_many().filter(placement::Column::Id.eq(id));
        assert!(!db::transition(&db, update, placement::Column::State, stale).await.unwrap());
        let p = placement::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
        assert_eq!(p.state, PlacementState::Draft);
        assert_eq!(transitions(&db, id).await.len(), 1);
    }

    #[tokio::test]
    async fn the_view_offers_a_lead_only_what_the_state_machine_allows() {
        let (db, lead, other) = setup().await;
        let id = written(&db, async |txn| create(txn, &lead, "RAA", &input()).await).await.unwrap();
        let v = get(&db, &lead, id).await.unwrap();
        assert_eq!((v.state, v.events), (PlacementState::Draft, vec![PlacementEvent::Publish, PlacementEvent::Cancel]));
        written(&db, async |txn| change_state(txn, &lead, id, "publish", "").await.map(|_| 0)).await.unwrap();
        let v = get(&db, &lead, id).await.unwrap();
        assert_eq!(v.events, vec![PlacementEvent::Close, PlacementEvent::Cancel]);
        let seen_by_other = get(&db, &other, id).await.unwrap();
        assert_eq!((seen_by_other.state, seen_by_other.events), (PlacementState::Open, vec![]), "nothing to press");
    }
}
