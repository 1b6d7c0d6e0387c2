use crate::api::network::{EditTeam, get_team};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, Select, SuccessBanner, TextInput, after_success, island_outcome, use_flash,
};
use crate::components::layout::ErrorMessage;
use crate::error::FormOutcome;
use crate::views::network::{EDIT_TEAM_FORM, TeamEdit};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// A team's edit page (project managers): name, site and minimum cover.
#[component]
pub fn TeamPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
    let flash = use_flash(EDIT_TEAM_FORM);
    let team = Resource::new(id, get_team);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await;
                match team.await {
                    Err(e) => view! { <Title text="Team" /><ErrorMessage error=e /> }.into_any(),
                    Ok(t) => {
                        let back = (format!("/trusts/{}", t.trust_ods), format!("Back to {}", t.trust_name));
                        view! {
                            <Title text=t.name.clone() />
                            <SuccessBanner outcome=Signal::stored(flash.clone()) />
                            <div class="nhsuk-grid-row">
                                <div class="nhsuk-grid-column-two-thirds">
                                    <span class="nhsuk-caption-l">{t.trust_name.clone()}</span>
                                    <h1 class="nhsuk-heading-l">{t.name.clone()}</h1>
                                    <EditTeamForm t flash />
                                    <p><a href=back.0>{back.1}</a></p>
                                </div>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[island(lazy)]
fn EditTeamForm(t: TeamEdit, flash: Option<FormOutcome>) -> impl IntoView {
    let edit = Post::<String>::to::<EditTeam>();
    let outcome = island_outcome(edit, flash);
    after_success(edit, |_| Next::Reload);
    let sites = std::iter::once((String::new(), "Works across all sites".to_owned()))
        .chain(t.sites.iter().map(|s| (s.id.to_string(), s.name.clone())))
        .collect::<Vec<_>>();
    view! {
        <ErrorSummary outcome />
        <PostForm post=edit attr:novalidate=true>
            <input type="hidden" name="id" value=t.id />
            <input type="hidden" name="trust" value=t.trust_ods.clone() />
            <TextInput name="name" label="Team name" outcome initial=t.name.clone() />
            <Select name="site" label="Site" outcome options=sites initial=t.site.clone() />
            <TextInput name="min_cover" label="Minimum cover" outcome width="3" inputmode="numeric" initial=t.min_cover.clone()
                hint="The fewest staff the team needs on duty. Nobody is released for a placement if it would leave fewer." />
            <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Save team"</button>
        </PostForm>
    }
}
