//! People and their role grants: listing, adding (by invitation), editing, granting and
//! removing roles, deactivating. Every function asks `access` first, through its service.

use serde::{Deserialize, Serialize};

/// A choice in a select: (value, label).
pub type Choice = (String, String);

/// One row of the people list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub trust: Option<String>,
    pub team: Option<String>,
    pub roles: Vec<String>,
    pub status: PersonStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonStatus {
    Active,
    /// Invited, no password yet.
    Invited,
    Deactivated,
}

impl PersonStatus {
    pub fn label(self) -> &'static str {
        match self {
            PersonStatus::Active => "Active",
            PersonStatus::Invited => "Invited",
            PersonStatus::Deactivated => "Deactivated",
        }
    }
}

/// The people page: the list, the trust it is filtered to, and what the filter offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleList {
    /// The ODS code shown, or empty for the whole alliance.
    pub trust: String,
    pub trust_choices: Vec<Choice>,
    /// Whether "all trusts" may be chosen (project managers).
    pub alliance_wide: bool,
    pub people: Vec<PersonRow>,
}

/// A role a person holds, as the person page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub id: i32,
    pub role: String,
    pub trust: Option<String>,
    pub teams: Vec<String>,
    /// Whether the viewer may remove it.
    pub removable: bool,
}

/// The form choices for adding or editing a person, limited to what the viewer may pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChoices {
    pub trusts: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub roles: Vec<Choice>,
    /// Whether "no home trust" may be chosen (project managers).
    pub alliance_wide: bool,
}

/// One person, with what the viewer may do to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetail {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub status: PersonStatus,
    /// The details as the edit form's starting values (codes, not labels).
    pub details: crate::domain::PersonInput,
    pub grants: Vec<GrantView>,
    /// Whether the viewer may change this person.
    pub manageable: bool,
    /// Whether the viewer is HR of their home trust, who keeps their passport record.
    pub passport_record: bool,
    pub choices: PersonChoices,
}

pub const ADD_PERSON_FORM: &str = "add_person";
pub const EDIT_PERSON_FORM: &str = "edit_person";
pub const GRANT_FORM: &str = "grant_role";
pub const PERSON_STATUS_FORM: &str = "person_status";
