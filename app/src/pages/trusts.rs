use crate::api::network::{AddTrust, list_trusts};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, SuccessBanner, TextInput, after_success, island_outcome, use_flash,
};
use crate::components::layout::ErrorMessage;
use crate::error::FormOutcome;
use crate::views::network::ADD_TRUST_FORM;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TrustsPage() -> impl IntoView {
    let flash = use_flash(ADD_TRUST_FORM);
    let trusts = Resource::new(|| (), |_| list_trusts());
    view! {
        <Title text="Trusts" />
        <h1 class="nhsuk-heading-l">"Trusts in the pilot"</h1>
        <Suspense fallback=|| view! { <p>"Loading trusts…"</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await;
                match trusts.await {
                    Ok(page) => view! {
                        <SuccessBanner outcome=Signal::stored(flash.clone()) />
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
                                {page.trusts.into_iter().map(|t| view! {
                                    <tr class="nhsuk-table__row">
                                        <td class="nhsuk-table__cell"><a href=format!("/trusts/{}", t.ods_code)>{t.name}</a></td>
                                        <td class="nhsuk-table__cell">{t.ods_code}</td>
                                        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.sites}</td>
                                        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.teams}</td>
                                    </tr>
                                }).collect::<Vec<_>>()}
                            </tbody>
                        </table>
                        {page.manageable.then(|| view! { <AddTrustForm flash /> })}
                    }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[island(lazy)]
fn AddTrustForm(flash: Option<FormOutcome>) -> impl IntoView {
    let add = Post::<String>::to::<AddTrust>();
    let outcome = island_outcome(add, flash);
    after_success(add, |_| Next::Reload);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h2 class="nhsuk-heading-m" id="add-trust">"Add a trust"</h2>
                <ErrorSummary outcome />
                <PostForm post=add attr:novalidate=true attr:aria-labelledby="add-trust">
                    <TextInput name="ods" label="ODS code" hint="The trust's code in the NHS Organisation Data Service, like R0A." outcome width="5" />
                    <TextInput name="name" label="Name" outcome />
                    <TextInput name="contact_email" label="Contact email (optional)" input_type="email"
                        hint="Notices about the trust's sites and teams go here." outcome />
                    <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Add trust"</button>
                </PostForm>
            </div>
        </div>
    }
}
