use crate::api::network::list_trusts;
use crate::components::layout::ErrorMessage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TrustsPage() -> impl IntoView {
    let trusts = Resource::new(|| (), |_| list_trusts());
    view! {
        <Title text="Trusts" />
        <h1 class="nhsuk-heading-l">"Trusts in the pilot"</h1>
        <Suspense fallback=|| view! { <p>"Loading trusts…"</p> }>
            {move || Suspend::new(async move {
                match trusts.await {
                    Ok(rows) => view! {
                        <table class="nhsuk-table">
                            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Trusts, their ODS codes, sites and teams"</caption>
                            <thead class="nhsuk-table__head">
                                <tr class="nhsuk-table__row">
                                    <th class="nhsuk-table__header" scope="col">"Trust"</th>
                                    <th class="nhsuk-table__header" scope="col">"ODS code"</th>
                                    <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Sites"</th>
                                    <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Teams"</th>
                                </tr>
                            </thead>
                            <tbody class="nhsuk-table__body">
                                {rows.into_iter().map(|t| view! {
                                    <tr class="nhsuk-table__row">
                                        <td class="nhsuk-table__cell"><a href=format!("/trusts/{}", t.ods_code)>{t.name}</a></td>
                                        <td class="nhsuk-table__cell">{t.ods_code}</td>
                                        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.sites}</td>
                                        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.teams}</td>
                                    </tr>
                                }).collect::<Vec<_>>()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
