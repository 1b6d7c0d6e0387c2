//! Database helpers shared by every service.

use crate::error::AppError;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
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
