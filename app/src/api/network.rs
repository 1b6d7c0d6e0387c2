//! The alliance network: trusts, their sites and teams, and the pathways.

use crate::error::AppError;
use leptos::server;
use serde::{Deserialize, Serialize};

/// A row of the trusts list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustSummary {
    pub ods_code: String,
    pub name: String,
    pub sites: usize,
    pub teams: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteView {
    pub id: i32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub name: String,
    pub site: Option<String>,
    pub min_cover: i32,
}

/// One trust with its sites and teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustDetail {
    pub ods_code: String,
    pub name: String,
    pub sites: Vec<SiteView>,
    pub teams: Vec<TeamView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathwayView {
    pub name: String,
    pub joining: bool,
}

/// The name the add-team form's flash is kept under.
pub const ADD_TEAM_FORM: &str = "add_team";

#[server(endpoint = "network/trusts")]
pub async fn list_trusts() -> Result<Vec<TrustSummary>, AppError> {
    use crate::server::{respond, services::network};
    let state = respond::state()?;
    respond::finish(network::list_trusts(&state.db).await)
}

#[server(endpoint = "network/trust")]
pub async fn get_trust(ods: String) -> Result<TrustDetail, AppError> {
    use crate::server::{respond, services::network};
    let state = respond::state()?;
    respond::finish(network::get_trust(&state.db, &ods).await)
}

#[server(endpoint = "network/pathways")]
pub async fn list_pathways() -> Result<Vec<PathwayView>, AppError> {
    use crate::server::{respond, services::network};
    let state = respond::state()?;
    respond::finish(network::list_pathways(&state.db).await)
}

/// Adds a team to a trust. Returns the notice to show.
#[server(endpoint = "network/add-team")]
pub async fn add_team(
    trust: String,
    name: String,
    site: String,
    min_cover: String,
) -> Result<String, AppError> {
    use crate::domain::{NewTeam, NewTeamInput};
    use crate::server::{respond, services::network};
    let state = respond::state()?;
    let input = NewTeamInput { trust, name, site, min_cover };
    let result = match NewTeam::parse(&input) {
        Ok(team) => network::add_team(&state, team).await,
        Err(e) => Err(e),
    };
    respond::finish_form(&state, ADD_TEAM_FORM, result).await
}
