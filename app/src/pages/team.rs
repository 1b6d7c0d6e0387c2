use crate::api::network::{EditTeam, get_team};
use crate::components::form::{ErrorSummary, Select, SuccessBanner, TextInput, use_form};
use crate::components::layout::ErrorMessage;
use crate::views::network::EDIT_TEAM_FORM;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// A team's edit page (project managers): name, site and minimum cover.
#[component]
pub fn TeamPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
    let form = use_form::<EditTeam>(EDIT_TEAM_FORM);
    let edit = form.action;
    let team = Resource::new(move || (id(), edit.version().get()), |(id, _)| get_team(id));
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let outcome = form.outcome().await;
                match team.await {
                    Err(e) => view! { <Title text="Team" /><ErrorMessage error=e /> }.into_any(),
                    Ok(t) => {
                        let sites = std::iter::once((String::new(), "Works across all sites".to_owned()))
                            .chain(t.sites.iter().map(|s| (s.id.to_string(), s.name.clone())))
                            .collect::<Vec<_>>();
                        let back = (format!("/trusts/{}", t.trust_ods), format!("Back to {}", t.trust_name));
                        view! {
                            <Title text=t.name.clone() />
                            <SuccessBanner outcome />
                            <div class="nhsuk-grid-row">
                                <div class="nhsuk-grid-column-two-thirds">
                                    <span class="nhsuk-caption-l">{t.trust_name.clone()}</span>
                                    <h1 class="nhsuk-heading-l">{t.name.clone()}</h1>
                                    <ErrorSummary outcome />
                                    <ActionForm action=edit attr:novalidate=true>
                                        <input type="hidden" name="id" value=t.id />
                                        <input type="hidden" name="trust" value=t.trust_ods.clone() />
                                        <TextInput name="name" label="Team name" outcome initial=t.name.clone() />
                                        <Select name="site" label="Site" outcome options=sites initial=t.site.clone() />
                                        <TextInput name="min_cover" label="Minimum cover" outcome width="3" inputmode="numeric" initial=t.min_cover.clone()
                                            hint="The fewest staff the team needs on duty. Nobody is released for a placement if it would leave fewer." />
                                        <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Save team"</button>
                                    </ActionForm>
                                    <p><a href=back.0>{back.1}</a></p>
                                </div>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
