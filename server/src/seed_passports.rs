//! Demo passports: each demo staff member who has signed in (not the invited one) gets a
//! passport from their home trust's demo HR officer, through the same service HR uses, with
//! plausible made-up items (NI numbers use HMRC's reserved `QQ` prefix). Idempotent: someone who
//! already has a passport is left alone.

use app::domain::PassportItems;
use app::server::access::Actor;
use app::server::entities::{passport, team, trust, user};
use app::server::keyring::KeyEncryptionKey;
use app::server::services::{passports, sessions};
use app::server::{AppState, AuthConfig, RequestContext};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// Holder email, date of birth, NI number, job role, start date (years ago).
const HOLDERS: [(&str, (i32, u32, u32), &str, &str, i32); 4] = [
    ("nurse@r0a.nhs.example", (1991, 4, 17), "QQ123456C", "Acute oncology staff nurse", 4),
    ("manager@r0a.nhs.example", (1983, 9, 2), "QQ234567A", "Acute oncology clinical nurse manager", 11),
    ("nurse@rm3.nhs.example", (1995, 1, 28), "QQ345678B", "Chemotherapy staff nurse", 2),
    ("radiographer@rbv.nhs.example", (1989, 6, 9), "QQ456789D", "Therapeutic radiographer", 7),
];

fn pay_band_label(code: Option<&str>) -> String {
    code.map(|c| format!("Band {c}")).unwrap_or_default()
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
        let department = match holder.team_id {
            Some(t) => team::Entity::find_by_id(t).one(db).await?.map(|t| t.name).unwrap_or_default(),
            None => String::new(),
        };
        let items = PassportItems {
            name: holder.name.clone(),
            birthdate: NaiveDate::from_ymd_opt(y, m, d),
            ni_number: ni.to_owned(),
            dbs_level: "enhanced".into(),
            dbs_check_date: Some(today - Duration::days(400)),
            right_to_work: "confirmed, no time limit".into(),
            registration_body: holder.registration_body.clone(),
            registration_number: holder.registration_number.clone(),
            // Registrations renew yearly; the demo's lapse in about nine months.
            registration_expiry: holder.registration_body.as_ref().map(|_| today + Duration::days(270)),
            employing_trust: trust.ods_code.clone(),
            job_role: job_role.to_owned(),
            staff_group: holder.staff_group.clone().unwrap_or_default(),
            department,
            start_date: today.with_year(today.year() - years),
            fixed_term_end: None,
            pay_band: pay_band_label(holder.pay_band.as_deref()),
            work_email: holder.email.clone(),
            smartcard_number: None,
            occupational_health_clearance: "cleared".into(),
            photo_digest: None,
        };
        let actor = Actor {
            user_id: hr.id,
            email: hr.email.clone(),
            name: hr.name.clone(),
            home_trust_id: hr.home_trust_id,
            grants: sessions::load_grants(db, hr.id).await?,
            session_id: String::new(),
            applicant: sessions::applicant_of(&hr),
        };
        let ctx = RequestContext { ip: "seed".into(), user_agent: None, actor: Some(actor) };
        passports::issue(&state, &ctx, holder.id, &items)
            .await
            .map_err(|e| anyhow::anyhow!("issuing the demo passport of {email}: {e}"))?;
        issued += 1;
    }
    Ok(issued)
}
