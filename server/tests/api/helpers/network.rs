//! The network's administration as a project manager does it: trusts, sites, teams, pathways,
//! and the audit log. Each endpoint is written here once.

use super::TestApp;

/// The add-team form's fields.
pub struct TeamForm<'a> {
    pub trust: &'a str,
    pub name: &'a str,
    pub site: &'a str,
    pub min_cover: &'a str,
}

impl TeamForm<'_> {
    fn fields(&self) -> [(&str, &str); 4] {
        [("trust", self.trust), ("name", self.name), ("site", self.site), ("min_cover", self.min_cover)]
    }
}

impl TestApp {
    /// Adds a trust to the alliance.
    pub async fn add_trust(&self, client: &reqwest::Client, ods: &str, name: &str, contact: &str) -> reqwest::Response {
        self.call(client, "network/add-trust", &[("ods", ods), ("name", name), ("contact_email", contact)]).await
    }

    /// Changes a trust's name and contact address.
    pub async fn edit_trust(
        &self,
        client: &reqwest::Client,
        ods: &str,
        name: &str,
        contact: &str,
    ) -> reqwest::Response {
        self.call(client, "network/edit-trust", &[("ods", ods), ("name", name), ("contact_email", contact)]).await
    }

    /// Adds a site to a trust.
    pub async fn add_site(&self, client: &reqwest::Client, trust: &str, site_name: &str) -> reqwest::Response {
        self.call(client, "network/add-site", &[("trust", trust), ("site_name", site_name)]).await
    }

    /// Renames the site with id `site`.
    pub async fn rename_site(&self, client: &reqwest::Client, site: &str, new_name: &str) -> reqwest::Response {
        self.call(client, "network/rename-site", &[("site", site), ("new_name", new_name)]).await
    }

    /// Submits the add-team form from `client` (JavaScript on).
    pub async fn add_team(&self, client: &reqwest::Client, form: TeamForm<'_>) -> reqwest::Response {
        self.call(client, "network/add-team", &form.fields()).await
    }

    /// Submits the add-team form as the hydrated app does (JavaScript on), from the main browser.
    pub async fn add_team_with_js(&self, form: TeamForm<'_>) -> reqwest::Response {
        self.add_team(&self.client, form).await
    }

    /// Submits the add-team form as a browser with JavaScript off does, from the trust's page.
    pub async fn add_team_without_js(&self, form: TeamForm<'_>) -> reqwest::Response {
        self.post_form(&self.client, "network/add-team", &format!("/trusts/{}", form.trust), &form.fields()).await
    }

    /// Submits the edit form of the team with id `id`.
    pub async fn edit_team(&self, client: &reqwest::Client, id: &str, form: TeamForm<'_>) -> reqwest::Response {
        let mut fields = vec![("id", id)];
        fields.extend(form.fields());
        self.call(client, "network/edit-team", &fields).await
    }

    /// Opens the edit form's data of the team with id `id`.
    pub async fn view_team(&self, client: &reqwest::Client, id: &str) -> reqwest::Response {
        self.call(client, "network/team", &[("id", id)]).await
    }

    /// Adds a pathway with `status` (a code such as `joining`).
    pub async fn add_pathway(&self, client: &reqwest::Client, name: &str, status: &str) -> reqwest::Response {
        self.call(client, "network/add-pathway", &[("name", name), ("status", status)]).await
    }

    /// Changes the status of the pathway `slug`.
    pub async fn set_pathway_status(&self, client: &reqwest::Client, slug: &str, status: &str) -> reqwest::Response {
        self.call(client, "network/pathway-status", &[("slug", slug), ("status", status)]).await
    }

    /// Renames the pathway `slug`.
    pub async fn rename_pathway(&self, client: &reqwest::Client, slug: &str, new_name: &str) -> reqwest::Response {
        self.call(client, "network/rename-pathway", &[("slug", slug), ("new_name", new_name)]).await
    }

    /// Reads the most recent entries of the audit log.
    pub async fn view_audit_log(&self, client: &reqwest::Client) -> reqwest::Response {
        self.call(client, "audit/recent", &[]).await
    }
}
