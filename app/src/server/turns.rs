//! Turns to write, and on SQLite the group commit of the writes that queue for them.
//!
//! SQLite has one writer. Without turns, writers that find the database locked wait in SQLite's
//! busy handler, which sleeps and tries again (up to 100 ms a try), so the lock sits idle between
//! writers and a write under load waits for up to a second. A fair async lock hands the turn
//! straight to the next. Every writer in a request takes a turn (the changes people make, and
//! signing in and out, a form's flash and a session's use through `AppState::write`), and so
//! do the outbox worker and the housekeeping; a write left outside would wait in the busy
//! handler behind the groups, and one that took the lock between groups would hold up the next.
//! PostgreSQL locks rows, so there writes go ahead at once (no turn).
//!
//! **Group commit.** Under load, writers queue for the turn. A transaction of its own for each
//! would cost each a `BEGIN IMMEDIATE` and a `COMMIT` (which writes every page it changed to the
//! log), each a round trip to the connection's thread, inside the turn. Instead, a writer that
//! finds others queued behind it leaves its transaction open and passes the turn on: the next
//! writer's change runs in the same transaction, after a savepoint of its own, and so on until no
//! one is queued, [`GROUP_MEMBERS`] changes have run or the group has been open [`GROUP_OPEN`].
//! The writer that ends the group commits it, and every member answers only once its group has
//! committed, so no one is told of a change that is not stored. A change whose writes are one
//! [`Batch`] ([`WriteTurns::write_batch`], a decision's) sends its savepoint in the batch's own
//! round trip: each round trip to the connection's thread is a hand-over between threads, the
//! most of what a member holds the turn for. A change that fails, or decides
//! not to keep what it wrote, is rolled back to its savepoint, and the rest of the group stands.
//! Changes run one after another, each seeing the ones before, exactly as if each had its own
//! transaction in that order; a change that read before its turn and finds the data moved is
//! told after the group commits, so what it reads again is current.

use super::db::{Batch, BatchRows};
use crate::error::AppError;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, watch};

/// At most this many changes share one transaction.
pub const GROUP_MEMBERS: usize = 16;
/// A group stops taking members once it has been open this long, so its first member's answer
/// is not held back for long.
pub const GROUP_OPEN: Duration = Duration::from_millis(20);
/// A member waiting for its group to commit looks again after this long: the writers its group
/// was left open for may all have given up (their requests cancelled while they queued), and
/// then the member ends the group itself.
const MEMBER_PATIENCE: Duration = Duration::from_millis(100);

/// Turns to write (see the module's documentation). Cheap to clone: clones share the turns.
#[derive(Clone)]
pub struct WriteTurns {
    turn: Arc<Mutex<Turn>>,
    /// Writers queued for the turn that would join an open group.
    queued: Arc<AtomicUsize>,
    /// Groups committed so far.
    commits: Arc<AtomicU64>,
    sqlite: bool,
}

/// What the turn guards: the open group, if any.
#[derive(Default)]
struct Turn {
    group: Option<Group>,
}

struct Group {
    txn: DatabaseTransaction,
    members: usize,
    opened: Instant,
    /// Set while a member's change runs: if it is still set when the next holder comes, that
    /// change never finished (its task went away), and is rolled back to its savepoint.
    running: bool,
    /// Told whether the group committed, once it ends.
    ended: watch::Sender<Option<bool>>,
}

/// A member of a group, once its change has run: where to hear whether the group committed,
/// and whether the change kept what it wrote.
struct Member {
    ended: watch::Receiver<Option<bool>>,
    kept: bool,
}

/// A writer's place in the queue, counted while it waits.
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl WriteTurns {
    pub fn for_database(db: &DatabaseConnection) -> Self {
        Self {
            turn: Arc::default(),
            queued: Arc::default(),
            commits: Arc::default(),
            sqlite: db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite,
        }
    }

    /// Runs `change` in a write transaction and keeps what it wrote if it succeeds with an
    /// outcome to `keep`; otherwise nothing it wrote stays. On SQLite the change runs in its
    /// turn, in a group (see the module's documentation); on PostgreSQL in a transaction of its
    /// own, at once.
    pub async fn write<T>(
        &self,
        db: &DatabaseConnection,
        change: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, AppError>,
        keep: impl FnOnce(&T) -> bool,
    ) -> Result<T, AppError> {
        self.run(db, None, async |txn, _| change(txn).await, keep).await
    }

    /// Like [`WriteTurns::write`], for a change that starts with `batch`: its statements run
    /// first, in the turn, and `then` gets what they returned, to check it and finish the
    /// change. On SQLite the member's savepoint goes in the batch's round trip.
    pub async fn write_batch<T>(
        &self,
        db: &DatabaseConnection,
        batch: Batch,
        then: impl AsyncFnOnce(&DatabaseTransaction, BatchRows) -> Result<T, AppError>,
        keep: impl FnOnce(&T) -> bool,
    ) -> Result<T, AppError> {
        self.run(db, Some(batch), async |txn, rows| then(txn, rows.unwrap_or_default()).await, keep).await
    }

    /// [`WriteTurns::write`] and [`WriteTurns::write_batch`]: `change` gets what `batch`
    /// returned, if there was one.
    async fn run<T>(
        &self,
        db: &DatabaseConnection,
        batch: Option<Batch>,
        change: impl AsyncFnOnce(&DatabaseTransaction, Option<BatchRows>) -> Result<T, AppError>,
        keep: impl FnOnce(&T) -> bool,
    ) -> Result<T, AppError> {
        if !self.sqlite {
            return alone(db, batch, change, keep).await;
        }
        let multi_thread =
            tokio::runtime::Handle::current().runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread;
        let turn = async {
            let mut turn = {
                self.queued.fetch_add(1, Ordering::SeqCst);
                let _queued = Queued(&self.queued);
                self.turn.lock().await
            };
            self.member(db, &mut turn, batch, change, keep).await
        };
        // A writer waits for its turn and holds it on a thread of its own (`block_in_place`).
        // The turn passes straight to that thread, and each of the holder's statements, a round
        // trip to the connection's worker thread, wakes it directly: a task woken instead would
        // wait behind every other ready task in the runtime's queue while every other writer
        // waits for it. A current-thread runtime (a test's) has no thread to spare: it awaits as
        // usual.
        let (done, ended) = if multi_thread {
            tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(turn))
        } else {
            turn.await
        };
        let Some(Member { ended, kept }) = ended else { return done };
        // Answered once the group has ended: a change is not told it is stored before it is, and
        // one that kept nothing (say, it found the data moved) reads again only what is stored.
        let committed = self.wait_for_end(ended).await;
        if kept && !committed {
            return Err(super::db::internal("writing", "the group of writes this change was in did not commit"));
        }
        done
    }

    /// One member's turn: joins the open group or opens one, runs the change after a savepoint,
    /// and ends the group when no one else is queued to join it. Answers the change's outcome and
    /// where to hear whether its group committed (`None` when there is nothing to wait for).
    async fn member<T>(
        &self,
        db: &DatabaseConnection,
        turn: &mut Turn,
        batch: Option<Batch>,
        change: impl AsyncFnOnce(&DatabaseTransaction, Option<BatchRows>) -> Result<T, AppError>,
        keep: impl FnOnce(&T) -> bool,
    ) -> (Result<T, AppError>, Option<Member>) {
        if turn.group.as_ref().is_some_and(|g| g.running) {
            // The last member's change never finished: end its group without it.
            end_group(turn, &self.commits).await;
        }
        let group = match &mut turn.group {
            Some(group) => group,
            None => match super::db::begin_write(db).await {
                Ok(txn) => turn.group.insert(Group {
                    txn,
                    members: 0,
                    opened: Instant::now(),
                    running: false,
                    ended: watch::channel(None).0,
                }),
                Err(e) => return (Err(e.into()), None),
            },
        };
        // Each member's savepoint has a name of its own, so undoing one can never reach back
        // into the member before it.
        let savepoint = format!("member_{}", group.members);
        group.running = true;
        let first = match batch {
            Some(batch) => batch.run_after(&group.txn, &format!("SAVEPOINT {savepoint}")).await.map(Some),
            None => group.txn.execute_unprepared(&format!("SAVEPOINT {savepoint}")).await.map(|_| None),
        };
        let done = match first {
            Ok(rows) => change(&group.txn, rows).await,
            Err(e) => Err(e.into()),
        };
        let kept = matches!(&done, Ok(d) if keep(d));
        if !kept && let Err(e) = group.txn.execute_unprepared(&format!("ROLLBACK TO {savepoint}")).await {
            // Also when the savepoint itself was never made: the group cannot go on.
            tracing::error!(error = %e, "rolling a change back to its savepoint");
            fail_group(turn).await;
            return (done, None);
        }
        group.running = false;
        group.members += 1;
        let member = Member { ended: group.ended.subscribe(), kept };
        if self.queued.load(Ordering::SeqCst) == 0
            || group.members >= GROUP_MEMBERS
            || group.opened.elapsed() >= GROUP_OPEN
        {
            end_group(turn, &self.commits).await;
        }
        (done, Some(member))
    }

    /// How many groups of writes have committed (each a transaction).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Waits until the group ends; answers whether it committed. If the writers it was left open
    /// for have gone, ends it.
    async fn wait_for_end(&self, mut ended: watch::Receiver<Option<bool>>) -> bool {
        loop {
            let waited = tokio::time::timeout(MEMBER_PATIENCE, ended.wait_for(Option::is_some)).await;
            match waited.map(|seen| seen.map(|committed| *committed)) {
                Ok(Ok(committed)) => return committed.unwrap_or(false),
                // The group went without a word: it cannot have committed.
                Ok(Err(_)) => return false,
                Err(_) => {
                    let mut turn = self.turn.lock().await;
                    if ended.borrow().is_none() {
                        end_group(&mut turn, &self.commits).await;
                    }
                }
            }
        }
    }
}

/// Commits the open group, if any, and tells its members whether it committed.
async fn end_group(turn: &mut Turn, commits: &AtomicU64) {
    let Some(group) = turn.group.take() else { return };
    let committed = if group.running {
        // Its last change never finished: undo it, then commit the rest.
        match group.txn.execute_unprepared(&format!("ROLLBACK TO member_{}", group.members)).await {
            Ok(_) => commit(group.txn).await,
            Err(e) => {
                tracing::error!(error = %e, "undoing an unfinished change");
                let _ = group.txn.rollback().await;
                false
            }
        }
    } else {
        commit(group.txn).await
    };
    if committed {
        commits.fetch_add(1, Ordering::Relaxed);
    }
    group.ended.send_replace(Some(committed));
}

async fn commit(txn: DatabaseTransaction) -> bool {
    match txn.commit().await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "committing a group of writes");
            false
        }
    }
}

/// Rolls the open group back whole: its transaction cannot go on.
async fn fail_group(turn: &mut Turn) {
    let Some(group) = turn.group.take() else { return };
    if let Err(e) = group.txn.rollback().await {
        tracing::error!(error = %e, "rolling back a failed group of writes");
    }
    group.ended.send_replace(Some(false));
}

/// A change in a transaction of its own (PostgreSQL), after its batch if it has one, committed
/// if it succeeds with an outcome to `keep`.
async fn alone<T>(
    db: &DatabaseConnection,
    batch: Option<Batch>,
    change: impl AsyncFnOnce(&DatabaseTransaction, Option<BatchRows>) -> Result<T, AppError>,
    keep: impl FnOnce(&T) -> bool,
) -> Result<T, AppError> {
    let txn = super::db::begin_write(db).await?;
    let done = match batch {
        Some(batch) => match batch.run(&txn).await {
            Ok(rows) => change(&txn, Some(rows)).await,
            Err(e) => Err(e.into()),
        },
        None => change(&txn, None).await,
    };
    match done {
        Ok(done) if keep(&done) => {
            txn.commit().await?;
            Ok(done)
        }
        other => {
            txn.rollback().await?;
            other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectOptions, Database, Statement};

    /// A database file of its own (several connections, so a read can go beside an open group)
    /// with a table of rows by writer and a counter every writer adds one to.
    async fn database(name: &str) -> (DatabaseConnection, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("pp-turns-{}-{name}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let mut opts = ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
        opts.max_connections(4).sqlx_logging(false).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal).busy_timeout(Duration::from_secs(10))
        });
        let db = Database::connect(opts).await.unwrap();
        db.execute_unprepared(
            "CREATE TABLE row (writer INTEGER PRIMARY KEY); CREATE TABLE counter (n INTEGER NOT NULL); \
             INSERT INTO counter VALUES (0);",
        )
        .await
        .unwrap();
        (db, path)
    }

    async fn number(db: &impl ConnectionTrait, sql: &str) -> i64 {
        let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
        row.try_get_by_index(0).unwrap()
    }

    /// Writes `writer`'s row and adds one to the counter.
    async fn add(txn: &DatabaseTransaction, writer: usize) {
        txn.execute_unprepared(&format!("INSERT INTO row VALUES ({writer}); UPDATE counter SET n = n + 1"))
            .await
            .unwrap();
    }

    /// The statements of `add`, as a batch whose rows say what it added.
    fn adding(db: &DatabaseConnection, writer: usize) -> Batch {
        let mut batch = Batch::new(db);
        batch.push(
            &sea_orm::sea_query::Query::insert()
                .into_table(sea_orm::sea_query::Alias::new("row"))
                .columns([sea_orm::sea_query::Alias::new("writer")])
                .values_panic([(writer as i64).into()])
                .returning(sea_orm::sea_query::Query::returning().expr(super::super::db::tag_column("added")))
                .to_owned(),
        );
        batch.push(
            &sea_orm::sea_query::Query::update()
                .table(sea_orm::sea_query::Alias::new("counter"))
                .value(sea_orm::sea_query::Alias::new("n"), sea_orm::sea_query::Expr::cust("n + 1"))
                .to_owned(),
        );
        batch
    }

    /// Runs `writers` at once, queued behind a first writer held in its change until all the
    /// rest are queued, so they find a group open. Each answers what `write` (or, `batched`,
    /// `write_batch` with [`adding`]) answered for it, after checking that a kept change is
    /// stored by then (read on another connection).
    async fn queue(
        turns: &WriteTurns,
        db: &DatabaseConnection,
        writers: usize,
        outcome: fn(usize) -> Result<Option<usize>, AppError>,
    ) -> Vec<Result<Option<usize>, AppError>> {
        queue_as(turns, db, writers, false, outcome).await
    }

    async fn queue_as(
        turns: &WriteTurns,
        db: &DatabaseConnection,
        writers: usize,
        batched: bool,
        outcome: fn(usize) -> Result<Option<usize>, AppError>,
    ) -> Vec<Result<Option<usize>, AppError>> {
        let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
        let mut tasks = Vec::new();
        let mut go = Some(go_rx);
        for writer in 0..writers {
            let (own_turns, db, go) = (turns.clone(), db.clone(), go.take());
            tasks.push(tokio::spawn(async move {
                let done = if batched {
                    own_turns
                        .write_batch(
                            &db,
                            adding(&db, writer),
                            async |_, rows| {
                                if let Some(go) = go {
                                    go.await.unwrap();
                                }
                                assert_eq!(rows.tagged("added").count(), 1, "the batch's rows reach the change");
                                outcome(writer)
                            },
                            Option::is_some,
                        )
                        .await
                } else {
                    own_turns
                        .write(
                            &db,
                            async |txn| {
                                if let Some(go) = go {
                                    go.await.unwrap();
                                }
                                add(txn, writer).await;
                                outcome(writer)
                            },
                            Option::is_some,
                        )
                        .await
                };
                let stored = number(&db, &format!("SELECT count(*) FROM row WHERE writer = {writer}")).await;
                assert_eq!(stored == 1, matches!(done, Ok(Some(_))), "writer {writer} answered {done:?}");
                done
            }));
            if writer == 0 {
                while turns.turn.try_lock().is_ok() {
                    tokio::task::yield_now().await;
                }
            }
        }
        while turns.queued.load(Ordering::SeqCst) < writers - 1 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        go_tx.send(()).unwrap();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        answers
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_writers_commit_in_groups_and_each_is_answered_once_it_is_stored() {
        let (db, path) = database("groups").await;
        let turns = WriteTurns::for_database(&db);
        let answers = queue(&turns, &db, 40, |w| Ok(Some(w))).await;
        assert!(answers.iter().all(|a| a.is_ok()));
        assert_eq!(number(&db, "SELECT count(*) FROM row").await, 40);
        assert_eq!(number(&db, "SELECT n FROM counter").await, 40, "each change saw the ones before it");
        let commits = turns.commits();
        assert!(
            (40 / GROUP_MEMBERS as u64..40).contains(&commits),
            "40 queued writers committed in {commits} transactions"
        );
        std::fs::remove_file(path).ok();
    }

    /// Thirty writers queued in groups (`batched`: through `write_batch`), one in three failing
    /// and one in three keeping nothing: only those are undone, and the rest stand.
    async fn one_in_three_failing_or_keeping_nothing(name: &str, batched: bool) -> WriteTurns {
        let (db, path) = database(name).await;
        let turns = WriteTurns::for_database(&db);
        let answers = queue_as(&turns, &db, 30, batched, |w| match w % 3 {
            0 => Err(AppError::Conflict("taken".into())),
            1 => Ok(None),
            _ => Ok(Some(w)),
        })
        .await;
        for (w, answer) in answers.iter().enumerate() {
            match w % 3 {
                0 => assert!(matches!(answer, Err(AppError::Conflict(_))), "{w}: {answer:?}"),
                1 => assert!(matches!(answer, Ok(None)), "{w}: {answer:?}"),
                _ => assert!(matches!(answer, Ok(Some(_))), "{w}: {answer:?}"),
            }
        }
        assert_eq!(number(&db, "SELECT count(*) FROM row").await, 10);
        assert_eq!(number(&db, "SELECT count(*) FROM row WHERE writer % 3 != 2").await, 0);
        assert_eq!(number(&db, "SELECT n FROM counter").await, 10, "each undone change's writes all went");
        std::fs::remove_file(path).ok();
        turns
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_change_that_fails_or_keeps_nothing_is_undone_and_the_rest_of_its_group_stands() {
        one_in_three_failing_or_keeping_nothing("undone", false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_runs_with_its_savepoint_and_only_the_changes_that_fail_or_keep_nothing_are_undone() {
        let turns = one_in_three_failing_or_keeping_nothing("batched", true).await;
        assert!(turns.commits() < 30, "the batched writers shared transactions: {} commits", turns.commits());
    }

    #[tokio::test]
    async fn a_change_whose_task_went_away_is_undone_when_the_next_writer_comes() {
        let (db, path) = database("gone").await;
        let turns = WriteTurns::for_database(&db);
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let gone = tokio::spawn({
            let (turns, db) = (turns.clone(), db.clone());
            async move {
                turns
                    .write(
                        &db,
                        async |txn| {
                            add(txn, 1).await;
                            started_tx.send(()).unwrap();
                            std::future::pending::<()>().await;
                            Ok(())
                        },
                        |_| true,
                    )
                    .await
            }
        });
        started_rx.await.unwrap();
        gone.abort();
        assert!(gone.await.unwrap_err().is_cancelled());
        turns
            .write(
                &db,
                async |txn| {
                    add(txn, 2).await;
                    Ok(())
                },
                |_| true,
            )
            .await
            .unwrap();
        assert_eq!(number(&db, "SELECT count(*) FROM row").await, 1);
        assert_eq!(number(&db, "SELECT count(*) FROM row WHERE writer = 2").await, 1, "only the second writer's row");
        assert_eq!(number(&db, "SELECT n FROM counter").await, 1);
        std::fs::remove_file(path).ok();
    }
}
