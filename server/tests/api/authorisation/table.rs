//! The table's axes (who tries, whose trust or person, what is tried) and the oracle: which
//! rows are allowed, written out from the product's rules.

use crate::helpers::{HR_R0A, LEAD_R0A, MANAGER_R0A, NURSE_R0A, NURSE_RM3, PM};

axis! {
/// Who tries.
pub(super) enum Who {
    Anonymous,
    Staff,
    LineManager,
    PlacementLead,
    HrOfficer,
    ProjectManager,
}
}

impl Who {
    pub(super) fn email(self) -> Option<&'static str> {
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
pub(super) enum Whose {
    Own,
    Other,
    Myself,
    ProjectManager,
}
}

impl Whose {
    pub(super) fn ods(self) -> &'static str {
        match self {
            Whose::Own | Whose::Myself | Whose::ProjectManager => "R0A",
            Whose::Other => "RM3",
        }
    }
    /// The target of person actions: a staff member of that trust, the actor, or the PM.
    pub(super) fn person(self, who: Who) -> &'static str {
        match self {
            Whose::Own => NURSE_R0A,
            Whose::Other => NURSE_RM3,
            Whose::Myself => who.email().unwrap_or(NURSE_R0A),
            Whose::ProjectManager => PM,
        }
    }
    /// Whether the row is tried at all: the actor themself and the project manager are
    /// targets of actions on a person only, and someone not signed in has no self.
    pub(super) fn applies(self, who: Who, act: Act) -> bool {
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
pub(super) enum Act {
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
    pub(super) fn targets_person(self) -> bool {
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
    pub(super) fn is_read(self) -> bool {
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
pub(super) fn allowed(who: Who, act: Act, whose: Whose) -> bool {
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
