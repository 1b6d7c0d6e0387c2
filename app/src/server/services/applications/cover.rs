//! A team's cover on the days an application would take someone away: the team's size, its
//! minimum cover, and who else is away then on a released placement.

use super::ApplicationState;
use crate::domain::dates;
use crate::error::AppError;
use crate::server::db::{Batch, BatchRows, tag_column};
use crate::server::entities::{application, team, user};
use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, QueryTrait,
};
use serde::{Deserialize, Serialize};

/// The cover of the applicant's team over the application's days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    pub team: String,
    /// Active members of the team, the applicant included.
    pub size: u32,
    pub min_cover: u32,
    /// Who else (not the applicant) is away on a released placement overlapping these days, and when.
    pub away: Vec<(String, NaiveDate, NaiveDate)>,
    /// Each day of the application, with how many would be on duty if this person went too.
    pub days: Vec<(NaiveDate, i64)>,
}

impl Cover {
    /// Why releasing this person would leave the team short, on which days and by how much;
    /// `None` when it would not.
    pub fn shortfall(&self) -> Option<String> {
        let short: Vec<&(NaiveDate, i64)> =
            self.days.iter().filter(|(_, on)| *on < i64::from(self.min_cover)).collect();
        let worst = short.iter().map(|(_, on)| *on).min()?;
        let mut named: Vec<String> = short.iter().take(5).map(|(d, _)| dates::long_day(*d)).collect();
        if short.len() > 5 {
            named.push(format!("{} more days", short.len() - 5));
        }
        Some(format!(
            "Releasing this person would leave {} with {worst} on duty, {} below its minimum cover of {}, on {}. \
             Staff will never be approved to move if it means leaving their teams short",
            self.team,
            i64::from(self.min_cover) - worst,
            self.min_cover,
            named.join(", ")
        ))
    }
}

/// The cover of `a`'s team over `a`'s days. With `lock`, the team's row is locked for the rest
/// of the transaction first (PostgreSQL; SQLite has one writer), so two releases from one team
/// are counted one after the other. Its three reads go as one [`Batch`].
pub async fn cover_for(conn: &impl ConnectionTrait, a: &application::Model, lock: bool) -> Result<Cover, AppError> {
    let mut batch = Batch::new(conn);
    read_cover(&mut batch, a, lock);
    counted(a, &batch.run(conn).await?)
}

const TEAM: &str = "cover_team";
const MEMBER: &str = "cover_member";
const AWAY: &str = "cover_away";

/// Adds to `batch` the reads [`counted`] counts `a`'s cover from: the team, its active members
/// and the others of the team away on days overlapping `a`'s.
pub(super) fn read_cover(batch: &mut Batch, a: &application::Model, lock: bool) {
    let mut q = team::Entity::find_by_id(a.team_id).expr(tag_column(TEAM));
    if lock {
        q = q.lock_exclusive();
    }
    batch.push(&q.into_query());
    let members = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Name)
        .expr(tag_column(MEMBER))
        .filter(user::Column::TeamId.eq(a.team_id))
        .filter(user::Column::Active.eq(true));
    batch.push(&members.into_query());
    // Released counts as away: the manager has agreed, so the team's cover is spoken for.
    let away: Vec<ApplicationState> = ApplicationState::ALL.into_iter().filter(|s| s.takes_from_team()).collect();
    let others = application::Entity::find()
        .expr(tag_column(AWAY))
        .filter(application::Column::TeamId.eq(a.team_id))
        // The applicant is counted as going once, however many of their own applications
        // overlap these days.
        .filter(application::Column::ApplicantId.ne(a.applicant_id))
        .filter(application::Column::State.is_in(away))
        .filter(application::Column::FirstDay.lte(a.last_day))
        .filter(application::Column::LastDay.gte(a.first_day));
    batch.push(&others.into_query());
}

/// Counts `a`'s cover from the rows of [`read_cover`].
pub(super) fn counted(a: &application::Model, rows: &BatchRows) -> Result<Cover, AppError> {
    let t = rows.tagged(TEAM).next().ok_or(AppError::NotFound)?;
    let t = team::Model::from_query_result(t, "")?;
    let members = rows
        .tagged(MEMBER)
        .map(|r| Ok((r.try_get::<i32>("", "id")?, r.try_get::<String>("", "name")?)))
        .collect::<Result<Vec<(i32, String)>, DbErr>>()?;
    let others =
        rows.tagged(AWAY).map(|r| application::Model::from_query_result(r, "")).collect::<Result<Vec<_>, DbErr>>()?;
    let size = u32::try_from(members.len()).unwrap_or(u32::MAX);
    let name_of = |id: i32| members.iter().find(|(m, _)| *m == id).map_or_else(String::new, |(_, n)| n.clone());
    let days = a
        .first_day
        .iter_days()
        .take_while(|d| *d <= a.last_day)
        .map(|d| {
            // Each person away counts once a day, even on two overlapping placements.
            let mut away: Vec<i32> =
                others.iter().filter(|o| o.first_day <= d && d <= o.last_day).map(|o| o.applicant_id).collect();
            away.sort_unstable();
            away.dedup();
            let away = away.len();
            (d, i64::from(size) - i64::try_from(away).unwrap_or(i64::MAX) - 1)
        })
        .collect();
    Ok(Cover {
        team: t.name,
        size,
        min_cover: u32::try_from(t.min_cover).unwrap_or(0),
        away: others.iter().map(|o| (name_of(o.applicant_id), o.first_day, o.last_day)).collect(),
        days,
    })
}
