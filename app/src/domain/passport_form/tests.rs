//! HR's passport form, field by field.

use super::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-12-02";

/// A complete form for a registered nurse, as HR fills it in.
pub fn nurse() -> PassportForm {
    PassportForm {
        name: " Asha  Patel ".into(),
        birthdate: "17/04/1991".into(),
        identity_checked_on: "2026-11-30".into(),
        ni_number: "jk 12 34 56 c".into(),
        ni_number_checked_on: "2026-11-30".into(),
        dbs_level: "enhanced".into(),
        dbs_check_date: "2025-10-01".into(),
        right_to_work: "unlimited".into(),
        right_to_work_checked_on: "2022-08-01".into(),
        registration_body: "NMC".into(),
        registration_number: "12a3456e".into(),
        registration_expiry: "2027-09-30".into(),
        registration_checked_on: "2026-11-30".into(),
        job_role: "Acute oncology staff nurse".into(),
        staff_group: "nursing_midwifery".into(),
        department: "Acute Oncology Service".into(),
        start_date: "2022-09-05".into(),
        pay_band: "6".into(),
        work_email: "nurse@r0a.nhs.example".into(),
        occupational_health_clearance: "cleared".into(),
        occupational_health_checked_on: "2022-08-15".into(),
        ..Default::default()
    }
}

fn problems(form: &PassportForm) -> Vec<(String, String)> {
    match form.parse(date(TODAY)) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors.into_iter().map(|f| (f.field, f.message)).collect(),
    }
}

#[test]
fn ni_numbers_follow_hmrc_prefix_rules() {
    assert_eq!(NiNumber::parse("jk 12 34 56 c").unwrap().as_str(), "JK123456C");
    for bad in [
        "QQ123456C",
        "DA123456A",
        "AO123456A",
        "GB123456A",
        "ZZ123456A",
        "TN123456A",
        "AB123456E",
        "AB12345C",
        "A1234567C",
    ] {
        assert!(NiNumber::parse(bad).is_err(), "{bad} is refused");
    }
    assert_eq!(NiNumber::parse(" ").unwrap_err(), "Enter the National Insurance number");
    assert!(NiNumber::parse("QQ123456C").unwrap_err().contains("QQ is not"));
}

#[test]
fn a_complete_form_becomes_items_and_a_record_of_every_check() {
    let parsed = nurse().parse(date(TODAY)).unwrap();
    assert_eq!(parsed.ni_number, NiNumber::parse("JK123456C").unwrap());
    assert_eq!(
        (parsed.right_to_work, parsed.staff_group),
        (RightToWork::Unlimited, StaffGroup::NursingMidwiferyRegistered)
    );
    assert_eq!(parsed.registration.as_ref().map(|r| r.body), Some(RegistrationBody::Nmc));
    assert_eq!(parsed.dbs.map(|d| d.level), Some(DbsLevel::Enhanced));
    assert_eq!(parsed.expiry(date(TODAY)), date("2027-09-30"), "the registration lapses before a year is up");
    let items = &parsed.items("R0A", None);
    assert_eq!(items.employing_trust, "R0A");
    assert_eq!(items.name, "Asha Patel");
    assert_eq!(items.birthdate, Some(date("1991-04-17")));
    assert_eq!(items.ni_number, "JK123456C");
    assert_eq!(items.registration_number.as_deref(), Some("12A3456E"));
    assert_eq!(items.registration_body.as_deref(), Some("NMC"));
    assert_eq!(items.pay_band, "Band 6");
    assert_eq!(items.right_to_work, "unlimited");
    let kinds: Vec<_> = parsed.checks.iter().map(|c| c.check).collect();
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    let dbs = parsed.checks.iter().find(|c| c.check == PassportCheck::Dbs).unwrap();
    assert_eq!(dbs.lapses_on, Some(date("2028-10-01")));
    let reg = parsed.checks.iter().find(|c| c.check == PassportCheck::Registration).unwrap();
    assert_eq!((reg.checked_on, reg.lapses_on), (date("2026-11-30"), Some(date("2027-09-30"))));
    // And back into the form for a reissue.
    let again = PassportForm::from_items(items, &parsed.checks);
    assert_eq!(again.parse(date(TODAY)).unwrap(), parsed);
}

#[test]
fn every_bad_field_gets_its_own_message_and_keeps_what_was_typed() {
    let mut form = nurse();
    form.ni_number = "QQ123456C".into();
    form.registration_number = "1234567".into();
    form.dbs_check_date = "2027-01-01".into();
    form.birthdate = "31/02/1990".into();
    form.occupational_health_checked_on = String::new();
    form.smartcard_number = "12ab".into();
    let err = form.parse(date(TODAY)).unwrap_err();
    let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "items[birthdate]",
            "items[ni_number]",
            "items[dbs_check_date]",
            "items[registration_number]",
            "items[smartcard_number]",
            "items[occupational_health_checked_on]",
        ]
    );
    assert_eq!(err.message_for("items[registration_number]"), Some("Enter an NMC PIN like 12A3456E"));
    assert_eq!(err.message_for("items[dbs_check_date]"), Some("The DBS check date must be today or in the past"));
    assert_eq!(err.value_of("items[ni_number]"), Some("QQ123456C"));
}

#[test]
fn registration_numbers_are_checked_by_their_body() {
    let mut form = nurse();
    form.registration_body = "GMC".into();
    assert_eq!(
        problems(&form),
        [("items[registration_number]".into(), "Enter a GMC number of 7 digits, like 1234567".into())]
    );
    form.registration_number = "1234567".into();
    assert!(problems(&form).is_empty());
    form.registration_body = String::new();
    assert_eq!(problems(&form)[0].0, "items[registration_body]");
    form.registration_number = String::new();
    form.registration_expiry = String::new();
    form.registration_checked_on = String::new();
    assert!(problems(&form).is_empty(), "no registration at all is fine");
}

#[test]
fn what_has_lapsed_cannot_be_issued() {
    let mut form = nurse();
    form.registration_expiry = TODAY.into();
    assert_eq!(
        problems(&form),
        [(
            "items[registration_expiry]".into(),
            "The professional registration has lapsed: renew it before issuing".into()
        )]
    );
    let mut form = nurse();
    form.right_to_work = "time_limited".into();
    assert_eq!(problems(&form)[0].0, "items[right_to_work_expiry]");
    form.right_to_work_expiry = "2027-03-31".into();
    let parsed = form.parse(date(TODAY)).unwrap();
    let rtw = parsed.checks.iter().find(|c| c.check == PassportCheck::RightToWork).unwrap();
    assert_eq!(rtw.lapses_on, Some(date("2027-03-31")));
    let mut form = nurse();
    form.fixed_term_end = "2022-01-01".into();
    assert_eq!(problems(&form)[0].0, "items[fixed_term_end]");
}

#[test]
fn a_dbs_check_is_optional_but_whole() {
    let mut form = nurse();
    form.dbs_level = String::new();
    assert_eq!(problems(&form)[0].0, "items[dbs_level]");
    form.dbs_check_date = String::new();
    assert!(problems(&form).is_empty());
    form.dbs_level = "enhanced".into();
    assert_eq!(problems(&form), [("items[dbs_check_date]".into(), "Enter the DBS check date".into())]);
    form.dbs_check_date = "2025-01-01".into();
    form.dbs_level = "super".into();
    assert_eq!(problems(&form)[0].0, "items[dbs_level]");
}

#[test]
fn an_empty_form_names_every_required_field() {
    let fields: Vec<String> = problems(&PassportForm::default()).into_iter().map(|(f, _)| f).collect();
    for required in [
        "name",
        "birthdate",
        "identity_checked_on",
        "ni_number",
        "ni_number_checked_on",
        "right_to_work",
        "right_to_work_checked_on",
        "job_role",
        "staff_group",
        "start_date",
        "pay_band",
        "work_email",
        "occupational_health_clearance",
        "occupational_health_checked_on",
    ] {
        assert!(fields.contains(&format!("items[{required}]")), "{required} in {fields:?}");
    }
}
