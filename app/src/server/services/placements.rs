//! Placements: written, published and managed by their host trust's placement leads.

use super::audit;
use crate::api::placements::{
    BROWSE_PAGE_SIZE, BrowsePage, BrowseQuery, BrowseRow, PlacementEdit, PlacementFormChoices, PlacementView,
    TrustPlacementList, TrustPlacementRow,
};
use crate::domain::{
    BoundedText, CANCELLED_IS_FINAL, Eligibility, OdsCode, PayBand, PlacementDetails, PlacementEvent, PlacementInput,
    PlacementKind, PlacementState, RegistrationBody, Role, Schedule, StaffGroup, search_terms,
};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize, permits};
use crate::server::entities::{pathway, placement, placement_staff_group, site, trust};
use crate::server::placement_index;
use crate::server::{AppState, RequestContext, db};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
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

/// The trust an ODS code names; an unknown or malformed code is "not found".
pub(crate) async fn trust_by_ods(conn: &impl ConnectionTrait, ods: &str) -> Result<trust::Model, AppError> {
    let ods = OdsCode::parse(ods).map_err(|_| AppError::NotFound)?;
    trust::Entity::find().filter(trust::Column::OdsCode.eq(ods.as_str())).one(conn).await?.ok_or(AppError::NotFound)
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
    row.kind = Set(d.kind.code().to_owned());
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
        placement_staff_group::ActiveModel { placement_id: Set(id), staff_group: Set(g.code().to_owned()) }
            .insert(conn)
            .await?;
    }
    Ok(())
}

/// Writes a new placement as a draft; returns its id.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    ods: &str,
    input: &PlacementInput,
) -> Result<i32, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let txn = db::begin_write(&state.db).await?;
    let t = trust_by_ods(&txn, ods).await?;
    authorize(Some(actor), &Action::ManagePlacement { trust: t.id })?;
    let d = PlacementDetails::parse(input)?;
    let (site_id, pathway_id) = resolve(&txn, t.id, input, &d).await?;
    let now = Utc::now();
    let mut row = placement::ActiveModel {
        trust_id: Set(t.id),
        accepted: Set(0),
        state: Set(PlacementState::Draft.code().to_owned()),
        cancel_reason: Set(None),
        copied_from: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        published_at: Set(None),
        ..Default::default()
    };
    write(&mut row, &d, site_id, pathway_id);
    let saved = row.insert(&txn).await?;
    set_staff_groups(&txn, saved.id, &d.eligibility.staff_groups).await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "placement_created",
            subject: format!("placement {} ({})", saved.id, saved.title),
            trust_id: Some(t.id),
            detail: json!({ "state": saved.state }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}

/// Loads a placement the actor may change; one they may not even see is "not found".
async fn managed(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
) -> Result<(placement::Model, PlacementState), AppError> {
    let p = placement::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let st = PlacementState::parse(&p.state).ok_or(AppError::Internal)?;
    if !permits(actor, &Action::ViewPlacement { trust: p.trust_id, draft: st == PlacementState::Draft }) {
        return Err(AppError::NotFound);
    }
    authorize(Some(actor), &Action::ManagePlacement { trust: p.trust_id })?;
    Ok((p, st))
}

/// Changes a placement's details. Its places never drop below those already accepted, and
/// places gained or lost move it between open and full through the state machine.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: i32,
    input: &PlacementInput,
) -> Result<String, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let txn = db::begin_write(&state.db).await?;
    let (p, st) = managed(&txn, actor, id).await?;
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
    let (site_id, pathway_id) = resolve(&txn, p.trust_id, input, &d).await?;
    let places_now = d.places as i16;
    let next = match st {
        PlacementState::Full if p.accepted < places_now => st.after(PlacementEvent::PlaceFreed),
        PlacementState::Open if p.accepted == places_now => st.after(PlacementEvent::Filled),
        _ => Ok(st),
    }
    .map_err(AppError::Conflict)?;
    let mut row: placement::ActiveModel = p.clone().into();
    write(&mut row, &d, site_id, pathway_id);
    row.state = Set(next.code().to_owned());
    row.update(&txn).await?;
    set_staff_groups(&txn, id, &d.eligibility.staff_groups).await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "placement_updated",
            subject: format!("placement {id} ({})", d.title.as_str()),
            trust_id: Some(p.trust_id),
            detail: json!({ "state": next.code(), "places": places_now }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{} has been saved", d.title.as_str()))
}

/// Publishes, closes, reopens or cancels (with a reason).
pub async fn change_state(
    state: &AppState,
    ctx: &RequestContext,
    id: i32,
    event: &str,
    reason: &str,
) -> Result<String, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let event = match event {
        "publish" => PlacementEvent::Publish,
        "close" => PlacementEvent::Close,
        "reopen" => PlacementEvent::Reopen,
        "cancel" => PlacementEvent::Cancel,
        _ => return Err(AppError::BadRequest),
    };
    let reason = if event == PlacementEvent::Cancel {
        Some(
            BoundedText::parse(reason, "the reason for cancelling", 500)
                .map_err(|m| field_error(FormErrors::with_values([("reason", reason)]), "reason", m))?,
        )
    } else {
        None
    };
    let txn = db::begin_write(&state.db).await?;
    let (p, st) = managed(&txn, actor, id).await?;
    let next = st.after(event).map_err(AppError::Conflict)?;
    if matches!(event, PlacementEvent::Publish | PlacementEvent::Reopen) && p.closing_date < today() {
        return Err(AppError::Conflict("The closing date has passed. Change the dates first".into()));
    }
    let now = Utc::now();
    // Only from the state read: two leads acting at once cannot both win.
    let mut update = placement::Entity::update_many()
        .col_expr(placement::Column::State, Expr::value(next.code()))
        .col_expr(placement::Column::UpdatedAt, Expr::value(now))
        .filter(placement::Column::Id.eq(id))
        .filter(placement::Column::State.eq(st.code()));
    if let Some(r) = &reason {
        update = update.col_expr(placement::Column::CancelReason, Expr::value(r.as_str()));
    }
    if event == PlacementEvent::Publish {
        update = update.col_expr(placement::Column::PublishedAt, Expr::value(now));
    }
    if update.exec(&txn).await?.rows_affected != 1 {
        return Err(AppError::Conflict("Someone else changed this placement. Reload the page and try again".into()));
    }
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "placement_state_changed",
            subject: format!("placement {id} ({})", p.title),
            trust_id: Some(p.trust_id),
            detail: json!({ "from": st.code(), "to": next.code(), "reason": reason.as_ref().map(|r| r.as_str()) }),
        },
    )
    .await?;
    txn.commit().await?;
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
    let st = PlacementState::parse(&p.state).ok_or(AppError::Internal)?;
    if st != PlacementState::Open || p.accepted >= p.places {
        return Err(AppError::Conflict("This placement has no places left".into()));
    }
    let accepted = p.accepted + 1;
    let next = if accepted == p.places { st.after(PlacementEvent::Filled).map_err(AppError::Conflict)? } else { st };
    set_accepted(conn, &p, st, accepted, next).await?;
    Ok(next)
}

/// Gives back an accepted place when the person withdraws before the start, in the caller's
/// transaction. A full placement opens again.
pub async fn place_released(conn: &impl ConnectionTrait, id: i32) -> Result<PlacementState, AppError> {
    let p = placement::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let st = PlacementState::parse(&p.state).ok_or(AppError::Internal)?;
    if p.accepted == 0 {
        return Err(AppError::Conflict("Nobody has been accepted for this placement".into()));
    }
    if today() >= p.start_date {
        return Err(AppError::Conflict("The placement has started; its places no longer change".into()));
    }
    let next = st.after(PlacementEvent::PlaceFreed).map_err(AppError::Conflict)?;
    set_accepted(conn, &p, st, p.accepted - 1, next).await?;
    Ok(next)
}

/// Writes the accepted count and state, only over the values read (no lost update).
async fn set_accepted(
    conn: &impl ConnectionTrait,
    p: &placement::Model,
    from: PlacementState,
    accepted: i16,
    to: PlacementState,
) -> Result<(), AppError> {
    let done = placement::Entity::update_many()
        .col_expr(placement::Column::Accepted, Expr::value(accepted))
        .col_expr(placement::Column::State, Expr::value(to.code()))
        .col_expr(placement::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(placement::Column::Id.eq(p.id))
        .filter(placement::Column::Accepted.eq(p.accepted))
        .filter(placement::Column::State.eq(from.code()))
        .exec(conn)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict("Someone else changed this placement. Try again".into()));
    }
    Ok(())
}

/// Copies a placement into a new draft of the same trust; returns the copy's id.
pub async fn copy(state: &AppState, ctx: &RequestContext, id: i32) -> Result<i32, AppError> {
    let actor = ctx.actor().ok_or(AppError::Unauthenticated)?;
    let txn = db::begin_write(&state.db).await?;
    let p = placement::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let draft = p.state == PlacementState::Draft.code();
    if !permits(actor, &Action::ViewPlacement { trust: p.trust_id, draft }) {
        return Err(AppError::NotFound);
    }
    authorize(Some(actor), &Action::ManagePlacement { trust: p.trust_id })?;
    let groups = placement_staff_group::Entity::find()
        .filter(placement_staff_group::Column::PlacementId.eq(id))
        .all(&txn)
        .await?;
    let now = Utc::now();
    let mut row: placement::ActiveModel = p.clone().into();
    row.id = sea_orm::ActiveValue::NotSet;
    row.state = Set(PlacementState::Draft.code().to_owned());
    row.accepted = Set(0);
    row.cancel_reason = Set(None);
    row.copied_from = Set(Some(p.id));
    row.created_by = Set(actor.user_id);
    row.created_at = Set(now);
    row.updated_at = Set(now);
    row.published_at = Set(None);
    let copy = row.insert(&txn).await?;
    for g in groups {
        placement_staff_group::ActiveModel { placement_id: Set(copy.id), staff_group: Set(g.staff_group) }
            .insert(&txn)
            .await?;
    }
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "placement_copied",
            subject: format!("placement {} ({}) from {}", copy.id, copy.title, p.id),
            trust_id: Some(p.trust_id),
            detail: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
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

/// A placement's eligibility as the domain reads it, from its row and its staff groups.
pub(crate) fn eligibility_of(p: &placement::Model, staff_groups: Vec<StaffGroup>) -> Result<Eligibility, AppError> {
    Ok(Eligibility {
        staff_groups,
        band_min: PayBand::parse(&p.band_min).map_err(|_| AppError::Internal)?,
        band_max: PayBand::parse(&p.band_max).map_err(|_| AppError::Internal)?,
        registration: match p.registration.as_str() {
            "none" => None,
            "any" => Some(None),
            body => Some(RegistrationBody::parse(body).ok()),
        },
    })
}

/// One placement, with whether the viewer may apply and why not.
pub async fn get(conn: &impl ConnectionTrait, actor: Option<&Actor>, id: i32) -> Result<PlacementView, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
    let p = placement::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let draft = p.state == PlacementState::Draft.code();
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
        .filter_map(|g| StaffGroup::parse(&g.staff_group).ok())
        .collect();
    let eligibility = eligibility_of(&p, groups)?;
    let not_eligible_because = if actor.grants.iter().any(|g| g.role == Role::Staff) {
        Some(eligibility.reasons_not(&actor.applicant))
    } else {
        None
    };
    Ok(PlacementView {
        id: p.id,
        manageable: permits(actor, &Action::ManagePlacement { trust: p.trust_id }),
        trust_ods: t.ods_code,
        trust_name: t.name,
        site: site_name,
        department: p.department.clone(),
        pathway: pw.name,
        kind: PlacementKind::parse(&p.kind).map(PlacementKind::label).unwrap_or_default().to_owned(),
        title: p.title.clone(),
        description: p.description.clone(),
        outcomes: p.outcomes.clone(),
        supervisor: p.supervisor.clone(),
        when: when_text(p.start_date, p.end_date, p.window_days),
        places: p.places,
        places_left: p.places - p.accepted,
        closing_date: date_text(p.closing_date),
        state: PlacementState::parse(&p.state).map(PlacementState::label).unwrap_or_default().to_owned(),
        not_eligible_because,
    })
}

/// A trust's placements, soonest start first; drafts only for its leads.
pub async fn of_trust(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    ods: &str,
) -> Result<TrustPlacementList, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
    let t = trust_by_ods(conn, ods).await?;
    let drafts = actor.holds(Role::PlacementLead, Some(t.id));
    authorize(Some(actor), &Action::ListTrustPlacements { trust: t.id, drafts })?;
    let mut q = placement::Entity::find()
        .filter(placement::Column::TrustId.eq(t.id))
        .order_by_asc(placement::Column::StartDate)
        .order_by_asc(placement::Column::Id);
    if !drafts {
        q = q.filter(placement::Column::State.ne(PlacementState::Draft.code()));
    }
    let rows = q
        .all(conn)
        .await?
        .into_iter()
        .map(|p| TrustPlacementRow {
            id: p.id,
            state: PlacementState::parse(&p.state).map(PlacementState::label).unwrap_or_default().to_owned(),
            start: date_text(p.start_date),
            closing_date: date_text(p.closing_date),
            title: p.title,
            places: p.places,
            accepted: p.accepted,
            // Applications arrive with their own issue; until then nothing can be waiting.
            waiting: 0,
        })
        .collect();
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

/// The condition "a placement `who` is eligible for", in SQL, matching
/// [`crate::domain::Eligibility::reasons_not`] rule for rule.
/// Open placements across the alliance, filtered, searched, sorted and a page at a time, from
/// the in-memory placement index (which the database keeps current).
pub async fn browse(state: &AppState, actor: Option<&Actor>, query: &BrowseQuery) -> Result<BrowsePage, AppError> {
    let actor = authorize(actor, &Action::BrowsePlacements)?;
    let is_staff = actor.grants.iter().any(|g| g.role == Role::Staff);
    let index = state.placement_index.snapshot(&state.db).await?;
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
pub async fn choices(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    ods: &str,
) -> Result<PlacementFormChoices, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
    let t = trust_by_ods(conn, ods).await?;
    authorize(Some(actor), &Action::ManagePlacement { trust: t.id })?;
    choices_at(conn, &t).await
}

/// A placement's current details as its edit form starts.
pub async fn edit_form(conn: &impl ConnectionTrait, actor: Option<&Actor>, id: i32) -> Result<PlacementEdit, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
    let (p, st) = managed(conn, actor, id).await?;
    if !st.is_editable() {
        return Err(AppError::Conflict(CANCELLED_IS_FINAL.into()));
    }
    let t = trust::Entity::find_by_id(p.trust_id).one(conn).await?.ok_or(AppError::Internal)?;
    let pw = pathway::Entity::find_by_id(p.pathway_id).one(conn).await?.ok_or(AppError::Internal)?;
    let groups: Vec<String> = placement_staff_group::Entity::find()
        .filter(placement_staff_group::Column::PlacementId.eq(p.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| g.staff_group)
        .collect();
    let input = PlacementInput {
        site: p.site_id.map(|s| s.to_string()).unwrap_or_default(),
        department: p.department.clone(),
        pathway: pw.slug,
        kind: p.kind.clone(),
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
    Ok(PlacementEdit {
        id: p.id,
        title: p.title.clone(),
        state: st.label().to_owned(),
        choices: choices_at(conn, &t).await?,
        input,
    })
}
