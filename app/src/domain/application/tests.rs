use super::*;
use ApplicationEvent as E;
use ApplicationState as S;
use Phase::{BeforeStart, Ended, Running};

/// The oracle: every transition allowed, written out once as the rules read in the issue.
/// Anything not listed must be refused.
const ALLOWED: &[(ApplicationState, ApplicationEvent, &[Phase], ApplicationState)] = &[
    (S::Submitted, E::Release, &[BeforeStart], S::Released),
    (S::Submitted, E::Accept, &[BeforeStart], S::Accepted),
    (S::Released, E::Accept, &[BeforeStart], S::Approved),
    (S::Accepted, E::Release, &[BeforeStart], S::Approved),
    (S::Submitted, E::RefuseRelease, &[BeforeStart], S::Declined),
    (S::Accepted, E::RefuseRelease, &[BeforeStart], S::Declined),
    (S::Submitted, E::Decline, &[BeforeStart], S::Declined),
    (S::Released, E::Decline, &[BeforeStart], S::Declined),
    (S::Submitted, E::Withdraw, &[BeforeStart], S::Withdrawn),
    (S::Released, E::Withdraw, &[BeforeStart], S::Withdrawn),
    (S::Accepted, E::Withdraw, &[BeforeStart], S::Withdrawn),
    (S::Approved, E::Withdraw, &[BeforeStart], S::Withdrawn),
    (S::Approved, E::Cancel, &[BeforeStart], S::Cancelled),
    (S::Approved, E::RecordInduction, &[Running, Ended], S::Inducted),
    (S::Approved, E::EndEarly, &[Running, Ended], S::EndedEarly),
    (S::Inducted, E::EndEarly, &[Running, Ended], S::EndedEarly),
    (S::Inducted, E::Complete, &[Ended], S::Completed),
];

#[test]
fn every_state_event_and_phase_goes_where_the_rules_say_or_is_refused_with_a_reason() {
    let mut checked = 0;
    for state in S::ALL {
        for event in E::ALL {
            for phase in Phase::ALL {
                let expected = ALLOWED
                    .iter()
                    .find(|(s, e, phases, _)| *s == state && *e == event && phases.contains(&phase))
                    .map(|(.., to)| *to);
                match (state.after(event, phase), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{state:?} {event:?} {phase:?}"),
                    (Err(why), None) => assert!(!why.is_empty(), "{state:?} {event:?} {phase:?}"),
                    (got, want) => panic!("{state:?} {event:?} {phase:?}: got {got:?}, want {want:?}"),
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 10 * 9 * 3);
}

#[test]
fn a_refusal_says_what_is_wrong_in_plain_words() {
    assert_eq!(
        S::Withdrawn.after(E::Accept, BeforeStart),
        Err("This application is withdrawn: nothing more can be done to it".into())
    );
    assert_eq!(S::Accepted.after(E::Accept, BeforeStart), Err("The host has already accepted this application".into()));
    assert_eq!(
        S::Released.after(E::Release, BeforeStart),
        Err("The line manager has already released this application".into())
    );
    assert_eq!(S::Approved.after(E::Withdraw, Running), Err(TOO_LATE.into()));
    assert_eq!(S::Submitted.after(E::Accept, Running), Err(TOO_LATE.into()));
}

#[test]
fn a_place_is_held_from_acceptance_and_freed_by_a_decline_withdrawal_or_cancellation() {
    let freed = |from: S, event: E| {
        let to = from.after(event, BeforeStart).unwrap_or(from);
        from.holds_place() && !to.holds_place()
    };
    assert!(!S::Submitted.holds_place() && !S::Released.holds_place());
    assert!(S::Submitted.after(E::Accept, BeforeStart).is_ok_and(S::holds_place));
    assert!(freed(S::Accepted, E::RefuseRelease));
    assert!(freed(S::Accepted, E::Withdraw));
    assert!(freed(S::Approved, E::Withdraw));
    assert!(freed(S::Approved, E::Cancel));
    assert!(!freed(S::Released, E::Decline), "nothing was held");
    // A placement that ran keeps its place: it was used.
    assert!(S::Completed.holds_place() && S::EndedEarly.holds_place());
}

#[test]
fn it_says_whom_it_is_waiting_on() {
    use Party::{Applicant, HostLead, LineManager};
    assert_eq!(S::Submitted.waiting_on(BeforeStart), vec![LineManager, HostLead]);
    assert_eq!(S::Released.waiting_on(BeforeStart), vec![HostLead]);
    assert_eq!(S::Accepted.waiting_on(BeforeStart), vec![LineManager]);
    assert_eq!(S::Approved.waiting_on(BeforeStart), vec![]);
    assert_eq!(S::Approved.waiting_on(Running), vec![HostLead]);
    assert_eq!(S::Inducted.waiting_on(Running), vec![]);
    assert_eq!(S::Inducted.waiting_on(Ended), vec![HostLead]);
    assert_eq!(S::Declined.waiting_on(BeforeStart), vec![]);
    assert_eq!(S::Approved.events_for(Applicant, BeforeStart), vec![E::Withdraw]);
    assert_eq!(S::Approved.events_for(LineManager, BeforeStart), vec![E::Cancel]);
    assert_eq!(S::Submitted.events_for(HostLead, BeforeStart), vec![E::Accept, E::Decline]);
}

fn day(s: &str) -> NaiveDate {
    dates::parse_day(s).unwrap_or_default()
}

fn input(goals: &str, from: &str, to: &str) -> ApplicationInput {
    ApplicationInput { goals: goals.into(), from: from.into(), to: to.into() }
}

#[test]
fn a_fixed_placement_takes_its_own_days_and_a_window_the_days_proposed_inside_it() {
    let fixed = Schedule::Fixed { start: day("2027-03-01"), end: day("2027-03-05") };
    let got = ApplicationDetails::parse(&input("  Neutropenic sepsis pathways ", "", ""), fixed);
    assert_eq!(
        got,
        Ok(ApplicationDetails {
            goals: "Neutropenic sepsis pathways".into(),
            first_day: day("2027-03-01"),
            last_day: day("2027-03-05")
        })
    );
    let window = Schedule::Window { from: day("2027-03-01"), to: day("2027-03-31"), days: 5 };
    let got = ApplicationDetails::parse(&input("Triage", "08/03/2027", "2027-03-12"), window)
        .map(|d| (d.first_day, d.last_day));
    assert_eq!(got, Ok((day("2027-03-08"), day("2027-03-12"))));
}

#[test]
fn bad_input_gets_a_message_beside_each_field_and_keeps_what_was_typed() {
    let window = Schedule::Window { from: day("2027-03-01"), to: day("2027-03-31"), days: 5 };
    let cases: &[(ApplicationInput, &[(&str, &str)])] = &[
        (
            input("", "", ""),
            &[
                ("goals", "Enter what you want to learn"),
                ("from", "Enter the first day you propose"),
                ("to", "Enter the last day you propose"),
            ],
        ),
        (
            input(&"x".repeat(MAX_GOALS_CHARS + 1), "08/03/2027", "12/03/2027"),
            &[("goals", "Use 1000 characters or fewer")],
        ),
        (
            input("Triage", "27/02/2027", "03/03/2027"),
            &[("from", "The first day must be between 1 March 2027 and 31 March 2027")],
        ),
        (
            input("Triage", "30/02/2027", "12/03/2027"),
            &[("from", "Enter the first day as a real date, like 01/03/2027")],
        ),
        (input("Triage", "12/03/2027", "08/03/2027"), &[("to", "The last day must be on or after the first day")]),
        (input("Triage", "08/03/2027", "10/03/2027"), &[("to", "This placement is 5 days long: those dates make 3")]),
    ];
    for (typed, want) in cases {
        let Err(AppError::Validation(f)) = ApplicationDetails::parse(typed, window) else {
            panic!("{typed:?} must be refused");
        };
        let got: Vec<(&str, &str)> = f.errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(&got, want, "{typed:?}");
        assert_eq!(f.value_of("goals"), Some(typed.goals.as_str()));
        assert_eq!(f.value_of("from"), Some(typed.from.as_str()));
    }
}

#[test]
fn a_reason_is_required_and_bounded() {
    assert_eq!(parse_reason("  "), Err("Enter the reason".into()));
    assert_eq!(parse_reason(&"r".repeat(MAX_REASON_CHARS + 1)), Err("Use 500 characters or fewer".into()));
    assert_eq!(parse_reason(" Team short over Easter "), Ok("Team short over Easter".into()));
    let with_reason: Vec<E> = E::ALL.into_iter().filter(|e| e.needs_reason()).collect();
    assert_eq!(with_reason, vec![E::RefuseRelease, E::Decline, E::Withdraw, E::Cancel, E::EndEarly]);
}
