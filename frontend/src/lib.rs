//! The browser entry point. Pages are rendered on the server only; the loader Leptos puts in
//! each page calls [`hydrate`], then hydrates each island (`<leptos-island>`) it finds.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{Closure, wasm_bindgen};

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Links the app's islands (their `#[wasm_bindgen]` entry points) into this module.
    app::islands_linked();
    leptos::mount::hydrate_islands();
    announce_hydrated();
}

/// Tells `/js/enhance.js` (NHS.UK frontend) and browser tests that the page is now interactive.
/// The loader hydrates the islands right after [`hydrate`] returns, in one run of promise
/// callbacks, so a task queued now runs once every island has hydrated.
fn announce_hydrated() {
    let Some(window) = web_sys::window() else { return };
    let announce = Closure::once_into_js(move || {
        let Some(window) = web_sys::window() else { return };
        let _ = js_sys::Reflect::set(&window, &"__ppHydrated".into(), &true.into());
        if let Ok(event) = web_sys::Event::new("pp:hydrated") {
            let _ = window.dispatch_event(&event);
        }
    });
    let _ = window.set_timeout_with_callback(announce.unchecked_ref());
}
