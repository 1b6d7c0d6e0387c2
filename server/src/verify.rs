//! `server verify <file> [--issuer-base URL]`: checks a passport file the way any verifier
//! would, over HTTP only: the issuer's metadata and keys from its `/.well-known/jwt-vc-issuer`
//! address, the status list token from the credential's `status` URI, then the credential itself
//! with the credential crate. Every check is reported by name.
//!
//! `--issuer-base` fetches from another origin than the one the credential names (say, a copy of
//! the service on a laptop) while still requiring the credential's own issuer identifier.

use credential::{JwkSet, StatusListVerifyOptions, VerifyOptions, verify, verify_status_list_token};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Largest document fetched (issuer metadata or status list token).
const MAX_FETCH_BYTES: usize = 1024 * 1024;

/// One named check and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Result<String, String>,
}

/// Everything `verify` found: the checks in order (stopping at the first failure) and, if all
/// passed, the disclosed items.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
    pub claims: BTreeMap<String, Value>,
}

impl Report {
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.outcome.is_ok())
    }

    fn ok(&mut self, name: &'static str, detail: impl Into<String>) {
        self.checks.push(Check { name, outcome: Ok(detail.into()) });
    }

    fn fail(mut self, name: &'static str, detail: impl Into<String>) -> Self {
        self.checks.push(Check { name, outcome: Err(detail.into()) });
        self
    }

    /// The report as the command prints it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for c in &self.checks {
            match &c.outcome {
                Ok(d) => out.push_str(&format!("PASS  {}: {d}\n", c.name)),
                Err(d) => out.push_str(&format!("FAIL  {}: {d}\n", c.name)),
            }
        }
        if self.passed() {
            out.push_str("\nDisclosed items:\n");
            for (name, value) in &self.claims {
                let shown = value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
                out.push_str(&format!("  {name}: {shown}\n"));
            }
            out.push_str("\nVERIFIED\n");
        } else {
            out.push_str("\nNOT VERIFIED\n");
        }
        out
    }
}

/// The credential in a downloaded file: the raw SD-JWT, or the JSON download's `credential`.
pub fn credential_from_file(text: &str) -> Option<String> {
    let text = text.trim();
    if text.starts_with('{') {
        let doc: Value = serde_json::from_str(text).ok()?;
        return doc.get("credential")?.as_str().map(str::to_owned);
    }
    Some(text.to_owned())
}

/// The issuer-signed payload, unverified: only to learn where to fetch keys and status from.
fn unverified_payload(credential: &str) -> Option<Map<String, Value>> {
    let jwt = credential.split('~').next()?;
    let payload = jwt.split('.').nth(1)?;
    let bytes = credential::jose::b64url_decode(payload)?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Splits `https://host:port/path` into the origin and the path.
fn split_url(url: &str) -> Option<(&str, &str)> {
    let scheme_end = url.find("://")? + 3;
    let path_start = url.get(scheme_end..)?.find('/').map(|i| i + scheme_end).unwrap_or(url.len());
    Some((url.get(..path_start)?, url.get(path_start..)?))
}

/// Where the SD-JWT VC issuer metadata of `iss` lives (`/.well-known/jwt-vc-issuer` inserted
/// between the origin and the path), fetched from `base` instead of `iss`'s origin if given.
pub fn metadata_url(iss: &str, base: Option<&str>) -> Option<String> {
    let (origin, path) = split_url(iss)?;
    let origin = base.map(|b| b.trim_end_matches('/')).unwrap_or(origin);
    Some(format!("{origin}/.well-known/jwt-vc-issuer{path}"))
}

/// `url`, fetched from `base` instead of its own origin if given.
fn rebase(url: &str, base: Option<&str>) -> Option<String> {
    let (origin, path) = split_url(url)?;
    Some(format!("{}{path}", base.map(|b| b.trim_end_matches('/')).unwrap_or(origin)))
}

async fn fetch(client: &reqwest::Client, url: &str, accept: &str) -> Result<String, String> {
    let res =
        client.get(url).header(reqwest::header::ACCEPT, accept).send().await.map_err(|e| format!("{url}: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("{url}: HTTP {}", res.status()));
    }
    let body = res.bytes().await.map_err(|e| format!("{url}: {e}"))?;
    if body.len() > MAX_FETCH_BYTES {
        return Err(format!("{url}: response over {MAX_FETCH_BYTES} bytes"));
    }
    String::from_utf8(body.to_vec()).map_err(|_| format!("{url}: not UTF-8"))
}

/// Verifies `credential` against what its issuer publishes over HTTP, at time `now`.
pub async fn verify_credential(credential: &str, issuer_base: Option<&str>, now: i64) -> Report {
    let mut report = Report::default();
    let Some(payload) = unverified_payload(credential) else {
        return report.fail("credential format", "not an SD-JWT (no readable issuer-signed JWT)");
    };
    let Some(iss) = payload.get("iss").and_then(Value::as_str).map(str::to_owned) else {
        return report.fail("credential format", "no iss claim");
    };
    report.ok("credential format", format!("SD-JWT issued by {iss}"));
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(15)).build() {
        Ok(c) => c,
        Err(e) => return report.fail("HTTP client", e.to_string()),
    };

    let Some(url) = metadata_url(&iss, issuer_base) else {
        return report.fail("issuer metadata", format!("issuer {iss:?} is not an http(s) URL"));
    };
    let metadata: Value = match fetch(&client, &url, "application/json")
        .await
        .and_then(|body| serde_json::from_str(&body).map_err(|_| format!("{url}: not JSON")))
    {
        Ok(m) => m,
        Err(e) => return report.fail("issuer metadata", e),
    };
    if metadata.get("issuer").and_then(Value::as_str) != Some(iss.as_str()) {
        return report.fail("issuer metadata", format!("{url} names another issuer than {iss}"));
    }
    let keys = match metadata.get("jwks").map(|j| JwkSet::from_json(&j.to_string())) {
        Some(Ok(keys)) if !keys.is_empty() => keys,
        Some(Ok(_)) => return report.fail("issuer metadata", "the issuer publishes no keys"),
        Some(Err(e)) => return report.fail("issuer metadata", e.to_string()),
        None => return report.fail("issuer metadata", "no jwks"),
    };
    report.ok("issuer metadata", format!("{url}: {} key(s)", keys.len()));

    let status_uri = payload
        .get("status")
        .and_then(|s| s.get("status_list"))
        .and_then(|s| s.get("uri"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let Some(status_uri) = status_uri else {
        return report.fail("status list", "the credential has no status reference");
    };
    let Some(status_url) = rebase(&status_uri, issuer_base) else {
        return report.fail("status list", format!("status URI {status_uri:?} is not an http(s) URL"));
    };
    let token = match fetch(&client, &status_url, "application/statuslist+jwt").await {
        Ok(t) => t,
        Err(e) => return report.fail("status list", e),
    };
    let list = match verify_status_list_token(token.trim(), &keys, &status_uri, &StatusListVerifyOptions::new(now)) {
        Ok(list) => list,
        Err(e) => return report.fail("status list", format!("{} ({})", e, e.check())),
    };
    report.ok("status list", format!("{status_url}: signed by {}, {} entries", list.kid, list.list.len()));

    let mut options = VerifyOptions::new(now);
    options.expected_issuer = Some(&iss);
    options.status = Some(list.as_check());
    match verify(credential, &keys, &options) {
        Ok(verified) => {
            report.ok("signature", format!("ES256, key {}", verified.kid));
            report.ok("validity", format!("issued {}, expires {}", verified.iat, verified.exp));
            report.ok(
                "disclosures",
                format!("{} item(s) disclosed, each matching a signed digest", verified.claims.len()),
            );
            report.ok("revocation", "not revoked");
            report.claims = verified.claims;
            report
        }
        Err(e) => report.fail(e.check(), e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_lives_under_the_well_known_path_of_the_issuers_origin() {
        assert_eq!(
            metadata_url("https://pp.nhs.uk/trusts/R0A", None).as_deref(),
            Some("https://pp.nhs.uk/.well-known/jwt-vc-issuer/trusts/R0A")
        );
        assert_eq!(
            metadata_url("https://pp.nhs.uk/trusts/R0A", Some("http://127.0.0.1:3000/")).as_deref(),
            Some("http://127.0.0.1:3000/.well-known/jwt-vc-issuer/trusts/R0A")
        );
        assert_eq!(
            rebase("https://pp.nhs.uk/trusts/R0A/status-lists/1", Some("http://l:1")).as_deref(),
            Some("http://l:1/trusts/R0A/status-lists/1")
        );
        assert_eq!(metadata_url("not a url", None), None);
    }

    #[test]
    fn a_file_holds_the_raw_credential_or_the_json_download() {
        assert_eq!(credential_from_file(" a.b.c~d~\n").as_deref(), Some("a.b.c~d~"));
        assert_eq!(credential_from_file(r#"{"format":"dc+sd-jwt","credential":"a.b.c~"}"#).as_deref(), Some("a.b.c~"));
        assert_eq!(credential_from_file(r#"{"x":1}"#), None);
    }
}
