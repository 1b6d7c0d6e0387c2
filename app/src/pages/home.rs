use crate::components::layout::use_me;
use crate::domain::Role;
use crate::views::auth::{Me, MyGrant};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = use_me();
    view! {
        <Title text="Home" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await.ok().flatten() {
                    Some(me) => view! { <YourWork me /> }.into_any(),
                    None => view! { <Welcome /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 class="nhsuk-heading-xl">"Placement Passport"</h1>
                <p class="nhsuk-lede-text">
                    "Move between trusts in the Greater Manchester Cancer alliance for training, shadowing and mentoring placements, without repeating your employment checks."
                </p>
                <p>
                    "Your home trust checks you once and issues your digital staff passport. When a placement is approved, you share it with the host trust, which verifies it. A standard Licence to Attend replaces the honorary contract."
                </p>
                <a class="nhsuk-button" href="/sign-in">"Sign in"</a>
                <h2 class="nhsuk-heading-m">"The pilot network"</h2>
                <ul class="nhsuk-list nhsuk-list--bullet">
                    <li><a href="/trusts">"Trusts taking part"</a>", with their sites and teams"</li>
                    <li><a href="/pathways">"Pathways"</a>", the workforce groups in the pilot"</li>
                    <li><a href="/verify">"Check a passport"</a>" someone has shared with you"</li>
                </ul>
            </div>
        </div>
    }
}

/// Everything the signed-in person can do, one card per role they hold.
#[component]
fn YourWork(me: Me) -> impl IntoView {
    view! {
        <h1 class="nhsuk-heading-l">{format!("Your work, {}", me.name)}</h1>
        <ul class="nhsuk-grid-row nhsuk-card-group">
            {me.grants.into_iter().map(|g| view! { <WorkCard grant=g /> }).collect::<Vec<_>>()}
        </ul>
    }
}

#[component]
fn WorkCard(grant: MyGrant) -> impl IntoView {
    let at = grant
        .trust
        .as_ref()
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| "Greater Manchester Cancer alliance".into());
    let ods = grant.trust.as_ref().map(|(ods, _)| ods.clone()).unwrap_or_default();
    let (text, links): (String, Vec<(String, &'static str)>) = match grant.role {
        Role::Staff => (
            "Find placements at other trusts that you can apply for, and see your digital staff passport and who has seen it. Applying opens as the pilot's next part arrives.".into(),
            vec![
                ("/passport".into(), "Your passport"),
                ("/placements".into(), "Find a placement"),
                ("/pathways".into(), "Pathways in the pilot"),
            ],
        ),
        Role::LineManager => (
            format!("Release members of your teams for placements: {}.", grant.teams.join(", ")),
            vec![(format!("/trusts/{ods}"), "Your trust's teams")],
        ),
        Role::PlacementLead => (
            "Post and manage your trust's placements, and accept applicants.".into(),
            vec![
                (format!("/trusts/{ods}/placements"), "Your trust's placements"),
                (format!("/trusts/{ods}/placements/new"), "Post a placement"),
                (format!("/trusts/{ods}"), "Your trust's sites and teams"),
            ],
        ),
        Role::HrOfficer => (
            "Add your trust's people and give them roles; issue and revoke their passports.".into(),
            vec![
                (format!("/people?trust={ods}"), "People at your trust"),
                ("/people/new".into(), "Add a person"),
                ("/verify".into(), "Check a passport"),
            ],
        ),
        Role::ProjectManager => (
            "Run the alliance's network and people, and watch the pilot's figures.".into(),
            vec![
                ("/people".into(), "People"),
                ("/placements".into(), "Placements across the alliance"),
                ("/trusts".into(), "Trusts, sites and teams"),
                ("/pathways".into(), "Pathways"),
                ("/audit".into(), "Audit log"),
            ],
        ),
    };
    view! {
        <li class="nhsuk-grid-column-one-half nhsuk-card-group__item">
            <div class="nhsuk-card">
                <div class="nhsuk-card__content">
                    <h2 class="nhsuk-card__heading nhsuk-heading-m">{grant.role.label()}</h2>
                    <p class="nhsuk-body-s">{at}</p>
                    <p class="nhsuk-card__description">{text}</p>
                    <ul class="nhsuk-list">
                        {links.into_iter().map(|(href, label)| view! { <li><a href=href>{label}</a></li> }).collect::<Vec<_>>()}
                    </ul>
                </div>
            </div>
        </li>
    }
}
