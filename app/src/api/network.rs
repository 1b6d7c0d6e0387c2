//! The alliance network: trusts, their sites and teams, and the pathways.

use crate::error::AppError;
use crate::views::network::*;
use leptos::server;

#[server(endpoint = "network/trusts")]
pub async fn list_trusts() -> Result<TrustsPage, AppError> {
    use crate::server::access::{Action, permits};
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let trusts = network::list_trusts(&state.db, ctx.actor()).await;
    let manageable = ctx.actor().is_some_and(|a| permits(a, &Action::ManageNetwork));
    respond::finish(trusts.map(|trusts| TrustsPage { trusts, manageable }))
}

#[server(endpoint = "network/trust")]
pub async fn get_trust(ods: String) -> Result<TrustDetail, AppError> {
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    respond::finish(network::get_trust(&state.db, ctx.actor(), &ods).await)
}

#[server(endpoint = "network/pathways")]
pub async fn list_pathways() -> Result<PathwaysPage, AppError> {
    use crate::server::access::{Action, permits};
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let pathways = network::list_pathways(&state.db, ctx.actor()).await;
    let manageable = ctx.actor().is_some_and(|a| permits(a, &Action::ManageNetwork));
    respond::finish(pathways.map(|pathways| PathwaysPage { pathways, manageable }))
}

#[server(endpoint = "network/add-trust")]
pub async fn add_trust(ods: String, name: String, contact_email: String) -> Result<String, AppError> {
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let input = crate::domain::TrustInput { ods, name, contact_email };
    let result = respond::write(&state, &ctx, async |txn, actor| network::add_trust(txn, actor, &input).await).await;
    respond::finish_form(&state, ADD_TRUST_FORM, result).await
}

#[server(endpoint = "network/edit-trust")]
pub async fn edit_trust(ods: String, name: String, contact_email: String) -> Result<String, AppError> {
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let input = crate::domain::TrustInput { ods, name, contact_email };
    let result = respond::write(&state, &ctx, async |txn, actor| network::edit_trust(txn, actor, &input).await).await;
    respond::finish_form(&state, EDIT_TRUST_FORM, result).await
}

#[server(endpoint = "network/add-site")]
pub async fn add_site(trust: String, site_name: String) -> Result<String, AppError> {
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| network::add_site(txn, actor, &trust, &site_name).await).await;
    respond::finish_form(&state, ADD_SITE_FORM, result).await
}

#[server(endpoint = "network/team")]
pub async fn get_team(id: i32) -> Result<TeamEdit, AppError> {
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| network::get_team(&state.db, actor, id).await).await
}

#[server(endpoint = "network/edit-team")]
pub async fn edit_team(
    id: i32,
    trust: String,
    name: String,
    site: String,
    min_cover: String,
) -> Result<String, AppError> {
    use crate::domain::{NewTeam, NewTeamInput};
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let input = NewTeamInput { trust, name, site, min_cover };
    let result = match NewTeam::parse(&input) {
        Ok(team) => {
            respond::write(&state, &ctx, async |txn, actor| network::edit_team(txn, actor, id, team).await).await
        }
        Err(e) => Err(e),
    };
    respond::finish_form(&state, EDIT_TEAM_FORM, result).await
}

#[server(endpoint = "network/add-pathway")]
pub async fn add_pathway(name: String, status: String) -> Result<String, AppError> {
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| network::add_pathway(txn, actor, &name, &status).await).await;
    respond::finish_form(&state, PATHWAY_FORM, result).await
}

#[server(endpoint = "network/pathway-status")]
pub async fn set_pathway_status(slug: String, status: String) -> Result<String, AppError> {
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| network::set_pathway_status(txn, actor, &slug, &status).await)
            .await;
    respond::finish_form(&state, PATHWAY_FORM, result).await
}

/// Adds a team to a trust. Returns the notice to show.
#[server(endpoint = "network/add-team")]
pub async fn add_team(trust: String, name: String, site: String, min_cover: String) -> Result<String, AppError> {
    use crate::domain::{NewTeam, NewTeamInput};
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let input = NewTeamInput { trust, name, site, min_cover };
    let result = match NewTeam::parse(&input) {
        Ok(team) => {
            let url = &state.public_url;
            respond::write(&state, &ctx, async |txn, actor| network::add_team(txn, actor, url, team).await).await
        }
        Err(e) => Err(e),
    };
    if result.is_ok() {
        state.outbox_wake.notify_one();
    }
    respond::finish_form(&state, ADD_TEAM_FORM, result).await
}

#[server(endpoint = "network/rename-site")]
pub async fn rename_site(site: String, new_name: String) -> Result<String, AppError> {
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| network::rename_site(txn, actor, &site, &new_name).await).await;
    respond::finish_form(&state, RENAME_SITE_FORM, result).await
}

#[server(endpoint = "network/rename-pathway")]
pub async fn rename_pathway(slug: String, new_name: String) -> Result<String, AppError> {
    use crate::server::{respond, services::network};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| network::rename_pathway(txn, actor, &slug, &new_name).await)
            .await;
    respond::finish_form(&state, RENAME_PATHWAY_FORM, result).await
}
