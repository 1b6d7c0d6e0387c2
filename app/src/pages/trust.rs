use crate::api::network::{ADD_TEAM_FORM, AddTeam, TrustDetail, get_trust};
use crate::api::{FormOutcome, take_form_flash};
use crate::components::form::{ErrorSummary, Select, SuccessBanner, TextInput};
use crate::components::layout::ErrorMessage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One trust: its sites and teams, and the form to add a team.
#[component]
pub fn TrustPage() -> impl IntoView {
    let params = use_params_map();
    let ods = move || params.read().get("ods").unwrap_or_default();
    let add_team = ServerAction::<AddTeam>::new();
    let trust = Resource::new(move || (ods(), add_team.version().get()), |(ods, _)| get_trust(ods));
    // After a post without JavaScript, the outcome waits in a one-shot flash.
    let flash = Resource::new(|| (), |_| take_form_flash(ADD_TEAM_FORM.to_owned()));
    view! {
        // Transition keeps the page on screen while it reloads after a submission.
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flashed = flash.await.ok().flatten();
                match trust.await {
                    Ok(detail) => view! { <TrustView detail add_team flashed /> }.into_any(),
                    Err(e) => view! { <Title text="Page not found" /><ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TrustView(
    detail: TrustDetail,
    add_team: ServerAction<AddTeam>,
    flashed: Option<FormOutcome>,
) -> impl IntoView {
    let outcome = Signal::derive(move || add_team.value().get().or_else(|| flashed.clone()));
    let form = NodeRef::<leptos::html::Form>::new();
    // A team added with JavaScript on: clear the form for the next one.
    Effect::new(move |_| {
        if matches!(add_team.value().get(), Some(Ok(_)))
            && let Some(f) = form.get()
        {
            f.reset();
        }
    });
    let site_options = std::iter::once((String::new(), "Works across all sites".to_owned()))
        .chain(detail.sites.iter().map(|s| (s.id.to_string(), s.name.clone())))
        .collect::<Vec<_>>();
    let title = detail.name.clone();
    view! {
        <Title text=title />
        <SuccessBanner outcome />
        <span class="nhsuk-caption-l">{format!("ODS code {}", detail.ods_code)}</span>
        <h1 class="nhsuk-heading-l">{detail.name.clone()}</h1>
        <h2 class="nhsuk-heading-m">"Sites"</h2>
        <ul class="nhsuk-list nhsuk-list--bullet">
            {detail.sites.iter().map(|s| view! { <li>{s.name.clone()}</li> }).collect::<Vec<_>>()}
        </ul>
        <h2 class="nhsuk-heading-m">"Teams"</h2>
        {if detail.teams.is_empty() {
            view! { <p>"This trust has no teams yet."</p> }.into_any()
        } else {
            view! {
                <table class="nhsuk-table">
                    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Teams and their minimum cover"</caption>
                    <thead class="nhsuk-table__head">
                        <tr class="nhsuk-table__row">
                            <th class="nhsuk-table__header" scope="col">"Team"</th>
                            <th class="nhsuk-table__header" scope="col">"Site"</th>
                            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Minimum cover"</th>
                        </tr>
                    </thead>
                    <tbody class="nhsuk-table__body">
                        {detail.teams.iter().map(|t| view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell">{t.name.clone()}</td>
                                <td class="nhsuk-table__cell">{t.site.clone().unwrap_or_else(|| "All sites".to_owned())}</td>
                                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.min_cover}</td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h2 class="nhsuk-heading-m" id="add-team">"Add a team"</h2>
                <ErrorSummary outcome />
                <ActionForm action=add_team node_ref=form attr:novalidate=true attr:aria-labelledby="add-team">
                    <input type="hidden" name="trust" value=detail.ods_code.clone() />
                    <TextInput name="name" label="Team name" outcome />
                    <Select name="site" label="Site" outcome options=site_options />
                    <TextInput
                        name="min_cover"
                        label="Minimum cover"
                        hint="The fewest staff the team needs on duty. Nobody is released for a placement if it would leave fewer."
                        outcome
                        width="3"
                        inputmode="numeric"
                    />
                    <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Add team"</button>
                </ActionForm>
            </div>
        </div>
    }
}
