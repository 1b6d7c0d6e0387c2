use super::ods_code::OdsCode;
use super::text::BoundedText;
use crate::error::{AppError, FormErrors};
use serde::{Deserialize, Serialize};

/// A team's name within its trust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamName(BoundedText);

impl TeamName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        BoundedText::parse(raw, "a team name", Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The fewest team members who must stay at work: a release that would leave fewer is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MinimumCover(u16);

impl MinimumCover {
    pub const MAX: u16 = 500;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("Enter the minimum number of staff the team needs on duty".into());
        }
        match s.parse::<u16>() {
            Ok(n) if n <= Self::MAX => Ok(Self(n)),
            Ok(_) => Err(format!("Minimum cover must be {} or fewer", Self::MAX)),
            Err(_) if s.starts_with('-') => Err("Minimum cover must be 0 or more".into()),
            Err(_) if s.chars().all(|c| c.is_ascii_digit()) => {
                Err(format!("Minimum cover must be {} or fewer", Self::MAX))
            }
            Err(_) => Err("Minimum cover must be a whole number, like 4".into()),
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

/// The form fields for adding a team, exactly as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTeamInput {
    pub trust: String,
    pub name: String,
    pub site: String,
    pub min_cover: String,
}

/// A valid request to add a team to a trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTeam {
    pub trust: OdsCode,
    pub name: TeamName,
    /// The site's id; `None` for a team that works across the trust's sites.
    pub site_id: Option<i32>,
    pub min_cover: MinimumCover,
}

impl NewTeam {
    /// Checks every field, collecting every problem, and keeps what was typed for the form.
    pub fn parse(input: &NewTeamInput) -> Result<Self, AppError> {
        let mut errors = FormErrors::with_values([
            ("name", input.name.as_str()),
            ("site", input.site.as_str()),
            ("min_cover", input.min_cover.as_str()),
        ]);
        let trust = OdsCode::parse(&input.trust).map_err(|_| AppError::NotFound)?;
        let name = errors.check("name", TeamName::parse(&input.name));
        let site_id = errors.check(
            "site",
            match input.site.trim() {
                "" => Ok(None),
                s => s.parse::<i32>().map(Some).map_err(|_| "Select a site from the list".to_owned()),
            },
        );
        let min_cover = errors.check("min_cover", MinimumCover::parse(&input.min_cover));
        errors.into_result(|| Some(NewTeam { trust, name: name?, site_id: site_id?, min_cover: min_cover? }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, site: &str, cover: &str) -> NewTeamInput {
        NewTeamInput { trust: "R0A".into(), name: name.into(), site: site.into(), min_cover: cover.into() }
    }

    #[test]
    fn a_complete_form_becomes_a_command() {
        let team = NewTeam::parse(&input(" Acute Oncology ", "3", "4")).unwrap();
        assert_eq!(team.name.as_str(), "Acute Oncology");
        assert_eq!(team.site_id, Some(3));
        assert_eq!(team.min_cover.get(), 4);
    }

    #[test]
    fn every_bad_field_is_reported_and_the_typed_values_are_kept() {
        let err = NewTeam::parse(&input("", "x", "-2")).unwrap_err();
        let form = err.form_errors().unwrap();
        assert_eq!(form.message_for("name"), Some("Enter a team name"));
        assert_eq!(form.message_for("site"), Some("Select a site from the list"));
        assert_eq!(form.message_for("min_cover"), Some("Minimum cover must be 0 or more"));
        assert_eq!(form.value_of("min_cover"), Some("-2"));
    }

    #[test]
    fn minimum_cover_bounds_and_formats() {
        assert_eq!(MinimumCover::parse("0").unwrap().get(), 0);
        assert_eq!(MinimumCover::parse("500").unwrap().get(), 500);
        assert!(MinimumCover::parse("501").is_err());
        assert!(MinimumCover::parse("99999999").unwrap_err().contains("500 or fewer"));
        assert!(MinimumCover::parse("2.5").unwrap_err().contains("whole number"));
        assert!(MinimumCover::parse("").is_err());
    }

    #[test]
    fn an_unknown_trust_code_is_not_found_rather_than_a_field_error() {
        let mut i = input("Team", "", "1");
        i.trust = "not a code".into();
        assert_eq!(NewTeam::parse(&i), Err(AppError::NotFound));
    }
}
