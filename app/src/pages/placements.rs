//! Placements: browsing the open ones (staff), one placement's page and a trust's list. The
//! form leads post and edit them with is in [`super::placement_form`].

use crate::api::applications::ApplyForPlacement;
use crate::api::placements::{ChangePlacementState, CopyPlacement, browse_placements, get_placement, trust_placements};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, SuccessBanner, TextArea, TextInput, after_success, island_outcome, use_flash,
};
use crate::components::layout::{ErrorMessage, SummaryRow as Row};
use crate::domain::PlacementEvent;
use crate::error::FormOutcome;
use crate::views::applications::APPLY_FORM;
use crate::views::placements::{
    BrowsePage, BrowseQuery, PLACEMENT_FORM, PLACEMENT_STATE_FORM, PlacementView, TrustPlacementList,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};

// ---------------------------------------------------------------------------------------------
// Browse

/// `/placements`: open placements across the alliance, with filters in the URL. The filter
/// form is a plain GET form, so it works without JavaScript; with it, the router navigates
/// without a reload and the back button still works.
#[component]
pub fn BrowsePlacementsPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| query_map.with(|m| BrowseQuery::from_params(|k| m.get(k))));
    // The query travels with its results, so the form always shows what the list was made of.
    let page = Resource::new(move || query.get(), |q| async move { (q.clone(), browse_placements(q).await) });
    view! {
        <Title text="Find a placement" />
        <h1 class="nhsuk-heading-l">"Find a placement"</h1>
        <Transition fallback=|| view! { <p>"Loading placements…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    (_, Err(e)) => view! { <ErrorMessage error=e /> }.into_any(),
                    (q, Ok(p)) => view! { <BrowseView q p /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn problem<'a>(p: &'a BrowsePage, field: &str) -> Option<&'a str> {
    p.problems.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
}

/// A filter's form group: label, the message when the filter could not be read, the control.
#[component]
fn FilterGroup(name: &'static str, label: &'static str, error: Option<String>, children: Children) -> impl IntoView {
    let has_error = error.is_some();
    view! {
        <div class="nhsuk-form-group" class:nhsuk-form-group--error=has_error>
            <label class="nhsuk-label" for=name>{label}</label>
            {error.map(|m| view! {
                <span class="nhsuk-error-message" id=format!("{name}-error")>
                    <span class="nhsuk-u-visually-hidden">"Error: "</span>{m}
                </span>
            })}
            {children()}
        </div>
    }
}

#[component]
fn FilterSelect(
    name: &'static str,
    label: &'static str,
    blank: &'static str,
    options: Vec<(String, String)>,
    selected: String,
    error: Option<String>,
) -> impl IntoView {
    let described = error.as_ref().map(|_| format!("{name}-error"));
    view! {
        <FilterGroup name label error>
            <select class="nhsuk-select" id=name name=name aria-describedby=described>
                <option value="" selected=selected.is_empty()>{blank}</option>
                {options.into_iter().map(|(v, l)| {
                    let on = v == selected;
                    view! { <option value=v selected=on>{l}</option> }
                }).collect::<Vec<_>>()}
            </select>
        </FilterGroup>
    }
}

#[component]
fn FilterDate(name: &'static str, label: &'static str, value: String, error: Option<String>) -> impl IntoView {
    let described = error.as_ref().map(|_| format!("{name}-error"));
    view! {
        <FilterGroup name label error>
            <input class="nhsuk-input nhsuk-input--width-10" id=name name=name type="date" value=value aria-describedby=described />
        </FilterGroup>
    }
}

#[component]
fn BrowseView(q: BrowseQuery, p: BrowsePage) -> impl IntoView {
    let errors: Vec<(&str, Option<String>)> = ["pathway", "kind", "trust", "from", "to"]
        .into_iter()
        .map(|f| (f, problem(&p, f).map(str::to_owned)))
        .collect();
    let err = move |f: &str| errors.iter().find(|(k, _)| *k == f).and_then(|(_, m)| m.clone());
    let showing = if p.total == 0 {
        "No placements match".to_owned()
    } else if p.total == 1 {
        "1 placement".to_owned()
    } else {
        format!("{} placements", p.total)
    };
    let prev = (p.page > 1).then(|| q.href(p.page - 1));
    let next = (p.page < p.pages).then(|| q.href(p.page + 1));
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-one-third">
                <Form method="GET" action="/placements" attr:role="search" attr:aria-label="Filter placements">
                    <input type="hidden" name="filtered" value="1" />
                    <div class="nhsuk-form-group">
                        <label class="nhsuk-label" for="q">"Search"</label>
                        <div class="nhsuk-hint" id="q-hint">"Words in the title, description or learning outcomes."</div>
                        <input class="nhsuk-input" id="q" name="q" type="search" value=q.q.clone() aria-describedby="q-hint" />
                    </div>
                    <FilterSelect name="pathway" label="Pathway" blank="All pathways" options=p.pathways.clone()
                        selected=q.pathway.clone() error=err("pathway") />
                    <FilterSelect name="kind" label="Kind of placement" blank="All kinds" options=p.kinds.clone()
                        selected=q.kind.clone() error=err("kind") />
                    <FilterSelect name="trust" label="Host trust" blank="All trusts" options=p.trusts.clone()
                        selected=q.trust.to_ascii_uppercase() error=err("trust") />
                    <FilterDate name="from" label="Running on or after" value=q.from.clone() error=err("from") />
                    <FilterDate name="to" label="Running on or before" value=q.to.clone() error=err("to") />
                    {p.is_staff.then(|| view! {
                        <div class="nhsuk-form-group">
                            <div class="nhsuk-checkboxes">
                                <div class="nhsuk-checkboxes__item">
                                    <input class="nhsuk-checkboxes__input" id="eligible" name="eligible" type="checkbox" value="1" checked=q.eligible />
                                    <label class="nhsuk-label nhsuk-checkboxes__label" for="eligible">"Only placements I can apply for"</label>
                                </div>
                            </div>
                        </div>
                    })}
                    <FilterSelect name="sort" label="Sort by" blank="Closing date, soonest first"
                        options=vec![("start".to_owned(), "Start date, soonest first".to_owned())]
                        selected=q.sort.clone() error=None />
                    <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Apply filters"</button>
                    <p><a href="/placements">"Clear filters"</a></p>
                </Form>
            </div>
            <div class="nhsuk-grid-column-two-thirds">
                <p class="nhsuk-body-l" role="status" id="results-count">{showing}</p>
                {(p.is_staff && q.eligible).then(|| view! {
                    <p class="nhsuk-hint">"Showing only placements open to your staff group, band and registration."</p>
                })}
                <ul class="nhsuk-list pp-results">
                    {p.rows.into_iter().map(|r| {
                        let places = match r.places_left {
                            1 => "1 place left".to_owned(),
                            n => format!("{n} places left"),
                        };
                        view! {
                            <li class="nhsuk-card nhsuk-card--clickable">
                                <div class="nhsuk-card__content">
                                    <h2 class="nhsuk-card__heading nhsuk-heading-s">
                                        <a class="nhsuk-card__link" href=format!("/placements/{}", r.id)>{r.title}</a>
                                    </h2>
                                    <dl class="nhsuk-summary-list nhsuk-summary-list--no-border pp-compact">
                                        <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Host"</dt><dd class="nhsuk-summary-list__value">{r.trust_name}</dd></div>
                                        <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Pathway"</dt><dd class="nhsuk-summary-list__value">{r.pathway}</dd></div>
                                        <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Kind"</dt><dd class="nhsuk-summary-list__value">{r.kind}</dd></div>
                                        <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"When"</dt><dd class="nhsuk-summary-list__value">{r.when}</dd></div>
                                        <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Closes"</dt><dd class="nhsuk-summary-list__value">{r.closing_date}" · "{places}</dd></div>
                                    </dl>
                                </div>
                            </li>
                        }
                    }).collect::<Vec<_>>()}
                </ul>
                {(p.pages > 1).then(|| view! {
                    <nav class="nhsuk-pagination" role="navigation" aria-label="Pagination">
                        <ul class="nhsuk-list nhsuk-pagination__list">
                            {prev.map(|href| view! {
                                <li class="nhsuk-pagination-item--previous">
                                    <A href=href attr:class="nhsuk-pagination__link nhsuk-pagination__link--prev" attr:rel="prev">
                                        <span class="nhsuk-pagination__title">"Previous"</span>
                                        <span class="nhsuk-u-visually-hidden">":"</span>
                                        <span class="nhsuk-pagination__page">{format!("Page {} of {}", p.page - 1, p.pages)}</span>
                                    </A>
                                </li>
                            })}
                            {next.map(|href| view! {
                                <li class="nhsuk-pagination-item--next">
                                    <A href=href attr:class="nhsuk-pagination__link nhsuk-pagination__link--next" attr:rel="next">
                                        <span class="nhsuk-pagination__title">"Next"</span>
                                        <span class="nhsuk-u-visually-hidden">":"</span>
                                        <span class="nhsuk-pagination__page">{format!("Page {} of {}", p.page + 1, p.pages)}</span>
                                    </A>
                                </li>
                            })}
                        </ul>
                    </nav>
                })}
            </div>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// One placement

/// `/placements/:id`: everything about a placement, whether the viewer may apply and why not,
/// and its trust's leads' actions.
#[component]
pub fn PlacementPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
    // The state buttons and copying report under the state form's name.
    let changed = use_flash(PLACEMENT_STATE_FORM);
    let applying = use_flash(APPLY_FORM);
    let placement = Resource::new(id, get_placement);
    // The edit form's success notice, kept for this page (see `update_placement`).
    let saved = use_flash(PLACEMENT_FORM);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let changed = changed.await;
                let applying = applying.await;
                let created = query.read_untracked().get("created").is_some()
                    .then(|| Ok("Draft saved. Only your trust's placement leads can see it until you publish it".to_owned()));
                let saved = saved.await.filter(Result::is_ok).or(created);
                match placement.await {
                    Err(e) => view! { <Title text="Placement" /><ErrorMessage error=e /> }.into_any(),
                    Ok(p) => view! { <PlacementDetail p changed saved applying /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PlacementDetail(
    p: PlacementView,
    changed: Option<FormOutcome>,
    saved: Option<FormOutcome>,
    applying: Option<FormOutcome>,
) -> impl IntoView {
    let yours = p.your_application;
    let may_apply =
        yours.is_none() && p.takes_applications && p.not_eligible_because.as_ref().is_some_and(Vec::is_empty);
    let window_days = p.window_days;
    let success = changed.clone().filter(Result::is_ok).or_else(|| saved.filter(Result::is_ok));
    let id = p.id;
    let state = p.state;
    let eligibility = p.not_eligible_because.clone().map(|reasons| {
        if reasons.is_empty() {
            view! {
                <div class="nhsuk-inset-text"><span class="nhsuk-u-visually-hidden">"Information: "</span>
                    <p>"You are eligible for this placement."</p>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="nhsuk-warning-callout">
                    <h2 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"You are not eligible"</span></h2>
                    <ul>{reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect::<Vec<_>>()}</ul>
                </div>
            }
            .into_any()
        }
    });
    let places = format!("{} of {}", p.places_left, p.places);
    view! {
        <Title text=p.title.clone() />
        <SuccessBanner outcome=Signal::stored(success) />
        <ErrorSummary outcome=Signal::stored(changed.clone()) />
        <span class="nhsuk-caption-l">{p.trust_name.clone()}</span>
        <h1 class="nhsuk-heading-l">{p.title.clone()}</h1>
        <p><strong class="nhsuk-tag" id="placement-state">{state.label()}</strong></p>
        {eligibility}
        <dl class="nhsuk-summary-list">
            <Row key="Host trust" value=p.trust_name.clone() />
            <Row key="Site" value=p.site.clone().unwrap_or_else(|| "Any site".into()) />
            <Row key="Department" value=p.department.clone() />
            <Row key="Pathway" value=p.pathway.clone() />
            <Row key="Kind" value=p.kind.clone() />
            <Row key="When" value=p.when.clone() />
            <Row key="Places left" value=places />
            <Row key="Closing date" value=p.closing_date.clone() />
            <Row key="Supervisor" value=p.supervisor.clone() />
        </dl>
        <h2 class="nhsuk-heading-m">"About the placement"</h2>
        <p class="pp-preserve-lines">{p.description.clone()}</p>
        <h2 class="nhsuk-heading-m">"Learning outcomes"</h2>
        <p class="pp-preserve-lines">{p.outcomes.clone()}</p>
        {yours.map(|a| view! {
            <div class="nhsuk-inset-text" id="your-application">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>"You have applied for this placement. "<a href=format!("/applications/{a}")>"See your application"</a></p>
            </div>
        })}
        {may_apply.then(|| view! { <ApplyForm id window_days flash=applying /> })}
        {p.manageable.then(|| view! { <LeadActions id editable=state.is_editable() events=p.events.clone() flash=changed /> })}
    }
}

/// Applying: what they want to learn and, for a placement with a window, the days they propose.
/// Applying succeeds with the new application's path, which loads next.
#[island(lazy)]
fn ApplyForm(id: i32, window_days: Option<i16>, flash: Option<FormOutcome>) -> impl IntoView {
    let apply = Post::<String>::to::<ApplyForPlacement>();
    let outcome = island_outcome(apply, flash);
    let errors = Signal::derive(move || outcome.get().filter(Result::is_err));
    after_success(apply, |to| Next::Go(to.to_owned()));
    view! {
        <h2 class="nhsuk-heading-m" id="apply">"Apply for this placement"</h2>
        <ErrorSummary outcome=errors />
        <PostForm post=apply attr:novalidate=true>
            <input type="hidden" name="placement" value=id />
            <TextArea name="goals" label="What do you want to learn?" outcome rows=4
                hint="Your line manager and the host's placement lead will read this. 1000 characters at most." />
            {window_days.map(|days| view! {
                <p>{format!("This placement takes {days} days within its dates. Say which days you propose.")}</p>
                <TextInput name="from" label="First day" hint="For example, 8/3/2027" width="10" outcome />
                <TextInput name="to" label="Last day" hint="For example, 12/3/2027" width="10" outcome />
            })}
            <button class="nhsuk-button" type="submit">"Apply"</button>
        </PostForm>
    }
}

/// What a lead may do to a placement: the events the state machine allows from its state (the
/// server decides again when one is posted). The buttons are plain posts, with or without
/// JavaScript; copying goes on to the copy.
#[component]
fn LeadActions(id: i32, editable: bool, events: Vec<PlacementEvent>, flash: Option<FormOutcome>) -> impl IntoView {
    let change = ServerAction::<ChangePlacementState>::new();
    let copy = ServerAction::<CopyPlacement>::new();
    let event_button = move |event: PlacementEvent, label: &'static str, secondary: bool| {
        view! {
            <ActionForm action=change attr:class="pp-inline-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="event" value=event.code() />
                <button class="nhsuk-button" class:nhsuk-button--secondary=secondary type="submit">{label}</button>
            </ActionForm>
        }
    };
    let allows = |e: PlacementEvent| events.contains(&e);
    let (publish, close, reopen, cancel, edit) = (
        allows(PlacementEvent::Publish),
        allows(PlacementEvent::Close),
        allows(PlacementEvent::Reopen),
        allows(PlacementEvent::Cancel),
        editable,
    );
    view! {
        <h2 class="nhsuk-heading-m">"Manage this placement"</h2>
        <div class="pp-button-row">
            {edit.then(|| view! { <a class="nhsuk-button nhsuk-button--secondary" href=format!("/placements/{id}/edit")>"Edit details"</a> })}
            {publish.then(|| event_button(PlacementEvent::Publish, "Publish", false))}
            {close.then(|| event_button(PlacementEvent::Close, "Close to applications", true))}
            {reopen.then(|| event_button(PlacementEvent::Reopen, "Reopen", false))}
            <ActionForm action=copy attr:class="pp-inline-form">
                <input type="hidden" name="id" value=id />
                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Copy to a new draft"</button>
            </ActionForm>
        </div>
        {cancel.then(|| view! { <CancelPlacementForm id flash /> })}
    }
}

/// Cancelling, with a reason. Its messages show at the top of the page (the form sits in a
/// closed details); with JavaScript on, a refusal also shows beside the reason at once.
#[island(lazy)]
fn CancelPlacementForm(id: i32, flash: Option<FormOutcome>) -> impl IntoView {
    let change = Post::<String>::to::<ChangePlacementState>();
    let outcome = island_outcome(change, flash);
    let refused = Signal::derive(move || change.value.get().filter(Result::is_err));
    after_success(change, |_| Next::Reload);
    view! {
        <details class="nhsuk-details">
            <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"Cancel this placement"</span></summary>
            <div class="nhsuk-details__text">
                <ErrorSummary outcome=refused />
                <PostForm post=change attr:novalidate=true>
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="event" value=PlacementEvent::Cancel.code() />
                    <TextArea name="reason" label="Why is it cancelled?" outcome rows=3
                        hint="Everyone who applied will see this. Cancelling cannot be undone." />
                    <button class="nhsuk-button nhsuk-button--warning" type="submit">"Cancel placement"</button>
                </PostForm>
            </div>
        </details>
    }
}

// ---------------------------------------------------------------------------------------------
// A trust's placements

/// `/trusts/:ods/placements`: a trust's placements with the applications waiting on each;
/// its leads see drafts and may post a new one.
#[component]
pub fn TrustPlacementsPage() -> impl IntoView {
    let params = use_params_map();
    let ods = move || params.read().get("ods").unwrap_or_default();
    let list = Resource::new(ods, trust_placements);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <Title text="Placements" /><ErrorMessage error=e /> }.into_any(),
                    Ok(list) => view! { <TrustPlacementsView list /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TrustPlacementsView(list: TrustPlacementList) -> impl IntoView {
    let title = format!("{} placements", list.trust_name);
    view! {
        <Title text=title.clone() />
        <span class="nhsuk-caption-l">{list.trust_name.clone()}</span>
        <h1 class="nhsuk-heading-l">"Placements"</h1>
        {list.manageable.then(|| view! {
            <a class="nhsuk-button" href=format!("/trusts/{}/placements/new", list.trust_ods)>"Post a placement"</a>
        })}
        {if list.rows.is_empty() {
            view! { <p>"No placements yet."</p> }.into_any()
        } else {
            view! {
                <table class="nhsuk-table">
                    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">{title}</caption>
                    <thead class="nhsuk-table__head">
                        <tr class="nhsuk-table__row">
                            <th class="nhsuk-table__header" scope="col">"Placement"</th>
                            <th class="nhsuk-table__header" scope="col">"State"</th>
                            <th class="nhsuk-table__header" scope="col">"Starts"</th>
                            <th class="nhsuk-table__header" scope="col">"Closes"</th>
                            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Places accepted"</th>
                            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Applications waiting"</th>
                        </tr>
                    </thead>
                    <tbody class="nhsuk-table__body">
                        {list.rows.into_iter().map(|r| view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell"><a href=format!("/placements/{}", r.id)>{r.title}</a></td>
                                <td class="nhsuk-table__cell"><strong class="nhsuk-tag nhsuk-tag--grey">{r.state.label()}</strong></td>
                                <td class="nhsuk-table__cell">{r.start}</td>
                                <td class="nhsuk-table__cell">{r.closing_date}</td>
                                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{format!("{} of {}", r.accepted, r.places)}</td>
                                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{r.waiting}</td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
