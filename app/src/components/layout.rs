use crate::SERVICE_NAME;
use crate::api::auth::current_user;
use crate::domain::Role;
use crate::error::AppError;
use crate::views::auth::Me;
use leptos::prelude::*;

/// Who is signed in, loaded once per page by the layout.
pub type MeResource = Resource<Result<Option<Me>, AppError>>;

/// The signed-in person (or `None`), for any page under the layout.
pub fn use_me() -> MeResource {
    use_context::<MeResource>().unwrap_or_else(|| Resource::new(|| (), |_| current_user()))
}

const NHS_LOGO_PATH: &str = "M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z";

/// The page frame: skip link, header with the service name and menu, phase banner, main
/// content, footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let me: MeResource = Resource::new(|| (), |_| current_user());
    provide_context(me);
    view! {
        <a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href="#maincontent">
            "Skip to main content"
        </a>
        // One boundary reads who is signed in for the whole header (account area and menu), so
        // the header never waits on the same resource from two places.
        <Suspense fallback=|| view! { <Header who=None /> }>
            {move || Suspend::new(async move {
                let who = me.await.ok().flatten();
                view! { <Header who /> }
            })}
        </Suspense>
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
                        <li class="nhsuk-footer__list-item">
                            <a class="nhsuk-footer__list-item-link" href="/verify">"Check a passport"</a>
                        </li>
                    </ul>
                    <p class="nhsuk-body-s">"Greater Manchester Cancer Alliance"</p>
                </div>
            </div>
        </footer>
        <PageReady />
    }
}

/// Rendered last on every page. The loader hydrates islands in the order they appear, each
/// lazy one once its code has arrived, so when this one hydrates every form above it is
/// interactive: it tells `/js/enhance.js` (NHS.UK frontend) and the browser tests so
/// (`window.__ppHydrated`, and the `pp:hydrated` event).
#[island]
pub fn PageReady() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let window = window();
        let _ = js_sys::Reflect::set(&window, &"__ppHydrated".into(), &true.into());
        if let Ok(event) = leptos::web_sys::Event::new("pp:hydrated") {
            let _ = window.dispatch_event(&event);
        }
    }
}

/// The header: service name, account area and menu.
#[component]
fn Header(who: Option<Me>) -> impl IntoView {
    let holds_passport = who.as_ref().is_some_and(|m| m.grants.iter().any(|g| g.role == Role::Staff));
    let is_hr = who.as_ref().is_some_and(|m| m.grants.iter().any(|g| g.role == Role::HrOfficer));
    let applications = who.as_ref().is_some_and(|m| {
        m.grants.iter().any(|g| matches!(g.role, Role::Staff | Role::LineManager | Role::PlacementLead))
    });
    let sees_people =
        who.as_ref().is_some_and(|m| m.grants.iter().any(|g| matches!(g.role, Role::HrOfficer | Role::ProjectManager)));
    view! {
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
                <Account who=who.clone() />
            </div>
            <nav class="nhsuk-header__navigation" aria-label="Menu">
                <div class="nhsuk-header__navigation-container nhsuk-width-container">
                    <ul class="nhsuk-header__navigation-list">
                        <NavItem href="/" label="Home" />
                        {who.is_some().then(|| view! { <NavItem href="/placements" label="Placements" /> })}
                        {applications.then(|| view! { <NavItem href="/applications" label="Applications" /> })}
                        {holds_passport.then(|| view! { <NavItem href="/passport" label="Your passport" /> })}
                        <NavItem href="/trusts" label="Trusts" />
                        <NavItem href="/pathways" label="Pathways" />
                        {sees_people.then(|| view! { <NavItem href="/people" label="People" /> })}
                        {is_hr.then(|| view! { <NavItem href="/passports" label="Passport queue" /> })}
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
    }
}

/// The account area of the header: who is signed in and the sign-out button, or a sign-in link.
#[component]
fn Account(who: Option<Me>) -> impl IntoView {
    view! {
        <nav class="nhsuk-header__account" aria-label="Account">
            <ul class="nhsuk-header__account-list">
                {match who {
                    Some(me) => view! {
                        <li class="nhsuk-header__account-item">
                            <a class="nhsuk-header__account-link" href="/account">{me.name}</a>
                        </li>
                        <li class="nhsuk-header__account-item">
                            <a class="nhsuk-header__account-link" href="/notifications" id="notifications-link">
                                {match me.unread {
                                    0 => "Notifications".to_owned(),
                                    n => format!("Notifications ({n} new)"),
                                }}
                            </a>
                        </li>
                        <li class="nhsuk-header__account-item">
                            // A plain post, with or without JavaScript: signing out reloads everything.
                            <form class="nhsuk-header__account-form" method="post" action="/api/auth/sign-out" novalidate>
                                <button class="nhsuk-header__account-button" type="submit">"Sign out"</button>
                            </form>
                        </li>
                    }.into_any(),
                    None => view! {
                        <li class="nhsuk-header__account-item">
                            <a class="nhsuk-header__account-link" href="/sign-in">"Sign in"</a>
                        </li>
                    }.into_any(),
                }}
            </ul>
        </nav>
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
        crate::AppError::Unauthenticated => {
            let location = leptos_router::hooks::use_location();
            let search = location.search.get_untracked();
            let sep = if search.is_empty() || search.starts_with('?') { "" } else { "?" };
            let here = format!("{}{sep}{search}", location.pathname.get_untracked());
            let href = format!("/sign-in?next={}", crate::views::urlencode(&here));
            // Without JavaScript the server answers with a redirect to the sign-in page.
            #[cfg(feature = "ssr")]
            leptos_axum::redirect(&href);
            view! {
                <h1 class="nhsuk-heading-l">"Sign in to see this page"</h1>
                <p><a href=href>"Sign in"</a></p>
            }
            .into_any()
        }
        crate::AppError::Forbidden => view! {
            <h1 class="nhsuk-heading-l">"You do not have access to this page"</h1>
            <p>"Your roles do not let you see this. If you think they should, ask your HR passport officer or the alliance project manager."</p>
            <p><a href="/">"Go to your home page"</a></p>
        }
        .into_any(),
        other => view! {
            <h1 class="nhsuk-heading-l">"Sorry, there is a problem"</h1>
            <p>{other.to_string()}</p>
        }
        .into_any(),
    }
}

/// One row of an NHS summary list: a key and its value (line breaks in the value kept).
#[component]
pub fn SummaryRow(key: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="nhsuk-summary-list__row">
            <dt class="nhsuk-summary-list__key">{key}</dt>
            <dd class="nhsuk-summary-list__value pp-preserve-lines">{value}</dd>
        </div>
    }
}
