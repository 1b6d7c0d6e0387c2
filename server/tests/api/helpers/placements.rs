//! Placements as their host trust's leads write and manage them and staff browse them, and
//! applications as the applicant, their line manager and the host decide them. Each endpoint is
//! written here once.

use super::TestApp;

impl TestApp {
    /// Creates a draft placement at `trust` from the placement form's `details`.
    pub async fn create_placement(
        &self,
        client: &reqwest::Client,
        trust: &str,
        details: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut fields = vec![("trust", trust)];
        fields.extend_from_slice(details);
        self.call(client, "placements/create", &fields).await
    }

    /// Saves the placement form's `details` over the placement with id `id`.
    pub async fn update_placement(
        &self,
        client: &reqwest::Client,
        id: &str,
        details: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut fields = vec![("id", id)];
        fields.extend_from_slice(details);
        self.call(client, "placements/update", &fields).await
    }

    /// Sends the placement with id `id` through `event` (a code such as `publish`), with a
    /// reason if given.
    pub async fn change_placement_state(
        &self,
        client: &reqwest::Client,
        id: &str,
        event: &str,
        reason: Option<&str>,
    ) -> reqwest::Response {
        let mut fields = vec![("id", id), ("event", event)];
        fields.extend(reason.map(|reason| ("reason", reason)));
        self.call(client, "placements/state", &fields).await
    }

    /// Publishes a draft placement.
    pub async fn publish(&self, client: &reqwest::Client, id: &str) -> reqwest::Response {
        self.change_placement_state(client, id, "publish", None).await
    }

    /// Closes a placement to new applications, saying why.
    pub async fn close(&self, client: &reqwest::Client, id: &str, reason: &str) -> reqwest::Response {
        self.change_placement_state(client, id, "close", Some(reason)).await
    }

    /// Reopens a closed placement.
    pub async fn reopen(&self, client: &reqwest::Client, id: &str) -> reqwest::Response {
        self.change_placement_state(client, id, "reopen", None).await
    }

    /// Cancels a placement, saying why.
    pub async fn cancel(&self, client: &reqwest::Client, id: &str, reason: &str) -> reqwest::Response {
        self.change_placement_state(client, id, "cancel", Some(reason)).await
    }

    /// Copies a placement into a new draft.
    pub async fn copy_placement(&self, client: &reqwest::Client, id: &str) -> reqwest::Response {
        self.call(client, "placements/copy", &[("id", id)]).await
    }

    /// Opens the placement with id `id`.
    pub async fn view_placement(&self, client: &reqwest::Client, id: &str) -> reqwest::Response {
        self.call(client, "placements/get", &[("id", id)]).await
    }

    /// Lists the placements of `trust`, as its page does.
    pub async fn trust_placements(&self, client: &reqwest::Client, trust: &str) -> reqwest::Response {
        self.call(client, "placements/of-trust", &[("trust", trust)]).await
    }

    /// The choices the placement form offers at `trust` (sites, pathways).
    pub async fn placement_form_choices(&self, client: &reqwest::Client, trust: &str) -> reqwest::Response {
        self.call(client, "placements/choices", &[("trust", trust)]).await
    }

    /// The edit form of the placement with id `id`, filled in.
    pub async fn placement_edit_form(&self, client: &reqwest::Client, id: &str) -> reqwest::Response {
        self.call(client, "placements/edit-form", &[("id", id)]).await
    }

    /// Browses the open placements with the filters in `query` (each `name` posted as
    /// `query[name]`).
    pub async fn browse_placements(&self, client: &reqwest::Client, query: &[(&str, &str)]) -> reqwest::Response {
        let fields: Vec<(String, &str)> = query.iter().map(|(k, v)| (format!("query[{k}]"), *v)).collect();
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        self.call(client, "placements/browse", &fields).await
    }

    /// Applies for the placement with id `placement`, with the applicant's learning `goals`.
    pub async fn apply(&self, client: &reqwest::Client, placement: &str, goals: &str) -> reqwest::Response {
        self.call(client, "applications/apply", &[("placement", placement), ("goals", goals)]).await
    }

    /// Applies with JavaScript off, from the placement's page at `from`.
    pub async fn apply_without_js(
        &self,
        client: &reqwest::Client,
        from: &str,
        placement: &str,
        goals: &str,
    ) -> reqwest::Response {
        self.post_form(client, "applications/apply", from, &[("placement", placement), ("goals", goals)]).await
    }

    /// Decides the application with id `id`: `event` is a code such as `release` or `accept`.
    pub async fn act_on_application(
        &self,
        client: &reqwest::Client,
        id: &str,
        event: &str,
        reason: &str,
    ) -> reqwest::Response {
        self.call(client, "applications/act", &[("id", id), ("event", event), ("reason", reason)]).await
    }

    /// Opens the application with id `id`.
    pub async fn view_application(&self, client: &reqwest::Client, id: &str) -> reqwest::Response {
        self.call(client, "applications/get", &[("id", id)]).await
    }
}
