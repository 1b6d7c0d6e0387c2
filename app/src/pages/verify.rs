//! Checking a passport: anyone pastes a credential and sees each check, the one that failed
//! named, and, when it verifies, who issued it and the items it discloses.

use crate::api::passports::VerifyPassport;
use crate::components::form::{ErrorSummary, Post, PostForm, TextArea, use_flash};
use crate::error::AppError;
use crate::error::FormOutcome;
use crate::pages::passport::ItemsTable;
use crate::views::passports::{CheckOutcome, VERIFY_PASSPORT_FORM, VerificationReport};
use leptos::prelude::*;
use leptos_meta::Title;

/// The report kept in the flash by a post without JavaScript (as JSON), or the error.
fn from_flash(outcome: FormOutcome) -> Result<VerificationReport, AppError> {
    outcome.and_then(|json| serde_json::from_str(&json).map_err(|_| AppError::Internal))
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let flash = use_flash(VERIFY_PASSPORT_FORM);
    view! {
        <Title text="Check a passport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move { view! { <VerifyForm flash=flash.await /> } })}
        </Suspense>
    }
}

/// The form and its report: checking stays on the page, with or without JavaScript.
#[island(lazy)]
fn VerifyForm(flash: Option<FormOutcome>) -> impl IntoView {
    let verify = Post::<VerificationReport>::to::<VerifyPassport>();
    let flashed = flash.map(from_flash);
    let result = Signal::derive(move || verify.value.get().or_else(|| flashed.clone()));
    // The form's own state: its field messages, or a success with nothing to say.
    let outcome = Signal::derive(move || result.get().map(|r| r.map(|_| String::new())));
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 class="nhsuk-heading-l">"Check a passport"</h1>
                <p>"Paste a digital staff passport to check that a trust in the pilot issued it, that nobody has changed it, and that it has not expired or been revoked. You do not need to sign in."</p>
                <ErrorSummary outcome />
                <PostForm post=verify attr:novalidate=true attr:aria-labelledby="verify-heading">
                    <h2 class="nhsuk-u-visually-hidden" id="verify-heading">"Passport to check"</h2>
                    <TextArea name="credential" label="Passport" outcome rows=8
                        hint="The passport file's contents: it starts with eyJ, or with { if it was downloaded as JSON." />
                    <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Check passport"</button>
                </PostForm>
            </div>
        </div>
        {move || result.get().and_then(Result::ok).map(|report| view! { <ReportView report /> })}
    }
}

#[component]
fn ReportView(report: VerificationReport) -> impl IntoView {
    let heading = match report.failed_check() {
        None => "Passport verified".to_owned(),
        Some(check) => format!("Not verified: the {} check failed", check.name.to_lowercase()),
    };
    let panel = if report.verified {
        "pp-verify-result pp-verify-result--passed"
    } else {
        "pp-verify-result pp-verify-result--failed"
    };
    view! {
        <div class=panel id="verify-result" role="status">
            <h2 class="nhsuk-heading-m" id="verify-outcome">{heading}</h2>
            {report.issuer.clone().map(|i| view! { <p>{format!("Issuer: {i}")}</p> })}
            {report.issued_at.clone().zip(report.expires_at.clone()).map(|(issued, expires)| view! {
                <p>{format!("Issued {issued}, expires {expires}")}</p>
            })}
        </div>
        <table class="nhsuk-table" id="verify-checks">
            <caption class="nhsuk-table__caption">"Checks"</caption>
            <thead class="nhsuk-table__head">
                <tr class="nhsuk-table__row">
                    <th class="nhsuk-table__header" scope="col">"Check"</th>
                    <th class="nhsuk-table__header" scope="col">"Result"</th>
                    <th class="nhsuk-table__header" scope="col">"Detail"</th>
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {report.checks.iter().cloned().map(|c| {
                    let (class, text) = match c.outcome {
                        CheckOutcome::Passed => ("nhsuk-tag nhsuk-tag--green", "Passed"),
                        CheckOutcome::Failed => ("nhsuk-tag nhsuk-tag--red", "Failed"),
                        CheckOutcome::NotChecked => ("nhsuk-tag nhsuk-tag--grey", "Not checked"),
                    };
                    view! {
                        <tr class="nhsuk-table__row">
                            <th class="nhsuk-table__cell" scope="row">{c.name}</th>
                            <td class="nhsuk-table__cell"><strong class=class>{text}</strong></td>
                            <td class="nhsuk-table__cell">{c.detail}</td>
                        </tr>
                    }
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
        {(!report.items.is_empty()).then(|| view! {
            <ItemsTable id="verify-items" caption="Disclosed items" items=report.items.clone() />
        })}
    }
}
