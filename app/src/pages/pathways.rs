use crate::api::network::{AddPathway, RenamePathway, SetPathwayStatus, list_pathways};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, Select, SuccessBanner, TextInput, after_success, island_outcome, use_flash,
};
use crate::components::layout::ErrorMessage;
use crate::domain::PathwayStatus;
use crate::error::FormOutcome;
use crate::views::network::{PATHWAY_FORM, RENAME_PATHWAY_FORM};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PathwaysPage() -> impl IntoView {
    let add = use_flash(PATHWAY_FORM);
    let rename = use_flash(RENAME_PATHWAY_FORM);
    // Setting a status is one button: a plain post, with or without JavaScript, reporting under
    // the add form's name.
    let status = ServerAction::<SetPathwayStatus>::new();
    let pathways = Resource::new(|| (), |_| list_pathways());
    view! {
        <Title text="Pathways" />
        <h1 class="nhsuk-heading-l">"Pathways"</h1>
        <p>"Placements are organised by pathway: the workforce group they are for."</p>
        <Suspense fallback=|| view! { <p>"Loading pathways…"</p> }>
            {move || Suspend::new(async move {
                let (add, rename) = (add.await, rename.await);
                let banner = [add.clone(), rename.clone()].into_iter().flatten().find(Result::is_ok);
                match pathways.await {
                    Ok(page) => {
                        let manageable = page.manageable;
                        let pathway_options = std::iter::once((String::new(), "Select a pathway".to_owned()))
                            .chain(page.pathways.iter().map(|p| (p.slug.clone(), p.name.clone())))
                            .collect::<Vec<_>>();
                        view! {
                            <SuccessBanner outcome=Signal::stored(banner) />
                            <dl class="nhsuk-summary-list">
                                {page.pathways.into_iter().map(|p| {
                                    let next = if p.joining { PathwayStatus::Active } else { PathwayStatus::Joining };
                                    let label = format!("Mark {} as “{}”", p.name, next.label());
                                    view! {
                                        <div class="nhsuk-summary-list__row">
                                            <dt class="nhsuk-summary-list__key">{p.name.clone()}</dt>
                                            <dd class="nhsuk-summary-list__value">
                                                {if p.joining {
                                                    view! { <strong class="nhsuk-tag nhsuk-tag--yellow">"Asked to join"</strong> }
                                                } else {
                                                    view! { <strong class="nhsuk-tag nhsuk-tag--green">"In the pilot"</strong> }
                                                }}
                                            </dd>
                                            {manageable.then(|| view! {
                                                <dd class="nhsuk-summary-list__actions">
                                                    <ActionForm action=status>
                                                        <input type="hidden" name="slug" value=p.slug.clone() />
                                                        <input type="hidden" name="status" value=next.code() />
                                                        <button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small pp-inline-button" type="submit">{label}</button>
                                                    </ActionForm>
                                                </dd>
                                            })}
                                        </div>
                                    }
                                }).collect::<Vec<_>>()}
                            </dl>
                            {manageable.then(|| view! {
                                <div class="nhsuk-grid-row">
                                    <div class="nhsuk-grid-column-two-thirds">
                                        <AddPathwayForm flash=add />
                                        <RenamePathwayForm pathways=pathway_options flash=rename />
                                    </div>
                                </div>
                            })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[island(lazy)]
fn AddPathwayForm(flash: Option<FormOutcome>) -> impl IntoView {
    let add = Post::<String>::to::<AddPathway>();
    let outcome = island_outcome(add, flash);
    after_success(add, |_| Next::Reload);
    let options =
        PathwayStatus::ALL.into_iter().map(|s| (s.code().to_owned(), s.label().to_owned())).collect::<Vec<_>>();
    view! {
        <h2 class="nhsuk-heading-m" id="add-pathway">"Add a pathway"</h2>
        <ErrorSummary outcome />
        <PostForm post=add attr:novalidate=true attr:aria-labelledby="add-pathway">
            <TextInput name="name" label="Name" outcome />
            <Select name="status" label="Status" outcome options />
            <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Add pathway"</button>
        </PostForm>
    }
}

#[island(lazy)]
fn RenamePathwayForm(pathways: Vec<(String, String)>, flash: Option<FormOutcome>) -> impl IntoView {
    let rename = Post::<String>::to::<RenamePathway>();
    let outcome = island_outcome(rename, flash);
    after_success(rename, |_| Next::Reload);
    view! {
        <h2 class="nhsuk-heading-m" id="rename-pathway">"Rename a pathway"</h2>
        <ErrorSummary outcome />
        <PostForm post=rename attr:novalidate=true attr:aria-labelledby="rename-pathway">
            <Select name="slug" label="Pathway" outcome options=pathways />
            <TextInput name="new_name" label="New name" outcome />
            <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Rename pathway"</button>
        </PostForm>
    }
}
