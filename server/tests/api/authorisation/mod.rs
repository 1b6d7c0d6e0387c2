//! The authorisation table: every action that exists, tried by every role at its own trust and
//! at another trust (and, for actions on a person, on themself and on the project manager),
//! against the real server. A refused action must also change nothing; an allowed read must
//! show what it was asked for.
//! Later features add their rows here; a missing rule shows as a failing row.
//!
//! The axes and the oracle are in `table`, the fingerprint in `fingerprint`, what a row needs
//! in place in `prepare`, the request it makes in `attempt`, and the placements by state in
//! `placements_state`.

/// Declares an enum with `ALL`, its variants in declaration order, so a variant added to an
/// axis of the table enters every product (and the row count) by itself.
macro_rules! axis {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            $vis const ALL: &'static [$name] = &[$($name::$variant),+];
        }
    };
}

mod attempt;
mod fingerprint;
mod placements_state;
mod prepare;
mod table;

use crate::helpers::{HR_R0A, LEAD_R0A, NURSE_R0A, PM, spawn_app};
use app::domain::PlacementState;
use app::server::entities::trust;
use attempt::{attempt, shows};
use fingerprint::fingerprint;
use placements_state::{PlacementAct, placement_in, transition_allowed};
use prepare::{app_extra_grant, prepare};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use table::{Act, Who, Whose, allowed};

#[tokio::test]
async fn every_role_at_its_own_and_another_trust_and_on_itself_and_the_pm_may_do_exactly_what_the_table_says() {
    use Act::*;
    let mut failures = Vec::new();
    let mut rows = 0;
    for &who in Who::ALL {
        // A fresh app per actor, so one row's allowed change cannot hide another's.
        let app = spawn_app().await;
        let client = match who.email() {
            Some(email) => app.browser_signed_in_as(email).await,
            None => app.new_browser(),
        };
        for &act in Act::ALL {
            for &whose in Whose::ALL {
                if !whose.applies(who, act) {
                    continue;
                }
                rows += 1;
                let target_email = whose.person(who);
                // The extra grant RemoveGrant needs is set up before the fingerprint.
                if act == RemoveGrant {
                    let target = app.person_id(target_email).await;
                    let t = trust::Entity::find()
                        .filter(trust::Column::OdsCode.eq(whose.ods()))
                        .one(&app.db)
                        .await
                        .unwrap()
                        .unwrap();
                    app_extra_grant(&app, target, t.id).await;
                }
                let id = prepare(&app, act, (who, whose), target_email).await;
                let before = fingerprint(&app).await;
                let (status, body) = attempt(&app, &client, act, (whose, target_email), rows, &id).await;
                let after = fingerprint(&app).await;
                let expect = allowed(who, act, whose);
                let ok = if expect {
                    let shown = if act.is_read() && status == StatusCode::OK {
                        shows(&app, act, whose.ods(), target_email, &id, &body).await
                    } else {
                        Ok(())
                    };
                    if let Err(why) = &shown {
                        failures.push(format!("{who:?} {act:?} at {whose:?}: the read {why}"));
                    }
                    status == StatusCode::OK && (act.is_read() || before != after)
                } else {
                    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
                        && before == after
                        && (who != Who::Anonymous || status == StatusCode::UNAUTHORIZED)
                };
                if !ok {
                    failures.push(format!(
                        "{who:?} {act:?} at {whose:?} trust: expected {}, got {status}{}",
                        if expect { "allowed" } else { "refused" },
                        if before != after && !expect { " and it CHANGED data" } else { "" },
                    ));
                }
            }
        }
    }
    let person_acts = Act::ALL.iter().filter(|a| a.targets_person()).count();
    // Every actor × every act at both trusts, plus the acts on a person with the actor themself
    // (not for someone not signed in) and the project manager as targets.
    assert_eq!(rows, Who::ALL.len() * (Act::ALL.len() * 2 + person_acts * 2) - person_acts);
    assert!(failures.is_empty(), "{} of {rows} rows wrong:\n{}", failures.len(), failures.join("\n"));
}

/// Every placement action × every state × the lead of its trust, a lead of another trust,
/// staff, HR and a project manager. Allowed: the lead of its own trust, when the state machine
/// allows it, and anyone signed in viewing a published placement. A refused row changes nothing
/// and says why: 404 for what the actor may not see, 403 for what they may not do, 409 for a
/// transition the state machine forbids.
#[tokio::test]
async fn every_placement_action_in_every_state_by_every_role() {
    use PlacementAct::*;
    let app = spawn_app().await;
    let actors = [
        ("lead of its trust", LEAD_R0A),
        ("lead of another trust", "lead@rm3.nhs.example"),
        ("staff", NURSE_R0A),
        ("HR", HR_R0A),
        ("project manager", PM),
    ];
    let mut clients = Vec::new();
    for (label, email) in actors {
        clients.push((label, app.browser_signed_in_as(email).await));
    }
    let mut failures = Vec::new();
    let mut rows = 0;
    for &state in PlacementState::ALL.iter() {
        for &act in PlacementAct::ALL {
            for (label, client) in &clients {
                rows += 1;
                let p = placement_in(&app, state).await;
                let id = p.id.to_string();
                let before = fingerprint(&app).await;
                let res = match act {
                    View => app.view_placement(client, &id).await,
                    Edit => app.update_placement(client, &id, &crate::placements::form()).await,
                    Copy => app.copy_placement(client, &id).await,
                    Publish | Close | Reopen | Cancel => {
                        let event = format!("{act:?}").to_lowercase();
                        app.change_placement_state(client, &id, &event, Some("Supervisor on leave")).await
                    }
                };
                let status = res.status();
                let after = fingerprint(&app).await;
                let own_lead = *label == "lead of its trust";
                let sees = own_lead || state != PlacementState::Draft;
                let expect = match act {
                    View => {
                        if sees {
                            StatusCode::OK
                        } else {
                            StatusCode::NOT_FOUND
                        }
                    }
                    _ if !sees => StatusCode::NOT_FOUND,
                    _ if !own_lead => StatusCode::FORBIDDEN,
                    _ if transition_allowed(act, state) => StatusCode::OK,
                    _ => StatusCode::CONFLICT,
                };
                let changed = before != after;
                let should_change = expect == StatusCode::OK && act != View;
                if status != expect || changed != should_change {
                    failures.push(format!(
                        "{label} {act:?} on a {} placement: expected {expect}{}, got {status}{}",
                        state.code(),
                        if should_change { " and a change" } else { " and no change" },
                        if changed { " with a change" } else { " with no change" },
                    ));
                }
            }
        }
    }
    assert_eq!(rows, PlacementState::ALL.len() * PlacementAct::ALL.len() * actors.len());
    assert!(failures.is_empty(), "{} of {rows} rows wrong:\n{}", failures.len(), failures.join("\n"));
}
