use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home" />
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h1 class="nhsuk-heading-xl">"Placement Passport"</h1>
                <p class="nhsuk-lede-text">
                    "Move between trusts in the Greater Manchester Cancer alliance for training, shadowing and mentoring placements, without repeating your employment checks."
                </p>
                <p>
                    "Your home trust checks you once and issues your digital staff passport. When a placement is approved, you share it with the host trust, which verifies it. A standard Licence to Attend replaces the honorary contract."
                </p>
                <h2 class="nhsuk-heading-m">"The pilot network"</h2>
                <ul class="nhsuk-list nhsuk-list--bullet">
                    <li><a href="/trusts">"Trusts taking part"</a>", with their sites and teams"</li>
                    <li><a href="/pathways">"Pathways"</a>", the workforce groups in the pilot"</li>
                </ul>
            </div>
        </div>
    }
}
