use crate::api::network::{AddPathway, RenamePathway, SetPathwayStatus, list_pathways};
use crate::components::form::{ErrorSummary, Select, SuccessBanner, TextInput, use_form};
use crate::components::layout::ErrorMessage;
use crate::domain::PathwayStatus;
use crate::views::network::{PATHWAY_FORM, RENAME_PATHWAY_FORM};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PathwaysPage() -> impl IntoView {
    let add_form = use_form::<AddPathway>(PATHWAY_FORM);
    let rename_form = use_form::<RenamePathway>(RENAME_PATHWAY_FORM);
    let (add, rename) = (add_form.action, rename_form.action);
    // Setting a status reports under the add form's name.
    let status = ServerAction::<SetPathwayStatus>::new();
    let pathways = Resource::new(
        move || (add.version().get(), status.version().get(), rename.version().get()),
        |_| list_pathways(),
    );
    view! {
        <Title text="Pathways" />
        <h1 class="nhsuk-heading-l">"Pathways"</h1>
        <p>"Placements are organised by pathway: the workforce group they are for."</p>
        <Transition fallback=|| view! { <p>"Loading pathways…"</p> }>
            {move || Suspend::new(async move {
                let outcome = add_form.outcome_or(move || status.value().get()).await;
                let rename_outcome = rename_form.outcome().await;
                let banner = Signal::derive(move || {
                    [outcome.get(), rename_outcome.get()].into_iter().flatten().find(Result::is_ok)
                });
                match pathways.await {
                    Ok(page) => {
                        let manageable = page.manageable;
                        let pathway_options = std::iter::once((String::new(), "Select a pathway".to_owned()))
                            .chain(page.pathways.iter().map(|p| (p.slug.clone(), p.name.clone())))
                            .collect::<Vec<_>>();
                        view! {
                            <SuccessBanner outcome=banner />
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
                            {manageable.then(|| {
                                let options = PathwayStatus::ALL.into_iter().map(|s| (s.code().to_owned(), s.label().to_owned())).collect::<Vec<_>>();
                                view! {
                                    <div class="nhsuk-grid-row">
                                        <div class="nhsuk-grid-column-two-thirds">
                                            <h2 class="nhsuk-heading-m" id="add-pathway">"Add a pathway"</h2>
                                            <ErrorSummary outcome />
                                            <ActionForm action=add attr:novalidate=true attr:aria-labelledby="add-pathway">
                                                <TextInput name="name" label="Name" outcome />
                                                <Select name="status" label="Status" outcome options />
                                                <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Add pathway"</button>
                                            </ActionForm>
                                            <h2 class="nhsuk-heading-m" id="rename-pathway">"Rename a pathway"</h2>
                                            <ErrorSummary outcome=rename_outcome />
                                            <ActionForm action=rename attr:novalidate=true attr:aria-labelledby="rename-pathway">
                                                <Select name="slug" label="Pathway" outcome=rename_outcome options=pathway_options />
                                                <TextInput name="new_name" label="New name" outcome=rename_outcome />
                                                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Rename pathway"</button>
                                            </ActionForm>
                                        </div>
                                    </div>
                                }
                            })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
