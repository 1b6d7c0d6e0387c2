//! `server [serve | migrate | seed [--teams-per-trust N] [--placements N] | hash-timing [N] |
//! verify <file> [--issuer-base URL] [--trust-issuer ISS]... |
//! retire-key --trust ODS --by EMAIL --reason TEXT]`

use anyhow::Context;
use server::{
    config::Settings, database, retire_key, seed, seed_applications, seed_passports, seed_placements, sqlite_memory,
    startup, telemetry, verify,
};

/// mimalloc rather than glibc's malloc: the same pages, about half again as many per second
/// (README, Figures). The library crate and its tests keep the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: server [serve | migrate | seed [--teams-per-trust N] [--placements N] | hash-timing [N] \
                     | verify <file> [--issuer-base URL] [--trust-issuer ISS]... \
                     | retire-key --trust ODS --by EMAIL --reason TEXT]";

fn main() -> anyhow::Result<()> {
    telemetry::init();
    // SAFETY: nothing has used SQLite yet and no other thread exists: the runtime, and with it
    // every database connection, starts below.
    if let Err(e) = unsafe { sqlite_memory::configure() } {
        tracing::warn!(error = %e, "SQLite's memory could not be configured; it keeps its defaults");
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Verifying needs no configuration: anyone may check a passport file, anywhere.
    if args.first().map(String::as_str) == Some("verify") {
        return verify_command(&args[1..]).await;
    }
    let settings = Settings::load().context("loading configuration")?;
    match args.first().map(String::as_str).unwrap_or("serve") {
        "serve" => {
            let app = startup::Application::build(settings).await?;
            app.run_until(startup::shutdown_signal()).await
        }
        "migrate" => {
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        "seed" => {
            // Options: `--teams-per-trust N` and `--placements N` (at least N placements in all;
            // the demo's own ten otherwise), both for load tests.
            let (mut teams_per_trust, mut placements) = (0, 0);
            let mut rest = args.iter().skip(1);
            while let Some(option) = rest.next() {
                let n = rest.next().and_then(|n| n.parse::<usize>().ok());
                match option.as_str() {
                    "--teams-per-trust" => teams_per_trust = n.context("--teams-per-trust needs a number")?,
                    "--placements" => placements = n.context("--placements needs a number")?,
                    other => anyhow::bail!("unknown option {other}\n{USAGE}"),
                }
            }
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            let report = seed::demo(&db, teams_per_trust).await?;
            let txn = app::server::db::begin_write(&db).await?;
            let added = seed_placements::demo_placements(&txn, placements).await?;
            txn.commit().await?;
            let passports = match settings.key_encryption_key()? {
                Some(kek) => seed_passports::demo_passports(&db, &settings.public_url(), kek).await?,
                None => {
                    tracing::warn!("no passport.key_encryption_key: demo passports not issued");
                    0
                }
            };
            let applications = seed_applications::demo_applications(&db).await?;
            tracing::info!(
                ?report,
                placements_added = added,
                passports_issued = passports,
                applications_added = applications,
                "demo data in place"
            );
            Ok(())
        }
        // How long one argon2id password hash takes here, for tuning and the benchmark.
        "hash-timing" => {
            let n: u32 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20).max(1);
            let mut times = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let t = std::time::Instant::now();
                app::server::password::hash_blocking("correct horse battery staple")
                    .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            let mean = times.iter().sum::<f64>() / f64::from(n);
            println!(
                "argon2id m=19456 KiB t=2 p=1: {n} hashes, mean {mean:.1} ms, median {:.1} ms, min {:.1} ms",
                times[times.len() / 2],
                times[0]
            );
            Ok(())
        }
        // The emergency path for a signing key that may be compromised (see README, Passports).
        "retire-key" => {
            let (mut ods, mut by, mut reason) = (None, None, None);
            let mut rest = args.iter().skip(1);
            while let Some(option) = rest.next() {
                let value = rest.next().cloned();
                match option.as_str() {
                    "--trust" => ods = value,
                    "--by" => by = value,
                    "--reason" => reason = value,
                    other => anyhow::bail!("unknown option {other}\n{USAGE}"),
                }
            }
            let (Some(ods), Some(by), Some(reason)) = (ods, by, reason) else {
                anyhow::bail!("retire-key needs --trust, --by and --reason\n{USAGE}");
            };
            let kek = settings.key_encryption_key()?.context("passport.key_encryption_key is not configured")?;
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            let done = retire_key::run(&db, &kek, &settings.public_url(), &ods, &by, &reason).await?;
            println!(
                "Retired key {} of {} (no longer published); new key {}.\n\
                 {} passport(s) revoked and reissued, {} expired passport(s) revoked; holders and HR told by email.",
                done.retired_kid, done.trust, done.new_kid, done.reissued, done.revoked_expired
            );
            Ok(())
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => anyhow::bail!("unknown command {other}\n{USAGE}"),
    }
}

/// `server verify <file> [--issuer-base URL] [--trust-issuer ISS]...`: prints each check and the
/// disclosed items; fails (exit status 1) if any check fails.
async fn verify_command(args: &[String]) -> anyhow::Result<()> {
    let mut file = None;
    let mut base = None;
    let mut trusted = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--issuer-base" => base = Some(rest.next().context("--issuer-base needs a URL")?.clone()),
            "--trust-issuer" => trusted.push(rest.next().context("--trust-issuer needs an issuer identifier")?.clone()),
            other if file.is_none() && !other.starts_with("--") => file = Some(other.to_owned()),
            other => anyhow::bail!("unexpected argument {other}\n{USAGE}"),
        }
    }
    let file = file.context(USAGE)?;
    let text = verify::read_file(std::path::Path::new(&file)).map_err(anyhow::Error::msg)?;
    let credential = verify::credential_from_file(&text).context("the file holds no credential")?;
    let report =
        verify::verify_credential(&credential, base.as_deref(), &trusted, chrono::Utc::now().timestamp()).await;
    print!("{}", report.render());
    if !report.passed() {
        std::process::exit(1);
    }
    Ok(())
}
