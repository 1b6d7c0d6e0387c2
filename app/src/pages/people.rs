//! People administration: the list, adding a person, and one person's details and roles.

use crate::api::people::{
    AddPerson, ChangePersonStatus, EditPerson, GrantRole, RemoveGrant, get_person, list_people, people_form_choices,
};
use crate::components::form::{
    ErrorSummary, Next, Post, PostForm, Select, SuccessBanner, TextInput, after_success, island_outcome, use_flash,
    with_blank,
};
use crate::components::layout::ErrorMessage;
use crate::domain::{PayBand, PersonInput, RegistrationBody, StaffGroup};
use crate::error::FormOutcome;
use crate::views::people::{
    ADD_PERSON_FORM, EDIT_PERSON_FORM, GRANT_FORM, PERSON_STATUS_FORM, PeopleList, PersonChoices, PersonDetail,
    PersonStatus,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub(crate) fn staff_group_options() -> Vec<(String, String)> {
    with_blank("Not set", StaffGroup::ALL.into_iter().map(|g| (g.code().to_owned(), g.label().to_owned())))
}

pub(crate) fn band_options() -> Vec<(String, String)> {
    with_blank("Not set", PayBand::ALL.into_iter().map(|b| (b.code().to_owned(), b.to_string())))
}

pub(crate) fn body_options() -> Vec<(String, String)> {
    with_blank("None", RegistrationBody::ALL.into_iter().map(|b| (b.code().to_owned(), b.code().to_owned())))
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let query = use_query_map();
    let trust = move || query.read().get("trust").unwrap_or_default();
    let people = Resource::new(trust, list_people);
    view! {
        <Title text="People" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(list) => view! { <PeopleView list /> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PeopleView(list: PeopleList) -> impl IntoView {
    let mut options = list.trust_choices.clone();
    if list.alliance_wide {
        options.insert(0, (String::new(), "All trusts".to_owned()));
    }
    let shown = list.trust.clone();
    view! {
        <h1 class="nhsuk-heading-l">"People"</h1>
        <a class="nhsuk-button nhsuk-button--secondary" href="/people/new">"Add a person"</a>
        <form method="get" action="/people" class="pp-filter">
            <div class="nhsuk-form-group">
                <label class="nhsuk-label" for="trust">"Trust"</label>
                <select class="nhsuk-select" id="trust" name="trust">
                    {options.into_iter().map(|(value, label)| {
                        let selected = value == shown;
                        view! { <option value=value selected=selected>{label}</option> }
                    }).collect::<Vec<_>>()}
                </select>
            </div>
            <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Show"</button>
        </form>
        {if list.people.is_empty() {
            view! { <p>"Nobody has been added here yet."</p> }.into_any()
        } else {
            view! {
                <table class="nhsuk-table">
                    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"People"</caption>
                    <thead class="nhsuk-table__head">
                        <tr class="nhsuk-table__row">
                            <th class="nhsuk-table__header" scope="col">"Name"</th>
                            <th class="nhsuk-table__header" scope="col">"Home trust and team"</th>
                            <th class="nhsuk-table__header" scope="col">"Roles"</th>
                            <th class="nhsuk-table__header" scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody class="nhsuk-table__body">
                        {list.people.into_iter().map(|p| view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell">
                                    <a href=format!("/people/{}", p.id)>{p.name}</a>
                                    <br /><span class="nhsuk-body-s">{p.email}</span>
                                </td>
                                <td class="nhsuk-table__cell">
                                    {p.trust.unwrap_or_else(|| "None".to_owned())}
                                    {p.team.map(|t| view! { <br /><span class="nhsuk-body-s">{t}</span> })}
                                </td>
                                <td class="nhsuk-table__cell">{p.roles.join(", ")}</td>
                                <td class="nhsuk-table__cell"><StatusTag status=p.status /></td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
fn StatusTag(status: PersonStatus) -> impl IntoView {
    let class = match status {
        PersonStatus::Active => "nhsuk-tag nhsuk-tag--green",
        PersonStatus::Invited => "nhsuk-tag nhsuk-tag--blue",
        PersonStatus::Deactivated => "nhsuk-tag nhsuk-tag--grey",
    };
    view! { <strong class=class>{status.label()}</strong> }
}

/// The fields of a person, shared by the add and edit forms.
#[component]
fn PersonFields(
    choices: PersonChoices,
    outcome: Signal<Option<FormOutcome>>,
    /// The starting values: the person's details when editing, empty when adding.
    #[prop(optional)]
    current: PersonInput,
) -> impl IntoView {
    let trusts = if choices.alliance_wide {
        with_blank("No home trust (alliance staff)", choices.trusts.clone())
    } else {
        choices.trusts.clone()
    };
    let c = current;
    view! {
        <TextInput name="name" label="Full name" autocomplete="off" outcome initial=c.name />
        <TextInput name="email" label="Work email address" input_type="email" autocomplete="off" outcome initial=c.email
            hint="Their invitation and password reset links are sent here." />
        <Select name="trust" label="Home trust" outcome options=trusts initial=c.trust />
        <Select name="team" label="Team" outcome options=with_blank("No team", choices.teams) initial=c.team
            hint="A team at their home trust." />
        <Select name="staff_group" label="Staff group" outcome options=staff_group_options() initial=c.staff_group />
        <Select name="pay_band" label="Agenda for Change pay band" outcome options=band_options() initial=c.pay_band />
        <Select name="registration_body" label="Professional registration" outcome options=body_options() initial=c.registration_body />
        <TextInput name="registration_number" label="Registration number" outcome width="10" initial=c.registration_number
            hint="GMC: 7 digits. NMC PIN: like 12A3456E. HCPC: like RA123456. GDC: up to 6 digits." />
    }
}

#[component]
pub fn NewPersonPage() -> impl IntoView {
    let flash = use_flash(ADD_PERSON_FORM);
    let choices = Resource::new(|| (), |_| people_form_choices());
    view! {
        <Title text="Add a person" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await;
                match choices.await {
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    Ok(choices) => view! { <AddPersonForm choices flash /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Adding a person: its messages show in place; once added, their page loads.
#[island(lazy)]
fn AddPersonForm(choices: PersonChoices, flash: Option<FormOutcome>) -> impl IntoView {
    let add = Post::<String>::to::<AddPerson>();
    // Success moves on to the person's page, so only a failure shows here.
    let all = island_outcome(add, flash);
    let outcome = Signal::derive(move || all.get().filter(Result::is_err));
    after_success(add, |to| Next::Go(to.to_owned()));
    view! {
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <ErrorSummary outcome />
                <h1 class="nhsuk-heading-l">"Add a person"</h1>
                <p>"We will email them an invitation to create a password. Give them roles on the next page."</p>
                <PostForm post=add attr:novalidate=true>
                    <PersonFields choices outcome />
                    <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Add and invite"</button>
                </PostForm>
            </div>
        </div>
    }
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
    let edit = use_flash(EDIT_PERSON_FORM);
    let grant = use_flash(GRANT_FORM);
    let status = use_flash(PERSON_STATUS_FORM);
    let person = Resource::new(id, get_person);
    let added = move || query.read().get("added").is_some();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flashes = PersonFlashes { edit: edit.await, grant: grant.await, status: status.await };
                match person.await {
                    Err(e) => view! { <Title text="Person" /><ErrorMessage error=e /> }.into_any(),
                    Ok(p) => view! { <PersonView p added=added() flashes /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What each of the person page's forms left behind.
struct PersonFlashes {
    edit: Option<FormOutcome>,
    grant: Option<FormOutcome>,
    status: Option<FormOutcome>,
}

#[component]
fn PersonView(p: PersonDetail, added: bool, flashes: PersonFlashes) -> impl IntoView {
    let PersonFlashes { edit, grant, status: status_flash } = flashes;
    let any_success =
        [edit.clone(), grant.clone(), status_flash.clone()].into_iter().flatten().find(Result::is_ok).or_else(|| {
            added.then(|| Ok("Person added. We have emailed them an invitation to create a password".to_owned()))
        });
    // Removing a role and the account actions are one button each: plain posts, with or without
    // JavaScript. Removing reports under the grant form's name.
    let remove = ServerAction::<RemoveGrant>::new();
    let status = ServerAction::<ChangePersonStatus>::new();
    let status_outcome = Signal::stored(status_flash);
    let id = p.id;
    let title = p.name.clone();
    let choices = p.choices.clone();
    view! {
        <Title text=title />
        <SuccessBanner outcome=Signal::stored(any_success) />
        <span class="nhsuk-caption-l">"Person"</span>
        <h1 class="nhsuk-heading-l">{p.name.clone()}</h1>
        <p>{p.email.clone()}" "<StatusTag status=p.status /></p>
        {p.passport_record.then(|| view! {
            <p><a href=format!("/people/{id}/passport") id="passport-record-link">"Passport record: checks, photo, issue and revoke"</a></p>
        })}

        <h2 class="nhsuk-heading-m" id="roles">"Roles"</h2>
        {if p.grants.is_empty() {
            view! { <p>"No roles yet. Without a role, this person cannot sign in."</p> }.into_any()
        } else {
            view! {
                <table class="nhsuk-table">
                    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Roles"</caption>
                    <thead class="nhsuk-table__head">
                        <tr class="nhsuk-table__row">
                            <th class="nhsuk-table__header" scope="col">"Role"</th>
                            <th class="nhsuk-table__header" scope="col">"Where"</th>
                            <th class="nhsuk-table__header" scope="col"><span class="nhsuk-u-visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody class="nhsuk-table__body">
                        {p.grants.clone().into_iter().map(|g| {
                            let where_ = match (&g.trust, g.teams.is_empty()) {
                                (Some(t), true) => t.clone(),
                                (Some(t), false) => format!("{t}: {}", g.teams.join(", ")),
                                (None, _) => "The whole alliance".to_owned(),
                            };
                            let label = format!("Remove {}", g.role.to_lowercase());
                            view! {
                                <tr class="nhsuk-table__row">
                                    <td class="nhsuk-table__cell">{g.role.clone()}</td>
                                    <td class="nhsuk-table__cell">{where_}</td>
                                    <td class="nhsuk-table__cell">
                                        {g.removable.then(|| view! {
                                            <ActionForm action=remove>
                                                <input type="hidden" name="person" value=id />
                                                <input type="hidden" name="grant" value=g.id />
                                                <button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small pp-inline-button" type="submit">{label}</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {if p.manageable && !choices.roles.is_empty() {
            view! { <GrantRoleForm person=id choices=choices.clone() flash=grant /> }.into_any()
        } else {
            view! { <ErrorSummary outcome=Signal::stored(grant) /> }.into_any()
        }}

        {p.manageable.then(|| {
            let current = p.details.clone();
            let person_status = p.status;
            view! {
                <div class="nhsuk-grid-row">
                    <div class="nhsuk-grid-column-two-thirds">
                        <EditPersonForm id choices=p.choices.clone() current flash=edit />
                        <h2 class="nhsuk-heading-m" id="account">"Account"</h2>
                        <ErrorSummary outcome=status_outcome />
                        {(person_status == PersonStatus::Invited).then(|| view! {
                            <ActionForm action=status>
                                <input type="hidden" name="person" value=id />
                                <input type="hidden" name="action" value="resend_invitation" />
                                <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Send the invitation again"</button>
                            </ActionForm>
                        })}
                        {if person_status == PersonStatus::Deactivated {
                            view! {
                                <ActionForm action=status>
                                    <input type="hidden" name="person" value=id />
                                    <input type="hidden" name="action" value="reactivate" />
                                    <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Reactivate"</button>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! {
                                <p>"Deactivating signs them out at once and stops them signing in. Their records are kept."</p>
                                <ActionForm action=status>
                                    <input type="hidden" name="person" value=id />
                                    <input type="hidden" name="action" value="deactivate" />
                                    <button class="nhsuk-button nhsuk-button--warning" type="submit">"Deactivate"</button>
                                </ActionForm>
                            }.into_any()
                        }}
                    </div>
                </div>
            }
        })}
    }
}

#[island(lazy)]
fn GrantRoleForm(person: i32, choices: PersonChoices, flash: Option<FormOutcome>) -> impl IntoView {
    let grant = Post::<String>::to::<GrantRole>();
    let outcome = island_outcome(grant, flash);
    after_success(grant, |_| Next::Reload);
    let trust_options = with_blank("Select a trust", choices.trusts.clone());
    let team_options = with_blank("Not a line manager", choices.teams.clone());
    let role_options = with_blank("Select a role", choices.roles.clone());
    view! {
        <ErrorSummary outcome />
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                <h3 class="nhsuk-heading-s" id="add-role">"Give a role"</h3>
                <PostForm post=grant attr:novalidate=true attr:aria-labelledby="add-role">
                    <input type="hidden" name="person" value=person />
                    <Select name="role" label="Role" outcome options=role_options />
                    <Select name="trust" label="At trust" outcome options=trust_options
                        hint="Not needed for an alliance project manager." />
                    <Select name="team" label="Team they manage" outcome options=team_options
                        hint="Only for a line manager. Give the role again to add another team." />
                    <button class="nhsuk-button nhsuk-button--secondary" type="submit">"Give role"</button>
                </PostForm>
            </div>
        </div>
    }
}

#[island(lazy)]
fn EditPersonForm(id: i32, choices: PersonChoices, current: PersonInput, flash: Option<FormOutcome>) -> impl IntoView {
    let edit = Post::<String>::to::<EditPerson>();
    let outcome = island_outcome(edit, flash);
    after_success(edit, |_| Next::Reload);
    view! {
        <h2 class="nhsuk-heading-m" id="details">"Details"</h2>
        <ErrorSummary outcome />
        <PostForm post=edit attr:novalidate=true attr:aria-labelledby="details">
            <input type="hidden" name="id" value=id />
            <PersonFields choices outcome current />
            <button class="nhsuk-button" data-module="nhsuk-button" type="submit">"Save details"</button>
        </PostForm>
    }
}
