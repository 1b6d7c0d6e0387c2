use crate::api::network::{AddSite, AddTeam, EditTrust, RenameSite, get_trust};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, Select, SuccessBanner, TextInput, after_success, island_outcome, use_flash,
};
use crate::components::layout::ErrorMessage;
use crate::error::FormOutcome;
use crate::views::network::{ADD_SITE_FORM, ADD_TEAM_FORM, EDIT_TRUST_FORM, RENAME_SITE_FORM, TrustDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One trust: its sites and teams, and the form to add a team.
#[component]
pub fn TrustPage() -> impl IntoView {
    let params = use_params_map();
    let ods = move || params.read().get("ods").unwrap_or_default();
    let add_team = use_flash(ADD_TEAM_FORM);
    let edit = use_flash(EDIT_TRUST_FORM);
    let site = use_flash(ADD_SITE_FORM);
    let rename = use_flash(RENAME_SITE_FORM);
    let trust = Resource::new(ods, get_trust);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flashes = TrustFlashes { add_team: add_team.await, edit: edit.await, site: site.await, rename: rename.await };
                match trust.await {
                    Ok(detail) => view! { <TrustView detail flashes /> }.into_any(),
                    Err(e) => view! { <Title text="Page not found" /><ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What each of the page's forms left behind (a post without JavaScript, or the notice kept
/// for the page load after a success with it).
struct TrustFlashes {
    add_team: Option<FormOutcome>,
    edit: Option<FormOutcome>,
    site: Option<FormOutcome>,
    rename: Option<FormOutcome>,
}

#[component]
fn TrustView(detail: TrustDetail, flashes: TrustFlashes) -> impl IntoView {
    let TrustFlashes { add_team, edit, site, rename } = flashes;
    let banner =
        [add_team.clone(), edit.clone(), site.clone(), rename.clone()].into_iter().flatten().find(Result::is_ok);
    let sites: Vec<(String, String)> = detail.sites.iter().map(|s| (s.id.to_string(), s.name.clone())).collect();
    let admin_view = detail.manageable.then(|| {
        let has_sites = !sites.is_empty();
        view! {
            <div class="nhsuk-grid-row">
                <div class="nhsuk-grid-column-two-thirds">
                    <AddSiteForm ods=detail.ods_code.clone() flash=site />
                    {has_sites.then(|| view! { <RenameSiteForm sites=sites.clone() flash=rename /> })}
                    <EditTrustForm ods=detail.ods_code.clone() name=detail.name.clone() contact=detail.contact_email.clone() flash=edit />
                </div>
            </div>
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
        <SuccessBanner outcome=Signal::stored(banner) />
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
        {manageable.then(|| view! {
            <div class="nhsuk-grid-row">
                <div class="nhsuk-grid-column-two-thirds">
                    <AddTeamForm ods=ods_code sites=site_options flash=add_team />
                </div>
            </div>
        })}
        {admin_view}
    }
}

#[island(lazy)]
fn AddTeamForm(ods: String, sites: Vec<(String, String)>, flash: Option<FormOutcome>) -> impl IntoView {
    let add_team = Post::<String>::to::<AddTeam>();
    let outcome = island_outcome(add_team, flash);
    after_success(add_team, |_| Next::Reload);
    view! {
        <h2 class="nhsuk-heading-m" id="add-team">"Add a team"</h2>
        <ErrorSummary outcome />
        <PostForm post=add_team attr:novalidate=true attr:aria-labelledby="add-team">
            <input type="hidden" name="trust" value=ods />
            <TextInput name="name" label="Team name" outcome />
            <Select name="site" label="Site" outcome options=sites />
            <TextInput
                name="min_cover"
                label="Minimum cover"
                hint="The fewest staff the team needs on duty. Nobody is released for a placement if it would leave fewer."
                outcome
                width="3"
                inputmode="numeric"
            />
            <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Add team"</button>
        </PostForm>
    }
}

#[island(lazy)]
fn AddSiteForm(ods: String, flash: Option<FormOutcome>) -> impl IntoView {
    let add_site = Post::<String>::to::<AddSite>();
    let outcome = island_outcome(add_site, flash);
    after_success(add_site, |_| Next::Reload);
    view! {
        <h2 class="nhsuk-heading-m" id="add-site">"Add a site"</h2>
        <ErrorSummary outcome />
        <PostForm post=add_site attr:novalidate=true attr:aria-labelledby="add-site">
            <input type="hidden" name="trust" value=ods />
            <TextInput name="site_name" label="Site name" outcome />
            <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Add site"</button>
        </PostForm>
    }
}

#[island(lazy)]
fn RenameSiteForm(sites: Vec<(String, String)>, flash: Option<FormOutcome>) -> impl IntoView {
    let rename_site = Post::<String>::to::<RenameSite>();
    let outcome = island_outcome(rename_site, flash);
    after_success(rename_site, |_| Next::Reload);
    let options = std::iter::once((String::new(), "Select a site".to_owned())).chain(sites).collect::<Vec<_>>();
    view! {
        <h2 class="nhsuk-heading-m" id="rename-site">"Rename a site"</h2>
        <ErrorSummary outcome />
        <PostForm post=rename_site attr:novalidate=true attr:aria-labelledby="rename-site">
            <Select name="site" label="Site" outcome options />
            <TextInput name="new_name" label="New name" outcome />
            <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Rename site"</button>
        </PostForm>
    }
}

#[island(lazy)]
fn EditTrustForm(ods: String, name: String, contact: String, flash: Option<FormOutcome>) -> impl IntoView {
    let edit = Post::<String>::to::<EditTrust>();
    let outcome = island_outcome(edit, flash);
    after_success(edit, |_| Next::Reload);
    view! {
        <h2 class="nhsuk-heading-m" id="edit-trust">"Trust details"</h2>
        <ErrorSummary outcome />
        <PostForm post=edit attr:novalidate=true attr:aria-labelledby="edit-trust">
            <input type="hidden" name="ods" value=ods />
            <TextInput name="name" label="Name" outcome initial=name />
            <TextInput name="contact_email" label="Contact email (optional)" input_type="email" outcome initial=contact />
            <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Save trust details"</button>
        </PostForm>
    }
}
