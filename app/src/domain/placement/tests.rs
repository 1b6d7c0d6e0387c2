//! The placement rules: the state machine, eligibility, search words and the form.

use super::*;

#[test]
fn a_lead_is_offered_exactly_the_events_the_state_machine_allows() {
    use PlacementEvent as E;
    use PlacementState as S;
    assert_eq!(S::Draft.lead_events(), vec![E::Publish, E::Cancel]);
    assert_eq!(S::Open.lead_events(), vec![E::Close, E::Cancel]);
    assert_eq!(S::Full.lead_events(), vec![E::Close, E::Cancel]);
    assert_eq!(S::Closed.lead_events(), vec![E::Reopen, E::Cancel]);
    assert_eq!(S::Cancelled.lead_events(), vec![]);
    for e in PlacementEvent::BY_LEAD {
        assert_eq!(PlacementEvent::parse_by_lead(e.code()), Some(e));
    }
    assert_eq!(PlacementEvent::parse_by_lead("filled"), None, "only a lead's events are posted");
}

#[test]
fn search_terms_keep_only_words_so_no_query_syntax_reaches_the_database() {
    assert_eq!(search_terms("  Acute   oncology "), vec!["acute", "oncology"]);
    assert_eq!(search_terms("\"sepsis\" OR x* -y NEAR(a b)"), vec!["sepsis", "or", "x", "y", "near", "a", "b"]);
    assert_eq!(search_terms("%_';--"), Vec::<String>::new());
    assert_eq!(search_terms("a b c d e f g h i j").len(), 8);
}

fn input() -> PlacementInput {
    PlacementInput {
        site: "3".into(),
        department: "Acute Oncology".into(),
        pathway: "acute-oncology".into(),
        kind: "shadowing".into(),
        title: "Shadow a 7-day acute oncology service".into(),
        description: "Spend a week with the team.\nSee triage and ward reviews.".into(),
        outcomes: "Recognise neutropenic sepsis early.".into(),
        supervisor: "Dr Ana Silva".into(),
        schedule: "fixed".into(),
        start: "2027-03-01".into(),
        end: "2027-03-05".into(),
        days: "".into(),
        places: "2".into(),
        staff_groups: "nursing_midwifery,ahp".into(),
        band_min: "5".into(),
        band_max: "7".into(),
        registration: "any".into(),
        closing_date: "2027-02-01".into(),
    }
}

fn errors(i: &PlacementInput) -> FormErrors {
    match PlacementDetails::parse(i) {
        Err(AppError::Validation(f)) => f,
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_complete_form_becomes_a_placement() {
    let p = PlacementDetails::parse(&input()).unwrap();
    assert_eq!(p.places, 2);
    assert_eq!(p.schedule.start(), NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
    assert_eq!(p.eligibility.staff_groups.len(), 2);
    assert_eq!(p.eligibility.registration, Some(None));
}

#[test]
fn dates_must_be_in_order_and_close_before_the_start() {
    let mut i = input();
    i.end = "2027-02-27".into();
    assert!(errors(&i).message_for("end").unwrap().contains("on or after the start"));
    let mut i = input();
    i.closing_date = "2027-03-01".into();
    assert!(errors(&i).message_for("closing_date").unwrap().contains("before the placement starts"));
    let mut i = input();
    i.start = "31/02/2027".into();
    assert!(errors(&i).message_for("start").unwrap().contains("real date"));
}

#[test]
fn a_window_needs_days_that_fit_in_it() {
    let mut i = input();
    i.schedule = "window".into();
    i.days = "6".into();
    assert_eq!(errors(&i).message_for("days"), Some("There are only 5 days between those dates"));
    i.days = "3".into();
    let p = PlacementDetails::parse(&i).unwrap();
    assert!(matches!(p.schedule, Schedule::Window { days: 3, .. }));
}

#[test]
fn places_bands_and_text_are_bounded() {
    let mut i = input();
    i.places = "0".into();
    i.band_min = "8a".into();
    i.band_max = "6".into();
    i.title = "x".repeat(121);
    i.supervisor = " ".into();
    let f = errors(&i);
    assert_eq!(f.message_for("places"), Some("Offer between 1 and 50 places"));
    assert_eq!(f.message_for("band_max"), Some("The highest band must be 8a or above"));
    assert!(f.message_for("title").is_some());
    assert_eq!(f.message_for("supervisor"), Some("Enter the supervisor's name"));
    assert_eq!(f.value_of("title").map(str::len), Some(121), "what was typed is kept");
}

#[test]
fn publishing_needs_a_closing_date_not_yet_passed() {
    let p = PlacementDetails::parse(&input()).unwrap();
    assert!(p.check_publishable(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()).is_ok());
    assert!(p.check_publishable(NaiveDate::from_ymd_opt(2027, 2, 2).unwrap()).is_err());
}

#[test]
fn the_state_machine_allows_exactly_the_transitions_of_a_placements_life() {
    use PlacementEvent::*;
    use PlacementState::*;
    let allowed = [
        (Draft, Publish, Open),
        (Draft, Cancel, Cancelled),
        (Open, Filled, Full),
        (Open, Close, Closed),
        (Open, Cancel, Cancelled),
        (Full, PlaceFreed, Open),
        (Full, Close, Closed),
        (Full, Cancel, Cancelled),
        (Closed, Reopen, Open),
        (Closed, Cancel, Cancelled),
    ];
    for state in PlacementState::ALL {
        for event in [Publish, Close, Reopen, Cancel, Filled, PlaceFreed] {
            let got = state.after(event);
            match allowed.iter().find(|(s, e, _)| *s == state && *e == event) {
                Some((_, _, to)) => assert_eq!(got, Ok(*to), "{state:?} + {event:?}"),
                // A freed place while not full changes nothing; everything else is refused.
                None if event == PlaceFreed && state != Cancelled => assert_eq!(got, Ok(state)),
                None => assert!(got.is_err(), "{state:?} + {event:?} should be refused"),
            }
        }
    }
    assert!(Cancelled.after(Publish).unwrap_err().contains("Copy it"));
}

#[test]
fn eligibility_says_why_not() {
    let e = PlacementDetails::parse(&input()).unwrap().eligibility;
    let nurse = Applicant {
        staff_group: Some(StaffGroup::NursingMidwiferyRegistered),
        band: Some(PayBand::B6),
        registration: Some(RegistrationBody::Nmc),
    };
    assert!(e.reasons_not(&nurse).is_empty());
    let porter =
        Applicant { staff_group: Some(StaffGroup::EstatesAncillary), band: Some(PayBand::B2), registration: None };
    let why = e.reasons_not(&porter);
    assert_eq!(why.len(), 3, "{why:?}");
    assert!(why[1].contains("bands 5 to 7"), "{why:?}");
    assert!(e.admits(&nurse));
    assert!(!e.admits(&porter));
}

#[test]
fn admits_exactly_when_there_is_no_reason_not() {
    use RegistrationBody::*;
    let groups = [
        vec![],
        vec![StaffGroup::NursingMidwiferyRegistered],
        vec![StaffGroup::AlliedHealthProfessionals, StaffGroup::MedicalDental],
    ];
    let registrations = [None, Some(None), Some(Some(Nmc)), Some(Some(Hcpc))];
    for staff_groups in &groups {
        for registration in registrations {
            for (band_min, band_max) in [(PayBand::B4, PayBand::B6), (PayBand::B7, PayBand::B8c)] {
                let e = Eligibility { staff_groups: staff_groups.clone(), band_min, band_max, registration };
                for staff_group in [None, Some(StaffGroup::NursingMidwiferyRegistered), Some(StaffGroup::MedicalDental)]
                {
                    for band in [None, Some(PayBand::B5), Some(PayBand::B8a)] {
                        for held in [None, Some(Nmc), Some(Gmc)] {
                            let who = Applicant { staff_group, band, registration: held };
                            assert_eq!(e.admits(&who), e.reasons_not(&who).is_empty(), "{e:?} {who:?}");
                        }
                    }
                }
            }
        }
    }
}
