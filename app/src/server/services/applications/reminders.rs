//! Reminders: whoever has kept an application waiting longer than a number of working days
//! (weekends skipped) is reminded, in the app and by mail, at most once per reminder period.
//! Any number of server instances may run this at once: each application is claimed by one
//! conditional update of its `reminded_at` before anyone is told, so only one instance wins it.

use super::{Context, ENTITY, notify};
use crate::domain::{ApplicationState, Party, Phase};
use crate::error::AppError;
use crate::server::db;
use crate::server::entities::{application, placement, state_transition};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// When reminders go (the `[applications]` table of the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReminderConfig {
    /// Working days a decision may wait before its maker is reminded.
    pub after_working_days: u32,
    /// Days between two reminders about one application.
    pub every_days: u32,
}

impl Default for ReminderConfig {
    fn default() -> Self {
        Self { after_working_days: 3, every_days: 3 }
    }
}

/// Working days (Monday to Friday) from `from` to `to`, not counting `from` itself.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count()
        .try_into()
        .unwrap_or(u32::MAX)
}

/// Sends the reminders due at `now`; returns how many applications they were about.
pub async fn send_due(
    db: &DatabaseConnection,
    public_url: &str,
    cfg: &ReminderConfig,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let cx = Context { public_url, today: now.date_naive() };
    let live: Vec<ApplicationState> = ApplicationState::ALL.into_iter().filter(|s| s.is_live()).collect();
    let due_again = now - Duration::days(i64::from(cfg.every_days));
    let candidates = application::Entity::find()
        .filter(application::Column::State.is_in(live))
        .filter(
            Condition::any()
                .add(application::Column::RemindedAt.is_null())
                .add(application::Column::RemindedAt.lte(due_again)),
        )
        .all(db)
        .await?;
    let waiting: Vec<(application::Model, Vec<Party>)> = candidates
        .into_iter()
        .map(|a| {
            let parties = a.state.waiting_on(Phase::on(cx.today, a.first_day, a.last_day));
            (a, parties)
        })
        .filter(|(_, parties)| !parties.is_empty())
        .collect();
    // When each was last moved on: one grouped query, not one per application.
    let last_steps: HashMap<i32, DateTime<Utc>> = state_transition::Entity::find()
        .select_only()
        .column(state_transition::Column::EntityId)
        .column_as(state_transition::Column::At.max(), "at")
        .filter(state_transition::Column::Entity.eq(ENTITY))
        .filter(state_transition::Column::EntityId.is_in(waiting.iter().map(|(a, _)| a.id)))
        .group_by(state_transition::Column::EntityId)
        .into_tuple::<(i32, DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut sent = 0;
    for (a, waiting) in waiting {
        let since = last_steps.get(&a.id).copied().unwrap_or(a.submitted_at);
        if working_days_between(since.date_naive(), cx.today) < cfg.after_working_days {
            continue;
        }
        let txn = db::begin_write(db).await?;
        // The claim: only the instance whose update changes the row sends.
        let claimed = application::Entity::update_many()
            .col_expr(application::Column::RemindedAt, Expr::value(now))
            .filter(application::Column::Id.eq(a.id))
            .filter(application::Column::State.eq(a.state))
            .filter(
                Condition::any()
                    .add(application::Column::RemindedAt.is_null())
                    .add(application::Column::RemindedAt.lte(due_again)),
            )
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let p = placement::Entity::find_by_id(a.placement_id).one(&txn).await?.ok_or(AppError::NotFound)?;
        notify::reminded(&txn, cx, &a, &p, &waiting).await?;
        txn.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_are_not_working_days() {
        let day = |s: &str| crate::domain::dates::parse_day(s).unwrap_or_default();
        // Friday 4 December 2026 to Monday 7 December: one working day.
        assert_eq!(working_days_between(day("2026-12-04"), day("2026-12-07")), 1);
        assert_eq!(working_days_between(day("2026-12-04"), day("2026-12-04")), 0);
        assert_eq!(working_days_between(day("2026-12-01"), day("2026-12-08")), 5);
        assert_eq!(working_days_between(day("2026-12-05"), day("2026-12-06")), 0);
    }
}
