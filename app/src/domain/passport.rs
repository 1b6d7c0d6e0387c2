//! The items a digital staff passport holds (PRODUCT.md, "The passport"): the minimum needed for
//! a temporary move. Each becomes its own selectively disclosable claim, named as the field is.
//!
//! Kept deliberately plain for now: HR's forms that record each check (who checked, when) and
//! parse every field into its own type come with the HR screens.

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
    /// The result of the right-to-work check, not the document.
    pub right_to_work: String,
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
pub const PASSPORT_ITEM_COUNT: usize = 20;

impl PassportItems {
    /// The items as claims: every non-empty field, under its own name.
    pub fn to_claims(&self) -> Map<String, Value> {
        let Ok(Value::Object(map)) = serde_json::to_value(self) else {
            return Map::new();
        };
        map.into_iter()
            .filter(|(_, v)| !(v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty())))
            .collect()
    }

    /// The names of the items present, in a stable order.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.to_claims().into_iter().map(|(k, _)| k).collect();
        names.sort();
        names
    }

    /// What stops these items being issued: the name, NI number and employing trust are the
    /// least a passport identifies someone by.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(("items[name]", "Enter the person's name"));
        }
        if self.ni_number.trim().is_empty() {
            out.push(("items[ni_number]", "Enter the National Insurance number"));
        }
        if self.employing_trust.trim().is_empty() {
            out.push(("items[employing_trust]", "Enter the employing trust's ODS code"));
        }
        out
    }

    /// When a passport issued on `issued` should expire: a year on, or the day the professional
    /// registration (or a fixed-term contract) ends, whichever is first.
    pub fn expiry(&self, issued: NaiveDate) -> NaiveDate {
        let year_on = issued
            .with_year(issued.year() + 1)
            .unwrap_or_else(|| issued + chrono::Duration::days(365));
        [Some(year_on), self.registration_expiry, self.fixed_term_end]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(year_on)
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
}
