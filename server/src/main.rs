//! `server [serve|migrate|seed [--teams-per-trust N]]`

use anyhow::Context;
use server::{config::Settings, database, seed, startup, telemetry};

const USAGE: &str = "usage: server [serve | migrate | seed [--teams-per-trust N]]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
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
            let teams_per_trust = match args.get(1).map(String::as_str) {
                Some("--teams-per-trust") => args
                    .get(2)
                    .and_then(|n| n.parse().ok())
                    .context("--teams-per-trust needs a number")?,
                None => 0,
                Some(other) => anyhow::bail!("unknown option {other}\n{USAGE}"),
            };
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            let report = seed::demo(&db, teams_per_trust).await?;
            tracing::info!(?report, "demo data in place");
            Ok(())
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => anyhow::bail!("unknown command {other}\n{USAGE}"),
    }
}
