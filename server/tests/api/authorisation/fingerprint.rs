//! Everything the rules protect, read from the database as one comparable value, so that a
//! refused action that leaves a trace anywhere fails its row.

use crate::helpers::TestApp;

/// Tables outside the fingerprint: only the schema's own history. Everything else is in it —
/// the audit logs, the outbox, emailed links, sessions, status list bits, form flashes and the
/// sign-in throttle — so a refused action that leaves any trace anywhere fails its row.
const VOLATILE_TABLES: [&str; 1] = ["seaql_migrations"];

/// Columns that change on any signed-in request, whatever is tried: a session's last-seen time.
const VOLATILE_COLUMNS: [(&str, &str); 1] = [("sessions", "last_seen_at")];

/// The mail worker delivers in the background, so a queued message's delivery columns change on
/// their own: of the outbox, only what was queued (and to whom) counts.
const OUTBOX_QUEUED: [&str; 5] = ["id", "kind", "recipient", "subject", "created_at"];

/// Everything the rules protect, in one comparable value: every row of every table but the
/// volatile ones, read as text, so a table added by a later feature is covered by itself.
pub(super) async fn fingerprint(app: &TestApp) -> String {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = app.db.get_database_backend();
    let names = |sql: &str| Statement::from_string(backend, sql.to_owned());
    let tables: Vec<String> = app
        .db
        .query_all_raw(names(match backend {
            DbBackend::Postgres => {
                "SELECT table_name AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
            }
            _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
        }))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .filter(|t| !VOLATILE_TABLES.contains(&t.as_str()))
        .collect();
    assert!(tables.len() > 10, "the fingerprint reads the schema: {tables:?}");
    let mut out = String::new();
    for table in tables {
        let columns: Vec<String> = app
            .db
            .query_all_raw(names(&match backend {
                DbBackend::Postgres => format!(
                    "SELECT column_name AS name FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
                ),
                _ => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            }))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "name").unwrap())
            .filter(|c| table != "outbox" || OUTBOX_QUEUED.contains(&c.as_str()))
            .filter(|c| !VOLATILE_COLUMNS.contains(&(table.as_str(), c.as_str())))
            .collect();
        let row = columns
            .iter()
            // SQLite's quote() spells every value (a blob as X'…') as valid text; PostgreSQL's
            // text cast does the same (bytea as \x…).
            .map(|c| match backend {
                DbBackend::Postgres => format!("COALESCE(CAST(\"{c}\" AS TEXT), '-')"),
                _ => format!("quote(\"{c}\")"),
            })
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows =
            app.db.query_all_raw(names(&format!("SELECT {row} AS r FROM \"{table}\" ORDER BY 1"))).await.unwrap();
        out.push_str(&table);
        for r in rows {
            out.push('\n');
            out.push_str(&r.try_get::<String>("", "r").unwrap());
        }
        out.push('\n');
    }
    out
}
