//! Trusts, sites, teams and pathways.
//!
//! What the alliance publishes about itself is open to anyone, so its reads take an
//! `Option<&Actor>` and go through `authorize_public`. Every change takes the caller's write
//! transaction and the signed-in [`Actor`]: [`trusts`] (trusts and sites), [`teams`] and
//! [`pathways`].

mod pathways;
mod teams;
#[cfg(test)]
mod tests;
mod trusts;

pub use pathways::{add_pathway, rename_pathway, set_pathway_status};
pub use teams::{add_team, edit_team, get_team};
pub use trusts::{add_site, add_trust, edit_trust, rename_site};

use crate::domain::PathwayStatus;
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize_public, permits};
use crate::server::entities::{pathway, site, team, trust};
use crate::server::services::trusts as trust_lookup;
use crate::views::network::{PathwayView, SiteView, TeamView, TrustDetail, TrustSummary};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

pub async fn list_trusts(conn: &impl ConnectionTrait, actor: Option<&Actor>) -> Result<Vec<TrustSummary>, AppError> {
    authorize_public(actor, &Action::ViewNetwork)?;
    let trusts = trust::Entity::find().order_by_asc(trust::Column::Name).all(conn).await?;
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
    Ok(rows.into_iter().map(|(id, n)| (id, usize::try_from(n).unwrap_or(0))).collect())
}

pub async fn get_trust(conn: &impl ConnectionTrait, actor: Option<&Actor>, ods: &str) -> Result<TrustDetail, AppError> {
    authorize_public(actor, &Action::ViewNetwork)?;
    let t = trust_lookup::by_ods(conn, ods).await?;
    let sites =
        site::Entity::find().filter(site::Column::TrustId.eq(t.id)).order_by_asc(site::Column::Name).all(conn).await?;
    let site_names: HashMap<i32, String> = sites.iter().map(|s| (s.id, s.name.clone())).collect();
    let teams = team::Entity::find()
        .filter(team::Column::TrustId.eq(t.id))
        .order_by_asc(team::Column::NameKey)
        .all(conn)
        .await?;
    Ok(TrustDetail {
        manageable: actor.is_some_and(|a| permits(a, &Action::ManageNetwork)),
        contact_email: t.contact_email.unwrap_or_default(),
        ods_code: t.ods_code,
        name: t.name,
        sites: sites.into_iter().map(|s| SiteView { id: s.id, name: s.name }).collect(),
        teams: teams
            .into_iter()
            .map(|tm| TeamView {
                id: tm.id,
                site: tm.site_id.and_then(|id| site_names.get(&id).cloned()),
                name: tm.name,
                min_cover: tm.min_cover,
            })
            .collect(),
    })
}

pub async fn list_pathways(conn: &impl ConnectionTrait, actor: Option<&Actor>) -> Result<Vec<PathwayView>, AppError> {
    authorize_public(actor, &Action::ViewNetwork)?;
    // (`manageable` is set by the caller, which knows who is asking.)
    Ok(pathway::Entity::find()
        .order_by_asc(pathway::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| PathwayView { joining: p.status == PathwayStatus::Joining, name: p.name, slug: p.slug })
        .collect())
}

fn one_error(values: &[(&str, &str)], field: &str, message: impl Into<String>) -> AppError {
    let mut f = FormErrors::with_values(values.iter().copied());
    f.add(field, message);
    AppError::Validation(f)
}
