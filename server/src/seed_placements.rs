//! Demo placements: a handful written by hand at three trusts, in every state, and (for the
//! benchmark) as many generated ones as asked for, spread over the nine trusts, the pathways,
//! the kinds and the coming year. Idempotent like the rest of the seed.

use crate::seed::coded;
use app::domain::{PlacementKind, PlacementState, StaffGroup};
use app::server::entities::{pathway, placement, placement_staff_group, site, trust, user};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// Title, trust, pathway, kind, weeks until the start, length in days, places, staff groups,
/// bands, registration, state.
type Demo = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    i16,
    &'static [&'static str],
    (&'static str, &'static str),
    &'static str,
    &'static str,
);

const DEMO: [Demo; 10] = [
    (
        "Shadow a 7-day acute oncology service",
        "R0A",
        "acute-oncology",
        "shadowing",
        6,
        5,
        2,
        &["nursing_midwifery"],
        ("5", "7"),
        "any",
        "open",
    ),
    (
        "Acute oncology triage line: supervised practice",
        "R0A",
        "acute-oncology",
        "training",
        8,
        10,
        3,
        &["nursing_midwifery", "ahp"],
        ("5", "7"),
        "any",
        "open",
    ),
    (
        "Mentoring for new chemotherapy nurses",
        "R0A",
        "cancer-nursing",
        "mentoring",
        10,
        30,
        4,
        &[],
        ("5", "6"),
        "NMC",
        "draft",
    ),
    (
        "Non-medical prescribing: supervised practice",
        "RM3",
        "acute-oncology",
        "training",
        5,
        20,
        2,
        &["nursing_midwifery", "ahp"],
        ("6", "8a"),
        "any",
        "open",
    ),
    (
        "Service support: chemotherapy day unit winter cover",
        "RM3",
        "acute-oncology",
        "service_support",
        3,
        10,
        4,
        &["nursing_midwifery"],
        ("5", "7"),
        "NMC",
        "open",
    ),
    (
        "Leading a service improvement project",
        "RM3",
        "cancer-nursing",
        "leadership",
        12,
        15,
        1,
        &[],
        ("7", "8b"),
        "none",
        "closed",
    ),
    (
        "Radiotherapy planning: observe the pathway",
        "RBV",
        "imaging",
        "shadowing",
        7,
        3,
        3,
        &["ahp"],
        ("5", "7"),
        "HCPC",
        "open",
    ),
    (
        "Senior decision-making in the acute oncology unit",
        "RBV",
        "acute-oncology",
        "shadowing",
        9,
        5,
        2,
        &["nursing_midwifery", "medical_dental"],
        ("6", "8a"),
        "any",
        "open",
    ),
    (
        "Immunotherapy toxicity clinic",
        "RBV",
        "acute-oncology",
        "training",
        14,
        10,
        2,
        &["nursing_midwifery"],
        ("6", "7"),
        "NMC",
        "open",
    ),
    (
        "Writing a business case for a 7-day service",
        "RBV",
        "acute-oncology",
        "leadership",
        11,
        5,
        1,
        &[],
        ("7", "8c"),
        "none",
        "draft",
    ),
];

const DESCRIPTIONS: [&str; 4] = [
    "Join the team on the ward and in clinic. You will see how referrals are triaged, how the team escalates unwell patients and how it hands over between shifts.",
    "Spend time with the multidisciplinary team: ward reviews, the telephone triage line, and the weekly MDT meeting. A named supervisor agrees your goals with you on day one.",
    "Supervised practice with an experienced practitioner, building towards independent assessment of patients on systemic anti-cancer therapy.",
    "Work alongside the service's leaders on a real piece of service development, from the first data to the case put to the trust's board.",
];

const OUTCOMES: [&str; 4] = [
    "Recognise and escalate neutropenic sepsis.\nUse the UKONS 24-hour triage tool.",
    "Assess a patient presenting with toxicity from immunotherapy.\nKnow when to seek senior advice.",
    "Describe the acute oncology pathway from referral to discharge.\nTake part in an MDT discussion.",
    "Build a business case with costs and benefits.\nPresent it to a senior audience.",
];

fn rank(band: &str) -> i16 {
    app::domain::PayBand::parse(band).map_or(0, app::domain::PayBand::rank)
}

struct Row<'a> {
    trust: &'a trust::Model,
    site_id: Option<i32>,
    pathway_id: i32,
    kind: &'a str,
    title: String,
    text: usize,
    start: NaiveDate,
    days: i64,
    places: i16,
    bands: (&'a str, &'a str),
    registration: &'a str,
    state: &'a str,
    created_by: i32,
}

fn model(r: Row<'_>) -> Result<placement::ActiveModel, DbErr> {
    let now = Utc::now();
    let window = r.days > 10;
    Ok(placement::ActiveModel {
        trust_id: Set(r.trust.id),
        site_id: Set(r.site_id),
        department: Set("Cancer services".to_owned()),
        pathway_id: Set(r.pathway_id),
        kind: Set(coded(PlacementKind::from_code(r.kind), r.kind)?),
        title: Set(r.title),
        description: Set(DESCRIPTIONS[r.text % DESCRIPTIONS.len()].to_owned()),
        outcomes: Set(OUTCOMES[r.text % OUTCOMES.len()].to_owned()),
        supervisor: Set("Sister Jo Lewis".to_owned()),
        // A long placement is a window: its days taken between the dates; a short one is fixed.
        schedule: Set(if window { "window" } else { "fixed" }.to_owned()),
        start_date: Set(r.start),
        end_date: Set(r.start + Duration::days(if window { r.days * 3 } else { r.days - 1 })),
        window_days: Set(window.then_some(r.days as i16)),
        places: Set(r.places),
        accepted: Set(0),
        band_min: Set(r.bands.0.to_owned()),
        band_max: Set(r.bands.1.to_owned()),
        band_min_rank: Set(rank(r.bands.0)),
        band_max_rank: Set(rank(r.bands.1)),
        registration: Set(r.registration.to_owned()),
        closing_date: Set(r.start - Duration::days(14)),
        state: Set(coded(PlacementState::from_code(r.state), r.state)?),
        cancel_reason: Set(None),
        copied_from: Set(None),
        created_by: Set(r.created_by),
        created_at: Set(now),
        updated_at: Set(now),
        published_at: Set((r.state != "draft").then_some(now)),
        ..Default::default()
    })
}

async fn add(conn: &impl ConnectionTrait, row: Row<'_>, groups: &[&str]) -> Result<(), DbErr> {
    let saved = model(row)?.insert(conn).await?;
    for g in groups {
        placement_staff_group::ActiveModel {
            placement_id: Set(saved.id),
            staff_group: Set(coded(StaffGroup::from_code(g), g)?),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Adds the demo placements if they are missing, then generated ones until there are at least
/// `at_least` placements in all. Returns how many were added.
pub async fn demo_placements(conn: &impl ConnectionTrait, at_least: usize) -> Result<usize, DbErr> {
    let trusts = trust::Entity::find().order_by_asc(trust::Column::Id).all(conn).await?;
    let pathways = pathway::Entity::find().order_by_asc(pathway::Column::Id).all(conn).await?;
    let sites = site::Entity::find().order_by_asc(site::Column::Id).all(conn).await?;
    let Some(pm) = user::Entity::find().filter(user::Column::Email.eq("pm@gmcancer.nhs.example")).one(conn).await?
    else {
        return Ok(0);
    };
    let pm_id = pm.id;
    let author = |ods: &str| {
        let email = format!("lead@{}.nhs.example", ods.to_lowercase());
        async move {
            Ok::<_, DbErr>(
                user::Entity::find().filter(user::Column::Email.eq(email)).one(conn).await?.map_or(pm_id, |u| u.id),
            )
        }
    };
    let today = Utc::now().date_naive();
    let mut added = 0;
    let first = placement::Entity::find().filter(placement::Column::Title.eq(DEMO[0].0)).one(conn).await?;
    if first.is_none() {
        for (i, (title, ods, slug, kind, weeks, days, places, groups, bands, registration, state)) in
            DEMO.into_iter().enumerate()
        {
            let (Some(t), Some(p)) =
                (trusts.iter().find(|t| t.ods_code == ods), pathways.iter().find(|p| p.slug == slug))
            else {
                continue;
            };
            let row = Row {
                trust: t,
                site_id: sites.iter().find(|s| s.trust_id == t.id).map(|s| s.id),
                pathway_id: p.id,
                kind,
                title: title.to_owned(),
                text: i,
                start: today + Duration::weeks(weeks),
                days,
                places,
                bands,
                registration,
                state,
                created_by: author(ods).await?,
            };
            add(conn, row, groups).await?;
            added += 1;
        }
    }
    let have = placement::Entity::find().count(conn).await? as usize;
    const KINDS: [&str; 5] = ["training", "shadowing", "mentoring", "leadership", "service_support"];
    const TOPICS: [&str; 8] = [
        "acute oncology",
        "chemotherapy",
        "radiotherapy",
        "immunotherapy",
        "palliative care",
        "haematology",
        "lung cancer",
        "breast screening",
    ];
    const BANDS: [(&str, &str); 4] = [("5", "7"), ("6", "8a"), ("4", "6"), ("7", "8c")];
    const REGISTRATIONS: [&str; 4] = ["any", "none", "NMC", "HCPC"];
    const GROUPS: [&[&str]; 4] =
        [&[], &["nursing_midwifery"], &["ahp"], &["nursing_midwifery", "ahp", "medical_dental"]];
    let mut authors = Vec::with_capacity(trusts.len());
    for t in &trusts {
        authors.push(author(&t.ods_code).await?);
    }
    for n in have..at_least {
        let (ti, t) = (n % trusts.len(), &trusts[n % trusts.len()]);
        let kind = KINDS[(n / 9) % KINDS.len()];
        let topic = TOPICS[(n / 7) % TOPICS.len()];
        let row = Row {
            trust: t,
            site_id: sites.iter().filter(|s| s.trust_id == t.id).nth(n % 2).map(|s| s.id),
            pathway_id: pathways[n % pathways.len()].id,
            kind,
            title: format!("{} in {topic} ({})", kind_title(kind), n + 1),
            text: n / 3,
            start: today + Duration::days(21 + (n % 330) as i64),
            days: [3, 5, 10, 15][n % 4],
            places: 1 + (n % 4) as i16,
            bands: BANDS[n % BANDS.len()],
            registration: REGISTRATIONS[(n / 2) % REGISTRATIONS.len()],
            // Most are open; some drafts and closed ones, as a real list has.
            state: match n % 10 {
                0 => "draft",
                1 => "closed",
                _ => "open",
            },
            created_by: authors[ti],
        };
        add(conn, row, GROUPS[n % GROUPS.len()]).await?;
        added += 1;
    }
    Ok(added)
}

fn kind_title(kind: &str) -> &'static str {
    match kind {
        "training" => "Supervised practice",
        "shadowing" => "Shadowing",
        "mentoring" => "Mentoring",
        "leadership" => "Leadership project",
        _ => "Service support",
    }
}
