use super::coded::coded_enum;
use super::email::EmailAddress;
use super::ods_code::OdsCode;
use super::text::BoundedText;
use crate::error::{AppError, FormErrors};
use serde::{Deserialize, Serialize};

/// The trust form's fields, exactly as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustInput {
    pub ods: String,
    pub name: String,
    pub contact_email: String,
}

/// A trust's details, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustDetails {
    pub ods: OdsCode,
    pub name: BoundedText,
    /// Where notices about the trust's network go.
    pub contact: Option<EmailAddress>,
}

impl TrustDetails {
    pub fn parse(input: &TrustInput) -> Result<Self, AppError> {
        let mut errors = FormErrors::with_values([
            ("ods", input.ods.as_str()),
            ("name", input.name.as_str()),
            ("contact_email", input.contact_email.as_str()),
        ]);
        let ods = errors.check("ods", OdsCode::parse(&input.ods));
        let name = errors.check("name", BoundedText::parse(&input.name, "the trust's name", 200));
        let contact = errors.check(
            "contact_email",
            if input.contact_email.trim().is_empty() {
                Ok(None)
            } else {
                EmailAddress::parse(&input.contact_email).map(Some)
            },
        );
        errors.into_result(|| Some(TrustDetails { ods: ods?, name: name?, contact: contact? }))
    }
}

coded_enum! {
    /// Whether a pathway is running in the pilot or has asked to join.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum PathwayStatus {
        Active = "active", "In the pilot";
        Joining = "joining", "Asked to join";
    }
}

impl PathwayStatus {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let message = "Select whether the pathway is in the pilot or asking to join";
        Self::parse_code(raw, message, message)
    }
}

/// A new pathway, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPathway {
    pub name: BoundedText,
    pub status: PathwayStatus,
}

impl NewPathway {
    pub fn parse(name: &str, status: &str) -> Result<Self, AppError> {
        let mut errors = FormErrors::with_values([("name", name), ("status", status)]);
        let name = errors.check("name", BoundedText::parse(name, "the pathway's name", 100));
        let status = errors.check("status", PathwayStatus::parse(status));
        errors.into_result(|| Some(NewPathway { name: name?, status: status? }))
    }

    /// The pathway's stable key, from its name: "Cancer Nursing" → "cancer-nursing".
    pub fn slug(&self) -> String {
        let mut slug = String::new();
        for c in self.name.as_str().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        slug.trim_end_matches('-').chars().take(60).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trust_needs_a_code_and_a_name_and_any_contact_must_be_an_email() {
        let ok = TrustDetails::parse(&TrustInput {
            ods: "rxl".into(),
            name: " Blackpool Teaching Hospitals ".into(),
            contact_email: "".into(),
        })
        .unwrap();
        assert_eq!(ok.ods.as_str(), "RXL");
        assert_eq!(ok.contact, None);
        let Err(AppError::Validation(f)) =
            TrustDetails::parse(&TrustInput { ods: "R!".into(), name: "".into(), contact_email: "nope".into() })
        else {
            panic!("expected errors")
        };
        assert_eq!(f.errors.len(), 3);
    }

    #[test]
    fn a_pathway_slug_is_lower_case_words_joined_by_hyphens() {
        let p = NewPathway::parse("  Children's & Young People  ", "joining").unwrap();
        assert_eq!(p.slug(), "children-s-young-people");
        assert!(NewPathway::parse("Imaging", "maybe").is_err());
    }
}
