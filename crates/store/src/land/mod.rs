//! The idle-land register (闲置土地台账): parcels with a version per edit (a stale edit is
//! refused), the procedure's steps with their checks, the rule set in force, the 台账 import
//! (dry run, staged, committed all-or-nothing) and the ledger as of a date. Every write runs in
//! one transaction with its audit record. The rules themselves are `nengji_core::land`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use nengji_core::land::parcel::{Parcel, StartEvidence};
use nengji_core::land::period::RestDays;
use nengji_core::land::procedure::{self, Deadline, Recorded, Step};
use nengji_core::land::rules::{self, Assessment, Cause, DisposalOption, DisposalPlan, PlanContext, Restart, Supply, Thresholds};
use nengji_core::land::sheet::{self as land_sheet, SheetParcel};
use nengji_core::masterdata::{CellError, Table};
use serde::Serialize;

use crate::audit::{json, Actor};
use crate::db::Db;
use crate::StoreError;

pub mod demo;
pub use demo::load_demo;

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::Invalid(m.into())
}

fn stamp(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

// ---------------------------------------------------------------------------------------------
// Settings

/// The rule set in force: the stored one, else the national defaults.
pub async fn thresholds(db: &Db) -> crate::Result<Thresholds> {
    let v: Option<String> = with_pool!(db, p => sqlx::query_scalar("SELECT value FROM land_setting WHERE key = 'thresholds'").fetch_optional(p).await)?;
    Ok(v.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

/// Stores a rule set (e.g. a province's stricter variant).
pub async fn set_thresholds(db: &Db, actor: &Actor, t: &Thresholds) -> crate::Result<()> {
    t.check().map_err(invalid)?;
    let old = thresholds(db).await?;
    let value = serde_json::to_string(t).map_err(|e| invalid(e.to_string()))?;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("DELETE FROM land_setting WHERE key = 'thresholds'").execute(&mut *tx).await?;
        sqlx::query("INSERT INTO land_setting (key, value) VALUES ('thresholds', $1)").bind(&value).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "update", "land_setting", "thresholds", json(&old), Some(value.clone()))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// Rest days from the office's holiday calendar (the same data as the reporting calendar).
pub async fn rest_days(db: &Db) -> crate::Result<RestDays> {
    Ok(RestDays::new(&crate::collection::day_overrides(db).await?))
}

// ---------------------------------------------------------------------------------------------
// Parcels

#[derive(sqlx::FromRow)]
struct ParcelRecord {
    id: i64,
    code: String,
    zone_code: String,
    zone_name: String,
    holder: String,
    uscc: String,
    land_use: String,
    area_m2: f64,
    supply: String,
    supply_date: Option<NaiveDate>,
    contract_start: Option<NaiveDate>,
    contract_completion: Option<NaiveDate>,
    handover: Option<NaiveDate>,
    price_fen: i64,
    planned_fen: i64,
    invested_fen: i64,
    to_develop_m2: f64,
    developed_m2: f64,
    started: Option<NaiveDate>,
    start_evidence: Option<String>,
    halted: Option<NaiveDate>,
    cause: Option<String>,
    mortgagee: String,
    monitored: bool,
    note: String,
    is_demo: bool,
    version: i64,
    updated_by: String,
    updated_at: DateTime<Utc>,
}

/// A parcel as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredParcel {
    pub id: i64,
    #[serde(flatten)]
    pub parcel: Parcel,
    pub zone_name: String,
    pub is_demo: bool,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl From<ParcelRecord> for StoredParcel {
    fn from(r: ParcelRecord) -> Self {
        StoredParcel {
            id: r.id,
            parcel: Parcel {
                code: r.code,
                zone: r.zone_code,
                holder: r.holder,
                uscc: r.uscc,
                land_use: r.land_use,
                area_m2: r.area_m2,
                supply: if r.supply == "allocation" { Supply::Allocation } else { Supply::Sale },
                supply_date: r.supply_date,
                contract_start: r.contract_start,
                contract_completion: r.contract_completion,
                handover: r.handover,
                price_fen: r.price_fen,
                planned_fen: r.planned_fen,
                invested_fen: r.invested_fen,
                to_develop_m2: r.to_develop_m2,
                developed_m2: r.developed_m2,
                started: r.started,
                start_evidence: r.start_evidence.as_deref().and_then(StartEvidence::parse),
                halted: r.halted,
                cause: r.cause.as_deref().and_then(Cause::parse),
                mortgagee: r.mortgagee,
                monitored: r.monitored,
                note: r.note,
            },
            zone_name: r.zone_name,
            is_demo: r.is_demo,
            version: r.version,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
        }
    }
}

const SELECT: &str = "SELECT p.id, p.code, z.code AS zone_code, z.name AS zone_name, p.holder, p.uscc, p.land_use, p.area_m2, p.supply,
    p.supply_date, p.contract_start, p.contract_completion, p.handover, p.price_fen, p.planned_fen, p.invested_fen,
    p.to_develop_m2, p.developed_m2, p.started, p.start_evidence, p.halted, p.cause, p.mortgagee, p.monitored, p.note,
    p.is_demo, p.version, p.updated_by, p.updated_at
    FROM land_parcel p JOIN zone z ON z.id = p.zone_id";

/// Every parcel, or those of the given zones (a zone reporter's scope), by zone then code.
pub async fn parcels(db: &Db, zones: Option<&[String]>) -> crate::Result<Vec<StoredParcel>> {
    let sql = format!("{SELECT} ORDER BY z.sort_order, z.id, p.code");
    let rows: Vec<ParcelRecord> = with_pool!(db, p => sqlx::query_as::<_, ParcelRecord>(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    Ok(rows.into_iter().map(StoredParcel::from).filter(|p| zones.is_none_or(|z| z.contains(&p.parcel.zone))).collect())
}

pub async fn parcel(db: &Db, id: i64) -> crate::Result<Option<StoredParcel>> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    let row: Option<ParcelRecord> = with_pool!(db, p => sqlx::query_as::<_, ParcelRecord>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
    Ok(row.map(StoredParcel::from))
}

pub async fn parcel_by_code(db: &Db, code: &str) -> crate::Result<Option<StoredParcel>> {
    let sql = format!("{SELECT} WHERE p.code = $1");
    let row: Option<ParcelRecord> = with_pool!(db, p => sqlx::query_as::<_, ParcelRecord>(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(p).await)?;
    Ok(row.map(StoredParcel::from))
}

fn check(p: &Parcel) -> crate::Result<Parcel> {
    let mut p = p.clone();
    p.code = p.code.trim().to_string();
    if let Ok(c) = nengji_core::uscc::validate(&p.uscc) {
        p.uscc = c;
    }
    let problems = p.problems();
    if !problems.is_empty() {
        return Err(invalid(problems.into_iter().map(|(f, m)| format!("{f}：{m}")).collect::<Vec<_>>().join("；")));
    }
    Ok(p)
}

async fn zone_id(db: &Db, code: &str) -> crate::Result<i64> {
    let id: Option<i64> = with_pool!(db, p => sqlx::query_scalar("SELECT id FROM zone WHERE code = $1").bind(code).fetch_optional(p).await)?;
    id.ok_or_else(|| invalid(format!("开发区：“{code}”不是已登记的开发区")))
}

fn opt_code<T>(v: Option<T>, code: fn(T) -> &'static str) -> Option<&'static str> {
    v.map(code)
}

/// Inserts a parcel on an open transaction.
macro_rules! insert_parcel {
    ($conn:expr, $p:expr, $zone_id:expr, $demo:expr, $actor:expr, $at:expr) => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO land_parcel (code, zone_id, holder, uscc, land_use, area_m2, supply, supply_date, contract_start, contract_completion,
                handover, price_fen, planned_fen, invested_fen, to_develop_m2, developed_m2, started, start_evidence, halted, cause,
                mortgagee, monitored, note, is_demo, version, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, 1, $25, $26)
             RETURNING id")
            .bind(&$p.code).bind($zone_id).bind(&$p.holder).bind(&$p.uscc).bind(&$p.land_use).bind($p.area_m2)
            .bind(supply_code($p.supply)).bind($p.supply_date).bind($p.contract_start).bind($p.contract_completion).bind($p.handover)
            .bind($p.price_fen).bind($p.planned_fen).bind($p.invested_fen).bind($p.to_develop_m2).bind($p.developed_m2)
            .bind($p.started).bind(opt_code($p.start_evidence, StartEvidence::code)).bind($p.halted).bind(opt_code($p.cause, Cause::code))
            .bind(&$p.mortgagee).bind($p.monitored).bind(&$p.note).bind($demo).bind(&$actor.name).bind($at)
            .fetch_one($conn)
    };
}

/// Updates a parcel on an open transaction if its version is still `$version`; yields rows affected.
macro_rules! update_parcel {
    ($conn:expr, $id:expr, $version:expr, $p:expr, $zone_id:expr, $actor:expr, $at:expr) => {
        sqlx::query(
            "UPDATE land_parcel SET code = $1, zone_id = $2, holder = $3, uscc = $4, land_use = $5, area_m2 = $6, supply = $7, supply_date = $8,
                contract_start = $9, contract_completion = $10, handover = $11, price_fen = $12, planned_fen = $13, invested_fen = $14,
                to_develop_m2 = $15, developed_m2 = $16, started = $17, start_evidence = $18, halted = $19, cause = $20, mortgagee = $21,
                monitored = $22, note = $23, version = version + 1, updated_by = $24, updated_at = $25
             WHERE id = $26 AND version = $27")
            .bind(&$p.code).bind($zone_id).bind(&$p.holder).bind(&$p.uscc).bind(&$p.land_use).bind($p.area_m2)
            .bind(supply_code($p.supply)).bind($p.supply_date).bind($p.contract_start).bind($p.contract_completion).bind($p.handover)
            .bind($p.price_fen).bind($p.planned_fen).bind($p.invested_fen).bind($p.to_develop_m2).bind($p.developed_m2)
            .bind($p.started).bind(opt_code($p.start_evidence, StartEvidence::code)).bind($p.halted).bind(opt_code($p.cause, Cause::code))
            .bind(&$p.mortgagee).bind($p.monitored).bind(&$p.note).bind(&$actor.name).bind($at).bind($id).bind($version)
            .execute($conn)
    };
}

fn supply_code(s: Supply) -> &'static str {
    match s {
        Supply::Sale => "sale",
        Supply::Allocation => "allocation",
    }
}

fn conflict(current: &StoredParcel, expected: i64) -> StoreError {
    invalid(format!(
        "宗地“{}”已被 {} 于 {} 修改（当前版本 {}，您编辑的是版本 {}），您的修改未保存。请刷新页面查看最新内容后重新填写。",
        current.parcel.code,
        current.updated_by,
        current.updated_at.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).format("%Y-%m-%d %H:%M"),
        current.version,
        expected
    ))
}

/// Registers a new parcel.
pub async fn create(db: &Db, actor: &Actor, p: &Parcel, demo: bool, now: DateTime<Utc>) -> crate::Result<i64> {
    let p = check(p)?;
    let zid = zone_id(db, &p.zone).await?;
    if parcel_by_code(db, &p.code).await?.is_some() {
        return Err(invalid(format!("宗地编号“{}”已存在", p.code)));
    }
    let at = stamp(now);
    let id = with_pool!(db, c => {
        let mut tx = c.begin_write().await?;
        let id: i64 = insert_parcel!(&mut *tx, p, zid, demo, actor, at).await?;
        audit!(&mut *tx, actor, "create", "land_parcel", &p.code, None::<String>, json(&p))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    })?;
    Ok(id)
}

/// Saves an edit made to version `expected`; refused when someone saved in between.
pub async fn update(db: &Db, actor: &Actor, id: i64, expected: i64, p: &Parcel, now: DateTime<Utc>) -> crate::Result<i64> {
    let p = check(p)?;
    let current = parcel(db, id).await?.ok_or_else(|| StoreError::NotFound(format!("宗地 {id}")))?;
    if current.version != expected {
        return Err(conflict(&current, expected));
    }
    if p.code != current.parcel.code && parcel_by_code(db, &p.code).await?.is_some() {
        return Err(invalid(format!("宗地编号“{}”已存在", p.code)));
    }
    let zid = zone_id(db, &p.zone).await?;
    let at = stamp(now);
    let n = with_pool!(db, c => {
        let mut tx = c.begin_write().await?;
        let n = update_parcel!(&mut *tx, id, expected, p, zid, actor, at).await?.rows_affected();
        if n == 1 {
            audit!(&mut *tx, actor, "update", "land_parcel", &p.code, json(&current.parcel), json(&p))?;
            tx.commit().await?;
        }
        Ok::<_, sqlx::Error>(n)
    })?;
    if n != 1 {
        // Someone saved between the read and the write.
        let now_current = parcel(db, id).await?.ok_or_else(|| StoreError::NotFound(format!("宗地 {id}")))?;
        return Err(conflict(&now_current, expected));
    }
    Ok(expected + 1)
}

// ---------------------------------------------------------------------------------------------
// The procedure

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StepRecord {
    pub id: i64,
    pub parcel_id: i64,
    pub step: String,
    pub on_date: NaiveDate,
    pub doc_no: String,
    pub note: String,
    pub plan_option: Option<String>,
    pub new_start_due: Option<NaiveDate>,
    pub temporary_until: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl StepRecord {
    pub fn step(&self) -> Option<Step> {
        Step::parse(&self.step)
    }
    pub fn option(&self) -> Option<DisposalOption> {
        self.plan_option.as_deref().and_then(DisposalOption::parse)
    }
}

pub async fn steps(db: &Db, parcel_id: i64) -> crate::Result<Vec<StepRecord>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, StepRecord>(
        "SELECT id, parcel_id, step, on_date, doc_no, note, plan_option, new_start_due, temporary_until, created_by, created_at
         FROM land_step WHERE parcel_id = $1 ORDER BY id").bind(parcel_id).fetch_all(p).await)?)
}

async fn all_steps(db: &Db) -> crate::Result<HashMap<i64, Vec<StepRecord>>> {
    let rows: Vec<StepRecord> = with_pool!(db, p => sqlx::query_as::<_, StepRecord>(
        "SELECT id, parcel_id, step, on_date, doc_no, note, plan_option, new_start_due, temporary_until, created_by, created_at
         FROM land_step ORDER BY id").fetch_all(p).await)?;
    let mut out: HashMap<i64, Vec<StepRecord>> = HashMap::new();
    for r in rows {
        out.entry(r.parcel_id).or_default().push(r);
    }
    Ok(out)
}

fn recorded(steps: &[StepRecord]) -> Vec<Recorded> {
    steps.iter().filter_map(|s| s.step().map(|step| Recorded { step, on: s.on_date })).collect()
}

/// The clock restart of the latest negotiated plan (Art. 13), if any.
pub fn restart_of(steps: &[StepRecord]) -> Option<Restart> {
    steps.iter().rev().filter(|s| s.step() == Some(Step::Plan)).find_map(|s| {
        let start_due = s.new_start_due.or(s.temporary_until)?;
        (s.option() != Some(DisposalOption::PaidRecovery)).then_some(Restart { decided: s.on_date, start_due })
    })
}

/// A step to record.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewStep {
    pub step: String,
    pub on: Option<NaiveDate>,
    #[serde(default)]
    pub doc_no: String,
    #[serde(default)]
    pub note: String,
    /// For a negotiated plan: the option, new start date, temporary-use end, swap preconditions.
    pub option: Option<String>,
    pub new_start_due: Option<NaiveDate>,
    pub temporary_until: Option<NaiveDate>,
    #[serde(default)]
    pub price_paid_in_full: bool,
    #[serde(default)]
    pub funds_in_place: bool,
}

/// Records the next step of a parcel's procedure after checking its order, date and (for a
/// negotiated plan) Arts. 12, 13 and 25.
pub async fn record_step(db: &Db, actor: &Actor, parcel_id: i64, s: &NewStep, now: DateTime<Utc>) -> crate::Result<i64> {
    let p = parcel(db, parcel_id).await?.ok_or_else(|| StoreError::NotFound(format!("宗地 {parcel_id}")))?;
    let step = Step::parse(&s.step).ok_or_else(|| invalid(format!("“{}”不是有效的程序环节", s.step)))?;
    let on = s.on.ok_or_else(|| invalid("请填写环节日期"))?;
    let history = steps(db, parcel_id).await?;
    procedure::check_next(&recorded(&history), step, on).map_err(invalid)?;
    let mut option = None;
    if step == Step::Plan {
        let o = s.option.as_deref().and_then(DisposalOption::parse).ok_or_else(|| invalid("请选择处置方式（第十二条六种方式之一）"))?;
        let t = thresholds(db).await?;
        let r = rest_days(db).await?;
        let a = rules::assess(&p.parcel.facts(restart_of(&history)), on, &t, &r);
        let plan = DisposalPlan {
            option: o,
            decided: on,
            new_start_due: s.new_start_due,
            temporary_until: s.temporary_until,
            price_paid_in_full: s.price_paid_in_full,
            funds_in_place: s.funds_in_place,
        };
        let ctx = PlanContext { cause: p.parcel.cause, case: a.case, monitored: p.parcel.monitored };
        rules::check_plan(&plan, &ctx, &t, &r).map_err(|e| invalid(e.join("；")))?;
        option = Some(o);
    }
    let at = stamp(now);
    let detail = serde_json::json!({"step": step.code(), "on": on, "doc_no": s.doc_no, "note": s.note, "option": option.map(|o| o.code()), "new_start_due": s.new_start_due, "temporary_until": s.temporary_until});
    let id = with_pool!(db, c => {
        let mut tx = c.begin_write().await?;
        // Serialises concurrent steps on one parcel: both engines lock the parcel's row.
        sqlx::query("UPDATE land_parcel SET version = version WHERE id = $1").bind(parcel_id).execute(&mut *tx).await?;
        let last: Option<String> = sqlx::query_scalar("SELECT step FROM land_step WHERE parcel_id = $1 ORDER BY id DESC LIMIT 1").bind(parcel_id).fetch_optional(&mut *tx).await?;
        if last.as_deref() != history.last().map(|h| h.step.as_str()) {
            return Err(invalid("该宗地的程序刚被他人推进，请刷新后重试"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO land_step (parcel_id, step, on_date, doc_no, note, plan_option, new_start_due, temporary_until, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
            .bind(parcel_id).bind(step.code()).bind(on).bind(&s.doc_no).bind(&s.note).bind(option.map(|o| o.code()))
            .bind(if step == Step::Plan { s.new_start_due } else { None }).bind(if step == Step::Plan { s.temporary_until } else { None })
            .bind(&actor.name).bind(at).fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", "land_step", &format!("{}#{id}", p.parcel.code), None::<String>, json(&detail))?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    })?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// The ledger as of a date

/// A parcel with what the rules and the procedure say about it on a date.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerEntry {
    pub parcel: StoredParcel,
    pub assessment: Assessment,
    pub steps: Vec<StepRecord>,
    pub current: Option<Step>,
    pub deadline: Option<Deadline>,
}

impl LedgerEntry {
    /// The dashboard's status: the procedure's current step, else what the rules say.
    pub fn status(&self) -> &'static str {
        match self.current {
            Some(s) => s.label(),
            None if self.assessment.is_idle() => "疑似闲置（未立案）",
            None if self.assessment.started => "已动工",
            None => "未到期",
        }
    }
    pub fn status_code(&self) -> &'static str {
        match self.current {
            Some(s) => s.code(),
            None if self.assessment.is_idle() => "unfiled",
            None if self.assessment.started => "started",
            None => "normal",
        }
    }
}

/// The ledger of the given zones (all when `None`) as of `as_of`.
pub async fn ledger(db: &Db, zones: Option<&[String]>, as_of: NaiveDate) -> crate::Result<Vec<LedgerEntry>> {
    let t = thresholds(db).await?;
    let r = rest_days(db).await?;
    let mut steps = all_steps(db).await?;
    Ok(parcels(db, zones)
        .await?
        .into_iter()
        .map(|p| {
            let steps = steps.remove(&p.id).unwrap_or_default();
            entry(p, steps, as_of, &t, &r)
        })
        .collect())
}

fn entry(p: StoredParcel, steps: Vec<StepRecord>, as_of: NaiveDate, t: &Thresholds, r: &RestDays) -> LedgerEntry {
    let rec = recorded(&steps);
    let assessment = rules::assess(&p.parcel.facts(restart_of(&steps)), as_of, t, r);
    LedgerEntry { current: rec.last().map(|x| x.step), deadline: procedure::deadline(&rec, as_of, t, r), parcel: p, assessment, steps }
}

/// One parcel's ledger entry.
pub async fn ledger_entry(db: &Db, id: i64, as_of: NaiveDate) -> crate::Result<Option<LedgerEntry>> {
    let Some(p) = parcel(db, id).await? else { return Ok(None) };
    let steps = steps(db, id).await?;
    Ok(Some(entry(p, steps, as_of, &thresholds(db).await?, &rest_days(db).await?)))
}

/// The 台账 sheet: register columns, then the rules' and the procedure's columns.
pub fn ledger_table(entries: &[LedgerEntry]) -> Table {
    use nengji_core::land::parcel::wan;
    use nengji_core::land::rules::Consequence;
    let d = |x: Option<NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
    Table {
        sheet: land_sheet::SHEET.into(),
        header: land_sheet::header(),
        rows: entries
            .iter()
            .map(|e| {
                let a = &e.assessment;
                let mut row = land_sheet::register_cells(&e.parcel.parcel, e.parcel.version);
                row.extend([
                    if a.in_scope { "是" } else { "否" }.to_string(),
                    a.case.map(|c| c.label().to_string()).unwrap_or_default(),
                    d(a.start_due),
                    d(a.idle_from),
                    if a.is_idle() { a.idle_years.to_string() } else { String::new() },
                    if a.is_idle() { a.consequence.label().to_string() } else { String::new() },
                    match a.consequence {
                        Consequence::Fee { fee_fen } => wan(fee_fen),
                        _ => String::new(),
                    },
                    e.status().to_string(),
                    e.deadline.map(|dl| format!("{}前{}{}", dl.due, dl.awaits.label(), if dl.overdue { "（已逾期）" } else { "" })).unwrap_or_default(),
                ]);
                row
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Importing a 台账

/// The dry run: every problem by sheet, row and column, or the checked rows. A row whose parcel
/// exists is an edit of it, and `may_edit` also guards the zone it belongs to now.
pub async fn check_upload(db: &Db, table: &Table, may_edit: &(dyn Fn(&str) -> bool + Sync)) -> crate::Result<Result<Vec<SheetParcel>, Vec<CellError>>> {
    let zones = crate::masterdata::list_zones(db).await?;
    let zone_of = |s: &str| zones.iter().find(|z| z.zone.code == s || z.zone.name == s || z.zone.short_name == s).map(|z| z.zone.code.clone());
    let mut rows = match land_sheet::read_table(table, &zone_of, &|z| may_edit(z)) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let existing: HashMap<String, StoredParcel> = parcels(db, None).await?.into_iter().map(|p| (p.parcel.code.clone(), p)).collect();
    let mut errors = Vec::new();
    for r in &mut rows {
        if let Some(cur) = existing.get(&r.parcel.code) {
            if !may_edit(&cur.parcel.zone) {
                errors.push(CellError { sheet: table.sheet.clone(), row: r.row, column: None, field: "宗地编号".into(), message: format!("宗地“{}”属于{}，您无权修改", cur.parcel.code, cur.zone_name) });
            }
            if let Some(v) = r.version.filter(|v| *v != cur.version) {
                errors.push(CellError {
                    sheet: table.sheet.clone(),
                    row: r.row,
                    column: None,
                    field: "版本".into(),
                    message: format!("宗地“{}”在导出（版本 {v}）后已被 {} 修改为版本 {}，请重新导出后再改", cur.parcel.code, cur.updated_by, cur.version),
                });
            }
            // Without a 版本 column the version seen now guards the commit.
            r.version.get_or_insert(cur.version);
        }
    }
    Ok(if errors.is_empty() { Ok(rows) } else { Err(errors) })
}

/// The land ledger's upload history has the same columns as the value imports'.
pub use crate::value_imports::ImportRecord;

/// One upload in the history: its file, result, counts, and (when staged) the checked rows.
struct Upload<'a> {
    file: &'a str,
    status: &'a str,
    rows: usize,
    problems: usize,
    message: &'a str,
    payload: Option<String>,
}

async fn insert_import(db: &Db, actor: &Actor, u: Upload<'_>, now: DateTime<Utc>) -> crate::Result<i64> {
    let Upload { file, status, rows, problems, message, payload } = u;
    Ok(with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO land_import (at, actor, file_name, status, row_count, problem_count, message, payload)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(stamp(now)).bind(&actor.name).bind(file).bind(status).bind(rows as i64).bind(problems as i64).bind(message).bind(payload)
            .fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, status, "land_import", &id.to_string(), None::<String>, json(&serde_json::json!({"file": file, "rows": rows, "problems": problems})))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    })?)
}

/// Records an upload whose dry run found problems; nothing else is written.
pub async fn reject_import(db: &Db, actor: &Actor, file: &str, rows: usize, problems: usize, now: DateTime<Utc>) -> crate::Result<i64> {
    let message = format!("文件有 {problems} 处问题，未导入");
    insert_import(db, actor, Upload { file, status: "rejected", rows, problems, message: &message, payload: None }, now).await
}

/// Keeps a clean dry run until its uploader confirms it.
pub async fn stage_import(db: &Db, actor: &Actor, file: &str, rows: &[SheetParcel], now: DateTime<Utc>) -> crate::Result<i64> {
    insert_import(db, actor, Upload { file, status: "staged", rows: rows.len(), problems: 0, message: "检查通过，待确认导入", payload: json(&rows) }, now).await
}

pub async fn imports(db: &Db, actor: Option<&str>, limit: i64) -> crate::Result<Vec<ImportRecord>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, ImportRecord>(
        "SELECT id, at, actor, file_name, status, row_count, problem_count, message FROM land_import
         WHERE (CAST($1 AS TEXT) IS NULL OR actor = $1) ORDER BY id DESC LIMIT $2")
        .bind(actor).bind(limit).fetch_all(p).await)?)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Committed {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Applies a staged upload whole (one transaction), then marks it committed. A parcel edited
/// since the dry run (version moved) fails the whole import with the row named.
pub async fn commit_import(db: &Db, actor: &Actor, id: i64, demo: bool, now: DateTime<Utc>) -> crate::Result<Committed> {
    let row: Option<(String, String, String, Option<String>)> = with_pool!(db, p => sqlx::query_as(
        "SELECT actor, status, file_name, payload FROM land_import WHERE id = $1").bind(id).fetch_optional(p).await)?;
    let Some((owner, status, file, payload)) = row else { return Err(StoreError::NotFound(format!("导入批次 {id}"))) };
    if owner != actor.name {
        return Err(invalid("只能确认自己上传的文件"));
    }
    if status != "staged" {
        return Err(invalid(format!("导入批次 {id} 已处理，不能重复导入")));
    }
    let rows: Vec<SheetParcel> = serde_json::from_str(payload.as_deref().unwrap_or("[]")).map_err(|e| invalid(e.to_string()))?;
    let existing: HashMap<String, StoredParcel> = parcels(db, None).await?.into_iter().map(|p| (p.parcel.code.clone(), p)).collect();
    let zones: HashMap<String, i64> = crate::masterdata::list_zones(db).await?.into_iter().map(|z| (z.zone.code, z.id)).collect();
    let at = stamp(now);
    let out = with_pool!(db, c => {
        let mut tx = c.begin_write().await?;
        let mut out = Committed::default();
        for r in &rows {
            let p = &r.parcel;
            let zid = *zones.get(&p.zone).ok_or_else(|| invalid(format!("第{}行：开发区“{}”已不存在，未导入任何内容", r.row, p.zone)))?;
            match existing.get(&p.code) {
                Some(cur) if cur.parcel == *p && r.version.is_none_or(|v| v == cur.version) => out.unchanged += 1,
                Some(cur) => {
                    let n = update_parcel!(&mut *tx, cur.id, r.version.unwrap_or(cur.version), p, zid, actor, at).await?.rows_affected();
                    if n != 1 {
                        return Err(invalid(format!("第{}行：宗地“{}”在检查后被他人修改，未导入任何内容，请重新上传", r.row, p.code)));
                    }
                    audit!(&mut *tx, actor, "update", "land_parcel", &p.code, json(&cur.parcel), json(&serde_json::json!({"import": id, "row": r.row, "parcel": p})))?;
                    out.updated += 1;
                }
                None => {
                    let _: i64 = insert_parcel!(&mut *tx, p, zid, demo, actor, at).await?;
                    audit!(&mut *tx, actor, "create", "land_parcel", &p.code, None::<String>, json(&serde_json::json!({"import": id, "row": r.row, "parcel": p})))?;
                    out.added += 1;
                }
            }
        }
        let msg = format!("已导入“{file}”：新增 {} 宗，修改 {} 宗，未变 {} 宗", out.added, out.updated, out.unchanged);
        sqlx::query("UPDATE land_import SET status = 'committed', message = $1, payload = NULL WHERE id = $2").bind(&msg).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "commit", "land_import", &id.to_string(), Some("{\"status\":\"staged\"}".into()), json(&serde_json::json!({"status": "committed", "result": out})))?;
        tx.commit().await?;
        Ok::<_, StoreError>(out)
    })?;
    Ok(out)
}
