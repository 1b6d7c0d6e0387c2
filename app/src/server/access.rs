//! Who may do what: the one place every server function and handler asks.
//!
//! The signed-in person arrives as an [`Actor`], resolved from the session cookie once per
//! request by the server's session middleware. An [`Action`] names what is attempted and the
//! trust it touches; [`permits`] is the authorisation table as one `match`. Later features add
//! their actions here, and their rows to the table test in `server/tests/api/authorisation.rs`.

use crate::domain::{Applicant, ApplicationEvent, Party, Role};
use crate::error::AppError;

/// One role a person holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: i32,
    pub role: Role,
    /// `None` only for the alliance-wide project manager.
    pub trust_id: Option<i32>,
    /// The teams a line manager's grant covers.
    pub team_ids: Vec<i32>,
}

/// The signed-in person making the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i32,
    pub email: String,
    pub name: String,
    pub home_trust_id: Option<i32>,
    pub grants: Vec<Grant>,
    /// The SHA-256 id of the session this request came with.
    pub session_id: String,
    /// The network address this request came from, for the audit log.
    pub ip: String,
    /// Their staff group, band and registration, as placement eligibility sees them.
    pub applicant: Applicant,
}

impl Actor {
    /// Holds `role` at `trust` (for the project manager, `trust` is ignored: alliance-wide).
    pub fn holds(&self, role: Role, trust: Option<i32>) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && (!role.is_trust_scoped() || (trust.is_some() && g.trust_id == trust)))
    }

    pub fn is_project_manager(&self) -> bool {
        self.holds(Role::ProjectManager, None)
    }

    /// What this person is to one application: its applicant, a line manager of the team the
    /// applicant left (at their home trust), a placement lead of the host trust; any of them,
    /// or none. Separation of duties: whoever applies never decides on their own application.
    pub fn parties_to(&self, applicant: i32, home_trust: i32, team: i32, host_trust: i32) -> Vec<Party> {
        let manages = self.user_id != applicant
            && self
                .grants
                .iter()
                .any(|g| g.role == Role::LineManager && g.trust_id == Some(home_trust) && g.team_ids.contains(&team));
        [
            (self.user_id == applicant, Party::Applicant),
            (manages, Party::LineManager),
            (self.user_id != applicant && self.holds(Role::PlacementLead, Some(host_trust)), Party::HostLead),
        ]
        .into_iter()
        .filter_map(|(is, party)| is.then_some(party))
        .collect()
    }

    /// The trusts at which this person is an HR passport officer.
    pub fn hr_trusts(&self) -> Vec<i32> {
        self.grants.iter().filter(|g| g.role == Role::HrOfficer).filter_map(|g| g.trust_id).collect()
    }
}

/// A person as the rules see them: where they belong and what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonScope {
    pub home_trust_id: Option<i32>,
    pub grants: Vec<(Role, Option<i32>)>,
}

/// Roles an HR passport officer may grant (and remove) at their own trust.
const HR_GRANTABLE: [Role; 3] = [Role::Staff, Role::LineManager, Role::PlacementLead];

/// Everything that can be attempted, with the trust it touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<'a> {
    /// Add or change trusts, sites, teams and pathways.
    ManageNetwork,
    /// See the alliance's trusts, their sites and teams, and the pathways: open to anyone,
    /// signed in or not (it is what the pilot publishes about itself).
    ViewNetwork,
    /// List people whose home trust is `trust`; `None` lists everyone in the alliance.
    ListPeople { trust: Option<i32> },
    /// Add a person with home trust `trust`.
    AddPerson { trust: Option<i32> },
    /// See a person's details and grants.
    ViewPerson(&'a PersonScope),
    /// Change a person's details, deactivate or reactivate them, send their invitation again.
    ManagePerson(&'a PersonScope),
    /// Give or remove `role` at `trust`; `own` when the grant is the actor's own.
    ChangeGrant { role: Role, trust: Option<i32>, own: bool },
    /// Read the audit log.
    ViewAuditLog,
    /// See one placement of `trust`. A draft is seen only by that trust's placement leads.
    ViewPlacement { trust: i32, draft: bool },
    /// See all of a trust's placements, with their drafts when `drafts`.
    ListTrustPlacements { trust: i32, drafts: bool },
    /// Create, edit, publish, close, reopen, cancel or copy a placement of `trust`.
    ManagePlacement { trust: i32 },
    /// Browse the open placements across the alliance.
    BrowsePlacements,
    /// Issue (or reissue) a passport, with the checks it records, to `holder`, whose home trust
    /// is `trust`.
    IssuePassport { holder: i32, trust: Option<i32> },
    /// Revoke `holder`'s passport issued by `trust`.
    RevokePassport { holder: i32, trust: i32 },
    /// See the passport, and its history, of `holder` (whose home trust is `trust`).
    ViewPassport { holder: i32, trust: Option<i32> },
    /// Rotate `trust`'s issuer signing key.
    RotateIssuerKey { trust: i32 },
    /// Retire `trust`'s signing key at once (a suspected compromise): unpublished, and every
    /// passport it signed revoked and reissued under a new key.
    RetireIssuerKey { trust: i32 },
    /// Read the item values of `holder`'s passport (their own passport page).
    ViewPassportItems { holder: i32 },
    /// Confirm that `holder`'s passport items are right, or report what is wrong.
    ReviewPassport { holder: i32 },
    /// Check a passport credential with this service: open to anyone, signed in or not, as
    /// any standard verifier is.
    VerifyPassport,
    /// Open HR's passport record of a person whose home trust is `trust`: the checks recorded
    /// and the values to reissue from.
    ViewPassportRecord { trust: Option<i32> },
    /// Upload the passport photo of `holder`, whose home trust is `trust`.
    RecordPassportPhoto { holder: i32, trust: Option<i32> },
    /// See `trust`'s passport queue: missing, unconfirmed, expiring and lapsing passports.
    ViewPassportQueue { trust: i32 },
    /// Fetch a passport photo by its digest: whoever holds a passport disclosing the digest
    /// (the holder, HR, a verifier it was shown to) may see the image it binds.
    ViewPassportPhoto,
    /// Apply for a placement (staff, from their own home trust).
    Apply,
    /// See one application, being `parties` to it ([`Actor::parties_to`]).
    ViewApplication { parties: &'a [Party] },
    /// Cause `event` on an application, being `parties` to it.
    ActOnApplication { event: ApplicationEvent, parties: &'a [Party] },
}

impl Action<'_> {
    /// Whether someone who has not signed in may do this.
    pub fn is_public(&self) -> bool {
        matches!(self, Action::VerifyPassport | Action::ViewPassportPhoto | Action::ViewNetwork)
    }
}

/// The authorisation table. Hiding a button is never the check: this is. Every action names
/// who may do it, project managers included: there is no wildcard arm, so an action added to
/// [`Action`] does not compile until its rule is written here.
pub fn permits(actor: &Actor, action: &Action<'_>) -> bool {
    let pm = actor.is_project_manager();
    let hr_at = |trust: Option<i32>| trust.is_some() && actor.holds(Role::HrOfficer, trust);
    let lead_at = |trust: i32| actor.holds(Role::PlacementLead, Some(trust));
    match action {
        // Placements belong to their host trust's leads. Project managers see every published
        // placement but change none; a draft is its trust's leads' alone.
        Action::ViewPlacement { trust, draft } => lead_at(*trust) || !*draft,
        // Anyone signed in may look: staff to apply, leads and HR to see what others offer.
        Action::BrowsePlacements => true,
        Action::ListTrustPlacements { trust, drafts } => lead_at(*trust) || (pm && !*drafts),
        Action::ManagePlacement { trust } => lead_at(*trust),
        // Passports are the home trust's HR's alone to issue and revoke, and the holder's and
        // that HR's to see: least privilege, so not the project managers'. Separation of
        // duties: an HR officer never issues, revokes or records the checks of their own.
        Action::IssuePassport { holder, trust } | Action::RecordPassportPhoto { holder, trust } => {
            hr_at(*trust) && actor.user_id != *holder
        }
        Action::RevokePassport { holder, trust } => hr_at(Some(*trust)) && actor.user_id != *holder,
        Action::RotateIssuerKey { trust } | Action::RetireIssuerKey { trust } => hr_at(Some(*trust)),
        Action::ViewPassport { holder, trust } => actor.user_id == *holder || hr_at(*trust),
        // The values are the holder's: HR entered them, and hosts will see what is shared with
        // them, but the page showing every value is the holder's alone; so is saying whether
        // they are right.
        Action::ViewPassportItems { holder } | Action::ReviewPassport { holder } => actor.user_id == *holder,
        Action::VerifyPassport | Action::ViewPassportPhoto | Action::ViewNetwork => true,
        // HR's record of the checks behind a passport, and its queue, are the home trust's HR's.
        Action::ViewPassportRecord { trust } => hr_at(*trust),
        Action::ViewPassportQueue { trust } => hr_at(Some(*trust)),
        // The alliance's project managers run the network and its people; HR runs its own
        // trust's people.
        Action::ManageNetwork | Action::ViewAuditLog => pm,
        Action::ListPeople { trust } | Action::AddPerson { trust } => pm || hr_at(*trust),
        Action::ViewPerson(person) => pm || hr_at(person.home_trust_id),
        // HR manages its own trust's people, but never someone holding a role HR could not
        // give: otherwise an HR officer could change a project manager's email and take over
        // the account with a password reset.
        Action::ManagePerson(person) => {
            pm || (hr_at(person.home_trust_id)
                && person
                    .grants
                    .iter()
                    .all(|(role, trust)| HR_GRANTABLE.contains(role) && *trust == person.home_trust_id))
        }
        // Staff apply from their home trust. An application is seen by those it involves, and
        // by the project managers (its state and times, for the figures: not its free text);
        // each event is caused only by the party the state machine names for it.
        Action::Apply => actor.home_trust_id.is_some() && actor.holds(Role::Staff, actor.home_trust_id),
        Action::ViewApplication { parties } => pm || !parties.is_empty(),
        Action::ActOnApplication { event, parties } => event.parties().iter().any(|p| parties.contains(p)),
        // Nobody gives or removes their own roles, project managers included.
        Action::ChangeGrant { role, trust, own } => !*own && (pm || (HR_GRANTABLE.contains(role) && hr_at(*trust))),
    }
}

/// Refuses `action` unless it is public or a signed-in `actor` is permitted it. Returns the
/// actor, if anyone is signed in.
pub fn authorize_public<'a>(actor: Option<&'a Actor>, action: &Action<'_>) -> Result<Option<&'a Actor>, AppError> {
    match actor {
        None if action.is_public() => Ok(None),
        _ => authorize(actor, action).map(Some),
    }
}

/// Refuses `action` unless a signed-in `actor` is permitted it.
pub fn authorize<'a>(actor: Option<&'a Actor>, action: &Action<'_>) -> Result<&'a Actor, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
    if permits(actor, action) {
        Ok(actor)
    } else {
        tracing::info!(user = actor.user_id, ?action, "refused");
        Err(separation_of_duties(actor, action).map_or(AppError::Forbidden, |why| AppError::Refused(why.into())))
    }
}

/// Refuses `action` on something the request names by id. Someone who may not even `see` it
/// gets the answer an id that exists nowhere gets (404), so ids cannot be probed for what
/// exists; someone who may see it but not do this gets the plain refusal (or its reason).
pub fn authorize_on<'a>(
    actor: Option<&'a Actor>,
    see: &Action<'_>,
    action: &Action<'_>,
) -> Result<&'a Actor, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
    if !permits(actor, see) {
        tracing::info!(user = actor.user_id, ?action, "refused as not found");
        return Err(AppError::NotFound);
    }
    authorize(Some(actor), action)
}

/// The rule to tell someone refused an action on their own passport or roles, which they might
/// otherwise hold the rights for: a plain "not allowed" would look like a fault.
fn separation_of_duties(actor: &Actor, action: &Action<'_>) -> Option<&'static str> {
    match action {
        Action::IssuePassport { holder, .. } | Action::RecordPassportPhoto { holder, .. }
            if *holder == actor.user_id =>
        {
            Some(
                "You cannot issue your own passport or record its checks. Ask another HR passport officer at your trust",
            )
        }
        Action::RevokePassport { holder, .. } if *holder == actor.user_id => {
            Some("You cannot revoke your own passport. Ask another HR passport officer at your trust")
        }
        Action::ChangeGrant { own: true, .. } => Some(if actor.is_project_manager() {
            "You cannot give or remove your own roles. Ask another project manager"
        } else {
            "You cannot give or remove your own roles. Ask another HR passport officer or a project manager"
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(grants: &[(Role, Option<i32>)]) -> Actor {
        Actor {
            user_id: 1,
            email: "a@b.nhs.uk".into(),
            name: "A".into(),
            home_trust_id: Some(1),
            grants: grants
                .iter()
                .enumerate()
                .map(|(i, (role, trust))| Grant { id: i as i32, role: *role, trust_id: *trust, team_ids: vec![] })
                .collect(),
            session_id: String::new(),
            ip: String::new(),
            applicant: Applicant { staff_group: None, band: None, registration: None },
        }
    }

    #[test]
    fn hr_manages_own_trust_staff_but_not_a_project_manager_based_there() {
        let hr = actor(&[(Role::HrOfficer, Some(1))]);
        let nurse = PersonScope { home_trust_id: Some(1), grants: vec![(Role::Staff, Some(1))] };
        let pm = PersonScope { home_trust_id: Some(1), grants: vec![(Role::ProjectManager, None)] };
        let elsewhere = PersonScope { home_trust_id: Some(2), grants: vec![(Role::Staff, Some(2))] };
        assert!(permits(&hr, &Action::ManagePerson(&nurse)));
        assert!(!permits(&hr, &Action::ManagePerson(&pm)));
        assert!(permits(&hr, &Action::ViewPerson(&pm)));
        assert!(!permits(&hr, &Action::ManagePerson(&elsewhere)));
        assert!(!permits(&hr, &Action::ViewPerson(&elsewhere)));
    }

    #[test]
    fn hr_grants_only_staff_manager_and_lead_roles_at_own_trust() {
        let hr = actor(&[(Role::HrOfficer, Some(1))]);
        let grant = |role, trust| Action::ChangeGrant { role, trust, own: false };
        assert!(permits(&hr, &grant(Role::LineManager, Some(1))));
        assert!(!permits(&hr, &grant(Role::HrOfficer, Some(1))));
        assert!(!permits(&hr, &grant(Role::Staff, Some(2))));
        assert!(!permits(&hr, &grant(Role::ProjectManager, None)));
    }

    #[test]
    fn nobody_changes_their_own_roles_or_issues_revokes_or_records_their_own_passport() {
        let hr = actor(&[(Role::HrOfficer, Some(1))]);
        let pm = actor(&[(Role::ProjectManager, None)]);
        // `actor` has user id 1: holder 1 is their own passport.
        assert!(!permits(&hr, &Action::IssuePassport { holder: 1, trust: Some(1) }));
        assert!(permits(&hr, &Action::IssuePassport { holder: 2, trust: Some(1) }));
        assert!(!permits(&hr, &Action::RecordPassportPhoto { holder: 1, trust: Some(1) }));
        assert!(permits(&hr, &Action::RecordPassportPhoto { holder: 2, trust: Some(1) }));
        assert!(!permits(&hr, &Action::RevokePassport { holder: 1, trust: 1 }));
        assert!(permits(&hr, &Action::RevokePassport { holder: 2, trust: 1 }));
        assert!(!permits(&pm, &Action::ChangeGrant { role: Role::ProjectManager, trust: None, own: true }));
        assert!(permits(&pm, &Action::ChangeGrant { role: Role::ProjectManager, trust: None, own: false }));
        assert!(!permits(&hr, &Action::ChangeGrant { role: Role::Staff, trust: Some(1), own: true }));
        // The refusal says why, where a plain "not allowed" would look like a fault.
        let own = authorize(Some(&hr), &Action::IssuePassport { holder: 1, trust: Some(1) });
        assert!(matches!(own, Err(AppError::Refused(ref m)) if m.contains("your own passport")), "{own:?}");
        let own = authorize(Some(&pm), &Action::ChangeGrant { role: Role::Staff, trust: Some(1), own: true });
        assert!(matches!(own, Err(AppError::Refused(ref m)) if m.contains("another project manager")), "{own:?}");
        assert_eq!(
            authorize(Some(&hr), &Action::IssuePassport { holder: 2, trust: Some(2) }),
            Err(AppError::Forbidden)
        );
    }

    #[test]
    fn a_grant_with_no_trust_never_matches_a_trust_scoped_role() {
        let odd = actor(&[(Role::HrOfficer, None)]);
        assert!(!permits(&odd, &Action::ListPeople { trust: None }));
        assert!(!odd.holds(Role::HrOfficer, None));
    }

    #[test]
    fn only_the_home_trusts_hr_issues_and_revokes_passports_and_only_they_and_the_holder_see_them() {
        let hr = actor(&[(Role::HrOfficer, Some(1))]);
        let pm = actor(&[(Role::ProjectManager, None)]);
        let lead = actor(&[(Role::PlacementLead, Some(1))]);
        assert!(permits(&hr, &Action::IssuePassport { holder: 2, trust: Some(1) }));
        assert!(!permits(&hr, &Action::IssuePassport { holder: 2, trust: Some(2) }));
        assert!(!permits(&hr, &Action::IssuePassport { holder: 2, trust: None }));
        assert!(!permits(&pm, &Action::IssuePassport { holder: 2, trust: Some(1) }));
        assert!(!permits(&lead, &Action::RevokePassport { holder: 2, trust: 1 }));
        assert!(permits(&hr, &Action::RevokePassport { holder: 2, trust: 1 }));
        assert!(permits(&lead, &Action::ViewPassport { holder: 1, trust: Some(1) }), "the holder");
        assert!(!permits(&lead, &Action::ViewPassport { holder: 2, trust: Some(1) }));
        assert!(!permits(&pm, &Action::ViewPassport { holder: 2, trust: Some(1) }));
        assert!(permits(&hr, &Action::ViewPassport { holder: 2, trust: Some(1) }));
    }

    #[test]
    fn only_the_holder_reads_their_passport_values_and_confirms_or_reports_on_them() {
        let holder = actor(&[(Role::Staff, Some(1))]);
        let hr = actor(&[(Role::HrOfficer, Some(1))]);
        let pm = actor(&[(Role::ProjectManager, None)]);
        let lead = actor(&[(Role::PlacementLead, Some(1))]);
        // (who, holder, action, allowed): `actor` always has user id 1.
        type Row<'a> = (&'a Actor, i32, fn(i32) -> Action<'static>, bool);
        let rows: [Row<'_>; 16] = [
            (&holder, 1, |h| Action::ViewPassportItems { holder: h }, true),
            (&holder, 2, |h| Action::ViewPassportItems { holder: h }, false),
            (&hr, 2, |h| Action::ViewPassportItems { holder: h }, false),
            (&pm, 2, |h| Action::ViewPassportItems { holder: h }, false),
            (&lead, 2, |h| Action::ViewPassportItems { holder: h }, false),
            (&holder, 1, |h| Action::ReviewPassport { holder: h }, true),
            (&holder, 2, |h| Action::ReviewPassport { holder: h }, false),
            (&hr, 2, |h| Action::ReviewPassport { holder: h }, false),
            (&pm, 2, |h| Action::ReviewPassport { holder: h }, false),
            (&lead, 2, |h| Action::ReviewPassport { holder: h }, false),
            (&hr, 1, |h| Action::ReviewPassport { holder: h }, true),
            (&pm, 1, |h| Action::ViewPassportItems { holder: h }, true),
            (&holder, 2, |_| Action::VerifyPassport, true),
            (&hr, 2, |_| Action::VerifyPassport, true),
            (&pm, 2, |_| Action::VerifyPassport, true),
            (&lead, 2, |_| Action::VerifyPassport, true),
        ];
        for (i, (who, target, action, allowed)) in rows.into_iter().enumerate() {
            assert_eq!(permits(who, &action(target)), allowed, "row {i}: {:?}", action(target));
        }
    }

    #[test]
    fn verifying_is_the_only_passport_action_open_without_signing_in() {
        assert_eq!(authorize_public(None, &Action::VerifyPassport), Ok(None));
        for action in [
            Action::ViewPassportItems { holder: 1 },
            Action::ReviewPassport { holder: 1 },
            Action::ViewPassport { holder: 1, trust: Some(1) },
        ] {
            assert_eq!(authorize_public(None, &action), Err(AppError::Unauthenticated), "{action:?}");
        }
        let holder = actor(&[(Role::Staff, Some(1))]);
        assert_eq!(authorize_public(Some(&holder), &Action::VerifyPassport), Ok(Some(&holder)));
        assert_eq!(authorize_public(Some(&holder), &Action::ReviewPassport { holder: 2 }), Err(AppError::Forbidden));
    }

    #[test]
    fn nobody_is_permitted_anything_without_signing_in() {
        assert_eq!(authorize(None, &Action::ManageNetwork), Err(AppError::Unauthenticated));
    }
}
