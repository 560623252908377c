//! Reported values (zone × indicator × month).

use chrono::Utc;
use nengji_core::demo::DemoValue;
use nengji_core::period::Month;
use serde::Serialize;
use sqlx::QueryBuilder;

use crate::audit::Actor;
use crate::db::Db;

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Observation {
    pub zone: String,
    pub indicator: String,
    /// `YYYY-MM`; flows are 1–N月累计 up to this month.
    pub period: String,
    pub value: f64,
    /// 上年同期可比数, when the reporter gave one.
    pub prior_comparable: Option<f64>,
    pub status: String,
    /// True for 示例数据.
    pub is_demo: bool,
    /// 备注/情况说明.
    pub comment: String,
}

/// Filter for [`query`]. `zones = None` means every zone.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub zones: Option<Vec<String>>,
    pub indicators: Option<Vec<String>>,
    pub from: Option<Month>,
    pub to: Option<Month>,
    /// Only values of approved reports (what analytics and bulletins use by default).
    pub approved_only: bool,
    /// Rows in any order (saves sorting every row, e.g. when the caller groups them itself);
    /// otherwise by zone, indicator and month.
    pub any_order: bool,
}

/// The statement for a filter with `?` or `$n` placeholders, and its bound texts in order.
fn query_sql(f: &Filter, numbered: bool) -> (String, Vec<String>) {
    let mut sql = String::from(
        "SELECT z.code AS zone, i.code AS indicator, o.period, o.value, o.prior_comparable, o.status, o.is_demo, o.comment
         FROM observation o JOIN zone z ON z.id = o.zone_id JOIN indicator i ON i.id = o.indicator_id WHERE 1 = 1",
    );
    let mut binds: Vec<String> = Vec::new();
    let mut bind = |sql: &mut String, v: String| {
        binds.push(v);
        if numbered { sql.push_str(&format!("${}", binds.len())) } else { sql.push('?') }
    };
    for (column, list) in [("z.code", &f.zones), ("i.code", &f.indicators)] {
        if let Some(list) = list {
            sql.push_str(&format!(" AND {column} IN ("));
            for (k, v) in list.iter().enumerate() {
                if k > 0 {
                    sql.push_str(", ");
                }
                bind(&mut sql, v.clone());
            }
            sql.push(')');
        }
    }
    if let Some(from) = f.from {
        sql.push_str(" AND o.period >= ");
        bind(&mut sql, from.to_string());
    }
    if let Some(to) = f.to {
        sql.push_str(" AND o.period <= ");
        bind(&mut sql, to.to_string());
    }
    if f.approved_only {
        sql.push_str(" AND o.status = 'approved'");
    }
    if !f.any_order {
        sql.push_str(" ORDER BY z.sort_order, z.id, i.sort_order, i.id, o.period");
    }
    (sql, binds)
}

/// Stored values matching `f`. On SQLite the statement runs on the connection's own handle:
/// sqlx's driver hands each row from its worker thread to the caller separately, and reading a
/// million values (the history an upload is checked against) took most of a national upload's
/// dry run that way.
pub async fn query(db: &Db, f: &Filter) -> crate::Result<Vec<Observation>> {
    if f.zones.as_ref().is_some_and(|z| z.is_empty()) || f.indicators.as_ref().is_some_and(|i| i.is_empty()) {
        return Ok(Vec::new());
    }
    match db {
        Db::Sqlite(p) => {
            let (sql, binds) = query_sql(f, false);
            let mut conn = p.acquire().await?;
            crate::db::on_sqlite_handle(&mut conn, |conn| {
                let mut stmt = conn.prepare(&sql)?;
                let rows = stmt.query_map(rusqlite::params_from_iter(&binds), |r| {
                    Ok(Observation {
                        zone: r.get(0)?,
                        indicator: r.get(1)?,
                        period: r.get(2)?,
                        value: r.get(3)?,
                        prior_comparable: r.get(4)?,
                        status: r.get(5)?,
                        is_demo: r.get(6)?,
                        comment: r.get(7)?,
                    })
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
        }
        Db::Postgres(p) => {
            let (sql, binds) = query_sql(f, true);
            // Only placeholders are interpolated: every value is bound.
            let mut q = sqlx::query_as::<_, Observation>(sqlx::AssertSqlSafe(sql));
            for b in binds {
                q = q.bind(b);
            }
            Ok(q.fetch_all(p).await?)
        }
    }
}

/// The most recent month with approved values.
pub async fn latest_period(db: &Db) -> crate::Result<Option<Month>> {
    let p: Option<String> = with_pool!(db, p => sqlx::query_scalar(LATEST_PERIOD_SQL).fetch_one(p).await)?;
    Ok(p.and_then(|s| s.parse().ok()))
}

pub async fn count(db: &Db) -> crate::Result<i64> {
    Ok(with_pool!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM observation").fetch_one(p).await)?)
}

/// Loads demo values (replacing earlier demo values), in one transaction with one audit record.
pub async fn load_demo(db: &Db, actor: &Actor, values: &[DemoValue]) -> crate::Result<usize> {
    let now = Utc::now();
    let zones: Vec<(i64, String)> = with_pool!(db, p => sqlx::query_as("SELECT id, code FROM zone").fetch_all(p).await)?;
    let inds: Vec<(i64, String)> = with_pool!(db, p => sqlx::query_as("SELECT id, code FROM indicator").fetch_all(p).await)?;
    let id_of = |list: &[(i64, String)], code: &str| list.iter().find(|(_, c)| c == code).map(|(id, _)| *id);
    let mut rows = Vec::with_capacity(values.len());
    for v in values {
        let z = id_of(&zones, &v.zone).ok_or_else(|| crate::StoreError::NotFound(format!("开发区 {}", v.zone)))?;
        let i = id_of(&inds, &v.indicator).ok_or_else(|| crate::StoreError::NotFound(format!("指标 {}", v.indicator)))?;
        rows.push((z, i, v.period.to_string(), v.value));
    }
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("DELETE FROM observation WHERE is_demo = TRUE").execute(&mut *tx).await?;
        // Chunks keep the statement under SQLite's bind-parameter limit.
        for chunk in rows.chunks(500) {
            let mut q = QueryBuilder::new(
                "INSERT INTO observation (zone_id, indicator_id, period, value, status, is_demo, updated_by, updated_at) ");
            q.push_values(chunk, |mut b, (z, i, period, value)| {
                b.push_bind(*z).push_bind(*i).push_bind(period.clone()).push_bind(*value)
                    .push_bind("approved").push_bind(true).push_bind(actor.name.clone()).push_bind(now);
            });
            q.push(" ON CONFLICT (zone_id, indicator_id, period) DO NOTHING");
            q.build().execute(&mut *tx).await?;
        }
        let summary = format!("{{\"示例数据\":{}}}", rows.len());
        audit!(&mut *tx, actor, "load_demo", "observation", "demo", None::<String>, Some(summary))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(rows.len())
}

/// The query of [`latest_period`]; one seek in `observation_approved_period`.
pub const LATEST_PERIOD_SQL: &str = "SELECT MAX(period) FROM observation WHERE status = 'approved'";

/// An approved value as the monitoring panels keep it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub zone: String,
    pub indicator: String,
    pub period: Month,
    pub value: f64,
    pub prior_comparable: Option<f64>,
}

/// Which months [`approved_cells`] reads.
#[derive(Debug, Clone)]
pub enum Months {
    /// Exactly these months (every zone's figures at one month need the month, the one before
    /// and the same month a year before).
    In(Vec<Month>),
    /// Every month up to and including this one.
    UpTo(Month),
}

/// The SQL of [`approved_cells`]: `$1…` are the months (or the last month), then the zone id,
/// then the indicator ids.
pub fn approved_cells_sql(months: &Months, zone: bool, indicators: Option<usize>) -> String {
    // One zone's rows are found by the primary key (zone_id, indicator_id, period); `status || ''`
    // keeps SQLite (without ANALYZE statistics) from preferring a range over every zone's rows
    // in observation_approved_period.
    let status = if zone { "status || '' = 'approved'" } else { "status = 'approved'" };
    let mut sql = format!("SELECT zone_id, indicator_id, period, value, prior_comparable FROM observation WHERE {status}");
    let mut n = 0;
    let mut marks = |k: usize| (0..k).map(|_| { n += 1; format!("${n}") }).collect::<Vec<_>>().join(", ");
    match months {
        Months::In(ms) => sql.push_str(&format!(" AND period IN ({})", marks(ms.len()))),
        Months::UpTo(_) => sql.push_str(&format!(" AND period <= {}", marks(1))),
    }
    if zone {
        sql.push_str(&format!(" AND zone_id = {}", marks(1)));
    }
    if let Some(k) = indicators {
        sql.push_str(&format!(" AND indicator_id IN ({})", marks(k)));
    }
    sql
}

/// Approved values of one zone (or all) and some indicators (or all) at some months: the narrow
/// read of the monitoring pages. Codes come from an id map instead of joins, so a month of a
/// national data set (160 000 values) is read through `observation_approved_period` alone.
pub async fn approved_cells(db: &Db, zone: Option<&str>, indicators: Option<&[String]>, months: &Months) -> crate::Result<Vec<Cell>> {
    let zones: Vec<(i64, String)> = with_pool!(db, p => sqlx::query_as("SELECT id, code FROM zone").fetch_all(p).await)?;
    let inds: Vec<(i64, String)> = with_pool!(db, p => sqlx::query_as("SELECT id, code FROM indicator").fetch_all(p).await)?;
    let zone_code: std::collections::HashMap<i64, String> = zones.iter().cloned().collect();
    let ind_code: std::collections::HashMap<i64, String> = inds.iter().cloned().collect();
    let zone_id = match zone {
        Some(code) => match zones.iter().find(|(_, c)| c == code) {
            Some((id, _)) => Some(*id),
            None => return Ok(Vec::new()),
        },
        None => None,
    };
    let ind_ids: Option<Vec<i64>> = indicators.map(|codes| inds.iter().filter(|(_, c)| codes.contains(c)).map(|(id, _)| *id).collect());
    if ind_ids.as_ref().is_some_and(|i| i.is_empty()) || matches!(months, Months::In(m) if m.is_empty()) {
        return Ok(Vec::new());
    }
    let sql = approved_cells_sql(months, zone_id.is_some(), ind_ids.as_ref().map(Vec::len));
    let rows: Vec<(i64, i64, String, f64, Option<f64>)> = with_pool!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        match months {
            Months::In(ms) => for m in ms { q = q.bind(m.to_string()); },
            Months::UpTo(to) => q = q.bind(to.to_string()),
        }
        if let Some(z) = zone_id { q = q.bind(z); }
        for i in ind_ids.iter().flatten() { q = q.bind(*i); }
        q.fetch_all(p).await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(z, i, period, value, prior_comparable)| {
            Some(Cell { zone: zone_code.get(&z)?.clone(), indicator: ind_code.get(&i)?.clone(), period: period.parse().ok()?, value, prior_comparable })
        })
        .collect())
}

/// The query of [`approved_demo_until`]; `observation_demo_period` holds only demo rows.
/// (`|| ''` keeps the other indexes out: demo rows are few, approved rows up to a month are all.)
pub const APPROVED_DEMO_SQL: &str =
    "SELECT 1 FROM observation WHERE is_demo = TRUE AND status || '' = 'approved' AND period || '' <= $1 LIMIT 1";

/// Whether any approved value up to `to` is 示例数据 (through the partial index of demo rows).
pub async fn approved_demo_until(db: &Db, to: Month) -> crate::Result<bool> {
    let hit: Option<i32> = with_pool!(db, p => sqlx::query_scalar(APPROVED_DEMO_SQL).bind(to.to_string()).fetch_optional(p).await)?;
    Ok(hit.is_some())
}

/// A version of the data: the audit chain's head, which every write moves (in the write's own
/// transaction). Caches of computed figures are keyed by it.
pub async fn data_version(db: &Db) -> crate::Result<(i64, String)> {
    Ok(with_pool!(db, p => sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(p).await)?)
}

/// A generated value for [`bulk_load`].
#[derive(Debug, Clone, Copy)]
pub struct BulkRow {
    pub zone_id: i64,
    pub indicator_id: i64,
    pub period: Month,
    pub value: f64,
    pub prior_comparable: Option<f64>,
}

/// Bulk load for generated data sets (`nengji gen`): approved, non-demo values in one
/// transaction — literal multi-row INSERTs on SQLite, COPY on PostgreSQL — with one audit
/// record for the batch (no history or audit record per value).
pub async fn bulk_load(db: &Db, actor: &Actor, rows: &[BulkRow], updated_at: chrono::DateTime<Utc>) -> crate::Result<()> {
    use std::fmt::Write;
    use crate::db::BeginWrite as _;
    let by = actor.name.replace(['\'', '\t', '\n', '\\'], "");
    let summary = Some(format!("{{\"生成数据\":{}}}", rows.len()));
    match db {
        Db::Sqlite(p) => {
            let at = updated_at.to_rfc3339();
            let mut tx = p.begin_write().await?;
            for chunk in rows.chunks(4000) {
                let mut sql = String::with_capacity(chunk.len() * 96);
                sql.push_str("INSERT INTO observation (zone_id, indicator_id, period, value, prior_comparable, status, is_demo, updated_by, updated_at) VALUES ");
                for (k, r) in chunk.iter().enumerate() {
                    if k > 0 {
                        sql.push(',');
                    }
                    let _ = write!(sql, "({},{},'{}',{:?},", r.zone_id, r.indicator_id, r.period, r.value);
                    match r.prior_comparable {
                        Some(v) => { let _ = write!(sql, "{v:?}"); }
                        None => sql.push_str("NULL"),
                    }
                    let _ = write!(sql, ",'approved',0,'{by}','{at}')");
                }
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
            }
            audit!(&mut *tx, actor, "bulk_load", "observation", "gen", None::<String>, summary)?;
            tx.commit().await?;
        }
        Db::Postgres(p) => {
            let at = updated_at.to_rfc3339();
            let mut buf = String::with_capacity(rows.len() * 80);
            for r in rows {
                let _ = write!(buf, "{}\t{}\t{}\t{:?}\t", r.zone_id, r.indicator_id, r.period, r.value);
                match r.prior_comparable {
                    Some(v) => { let _ = write!(buf, "{v:?}"); }
                    None => buf.push_str("\\N"),
                }
                let _ = writeln!(buf, "\tapproved\tf\t{by}\t{at}");
            }
            let mut tx = p.begin_write().await?;
            let mut copy = tx
                .copy_in_raw("COPY observation (zone_id, indicator_id, period, value, prior_comparable, status, is_demo, updated_by, updated_at) FROM STDIN")
                .await?;
            copy.send(buf.into_bytes()).await?;
            copy.finish().await?;
            audit!(&mut *tx, actor, "bulk_load", "observation", "gen", None::<String>, summary)?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// Drops the secondary indexes of `observation` before a bulk load and returns the statements
/// that re-create them ([`create_indexes`]); building an index once is far faster than keeping
/// it up to date row by row.
pub async fn drop_secondary_indexes(db: &Db) -> crate::Result<Vec<String>> {
    let defs: Vec<(String, String)> = match db {
        Db::Sqlite(p) => sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'observation' AND sql IS NOT NULL").fetch_all(p).await?,
        Db::Postgres(p) => {
            sqlx::query_as("SELECT indexname::text, indexdef::text FROM pg_indexes WHERE tablename = 'observation' AND schemaname = current_schema() AND indexname <> 'observation_pkey'")
                .fetch_all(p)
                .await?
        }
    };
    for (name, _) in &defs {
        with_pool!(db, p => sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}"))).execute(p).await.map(|_| ()))?;
    }
    Ok(defs.into_iter().map(|(_, sql)| sql).collect())
}

/// Re-creates indexes dropped by [`drop_secondary_indexes`] and refreshes the planner's statistics.
pub async fn create_indexes(db: &Db, statements: &[String]) -> crate::Result<()> {
    for s in statements {
        with_pool!(db, p => sqlx::query(sqlx::AssertSqlSafe(s.clone())).execute(p).await.map(|_| ()))?;
    }
    with_pool!(db, p => sqlx::query("ANALYZE").execute(p).await.map(|_| ()))?;
    Ok(())
}
