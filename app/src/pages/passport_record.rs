//! HR's passport pages: one person's record (the checks behind their passport, their photo, the
//! form that records checks and issues or reissues it, revoking it, and its history), and the
//! trust's passport queue.

use super::passport::{History, status_tag};
use super::people::{band_options, body_options, staff_group_options};
use crate::api::passports::{IssuePassport, RevokePassport, get_passport_queue, get_passport_record};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, Select, SuccessBanner, TextArea, TextInput, after_success, form_errors,
    island_outcome, use_flash, with_blank,
};
use crate::components::layout::ErrorMessage;
use crate::domain::{
    DbsLevel, OhClearance, PassportForm, PassportReview, PassportStatus, QueueReasonKind, RightToWork,
};
use crate::error::AppError;
use crate::error::FormOutcome;
use crate::views::passports::{
    CheckView, ISSUE_PASSPORT_FORM, PASSPORT_PHOTO_FORM, PassportQueue, PassportRecord, PassportSummary,
    REVOKE_PASSPORT_FORM,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn issued_message(s: &PassportSummary) -> String {
    format!("Passport issued. It is valid until {}, and waits for them to confirm it is right", s.expires_at)
}

/// The issue form's flash holds the summary as JSON on success; the banner wants a sentence.
fn issue_flash_outcome(flash: Option<FormOutcome>) -> Option<FormOutcome> {
    flash.map(|o| {
        o.map(|json| serde_json::from_str::<PassportSummary>(&json).map(|s| issued_message(&s)).unwrap_or(json))
    })
}

#[component]
pub fn PassportRecordPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
    let issue_flash = use_flash(ISSUE_PASSPORT_FORM);
    let revoke_flash = use_flash(REVOKE_PASSPORT_FORM);
    // The photo is a plain multipart post, not a server function: only its flash is read.
    let photo_flash = use_flash(PASSPORT_PHOTO_FORM);
    let record = Resource::new(id, get_passport_record);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let issue_flash = issue_flash_outcome(issue_flash.await);
                let revoke_flash = revoke_flash.await;
                let photo_flash = photo_flash.await;
                match record.await {
                    Err(e) => view! { <Title text="Passport" /><ErrorMessage error=e /> }.into_any(),
                    Ok(r) => view! { <RecordView r issue_flash revoke_flash photo_flash /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn review_text(r: &PassportRecord) -> String {
    match r.review {
        PassportReview::ProblemReported => {
            format!("{}: {}", r.review.label(), r.problem.clone().unwrap_or_default())
        }
        PassportReview::Confirmed | PassportReview::Awaiting | PassportReview::None => r.review.label().to_owned(),
    }
}

#[component]
fn RecordView(
    r: PassportRecord,
    issue_flash: Option<FormOutcome>,
    revoke_flash: Option<FormOutcome>,
    photo_flash: Option<FormOutcome>,
) -> impl IntoView {
    let any_success =
        [issue_flash.clone(), revoke_flash.clone(), photo_flash.clone()].into_iter().flatten().find(Result::is_ok);
    let photo_outcome = Signal::stored(photo_flash);
    let holder = r.holder_id;
    let title = format!("Passport: {}", r.holder_name);
    let valid = r.current.as_ref().is_some_and(|c| match c.status {
        PassportStatus::Valid => true,
        PassportStatus::Expired | PassportStatus::Revoked => false,
    });
    let issue_label =
        if r.current.is_some() { "Record checks and reissue passport" } else { "Record checks and issue passport" };
    let revoke_id = r.current.as_ref().map(|c| c.id).unwrap_or_default();
    let (form, photo_r, history) = (r.form.clone(), r.clone(), r.history.clone());
    view! {
        <Title text=title />
        <SuccessBanner outcome=Signal::stored(any_success) />
        <span class="nhsuk-caption-l">"Passport record"</span>
        <h1 class="nhsuk-heading-l">{r.holder_name.clone()}</h1>
        <p>{r.holder_email.clone()}" · "{format!("{} ({})", r.trust_name, r.trust)}" · "<a href=format!("/people/{holder}")>"Person details"</a></p>
        {(!r.active).then(|| view! {
            <div class="nhsuk-warning-callout"><h3 class="nhsuk-warning-callout__label">"Deactivated"</h3>
                <p>"This person is deactivated: reactivate them before issuing a passport."</p></div>
        })}

        <h2 class="nhsuk-heading-m">"Current passport"</h2>
        {match r.current.clone() {
            None => view! { <p id="record-no-passport">"No passport has been issued yet."</p> }.into_any(),
            Some(c) => {
                let (tag_class, tag_text) = status_tag(c.status);
                view! {
                    <dl class="nhsuk-summary-list" id="record-summary">
                        <div class="nhsuk-summary-list__row">
                            <dt class="nhsuk-summary-list__key">"Status"</dt>
                            <dd class="nhsuk-summary-list__value"><strong class=tag_class id="record-status">{tag_text}</strong>
                                {c.revoke_reason.clone().map(|r| view! { <p class="nhsuk-body-s nhsuk-u-margin-top-2">{format!("Reason: {r}")}</p> })}
                            </dd>
                        </div>
                        <div class="nhsuk-summary-list__row">
                            <dt class="nhsuk-summary-list__key">"Issued"</dt>
                            <dd class="nhsuk-summary-list__value">{c.issued_at.clone()}</dd>
                        </div>
                        <div class="nhsuk-summary-list__row">
                            <dt class="nhsuk-summary-list__key">"Expires"</dt>
                            <dd class="nhsuk-summary-list__value">{c.expires_at.clone()}</dd>
                        </div>
                        <div class="nhsuk-summary-list__row">
                            <dt class="nhsuk-summary-list__key">"Holder's review"</dt>
                            <dd class="nhsuk-summary-list__value" id="record-review">{review_text(&r)}</dd>
                        </div>
                    </dl>
                }.into_any()
            }
        }}
        {(!r.checks.is_empty()).then(|| view! { <ChecksTable checks=r.checks.clone() /> })}

        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <PhotoSection r=photo_r outcome=photo_outcome />

                <IssueForm holder label=issue_label.to_owned() form flash=issue_flash />
                {valid.then(|| view! { <RevokeForm id=revoke_id flash=revoke_flash /> })}
            </div>
        </div>

        <h2 class="nhsuk-heading-m">"History"</h2>
        <History events=history for_hr=true />
    }
}

/// Recording checks and issuing: the messages show in place; once issued, the page loads again.
#[island(lazy)]
fn IssueForm(holder: i32, label: String, form: PassportForm, flash: Option<FormOutcome>) -> impl IntoView {
    let issue = Post::<PassportSummary>::to::<IssuePassport>();
    let outcome =
        Signal::derive(move || issue.value.get().map(|res| res.map(|s| issued_message(&s))).or_else(|| flash.clone()));
    after_success(issue, |_| Next::Reload);
    view! {
        <h2 class="nhsuk-heading-m" id="record-checks">"Record checks"</h2>
        <p>"Enter what each check found and the day it was done. You are recorded as the person who recorded them. Issuing replaces the current passport, which is revoked as superseded."</p>
        <ErrorSummary outcome />
        <PostForm post=issue attr:novalidate=true attr:aria-labelledby="record-checks" attr:id="record-form">
            <input type="hidden" name="holder" value=holder />
            <ChecksForm f=form outcome />
            <button class="nhsuk-button" data-module="nhsuk-button" type="submit">{label}</button>
        </PostForm>
    }
}

/// Revoking the current passport, with a reason; once revoked, the page loads again.
#[island(lazy)]
fn RevokeForm(id: i32, flash: Option<FormOutcome>) -> impl IntoView {
    let revoke = Post::<String>::to::<RevokePassport>();
    let outcome = island_outcome(revoke, flash);
    after_success(revoke, |_| Next::Reload);
    view! {
        <h2 class="nhsuk-heading-m" id="revoke-passport">"Revoke this passport"</h2>
        <p>"Revoking sets its bit in the trust's status list: every verifier sees it revoked within minutes."</p>
        <ErrorSummary outcome />
        <PostForm post=revoke attr:novalidate=true attr:aria-labelledby="revoke-passport">
            <input type="hidden" name="id" value=id />
            <TextArea name="reason" label="Why is it revoked?" outcome rows=2
                hint="For example, left the trust. The holder sees this reason." />
            <button class="nhsuk-button nhsuk-button--warning" data-module="nhsuk-button" type="submit">"Revoke passport"</button>
        </PostForm>
    }
}

#[component]
fn ChecksTable(checks: Vec<CheckView>) -> impl IntoView {
    view! {
        <table class="nhsuk-table" id="record-checks-table">
            <caption class="nhsuk-table__caption">"Checks behind this passport"</caption>
            <thead class="nhsuk-table__head">
                <tr class="nhsuk-table__row">
                    <th class="nhsuk-table__header" scope="col">"Check"</th>
                    <th class="nhsuk-table__header" scope="col">"Done on"</th>
                    <th class="nhsuk-table__header" scope="col">"Recorded by"</th>
                    <th class="nhsuk-table__header" scope="col">"Lapses on"</th>
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {checks.into_iter().map(|c| view! {
                    <tr class="nhsuk-table__row">
                        <th class="nhsuk-table__cell" scope="row">{c.label}</th>
                        <td class="nhsuk-table__cell">{c.checked_on}</td>
                        <td class="nhsuk-table__cell">{c.recorded_by}</td>
                        <td class="nhsuk-table__cell">{c.lapses_on.unwrap_or_else(|| "Does not lapse".into())}</td>
                    </tr>
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
}

/// The photo and its upload: a plain multipart form, so it is the same with or without
/// JavaScript (the server sends the browser back here with the outcome).
#[component]
fn PhotoSection(r: PassportRecord, #[prop(into)] outcome: Signal<Option<FormOutcome>>) -> impl IntoView {
    let message = move || form_errors(outcome.get()).and_then(|f| f.message_for("photo").map(str::to_owned));
    let other_error = move || match outcome.get() {
        Some(Err(e)) if !matches!(e, AppError::Validation(_)) => Some(e.to_string()),
        _ => None,
    };
    let action = format!("/people/{}/passport/photo", r.holder_id);
    view! {
        <h2 class="nhsuk-heading-m" id="photo">"Photo"</h2>
        {match r.photo.clone() {
            None => view! { <p id="photo-none">"No photo yet. A passport without one holds no photo."</p> }.into_any(),
            Some(p) => view! {
                <img class="pp-passport-photo" id="photo-current" src=p.url.clone() alt=format!("Passport photo of {}", r.holder_name) width="120" />
                <p class="nhsuk-body-s" id="photo-status">
                    {format!("{} × {} pixels, uploaded {}. ", p.width, p.height, p.uploaded_at)}
                    {if p.in_passport { "The current passport binds this photo." } else { "Not in the passport yet: record checks and reissue to bind it." }}
                </p>
            }.into_any(),
        }}
        <form method="post" action=action enctype="multipart/form-data" aria-labelledby="photo" id="photo-form">
            <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || message().is_some()>
                <label class="nhsuk-label" for="photo-file">"Upload a photo"</label>
                <div class="nhsuk-hint" id="photo-hint">"A JPEG or PNG under 500 KB, at least 100 pixels wide and high. Anything else in the file (location, camera details) is removed."</div>
                {move || message().map(|m| view! {
                    <span class="nhsuk-error-message" id="photo-error"><span class="nhsuk-u-visually-hidden">"Error: "</span>{m}</span>
                })}
                {move || other_error().map(|m| view! { <span class="nhsuk-error-message" id="photo-error">{m}</span> })}
                <input class="nhsuk-file-upload" id="photo-file" name="photo" type="file" accept="image/jpeg,image/png"
                    aria-describedby=move || if message().is_some() { "photo-hint photo-error" } else { "photo-hint" } />
            </div>
            <button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">"Upload photo"</button>
        </form>
    }
}

fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|v| (code(*v).to_owned(), label(*v).to_owned())).collect()
}

/// The fields of the checks form, grouped by check, each starting from the record's values.
#[component]
fn ChecksForm(f: PassportForm, #[prop(into)] outcome: Signal<Option<FormOutcome>>) -> impl IntoView {
    const DATE: &str = "For example, 17/04/2026";
    let dbs = with_blank("No DBS check", options(&DbsLevel::ALL, DbsLevel::code, DbsLevel::label));
    let rtw = with_blank("Select a result", options(&RightToWork::ALL, RightToWork::code, RightToWork::label));
    let oh = with_blank("Select a clearance", options(&OhClearance::ALL, OhClearance::code, OhClearance::label));
    view! {
        <fieldset class="nhsuk-fieldset">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Identity"</legend>
            <TextInput name="items[name]" label="Full name" outcome initial=f.name.clone() autocomplete="off" />
            <TextInput name="items[birthdate]" label="Date of birth" hint=DATE width="10" outcome initial=f.birthdate.clone() />
            <TextInput name="items[identity_checked_on]" label="Identity checked on" hint="The day you saw their identity document." width="10" outcome initial=f.identity_checked_on.clone() />
        </fieldset>
        <fieldset class="nhsuk-fieldset">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"National Insurance number"</legend>
            <TextInput name="items[ni_number]" label="NI number" hint="Like QQ 12 34 56 C." width="10" outcome initial=f.ni_number.clone() />
            <TextInput name="items[ni_number_checked_on]" label="NI number checked on" hint=DATE width="10" outcome initial=f.ni_number_checked_on.clone() />
        </fieldset>
        <fieldset class="nhsuk-fieldset">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"DBS check"</legend>
            <Select name="items[dbs_level]" label="Level" outcome options=dbs initial=f.dbs_level.clone() />
            <TextInput name="items[dbs_check_date]" label="Certificate date" hint=DATE width="10" outcome initial=f.dbs_check_date.clone() />
        </fieldset>
        <fieldset class="nhsuk-fieldset">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Right to work"</legend>
            <Select name="items[right_to_work]" label="Result" outcome options=rtw initial=f.right_to_work.clone() />
            <TextInput name="items[right_to_work_expiry]" label="Permission ends on" hint="Only for a time-limited right to work." width="10" outcome initial=f.right_to_work_expiry.clone() />
            <TextInput name="items[right_to_work_checked_on]" label="Checked on" hint=DATE width="10" outcome initial=f.right_to_work_checked_on.clone() />
        </fieldset>
        <fieldset class="nhsuk-fieldset">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Professional registration"</legend>
            <Select name="items[registration_body]" label="Registration body" outcome options=body_options() initial=f.registration_body.clone() />
            <TextInput name="items[registration_number]" label="Registration number" hint="As the body writes it: GMC 1234567, NMC 12A3456E, HCPC RA123456, GDC 123456." width="10" outcome initial=f.registration_number.clone() />
            <TextInput name="items[registration_expiry]" label="Registration expires on" hint=DATE width="10" outcome initial=f.registration_expiry.clone() />
            <TextInput name="items[registration_checked_on]" label="Checked on the register on" hint=DATE width="10" outcome initial=f.registration_checked_on.clone() />
        </fieldset>
        <fieldset class="nhsuk-fieldset">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Employment"</legend>
            <TextInput name="items[job_role]" label="Job role" outcome initial=f.job_role.clone() />
            <Select name="items[staff_group]" label="Staff group" outcome options=staff_group_options() initial=f.staff_group.clone() />
            <TextInput name="items[department]" label="Department (optional)" outcome initial=f.department.clone() />
            <TextInput name="items[start_date]" label="Start date" hint=DATE width="10" outcome initial=f.start_date.clone() />
            <TextInput name="items[fixed_term_end]" label="Fixed-term contract ends (optional)" hint=DATE width="10" outcome initial=f.fixed_term_end.clone() />
            <Select name="items[pay_band]" label="Pay band" outcome options=band_options() initial=f.pay_band.clone() />
            <TextInput name="items[work_email]" label="Work email" input_type="email" outcome initial=f.work_email.clone() />
            <TextInput name="items[smartcard_number]" label="Smartcard number (optional)" hint="12 digits." width="10" inputmode="numeric" outcome initial=f.smartcard_number.clone() />
        </fieldset>
        <fieldset class="nhsuk-fieldset">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Occupational health"</legend>
            <Select name="items[occupational_health_clearance]" label="Clearance" outcome options=oh initial=f.occupational_health_clearance.clone() />
            <TextInput name="items[occupational_health_checked_on]" label="Cleared on" hint=DATE width="10" outcome initial=f.occupational_health_checked_on.clone() />
        </fieldset>
    }
}

/// The trust's passport queue: who needs HR, most urgent first.
#[component]
pub fn PassportQueuePage() -> impl IntoView {
    let query = use_query_map();
    let trust = move || query.read().get("trust").unwrap_or_default();
    let queue = Resource::new(trust, get_passport_queue);
    view! {
        <Title text="Passport queue" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    Ok(q) => view! { <QueueView q /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A queue reason's tag: its class and its label.
fn reason_tag(kind: QueueReasonKind) -> (&'static str, &'static str) {
    let class = match kind {
        QueueReasonKind::Missing => "nhsuk-tag nhsuk-tag--red",
        QueueReasonKind::ProblemReported => "nhsuk-tag nhsuk-tag--orange",
        QueueReasonKind::ExpiringSoon | QueueReasonKind::ItemLapsing => "nhsuk-tag nhsuk-tag--yellow",
        QueueReasonKind::AwaitingConfirmation => "nhsuk-tag nhsuk-tag--blue",
    };
    (class, kind.label())
}

#[component]
fn QueueView(q: PassportQueue) -> impl IntoView {
    let count = q.entries.len();
    view! {
        <span class="nhsuk-caption-l">{format!("{} ({})", q.trust_name, q.trust)}</span>
        <h1 class="nhsuk-heading-l">"Passport queue"</h1>
        <p id="queue-summary">{format!(
            "{count} {} need{} you; {} {} up to date.",
            if count == 1 { "person" } else { "people" },
            if count == 1 { "s" } else { "" },
            q.up_to_date,
            if q.up_to_date == 1 { "is" } else { "are" },
        )}</p>
        {(count > 0).then(|| view! {
            <table class="nhsuk-table" id="passport-queue">
                <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Passport queue"</caption>
                <thead class="nhsuk-table__head">
                    <tr class="nhsuk-table__row">
                        <th class="nhsuk-table__header" scope="col">"Person"</th>
                        <th class="nhsuk-table__header" scope="col">"Needs"</th>
                    </tr>
                </thead>
                <tbody class="nhsuk-table__body">
                    {q.entries.into_iter().map(|e| view! {
                        <tr class="nhsuk-table__row">
                            <td class="nhsuk-table__cell">
                                <a href=format!("/people/{}/passport", e.holder_id)>{e.name}</a>
                                <br /><span class="nhsuk-body-s">{e.email}</span>
                            </td>
                            <td class="nhsuk-table__cell">
                                {e.reasons.into_iter().map(|r| {
                                    let (class, label) = reason_tag(r.kind);
                                    view! {
                                        <p class="nhsuk-body-s nhsuk-u-margin-bottom-2" data-kind=r.kind.code()>
                                            <strong class=class>{label}</strong>" "{r.detail}
                                        </p>
                                    }
                                }).collect::<Vec<_>>()}
                            </td>
                        </tr>
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        })}
    }
}
