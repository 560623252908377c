//! Review before adoption: a parsed plan is kept as a draft ledger beside its source text, edited
//! field by field, and adopted as tasks and targets. A draft that revises an adopted plan is
//! adopted onto it: tasks are matched by key, so reports and history stay with them; tasks the
//! revision drops are withdrawn, not deleted.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use nengji_core::plan::{self, Comparator};
use nengji_core::supervision::ledger::{self, Ledger, LedgerTarget, LedgerTask};
use nengji_core::supervision::Role;
use serde::Serialize;

use super::{beijing_date, invalid, registry, stamp, TaskStatus};
use crate::audit::{json, Actor};
use crate::db::Db;
use crate::{masterdata, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct PlanInfo {
    pub id: i64,
    pub name: String,
    pub revision: i64,
    /// The draft last adopted (its source text gives the outline's headings).
    pub draft_id: Option<i64>,
    pub adopted_by: String,
    pub adopted_at: DateTime<Utc>,
    pub tasks: i64,
    pub targets: i64,
}

/// Adopted plans, newest first.
pub async fn plans(db: &Db) -> crate::Result<Vec<PlanInfo>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, PlanInfo>(
        "SELECT p.id, p.name, p.revision, p.draft_id, p.adopted_by, p.adopted_at,
                (SELECT COUNT(*) FROM sv_task t WHERE t.plan_id = p.id AND t.status <> 'withdrawn') AS tasks,
                (SELECT COUNT(*) FROM sv_target g WHERE g.plan_id = p.id AND g.status = 'active') AS targets
         FROM sv_plan p ORDER BY p.id DESC").fetch_all(p).await)?)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub id: i64,
    /// The adopted plan this draft revises.
    pub plan_id: Option<i64>,
    pub name: String,
    pub source: String,
    pub ledger: Ledger,
    /// The parser's warnings (`第12行：…`).
    pub warnings: Vec<String>,
    pub status: String,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl Draft {
    pub fn status_label(&self) -> &'static str {
        status_label(&self.status)
    }
}

fn status_label(s: &str) -> &'static str {
    match s {
        "adopted" => "已采用",
        "discarded" => "已废弃",
        _ => "待审核",
    }
}

#[derive(sqlx::FromRow)]
struct DraftRecord {
    id: i64,
    plan_id: Option<i64>,
    name: String,
    source: String,
    ledger: String,
    warnings: String,
    status: String,
    version: i64,
    created_by: String,
    created_at: DateTime<Utc>,
    updated_by: String,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftInfo {
    pub id: i64,
    pub plan_id: Option<i64>,
    pub name: String,
    pub status: String,
    pub status_label: &'static str,
    pub tasks: usize,
    pub targets: usize,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

fn decode(r: DraftRecord) -> crate::Result<Draft> {
    Ok(Draft {
        ledger: serde_json::from_str(&r.ledger).map_err(|e| invalid(format!("草稿 {} 的任务台账无法读取：{e}", r.id)))?,
        warnings: serde_json::from_str(&r.warnings).unwrap_or_default(),
        id: r.id,
        plan_id: r.plan_id,
        name: r.name,
        source: r.source,
        status: r.status,
        version: r.version,
        created_by: r.created_by,
        created_at: r.created_at,
        updated_by: r.updated_by,
        updated_at: r.updated_at,
    })
}

const DRAFT_SELECT: &str = "SELECT id, plan_id, name, source, ledger, warnings, status, version, created_by, created_at, updated_by, updated_at FROM sv_draft";

pub async fn draft(db: &Db, id: i64) -> crate::Result<Draft> {
    let sql = format!("{DRAFT_SELECT} WHERE id = $1");
    let r = with_pool!(db, p => sqlx::query_as::<_, DraftRecord>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
    decode(r.ok_or_else(|| StoreError::NotFound(format!("方案草稿 {id}")))?)
}

/// Drafts, newest first.
pub async fn drafts(db: &Db) -> crate::Result<Vec<DraftInfo>> {
    let sql = format!("{DRAFT_SELECT} ORDER BY id DESC");
    let rows = with_pool!(db, p => sqlx::query_as::<_, DraftRecord>(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    rows.into_iter()
        .map(|r| {
            let d = decode(r)?;
            Ok(DraftInfo {
                id: d.id,
                plan_id: d.plan_id,
                status_label: status_label(&d.status),
                tasks: d.ledger.tasks.iter().filter(|t| t.include).count(),
                targets: d.ledger.targets.iter().filter(|t| t.include).count(),
                name: d.name,
                status: d.status,
                created_by: d.created_by,
                created_at: d.created_at,
            })
        })
        .collect()
}

/// Parses plan text into a new draft. With `revises`, the draft is a revision of that adopted
/// plan and keeps the deadlines the office set where the new text gives none.
pub async fn create_draft(db: &Db, actor: &Actor, name: &str, text: &str, revises: Option<i64>, now: DateTime<Utc>) -> crate::Result<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid("方案名称不能为空"));
    }
    if text.trim().is_empty() {
        return Err(invalid("方案内容是空的"));
    }
    let indicators: Vec<_> = masterdata::list_indicators(db).await?.into_iter().map(|i| i.indicator).collect();
    let parsed = plan::parse_with(text, &indicators);
    let mut l = ledger::from_plan(&parsed);
    if let Some(plan_id) = revises {
        if !plans(db).await?.iter().any(|p| p.id == plan_id) {
            return Err(StoreError::NotFound(format!("已采用的方案 {plan_id}")));
        }
        ledger::carry_over(&mut l, &adopted_ledger(db, plan_id).await?);
    }
    let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
    let at = stamp(now);
    Ok(with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sv_draft (plan_id, name, source, ledger, warnings, status, version, created_by, created_at, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'draft', 1, $6, $7, $6, $7) RETURNING id")
            .bind(revises).bind(name).bind(text).bind(json(&l)).bind(json(&warnings)).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", "sv_draft", &id.to_string(), None::<String>,
            json(&serde_json::json!({"name": name, "revises": revises, "tasks": l.tasks.len(), "targets": l.targets.len()})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    })?)
}

/// Saves the reviewed ledger. `expected_version` refuses a save over someone else's.
pub async fn save_draft(db: &Db, actor: &Actor, id: i64, expected_version: i64, l: &Ledger, now: DateTime<Utc>) -> crate::Result<i64> {
    let d = draft(db, id).await?;
    if d.status != "draft" {
        return Err(invalid(format!("草稿{}，不能再修改", d.status_label())));
    }
    if d.version != expected_version {
        return Err(invalid(format!("保存被拒绝：该草稿已被 {} 修改，请刷新后重新修改", d.updated_by)));
    }
    // Keys, lines and source positions come from the parse; the office edits the rest.
    if l.tasks.len() != d.ledger.tasks.len() || l.tasks.iter().zip(&d.ledger.tasks).any(|(a, b)| a.key != b.key) {
        return Err(invalid("提交的任务与草稿不一致，请刷新后重新修改"));
    }
    let changed = ledger::diff(&d.ledger, l);
    Ok(with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE sv_draft SET ledger = $1, version = version + 1, updated_by = $2, updated_at = $3 WHERE id = $4 AND version = $5")
            .bind(json(l)).bind(&actor.name).bind(stamp(now)).bind(id).bind(expected_version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(invalid("保存被拒绝：该草稿刚被他人修改，请刷新后重新修改"));
        }
        audit!(&mut *tx, actor, "update", "sv_draft", &id.to_string(), None::<String>, json(&changed))?;
        tx.commit().await?;
        Ok::<_, StoreError>(expected_version + 1)
    })?)
}

/// The ledger of an adopted plan as it stands (tasks and targets not withdrawn), for diffs.
pub async fn adopted_ledger(db: &Db, plan_id: i64) -> crate::Result<Ledger> {
    let tasks = super::tasks(db, Some(plan_id)).await?;
    let targets: Vec<TargetRecord> = with_pool!(db, p => sqlx::query_as::<_, TargetRecord>(
        "SELECT key, path, text, year, indicator, indicator_code, value, unit, comparator, per_year, task_key FROM sv_target
         WHERE plan_id = $1 AND status = 'active' ORDER BY id").bind(plan_id).fetch_all(p).await)?;
    Ok(Ledger {
        tasks: tasks
            .into_iter()
            .map(|t| LedgerTask {
                key: t.key,
                seq: t.seq as usize,
                path: t.path,
                title: t.title,
                text: t.body,
                lead: t.lead,
                responsible: t.responsible,
                cooperating: t.cooperating,
                fields: t.fields,
                deadline: t.deadline_text,
                line: 0,
                include: true,
            })
            .collect(),
        targets: targets
            .into_iter()
            .map(|g| LedgerTarget {
                key: g.key,
                path: g.path,
                text: g.text,
                year: g.year.map(|y| y as i32),
                indicator: g.indicator,
                value: g.value,
                unit: g.unit,
                comparator: serde_json::from_value(serde_json::Value::String(g.comparator)).unwrap_or(Comparator::Eq),
                per_year: g.per_year,
                indicator_code: g.indicator_code,
                task: g.task_key,
                line: 0,
                include: true,
            })
            .collect(),
    })
}

#[derive(sqlx::FromRow)]
struct TargetRecord {
    key: String,
    path: String,
    text: String,
    year: Option<i64>,
    indicator: String,
    indicator_code: Option<String>,
    value: f64,
    unit: String,
    comparator: String,
    per_year: bool,
    task_key: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Adopted {
    pub plan_id: i64,
    pub added: usize,
    pub changed: usize,
    pub withdrawn: usize,
    pub targets: usize,
}

/// Resolves every unit of a task to (unit id, role), collectives expanded, each unit once per role.
pub(super) fn resolve_units(t: &LedgerTask, reg: &plan::Registry, ids: &HashMap<String, i64>) -> crate::Result<Vec<(i64, Role)>> {
    let mut out: Vec<(i64, Role)> = Vec::new();
    for (role, names) in [(Role::Lead, &t.lead), (Role::Responsible, &t.responsible), (Role::Cooperating, &t.cooperating)] {
        let (codes, unknown) = reg.expand(names);
        if let Some(u) = unknown.first() {
            return Err(invalid(format!("第{}项任务的“{u}”不在单位名录中", t.seq)));
        }
        for c in codes {
            let id = *ids.get(&c).ok_or_else(|| invalid(format!("单位“{c}”不存在")))?;
            if !out.contains(&(id, role)) {
                out.push((id, role));
            }
        }
    }
    Ok(out)
}

/// Adopts a reviewed draft in one transaction: every problem of [`ledger::check`] refuses it
/// whole. A new plan gets its tasks (序号 renumbered over the ticked ones) starting on the day
/// of `now`; a revision updates matching tasks, adds new ones and withdraws dropped ones.
pub async fn adopt(db: &Db, actor: &Actor, id: i64, expected_version: i64, now: DateTime<Utc>) -> crate::Result<Adopted> {
    let d = draft(db, id).await?;
    if d.status != "draft" {
        return Err(invalid(format!("草稿{}，不能再次采用", d.status_label())));
    }
    if d.version != expected_version {
        return Err(invalid(format!("采用被拒绝：该草稿已被 {} 修改，请刷新后核对", d.updated_by)));
    }
    let reg = registry(db).await?;
    let problems = ledger::check(&d.ledger, &reg);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        return Err(invalid(format!("有 {} 处问题，未采用：{}", list.len(), list.join("；"))));
    }
    let ids: HashMap<String, i64> = with_pool!(db, p => sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM unit").fetch_all(p).await)?.into_iter().collect();
    let adopted = match d.plan_id {
        Some(pid) => adopted_ledger(db, pid).await?,
        None => Ledger::default(),
    };
    let diff = ledger::diff(&adopted, &d.ledger);
    let today = beijing_date(now);
    let at = stamp(now);
    let tasks: Vec<&LedgerTask> = d.ledger.tasks.iter().filter(|t| t.include).collect();
    let mut resolved = Vec::new();
    for t in &tasks {
        resolved.push(resolve_units(t, &reg, &ids)?);
        ledger::parse_deadline(&t.deadline).map_err(invalid)?;
    }
    let targets: Vec<&LedgerTarget> = d.ledger.targets.iter().filter(|g| g.include).collect();
    let name = d.name.clone();
    let summary = with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        let plan_id: i64 = match d.plan_id {
            Some(pid) => {
                sqlx::query("UPDATE sv_plan SET revision = revision + 1, name = $1, draft_id = $2, adopted_by = $3, adopted_at = $4 WHERE id = $5")
                    .bind(&name).bind(id).bind(&actor.name).bind(at).bind(pid).execute(&mut *tx).await?;
                pid
            }
            None => sqlx::query_scalar("INSERT INTO sv_plan (name, revision, draft_id, adopted_by, adopted_at) VALUES ($1, 1, $2, $3, $4) RETURNING id")
                .bind(&name).bind(id).bind(&actor.name).bind(at).fetch_one(&mut *tx).await?,
        };
        let existing: Vec<(i64, String, String)> = sqlx::query_as("SELECT id, key, status FROM sv_task WHERE plan_id = $1")
            .bind(plan_id).fetch_all(&mut *tx).await?;
        let mut out = Adopted { plan_id, ..Adopted::default() };
        for (i, (t, units)) in tasks.iter().zip(&resolved).enumerate() {
            let seq = i as i64 + 1;
            let deadline: Option<NaiveDate> = ledger::parse_deadline(&t.deadline).ok().flatten();
            let (lead, resp, coop, fields) = (json(&t.lead), json(&t.responsible), json(&t.cooperating), json(&t.fields));
            let change = diff.tasks.iter().find(|c| c.key == t.key);
            let task_id = match existing.iter().find(|(_, k, _)| *k == t.key) {
                Some((tid, _, status)) => {
                    let revived = status == TaskStatus::Withdrawn.code();
                    sqlx::query(
                        "UPDATE sv_task SET seq = $1, path = $2, title = $3, body = $4, lead = $5, responsible = $6, cooperating = $7, fields = $8,
                             deadline_text = $9, deadline = $10, status = CASE WHEN status = 'withdrawn' THEN 'open' ELSE status END, version = version + 1
                         WHERE id = $11")
                        .bind(seq).bind(&t.path).bind(&t.title).bind(&t.text).bind(&lead).bind(&resp).bind(&coop).bind(&fields)
                        .bind(t.deadline.trim()).bind(deadline).bind(tid).execute(&mut *tx).await?;
                    if let Some(c) = change.filter(|_| !revived) {
                        let what: Vec<String> = c.fields.iter().map(|f| format!("{}：{} → {}", f.field, f.old, f.new)).collect();
                        event!(&mut *tx, *tid, actor, "revise", &format!("方案修订（草稿 {id}）：{}", what.join("；")))?;
                        audit!(&mut *tx, actor, "update", "sv_task", &tid.to_string(), None::<String>, json(&c.fields))?;
                        out.changed += 1;
                    } else if revived {
                        event!(&mut *tx, *tid, actor, "revise", &format!("方案修订（草稿 {id}）：恢复任务"))?;
                        audit!(&mut *tx, actor, "restore", "sv_task", &tid.to_string(), Some("{\"status\":\"withdrawn\"}".into()), json(t))?;
                        out.added += 1;
                    }
                    *tid
                }
                None => {
                    let tid: i64 = sqlx::query_scalar(
                        "INSERT INTO sv_task (plan_id, key, seq, path, title, body, lead, responsible, cooperating, fields, deadline_text, deadline, starts_on, status)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'open') RETURNING id")
                        .bind(plan_id).bind(&t.key).bind(seq).bind(&t.path).bind(&t.title).bind(&t.text).bind(&lead).bind(&resp).bind(&coop)
                        .bind(&fields).bind(t.deadline.trim()).bind(deadline).bind(today).fetch_one(&mut *tx).await?;
                    event!(&mut *tx, tid, actor, "adopt", &format!("采用任务分解（草稿 {id}）：第{seq}项 {} {}", t.path, t.title))?;
                    audit!(&mut *tx, actor, "create", "sv_task", &tid.to_string(), None::<String>, json(t))?;
                    out.added += 1;
                    tid
                }
            };
            sqlx::query("DELETE FROM sv_task_unit WHERE task_id = $1").bind(task_id).execute(&mut *tx).await?;
            for (unit_id, role) in units.iter() {
                sqlx::query("INSERT INTO sv_task_unit (task_id, unit_id, role) VALUES ($1, $2, $3)")
                    .bind(task_id).bind(unit_id).bind(role.code()).execute(&mut *tx).await?;
            }
        }
        for (tid, key, status) in &existing {
            if status != TaskStatus::Withdrawn.code() && !tasks.iter().any(|t| &t.key == key) {
                sqlx::query("UPDATE sv_task SET status = 'withdrawn', version = version + 1 WHERE id = $1").bind(tid).execute(&mut *tx).await?;
                event!(&mut *tx, *tid, actor, "withdraw", &format!("方案修订（草稿 {id}）删除了该任务，任务撤销，历史保留"))?;
                audit!(&mut *tx, actor, "withdraw", "sv_task", &tid.to_string(), Some(format!("{{\"status\":\"{status}\"}}")), Some("{\"status\":\"withdrawn\"}".into()))?;
                out.withdrawn += 1;
            }
        }
        sqlx::query("UPDATE sv_target SET status = 'withdrawn' WHERE plan_id = $1").bind(plan_id).execute(&mut *tx).await?;
        for g in &targets {
            sqlx::query(
                "INSERT INTO sv_target (plan_id, key, path, text, year, indicator, indicator_code, value, unit, comparator, per_year, task_key, status)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active')
                 ON CONFLICT (plan_id, key) DO UPDATE SET path = $3, text = $4, year = $5, indicator = $6, indicator_code = $7, value = $8,
                     unit = $9, comparator = $10, per_year = $11, task_key = $12, status = 'active'")
                .bind(plan_id).bind(&g.key).bind(&g.path).bind(&g.text).bind(g.year.map(i64::from)).bind(&g.indicator).bind(&g.indicator_code)
                .bind(g.value).bind(&g.unit).bind(g.comparator.symbol()).bind(g.per_year).bind(&g.task).execute(&mut *tx).await?;
        }
        out.targets = targets.len();
        audit!(&mut *tx, actor, "adopt", "sv_target", &plan_id.to_string(), None::<String>, json(&diff.targets))?;
        sqlx::query("UPDATE sv_draft SET status = 'adopted', version = version + 1, updated_by = $1, updated_at = $2 WHERE id = $3")
            .bind(&actor.name).bind(at).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "adopt", "sv_draft", &id.to_string(), Some("{\"status\":\"draft\"}".into()),
            json(&serde_json::json!({"status": "adopted", "plan": plan_id, "added": out.added, "changed": out.changed, "withdrawn": out.withdrawn, "targets": out.targets})))?;
        tx.commit().await?;
        Ok::<_, StoreError>(out)
    })?;
    super::refresh(db, None, now).await?;
    Ok(summary)
}
