//! What the server knows about the request in hand: who is asking and from where. The server's
//! session middleware builds it once per request and puts it in the request's extensions.

use super::access::Actor;
use crate::error::AppError;

#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    /// The client's network address, for throttling and the audit log.
    pub ip: String,
    pub user_agent: Option<String>,
    /// The signed-in person, if the session cookie named a live session.
    pub actor: Option<Actor>,
}

impl RequestContext {
    pub fn actor(&self) -> Option<&Actor> {
        self.actor.as_ref()
    }

    /// The signed-in person; anyone else is asked to sign in first.
    pub fn signed_in(&self) -> Result<&Actor, AppError> {
        self.actor.as_ref().ok_or(AppError::Unauthenticated)
    }
}
