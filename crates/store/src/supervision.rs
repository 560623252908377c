//! The plan ledger and its supervision (任务分解与督办): parsed plans under review and their
//! adoption as tasks and targets; milestones and deadlines; progress reports with attachments;
//! lights (automatic from the rules, or set by the office with a reason); due-soon and overdue
//! alerts repeated until answered; 催办 with read receipts and replies; escalation to the
//! leader; 销号 with a rating; each task's history; the 任务分解表 round trip; deduction inputs.
//!
//! Every write takes the `sv_setting` lock row first, so a sweep and a report never interleave,
//! and writes its audit record and the task's history event in the same transaction. Times
//! are passed in (`now`) so the rules can be tested on any date; dates are Beijing dates.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use nengji_core::plan::Registry;
use nengji_core::supervision::{self as sv, Assessment, Facts, Light, Milestone, Role, Rules};
use serde::Serialize;

use crate::audit::{json, Actor};
use crate::db::Db;
use crate::masterdata;
use crate::StoreError;

/// Appends a line to a task's history on the open transaction.
macro_rules! event {
    ($conn:expr, $task:expr, $actor:expr, $kind:expr, $summary:expr) => {
        sqlx::query("INSERT INTO sv_event (task_id, at, actor, kind, summary) VALUES ($1, $2, $3, $4, $5)")
            .bind($task)
            .bind($crate::audit::now())
            .bind(&$actor.name)
            .bind($kind)
            .bind($summary)
            .execute($conn)
            .await
    };
}

/// Takes the supervision lock row: writers (and sweeps) run one after another on both engines.
macro_rules! sv_lock {
    ($conn:expr) => {
        sqlx::query("UPDATE sv_setting SET value = value WHERE key = 'lock'").execute($conn).await
    };
}

pub mod demo;
pub mod plans;
pub mod sheet;

pub use demo::load_demo;
pub use plans::{adopt, adopted_ledger, create_draft, draft, drafts, plans, save_draft, Adopted, Draft, DraftInfo, PlanInfo};

/// The Beijing date of an instant.
pub fn beijing_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).date_naive()
}

fn stamp(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::Invalid(m.into())
}

/// Name of the system actor for automatic changes.
pub const RULES_ACTOR: &str = "督办规则";

// ---------------------------------------------------------------------------------------------
// Settings and the registry

pub async fn rules(db: &Db) -> crate::Result<Rules> {
    let v: Option<String> = with_pool!(db, p => sqlx::query_scalar("SELECT value FROM sv_setting WHERE key = 'rules'").fetch_optional(p).await)?;
    Ok(v.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

pub async fn set_rules(db: &Db, actor: &Actor, r: &Rules) -> crate::Result<()> {
    r.check().map_err(invalid)?;
    let old = rules(db).await?;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        sqlx::query("INSERT INTO sv_setting (key, value) VALUES ('rules', $1) ON CONFLICT (key) DO UPDATE SET value = $1")
            .bind(json(r)).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "update", "sv_setting", "rules", json(&old), json(r))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// The units registry as stored (the office may have added units and aliases).
pub async fn registry(db: &Db) -> crate::Result<Registry> {
    Ok(Registry::new(masterdata::list_units(db).await?, masterdata::list_collectives(db).await?))
}

// ---------------------------------------------------------------------------------------------
// Tasks

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    /// A unit asked for 销号; the office reviews it.
    Closing,
    Closed,
    /// Dropped by a revision of the plan; its history is kept.
    Withdrawn,
}

impl TaskStatus {
    pub fn parse(s: &str) -> TaskStatus {
        match s {
            "closing" => TaskStatus::Closing,
            "closed" => TaskStatus::Closed,
            "withdrawn" => TaskStatus::Withdrawn,
            _ => TaskStatus::Open,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Closing => "closing",
            TaskStatus::Closed => "closed",
            TaskStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Open => "推进中",
            TaskStatus::Closing => "申请销号",
            TaskStatus::Closed => "已销号",
            TaskStatus::Withdrawn => "已撤销",
        }
    }
    pub fn active(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::Closing)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskUnit {
    pub code: String,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneRow {
    pub id: i64,
    pub title: String,
    pub due: NaiveDate,
    pub reached: Option<NaiveDate>,
    pub reached_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub id: i64,
    pub plan_id: i64,
    pub key: String,
    pub seq: i64,
    pub path: String,
    pub title: String,
    pub body: String,
    /// Units as written in the plan (collectives not expanded).
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    pub cooperating: Vec<String>,
    pub fields: BTreeMap<String, String>,
    pub deadline_text: String,
    pub deadline: Option<NaiveDate>,
    pub starts_on: NaiveDate,
    pub status: TaskStatus,
    pub manual: Option<(Light, String)>,
    pub rating: Option<String>,
    pub closing_comment: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<String>,
    pub version: i64,
    /// Resolved units, collectives expanded.
    pub units: Vec<TaskUnit>,
    pub milestones: Vec<MilestoneRow>,
    /// The latest report day per unit code (`""`: the office's own entries).
    pub last_reports: BTreeMap<String, NaiveDate>,
}

impl Task {
    /// The top-level section of the plan (一 … 八); `补充任务` for tasks added later.
    pub fn section(&self) -> &str {
        self.path.split('/').next().unwrap_or("")
    }

    pub fn last_report(&self) -> Option<NaiveDate> {
        self.last_reports.values().max().copied()
    }

    pub fn facts(&self) -> Facts {
        Facts {
            start: Some(self.starts_on),
            deadline: self.deadline,
            milestones: self.milestones.iter().map(|m| Milestone { title: m.title.clone(), due: m.due, reached: m.reached }).collect(),
            last_report: self.last_report(),
            closed: if self.status == TaskStatus::Closed { self.closed_on } else { None },
        }
    }

    /// The light today: the office's manual light if set, else the rules'.
    pub fn assess(&self, today: NaiveDate, rules: &Rules) -> Assessment {
        sv::with_manual(sv::assess(&self.facts(), today, rules), self.manual.as_ref().map(|(l, r)| (*l, r.as_str())))
    }

    /// The unit's part in the task, if any (its strongest part when it has several).
    pub fn role_of(&self, unit: &str) -> Option<Role> {
        self.units.iter().filter(|u| u.code == unit).map(|u| u.role).min()
    }

    /// Lead and responsible units report and answer urges.
    pub fn reporting_units(&self) -> Vec<&TaskUnit> {
        let mut seen = Vec::new();
        self.units.iter().filter(|u| u.role.reports() && !seen.contains(&u.code) && { seen.push(u.code.clone()); true }).collect()
    }
}

#[derive(sqlx::FromRow)]
struct TaskRecord {
    id: i64,
    plan_id: i64,
    key: String,
    seq: i64,
    path: String,
    title: String,
    body: String,
    lead: String,
    responsible: String,
    cooperating: String,
    fields: String,
    deadline_text: String,
    deadline: Option<NaiveDate>,
    starts_on: NaiveDate,
    status: String,
    manual_light: Option<String>,
    manual_reason: Option<String>,
    rating: Option<String>,
    closing_comment: Option<String>,
    closed_on: Option<NaiveDate>,
    closed_by: Option<String>,
    version: i64,
}

const TASK_SELECT: &str = "SELECT id, plan_id, key, seq, path, title, body, lead, responsible, cooperating, fields, deadline_text,
     deadline, starts_on, status, manual_light, manual_reason, rating, closing_comment, closed_on, closed_by, version FROM sv_task";

fn list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Tasks (withdrawn ones only when asked), in plan and 序号 order, with units, milestones and
/// report days; `plan` narrows to one plan, `id` to one task.
async fn load(db: &Db, plan: Option<i64>, id: Option<i64>, withdrawn: bool) -> crate::Result<Vec<Task>> {
    let sql = format!(
        "{TASK_SELECT} WHERE (CAST($1 AS BIGINT) IS NULL OR plan_id = $1) AND (CAST($2 AS BIGINT) IS NULL OR id = $2)
         AND ($3 OR status <> 'withdrawn') ORDER BY plan_id, seq, id"
    );
    let rows = with_pool!(db, p => sqlx::query_as::<_, TaskRecord>(sqlx::AssertSqlSafe(sql)).bind(plan).bind(id).bind(withdrawn).fetch_all(p).await)?;
    let units: Vec<(i64, String, String, String)> = with_pool!(db, p => sqlx::query_as(
        "SELECT tu.task_id, u.code, u.name, tu.role FROM sv_task_unit tu JOIN unit u ON u.id = tu.unit_id
         WHERE (CAST($1 AS BIGINT) IS NULL OR tu.task_id = $1)
         ORDER BY tu.task_id, CASE tu.role WHEN 'lead' THEN 0 WHEN 'responsible' THEN 1 ELSE 2 END, u.sort_order, u.id")
        .bind(id).fetch_all(p).await)?;
    type MilestoneRecord = (i64, i64, String, NaiveDate, Option<NaiveDate>, Option<String>);
    let milestones: Vec<MilestoneRecord> = with_pool!(db, p => sqlx::query_as(
        "SELECT id, task_id, title, due_on, reached_on, reached_by FROM sv_milestone
         WHERE removed = FALSE AND (CAST($1 AS BIGINT) IS NULL OR task_id = $1) ORDER BY due_on, id")
        .bind(id).fetch_all(p).await)?;
    let reports: Vec<(i64, Option<String>, NaiveDate)> = with_pool!(db, p => sqlx::query_as(
        "SELECT r.task_id, u.code, r.reported_on FROM sv_report r LEFT JOIN unit u ON u.id = r.unit_id
         WHERE CAST($1 AS BIGINT) IS NULL OR r.task_id = $1")
        .bind(id).fetch_all(p).await)?;
    let mut by_task_units: HashMap<i64, Vec<TaskUnit>> = HashMap::new();
    for (t, code, name, role) in units {
        by_task_units.entry(t).or_default().push(TaskUnit { code, name, role: Role::parse(&role).unwrap_or(Role::Cooperating) });
    }
    let mut by_task_ms: HashMap<i64, Vec<MilestoneRow>> = HashMap::new();
    for (mid, t, title, due, reached, by) in milestones {
        by_task_ms.entry(t).or_default().push(MilestoneRow { id: mid, title, due, reached, reached_by: by });
    }
    let mut by_task_reports: HashMap<i64, BTreeMap<String, NaiveDate>> = HashMap::new();
    for (t, unit, on) in reports {
        let e = by_task_reports.entry(t).or_default().entry(unit.unwrap_or_default()).or_insert(on);
        *e = (*e).max(on);
    }
    Ok(rows
        .into_iter()
        .map(|r| Task {
            units: by_task_units.remove(&r.id).unwrap_or_default(),
            milestones: by_task_ms.remove(&r.id).unwrap_or_default(),
            last_reports: by_task_reports.remove(&r.id).unwrap_or_default(),
            id: r.id,
            plan_id: r.plan_id,
            key: r.key,
            seq: r.seq,
            path: r.path,
            title: r.title,
            body: r.body,
            lead: list(&r.lead),
            responsible: list(&r.responsible),
            cooperating: list(&r.cooperating),
            fields: serde_json::from_str(&r.fields).unwrap_or_default(),
            deadline_text: r.deadline_text,
            deadline: r.deadline,
            starts_on: r.starts_on,
            status: TaskStatus::parse(&r.status),
            manual: r.manual_light.as_deref().and_then(Light::parse).map(|l| (l, r.manual_reason.unwrap_or_default())),
            rating: r.rating,
            closing_comment: r.closing_comment,
            closed_on: r.closed_on,
            closed_by: r.closed_by,
            version: r.version,
        })
        .collect())
}

/// Every task that is not withdrawn, optionally of one plan.
pub async fn tasks(db: &Db, plan: Option<i64>) -> crate::Result<Vec<Task>> {
    load(db, plan, None, false).await
}

/// The tasks a unit has any part in (lead, responsible or cooperating, collectives expanded).
pub async fn tasks_of_unit(db: &Db, unit: &str) -> crate::Result<Vec<Task>> {
    Ok(tasks(db, None).await?.into_iter().filter(|t| t.role_of(unit).is_some()).collect())
}

pub async fn task(db: &Db, id: i64) -> crate::Result<Task> {
    load(db, None, Some(id), true).await?.pop().ok_or_else(|| StoreError::NotFound(format!("任务 {id}")))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub id: i64,
    /// `None`: entered by the office.
    pub unit: Option<String>,
    pub unit_name: String,
    pub body: String,
    pub milestone: Option<String>,
    pub request_close: bool,
    pub source: String,
    pub reported_on: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ReportRecord {
    id: i64,
    unit: Option<String>,
    unit_name: Option<String>,
    body: String,
    milestone: Option<String>,
    request_close: bool,
    source: String,
    reported_on: NaiveDate,
    created_by: String,
    created_at: DateTime<Utc>,
    file_name: Option<String>,
    file_size: Option<i64>,
}

/// A task's progress reports, newest first.
pub async fn reports(db: &Db, task_id: i64) -> crate::Result<Vec<Report>> {
    let rows = with_pool!(db, p => sqlx::query_as::<_, ReportRecord>(
        "SELECT r.id, u.code AS unit, u.name AS unit_name, r.body, m.title AS milestone, r.request_close, r.source, r.reported_on,
                r.created_by, r.created_at, r.file_name, CAST(LENGTH(r.file_data) AS BIGINT) AS file_size
         FROM sv_report r LEFT JOIN unit u ON u.id = r.unit_id LEFT JOIN sv_milestone m ON m.id = r.milestone_id
         WHERE r.task_id = $1 ORDER BY r.created_at DESC, r.id DESC").bind(task_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Report {
            id: r.id,
            unit_name: r.unit_name.unwrap_or_else(|| "市开发区办（代录）".into()),
            unit: r.unit,
            body: r.body,
            milestone: r.milestone,
            request_close: r.request_close,
            source: r.source,
            reported_on: r.reported_on,
            created_by: r.created_by,
            created_at: r.created_at,
            file_name: r.file_name,
            file_size: r.file_size,
        })
        .collect())
}

/// A report's attachment: (file name, content type, bytes).
pub async fn attachment(db: &Db, task_id: i64, report_id: i64) -> crate::Result<Option<(String, String, Vec<u8>)>> {
    type FileRecord = (Option<String>, Option<String>, Option<Vec<u8>>);
    let row: Option<FileRecord> = with_pool!(db, p => sqlx::query_as(
        "SELECT file_name, file_type, file_data FROM sv_report WHERE task_id = $1 AND id = $2").bind(task_id).bind(report_id).fetch_optional(p).await)?;
    Ok(row.and_then(|(n, t, d)| Some((n?, t.unwrap_or_else(|| "application/octet-stream".into()), d?))))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Channel {
    System,
    Phone,
    Sms,
    Document,
    Meeting,
}

impl Channel {
    pub const ALL: [Channel; 5] = [Channel::System, Channel::Phone, Channel::Sms, Channel::Document, Channel::Meeting];
    pub fn code(self) -> &'static str {
        match self {
            Channel::System => "system",
            Channel::Phone => "phone",
            Channel::Sms => "sms",
            Channel::Document => "document",
            Channel::Meeting => "meeting",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::System => "系统通知",
            Channel::Phone => "电话",
            Channel::Sms => "短信",
            Channel::Document => "督办通知书",
            Channel::Meeting => "约谈/会议",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Urge {
    pub id: i64,
    pub task_id: i64,
    pub task_seq: i64,
    pub task_title: String,
    pub unit: String,
    pub unit_name: String,
    pub channel: String,
    pub message: String,
    pub sent_on: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub read_by: Option<String>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub replied_by: Option<String>,
    pub escalated_on: Option<NaiveDate>,
}

impl Urge {
    pub fn channel_label(&self) -> &'static str {
        Channel::parse(&self.channel).map(|c| c.label()).unwrap_or("其他")
    }
}

/// 催办 records, newest first, of one task and/or one unit.
pub async fn urges(db: &Db, task: Option<i64>, unit: Option<&str>) -> crate::Result<Vec<Urge>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, Urge>(
        "SELECT g.id, g.task_id, t.seq AS task_seq, t.title AS task_title, u.code AS unit, u.name AS unit_name, g.channel, g.message,
                g.sent_on, g.created_by, g.created_at, g.read_at, g.read_by, g.reply, g.replied_at, g.replied_by, g.escalated_on
         FROM sv_urge g JOIN sv_task t ON t.id = g.task_id JOIN unit u ON u.id = g.unit_id
         WHERE (CAST($1 AS BIGINT) IS NULL OR g.task_id = $1) AND (CAST($2 AS TEXT) IS NULL OR u.code = $2)
         ORDER BY g.created_at DESC, g.id DESC").bind(task).bind(unit).fetch_all(p).await)?)
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Escalation {
    pub id: i64,
    pub task_id: i64,
    pub task_seq: i64,
    pub task_title: String,
    pub unit_name: Option<String>,
    pub reason: String,
    pub raised_on: NaiveDate,
    pub instruction: Option<String>,
    pub instructed_by: Option<String>,
    pub instructed_at: Option<DateTime<Utc>>,
}

/// Escalations to the leader, newest first.
pub async fn escalations(db: &Db, task: Option<i64>) -> crate::Result<Vec<Escalation>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, Escalation>(
        "SELECT e.id, e.task_id, t.seq AS task_seq, t.title AS task_title, u.name AS unit_name, e.reason, e.raised_on,
                e.instruction, e.instructed_by, e.instructed_at
         FROM sv_escalation e JOIN sv_task t ON t.id = e.task_id LEFT JOIN unit u ON u.id = e.unit_id
         WHERE CAST($1 AS BIGINT) IS NULL OR e.task_id = $1 ORDER BY e.id DESC").bind(task).fetch_all(p).await)?)
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Alert {
    pub id: i64,
    pub task_id: i64,
    pub task_seq: i64,
    pub task_title: String,
    pub unit: String,
    pub unit_name: String,
    pub kind: String,
    pub subject: String,
    pub message: String,
    pub first_on: NaiveDate,
    pub last_on: NaiveDate,
    pub times: i64,
    pub answered_at: Option<DateTime<Utc>>,
    pub resolved_on: Option<NaiveDate>,
}

impl Alert {
    pub fn kind_label(&self) -> &'static str {
        sv::AlertKind::parse(&self.kind).map(|k| k.label()).unwrap_or("提醒")
    }
    /// Still asking for an answer.
    pub fn pending(&self) -> bool {
        self.answered_at.is_none() && self.resolved_on.is_none()
    }
}

/// Alerts of a task and/or unit, newest first; `pending_only`: neither answered nor resolved.
pub async fn alerts(db: &Db, task: Option<i64>, unit: Option<&str>, pending_only: bool) -> crate::Result<Vec<Alert>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, Alert>(
        "SELECT a.id, a.task_id, t.seq AS task_seq, t.title AS task_title, u.code AS unit, u.name AS unit_name, a.kind, a.subject,
                a.message, a.first_on, a.last_on, a.times, a.answered_at, a.resolved_on
         FROM sv_alert a JOIN sv_task t ON t.id = a.task_id JOIN unit u ON u.id = a.unit_id
         WHERE (CAST($1 AS BIGINT) IS NULL OR a.task_id = $1) AND (CAST($2 AS TEXT) IS NULL OR u.code = $2)
           AND (NOT $3 OR (a.answered_at IS NULL AND a.resolved_on IS NULL))
         ORDER BY a.last_on DESC, a.id DESC").bind(task).bind(unit).bind(pending_only).fetch_all(p).await)?)
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub summary: String,
}

/// A task's history, oldest first.
pub async fn events(db: &Db, task_id: i64) -> crate::Result<Vec<Event>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, Event>(
        "SELECT at, actor, kind, summary FROM sv_event WHERE task_id = $1 ORDER BY id").bind(task_id).fetch_all(p).await)?)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LightChange {
    pub on: NaiveDate,
    pub light: Light,
    pub manual: bool,
    pub reason: String,
    pub by: String,
}

/// Every recorded light of a task, oldest first.
pub async fn light_history(db: &Db, task_id: i64) -> crate::Result<Vec<LightChange>> {
    let rows: Vec<(NaiveDate, String, bool, String, String)> = with_pool!(db, p => sqlx::query_as(
        "SELECT on_date, light, manual, reason, by_name FROM sv_light WHERE task_id = $1 ORDER BY id").bind(task_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(on, l, manual, reason, by)| Some(LightChange { on, light: Light::parse(&l)?, manual, reason, by }))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Writes by the office

fn task_key(id: i64) -> String {
    id.to_string()
}

/// The task must still be supervised.
fn active(t: &Task) -> crate::Result<()> {
    if t.status.active() { Ok(()) } else { Err(invalid(format!("第{}项任务{}，不能再办理", t.seq, t.status.label()))) }
}

/// Sets when supervision starts and the deadline (完成时限, as written: `2026年底`, `2026-06-30`).
pub async fn set_schedule(db: &Db, actor: &Actor, task_id: i64, starts_on: NaiveDate, deadline_text: &str, now: DateTime<Utc>) -> crate::Result<()> {
    let t = task(db, task_id).await?;
    active(&t)?;
    let deadline = sv::ledger::parse_deadline(deadline_text).map_err(invalid)?;
    if deadline.is_some_and(|d| d < starts_on) {
        return Err(invalid("完成时限不能早于开始日期"));
    }
    let summary = format!(
        "调整时限：开始 {} → {}，完成时限 {} → {}",
        t.starts_on,
        starts_on,
        t.deadline.map(|d| d.to_string()).unwrap_or_else(|| "未定".into()),
        deadline.map(|d| d.to_string()).unwrap_or_else(|| "未定".into())
    );
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        sqlx::query("UPDATE sv_task SET starts_on = $1, deadline_text = $2, deadline = $3, version = version + 1 WHERE id = $4")
            .bind(starts_on).bind(deadline_text.trim()).bind(deadline).bind(task_id).execute(&mut *tx).await?;
        event!(&mut *tx, task_id, actor, "schedule", &summary)?;
        audit!(&mut *tx, actor, "schedule", "sv_task", &task_key(task_id),
            json(&serde_json::json!({"starts_on": t.starts_on, "deadline": t.deadline, "deadline_text": t.deadline_text})),
            json(&serde_json::json!({"starts_on": starts_on, "deadline": deadline, "deadline_text": deadline_text.trim()})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    refresh(db, Some(task_id), now).await
}

pub async fn add_milestone(db: &Db, actor: &Actor, task_id: i64, title: &str, due: NaiveDate, now: DateTime<Utc>) -> crate::Result<i64> {
    let t = task(db, task_id).await?;
    active(&t)?;
    let title = title.trim();
    if title.is_empty() {
        return Err(invalid("节点名称不能为空"));
    }
    if t.milestones.iter().any(|m| m.title == title) {
        return Err(invalid(format!("节点“{title}”已存在")));
    }
    let id = with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        let id: i64 = sqlx::query_scalar("INSERT INTO sv_milestone (task_id, title, due_on) VALUES ($1, $2, $3) RETURNING id")
            .bind(task_id).bind(title).bind(due).fetch_one(&mut *tx).await?;
        event!(&mut *tx, task_id, actor, "milestone", &format!("新增节点“{title}”，{due} 前完成"))?;
        audit!(&mut *tx, actor, "create", "sv_milestone", &id.to_string(), None::<String>,
            json(&serde_json::json!({"task": task_id, "title": title, "due": due})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    })?;
    refresh(db, Some(task_id), now).await?;
    Ok(id)
}

pub async fn remove_milestone(db: &Db, actor: &Actor, task_id: i64, milestone_id: i64, now: DateTime<Utc>) -> crate::Result<()> {
    let t = task(db, task_id).await?;
    active(&t)?;
    let m = t.milestones.iter().find(|m| m.id == milestone_id).ok_or_else(|| StoreError::NotFound(format!("节点 {milestone_id}")))?;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        sqlx::query("UPDATE sv_milestone SET removed = TRUE WHERE id = $1 AND task_id = $2").bind(milestone_id).bind(task_id).execute(&mut *tx).await?;
        event!(&mut *tx, task_id, actor, "milestone", &format!("删除节点“{}”（{}）", m.title, m.due))?;
        audit!(&mut *tx, actor, "delete", "sv_milestone", &milestone_id.to_string(), json(&serde_json::json!({"title": m.title, "due": m.due})), None::<String>)?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    refresh(db, Some(task_id), now).await
}

/// The office sets a light by hand (with a reason), or (`None`) returns the task to the rules.
pub async fn set_manual_light(db: &Db, actor: &Actor, task_id: i64, manual: Option<(Light, &str)>, now: DateTime<Utc>) -> crate::Result<()> {
    let t = task(db, task_id).await?;
    active(&t)?;
    if manual.is_some_and(|(_, reason)| reason.trim().is_empty()) {
        return Err(invalid("人工设定亮灯必须填写理由"));
    }
    let (light, reason) = (manual.map(|(l, _)| l.code()), manual.map(|(_, r)| r.trim().to_string()));
    let summary = match manual {
        Some((l, r)) => format!("人工设定为{}：{}", l.label(), r.trim()),
        None => "取消人工亮灯，恢复按规则自动亮灯".to_string(),
    };
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        sqlx::query("UPDATE sv_task SET manual_light = $1, manual_reason = $2, version = version + 1 WHERE id = $3")
            .bind(light).bind(&reason).bind(task_id).execute(&mut *tx).await?;
        if let Some((l, r)) = manual {
            sqlx::query("INSERT INTO sv_light (task_id, light, manual, reason, on_date, at, by_name) VALUES ($1, $2, TRUE, $3, $4, $5, $6)")
                .bind(task_id).bind(l.code()).bind(r.trim()).bind(beijing_date(now)).bind(stamp(now)).bind(&actor.name).execute(&mut *tx).await?;
        }
        event!(&mut *tx, task_id, actor, "light", &summary)?;
        audit!(&mut *tx, actor, "light", "sv_task", &task_key(task_id),
            json(&t.manual.as_ref().map(|(l, r)| (l.code(), r))), json(&manual.map(|(l, r)| (l.code(), r.trim()))))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    refresh(db, Some(task_id), now).await
}

/// A progress report to file. `unit: None` is the office entering one itself.
pub struct NewReport {
    pub task_id: i64,
    pub unit: Option<String>,
    pub body: String,
    pub milestone: Option<i64>,
    pub request_close: bool,
    /// (file name, content type, bytes)
    pub file: Option<(String, String, Vec<u8>)>,
}

/// Largest attachment kept in the database.
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

/// Files a progress report: marks the milestone reached, asks for 销号 when requested, and
/// answers the unit's open alerts on the task.
pub async fn file_report(db: &Db, actor: &Actor, r: NewReport, now: DateTime<Utc>) -> crate::Result<i64> {
    let t = task(db, r.task_id).await?;
    active(&t)?;
    let body = r.body.trim();
    if body.is_empty() {
        return Err(invalid("进展情况不能为空"));
    }
    if body.chars().count() > 5000 {
        return Err(invalid("进展情况不能超过 5000 字"));
    }
    if let Some(u) = &r.unit
        && !t.role_of(u).is_some_and(|role| role.reports())
    {
        return Err(invalid(format!("该单位不是第{}项任务的牵头或责任单位，不能报送进展", t.seq)));
    }
    let milestone = match r.milestone {
        Some(m) => {
            let ms = t.milestones.iter().find(|x| x.id == m).ok_or_else(|| invalid("所选节点不属于该任务"))?;
            if let Some(done) = ms.reached {
                return Err(invalid(format!("节点“{}”已于 {done} 完成", ms.title)));
            }
            Some(ms)
        }
        None => None,
    };
    if let Some((name, _, bytes)) = &r.file
        && bytes.len() > MAX_ATTACHMENT
    {
        return Err(invalid(format!("附件“{name}”超过 10 MB")));
    }
    let today = beijing_date(now);
    let unit_name = match &r.unit {
        Some(u) => t.units.iter().find(|x| &x.code == u).map(|x| x.name.clone()).unwrap_or_else(|| u.clone()),
        None => "市开发区办（代录）".into(),
    };
    let mut summary = format!("{unit_name}报送进展：{body}");
    if let Some(m) = milestone {
        summary.push_str(&format!("；节点“{}”已完成", m.title));
    }
    if r.request_close {
        summary.push_str("；申请销号");
    }
    let (file_name, file_type, file_data) = match r.file {
        Some((n, t, d)) => (Some(n), Some(t), Some(d)),
        None => (None, None, None),
    };
    let id = with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        let unit_id: Option<i64> = match &r.unit {
            Some(u) => Some(sqlx::query_scalar("SELECT id FROM unit WHERE code = $1").bind(u).fetch_one(&mut *tx).await?),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sv_report (task_id, unit_id, body, milestone_id, request_close, source, reported_on, created_by, created_at, file_name, file_type, file_data)
             VALUES ($1, $2, $3, $4, $5, 'form', $6, $7, $8, $9, $10, $11) RETURNING id")
            .bind(r.task_id).bind(unit_id).bind(body).bind(r.milestone).bind(r.request_close).bind(today).bind(&actor.name)
            .bind(stamp(now)).bind(&file_name).bind(&file_type).bind(&file_data).fetch_one(&mut *tx).await?;
        if let Some(m) = milestone {
            sqlx::query("UPDATE sv_milestone SET reached_on = $1, reached_by = $2 WHERE id = $3").bind(today).bind(&unit_name).bind(m.id).execute(&mut *tx).await?;
        }
        if r.request_close {
            sqlx::query("UPDATE sv_task SET status = 'closing', version = version + 1 WHERE id = $1 AND status = 'open'").bind(r.task_id).execute(&mut *tx).await?;
        }
        if let Some(u) = unit_id {
            sqlx::query("UPDATE sv_alert SET answered_at = $1 WHERE task_id = $2 AND unit_id = $3 AND answered_at IS NULL AND resolved_on IS NULL")
                .bind(stamp(now)).bind(r.task_id).bind(u).execute(&mut *tx).await?;
        }
        event!(&mut *tx, r.task_id, actor, "report", &summary)?;
        audit!(&mut *tx, actor, "create", "sv_report", &id.to_string(), None::<String>,
            json(&serde_json::json!({"task": r.task_id, "unit": r.unit, "body": body, "milestone": r.milestone,
                "request_close": r.request_close, "file": file_name, "bytes": file_data.as_ref().map(|d| d.len())})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    })?;
    refresh(db, Some(r.task_id), now).await?;
    Ok(id)
}

/// 催办: one record per unit (each signs and replies on its own).
pub async fn urge(db: &Db, actor: &Actor, task_id: i64, units: &[String], channel: Channel, message: &str, now: DateTime<Utc>) -> crate::Result<Vec<i64>> {
    let t = task(db, task_id).await?;
    active(&t)?;
    let message = message.trim();
    if message.is_empty() {
        return Err(invalid("催办内容不能为空"));
    }
    if units.is_empty() {
        return Err(invalid("请选择催办的单位"));
    }
    for u in units {
        if t.role_of(u).is_none() {
            return Err(invalid(format!("单位“{u}”不承担第{}项任务", t.seq)));
        }
    }
    let names: Vec<String> = units.iter().map(|u| t.units.iter().find(|x| &x.code == u).map(|x| x.name.clone()).unwrap_or_default()).collect();
    let ids = with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        let mut ids = Vec::new();
        for u in units {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sv_urge (task_id, unit_id, channel, message, sent_on, created_by, created_at)
                 SELECT $1, id, $2, $3, $4, $5, $6 FROM unit WHERE code = $7 RETURNING id")
                .bind(task_id).bind(channel.code()).bind(message).bind(beijing_date(now)).bind(&actor.name).bind(stamp(now)).bind(u)
                .fetch_one(&mut *tx).await?;
            audit!(&mut *tx, actor, "create", "sv_urge", &id.to_string(), None::<String>,
                json(&serde_json::json!({"task": task_id, "unit": u, "channel": channel.code(), "message": message})))?;
            ids.push(id);
        }
        event!(&mut *tx, task_id, actor, "urge", &format!("催办（{}）{}：{message}", channel.label(), names.join("、")))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(ids)
    })?;
    Ok(ids)
}

async fn urge_of(db: &Db, urge_id: i64, unit: &str) -> crate::Result<Urge> {
    let u = urges(db, None, Some(unit)).await?.into_iter().find(|g| g.id == urge_id);
    u.ok_or_else(|| StoreError::NotFound(format!("给本单位的催办 {urge_id}")))
}

/// The unit's read receipt (签收). Signing twice keeps the first time.
pub async fn acknowledge(db: &Db, actor: &Actor, urge_id: i64, unit: &str, now: DateTime<Utc>) -> crate::Result<()> {
    let g = urge_of(db, urge_id, unit).await?;
    if g.read_at.is_some() {
        return Ok(());
    }
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        sqlx::query("UPDATE sv_urge SET read_at = $1, read_by = $2 WHERE id = $3 AND read_at IS NULL")
            .bind(stamp(now)).bind(&actor.name).bind(urge_id).execute(&mut *tx).await?;
        event!(&mut *tx, g.task_id, actor, "urge_read", &format!("{}签收催办（{}）", g.unit_name, g.sent_on))?;
        audit!(&mut *tx, actor, "read", "sv_urge", &urge_id.to_string(), None::<String>, json(&serde_json::json!({"read_by": actor.name})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// The unit's reply to a 催办 (signs it as read too).
pub async fn reply(db: &Db, actor: &Actor, urge_id: i64, unit: &str, text: &str, now: DateTime<Utc>) -> crate::Result<()> {
    let g = urge_of(db, urge_id, unit).await?;
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("回复内容不能为空"));
    }
    if g.reply.is_some() {
        return Err(invalid("该催办已回复"));
    }
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        sqlx::query("UPDATE sv_urge SET reply = $1, replied_at = $2, replied_by = $3,
                     read_at = COALESCE(read_at, $2), read_by = COALESCE(read_by, $3) WHERE id = $4")
            .bind(text).bind(stamp(now)).bind(&actor.name).bind(urge_id).execute(&mut *tx).await?;
        event!(&mut *tx, g.task_id, actor, "urge_reply", &format!("{}回复催办：{text}", g.unit_name))?;
        audit!(&mut *tx, actor, "reply", "sv_urge", &urge_id.to_string(), None::<String>, json(&serde_json::json!({"reply": text})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// The leader's instruction (批示) on an escalation.
pub async fn instruct(db: &Db, actor: &Actor, escalation_id: i64, text: &str, now: DateTime<Utc>) -> crate::Result<()> {
    let e = escalations(db, None).await?.into_iter().find(|e| e.id == escalation_id).ok_or_else(|| StoreError::NotFound(format!("升级督办 {escalation_id}")))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("批示内容不能为空"));
    }
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        sqlx::query("UPDATE sv_escalation SET instruction = $1, instructed_by = $2, instructed_at = $3 WHERE id = $4")
            .bind(text).bind(&actor.name).bind(stamp(now)).bind(escalation_id).execute(&mut *tx).await?;
        event!(&mut *tx, e.task_id, actor, "instruction", &format!("领导批示：{text}"))?;
        audit!(&mut *tx, actor, "instruct", "sv_escalation", &escalation_id.to_string(), json(&e.instruction), json(&text))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// 销号: the office closes the task with a rating.
pub async fn close(db: &Db, actor: &Actor, task_id: i64, rating: &str, comment: &str, now: DateTime<Utc>) -> crate::Result<()> {
    let t = task(db, task_id).await?;
    active(&t)?;
    if !sv::RATINGS.contains(&rating) {
        return Err(invalid(format!("评价应为 {} 之一", sv::RATINGS.join("、"))));
    }
    let today = beijing_date(now);
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        sqlx::query("UPDATE sv_task SET status = 'closed', rating = $1, closing_comment = $2, closed_on = $3, closed_by = $4, version = version + 1 WHERE id = $5")
            .bind(rating).bind(comment.trim()).bind(today).bind(&actor.name).bind(task_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE sv_alert SET resolved_on = $1 WHERE task_id = $2 AND resolved_on IS NULL").bind(today).bind(task_id).execute(&mut *tx).await?;
        let c = if comment.trim().is_empty() { String::new() } else { format!("：{}", comment.trim()) };
        event!(&mut *tx, task_id, actor, "close", &format!("销号，评价“{rating}”{c}"))?;
        audit!(&mut *tx, actor, "close", "sv_task", &task_key(task_id), json(&serde_json::json!({"status": t.status.code()})),
            json(&serde_json::json!({"status": "closed", "rating": rating, "comment": comment.trim(), "closed_on": today})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    refresh(db, Some(task_id), now).await
}

/// Returns a unit's request for 销号 with a reason; the task goes on.
pub async fn return_close(db: &Db, actor: &Actor, task_id: i64, reason: &str, now: DateTime<Utc>) -> crate::Result<()> {
    let t = task(db, task_id).await?;
    if t.status != TaskStatus::Closing {
        return Err(invalid(format!("第{}项任务没有待审核的销号申请", t.seq)));
    }
    if reason.trim().is_empty() {
        return Err(invalid("退回销号申请必须填写理由"));
    }
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sv_lock!(&mut *tx)?;
        sqlx::query("UPDATE sv_task SET status = 'open', version = version + 1 WHERE id = $1").bind(task_id).execute(&mut *tx).await?;
        event!(&mut *tx, task_id, actor, "close_return", &format!("退回销号申请：{}", reason.trim()))?;
        audit!(&mut *tx, actor, "return", "sv_task", &task_key(task_id), json(&serde_json::json!({"status": "closing"})),
            json(&serde_json::json!({"status": "open", "reason": reason.trim()})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    refresh(db, Some(task_id), now).await
}

// ---------------------------------------------------------------------------------------------
// The sweep: lights recorded, alerts raised / repeated / resolved, urges escalated

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sweep {
    pub lights: usize,
    pub raised: usize,
    pub repeated: usize,
    pub resolved: usize,
    pub escalated: usize,
}

impl Sweep {
    pub fn changed(&self) -> bool {
        *self != Sweep::default()
    }
}

/// Applies the rules on the day of `now` to every supervised task. Idempotent within a day:
/// a second run changes nothing.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> crate::Result<Sweep> {
    sweep_tasks(db, None, now).await
}

async fn refresh(db: &Db, task: Option<i64>, now: DateTime<Utc>) -> crate::Result<()> {
    sweep_tasks(db, task, now).await.map(|_| ())
}

#[derive(sqlx::FromRow)]
struct OpenAlert {
    id: i64,
    task_id: i64,
    unit: String,
    kind: String,
    subject: String,
    last_on: NaiveDate,
    answered: bool,
}

async fn sweep_tasks(db: &Db, only: Option<i64>, now: DateTime<Utc>) -> crate::Result<Sweep> {
    let today = beijing_date(now);
    let rules = rules(db).await?;
    let actor = Actor::system(RULES_ACTOR);
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        // Lock first, then read: a concurrent sweep has committed before we look.
        sv_lock!(&mut *tx)?;
        let tasks: Vec<Task> = load(db, None, only, false).await?;
        let last: Vec<(i64, String)> = sqlx::query_as(
            "SELECT l.task_id, l.light FROM sv_light l WHERE l.id = (SELECT MAX(id) FROM sv_light x WHERE x.task_id = l.task_id)
             AND (CAST($1 AS BIGINT) IS NULL OR l.task_id = $1)").bind(only).fetch_all(&mut *tx).await?;
        let last: HashMap<i64, String> = last.into_iter().collect();
        let open: Vec<OpenAlert> = sqlx::query_as(
            "SELECT a.id, a.task_id, u.code AS unit, a.kind, a.subject, a.last_on, (a.answered_at IS NOT NULL) AS answered
             FROM sv_alert a JOIN unit u ON u.id = a.unit_id WHERE a.resolved_on IS NULL AND (CAST($1 AS BIGINT) IS NULL OR a.task_id = $1)")
            .bind(only).fetch_all(&mut *tx).await?;
        let unit_ids: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM unit").fetch_all(&mut *tx).await?.into_iter().collect();
        let mut s = Sweep::default();
        let mut log: Vec<String> = Vec::new();
        for t in &tasks {
            let a = t.assess(today, &rules);
            if last.get(&t.id).map(String::as_str) != Some(a.light.code()) {
                let before = last.get(&t.id).and_then(|l| Light::parse(l)).map(|l| l.label()).unwrap_or("未亮灯");
                sqlx::query("INSERT INTO sv_light (task_id, light, manual, reason, on_date, at, by_name) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(t.id).bind(a.light.code()).bind(a.manual).bind(a.reason()).bind(today).bind(stamp(now)).bind(RULES_ACTOR)
                    .execute(&mut *tx).await?;
                event!(&mut *tx, t.id, actor, "light", &format!("{before} → {}：{}", a.light.label(), a.reason()))?;
                s.lights += 1;
                log.push(format!("task {} light {}", t.id, a.light.code()));
            }
            let facts = t.facts();
            let mut wanted: Vec<(String, sv::AlertNeed)> = Vec::new();
            if t.status.active() {
                for u in t.reporting_units() {
                    for need in sv::alerts_for(&facts, t.last_reports.get(&u.code).copied(), today, &rules) {
                        wanted.push((u.code.clone(), need));
                    }
                }
            }
            for (unit, need) in &wanted {
                let existing = open.iter().find(|o| o.task_id == t.id && &o.unit == unit && o.kind == need.kind.code() && o.subject == need.subject);
                match sv::alert_step(existing.map(|o| o.last_on), existing.is_some_and(|o| o.answered), today, &rules) {
                    sv::AlertStep::Raise => {
                        sqlx::query("INSERT INTO sv_alert (task_id, unit_id, kind, subject, message, first_on, last_on, times) VALUES ($1, $2, $3, $4, $5, $6, $6, 1)")
                            .bind(t.id).bind(unit_ids[unit]).bind(need.kind.code()).bind(&need.subject).bind(&need.message).bind(today)
                            .execute(&mut *tx).await?;
                        s.raised += 1;
                        log.push(format!("task {} unit {unit} raise {} {}", t.id, need.kind.code(), need.subject));
                    }
                    sv::AlertStep::Repeat => {
                        let o = existing.expect("repeat needs an alert");
                        sqlx::query("UPDATE sv_alert SET last_on = $1, times = times + 1, message = $2 WHERE id = $3")
                            .bind(today).bind(&need.message).bind(o.id).execute(&mut *tx).await?;
                        s.repeated += 1;
                        log.push(format!("alert {} repeat", o.id));
                    }
                    sv::AlertStep::Wait => {}
                }
            }
            for o in open.iter().filter(|o| o.task_id == t.id) {
                let still = wanted.iter().any(|(u, n)| &o.unit == u && n.kind.code() == o.kind && n.subject == o.subject);
                if !still {
                    sqlx::query("UPDATE sv_alert SET resolved_on = $1 WHERE id = $2").bind(today).bind(o.id).execute(&mut *tx).await?;
                    s.resolved += 1;
                    log.push(format!("alert {} resolved", o.id));
                }
            }
        }
        let pending: Vec<(i64, i64, i64, String, NaiveDate, String)> = sqlx::query_as(
            "SELECT g.id, g.task_id, g.unit_id, u.name, g.sent_on, g.channel FROM sv_urge g JOIN unit u ON u.id = g.unit_id
             JOIN sv_task t ON t.id = g.task_id
             WHERE g.reply IS NULL AND g.escalated_on IS NULL AND t.status IN ('open','closing') AND (CAST($1 AS BIGINT) IS NULL OR g.task_id = $1)")
            .bind(only).fetch_all(&mut *tx).await?;
        for (id, task_id, unit_id, unit_name, sent_on, channel) in pending {
            if sv::escalation_due(sent_on, false, false, today, &rules) {
                let ch = Channel::parse(&channel).map(|c| c.label()).unwrap_or("其他");
                let reason = format!("{sent_on} 向{unit_name}催办（{ch}），{} 天未回复", (today - sent_on).num_days());
                sqlx::query("INSERT INTO sv_escalation (task_id, urge_id, unit_id, reason, raised_on, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(task_id).bind(id).bind(unit_id).bind(&reason).bind(today).bind(stamp(now)).execute(&mut *tx).await?;
                sqlx::query("UPDATE sv_urge SET escalated_on = $1 WHERE id = $2").bind(today).bind(id).execute(&mut *tx).await?;
                event!(&mut *tx, task_id, actor, "escalate", &format!("升级至领导督办：{reason}"))?;
                s.escalated += 1;
                log.push(format!("urge {id} escalated"));
            }
        }
        if s.changed() {
            audit!(&mut *tx, actor, "sweep", "sv_task", &only.map(|t| t.to_string()).unwrap_or_else(|| "all".into()), None::<String>,
                json(&serde_json::json!({"on": today, "summary": s, "changes": log})))?;
        }
        tx.commit().await?;
        Ok::<_, StoreError>(s)
    })
}

// ---------------------------------------------------------------------------------------------
// Deduction inputs for the evaluation

/// Overdue and red tasks of `year` as deduction inputs per unit and per zone.
pub async fn deductions(db: &Db, year: i32, now: DateTime<Utc>) -> crate::Result<sv::Deductions> {
    let today = beijing_date(now);
    let rules = rules(db).await?;
    let all = tasks(db, None).await?;
    let lights: Vec<(i64, NaiveDate, String)> = with_pool!(db, p => sqlx::query_as(
        "SELECT task_id, on_date, light FROM sv_light ORDER BY id").fetch_all(p).await)?;
    let records: Vec<sv::TaskRecord> = all
        .iter()
        .map(|t| {
            let mut hist: Vec<(NaiveDate, Light)> =
                lights.iter().filter(|(id, _, _)| *id == t.id).filter_map(|(_, on, l)| Some((*on, Light::parse(l)?))).collect();
            // Today's light, in case no sweep has recorded it yet.
            let now_light = t.assess(today, &rules).light;
            if hist.last().map(|(_, l)| *l) != Some(now_light) {
                hist.push((today, now_light));
            }
            sv::TaskRecord {
                seq: t.seq as usize,
                title: t.title.clone(),
                deadline: t.deadline,
                closed: if t.status == TaskStatus::Closed { t.closed_on } else { None },
                lights: hist,
                units: t.units.iter().map(|u| (u.code.clone(), u.role)).collect(),
            }
        })
        .collect();
    let units = masterdata::list_units(db).await?;
    let zones: Vec<_> = masterdata::list_zones(db).await?.into_iter().map(|z| z.zone).collect();
    Ok(sv::deductions(year, today, &records, &units, &zones))
}
