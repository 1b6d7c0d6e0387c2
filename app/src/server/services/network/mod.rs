//! Trusts, sites, teams and pathways.

use crate::domain::{NewTeam, OdsCode, PathwayStatus};
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, Actor, authorize, authorize_public, permits};
use crate::server::entities::{pathway, site, team, trust};
use crate::server::{
    AppState, RequestContext, db, outbox,
    services::{audit, mail_templates, trusts},
};
use crate::views::network::{PathwayView, SiteView, TeamView, TrustDetail, TrustSummary};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
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
    let t = trusts::by_ods(conn, ods).await?;
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

/// Adds a team and, in the same transaction, queues the notice to the trust's contact and
/// records the change.
pub async fn add_team(state: &AppState, ctx: &RequestContext, cmd: NewTeam) -> Result<String, AppError> {
    authorize(ctx.actor(), &Action::ManageNetwork)?;
    let txn = db::begin_write(&state.db).await?;
    let t = trusts::get(&txn, &cmd.trust).await?;
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
        let belongs =
            site::Entity::find_by_id(site_id).filter(site::Column::TrustId.eq(t.id)).one(&txn).await?.is_some();
        if !belongs {
            return Err(field_error("site", "Select a site from the list".into()));
        }
    }
    let name_key = cmd.name.as_str().to_lowercase();
    let duplicate = || field_error("name", format!("{} already has a team called {}", t.name, cmd.name.as_str()));
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
    let inserted = match inserted {
        Ok(m) => m,
        // Two people adding the same team at once: the unique index decides.
        Err(e) if db::is_unique_violation(&e) => {
            return Err(duplicate());
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "team_added",
            subject: format!("team {} ({})", inserted.id, inserted.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "min_cover": inserted.min_cover, "site": inserted.site_id }),
        },
    )
    .await?;
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

fn one_error(values: &[(&str, &str)], field: &str, message: impl Into<String>) -> AppError {
    let mut f = FormErrors::with_values(values.iter().copied());
    f.add(field, message);
    AppError::Validation(f)
}

/// Adds a trust to the alliance.
pub async fn add_trust(
    state: &AppState,
    ctx: &RequestContext,
    input: &crate::domain::TrustInput,
) -> Result<String, AppError> {
    authorize(ctx.actor(), &Action::ManageNetwork)?;
    let d = crate::domain::TrustDetails::parse(input)?;
    let values =
        [("ods", input.ods.as_str()), ("name", input.name.as_str()), ("contact_email", input.contact_email.as_str())];
    let txn = db::begin_write(&state.db).await?;
    let inserted = trust::ActiveModel {
        ods_code: Set(d.ods.as_str().to_owned()),
        name: Set(d.name.as_str().to_owned()),
        contact_email: Set(d.contact.as_ref().map(|e| e.as_str().to_owned())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let t = match inserted {
        Ok(t) => t,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(
                &values,
                "ods",
                format!("A trust with ODS code {} is already in the alliance", d.ods),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "trust_added",
            subject: format!("trust {} ({})", t.ods_code, t.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "contact_email": t.contact_email }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{} added to the alliance", t.name))
}

/// Changes a trust's name and contact (its ODS code is its identity and never changes).
pub async fn edit_trust(
    state: &AppState,
    ctx: &RequestContext,
    input: &crate::domain::TrustInput,
) -> Result<String, AppError> {
    authorize(ctx.actor(), &Action::ManageNetwork)?;
    let d = crate::domain::TrustDetails::parse(input)?;
    let txn = db::begin_write(&state.db).await?;
    let t = trusts::get(&txn, &d.ods).await?;
    let before = (t.name.clone(), t.contact_email.clone());
    let mut row: trust::ActiveModel = t.into();
    row.name = Set(d.name.as_str().to_owned());
    row.contact_email = Set(d.contact.as_ref().map(|e| e.as_str().to_owned()));
    let t = row.update(&txn).await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "trust_updated",
            subject: format!("trust {} ({})", t.ods_code, t.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "before": { "name": before.0, "contact_email": before.1 } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{}'s details have been saved", t.name))
}

/// Adds a site to a trust.
pub async fn add_site(state: &AppState, ctx: &RequestContext, ods: &str, name: &str) -> Result<String, AppError> {
    authorize(ctx.actor(), &Action::ManageNetwork)?;
    let ods = OdsCode::parse(ods).map_err(|_| AppError::NotFound)?;
    let values = [("site_name", name)];
    let name = crate::domain::BoundedText::parse(name, "the site's name", 200)
        .map_err(|m| one_error(&values, "site_name", m))?;
    let txn = db::begin_write(&state.db).await?;
    let t = trusts::get(&txn, &ods).await?;
    let inserted = site::ActiveModel {
        trust_id: Set(t.id),
        name: Set(name.as_str().to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let s = match inserted {
        Ok(s) => s,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(
                &values,
                "site_name",
                format!("{} already has a site called {}", t.name, name.as_str()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "site_added",
            subject: format!("site {} ({})", s.id, s.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{} added to {}", s.name, t.name))
}

/// One team, for its edit page.
pub async fn get_team(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    id: i32,
) -> Result<crate::views::network::TeamEdit, AppError> {
    authorize(actor, &Action::ManageNetwork)?;
    let tm = team::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let t = trust::Entity::find_by_id(tm.trust_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let sites =
        site::Entity::find().filter(site::Column::TrustId.eq(t.id)).order_by_asc(site::Column::Name).all(conn).await?;
    Ok(crate::views::network::TeamEdit {
        id: tm.id,
        trust_ods: t.ods_code,
        trust_name: t.name,
        name: tm.name,
        site: tm.site_id.map(|s| s.to_string()).unwrap_or_default(),
        min_cover: tm.min_cover.to_string(),
        sites: sites.into_iter().map(|s| SiteView { id: s.id, name: s.name }).collect(),
    })
}

/// Renames a team, moves it to another site of its trust, or changes its minimum cover.
pub async fn edit_team(state: &AppState, ctx: &RequestContext, id: i32, cmd: NewTeam) -> Result<String, AppError> {
    authorize(ctx.actor(), &Action::ManageNetwork)?;
    let txn = db::begin_write(&state.db).await?;
    let tm = team::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let t = trusts::get(&txn, &cmd.trust).await?;
    if tm.trust_id != t.id {
        return Err(AppError::NotFound);
    }
    let site_value = cmd.site_id.map(|i| i.to_string()).unwrap_or_default();
    let cover_value = cmd.min_cover.get().to_string();
    let values = [("name", cmd.name.as_str()), ("site", site_value.as_str()), ("min_cover", cover_value.as_str())];
    if let Some(site_id) = cmd.site_id
        && site::Entity::find_by_id(site_id).filter(site::Column::TrustId.eq(t.id)).one(&txn).await?.is_none()
    {
        return Err(one_error(&values, "site", "Select a site from the list"));
    }
    let before = (tm.name.clone(), tm.site_id, tm.min_cover);
    let mut row: team::ActiveModel = tm.into();
    row.name = Set(cmd.name.as_str().to_owned());
    row.name_key = Set(cmd.name.as_str().to_lowercase());
    row.site_id = Set(cmd.site_id);
    row.min_cover = Set(i32::from(cmd.min_cover.get()));
    let updated = match row.update(&txn).await {
        Ok(m) => m,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(
                &values,
                "name",
                format!("{} already has a team called {}", t.name, cmd.name.as_str()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "team_updated",
            subject: format!("team {} ({})", updated.id, updated.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "before": { "name": before.0, "site": before.1, "min_cover": before.2 } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{} has been saved", updated.name))
}

/// Adds a pathway.
pub async fn add_pathway(state: &AppState, ctx: &RequestContext, name: &str, status: &str) -> Result<String, AppError> {
    authorize(ctx.actor(), &Action::ManageNetwork)?;
    let p = crate::domain::NewPathway::parse(name, status)?;
    let values = [("name", name), ("status", status)];
    let slug = p.slug();
    if slug.is_empty() {
        return Err(one_error(&values, "name", "Use letters or numbers in the pathway's name"));
    }
    let txn = db::begin_write(&state.db).await?;
    let inserted = pathway::ActiveModel {
        slug: Set(slug),
        name: Set(p.name.as_str().to_owned()),
        status: Set(p.status),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let row = match inserted {
        Ok(r) => r,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(&values, "name", format!("There is already a pathway called {}", p.name.as_str())));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "pathway_added",
            subject: format!("pathway {}", row.slug),
            trust_id: None,
            detail: serde_json::json!({ "status": row.status.code() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{} added", row.name))
}

/// Marks a pathway as in the pilot or asking to join.
pub async fn set_pathway_status(
    state: &AppState,
    ctx: &RequestContext,
    slug: &str,
    status: &str,
) -> Result<String, AppError> {
    authorize(ctx.actor(), &Action::ManageNetwork)?;
    let status = PathwayStatus::parse(status).map_err(|_| AppError::BadRequest)?;
    let txn = db::begin_write(&state.db).await?;
    let p =
        pathway::Entity::find().filter(pathway::Column::Slug.eq(slug)).one(&txn).await?.ok_or(AppError::NotFound)?;
    let before = p.status;
    let mut row: pathway::ActiveModel = p.into();
    row.status = Set(status);
    let p = row.update(&txn).await?;
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "pathway_status_changed",
            subject: format!("pathway {}", p.slug),
            trust_id: None,
            detail: serde_json::json!({ "before": before.code(), "after": p.status.code() }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{} is now marked “{}”", p.name, status.label()))
}

/// Renames a site.
pub async fn rename_site(
    state: &AppState,
    ctx: &RequestContext,
    site_id: &str,
    new_name: &str,
) -> Result<String, AppError> {
    authorize(ctx.actor(), &Action::ManageNetwork)?;
    let values = [("site", site_id), ("new_name", new_name)];
    let mut errors = FormErrors::with_values(values.iter().copied());
    let id = errors.check("site", site_id.trim().parse::<i32>().map_err(|_| "Select the site to rename".to_owned()));
    let name = errors.check("new_name", crate::domain::BoundedText::parse(new_name, "the site's new name", 200));
    let (id, name) = errors.into_result(|| Some((id?, name?)))?;
    let txn = db::begin_write(&state.db).await?;
    let s = site::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let t = trust::Entity::find_by_id(s.trust_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let before = s.name.clone();
    let mut row: site::ActiveModel = s.into();
    row.name = Set(name.as_str().to_owned());
    let s = match row.update(&txn).await {
        Ok(s) => s,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(
                &values,
                "new_name",
                format!("{} already has a site called {}", t.name, name.as_str()),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "site_renamed",
            subject: format!("site {} ({})", s.id, s.name),
            trust_id: Some(t.id),
            detail: serde_json::json!({ "before": before }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{before} is now called {}", s.name))
}

/// Renames a pathway (its slug, the stable key, stays).
pub async fn rename_pathway(
    state: &AppState,
    ctx: &RequestContext,
    slug: &str,
    new_name: &str,
) -> Result<String, AppError> {
    authorize(ctx.actor(), &Action::ManageNetwork)?;
    let values = [("slug", slug), ("new_name", new_name)];
    let name = crate::domain::BoundedText::parse(new_name, "the pathway's new name", 100)
        .map_err(|m| one_error(&values, "new_name", m))?;
    let txn = db::begin_write(&state.db).await?;
    let p = pathway::Entity::find()
        .filter(pathway::Column::Slug.eq(slug))
        .one(&txn)
        .await?
        .ok_or_else(|| one_error(&values, "slug", "Select the pathway to rename"))?;
    let before = p.name.clone();
    let mut row: pathway::ActiveModel = p.into();
    row.name = Set(name.as_str().to_owned());
    let p = match row.update(&txn).await {
        Ok(p) => p,
        Err(e) if db::is_unique_violation(&e) => {
            return Err(one_error(&values, "new_name", format!("There is already a pathway called {}", name.as_str())));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        ctx,
        None,
        audit::Event {
            action: "pathway_renamed",
            subject: format!("pathway {}", p.slug),
            trust_id: None,
            detail: serde_json::json!({ "before": before }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{before} is now called {}", p.name))
}
