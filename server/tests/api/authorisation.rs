//! The authorisation table: every action that exists, tried by every role at its own trust and
//! at another trust (and, for actions on a person, on themself and on the project manager),
//! against the real server. A refused action must also change nothing; an allowed read must
//! show what it was asked for.
//! Later features add their rows here; a missing rule shows as a failing row.

use crate::helpers::{HR_R0A, LEAD_R0A, MANAGER_R0A, NURSE_R0A, NURSE_RM3, PM, TestApp, spawn_app};
use crate::placements_schema::placement_at;
use app::domain::PlacementState;
use app::server::entities::{role_grant, team, trust, user};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Declares an enum with `ALL`, its variants in declaration order, so a variant added to an
/// axis of the table enters every product (and the row count) by itself.
macro_rules! axis {
    ($(#[$meta:meta])* enum $name:ident { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
        }
    };
}

axis! {
/// Who tries.
enum Who {
    Anonymous,
    Staff,
    LineManager,
    PlacementLead,
    HrOfficer,
    ProjectManager,
}
}

impl Who {
    fn email(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::Staff => Some(NURSE_R0A),
            Who::LineManager => Some(MANAGER_R0A),
            Who::PlacementLead => Some(LEAD_R0A),
            Who::HrOfficer => Some(HR_R0A),
            Who::ProjectManager => Some(PM),
        }
    }
}

axis! {
/// Whose trust or person the action touches: the actor's own trust (R0A) or another (RM3), and,
/// for actions on a person, the actor themself and the alliance's project manager.
enum Whose {
    Own,
    Other,
    Myself,
    ProjectManager,
}
}

impl Whose {
    fn ods(self) -> &'static str {
        match self {
            Whose::Own | Whose::Myself | Whose::ProjectManager => "R0A",
            Whose::Other => "RM3",
        }
    }
    /// The target of person actions: a staff member of that trust, the actor, or the PM.
    fn person(self, who: Who) -> &'static str {
        match self {
            Whose::Own => NURSE_R0A,
            Whose::Other => NURSE_RM3,
            Whose::Myself => who.email().unwrap_or(NURSE_R0A),
            Whose::ProjectManager => PM,
        }
    }
    /// Whether the row is tried at all: the actor themself and the project manager are
    /// targets of actions on a person only, and someone not signed in has no self.
    fn applies(self, who: Who, act: Act) -> bool {
        match self {
            Whose::Own | Whose::Other => true,
            Whose::Myself if who == Who::Anonymous => false,
            Whose::Myself | Whose::ProjectManager => act.targets_person(),
        }
    }
}

axis! {
/// What is tried. Deactivation comes last: it signs the target out, and the target (a nurse)
/// is also an actor.
enum Act {
    AddTrust,
    EditTrust,
    AddSite,
    RenameSite,
    AddTeam,
    EditTeam,
    AddPathway,
    SetPathwayStatus,
    RenamePathway,
    ListPeople,
    ViewPerson,
    AddPerson,
    EditPerson,
    GrantLead,
    GrantHr,
    RemoveGrant,
    ViewAuditLog,
    CreatePlacement,
    EditPlacement,
    PublishPlacement,
    ClosePlacement,
    CancelPlacement,
    CopyPlacement,
    ViewDraftPlacement,
    ViewOpenPlacement,
    ListTrustPlacements,
    ReopenPlacement,
    PlacementFormChoices,
    PlacementEditForm,
    BrowsePlacements,
    IssuePassport,
    RevokePassport,
    ViewPassportHistory,
    RotateIssuerKey,
    RetireIssuerKey,
    ConfirmPassport,
    ReportPassportProblem,
    VerifyPassport,
    ViewPassportRecord,
    UploadPassportPhoto,
    ViewPassportQueue,
    ViewPassportPhoto,
    ViewCurrentPassport,
    MyPassport,
    DownloadPassport,
    DownloadPassportJson,
    ViewTeam,
    PeopleFormChoices,
    ResendInvitation,
    Reactivate,
    Deactivate,
}
}

impl Act {
    /// Acts on one person named by id (so the actor themself and a project manager are targets).
    fn targets_person(self) -> bool {
        use Act::*;
        matches!(
            self,
            ViewPerson
                | EditPerson
                | GrantLead
                | GrantHr
                | RemoveGrant
                | Deactivate
                | Reactivate
                | IssuePassport
                | RevokePassport
                | ViewPassportHistory
                | ViewCurrentPassport
                | ConfirmPassport
                | ReportPassportProblem
                | ViewPassportRecord
                | UploadPassportPhoto
        )
    }

    /// Reads: allowed, they need not change anything (but must show what was asked for).
    fn is_read(self) -> bool {
        use Act::*;
        matches!(
            self,
            ListPeople
                | ViewPerson
                | ViewAuditLog
                | ViewDraftPlacement
                | ViewOpenPlacement
                | ListTrustPlacements
                | PlacementFormChoices
                | PlacementEditForm
                | BrowsePlacements
                | ViewPassportHistory
                | ViewPassportRecord
                | ViewPassportQueue
                | ViewCurrentPassport
                | MyPassport
                | ViewTeam
                | PeopleFormChoices
        )
    }
}

/// The table. `true`: allowed. Every (who, act, whose) not listed as allowed must be refused.
fn allowed(who: Who, act: Act, whose: Whose) -> bool {
    use Act::*;
    if matches!(whose, Whose::Myself | Whose::ProjectManager) {
        return allowed_on_oneself_or_the_pm(who, act, whose);
    }
    let manage_placements = matches!(
        act,
        CreatePlacement
            | EditPlacement
            | PublishPlacement
            | ClosePlacement
            | ReopenPlacement
            | CancelPlacement
            | CopyPlacement
            | ViewDraftPlacement
            | PlacementFormChoices
            | PlacementEditForm
    );
    match (act, who) {
        // Passports: the home trust's HR issues, revokes, rotates and retires keys; the holder
        // and their HR see the history. Nobody else, not even a project manager.
        (IssuePassport | RevokePassport | RotateIssuerKey | RetireIssuerKey, Who::HrOfficer) => whose == Whose::Own,
        (IssuePassport | RevokePassport | RotateIssuerKey | RetireIssuerKey, _) => false,
        // The staff actor is the own-trust target, so that row is the holder reading their own.
        (ViewPassportHistory | ViewCurrentPassport, Who::HrOfficer | Who::Staff) => whose == Whose::Own,
        (ViewPassportHistory | ViewCurrentPassport, _) => false,
        // "Mine" and the downloads are the caller's own passport, whoever asks (the row's
        // preparation issues them one); a project manager, with no home trust, holds none.
        (MyPassport, Who::Anonymous) => false,
        (MyPassport, _) => true,
        (DownloadPassport | DownloadPassportJson, Who::Anonymous | Who::ProjectManager) => false,
        (DownloadPassport | DownloadPassportJson, _) => true,
        // A team's edit form is the network's managers'; the people forms' choices are for
        // whoever may add people (a project manager, HR at their own trust).
        (ViewTeam, Who::ProjectManager) => true,
        (ViewTeam, _) => false,
        (PeopleFormChoices, Who::ProjectManager | Who::HrOfficer) => true,
        (PeopleFormChoices, _) => false,
        // Only the holder says whether their passport's items are right.
        (ConfirmPassport | ReportPassportProblem, Who::Staff) => whose == Whose::Own,
        (ConfirmPassport | ReportPassportProblem, _) => false,
        // Anyone, signed in or not, may check a passport (and the check is in its history),
        // and see the photo whose digest a passport disclosed to them.
        (VerifyPassport | ViewPassportPhoto, _) => true,
        // HR's record of the checks, the photo upload and the queue: the home trust's HR only.
        (ViewPassportRecord | UploadPassportPhoto | ViewPassportQueue, Who::HrOfficer) => whose == Whose::Own,
        (ViewPassportRecord | UploadPassportPhoto | ViewPassportQueue, _) => false,
        // Any signed-in person sees a published placement.
        (ViewOpenPlacement, Who::Anonymous) => false,
        (ViewOpenPlacement, _) => true,
        // Anyone signed in browses the open placements of every trust.
        (BrowsePlacements, Who::Anonymous) => false,
        (BrowsePlacements, _) => true,
        // A trust's leads manage its placements (and alone see its drafts); project managers
        // see every trust's published list but change none.
        (ListTrustPlacements, Who::PlacementLead) => whose == Whose::Own,
        (ListTrustPlacements, Who::ProjectManager) => true,
        (ListTrustPlacements, _) => false,
        (_, Who::PlacementLead) if manage_placements => whose == Whose::Own,
        _ if manage_placements => false,
        _ => allowed_before_placements(who, act, whose),
    }
}

fn allowed_before_placements(who: Who, act: Act, whose: Whose) -> bool {
    use Act::*;
    match who {
        Who::ProjectManager => true,
        Who::HrOfficer => {
            whose == Whose::Own
                && matches!(
                    act,
                    ListPeople
                        | ViewPerson
                        | AddPerson
                        | EditPerson
                        | GrantLead
                        | RemoveGrant
                        | Deactivate
                        | Reactivate
                        | ResendInvitation
                )
        }
        Who::Anonymous | Who::Staff | Who::LineManager | Who::PlacementLead => false,
    }
}

/// Actions on the actor themself, or on the alliance's project manager (who is themself when a
/// project manager acts). Separation of duties: nobody changes their own roles, deactivates
/// themself, or issues, revokes or records checks for their own passport.
fn allowed_on_oneself_or_the_pm(who: Who, act: Act, whose: Whose) -> bool {
    use Act::*;
    let pm = who == Who::ProjectManager;
    let myself = whose == Whose::Myself || pm;
    match act {
        // Anyone signed in reads their own passport's summary and history.
        ViewPassportHistory | ViewCurrentPassport => myself,
        // The holder alone reviews their passport; a project manager holds none (no home trust).
        ConfirmPassport | ReportPassportProblem => whose == Whose::Myself && !pm,
        // A project manager sees and changes their own details (reactivating an active account
        // changes only its record); HR sees their own, and their own passport record.
        ViewPerson => pm || (who == Who::HrOfficer && whose == Whose::Myself),
        EditPerson | Reactivate => pm,
        ViewPassportRecord => who == Who::HrOfficer && whose == Whose::Myself,
        GrantLead | GrantHr | RemoveGrant | Deactivate | IssuePassport | RevokePassport | UploadPassportPhoto => false,
        _ => unreachable!("{act:?} does not act on a person"),
    }
}

/// Tables outside the fingerprint: only the schema's own history. Everything else is in it —
/// the audit logs, the outbox, emailed links, sessions, status list bits, form flashes and the
/// sign-in throttle — so a refused action that leaves any trace anywhere fails its row.
const VOLATILE_TABLES: [&str; 1] = ["seaql_migrations"];

/// Columns that change on any signed-in request, whatever is tried: a session's last-seen time.
const VOLATILE_COLUMNS: [(&str, &str); 1] = [("sessions", "last_seen_at")];

/// The mail worker delivers in the background, so a queued message's delivery columns change on
/// their own: of the outbox, only what was queued (and to whom) counts.
const OUTBOX_QUEUED: [&str; 5] = ["id", "kind", "recipient", "subject", "created_at"];

/// Everything the rules protect, in one comparable value: every row of every table but the
/// volatile ones, read as text, so a table added by a later feature is covered by itself.
async fn fingerprint(app: &TestApp) -> String {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = app.db.get_database_backend();
    let names = |sql: &str| Statement::from_string(backend, sql.to_owned());
    let tables: Vec<String> = app
        .db
        .query_all_raw(names(match backend {
            DbBackend::Postgres => {
                "SELECT table_name AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
            }
            _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
        }))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .filter(|t| !VOLATILE_TABLES.contains(&t.as_str()))
        .collect();
    assert!(tables.len() > 10, "the fingerprint reads the schema: {tables:?}");
    let mut out = String::new();
    for table in tables {
        let columns: Vec<String> = app
            .db
            .query_all_raw(names(&match backend {
                DbBackend::Postgres => format!(
                    "SELECT column_name AS name FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
                ),
                _ => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            }))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "name").unwrap())
            .filter(|c| table != "outbox" || OUTBOX_QUEUED.contains(&c.as_str()))
            .filter(|c| !VOLATILE_COLUMNS.contains(&(table.as_str(), c.as_str())))
            .collect();
        let row = columns
            .iter()
            // SQLite's quote() spells every value (a blob as X'…') as valid text; PostgreSQL's
            // text cast does the same (bytea as \x…).
            .map(|c| match backend {
                DbBackend::Postgres => format!("COALESCE(CAST(\"{c}\" AS TEXT), '-')"),
                _ => format!("quote(\"{c}\")"),
            })
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows =
            app.db.query_all_raw(names(&format!("SELECT {row} AS r FROM \"{table}\" ORDER BY 1"))).await.unwrap();
        out.push_str(&table);
        for r in rows {
            out.push('\n');
            out.push_str(&r.try_get::<String>("", "r").unwrap());
        }
        out.push('\n');
    }
    out
}

/// What a row needs in place before it is tried: the placement it acts on, in the right state.
async fn prepare(app: &TestApp, act: Act, (who, whose): (Who, Whose), target: &str) -> String {
    let state = match act {
        Act::PublishPlacement | Act::ViewDraftPlacement => "draft",
        Act::EditPlacement
        | Act::ClosePlacement
        | Act::CancelPlacement
        | Act::CopyPlacement
        | Act::ViewOpenPlacement
        | Act::PlacementEditForm => "open",
        Act::ReopenPlacement => "closed",
        Act::ListTrustPlacements => "open",
        // A current passport of the row's target, issued by their trust's HR (a project
        // manager, with no home trust, holds none: the row names a passport that does not exist).
        // Retiring the trust's key then has a key to retire and a passport to reissue.
        Act::RetireIssuerKey
        | Act::RevokePassport
        | Act::ConfirmPassport
        | Act::ReportPassportProblem
        | Act::VerifyPassport
        | Act::ViewPassportHistory
        | Act::ViewCurrentPassport => {
            if target == PM {
                return "0".into();
            }
            return crate::passports::passport_for(app, target).await.to_string();
        }
        // The actor's own passport, to download (a project manager, with no home trust, has none).
        Act::DownloadPassport | Act::DownloadPassportJson => {
            return match who.email() {
                Some(me) if me != PM => crate::passports::passport_for(app, me).await.to_string(),
                _ => String::new(),
            };
        }
        // Someone at the row's trust invited but not yet signed up.
        Act::ResendInvitation => return invited_at(app, whose.ods()).await.to_string(),
        // A stored photo of the row's target; the row fetches it by its digest.
        Act::ViewPassportPhoto => {
            use app::server::entities::passport_photo;
            use sea_orm::{ActiveModelTrait, Set};
            let bytes = crate::passport_records::photo(120, 150, image::ImageFormat::Png);
            let digest = app::server::photo::digest_of(&bytes);
            if passport_photo::Entity::find()
                .filter(passport_photo::Column::Digest.eq(digest.as_str()))
                .one(&app.db)
                .await
                .unwrap()
                .is_none()
            {
                passport_photo::ActiveModel {
                    holder_id: Set(app.person_id(target).await),
                    digest: Set(digest.clone()),
                    content_type: Set("image/png".into()),
                    image: Set(bytes),
                    width: Set(120),
                    height: Set(150),
                    uploaded_at: Set(chrono::Utc::now()),
                    uploaded_by: Set(None),
                    ..Default::default()
                }
                .insert(&app.db)
                .await
                .unwrap();
            }
            // A photo is served only while a valid passport binds it: issue one that does.
            use app::server::entities::passport;
            let bound = passport::Entity::find()
                .filter(passport::Column::PhotoDigest.eq(digest.as_str()))
                .filter(passport::Column::RevokedAt.is_null())
                .one(&app.db)
                .await
                .unwrap();
            if bound.is_none() {
                crate::passports::passport_for(app, target).await;
            }
            return digest.trim_start_matches("sha-256:").to_owned();
        }
        _ => return String::new(),
    };
    placement_at(app, whose.ods(), state).await.id.to_string()
}

/// Tries `act` as `client`; returns the status and the body.
async fn attempt(
    app: &TestApp,
    client: &reqwest::Client,
    act: Act,
    (whose, target_email): (Whose, &str),
    n: usize,
    id: &str,
) -> (StatusCode, String) {
    let ods = whose.ods();
    let target = app.person_id(target_email).await.to_string();
    let name = format!("Row {n} team");
    let email = format!("row{n}@{}.nhs.example", ods.to_lowercase());
    let res = match act {
        Act::AddTrust => {
            let code = format!("ZZ{n}");
            app.call(
                client,
                "network/add-trust",
                &[("ods", &code), ("name", &format!("Row {n} trust")), ("contact_email", "")],
            )
            .await
        }
        Act::EditTrust => {
            app.call(
                client,
                "network/edit-trust",
                &[("ods", ods), ("name", &format!("Row {n} trust")), ("contact_email", "")],
            )
            .await
        }
        Act::AddSite => {
            app.call(client, "network/add-site", &[("trust", ods), ("site_name", &format!("Row {n} site"))]).await
        }
        Act::RenameSite => {
            use app::server::entities::site;
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let s = site::Entity::find().filter(site::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap();
            app.call(
                client,
                "network/rename-site",
                &[("site", &s.id.to_string()), ("new_name", &format!("Row {n} site"))],
            )
            .await
        }
        Act::RenamePathway => {
            app.call(
                client,
                "network/rename-pathway",
                &[("slug", "imaging"), ("new_name", &format!("Row {n} imaging"))],
            )
            .await
        }
        Act::EditTeam => {
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let tm = team::Entity::find().filter(team::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap();
            app.call(
                client,
                "network/edit-team",
                &[
                    ("id", &tm.id.to_string()),
                    ("trust", ods),
                    ("name", &format!("Row {n} renamed")),
                    ("site", ""),
                    ("min_cover", "2"),
                ],
            )
            .await
        }
        Act::AddPathway => {
            app.call(client, "network/add-pathway", &[("name", &format!("Row {n} pathway")), ("status", "joining")])
                .await
        }
        Act::SetPathwayStatus => {
            use app::server::entities::pathway;
            let now = pathway::Entity::find()
                .filter(pathway::Column::Slug.eq("imaging"))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            let status = if now.status.code() == "joining" { "active" } else { "joining" };
            app.call(client, "network/pathway-status", &[("slug", "imaging"), ("status", status)]).await
        }
        Act::AddTeam => {
            app.call(client, "network/add-team", &[("trust", ods), ("name", &name), ("site", ""), ("min_cover", "1")])
                .await
        }
        Act::ListPeople => app.call(client, "people/list", &[("trust", ods)]).await,
        Act::ViewPerson => app.call(client, "people/get", &[("id", &target)]).await,
        Act::AddPerson => {
            app.call(
                client,
                "people/add",
                &[
                    ("name", "Row Person"),
                    ("email", &email),
                    ("trust", ods),
                    ("team", ""),
                    ("staff_group", ""),
                    ("pay_band", ""),
                    ("registration_body", ""),
                    ("registration_number", ""),
                ],
            )
            .await
        }
        Act::EditPerson => {
            let u = user::Entity::find_by_id(target.parse::<i32>().unwrap()).one(&app.db).await.unwrap().unwrap();
            let team = u.team_id.map(|t| t.to_string()).unwrap_or_default();
            // Their own trust, kept (a project manager has none).
            let home = match u.home_trust_id {
                Some(t) => trust::Entity::find_by_id(t).one(&app.db).await.unwrap().unwrap().ods_code,
                None => String::new(),
            };
            app.call(
                client,
                "people/edit",
                &[
                    ("id", &target),
                    ("name", &format!("{} {n}", u.name)),
                    ("email", &u.email),
                    ("trust", &home),
                    ("team", &team),
                    ("staff_group", u.staff_group.map_or("", |g| g.code())),
                    ("pay_band", u.pay_band.as_deref().unwrap_or("")),
                    ("registration_body", u.registration_body.as_deref().unwrap_or("")),
                    ("registration_number", u.registration_number.as_deref().unwrap_or("")),
                ],
            )
            .await
        }
        Act::GrantLead => {
            app.call(
                client,
                "people/grant",
                &[("person", &target), ("role", "placement_lead"), ("trust", ods), ("team", "")],
            )
            .await
        }
        Act::GrantHr => {
            app.call(
                client,
                "people/grant",
                &[("person", &target), ("role", "hr_officer"), ("trust", ods), ("team", "")],
            )
            .await
        }
        Act::RemoveGrant => {
            // Remove a grant the row itself adds first (by direct write), so the target keeps
            // their own roles for the rows after.
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let extra = app_extra_grant(app, target.parse().unwrap(), t.id).await;
            app.call(client, "people/remove-grant", &[("person", &target), ("grant", &extra.to_string())]).await
        }
        Act::Deactivate => app.call(client, "people/status", &[("person", &target), ("action", "deactivate")]).await,
        Act::ViewAuditLog => app.call(client, "audit/recent", &[]).await,
        Act::CreatePlacement => {
            let mut fields = crate::placements::form();
            fields.insert(0, ("trust", ods));
            app.call(client, "placements/create", &fields).await
        }
        Act::EditPlacement => {
            let mut fields = crate::placements::form();
            fields.insert(0, ("id", id));
            app.call(client, "placements/update", &fields).await
        }
        Act::PublishPlacement => app.call(client, "placements/state", &[("id", id), ("event", "publish")]).await,
        Act::ClosePlacement | Act::CancelPlacement => {
            let event = if act == Act::ClosePlacement { "close" } else { "cancel" };
            app.call(client, "placements/state", &[("id", id), ("event", event), ("reason", "Supervisor on leave")])
                .await
        }
        Act::CopyPlacement => app.call(client, "placements/copy", &[("id", id)]).await,
        Act::ViewDraftPlacement | Act::ViewOpenPlacement => app.call(client, "placements/get", &[("id", id)]).await,
        Act::ListTrustPlacements => app.call(client, "placements/of-trust", &[("trust", ods)]).await,
        Act::ReopenPlacement => app.call(client, "placements/state", &[("id", id), ("event", "reopen")]).await,
        Act::PlacementFormChoices => app.call(client, "placements/choices", &[("trust", ods)]).await,
        Act::PlacementEditForm => app.call(client, "placements/edit-form", &[("id", id)]).await,
        Act::BrowsePlacements => app.call(client, "placements/browse", &[("query[trust]", ods)]).await,
        Act::IssuePassport => app.issue_passport(client, target.parse().unwrap()).await,
        Act::RevokePassport => app.call(client, "passports/revoke", &[("id", id), ("reason", "Left the trust")]).await,
        Act::ViewPassportHistory => app.call(client, "passports/history", &[("holder", &target)]).await,
        Act::RotateIssuerKey => app.call(client, "passports/rotate-key", &[("trust", ods)]).await,
        Act::RetireIssuerKey => {
            app.call(client, "passports/retire-key", &[("trust", ods), ("reason", "Laptop with a key backup stolen")])
                .await
        }
        Act::ConfirmPassport => app.call(client, "passports/confirm", &[("passport", id)]).await,
        Act::ReportPassportProblem => {
            app.call(client, "passports/report-problem", &[("passport", id), ("problem", "Wrong pay band")]).await
        }
        Act::VerifyPassport => {
            let p = app::server::entities::passport::Entity::find_by_id(id.parse::<i32>().unwrap());
            let credential = crate::helpers::stored_credential(&p.one(&app.db).await.unwrap().unwrap());
            app.call(client, "passports/verify", &[("credential", &credential)]).await
        }
        Act::ViewPassportRecord => app.call(client, "passports/record", &[("holder", &target)]).await,
        Act::UploadPassportPhoto => {
            let bytes = crate::passport_records::photo(130 + n as u32 % 50, 160, image::ImageFormat::Png);
            app.upload_photo(client, target.parse().unwrap(), &bytes, false).await
        }
        Act::ViewPassportQueue => app.call(client, "passports/queue", &[("trust", ods)]).await,
        Act::ViewPassportPhoto => client.get(app.url(&format!("/passport-photos/{id}"))).send().await.expect("GET"),
        Act::ViewCurrentPassport => app.call(client, "passports/current", &[("holder", &target)]).await,
        Act::MyPassport => app.call(client, "passports/mine", &[]).await,
        Act::DownloadPassport => client.get(app.url("/passport/download")).send().await.expect("GET"),
        Act::DownloadPassportJson => client.get(app.url("/passport/download.json")).send().await.expect("GET"),
        Act::ViewTeam => {
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let tm = team::Entity::find().filter(team::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap();
            app.call(client, "network/team", &[("id", &tm.id.to_string())]).await
        }
        Act::PeopleFormChoices => app.call(client, "people/choices", &[]).await,
        Act::ResendInvitation => {
            app.call(client, "people/status", &[("person", id), ("action", "resend_invitation")]).await
        }
        Act::Reactivate => app.call(client, "people/status", &[("person", &target), ("action", "reactivate")]).await,
    };
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

/// What an allowed read must show, beyond its status: the person, placement, team or entry it
/// was asked for (so a read answering 200 with nothing, or with the wrong record, fails).
async fn shows(app: &TestApp, act: Act, ods: &str, target: &str, id: &str, body: &str) -> Result<(), String> {
    let json: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {body:.200}"))?;
    let name = || async {
        let id = app.person_id(target).await;
        user::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().name
    };
    let expected: Option<String> = match act {
        Act::ListPeople | Act::ViewPerson => Some(target.to_owned()),
        Act::ViewPassportRecord => Some(name().await),
        Act::ViewAuditLog => Some("signed_in".into()),
        Act::ViewDraftPlacement | Act::ViewOpenPlacement | Act::ListTrustPlacements | Act::PlacementEditForm => {
            Some(format!("\"id\":{id}"))
        }
        // A project manager (no home trust) holds no passport: an empty history, no summary.
        Act::ViewPassportHistory if target == PM => Some("[]".into()),
        Act::ViewCurrentPassport if target == PM => Some("null".into()),
        Act::ViewPassportHistory => Some("\"issued\"".into()),
        Act::ViewCurrentPassport => Some(format!("\"holder_id\":{}", app.person_id(target).await)),
        Act::ViewTeam => {
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let tm = team::Entity::find().filter(team::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap();
            Some(tm.name)
        }
        Act::PlacementFormChoices => Some(ods.to_owned()),
        // Whoever may add people may add them at R0A (HR there, a project manager anywhere).
        Act::PeopleFormChoices => Some("\"R0A\"".into()),
        _ => None,
    };
    match expected {
        Some(marker) if !body.contains(&marker) => Err(format!("does not show {marker:?}: {body:.300}")),
        _ if json.get("Validation").is_some() || json.as_str().is_some_and(|s| s == "NotFound") => {
            Err(format!("an error as the answer: {body:.200}"))
        }
        _ => Ok(()),
    }
}

/// A person at `ods` invited but without a password yet (the demo has one at R0A; others are
/// added straight to the database). Returns their id.
async fn invited_at(app: &TestApp, ods: &str) -> i32 {
    use sea_orm::{ActiveModelTrait, Set};
    let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
    let email = format!("invited@{}.nhs.example", ods.to_lowercase());
    if let Some(u) = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&app.db).await.unwrap() {
        return u.id;
    }
    let now = chrono::Utc::now();
    let u = user::ActiveModel {
        email: Set(email),
        name: Set(format!("Invited at {ods}")),
        home_trust_id: Set(Some(t.id)),
        password_hash: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    role_grant::ActiveModel {
        user_id: Set(u.id),
        role: Set(app::domain::Role::from_code("placement_lead").unwrap()),
        trust_id: Set(Some(t.id)),
        created_at: Set(now),
        created_by: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    u.id
}

/// Gives `user` a line-manager grant at `trust` directly in the database; returns its id.
async fn app_extra_grant(app: &TestApp, user_id: i32, trust_id: i32) -> i32 {
    use sea_orm::{ActiveModelTrait, Set};
    if let Some(g) = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user_id))
        .filter(role_grant::Column::Role.eq("line_manager"))
        .one(&app.db)
        .await
        .unwrap()
    {
        return g.id;
    }
    role_grant::ActiveModel {
        user_id: Set(user_id),
        role: Set(app::domain::Role::from_code("line_manager").unwrap()),
        trust_id: Set(Some(trust_id)),
        created_at: Set(chrono::Utc::now()),
        created_by: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn every_role_at_its_own_and_another_trust_and_on_itself_and_the_pm_may_do_exactly_what_the_table_says() {
    use Act::*;
    let mut failures = Vec::new();
    let mut rows = 0;
    for &who in Who::ALL {
        // A fresh app per actor, so one row's allowed change cannot hide another's.
        let app = spawn_app().await;
        let client = match who.email() {
            Some(email) => app.browser_signed_in_as(email).await,
            None => app.new_browser(),
        };
        for &act in Act::ALL {
            for &whose in Whose::ALL {
                if !whose.applies(who, act) {
                    continue;
                }
                rows += 1;
                let target_email = whose.person(who);
                // The extra grant RemoveGrant needs is set up before the fingerprint.
                if act == RemoveGrant {
                    let target = app.person_id(target_email).await;
                    let t = trust::Entity::find()
                        .filter(trust::Column::OdsCode.eq(whose.ods()))
                        .one(&app.db)
                        .await
                        .unwrap()
                        .unwrap();
                    app_extra_grant(&app, target, t.id).await;
                }
                let id = prepare(&app, act, (who, whose), target_email).await;
                let before = fingerprint(&app).await;
                let (status, body) = attempt(&app, &client, act, (whose, target_email), rows, &id).await;
                let after = fingerprint(&app).await;
                let expect = allowed(who, act, whose);
                let ok = if expect {
                    let shown = if act.is_read() && status == StatusCode::OK {
                        shows(&app, act, whose.ods(), target_email, &id, &body).await
                    } else {
                        Ok(())
                    };
                    if let Err(why) = &shown {
                        failures.push(format!("{who:?} {act:?} at {whose:?}: the read {why}"));
                    }
                    status == StatusCode::OK && (act.is_read() || before != after)
                } else {
                    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
                        && before == after
                        && (who != Who::Anonymous || status == StatusCode::UNAUTHORIZED)
                };
                if !ok {
                    failures.push(format!(
                        "{who:?} {act:?} at {whose:?} trust: expected {}, got {status}{}",
                        if expect { "allowed" } else { "refused" },
                        if before != after && !expect { " and it CHANGED data" } else { "" },
                    ));
                }
            }
        }
    }
    let person_acts = Act::ALL.iter().filter(|a| a.targets_person()).count();
    // Every actor × every act at both trusts, plus the acts on a person with the actor themself
    // (not for someone not signed in) and the project manager as targets.
    assert_eq!(rows, Who::ALL.len() * (Act::ALL.len() * 2 + person_acts * 2) - person_acts);
    assert!(failures.is_empty(), "{} of {rows} rows wrong:\n{}", failures.len(), failures.join("\n"));
}

axis! {
/// A placement action, for the table by state.
enum PlacementAct {
    View,
    Edit,
    Publish,
    Close,
    Reopen,
    Cancel,
    Copy,
}
}

/// Whether the state machine lets a lead do `act` to a placement in `state`: the test's own
/// oracle, written from the product's rules rather than from `PlacementState::after`.
fn transition_allowed(act: PlacementAct, state: PlacementState) -> bool {
    use PlacementAct::*;
    use PlacementState::*;
    match act {
        View | Copy => true,
        Edit => state != Cancelled,
        Publish => state == Draft,
        Close => matches!(state, Open | Full),
        Reopen => state == Closed,
        Cancel => state != Cancelled,
    }
}

/// Every placement action × every state × the lead of its trust, a lead of another trust,
/// staff, HR and a project manager. Allowed: the lead of its own trust, when the state machine
/// allows it, and anyone signed in viewing a published placement. A refused row changes nothing
/// and says why: 404 for what the actor may not see, 403 for what they may not do, 409 for a
/// transition the state machine forbids.
#[tokio::test]
async fn every_placement_action_in_every_state_by_every_role() {
    use PlacementAct::*;
    let app = spawn_app().await;
    let actors = [
        ("lead of its trust", LEAD_R0A),
        ("lead of another trust", "lead@rm3.nhs.example"),
        ("staff", NURSE_R0A),
        ("HR", HR_R0A),
        ("project manager", PM),
    ];
    let mut clients = Vec::new();
    for (label, email) in actors {
        clients.push((label, app.browser_signed_in_as(email).await));
    }
    let mut failures = Vec::new();
    let mut rows = 0;
    for &state in PlacementState::ALL.iter() {
        for &act in PlacementAct::ALL {
            for (label, client) in &clients {
                rows += 1;
                let p = placement_in(&app, state).await;
                let id = p.id.to_string();
                let before = fingerprint(&app).await;
                let res = match act {
                    View => app.call(client, "placements/get", &[("id", &id)]).await,
                    Edit => {
                        let mut fields = crate::placements::form();
                        fields.insert(0, ("id", &id));
                        app.call(client, "placements/update", &fields).await
                    }
                    Copy => app.call(client, "placements/copy", &[("id", &id)]).await,
                    Publish | Close | Reopen | Cancel => {
                        let event = format!("{act:?}").to_lowercase();
                        app.call(
                            client,
                            "placements/state",
                            &[("id", &id), ("event", &event), ("reason", "Supervisor on leave")],
                        )
                        .await
                    }
                };
                let status = res.status();
                let after = fingerprint(&app).await;
                let own_lead = *label == "lead of its trust";
                let sees = own_lead || state != PlacementState::Draft;
                let expect = match act {
                    View => {
                        if sees {
                            StatusCode::OK
                        } else {
                            StatusCode::NOT_FOUND
                        }
                    }
                    _ if !sees => StatusCode::NOT_FOUND,
                    _ if !own_lead => StatusCode::FORBIDDEN,
                    _ if transition_allowed(act, state) => StatusCode::OK,
                    _ => StatusCode::CONFLICT,
                };
                let changed = before != after;
                let should_change = expect == StatusCode::OK && act != View;
                if status != expect || changed != should_change {
                    failures.push(format!(
                        "{label} {act:?} on a {} placement: expected {expect}{}, got {status}{}",
                        state.code(),
                        if should_change { " and a change" } else { " and no change" },
                        if changed { " with a change" } else { " with no change" },
                    ));
                }
            }
        }
    }
    assert_eq!(rows, PlacementState::ALL.len() * PlacementAct::ALL.len() * actors.len());
    assert!(failures.is_empty(), "{} of {rows} rows wrong:\n{}", failures.len(), failures.join("\n"));
}

/// A fresh R0A placement in `state`: full ones have every place accepted, cancelled ones a reason.
async fn placement_in(app: &TestApp, state: PlacementState) -> app::server::entities::placement::Model {
    use app::server::entities::placement;
    use sea_orm::{ActiveModelTrait, Set};
    let p = placement_at(app, "R0A", "draft").await;
    let mut row: placement::ActiveModel = p.clone().into();
    row.state = Set(state);
    if state == PlacementState::Full {
        row.accepted = Set(p.places);
    }
    if state == PlacementState::Cancelled {
        row.cancel_reason = Set(Some("No supervisor".to_owned()));
    }
    row.update(&app.db).await.unwrap()
}
