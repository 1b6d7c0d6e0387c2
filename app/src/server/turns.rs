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
//!
//! **Batches run by the holder.** A change that is one [`Batch`] and a check of what it
//! returned ([`WriteTurns::write_batch`]: a decision, the outbox's record of a delivery) does not
//! wait to hold the turn itself: it joins a queue, and whichever writer holds the turn runs every
//! batch queued, one after another, each after its savepoint, with its check. Under load a
//! member then costs one round trip to the connection's thread and no hand-over of the turn
//! between threads, which was a wake-up of another thread each time. (Sending every queued batch
//! in one round trip, as one string, was tried and was slower: sqlx caches a prepared statement
//! by its whole string, so each new combination was prepared afresh.)
//!
//! Every member's savepoint has the one name, `member`: `ROLLBACK TO member` undoes the latest,
//! which is the one running, and each statement's text stays the same from member to member, so
//! the connection's cache of prepared statements keeps it.

use super::db::{Batch, BatchRows};
use crate::error::AppError;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, oneshot, watch};

/// At most this many changes share one transaction.
pub const GROUP_MEMBERS: usize = 16;
/// A group stops taking members once it has been open this long, so its first member's answer
/// is not held back for long.
pub const GROUP_OPEN: Duration = Duration::from_millis(20);
/// A member waiting for its group to commit looks again after this long: the writers its group
/// was left open for may all have given up (their requests cancelled while they queued), and
/// then the member ends the group itself.
const MEMBER_PATIENCE: Duration = Duration::from_millis(100);

/// What the check of a batched change ([`WriteTurns::write_batch`]) answers, having read what its
/// batch returned.
pub enum Checked<T> {
    /// The change is finished: what it wrote is kept if this is an outcome to keep.
    Done(Result<T, AppError>),
    /// The change needs more of the transaction to finish (rare: giving a place back reads the
    /// placement again). This runs next, before any later change, and answers for the change.
    Then(FollowUp<T>),
}

impl<T> Checked<T> {
    /// The answer that the change needs `follow_up` to finish.
    pub fn then<F>(follow_up: F) -> Self
    where
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> InTransaction<'t, Result<T, AppError>> + Send + 'static,
    {
        Checked::Then(Box::new(follow_up))
    }

    /// The change's outcome: this, or what its follow-up answers, run in `txn`.
    pub async fn finish(self, txn: &DatabaseTransaction) -> Result<T, AppError> {
        match self {
            Checked::Done(done) => done,
            Checked::Then(follow_up) => follow_up(txn).await,
        }
    }
}

/// A future borrowing the transaction it writes in.
pub type InTransaction<'t, T> = Pin<Box<dyn Future<Output = T> + Send + 't>>;

/// The rest of a change whose check could not finish it from its batch's rows alone.
pub type FollowUp<T> =
    Box<dyn for<'t> FnOnce(&'t DatabaseTransaction) -> InTransaction<'t, Result<T, AppError>> + Send>;

/// Turns to write (see the module's documentation). Cheap to clone: clones share the turns.
#[derive(Clone)]
pub struct WriteTurns {
    turn: Arc<Mutex<Turn>>,
    /// Writers queued for the turn that would join an open group, and batches queued to run.
    queued: Arc<AtomicUsize>,
    /// Batches waiting for whoever holds the turn to run them, in the order they came.
    batches: Arc<std::sync::Mutex<VecDeque<Box<dyn Pending>>>>,
    /// Numbers the batches, so the writer that runs them knows when its own has run.
    tickets: Arc<AtomicU64>,
    /// Groups committed so far.
    commits: Arc<AtomicU64>,
    sqlite: bool,
}

/// What the turn guards: the open group, if any.
#[derive(Default)]
struct Turn {
    group: Option<Group>,
}

/// The savepoint each member's change runs after (see the module's documentation).
const SAVEPOINT: &str = "SAVEPOINT member";
const UNDO: &str = "ROLLBACK TO member";

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

impl Group {
    fn new(txn: DatabaseTransaction) -> Self {
        Group { txn, members: 0, opened: Instant::now(), running: false, ended: watch::channel(None).0 }
    }

    /// Counts a member whose change has run, and tells it where to hear whether the group
    /// committed.
    fn member(&mut self, kept: bool) -> Member {
        self.members += 1;
        Member { ended: self.ended.subscribe(), kept }
    }
}

/// A member of a group, once its change has run: where to hear whether the group committed,
/// and whether the change kept what it wrote.
struct Member {
    ended: watch::Receiver<Option<bool>>,
    kept: bool,
}

/// A writer's place in the queue, counted while it waits.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A batch in the queue with what to do once it has run, its outcome's type erased so that
/// batches of every kind queue together.
trait Pending: Send {
    fn ticket(&self) -> u64;
    fn batch(&self) -> &Batch;
    /// Checks what the batch returned: whether the change keeps what it wrote, or `None` when
    /// it needs its follow-up first.
    fn check(&mut self, rows: BatchRows) -> Option<bool>;
    /// Runs the change's follow-up; answers whether the change keeps what it wrote.
    fn follow_up<'t>(&'t mut self, txn: &'t DatabaseTransaction) -> InTransaction<'t, bool>;
    /// The change failed before its check could run.
    fn fail(&mut self, error: AppError);
    /// Answers the writer: its change's outcome, and where to hear whether its group committed
    /// (`None` when its writes went with a failed group).
    fn answer(self: Box<Self>, member: Option<Member>);
}

type Answer<T> = (Result<T, AppError>, Option<Member>);

struct QueuedBatch<T, C> {
    ticket: u64,
    batch: Batch,
    check: Option<C>,
    follow: Option<FollowUp<T>>,
    outcome: Option<Result<T, AppError>>,
    keep: fn(&T) -> bool,
    reply: oneshot::Sender<Answer<T>>,
}

impl<T, C> QueuedBatch<T, C> {
    fn finish(&mut self, done: Result<T, AppError>) -> bool {
        let kept = matches!(&done, Ok(d) if (self.keep)(d));
        self.outcome = Some(done);
        kept
    }
}

fn unanswered(what: &str) -> AppError {
    super::db::internal("writing", format!("a queued batch {what}"))
}

impl<T: Send + 'static, C: FnOnce(BatchRows) -> Checked<T> + Send + 'static> Pending for QueuedBatch<T, C> {
    fn ticket(&self) -> u64 {
        self.ticket
    }

    fn batch(&self) -> &Batch {
        &self.batch
    }

    fn check(&mut self, rows: BatchRows) -> Option<bool> {
        let Some(check) = self.check.take() else { return Some(self.finish(Err(unanswered("was checked twice")))) };
        match check(rows) {
            Checked::Done(done) => Some(self.finish(done)),
            Checked::Then(follow) => {
                self.follow = Some(follow);
                None
            }
        }
    }

    fn follow_up<'t>(&'t mut self, txn: &'t DatabaseTransaction) -> InTransaction<'t, bool> {
        Box::pin(async move {
            let done = match self.follow.take() {
                Some(follow) => follow(txn).await,
                None => Err(unanswered("had no follow-up")),
            };
            self.finish(done)
        })
    }

    fn fail(&mut self, error: AppError) {
        self.outcome = Some(Err(error));
    }

    fn answer(self: Box<Self>, member: Option<Member>) {
        let outcome = self.outcome.unwrap_or_else(|| Err(unanswered("was answered before it ran")));
        // The writer may have gone (its request cancelled): then no one is waiting.
        let _ = self.reply.send((outcome, member));
    }
}

/// Runs `turn` on a thread of its own (`block_in_place`) on a multi-threaded runtime: the turn
/// passes straight to that thread, and each of the holder's round trips to the connection's
/// worker thread wakes it directly; a task woken instead would wait behind every other ready
/// task in the runtime's queue while every other writer waits for it. A current-thread runtime
/// (a test's) has no thread to spare: it awaits as usual.
async fn on_own_thread<F: Future>(turn: F) -> F::Output {
    let runtime = tokio::runtime::Handle::current();
    if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
        tokio::task::block_in_place(|| runtime.block_on(turn))
    } else {
        turn.await
    }
}

impl WriteTurns {
    pub fn for_database(db: &DatabaseConnection) -> Self {
        Self {
            turn: Arc::default(),
            queued: Arc::default(),
            batches: Arc::default(),
            tickets: Arc::default(),
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
        if !self.sqlite {
            let txn = super::db::begin_write(db).await?;
            let done = change(&txn).await;
            return finish_alone(txn, done, keep).await;
        }
        let turn = async {
            let mut turn = {
                self.queued.fetch_add(1, Ordering::SeqCst);
                let _waiting = Waiting(&self.queued);
                self.turn.lock().await
            };
            self.member(db, &mut turn, change, keep).await
        };
        let (done, member) = on_own_thread(turn).await;
        self.answer(done, member).await
    }

    /// Like [`WriteTurns::write`], for a change that is `batch` and then `check` of what its
    /// statements returned, kept if the check answers an outcome to `keep`. On SQLite the batch
    /// joins the queue of batches, which whoever holds the turn runs one after another, each
    /// after its own savepoint in its batch's round trip (see the module's documentation).
    pub async fn write_batch<T: Send + 'static>(
        &self,
        db: &DatabaseConnection,
        batch: Batch,
        check: impl FnOnce(BatchRows) -> Checked<T> + Send + 'static,
        keep: fn(&T) -> bool,
    ) -> Result<T, AppError> {
        if !self.sqlite {
            let txn = super::db::begin_write(db).await?;
            let done = match batch.run(&txn).await {
                Ok(rows) => check(rows).finish(&txn).await,
                Err(e) => Err(e.into()),
            };
            return finish_alone(txn, done, keep).await;
        }
        let ticket = self.tickets.fetch_add(1, Ordering::Relaxed);
        let (reply, mut answered) = oneshot::channel();
        let queued = QueuedBatch { ticket, batch, check: Some(check), follow: None, outcome: None, keep, reply };
        self.queued.fetch_add(1, Ordering::SeqCst);
        self.lock_batches().push_back(Box::new(queued));
        // Either the writer holding the turn runs this batch with its own, or this writer takes
        // the turn and runs every batch queued.
        let serve = async {
            tokio::select! {
                biased;
                answer = &mut answered => Some(answer),
                mut turn = self.turn.lock() => {
                    self.run_batches(db, &mut turn, ticket).await;
                    None
                }
            }
        };
        let answer = match on_own_thread(serve).await {
            Some(answer) => answer,
            None => answered.await,
        };
        match answer {
            Ok((done, member)) => self.answer(done, member).await,
            // The writer running it went away mid-way (only on a current-thread runtime, whose
            // tasks can be cancelled at any await); its group is undone when the turn next passes.
            Err(_) => Err(unanswered("was dropped before it was answered")),
        }
    }

    fn lock_batches(&self) -> std::sync::MutexGuard<'_, VecDeque<Box<dyn Pending>>> {
        self.batches.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answers a change once its group has ended: a change is not told it is stored before it
    /// is, and one that kept nothing (say, it found the data moved) reads again only what is
    /// stored.
    async fn answer<T>(&self, done: Result<T, AppError>, member: Option<Member>) -> Result<T, AppError> {
        let Some(Member { ended, kept }) = member else { return done };
        let committed = self.wait_for_end(ended).await;
        if kept && !committed {
            return Err(super::db::internal("writing", "the group of writes this change was in did not commit"));
        }
        done
    }

    /// Whether the group should end now rather than wait for more members.
    fn group_full(&self, group: &Group) -> bool {
        self.queued.load(Ordering::SeqCst) == 0
            || group.members >= GROUP_MEMBERS
            || group.opened.elapsed() >= GROUP_OPEN
    }

    /// One member's turn: joins the open group or opens one, runs the change after a savepoint,
    /// and ends the group when no one else is queued to join it. Answers the change's outcome and
    /// where to hear whether its group committed (`None` when there is nothing to wait for).
    async fn member<T>(
        &self,
        db: &DatabaseConnection,
        turn: &mut Turn,
        change: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, AppError>,
        keep: impl FnOnce(&T) -> bool,
    ) -> Answer<T> {
        let group = match open_group(db, turn, &self.commits).await {
            Ok(group) => group,
            Err(e) => return (Err(e.into()), None),
        };
        group.running = true;
        let done = match group.txn.execute_unprepared(SAVEPOINT).await {
            Ok(_) => change(&group.txn).await,
            Err(e) => Err(e.into()),
        };
        let kept = matches!(&done, Ok(d) if keep(d));
        if !kept && !undo(&group.txn).await {
            fail_group(turn).await;
            return (done, None);
        }
        group.running = false;
        let member = group.member(kept);
        if self.group_full(group) {
            end_group(turn, &self.commits).await;
        }
        (done, Some(member))
    }

    /// Runs the queued batches, `mine` among them, holding the turn: in order, each in the open
    /// group (opening one when there is none) and ending groups as they fill, until the queue is
    /// empty or `mine` has run and its group has ended (the writers of batches queued since then
    /// are waiting for the turn, and one of them goes on).
    async fn run_batches(&self, db: &DatabaseConnection, turn: &mut Turn, mine: u64) {
        let mut mine_ran = false;
        loop {
            let Some(mut batch) = self.lock_batches().pop_front() else { return };
            self.queued.fetch_sub(1, Ordering::SeqCst);
            mine_ran |= batch.ticket() == mine;
            let group = match open_group(db, turn, &self.commits).await {
                Ok(group) => group,
                Err(e) => {
                    batch.fail(e.into());
                    batch.answer(None);
                    continue;
                }
            };
            if !run_one(group, batch).await {
                fail_group(turn).await;
                continue;
            }
            if turn.group.as_ref().is_some_and(|g| self.group_full(g)) {
                end_group(turn, &self.commits).await;
                if mine_ran {
                    return;
                }
            }
        }
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

/// The open group, opened if there is none. One whose last changes never finished is ended
/// first, without them.
async fn open_group<'t>(
    db: &DatabaseConnection,
    turn: &'t mut Turn,
    commits: &AtomicU64,
) -> Result<&'t mut Group, sea_orm::DbErr> {
    if turn.group.as_ref().is_some_and(|g| g.running) {
        end_group(turn, commits).await;
    }
    let group = match turn.group.take() {
        Some(group) => group,
        None => Group::new(super::db::begin_write(db).await?),
    };
    Ok(turn.group.insert(group))
}

/// Runs one queued batch in the open group, after its savepoint and in the one round trip, then
/// its check (and its follow-up, if it needs one); rolls it back to its savepoint if it fails or
/// keeps nothing, and answers it. Answers `false` if the group cannot go on.
async fn run_one(group: &mut Group, mut batch: Box<dyn Pending>) -> bool {
    group.running = true;
    let kept = match batch.batch().run_after(&group.txn, SAVEPOINT).await {
        Ok(rows) => match batch.check(rows) {
            Some(kept) => kept,
            None => batch.follow_up(&group.txn).await,
        },
        Err(e) => {
            batch.fail(e.into());
            false
        }
    };
    if !kept && !undo(&group.txn).await {
        batch.answer(None);
        return false;
    }
    group.running = false;
    batch.answer(Some(group.member(kept)));
    true
}

/// Rolls the running member's change back to its savepoint; answers whether that worked (if
/// not, the group cannot go on).
async fn undo(txn: &DatabaseTransaction) -> bool {
    match txn.execute_unprepared(UNDO).await {
        Ok(_) => true,
        Err(e) => {
            tracing::error!(error = %e, "rolling a change back to its savepoint");
            false
        }
    }
}

/// Commits the open group, if any, and tells its members whether it committed.
async fn end_group(turn: &mut Turn, commits: &AtomicU64) {
    let Some(group) = turn.group.take() else { return };
    let committed = if group.running {
        // Its last change never finished: undo it, then commit the rest.
        if undo(&group.txn).await {
            commit(group.txn).await
        } else {
            let _ = group.txn.rollback().await;
            false
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

/// Finishes a change in a transaction of its own (PostgreSQL): commits it if it succeeded with
/// an outcome to `keep`, otherwise rolls it back.
async fn finish_alone<T>(
    txn: DatabaseTransaction,
    done: Result<T, AppError>,
    keep: impl FnOnce(&T) -> bool,
) -> Result<T, AppError> {
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
    /// from the second writer on, `write_batch` with [`adding`]) answered for it, after checking
    /// that a kept change is stored by then (read on another connection).
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
                let done = if batched && writer > 0 {
                    own_turns
                        .write_batch(
                            &db,
                            adding(&db, writer),
                            move |rows| {
                                assert_eq!(rows.tagged("added").count(), 1, "the batch's own rows reach its check");
                                Checked::Done(outcome(writer))
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
    async fn queued_batches_run_by_the_holder_and_only_those_that_fail_or_keep_nothing_are_undone() {
        let turns = one_in_three_failing_or_keeping_nothing("batched", true).await;
        assert!(turns.commits() < 30, "the batched writers shared transactions: {} commits", turns.commits());
    }

    /// A batch that adds one to the counter and returns what it made it.
    fn counting(db: &DatabaseConnection) -> Batch {
        use sea_orm::sea_query::{Alias, Expr, Query};
        let mut batch = Batch::new(db);
        batch.push(
            &Query::update()
                .table(Alias::new("counter"))
                .value(Alias::new("n"), Expr::cust("n + 1"))
                .returning(Query::returning().exprs([super::super::db::tag_column("counted"), Expr::cust("n")]))
                .to_owned(),
        );
        batch
    }

    /// Starts a writer that takes the turn and waits to be told to go on before it adds its row
    /// (writer 0), so that the writers started after it queue.
    async fn holding_the_turn(
        turns: &WriteTurns,
        db: &DatabaseConnection,
    ) -> (tokio::task::JoinHandle<Result<(), AppError>>, oneshot::Sender<()>) {
        let (go_tx, go_rx) = oneshot::channel::<()>();
        let first = tokio::spawn({
            let (turns, db) = (turns.clone(), db.clone());
            async move {
                let change = async |txn: &DatabaseTransaction| {
                    go_rx.await.unwrap();
                    add(txn, 0).await;
                    Ok(())
                };
                turns.write(&db, change, |_| true).await
            }
        });
        while turns.turn.try_lock().is_ok() {
            tokio::task::yield_now().await;
        }
        (first, go_tx)
    }

    async fn until_queued(turns: &WriteTurns, writers: usize) {
        while turns.queued.load(Ordering::SeqCst) < writers {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_whose_statement_fails_is_told_so_and_the_batches_queued_with_it_stand() {
        let (db, path) = database("failing").await;
        let turns = WriteTurns::for_database(&db);
        let (first, go) = holding_the_turn(&turns, &db).await;
        let mut tasks = Vec::new();
        for w in 1..=12usize {
            let (turns, db) = (turns.clone(), db.clone());
            // Writer 7 adds writer 0's row again: its insert fails on the primary key.
            let batch = adding(&db, if w == 7 { 0 } else { w });
            tasks.push(tokio::spawn(async move {
                turns.write_batch(&db, batch, move |_| Checked::Done(Ok(Some(w))), Option::is_some).await
            }));
        }
        until_queued(&turns, 12).await;
        go.send(()).unwrap();
        first.await.unwrap().unwrap();
        for (w, task) in (1..=12usize).zip(tasks) {
            let answer = task.await.unwrap();
            if w == 7 {
                assert_eq!(answer, Err(AppError::Internal), "the failed batch is told");
            } else {
                assert_eq!(answer, Ok(Some(w)));
            }
        }
        assert_eq!(number(&db, "SELECT count(*) FROM row").await, 12);
        assert_eq!(number(&db, "SELECT n FROM counter").await, 12, "none of the failed batch's writes stayed");
        std::fs::remove_file(path).ok();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_needing_a_follow_up_runs_it_before_the_batches_after_it_and_each_sees_all_kept_before_it() {
        let (db, path) = database("follow-up").await;
        let turns = WriteTurns::for_database(&db);
        let (first, go_tx) = holding_the_turn(&turns, &db).await;
        // Every third batch asks for a follow-up that adds 100; of the rest, every fourth keeps
        // nothing. Each kept one answers the count it made.
        let follows = |w: usize| w % 3 == 1;
        let mut tasks = Vec::new();
        for w in 1..=24usize {
            let (turns, db) = (turns.clone(), db.clone());
            tasks.push(tokio::spawn(async move {
                let check = move |rows: BatchRows| -> Checked<Option<(usize, i64)>> {
                    let n: i64 = rows.tagged("counted").next().unwrap().try_get("", "n").unwrap();
                    if follows(w) {
                        Checked::then(move |txn| {
                            Box::pin(async move {
                                txn.execute_unprepared("UPDATE counter SET n = n + 100").await?;
                                Ok(Some((w, n)))
                            })
                        })
                    } else if w % 4 == 2 {
                        Checked::Done(Ok(None))
                    } else {
                        Checked::Done(Ok(Some((w, n))))
                    }
                };
                turns.write_batch(&db, counting(&db), check, Option::is_some).await
            }));
        }
        until_queued(&turns, 24).await;
        go_tx.send(()).unwrap();
        first.await.unwrap().unwrap();
        let mut kept = Vec::new();
        for task in tasks {
            if let Some(seen) = task.await.unwrap().unwrap() {
                kept.push(seen);
            }
        }
        let followed = (1..=24).filter(|w| follows(*w)).count() as i64;
        assert_eq!(kept.len() as i64, 24 - (1..=24).filter(|w| !follows(*w) && w % 4 == 2).count() as i64);
        let total = number(&db, "SELECT n FROM counter").await;
        assert_eq!(total, 1 + kept.len() as i64 + 100 * followed, "nothing undone left a trace");
        // In the order they ran, each kept batch saw exactly what the kept ones before it made.
        kept.sort_by_key(|(_, n)| *n);
        let mut before = 1;
        for (w, n) in kept {
            assert_eq!(n, before + 1, "batch {w} saw {n} after {before}");
            before = n + if follows(w) { 100 } else { 0 };
        }
        std::fs::remove_file(path).ok();
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
