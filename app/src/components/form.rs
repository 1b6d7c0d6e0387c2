//! Form fields, the error summary and the success banner, in NHS.UK markup, and what every form
//! island shares.
//!
//! Pages are rendered on the server only; each form is an island (`#[island]`), the one part of
//! a page shipped to the browser as wasm. A form's state is one signal of
//! `Option<FormOutcome>`: its server action's latest result with JavaScript on, else the
//! one-shot flash a post without JavaScript left behind, which the page reads on the server
//! ([`use_flash`]) and hands to the island as a prop. Both paths render the same messages and
//! keep what was typed.

use crate::api::take_form_flash;
use crate::error::{AppError, FormErrors, FormOutcome};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The outcome a post of form `name` (a `*_FORM` constant of [`crate::views`]) without
/// JavaScript left for this page load, if any. Read on the server, by the page.
pub fn use_flash(name: &'static str) -> Resource<Option<FormOutcome>> {
    Resource::new(|| (), move |_| async move { take_form_flash(name.to_owned()).await.ok().flatten() })
}

/// One form's post from its island. The island posts the form's own fields, URL-encoded
/// exactly as the browser posts them without JavaScript, to the server function at `url`,
/// asking for JSON (`Accept`), and keeps what came back: the function's value, or its
/// `AppError`. It does not decode the form into the function's arguments first, as Leptos's
/// `ActionForm` does: so no island carries the argument types' (de)serialisers or a query-string
/// codec, which keeps each island's wasm small.
pub struct Post<T: 'static> {
    url: &'static str,
    /// The latest result with JavaScript on (`None` until the form is sent).
    pub value: RwSignal<Option<Result<T, AppError>>>,
}

impl<T: 'static> Clone for Post<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Post<T> {}

impl<T> Post<T>
where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    /// A post to server function `S` (its URL, `S::PATH`).
    pub fn to<S: ServerFn>() -> Self {
        Self { url: S::PATH, value: RwSignal::new(None) }
    }
}

/// The form an island posts with [`Post`]: a plain `<form method="post">` to the server
/// function, so it works without JavaScript; with it, submitting sends the same fields by fetch
/// and stays on the page. Attributes (`attr:…`) and `node_ref` go on the `<form>`.
#[component]
pub fn PostForm<T>(
    post: Post<T>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Form>>,
    children: Children,
) -> impl IntoView
where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let node_ref = node_ref.unwrap_or_default();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            if let Some(form) = node_ref.get_untracked() {
                let body = encoded(&form);
                leptos::task::spawn_local(async move {
                    let result = send::<T>(post.url, body).await;
                    post.value.set(Some(result));
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, post);
    };
    view! {
        <form method="post" action=post.url novalidate node_ref=node_ref on:submit=on_submit>
            {children()}
        </form>
    }
}

/// Sent with an island's post: the island loads a page after a success, so the server keeps the
/// notice for it (`respond::carry_notice`).
pub const KEEP_NOTICE_HEADER: &str = "x-pp-keep-notice";

/// A form's fields as `application/x-www-form-urlencoded`, as the browser posts them.
#[cfg(feature = "hydrate")]
fn encoded(form: &leptos::web_sys::HtmlFormElement) -> String {
    use leptos::wasm_bindgen::JsCast;
    let form: &web_sys::HtmlFormElement = form.unchecked_ref();
    web_sys::FormData::new_with_form(form)
        .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data))
        .map(|params| String::from(params.to_string()))
        .unwrap_or_default()
}

/// Posts `body` to `url` and reads the answer: the value as JSON, or the `AppError` a server
/// function answers with (also JSON, with its status).
#[cfg(feature = "hydrate")]
async fn send<T: serde::de::DeserializeOwned>(url: &str, body: String) -> Result<T, AppError> {
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    let unreachable = |_| AppError::Unreachable;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    headers.set("Content-Type", "application/x-www-form-urlencoded").map_err(unreachable)?;
    headers.set("Accept", "application/json").map_err(unreachable)?;
    headers.set(KEEP_NOTICE_HEADER, "1").map_err(unreachable)?;
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(unreachable)?;
    let window: web_sys::Window = js_sys::global().unchecked_into();
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_request(&request)).await.map_err(unreachable)?.unchecked_into();
    let text = JsFuture::from(response.text().map_err(unreachable)?).await.map_err(unreachable)?;
    let text = text.as_string().unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|_| AppError::Internal)
    } else {
        Err(serde_json::from_str(&text).unwrap_or(AppError::Internal))
    }
}

/// What to show in an island's form: its post's latest result with JavaScript on, else the
/// flash the page was rendered with.
pub fn island_outcome(post: Post<String>, flash: Option<FormOutcome>) -> Signal<Option<FormOutcome>> {
    Signal::derive(move || post.value.get().or_else(|| flash.clone()))
}

/// Where a form island goes after its post succeeds with JavaScript on.
pub enum Next {
    /// Stays: the island shows the outcome itself (nothing else on the page changed).
    Stay,
    /// Loads the page again, so everything the server renders shows the change; the server
    /// kept the notice for it (`respond::finish_form`).
    Reload,
    /// Loads another page of this site.
    Go(String),
}

/// Goes on as `next` says once `post` succeeds. A failure stays on the page, with its
/// messages beside the fields and what was typed kept.
pub fn after_success<T>(post: Post<T>, next: impl Fn(&T) -> Next + 'static)
where
    T: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(value)) = post.value.get() {
            let location = window().location();
            let _ = match next(&value) {
                Next::Stay => Ok(()),
                Next::Reload => location.reload(),
                Next::Go(to) => location.assign(&crate::views::auth::local_path(&to)),
            };
        }
    });
}

/// Select options with a first, empty choice labelled `blank`.
pub fn with_blank(blank: &str, options: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    std::iter::once((String::new(), blank.to_owned())).chain(options).collect()
}

/// The field errors (and typed values) in a form outcome, if it failed validation.
pub fn form_errors(outcome: Option<FormOutcome>) -> Option<FormErrors> {
    match outcome {
        Some(Err(AppError::Validation(f))) => Some(f),
        _ => None,
    }
}

/// The error summary at the top of a form: one link per field message, or the general error.
#[component]
pub fn ErrorSummary(#[prop(into)] outcome: Signal<Option<FormOutcome>>) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    // With JavaScript on, move focus to the summary when it appears, as the design system asks.
    Effect::new(move |_| {
        if matches!(outcome.get(), Some(Err(_)))
            && let Some(el) = summary.get()
        {
            let _ = el.focus();
        }
    });
    move || match outcome.get() {
        Some(Err(err)) => {
            let items = match &err {
                AppError::Validation(f) => f
                    .errors
                    .iter()
                    .map(|e| {
                        let href = format!("#{}", e.field);
                        view! { <li><a href=href>{e.message.clone()}</a></li> }.into_any()
                    })
                    .collect::<Vec<_>>(),
                other => vec![view! { <li>{other.to_string()}</li> }.into_any()],
            };
            Some(view! {
                <div class="nhsuk-error-summary" data-module="nhsuk-error-summary" tabindex="-1" node_ref=summary>
                    <div role="alert">
                        <h2 class="nhsuk-error-summary__heading">"There is a problem"</h2>
                        <div class="nhsuk-error-summary__body">
                            <ul class="nhsuk-list nhsuk-error-summary__list">{items}</ul>
                        </div>
                    </div>
                </div>
            })
        }
        _ => None,
    }
}

/// The green banner that confirms a change.
#[component]
pub fn SuccessBanner(#[prop(into)] outcome: Signal<Option<FormOutcome>>) -> impl IntoView {
    move || match outcome.get() {
        Some(Ok(message)) => Some(view! {
            <div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="success-title" data-module="nhsuk-notification-banner">
                <div class="nhsuk-notification-banner__header">
                    <h2 class="nhsuk-notification-banner__title" id="success-title">"Success"</h2>
                </div>
                <div class="nhsuk-notification-banner__content">
                    <p class="nhsuk-notification-banner__heading">{message}</p>
                </div>
            </div>
        }),
        _ => None,
    }
}

/// The reactive state of one field: its message, what was typed, and its `aria-describedby`.
#[derive(Clone, Copy)]
struct Field {
    name: &'static str,
    hint: Option<&'static str>,
    message: Signal<Option<String>>,
    value: Signal<Option<String>>,
}

impl Field {
    fn new(
        name: &'static str,
        hint: Option<&'static str>,
        outcome: Signal<Option<FormOutcome>>,
        initial: Option<String>,
    ) -> Self {
        let errors = Memo::new(move |_| form_errors(outcome.get()));
        Self {
            name,
            hint,
            message: Signal::derive(move || {
                errors.with(|f| f.as_ref().and_then(|f| f.message_for(name).map(str::to_owned)))
            }),
            // What was typed, after a failed submission; else the starting value.
            value: Signal::derive(move || {
                errors
                    .with(|f| f.as_ref().map(|f| f.value_of(name).map(str::to_owned)))
                    .unwrap_or_else(|| initial.clone())
            }),
        }
    }

    fn has_error(self) -> bool {
        self.message.with(Option::is_some)
    }

    fn described_by(self) -> Option<String> {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.has_error() {
            ids.push(format!("{}-error", self.name));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The form group around a control: label, hint and error message.
#[component]
fn FormGroup(field: Field, label: &'static str, children: Children) -> impl IntoView {
    let name = field.name;
    view! {
        <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || field.has_error()>
            <label class="nhsuk-label" for=name>{label}</label>
            {field.hint.map(|h| view! { <div class="nhsuk-hint" id=format!("{name}-hint")>{h}</div> })}
            {move || field.message.get().map(|m| view! {
                <span class="nhsuk-error-message" id=format!("{name}-error")>
                    <span class="nhsuk-u-visually-hidden">"Error: "</span>{m}
                </span>
            })}
            {children()}
        </div>
    }
}

/// A labelled text input with its hint and error message.
#[component]
pub fn TextInput(
    /// The field's name, also its id and the error summary's link target.
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] outcome: Signal<Option<FormOutcome>>,
    /// An NHS input width class suffix, e.g. "10" for `nhsuk-input--width-10`.
    #[prop(optional)]
    width: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// `text` unless given: `email`, `password`. A password is never written back into the page.
    #[prop(optional)]
    input_type: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// The value the field starts with (an edit form's current value).
    #[prop(optional, into)]
    initial: Option<String>,
) -> impl IntoView {
    let input_type = input_type.unwrap_or("text");
    let secret = input_type == "password";
    let field = Field::new(name, hint, outcome, if secret { None } else { initial });
    let class = move || {
        let mut c = String::from("nhsuk-input");
        if let Some(w) = width {
            c.push_str(" nhsuk-input--width-");
            c.push_str(w);
        }
        if field.has_error() {
            c.push_str(" nhsuk-input--error");
        }
        c
    };
    view! {
        <FormGroup field label>
            <input
                class=class
                id=name
                name=name
                type=input_type
                inputmode=inputmode
                autocomplete=autocomplete
                spellcheck=(input_type == "email").then_some("false")
                aria-describedby=move || field.described_by()
                value=move || if secret { None } else { field.value.get() }
            />
        </FormGroup>
    }
}

/// A labelled select with its error message. `options` are (value, label) pairs.
#[component]
pub fn Select(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] outcome: Signal<Option<FormOutcome>>,
    options: Vec<(String, String)>,
    /// The value selected to begin with (an edit form's current value).
    #[prop(optional, into)]
    initial: Option<String>,
) -> impl IntoView {
    let field = Field::new(name, hint, outcome, initial);
    view! {
        <FormGroup field label>
            <select
                class="nhsuk-select"
                class:nhsuk-select--error=move || field.has_error()
                id=name
                name=name
                aria-describedby=move || field.described_by()
            >
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let v = value.clone();
                        let selected = move || field.value.with(|s| s.as_deref() == Some(v.as_str()));
                        view! { <option value=value selected=selected>{text}</option> }
                    })
                    .collect::<Vec<_>>()}
            </select>
        </FormGroup>
    }
}

/// A labelled multi-line text box with its hint and error message.
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] outcome: Signal<Option<FormOutcome>>,
    #[prop(optional)] rows: Option<u32>,
    #[prop(optional, into)] initial: Option<String>,
) -> impl IntoView {
    let field = Field::new(name, hint, outcome, initial);
    view! {
        <FormGroup field label>
            <textarea
                class="nhsuk-textarea"
                class:nhsuk-textarea--error=move || field.has_error()
                id=name
                name=name
                rows=rows.unwrap_or(5)
                aria-describedby=move || field.described_by()
                prop:value=move || field.value.get().unwrap_or_default()
            >
                {field.value.get_untracked().unwrap_or_default()}
            </textarea>
        </FormGroup>
    }
}

/// A group of checkboxes posted as `{name}[]`, one value per ticked box; its typed value (and
/// `initial`) is the ticked values joined with commas, as the services take them.
#[component]
pub fn Checkboxes(
    name: &'static str,
    legend: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] outcome: Signal<Option<FormOutcome>>,
    options: Vec<(String, String)>,
    #[prop(optional, into)] initial: Option<String>,
) -> impl IntoView {
    let field = Field::new(name, hint, outcome, initial);
    let ticked = move |v: &str| field.value.with(|s| s.as_deref().unwrap_or("").split(',').any(|x| x == v));
    view! {
        <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || field.has_error()>
            <fieldset class="nhsuk-fieldset" aria-describedby=move || field.described_by()>
                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
                {hint.map(|h| view! { <div class="nhsuk-hint" id=format!("{name}-hint")>{h}</div> })}
                {move || field.message.get().map(|m| view! {
                    <span class="nhsuk-error-message" id=format!("{name}-error")>
                        <span class="nhsuk-u-visually-hidden">"Error: "</span>{m}
                    </span>
                })}
                <div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes" id=name>
                    {options
                        .into_iter()
                        .enumerate()
                        .map(|(i, (value, text))| {
                            let id = format!("{name}-{i}");
                            let v = value.clone();
                            view! {
                                <div class="nhsuk-checkboxes__item">
                                    <input class="nhsuk-checkboxes__input" id=id.clone() name=format!("{name}[]") type="checkbox"
                                        value=value checked=move || ticked(&v) />
                                    <label class="nhsuk-label nhsuk-checkboxes__label" for=id>{text}</label>
                                </div>
                            }
                        })
                        .collect::<Vec<_>>()}
                </div>
            </fieldset>
        </div>
    }
}
