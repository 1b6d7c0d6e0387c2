//! The application benchmark's work list (`scripts/bench.sh`): prints one request per line,
//! `email<TAB>path<TAB>form body`, for `scripts/bench-work.lua` to send once each as that
//! person. Reads the database the benchmarked server uses; changes nothing.
//!
//! `bench_work <database-url> submissions`: each demo applicant applies for every open placement
//! they may apply for and have not applied for (the proposed days of a window placement are its
//! first days).
//! `bench_work <database-url> releases`: each line manager releases every submitted application
//! of their teams' members.
//! `bench_work <database-url> accepts`: each host's lead accepts every waiting application to
//! their trust's placements while it has places, and declines the rest with a reason, as a lead
//! with a full placement does.

use anyhow::Context as _;
use app::domain::{ApplicationState, PlacementState, Role, StaffGroup};
use app::server::entities::{application, placement, placement_staff_group, trust, user};
use app::server::placement_index::eligibility_of;
use app::server::services::sessions;
use chrono::{Duration, Utc};
use sea_orm::{Database, EntityTrait, QueryOrder};
use std::collections::{HashMap, HashSet};

const APPLICANTS: [&str; 4] =
    ["nurse@r0a.nhs.example", "nurse@rm3.nhs.example", "radiographer@rbv.nhs.example", "manager@r0a.nhs.example"];
const MANAGERS: [&str; 3] = ["manager@r0a.nhs.example", "manager@rm3.nhs.example", "manager@rbv.nhs.example"];

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, what] = args.as_slice() else {
        anyhow::bail!("usage: bench_work <database-url> submissions|releases|accepts");
    };
    let db = Database::connect(url.as_str()).await.context("connecting")?;
    let today = Utc::now().date_naive();
    let mut out = String::new();
    let people = user::Entity::find().all(&db).await?;
    let email_of: HashMap<i32, &str> = people.iter().map(|u| (u.id, u.email.as_str())).collect();
    let actor = async |email: &str| {
        let u = people.iter().find(|u| u.email == email).with_context(|| format!("no demo account {email}"))?;
        anyhow::Ok(sessions::actor_of(&db, u, String::new(), "127.0.0.1").await?)
    };
    let placements: HashMap<i32, placement::Model> =
        placement::Entity::find().all(&db).await?.into_iter().map(|p| (p.id, p)).collect();
    let applications = application::Entity::find().order_by_asc(application::Column::Id).all(&db).await?;
    match what.as_str() {
        "submissions" => {
            let mut groups: HashMap<i32, Vec<StaffGroup>> = HashMap::new();
            for g in placement_staff_group::Entity::find().all(&db).await? {
                groups.entry(g.placement_id).or_default().push(g.staff_group);
            }
            let applied: HashSet<(i32, i32)> = applications.iter().map(|a| (a.applicant_id, a.placement_id)).collect();
            let mut open: Vec<&placement::Model> = placements
                .values()
                .filter(|p| p.state == PlacementState::Open && p.closing_date >= today && p.start_date > today)
                .collect();
            open.sort_by_key(|p| p.id);
            // Interleaved by applicant, so the load mixes them as real traffic would.
            let mut lists = Vec::new();
            for email in APPLICANTS {
                let who = actor(email).await?;
                let mut lines = Vec::new();
                for p in &open {
                    let eligibility = eligibility_of(p, groups.get(&p.id).cloned().unwrap_or_default())
                        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                    if applied.contains(&(who.user_id, p.id)) || !eligibility.reasons_not(&who.applicant).is_empty() {
                        continue;
                    }
                    let mut body = format!("placement={}&goals=Recognising+and+escalating+neutropenic+sepsis", p.id);
                    if let (Some(days), "window") = (p.window_days, p.schedule.as_str()) {
                        let to = p.start_date + Duration::days(i64::from(days) - 1);
                        body.push_str(&format!("&from={}&to={to}", p.start_date));
                    }
                    lines.push(format!("{email}\t/api/applications/apply\t{body}\n"));
                }
                lists.push(lines);
            }
            let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
            for i in 0..longest {
                for l in &lists {
                    if let Some(line) = l.get(i) {
                        out.push_str(line);
                    }
                }
            }
        }
        "releases" => {
            let mut managers = Vec::new();
            for email in MANAGERS {
                managers.push((email, actor(email).await?));
            }
            for a in applications.iter().filter(|a| a.state == ApplicationState::Submitted) {
                let manager = managers.iter().find(|(_, m)| {
                    m.user_id != a.applicant_id
                        && m.grants.iter().any(|g| g.role == Role::LineManager && g.team_ids.contains(&a.team_id))
                });
                if let Some((email, _)) = manager {
                    out.push_str(&format!("{email}\t/api/applications/act\tid={}&event=release\n", a.id));
                }
            }
        }
        "accepts" => {
            let ods: HashMap<i32, String> =
                trust::Entity::find().all(&db).await?.into_iter().map(|t| (t.id, t.ods_code.to_lowercase())).collect();
            let mut free: HashMap<i32, i32> =
                placements.values().map(|p| (p.id, i32::from(p.places) - i32::from(p.accepted))).collect();
            let leads: HashSet<&str> = people.iter().map(|u| u.email.as_str()).collect();
            let waiting =
                |a: &&application::Model| matches!(a.state, ApplicationState::Submitted | ApplicationState::Released);
            for a in applications.iter().filter(waiting) {
                let p = &placements[&a.placement_id];
                let lead = format!("lead@{}.nhs.example", ods[&p.trust_id]);
                if !leads.contains(lead.as_str()) || email_of.get(&a.applicant_id) == Some(&lead.as_str()) {
                    continue;
                }
                let places = free.entry(p.id).or_default();
                if *places > 0 {
                    *places -= 1;
                    out.push_str(&format!("{lead}\t/api/applications/act\tid={}&event=accept\n", a.id));
                } else {
                    out.push_str(&format!(
                        "{lead}\t/api/applications/act\tid={}&event=decline&reason=Every+place+has+been+taken\n",
                        a.id
                    ));
                }
            }
        }
        other => anyhow::bail!("unknown work list {other:?}: submissions, releases or accepts"),
    }
    print!("{out}");
    Ok(())
}
