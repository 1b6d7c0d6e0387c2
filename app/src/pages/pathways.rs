use crate::api::network::list_pathways;
use crate::components::layout::ErrorMessage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PathwaysPage() -> impl IntoView {
    let pathways = Resource::new(|| (), |_| list_pathways());
    view! {
        <Title text="Pathways" />
        <h1 class="nhsuk-heading-l">"Pathways"</h1>
        <p>"Placements are organised by pathway: the workforce group they are for."</p>
        <Suspense fallback=|| view! { <p>"Loading pathways…"</p> }>
            {move || Suspend::new(async move {
                match pathways.await {
                    Ok(rows) => view! {
                        <dl class="nhsuk-summary-list">
                            {rows.into_iter().map(|p| view! {
                                <div class="nhsuk-summary-list__row">
                                    <dt class="nhsuk-summary-list__key">{p.name}</dt>
                                    <dd class="nhsuk-summary-list__value">
                                        {if p.joining {
                                            view! { <strong class="nhsuk-tag nhsuk-tag--yellow">"Asked to join"</strong> }
                                        } else {
                                            view! { <strong class="nhsuk-tag nhsuk-tag--green">"In the pilot"</strong> }
                                        }}
                                    </dd>
                                </div>
                            }).collect::<Vec<_>>()}
                        </dl>
                    }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
