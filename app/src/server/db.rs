//! Database helpers shared by every service.

use super::entities::state_transition;
use crate::error::AppError;
use chrono::Utc;
use sea_orm::sea_query::{Expr, InsertStatement, Query, SelectStatement, UpdateStatement, Values};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryResult, QueryTrait, Set, SqliteTransactionMode, Statement, StatementBuilder,
    TransactionOptions, TransactionTrait, UpdateMany,
};

/// Begins a transaction that will write. On SQLite it starts with `BEGIN IMMEDIATE`, so two
/// writers queue on the busy timeout instead of failing with "database is locked" when a
/// read transaction tries to upgrade; on PostgreSQL it is an ordinary transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Logs an unexpected failure with its cause and returns the opaque error the user sees.
pub fn internal(context: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{context}");
    AppError::Internal
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        internal("database error", err)
    }
}

/// Whether `err` is a unique-constraint violation (a duplicate the user should be told about,
/// not an internal error), on SQLite and PostgreSQL alike.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// One state change of a workflow entity, as [`transition`] writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The kind of entity: `placement`, and `application` next.
    pub entity: &'static str,
    pub id: i32,
    /// `None` when the entity is created.
    pub from: Option<&'static str>,
    pub to: &'static str,
    /// The event's code.
    pub event: &'static str,
    /// Who made it; `None` when the system did (a place filling as someone is accepted).
    pub actor: Option<i32>,
}

/// Moves a row from one state to another only if it is still in the state read (`UPDATE … SET
/// state = to WHERE id = … AND state = from`, with the caller's other columns), and records the
/// transition in the same transaction. Returns `false`, having changed nothing, when someone
/// else moved the row first: two people acting at once can never both win.
pub async fn transition<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    update: UpdateMany<E>,
    state: E::Column,
    t: Transition,
) -> Result<bool, DbErr> {
    let Some(from) = t.from else {
        return Err(DbErr::Custom("a guarded transition needs the state it leaves".into()));
    };
    let done = update.col_expr(state, Expr::value(t.to)).filter(state.eq(from)).exec(conn).await?;
    if done.rows_affected != 1 {
        return Ok(false);
    }
    record_transition(conn, t).await?;
    Ok(true)
}

/// Records a transition whose row the caller has already written (a new entity, or a change
/// guarded by other columns too).
pub async fn record_transition(conn: &impl ConnectionTrait, t: Transition) -> Result<(), DbErr> {
    transition_row(t).insert(conn).await?;
    Ok(())
}

fn transition_row(t: Transition) -> state_transition::ActiveModel {
    state_transition::ActiveModel {
        entity: Set(t.entity.to_owned()),
        entity_id: Set(t.id),
        from_state: Set(t.from.map(str::to_owned)),
        to_state: Set(t.to.to_owned()),
        event: Set(t.event.to_owned()),
        actor_id: Set(t.actor),
        at: Set(Utc::now()),
        ..Default::default()
    }
}

/// [`transition`] as two statements for a [`Batch`]: the guarded move, which returns one row
/// tagged `tag` only if the row was still in the state read, and the transition's record. The
/// caller keeps the batch only if that row came back (otherwise rolls it back, record and all).
pub fn guarded_move<E: EntityTrait>(
    update: UpdateMany<E>,
    state: E::Column,
    t: Transition,
    tag: &'static str,
) -> Result<(UpdateStatement, InsertStatement), DbErr> {
    let Some(from) = t.from else {
        return Err(DbErr::Custom("a guarded transition needs the state it leaves".into()));
    };
    let mut moved = update.col_expr(state, Expr::value(t.to)).filter(state.eq(from)).into_query();
    moved.returning(Query::returning().expr(tag_column(tag)));
    Ok((moved, state_transition::Entity::insert(transition_row(t)).into_query()))
}

/// Records `t` only if `condition` finds a row: for a batch, the record of a move made by a
/// statement before it that is guarded by more than the state (a placement filling as its last
/// place is taken), which may or may not have happened.
pub fn record_if(t: Transition, condition: SelectStatement) -> Result<InsertStatement, DbErr> {
    use state_transition::Column as C;
    let values = Query::select()
        .exprs([
            Expr::val(t.entity),
            Expr::val(t.id),
            Expr::val(t.from),
            Expr::val(t.to),
            Expr::val(t.event),
            Expr::val(t.actor),
            Expr::val(Utc::now()),
        ])
        .and_where(Expr::exists(condition))
        .to_owned();
    let mut insert = Query::insert();
    insert
        .into_table(state_transition::Entity)
        .columns([C::Entity, C::EntityId, C::FromState, C::ToState, C::Event, C::ActorId, C::At])
        .select_from(values)
        .map_err(|e| DbErr::Custom(format!("recording a transition: {e}")))?;
    Ok(insert)
}

/// The expression naming a statement's rows in a [`Batch`]: a literal in a column `tag`.
pub fn tag_column(tag: &'static str) -> Expr {
    debug_assert!(tag.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "a tag is a plain word");
    Expr::cust(format!("'{tag}' AS tag"))
}

/// Statements sent to the database together, in order, in the caller's transaction.
///
/// On SQLite they go as one string of statements: sqlx runs them one after another on the
/// connection's thread, binding each statement's `?`s in turn from the one list of values, so
/// the whole batch is one round trip to that thread instead of one a statement. (Each round trip
/// is a hand-over between threads; in the write turn, where every other writer waits, those
/// hand-overs were most of the time a decision held it. See the README's figures.) On
/// PostgreSQL, which prepares one statement at a time, they run one after another.
///
/// Every statement runs, whatever an earlier one did: a caller that must not keep what follows
/// a failed guard checks the rows the batch returns and rolls the transaction back.
#[derive(Debug)]
pub struct Batch {
    backend: DbBackend,
    statements: Vec<Statement>,
}

impl Batch {
    pub fn new(conn: &impl ConnectionTrait) -> Self {
        Batch { backend: conn.get_database_backend(), statements: Vec::new() }
    }

    /// Adds a statement. One whose rows the caller reads back names them with [`tag_column`].
    pub fn push(&mut self, statement: &impl StatementBuilder) {
        self.statements.push(self.backend.build(statement));
    }

    /// Runs the statements and answers the rows they returned, in order.
    pub async fn run(&self, conn: &impl ConnectionTrait) -> Result<BatchRows, DbErr> {
        self.run_with(conn, None).await
    }

    /// Runs `first` (a statement without values or rows, such as a `SAVEPOINT`), then the
    /// statements; on SQLite all in the one round trip.
    pub async fn run_after(&self, conn: &impl ConnectionTrait, first: &str) -> Result<BatchRows, DbErr> {
        self.run_with(conn, Some(first)).await
    }

    async fn run_with(&self, conn: &impl ConnectionTrait, first: Option<&str>) -> Result<BatchRows, DbErr> {
        let rows = match self.backend {
            DbBackend::Sqlite if self.statements.len() + usize::from(first.is_some()) > 1 => {
                let mut sql = first.unwrap_or_default().to_owned();
                let mut values = Vec::new();
                for s in &self.statements {
                    append(&mut sql, &mut values, s);
                }
                let values = (!values.is_empty()).then_some(Values(values));
                conn.query_all_raw(Statement { sql, values, db_backend: self.backend }).await?
            }
            _ => {
                if let Some(first) = first {
                    conn.execute_unprepared(first).await?;
                }
                let mut rows = Vec::new();
                for s in &self.statements {
                    rows.extend(conn.query_all_raw(s.clone()).await?);
                }
                rows
            }
        };
        Ok(BatchRows(rows))
    }
}

/// Appends a statement to a string of statements, and its values to theirs.
fn append(sql: &mut String, values: &mut Vec<sea_orm::Value>, s: &Statement) {
    if !sql.is_empty() {
        sql.push_str(";\n");
    }
    sql.push_str(&s.sql);
    if let Some(v) = &s.values {
        values.extend(v.0.iter().cloned());
    }
}

/// The rows a [`Batch`] returned, found by their tag.
#[derive(Debug, Default)]
pub struct BatchRows(Vec<QueryResult>);

impl BatchRows {
    /// The rows tagged `tag`, in order.
    pub fn tagged(&self, tag: &'static str) -> impl Iterator<Item = &QueryResult> {
        self.0.iter().filter(move |r| r.try_get::<String>("", "tag").is_ok_and(|t| t == tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::entities::trust;
    use crate::server::testing;
    use sea_orm::{QueryOrder, QuerySelect};

    #[tokio::test]
    async fn a_batch_binds_each_statements_values_in_turn_and_finds_the_rows_by_their_tag() {
        let db = testing::database().await;
        let (a, b) = (testing::add_trust(&db, "RAA").await, testing::add_trust(&db, "RBB").await);
        let txn = begin_write(&db).await.unwrap();
        let mut batch = Batch::new(&txn);
        let mut rename = trust::Entity::update_many()
            .col_expr(trust::Column::Name, Expr::value("Renamed Trust"))
            .filter(trust::Column::Id.eq(a))
            .into_query();
        rename.returning(Query::returning().exprs([tag_column("renamed"), Expr::col(trust::Column::Id)]));
        batch.push(&rename);
        // A guard that fails returns no row, and the statements after it still run.
        let mut missing = trust::Entity::update_many()
            .col_expr(trust::Column::Name, Expr::value("Nobody"))
            .filter(trust::Column::Id.eq(-1))
            .into_query();
        missing.returning(Query::returning().expr(tag_column("missing")));
        batch.push(&missing);
        let listed = trust::Entity::find()
            .select_only()
            .column(trust::Column::Name)
            .expr(tag_column("listed"))
            .filter(trust::Column::Id.is_in([a, b]))
            .order_by_asc(trust::Column::Id);
        batch.push(&listed.into_query());
        let rows = batch.run(&txn).await.unwrap();
        txn.commit().await.unwrap();

        let renamed: Vec<i32> = rows.tagged("renamed").map(|r| r.try_get("", "id").unwrap()).collect();
        assert_eq!(renamed, vec![a]);
        assert_eq!(rows.tagged("missing").count(), 0);
        // The select's two ids were bound after the update's name and id, and it saw the update.
        let names: Vec<String> = rows.tagged("listed").map(|r| r.try_get("", "name").unwrap()).collect();
        assert_eq!(names, vec!["Renamed Trust".to_owned(), "RBB NHS Foundation Trust".to_owned()]);
    }

    #[tokio::test]
    async fn a_batch_that_fails_part_way_is_an_error_and_its_transaction_rolls_back_whole() {
        let db = testing::database().await;
        let a = testing::add_trust(&db, "RAA").await;
        let txn = begin_write(&db).await.unwrap();
        let mut batch = Batch::new(&txn);
        batch.push(
            &trust::Entity::update_many()
                .col_expr(trust::Column::Name, Expr::value("Renamed Trust"))
                .filter(trust::Column::Id.eq(a))
                .into_query(),
        );
        // The ODS code is unique: a second trust with the same one fails.
        let twin = trust::ActiveModel {
            ods_code: Set("RAA".to_owned()),
            name: Set("Twin".to_owned()),
            contact_email: Set(None),
            created_at: Set(Utc::now()),
            ..Default::default()
        };
        batch.push(&trust::Entity::insert(twin).into_query());
        let err = batch.run(&txn).await.unwrap_err();
        assert!(is_unique_violation(&err), "{err}");
        txn.rollback().await.unwrap();
        let kept = trust::Entity::find_by_id(a).one(&db).await.unwrap().unwrap();
        assert_eq!(kept.name, "RAA NHS Foundation Trust");
    }
}
