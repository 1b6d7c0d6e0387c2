//! Services tested without HTTP: a fresh in-memory SQLite database with every migration, a
//! trust with a pathway, and people to act as, built straight from rows.

use super::access::{Actor, Grant};
use super::entities::{pathway, role_grant, trust, user};
use crate::domain::{Applicant, Role};
use crate::error::AppError;
use chrono::Utc;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ActiveModelTrait, ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, Set};

/// A migrated in-memory database. One connection, since each SQLite memory connection is a
/// database of its own.
pub async fn database() -> DatabaseConnection {
    let mut opts = ConnectOptions::new("sqlite::memory:");
    opts.max_connections(1).min_connections(1).sqlx_logging(false);
    let db = Database::connect(opts).await.expect("an in-memory SQLite database");
    Migrator::up(&db, None).await.expect("migrations");
    db
}

/// Adds a trust with this ODS code; returns its id.
pub async fn add_trust(db: &DatabaseConnection, ods: &str) -> i32 {
    trust::ActiveModel {
        ods_code: Set(ods.to_owned()),
        name: Set(format!("{ods} NHS Foundation Trust")),
        contact_email: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("a trust")
    .id
}

/// Adds an active pathway with this slug.
pub async fn add_pathway(db: &DatabaseConnection, slug: &str) {
    pathway::ActiveModel {
        slug: Set(slug.to_owned()),
        name: Set(slug.replace('-', " ")),
        status: Set(crate::domain::PathwayStatus::Active),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("a pathway");
}

/// Adds a person holding `role` at `trust` (their home trust), and returns them as an actor.
pub async fn person(db: &DatabaseConnection, email: &str, role: Role, trust: i32) -> Actor {
    let now = Utc::now();
    let u = user::ActiveModel {
        email: Set(email.to_owned()),
        name: Set(email.split('@').next().unwrap_or(email).to_owned()),
        password_hash: Set(None),
        active: Set(true),
        home_trust_id: Set(Some(trust)),
        team_id: Set(None),
        staff_group: Set(None),
        pay_band: Set(None),
        registration_body: Set(None),
        registration_number: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("a person");
    let trust_id = role.is_trust_scoped().then_some(trust);
    let g = role_grant::ActiveModel {
        user_id: Set(u.id),
        role: Set(role),
        trust_id: Set(trust_id),
        created_at: Set(now),
        created_by: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("a grant");
    Actor {
        user_id: u.id,
        email: u.email,
        name: u.name,
        home_trust_id: Some(trust),
        grants: vec![Grant { id: g.id, role, trust_id, team_ids: vec![] }],
        session_id: String::new(),
        ip: "127.0.0.1".to_owned(),
        applicant: Applicant { staff_group: None, band: None, registration: None },
    }
}

/// Runs `f` in a write transaction committed only if it succeeds, as a server function does.
pub async fn written<T>(
    db: &DatabaseConnection,
    f: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let txn = super::db::begin_write(db).await.expect("a write transaction");
    let out = f(&txn).await;
    if out.is_ok() {
        txn.commit().await.expect("commit");
    }
    out
}

/// An open fixed placement of `lead`'s trust `ods` (which has the `acute-oncology` pathway):
/// `places` places, 60 to 64 days from today, bands 5 to 7; returns its id.
pub async fn open_placement(db: &DatabaseConnection, lead: &Actor, ods: &str, places: u16, title: &str) -> i32 {
    use super::services::placements;
    let day = |n: i64| (Utc::now().date_naive() + chrono::Duration::days(n)).to_string();
    let input = crate::domain::PlacementInput {
        department: "Acute Oncology".into(),
        pathway: "acute-oncology".into(),
        kind: "shadowing".into(),
        title: title.into(),
        description: "A week on the unit.".into(),
        outcomes: "Recognise neutropenic sepsis early.".into(),
        supervisor: "Dr Ana Silva".into(),
        schedule: "fixed".into(),
        start: day(60),
        end: day(64),
        places: places.to_string(),
        band_min: "5".into(),
        band_max: "7".into(),
        registration: "none".into(),
        closing_date: day(30),
        ..Default::default()
    };
    written(db, async |txn| {
        let id = placements::create(txn, lead, ods, &input).await?;
        placements::change_state(txn, lead, id, "publish", "").await?;
        Ok(id)
    })
    .await
    .expect("an open placement")
}
