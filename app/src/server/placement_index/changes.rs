//! Following the database's changes one placement at a time (migration 14's log), and pruning
//! the log.

use super::{Availability, Snapshot, begin_read, version};
use crate::domain::PlacementState;
use crate::error::AppError;
use crate::server::entities::placement;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter};

/// At most this many changes are patched in; more is a full rebuild.
pub(super) const MAX_PATCHED: i64 = 1000;

#[derive(Debug, FromQueryResult)]
struct Logged {
    placement_id: Option<i32>,
}

/// `held` brought up to the database's version by reading only the placements changed since,
/// when every change is to their availability; `None` when it needs a full rebuild.
pub(super) async fn patch(db: &DatabaseConnection, held: &Snapshot) -> Result<Option<Snapshot>, AppError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    if held.version < 0 {
        return Ok(None);
    }
    let txn = begin_read(db).await?;
    let version = version(&txn).await?;
    let behind = version - held.version;
    if !(1..=MAX_PATCHED).contains(&behind) {
        return Ok(None);
    }
    let col = |c: &str| Expr::col(Alias::new(c));
    let query = Query::select()
        .column(Alias::new("placement_id"))
        .from(Alias::new("placement_change_log"))
        .and_where(col("version").gt(held.version))
        .and_where(col("version").lte(version))
        .to_owned();
    let logged = Logged::find_by_statement(txn.get_database_backend().build(&query)).all(&txn).await?;
    // Versions are consecutive: fewer rows than versions means some were pruned.
    if logged.len() as i64 != behind {
        return Ok(None);
    }
    let Some(mut ids) = logged.into_iter().map(|l| l.placement_id).collect::<Option<Vec<i32>>>() else {
        return Ok(None);
    };
    ids.sort_unstable();
    ids.dedup();
    let rows = placement::Entity::find().filter(placement::Column::Id.is_in(ids.clone())).all(&txn).await?;
    txn.commit().await?;
    let mut availability = held.availability.clone();
    for id in ids {
        let row = rows.iter().find(|p| p.id == id);
        match (held.positions.get(&id), row) {
            (Some(&pos), Some(p)) if fingerprint(p) == held.fingerprints[pos as usize] => {
                availability[pos as usize] = Availability::of(p);
            }
            // Edited: its text, dates or eligibility may have changed.
            (Some(_), Some(_)) => return Ok(None),
            (Some(&pos), None) => availability[pos as usize].open = false,
            // Newly open: it needs its words indexed.
            (None, Some(p)) if p.state == PlacementState::Open => return Ok(None),
            (None, _) => {}
        }
    }
    Ok(Some(Snapshot { version, base: held.base.clone(), availability }))
}

/// How many of the newest change-log rows housekeeping keeps: far more than [`MAX_PATCHED`], so
/// an index a few changes behind patches, and one further behind rebuilds anyway.
const LOG_KEPT: i64 = 10 * MAX_PATCHED;

/// Deletes change-log rows no index will patch from; returns how many went.
pub async fn prune_log(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let version = version(db).await?;
    let delete = Query::delete()
        .from_table(Alias::new("placement_change_log"))
        .and_where(Expr::col(Alias::new("version")).lte(version - LOG_KEPT))
        .to_owned();
    Ok(db.execute(&delete).await?.rows_affected())
}

/// A hash of every column an entry is built from, except its places and state.
pub(super) fn fingerprint(p: &placement::Model) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&p.title, &p.description, &p.outcomes, p.kind.code(), p.trust_id, p.pathway_id).hash(&mut h);
    (p.start_date, p.end_date, p.window_days, p.closing_date, &p.schedule).hash(&mut h);
    (&p.band_min, &p.band_max, &p.registration).hash(&mut h);
    h.finish()
}
