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
}

pub async fn query(db: &Db, f: &Filter) -> crate::Result<Vec<Observation>> {
    if f.zones.as_ref().is_some_and(|z| z.is_empty()) || f.indicators.as_ref().is_some_and(|i| i.is_empty()) {
        return Ok(Vec::new());
    }
    Ok(with_pool!(db, p => {
        let mut q = QueryBuilder::new(
            "SELECT z.code AS zone, i.code AS indicator, o.period, o.value, o.prior_comparable, o.status, o.is_demo, o.comment
             FROM observation o JOIN zone z ON z.id = o.zone_id JOIN indicator i ON i.id = o.indicator_id WHERE 1 = 1");
        if let Some(zones) = &f.zones {
            q.push(" AND z.code IN (");
            let mut s = q.separated(", ");
            for z in zones { s.push_bind(z.clone()); }
            q.push(")");
        }
        if let Some(inds) = &f.indicators {
            q.push(" AND i.code IN (");
            let mut s = q.separated(", ");
            for i in inds { s.push_bind(i.clone()); }
            q.push(")");
        }
        if let Some(from) = f.from { q.push(" AND o.period >= ").push_bind(from.to_string()); }
        if let Some(to) = f.to { q.push(" AND o.period <= ").push_bind(to.to_string()); }
        if f.approved_only { q.push(" AND o.status = 'approved'"); }
        q.push(" ORDER BY z.sort_order, z.id, i.sort_order, i.id, o.period");
        q.build_query_as::<Observation>().fetch_all(p).await
    })?)
}

/// The most recent month with approved values.
pub async fn latest_period(db: &Db) -> crate::Result<Option<Month>> {
    let p: Option<String> = with_pool!(db, p => sqlx::query_scalar("SELECT MAX(period) FROM observation WHERE status = 'approved'").fetch_one(p).await)?;
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
        let mut tx = p.begin().await?;
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
