//! The browser entry point: attaches the wasm app to the server-rendered HTML.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    announce_hydrated();
}

/// Tells `/js/enhance.js` (NHS.UK frontend) and browser tests that the page is now interactive.
fn announce_hydrated() {
    let Some(window) = web_sys::window() else { return };
    let _ = js_sys::Reflect::set(&window, &"__ppHydrated".into(), &true.into());
    if let Ok(event) = web_sys::Event::new("pp:hydrated") {
        let _ = window.dispatch_event(&event);
    }
}
