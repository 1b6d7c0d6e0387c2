//! The alliance network: trusts, their sites and teams, and the pathways.

use serde::{Deserialize, Serialize};

/// A row of the trusts list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustSummary {
    pub ods_code: String,
    pub name: String,
    pub sites: usize,
    pub teams: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteView {
    pub id: i32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub id: i32,
    pub name: String,
    pub site: Option<String>,
    pub min_cover: i32,
}

/// One trust with its sites and teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustDetail {
    pub ods_code: String,
    pub name: String,
    pub contact_email: String,
    pub sites: Vec<SiteView>,
    pub teams: Vec<TeamView>,
    /// Whether the viewer may change the trust's sites and teams.
    pub manageable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathwayView {
    pub name: String,
    pub slug: String,
    pub joining: bool,
}

/// The pathways page: the list, and whether the viewer may change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathwaysPage {
    pub pathways: Vec<PathwayView>,
    pub manageable: bool,
}

/// The trusts page: the list, and whether the viewer may add one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustsPage {
    pub trusts: Vec<TrustSummary>,
    pub manageable: bool,
}

/// A team as its edit form starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamEdit {
    pub id: i32,
    pub trust_ods: String,
    pub trust_name: String,
    pub name: String,
    pub site: String,
    pub min_cover: String,
    pub sites: Vec<SiteView>,
}

pub const ADD_TRUST_FORM: &str = "add_trust";
pub const EDIT_TRUST_FORM: &str = "edit_trust";
pub const ADD_SITE_FORM: &str = "add_site";
pub const EDIT_TEAM_FORM: &str = "edit_team";
pub const PATHWAY_FORM: &str = "pathway";
pub const RENAME_SITE_FORM: &str = "rename_site";
pub const RENAME_PATHWAY_FORM: &str = "rename_pathway";

/// The name the add-team form's flash is kept under.
pub const ADD_TEAM_FORM: &str = "add_team";
