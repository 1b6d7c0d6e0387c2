use crate::SERVICE_NAME;
use leptos::prelude::*;

const NHS_LOGO_PATH: &str = "M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z";

/// The page frame: skip link, header with the service name and menu, phase banner, main
/// content, footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href="#maincontent">
            "Skip to main content"
        </a>
        <header class="nhsuk-header" data-module="nhsuk-header" role="banner">
            <div class="nhsuk-header__container nhsuk-width-container">
                <div class="nhsuk-header__service">
                    <a class="nhsuk-header__service-logo" href="/" aria-label=format!("NHS {SERVICE_NAME} homepage")>
                        <svg class="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" height="40" width="100" focusable="false" role="img" aria-label="NHS">
                            <title>"NHS"</title>
                            <path fill="currentcolor" d=NHS_LOGO_PATH></path>
                        </svg>
                        <span class="nhsuk-header__service-name">{SERVICE_NAME}</span>
                    </a>
                </div>
            </div>
            <nav class="nhsuk-header__navigation" aria-label="Menu">
                <div class="nhsuk-header__navigation-container nhsuk-width-container">
                    <ul class="nhsuk-header__navigation-list">
                        <NavItem href="/" label="Home" />
                        <NavItem href="/trusts" label="Trusts" />
                        <NavItem href="/pathways" label="Pathways" />
                        <li class="nhsuk-header__menu" hidden>
                            <button class="nhsuk-header__menu-toggle nhsuk-header__navigation-link" id="toggle-menu" aria-expanded="false">
                                <span class="nhsuk-u-visually-hidden">"Browse "</span>
                                "More"
                            </button>
                        </li>
                    </ul>
                </div>
            </nav>
        </header>
        <div class="nhsuk-width-container">
            <div class="pp-phase-banner">
                <p class="pp-phase-banner__content">
                    <strong class="nhsuk-tag nhsuk-tag--blue pp-phase-banner__tag">"Pilot"</strong>
                    <span class="pp-phase-banner__text">
                        "This is a new service for the Greater Manchester Cancer staff movement pilot."
                    </span>
                </p>
            </div>
            <main class="nhsuk-main-wrapper" id="maincontent">
                {children()}
            </main>
        </div>
        <footer class="nhsuk-footer" role="contentinfo">
            <div class="nhsuk-width-container">
                <div class="nhsuk-footer__meta">
                    <h2 class="nhsuk-u-visually-hidden">"Support links"</h2>
                    <ul class="nhsuk-footer__list">
                        <li class="nhsuk-footer__list-item">
                            <a class="nhsuk-footer__list-item-link" href="/pathways">"Pathways in the pilot"</a>
                        </li>
                        <li class="nhsuk-footer__list-item">
                            <a class="nhsuk-footer__list-item-link" href="/trusts">"Trusts in the pilot"</a>
                        </li>
                    </ul>
                    <p class="nhsuk-body-s">"Greater Manchester Cancer Alliance"</p>
                </div>
            </div>
        </footer>
    }
}

#[component]
fn NavItem(href: &'static str, label: &'static str) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let current = move || {
        let path = location.pathname.get();
        if href == "/" { path == "/" } else { path == href || path.starts_with(&format!("{href}/")) }
    };
    view! {
        <li class="nhsuk-header__navigation-item" class:nhsuk-header__navigation-item--current=current>
            <a
                class="nhsuk-header__navigation-link"
                href=href
                aria-current=move || current().then_some("page")
            >
                {label}
            </a>
        </li>
    }
}

/// The page shown when a page or a record does not exist (the server answers 404).
#[component]
pub fn NotFoundMessage() -> impl IntoView {
    view! {
        <h1 class="nhsuk-heading-l">"Page not found"</h1>
        <p>"If you typed the web address, check it is correct."</p>
        <p>"If you pasted the web address, check you copied the entire address."</p>
        <p><a href="/">"Go to the Placement Passport homepage"</a></p>
    }
}

/// What a page shows when loading its data failed.
#[component]
pub fn ErrorMessage(error: crate::AppError) -> impl IntoView {
    match error {
        crate::AppError::NotFound => view! { <NotFoundMessage /> }.into_any(),
        other => view! {
            <h1 class="nhsuk-heading-l">"Sorry, there is a problem"</h1>
            <p>{other.to_string()}</p>
        }
        .into_any(),
    }
}
