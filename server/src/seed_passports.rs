//! Demo passports: each demo staff member who has signed in (not the invited one) gets a
//! passport from their home trust's demo HR officer, through the same service HR uses, with
//! plausible made-up items and a drawn (not photographed) portrait. The NI numbers follow HMRC's
//! rules, as HR's form demands, but are made up. Idempotent: someone who already has a passport
//! is left alone.

use app::domain::PassportForm;
use app::server::entities::{passport, trust, user};
use app::server::keyring::KeyEncryptionKey;
use app::server::services::{passport_records, passports, sessions};
use app::server::{AppState, AuthConfig, RequestContext, respond};
use chrono::{Datelike, Duration, Utc};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// Holder email, date of birth, NI number, job role, start date (years ago).
type Holder = (&'static str, (i32, u32, u32), &'static str, &'static str, i32);
const HOLDERS: [Holder; 4] = [
    ("nurse@r0a.nhs.example", (1991, 4, 17), "JK123456C", "Acute oncology staff nurse", 4),
    ("manager@r0a.nhs.example", (1983, 9, 2), "JK234567A", "Acute oncology clinical nurse manager", 11),
    ("nurse@rm3.nhs.example", (1995, 1, 28), "JK345678B", "Chemotherapy staff nurse", 2),
    ("radiographer@rbv.nhs.example", (1989, 6, 9), "JK456789D", "Therapeutic radiographer", 7),
];

/// A drawn head-and-shoulders portrait on a background of the given colour, as a PNG.
fn portrait(background: [u8; 3]) -> anyhow::Result<Vec<u8>> {
    let (w, h) = (240u32, 300u32);
    let img = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (f64::from(x) - 120.0, f64::from(y));
        let head = (fx / 52.0).powi(2) + ((fy - 115.0) / 64.0).powi(2) <= 1.0;
        let shoulders = fy > 200.0 && (fx / 110.0).powi(2) + ((fy - 300.0) / 100.0).powi(2) <= 1.0;
        if head || shoulders { Rgb([70, 70, 80]) } else { Rgb(background) }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img).write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}

/// Issues the demo passports that are missing; returns how many were issued.
pub async fn demo_passports(db: &DatabaseConnection, public_url: &str, kek: KeyEncryptionKey) -> anyhow::Result<usize> {
    let state = AppState::new(db.clone(), public_url, AuthConfig::default(), Some(kek));
    let today = Utc::now().date_naive();
    let mut issued = 0;
    for (email, (y, m, d), ni, job_role, years) in HOLDERS {
        let Some(holder) = user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await? else {
            continue;
        };
        if passport::Entity::find().filter(passport::Column::HolderId.eq(holder.id)).one(db).await?.is_some() {
            continue;
        }
        let Some(home) = holder.home_trust_id else { continue };
        let Some(trust) = trust::Entity::find_by_id(home).one(db).await? else { continue };
        let hr_email = format!("hr@{}.nhs.example", trust.ods_code.to_lowercase());
        let Some(hr) = user::Entity::find().filter(user::Column::Email.eq(hr_email.as_str())).one(db).await? else {
            continue;
        };
        let checked = |days: i64| (today - Duration::days(days)).to_string();
        let registered = holder.registration_body.is_some();
        let form = PassportForm {
            birthdate: format!("{y:04}-{m:02}-{d:02}"),
            identity_checked_on: checked(30),
            ni_number: ni.to_owned(),
            ni_number_checked_on: checked(30),
            dbs_level: "enhanced".into(),
            dbs_check_date: checked(400),
            right_to_work: "unlimited".into(),
            right_to_work_checked_on: checked(i64::from(years) * 365 + 20),
            // Registrations renew yearly; the demo's lapse in about nine months.
            registration_expiry: if registered { (today + Duration::days(270)).to_string() } else { String::new() },
            registration_checked_on: if registered { checked(30) } else { String::new() },
            job_role: job_role.to_owned(),
            start_date: today.with_year(today.year() - years).unwrap_or(today).to_string(),
            occupational_health_clearance: "cleared".into(),
            occupational_health_checked_on: checked(i64::from(years) * 365 + 10),
            // Name, work email, staff group, pay band, registration and department, as HR's form
            // starts from them.
            ..passport_records::form_from_person(db, &holder)
                .await
                .map_err(|e| anyhow::anyhow!("reading the demo record of {email}: {e}"))?
        };
        let actor = sessions::actor_of(db, &hr, String::new(), "seed").await?;
        let ctx = RequestContext { ip: "seed".into(), user_agent: None, actor: Some(actor) };
        let shade = [170 + (holder.id % 5) as u8 * 15, 200, 225 - (holder.id % 3) as u8 * 20];
        let clean = passport_records::clean_photo(portrait(shade)?)
            .await
            .map_err(|e| anyhow::anyhow!("cleaning the demo photo of {email}: {e}"))?;
        respond::write(&state, &ctx, async |txn, actor| {
            passport_records::record_photo(txn, actor, holder.id, clean).await?;
            passports::issue(txn, actor, state.kek()?, &state.public_url, holder.id, &form).await
        })
        .await
        .map_err(|e| anyhow::anyhow!("issuing the demo passport of {email}: {e}"))?;
        issued += 1;
    }
    Ok(issued)
}
