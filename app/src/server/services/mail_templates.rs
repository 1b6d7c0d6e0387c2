//! One function per message: subject and plain-text body. NHS style: plain English, no jargon.

use super::super::outbox::OutgoingMail;

/// Tells a trust's contact that a team was added to their trust.
pub fn team_added(recipient: &str, trust_name: &str, team_name: &str, min_cover: u16, link: &str) -> OutgoingMail {
    OutgoingMail {
        kind: "team_added",
        recipient: recipient.to_owned(),
        subject: format!("Team added to {trust_name}: {team_name}"),
        body_text: format!(
            "A team called {team_name} has been added to {trust_name} in Placement Passport.\n\n\
             Minimum cover: {min_cover} staff on duty. Staff in this team will not be released \
             for a placement if it would leave fewer than that.\n\n\
             See the trust's teams: {link}\n\n\
             If you did not expect this change, contact your alliance project manager.\n"
        ),
    }
}
