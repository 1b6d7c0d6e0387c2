//! `sqlite_memory::configure` in a process of its own: SQLite's configuration is process-wide and
//! must come before SQLite's first use, so this test binary holds exactly one test.

use libsqlite3_sys as sqlite;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use server::config::{DatabaseSettings, Secret};
use server::{database, sqlite_memory};

#[test]
fn sqlite_allocates_with_mimalloc_and_counts_nothing() {
    // SAFETY: the only test in this binary, and nothing has started a thread yet.
    unsafe { sqlite_memory::configure() }.expect("SQLite takes the configuration before its first use");

    // SAFETY: plain calls into SQLite's allocator; the block is freed once.
    unsafe {
        let block = sqlite::sqlite3_malloc(1_000);
        assert!(!block.is_null());
        assert!(libmimalloc_sys::mi_is_in_heap_region(block), "SQLite's block came from mimalloc");
        assert!(sqlite::sqlite3_msize(block) >= 1_000);
        sqlite::sqlite3_free(block);
    }
    // SQLite is in use now: configuring again is refused, and changes nothing.
    // SAFETY: still no other thread.
    let refused = unsafe { sqlite_memory::configure() }.unwrap_err();
    assert_eq!((refused.option, refused.code), ("SQLITE_CONFIG_MEMSTATUS", sqlite::SQLITE_MISUSE));

    // A real database through the server's own connection settings: work that allocates
    // (blobs, a sort, an index) gives the right answers.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/m.db?mode=rwc", dir.path().display());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let db = database::connect(&DatabaseSettings { url: Secret(url), max_connections: 4 }).await.unwrap();
        db.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, v BLOB)").await.unwrap();
        db.execute_unprepared(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
             INSERT INTO t (k, v) SELECT (i * 7919) % 5000, randomblob(i % 3000) FROM n",
        )
        .await
        .unwrap();
        db.execute_unprepared("CREATE INDEX t_k ON t (k)").await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                "SELECT count(*), sum(length(v)), (SELECT group_concat(k) FROM \
                 (SELECT k FROM t ORDER BY k LIMIT 3)) FROM t",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 5_000);
        // randomblob(0) is one byte long.
        let expected: i64 = (1..=5_000).map(|i: i64| (i % 3_000).max(1)).sum();
        assert_eq!(row.try_get_by_index::<i64>(1).unwrap(), expected);
        assert_eq!(row.try_get_by_index::<String>(2).unwrap(), "0,1,2");
        db.close().await.unwrap();
    });
    // SAFETY: reads SQLite's counter, which its memory counting (now off) would have raised.
    assert_eq!(unsafe { sqlite::sqlite3_memory_used() }, 0, "SQLite counted no allocation");
}
