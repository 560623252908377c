//! Monthly collection: data sets and their calendar, entry (draft → submitted → approved →
//! locked), value history, completeness. Every save runs in one transaction with its history
//! rows and audit record, guarded by an optimistic version check.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use nengji_core::calendar::{self, CalendarRule, DayOverride, Window};
use nengji_core::entry::ValueInput;
use nengji_core::period::Month;
use serde::Serialize;

use crate::audit::{json, Actor};
use crate::db::Db;
use crate::StoreError;

/// A data set: the indicators zones report together for a period type, and its calendar rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dataset {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub rule: CalendarRule,
    pub indicators: Vec<String>,
}

pub async fn datasets(db: &Db) -> crate::Result<Vec<Dataset>> {
    let heads: Vec<(i64, String, String, i64, i64)> = with_pool!(db, p => sqlx::query_as(
        "SELECT id, code, name, due_workday, lock_after_days FROM dataset ORDER BY id").fetch_all(p).await)?;
    let members: Vec<(i64, String)> = with_pool!(db, p => sqlx::query_as(
        "SELECT di.dataset_id, i.code FROM dataset_indicator di JOIN indicator i ON i.id = di.indicator_id
         ORDER BY di.sort_order, i.sort_order").fetch_all(p).await)?;
    Ok(heads
        .into_iter()
        .map(|(id, code, name, due, lock)| Dataset {
            id,
            code,
            name,
            rule: CalendarRule { due_workday: due.clamp(1, 23) as u32, lock_after_days: lock.clamp(0, 366) as u32 },
            indicators: members.iter().filter(|(d, _)| *d == id).map(|(_, c)| c.clone()).collect(),
        })
        .collect())
}

pub async fn dataset(db: &Db, code: &str) -> crate::Result<Dataset> {
    datasets(db).await?.into_iter().find(|d| d.code == code).ok_or_else(|| StoreError::NotFound(format!("数据集“{code}”")))
}

/// Creates or replaces a data set and its indicator list.
pub async fn upsert_dataset(db: &Db, actor: &Actor, code: &str, name: &str, rule: CalendarRule, indicators: &[String]) -> crate::Result<()> {
    let old = datasets(db).await?.into_iter().find(|d| d.code == code);
    let new_json = json(&serde_json::json!({"code": code, "name": name, "rule": rule, "indicators": indicators}));
    let old_json = old.as_ref().and_then(|d| json(&serde_json::json!({"code": d.code, "name": d.name, "rule": d.rule, "indicators": d.indicators})));
    if old_json == new_json {
        return Ok(());
    }
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO dataset (code, name, period_type, due_workday, lock_after_days) VALUES ($1, $2, 'month', $3, $4)
             ON CONFLICT (code) DO UPDATE SET name = $2, due_workday = $3, lock_after_days = $4 RETURNING id")
            .bind(code).bind(name).bind(rule.due_workday as i64).bind(rule.lock_after_days as i64).fetch_one(&mut *tx).await?;
        sqlx::query("DELETE FROM dataset_indicator WHERE dataset_id = $1").bind(id).execute(&mut *tx).await?;
        for (i, ind) in indicators.iter().enumerate() {
            let n = sqlx::query("INSERT INTO dataset_indicator (dataset_id, indicator_id, sort_order) SELECT $1, id, $2 FROM indicator WHERE code = $3")
                .bind(id).bind(i as i64).bind(ind).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::Invalid(format!("指标“{ind}”不存在")));
            }
        }
        audit!(&mut *tx, actor, if old.is_some() { "update" } else { "create" }, "dataset", code, old_json, new_json)?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

pub async fn day_overrides(db: &Db) -> crate::Result<Vec<DayOverride>> {
    let rows: Vec<(NaiveDate, bool)> = with_pool!(db, p => sqlx::query_as("SELECT day, workday FROM day_override ORDER BY day").fetch_all(p).await)?;
    Ok(rows.into_iter().map(|(date, workday)| DayOverride { date, workday }).collect())
}

pub async fn set_day_overrides(db: &Db, actor: &Actor, days: &[DayOverride]) -> crate::Result<()> {
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        for d in days {
            sqlx::query("INSERT INTO day_override (day, workday) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET workday = $2")
                .bind(d.date).bind(d.workday).execute(&mut *tx).await?;
        }
        audit!(&mut *tx, actor, "update", "day_override", "calendar", None::<String>,
            json(&days.iter().map(|d| (d.date.to_string(), d.workday)).collect::<Vec<_>>()))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// Sets a period's window explicitly (re-opening a month, or a special schedule).
pub async fn set_period_window(db: &Db, actor: &Actor, ds: &Dataset, period: Month, w: Window) -> crate::Result<()> {
    if !(w.opens <= w.due && w.due <= w.locks) {
        return Err(StoreError::Invalid("填报期应满足：开放日期 ≤ 截止日期 ≤ 锁定日期".into()));
    }
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("INSERT INTO period_window (dataset_id, period, opens_on, due_on, locks_on) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (dataset_id, period) DO UPDATE SET opens_on = $3, due_on = $4, locks_on = $5")
            .bind(ds.id).bind(period.to_string()).bind(w.opens).bind(w.due).bind(w.locks).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "update", "period_window", &format!("{}/{period}", ds.code), None::<String>,
            Some(format!("{{\"opens\":\"{}\",\"due\":\"{}\",\"locks\":\"{}\"}}", w.opens, w.due, w.locks)))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// Gives one zone a later due date for one period.
pub async fn set_due_exception(db: &Db, actor: &Actor, ds: &Dataset, zone: &str, period: Month, due: NaiveDate) -> crate::Result<()> {
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("INSERT INTO due_exception (dataset_id, zone_id, period, due_on) SELECT $1, id, $3, $4 FROM zone WHERE code = $2
                     ON CONFLICT (dataset_id, zone_id, period) DO UPDATE SET due_on = $4")
            .bind(ds.id).bind(zone).bind(period.to_string()).bind(due).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("开发区“{zone}”")));
        }
        audit!(&mut *tx, actor, "update", "due_exception", &format!("{}/{zone}/{period}", ds.code), None::<String>, Some(format!("{{\"due\":\"{due}\"}}")))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

/// The calendar for a data set: explicit windows, zone exceptions and day overrides, loaded once.
pub struct Calendar {
    rule: CalendarRule,
    overrides: Vec<DayOverride>,
    windows: HashMap<String, Window>,
    exceptions: HashMap<(String, String), NaiveDate>,
}

impl Calendar {
    pub async fn load(db: &Db, ds: &Dataset) -> crate::Result<Calendar> {
        let windows: Vec<(String, NaiveDate, NaiveDate, NaiveDate)> = with_pool!(db, p => sqlx::query_as(
            "SELECT period, opens_on, due_on, locks_on FROM period_window WHERE dataset_id = $1").bind(ds.id).fetch_all(p).await)?;
        let exceptions: Vec<(String, String, NaiveDate)> = with_pool!(db, p => sqlx::query_as(
            "SELECT z.code, e.period, e.due_on FROM due_exception e JOIN zone z ON z.id = e.zone_id WHERE e.dataset_id = $1")
            .bind(ds.id).fetch_all(p).await)?;
        Ok(Calendar {
            rule: ds.rule,
            overrides: day_overrides(db).await?,
            windows: windows
                .into_iter()
                .filter_map(|(p, opens, due, locks)| Some((p.clone(), Window { period: p.parse().ok()?, opens, due, locks })))
                .collect(),
            exceptions: exceptions.into_iter().map(|(z, p, d)| ((z, p), d)).collect(),
        })
    }

    /// The window of a period for a zone (`None`: the general one).
    pub fn window(&self, zone: Option<&str>, period: Month) -> Window {
        let exception = zone.and_then(|z| self.exceptions.get(&(z.to_string(), period.to_string()))).copied();
        match self.windows.get(&period.to_string()) {
            Some(w) => {
                let due = exception.map(|d| d.max(w.due)).unwrap_or(w.due);
                Window { period, opens: w.opens, due, locks: w.locks.max(due) }
            }
            None => calendar::window(period, &self.rule, &self.overrides, exception),
        }
    }

    /// Periods whose window is open (or overdue but not locked) on `today`, newest first.
    pub fn open_periods(&self, today: NaiveDate, around: Month) -> Vec<Month> {
        let mut out: Vec<Month> = (-36..=1)
            .map(|k| around.offset(k))
            .chain(self.windows.keys().filter_map(|p| p.parse().ok()))
            .filter(|m| matches!(self.window(None, *m).state(today), calendar::WindowState::Open | calendar::WindowState::Overdue))
            .collect();
        out.sort();
        out.dedup();
        out.reverse();
        out
    }
}

/// Where a submission is in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Approved,
    Locked,
}

impl Status {
    pub fn parse(s: &str) -> Status {
        match s {
            "submitted" => Status::Submitted,
            "approved" => Status::Approved,
            "locked" => Status::Locked,
            _ => Status::Draft,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Locked => "locked",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Submitted => "已报送待审核",
            Status::Approved => "已审核",
            Status::Locked => "已锁定",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    pub zone: String,
    pub period: String,
    pub status: Status,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub returned_reason: Option<String>,
    pub changed_after_approval: bool,
}

#[derive(sqlx::FromRow)]
struct SubmissionRecord {
    zone: String,
    period: String,
    status: String,
    version: i64,
    updated_by: String,
    updated_at: DateTime<Utc>,
    submitted_by: Option<String>,
    submitted_at: Option<DateTime<Utc>>,
    approved_by: Option<String>,
    approved_at: Option<DateTime<Utc>>,
    returned_reason: Option<String>,
    changed_after_approval: bool,
}

impl From<SubmissionRecord> for Submission {
    fn from(r: SubmissionRecord) -> Self {
        Submission {
            zone: r.zone,
            period: r.period,
            status: Status::parse(&r.status),
            version: r.version,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
            approved_by: r.approved_by,
            approved_at: r.approved_at,
            returned_reason: r.returned_reason,
            changed_after_approval: r.changed_after_approval,
        }
    }
}

const SUBMISSION_SELECT: &str = "SELECT z.code AS zone, s.period, s.status, s.version, s.updated_by, s.updated_at, s.submitted_by,
     s.submitted_at, s.approved_by, s.approved_at, s.returned_reason, s.changed_after_approval
     FROM submission s JOIN zone z ON z.id = s.zone_id WHERE s.dataset_id = $1";

/// Submissions of a data set, optionally for some periods only.
pub async fn submissions(db: &Db, ds: &Dataset, periods: Option<&[Month]>) -> crate::Result<Vec<Submission>> {
    let sql = format!("{SUBMISSION_SELECT} ORDER BY s.period DESC, z.sort_order, z.id");
    let rows = with_pool!(db, p => sqlx::query_as::<_, SubmissionRecord>(sqlx::AssertSqlSafe(sql)).bind(ds.id).fetch_all(p).await)?;
    let wanted: Option<Vec<String>> = periods.map(|ps| ps.iter().map(|m| m.to_string()).collect());
    Ok(rows.into_iter().map(Submission::from).filter(|s| wanted.as_ref().is_none_or(|w| w.contains(&s.period))).collect())
}

pub async fn submission(db: &Db, ds: &Dataset, zone: &str, period: Month) -> crate::Result<Option<Submission>> {
    let sql = format!("{SUBMISSION_SELECT} AND z.code = $2 AND s.period = $3");
    let row = with_pool!(db, p => sqlx::query_as::<_, SubmissionRecord>(sqlx::AssertSqlSafe(sql))
        .bind(ds.id).bind(zone).bind(period.to_string()).fetch_optional(p).await)?;
    Ok(row.map(Submission::from))
}

/// Why a save or a transition was refused.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    /// Someone else saved first (optimistic version check).
    #[error("保存被拒绝：该报表已被 {by} 于 {at} 修改，请刷新后在最新数据上重新修改")]
    Conflict { by: String, at: String },
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for EntryError {
    fn from(e: sqlx::Error) -> Self {
        EntryError::Store(e.into())
    }
}

/// One zone × period of values to write, with the version the writer last saw
/// (`None`: no check, as for file imports of not-yet-submitted reports).
pub struct Batch {
    pub zone: String,
    pub period: Month,
    pub expected_version: Option<i64>,
    pub values: Vec<ValueInput>,
}

fn beijing(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Writes batches of values in ONE transaction: all land or none do. Each batch checks the
/// window, the workflow state and the version; changed values get history rows; a value
/// changed on a report that had been approved before is flagged `changed_after_approval`.
pub async fn apply(db: &Db, actor: &Actor, ds: &Dataset, batches: &[Batch], source: &str, today: NaiveDate) -> Result<Vec<i64>, EntryError> {
    let cal = Calendar::load(db, ds).await?;
    for b in batches {
        let w = cal.window(Some(&b.zone), b.period);
        match w.state(today) {
            calendar::WindowState::NotOpen => return Err(EntryError::Refused(format!("{}的报表尚未开放填报（{} 开放）", b.period.label(), w.opens))),
            calendar::WindowState::Locked => return Err(EntryError::Refused(format!("{}的填报期已于 {} 结束，报表已锁定，不能再修改", b.period.label(), w.locks))),
            _ => {}
        }
        if let Some(v) = b.values.iter().find(|v| v.zone != b.zone || v.period != b.period || !ds.indicators.contains(&v.indicator)) {
            return Err(EntryError::Refused(format!("指标“{}”不属于数据集“{}”或期间、开发区不符", v.indicator, ds.name)));
        }
    }
    let ids: HashMap<String, i64> = with_pool!(db, p => sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM indicator").fetch_all(p).await)?
        .into_iter()
        .collect();
    let now = Utc::now();
    let versions = with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let mut versions = Vec::new();
        for b in batches {
            let period = b.period.to_string();
            let zone_id: Option<i64> = sqlx::query_scalar("SELECT id FROM zone WHERE code = $1").bind(&b.zone).fetch_optional(&mut *tx).await?;
            let Some(zone_id) = zone_id else { return Err(EntryError::Refused(format!("开发区“{}”不存在", b.zone))) };
            let current: Option<(String, i64, String, DateTime<Utc>, Option<DateTime<Utc>>)> = sqlx::query_as(
                "SELECT status, version, updated_by, updated_at, approved_at FROM submission WHERE dataset_id = $1 AND zone_id = $2 AND period = $3")
                .bind(ds.id).bind(zone_id).bind(&period).fetch_optional(&mut *tx).await?;
            let was_approved = current.as_ref().is_some_and(|c| c.4.is_some());
            if let Some((status, version, by, at, _)) = &current {
                match Status::parse(status) {
                    Status::Submitted => return Err(EntryError::Refused(format!("{}的报表已报送待审核，不能修改；如需修改请审核人退回", b.period.label()))),
                    Status::Approved | Status::Locked => return Err(EntryError::Refused(format!("{}的报表已审核，不能修改；如需修改须先撤销审核", b.period.label()))),
                    Status::Draft => {}
                }
                if b.expected_version.is_some_and(|v| v != *version) {
                    return Err(EntryError::Conflict { by: by.clone(), at: beijing(*at) });
                }
            } else if b.expected_version.is_some_and(|v| v != 0) {
                return Err(EntryError::Conflict { by: "他人".into(), at: "刚才".into() });
            }
            let mut changes = Vec::new();
            for v in &b.values {
                let ind_id = ids[&v.indicator];
                let old: Option<(f64, Option<f64>, String)> = sqlx::query_as(
                    "SELECT value, prior_comparable, comment FROM observation WHERE zone_id = $1 AND indicator_id = $2 AND period = $3")
                    .bind(zone_id).bind(ind_id).bind(&period).fetch_optional(&mut *tx).await?;
                if old.as_ref().is_some_and(|(val, prior, comment)| *val == v.value && *prior == v.prior_comparable && *comment == v.comment) {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO observation (zone_id, indicator_id, period, value, prior_comparable, comment, status, is_demo, updated_by, updated_at,
                         created_by, created_at, created_via)
                     VALUES ($1, $2, $3, $4, $5, $6, 'draft', FALSE, $7, $8, $7, $8, $9)
                     ON CONFLICT (zone_id, indicator_id, period) DO UPDATE SET value = $4, prior_comparable = $5, comment = $6,
                         status = 'draft', is_demo = FALSE, updated_by = $7, updated_at = $8")
                    .bind(zone_id).bind(ind_id).bind(&period).bind(v.value).bind(v.prior_comparable).bind(&v.comment)
                    .bind(&actor.name).bind(now).bind(source).execute(&mut *tx).await?;
                if history_row(old.as_ref().map(|o| (o.0, o.1)), v, was_approved) {
                    sqlx::query(
                        "INSERT INTO observation_history (zone_id, indicator_id, period, old_value, new_value, old_prior, new_prior, changed_by, changed_at, source, after_approval)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                        .bind(zone_id).bind(ind_id).bind(&period).bind(old.as_ref().map(|o| o.0)).bind(v.value)
                        .bind(old.as_ref().and_then(|o| o.1)).bind(v.prior_comparable).bind(&actor.name).bind(now).bind(source).bind(was_approved)
                        .execute(&mut *tx).await?;
                }
                changes.push(serde_json::json!({"indicator": v.indicator, "old": old.as_ref().map(|o| o.0), "new": v.value, "prior": v.prior_comparable}));
            }
            let version: Option<i64> = sqlx::query_scalar(
                "INSERT INTO submission (dataset_id, zone_id, period, status, version, updated_by, updated_at, changed_after_approval)
                 VALUES ($1, $2, $3, 'draft', 1, $4, $5, $6)
                 ON CONFLICT (dataset_id, zone_id, period) DO UPDATE SET version = submission.version + 1, updated_by = $4, updated_at = $5,
                     changed_after_approval = submission.changed_after_approval OR $6
                 WHERE submission.version = $7 AND submission.status = 'draft'
                 RETURNING version")
                .bind(ds.id).bind(zone_id).bind(&period).bind(&actor.name).bind(now).bind(was_approved && !changes.is_empty())
                .bind(current.as_ref().map_or(0, |c| c.1))
                .fetch_optional(&mut *tx).await?;
            // The report as read above must still be the one written: on PostgreSQL the read
            // takes no lock, and a save or transition committed meanwhile (this statement waits
            // for it) is refused here — the whole transaction, values included, rolls back.
            let Some(version) = version else {
                return Err(EntryError::Conflict { by: "他人".into(), at: "刚才".into() });
            };
            audit!(&mut *tx, actor, "save", "submission", &format!("{}/{}/{period}", ds.code, b.zone), None::<String>,
                json(&serde_json::json!({"source": source, "version": version, "changes": changes})))?;
            versions.push(version);
        }
        tx.commit().await?;
        Ok::<_, EntryError>(versions)
    })?;
    Ok(versions)
}

/// A workflow step on one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// draft → submitted (the reporter)
    Submit,
    /// submitted → approved (a reviewer)
    Approve,
    /// submitted → draft, with a reason (a reviewer)
    Return,
    /// approved → submitted, with a reason (a reviewer)
    Unapprove,
    /// approved → locked (the office)
    Lock,
}

impl Transition {
    fn from_to(self) -> (Status, Status, &'static str) {
        match self {
            Transition::Submit => (Status::Draft, Status::Submitted, "submit"),
            Transition::Approve => (Status::Submitted, Status::Approved, "approve"),
            Transition::Return => (Status::Submitted, Status::Draft, "return"),
            Transition::Unapprove => (Status::Approved, Status::Submitted, "unapprove"),
            Transition::Lock => (Status::Approved, Status::Locked, "lock"),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Transition::Submit => "报送",
            Transition::Approve => "审核通过",
            Transition::Return => "退回修改",
            Transition::Unapprove => "撤销审核",
            Transition::Lock => "锁定",
        }
    }
    fn needs_reason(self) -> bool {
        matches!(self, Transition::Return | Transition::Unapprove)
    }
}

/// Moves reports through the workflow in one transaction (bulk approval passes several).
/// Each must be in the right state; `expected_version` guards against acting on stale data.
pub async fn transition(
    db: &Db,
    actor: &Actor,
    ds: &Dataset,
    t: Transition,
    targets: &[(String, Month, Option<i64>)],
    reason: &str,
) -> Result<(), EntryError> {
    let (from, to, action) = t.from_to();
    if t.needs_reason() && reason.trim().is_empty() {
        return Err(EntryError::Refused(format!("{}必须填写原因", t.label())));
    }
    let now = Utc::now();
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        for (zone, period, expected) in targets {
            let ps = period.to_string();
            let row: Option<(i64, String, i64, String, DateTime<Utc>)> = sqlx::query_as(
                "SELECT s.zone_id, s.status, s.version, s.updated_by, s.updated_at FROM submission s JOIN zone z ON z.id = s.zone_id
                 WHERE s.dataset_id = $1 AND z.code = $2 AND s.period = $3")
                .bind(ds.id).bind(zone).bind(&ps).fetch_optional(&mut *tx).await?;
            let Some((zone_id, status, version, by, at)) = row else {
                return Err(EntryError::Refused(format!("{zone} {}尚未填报，不能{}", period.label(), t.label())));
            };
            if Status::parse(&status) != from {
                return Err(EntryError::Refused(format!(
                    "{zone} {}的报表当前状态为“{}”，不能{}", period.label(), Status::parse(&status).label(), t.label())));
            }
            if expected.is_some_and(|v| v != version) {
                return Err(EntryError::Conflict { by, at: beijing(at) });
            }
            let (set_submitted, set_approved) = (t == Transition::Submit, t == Transition::Approve);
            let moved = sqlx::query(
                "UPDATE submission SET status = $1, version = version + 1, updated_by = $2, updated_at = $3,
                     submitted_by = CASE WHEN $4 THEN $2 ELSE submitted_by END,
                     submitted_at = CASE WHEN $4 THEN $3 ELSE submitted_at END,
                     approved_by = CASE WHEN $5 THEN $2 ELSE approved_by END,
                     approved_at = CASE WHEN $5 THEN $3 ELSE approved_at END,
                     returned_reason = $6,
                     changed_after_approval = CASE WHEN $5 THEN FALSE ELSE changed_after_approval END
                 WHERE dataset_id = $7 AND zone_id = $8 AND period = $9 AND version = $10")
                .bind(to.code()).bind(&actor.name).bind(now).bind(set_submitted).bind(set_approved)
                .bind(t.needs_reason().then(|| reason.trim().to_string()))
                .bind(ds.id).bind(zone_id).bind(&ps).bind(version).execute(&mut *tx).await?;
            // On PostgreSQL the row read above is not locked: another save or transition may
            // have committed since. The version guard (re-checked after waiting for that
            // writer) turns it into a refusal instead of a silent overwrite.
            if moved.rows_affected() != 1 {
                return Err(EntryError::Conflict { by: "他人".into(), at: "刚才".into() });
            }
            // Values carry the report's status so analytics can filter on approved data.
            let obs_status = if to == Status::Locked { "approved" } else { to.code() };
            sqlx::query(
                "UPDATE observation SET status = $1 WHERE zone_id = $2 AND period = $3
                 AND indicator_id IN (SELECT indicator_id FROM dataset_indicator WHERE dataset_id = $4)")
                .bind(obs_status).bind(zone_id).bind(&ps).bind(ds.id).execute(&mut *tx).await?;
            audit!(&mut *tx, actor, action, "submission", &format!("{}/{zone}/{ps}", ds.code),
                Some(format!("{{\"status\":\"{}\"}}", from.code())),
                json(&serde_json::json!({"status": to.code(), "reason": reason.trim()})))?;
        }
        tx.commit().await?;
        Ok::<_, EntryError>(())
    })
}

/// Whether saving `v` over `old` (本期数值, 上年同期可比数) writes a history row: a change of
/// either number does; a new value does only on a report approved before (the list of changes
/// after approval reads the history) — otherwise its creation is on its own row (`created_*`).
pub(crate) fn history_row(old: Option<(f64, Option<f64>)>, v: &ValueInput, was_approved: bool) -> bool {
    match old {
        Some((value, prior)) => value != v.value || prior != v.prior_comparable,
        None => was_approved,
    }
}

/// One change of one value.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HistoryEntry {
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    pub old_prior: Option<f64>,
    pub new_prior: Option<f64>,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
    pub source: String,
    pub after_approval: bool,
}

/// A value's creation as its row keeps it: who, when, through what, and the value now.
type Creation = (Option<String>, Option<DateTime<Utc>>, Option<String>, f64, Option<f64>);

/// Every change of one value, newest first, ending with its creation (none → first value).
pub async fn history(db: &Db, zone: &str, indicator: &str, period: Month) -> crate::Result<Vec<HistoryEntry>> {
    let (mut entries, created) = with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let entries = sqlx::query_as::<_, HistoryEntry>(
            "SELECT h.old_value, h.new_value, h.old_prior, h.new_prior, h.changed_by, h.changed_at, h.source, h.after_approval
             FROM observation_history h JOIN zone z ON z.id = h.zone_id JOIN indicator i ON i.id = h.indicator_id
             WHERE z.code = $1 AND i.code = $2 AND h.period = $3 ORDER BY h.id DESC")
            .bind(zone).bind(indicator).bind(period.to_string()).fetch_all(&mut *tx).await?;
        let created = sqlx::query_as::<_, Creation>(
            "SELECT o.created_by, o.created_at, o.created_via, o.value, o.prior_comparable
             FROM observation o JOIN zone z ON z.id = o.zone_id JOIN indicator i ON i.id = o.indicator_id
             WHERE z.code = $1 AND i.code = $2 AND o.period = $3")
            .bind(zone).bind(indicator).bind(period.to_string()).fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>((entries, created))
    })?;
    // The creation is on the row unless the history holds it (made before migration 0014, or
    // on a report approved before). The first value is the oldest change's old one, or today's.
    if let Some((Some(by), Some(at), Some(via), value, prior)) = created
        && entries.iter().all(|e| e.old_value.is_some())
    {
        let (first, first_prior) = entries.last().map_or((value, prior), |e| (e.old_value.unwrap_or(value), e.old_prior));
        entries.push(HistoryEntry {
            old_value: None,
            new_value: Some(first),
            old_prior: None,
            new_prior: first_prior,
            changed_by: by,
            changed_at: at,
            source: via,
            after_approval: false,
        });
    }
    Ok(entries)
}

/// Values changed on reports that had been approved before (the DHIS2 gap this fixes).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LateChange {
    pub zone: String,
    pub indicator: String,
    pub period: String,
    pub old_value: Option<f64>,
    pub new_value: Option<f64>,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

pub async fn changes_after_approval(db: &Db, limit: i64) -> crate::Result<Vec<LateChange>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, LateChange>(
        "SELECT z.code AS zone, i.code AS indicator, h.period, h.old_value, h.new_value, h.changed_by, h.changed_at
         FROM observation_history h JOIN zone z ON z.id = h.zone_id JOIN indicator i ON i.id = h.indicator_id
         WHERE h.after_approval = TRUE ORDER BY h.id DESC LIMIT $1")
        .bind(limit).fetch_all(p).await)?)
}
