//! What the database holds, read straight from it (not through the app).

use super::{TEST_KEK, TestApp};
use sea_orm::EntityTrait;

/// The full credential of a stored passport, opened with the test key-encryption key.
pub fn stored_credential(p: &app::server::entities::passport::Model) -> String {
    let kek = app::server::keyring::KeyEncryptionKey::from_base64(TEST_KEK).unwrap();
    app::server::services::credential_store::opened(&kek, p).unwrap()
}

impl TestApp {
    /// The id of a demo person.
    pub async fn person_id(&self, email: &str) -> i32 {
        use app::server::entities::user;
        use sea_orm::{ColumnTrait, QueryFilter};
        user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(&self.db)
            .await
            .expect("query")
            .expect("a demo person")
            .id
    }

    /// The audit log's actions, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        use app::server::entities::audit_event;
        use sea_orm::QueryOrder;
        audit_event::Entity::find()
            .order_by_asc(audit_event::Column::Id)
            .all(&self.db)
            .await
            .expect("query")
            .into_iter()
            .map(|e| e.action.code().to_owned())
            .collect()
    }

    /// The names of a trust's teams, straight from the database.
    pub async fn team_names(&self, ods: &str) -> Vec<String> {
        use app::server::entities::{team, trust};
        use sea_orm::{ColumnTrait, QueryFilter};
        let Some(t) = trust::Entity::find().filter(trust::Column::OdsCode.eq(ods)).one(&self.db).await.expect("query")
        else {
            return Vec::new();
        };
        let mut names: Vec<String> = team::Entity::find()
            .filter(team::Column::TrustId.eq(t.id))
            .all(&self.db)
            .await
            .expect("query")
            .into_iter()
            .map(|t| t.name)
            .collect();
        names.sort();
        names
    }

    /// Every row of the outbox.
    pub async fn outbox(&self) -> Vec<app::server::entities::outbox::Model> {
        app::server::entities::outbox::Entity::find().all(&self.db).await.expect("query")
    }
}
