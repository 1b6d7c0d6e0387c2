//! Feedback on a completed placement: once from the applicant and once from the host's lead.

use super::involving;
use crate::domain::AuditAction;
use crate::domain::{ApplicationState, Feedback, FeedbackInput, Party};
use crate::error::AppError;
use crate::server::access::Actor;
use crate::server::db;
use crate::server::entities::application_feedback;
use crate::server::services::audit;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;

/// The party `parties` give feedback as, if any: the applicant, else the host's lead.
pub(super) fn feedback_party(parties: &[Party]) -> Option<Party> {
    [Party::Applicant, Party::HostLead].into_iter().find(|p| parties.contains(p))
}

pub(super) fn party_code(p: Party) -> &'static str {
    match p {
        Party::Applicant => "applicant",
        Party::HostLead => "host_lead",
        Party::LineManager => "line_manager",
    }
}

/// Records the signed-in person's feedback on completed application `id`.
pub async fn give_feedback(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: i32,
    input: &FeedbackInput,
) -> Result<String, AppError> {
    let (a, p, parties) = involving(txn, actor, id).await?;
    let Some(party) = feedback_party(&parties) else {
        return Err(AppError::Refused("Feedback comes from the applicant and the host's placement lead".into()));
    };
    if a.state != ApplicationState::Completed {
        return Err(AppError::Conflict("Feedback can be given once the placement is completed".into()));
    }
    let f = Feedback::parse(input)?;
    let inserted = application_feedback::ActiveModel {
        application_id: Set(a.id),
        party: Set(party_code(party).to_owned()),
        outcomes_met: Set(f.outcomes_met.code().to_owned()),
        rating: Set(i16::from(f.rating)),
        would_recommend: Set(f.would_recommend),
        comments: Set(f.comments),
        given_by: Set(Some(actor.user_id)),
        given_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if db::is_unique_violation(&e) => {
            return Err(AppError::Conflict("Feedback on this placement has already been given".into()));
        }
        Err(e) => return Err(e.into()),
    }
    audit::record_by(
        txn,
        actor,
        audit::Event {
            action: AuditAction::FeedbackGiven,
            subject: format!("application {} (placement {})", a.id, p.id),
            trust_id: Some(p.trust_id),
            detail: json!({ "party": party_code(party), "rating": f.rating }),
        },
    )
    .await?;
    Ok("Thank you: your feedback has been saved".into())
}
