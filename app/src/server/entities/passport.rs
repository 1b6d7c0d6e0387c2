use sea_orm::entity::prelude::*;

/// An issued passport. Not `Serialize`: it holds the full credential with every item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub holder_id: i32,
    /// The issuing (home) trust.
    pub trust_id: i32,
    pub status_list_id: i32,
    pub status_index: i32,
    /// The issuer key that signed it.
    pub kid: String,
    pub issued_by: Option<i32>,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoke_reason: Option<String>,
    /// Empty: the clear SD-JWT of a passport issued before credentials were sealed, until the
    /// server seals it at start-up. Read a credential with `services::passports::opened`.
    #[sea_orm(column_name = "credential")]
    pub credential_clear: String,
    /// The SD-JWT VC with every disclosure (the holder's copy), sealed with AES-256-GCM under
    /// the key-encryption key and bound to this passport's status entry.
    pub credential_sealed: Option<Vec<u8>>,
    /// JSON array of the item names.
    pub items: String,
    /// The digest of the photo the credential binds, if it has one: while the passport is
    /// valid, that photo is served to whoever holds the digest.
    pub photo_digest: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
