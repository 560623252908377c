//! Annual evaluations: versioned schemes, adjustment inputs with evidence, and runs that freeze
//! their inputs and result so a published ranking can be reproduced bit for bit.

use chrono::{DateTime, Utc};
use nengji_core::evaluate::{Context, Inputs, McResult, Outcome, Scheme};
use serde::Serialize;

use crate::audit::{json, Actor};
use crate::db::Db;
use crate::StoreError;

#[derive(Debug, Clone, Serialize)]
pub struct StoredScheme {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub scheme: Scheme,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

fn bad(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("考核数据损坏：{e}"))
}

/// Saves a scheme as the next version of its code.
pub async fn save_scheme(db: &Db, actor: &Actor, scheme: &Scheme) -> crate::Result<i64> {
    let def = serde_json::to_string(scheme).map_err(bad)?;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM eval_scheme WHERE code = $1")
            .bind(&scheme.code).fetch_one(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO eval_scheme (code, version, name, definition, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(&scheme.code).bind(version).bind(&scheme.name).bind(&def).bind(&actor.name).bind(Utc::now())
            .fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", "eval_scheme", &format!("{}/v{version}", scheme.code), None::<String>, Some(def.clone()))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    }).map_err(Into::into)
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

fn to_scheme(r: SchemeRow) -> crate::Result<StoredScheme> {
    Ok(StoredScheme { scheme: serde_json::from_str(&r.definition).map_err(bad)?, id: r.id, code: r.code, version: r.version, name: r.name, created_by: r.created_by, created_at: r.created_at })
}

pub async fn schemes(db: &Db) -> crate::Result<Vec<StoredScheme>> {
    let rows = with_pool!(db, p => sqlx::query_as::<_, SchemeRow>(
        "SELECT id, code, version, name, definition, created_by, created_at FROM eval_scheme ORDER BY code, version DESC").fetch_all(p).await)?;
    rows.into_iter().map(to_scheme).collect()
}

pub async fn scheme(db: &Db, id: i64) -> crate::Result<Option<StoredScheme>> {
    let row = with_pool!(db, p => sqlx::query_as::<_, SchemeRow>(
        "SELECT id, code, version, name, definition, created_by, created_at FROM eval_scheme WHERE id = $1").bind(id).fetch_optional(p).await)?;
    row.map(to_scheme).transpose()
}

/// One count behind an adjustment (e.g. 2 环保督察问题) with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AdjustmentInput {
    pub zone: String,
    pub item: String,
    pub value: f64,
    pub evidence: String,
}

pub async fn adjustment_inputs(db: &Db, year: i32) -> crate::Result<Vec<AdjustmentInput>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, AdjustmentInput>(
        "SELECT z.code AS zone, a.item, a.value, a.evidence FROM eval_adjustment_input a JOIN zone z ON z.id = a.zone_id
         WHERE a.year = $1 ORDER BY z.sort_order, a.item").bind(year as i64).fetch_all(p).await)?)
}

pub async fn set_adjustment_input(db: &Db, actor: &Actor, year: i32, a: &AdjustmentInput) -> crate::Result<()> {
    if a.evidence.trim().is_empty() {
        return Err(StoreError::Invalid("加减分事项必须填写依据（文件、通报或认定书）".into()));
    }
    if !(a.value.is_finite() && a.value >= 0.0) {
        return Err(StoreError::Invalid("次数/数量必须是非负数".into()));
    }
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "INSERT INTO eval_adjustment_input (year, zone_id, item, value, evidence) SELECT $1, id, $3, $4, $5 FROM zone WHERE code = $2
             ON CONFLICT (year, zone_id, item) DO UPDATE SET value = $4, evidence = $5")
            .bind(year as i64).bind(&a.zone).bind(&a.item).bind(a.value).bind(a.evidence.trim()).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("开发区“{}”", a.zone)));
        }
        audit!(&mut *tx, actor, "update", "eval_adjustment_input", &format!("{year}/{}/{}", a.zone, a.item), None::<String>, json(a))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub id: i64,
    pub scheme_id: i64,
    pub year: i32,
    pub published: bool,
    pub inputs: Inputs,
    pub context: Context,
    pub outcome: Outcome,
    pub mc: Option<McResult>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    scheme_id: i64,
    year: i64,
    status: String,
    inputs: String,
    context: String,
    outcome: String,
    mc: Option<String>,
    created_by: String,
    created_at: DateTime<Utc>,
}

fn to_run(r: RunRow) -> crate::Result<Run> {
    Ok(Run {
        inputs: serde_json::from_str(&r.inputs).map_err(bad)?,
        context: serde_json::from_str(&r.context).map_err(bad)?,
        outcome: serde_json::from_str(&r.outcome).map_err(bad)?,
        mc: r.mc.as_deref().map(serde_json::from_str).transpose().map_err(bad)?,
        id: r.id,
        scheme_id: r.scheme_id,
        year: r.year as i32,
        published: r.status == "published",
        created_by: r.created_by,
        created_at: r.created_at,
    })
}

const RUN_SELECT: &str = "SELECT id, scheme_id, year, status, inputs, context, outcome, mc, created_by, created_at FROM eval_run";

pub async fn runs(db: &Db) -> crate::Result<Vec<Run>> {
    let sql = format!("{RUN_SELECT} ORDER BY year DESC, id DESC");
    let rows = with_pool!(db, p => sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    rows.into_iter().map(to_run).collect()
}

pub async fn run(db: &Db, id: i64) -> crate::Result<Option<Run>> {
    let sql = format!("{RUN_SELECT} WHERE id = $1");
    let row = with_pool!(db, p => sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
    row.map(to_run).transpose()
}

/// Stores a computed run (draft).
pub async fn save_run(db: &Db, actor: &Actor, scheme_id: i64, year: i32, inputs: &Inputs, context: &Context, outcome: &Outcome, mc: Option<&McResult>) -> crate::Result<i64> {
    // serde_json round-trips floats exactly (core enables float_roundtrip): a re-run compares bit for bit.
    let (i, c, o) = (serde_json::to_string(inputs).map_err(bad)?, serde_json::to_string(context).map_err(bad)?, serde_json::to_string(outcome).map_err(bad)?);
    let m = mc.map(serde_json::to_string).transpose().map_err(bad)?;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO eval_run (scheme_id, year, status, inputs, context, outcome, mc, created_by, created_at)
             VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(scheme_id).bind(year as i64).bind(&i).bind(&c).bind(&o).bind(&m).bind(&actor.name).bind(Utc::now())
            .fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", "eval_run", &format!("{year}/{id}"), None::<String>, Some(format!("{{\"scheme\":{scheme_id}}}")))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    }).map_err(Into::into)
}

/// Publishes a run: it becomes the year's official ranking. One per year.
pub async fn publish(db: &Db, actor: &Actor, id: i64) -> crate::Result<()> {
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let row: Option<(i64, String)> = sqlx::query_as("SELECT year, status FROM eval_run WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let Some((year, status)) = row else { return Err(StoreError::NotFound(format!("考核 {id}"))) };
        if status == "published" {
            return Err(StoreError::Invalid("该考核结果已发布".into()));
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM eval_run WHERE year = $1 AND status = 'published'").bind(year).fetch_one(&mut *tx).await?;
        if n > 0 {
            return Err(StoreError::Invalid(format!("{year}年的考核结果已发布过")));
        }
        sqlx::query("UPDATE eval_run SET status = 'published', published_at = $1 WHERE id = $2").bind(Utc::now()).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "publish", "eval_run", &format!("{year}/{id}"), Some("{\"status\":\"draft\"}".to_string()), Some("{\"status\":\"published\"}".to_string()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}
