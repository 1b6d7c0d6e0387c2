//! Database helpers shared by every service.

use super::entities::state_transition;
use crate::error::AppError;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, Set, SqliteTransactionMode, TransactionOptions, TransactionTrait, UpdateMany,
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
    .insert(conn)
    .await?;
    Ok(())
}
