//! Credentials, hardened (issue 18): stored credentials sealed under the key-encryption key,
//! status list tokens that live minutes and are cached until their list changes, the emergency
//! retirement of a trust's signing key, `server verify`'s allow-list and bounded reads, and a
//! key binding JWT that is checked wherever it is present.

use crate::helpers::{HR_R0A, MANAGER_R0A, NURSE_R0A, TEST_KEK, TestApp, field_messages, spawn_app, stored_credential};
use crate::passports::{now, verify_command};
use app::server::entities::{holder_key, issuer_key, passport, passport_check};
use app::server::keyring::KeyEncryptionKey;
use app::server::services::{credential_store, passports::holder_sealed_as};
use credential::jose::{b64url_decode, sha256_b64url, sign_compact};
use credential::{HolderKey, VerifyError};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};

fn kek() -> KeyEncryptionKey {
    KeyEncryptionKey::from_base64(TEST_KEK).unwrap()
}

/// A key binding request for a host trust's verifier.
fn request(key: &HolderKey, iat: i64) -> credential::KeyBindingRequest<'_> {
    credential::KeyBindingRequest { holder: key, aud: "https://host-trust.example", nonce: "n-0S6_WzA2Mj", iat }
}

/// The decoded payload (and header) of a compact JWT.
fn jwt_part(jwt: &str, part: usize) -> Value {
    let segment = jwt.split('.').nth(part).unwrap();
    serde_json::from_slice(&b64url_decode(segment).unwrap()).unwrap()
}

impl TestApp {
    async fn status_token(&self) -> String {
        let res = self.client.get(self.url("/trusts/R0A/status-lists/1")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap()
    }

    async fn passports_in_order(&self) -> Vec<passport::Model> {
        passport::Entity::find().order_by_asc(passport::Column::Id).all(&self.db).await.unwrap()
    }
}

#[tokio::test]
async fn stored_credentials_are_sealed_bound_to_their_passport_and_old_clear_ones_are_sealed_at_start() {
    let app = spawn_app().await;
    let (first, credential) = app.issued_passport().await;
    let row = passport::Entity::find_by_id(first).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.credential_clear, "", "nothing in clear");
    let sealed = row.credential_sealed.clone().expect("sealed");
    let jwt = credential.split('~').next().unwrap();
    assert!(!sealed.windows(16).any(|w| w == &jwt.as_bytes()[..16]), "the sealed bytes are not the credential");
    assert!(credential.starts_with("eyJ") && credential.split('~').count() > 10, "opens to the full SD-JWT");
    // The holder's download is the opened credential.
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let res = app.download_passport(&nurse).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), credential);

    // A sealed credential copied onto another passport's row does not open there.
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let res = app.issue_passport(&hr, app.person_id(MANAGER_R0A).await).await;
    let second: i32 = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap() as i32;
    let mut other = passport::Entity::find_by_id(second).one(&app.db).await.unwrap().unwrap();
    other.credential_sealed = Some(sealed.clone());
    assert!(credential_store::opened(&kek(), &other).is_err(), "bound to its own status entry");
    let wrong = KeyEncryptionKey::generate().unwrap();
    assert!(credential_store::opened(&wrong, &row).is_err(), "opens only with the configured key");

    // A passport stored in clear before sealing (as an upgraded database holds it) is sealed by
    // the start-up pass, once, and reads the same afterwards.
    let mut clear: passport::ActiveModel = row.clone().into();
    clear.credential_clear = Set(credential.clone());
    clear.credential_sealed = Set(None);
    clear.update(&app.db).await.unwrap();
    let txn = app::server::db::begin_write(&app.db).await.unwrap();
    assert_eq!(credential_store::seal_stored(&txn, &kek()).await.unwrap(), 1);
    txn.commit().await.unwrap();
    let resealed = passport::Entity::find_by_id(first).one(&app.db).await.unwrap().unwrap();
    assert_eq!(resealed.credential_clear, "");
    assert_ne!(resealed.credential_sealed, Some(sealed), "sealed afresh");
    assert_eq!(stored_credential(&resealed), credential);
    assert_eq!(credential_store::seal_stored(&app.db, &kek()).await.unwrap(), 0, "sealing twice is a no-op");
    let clear_rows =
        passport::Entity::find().filter(passport::Column::CredentialClear.ne("")).count(&app.db).await.unwrap();
    assert_eq!(clear_rows, 0);
}

#[tokio::test]
async fn a_status_list_token_lives_minutes_and_is_signed_again_only_when_the_list_or_key_changes() {
    let app = spawn_app().await;
    let (id, _) = app.issued_passport().await;
    let token = app.status_token().await;
    let payload = jwt_part(&token, 1);
    let lifetime = payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 600, "ten minutes, not a day");
    assert_eq!(payload["ttl"], 60);
    assert!((payload["iat"].as_i64().unwrap() - now()).abs() < 60);
    assert_eq!(app.status_token().await, token, "the same signed token while the list is unchanged");

    // A revocation changes the list: the next token is new and carries the bit.
    let hr = app.browser_signed_in_as(HR_R0A).await;
    let res = app.revoke_passport(&hr, &id.to_string(), "Left the trust").await;
    assert_eq!(res.status(), StatusCode::OK);
    let after = app.status_token().await;
    assert_ne!(after, token);
    let keys = app.published_keys("R0A").await;
    let uri = app.url("/trusts/R0A/status-lists/1");
    let list =
        credential::verify_status_list_token(&after, &keys, &uri, &credential::StatusListVerifyOptions::new(now()))
            .unwrap();
    let p = passport::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
    assert!(list.list.is_set(p.status_index as u64).unwrap());
    assert_eq!(app.status_token().await, after, "cached again");

    // A new key signs the next token.
    let res = app.rotate_issuer_key(&hr, "R0A").await;
    let new_kid: String = res.json().await.unwrap();
    let rotated = app.status_token().await;
    assert_eq!(jwt_part(&rotated, 0)["kid"], new_kid.as_str());
}

#[tokio::test]
async fn retiring_a_key_unpublishes_it_revokes_what_it_signed_and_reissues_under_a_new_key() {
    let app = spawn_app().await;
    let (old_id, old_credential) = app.issued_passport().await;
    let before = app.verify_over_http(&old_credential).await.expect("verifies before");
    let hr = app.browser_signed_in_as(HR_R0A).await;

    // A reason is required: a message beside the field, and nothing changes.
    let res = app.retire_issuer_key(&hr, "R0A", "  ").await;
    let messages = field_messages(res).await;
    assert_eq!(messages[0].0, "reason");
    assert!(messages[0].1.starts_with("Say why"), "{messages:?}");
    assert_eq!(issuer_key::Entity::find().count(&app.db).await.unwrap(), 1);
    assert!(app.verify_over_http(&old_credential).await.is_ok());

    let res = app.retire_issuer_key(&hr, "R0A", "Laptop with a key backup stolen").await;
    assert_eq!(res.status(), StatusCode::OK);
    let new_kid: String = res.json().await.unwrap();
    assert_ne!(new_kid, before.kid);

    // The old key is no longer published, so what it signed (or a forger signs) fails at once.
    let keys = app.published_keys("R0A").await;
    assert_eq!(keys.len(), 1);
    assert!(keys.get(&new_kid).is_some() && keys.get(&before.kid).is_none());
    assert!(matches!(app.verify_over_http(&old_credential).await, Err(VerifyError::UnknownKid(_))));
    let old_key = issuer_key::Entity::find().filter(issuer_key::Column::Kid.eq(before.kid.clone())).one(&app.db).await;
    let old_key = old_key.unwrap().unwrap();
    assert_eq!(old_key.retire_reason.as_deref(), Some("Laptop with a key backup stolen"));

    // The passport was revoked and reissued: same items, same expiry, same checks, new key.
    let all = app.passports_in_order().await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, old_id);
    assert!(all[0].revoke_reason.as_deref().unwrap().starts_with("issuer key retired: Laptop"));
    let new = &all[1];
    assert_eq!((new.holder_id, new.expires_at, new.revoked_at), (all[0].holder_id, all[0].expires_at, None));
    assert_eq!(new.kid, new_kid);
    let reissued = app.verify_over_http(&stored_credential(new)).await.expect("the reissue verifies");
    assert_eq!(reissued.claims, before.claims);
    let checks =
        |id: i32| passport_check::Entity::find().filter(passport_check::Column::PassportId.eq(id)).count(&app.db);
    assert_eq!(checks(new.id).await.unwrap(), checks(old_id).await.unwrap());
    assert!(checks(new.id).await.unwrap() > 0);

    // Audited, in the holder's history, and the holder and the trust's HR are told.
    assert!(app.audit_actions().await.contains(&"issuer_key_retired".to_owned()));
    let nurse = app.browser_signed_in_as(NURSE_R0A).await;
    let history: Value = app.passport_history(&nurse, &new.holder_id.to_string()).await.json().await.unwrap();
    assert!(history.to_string().contains("signing key was retired"), "{history}");
    let mail: Vec<(String, String)> = app.outbox().await.into_iter().map(|m| (m.kind, m.recipient)).collect();
    assert!(mail.contains(&("passport_reissued_key_retired".into(), NURSE_R0A.into())), "{mail:?}");
    assert!(mail.contains(&("issuer_key_retired".into(), HR_R0A.into())), "{mail:?}");
}

#[tokio::test]
async fn the_retire_key_command_acts_as_a_named_hr_officer_of_that_trust_only() {
    let app = spawn_app().await;
    let (_, old_credential) = app.issued_passport().await;
    let run = |by: &'static str, ods: &'static str, reason: &'static str| {
        let db = app.db.clone();
        let base = app.base.clone();
        async move { server::retire_key::run(&db, &kek(), &base, ods, by, reason).await }
    };
    let err = run(NURSE_R0A, "R0A", "Suspected compromise").await.unwrap_err().to_string();
    assert!(err.contains("is not an HR passport officer of R0A"), "{err}");
    let err = run("hr@rm3.nhs.example", "R0A", "Suspected compromise").await.unwrap_err().to_string();
    assert!(err.contains("not an HR passport officer"), "{err}");
    let err = run(HR_R0A, "R0A", "").await.unwrap_err().to_string();
    assert!(err.contains("--reason: Say why"), "{err}");
    let err = run(HR_R0A, "XYZ", "Suspected compromise").await.unwrap_err().to_string();
    assert!(err.contains("no trust with the ODS code XYZ"), "{err}");
    assert_eq!(issuer_key::Entity::find().count(&app.db).await.unwrap(), 1, "nothing changed");

    let done = run(HR_R0A, "r0a", "Key file found on a shared drive").await.unwrap();
    assert_eq!((done.trust.as_str(), done.reissued, done.revoked_expired), ("R0A", 1, 0));
    assert!(matches!(app.verify_over_http(&old_credential).await, Err(VerifyError::UnknownKid(_))));
    let newest = app.passports_in_order().await.pop().unwrap();
    assert!(app.verify_over_http(&stored_credential(&newest)).await.is_ok());
}

#[tokio::test]
async fn server_verify_takes_an_allow_list_of_issuers_and_says_plainly_when_one_is_not_on_it() {
    let app = spawn_app().await;
    let (_, credential) = app.issued_passport().await;
    let iss = app.url("/trusts/R0A");
    let (ok, out) = verify_command(&app, &credential, &["--trust-issuer", &iss]);
    assert!(ok, "{out}");
    assert!(out.contains("(on your --trust-issuer list)"), "{out}");
    let (ok, out) = verify_command(&app, &credential, &[]);
    assert!(ok && out.contains("no --trust-issuer given: any issuer that publishes keys is accepted"), "{out}");
    let other = app.url("/trusts/RM3");
    let (ok, out) = verify_command(&app, &credential, &["--trust-issuer", &other]);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("FAIL  Issuer: {iss} is not one of the issuers you trust")), "{out}");
    assert!(out.contains("SKIP  Signature: not checked") && out.ends_with("NOT VERIFIED\n"), "{out}");
    // A file larger than any passport is refused before it is read in full.
    let (ok, out) = verify_command(&app, &"a".repeat(200 * 1024), &[]);
    assert!(!ok && out.contains("is larger than a passport can be"), "{out}");
}

#[tokio::test]
async fn a_fetched_document_is_read_while_streaming_and_abandoned_past_its_bound() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A server that declares no length and streams without end.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 1024];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
                // Up to 64 MiB: far more than the bound, stopped early by the reader.
                for _ in 0..1024 {
                    if socket.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/.well-known/jwt-vc-issuer/trusts/R0A");
    let err = server::verify::fetch_bounded(&client, &url, "application/json", 1024 * 1024).await.unwrap_err();
    assert!(err.ends_with("response over 1048576 bytes, not read"), "{err}");
    // A declared length past the bound is refused before the body is read.
    let app = spawn_app().await;
    app.issued_passport().await;
    let err =
        server::verify::fetch_bounded(&client, &app.url("/trusts/R0A/status-lists/1"), "*/*", 100).await.unwrap_err();
    assert!(err.contains("response over 100 bytes"), "{err}");
    let ok = server::verify::fetch_bounded(&client, &app.url("/trusts/R0A/status-lists/1"), "*/*", 1 << 20).await;
    assert!(ok.unwrap().starts_with("eyJ"));
}

#[tokio::test]
async fn a_key_binding_jwt_that_is_present_is_checked_on_the_verification_page_though_none_is_required() {
    let app = spawn_app().await;
    let (_, credential) = app.issued_passport().await;
    let holder_id = app.person_id(NURSE_R0A).await;
    let row = holder_key::Entity::find().filter(holder_key::Column::UserId.eq(holder_id)).one(&app.db).await;
    let row = row.unwrap().unwrap();
    let pkcs8 = kek().open(&row.private_key_enc, &holder_sealed_as(holder_id, &row.kid)).unwrap();
    let holder = HolderKey::from_pkcs8_der(&pkcs8).unwrap();
    let verify = |presentation: String| {
        let app = &app;
        async move {
            let res = app.verify_passport(&app.new_browser(), &presentation).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()
        }
    };
    let failed = |report: &Value| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["outcome"] == "Failed")
            .map(|c| (c["name"].as_str().unwrap().to_owned(), c["detail"].as_str().unwrap().to_owned()))
    };
    // A good one verifies.
    let bound = credential::present(&credential, &["name"], Some(&request(&holder, now()))).unwrap();
    let report = verify(bound).await;
    assert_eq!(report["verified"], true, "{report}");
    // Signed by someone else's key: refused, naming the check.
    let body = credential::present(&credential, &["name"], None).unwrap();
    let thief = HolderKey::generate().unwrap();
    let claims = json!({"iat": now(), "aud": "https://host-trust.example", "nonce": "n", "sd_hash": sha256_b64url(body.as_bytes())});
    let forged =
        sign_compact(json!({"typ": "kb+jwt"}).as_object().unwrap(), claims.as_object().unwrap(), &thief).unwrap();
    let report = verify(format!("{body}{forged}")).await;
    assert_eq!(report["verified"], false);
    let (stage, detail) = failed(&report).unwrap();
    assert_eq!(stage, "Disclosures");
    assert!(detail.contains("(kb_signature)"), "{detail}");
    // Made for another selection of items.
    let (_, kb) = credential::present(&credential, &["name"], Some(&request(&holder, now())))
        .unwrap()
        .rsplit_once('~')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    let more = credential::present(&credential, &["name", "birthdate"], None).unwrap();
    let report = verify(format!("{more}{kb}")).await;
    assert!(failed(&report).unwrap().1.contains("(kb_sd_hash)"), "{report}");
    // Dated in the future.
    let future = credential::present(&credential, &["name"], Some(&request(&holder, now() + 3600))).unwrap();
    let report = verify(future).await;
    assert!(failed(&report).unwrap().1.contains("(kb_iat)"), "{report}");
}
