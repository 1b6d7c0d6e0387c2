//! Who is told of each step, in the app and by mail, in the step's own transaction: the
//! notification and the outbox row commit with the change or not at all, and the mail worker
//! delivers each once. Mail says what happened and where to read it; reasons and learning goals
//! stay in the service.

use super::Context;
use crate::domain::{ApplicationEvent, ApplicationState, Party, Role};
use crate::error::AppError;
use crate::server::access::Actor;
use crate::server::db::Batch;
use crate::server::entities::{application, grant_team, notification, placement, role_grant, user};
use crate::server::outbox::{self, OutgoingMail};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};

/// The people who are `parties` to application `a` (to placement `p`), in one query: the
/// applicant; the active line managers whose grants cover the applicant's team at their home
/// trust; the active placement leads of the host trust. The applicant comes first.
async fn people(
    conn: &impl ConnectionTrait,
    a: &application::Model,
    p: &placement::Model,
    parties: &[Party],
) -> Result<Vec<user::Model>, AppError> {
    let holding = |role: Role, trust: i32| {
        role_grant::Entity::find()
            .select_only()
            .column(role_grant::Column::UserId)
            .filter(role_grant::Column::Role.eq(role))
            .filter(role_grant::Column::TrustId.eq(trust))
    };
    let mut any = Condition::any();
    for party in parties {
        any = any.add(match party {
            Party::Applicant => Condition::all().add(user::Column::Id.eq(a.applicant_id)),
            // A line manager's grant counts only if it covers the team.
            Party::LineManager => Condition::all().add(user::Column::Active.eq(true)).add(
                user::Column::Id.in_subquery(
                    holding(Role::LineManager, a.home_trust_id)
                        .filter(
                            role_grant::Column::Id.in_subquery(
                                grant_team::Entity::find()
                                    .select_only()
                                    .column(grant_team::Column::GrantId)
                                    .filter(grant_team::Column::TeamId.eq(a.team_id))
                                    .into_query(),
                            ),
                        )
                        .into_query(),
                ),
            ),
            Party::HostLead => Condition::all()
                .add(user::Column::Active.eq(true))
                .add(user::Column::Id.in_subquery(holding(Role::PlacementLead, p.trust_id).into_query())),
        });
    }
    let mut found = user::Entity::find().filter(any).order_by_asc(user::Column::Id).all(conn).await?;
    found.sort_by_key(|u| u.id != a.applicant_id);
    Ok(found)
}

/// What a step tells whom, in the app and by mail. Working it out reads (who holds which role);
/// writing it is two statements. A decision works it out before its turn to write, so the turn
/// holds only the writes (see `applications::decide`).
#[derive(Debug, Clone)]
pub(super) struct Telling {
    people: Vec<user::Model>,
    kind: &'static str,
    subject: &'static str,
    text: String,
}

impl Telling {
    /// Each of `people` once, but never the one who acted.
    fn new(
        people: Vec<user::Model>,
        actor: Option<i32>,
        (kind, subject): (&'static str, &'static str),
        text: String,
    ) -> Self {
        let mut told: Vec<user::Model> = Vec::new();
        for person in people.into_iter().filter(|p| Some(p.id) != actor) {
            if !told.iter().any(|t| t.id == person.id) {
                told.push(person);
            }
        }
        Telling { people: told, kind, subject, text }
    }

    /// Writes the notifications and the mail for application `a`: one statement for each,
    /// however many are told.
    pub(super) async fn write(&self, conn: &impl ConnectionTrait, cx: Context<'_>, a: i32) -> Result<(), AppError> {
        let mut batch = Batch::new(conn);
        self.push_to(&mut batch, cx, a);
        batch.run(conn).await?;
        Ok(())
    }

    /// Adds to `batch` the statements [`Telling::write`] runs.
    pub(super) fn push_to(&self, batch: &mut Batch, cx: Context<'_>, a: i32) {
        if self.people.is_empty() {
            return;
        }
        let (kind, text) = (self.kind, &self.text);
        let link = format!("{}/applications/{a}", cx.public_url);
        let now = Utc::now();
        let text_kept: String = text.chars().take(500).collect();
        let notifications =
            notification::Entity::insert_many(self.people.iter().map(|person| notification::ActiveModel {
                user_id: Set(person.id),
                application_id: Set(Some(a)),
                kind: Set(kind.to_owned()),
                text: Set(text_kept.clone()),
                created_at: Set(now),
                read_at: Set(None),
                ..Default::default()
            }));
        batch.push(&notifications.into_query());
        let mails = self
            .people
            .iter()
            .map(|person| OutgoingMail {
                kind,
                recipient: person.email.clone(),
                subject: self.subject.to_owned(),
                body_text: format!(
                    "Dear {},\n\n{text}\n\nSign in to see the application and what it is waiting for:\n\n{link}\n",
                    person.name
                ),
            })
            .collect();
        if let Some(mails) = outbox::enqueuing(mails) {
            batch.push(&mails);
        }
    }
}

/// Tells each of `people` (but never the one who acted) `text`, in the app and by mail.
async fn tell(
    conn: &impl ConnectionTrait,
    cx: Context<'_>,
    people: Vec<user::Model>,
    actor: Option<i32>,
    a: &application::Model,
    kind_subject: (&'static str, &'static str),
    text: String,
) -> Result<(), AppError> {
    Telling::new(people, actor, kind_subject, text).write(conn, cx, a.id).await
}

/// A new application: the host's leads and the applicant's line managers each have a decision
/// to make.
pub(super) async fn submitted(
    conn: &impl ConnectionTrait,
    cx: Context<'_>,
    a: &application::Model,
    p: &placement::Model,
    name: &str,
) -> Result<(), AppError> {
    let text = format!("{name} has applied for {}. Accept or decline the application", p.title);
    tell(
        conn,
        cx,
        people(conn, a, p, &[Party::HostLead]).await?,
        None,
        a,
        ("application_submitted", "New application for your placement"),
        text,
    )
    .await?;
    let text = format!(
        "{name} asks to be released for {}. Release them or decline, once you have checked your team's cover",
        p.title
    );
    tell(
        conn,
        cx,
        people(conn, a, p, &[Party::LineManager]).await?,
        None,
        a,
        ("release_requested", "A release request from your team"),
        text,
    )
    .await
}

/// Whom a step concerns and what they are told: `a` as the step leaves it.
pub(super) async fn telling_of(
    conn: &impl ConnectionTrait,
    a: &application::Model,
    p: &placement::Model,
    actor: &Actor,
    event: ApplicationEvent,
) -> Result<Telling, AppError> {
    use ApplicationEvent as E;
    let by = Some(actor.user_id);
    let title = &p.title;
    if a.state == ApplicationState::Approved {
        let text = format!("The placement {title} has been approved: both the line manager and the host have agreed");
        let everyone = people(conn, a, p, &[Party::Applicant, Party::LineManager, Party::HostLead]).await?;
        return Ok(Telling::new(everyone, by, ("application_approved", "A placement has been approved"), text));
    }
    let (told, by, kind_subject, text) = match event {
        E::Release => (
            people(conn, a, p, &[Party::Applicant]).await?,
            by,
            ("application_released", "You have been released"),
            format!("Your line manager has released you for {title}. The host decides next"),
        ),
        E::Accept => (
            people(conn, a, p, &[Party::Applicant]).await?,
            by,
            ("application_accepted", "Your application was accepted"),
            format!("The host has accepted your application for {title}. Your line manager decides next"),
        ),
        E::RefuseRelease | E::Decline => (
            people(conn, a, p, &[Party::Applicant]).await?,
            by,
            ("application_declined", "Your application was declined"),
            format!("Your application for {title} has been declined. Sign in to read why"),
        ),
        E::Withdraw | E::Cancel | E::EndEarly => {
            let (kind, subject, what) = match event {
                E::Withdraw => ("application_withdrawn", "An application was withdrawn", "withdrawn"),
                E::Cancel => ("application_cancelled", "A placement was cancelled", "cancelled"),
                _ => ("application_ended", "A placement ended early", "ended early"),
            };
            let everyone = people(conn, a, p, &[Party::Applicant, Party::LineManager, Party::HostLead]).await?;
            (everyone, by, (kind, subject), format!("The application for {title} has been {what}. Sign in to read why"))
        }
        E::RecordInduction => (
            people(conn, a, p, &[Party::Applicant]).await?,
            by,
            ("application_inducted", "Induction recorded"),
            format!("Your induction for {title} has been recorded"),
        ),
        E::Complete => {
            let both = people(conn, a, p, &[Party::Applicant, Party::HostLead]).await?;
            (
                both,
                None,
                ("feedback_requested", "Your feedback on a placement"),
                format!("The placement {title} is complete. Please give your feedback: it takes two minutes"),
            )
        }
    };
    Ok(Telling::new(told, by, kind_subject, text))
}

/// A reminder to whoever the application has kept waiting.
pub(super) async fn reminded(
    conn: &impl ConnectionTrait,
    cx: Context<'_>,
    a: &application::Model,
    p: &placement::Model,
    waiting: &[Party],
) -> Result<(), AppError> {
    let waiting_on = people(conn, a, p, waiting).await?;
    let text = format!("An application for {} is still waiting for your decision", p.title);
    tell(conn, cx, waiting_on, None, a, ("reminder", "Reminder: an application is waiting for you"), text).await
}
