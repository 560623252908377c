//! The append-only audit log: who, when, what, old → new.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::Db;

/// Who is writing: a logged-in user, the CLI, or the demo loader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn user(id: i64, name: &str) -> Actor {
        Actor { user_id: Some(id), name: name.to_string() }
    }
    pub fn system(name: &str) -> Actor {
        Actor { user_id: None, name: name.to_string() }
    }
}

/// Inserts one audit row on `$conn` (the open transaction of the write it records).
macro_rules! audit {
    ($conn:expr, $actor:expr, $action:expr, $entity:expr, $key:expr, $old:expr, $new:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_key, old_value, new_value)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(chrono::Utc::now())
        .bind($actor.user_id)
        .bind(&$actor.name)
        .bind($action)
        .bind($entity)
        .bind($key)
        .bind($old)
        .bind($new)
        .execute($conn)
        .await
    };
}

/// JSON text of a value for the old/new columns.
pub fn json<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// The latest entries, newest first; optionally of one entity kind.
pub async fn recent(db: &Db, entity: Option<&str>, limit: i64) -> crate::Result<Vec<AuditEntry>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, AuditEntry>(
        "SELECT id, at, actor, action, entity, entity_key, old_value, new_value FROM audit_log
         WHERE (CAST($1 AS TEXT) IS NULL OR entity = $1) ORDER BY id DESC LIMIT $2")
        .bind(entity).bind(limit).fetch_all(p).await)?)
}

pub async fn count(db: &Db) -> crate::Result<i64> {
    Ok(with_pool!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log").fetch_one(p).await)?)
}
