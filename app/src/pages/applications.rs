//! Applications: the list of one's own and of those waiting on one (`/applications`), and one
//! application with its timeline, the team's cover for the manager deciding, and the actions
//! the state machine allows the viewer (`/applications/:id`).

use crate::api::applications::{ActOnApplication, GiveFeedback, get_application, my_applications};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, Select, SuccessBanner, TextArea, after_success, island_outcome, use_flash,
};
use crate::components::layout::{ErrorMessage, SummaryRow as Row};
use crate::domain::ApplicationEvent;
use crate::error::FormOutcome;
use crate::views::applications::{
    APPLICATION_FORM, ApplicationLists, ApplicationRow, ApplicationView, CoverView, FEEDBACK_FORM, FeedbackView,
    waiting_text,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/applications`: what is waiting on the signed-in person, then their own applications.
#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let lists = Resource::new(|| (), |_| my_applications());
    view! {
        <Title text="Applications" />
        <h1 class="nhsuk-heading-l">"Applications"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match lists.await {
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    Ok(lists) => view! { <Lists lists /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Lists(lists: ApplicationLists) -> impl IntoView {
    let none = lists.mine.is_empty() && lists.to_decide.is_empty();
    view! {
        {(!lists.to_decide.is_empty()).then(|| view! {
            <h2 class="nhsuk-heading-m">"Waiting for a decision"</h2>
            <Table caption="Applications waiting for a decision" rows=lists.to_decide.clone() with_applicant=true />
        })}
        {(!lists.mine.is_empty()).then(|| view! {
            <h2 class="nhsuk-heading-m">"Your applications"</h2>
            <Table caption="Your applications" rows=lists.mine.clone() with_applicant=false />
        })}
        {none.then(|| view! {
            <p>"You have no applications, and none is waiting for you."</p>
            <p><a href="/placements">"Find a placement"</a></p>
        })}
    }
}

#[component]
fn Table(caption: &'static str, rows: Vec<ApplicationRow>, with_applicant: bool) -> impl IntoView {
    view! {
        <table class="nhsuk-table">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">{caption}</caption>
            <thead class="nhsuk-table__head">
                <tr class="nhsuk-table__row">
                    <th class="nhsuk-table__header" scope="col">"Placement"</th>
                    {with_applicant.then(|| view! { <th class="nhsuk-table__header" scope="col">"Applicant"</th> })}
                    <th class="nhsuk-table__header" scope="col">"Days"</th>
                    <th class="nhsuk-table__header" scope="col">"Where it is"</th>
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {rows.into_iter().map(|r| {
                    let waiting = waiting_text(&r.waiting_on);
                    view! {
                        <tr class="nhsuk-table__row">
                            <td class="nhsuk-table__cell">
                                <a href=format!("/applications/{}", r.id)>{r.placement_title.clone()}</a>
                                <br /><span class="nhsuk-body-s">{r.host_trust.clone()}</span>
                            </td>
                            {with_applicant.then(|| view! { <td class="nhsuk-table__cell">{r.applicant.clone()}</td> })}
                            <td class="nhsuk-table__cell">{r.days.clone()}</td>
                            <td class="nhsuk-table__cell">
                                <strong class="nhsuk-tag">{r.state.label()}</strong>
                                {(!waiting.is_empty()).then(|| view! { <br /><span class="nhsuk-body-s">{waiting}</span> })}
                            </td>
                        </tr>
                    }
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
}

/// `/applications/:id`: one application, as the viewer may see it.
#[component]
pub fn ApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
    let acted = use_flash(APPLICATION_FORM);
    let gave = use_flash(FEEDBACK_FORM);
    let application = Resource::new(id, get_application);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (acted, gave) = (acted.await, gave.await);
                let applied = query.read_untracked().get("applied").is_some().then(|| {
                    Ok("Your application has been sent. Your line manager and the host's placement lead will decide on it".to_owned())
                });
                let success = [acted.clone(), gave.clone()].into_iter().flatten().find(Result::is_ok).or(applied);
                match application.await {
                    Err(e) => view! { <Title text="Application" /><ErrorMessage error=e /> }.into_any(),
                    Ok(a) => view! { <Detail a acted success gave /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(
    a: ApplicationView,
    acted: Option<FormOutcome>,
    success: Option<FormOutcome>,
    gave: Option<FormOutcome>,
) -> impl IntoView {
    // The events without a reason are one button each: plain posts, with or without JavaScript.
    let act = ServerAction::<ActOnApplication>::new();
    let waiting = waiting_text(&a.waiting_on);
    let title = format!("{}: application", a.placement_title);
    let (plain, with_reason): (Vec<ApplicationEvent>, Vec<ApplicationEvent>) =
        a.events.iter().copied().partition(|e| !e.needs_reason());
    let id = a.id;
    view! {
        <Title text=title />
        <SuccessBanner outcome=Signal::stored(success) />
        <ErrorSummary outcome=Signal::stored(acted.clone()) />
        <span class="nhsuk-caption-l">{format!("{} at {}", a.applicant, a.host_trust)}</span>
        <h1 class="nhsuk-heading-l">{a.placement_title.clone()}</h1>
        <p>
            <strong class="nhsuk-tag" id="application-state">{a.state.label()}</strong>
            {(!waiting.is_empty()).then(|| view! { " " <span id="waiting-on">{waiting}</span> })}
        </p>
        <dl class="nhsuk-summary-list">
            <Row key="Applicant" value=a.applicant.clone() />
            <Row key="Home trust" value=a.home_trust.clone() />
            <Row key="Team" value=a.team.clone() />
            <Row key="Staff group" value=a.staff_group.clone() />
            <Row key="Pay band" value=a.pay_band.clone() />
            <Row key="Host trust" value=a.host_trust.clone() />
            <Row key="Days" value=a.days.clone() />
        </dl>
        <p><a href=format!("/placements/{}", a.placement_id)>"See the placement"</a></p>
        {a.goals.clone().map(|g| view! {
            <h2 class="nhsuk-heading-m">"What they want to learn"</h2>
            <p class="pp-preserve-lines">{g}</p>
        })}
        {a.reason.clone().map(|r| view! {
            <h2 class="nhsuk-heading-m">"Reason given"</h2>
            <p class="pp-preserve-lines" id="application-reason">{r}</p>
        })}
        {a.cover.clone().map(|cover| view! { <CoverPanel cover /> })}
        {(!plain.is_empty()).then(|| view! {
            <div class="pp-button-row">
                {plain.into_iter().map(|event| view! {
                    <ActionForm action=act attr:class="pp-inline-form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="event" value=event.code() />
                        <button class="nhsuk-button" type="submit">{event.label()}</button>
                    </ActionForm>
                }).collect::<Vec<_>>()}
            </div>
        })}
        {(!with_reason.is_empty()).then(|| view! { <ReasonForm id events=with_reason flash=acted /> })}
        {a.feedback_due.then(|| view! { <FeedbackForm id flash=gave /> })}
        {(!a.feedback.is_empty()).then(|| view! { <FeedbackGiven feedback=a.feedback.clone() /> })}
        <h2 class="nhsuk-heading-m">"What has happened"</h2>
        <ol class="nhsuk-list" id="timeline">
            {a.steps.iter().map(|s| view! {
                <li><strong>{s.what.clone()}</strong>" "{format!("by {}, {}", s.who, s.at)}</li>
            }).collect::<Vec<_>>()}
        </ol>
    }
}

/// The events that must say why, in one form: one reason box, and the event chosen when there
/// is more than one. Its messages show at the top of the page (the form sits in a closed
/// details); with JavaScript on, a refusal also shows beside the reason at once.
#[island(lazy)]
fn ReasonForm(id: i32, events: Vec<ApplicationEvent>, flash: Option<FormOutcome>) -> impl IntoView {
    let act = Post::<String>::to::<ActOnApplication>();
    let outcome = island_outcome(act, flash);
    let refused = Signal::derive(move || act.value.get().filter(Result::is_err));
    after_success(act, |_| Next::Reload);
    let heading = events.iter().map(|e| e.label()).collect::<Vec<_>>().join(" or ");
    let only = (events.len() == 1).then(|| events[0]);
    view! {
        <details class="nhsuk-details">
            <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">{heading}</span></summary>
            <div class="nhsuk-details__text">
                <ErrorSummary outcome=refused />
                <PostForm post=act attr:novalidate=true>
                    <input type="hidden" name="id" value=id />
                    {match only {
                        Some(e) => view! { <input type="hidden" name="event" value=e.code() /> }.into_any(),
                        None => view! {
                            <div class="nhsuk-form-group">
                                <fieldset class="nhsuk-fieldset">
                                    <legend class="nhsuk-fieldset__legend">"What do you want to do?"</legend>
                                    <div class="nhsuk-radios">
                                        {events.iter().enumerate().map(|(n, e)| {
                                            let rid = format!("event-{}", e.code());
                                            view! {
                                                <div class="nhsuk-radios__item">
                                                    <input class="nhsuk-radios__input" id=rid.clone() name="event" type="radio" value=e.code() checked=n == 0 />
                                                    <label class="nhsuk-label nhsuk-radios__label" for=rid>{e.label()}</label>
                                                </div>
                                            }
                                        }).collect::<Vec<_>>()}
                                    </div>
                                </fieldset>
                            </div>
                        }.into_any(),
                    }}
                    <TextArea name="reason" label="Why?" outcome rows=3
                        hint="Everyone involved will see this. It cannot be undone." />
                    <button class="nhsuk-button nhsuk-button--warning" type="submit">"Confirm"</button>
                </PostForm>
            </div>
        </details>
    }
}

/// The team's cover over the application's days, for the manager deciding on a release.
#[component]
fn CoverPanel(cover: CoverView) -> impl IntoView {
    let after = format!(
        "{} of {} would be on duty on the busiest day, against a minimum cover of {}",
        cover.fewest_on_duty, cover.size, cover.min_cover
    );
    view! {
        <h2 class="nhsuk-heading-m">{format!("Cover in {}", cover.team)}</h2>
        <p id="cover-after">{after}</p>
        {if cover.away.is_empty() {
            view! { <p>"Nobody else in the team is away on a placement then."</p> }.into_any()
        } else {
            view! {
                <p>"Also away on a placement then:"</p>
                <ul>{cover.away.iter().map(|(who, when)| view! { <li>{format!("{who}, {when}")}</li> }).collect::<Vec<_>>()}</ul>
            }
            .into_any()
        }}
        {cover.shortfall.clone().map(|why| view! {
            <div class="nhsuk-warning-callout">
                <h3 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"The team would be short"</span></h3>
                <p id="cover-shortfall">{why}</p>
            </div>
        })}
    }
}

/// Feedback on a completed placement: the learning outcomes met, a rating, whether they would
/// recommend it, and anything else. Once given, the page loads again to show it.
#[island(lazy)]
fn FeedbackForm(id: i32, flash: Option<FormOutcome>) -> impl IntoView {
    let give = Post::<String>::to::<GiveFeedback>();
    let outcome = island_outcome(give, flash);
    after_success(give, |_| Next::Reload);
    let errors = Signal::derive(move || outcome.get().filter(Result::is_err));
    let outcomes =
        with_blank(crate::domain::OutcomesMet::ALL.iter().map(|o| (o.code().to_owned(), o.label().to_owned())));
    let ratings = with_blank((1..=5).rev().map(|n| (n.to_string(), format!("{n} out of 5"))));
    let recommend = with_blank([("yes".to_owned(), "Yes".to_owned()), ("no".to_owned(), "No".to_owned())]);
    view! {
        <h2 class="nhsuk-heading-m" id="feedback">"Your feedback"</h2>
        <ErrorSummary outcome=errors />
        <PostForm post=give attr:novalidate=true>
            <input type="hidden" name="id" value=id />
            <Select name="outcomes_met" label="How many of the placement's learning outcomes were met?" outcome=errors options=outcomes />
            <Select name="rating" label="How would you rate the placement?" outcome=errors options=ratings />
            <Select name="would_recommend" label="Would you recommend it to a colleague?" outcome=errors options=recommend />
            <TextArea name="comments" label="Anything else? (optional)" outcome=errors rows=3 />
            <button class="nhsuk-button" type="submit">"Give feedback"</button>
        </PostForm>
    }
}

fn with_blank(options: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    crate::components::form::with_blank("Select", options)
}

#[component]
fn FeedbackGiven(feedback: Vec<FeedbackView>) -> impl IntoView {
    view! {
        <h2 class="nhsuk-heading-m">"Feedback"</h2>
        {feedback.into_iter().map(|f| view! {
            <h3 class="nhsuk-heading-s">{f.from.clone()}</h3>
            <dl class="nhsuk-summary-list">
                <Row key="Learning outcomes met" value=f.outcomes_met.clone() />
                <Row key="Rating" value=format!("{} out of 5", f.rating) />
                <Row key="Would recommend" value=if f.would_recommend { "Yes".to_owned() } else { "No".to_owned() } />
                <Row key="Comments" value=if f.comments.is_empty() { "None".to_owned() } else { f.comments.clone() } />
            </dl>
        }).collect::<Vec<_>>()}
    }
}
