//! Server-side sessions. The cookie holds a random token; the table holds its SHA-256, the
//! person, and when it was last used. A session ends after inactivity, after a maximum age, at
//! sign-out, on a password change, and when the person is deactivated or loses their last grant.

use crate::domain::{Applicant, PayBand, RegistrationBody, Role};
use crate::server::access::{Actor, Grant};
use crate::server::entities::{grant_team, role_grant, session, user};
use crate::server::{AuthConfig, RequestContext, tokens};
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Set};

/// The session cookie's name.
pub const COOKIE: &str = "pp_session";
/// `last_seen_at` is written at most this often per session, so reading pages is not a write.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// Starts a session for `user_id` and returns its token (for the cookie).
pub async fn create(conn: &impl ConnectionTrait, user_id: i32, ctx: &RequestContext) -> Result<String, DbErr> {
    let (token, id) = tokens::new_token();
    let now = Utc::now();
    session::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        ip: Set(Some(ctx.ip.chars().take(45).collect())),
        user_agent: Set(ctx.user_agent.as_ref().map(|u| u.chars().take(200).collect())),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// The `Set-Cookie` value for a new session.
pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
}

/// The session token in a `Cookie` header, if it is well formed.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    tokens::cookie_token(header, COOKIE)
}

/// A live session: who is acting, and whether its last use is due to be recorded ([`touch`]).
pub struct Live {
    pub actor: Actor,
    pub touch_due: bool,
}

/// The person behind `token`, if the session is live and they may still sign in, acting from
/// `ip`. Reads only (but for ending a session found over): recording the use is left to the
/// caller, which writes it in its turn ([`touch`]) without holding the request back.
pub async fn resolve(
    conn: &impl ConnectionTrait,
    cfg: &AuthConfig,
    token: &str,
    ip: &str,
) -> Result<Option<Live>, DbErr> {
    let id = tokens::token_id(token);
    // Every signed-in request starts here: the session and its person in one query.
    let Some((s, u)) = session::Entity::find_by_id(id.clone()).find_also_related(user::Entity).one(conn).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let idle = now - s.last_seen_at > Duration::minutes(cfg.session_idle_minutes);
    let too_old = now - s.created_at > Duration::hours(cfg.session_max_hours);
    if idle || too_old {
        session::Entity::delete_by_id(id).exec(conn).await?;
        return Ok(None);
    }
    let Some(u) = u else {
        return Ok(None);
    };
    let actor = actor_of(conn, &u, id.clone(), ip).await?;
    if !u.active || actor.grants.is_empty() {
        revoke_all(conn, u.id).await?;
        return Ok(None);
    }
    Ok(Some(Live { actor, touch_due: now - s.last_seen_at > Duration::seconds(TOUCH_EVERY_SECONDS) }))
}

/// Records that the session `id` was used now, so its idle limit counts from here (a session
/// ended meanwhile stays ended: nothing is written for it).
pub async fn touch(conn: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(Utc::now()))
        .filter(session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// `u` as the rules see them when they act: their grants and eligibility, with the session and
/// the address the request came from.
pub async fn actor_of(
    conn: &impl ConnectionTrait,
    u: &user::Model,
    session_id: String,
    ip: &str,
) -> Result<Actor, DbErr> {
    Ok(Actor {
        user_id: u.id,
        email: u.email.clone(),
        name: u.name.clone(),
        home_trust_id: u.home_trust_id,
        grants: load_grants(conn, u.id).await?,
        session_id,
        ip: ip.to_owned(),
        applicant: applicant_of(u),
    })
}

/// A person's staff group, band and registration, as placement eligibility sees them.
pub fn applicant_of(u: &user::Model) -> Applicant {
    Applicant {
        staff_group: u.staff_group,
        band: u.pay_band.as_deref().and_then(|b| PayBand::parse(b).ok()),
        registration: u.registration_body.as_deref().and_then(|b| RegistrationBody::parse(b).ok()),
    }
}

/// A person's grants, with the teams of their line-manager grants, in one query (every
/// signed-in request loads them).
pub async fn load_grants(conn: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Grant>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i32,
        role: Role,
        trust_id: Option<i32>,
        team_id: Option<i32>,
    }
    let query = Query::select()
        .column((role_grant::Entity, role_grant::Column::Id))
        .column((role_grant::Entity, role_grant::Column::Role))
        .column((role_grant::Entity, role_grant::Column::TrustId))
        .column((grant_team::Entity, grant_team::Column::TeamId))
        .from(role_grant::Entity)
        .left_join(
            grant_team::Entity,
            Expr::col((grant_team::Entity, grant_team::Column::GrantId))
                .equals((role_grant::Entity, role_grant::Column::Id)),
        )
        .and_where(Expr::col((role_grant::Entity, role_grant::Column::UserId)).eq(user_id))
        .order_by((role_grant::Entity, role_grant::Column::Id), Order::Asc)
        .order_by((grant_team::Entity, grant_team::Column::TeamId), Order::Asc)
        .to_owned();
    let rows = Row::find_by_statement(conn.get_database_backend().build(&query)).all(conn).await?;
    let mut grants: Vec<Grant> = Vec::new();
    for row in rows {
        if grants.last().is_none_or(|g| g.id != row.id) {
            grants.push(Grant { id: row.id, role: row.role, trust_id: row.trust_id, team_ids: Vec::new() });
        }
        // Only a line manager's grant names teams.
        if let (Some(grant), Some(team)) = (grants.last_mut(), row.team_id)
            && grant.role == Role::LineManager
        {
            grant.team_ids.push(team);
        }
    }
    Ok(grants)
}

/// Deletes sessions that have ended by time but were never presented again (run at sign-in,
/// so the table holds only live sessions without a separate job).
pub async fn prune(conn: &impl ConnectionTrait, cfg: &AuthConfig) -> Result<u64, DbErr> {
    let now = Utc::now();
    Ok(session::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(session::Column::LastSeenAt.lt(now - Duration::minutes(cfg.session_idle_minutes)))
                .add(session::Column::CreatedAt.lt(now - Duration::hours(cfg.session_max_hours))),
        )
        .exec(conn)
        .await?
        .rows_affected)
}

/// Ends one session (sign-out).
pub async fn revoke(conn: &impl ConnectionTrait, session_id: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(session_id.to_owned()).exec(conn).await?;
    Ok(())
}

/// Ends every session of a person (password change, deactivation, last grant removed).
pub async fn revoke_all(conn: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(conn).await?.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_token_and_ignores_anything_malformed() {
        let t = "ab".repeat(32);
        assert_eq!(token_from_cookie_header(&format!("pp_flash=x; {COOKIE}={t}")), Some(t.as_str()));
        assert_eq!(token_from_cookie_header(&format!("{COOKIE}=abc")), None);
        assert_eq!(token_from_cookie_header("other=1"), None);
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_over_https() {
        assert!(cookie("t", false).contains("HttpOnly; SameSite=Lax"));
        assert!(!cookie("t", false).contains("Secure"));
        assert!(cookie("t", true).ends_with("; Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }
}
