//! The signed-in person's own account: who they are, their roles, and changing their password.

use crate::api::auth::ChangePassword;
use crate::components::form::{ErrorSummary, Post, PostForm, SuccessBanner, TextInput, island_outcome, use_flash};
use crate::components::layout::{ErrorMessage, use_me};
use crate::error::{AppError, FormOutcome};
use crate::views::auth::CHANGE_PASSWORD_FORM;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = use_me();
    let flash = use_flash(CHANGE_PASSWORD_FORM);
    view! {
        <Title text="Your account" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await;
                match me.await {
                    Ok(Some(me)) => view! {
                        <h1 class="nhsuk-heading-l">"Your account"</h1>
                        <dl class="nhsuk-summary-list">
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Name"</dt>
                                <dd class="nhsuk-summary-list__value">{me.name.clone()}</dd>
                            </div>
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Email address"</dt>
                                <dd class="nhsuk-summary-list__value">{me.email.clone()}</dd>
                            </div>
                            <div class="nhsuk-summary-list__row">
                                <dt class="nhsuk-summary-list__key">"Roles"</dt>
                                <dd class="nhsuk-summary-list__value">
                                    <ul class="nhsuk-list">
                                        {me.grants.iter().map(|g| {
                                            let at = g.trust.as_ref().map(|(_, n)| n.clone()).unwrap_or_else(|| "the alliance".into());
                                            view! { <li>{format!("{} at {at}", g.role.label())}</li> }
                                        }).collect::<Vec<_>>()}
                                    </ul>
                                </dd>
                            </div>
                        </dl>
                        <ChangePasswordForm email=me.email.clone() flash />
                    }.into_any(),
                    Ok(None) => view! { <ErrorMessage error=AppError::Unauthenticated /> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Changing the password stays on the page: its banner (or its messages) show in place.
#[island(lazy)]
fn ChangePasswordForm(email: String, flash: Option<FormOutcome>) -> impl IntoView {
    let change = Post::<String>::to::<ChangePassword>();
    let outcome = island_outcome(change, flash);
    let form = NodeRef::<leptos::html::Form>::new();
    // Whatever the outcome, no password stays in the form.
    Effect::new(move |_| {
        if change.value.get().is_some() {
            crate::pages::sign_in::clear_passwords(form);
        }
    });
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <SuccessBanner outcome />
                <h2 class="nhsuk-heading-m" id="change-password">"Change your password"</h2>
                <ErrorSummary outcome />
                <PostForm post=change node_ref=form attr:novalidate=true attr:aria-labelledby="change-password">
                    <input type="hidden" name="username" autocomplete="username" value=email />
                    <TextInput name="current" label="Current password" input_type="password" autocomplete="current-password" outcome />
                    <TextInput name="password" label="New password" input_type="password" autocomplete="new-password" outcome
                        hint=crate::pages::sign_in::PASSWORD_HINT />
                    <TextInput name="confirm" label="Type the new password again" input_type="password" autocomplete="new-password" outcome />
                    <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Change password"</button>
                </PostForm>
            </div>
        </div>
    }
}
