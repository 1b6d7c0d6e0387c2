//! Signing in and out, passwords and emailed links, and people's administration (adding,
//! editing, roles, deactivation), as the person doing it does. Each endpoint is written here once.

use super::{DEMO_PASSWORD, TestApp};
use reqwest::StatusCode;

impl TestApp {
    /// Signs the test's main browser in as a demo account.
    pub async fn sign_in_as(&self, email: &str) {
        let res = self.sign_in_with(&self.client, email, DEMO_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "signing in as {email}");
    }

    /// Signs `client` in and returns the response.
    pub async fn sign_in_with(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        self.call(client, "auth/sign-in", &[("email", email), ("password", password)]).await
    }

    /// A new browser signed in as `email`.
    pub async fn browser_signed_in_as(&self, email: &str) -> reqwest::Client {
        let client = self.new_browser();
        let res = self.sign_in_with(&client, email, DEMO_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "signing in as {email}");
        client
    }

    /// Signs `client` in from the page at `from` with JavaScript off, with `next` (where to go
    /// after) if given.
    pub async fn sign_in_without_js(
        &self,
        client: &reqwest::Client,
        from: &str,
        email: &str,
        password: &str,
        next: Option<&str>,
    ) -> reqwest::Response {
        let mut fields = vec![("email", email), ("password", password)];
        fields.extend(next.map(|next| ("next", next)));
        self.post_form(client, "auth/sign-in", from, &fields).await
    }

    /// Signs `client` out (JavaScript on).
    pub async fn sign_out(&self, client: &reqwest::Client) -> reqwest::Response {
        self.call(client, "auth/sign-out", &[]).await
    }

    /// Signs `client` out with JavaScript off, from the page at `from`.
    pub async fn sign_out_without_js(&self, client: &reqwest::Client, from: &str) -> reqwest::Response {
        self.post_form(client, "auth/sign-out", from, &[]).await
    }

    /// Asks who `client` is signed in as.
    pub async fn who_am_i(&self, client: &reqwest::Client) -> reqwest::Response {
        self.call(client, "auth/me", &[]).await
    }

    /// Asks for a password reset link to be emailed to `email`.
    pub async fn forgot_password(&self, client: &reqwest::Client, email: &str) -> reqwest::Response {
        self.call(client, "auth/forgot-password", &[("email", email)]).await
    }

    /// Asks for a password reset with JavaScript off, from the page at `from`.
    pub async fn forgot_password_without_js(
        &self,
        client: &reqwest::Client,
        from: &str,
        email: &str,
    ) -> reqwest::Response {
        self.post_form(client, "auth/forgot-password", from, &[("email", email)]).await
    }

    /// Sets a password from an emailed link's `token` (a reset or an invitation).
    pub async fn set_password(
        &self,
        client: &reqwest::Client,
        token: &str,
        password: &str,
        confirm: &str,
    ) -> reqwest::Response {
        self.call(client, "auth/set-password", &[("token", token), ("password", password), ("confirm", confirm)]).await
    }

    /// Changes the signed-in person's password.
    pub async fn change_password(
        &self,
        client: &reqwest::Client,
        current: &str,
        password: &str,
        confirm: &str,
    ) -> reqwest::Response {
        self.call(client, "auth/change-password", &[("current", current), ("password", password), ("confirm", confirm)])
            .await
    }

    /// Adds a person (and invites them) with the add-person form's `details`.
    pub async fn add_person(&self, client: &reqwest::Client, details: &[(&str, &str)]) -> reqwest::Response {
        self.call(client, "people/add", details).await
    }

    /// Adds a person with JavaScript off, from the page at `from`.
    pub async fn add_person_without_js(
        &self,
        client: &reqwest::Client,
        from: &str,
        details: &[(&str, &str)],
    ) -> reqwest::Response {
        self.post_form(client, "people/add", from, details).await
    }

    /// Changes the details of the person with id `id` to `details` (the add-person form's fields).
    pub async fn edit_person(&self, client: &reqwest::Client, id: &str, details: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = vec![("id", id)];
        fields.extend_from_slice(details);
        self.call(client, "people/edit", &fields).await
    }

    /// Gives `person` the `role` (a code) at `trust`, for `team` if the role needs one.
    pub async fn grant_role(
        &self,
        client: &reqwest::Client,
        person: &str,
        role: &str,
        trust: &str,
        team: &str,
    ) -> reqwest::Response {
        self.call(client, "people/grant", &[("person", person), ("role", role), ("trust", trust), ("team", team)]).await
    }

    /// Takes the role grant with id `grant` away from `person`.
    pub async fn remove_grant(&self, client: &reqwest::Client, person: &str, grant: &str) -> reqwest::Response {
        self.call(client, "people/remove-grant", &[("person", person), ("grant", grant)]).await
    }

    /// Changes whether `person` may use the service: `action` is `deactivate`, `reactivate` or
    /// `resend_invitation`.
    pub async fn set_person_status(&self, client: &reqwest::Client, person: &str, action: &str) -> reqwest::Response {
        self.call(client, "people/status", &[("person", person), ("action", action)]).await
    }

    /// Deactivates `person` (signing them out everywhere).
    pub async fn deactivate(&self, client: &reqwest::Client, person: &str) -> reqwest::Response {
        self.set_person_status(client, person, "deactivate").await
    }

    /// Reactivates `person`.
    pub async fn reactivate(&self, client: &reqwest::Client, person: &str) -> reqwest::Response {
        self.set_person_status(client, person, "reactivate").await
    }

    /// Sends `person` a new invitation.
    pub async fn resend_invitation(&self, client: &reqwest::Client, person: &str) -> reqwest::Response {
        self.set_person_status(client, person, "resend_invitation").await
    }

    /// Lists the people of `trust`.
    pub async fn list_people(&self, client: &reqwest::Client, trust: &str) -> reqwest::Response {
        self.call(client, "people/list", &[("trust", trust)]).await
    }

    /// Opens the person with id `id`.
    pub async fn view_person(&self, client: &reqwest::Client, id: &str) -> reqwest::Response {
        self.call(client, "people/get", &[("id", id)]).await
    }

    /// The choices the people forms offer `client` (trusts, teams, roles).
    pub async fn people_form_choices(&self, client: &reqwest::Client) -> reqwest::Response {
        self.call(client, "people/choices", &[]).await
    }
}
