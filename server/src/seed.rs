//! Demo data: the pilot's nine acute trusts with their real ODS codes, some of their sites and
//! cancer teams, and the pathways. Idempotent: running it again adds only what is missing.
//! Never part of a migration.

use app::domain::{PathwayStatus, Role, StaffGroup};
use app::server::entities::{grant_team, pathway, role_grant, site, team, trust, user};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};

/// ODS code, name, sites.
pub const TRUSTS: [(&str, &str, &[&str]); 9] = [
    (
        "R0A",
        "Manchester University NHS Foundation Trust",
        &["Manchester Royal Infirmary", "Wythenshawe Hospital", "North Manchester General Hospital"],
    ),
    (
        "RM3",
        "Northern Care Alliance NHS Foundation Trust",
        &["Salford Royal", "Royal Oldham Hospital", "Fairfield General Hospital"],
    ),
    ("RWJ", "Stockport NHS Foundation Trust", &["Stepping Hill Hospital"]),
    ("RMP", "Tameside and Glossop Integrated Care NHS Foundation Trust", &["Tameside General Hospital"]),
    (
        "RRF",
        "Wrightington, Wigan and Leigh NHS Foundation Trust",
        &["Royal Albert Edward Infirmary", "Leigh Infirmary"],
    ),
    ("RMC", "Bolton NHS Foundation Trust", &["Royal Bolton Hospital"]),
    (
        "RBV",
        "The Christie NHS Foundation Trust",
        &["The Christie, Withington", "The Christie at Oldham", "The Christie at Salford"],
    ),
    ("RJN", "East Cheshire NHS Trust", &["Macclesfield District General Hospital"]),
    ("RBT", "Mid Cheshire Hospitals NHS Foundation Trust", &["Leighton Hospital"]),
];

/// Team name and minimum cover, added at every trust (at its first site).
const TEAMS: [(&str, i32); 3] =
    [("Acute Oncology Service", 3), ("Chemotherapy Day Unit", 4), ("Cancer Nurse Specialists", 2)];

/// Slug, name, status.
pub const PATHWAYS: [(&str, &str, &str); 5] = [
    ("acute-oncology", "Acute Oncology", "active"),
    ("imaging", "Imaging", "joining"),
    ("cancer-screening", "Cancer Screening", "joining"),
    ("cancer-nursing", "Cancer Nursing", "joining"),
    ("physician-associates", "Physician Associates", "joining"),
];

/// A demo table's code as its domain enum: a typo in a table fails the seed, loudly.
pub(crate) fn coded<T>(found: Option<T>, code: &str) -> Result<T, DbErr> {
    found.ok_or_else(|| DbErr::Custom(format!("unknown code {code:?} in the demo data")))
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub trusts: usize,
    pub sites: usize,
    pub teams: usize,
    pub pathways: usize,
    pub people: usize,
}

/// The password of every demo account (printed in the README; never used outside a demo).
pub const DEMO_PASSWORD: &str = "placement-pilot-2026";

/// Who the demo accounts are: email, name, home trust, and roles (role code, trust, team).
/// Staff at three trusts, so cross-trust rules can be tried by hand, and a placement lead at
/// every trust, so every host has someone to post and decide.
type DemoGrant = (&'static str, Option<&'static str>, Option<&'static str>);
pub const PEOPLE: [(&str, &str, Option<&str>, &[DemoGrant]); 20] = [
    ("pm@gmcancer.nhs.example", "Priya Shah", None, &[("project_manager", None, None)]),
    ("nurse@r0a.nhs.example", "Asha Patel", Some("R0A"), &[("staff", Some("R0A"), None)]),
    (
        "manager@r0a.nhs.example",
        "Tom Byrne",
        Some("R0A"),
        &[("line_manager", Some("R0A"), Some("Acute Oncology Service")), ("staff", Some("R0A"), None)],
    ),
    ("lead@r0a.nhs.example", "Grace Okafor", Some("R0A"), &[("placement_lead", Some("R0A"), None)]),
    ("hr@r0a.nhs.example", "Helen Walsh", Some("R0A"), &[("hr_officer", Some("R0A"), None)]),
    ("nurse@rm3.nhs.example", "Daniel Hughes", Some("RM3"), &[("staff", Some("RM3"), None)]),
    (
        "manager@rm3.nhs.example",
        "Fatima Begum",
        Some("RM3"),
        &[("line_manager", Some("RM3"), Some("Acute Oncology Service"))],
    ),
    ("lead@rm3.nhs.example", "Owen Price", Some("RM3"), &[("placement_lead", Some("RM3"), None)]),
    ("hr@rm3.nhs.example", "Sarah Kelly", Some("RM3"), &[("hr_officer", Some("RM3"), None)]),
    ("radiographer@rbv.nhs.example", "Liam Murphy", Some("RBV"), &[("staff", Some("RBV"), None)]),
    (
        "manager@rbv.nhs.example",
        "Chloe Evans",
        Some("RBV"),
        &[("line_manager", Some("RBV"), Some("Chemotherapy Day Unit"))],
    ),
    (
        "lead@rbv.nhs.example",
        "Mohammed Ali",
        Some("RBV"),
        &[("placement_lead", Some("RBV"), None), ("hr_officer", Some("RBV"), None)],
    ),
    ("hr@rbv.nhs.example", "Emma Roberts", Some("RBV"), &[("hr_officer", Some("RBV"), None)]),
    ("invited@r0a.nhs.example", "Ruth Adams", Some("R0A"), &[("staff", Some("R0A"), None)]),
    ("lead@rwj.nhs.example", "Rebecca Lloyd", Some("RWJ"), &[("placement_lead", Some("RWJ"), None)]),
    ("lead@rmp.nhs.example", "James Whitworth", Some("RMP"), &[("placement_lead", Some("RMP"), None)]),
    ("lead@rrf.nhs.example", "Nadia Hussain", Some("RRF"), &[("placement_lead", Some("RRF"), None)]),
    ("lead@rmc.nhs.example", "Peter Kowalski", Some("RMC"), &[("placement_lead", Some("RMC"), None)]),
    ("lead@rjn.nhs.example", "Aisha Rahman", Some("RJN"), &[("placement_lead", Some("RJN"), None)]),
    ("lead@rbt.nhs.example", "Gareth Jones", Some("RBT"), &[("placement_lead", Some("RBT"), None)]),
];

/// Staff group, band and registration of a demo person, by the first word of their email.
fn staff_profile(email: &str) -> (&'static str, &'static str, Option<(&'static str, &'static str)>) {
    match email.split('@').next().unwrap_or_default() {
        "radiographer" => ("ahp", "6", Some(("HCPC", "RA123456"))),
        "manager" => ("nursing_midwifery", "7", Some(("NMC", "09B1234C"))),
        _ => ("nursing_midwifery", "6", Some(("NMC", "12A3456E"))),
    }
}

/// Adds the demo network, plus `extra_teams_per_trust` generated teams per trust (for load tests).
pub async fn demo(db: &DatabaseConnection, extra_teams_per_trust: usize) -> Result<SeedReport, DbErr> {
    // IMMEDIATE on SQLite: the running app's outbox worker may write at the same moment, and a
    // read transaction that later writes would fail with "database is locked" instead of waiting.
    let txn = app::server::db::begin_write(db).await?;
    let mut report = SeedReport::default();
    let now = Utc::now();
    for (ods, name, sites) in TRUSTS {
        let t = match trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&txn).await? {
            Some(t) => t,
            None => {
                report.trusts += 1;
                trust::ActiveModel {
                    ods_code: Set(ods.to_owned()),
                    name: Set(name.to_owned()),
                    contact_email: Set(Some(format!("education-lead@{}.nhs.example", ods.to_lowercase()))),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        let mut first_site = None;
        for site_name in sites {
            let s = match site::Entity::find()
                .filter(site::Column::TrustId.eq(t.id))
                .filter(site::Column::Name.eq(*site_name))
                .one(&txn)
                .await?
            {
                Some(s) => s,
                None => {
                    report.sites += 1;
                    site::ActiveModel {
                        trust_id: Set(t.id),
                        name: Set((*site_name).to_owned()),
                        created_at: Set(now),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?
                }
            };
            first_site.get_or_insert(s.id);
        }
        let generated = (1..=extra_teams_per_trust).map(|i| (format!("Generated team {i:04}"), 1));
        let demo_teams = TEAMS.iter().map(|(n, c)| ((*n).to_owned(), *c));
        for (team_name, min_cover) in demo_teams.chain(generated) {
            report.teams += usize::from(ensure_team(&txn, t.id, first_site, &team_name, min_cover).await?);
        }
    }
    for (slug, name, status) in PATHWAYS {
        if pathway::Entity::find().filter(pathway::Column::Slug.eq(slug)).one(&txn).await?.is_none() {
            report.pathways += 1;
            pathway::ActiveModel {
                slug: Set(slug.to_owned()),
                name: Set(name.to_owned()),
                status: Set(coded(PathwayStatus::from_code(status), status)?),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    report.people = demo_people(&txn).await?;
    txn.commit().await?;
    Ok(report)
}

/// Adds the demo accounts that are missing. All but `invited@…` have the demo password; that one
/// has not accepted their invitation yet.
async fn demo_people(conn: &impl ConnectionTrait) -> Result<usize, DbErr> {
    let mut added = 0;
    let now = Utc::now();
    // One argon2id hash, made only if an account is missing, shared by every demo account: they
    // share the one published demo password anyway, and a hash each would cost a second per seed.
    let mut demo_hash: Option<String> = None;
    for (email, name, home, grants) in PEOPLE {
        if user::Entity::find().filter(user::Column::Email.eq(email)).one(conn).await?.is_some() {
            continue;
        }
        let home_trust = match home {
            Some(ods) => trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(conn).await?,
            None => None,
        };
        let home_team = match &home_trust {
            Some(t) => team::Entity::find()
                .filter(team::Column::TrustId.eq(t.id))
                .filter(team::Column::NameKey.eq(TEAMS[0].0.to_lowercase()))
                .one(conn)
                .await?
                .map(|t| t.id),
            None => None,
        };
        let staff = home_trust.is_some().then(|| staff_profile(email));
        let hash = if email.starts_with("invited@") {
            None
        } else {
            if demo_hash.is_none() {
                demo_hash = Some(
                    app::server::password::hash_blocking(DEMO_PASSWORD).map_err(|e| DbErr::Custom(e.to_string()))?,
                );
            }
            demo_hash.clone()
        };
        let person = user::ActiveModel {
            email: Set(email.to_owned()),
            name: Set(name.to_owned()),
            password_hash: Set(hash),
            active: Set(true),
            home_trust_id: Set(home_trust.as_ref().map(|t| t.id)),
            team_id: Set(home_team),
            staff_group: Set(staff.map(|s| coded(StaffGroup::from_code(s.0), s.0)).transpose()?),
            pay_band: Set(staff.map(|s| s.1.to_owned())),
            registration_body: Set(staff.and_then(|s| s.2).map(|r| r.0.to_owned())),
            registration_number: Set(staff.and_then(|s| s.2).map(|r| r.1.to_owned())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        for (role, at, managed_team) in grants.iter() {
            let trust_id = match at {
                Some(ods) => {
                    trust::Entity::find().filter(trust::Column::OdsCode.eq(*ods)).one(conn).await?.map(|t| t.id)
                }
                None => None,
            };
            let grant = role_grant::ActiveModel {
                user_id: Set(person.id),
                role: Set(coded(Role::from_code(role), role)?),
                trust_id: Set(trust_id),
                created_at: Set(now),
                created_by: Set(None),
                ..Default::default()
            }
            .insert(conn)
            .await?;
            if let (Some(team_name), Some(trust_id)) = (managed_team, trust_id)
                && let Some(t) = team::Entity::find()
                    .filter(team::Column::TrustId.eq(trust_id))
                    .filter(team::Column::NameKey.eq(team_name.to_lowercase()))
                    .one(conn)
                    .await?
            {
                grant_team::ActiveModel { grant_id: Set(grant.id), team_id: Set(t.id) }.insert(conn).await?;
            }
        }
        added += 1;
    }
    Ok(added)
}

/// Adds the team unless the trust already has one of that name; true if it was added.
async fn ensure_team(
    conn: &impl ConnectionTrait,
    trust_id: i32,
    site_id: Option<i32>,
    name: &str,
    min_cover: i32,
) -> Result<bool, DbErr> {
    let key = name.to_lowercase();
    let exists = team::Entity::find()
        .filter(team::Column::TrustId.eq(trust_id))
        .filter(team::Column::NameKey.eq(key.clone()))
        .one(conn)
        .await?
        .is_some();
    if !exists {
        team::ActiveModel {
            trust_id: Set(trust_id),
            site_id: Set(site_id),
            name: Set(name.to_owned()),
            name_key: Set(key),
            min_cover: Set(min_cover),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(!exists)
}
