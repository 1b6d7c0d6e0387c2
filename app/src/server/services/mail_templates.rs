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

/// A single-use link to set a new password.
pub fn password_reset(recipient: &str, name: &str, link: &str, minutes: i64) -> OutgoingMail {
    OutgoingMail {
        kind: "password_reset",
        recipient: recipient.to_owned(),
        subject: "Reset your Placement Passport password".into(),
        body_text: format!(
            "Dear {name},\n\n\
             Someone asked to reset the password for your Placement Passport account. To choose \
             a new password, open this link:\n\n{link}\n\n\
             The link works once, for {minutes} minutes.\n\n\
             If you did not ask for this, you can ignore this email: your password has not changed.\n"
        ),
    }
}

/// An invitation to a new person to set their password.
pub fn invitation(recipient: &str, name: &str, inviter: &str, link: &str, days: i64) -> OutgoingMail {
    OutgoingMail {
        kind: "invitation",
        recipient: recipient.to_owned(),
        subject: "You have been invited to Placement Passport".into(),
        body_text: format!(
            "Dear {name},\n\n\
             {inviter} has added you to Placement Passport, the Greater Manchester Cancer \
             staff movement pilot. To create your password and sign in, open this link:\n\n\
             {link}\n\n\
             The link works once, for {days} days. If it has expired, ask {inviter} to send \
             another.\n"
        ),
    }
}

/// Tells an HR passport officer that a holder says their passport is wrong. The holder's words
/// stay in the service (they may hold personal data): the email says only where to read them.
pub fn passport_problem(recipient: &str, officer: &str, holder: &str, link: &str) -> OutgoingMail {
    OutgoingMail {
        kind: "passport_problem",
        recipient: recipient.to_owned(),
        subject: format!("{holder} reported a problem with their passport"),
        body_text: format!(
            "Dear {officer},\n\n\
             {holder} says something in their digital staff passport is wrong. Sign in to read \
             what they reported, put it right and reissue their passport:\n\n{link}\n\n\
             Until you do, their passport shows in your trust's passport queue.\n"
        ),
    }
}
