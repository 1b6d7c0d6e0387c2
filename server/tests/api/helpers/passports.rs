//! The passport as HR, its holder and anyone checking one use it: recording the checks (which
//! issues the passport), the photo, revoking, the issuer's keys, the holder's review and
//! download, and verification. Each endpoint is written here once.

use super::TestApp;
use reqwest::header;

impl TestApp {
    /// Posts HR's checks form for `holder` (JavaScript on): what issues (or reissues) a passport.
    pub async fn record_checks(
        &self,
        client: &reqwest::Client,
        holder: i32,
        fields: &[(String, String)],
    ) -> reqwest::Response {
        let holder = holder.to_string();
        self.call(client, "passports/issue", &checks_form(&holder, fields)).await
    }

    /// Posts HR's checks form for `holder` with JavaScript off, from the page at `from`.
    pub async fn record_checks_without_js(
        &self,
        client: &reqwest::Client,
        from: &str,
        holder: i32,
        fields: &[(String, String)],
    ) -> reqwest::Response {
        let holder = holder.to_string();
        self.post_form(client, "passports/issue", from, &checks_form(&holder, fields)).await
    }

    /// Uploads `bytes` as the photo of `holder`, as the page's multipart form does; `html`
    /// says whether as a browser (JavaScript or not, the form is a plain post) or a program.
    pub(crate) async fn upload_photo(
        &self,
        client: &reqwest::Client,
        holder: i32,
        bytes: &[u8],
        html: bool,
    ) -> reqwest::Response {
        let boundary = "----pp-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"me.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        client
            .post(self.url(&format!("/people/{holder}/passport/photo")))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::ACCEPT, if html { "text/html" } else { "application/json" })
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// Revokes the passport with id `id`, saying why.
    pub async fn revoke_passport(&self, client: &reqwest::Client, id: &str, reason: &str) -> reqwest::Response {
        self.call(client, "passports/revoke", &[("id", id), ("reason", reason)]).await
    }

    /// Reads the history of `holder`'s passports.
    pub async fn passport_history(&self, client: &reqwest::Client, holder: &str) -> reqwest::Response {
        self.call(client, "passports/history", &[("holder", holder)]).await
    }

    /// Reads the summary of `holder`'s current passport.
    pub async fn current_passport(&self, client: &reqwest::Client, holder: &str) -> reqwest::Response {
        self.call(client, "passports/current", &[("holder", holder)]).await
    }

    /// Opens HR's record of `holder`'s checks.
    pub async fn passport_record(&self, client: &reqwest::Client, holder: &str) -> reqwest::Response {
        self.call(client, "passports/record", &[("holder", holder)]).await
    }

    /// Opens HR's queue of the passports at `trust` that need them.
    pub async fn passport_queue(&self, client: &reqwest::Client, trust: &str) -> reqwest::Response {
        self.call(client, "passports/queue", &[("trust", trust)]).await
    }

    /// Opens the caller's own passport.
    pub async fn my_passport(&self, client: &reqwest::Client) -> reqwest::Response {
        self.call(client, "passports/mine", &[]).await
    }

    /// Makes a new signing key for `trust` (the old one keeps verifying what it signed).
    pub async fn rotate_issuer_key(&self, client: &reqwest::Client, trust: &str) -> reqwest::Response {
        self.call(client, "passports/rotate-key", &[("trust", trust)]).await
    }

    /// Retires `trust`'s signing key at once (a key feared lost), saying why.
    pub async fn retire_issuer_key(&self, client: &reqwest::Client, trust: &str, reason: &str) -> reqwest::Response {
        self.call(client, "passports/retire-key", &[("trust", trust), ("reason", reason)]).await
    }

    /// The holder confirms the items of the passport with id `passport` are right.
    pub async fn confirm_passport(&self, client: &reqwest::Client, passport: &str) -> reqwest::Response {
        self.call(client, "passports/confirm", &[("passport", passport)]).await
    }

    /// Confirms with JavaScript off, from the page at `from`.
    pub async fn confirm_passport_without_js(
        &self,
        client: &reqwest::Client,
        from: &str,
        passport: &str,
    ) -> reqwest::Response {
        self.post_form(client, "passports/confirm", from, &[("passport", passport)]).await
    }

    /// The holder reports what is wrong with the passport with id `passport`.
    pub async fn report_passport_problem(
        &self,
        client: &reqwest::Client,
        passport: &str,
        problem: &str,
    ) -> reqwest::Response {
        self.call(client, "passports/report-problem", &[("passport", passport), ("problem", problem)]).await
    }

    /// Reports a problem with JavaScript off, from the page at `from`.
    pub async fn report_passport_problem_without_js(
        &self,
        client: &reqwest::Client,
        from: &str,
        passport: &str,
        problem: &str,
    ) -> reqwest::Response {
        self.post_form(client, "passports/report-problem", from, &[("passport", passport), ("problem", problem)]).await
    }

    /// Checks a pasted `credential` on the verification page's server function.
    pub async fn verify_passport(&self, client: &reqwest::Client, credential: &str) -> reqwest::Response {
        self.call(client, "passports/verify", &[("credential", credential)]).await
    }

    /// Checks a pasted `credential` with JavaScript off, from the page at `from`.
    pub async fn verify_passport_without_js(
        &self,
        client: &reqwest::Client,
        from: &str,
        credential: &str,
    ) -> reqwest::Response {
        self.post_form(client, "passports/verify", from, &[("credential", credential)]).await
    }

    /// Downloads the caller's own passport (the SD-JWT VC itself).
    pub async fn download_passport(&self, client: &reqwest::Client) -> reqwest::Response {
        client.get(self.url("/passport/download")).send().await.expect("GET")
    }

    /// Downloads the caller's own passport as a JSON file.
    pub async fn download_passport_json(&self, client: &reqwest::Client) -> reqwest::Response {
        client.get(self.url("/passport/download.json")).send().await.expect("GET")
    }
}

/// HR's checks form as posted: the holder, then the items.
fn checks_form<'a>(holder: &'a str, fields: &'a [(String, String)]) -> Vec<(&'a str, &'a str)> {
    let mut form: Vec<(&str, &str)> = vec![("holder", holder)];
    form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    form
}
