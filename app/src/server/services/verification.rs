//! Checking a pasted passport credential against this service's own trusts, as the
//! verification page does: the issuer keys of the trust the credential names (from the
//! database, never over HTTP), its status list bit, then the credential crate's checks
//! (`alg`, `kid`, signature, expiry, disclosures, revocation). Each check is reported by name.
//!
//! A credential that verifies reveals passport data, so the holder's passport history gets a
//! `verified` entry, by whoever asked (someone not signed in included).

use super::issuer::{issuer_id, published_keys, status_list_uri};
use super::passports::{Entry, items_of, log_from, when};
use crate::domain::PassportAction;
use crate::domain::PassportActorRole;
use crate::error::{AppError, FormErrors};
use crate::server::access::{Action, authorize_public};
use crate::server::entities::{passport, status_list, trust};
use crate::server::{AppState, RequestContext, db};
use crate::views::passports::{CheckOutcome, VerificationCheck, VerificationReport};
use chrono::{DateTime, Utc};
use credential::{CheckStage, JwkSet, SdJwt, StatusCheck, StatusList, VerifyError, VerifyOptions};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value};

/// The largest credential (or downloaded JSON file) accepted, as the credential crate's limit.
pub const MAX_CREDENTIAL_BYTES: usize = credential::sdjwt::DEFAULT_MAX_LEN;

/// The report built up stage by stage ([`CheckStage::ALL`], named by their labels).
struct Report {
    checks: Vec<VerificationCheck>,
    issuer: Option<String>,
}

impl Report {
    fn pass(&mut self, stage: CheckStage, detail: impl Into<String>) {
        self.checks.push(VerificationCheck {
            name: stage.label().to_owned(),
            outcome: CheckOutcome::Passed,
            detail: detail.into(),
        });
    }

    /// Fails `stage`: the ones before it that were not reported passed (the credential crate
    /// checks several at once), the ones after it were not reached unless already reported
    /// (the issuer is looked up before the crate's format checks). One row per stage, in order.
    fn fail(mut self, stage: CheckStage, detail: impl Into<String>) -> VerificationReport {
        let detail = detail.into();
        let mut reported = std::mem::take(&mut self.checks);
        for s in CheckStage::ALL {
            let row = |outcome, detail| VerificationCheck { name: s.label().to_owned(), outcome, detail };
            let was = reported.iter().position(|c| c.name == s.label()).map(|i| reported.swap_remove(i));
            self.checks.push(match was {
                _ if s == stage => row(CheckOutcome::Failed, detail.clone()),
                Some(check) => check,
                None if s < stage => row(CheckOutcome::Passed, String::new()),
                None => row(CheckOutcome::NotChecked, String::new()),
            });
        }
        VerificationReport {
            verified: false,
            checks: self.checks,
            issuer: self.issuer,
            issued_at: None,
            expires_at: None,
            items: Vec::new(),
        }
    }
}

/// The credential in what was pasted: the SD-JWT itself, or the JSON file the download gives.
/// Anything else is a message beside the field, not a verification.
fn parse_input(raw: &str) -> Result<(String, SdJwt), AppError> {
    let refuse = |message: &str| {
        // What was typed is kept for the form, unless it is too big to keep.
        let kept = if raw.len() <= MAX_CREDENTIAL_BYTES { raw } else { "" };
        let mut errors = FormErrors::with_values([("credential", kept)]);
        errors.add("credential", message);
        AppError::Validation(errors)
    };
    let text = raw.trim();
    if text.is_empty() {
        return Err(refuse("Paste the passport you want to check"));
    }
    if text.len() > MAX_CREDENTIAL_BYTES {
        return Err(refuse(&format!("The passport must be {} KB or smaller", MAX_CREDENTIAL_BYTES / 1024)));
    }
    let credential = if text.starts_with('{') {
        serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|doc| doc.get("credential").and_then(Value::as_str).map(str::to_owned))
            .ok_or_else(|| refuse("This file is not a downloaded passport: it has no credential in it"))?
    } else {
        text.to_owned()
    };
    // Parsed, not verified: its payload only says which trust and status list to check it against.
    let parsed = SdJwt::parse(&credential).map_err(|_| {
        refuse("This is not a passport credential. Paste the whole passport file: it starts with eyJ, or with { for the JSON download")
    })?;
    Ok((credential, parsed))
}

fn at(secs: i64) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0).map(when).unwrap_or_else(|| secs.to_string())
}

/// The trust of this service whose issuer identifier is `iss`.
async fn trust_of(conn: &impl ConnectionTrait, public_url: &str, iss: &str) -> Result<Option<trust::Model>, AppError> {
    let Some(ods) = iss.strip_prefix(&format!("{public_url}/trusts/")) else {
        return Ok(None);
    };
    let Ok(ods) = crate::domain::OdsCode::parse(ods) else {
        return Ok(None);
    };
    let found = super::trusts::find(conn, &ods).await?;
    Ok(found.filter(|t| issuer_id(public_url, &t.ods_code) == iss))
}

/// The status list of `trust` that `uri` names, if it is one of its lists.
async fn status_list_of(
    conn: &impl ConnectionTrait,
    public_url: &str,
    trust: &trust::Model,
    uri: &str,
) -> Result<Option<status_list::Model>, AppError> {
    let first = status_list_uri(public_url, &trust.ods_code, 0);
    let prefix = first.strip_suffix('0').unwrap_or(&first);
    let Some(n) = uri.strip_prefix(prefix).and_then(|n| n.parse::<i32>().ok()) else {
        return Ok(None);
    };
    if status_list_uri(public_url, &trust.ods_code, n) != uri {
        return Ok(None);
    }
    Ok(status_list::Entity::find()
        .filter(status_list::Column::TrustId.eq(trust.id))
        .filter(status_list::Column::ListNumber.eq(n))
        .one(conn)
        .await?)
}

fn status_uri(payload: &Map<String, Value>) -> Option<&str> {
    payload.get("status")?.get("status_list")?.get("uri")?.as_str()
}

/// The message beside the credential field when an address has checked too many.
pub fn throttled(raw: &str, seconds: i64) -> AppError {
    let mut errors = FormErrors::with_values([("credential", raw)]);
    errors.add(
        "credential",
        format!(
            "Too many passports checked from your network address. Try again in {}, or sign in",
            super::auth::wait_wording(seconds)
        ),
    );
    AppError::Validation(errors)
}

/// Checks `raw` (a pasted SD-JWT or JSON download) against this service's trusts. Bad input
/// is a validation error on the `credential` field; a credential that fails a check is a
/// report naming that check.
///
/// Anonymous on purpose, so it keeps its own shape: anyone may check a passport shown to them,
/// signed in or not, so the actor is the request's `Option` (through `authorize_public`), and
/// the address comes from the request for the history when there is no actor. Every check
/// reads; the one write (the `verified` entry) gets a short transaction of its own once all
/// passed, so no write lock is held while a credential is checked.
pub async fn verify(state: &AppState, ctx: &RequestContext, raw: &str) -> Result<VerificationReport, AppError> {
    let actor = authorize_public(ctx.actor(), &Action::VerifyPassport)?;
    let (credential, parsed) = parse_input(raw)?;
    let payload = parsed.payload();
    let mut report = Report { checks: Vec::new(), issuer: None };
    report.pass(CheckStage::Format, "an SD-JWT verifiable credential");

    let Some(iss) = payload.get("iss").and_then(Value::as_str) else {
        return Ok(report.fail(CheckStage::Issuer, "The credential does not name its issuer (no iss)"));
    };
    let Some(trust) = trust_of(&state.db, &state.public_url, iss).await? else {
        return Ok(report.fail(CheckStage::Issuer, format!("Unknown issuer: {iss} is not a trust of this service")));
    };
    report.issuer = Some(format!("{} ({})", trust.name, trust.ods_code));
    let mut keys = JwkSet::new();
    for jwk in published_keys(&state.db, trust.id).await? {
        keys.insert_jwk(&jwk).map_err(|e| db::internal("loading a published key", e))?;
    }
    report.pass(CheckStage::Issuer, format!("{} ({}), {} published key(s)", trust.name, trust.ods_code, keys.len()));

    let list = match status_uri(payload) {
        Some(uri) => status_list_of(&state.db, &state.public_url, &trust, uri).await?,
        None => None,
    };
    let bits = match &list {
        Some(list) => {
            Some(StatusList::from_bytes(list.bits.clone()).map_err(|e| db::internal("decoding a status list", e))?)
        }
        None => None,
    };
    let uri = status_uri(payload).unwrap_or_default().to_owned();
    let mut options = VerifyOptions::new(Utc::now().timestamp());
    options.max_len = MAX_CREDENTIAL_BYTES;
    options.expected_issuer = Some(iss);
    options.status = bits.as_ref().map(|list| StatusCheck { uri: &uri, list });
    let verified = match credential::verify(&credential, &keys, &options) {
        Ok(v) => v,
        Err(e) => {
            let detail = match &e {
                VerifyError::Revoked { .. } => "Revoked: the issuing trust has withdrawn this passport".to_owned(),
                other => format!("{} ({})", capitalise(&other.to_string()), other.check()),
            };
            return Ok(report.fail(e.stage(), detail));
        }
    };
    report.pass(CheckStage::Algorithm, "ES256");
    report.pass(CheckStage::Key, format!("signed with the trust's key {}", verified.kid));
    report.pass(CheckStage::Signature, "the issuer's signature is valid");
    report.pass(CheckStage::Expiry, format!("issued {}, expires {}", at(verified.iat), at(verified.exp)));
    report.pass(CheckStage::Disclosures, format!("{} item(s), each matching a signed digest", verified.claims.len()));
    // Revocation is read from this service's own status list: a credential pointing anywhere
    // else cannot be checked, so it does not verify.
    let (Some(list), Some(status)) = (&list, &verified.status) else {
        return Ok(report.fail(CheckStage::Revocation, "The credential's status list is not one this trust publishes"));
    };
    let holder = passport::Entity::find()
        .filter(passport::Column::TrustId.eq(trust.id))
        .filter(passport::Column::StatusListId.eq(list.id))
        .filter(passport::Column::StatusIndex.eq(i32::try_from(status.idx).unwrap_or(-1)))
        .one(&state.db)
        .await?;
    let Some(held) = holder else {
        return Ok(report.fail(CheckStage::Revocation, "No passport of this trust holds this status entry"));
    };
    report.pass(CheckStage::Revocation, "not revoked");

    let items = items_of(verified.claims);
    let names: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
    state
        .write(async |txn| {
            log_from(
                txn,
                actor,
                &ctx.ip,
                Entry {
                    holder_id: held.holder_id,
                    passport_id: Some(held.id),
                    role: PassportActorRole::Verifier,
                    trust_id: actor.and_then(|a| a.home_trust_id),
                    action: PassportAction::Verified,
                    items: &names,
                    reason: Some("checked on the verification page"),
                },
            )
            .await?;
            Ok(())
        })
        .await?;
    Ok(VerificationReport {
        verified: true,
        checks: report.checks,
        issuer: report.issuer,
        issued_at: Some(at(verified.iat)),
        expires_at: Some(at(verified.exp)),
        items,
    })
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_message(err: AppError) -> String {
        err.form_errors().and_then(|f| f.message_for("credential")).unwrap_or_default().to_owned()
    }

    #[test]
    fn empty_oversized_and_garbage_input_are_field_messages() {
        assert!(field_message(parse_input("  ").unwrap_err()).starts_with("Paste"));
        let big = "a".repeat(MAX_CREDENTIAL_BYTES + 1);
        let err = parse_input(&big).unwrap_err();
        assert!(field_message(err.clone()).contains("64 KB"));
        assert_eq!(err.form_errors().and_then(|f| f.value_of("credential")), Some(""), "too big to keep");
        assert!(field_message(parse_input("hello").unwrap_err()).contains("not a passport"));
        assert!(field_message(parse_input("a.b.c~").unwrap_err()).contains("not a passport"));
        assert!(field_message(parse_input(r#"{"x":1}"#).unwrap_err()).contains("no credential"));
        assert_eq!(
            parse_input("garbage").unwrap_err().form_errors().and_then(|f| f.value_of("credential")),
            Some("garbage")
        );
    }

    #[test]
    fn a_failed_check_passes_those_before_it_and_skips_those_after() {
        let mut report = Report { checks: Vec::new(), issuer: None };
        report.pass(CheckStage::Format, "ok");
        let done = report.fail(CheckStage::Signature, "bad");
        let outcomes: Vec<_> = done.checks.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
        assert_eq!(outcomes.len(), CheckStage::ALL.len());
        assert_eq!(outcomes[4], ("Signature", CheckOutcome::Failed));
        assert_eq!(outcomes[3], ("Key (kid)", CheckOutcome::Passed));
        assert_eq!(outcomes[5], ("Expiry", CheckOutcome::NotChecked));
        assert_eq!(done.failed_check().map(|c| c.name.as_str()), Some("Signature"));
    }

    #[test]
    fn a_format_failure_found_after_the_issuer_replaces_the_format_row() {
        let mut report = Report { checks: Vec::new(), issuer: None };
        report.pass(CheckStage::Format, "an SD-JWT verifiable credential");
        report.pass(CheckStage::Issuer, "Trust (R0A), 1 published key(s)");
        let done = report.fail(VerifyError::WrongTyp { expected: "dc+sd-jwt", found: None }.stage(), "Wrong typ");
        let outcomes: Vec<_> = done.checks.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
        assert_eq!(outcomes.len(), CheckStage::ALL.len(), "one row per stage");
        assert_eq!(
            outcomes[..3],
            [
                ("Format", CheckOutcome::Failed),
                ("Issuer", CheckOutcome::Passed),
                ("Algorithm (alg)", CheckOutcome::NotChecked)
            ]
        );
        assert_eq!(done.checks[1].detail, "Trust (R0A), 1 published key(s)");
    }
}
