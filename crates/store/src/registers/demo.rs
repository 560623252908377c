//! Loads the registers' 示例数据 (core's deterministic demo records and entries). Idempotent: a
//! register that already holds demo records is left as it is.

use nengji_core::registers::{demo, RegisterKind};

use super::to_json;
use crate::audit::{now, Actor};
use crate::db::Db;
use crate::StoreError;

/// Loads what is missing; returns (register, records added) for each register.
pub async fn load(db: &Db, actor: &Actor) -> crate::Result<Vec<(RegisterKind, usize)>> {
    let mut out = Vec::new();
    for kind in RegisterKind::ALL {
        let (has,): (i64,) = with_pool!(db, p => sqlx::query_as("SELECT COUNT(*) FROM reg_record WHERE register = $1 AND is_demo = TRUE")
            .bind(kind.code()).fetch_one(p).await)?;
        if has > 0 {
            out.push((kind, 0));
            continue;
        }
        let records = demo::records(kind);
        let entries = demo::entries(kind, &records);
        let at = now();
        let n = records.len();
        with_pool!(db, p => {
            let mut tx = p.begin().await?;
            let mut ids = std::collections::HashMap::new();
            for r in &records {
                let key = r.key(kind);
                // A real record with the same key wins: demo data never overwrites.
                let (id,): (i64,) = match sqlx::query_as::<_, (i64,)>(
                    "INSERT INTO reg_record (register, key, name, zone, county, data, version, is_demo, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 1, TRUE, $7, $7) ON CONFLICT (register, key) DO NOTHING RETURNING id")
                    .bind(kind.code()).bind(key).bind(r.name()).bind(r.zone()).bind(r.county()).bind(to_json(r)).bind(at)
                    .fetch_optional(&mut *tx).await? {
                    Some(row) => row,
                    None => continue,
                };
                sqlx::query("INSERT INTO reg_history (record_id, at, actor, action, summary, changes) VALUES ($1, $2, $3, 'create', '示例数据', '[]')")
                    .bind(id).bind(at).bind(&actor.name).execute(&mut *tx).await?;
                ids.insert(key.to_string(), id);
            }
            let entry_kind = kind.entry_kind();
            for (key, e) in &entries {
                let (Some(id), Some(ek)) = (ids.get(key), entry_kind) else { continue };
                sqlx::query("INSERT INTO reg_entry (record_id, kind, day, amount, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(id).bind(ek.code()).bind(e.date).bind(e.amount).bind(&e.note).bind(&actor.name).bind(at)
                    .execute(&mut *tx).await?;
            }
            audit!(&mut *tx, actor, "load_demo", &format!("register:{}", kind.code()), kind.code(), None, Some(format!("示例数据 {n} 条")))?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })?;
        out.push((kind, n));
    }
    Ok(out)
}

/// Loads what is missing and says what the registers now hold, for `nengji demo`.
pub async fn load_summary(db: &Db, actor: &Actor) -> crate::Result<String> {
    let added: usize = load(db, actor).await?.iter().map(|(_, n)| n).sum();
    let counts = super::counts(db).await?;
    let held: Vec<String> = counts.iter().map(|(k, n)| format!("{} {n} 条", k.label())).collect();
    Ok(format!("名录（示例数据）：{}；本次新增 {added} 条", held.join("，")))
}
