//! Mail delivery: SMTP in production, `.eml` files for the embedded default.

use crate::config::{MailSettings, MailTransportKind, SmtpTls};
use anyhow::Context;
use app::server::outbox::ClaimedMail;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, FileTransport, Message, Tokio1Executor, Transport,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};
use std::time::Duration;

/// Where mail goes.
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Written with blocking file calls, a claimed batch at a time on one blocking thread.
    File(FileTransport),
}

impl Mailer {
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Self> {
        Ok(match settings.transport {
            MailTransportKind::File => {
                std::fs::create_dir_all(&settings.file_dir)
                    .with_context(|| format!("creating {}", settings.file_dir.display()))?;
                Mailer::File(FileTransport::new(&settings.file_dir))
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

    /// Delivers each message of a claimed batch in turn, each with its outcome; the error is a
    /// short description for the outbox row. Over SMTP the messages share the transport's pooled
    /// connection. As files, the whole batch is written on one blocking thread: one hand-over to
    /// tokio's blocking pool a batch rather than one a message.
    pub async fn send_all(&self, from: &Mailbox, batch: Vec<ClaimedMail>) -> Vec<(ClaimedMail, Result<(), String>)> {
        match self {
            Mailer::Smtp(t) => {
                let mut outcomes = Vec::with_capacity(batch.len());
                for mail in batch {
                    let outcome = match message(from, &mail) {
                        Ok(message) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    };
                    outcomes.push((mail, outcome));
                }
                outcomes
            }
            Mailer::File(t) => {
                let (t, from, ids) = (t.clone(), from.clone(), batch.iter().map(|m| m.id).collect::<Vec<_>>());
                let written = tokio::task::spawn_blocking(move || {
                    batch
                        .into_iter()
                        .map(|mail| {
                            let outcome = message(&from, &mail)
                                .and_then(|message| t.send(&message).map(|_| ()).map_err(|e| e.to_string()));
                            (mail, outcome)
                        })
                        .collect()
                })
                .await;
                // The blocking task cannot be cancelled; it fails only by panicking, and then no
                // message of the batch is known to be written.
                written.unwrap_or_else(|e| {
                    tracing::error!(error = %e, ?ids, "writing mail files panicked");
                    Vec::new()
                })
            }
        }
    }
}

/// The message for `mail`, or why it cannot be sent (an address that does not parse).
fn message(from: &Mailbox, mail: &ClaimedMail) -> Result<Message, String> {
    let to: Mailbox = mail.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body_text.clone())
        .map_err(|e| format!("building message: {e}"))
}
