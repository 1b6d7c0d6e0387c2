//! The form leads post and edit placements with: its fields, checked in the browser before
//! submitting and again on the server, and the new and edit pages around it.

use crate::api::placements::{CreatePlacement, UpdatePlacement, placement_choices, placement_edit_form};
use crate::components::form::{
    Checkboxes, ErrorSummary, Next, Post, PostForm, Select, TextArea, TextInput, after_success, island_outcome,
    use_flash, with_blank,
};
use crate::components::layout::ErrorMessage;
use crate::domain::MAX_PLACES;
use crate::error::FormOutcome;
use crate::views::placements::{NEW_PLACEMENT_FORM, PLACEMENT_FORM, PlacementFormChoices};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeMap;

/// The fields of a placement, as a new or an edit form shows them. `current` holds the starting
/// values by field name (as `PlacementInput::values` gives them): a map, which every island
/// already decodes (typed values come back in one), rather than the input struct's own decoder.
#[component]
fn PlacementFields(
    choices: PlacementFormChoices,
    outcome: Signal<Option<FormOutcome>>,
    current: BTreeMap<String, String>,
) -> impl IntoView {
    let c = move |field: &str| current.get(field).cloned().unwrap_or_default();
    view! {
        <TextInput name="title" label="Title" outcome initial=c("title") />
        <Select name="kind" label="Kind of placement" outcome options=with_blank("Select a kind", choices.kinds.clone()) initial=c("kind") />
        <Select name="pathway" label="Pathway" outcome options=with_blank("Select a pathway", choices.pathways.clone()) initial=c("pathway") />
        <Select name="site" label="Site" outcome options=with_blank("Any site", choices.sites.clone()) initial=c("site") />
        <TextInput name="department" label="Department or team" outcome initial=c("department") />
        <TextArea name="description" label="Description" outcome rows=6 initial=c("description")
            hint="What the placement involves and who it suits." />
        <TextArea name="outcomes" label="Learning outcomes" outcome rows=5 initial=c("outcomes")
            hint="What someone will be able to do afterwards." />
        <TextInput name="supervisor" label="Supervisor" outcome initial=c("supervisor")
            hint="The named person who will supervise the placement." />
        <Select name="schedule" label="Dates" outcome initial=c("schedule")
            options=vec![
                ("fixed".to_owned(), "Fixed dates: from the start date to the end date".to_owned()),
                ("window".to_owned(), "A number of days, taken between the start and end dates".to_owned()),
            ] />
        <TextInput name="start" label="Start date" input_type="date" width="10" outcome initial=c("start") />
        <TextInput name="end" label="End date" input_type="date" width="10" outcome initial=c("end") />
        <TextInput name="days" label="Number of days (for a window)" inputmode="numeric" width="4" outcome initial=c("days") />
        <TextInput name="places" label="Number of places" inputmode="numeric" width="4" outcome initial=c("places")
            hint=PLACES_HINT />
        <TextInput name="closing_date" label="Closing date for applications" input_type="date" width="10" outcome
            initial=c("closing_date") hint="Before the placement starts." />
        <h2 class="nhsuk-heading-m">"Who can apply"</h2>
        <Checkboxes name="staff_groups" legend="Staff groups" outcome options=choices.staff_groups.clone()
            initial=c("staff_groups") hint="Leave all unticked to open it to every staff group." />
        <Select name="band_min" label="Lowest Agenda for Change band" outcome options=with_blank("Select a band", choices.bands.clone()) initial=c("band_min") />
        <Select name="band_max" label="Highest Agenda for Change band" outcome options=with_blank("Select a band", choices.bands.clone()) initial=c("band_max") />
        <Select name="registration" label="Professional registration" outcome options=choices.registrations.clone() initial=c("registration") />
    }
}

/// With JavaScript on, the placement form is checked in the browser by the same
/// [`crate::domain::PlacementDetails::parse`] the server runs, before anything is sent; a form with problems
/// shows them at once and is not posted. (The server checks again: it trusts no browser.)
fn refused_in_browser(ev: &leptos::ev::MouseEvent) -> Option<crate::AppError> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let button = ev.target()?.dyn_into::<leptos::web_sys::HtmlButtonElement>().ok()?;
        let data = leptos::web_sys::FormData::new_with_form(&button.form()?).ok()?;
        let get = |k: &str| data.get(k).as_string().unwrap_or_default();
        let groups: Vec<String> = data.get_all("staff_groups[]").iter().filter_map(|v| v.as_string()).collect();
        let input = crate::domain::PlacementInput {
            site: get("site"),
            department: get("department"),
            pathway: get("pathway"),
            kind: get("kind"),
            title: get("title"),
            description: get("description"),
            outcomes: get("outcomes"),
            supervisor: get("supervisor"),
            schedule: get("schedule"),
            start: get("start"),
            end: get("end"),
            days: get("days"),
            places: get("places"),
            staff_groups: groups.join(","),
            band_min: get("band_min"),
            band_max: get("band_max"),
            registration: get("registration"),
            closing_date: get("closing_date"),
        };
        crate::domain::PlacementDetails::parse(&input).err()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// The form's submit button: checks the form in the browser first (see [`refused_in_browser`]).
#[component]
fn SubmitPlacement(label: &'static str, on_refused: Callback<crate::AppError>) -> impl IntoView {
    view! {
        <button class="nhsuk-button" data-module="nhsuk-button" type="submit"
            on:click=move |ev| {
                if let Some(e) = refused_in_browser(&ev) {
                    ev.prevent_default();
                    on_refused.run(e);
                }
            }>
            {label}
        </button>
    }
}

// The hint states the limit the domain enforces.
const _: () = assert!(MAX_PLACES == 50);
const PLACES_HINT: &str = "Between 1 and 50.";

/// `/trusts/:ods/placements/new`: a lead writes a new placement, saved as a draft.
#[component]
pub fn NewPlacementPage() -> impl IntoView {
    let params = use_params_map();
    let ods = move || params.read().get("ods").unwrap_or_default();
    let flash = use_flash(NEW_PLACEMENT_FORM);
    let choices = Resource::new(ods, placement_choices);
    view! {
        <Title text="Post a placement" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await;
                match choices.await {
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    Ok(choices) => view! {
                        <div class="nhsuk-grid-row">
                            <div class="nhsuk-grid-column-two-thirds">
                                <span class="nhsuk-caption-l">{choices.trust_name.clone()}</span>
                                <h1 class="nhsuk-heading-l">"Post a placement"</h1>
                                <p>"It is saved as a draft that only your trust's placement leads can see. Publish it when it is ready."</p>
                                <NewPlacementForm choices flash />
                            </div>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The new placement form; once saved, the new placement's page loads.
#[island(lazy)]
fn NewPlacementForm(choices: PlacementFormChoices, flash: Option<FormOutcome>) -> impl IntoView {
    let create = Post::<String>::to::<CreatePlacement>();
    // Success moves on to the new placement, so only a failure shows here.
    let all = island_outcome(create, flash);
    let outcome = Signal::derive(move || all.get().filter(Result::is_err));
    after_success(create, |to| Next::Go(to.to_owned()));
    let trust = choices.trust_ods.clone();
    view! {
        <ErrorSummary outcome />
        <PostForm post=create attr:novalidate=true>
            <input type="hidden" name="trust" value=trust />
            <PlacementFields choices outcome current=BTreeMap::from(
                [("schedule", "fixed"), ("places", "1"), ("registration", "none")].map(|(k, v)| (k.to_owned(), v.to_owned())),
            ) />
            <SubmitPlacement label="Save draft"
                on_refused=Callback::new(move |e| create.value.set(Some(Err(e)))) />
        </PostForm>
    }
}

/// `/placements/:id/edit`: a lead changes a placement's details.
#[component]
pub fn EditPlacementPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
    let flash = use_flash(PLACEMENT_FORM);
    let form = Resource::new(id, placement_edit_form);
    view! {
        <Title text="Edit placement" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await;
                match form.await {
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    Ok(edit) => view! {
                        <div class="nhsuk-grid-row">
                            <div class="nhsuk-grid-column-two-thirds">
                                <span class="nhsuk-caption-l">{format!("{} · {}", edit.choices.trust_name, edit.state.label())}</span>
                                <h1 class="nhsuk-heading-l">{format!("Edit {}", edit.title)}</h1>
                                <EditPlacementForm id=edit.id choices=edit.choices current=edit.input.values().values flash />
                                <p><a href=format!("/placements/{}", edit.id)>"Back to the placement"</a></p>
                            </div>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The edit form; once saved, the placement's page loads and shows the notice.
#[island(lazy)]
fn EditPlacementForm(
    id: i32,
    choices: PlacementFormChoices,
    current: BTreeMap<String, String>,
    flash: Option<FormOutcome>,
) -> impl IntoView {
    let update = Post::<String>::to::<UpdatePlacement>();
    let all = island_outcome(update, flash);
    let outcome = Signal::derive(move || all.get().filter(Result::is_err));
    after_success(update, move |_| Next::Go(format!("/placements/{id}")));
    view! {
        <ErrorSummary outcome />
        <PostForm post=update attr:novalidate=true>
            <input type="hidden" name="id" value=id />
            <PlacementFields choices current outcome />
            <SubmitPlacement label="Save changes"
                on_refused=Callback::new(move |e| update.value.set(Some(Err(e)))) />
        </PostForm>
    }
}
