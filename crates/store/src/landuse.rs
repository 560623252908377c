//! Land intensive-use evaluation and 亩均效益 grading: versioned schemes, zone land-use
//! statistics, enterprise figures keyed by 统一社会信用代码, evaluations, and the 公示 workflow of
//! a grading (draft → publicity → objections resolved → final). Every write is one transaction
//! with its audit record; imports land whole or not at all.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use nengji_core::landuse::intensive::{EvalArea, IntensiveOutcome, LandStats};
use nengji_core::landuse::mujun::{Enterprise, MujunOutcome};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::audit::Actor;
use crate::db::Db;
use crate::StoreError;

fn bad(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("土地评价数据损坏：{e}"))
}

fn invalid(m: impl Into<String>) -> StoreError {
    StoreError::Invalid(m.into())
}

// ---------------------------------------------------------------- schemes

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    Intensive,
    Mujun,
}

impl SchemeKind {
    fn code(self) -> &'static str {
        match self {
            SchemeKind::Intensive => "intensive",
            SchemeKind::Mujun => "mujun",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stored<T> {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub scheme: T,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SchemeRow {
    id: i64,
    code: String,
    version: i64,
    name: String,
    definition: String,
    created_by: String,
    created_at: DateTime<Utc>,
}

fn to_stored<T: DeserializeOwned>(r: SchemeRow) -> crate::Result<Stored<T>> {
    Ok(Stored { scheme: serde_json::from_str(&r.definition).map_err(bad)?, id: r.id, code: r.code, version: r.version, name: r.name, created_by: r.created_by, created_at: r.created_at })
}

/// Saves `scheme` as the next version of `code`. `expected` is the version the editor started
/// from (0 for a new code): if someone saved in between, the save is refused, naming them.
pub async fn save_scheme<T: Serialize>(db: &Db, actor: &Actor, kind: SchemeKind, code: &str, name: &str, scheme: &T, expected: i64) -> crate::Result<i64> {
    let def = serde_json::to_string(scheme).map_err(bad)?;
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let last: Option<(i64, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT version, created_by, created_at FROM landuse_scheme WHERE kind = $1 AND code = $2 ORDER BY version DESC LIMIT 1")
            .bind(kind.code()).bind(code).fetch_optional(&mut *tx).await?;
        let current = last.as_ref().map(|l| l.0).unwrap_or(0);
        if current != expected {
            let who = last.map(|(v, by, at)| format!("{by} 已于 {} 保存了第{v}版", (at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M"))).unwrap_or_default();
            return Err(invalid(format!("方案已被修改：{who}；您编辑的是第{expected}版。请重新打开方案后再修改")));
        }
        let version = current + 1;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO landuse_scheme (kind, code, version, name, definition, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(kind.code()).bind(code).bind(version).bind(name).bind(&def).bind(&actor.name).bind(Utc::now())
            .fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", "landuse_scheme", &format!("{}/{code}/v{version}", kind.code()), None::<String>, Some(def.clone()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    })
}

const SCHEME_COLS: &str = "SELECT id, code, version, name, definition, created_by, created_at FROM landuse_scheme";

/// Every version of every scheme of a kind, newest version first within a code.
pub async fn schemes<T: DeserializeOwned>(db: &Db, kind: SchemeKind) -> crate::Result<Vec<Stored<T>>> {
    let sql = format!("{SCHEME_COLS} WHERE kind = $1 ORDER BY code, version DESC");
    let rows = with_pool!(db, p => sqlx::query_as::<_, SchemeRow>(sqlx::AssertSqlSafe(sql)).bind(kind.code()).fetch_all(p).await)?;
    rows.into_iter().map(to_stored).collect()
}

/// The latest version of each code.
pub async fn latest_schemes<T: DeserializeOwned>(db: &Db, kind: SchemeKind) -> crate::Result<Vec<Stored<T>>> {
    let mut all = schemes::<T>(db, kind).await?;
    all.dedup_by(|a, b| a.code == b.code);
    Ok(all)
}

pub async fn scheme<T: DeserializeOwned>(db: &Db, kind: SchemeKind, id: i64) -> crate::Result<Option<Stored<T>>> {
    let sql = format!("{SCHEME_COLS} WHERE kind = $1 AND id = $2");
    let row = with_pool!(db, p => sqlx::query_as::<_, SchemeRow>(sqlx::AssertSqlSafe(sql)).bind(kind.code()).bind(id).fetch_optional(p).await)?;
    row.map(to_stored).transpose()
}

// ---------------------------------------------------------------- land-use statistics

#[derive(Debug, Clone, Serialize)]
pub struct StoredStats {
    pub stats: LandStats,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct StatsRow {
    zone: String,
    year: i64,
    area: String,
    vals: String,
    version: i64,
    updated_by: String,
    updated_at: DateTime<Utc>,
}

fn area_of(s: &str) -> EvalArea {
    EvalArea::parse(s).unwrap_or(EvalArea::Main)
}

/// Statistics of a year (all zones, or `zones` only), in zone order.
pub async fn stats(db: &Db, year: i32, zones: Option<&[String]>) -> crate::Result<Vec<StoredStats>> {
    let rows = with_pool!(db, p => sqlx::query_as::<_, StatsRow>(
        "SELECT z.code AS zone, s.year, s.area, s.vals, s.version, s.updated_by, s.updated_at FROM landuse_stats s JOIN zone z ON z.id = s.zone_id
         WHERE s.year = $1 ORDER BY z.sort_order, z.id, s.area DESC").bind(year as i64).fetch_all(p).await)?;
    rows.into_iter()
        .filter(|r| zones.is_none_or(|z| z.contains(&r.zone)))
        .map(|r| {
            Ok(StoredStats {
                stats: LandStats { zone: r.zone, year: r.year as i32, area: area_of(&r.area), values: serde_json::from_str(&r.vals).map_err(bad)? },
                version: r.version,
                updated_by: r.updated_by,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

pub async fn stats_years(db: &Db) -> crate::Result<Vec<i32>> {
    let ys: Vec<i64> = with_pool!(db, p => sqlx::query_scalar("SELECT DISTINCT year FROM landuse_stats ORDER BY year DESC").fetch_all(p).await)?;
    Ok(ys.into_iter().map(|y| y as i32).collect())
}

/// Writes statistics rows in one transaction. `expected` is, per row, the version the form was
/// opened at (`Some(0)` = new); `None` (imports) overwrites. Nothing is written if any row conflicts.
pub async fn put_stats(db: &Db, actor: &Actor, rows: &[(LandStats, Option<i64>)], source: &str) -> crate::Result<usize> {
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        for (s, expected) in rows {
            let zone_id: Option<i64> = sqlx::query_scalar("SELECT id FROM zone WHERE code = $1").bind(&s.zone).fetch_optional(&mut *tx).await?;
            let Some(zone_id) = zone_id else { return Err(StoreError::NotFound(format!("开发区“{}”", s.zone))) };
            let old: Option<(i64, String, String)> = sqlx::query_as(
                "SELECT version, vals, updated_by FROM landuse_stats WHERE zone_id = $1 AND year = $2 AND area = $3")
                .bind(zone_id).bind(s.year as i64).bind(s.area.code()).fetch_optional(&mut *tx).await?;
            let current = old.as_ref().map(|o| o.0).unwrap_or(0);
            if let Some(e) = expected.filter(|e| *e != current) {
                let by = old.as_ref().map(|o| o.2.clone()).unwrap_or_default();
                return Err(invalid(format!("{}年{}（{}）的用地统计已被 {by} 修改（第{current}版），您的修改基于第{e}版，未保存；请刷新后重填", s.year, s.zone, s.area.label())));
            }
            let vals = serde_json::to_string(&s.values).map_err(bad)?;
            if old.as_ref().is_some_and(|o| o.1 == vals) {
                continue;
            }
            sqlx::query(
                "INSERT INTO landuse_stats (zone_id, year, area, vals, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (zone_id, year, area) DO UPDATE SET vals = $4, version = $5, updated_by = $6, updated_at = $7")
                .bind(zone_id).bind(s.year as i64).bind(s.area.code()).bind(&vals).bind(current + 1).bind(&actor.name).bind(Utc::now())
                .execute(&mut *tx).await?;
            audit!(&mut *tx, actor, if old.is_some() { "update" } else { "create" }, "landuse_stats",
                &format!("{}/{}/{}（{source}）", s.year, s.zone, s.area.code()), old.map(|o| o.1), Some(vals))?;
        }
        tx.commit().await?;
        Ok::<_, StoreError>(rows.len())
    })
}

// ---------------------------------------------------------------- intensive-use evaluations

#[derive(Debug, Clone, Serialize)]
pub struct LandEval {
    pub id: i64,
    pub scheme_id: i64,
    pub year: i32,
    pub outcome: IntensiveOutcome,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct EvalRow {
    id: i64,
    scheme_id: i64,
    year: i64,
    outcome: String,
    created_by: String,
    created_at: DateTime<Utc>,
}

pub async fn save_land_eval(db: &Db, actor: &Actor, scheme_id: i64, outcome: &IntensiveOutcome) -> crate::Result<i64> {
    let o = serde_json::to_string(outcome).map_err(bad)?;
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO landuse_eval (scheme_id, year, outcome, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(scheme_id).bind(outcome.year as i64).bind(&o).bind(&actor.name).bind(Utc::now()).fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", "landuse_eval", &format!("{}/{id}", outcome.year), None::<String>, Some(format!("{{\"scheme\":{scheme_id},\"zones\":{}}}", outcome.zones.len())))?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    })
}

/// Every evaluation, newest first.
pub async fn land_evals(db: &Db) -> crate::Result<Vec<LandEval>> {
    let rows = with_pool!(db, p => sqlx::query_as::<_, EvalRow>("SELECT id, scheme_id, year, outcome, created_by, created_at FROM landuse_eval ORDER BY year DESC, id DESC").fetch_all(p).await)?;
    rows.into_iter()
        .map(|r| Ok(LandEval { outcome: serde_json::from_str(&r.outcome).map_err(bad)?, id: r.id, scheme_id: r.scheme_id, year: r.year as i32, created_by: r.created_by, created_at: r.created_at }))
        .collect()
}

/// The latest year each zone was evaluated in.
pub async fn last_evaluated(db: &Db) -> crate::Result<BTreeMap<String, i32>> {
    let mut out = BTreeMap::new();
    for e in land_evals(db).await? {
        for z in &e.outcome.zones {
            let y = out.entry(z.zone.clone()).or_insert(e.year);
            *y = (*y).max(e.year);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- enterprise figures

#[derive(sqlx::FromRow)]
struct FigureRow {
    year: i64,
    uscc: String,
    name: String,
    zone: String,
    land_mu: f64,
    above_scale: bool,
    tax: Option<f64>,
    revenue: Option<f64>,
    added_value: Option<f64>,
    rd: Option<f64>,
    energy: Option<f64>,
    emissions: Option<f64>,
    electricity: Option<f64>,
    employees: Option<f64>,
    exempt: String,
    items: String,
}

/// Imports figures (upsert by year and 统一社会信用代码) in one transaction with one audit record.
/// Returns (new, changed).
pub async fn import_figures(db: &Db, actor: &Actor, firms: &[Enterprise], source: &str) -> crate::Result<(usize, usize)> {
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let zones: Vec<(String, i64)> = sqlx::query_as("SELECT code, id FROM zone").fetch_all(&mut *tx).await?;
        let zone_id = |c: &str| zones.iter().find(|z| z.0 == c).map(|z| z.1);
        let (mut new, mut changed) = (0, 0);
        let now = Utc::now();
        for e in firms {
            let zid = zone_id(&e.zone).ok_or_else(|| StoreError::NotFound(format!("开发区“{}”", e.zone)))?;
            let items = serde_json::to_string(&e.items).map_err(bad)?;
            let existed: Option<i64> = sqlx::query_scalar("SELECT year FROM mujun_figure WHERE year = $1 AND uscc = $2").bind(e.year as i64).bind(&e.uscc).fetch_optional(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO mujun_figure (year, uscc, name, zone_id, land_mu, above_scale, tax, revenue, added_value, rd, energy, emissions, electricity, employees, exempt, items, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                 ON CONFLICT (year, uscc) DO UPDATE SET name = $3, zone_id = $4, land_mu = $5, above_scale = $6, tax = $7, revenue = $8, added_value = $9,
                   rd = $10, energy = $11, emissions = $12, electricity = $13, employees = $14, exempt = $15, items = $16, updated_by = $17, updated_at = $18")
                .bind(e.year as i64).bind(&e.uscc).bind(&e.name).bind(zid).bind(e.land_mu).bind(e.above_scale).bind(e.tax).bind(e.revenue).bind(e.added_value)
                .bind(e.rd).bind(e.energy).bind(e.emissions).bind(e.electricity).bind(e.employees).bind(&e.exempt).bind(&items).bind(&actor.name).bind(now)
                .execute(&mut *tx).await?;
            if existed.is_some() { changed += 1 } else { new += 1 }
        }
        let years: std::collections::BTreeSet<i32> = firms.iter().map(|e| e.year).collect();
        audit!(&mut *tx, actor, "import", "mujun_figure", &format!("{}（{source}）", years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join("、")), None::<String>,
            Some(format!("{{\"rows\":{},\"new\":{new},\"changed\":{changed}}}", firms.len())))?;
        tx.commit().await?;
        Ok::<_, StoreError>((new, changed))
    })
}

/// A year's figures (all zones, or `zones` only), ordered by zone then code.
pub async fn figures(db: &Db, year: i32, zones: Option<&[String]>) -> crate::Result<Vec<Enterprise>> {
    let rows = with_pool!(db, p => sqlx::query_as::<_, FigureRow>(
        "SELECT f.year, f.uscc, f.name, z.code AS zone, f.land_mu, f.above_scale, f.tax, f.revenue, f.added_value, f.rd, f.energy, f.emissions, f.electricity,
                f.employees, f.exempt, f.items
         FROM mujun_figure f JOIN zone z ON z.id = f.zone_id WHERE f.year = $1 ORDER BY z.sort_order, z.id, f.uscc").bind(year as i64).fetch_all(p).await)?;
    rows.into_iter()
        .filter(|r| zones.is_none_or(|z| z.contains(&r.zone)))
        .map(|r| {
            Ok(Enterprise {
                items: serde_json::from_str(&r.items).map_err(bad)?,
                uscc: r.uscc,
                name: r.name,
                zone: r.zone,
                year: r.year as i32,
                land_mu: r.land_mu,
                above_scale: r.above_scale,
                tax: r.tax,
                revenue: r.revenue,
                added_value: r.added_value,
                rd: r.rd,
                energy: r.energy,
                emissions: r.emissions,
                electricity: r.electricity,
                employees: r.employees,
                exempt: r.exempt,
            })
        })
        .collect()
}

/// Years with figures and their firm counts, newest first.
pub async fn figure_years(db: &Db) -> crate::Result<Vec<(i32, i64)>> {
    let ys: Vec<(i64, i64)> = with_pool!(db, p => sqlx::query_as("SELECT year, COUNT(*) FROM mujun_figure GROUP BY year ORDER BY year DESC").fetch_all(p).await)?;
    Ok(ys.into_iter().map(|(y, n)| (y as i32, n)).collect())
}

// ---------------------------------------------------------------- gradings and 公示

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RunStatus {
    Draft,
    Publicity,
    Final,
}

impl RunStatus {
    fn parse(s: &str) -> RunStatus {
        match s {
            "publicity" => RunStatus::Publicity,
            "final" => RunStatus::Final,
            _ => RunStatus::Draft,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Draft => "草稿",
            RunStatus::Publicity => "公示中",
            RunStatus::Final => "已定稿",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MujunRun {
    pub id: i64,
    pub scheme_id: i64,
    pub year: i32,
    pub status: RunStatus,
    pub publicity_start: Option<NaiveDate>,
    pub publicity_end: Option<NaiveDate>,
    pub outcome: MujunOutcome,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    scheme_id: i64,
    year: i64,
    status: String,
    publicity_start: Option<NaiveDate>,
    publicity_end: Option<NaiveDate>,
    outcome: String,
    version: i64,
    created_by: String,
    created_at: DateTime<Utc>,
}

const RUN_COLS: &str = "SELECT id, scheme_id, year, status, publicity_start, publicity_end, outcome, version, created_by, created_at FROM mujun_run";

fn to_run(r: RunRow) -> crate::Result<MujunRun> {
    Ok(MujunRun {
        outcome: serde_json::from_str(&r.outcome).map_err(bad)?,
        id: r.id,
        scheme_id: r.scheme_id,
        year: r.year as i32,
        status: RunStatus::parse(&r.status),
        publicity_start: r.publicity_start,
        publicity_end: r.publicity_end,
        version: r.version,
        created_by: r.created_by,
        created_at: r.created_at,
    })
}

pub async fn runs(db: &Db) -> crate::Result<Vec<MujunRun>> {
    let sql = format!("{RUN_COLS} ORDER BY year DESC, id DESC");
    let rows = with_pool!(db, p => sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    rows.into_iter().map(to_run).collect()
}

pub async fn run(db: &Db, id: i64) -> crate::Result<Option<MujunRun>> {
    let sql = format!("{RUN_COLS} WHERE id = $1");
    let row = with_pool!(db, p => sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
    row.map(to_run).transpose()
}

/// Stores a new grading as a draft.
pub async fn create_run(db: &Db, actor: &Actor, scheme_id: i64, outcome: &MujunOutcome) -> crate::Result<i64> {
    let o = serde_json::to_string(outcome).map_err(bad)?;
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mujun_run (scheme_id, year, status, outcome, version, created_by, created_at) VALUES ($1, $2, 'draft', $3, 1, $4, $5) RETURNING id")
            .bind(scheme_id).bind(outcome.year as i64).bind(&o).bind(&actor.name).bind(Utc::now()).fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", "mujun_run", &format!("{}/{id}", outcome.year), None::<String>,
            Some(format!("{{\"scheme\":{scheme_id},\"firms\":{}}}", outcome.results.len())))?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    })
}

/// Locks the run's row, checks the version the caller saw, and gives (year, status).
macro_rules! checked_run {
    ($tx:expr, $id:expr, $expected:expr) => {{
        let row: Option<(i64, String, i64)> = sqlx::query_as("SELECT year, status, version FROM mujun_run WHERE id = $1").bind($id).fetch_optional(&mut *$tx).await?;
        let Some((year, status, version)) = row else { return Err(StoreError::NotFound(format!("亩均评价 {}", $id))) };
        if version != $expected {
            return Err(invalid(format!("该评价已被他人更新（第{version}版，您看到的是第{}版），请刷新后再操作", $expected)));
        }
        (year, RunStatus::parse(&status), version)
    }};
}

/// Replaces a run's result (after corrected figures, e.g. an upheld objection). Not once final.
pub async fn recompute(db: &Db, actor: &Actor, id: i64, expected: i64, outcome: &MujunOutcome) -> crate::Result<()> {
    let o = serde_json::to_string(outcome).map_err(bad)?;
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let (year, status, version) = checked_run!(tx, id, expected);
        if status == RunStatus::Final {
            return Err(invalid("已定稿的评价结果不能重新计算"));
        }
        if year as i32 != outcome.year {
            return Err(invalid("重新计算的年度与原评价不一致"));
        }
        sqlx::query("UPDATE mujun_run SET outcome = $1, version = $2 WHERE id = $3").bind(&o).bind(version + 1).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "recompute", "mujun_run", &format!("{year}/{id}"), Some(format!("{{\"version\":{version}}}")), Some(format!("{{\"version\":{}}}", version + 1)))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

/// Draft → 公示 from `start` to `end` (inclusive).
pub async fn start_publicity(db: &Db, actor: &Actor, id: i64, expected: i64, start: NaiveDate, end: NaiveDate) -> crate::Result<()> {
    if end < start {
        return Err(invalid(format!("公示结束日期 {end} 早于开始日期 {start}")));
    }
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let (year, status, version) = checked_run!(tx, id, expected);
        if status != RunStatus::Draft {
            return Err(invalid(format!("只有草稿可以进入公示，该评价{}", status.label())));
        }
        sqlx::query("UPDATE mujun_run SET status = 'publicity', publicity_start = $1, publicity_end = $2, version = $3 WHERE id = $4")
            .bind(start).bind(end).bind(version + 1).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "publicity", "mujun_run", &format!("{year}/{id}"), Some("{\"status\":\"draft\"}".into()),
            Some(format!("{{\"status\":\"publicity\",\"start\":\"{start}\",\"end\":\"{end}\"}}")))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Objection {
    pub id: i64,
    pub run_id: i64,
    pub uscc: String,
    pub text: String,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    pub status: String,
    pub resolution: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Objection {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "open" => "待处理",
            "upheld" => "异议成立",
            _ => "异议不成立",
        }
    }
}

pub async fn objections(db: &Db, run_id: i64) -> crate::Result<Vec<Objection>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, Objection>(
        "SELECT id, run_id, uscc, text, filed_by, filed_at, status, resolution, resolved_by, resolved_at FROM mujun_objection WHERE run_id = $1 ORDER BY id")
        .bind(run_id).fetch_all(p).await)?)
}

/// Records an objection to a firm's result; only while the run is in 公示 and within its window.
pub async fn file_objection(db: &Db, actor: &Actor, run_id: i64, uscc: &str, text: &str, today: NaiveDate) -> crate::Result<i64> {
    if text.trim().is_empty() {
        return Err(invalid("异议内容不能为空"));
    }
    let r = run(db, run_id).await?.ok_or_else(|| StoreError::NotFound(format!("亩均评价 {run_id}")))?;
    if r.status != RunStatus::Publicity {
        return Err(invalid(format!("该评价{}，不在公示期，不能登记异议", r.status.label())));
    }
    let (s, e) = (r.publicity_start.unwrap_or(today), r.publicity_end.unwrap_or(today));
    if today < s || today > e {
        return Err(invalid(format!("公示期为 {s} 至 {e}，今天（{today}）不在公示期内")));
    }
    if !r.outcome.results.iter().any(|x| x.uscc == uscc) {
        return Err(invalid(format!("统一社会信用代码“{uscc}”不在本次评价结果中")));
    }
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mujun_objection (run_id, uscc, text, filed_by, filed_at, status, resolution) VALUES ($1, $2, $3, $4, $5, 'open', '') RETURNING id")
            .bind(run_id).bind(uscc).bind(text.trim()).bind(&actor.name).bind(Utc::now()).fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "object", "mujun_objection", &format!("{run_id}/{uscc}/{id}"), None::<String>, Some(text.trim().to_string()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    })
}

/// Resolves an open objection as upheld or rejected, with the reason.
pub async fn resolve_objection(db: &Db, actor: &Actor, id: i64, upheld: bool, resolution: &str) -> crate::Result<()> {
    if resolution.trim().is_empty() {
        return Err(invalid("处理意见不能为空"));
    }
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let row: Option<(i64, String, String)> = sqlx::query_as("SELECT run_id, uscc, status FROM mujun_objection WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let Some((run_id, uscc, status)) = row else { return Err(StoreError::NotFound(format!("异议 {id}"))) };
        if status != "open" {
            return Err(invalid("该异议已处理"));
        }
        let new = if upheld { "upheld" } else { "rejected" };
        sqlx::query("UPDATE mujun_objection SET status = $1, resolution = $2, resolved_by = $3, resolved_at = $4 WHERE id = $5")
            .bind(new).bind(resolution.trim()).bind(&actor.name).bind(Utc::now()).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "resolve", "mujun_objection", &format!("{run_id}/{uscc}/{id}"), Some("open".into()), Some(format!("{new}：{}", resolution.trim())))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

/// 公示 → final: only after the window has closed, with every objection resolved, and one final per year.
pub async fn finalise(db: &Db, actor: &Actor, id: i64, expected: i64, today: NaiveDate) -> crate::Result<()> {
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let (year, status, version) = checked_run!(tx, id, expected);
        if status != RunStatus::Publicity {
            return Err(invalid(format!("只有公示中的评价可以定稿，该评价{}", status.label())));
        }
        let end: Option<NaiveDate> = sqlx::query_scalar("SELECT publicity_end FROM mujun_run WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        if let Some(end) = end.filter(|e| today <= *e) {
            return Err(invalid(format!("公示期至 {end} 结束，公示期满后才能定稿")));
        }
        let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mujun_objection WHERE run_id = $1 AND status = 'open'").bind(id).fetch_one(&mut *tx).await?;
        if open > 0 {
            return Err(invalid(format!("还有 {open} 件异议未处理，处理完毕后才能定稿")));
        }
        let finals: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mujun_run WHERE year = $1 AND status = 'final'").bind(year).fetch_one(&mut *tx).await?;
        if finals > 0 {
            return Err(invalid(format!("{year}年的亩均评价已有定稿结果")));
        }
        sqlx::query("UPDATE mujun_run SET status = 'final', finalised_at = $1, version = $2 WHERE id = $3").bind(Utc::now()).bind(version + 1).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "finalise", "mujun_run", &format!("{year}/{id}"), Some("{\"status\":\"publicity\"}".into()), Some("{\"status\":\"final\"}".into()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}
