//! Free-text search over placements' title, description and learning outcomes: an FTS5 index
//! kept by triggers on SQLite, a stored `tsvector` with a GIN index on PostgreSQL. The service
//! hides the difference behind one function (`placements::browse`).

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) const SQLITE_UP: [&str; 5] = [
    // External content: the index holds only the tokens; the text stays in `placements`.
    "CREATE VIRTUAL TABLE placement_search USING fts5(\
        title, description, outcomes, content='placements', content_rowid='id', \
        tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER placement_search_insert AFTER INSERT ON placements BEGIN \
        INSERT INTO placement_search(rowid, title, description, outcomes) \
        VALUES (new.id, new.title, new.description, new.outcomes); END",
    "CREATE TRIGGER placement_search_delete AFTER DELETE ON placements BEGIN \
        INSERT INTO placement_search(placement_search, rowid, title, description, outcomes) \
        VALUES ('delete', old.id, old.title, old.description, old.outcomes); END",
    "CREATE TRIGGER placement_search_update AFTER UPDATE OF title, description, outcomes ON placements BEGIN \
        INSERT INTO placement_search(placement_search, rowid, title, description, outcomes) \
        VALUES ('delete', old.id, old.title, old.description, old.outcomes); \
        INSERT INTO placement_search(rowid, title, description, outcomes) \
        VALUES (new.id, new.title, new.description, new.outcomes); END",
    // Index whatever was there before this migration.
    "INSERT INTO placement_search(placement_search) VALUES ('rebuild')",
];

pub(crate) const POSTGRES_UP: [&str; 2] = [
    "ALTER TABLE placements ADD COLUMN search tsvector GENERATED ALWAYS AS (\
        setweight(to_tsvector('english', title), 'A') || \
        to_tsvector('english', description || ' ' || outcomes)) STORED",
    "CREATE INDEX ix_placements_search ON placements USING GIN (search)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Postgres => &POSTGRES_UP,
            _ => &SQLITE_UP,
        };
        for sql in statements {
            conn.execute_unprepared(sql).await?;
        }
        // Browsing filters open placements by pathway or trust and sorts by a date.
        manager
            .create_index(
                Index::create()
                    .name("ix_placements_pathway_state")
                    .table(Alias::new("placements"))
                    .col(Alias::new("pathway_id"))
                    .col(Alias::new("state"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        manager
            .drop_index(Index::drop().name("ix_placements_pathway_state").table(Alias::new("placements")).to_owned())
            .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                conn.execute_unprepared("ALTER TABLE placements DROP COLUMN search").await?;
            }
            _ => {
                for t in ["placement_search_insert", "placement_search_delete", "placement_search_update"] {
                    conn.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}")).await?;
                }
                conn.execute_unprepared("DROP TABLE IF EXISTS placement_search").await?;
            }
        }
        Ok(())
    }
}
