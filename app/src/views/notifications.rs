//! In-app notifications.

use serde::{Deserialize, Serialize};

pub const NOTIFICATIONS_FORM: &str = "notifications";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRow {
    pub id: i64,
    pub text: String,
    /// "2027-03-01 09:05 UTC".
    pub at: String,
    pub unread: bool,
    /// Where opening it goes.
    pub link: String,
}
