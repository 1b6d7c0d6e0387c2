//! Demo data: the pilot's nine acute trusts with their real ODS codes, some of their sites and
//! cancer teams, and the pathways. Idempotent: running it again adds only what is missing.
//! Never part of a migration.

use app::server::entities::{pathway, site, team, trust};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Set, TransactionTrait,
};

/// ODS code, name, sites.
pub const TRUSTS: [(&str, &str, &[&str]); 9] = [
    ("R0A", "Manchester University NHS Foundation Trust", &["Manchester Royal Infirmary", "Wythenshawe Hospital", "North Manchester General Hospital"]),
    ("RM3", "Northern Care Alliance NHS Foundation Trust", &["Salford Royal", "Royal Oldham Hospital", "Fairfield General Hospital"]),
    ("RWJ", "Stockport NHS Foundation Trust", &["Stepping Hill Hospital"]),
    ("RMP", "Tameside and Glossop Integrated Care NHS Foundation Trust", &["Tameside General Hospital"]),
    ("RRF", "Wrightington, Wigan and Leigh NHS Foundation Trust", &["Royal Albert Edward Infirmary", "Leigh Infirmary"]),
    ("RMC", "Bolton NHS Foundation Trust", &["Royal Bolton Hospital"]),
    ("RBV", "The Christie NHS Foundation Trust", &["The Christie, Withington", "The Christie at Oldham", "The Christie at Salford"]),
    ("RJN", "East Cheshire NHS Trust", &["Macclesfield District General Hospital"]),
    ("RBT", "Mid Cheshire Hospitals NHS Foundation Trust", &["Leighton Hospital"]),
];

/// Team name and minimum cover, added at every trust (at its first site).
const TEAMS: [(&str, i32); 3] = [
    ("Acute Oncology Service", 3),
    ("Chemotherapy Day Unit", 4),
    ("Cancer Nurse Specialists", 2),
];

/// Slug, name, status.
pub const PATHWAYS: [(&str, &str, &str); 5] = [
    ("acute-oncology", "Acute Oncology", "active"),
    ("imaging", "Imaging", "joining"),
    ("cancer-screening", "Cancer Screening", "joining"),
    ("cancer-nursing", "Cancer Nursing", "joining"),
    ("physician-associates", "Physician Associates", "joining"),
];

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub trusts: usize,
    pub sites: usize,
    pub teams: usize,
    pub pathways: usize,
}

/// Adds the demo network, plus `extra_teams_per_trust` generated teams per trust (for load tests).
pub async fn demo(db: &DatabaseConnection, extra_teams_per_trust: usize) -> Result<SeedReport, DbErr> {
    let txn = db.begin().await?;
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
                status: Set(status.to_owned()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(report)
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
