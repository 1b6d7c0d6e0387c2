//! The holder's own passport: every item with its value, who issued it and until when, the
//! download, its history, and confirming the items are right or reporting what is wrong.

use crate::api::passports::{ConfirmPassport, ReportPassportProblem, my_passport};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, SuccessBanner, TextArea, after_success, island_outcome, use_flash,
};
use crate::components::layout::ErrorMessage;
use crate::domain::{MAX_PROBLEM_CHARS, PassportActorRole, PassportStatus, item_label, item_rank};
use crate::error::FormOutcome;
use crate::views::passports::{
    CONFIRM_PASSPORT_FORM, HolderPassport, PASSPORT_PROBLEM_FORM, PassportEvent, PassportItemView, photo_url,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PassportPage() -> impl IntoView {
    let confirm_flash = use_flash(CONFIRM_PASSPORT_FORM);
    let report_flash = use_flash(PASSPORT_PROBLEM_FORM);
    let passport = Resource::new(|| (), |_| my_passport());
    view! {
        <Title text="Your passport" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let confirm_flash = confirm_flash.await;
                let report_flash = report_flash.await;
                match passport.await {
                    Ok(Some(p)) => view! { <PassportView p confirm_flash report_flash /> }.into_any(),
                    Ok(None) => view! { <NoPassport /> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NoPassport() -> impl IntoView {
    view! {
        <h1 class="nhsuk-heading-l">"Your passport"</h1>
        <div class="nhsuk-inset-text">
            <span class="nhsuk-u-visually-hidden">"Information: "</span>
            <p id="no-passport">"Your HR has not issued your passport yet."</p>
        </div>
        <p>"Your home trust's HR passport officer issues it once your employment checks are recorded. You will see it here, and be able to download it, as soon as they do."</p>
    }
}

/// A passport status's tag: its class and its label.
pub fn status_tag(status: PassportStatus) -> (&'static str, &'static str) {
    let class = match status {
        PassportStatus::Valid => "nhsuk-tag nhsuk-tag--green",
        PassportStatus::Expired => "nhsuk-tag nhsuk-tag--grey",
        PassportStatus::Revoked => "nhsuk-tag nhsuk-tag--red",
    };
    (class, status.label())
}

fn role_label(role: PassportActorRole, for_hr: bool) -> &'static str {
    match role {
        PassportActorRole::Holder if !for_hr => "You",
        other => other.label(),
    }
}

#[component]
fn PassportView(
    p: HolderPassport,
    confirm_flash: Option<FormOutcome>,
    report_flash: Option<FormOutcome>,
) -> impl IntoView {
    // Confirming is one button: a plain post, with or without JavaScript.
    let confirm = ServerAction::<ConfirmPassport>::new();
    let any_success = [confirm_flash.clone(), report_flash.clone()].into_iter().flatten().find(Result::is_ok);
    let confirm_outcome = Signal::stored(confirm_flash);
    let s = p.summary.clone();
    let (tag_class, tag_text) = status_tag(s.status);
    let revoked = match s.status {
        PassportStatus::Revoked => true,
        PassportStatus::Valid | PassportStatus::Expired => false,
    };
    let id = s.id;
    view! {
        <SuccessBanner outcome=Signal::stored(any_success) />
        <h1 class="nhsuk-heading-l">"Your digital staff passport"</h1>
        <dl class="nhsuk-summary-list" id="passport-summary">
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Status"</dt>
                <dd class="nhsuk-summary-list__value">
                    <strong class=tag_class id="passport-status">{tag_text}</strong>
                    {s.revoke_reason.clone().map(|r| view! { <p class="nhsuk-body-s nhsuk-u-margin-top-2">{format!("Reason: {r}")}</p> })}
                </dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Issued by"</dt>
                <dd class="nhsuk-summary-list__value">{format!("{} ({})", p.trust_name, s.trust)}</dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Issued"</dt>
                <dd class="nhsuk-summary-list__value">{s.issued_at.clone()}</dd>
            </div>
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Expires"</dt>
                <dd class="nhsuk-summary-list__value">{s.expires_at.clone()}</dd>
            </div>
        </dl>
        {(!revoked).then(|| view! {
            <p>
                // Files, not pages of the app: the router must leave these links to the browser.
                <a href="/passport/download" rel="external" download="passport.sd-jwt">"Download your passport"</a>
                " (an SD-JWT file any standard verifier can check), or "
                <a href="/passport/download.json" rel="external" download="passport.json">"download it as JSON"</a>"."
            </p>
        })}

        <h2 class="nhsuk-heading-m">"What your passport holds"</h2>
        <ItemsTable id="passport-items" caption="Items in your passport" caption_hidden=true items=p.items.clone() />

        {(!revoked).then(|| view! {
            <div class="nhsuk-grid-row">
                <div class="nhsuk-grid-column-two-thirds">
                    <h2 class="nhsuk-heading-m" id="check-items">"Are these details right?"</h2>
                    {if p.confirmed {
                        view! { <p id="passport-confirmed">"You have confirmed these details are right."</p> }.into_any()
                    } else {
                        view! {
                            <ErrorSummary outcome=confirm_outcome />
                            <ActionForm action=confirm attr:aria-labelledby="check-items">
                                <input type="hidden" name="passport" value=id />
                                <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Confirm these details are right"</button>
                            </ActionForm>
                        }.into_any()
                    }}
                    <ReportProblemForm passport=id flash=report_flash.clone() />
                </div>
            </div>
        })}

        <h2 class="nhsuk-heading-m">"History"</h2>
        <p>"Everyone who has issued, changed, downloaded, viewed or checked your passport, newest first."</p>
        <History events=p.history />
    }
}

/// Reporting a problem: its messages show in place; once sent, the page loads again to show it
/// in the history.
#[island(lazy)]
fn ReportProblemForm(passport: i32, flash: Option<FormOutcome>) -> impl IntoView {
    let report = Post::<String>::to::<ReportPassportProblem>();
    let outcome = island_outcome(report, flash);
    after_success(report, |_| Next::Reload);
    view! {
        <h3 class="nhsuk-heading-s" id="report-problem">"Report something wrong"</h3>
        <ErrorSummary outcome />
        <PostForm post=report attr:novalidate=true attr:aria-labelledby="report-problem">
            <input type="hidden" name="passport" value=passport />
            <TextArea name="problem" label="What is wrong?" outcome rows=4 hint=PROBLEM_HINT />
            <button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">"Send to HR"</button>
        </PostForm>
    }
}

/// The hint under the problem box (its limit is `MAX_PROBLEM_CHARS`).
const PROBLEM_HINT: &str = "Say which item is wrong and what it should be, in 500 characters or fewer. Your HR passport officer sees it in your passport's history.";
const _: () = assert!(MAX_PROBLEM_CHARS == 500, "the hint states the limit");

/// Passport items as a table of label and value (the holder's page and the verification page).
#[component]
pub fn ItemsTable(
    id: &'static str,
    caption: &'static str,
    #[prop(optional)] caption_hidden: bool,
    items: Vec<PassportItemView>,
) -> impl IntoView {
    let caption_class =
        if caption_hidden { "nhsuk-table__caption nhsuk-u-visually-hidden" } else { "nhsuk-table__caption" };
    view! {
        <table class="nhsuk-table" id=id>
            <caption class=caption_class>{caption}</caption>
            <thead class="nhsuk-table__head">
                <tr class="nhsuk-table__row">
                    <th class="nhsuk-table__header" scope="col">"Item"</th>
                    <th class="nhsuk-table__header" scope="col">"Value"</th>
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {items.into_iter().map(|i| {
                    // The photo a digest binds is served beside the credential: show it.
                    let photo = (i.name == "photo_digest").then(|| view! {
                        <img class="pp-passport-photo" src=photo_url(&i.value) alt="The passport photo this digest binds" width="120" />
                    });
                    view! {
                        <tr class="nhsuk-table__row">
                            <th class="nhsuk-table__cell" scope="row">{i.label}</th>
                            <td class="nhsuk-table__cell">{photo}<span class="pp-break-all">{i.value}</span></td>
                        </tr>
                    }
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
}

/// A passport's history, newest first. `for_hr`: shown to HR, so the holder is "Holder", not "You".
#[component]
pub fn History(events: Vec<PassportEvent>, #[prop(optional)] for_hr: bool) -> impl IntoView {
    view! {
        <table class="nhsuk-table" id="passport-history">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Passport history"</caption>
            <thead class="nhsuk-table__head">
                <tr class="nhsuk-table__row">
                    <th class="nhsuk-table__header" scope="col">"When"</th>
                    <th class="nhsuk-table__header" scope="col">"What"</th>
                    <th class="nhsuk-table__header" scope="col">"Who"</th>
                    <th class="nhsuk-table__header" scope="col">"Items"</th>
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {events.into_iter().map(|e| {
                    let who = match &e.trust {
                        Some(t) => format!("{} ({}, {t})", e.who, role_label(e.role, for_hr)),
                        None => format!("{} ({})", e.who, role_label(e.role, for_hr)),
                    };
                    let mut names = e.items.clone();
                    names.sort_by_key(|n| item_rank(n));
                    let items = names.iter().map(|i| item_label(i)).collect::<Vec<_>>().join(", ");
                    view! {
                        <tr class="nhsuk-table__row">
                            <td class="nhsuk-table__cell">{e.at}</td>
                            <td class="nhsuk-table__cell">
                                {e.action.label()}
                                {e.reason.map(|r| view! { <p class="nhsuk-body-s nhsuk-u-margin-bottom-0">{r}</p> })}
                            </td>
                            <td class="nhsuk-table__cell">{who}</td>
                            <td class="nhsuk-table__cell nhsuk-body-s">{items}</td>
                        </tr>
                    }
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
}
