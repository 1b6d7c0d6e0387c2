//! Verifying an issued passport outside the app: the `verify` command and an independent
//! SD-JWT VC implementation, on good, tampered, forged and revoked passports; and the demo seed.

use crate::helpers::{HR_R0A, NURSE_R0A, TEST_KEK, TestApp, spawn_app};
use crate::passports::now;
use app::server::entities::passport;
use app::server::keyring::KeyEncryptionKey;
use credential::{HolderKey, IssuerKey};
use sea_orm::EntityTrait;
use std::process::Command;

/// Runs `server verify <file> --issuer-base <app>` with `extra` arguments; returns (success,
/// what it printed on stdout and stderr).
pub(crate) fn verify_command(app: &TestApp, credential: &str, extra: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("passport.sd-jwt");
    std::fs::write(&file, credential).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("verify")
        .arg(&file)
        .args(["--issuer-base", &app.base])
        .args(extra)
        .output()
        .expect("running server verify");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test]
async fn the_verify_command_checks_a_passport_file_over_http_and_names_what_failed() {
    let app = spawn_app().await;
    let (id, credential) = app.issued_passport().await;
    let (ok, out) = verify_command(&app, &credential, &[]);
    assert!(ok, "{out}");
    assert!(out.contains("PASS  Signature") && out.contains("name: Asha Patel") && out.contains("VERIFIED"), "{out}");
    // A disclosure changed after signing.
    let tampered = tamper(&credential);
    let (ok, out) = verify_command(&app, &tampered, &[]);
    assert!(!ok && out.contains("FAIL"), "{out}");
    let (ok, out) = verify_command(&app, &tamper_payload(&credential), &[]);
    assert!(!ok && out.contains("FAIL  Signature"), "{out}");
    let hr = app.browser_signed_in_as(HR_R0A).await;
    app.revoke_passport(&hr, &id.to_string(), "Left the trust").await;
    let (ok, out) = verify_command(&app, &credential, &[]);
    assert!(!ok && out.contains("revoked"), "{out}");
}

/// The credential with its signed payload changed (a later expiry), the signature kept.
pub(crate) fn tamper_payload(credential: &str) -> String {
    let (jwt, rest) = credential.split_once('~').unwrap();
    let segments: Vec<&str> = jwt.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&credential::jose::b64url_decode(segments[1]).unwrap()).unwrap();
    payload["exp"] = serde_json::json!(payload["exp"].as_i64().unwrap() + 10 * 365 * 24 * 3600);
    let forged = credential::jose::b64url_encode(payload.to_string());
    format!("{}.{forged}.{}~{rest}", segments[0], segments[2])
}

/// The credential with its first disclosure replaced by one claiming another name.
pub(crate) fn tamper(credential: &str) -> String {
    let mut parts: Vec<String> = credential.split('~').map(str::to_owned).collect();
    let forged = credential::Disclosure::new("c2FsdHNhbHRzYWx0", "name", serde_json::json!("Someone Else")).unwrap();
    parts[1] = forged.encoded().to_owned();
    parts.join("~")
}

#[tokio::test]
async fn an_independent_sd_jwt_implementation_verifies_a_passport_and_rejects_tampered_and_revoked_ones() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent");
    // Not a silent skip: without the verifier this test proves nothing, so it fails.
    assert!(
        dir.join("node_modules/@sd-jwt/sd-jwt-vc").exists(),
        "the independent verifier is not installed: run `npm ci` in server/tests/independent \
         (scripts/install-test-deps.sh does)"
    );
    let app = spawn_app().await;
    let (id, credential) = app.issued_passport().await;
    let run = |credential: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("passport.sd-jwt");
        std::fs::write(&file, credential).unwrap();
        let out = Command::new("node")
            .current_dir(&dir)
            .arg("verify.mjs")
            .arg(&app.base)
            .arg(&file)
            .output()
            .expect("running node");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.success(), format!("{stdout}{stderr}"))
    };
    let (ok, out) = run(&credential);
    assert!(ok, "a fresh passport: {out}");
    let result: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(result["claims"]["name"], "Asha Patel");
    assert_eq!(result["issuer"], app.url("/trusts/R0A"));
    // The JSON line the verifier prints: which check failed and why.
    let failed = |out: &str| -> (String, String) {
        let line: serde_json::Value = serde_json::from_str(out.lines().next().unwrap_or("")).expect(out);
        assert_eq!(line["verified"], false, "{out}");
        (line["check"].as_str().unwrap().to_owned(), line["error"].as_str().unwrap().to_owned())
    };
    let (ok, out) = run(&tamper_payload(&credential));
    assert!(!ok, "a tampered passport: {out}");
    assert_eq!(failed(&out).0, "signature", "{out}");
    // A disclosure no signed digest refers to fails the whole credential (RFC 9901 §7.1), which
    // the library would skip: the script's own check catches it, and the claim is not returned.
    let (ok, out) = run(&tamper(&credential));
    assert!(!ok, "a forged disclosure: {out}");
    assert_eq!(failed(&out), ("disclosures".into(), "disclosure 0 matches no digest the issuer signed".into()));
    assert!(!out.contains("Someone Else"), "a forged disclosure: {out}");
    // Signed by a key the issuer never published.
    let stranger = IssuerKey::generate().unwrap();
    let claims = serde_json::json!({"name": "Asha Patel"});
    let holder = HolderKey::generate().unwrap();
    let forged = credential::issue(
        &stranger,
        &credential::IssueRequest {
            issuer: &app.url("/trusts/R0A"),
            vct: app::server::services::passports::PASSPORT_VCT,
            iat: now(),
            exp: now() + 3600,
            holder: holder.public_jwk(),
            status: None,
            claims: claims.as_object().unwrap(),
            sd_count: credential::DEFAULT_SD_COUNT,
        },
    )
    .unwrap();
    let (ok, out) = run(&forged);
    assert!(!ok, "a passport signed by an unknown key: {out}");
    let (check, error) = failed(&out);
    assert_eq!(check, "signature", "{out}");
    assert!(error.starts_with("no published key has kid"), "{out}");
    let hr = app.browser_signed_in_as(HR_R0A).await;
    app.revoke_passport(&hr, &id.to_string(), "Left the trust").await;
    let (ok, out) = run(&credential);
    assert!(!ok, "a revoked passport: {out}");
    assert_eq!(failed(&out), ("status".into(), "revoked: the status list entry is 1".into()), "{out}");
}

#[tokio::test]
async fn the_demo_seed_issues_each_demo_staff_member_a_passport_once() {
    let app = spawn_app().await;
    let kek = || KeyEncryptionKey::from_base64(TEST_KEK).unwrap();
    let issued = server::seed_passports::demo_passports(&app.db, &app.base, kek()).await.unwrap();
    assert_eq!(issued, 4);
    let again = server::seed_passports::demo_passports(&app.db, &app.base, kek()).await.unwrap();
    assert_eq!(again, 0);
    let nurse = app.person_id(NURSE_R0A).await;
    let p = passport::Entity::find().all(&app.db).await.unwrap().into_iter().find(|p| p.holder_id == nurse).unwrap();
    let verified = app.verify_over_http(&crate::helpers::stored_credential(&p)).await.unwrap();
    assert_eq!(verified.claims["name"], "Asha Patel");
    assert_eq!(verified.claims["employing_trust"], "R0A");
}
