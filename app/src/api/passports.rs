//! The digital staff passport: issuing, reissuing and revoking (the home trust's HR), seeing
//! it and its history (the holder, and that HR), and rotating a trust's issuer key. Every
//! function asks `access` through its service; every read of passport data is audited there.

use crate::domain::PassportForm;
use crate::error::AppError;
use crate::views::passports::*;
use leptos::server;

/// The signed-in person's own passport with its values (`None` until HR issues one). Reading
/// the values is written to its history.
#[server(endpoint = "passports/mine")]
pub async fn my_passport() -> Result<Option<HolderPassport>, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| {
        passports::mine(txn, actor, state.kek()?, &state.public_url).await
    })
    .await;
    respond::finish(result)
}

/// The holder confirms that the items of their passport `passport` are right.
#[server(endpoint = "passports/confirm")]
pub async fn confirm_passport(passport: i32) -> Result<String, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| passports::confirm(txn, actor, passport).await).await;
    respond::finish_form(&state, CONFIRM_PASSPORT_FORM, result).await
}

/// The holder reports what is wrong with their passport `passport`, for their HR.
#[server(endpoint = "passports/report-problem")]
pub async fn report_passport_problem(passport: i32, problem: String) -> Result<String, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| {
        passports::report_problem(txn, actor, &state.public_url, passport, &problem).await
    })
    .await;
    if result.is_ok() {
        state.outbox_wake.notify_one();
    }
    respond::finish_form(&state, PASSPORT_PROBLEM_FORM, result).await
}

/// Checks a pasted passport credential (the SD-JWT, or the JSON file the download gives)
/// against this service's own trusts: anyone may, signed in or not.
#[server(endpoint = "passports/verify")]
pub async fn verify_passport(credential: String) -> Result<VerificationReport, AppError> {
    use crate::server::{respond, services::verification};
    let (state, ctx) = respond::request()?;
    let throttled = crate::server::rate_limit::anonymous_passport_read(&state, &ctx).err();
    let result = match throttled {
        Some(seconds) => Err(verification::throttled(&credential, seconds)),
        None => verification::verify(&state, &ctx, &credential).await,
    };
    let finished = respond::finish_form_as(&state, VERIFY_PASSPORT_FORM, result).await;
    if let Some(seconds) = throttled {
        respond::too_many_requests(seconds);
    }
    finished
}

/// Records the checks HR entered for `holder` and issues them a passport holding `items`
/// (replacing their current one, if any).
#[server(endpoint = "passports/issue")]
pub async fn issue_passport(holder: i32, items: PassportForm) -> Result<PassportSummary, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| {
        passports::issue(txn, actor, state.kek()?, &state.public_url, holder, &items).await
    })
    .await;
    // With JavaScript on, the form's island loads the page again: keep the summary for its banner.
    if let Ok(summary) = &result
        && let Ok(json) = serde_json::to_string(summary)
    {
        respond::carry_notice(&state, ISSUE_PASSPORT_FORM, &Ok(json)).await?;
    }
    respond::finish_form_as(&state, ISSUE_PASSPORT_FORM, result).await
}

/// Revokes passport `id` with a reason.
#[server(endpoint = "passports/revoke")]
pub async fn revoke_passport(id: i32, reason: String) -> Result<String, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| passports::revoke(txn, actor, id, &reason).await)
        .await
        .map(|()| "Passport revoked".to_owned());
    respond::finish_form(&state, REVOKE_PASSPORT_FORM, result).await
}

/// HR's record of `holder`'s passport (reading its values is written to its history).
#[server(endpoint = "passports/record")]
pub async fn get_passport_record(holder: i32) -> Result<PassportRecord, AppError> {
    use crate::server::{respond, services::passport_records};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| {
        passport_records::record(txn, actor, state.kek()?, &state.public_url, holder).await
    })
    .await;
    respond::finish(result)
}

/// The passport queue of trust `trust` (an ODS code), for its HR.
#[server(endpoint = "passports/queue")]
pub async fn get_passport_queue(trust: String) -> Result<PassportQueue, AppError> {
    use crate::server::{respond, services::passport_records};
    let (state, ctx) = respond::request()?;
    let result =
        respond::write(&state, &ctx, async |txn, actor| passport_records::queue(txn, actor, &trust).await).await;
    respond::finish(result)
}

/// The current passport of `holder`, if they have one.
#[server(endpoint = "passports/current")]
pub async fn current_passport(holder: i32) -> Result<Option<PassportSummary>, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| passports::current(&state.db, actor, &state.public_url, holder).await).await
}

/// Every issue, reissue, revocation and read of `holder`'s passport, newest first.
#[server(endpoint = "passports/history")]
pub async fn passport_history(holder: i32) -> Result<Vec<PassportEvent>, AppError> {
    use crate::server::{respond, services::passports};
    let (state, ctx) = respond::request()?;
    respond::read(&ctx, async |actor| passports::history(&state.db, actor, holder).await).await
}

/// Starts signing `trust`'s passports with a new key; the old one stays published while
/// passports it signed are valid. Succeeds with the new key's `kid`.
#[server(endpoint = "passports/rotate-key")]
pub async fn rotate_issuer_key(trust: String) -> Result<String, AppError> {
    use crate::server::{respond, services::issuer};
    let (state, ctx) = respond::request()?;
    let result = match state.kek() {
        Ok(kek) => respond::write(&state, &ctx, async |txn, actor| issuer::rotate(txn, actor, kek, &trust).await).await,
        Err(e) => Err(e),
    };
    respond::finish(result)
}

/// The emergency path: retires `trust`'s signing key at once (no longer published), revokes
/// every passport it signed and reissues the valid ones under a new key, telling the holders
/// and the trust's HR. Succeeds with the new key's `kid`.
#[server(endpoint = "passports/retire-key")]
pub async fn retire_issuer_key(trust: String, reason: String) -> Result<String, AppError> {
    use crate::server::{respond, services::key_retirement};
    let (state, ctx) = respond::request()?;
    let result = respond::write(&state, &ctx, async |txn, actor| {
        key_retirement::retire(txn, actor, state.kek()?, &state.public_url, &trust, &reason).await
    })
    .await;
    if result.is_ok() {
        state.outbox_wake.notify_one();
    }
    respond::finish(result.map(|done| done.new_kid))
}
