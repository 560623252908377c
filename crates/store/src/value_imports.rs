//! Value-file imports: a dry run stages the parsed file; the commit applies it whole.
//! Every upload is kept in the import history (who, when, file, counts, result).

use chrono::{DateTime, NaiveDate, Utc};
use nengji_core::entry::ValueInput;
use serde::Serialize;

use crate::audit::Actor;
use crate::collection::{self, Batch, Dataset, EntryError};
use crate::db::Db;
use crate::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub file_name: String,
    pub status: String,
    pub row_count: i64,
    pub problem_count: i64,
    pub message: String,
}

impl ImportRecord {
    pub fn status_label(&self) -> &'static str {
        status_label(&self.status)
    }
}

/// The Chinese label of an upload's status (staged, committed, rejected), for every import history.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "staged" => "已检查，待确认",
        "committed" => "已导入",
        _ => "未导入",
    }
}

async fn insert(db: &Db, actor: &Actor, file: &str, status: &str, rows: usize, problems: usize, message: &str, payload: Option<String>) -> crate::Result<i64> {
    Ok(with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO import_batch (at, actor, file_name, status, row_count, problem_count, message, payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(Utc::now()).bind(&actor.name).bind(file).bind(status).bind(rows as i64).bind(problems as i64).bind(message).bind(payload)
            .fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, status, "import_batch", &id.to_string(), None::<String>,
            Some(serde_json::json!({"file": file, "rows": rows, "problems": problems}).to_string()))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    })?)
}

/// Records an upload whose dry run found problems (nothing else is written).
pub async fn reject(db: &Db, actor: &Actor, file: &str, rows: usize, problems: usize, message: &str) -> crate::Result<i64> {
    insert(db, actor, file, "rejected", rows, problems, message, None).await
}

/// Keeps a clean dry run until the user confirms it.
pub async fn stage(db: &Db, actor: &Actor, file: &str, values: &[ValueInput]) -> crate::Result<i64> {
    let payload = serde_json::to_string(values).map_err(|e| StoreError::Invalid(e.to_string()))?;
    insert(db, actor, file, "staged", values.len(), 0, "检查通过，待确认导入", Some(payload)).await
}

pub async fn get(db: &Db, id: i64) -> crate::Result<Option<ImportRecord>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, ImportRecord>(
        "SELECT id, at, actor, file_name, status, row_count, problem_count, message FROM import_batch WHERE id = $1")
        .bind(id).fetch_optional(p).await)?)
}

/// Import history, newest first; `actor = Some(name)` for one user's own uploads.
pub async fn list(db: &Db, actor: Option<&str>, limit: i64) -> crate::Result<Vec<ImportRecord>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, ImportRecord>(
        "SELECT id, at, actor, file_name, status, row_count, problem_count, message FROM import_batch
         WHERE (CAST($1 AS TEXT) IS NULL OR actor = $1) ORDER BY id DESC LIMIT $2")
        .bind(actor).bind(limit).fetch_all(p).await)?)
}

/// Groups values into one batch per zone × period (imports carry no version: they may only
/// write reports still in draft, which `collection::apply` enforces).
pub fn batches(values: &[ValueInput]) -> Vec<Batch> {
    let mut out: Vec<Batch> = Vec::new();
    for v in values {
        match out.iter_mut().find(|b| b.zone == v.zone && b.period == v.period) {
            Some(b) => b.values.push(v.clone()),
            None => out.push(Batch { zone: v.zone.clone(), period: v.period, expected_version: None, values: vec![v.clone()] }),
        }
    }
    out
}

/// Applies a staged import whole, then marks it committed. Only its uploader may commit it.
pub async fn commit(db: &Db, actor: &Actor, ds: &Dataset, id: i64, today: NaiveDate) -> Result<usize, EntryError> {
    let row: Option<(String, String, Option<String>)> = with_pool!(db, p => sqlx::query_as(
        "SELECT actor, status, payload FROM import_batch WHERE id = $1").bind(id).fetch_optional(p).await)?;
    let Some((owner, status, payload)) = row else { return Err(EntryError::Refused(format!("导入批次 {id} 不存在"))) };
    if owner != actor.name {
        return Err(EntryError::Refused("只能确认自己上传的文件".into()));
    }
    if status != "staged" {
        return Err(EntryError::Refused(format!("导入批次 {id} 已处理，不能重复导入")));
    }
    let values: Vec<ValueInput> = serde_json::from_str(payload.as_deref().unwrap_or("[]")).map_err(|e| StoreError::Invalid(e.to_string()))?;
    collection::apply(db, actor, ds, &batches(&values), "import", today).await?;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE import_batch SET status = 'committed', message = $2, payload = NULL WHERE id = $1")
            .bind(id).bind(format!("已导入 {} 个数值", values.len())).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "commit", "import_batch", &id.to_string(), Some("{\"status\":\"staged\"}".to_string()), Some("{\"status\":\"committed\"}".to_string()))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(values.len())
}
