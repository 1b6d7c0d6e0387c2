//! Placement Passport: the UI, the domain types shared by browser and server, and the server
//! functions. Built twice: with `ssr` for the server binary and with `hydrate` for the browser.
//! Server-only code (database, services, mail) lives in [`server`], gated once.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    path,
};

pub use error::{AppError, FormOutcome};

/// The service name shown in the header and page titles.
pub const SERVICE_NAME: &str = "Placement Passport";

/// Called by the browser entry point (`frontend`) so this crate, with the `#[wasm_bindgen]`
/// entry points of its islands, is linked into the wasm module.
pub fn islands_linked() {}

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::respond::content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#005eb8" />
                <link rel="icon" href="/nhsuk/assets/images/favicon.ico" sizes="48x48" />
                <link rel="icon" href="/nhsuk/assets/images/favicon.svg" sizes="any" type="image/svg+xml" />
                <link rel="stylesheet" href="/nhsuk/nhsuk-frontend.min.css" />
                <script type="module" src="/js/enhance.js"></script>
                // The bundle's stylesheet, under its hashed name when the build hashed it.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The app: NHS layout around the routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|title: String| format!("{title} – {SERVICE_NAME} – NHS") />
        <Router>
            <components::layout::Layout>
                // Async SSR: every page arrives complete, so it reads the same without JavaScript.
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=StaticSegment("") view=pages::home::HomePage ssr=SsrMode::Async />
                    <Route path=path!("/trusts") view=pages::trusts::TrustsPage ssr=SsrMode::Async />
                    <Route path=path!("/trusts/:ods") view=pages::trust::TrustPage ssr=SsrMode::Async />
                    <Route path=path!("/pathways") view=pages::pathways::PathwaysPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=pages::audit::AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/applications") view=pages::applications::ApplicationsPage ssr=SsrMode::Async />
                    <Route path=path!("/applications/:id") view=pages::applications::ApplicationPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications") view=pages::notifications::NotificationsPage ssr=SsrMode::Async />
                    <Route path=path!("/passport") view=pages::passport::PassportPage ssr=SsrMode::Async />
                    <Route path=path!("/verify") view=pages::verify::VerifyPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=pages::sign_in::SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view=pages::sign_in::ForgotPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/set-password") view=pages::sign_in::SetPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/people") view=pages::people::PeoplePage ssr=SsrMode::Async />
                    <Route path=path!("/people/new") view=pages::people::NewPersonPage ssr=SsrMode::Async />
                    <Route path=path!("/people/:id") view=pages::people::PersonPage ssr=SsrMode::Async />
                    <Route path=path!("/people/:id/passport") view=pages::passport_record::PassportRecordPage ssr=SsrMode::Async />
                    <Route path=path!("/passports") view=pages::passport_record::PassportQueuePage ssr=SsrMode::Async />
                    <Route path=path!("/teams/:id") view=pages::team::TeamPage ssr=SsrMode::Async />
                    <Route path=path!("/placements") view=pages::placements::BrowsePlacementsPage ssr=SsrMode::Async />
                    <Route path=path!("/placements/:id") view=pages::placements::PlacementPage ssr=SsrMode::Async />
                    <Route path=path!("/placements/:id/edit") view=pages::placement_form::EditPlacementPage ssr=SsrMode::Async />
                    <Route path=path!("/trusts/:ods/placements") view=pages::placements::TrustPlacementsPage ssr=SsrMode::Async />
                    <Route path=path!("/trusts/:ods/placements/new") view=pages::placement_form::NewPlacementPage ssr=SsrMode::Async />
                </Routes>
            </components::layout::Layout>
        </Router>
    }
}
