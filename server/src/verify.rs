//! `server verify <file> [--issuer-base URL]`: checks a passport file the way any verifier
//! would, over HTTP only: the issuer's metadata and keys from its `/.well-known/jwt-vc-issuer`
//! address, the status list token from the credential's `status` URI, then the credential itself
//! with the credential crate. The report has the verification page's stages
//! ([`CheckStage`]), in order, with the same names.
//!
//! `--issuer-base` fetches from another origin than the one the credential names (say, a copy of
//! the service on a laptop) while still requiring the credential's own issuer identifier.
//! `--trust-issuer ISS` (repeatable) is the verifier's allow-list: a credential from any other
//! issuer fails the Issuer stage before anything is fetched from it. Without one, any issuer
//! that publishes keys is accepted, and the report says so.
//!
//! Every document fetched is read while streaming and abandoned past [`MAX_FETCH_BYTES`], and
//! the file past the credential crate's size limit, so a hostile issuer or file cannot make the
//! command read without bound.

use credential::{
    CheckStage, JwkSet, SdJwt, StatusListVerifyOptions, VerifiedStatusList, VerifyOptions, verify,
    verify_status_list_token,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Largest document fetched (issuer metadata or status list token).
const MAX_FETCH_BYTES: usize = 1024 * 1024;

/// How one stage went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed(String),
    Failed(String),
    /// Not reached: an earlier stage failed.
    NotChecked,
}

/// One stage of the check and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub stage: CheckStage,
    pub outcome: Outcome,
}

/// Everything `verify` found: the stages in order (up to the first failure, then every stage,
/// the ones after it not checked) and, if all passed, the disclosed items.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
    pub claims: BTreeMap<String, Value>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.checks.len() == CheckStage::ALL.len()
            && self.checks.iter().all(|c| matches!(c.outcome, Outcome::Passed(_)))
    }

    fn ok(&mut self, stage: CheckStage, detail: impl Into<String>) {
        self.checks.push(Check { stage, outcome: Outcome::Passed(detail.into()) });
    }

    /// Fails `stage`. The stages before it that were not reported passed (the credential
    /// crate checks several at once); the ones after it were not reached, unless already
    /// reported (the issuer is looked up before the crate's format checks).
    fn fail(mut self, stage: CheckStage, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut reported = std::mem::take(&mut self.checks);
        for s in CheckStage::ALL {
            let was = reported.iter().position(|c| c.stage == s).map(|i| reported.swap_remove(i).outcome);
            let outcome = match was {
                _ if s == stage => Outcome::Failed(detail.clone()),
                Some(outcome) => outcome,
                None if s < stage => Outcome::Passed(String::new()),
                None => Outcome::NotChecked,
            };
            self.checks.push(Check { stage: s, outcome });
        }
        self
    }

    /// The report as the command prints it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for c in &self.checks {
            let name = c.stage.label();
            match &c.outcome {
                Outcome::Passed(d) if d.is_empty() => out.push_str(&format!("PASS  {name}\n")),
                Outcome::Passed(d) => out.push_str(&format!("PASS  {name}: {d}\n")),
                Outcome::Failed(d) => out.push_str(&format!("FAIL  {name}: {d}\n")),
                Outcome::NotChecked => out.push_str(&format!("SKIP  {name}: not checked\n")),
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

/// GETs `url`, reading the body chunk by chunk and giving up once it passes `max` bytes.
pub async fn fetch_bounded(client: &reqwest::Client, url: &str, accept: &str, max: usize) -> Result<String, String> {
    let mut res =
        client.get(url).header(reqwest::header::ACCEPT, accept).send().await.map_err(|e| format!("{url}: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("{url}: HTTP {}", res.status()));
    }
    let too_big = || format!("{url}: response over {max} bytes, not read");
    if res.content_length().is_some_and(|len| len > max as u64) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| format!("{url}: {e}"))? {
        if body.len() + chunk.len() > max {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| format!("{url}: not UTF-8"))
}

async fn fetch(client: &reqwest::Client, url: &str, accept: &str) -> Result<String, String> {
    fetch_bounded(client, url, accept, MAX_FETCH_BYTES).await
}

/// Reads a passport file, refusing one larger than a credential can be (or its JSON download).
pub fn read_file(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let max = credential::sdjwt::DEFAULT_MAX_LEN * 2;
    let file = std::fs::File::open(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut text = String::new();
    file.take(max as u64 + 1).read_to_string(&mut text).map_err(|e| format!("reading {}: {e}", path.display()))?;
    if text.len() > max {
        return Err(format!("{} is larger than a passport can be ({} KB)", path.display(), max / 1024));
    }
    Ok(text)
}

/// Fetches the status list token at `status_uri` (from `base` if given) and verifies it with the
/// issuer's `keys`; the URL it came from and the list, or why not.
async fn status_list(
    client: &reqwest::Client,
    status_uri: &str,
    base: Option<&str>,
    keys: &JwkSet,
    now: i64,
) -> Result<(String, VerifiedStatusList), String> {
    let Some(url) = rebase(status_uri, base) else {
        return Err(format!("status URI {status_uri:?} is not an http(s) URL"));
    };
    let token = fetch(client, &url, "application/statuslist+jwt").await?;
    let list = verify_status_list_token(token.trim(), keys, status_uri, &StatusListVerifyOptions::new(now))
        .map_err(|e| format!("status list {url}: {e} ({})", e.check()))?;
    Ok((url, list))
}

/// Verifies `credential` against what its issuer publishes over HTTP, at time `now`. With a
/// non-empty `trusted` list, only those issuers are accepted.
pub async fn verify_credential(credential: &str, issuer_base: Option<&str>, trusted: &[String], now: i64) -> Report {
    let mut report = Report::default();
    // Parsed, not verified: the payload only says where to fetch the keys and status list from.
    let parsed = match SdJwt::parse(credential) {
        Ok(parsed) => parsed,
        Err(e) => return report.fail(CheckStage::Format, format!("not an SD-JWT: {e} ({})", e.check())),
    };
    report.ok(CheckStage::Format, format!("an SD-JWT with {} disclosure(s)", parsed.disclosures().len()));
    let payload = parsed.payload();

    let Some(iss) = payload.get("iss").and_then(Value::as_str) else {
        return report.fail(CheckStage::Issuer, "the credential does not name its issuer (no iss)");
    };
    if !trusted.is_empty() && !trusted.iter().any(|t| t == iss) {
        return report.fail(
            CheckStage::Issuer,
            format!(
                "{iss} is not one of the issuers you trust (--trust-issuer {}): not checked further",
                trusted.join(", ")
            ),
        );
    }
    let trust_note = if trusted.is_empty() {
        " (no --trust-issuer given: any issuer that publishes keys is accepted)"
    } else {
        " (on your --trust-issuer list)"
    };
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(15)).build() {
        Ok(c) => c,
        Err(e) => return report.fail(CheckStage::Issuer, format!("HTTP client: {e}")),
    };
    let Some(url) = metadata_url(iss, issuer_base) else {
        return report.fail(CheckStage::Issuer, format!("issuer {iss:?} is not an http(s) URL"));
    };
    let metadata: Value = match fetch(&client, &url, "application/json")
        .await
        .and_then(|body| serde_json::from_str(&body).map_err(|_| format!("{url}: not JSON")))
    {
        Ok(m) => m,
        Err(e) => return report.fail(CheckStage::Issuer, e),
    };
    if metadata.get("issuer").and_then(Value::as_str) != Some(iss) {
        return report.fail(CheckStage::Issuer, format!("{url} names another issuer than {iss}"));
    }
    let keys = match metadata.get("jwks").map(|j| JwkSet::from_json(&j.to_string())) {
        Some(Ok(keys)) if !keys.is_empty() => keys,
        Some(Ok(_)) => return report.fail(CheckStage::Issuer, format!("{url}: the issuer publishes no keys")),
        Some(Err(e)) => return report.fail(CheckStage::Issuer, format!("{url}: {e}")),
        None => return report.fail(CheckStage::Issuer, format!("{url}: no jwks")),
    };
    report.ok(CheckStage::Issuer, format!("{iss}, {} key(s) published at {url}{trust_note}", keys.len()));

    // Fetched now, to check the credential against; reported under Revocation, the last stage.
    let status_uri =
        payload.get("status").and_then(|s| s.get("status_list")).and_then(|s| s.get("uri")).and_then(Value::as_str);
    let list = match status_uri {
        Some(uri) => status_list(&client, uri, issuer_base, &keys, now).await,
        None => Err("the credential has no status reference".to_owned()),
    };

    let mut options = VerifyOptions::new(now);
    options.expected_issuer = Some(iss);
    options.status = list.as_ref().ok().map(|(_, list)| list.as_check());
    let verified = match verify(credential, &keys, &options) {
        Ok(verified) => verified,
        Err(e) => return report.fail(e.stage(), format!("{e} ({})", e.check())),
    };
    report.ok(CheckStage::Algorithm, "ES256");
    report.ok(CheckStage::Key, format!("signed with the issuer's key {}", verified.kid));
    report.ok(CheckStage::Signature, "the issuer's signature is valid");
    report.ok(CheckStage::Expiry, format!("issued {}, expires {}", verified.iat, verified.exp));
    report.ok(
        CheckStage::Disclosures,
        format!("{} item(s) disclosed, each matching a signed digest", verified.claims.len()),
    );
    match list {
        Ok((url, list)) => report.ok(
            CheckStage::Revocation,
            format!("not revoked ({url}: signed by {}, {} entries)", list.kid, list.list.len()),
        ),
        Err(e) => return report.fail(CheckStage::Revocation, e),
    }
    report.claims = verified.claims;
    report
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

    fn stages(report: &Report) -> Vec<(&'static str, &str)> {
        report
            .checks
            .iter()
            .map(|c| {
                let outcome = match c.outcome {
                    Outcome::Passed(_) => "PASS",
                    Outcome::Failed(_) => "FAIL",
                    Outcome::NotChecked => "SKIP",
                };
                (c.stage.label(), outcome)
            })
            .collect()
    }

    #[test]
    fn a_failed_stage_passes_the_unreported_ones_before_it_and_skips_those_after() {
        let mut report = Report::default();
        report.ok(CheckStage::Format, "an SD-JWT");
        report.ok(CheckStage::Issuer, "keys");
        let report = report.fail(CheckStage::Signature, "invalid signature (signature)");
        assert_eq!(
            stages(&report),
            [
                ("Format", "PASS"),
                ("Issuer", "PASS"),
                ("Algorithm (alg)", "PASS"),
                ("Key (kid)", "PASS"),
                ("Signature", "FAIL"),
                ("Expiry", "SKIP"),
                ("Disclosures", "SKIP"),
                ("Revocation", "SKIP"),
            ]
        );
        assert!(!report.passed());
        let out = report.render();
        assert!(out.contains("PASS  Issuer: keys\nPASS  Algorithm (alg)\n"), "{out}");
        assert!(out.contains("FAIL  Signature: invalid signature (signature)\nSKIP  Expiry: not checked\n"), "{out}");
        assert!(out.ends_with("\nNOT VERIFIED\n"), "{out}");
    }

    #[test]
    fn a_format_failure_found_after_the_issuer_keeps_the_issuer_check() {
        let mut report = Report::default();
        report.ok(CheckStage::Format, "an SD-JWT");
        report.ok(CheckStage::Issuer, "keys");
        let report = report.fail(CheckStage::Format, "wrong typ");
        let got = stages(&report);
        assert_eq!(got.len(), CheckStage::ALL.len());
        assert_eq!(got[..3], [("Format", "FAIL"), ("Issuer", "PASS"), ("Algorithm (alg)", "SKIP")]);
    }

    #[test]
    fn every_stage_passed_is_verified_with_the_items() {
        let mut report = Report::default();
        for stage in CheckStage::ALL {
            report.ok(stage, "ok");
        }
        report.claims.insert("name".into(), Value::from("Asha Patel"));
        assert!(report.passed());
        let out = report.render();
        assert!(out.starts_with("PASS  Format: ok\n") && out.contains("PASS  Revocation: ok\n"), "{out}");
        assert!(out.contains("  name: Asha Patel\n") && out.ends_with("\nVERIFIED\n"), "{out}");
    }

    #[tokio::test]
    async fn what_does_not_parse_fails_the_format_stage_before_any_fetch() {
        let report = verify_credential("not a passport", None, &[], 0).await;
        assert_eq!(stages(&report)[..2], [("Format", "FAIL"), ("Issuer", "SKIP")]);
        assert!(report.render().contains("FAIL  Format: not an SD-JWT: malformed SD-JWT structure"));
    }
}
