//! The open placements, held in memory for browsing. A browse page filters, searches, sorts and
//! counts thousands of placements per request; done in SQL that costs milliseconds (an exact
//! count, an eligibility check per row, a full-text match joined back to its rows), here it is
//! a pass over a vector.
//!
//! The index is a cache the database keeps honest: migration 8's triggers bump one counter
//! (`placement_changes.version`) in the same transaction as every change to placements, their
//! staff groups, trusts or pathways. Each browse reads that counter (one primary-key lookup);
//! when it has moved, the index is rebuilt from a consistent read before the page is served. So
//! a page never shows less than what was committed before it was asked for, on either database,
//! with any number of server instances.
//!
//! Most changes do not need a rebuild. Migration 14's log says which placement each bump was
//! for; when every change since the held snapshot is to a placement's places or state only (a
//! place taken or freed, a placement filled, closed or reopened), the new snapshot shares the
//! held one's entries and word index and carries a new [`Availability`] per entry, read from
//! just those rows: microseconds instead of a third of a second for 8,000 placements. Anything
//! else (a new or edited placement, staff groups, trust or pathway names, log rows pruned) is a
//! full rebuild, as before.
//!
//! Search is by word prefix over title, description and learning outcomes: every word of the
//! query must begin some word of the placement, case aside (split as `domain::text_words` does;
//! a unit test holds the two to the same words).

use crate::domain::{Eligibility, PayBand, PlacementKind, PlacementState, RegistrationBody, StaffGroup};
use crate::error::AppError;
use crate::server::entities::{pathway, placement, placement_staff_group, trust};
use chrono::NaiveDate;
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, EntityTrait,
    FromQueryResult, IsolationLevel, QueryFilter, QueryOrder, Statement, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, RwLock};

mod changes;
pub use changes::prune_log;
use changes::{fingerprint, patch};

/// One open placement, as a browse row needs it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i32,
    pub title: String,
    pub kind: PlacementKind,
    pub trust_id: i32,
    pub pathway_id: i32,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub window_days: Option<i16>,
    pub closing: NaiveDate,
    pub eligibility: Eligibility,
}

/// What changes often: whether an entry is still open, and its places left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    pub open: bool,
    pub places_left: i16,
}

impl Availability {
    fn of(p: &placement::Model) -> Self {
        Availability { open: p.state == PlacementState::Open, places_left: p.places - p.accepted }
    }
}

/// A trust or pathway as the filters offer it.
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: i32,
    /// ODS code or slug.
    pub code: String,
    pub name: String,
}

/// The placements open at the last full build: everything about them but their availability.
#[derive(Debug, Default)]
pub struct Base {
    /// Soonest closing first (then start, then id): the default order.
    pub entries: Vec<Entry>,
    /// Positions in `entries`, soonest start first (then closing, then id).
    pub by_start: Vec<u32>,
    /// Every word of every entry's text, lower-cased, with the positions holding it (ascending).
    words: BTreeMap<String, Vec<u32>>,
    /// By name.
    pub trusts: Vec<Choice>,
    pub pathways: Vec<Choice>,
    trust_names: HashMap<i32, usize>,
    pathway_names: HashMap<i32, usize>,
    /// Each entry's position, by placement id.
    positions: HashMap<i32, u32>,
    /// Per position, a hash of every column the entry was built from except places and state.
    fingerprints: Vec<u64>,
}

/// The open placements at one version of the database.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub version: i64,
    base: Arc<Base>,
    /// Per position in `entries`.
    availability: Vec<Availability>,
}

impl std::ops::Deref for Snapshot {
    type Target = Base;
    fn deref(&self) -> &Base {
        &self.base
    }
}

impl Snapshot {
    /// Whether the entry at `pos` is open now (it may have filled or closed since the build).
    pub fn is_open(&self, pos: u32) -> bool {
        self.availability[pos as usize].open
    }

    pub fn places_left(&self, pos: u32) -> i16 {
        self.availability[pos as usize].places_left
    }

    /// Whether `self` was patched from `other` rather than rebuilt.
    pub fn shares_entries_with(&self, other: &Snapshot) -> bool {
        Arc::ptr_eq(&self.base, &other.base)
    }

    /// Builds a snapshot from rows already read.
    fn build(
        version: i64,
        placements: Vec<placement::Model>,
        groups: Vec<placement_staff_group::Model>,
        trusts: Vec<trust::Model>,
        pathways: Vec<pathway::Model>,
    ) -> Self {
        let mut groups_of: HashMap<i32, Vec<StaffGroup>> = HashMap::new();
        for g in groups {
            groups_of.entry(g.placement_id).or_default().push(g.staff_group);
        }
        let mut rows: Vec<(Entry, String, Availability, u64)> = placements
            .into_iter()
            .filter_map(|p| {
                let kind = p.kind;
                let groups = groups_of.remove(&p.id).unwrap_or_default();
                // A row the domain cannot read is left out (and logged) rather than failing every page.
                let eligibility = match eligibility_of(&p, groups) {
                    Ok(e) => e,
                    Err(_) => {
                        tracing::error!(placement = p.id, "placement with unreadable eligibility left out of browsing");
                        return None;
                    }
                };
                let text = format!("{} {} {}", p.title, p.description, p.outcomes);
                let (availability, fingerprint) = (Availability::of(&p), fingerprint(&p));
                Some((
                    Entry {
                        id: p.id,
                        title: p.title,
                        kind,
                        trust_id: p.trust_id,
                        pathway_id: p.pathway_id,
                        start: p.start_date,
                        end: p.end_date,
                        window_days: p.window_days,
                        closing: p.closing_date,
                        eligibility,
                    },
                    text,
                    availability,
                    fingerprint,
                ))
            })
            .collect();
        rows.sort_by_key(|(e, ..)| (e.closing, e.start, e.id));
        // Words are gathered in a hash map keyed by a reused buffer, so a word costs an
        // allocation only the first time it is seen, then sorted once for prefix lookups.
        let mut postings: HashMap<String, Vec<u32>> = HashMap::new();
        let mut word = String::new();
        let mut entries = Vec::with_capacity(rows.len());
        let (mut availability, mut fingerprints) = (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()));
        for (pos, (entry, text, available, fingerprint)) in rows.into_iter().enumerate() {
            let pos = pos as u32;
            for_each_word(&text, &mut word, |w| match postings.get_mut(w) {
                // Positions arrive in order, so a repeat of a word in one text is the last one.
                Some(list) if list.last() == Some(&pos) => {}
                Some(list) => list.push(pos),
                None => {
                    postings.insert(w.to_owned(), vec![pos]);
                }
            });
            entries.push(entry);
            availability.push(available);
            fingerprints.push(fingerprint);
        }
        let positions = entries.iter().enumerate().map(|(pos, e)| (e.id, pos as u32)).collect();
        let words: BTreeMap<String, Vec<u32>> = postings.into_iter().collect();
        let mut by_start: Vec<u32> = (0..entries.len() as u32).collect();
        by_start.sort_by_key(|&i| {
            let e = &entries[i as usize];
            (e.start, e.closing, e.id)
        });
        let choices = |rows: Vec<(i32, String, String)>| -> (Vec<Choice>, HashMap<i32, usize>) {
            let list: Vec<Choice> = rows.into_iter().map(|(id, code, name)| Choice { id, code, name }).collect();
            let at = list.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
            (list, at)
        };
        let (trusts, trust_names) = choices(trusts.into_iter().map(|t| (t.id, t.ods_code, t.name)).collect());
        let (pathways, pathway_names) = choices(pathways.into_iter().map(|p| (p.id, p.slug, p.name)).collect());
        let base =
            Base { entries, by_start, words, trusts, pathways, trust_names, pathway_names, positions, fingerprints };
        Self { version, base: Arc::new(base), availability }
    }
}

impl Base {
    /// The positions of the entries whose text has a word beginning with each of `terms`
    /// (`None`: no terms, so no text filter), as a bitset over positions.
    pub fn matching(&self, terms: &[String]) -> Option<Vec<u64>> {
        let blocks = self.entries.len().div_ceil(64);
        let mut all: Option<Vec<u64>> = None;
        for term in terms {
            let mut hits = vec![0u64; blocks];
            let from = (Bound::Included(term.as_str()), Bound::Unbounded);
            for (_, positions) in self.words.range::<str, _>(from).take_while(|(w, _)| w.starts_with(term.as_str())) {
                for &p in positions {
                    hits[p as usize / 64] |= 1 << (p % 64);
                }
            }
            all = Some(match all {
                None => hits,
                Some(mut acc) => {
                    acc.iter_mut().zip(&hits).for_each(|(a, h)| *a &= h);
                    acc
                }
            });
        }
        all
    }

    pub fn trust_name(&self, id: i32) -> &str {
        self.trust_names.get(&id).map_or("", |&i| self.trusts[i].name.as_str())
    }

    pub fn pathway_name(&self, id: i32) -> &str {
        self.pathway_names.get(&id).map_or("", |&i| self.pathways[i].name.as_str())
    }
}

/// Calls `f` with each word of `text` as `domain::text_words` splits it, lower-cased into `buf`
/// (reused, so words cost no allocation).
fn for_each_word(text: &str, buf: &mut String, mut f: impl FnMut(&str)) {
    for raw in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        buf.clear();
        buf.extend(raw.chars().flat_map(char::to_lowercase));
        f(buf);
    }
}

/// Whether bit `pos` of a bitset from [`Base::matching`] is set.
pub fn has(bits: &[u64], pos: u32) -> bool {
    bits[pos as usize / 64] & (1 << (pos % 64)) != 0
}

/// The index: the newest snapshot, rebuilt when the database's counter moves.
pub struct PlacementIndex {
    current: RwLock<Arc<Snapshot>>,
    /// Held while rebuilding, so a burst of requests after a change rebuilds once.
    rebuilding: tokio::sync::Mutex<()>,
}

impl Default for PlacementIndex {
    /// Empty, at a version no database has, so the first browse builds it.
    fn default() -> Self {
        Self {
            current: RwLock::new(Arc::new(Snapshot { version: -1, ..Snapshot::default() })),
            rebuilding: Default::default(),
        }
    }
}

impl std::fmt::Debug for PlacementIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlacementIndex").finish_non_exhaustive()
    }
}

#[derive(Debug, FromQueryResult)]
struct Version {
    version: i64,
}

async fn version(conn: &impl ConnectionTrait) -> Result<i64, AppError> {
    let backend = conn.get_database_backend();
    Version::find_by_statement(Statement::from_string(backend, "SELECT version FROM placement_changes WHERE id = 1"))
        .one(conn)
        .await?
        .map(|v| v.version)
        .ok_or_else(|| super::db::internal("browsing placements", "placement_changes has no row"))
}

impl PlacementIndex {
    /// The open placements as of now: the held snapshot if the database has not changed since
    /// it was built, else a new one.
    pub async fn snapshot(&self, db: &DatabaseConnection) -> Result<Arc<Snapshot>, AppError> {
        let now = version(db).await?;
        let held = self.held();
        if held.version >= now {
            return Ok(held);
        }
        let _one_at_a_time = self.rebuilding.lock().await;
        // Someone else may have rebuilt it while this request waited.
        let held = self.held();
        if held.version >= now {
            return Ok(held);
        }
        let started = std::time::Instant::now();
        if let Some(patched) = patch(db, &held).await? {
            tracing::debug!(
                version = patched.version,
                us = started.elapsed().as_micros() as u64,
                "placement index patched"
            );
            let patched = Arc::new(patched);
            *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = patched.clone();
            return Ok(patched);
        }
        let fresh = Arc::new(load(db).await?);
        tracing::info!(
            version = fresh.version,
            open = fresh.entries.len(),
            words = fresh.words.len(),
            ms = started.elapsed().as_millis() as u64,
            "placement index rebuilt"
        );
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh.clone();
        Ok(fresh)
    }

    fn held(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Reads the counter and everything the index holds in one transaction, so they agree (a
/// repeatable-read snapshot on PostgreSQL; SQLite's read transactions always are).
async fn load(db: &DatabaseConnection) -> Result<Snapshot, AppError> {
    let txn = begin_read(db).await?;
    let version = version(&txn).await?;
    let placements =
        placement::Entity::find().filter(placement::Column::State.eq(PlacementState::Open)).all(&txn).await?;
    let groups = placement_staff_group::Entity::find()
        .filter(
            placement_staff_group::Column::PlacementId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(placement::Column::Id)
                    .from(placement::Entity)
                    .and_where(placement::Column::State.eq(PlacementState::Open))
                    .to_owned(),
            ),
        )
        .all(&txn)
        .await?;
    let trusts = trust::Entity::find().order_by_asc(trust::Column::Name).all(&txn).await?;
    let pathways = pathway::Entity::find().order_by_asc(pathway::Column::Name).all(&txn).await?;
    txn.commit().await?;
    Ok(Snapshot::build(version, placements, groups, trusts, pathways))
}

/// A read transaction that sees one consistent state of the database (a repeatable-read snapshot
/// on PostgreSQL; SQLite's read transactions always are).
async fn begin_read(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    let (isolation, mode) = match db.get_database_backend() {
        DatabaseBackend::Postgres => (Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)),
        _ => (None, None),
    };
    Ok(db.begin_with_config(isolation, mode).await?)
}

/// A placement's eligibility as the domain reads it, from its row and its staff groups.
pub fn eligibility_of(p: &placement::Model, staff_groups: Vec<StaffGroup>) -> Result<Eligibility, AppError> {
    Ok(Eligibility {
        staff_groups,
        band_min: PayBand::parse(&p.band_min).map_err(|_| AppError::Internal)?,
        band_max: PayBand::parse(&p.band_max).map_err(|_| AppError::Internal)?,
        registration: match p.registration.as_str() {
            "none" => None,
            "any" => Some(None),
            body => Some(RegistrationBody::parse(body).ok()),
        },
    })
}

#[cfg(test)]
mod tests;
