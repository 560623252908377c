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

/// Inserts one audit row on `$conn` (the open transaction of the write it records), chained to
/// the previous row by hash. Updating `audit_head` first takes its row lock, so concurrent writers
/// append one after another on both engines.
macro_rules! audit {
    ($conn:expr, $actor:expr, $action:expr, $entity:expr, $key:expr, $old:expr, $new:expr) => {
        async {
            let actor: &$crate::audit::Actor = &$actor;
            let (action, entity, key): (&str, &str, &str) = ($action, $entity, $key);
            let (old, new): (Option<String>, Option<String>) = ($old, $new);
            let at = $crate::audit::now();
            let (seq, prev): (i64, String) =
                sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").fetch_one($conn).await?;
            let record = $crate::audit::Record { seq, at, actor_id: actor.user_id, actor: actor.name.clone(), action: action.into(), entity: entity.into(), entity_key: key.into(), old_value: old, new_value: new };
            let hash = record.hash(&prev);
            sqlx::query(
                "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_key, old_value, new_value, seq, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(record.at)
            .bind(record.actor_id)
            .bind(&record.actor)
            .bind(&record.action)
            .bind(&record.entity)
            .bind(&record.entity_key)
            .bind(&record.old_value)
            .bind(&record.new_value)
            .bind(seq)
            .bind(&prev)
            .bind(&hash)
            .execute($conn)
            .await?;
            sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute($conn).await?;
            Ok::<(), sqlx::Error>(())
        }
        .await
    };
}

/// Now, to the microsecond both engines keep (so a re-read hashes the same).
pub fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}

/// The hashed content of one audit record.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Record {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

impl Record {
    /// SHA-256 over the previous hash and every field, each length-prefixed so no two records
    /// can share an encoding.
    pub fn hash(&self, prev: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let mut field = |s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        };
        field(prev);
        field(&self.seq.to_string());
        field(&self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
        field(&self.actor_id.map(|i| i.to_string()).unwrap_or_default());
        field(&self.actor);
        field(&self.action);
        field(&self.entity);
        field(&self.entity_key);
        field(self.old_value.as_deref().unwrap_or("\u{0}null"));
        field(self.new_value.as_deref().unwrap_or("\u{0}null"));
        hex::encode(h.finalize())
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    pub records: usize,
    /// Records written before the chain existed (a database older than migration 0006).
    pub legacy: usize,
    /// Chinese descriptions of every break in the chain; empty when intact.
    pub problems: Vec<String>,
}

/// Walks the whole chain: an edited, deleted, inserted or reordered record breaks it.
pub async fn verify(db: &Db) -> crate::Result<Verification> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        #[sqlx(flatten)]
        record: Record,
        prev_hash: Option<String>,
        hash: Option<String>,
    }
    let rows: Vec<Row> = with_pool!(db, p => sqlx::query_as::<_, Row>(
        "SELECT id, COALESCE(seq, 0) AS seq, at, actor_id, actor, action, entity, entity_key, old_value, new_value, prev_hash, hash
         FROM audit_log ORDER BY id").fetch_all(p).await)?;
    let (head_seq, head_hash): (i64, String) = with_pool!(db, p => sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(p).await)?;
    let mut problems = Vec::new();
    let mut prev = "nengji-audit-genesis".to_string();
    let mut expected_seq = 1;
    // Rows from before the chain carry no hash; the chain starts after them.
    let legacy = rows.iter().take_while(|r| r.hash.is_none() && r.record.seq == 0).count();
    for r in &rows[legacy..] {
        if r.record.seq != expected_seq {
            problems.push(format!("第{}条记录（id {}）的序号为 {}，应为 {}：记录被删除、插入或调换了顺序", expected_seq, r.id, r.record.seq, expected_seq));
        }
        if r.prev_hash.as_deref() != Some(prev.as_str()) {
            problems.push(format!("记录 id {} 的前序哈希与上一条记录不符：其前的记录被改动或删除", r.id));
        }
        let computed = r.record.hash(r.prev_hash.as_deref().unwrap_or(""));
        if r.hash.as_deref() != Some(computed.as_str()) {
            problems.push(format!("记录 id {}（{} {} {}）的内容与其哈希不符：记录被改动", r.id, r.record.actor, r.record.action, r.record.entity_key));
        }
        prev = r.hash.clone().unwrap_or_default();
        expected_seq = r.record.seq + 1;
    }
    let chained = rows.len() - legacy;
    if head_seq != chained as i64 || head_hash != prev {
        problems.push(format!("审计链末端应有 {head_seq} 条记录，实有 {chained} 条：末尾的记录被删除或替换"));
    }
    Ok(Verification { records: rows.len(), legacy, problems })
}

/// Records an event that changes no other table (a failed login, a lockout), in its own transaction.
pub async fn record_event(db: &Db, actor: &Actor, action: &str, entity: &str, key: &str, detail: Option<String>) -> crate::Result<()> {
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        audit!(&mut *tx, actor, action, entity, key, None::<String>, detail)?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
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
