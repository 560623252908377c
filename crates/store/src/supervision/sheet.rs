//! The 任务分解表 round trip: export the plan's tasks with their latest progress; an uploaded
//! sheet is checked whole (the dry run), staged, and committed all-or-nothing. Changed titles,
//! units and deadlines update the tasks; a changed 进展情况 becomes a report entered by the
//! office; rows without 序号 become new tasks (补充任务).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use nengji_core::masterdata::{CellError, Table};
use nengji_core::supervision::ledger::{units_text, LedgerTask};
use nengji_core::supervision::sheet::{self as core_sheet, SheetChange, SheetRow};
use serde::Serialize;

use super::{beijing_date, invalid, registry, stamp, Task};
use crate::audit::{json, Actor};
use crate::db::Db;
use crate::StoreError;

/// What 进展情况 shows for a task: its latest report, dated and signed.
pub fn progress_text(reports: &[super::Report]) -> String {
    reports.first().map(|r| format!("{} {}：{}", r.reported_on, r.unit_name, r.body)).unwrap_or_default()
}

/// The rows of a plan's 任务分解表 (tasks not withdrawn, by 序号), or only those of one unit.
pub async fn sheet_rows(db: &Db, plan_id: i64, unit: Option<&str>) -> crate::Result<Vec<SheetRow>> {
    let mut out = Vec::new();
    for t in super::tasks(db, Some(plan_id)).await?.into_iter().filter(|t| unit.is_none_or(|u| t.role_of(u).is_some())) {
        let reports = super::reports(db, t.id).await?;
        out.push(SheetRow {
            seq: t.seq as usize,
            task: t.title,
            lead: t.lead,
            responsible: t.responsible,
            deadline: t.deadline_text,
            progress: progress_text(&reports),
        });
    }
    Ok(out)
}

/// The dry run: every problem of the sheet by row and column, or the checked rows.
pub async fn check_upload(db: &Db, plan_id: i64, table: &Table) -> crate::Result<Result<Vec<SheetChange>, Vec<CellError>>> {
    let known: Vec<usize> = super::tasks(db, Some(plan_id)).await?.iter().map(|t| t.seq as usize).collect();
    Ok(core_sheet::read_table(table, &known, &registry(db).await?))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub plan_id: i64,
    pub file_name: String,
    pub status: String,
    pub row_count: i64,
    pub problem_count: i64,
    pub message: String,
}

impl ImportRecord {
    pub fn status_label(&self) -> &'static str {
        crate::value_imports::status_label(&self.status)
    }
}

/// One upload in the history: its file, result, counts, and (when staged) the checked rows.
struct Upload<'a> {
    plan_id: i64,
    file: &'a str,
    status: &'a str,
    rows: usize,
    problems: usize,
    message: &'a str,
    payload: Option<String>,
}

async fn insert(db: &Db, actor: &Actor, u: Upload<'_>, now: DateTime<Utc>) -> crate::Result<i64> {
    let Upload { plan_id, file, status, rows, problems, message, payload } = u;
    Ok(with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sv_import (at, actor, plan_id, file_name, status, row_count, problem_count, message, payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(stamp(now)).bind(&actor.name).bind(plan_id).bind(file).bind(status).bind(rows as i64).bind(problems as i64).bind(message).bind(payload)
            .fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, status, "sv_import", &id.to_string(), None::<String>,
            json(&serde_json::json!({"plan": plan_id, "file": file, "rows": rows, "problems": problems})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    })?)
}

/// Records an upload whose dry run found problems; nothing else is written.
pub async fn reject_import(db: &Db, actor: &Actor, plan_id: i64, file: &str, rows: usize, problems: usize, now: DateTime<Utc>) -> crate::Result<i64> {
    let message = format!("文件有 {problems} 处问题，未导入");
    insert(db, actor, Upload { plan_id, file, status: "rejected", rows, problems, message: &message, payload: None }, now).await
}

/// Keeps a clean dry run until the office confirms it.
pub async fn stage_import(db: &Db, actor: &Actor, plan_id: i64, file: &str, changes: &[SheetChange], now: DateTime<Utc>) -> crate::Result<i64> {
    insert(db, actor, Upload { plan_id, file, status: "staged", rows: changes.len(), problems: 0, message: "检查通过，待确认导入", payload: json(&changes) }, now).await
}

pub async fn imports(db: &Db, limit: i64) -> crate::Result<Vec<ImportRecord>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, ImportRecord>(
        "SELECT id, at, actor, plan_id, file_name, status, row_count, problem_count, message FROM sv_import ORDER BY id DESC LIMIT $1")
        .bind(limit).fetch_all(p).await)?)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Committed {
    pub updated: usize,
    pub added: usize,
    pub progress: usize,
}

/// What a row changes in a task, as `字段：旧 → 新`.
fn row_changes(t: &Task, c: &SheetChange) -> Vec<String> {
    let mut out = Vec::new();
    let mut cmp = |field: &str, old: String, new: String| {
        if old != new {
            out.push(format!("{field}：{old} → {new}"));
        }
    };
    cmp("重点任务", t.title.clone(), c.task.clone());
    cmp("牵头单位", units_text(&t.lead), units_text(&c.lead));
    cmp("责任单位", units_text(&t.responsible), units_text(&c.responsible));
    cmp("完成时限", t.deadline_text.clone(), c.deadline.clone());
    out
}

/// Applies a staged upload whole, then marks it committed. Only its uploader may commit it; if
/// a task it names has since been withdrawn, nothing is applied.
pub async fn commit_import(db: &Db, actor: &Actor, id: i64, now: DateTime<Utc>) -> crate::Result<Committed> {
    let row: Option<(String, String, i64, String, Option<String>)> = with_pool!(db, p => sqlx::query_as(
        "SELECT actor, status, plan_id, file_name, payload FROM sv_import WHERE id = $1").bind(id).fetch_optional(p).await)?;
    let Some((owner, status, plan_id, file, payload)) = row else { return Err(StoreError::NotFound(format!("导入批次 {id}"))) };
    if owner != actor.name {
        return Err(invalid("只能确认自己上传的文件"));
    }
    if status != "staged" {
        return Err(invalid(format!("导入批次 {id} 已处理，不能重复导入")));
    }
    let changes: Vec<SheetChange> = serde_json::from_str(payload.as_deref().unwrap_or("[]")).map_err(|e| invalid(e.to_string()))?;
    let reg = registry(db).await?;
    let ids: HashMap<String, i64> = with_pool!(db, p => sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM unit").fetch_all(p).await)?.into_iter().collect();
    let today = beijing_date(now);
    let at = stamp(now);
    let out = with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        let tasks = super::tasks(db, Some(plan_id)).await?;
        let mut next_seq = tasks.iter().map(|t| t.seq).max().unwrap_or(0);
        let extra = tasks.iter().filter(|t| t.key.starts_with("补充任务#")).count()
            + sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sv_task WHERE plan_id = $1 AND status = 'withdrawn' AND key LIKE '补充任务#%'")
                .bind(plan_id).fetch_one(&mut *tx).await? as usize;
        let mut added_keys = 0;
        let mut out = Committed::default();
        for c in &changes {
            let existing = match c.seq {
                Some(n) => Some(tasks.iter().find(|t| t.seq as usize == n)
                    .ok_or_else(|| invalid(format!("第{}行：序号 {n} 的任务已不在任务分解表中，未导入任何内容，请重新导出后再改", c.row)))?),
                None => None,
            };
            let lt = LedgerTask {
                key: String::new(),
                seq: c.seq.unwrap_or(0),
                path: String::new(),
                title: c.task.clone(),
                text: c.task.clone(),
                lead: c.lead.clone(),
                responsible: c.responsible.clone(),
                cooperating: existing.map(|t| t.cooperating.clone()).unwrap_or_default(),
                fields: Default::default(),
                deadline: c.deadline.clone(),
                line: 0,
                include: true,
            };
            let units = super::plans::resolve_units(&lt, &reg, &ids).map_err(|e| invalid(format!("第{}行：{e}", c.row)))?;
            let task_id = match existing {
                Some(t) => {
                    let what = row_changes(t, c);
                    if !what.is_empty() {
                        sqlx::query("UPDATE sv_task SET title = $1, lead = $2, responsible = $3, deadline_text = $4, deadline = $5, version = version + 1 WHERE id = $6")
                            .bind(&c.task).bind(json(&c.lead)).bind(json(&c.responsible)).bind(&c.deadline).bind(c.deadline_date).bind(t.id)
                            .execute(&mut *tx).await?;
                        event!(&mut *tx, t.id, actor, "import", &format!("任务分解表导入（{file} 第{}行）：{}", c.row, what.join("；")))?;
                        audit!(&mut *tx, actor, "update", "sv_task", &t.id.to_string(), None::<String>, json(&serde_json::json!({"import": id, "row": c.row, "changes": what})))?;
                        out.updated += 1;
                    }
                    t.id
                }
                None => {
                    next_seq += 1;
                    added_keys += 1;
                    let key = format!("补充任务#{}", extra + added_keys);
                    let tid: i64 = sqlx::query_scalar(
                        "INSERT INTO sv_task (plan_id, key, seq, path, title, body, lead, responsible, cooperating, fields, deadline_text, deadline, starts_on, status)
                         VALUES ($1, $2, $3, '补充任务', $4, $4, $5, $6, '[]', '{}', $7, $8, $9, 'open') RETURNING id")
                        .bind(plan_id).bind(&key).bind(next_seq).bind(&c.task).bind(json(&c.lead)).bind(json(&c.responsible))
                        .bind(&c.deadline).bind(c.deadline_date).bind(today).fetch_one(&mut *tx).await?;
                    event!(&mut *tx, tid, actor, "import", &format!("任务分解表导入（{file} 第{}行）：新增第{next_seq}项任务", c.row))?;
                    audit!(&mut *tx, actor, "create", "sv_task", &tid.to_string(), None::<String>, json(&serde_json::json!({"import": id, "row": c.row, "task": c.task})))?;
                    out.added += 1;
                    tid
                }
            };
            sqlx::query("DELETE FROM sv_task_unit WHERE task_id = $1").bind(task_id).execute(&mut *tx).await?;
            for (unit_id, role) in &units {
                sqlx::query("INSERT INTO sv_task_unit (task_id, unit_id, role) VALUES ($1, $2, $3)").bind(task_id).bind(unit_id).bind(role.code()).execute(&mut *tx).await?;
            }
            let current = match existing {
                Some(t) => progress_text(&super::reports(db, t.id).await?),
                None => String::new(),
            };
            if !c.progress.is_empty() && c.progress != current {
                let rid: i64 = sqlx::query_scalar(
                    "INSERT INTO sv_report (task_id, unit_id, body, request_close, source, reported_on, created_by, created_at)
                     VALUES ($1, NULL, $2, FALSE, 'import', $3, $4, $5) RETURNING id")
                    .bind(task_id).bind(&c.progress).bind(today).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
                event!(&mut *tx, task_id, actor, "report", &format!("任务分解表导入进展情况（{file} 第{}行）：{}", c.row, c.progress))?;
                audit!(&mut *tx, actor, "create", "sv_report", &rid.to_string(), None::<String>, json(&serde_json::json!({"task": task_id, "import": id, "body": c.progress})))?;
                out.progress += 1;
            }
        }
        let msg = format!("已导入：修改任务 {} 项，新增任务 {} 项，进展情况 {} 条", out.updated, out.added, out.progress);
        sqlx::query("UPDATE sv_import SET status = 'committed', message = $1, payload = NULL WHERE id = $2").bind(&msg).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "commit", "sv_import", &id.to_string(), Some("{\"status\":\"staged\"}".into()), json(&serde_json::json!({"status": "committed", "result": out})))?;
        tx.commit().await?;
        Ok::<_, StoreError>(out)
    })?;
    super::refresh(db, None, now).await?;
    Ok(out)
}
