//! Connecting to SQLite or PostgreSQL, migrating, and copying SQLite's write-ahead log back
//! into the database off the writers' path.

use crate::config::DatabaseSettings;
use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, Statement};
use std::time::Duration;
use tokio::sync::watch;

/// How often the server copies SQLite's write-ahead log back into the database
/// ([`checkpoint_wal`]).
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);

/// Pages (4 KiB each) SQLite's write-ahead log may grow to before the connection that commits
/// copies it back itself. SQLite's default is 1,000, and that copy runs inside the commit, with
/// two `fsync`s: every few dozen writes, one writer held the turn to write for 10–20 ms while
/// every other writer waited. The server copies the log back from the side instead
/// ([`checkpoint_wal`]); this is the backstop for when nothing does (the command-line tools) or
/// the copying falls behind.
const AUTOCHECKPOINT_PAGES: &str = "20000";

/// Connects with settings fit for each database. SQLite runs in WAL mode with
/// `synchronous=NORMAL`, foreign keys on, temporary data in memory and a busy timeout, so
/// readers never block the writer and writers queue instead of failing, and its log is copied
/// back into the database by [`checkpoint_wal`] rather than by whichever write fills it;
/// PostgreSQL never waits on a lock for ever.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.url.expose();
    if let Some(path) = sqlite_file(url)
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(settings.max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        // A connection is pinged before use only once it has been idle for a while (one a
        // database, proxy or firewall may have dropped), not on every checkout: the ping was a
        // round trip more for every read, and for every write inside SQLite's write turn.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("wal_autocheckpoint", AUTOCHECKPOINT_PAGES)
                // Temporary data in memory, not in files: a group of writes (turns.rs) runs each
                // after a savepoint, and SQLite keeps the pages a savepoint may have to undo in a
                // sub-journal that spills to a new temporary file (created and unlinked at once)
                // once past 64 KiB. Under a stream of decisions that was hundreds of file creations
                // a second on the writer's thread, inside the turn to write. The sub-journals and
                // sorts are small: they fit in memory.
                .pragma("temp_store", "memory")
        })
        // PostgreSQL: a statement waiting on a row lock gives up after 10 seconds (the request
        // fails and is logged) instead of waiting for ever.
        .map_sqlx_postgres_opts(|o| o.options([("lock_timeout", "10s")]));
    Database::connect(opts).await.context("connecting to the database (check database.url)")
}

/// Applies every migration not yet applied.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("running migrations")
}

/// Copies SQLite's write-ahead log back into the database every [`CHECKPOINT_INTERVAL`] until
/// `shutdown` turns true (nothing to do on PostgreSQL). A passive checkpoint waits for no reader
/// or writer: writers go on appending to the log while it copies and syncs, so its `fsync`s no
/// longer fall inside a write. Run often, the log stays short (a quarter of a second of writes).
pub async fn checkpoint_wal(db: DatabaseConnection, mut shutdown: watch::Receiver<bool>) {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return;
    }
    loop {
        tokio::select! {
            _ = tokio::time::sleep(CHECKPOINT_INTERVAL) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
        if let Err(e) = checkpoint(&db).await {
            tracing::warn!(error = %e, "checkpointing the SQLite log failed; will try again");
        }
    }
}

/// One passive checkpoint: the pages in the log, and how many of them are now in the database.
pub async fn checkpoint(db: &DatabaseConnection) -> anyhow::Result<(i64, i64)> {
    let row = db
        .query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, "PRAGMA wal_checkpoint(PASSIVE)"))
        .await?
        .context("a checkpoint answers one row")?;
    let (log, copied): (i64, i64) = (row.try_get_by_index(1)?, row.try_get_by_index(2)?);
    tracing::trace!(log, copied, "checkpointed the SQLite log");
    Ok((log, copied))
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (path != ":memory:" && !path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    #[tokio::test]
    async fn the_log_is_copied_back_by_the_checkpointer_not_by_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/x.db?mode=rwc", dir.path().display());
        let db = connect(&DatabaseSettings { url: Secret(url), max_connections: 2 }).await.unwrap();
        let one = |sql: &str| Statement::from_string(DatabaseBackend::Sqlite, sql.to_owned());
        let limit = db.query_one_raw(one("PRAGMA wal_autocheckpoint")).await.unwrap().unwrap();
        assert_eq!(limit.try_get_by_index::<i64>(0).unwrap(), 20_000);
        db.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").await.unwrap();
        // Well past SQLite's default of 1,000 pages: no commit copied the log back.
        for _ in 0..1_500 {
            db.execute_unprepared("INSERT INTO t (v) VALUES (hex(randomblob(2000)))").await.unwrap();
        }
        let (log, copied) = checkpoint(&db).await.unwrap();
        assert!(log > 1_500, "the log held every write until the checkpoint: {log} pages");
        assert_eq!(copied, log, "a passive checkpoint with no reader copies the whole log");
        let count = db.query_one_raw(one("SELECT count(*) FROM t")).await.unwrap().unwrap();
        assert_eq!(count.try_get_by_index::<i64>(0).unwrap(), 1_500);
    }

    #[test]
    fn finds_the_sqlite_file_in_a_url() {
        assert_eq!(sqlite_file("sqlite://data/x.db?mode=rwc"), Some("data/x.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/x"), None);
    }
}
