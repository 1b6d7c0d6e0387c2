//! Trying a row: each act as the request a person would make, and what an allowed read must
//! show.

use super::prepare::app_extra_grant;
use super::table::{Act, Whose};
use crate::helpers::{PM, TeamForm, TestApp};
use app::server::entities::{team, trust, user};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Tries `act` as `client`; returns the status and the body.
pub(super) async fn attempt(
    app: &TestApp,
    client: &reqwest::Client,
    act: Act,
    (whose, target_email): (Whose, &str),
    n: usize,
    id: &str,
) -> (StatusCode, String) {
    let ods = whose.ods();
    let target = app.person_id(target_email).await.to_string();
    let name = format!("Row {n} team");
    let email = format!("row{n}@{}.nhs.example", ods.to_lowercase());
    let res = match act {
        Act::AddTrust => {
            let code = format!("ZZ{n}");
            app.add_trust(client, &code, &format!("Row {n} trust"), "").await
        }
        Act::EditTrust => app.edit_trust(client, ods, &format!("Row {n} trust"), "").await,
        Act::AddSite => app.add_site(client, ods, &format!("Row {n} site")).await,
        Act::RenameSite => {
            use app::server::entities::site;
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let s = site::Entity::find().filter(site::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap();
            app.rename_site(client, &s.id.to_string(), &format!("Row {n} site")).await
        }
        Act::RenamePathway => app.rename_pathway(client, "imaging", &format!("Row {n} imaging")).await,
        Act::EditTeam => {
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let tm = team::Entity::find().filter(team::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap();
            let name = format!("Row {n} renamed");
            app.edit_team(client, &tm.id.to_string(), TeamForm { trust: ods, name: &name, site: "", min_cover: "2" })
                .await
        }
        Act::AddPathway => app.add_pathway(client, &format!("Row {n} pathway"), "joining").await,
        Act::SetPathwayStatus => {
            use app::server::entities::pathway;
            let now = pathway::Entity::find()
                .filter(pathway::Column::Slug.eq("imaging"))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            let status = if now.status.code() == "joining" { "active" } else { "joining" };
            app.set_pathway_status(client, "imaging", status).await
        }
        Act::AddTeam => app.add_team(client, TeamForm { trust: ods, name: &name, site: "", min_cover: "1" }).await,
        Act::ListPeople => app.list_people(client, ods).await,
        Act::ViewPerson => app.view_person(client, &target).await,
        Act::AddPerson => {
            app.add_person(
                client,
                &[
                    ("name", "Row Person"),
                    ("email", &email),
                    ("trust", ods),
                    ("team", ""),
                    ("staff_group", ""),
                    ("pay_band", ""),
                    ("registration_body", ""),
                    ("registration_number", ""),
                ],
            )
            .await
        }
        Act::EditPerson => {
            let u = user::Entity::find_by_id(target.parse::<i32>().unwrap()).one(&app.db).await.unwrap().unwrap();
            let team = u.team_id.map(|t| t.to_string()).unwrap_or_default();
            // Their own trust, kept (a project manager has none).
            let home = match u.home_trust_id {
                Some(t) => trust::Entity::find_by_id(t).one(&app.db).await.unwrap().unwrap().ods_code,
                None => String::new(),
            };
            app.edit_person(
                client,
                &target,
                &[
                    ("name", &format!("{} {n}", u.name)),
                    ("email", &u.email),
                    ("trust", &home),
                    ("team", &team),
                    ("staff_group", u.staff_group.map_or("", |g| g.code())),
                    ("pay_band", u.pay_band.as_deref().unwrap_or("")),
                    ("registration_body", u.registration_body.as_deref().unwrap_or("")),
                    ("registration_number", u.registration_number.as_deref().unwrap_or("")),
                ],
            )
            .await
        }
        Act::GrantLead => app.grant_role(client, &target, "placement_lead", ods, "").await,
        Act::GrantHr => app.grant_role(client, &target, "hr_officer", ods, "").await,
        Act::RemoveGrant => {
            // Remove a grant the row itself adds first (by direct write), so the target keeps
            // their own roles for the rows after.
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let extra = app_extra_grant(app, target.parse().unwrap(), t.id).await;
            app.remove_grant(client, &target, &extra.to_string()).await
        }
        Act::Deactivate => app.deactivate(client, &target).await,
        Act::ViewAuditLog => app.view_audit_log(client).await,
        Act::CreatePlacement => app.create_placement(client, ods, &crate::placements::form()).await,
        Act::EditPlacement => app.update_placement(client, id, &crate::placements::form()).await,
        Act::PublishPlacement => app.publish(client, id).await,
        Act::ClosePlacement => app.close(client, id, "Supervisor on leave").await,
        Act::CancelPlacement => app.cancel(client, id, "Supervisor on leave").await,
        Act::CopyPlacement => app.copy_placement(client, id).await,
        Act::ViewDraftPlacement | Act::ViewOpenPlacement => app.view_placement(client, id).await,
        Act::ListTrustPlacements => app.trust_placements(client, ods).await,
        Act::ReopenPlacement => app.reopen(client, id).await,
        Act::PlacementFormChoices => app.placement_form_choices(client, ods).await,
        Act::PlacementEditForm => app.placement_edit_form(client, id).await,
        Act::BrowsePlacements => app.browse_placements(client, &[("trust", ods)]).await,
        Act::IssuePassport => app.issue_passport(client, target.parse().unwrap()).await,
        Act::RevokePassport => app.revoke_passport(client, id, "Left the trust").await,
        Act::ViewPassportHistory => app.passport_history(client, &target).await,
        Act::RotateIssuerKey => app.rotate_issuer_key(client, ods).await,
        Act::RetireIssuerKey => app.retire_issuer_key(client, ods, "Laptop with a key backup stolen").await,
        Act::ConfirmPassport => app.confirm_passport(client, id).await,
        Act::ReportPassportProblem => app.report_passport_problem(client, id, "Wrong pay band").await,
        Act::VerifyPassport => {
            let p = app::server::entities::passport::Entity::find_by_id(id.parse::<i32>().unwrap());
            let credential = crate::helpers::stored_credential(&p.one(&app.db).await.unwrap().unwrap());
            app.verify_passport(client, &credential).await
        }
        Act::ViewPassportRecord => app.passport_record(client, &target).await,
        Act::UploadPassportPhoto => {
            let bytes = crate::passport_records::photo(130 + n as u32 % 50, 160, image::ImageFormat::Png);
            app.upload_photo(client, target.parse().unwrap(), &bytes, false).await
        }
        Act::ViewPassportQueue => app.passport_queue(client, ods).await,
        Act::ViewPassportPhoto => client.get(app.url(&format!("/passport-photos/{id}"))).send().await.expect("GET"),
        Act::ViewCurrentPassport => app.current_passport(client, &target).await,
        Act::MyPassport => app.my_passport(client).await,
        Act::DownloadPassport => app.download_passport(client).await,
        Act::DownloadPassportJson => app.download_passport_json(client).await,
        Act::ViewTeam => {
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let tm = team::Entity::find().filter(team::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap();
            app.view_team(client, &tm.id.to_string()).await
        }
        Act::PeopleFormChoices => app.people_form_choices(client).await,
        Act::ResendInvitation => app.resend_invitation(client, id).await,
        Act::Reactivate => app.reactivate(client, &target).await,
    };
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

/// What an allowed read must show, beyond its status: the person, placement, team or entry it
/// was asked for (so a read answering 200 with nothing, or with the wrong record, fails).
pub(super) async fn shows(
    app: &TestApp,
    act: Act,
    ods: &str,
    target: &str,
    id: &str,
    body: &str,
) -> Result<(), String> {
    let json: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {body:.200}"))?;
    let name = || async {
        let id = app.person_id(target).await;
        user::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().name
    };
    let expected: Option<String> = match act {
        Act::ListPeople | Act::ViewPerson => Some(target.to_owned()),
        Act::ViewPassportRecord => Some(name().await),
        Act::ViewAuditLog => Some("signed_in".into()),
        Act::ViewDraftPlacement | Act::ViewOpenPlacement | Act::ListTrustPlacements | Act::PlacementEditForm => {
            Some(format!("\"id\":{id}"))
        }
        // A project manager (no home trust) holds no passport: an empty history, no summary.
        Act::ViewPassportHistory if target == PM => Some("[]".into()),
        Act::ViewCurrentPassport if target == PM => Some("null".into()),
        Act::ViewPassportHistory => Some("\"issued\"".into()),
        Act::ViewCurrentPassport => Some(format!("\"holder_id\":{}", app.person_id(target).await)),
        Act::ViewTeam => {
            let t = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&app.db).await.unwrap().unwrap();
            let tm = team::Entity::find().filter(team::Column::TrustId.eq(t.id)).one(&app.db).await.unwrap().unwrap();
            Some(tm.name)
        }
        Act::PlacementFormChoices => Some(ods.to_owned()),
        // Whoever may add people may add them at R0A (HR there, a project manager anywhere).
        Act::PeopleFormChoices => Some("\"R0A\"".into()),
        _ => None,
    };
    match expected {
        Some(marker) if !body.contains(&marker) => Err(format!("does not show {marker:?}: {body:.300}")),
        _ if json.get("Validation").is_some() || json.as_str().is_some_and(|s| s == "NotFound") => {
            Err(format!("an error as the answer: {body:.200}"))
        }
        _ => Ok(()),
    }
}
