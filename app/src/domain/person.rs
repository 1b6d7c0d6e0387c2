use super::coded::coded_enum;
use super::email::EmailAddress;
use super::ods_code::OdsCode;
use super::pay_band::PayBand;
use super::registration::RegistrationBody;
use super::staff_group::StaffGroup;
use super::text::BoundedText;
use crate::error::{AppError, FormErrors};
use serde::{Deserialize, Serialize};

/// A professional registration number in its regulator's format: GMC 7 digits; NMC PIN like
/// 12A3456E; HCPC a 2–3 letter profession prefix and 4–6 digits (RA123456); GDC up to 6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationNumber(String);

impl RegistrationNumber {
    pub fn parse(body: RegistrationBody, raw: &str) -> Result<Self, String> {
        let s: String = raw.split_whitespace().collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err("Enter the registration number".into());
        }
        let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
        let letters = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_uppercase());
        let ok = s.is_ascii()
            && match body {
                RegistrationBody::Gmc => s.len() == 7 && digits(&s),
                RegistrationBody::Nmc => {
                    s.len() == 8 && digits(&s[0..2]) && letters(&s[2..3]) && digits(&s[3..7]) && letters(&s[7..8])
                }
                RegistrationBody::Hcpc => {
                    let split = s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len());
                    (2..=3).contains(&split)
                        && letters(&s[..split])
                        && (4..=6).contains(&(s.len() - split))
                        && digits(&s[split..])
                }
                RegistrationBody::Gdc => s.len() <= 6 && digits(&s),
            };
        if ok {
            Ok(Self(s))
        } else {
            Err(match body {
                RegistrationBody::Gmc => "Enter a GMC number of 7 digits, like 1234567",
                RegistrationBody::Nmc => "Enter an NMC PIN like 12A3456E",
                RegistrationBody::Hcpc => "Enter an HCPC number like RA123456",
                RegistrationBody::Gdc => "Enter a GDC number of up to 6 digits, like 123456",
            }
            .into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

coded_enum! {
    /// What an administrator may do to a person's account, as the status form posts it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum AccountChange {
        Deactivate = "deactivate", "Deactivate";
        Reactivate = "reactivate", "Reactivate";
        ResendInvitation = "resend_invitation", "Send the invitation again";
    }
}

/// The person form's fields, exactly as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonInput {
    pub name: String,
    pub email: String,
    /// The home trust's ODS code; empty for someone with no home trust (an alliance manager).
    pub trust: String,
    pub team: String,
    pub staff_group: String,
    pub pay_band: String,
    pub registration_body: String,
    pub registration_number: String,
}

/// A person's details, valid: used to add a person and to edit one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDetails {
    pub name: BoundedText,
    pub email: EmailAddress,
    pub trust: Option<OdsCode>,
    pub team_id: Option<i32>,
    pub staff_group: Option<StaffGroup>,
    pub pay_band: Option<PayBand>,
    pub registration: Option<(RegistrationBody, RegistrationNumber)>,
}

impl PersonInput {
    /// The typed values, kept so a form with errors shows them again.
    pub fn values(&self) -> FormErrors {
        FormErrors::with_values([
            ("name", self.name.as_str()),
            ("email", self.email.as_str()),
            ("trust", self.trust.as_str()),
            ("team", self.team.as_str()),
            ("staff_group", self.staff_group.as_str()),
            ("pay_band", self.pay_band.as_str()),
            ("registration_body", self.registration_body.as_str()),
            ("registration_number", self.registration_number.as_str()),
        ])
    }
}

fn optional<T>(raw: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if raw.trim().is_empty() { Ok(None) } else { parse(raw).map(Some) }
}

impl PersonDetails {
    /// Checks every field, collecting every problem.
    pub fn parse(input: &PersonInput) -> Result<Self, AppError> {
        let mut errors = input.values();
        let name = errors.check("name", BoundedText::parse(&input.name, "a full name", 100));
        let email = errors.check("email", EmailAddress::parse(&input.email));
        let trust = errors.check(
            "trust",
            optional(&input.trust, |s| OdsCode::parse(s).map_err(|_| "Select a trust from the list".to_owned())),
        );
        let team_id = errors.check(
            "team",
            optional(&input.team, |s| s.trim().parse::<i32>().map_err(|_| "Select a team from the list".to_owned())),
        );
        if matches!(team_id, Some(Some(_))) && matches!(trust, Some(None)) {
            errors.add("team", "Select a home trust for this team");
        }
        let staff_group = errors.check("staff_group", optional(&input.staff_group, StaffGroup::parse));
        let pay_band = errors.check("pay_band", optional(&input.pay_band, PayBand::parse));
        let body = errors.check("registration_body", optional(&input.registration_body, RegistrationBody::parse));
        let registration = match body {
            Some(Some(body)) => errors
                .check("registration_number", RegistrationNumber::parse(body, &input.registration_number))
                .map(|n| Some((body, n))),
            Some(None) if !input.registration_number.trim().is_empty() => {
                errors.add("registration_body", "Select the body this registration is with");
                None
            }
            Some(None) => Some(None),
            None => None,
        };
        errors.into_result(|| {
            Some(PersonDetails {
                name: name?,
                email: email?,
                trust: trust?,
                team_id: team_id?,
                staff_group: staff_group?,
                pay_band: pay_band?,
                registration: registration?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PersonInput {
        PersonInput {
            name: " Asha  Patel ".into(),
            email: "Asha.Patel@MFT.nhs.uk".into(),
            trust: "R0A".into(),
            team: "4".into(),
            staff_group: "nursing_midwifery".into(),
            pay_band: "6".into(),
            registration_body: "NMC".into(),
            registration_number: "12a3456e".into(),
        }
    }

    #[test]
    fn a_complete_form_becomes_valid_details() {
        let d = PersonDetails::parse(&input()).unwrap();
        assert_eq!(d.name.as_str(), "Asha Patel");
        assert_eq!(d.email.as_str(), "asha.patel@mft.nhs.uk");
        assert_eq!(d.team_id, Some(4));
        assert_eq!(d.registration.unwrap().1.as_str(), "12A3456E");
    }

    #[test]
    fn staff_fields_are_optional_for_someone_without_a_home_trust() {
        let d = PersonDetails::parse(&PersonInput {
            name: "Pat Manager".into(),
            email: "pat@gmcancer.nhs.uk".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(d.trust, None);
        assert_eq!(d.registration, None);
    }

    #[test]
    fn every_problem_is_reported_beside_its_field_with_what_was_typed() {
        let bad = PersonInput {
            name: "".into(),
            email: "not-an-email".into(),
            trust: "".into(),
            team: "x".into(),
            staff_group: "wizard".into(),
            pay_band: "10".into(),
            registration_body: "".into(),
            registration_number: "123".into(),
        };
        let Err(AppError::Validation(f)) = PersonDetails::parse(&bad) else { panic!("expected errors") };
        for field in ["name", "email", "team", "staff_group", "pay_band", "registration_body"] {
            assert!(f.message_for(field).is_some(), "{field} should have a message");
        }
        assert_eq!(f.value_of("email"), Some("not-an-email"));
    }

    #[test]
    fn registration_numbers_follow_each_regulators_format() {
        use RegistrationBody::*;
        for (body, good, bad) in [
            (Gmc, "1234567", "123456"),
            (Nmc, "12A3456E", "1234567E"),
            (Hcpc, "RA123456", "R123456"),
            (Gdc, "123456", "1234567"),
        ] {
            assert!(RegistrationNumber::parse(body, good).is_ok(), "{body:?} {good}");
            assert!(RegistrationNumber::parse(body, bad).is_err(), "{body:?} {bad}");
        }
        assert!(RegistrationNumber::parse(Hcpc, "ÄB1234").is_err());
    }
}
