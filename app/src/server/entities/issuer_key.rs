use sea_orm::entity::prelude::*;

/// One of a trust's issuer signing keys. The private half is only ever held here encrypted
/// (see `server::keyring`), so even `Debug` of a row shows no key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issuer_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub trust_id: i32,
    #[sea_orm(unique)]
    pub kid: String,
    /// The public JWK as JSON (with `kid`, `alg`, `use`).
    pub public_jwk: String,
    /// AES-256-GCM of the PKCS#8 document under the key-encryption key.
    pub private_key_enc: Vec<u8>,
    pub created_at: DateTimeUtc,
    /// Set when a newer key takes over signing.
    pub retired_at: Option<DateTimeUtc>,
    /// A retired key stays in the published JWK Set until then.
    pub published_until: Option<DateTimeUtc>,
    /// Why it was retired at once, unpublished, if it was (a suspected compromise).
    pub retire_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
