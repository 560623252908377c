//! Register imports: a dry run that checks the whole file (core's parser, plus what only the
//! database knows: a zone reporter may only touch its zones' records) and stages the rows; a
//! commit that writes every row in one transaction — new keys inserted, known keys updated with
//! their history — or nothing.

use chrono::{DateTime, Utc};
use nengji_core::masterdata::{CellError, Table};
use nengji_core::registers::parse::{parse_table, Context};
use nengji_core::registers::{Record, RegisterKind, ZoneInfo};
use serde::Serialize;

use super::{diff, in_scope, list, to_json, Scope};
use crate::audit::{now, Actor};
use crate::db::Db;
use crate::StoreError;

/// The zones as the register parser needs them.
pub async fn context(db: &Db) -> crate::Result<Context> {
    let zones = crate::masterdata::list_zones(db)
        .await?
        .into_iter()
        .map(|z| ZoneInfo { code: z.zone.code, name: z.zone.name, short_name: z.zone.short_name, county: z.zone.county_code })
        .collect();
    Ok(Context { zones })
}

/// What a row will do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Action {
    Insert,
    Update { changes: usize },
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planned {
    pub row: usize,
    pub record: Record,
    pub action: Action,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Checks a sheet against the register and the database; nothing is written.
pub async fn check(db: &Db, kind: RegisterKind, table: &Table, scope: Scope<'_>) -> crate::Result<Result<Vec<Planned>, Vec<CellError>>> {
    let ctx = context(db).await?;
    let rows = match parse_table(kind, table, &ctx) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    plan(db, kind, &table.sheet, rows, scope).await
}

async fn plan(db: &Db, kind: RegisterKind, sheet: &str, rows: Vec<(usize, Record)>, scope: Scope<'_>) -> crate::Result<Result<Vec<Planned>, Vec<CellError>>> {
    let existing = list(db, kind).await?;
    let by_key: std::collections::HashMap<&str, &super::Stored> = existing.iter().map(|s| (s.record.key(kind), s)).collect();
    let zone_col = kind.fields().iter().position(|f| f.key == "zone").map(|i| i + 1);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (row, record) in rows {
        let old = by_key.get(record.key(kind));
        if !in_scope(scope, record.zone()) || old.is_some_and(|o| !in_scope(scope, o.record.zone())) {
            errors.push(CellError {
                sheet: sheet.to_string(),
                row,
                column: zone_col,
                field: "所在开发区".into(),
                message: "只能导入本开发区的记录（该行的开发区或已登记记录的开发区不在您的范围内）".into(),
            });
            continue;
        }
        let action = match old {
            None => Action::Insert,
            Some(o) => match diff(kind, &o.record, &record).len() {
                0 => Action::Unchanged,
                n => Action::Update { changes: n },
            },
        };
        out.push(Planned { row, record, action });
    }
    Ok(if errors.is_empty() { Ok(out) } else { Err(errors) })
}

/// Stages a clean dry run; returns its id.
pub async fn stage(db: &Db, actor: &Actor, kind: RegisterKind, file: &str, rows: &[Planned]) -> crate::Result<i64> {
    let data: Vec<(usize, &Record)> = rows.iter().map(|p| (p.row, &p.record)).collect();
    let json = serde_json::to_string(&data).expect("json");
    let at = now();
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO reg_import (register, file_name, status, rows, row_count, problem_count, actor, at)
             VALUES ($1, $2, 'staged', $3, $4, 0, $5, $6) RETURNING id")
            .bind(kind.code()).bind(file).bind(&json).bind(rows.len() as i64).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "stage_import", &format!("register:{}", kind.code()), &id.to_string(), None, Some(format!("{file}：{} 行", rows.len())))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    })
    .map_err(Into::into)
}

/// Records a refused file (nothing of it is written).
pub async fn reject(db: &Db, actor: &Actor, kind: RegisterKind, file: &str, rows: usize, problems: &[CellError]) -> crate::Result<()> {
    let at = now();
    let first = problems.first().map(|e| e.to_string()).unwrap_or_default();
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query(
            "INSERT INTO reg_import (register, file_name, status, rows, row_count, problem_count, message, actor, at)
             VALUES ($1, $2, 'rejected', '[]', $3, $4, $5, $6, $7)")
            .bind(kind.code()).bind(file).bind(rows as i64).bind(problems.len() as i64).bind(&first).bind(&actor.name).bind(at)
            .execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "reject_import", &format!("register:{}", kind.code()), file, None, Some(format!("{} 处问题", problems.len())))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })
    .map_err(Into::into)
}

/// Writes a staged import whole: re-checked against the database as it is now, then every
/// insert and update in one transaction with a history row each and one audit record.
pub async fn commit(db: &Db, actor: &Actor, kind: RegisterKind, id: i64, scope: Scope<'_>) -> crate::Result<Summary> {
    let row: Option<(String, String, String, String)> = with_pool!(db, p => sqlx::query_as(
        "SELECT register, file_name, status, rows FROM reg_import WHERE id = $1").bind(id).fetch_optional(p).await)?;
    let Some((reg, file, status, json)) = row else { return Err(StoreError::NotFound(format!("导入批次 {id}"))) };
    if reg != kind.code() {
        return Err(StoreError::NotFound(format!("{}导入批次 {id}", kind.label())));
    }
    if status != "staged" {
        return Err(StoreError::Invalid(format!("导入批次 {id} 已{}，不能再次导入", if status == "committed" { "导入" } else { "被拒绝" })));
    }
    let rows: Vec<(usize, Record)> = serde_json::from_str(&json).map_err(|e| StoreError::Invalid(format!("导入批次数据损坏：{e}")))?;
    let planned = match plan(db, kind, kind.sheet(), rows, scope).await? {
        Ok(p) => p,
        Err(errs) => return Err(StoreError::Invalid(errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"))),
    };
    let existing = list(db, kind).await?;
    let at = now();
    let mut summary = Summary::default();
    let result = with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let n = sqlx::query("UPDATE reg_import SET status = 'committed' WHERE id = $1 AND status = 'staged'").bind(id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::Invalid(format!("导入批次 {id} 已被导入")));
        }
        for pl in &planned {
            let r = &pl.record;
            let key = r.key(kind);
            let data = to_json(r);
            match &pl.action {
                Action::Unchanged => summary.unchanged += 1,
                Action::Insert => {
                    let (rid,): (i64,) = sqlx::query_as(
                        "INSERT INTO reg_record (register, key, name, zone, county, data, version, is_demo, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, 1, FALSE, $7, $7) RETURNING id")
                        .bind(kind.code()).bind(key).bind(r.name()).bind(r.zone()).bind(r.county()).bind(&data).bind(at)
                        .fetch_one(&mut *tx).await?;
                    let changes = diff(kind, &Record::default(), r);
                    sqlx::query("INSERT INTO reg_history (record_id, at, actor, action, summary, changes) VALUES ($1, $2, $3, 'create', $4, $5)")
                        .bind(rid).bind(at).bind(&actor.name).bind(format!("由“{file}”第{}行导入登记", pl.row)).bind(serde_json::to_string(&changes).expect("json"))
                        .execute(&mut *tx).await?;
                    summary.inserted += 1;
                }
                Action::Update { .. } => {
                    let old = existing.iter().find(|s| s.record.key(kind) == key).expect("planned against these");
                    let changes = diff(kind, &old.record, r);
                    let n = sqlx::query(
                        "UPDATE reg_record SET name = $1, zone = $2, county = $3, data = $4, version = version + 1, updated_at = $5
                         WHERE id = $6 AND version = $7")
                        .bind(r.name()).bind(r.zone()).bind(r.county()).bind(&data).bind(at).bind(old.id).bind(old.version)
                        .execute(&mut *tx).await?.rows_affected();
                    if n == 0 {
                        return Err(StoreError::Invalid(format!("第{}行的记录“{key}”刚被他人修改，整个文件未导入，请重新上传", pl.row)));
                    }
                    sqlx::query("INSERT INTO reg_history (record_id, at, actor, action, summary, changes) VALUES ($1, $2, $3, 'update', $4, $5)")
                        .bind(old.id).bind(at).bind(&actor.name).bind(format!("由“{file}”第{}行导入修改 {} 项", pl.row, changes.len()))
                        .bind(serde_json::to_string(&changes).expect("json"))
                        .execute(&mut *tx).await?;
                    summary.updated += 1;
                }
            }
        }
        sqlx::query("UPDATE reg_import SET message = $1 WHERE id = $2")
            .bind(format!("新增 {}，修改 {}，未变 {}", summary.inserted, summary.updated, summary.unchanged)).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "import", &format!("register:{}", kind.code()), &id.to_string(), None,
            Some(serde_json::to_string(&summary).expect("json")))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    });
    match result {
        Err(e) if e.is_unique_violation() => Err(StoreError::Invalid("文件中的编号与刚登记的记录重复，整个文件未导入，请重新上传".into())),
        Err(e) => Err(e),
        Ok(()) => Ok(summary),
    }
}

/// A past upload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub file_name: String,
    pub status: String,
    pub row_count: i64,
    pub problem_count: i64,
    pub message: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

impl ImportRecord {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "staged" => "已检查，待确认",
            "committed" => "已导入",
            _ => "有问题，未导入",
        }
    }
}

pub async fn recent(db: &Db, kind: RegisterKind, n: i64) -> crate::Result<Vec<ImportRecord>> {
    type Row = (i64, String, String, i64, i64, String, String, DateTime<Utc>);
    let rows: Vec<Row> = with_pool!(db, p => sqlx::query_as(
        "SELECT id, file_name, status, row_count, problem_count, message, actor, at FROM reg_import WHERE register = $1 ORDER BY id DESC LIMIT $2")
        .bind(kind.code()).bind(n).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, file_name, status, row_count, problem_count, message, actor, at)| ImportRecord {
            id,
            file_name,
            status,
            row_count,
            problem_count,
            message,
            actor,
            at,
        })
        .collect())
}
