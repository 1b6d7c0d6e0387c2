//! `/notifications`: what is waiting on the signed-in person, and news for them, newest first.
//! Opening one marks it read and goes to the application it is about.

use crate::api::notifications::{MarkAllRead, OpenNotification, my_notifications};
use crate::components::form::{ErrorSummary, SuccessBanner, use_flash};
use crate::components::layout::ErrorMessage;
use crate::views::notifications::{NOTIFICATIONS_FORM, NotificationRow};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

/// Opening a notification and marking all read are buttons: plain posts, with or without
/// JavaScript (opening goes on to what it is about).
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let flash = use_flash(NOTIFICATIONS_FORM);
    let list = Resource::new(|| (), |_| my_notifications());
    view! {
        <Title text="Notifications" />
        <h1 class="nhsuk-heading-l">"Notifications"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let outcome = Signal::stored(flash.await);
                match list.await {
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    Ok(rows) => view! {
                        <SuccessBanner outcome />
                        <ErrorSummary outcome />
                        <List rows />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn List(rows: Vec<NotificationRow>) -> impl IntoView {
    let open = ServerAction::<OpenNotification>::new();
    let all = ServerAction::<MarkAllRead>::new();
    if rows.is_empty() {
        return view! { <p>"You have no notifications."</p> }.into_any();
    }
    let any_unread = rows.iter().any(|r| r.unread);
    view! {
        {any_unread.then(|| view! {
            <ActionForm action=all>
                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Mark all as read"</button>
            </ActionForm>
        })}
        <ul class="nhsuk-list nhsuk-list--border" id="notifications">
            {rows.into_iter().map(|r| view! {
                <li class:pp-unread=r.unread>
                    <ActionForm action=open attr:class="pp-inline-form">
                        <input type="hidden" name="id" value=r.id />
                        <button class="pp-link-button" type="submit">
                            {r.unread.then(|| view! { <strong class="nhsuk-tag nhsuk-tag--blue">"New"</strong> " " })}
                            {r.text.clone()}
                        </button>
                    </ActionForm>
                    <span class="nhsuk-body-s">" "{r.at.clone()}</span>
                </li>
            }).collect::<Vec<_>>()}
        </ul>
    }
    .into_any()
}
