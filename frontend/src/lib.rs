//! The browser entry point. Pages are rendered on the server only; the loader Leptos puts in
//! each page calls [`hydrate`], then hydrates each island (`<leptos-island>`) it finds, in
//! order. The last one on every page (`app::components::layout::PageReady`) says the page is
//! interactive.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    // A panic's message in the console, in debug builds. The release bundle leaves it out: its
    // formatting code is weight every page would load, against a budget (scripts/check-bundle.sh).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // Links the app's islands (their `#[wasm_bindgen]` entry points) into this module.
    app::islands_linked();
    leptos::mount::hydrate_islands();
}
