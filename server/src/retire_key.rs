//! `server retire-key --trust ODS --by EMAIL --reason TEXT`: the emergency retirement of a
//! trust's signing key from the command line, for when the web service itself is in doubt. It
//! acts as the named person, who must be an HR passport officer of that trust (the same rule as
//! the HR form, checked by the same authorisation table), and is audited under their name.

use anyhow::Context;
use app::server::access::{Action, permits};
use app::server::entities::user;
use app::server::keyring::KeyEncryptionKey;
use app::server::services::{key_retirement, sessions, trusts};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// Retires `ods`'s key as `by`, for `reason`; what was done, or why not.
pub async fn run(
    db: &DatabaseConnection,
    kek: &KeyEncryptionKey,
    public_url: &str,
    ods: &str,
    by: &str,
    reason: &str,
) -> anyhow::Result<key_retirement::Retirement> {
    let reason = key_retirement::parse_reason(reason).map_err(|e| anyhow::anyhow!("--reason: {}", message(&e)))?;
    let trust = trusts::by_ods(db, ods).await.map_err(|_| anyhow::anyhow!("no trust with the ODS code {ods}"))?;
    let person = user::Entity::find()
        .filter(user::Column::Email.eq(by.trim().to_lowercase()))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?
        .with_context(|| format!("--by: no active person with the email address {by}"))?;
    let actor = sessions::actor_of(db, &person, String::new(), "command line").await?;
    anyhow::ensure!(
        permits(&actor, &Action::RetireIssuerKey { trust: trust.id }),
        "--by: {by} is not an HR passport officer of {}",
        trust.ods_code
    );
    let txn = app::server::db::begin_write(db).await?;
    let done = key_retirement::retire_key(&txn, &actor, kek, public_url, trust.id, &reason)
        .await
        .map_err(|e| anyhow::anyhow!("{}", message(&e)))?;
    txn.commit().await?;
    Ok(done)
}

fn message(e: &app::error::AppError) -> String {
    e.form_errors().and_then(|f| f.message_for("reason")).map(str::to_owned).unwrap_or_else(|| e.to_string())
}
