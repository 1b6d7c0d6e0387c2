//! Trusts, sites, teams and pathways.

use crate::api::network::{PathwayView, SiteView, TeamView, TrustDetail, TrustSummary};
use crate::domain::{NewTeam, OdsCode};
use crate::error::{AppError, FormErrors};
use crate::server::entities::{pathway, site, team, trust};
use crate::server::{AppState, db, outbox, services::mail_templates};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};
use std::collections::HashMap;

pub async fn list_trusts(conn: &impl ConnectionTrait) -> Result<Vec<TrustSummary>, AppError> {
    let trusts = trust::Entity::find()
        .order_by_asc(trust::Column::Name)
        .all(conn)
        .await?;
    let sites = count_by_trust(conn, site::Entity::find(), site::Column::TrustId).await?;
    let teams = count_by_trust(conn, team::Entity::find(), team::Column::TrustId).await?;
    Ok(trusts
        .into_iter()
        .map(|t| TrustSummary {
            sites: sites.get(&t.id).copied().unwrap_or(0),
            teams: teams.get(&t.id).copied().unwrap_or(0),
            ods_code: t.ods_code,
            name: t.name,
        })
        .collect())
}

/// Rows per trust, counted by the database.
async fn count_by_trust<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
    trust_column: E::Column,
) -> Result<HashMap<i32, usize>, AppError> {
    let rows: Vec<(i32, i64)> = select
        .select_only()
        .column(trust_column)
        .column_as(trust_column.count(), "n")
        .group_by(trust_column)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, usize::try_from(n).unwrap_or(0)))
        .collect())
}

async fn find_trust(conn: &impl ConnectionTrait, ods: &OdsCode) -> Result<trust::Model, AppError> {
    trust::Entity::find()
        .filter(trust::Column::OdsCode.eq(ods.as_str()))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn get_trust(conn: &impl ConnectionTrait, ods: &str) -> Result<TrustDetail, AppError> {
    let ods = OdsCode::parse(ods).map_err(|_| AppError::NotFound)?;
    let t = find_trust(conn, &ods).await?;
    let sites = site::Entity::find()
        .filter(site::Column::TrustId.eq(t.id))
        .order_by_asc(site::Column::Name)
        .all(conn)
        .await?;
    let site_names: HashMap<i32, String> = sites.iter().map(|s| (s.id, s.name.clone())).collect();
    let teams = team::Entity::find()
        .filter(team::Column::TrustId.eq(t.id))
        .order_by_asc(team::Column::NameKey)
        .all(conn)
        .await?;
    Ok(TrustDetail {
        ods_code: t.ods_code,
        name: t.name,
        sites: sites
            .into_iter()
            .map(|s| SiteView { id: s.id, name: s.name })
            .collect(),
        teams: teams
            .into_iter()
            .map(|tm| TeamView {
                site: tm.site_id.and_then(|id| site_names.get(&id).cloned()),
                name: tm.name,
                min_cover: tm.min_cover,
            })
            .collect(),
    })
}

pub async fn list_pathways(conn: &impl ConnectionTrait) -> Result<Vec<PathwayView>, AppError> {
    Ok(pathway::Entity::find()
        .order_by_asc(pathway::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| PathwayView {
            joining: p.status == "joining",
            name: p.name,
        })
        .collect())
}

/// Adds a team and, in the same transaction, queues the notice to the trust's contact.
pub async fn add_team(state: &AppState, cmd: NewTeam) -> Result<String, AppError> {
    let txn = db::begin_write(&state.db).await?;
    let t = find_trust(&txn, &cmd.trust).await?;
    let values = [
        ("name", cmd.name.as_str().to_owned()),
        ("site", cmd.site_id.map(|i| i.to_string()).unwrap_or_default()),
        ("min_cover", cmd.min_cover.get().to_string()),
    ];
    let field_error = |field: &str, message: String| {
        let mut f = FormErrors::with_values(values.iter().map(|(k, v)| (*k, v.as_str())));
        f.add(field, message);
        AppError::Validation(f)
    };
    if let Some(site_id) = cmd.site_id {
        let belongs = site::Entity::find_by_id(site_id)
            .filter(site::Column::TrustId.eq(t.id))
            .one(&txn)
            .await?
            .is_some();
        if !belongs {
            return Err(field_error("site", "Select a site from the list".into()));
        }
    }
    let name_key = cmd.name.as_str().to_lowercase();
    let duplicate = || {
        field_error(
            "name",
            format!("{} already has a team called {}", t.name, cmd.name.as_str()),
        )
    };
    let exists = team::Entity::find()
        .filter(team::Column::TrustId.eq(t.id))
        .filter(team::Column::NameKey.eq(name_key.clone()))
        .one(&txn)
        .await?
        .is_some();
    if exists {
        return Err(duplicate());
    }
    let inserted = team::ActiveModel {
        trust_id: Set(t.id),
        site_id: Set(cmd.site_id),
        name: Set(cmd.name.as_str().to_owned()),
        name_key: Set(name_key),
        min_cover: Set(i32::from(cmd.min_cover.get())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        // Two people adding the same team at once: the unique index decides.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(duplicate());
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(contact) = &t.contact_email {
        let link = format!("{}/trusts/{}", state.public_url, t.ods_code);
        outbox::enqueue(
            &txn,
            mail_templates::team_added(contact, &t.name, cmd.name.as_str(), cmd.min_cover.get(), &link),
        )
        .await?;
    }
    txn.commit().await?;
    state.outbox_wake.notify_one();
    Ok(format!("{} added to {}", cmd.name.as_str(), t.name))
}
