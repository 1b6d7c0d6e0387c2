//! The items a digital staff passport holds (PRODUCT.md, "The passport"): the minimum needed for
//! a temporary move. Each becomes its own selectively disclosable claim, named as the field is.
//! Values are plain here; HR's form (`passport_form`) is where each is parsed into its own type
//! and the checks behind them are recorded.

use super::checks::{DbsLevel, OhClearance, RightToWork};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The items of one passport. Optional items are left out of the credential when absent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PassportItems {
    pub name: String,
    pub birthdate: Option<NaiveDate>,
    pub ni_number: String,
    /// basic, standard, enhanced or enhanced_barred.
    pub dbs_level: String,
    pub dbs_check_date: Option<NaiveDate>,
    /// The result of the right-to-work check, not the document: unlimited or time_limited.
    pub right_to_work: String,
    /// When a time-limited right to work ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_to_work_expiry: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_expiry: Option<NaiveDate>,
    /// ODS code of the employing trust.
    pub employing_trust: String,
    pub job_role: String,
    pub staff_group: String,
    pub department: String,
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_term_end: Option<NaiveDate>,
    pub pay_band: String,
    pub work_email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smartcard_number: Option<String>,
    /// cleared, cleared_with_adjustments or not_cleared.
    pub occupational_health_clearance: String,
    /// `sha-256:` and the base64url SHA-256 of the photo, binding the photo served beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_digest: Option<String>,
}

/// The most items a passport can hold (the credential pads its digests to a fixed count).
pub const PASSPORT_ITEM_COUNT: usize = 21;

impl PassportItems {
    /// The items as claims: every non-empty field, under its own name.
    pub fn to_claims(&self) -> Map<String, Value> {
        let Ok(Value::Object(map)) = serde_json::to_value(self) else {
            return Map::new();
        };
        map.into_iter().filter(|(_, v)| !(v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))).collect()
    }

    /// The names of the items present, in a stable order.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.to_claims().into_iter().map(|(k, _)| k).collect();
        names.sort();
        names
    }

    /// When a passport issued on `issued` should expire: a year on, or the day the professional
    /// registration, a time-limited right to work or a fixed-term contract ends, whichever is first.
    pub fn expiry(&self, issued: NaiveDate) -> NaiveDate {
        expiry_after(issued, [self.registration_expiry, self.right_to_work_expiry, self.fixed_term_end])
    }
}

/// A year after `issued`, or the first of the days in `ends` if that comes sooner.
pub(super) fn expiry_after(issued: NaiveDate, ends: [Option<NaiveDate>; 3]) -> NaiveDate {
    let year_on = issued.with_year(issued.year() + 1).unwrap_or_else(|| issued + chrono::Duration::days(365));
    ends.into_iter().flatten().chain([year_on]).min().unwrap_or(year_on)
}

/// The items in the order a person reads them, with the label shown beside each.
pub const PASSPORT_ITEM_LABELS: [(&str, &str); PASSPORT_ITEM_COUNT] = [
    ("name", "Name"),
    ("birthdate", "Date of birth"),
    ("ni_number", "NI number"),
    ("photo_digest", "Photo (fingerprint)"),
    ("dbs_level", "DBS check level"),
    ("dbs_check_date", "DBS check date"),
    ("right_to_work", "Right to work"),
    ("right_to_work_expiry", "Right to work ends"),
    ("registration_body", "Professional registration body"),
    ("registration_number", "Registration number"),
    ("registration_expiry", "Registration expires"),
    ("employing_trust", "Employing trust (ODS code)"),
    ("job_role", "Job role"),
    ("staff_group", "Staff group"),
    ("department", "Department"),
    ("start_date", "Start date"),
    ("fixed_term_end", "Fixed-term contract ends"),
    ("pay_band", "Pay band"),
    ("work_email", "Work email"),
    ("smartcard_number", "Smartcard number"),
    ("occupational_health_clearance", "Occupational health clearance"),
];

/// The label of item `name` ("NI number" for `ni_number`); an item this version does not know
/// keeps its own name, so nothing a credential discloses is ever hidden.
pub fn item_label(name: &str) -> String {
    PASSPORT_ITEM_LABELS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, label)| (*label).to_owned())
        .unwrap_or_else(|| name.to_owned())
}

/// Where item `name` comes in [`PASSPORT_ITEM_LABELS`] (unknown items last).
pub fn item_rank(name: &str) -> usize {
    PASSPORT_ITEM_LABELS.iter().position(|(n, _)| *n == name).unwrap_or(PASSPORT_ITEM_COUNT)
}

/// Item `name`'s value as a person reads it: dates as "17 April 1991", codes by their label
/// ("Enhanced", "Nursing and midwifery"), anything else as the text it is.
pub fn item_display(name: &str, value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => return String::new(),
        other => return other.to_string(),
    };
    if let Ok(date) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        return date.format("%-d %B %Y").to_string();
    }
    let coded = match (name, text.as_str()) {
        ("staff_group", code) => super::staff_group::StaffGroup::parse(code).ok().map(|g| g.label()),
        ("dbs_level", code) => DbsLevel::parse(code).ok().map(DbsLevel::label),
        ("right_to_work", code) => RightToWork::parse(code).ok().map(RightToWork::label),
        ("occupational_health_clearance", code) => OhClearance::parse(code).ok().map(OhClearance::label),
        _ => None,
    };
    coded.map(str::to_owned).unwrap_or(text)
}

/// The longest problem report a holder may send (it is kept as the audit entry's reason).
pub const MAX_PROBLEM_CHARS: usize = 500;

/// What a holder says is wrong with their passport: not empty, at most
/// [`MAX_PROBLEM_CHARS`] characters, line breaks allowed but no other control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemReport(String);

impl ProblemReport {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("Enter what is wrong with your passport".into());
        }
        if text.chars().count() > MAX_PROBLEM_CHARS {
            return Err(format!("What is wrong must be {MAX_PROBLEM_CHARS} characters or fewer"));
        }
        if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            return Err("What is wrong must not contain control characters".into());
        }
        Ok(Self(text.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn claims_leave_out_what_is_empty() {
        let items = PassportItems { name: "Asha Patel".into(), ni_number: "QQ123456C".into(), ..Default::default() };
        let claims = items.to_claims();
        assert_eq!(claims["name"], "Asha Patel");
        assert!(!claims.contains_key("registration_body"));
        assert!(!claims.contains_key("birthdate"));
        assert!(!claims.contains_key("job_role"));
        assert_eq!(items.names(), ["name", "ni_number"]);
    }

    #[test]
    fn a_passport_expires_after_a_year_or_when_the_registration_lapses() {
        let mut items = PassportItems::default();
        assert_eq!(items.expiry(date("2026-12-01")), date("2027-12-01"));
        items.registration_expiry = Some(date("2027-03-31"));
        assert_eq!(items.expiry(date("2026-12-01")), date("2027-03-31"));
        assert_eq!(items.expiry(date("2028-02-29")), date("2027-03-31"));
    }

    #[test]
    fn every_item_fits_the_fixed_digest_count() {
        let all = PassportItems {
            name: "x".into(),
            birthdate: Some(date("1990-01-01")),
            ni_number: "x".into(),
            dbs_level: "x".into(),
            dbs_check_date: Some(date("2020-01-01")),
            right_to_work: "x".into(),
            right_to_work_expiry: Some(date("2030-01-01")),
            registration_body: Some("x".into()),
            registration_number: Some("x".into()),
            registration_expiry: Some(date("2030-01-01")),
            employing_trust: "x".into(),
            job_role: "x".into(),
            staff_group: "x".into(),
            department: "x".into(),
            start_date: Some(date("2020-01-01")),
            fixed_term_end: Some(date("2030-01-01")),
            pay_band: "x".into(),
            work_email: "x".into(),
            smartcard_number: Some("x".into()),
            occupational_health_clearance: "x".into(),
            photo_digest: Some("x".into()),
        };
        assert_eq!(all.to_claims().len(), PASSPORT_ITEM_COUNT);
    }

    #[test]
    fn every_item_has_a_label_and_unknown_ones_keep_their_name() {
        let all = PassportItems::default();
        assert_eq!(item_label("ni_number"), "NI number");
        assert_eq!(item_label("something_new"), "something_new");
        assert!(item_rank("name") < item_rank("ni_number"));
        assert_eq!(item_rank("something_new"), PASSPORT_ITEM_COUNT);
        let serialised = serde_json::to_value(&all).unwrap();
        for (name, _) in serialised.as_object().unwrap() {
            assert_ne!(item_rank(name), PASSPORT_ITEM_COUNT, "{name} has a label");
        }
    }

    #[test]
    fn values_read_as_a_person_writes_them() {
        assert_eq!(item_display("birthdate", &Value::from("1991-04-17")), "17 April 1991");
        assert_eq!(item_display("dbs_level", &Value::from("enhanced")), "Enhanced");
        assert_eq!(item_display("ni_number", &Value::from("QQ123456C")), "QQ123456C");
        assert_eq!(item_display("other", &Value::from(3)), "3");
    }

    #[test]
    fn a_problem_report_is_required_bounded_and_may_span_lines() {
        assert_eq!(ProblemReport::parse("  ").unwrap_err(), "Enter what is wrong with your passport");
        assert!(ProblemReport::parse(&"x".repeat(MAX_PROBLEM_CHARS + 1)).is_err());
        assert!(ProblemReport::parse(&"x".repeat(MAX_PROBLEM_CHARS)).is_ok());
        assert!(ProblemReport::parse("bad\u{7}bell").is_err());
        assert_eq!(ProblemReport::parse(" My NI number\r\nis wrong ").unwrap().as_str(), "My NI number\nis wrong");
    }
}
