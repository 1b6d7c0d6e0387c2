//! Mail delivery: SMTP in production, `.eml` files for the embedded default.

use crate::config::{MailSettings, MailTransportKind, SmtpTls};
use anyhow::Context;
use app::server::outbox::ClaimedMail;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};
use std::time::Duration;

/// Where mail goes.
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

impl Mailer {
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Self> {
        Ok(match settings.transport {
            MailTransportKind::File => {
                std::fs::create_dir_all(&settings.file_dir)
                    .with_context(|| format!("creating {}", settings.file_dir.display()))?;
                Mailer::File(AsyncFileTransport::new(&settings.file_dir))
            }
            MailTransportKind::Smtp => {
                let smtp = &settings.smtp;
                let builder = match smtp.tls {
                    SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
                    SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?,
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
                };
                let mut builder = builder.port(smtp.port).timeout(Some(Duration::from_secs(smtp.timeout_seconds)));
                if let (Some(user), Some(pass)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), pass.expose().to_owned()));
                }
                Mailer::Smtp(builder.build())
            }
        })
    }

    /// Delivers one message. The error is a short description for the outbox row.
    pub async fn send(&self, from: &Mailbox, mail: &ClaimedMail) -> Result<(), String> {
        let to: Mailbox = mail.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body_text.clone())
            .map_err(|e| format!("building message: {e}"))?;
        match self {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Mailer::File(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}
