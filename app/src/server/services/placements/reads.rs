//! Reading placements: one placement with what the viewer may do to it, a trust's list, browsing
//! the open ones, and what the placement form offers.

use super::*;
use crate::domain::dates;
use sea_orm::QuerySelect;

fn when_text(start: NaiveDate, end: NaiveDate, window_days: Option<i16>) -> String {
    match window_days {
        Some(1) => format!("1 day between {} and {}", dates::long_day(start), dates::long_day(end)),
        Some(days) => format!("{days} days between {} and {}", dates::long_day(start), dates::long_day(end)),
        None if start == end => dates::long_day(start),
        None => format!("{} to {}", dates::long_day(start), dates::long_day(end)),
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
    use crate::server::entities::application;
    let live: Vec<crate::domain::ApplicationState> =
        crate::domain::ApplicationState::ALL.into_iter().filter(|s| s.is_live()).collect();
    let your_application = application::Entity::find()
        .filter(application::Column::PlacementId.eq(p.id))
        .filter(application::Column::ApplicantId.eq(actor.user_id))
        .filter(application::Column::State.is_in(live))
        .one(conn)
        .await?
        .map(|a| a.id);
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
        closing_date: dates::long_day(p.closing_date),
        state,
        not_eligible_because,
        takes_applications: state == PlacementState::Open && today() <= p.closing_date,
        window_days: p.window_days,
        your_application,
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
    let found = q.all(conn).await?;
    // Applications the host has still to decide on: sent, or released by the line manager.
    let waiting_on_host: Vec<i32> = crate::server::entities::application::Entity::find()
        .select_only()
        .column(crate::server::entities::application::Column::PlacementId)
        .filter(crate::server::entities::application::Column::PlacementId.is_in(found.iter().map(|p| p.id)))
        .filter(
            crate::server::entities::application::Column::State
                .is_in([crate::domain::ApplicationState::Submitted, crate::domain::ApplicationState::Released]),
        )
        .into_tuple()
        .all(conn)
        .await?;
    let rows = found
        .into_iter()
        .map(|p| {
            Ok(TrustPlacementRow {
                id: p.id,
                state: p.state,
                start: dates::long_day(p.start_date),
                closing_date: dates::long_day(p.closing_date),
                title: p.title,
                places: p.places,
                accepted: p.accepted,
                waiting: waiting_on_host.iter().filter(|id| **id == p.id).count() as i64,
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

fn optional_date(raw: &str, field: &str, problems: &mut Vec<(String, String)>) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    match dates::parse_day(s) {
        Some(d) => Some(d),
        None => {
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
        index.is_open(pos)
            && e.closing >= today
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
                closing_date: dates::long_day(e.closing),
                places_left: index.places_left(pos),
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
