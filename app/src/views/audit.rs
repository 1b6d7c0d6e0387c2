//! The audit log, for the alliance's project managers.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub who: String,
    pub action: crate::domain::AuditAction,
    pub subject: String,
    pub trust: String,
    pub from: String,
    pub detail: String,
}
