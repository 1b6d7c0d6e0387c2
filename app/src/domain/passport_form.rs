//! HR's passport form: every employment check as typed, parsed into the passport's items and a
//! record of each check (the day it was done and the day it lapses). Each parser returns the
//! message shown beside its field; a form with any bad field becomes nothing at all.

use super::checks::{DbsLevel, OhClearance, PassportCheck, RightToWork};
use super::email::EmailAddress;
use super::passport::{PassportItems, expiry_after};
use super::pay_band::PayBand;
use super::person::RegistrationNumber;
use super::registration::RegistrationBody;
use super::staff_group::StaffGroup;
use super::text::BoundedText;
use crate::error::FormErrors;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A National Insurance number by HMRC's allocation rules: two prefix letters, six digits and a
/// suffix A–D. Neither prefix letter is D, F, I, Q, U or V; the second is not O; BG, GB, KN,
/// NK, NT, TN and ZZ are never allocated. Kept without spaces, in capitals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NiNumber(String);

impl NiNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s: String = raw.split_whitespace().collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err("Enter the National Insurance number".into());
        }
        let b = s.as_bytes();
        let shaped = s.len() == 9
            && b[..2].iter().all(u8::is_ascii_uppercase)
            && b[2..8].iter().all(u8::is_ascii_digit)
            && (b'A'..=b'D').contains(&b[8]);
        if !shaped {
            return Err("Enter a National Insurance number in the right format, like QQ 12 34 56 C".into());
        }
        let never = |c: u8| b"DFIQUV".contains(&c);
        let prefix = &s[..2];
        if never(b[0]) || never(b[1]) || b[1] == b'O' || ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&prefix) {
            return Err(format!("{prefix} is not a National Insurance number prefix HMRC allocates: check the number"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long a DBS check stands before the trust checks again (the alliance's trusts recheck
/// every three years unless the person is on the DBS update service).
pub const DBS_RECHECK_MONTHS: u32 = 36;

/// One check as recorded: when it was done and, if it lapses, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub check: PassportCheck,
    pub checked_on: NaiveDate,
    pub lapses_on: Option<NaiveDate>,
}

/// The fields of HR's passport form, exactly as typed (posted as `items[...]`). Dates are
/// `YYYY-MM-DD` (what a date input sends) or `DD/MM/YYYY` (what a person types).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PassportForm {
    pub name: String,
    pub birthdate: String,
    pub identity_checked_on: String,
    pub ni_number: String,
    pub ni_number_checked_on: String,
    pub dbs_level: String,
    pub dbs_check_date: String,
    pub right_to_work: String,
    pub right_to_work_expiry: String,
    pub right_to_work_checked_on: String,
    pub registration_body: String,
    pub registration_number: String,
    pub registration_expiry: String,
    pub registration_checked_on: String,
    pub job_role: String,
    pub staff_group: String,
    pub department: String,
    pub start_date: String,
    pub fixed_term_end: String,
    pub pay_band: String,
    pub work_email: String,
    pub smartcard_number: String,
    pub occupational_health_clearance: String,
    pub occupational_health_checked_on: String,
}

/// A DBS check: its level and the day it was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbsCheck {
    pub level: DbsLevel,
    pub checked_on: NaiveDate,
}

/// A professional registration: the body, the number in its format, and the day it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub body: RegistrationBody,
    pub number: RegistrationNumber,
    pub expires_on: NaiveDate,
}

/// An NHS smartcard number: its 12 digits, spaces removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmartcardNumber(String);

impl SmartcardNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let digits: String = raw.split_whitespace().collect();
        if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err("Enter the smartcard number as its 12 digits, or leave it empty".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A form that parsed: every item as its own type, and every check recorded. The employing
/// trust and the photo are the server's to supply ([`ParsedPassport::items`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPassport {
    pub name: BoundedText,
    pub birthdate: NaiveDate,
    pub ni_number: NiNumber,
    pub dbs: Option<DbsCheck>,
    pub right_to_work: RightToWork,
    /// When a time-limited right to work ends (`None` for one with no time limit).
    pub right_to_work_expiry: Option<NaiveDate>,
    pub registration: Option<Registration>,
    pub job_role: BoundedText,
    pub staff_group: StaffGroup,
    pub department: Option<BoundedText>,
    pub start_date: NaiveDate,
    pub fixed_term_end: Option<NaiveDate>,
    pub pay_band: PayBand,
    pub work_email: EmailAddress,
    pub smartcard_number: Option<SmartcardNumber>,
    pub occupational_health: OhClearance,
    pub checks: Vec<CheckRecord>,
}

impl ParsedPassport {
    /// When a passport of these items issued on `issued` expires: a year on, or when the
    /// registration, a time-limited right to work or a fixed-term contract ends, if sooner.
    pub fn expiry(&self, issued: NaiveDate) -> NaiveDate {
        let registration = self.registration.as_ref().map(|r| r.expires_on);
        expiry_after(issued, [registration, self.right_to_work_expiry, self.fixed_term_end])
    }

    /// The items to sign, as the credential's claims carry them: codes and plain text, with the
    /// employing trust's ODS code and the digest of the photo bound.
    pub fn items(&self, employing_trust: &str, photo_digest: Option<String>) -> PassportItems {
        let registration = self.registration.as_ref();
        PassportItems {
            name: self.name.as_str().to_owned(),
            birthdate: Some(self.birthdate),
            ni_number: self.ni_number.as_str().to_owned(),
            dbs_level: self.dbs.map(|d| d.level.code().to_owned()).unwrap_or_default(),
            dbs_check_date: self.dbs.map(|d| d.checked_on),
            right_to_work: self.right_to_work.code().to_owned(),
            right_to_work_expiry: self.right_to_work_expiry,
            registration_body: registration.map(|r| r.body.code().to_owned()),
            registration_number: registration.map(|r| r.number.as_str().to_owned()),
            registration_expiry: registration.map(|r| r.expires_on),
            employing_trust: employing_trust.to_owned(),
            job_role: self.job_role.as_str().to_owned(),
            staff_group: self.staff_group.code().to_owned(),
            department: self.department.as_ref().map(|d| d.as_str().to_owned()).unwrap_or_default(),
            start_date: Some(self.start_date),
            fixed_term_end: self.fixed_term_end,
            pay_band: self.pay_band.to_string(),
            work_email: self.work_email.as_str().to_owned(),
            smartcard_number: self.smartcard_number.as_ref().map(|s| s.as_str().to_owned()),
            occupational_health_clearance: self.occupational_health.code().to_owned(),
            photo_digest,
        }
    }
}

/// Parses a date as `YYYY-MM-DD` or `DD/MM/YYYY`; `what` names it in the messages.
fn parse_date(raw: &str, what: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(format!("Enter {what}"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
        .filter(|d| (1900..=2200).contains(&d.year()))
        .ok_or_else(|| format!("Enter {what} as a real date, like 17/04/2026"))
}

/// A date a check was done: a real date, not in the future.
fn checked_on(raw: &str, what: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let date = parse_date(raw, what)?;
    if date > today {
        return Err(format!("{} must be today or in the past", capitalise(what)));
    }
    Ok(date)
}

/// A date something lapses: a real date after today (on or before it, it has lapsed already).
fn lapses_on(raw: &str, what: &str, lapsed: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let date = parse_date(raw, what)?;
    if date <= today {
        return Err(lapsed.to_owned());
    }
    Ok(date)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn optional(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|s| !s.is_empty())
}

/// The longest text item (job role, department, name).
pub const MAX_ITEM_CHARS: usize = 100;

impl PassportForm {
    /// The form's fields under the names they were posted as, for showing them again.
    pub fn values(&self) -> Vec<(String, String)> {
        let Ok(serde_json::Value::Object(map)) = serde_json::to_value(self) else {
            return Vec::new();
        };
        map.into_iter().map(|(k, v)| (format!("items[{k}]"), v.as_str().unwrap_or_default().to_owned())).collect()
    }

    /// Parses every field against `today`; on any problem, every message (under the field's
    /// posted name) and what was typed.
    pub fn parse(&self, today: NaiveDate) -> Result<ParsedPassport, FormErrors> {
        let values = self.values();
        let mut e = FormErrors::with_values(values.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut checks = Vec::new();
        let mut record = |check, checked_on: Option<NaiveDate>, lapses_on| {
            if let Some(checked_on) = checked_on {
                checks.push(CheckRecord { check, checked_on, lapses_on });
            }
        };

        // Identity.
        let name = e.check("items[name]", BoundedText::parse(&self.name, "the person's full name", MAX_ITEM_CHARS));
        let birthdate = e.check(
            "items[birthdate]",
            parse_date(&self.birthdate, "the date of birth").and_then(|d| {
                let age = today.years_since(d).unwrap_or(0);
                if d >= today || !(16..=100).contains(&age) {
                    Err("Enter a date of birth for someone aged 16 to 100".to_owned())
                } else {
                    Ok(d)
                }
            }),
        );
        let identity_on = e.check(
            "items[identity_checked_on]",
            checked_on(&self.identity_checked_on, "the date identity was checked", today),
        );
        record(PassportCheck::Identity, identity_on, None);

        // National Insurance number.
        let ni = e.check("items[ni_number]", NiNumber::parse(&self.ni_number));
        let ni_on = e.check(
            "items[ni_number_checked_on]",
            checked_on(&self.ni_number_checked_on, "the date the NI number was checked", today),
        );
        record(PassportCheck::NiNumber, ni_on, None);

        // DBS: optional (not every role needs one), but a level needs its date and a date its level.
        let (dbs_level, dbs_date) = match (optional(&self.dbs_level), optional(&self.dbs_check_date)) {
            (None, None) => (None, None),
            (None, Some(_)) => {
                e.add("items[dbs_level]", "Select the DBS check level, or clear the DBS check date");
                (None, None)
            }
            (Some(level), date) => {
                let level = e.check("items[dbs_level]", DbsLevel::parse(level));
                let date =
                    e.check("items[dbs_check_date]", checked_on(date.unwrap_or_default(), "the DBS check date", today));
                (level, date)
            }
        };
        record(
            PassportCheck::Dbs,
            dbs_date,
            dbs_date.and_then(|d| d.checked_add_months(Months::new(DBS_RECHECK_MONTHS))),
        );

        // Right to work: a time limit needs its end, and that end must be to come.
        let rtw = e.check("items[right_to_work]", RightToWork::parse(&self.right_to_work));
        let rtw_expiry = match (rtw, optional(&self.right_to_work_expiry)) {
            (Some(RightToWork::TimeLimited), raw) => e.check(
                "items[right_to_work_expiry]",
                lapses_on(
                    raw.unwrap_or_default(),
                    "the date the right to work ends",
                    "This right to work has ended: check it again before issuing",
                    today,
                ),
            ),
            (Some(RightToWork::Unlimited), Some(_)) => {
                e.add("items[right_to_work_expiry]", "Leave the end date empty for a right to work with no time limit");
                None
            }
            _ => None,
        };
        let rtw_on = e.check(
            "items[right_to_work_checked_on]",
            checked_on(&self.right_to_work_checked_on, "the date the right to work was checked", today),
        );
        record(PassportCheck::RightToWork, rtw_on, rtw_expiry);

        // Professional registration: optional, but all of it or none.
        let registered = [&self.registration_number, &self.registration_expiry, &self.registration_checked_on]
            .iter()
            .any(|f| optional(f).is_some());
        let registration = match optional(&self.registration_body) {
            None if registered => {
                e.add("items[registration_body]", "Select the registration body, or clear the registration details");
                None
            }
            None => None,
            Some(raw) => {
                let body = e.check("items[registration_body]", RegistrationBody::parse(raw));
                let number = body.and_then(|b| {
                    e.check("items[registration_number]", RegistrationNumber::parse(b, &self.registration_number))
                });
                let expiry = e.check(
                    "items[registration_expiry]",
                    lapses_on(
                        &self.registration_expiry,
                        "the date the registration expires",
                        "The professional registration has lapsed: renew it before issuing",
                        today,
                    ),
                );
                let on = e.check(
                    "items[registration_checked_on]",
                    checked_on(&self.registration_checked_on, "the date the registration was checked", today),
                );
                record(PassportCheck::Registration, on, expiry);
                Some((body, number, expiry))
            }
        };

        // Employment details, from the trust's own records (checked as they are recorded).
        let job_role = e.check("items[job_role]", BoundedText::parse(&self.job_role, "the job role", MAX_ITEM_CHARS));
        let staff_group = e.check("items[staff_group]", StaffGroup::parse(&self.staff_group));
        let department = match optional(&self.department) {
            None => None,
            Some(raw) => e.check("items[department]", BoundedText::parse(raw, "the department", MAX_ITEM_CHARS)),
        };
        let start_date = e.check("items[start_date]", parse_date(&self.start_date, "the start date"));
        let fixed_term_end = match optional(&self.fixed_term_end) {
            None => None,
            Some(raw) => e.check(
                "items[fixed_term_end]",
                lapses_on(raw, "the date the fixed-term contract ends", "This fixed-term contract has ended", today)
                    .and_then(|end| {
                        if start_date.is_some_and(|s| end <= s) {
                            Err("The fixed-term contract must end after the start date".to_owned())
                        } else {
                            Ok(end)
                        }
                    }),
            ),
        };
        let pay_band = e.check("items[pay_band]", PayBand::parse(&self.pay_band));
        let work_email = e.check("items[work_email]", EmailAddress::parse(&self.work_email));
        let smartcard = match optional(&self.smartcard_number) {
            None => None,
            Some(raw) => e.check("items[smartcard_number]", SmartcardNumber::parse(raw)),
        };
        record(PassportCheck::Employment, Some(today), fixed_term_end);

        // Occupational health.
        let oh =
            e.check("items[occupational_health_clearance]", OhClearance::parse(&self.occupational_health_clearance));
        let oh_on = e.check(
            "items[occupational_health_checked_on]",
            checked_on(&self.occupational_health_checked_on, "the date occupational health cleared them", today),
        );
        record(PassportCheck::OccupationalHealth, oh_on, None);

        if !e.is_empty() {
            return Err(e);
        }
        // Every field parsed, so each required one is there; a missing one would have its message.
        let (
            Some(name),
            Some(birthdate),
            Some(ni_number),
            Some(right_to_work),
            Some(job_role),
            Some(staff_group),
            Some(start_date),
            Some(pay_band),
            Some(work_email),
            Some(occupational_health),
        ) = (name, birthdate, ni, rtw, job_role, staff_group, start_date, pay_band, work_email, oh)
        else {
            return Err(e);
        };
        let dbs = match (dbs_level, dbs_date) {
            (Some(level), Some(checked_on)) => Some(DbsCheck { level, checked_on }),
            (None, None) => None,
            _ => return Err(e),
        };
        let registration = match registration {
            None => None,
            Some((Some(body), Some(number), Some(expires_on))) => Some(Registration { body, number, expires_on }),
            Some(_) => return Err(e),
        };
        Ok(ParsedPassport {
            name,
            birthdate,
            ni_number,
            dbs,
            right_to_work,
            right_to_work_expiry: rtw_expiry,
            registration,
            job_role,
            staff_group,
            department,
            start_date,
            fixed_term_end,
            pay_band,
            work_email,
            smartcard_number: smartcard,
            occupational_health,
            checks,
        })
    }

    /// The form filled in from a passport's items (for a reissue), and the days its checks
    /// were done.
    pub fn from_items(items: &PassportItems, checks: &[CheckRecord]) -> Self {
        let date = |d: Option<NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
        let on = |c: PassportCheck| date(checks.iter().find(|r| r.check == c).map(|r| r.checked_on));
        Self {
            name: items.name.clone(),
            birthdate: date(items.birthdate),
            identity_checked_on: on(PassportCheck::Identity),
            ni_number: items.ni_number.clone(),
            ni_number_checked_on: on(PassportCheck::NiNumber),
            dbs_level: items.dbs_level.clone(),
            dbs_check_date: date(items.dbs_check_date),
            right_to_work: items.right_to_work.clone(),
            right_to_work_expiry: date(items.right_to_work_expiry),
            right_to_work_checked_on: on(PassportCheck::RightToWork),
            registration_body: items.registration_body.clone().unwrap_or_default(),
            registration_number: items.registration_number.clone().unwrap_or_default(),
            registration_expiry: date(items.registration_expiry),
            registration_checked_on: on(PassportCheck::Registration),
            job_role: items.job_role.clone(),
            staff_group: items.staff_group.clone(),
            department: items.department.clone(),
            start_date: date(items.start_date),
            fixed_term_end: date(items.fixed_term_end),
            pay_band: PayBand::parse(&items.pay_band).map(|b| b.code().to_owned()).unwrap_or_default(),
            work_email: items.work_email.clone(),
            smartcard_number: items.smartcard_number.clone().unwrap_or_default(),
            occupational_health_clearance: items.occupational_health_clearance.clone(),
            occupational_health_checked_on: on(PassportCheck::OccupationalHealth),
        }
    }
}

#[cfg(test)]
mod tests;
