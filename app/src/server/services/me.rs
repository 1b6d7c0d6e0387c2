//! The signed-in person as the header and home page show them.

use crate::error::AppError;
use crate::server::access::Actor;
use crate::server::entities::{team, trust};
use crate::views::auth::{Me, MyGrant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

pub async fn describe(conn: &impl ConnectionTrait, actor: Option<&Actor>) -> Result<Option<Me>, AppError> {
    let Some(actor) = actor else { return Ok(None) };
    let trust_ids: Vec<i32> = actor.grants.iter().filter_map(|g| g.trust_id).collect();
    // Every page's header asks this: no query for what the person does not have.
    let trusts: HashMap<i32, (String, String)> = if trust_ids.is_empty() {
        HashMap::new()
    } else {
        trust::Entity::find()
            .filter(trust::Column::Id.is_in(trust_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, (t.ods_code, t.name)))
            .collect()
    };
    let team_ids: Vec<i32> = actor.grants.iter().flat_map(|g| g.team_ids.iter().copied()).collect();
    let teams: HashMap<i32, String> = if team_ids.is_empty() {
        HashMap::new()
    } else {
        team::Entity::find()
            .filter(team::Column::Id.is_in(team_ids))
            .order_by_asc(team::Column::NameKey)
            .all(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect()
    };
    let mut grants: Vec<MyGrant> = actor
        .grants
        .iter()
        .map(|g| MyGrant {
            role: g.role,
            trust: g.trust_id.and_then(|t| trusts.get(&t).cloned()),
            teams: g.team_ids.iter().filter_map(|t| teams.get(t).cloned()).collect(),
        })
        .collect();
    grants.sort_by(|a, b| (a.role, &a.trust).cmp(&(b.role, &b.trust)));
    let unread = super::notifications::unread(conn, actor).await?;
    Ok(Some(Me { name: actor.name.clone(), email: actor.email.clone(), grants, unread }))
}
