use crate::components::layout::NotFoundMessage;
use leptos::prelude::*;
use leptos_meta::Title;

/// The fallback for any path no route matches; answers 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::respond::set_status(404);
    view! {
        <Title text="Page not found" />
        <NotFoundMessage />
    }
}
