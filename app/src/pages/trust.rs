use crate::api::network::{AddSite, AddTeam, EditTrust, RenameSite, get_trust};
use crate::components::form::{ErrorSummary, Select, SuccessBanner, TextInput, use_form};
use crate::components::layout::ErrorMessage;
use crate::error::FormOutcome;
use crate::views::network::{ADD_SITE_FORM, ADD_TEAM_FORM, EDIT_TRUST_FORM, RENAME_SITE_FORM, TrustDetail};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One trust: its sites and teams, and the form to add a team.
#[component]
pub fn TrustPage() -> impl IntoView {
    let params = use_params_map();
    let ods = move || params.read().get("ods").unwrap_or_default();
    let add_team_form = use_form::<AddTeam>(ADD_TEAM_FORM);
    let edit_form = use_form::<EditTrust>(EDIT_TRUST_FORM);
    let site_form = use_form::<AddSite>(ADD_SITE_FORM);
    let rename_form = use_form::<RenameSite>(RENAME_SITE_FORM);
    let add_team = add_team_form.action;
    let admin = TrustAdmin { edit: edit_form.action, add_site: site_form.action, rename_site: rename_form.action };
    let trust = Resource::new(
        move || {
            (
                ods(),
                add_team.version().get(),
                admin.edit.version().get(),
                admin.add_site.version().get(),
                admin.rename_site.version().get(),
            )
        },
        |(ods, ..)| get_trust(ods),
    );
    view! {
        // Transition keeps the page on screen while it reloads after a submission.
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let outcomes = TrustOutcomes {
                    add_team: add_team_form.outcome().await,
                    edit: edit_form.outcome().await,
                    site: site_form.outcome().await,
                    rename: rename_form.outcome().await,
                };
                match trust.await {
                    Ok(detail) => view! { <TrustView detail add_team outcomes admin /> }.into_any(),
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
    outcomes: TrustOutcomes,
    admin: TrustAdmin,
) -> impl IntoView {
    let TrustOutcomes { add_team: outcome, edit: edit_outcome, site: site_outcome, rename: rename_outcome } = outcomes;
    let banner = Signal::derive(move || {
        [outcome.get(), edit_outcome.get(), site_outcome.get(), rename_outcome.get()]
            .into_iter()
            .flatten()
            .find(Result::is_ok)
    });
    let admin_view = detail.manageable.then(|| {
        view! {
            <TrustAdminForms
                admin
                ods=detail.ods_code.clone()
                name=detail.name.clone()
                contact=detail.contact_email.clone()
                edit_outcome
                site_outcome
                rename_outcome
                sites=detail.sites.iter().map(|s| (s.id.to_string(), s.name.clone())).collect()
            />
        }
    });
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
    let ods_code = detail.ods_code.clone();
    let manageable = detail.manageable;
    view! {
        <Title text=title />
        <SuccessBanner outcome=banner />
        <span class="nhsuk-caption-l">{format!("ODS code {}", detail.ods_code)}</span>
        <h1 class="nhsuk-heading-l">{detail.name.clone()}</h1>
        <p><a href=format!("/placements?trust={}", detail.ods_code)>{format!("Open placements at {}", detail.name)}</a></p>
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
                                <td class="nhsuk-table__cell">
                                    {if manageable {
                                        view! { <a href=format!("/teams/{}", t.id)>{t.name.clone()}</a> }.into_any()
                                    } else {
                                        view! { <span>{t.name.clone()}</span> }.into_any()
                                    }}
                                </td>
                                <td class="nhsuk-table__cell">{t.site.clone().unwrap_or_else(|| "All sites".to_owned())}</td>
                                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.min_cover}</td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {detail.manageable.then(|| view! {
        <div class="nhsuk-grid-row">
                <div class="nhsuk-grid-column-two-thirds">
                    <h2 class="nhsuk-heading-m" id="add-team">"Add a team"</h2>
                    <ErrorSummary outcome />
                    <ActionForm action=add_team node_ref=form attr:novalidate=true attr:aria-labelledby="add-team">
                        <input type="hidden" name="trust" value=ods_code.clone() />
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
        })}
        {admin_view}
    }
}

/// What each of the page's forms led to, with JavaScript on or off.
#[derive(Clone, Copy)]
struct TrustOutcomes {
    add_team: Signal<Option<FormOutcome>>,
    edit: Signal<Option<FormOutcome>>,
    site: Signal<Option<FormOutcome>>,
    rename: Signal<Option<FormOutcome>>,
}

/// The project manager's actions on a trust.
#[derive(Clone, Copy)]
struct TrustAdmin {
    edit: ServerAction<EditTrust>,
    add_site: ServerAction<AddSite>,
    rename_site: ServerAction<RenameSite>,
}

#[component]
fn TrustAdminForms(
    admin: TrustAdmin,
    ods: String,
    name: String,
    contact: String,
    edit_outcome: Signal<Option<FormOutcome>>,
    site_outcome: Signal<Option<FormOutcome>>,
    rename_outcome: Signal<Option<FormOutcome>>,
    sites: Vec<(String, String)>,
) -> impl IntoView {
    let has_sites = !sites.is_empty();
    let site_options = std::iter::once((String::new(), "Select a site".to_owned())).chain(sites).collect::<Vec<_>>();
    let ods_for_site = ods.clone();
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h2 class="nhsuk-heading-m" id="add-site">"Add a site"</h2>
                <ErrorSummary outcome=site_outcome />
                <ActionForm action=admin.add_site attr:novalidate=true attr:aria-labelledby="add-site">
                    <input type="hidden" name="trust" value=ods_for_site />
                    <TextInput name="site_name" label="Site name" outcome=site_outcome />
                    <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Add site"</button>
                </ActionForm>
                {has_sites.then(|| view! {
                    <h2 class="nhsuk-heading-m" id="rename-site">"Rename a site"</h2>
                    <ErrorSummary outcome=rename_outcome />
                    <ActionForm action=admin.rename_site attr:novalidate=true attr:aria-labelledby="rename-site">
                        <Select name="site" label="Site" outcome=rename_outcome options=site_options />
                        <TextInput name="new_name" label="New name" outcome=rename_outcome />
                        <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Rename site"</button>
                    </ActionForm>
                })}
                <h2 class="nhsuk-heading-m" id="edit-trust">"Trust details"</h2>
                <ErrorSummary outcome=edit_outcome />
                <ActionForm action=admin.edit attr:novalidate=true attr:aria-labelledby="edit-trust">
                    <input type="hidden" name="ods" value=ods />
                    <TextInput name="name" label="Name" outcome=edit_outcome initial=name />
                    <TextInput name="contact_email" label="Contact email (optional)" input_type="email" outcome=edit_outcome initial=contact />
                    <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Save trust details"</button>
                </ActionForm>
            </div>
        </div>
    }
}
