//! Single-threaded throughput of a full Placement Passport.
//!
//! `cargo run --release --example bench [seconds-per-measurement] [--from DIR]`
//!
//! Prints issuances/s, full verifications/s (issuer signature + every disclosure + status
//! lookup in an already-decoded list; with and without key binding) and the passport size.
//!
//! With `--from DIR` it also measures a passport the running app issued, with its real items:
//! `DIR/passport.sd-jwt` (the holder's download), `DIR/jwks.json` (the issuer's published
//! metadata) and `DIR/status.jwt` (the status list token the credential points at), as a
//! verifier fetches them; `scripts/bench.sh` writes them.

use std::hint::black_box;
use std::time::{Duration, Instant};

use credential::jose::sha256_b64url;
use credential::status_list::DEFAULT_LIST_SIZE;
use credential::*;
use serde_json::{Map, Value, json};

const NOW: i64 = 1_750_000_000;
const ISS: &str = "https://passport.example.nhs.uk";
const VCT: &str = "https://passport.example.nhs.uk/vct/placement-passport/v1";
const LIST_URI: &str = "https://passport.example.nhs.uk/status/1";

/// About 20 items, as a real passport would carry; the photo is represented by the SHA-256
/// digest of a ~40 KB image, not the image itself.
fn passport() -> Map<String, Value> {
    let photo: Vec<u8> = (0..40_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let training: Vec<Value> = [
        "Information Governance",
        "Fire Safety",
        "Safeguarding Adults L2",
        "Safeguarding Children L2",
        "Infection Prevention and Control L2",
        "Moving and Handling L2",
        "Basic Life Support",
        "Conflict Resolution",
        "Equality, Diversity and Human Rights",
        "Health, Safety and Welfare",
    ]
    .iter()
    .enumerate()
    .map(|(i, c)| json!({"course": c, "completed": format!("2025-0{}-1{}", 1 + i % 9, i % 9), "provider": "e-LfH"}))
    .collect();
    json!({
        "given_name": "Ada",
        "family_name": "Lovelace",
        "preferred_name": "Ada",
        "staff_number": "NHS-0012345",
        "employer": {"name": "Example Teaching Hospitals NHS Foundation Trust", "ods_code": "RXX"},
        "job_title": "Staff Nurse",
        "agenda_for_change_band": "5",
        "professional_registration": {"body": "NMC", "pin": "12A3456E", "expires": "2027-03-31"},
        "dbs_check": {"level": "enhanced", "barred_lists": ["adults", "children"], "issued": "2024-05-01", "update_service": true},
        "right_to_work": {"verified": true, "method": "IDSP", "checked": "2024-04-20"},
        "occupational_health": {"clearance": "cleared", "immunisations": ["HepB", "MMR", "Varicella", "TB"], "reviewed": "2024-04-28"},
        "mandatory_training": training,
        "smartcard": {"uuid": "555123456789", "roles": ["R8000", "R8003"]},
        "esr_assignment": "12345678-2",
        "qualifications": [{"title": "BSc (Hons) Adult Nursing", "awarded": "2019-07-01"}],
        "placements": [{"site": "RXX01", "ward": "Ward 7", "from": "2025-02-01", "to": "2025-05-01"}],
        "email": "ada.lovelace@nhs.net",
        "mobile": "+44 7700 900123",
        "start_date": "2024-05-06",
        "photo_sha256": sha256_b64url(&photo),
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

fn rate(label: &str, budget: Duration, mut f: impl FnMut()) -> f64 {
    // Warm up, then run for `budget`.
    for _ in 0..50 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    let per_sec = n as f64 / start.elapsed().as_secs_f64();
    println!("{label:<52} {per_sec:>10.0} /s  ({:.1} µs each)", 1e6 / per_sec);
    per_sec
}

/// Measures the app's own passport, as fetched from it into `dir`.
fn bench_app_passport(dir: &std::path::Path, budget: Duration) -> Result<(), Box<dyn std::error::Error>> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).map(|s| s.trim().to_owned());
    let sd_jwt = read("passport.sd-jwt")?;
    let metadata: Value = serde_json::from_str(&read("jwks.json")?)?;
    let keys = JwkSet::from_json(&metadata["jwks"].to_string())?;
    let token = read("status.jwt")?;
    let parsed = SdJwt::parse(&sd_jwt).map_err(|e| e.to_string())?;
    let payload = parsed.payload();
    let iss = payload["iss"].as_str().ok_or("no iss")?.to_owned();
    let uri = payload["status"]["status_list"]["uri"].as_str().ok_or("no status uri")?.to_owned();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
    let sl_opts = StatusListVerifyOptions::new(now);
    let list = verify_status_list_token(&token, &keys, &uri, &sl_opts).map_err(|e| e.to_string())?;
    let mut opts = VerifyOptions::new(now);
    opts.expected_issuer = Some(&iss);
    opts.status = Some(list.as_check());
    let v = verify(&sd_jwt, &keys, &opts).map_err(|e| e.to_string())?;
    println!();
    println!("the app's own passport ({iss}): {} items, {} bytes", v.claims.len(), sd_jwt.len());
    println!("its status list token: {} entries, {} bytes", list.list.len(), token.len());
    rate("app passport: verify status list token", budget, || {
        black_box(verify_status_list_token(black_box(&token), &keys, &uri, &sl_opts).ok());
    });
    rate("app passport: verify (sig + all disclosures + status)", budget, || {
        black_box(verify(black_box(&sd_jwt), &keys, &opts).ok());
    });
    rate("app passport: token check + verify (no cached list)", budget, || {
        if let Ok(list) = verify_status_list_token(black_box(&token), &keys, &uri, &sl_opts) {
            let mut o = VerifyOptions::new(now);
            o.expected_issuer = Some(&iss);
            o.status = Some(list.as_check());
            black_box(verify(black_box(&sd_jwt), &keys, &o).ok());
        }
    });
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let secs: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let budget = Duration::from_secs_f64(secs);
    let from = args.iter().position(|a| a == "--from").and_then(|i| args.get(i + 1)).map(std::path::PathBuf::from);

    let issuer = IssuerKey::generate()?;
    let holder = HolderKey::generate()?;
    let keys: JwkSet = [issuer.verifying_key()].into_iter().collect();
    let claims = passport();
    let mut list = StatusList::new(DEFAULT_LIST_SIZE)?;
    let mut allocator = IndexAllocator::new(DEFAULT_LIST_SIZE)?;
    // A list with some revocations, as in production.
    for _ in 0..500 {
        list.set(allocator.allocate()?, true)?;
    }
    let idx = allocator.allocate()?;
    let request = IssueRequest {
        issuer: ISS,
        vct: VCT,
        iat: NOW - 60,
        exp: NOW + 365 * 86400,
        holder: holder.public_jwk(),
        status: Some(StatusReference { idx, uri: LIST_URI.into() }),
        claims: &claims,
        sd_count: DEFAULT_SD_COUNT,
    };
    let sd_jwt = issue(&issuer, &request)?;
    let names: Vec<&str> = claims.keys().map(String::as_str).collect();
    let kb = KeyBindingRequest { holder: &holder, aud: "https://verifier.example", nonce: "abc123", iat: NOW };
    let bound = present(&sd_jwt, &names, Some(&kb))?;

    let mut plain_opts = VerifyOptions::new(NOW);
    plain_opts.status = Some(StatusCheck { uri: LIST_URI, list: &list });
    let mut kb_opts = plain_opts;
    kb_opts.key_binding = Some(KeyBindingCheck { aud: "https://verifier.example", nonce: "abc123", max_age_secs: 300 });
    let v = verify(&sd_jwt, &keys, &plain_opts).map_err(|e| e.to_string())?;
    assert_eq!(v.claims.len(), claims.len());
    verify(&bound, &keys, &kb_opts).map_err(|e| e.to_string())?;

    println!("credential bench (single thread, {secs} s per measurement)");
    println!("passport: {} items, _sd length {}", claims.len(), DEFAULT_SD_COUNT);
    println!("size of full passport (all disclosures):            {:>7} bytes", sd_jwt.len());
    println!("size of full presentation with KB-JWT:              {:>7} bytes", bound.len());
    let token = list
        .sign_token(&issuer, &StatusListTokenRequest { uri: LIST_URI, iat: NOW, exp: NOW + 86400, ttl: Some(3600) })?;
    println!("status list token ({} entries, {} revoked):     {:>7} bytes", list.len(), list.count_set(), token.len());

    rate("issue full passport", budget, || {
        black_box(issue(&issuer, &request).ok());
    });
    rate("verify full passport (sig + all disclosures + status)", budget, || {
        black_box(verify(black_box(&sd_jwt), &keys, &plain_opts).ok());
    });
    rate("verify full presentation + key binding JWT", budget, || {
        black_box(verify(black_box(&bound), &keys, &kb_opts).ok());
    });
    rate("present all items + sign key binding JWT", budget, || {
        black_box(present(&sd_jwt, &names, Some(&kb)).ok());
    });
    let sl_opts = StatusListVerifyOptions::new(NOW);
    rate("verify + decode status list token (131072 entries)", budget, || {
        black_box(verify_status_list_token(&token, &keys, LIST_URI, &sl_opts).ok());
    });
    if let Some(dir) = from {
        bench_app_passport(&dir, budget)?;
    }
    Ok(())
}
