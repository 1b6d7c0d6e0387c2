use crate::api::audit::recent_audit;
use crate::components::layout::ErrorMessage;
use leptos::prelude::*;
use leptos_meta::Title;

/// The latest entries of the audit log (project managers).
#[component]
pub fn AuditPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| recent_audit());
    view! {
        <Title text="Audit log" />
        <h1 class="nhsuk-heading-l">"Audit log"</h1>
        <p>"The latest 200 sign-ins and changes, newest first. Entries can never be changed or deleted."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    Ok(rows) => view! {
                        <table class="nhsuk-table pp-table-small">
                            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Audit log"</caption>
                            <thead class="nhsuk-table__head">
                                <tr class="nhsuk-table__row">
                                    <th class="nhsuk-table__header" scope="col">"When"</th>
                                    <th class="nhsuk-table__header" scope="col">"Who"</th>
                                    <th class="nhsuk-table__header" scope="col">"What"</th>
                                    <th class="nhsuk-table__header" scope="col">"To what"</th>
                                    <th class="nhsuk-table__header" scope="col">"Trust"</th>
                                    <th class="nhsuk-table__header" scope="col">"From"</th>
                                </tr>
                            </thead>
                            <tbody class="nhsuk-table__body">
                                {rows.into_iter().map(|r| view! {
                                    <tr class="nhsuk-table__row">
                                        <td class="nhsuk-table__cell">{r.at}</td>
                                        <td class="nhsuk-table__cell">{r.who}</td>
                                        <td class="nhsuk-table__cell">{r.action.label()}</td>
                                        <td class="nhsuk-table__cell">{r.subject}</td>
                                        <td class="nhsuk-table__cell">{r.trust}</td>
                                        <td class="nhsuk-table__cell">{r.from}</td>
                                    </tr>
                                }).collect::<Vec<_>>()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
