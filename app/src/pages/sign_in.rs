//! Sign in, forgotten password, and setting a password from an emailed link.

use crate::api::auth::{RequestPasswordReset, SetPassword, SignIn, check_password_link};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, SuccessBanner, TextInput, after_success, island_outcome, use_flash,
};
use crate::domain::MIN_PASSWORD_CHARS;
use crate::error::FormOutcome;
use crate::views::auth::{RESET_REQUEST_FORM, SET_PASSWORD_FORM, SIGN_IN_FORM};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = query.read_untracked().get("next").unwrap_or_else(|| "/".to_owned());
    let flash = use_flash(SIGN_IN_FORM);
    view! {
        <Title text="Sign in" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let next = next.clone();
                Suspend::new(async move {
                    let flash = flash.await;
                    view! { <SignInForm next flash /> }
                })
            }}
        </Suspense>
    }
}

#[island(lazy)]
fn SignInForm(next: String, flash: Option<FormOutcome>) -> impl IntoView {
    let sign_in = Post::<String>::to::<SignIn>();
    let form = NodeRef::<leptos::html::Form>::new();
    // Signed in: load the next page in full, so everything on it (the header too) is drawn for
    // the signed-in person. Refused: clear the password, as a page reload does without JavaScript.
    after_success(sign_in, |to| Next::Go(to.to_owned()));
    Effect::new(move |_| {
        if let Some(Err(_)) = sign_in.value.get() {
            clear_passwords(form);
        }
    });
    // A notice from the step before (signed out, password changed) shows as success; the form's
    // own errors come from the action or the flash.
    let notice = Signal::derive({
        let flash = flash.clone();
        move || if sign_in.value.get().is_none() { flash.clone().filter(Result::is_ok) } else { None }
    });
    let outcome = Signal::derive(move || match sign_in.value.get() {
        Some(Ok(_)) => None,
        Some(err) => Some(err),
        None => flash.clone().filter(Result::is_err),
    });
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <SuccessBanner outcome=notice />
                <ErrorSummary outcome />
                <h1 class="nhsuk-heading-l">"Sign in"</h1>
                <p>"Sign in with the email address and password for your Placement Passport account."</p>
                <PostForm post=sign_in node_ref=form attr:novalidate=true>
                    <input type="hidden" name="next" value=next />
                    <TextInput name="email" label="Email address" input_type="email" autocomplete="username" outcome />
                    <TextInput name="password" label="Password" input_type="password" autocomplete="current-password" outcome />
                    <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Sign in"</button>
                </PostForm>
                <p><a href="/forgot-password">"I have forgotten my password"</a></p>
            </div>
        </div>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let flash = use_flash(RESET_REQUEST_FORM);
    view! {
        <Title text="Reset your password" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move { view! { <ForgotPasswordForm flash=flash.await /> } })}
        </Suspense>
    }
}

#[island(lazy)]
fn ForgotPasswordForm(flash: Option<FormOutcome>) -> impl IntoView {
    let request = Post::<String>::to::<RequestPasswordReset>();
    let outcome = island_outcome(request, flash);
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <SuccessBanner outcome />
                <ErrorSummary outcome />
                <h1 class="nhsuk-heading-l">"Reset your password"</h1>
                <p>"Enter the email address of your account. We will email you a link to choose a new password."</p>
                <PostForm post=request attr:novalidate=true>
                    <TextInput name="email" label="Email address" input_type="email" autocomplete="username" outcome />
                    <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Send the link"</button>
                </PostForm>
                <p><a href="/sign-in">"Back to sign in"</a></p>
            </div>
        </div>
    }
}

/// Where an emailed link (a password reset or an invitation) leads.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = query.read_untracked().get("token").unwrap_or_default();
    let link = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        check_password_link,
    );
    let flash = use_flash(SET_PASSWORD_FORM);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    let flash = flash.await;
                    match link.await {
                        Err(e) => view! {
                            <Title text="This link does not work" />
                            <h1 class="nhsuk-heading-l">"This link does not work"</h1>
                            <p>{e.to_string()}"."</p>
                            <p><a href="/forgot-password">"Ask for a new password reset link"</a></p>
                        }.into_any(),
                        Ok(info) => {
                            let heading = if info.invitation { "Create your password" } else { "Choose a new password" };
                            view! {
                                <Title text=heading />
                                <SetPasswordForm heading=heading.to_owned() email=info.email token flash />
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[island(lazy)]
fn SetPasswordForm(heading: String, email: String, token: String, flash: Option<FormOutcome>) -> impl IntoView {
    let set = Post::<String>::to::<SetPassword>();
    let outcome = island_outcome(set, flash);
    let form = NodeRef::<leptos::html::Form>::new();
    // Set: the sign-in page says so (the server kept its notice).
    after_success(set, |_| Next::Go("/sign-in".to_owned()));
    Effect::new(move |_| {
        if let Some(Err(_)) = set.value.get() {
            clear_passwords(form);
        }
    });
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <ErrorSummary outcome />
                <h1 class="nhsuk-heading-l">{heading}</h1>
                <p>"For the account "<strong>{email.clone()}</strong>"."</p>
                <PostForm post=set node_ref=form attr:novalidate=true>
                    <input type="hidden" name="token" value=token />
                    // A hidden username helps password managers save the right pair.
                    <input type="hidden" name="username" autocomplete="username" value=email />
                    <TextInput
                        name="password"
                        label="New password"
                        hint=PASSWORD_HINT
                        input_type="password"
                        autocomplete="new-password"
                        outcome
                    />
                    <TextInput name="confirm" label="Type the password again" input_type="password" autocomplete="new-password" outcome />
                    <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Save password"</button>
                </PostForm>
            </div>
        </div>
    }
}

pub const PASSWORD_HINT: &str =
    "At least 15 characters. A few unrelated words make a strong password you can remember.";
const _: () = assert!(MIN_PASSWORD_CHARS == 15, "update PASSWORD_HINT");

/// Empties a form's password fields after a refused submission with JavaScript on. The inputs
/// never carry a `value` attribute, so resetting the form empties them and leaves the other
/// fields showing what was typed (their `value` follows the outcome).
pub fn clear_passwords(form: NodeRef<leptos::html::Form>) {
    if let Some(f) = form.get_untracked() {
        f.reset();
    }
}
