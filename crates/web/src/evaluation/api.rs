//! `/api/v1/evaluations/...`: the annual evaluation for programs, read-only and with the pages'
//! access (everyone but zone reporters): the runs, one run's ranking with rank change, Monte Carlo
//! rank bands and consequences, and a zone's contributions.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use nengji_core::evaluate::explain;
use nengji_store::evaluations;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/evaluations", get(list))
        .route("/api/v1/evaluations/{id}", get(results))
        .route("/api/v1/evaluations/{id}/zones/{code}", get(zone))
}

/// The evaluation API in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, results, zone), components(schemas(RunDto, ResultsDto, UnitResultDto, AdjustmentDto, BandDto, ConsequenceDto)), tags((name = "综合考核", description = "开发区年度综合考核评价结果")))]
pub struct EvaluationDoc;

/// Zone reporters see only their own zones' figures, so not a city-wide ranking (as on the pages).
#[derive(Serialize, ToSchema)]
pub struct RunDto {
    id: i64,
    year: i32,
    scheme_id: i64,
    /// 方案代码
    scheme_code: String,
    /// 方案名称
    scheme_name: String,
    scheme_version: i64,
    /// 已发布（冻结）或草稿
    published: bool,
    created_by: String,
    created_at: String,
}

async fn run_dto(st: &AppState, r: &evaluations::Run) -> Result<RunDto, ApiError> {
    let s = evaluations::scheme(&st.db, r.scheme_id).await?;
    Ok(RunDto {
        id: r.id,
        year: r.year,
        scheme_id: r.scheme_id,
        scheme_code: s.as_ref().map(|s| s.code.clone()).unwrap_or_default(),
        scheme_name: s.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
        scheme_version: s.as_ref().map_or(0, |s| s.version),
        published: r.published,
        created_by: r.created_by.clone(),
        created_at: r.created_at.to_rfc3339(),
    })
}

/// Every evaluation run, the latest year first.
#[utoipa::path(get, path = "/api/v1/evaluations", tag = "综合考核",
    responses((status = 200, body = [RunDto]), (status = 401, description = "未认证"), (status = 403, description = "无权限")))]
pub async fn list(State(st): State<AppState>, ApiUser(who): ApiUser) -> Result<Json<Vec<RunDto>>, ApiError> {
    super::reader(&who)?;
    let mut out = Vec::new();
    for r in evaluations::runs(&st.db).await? {
        out.push(run_dto(&st, &r).await?);
    }
    Ok(Json(out))
}

#[derive(Serialize, ToSchema)]
pub struct AdjustmentDto {
    /// 规则代码
    rule: String,
    name: String,
    /// 减分项、加分项或一票否决
    kind: String,
    /// 数据列中的数量
    count: f64,
    /// 对得分的影响（减分为负）
    points: f64,
    /// 依据
    evidence: Vec<String>,
}

/// Rank statistics over the Monte Carlo replications.
#[derive(Serialize, ToSchema)]
pub struct BandDto {
    nominal: Option<u32>,
    median: Option<f64>,
    /// 5% 分位
    q5: Option<f64>,
    /// 95% 分位
    q95: Option<f64>,
    mean: Option<f64>,
    /// 该单位得到排名的模拟次数
    replications: u32,
}

#[derive(Serialize, ToSchema)]
pub struct UnitResultDto {
    code: String,
    name: String,
    /// 分组属性（如 类型）
    groups: BTreeMap<String, String>,
    /// 综合指数（加减分前）
    index: Option<f64>,
    /// 加减分合计
    adjustment: f64,
    adjustments: Vec<AdjustmentDto>,
    /// 最终得分
    score: Option<f64>,
    rank: Option<u32>,
    /// 组内排名，按分组属性
    group_ranks: BTreeMap<String, u32>,
    /// 上次发布的排名
    previous_rank: Option<u32>,
    /// 上次排名 − 本次排名，正数为进位
    rank_change: Option<i64>,
    /// 触发的结果运用（标签）
    consequences: Vec<String>,
    /// 排名不确定性（未做模拟时为空）
    band: Option<BandDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ConsequenceDto {
    rule: String,
    label: String,
    unit: String,
    unit_name: String,
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ResultsDto {
    run: RunDto,
    /// 是否含示例数据
    is_demo: bool,
    /// 按排名排列
    units: Vec<UnitResultDto>,
    consequences: Vec<ConsequenceDto>,
    /// 计算说明（缺失值、常数列等）
    notices: Vec<String>,
    /// 模拟次数与随机种子（未做模拟时为空）
    replications: Option<usize>,
    seed: Option<u64>,
}

/// One run: each zone's index, adjustments, score, rank, rank change, rank band and consequences.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", tag = "综合考核", params(("id" = i64, Path)),
    responses((status = 200, body = ResultsDto), (status = 401, description = "未认证"), (status = 403, description = "无权限"), (status = 404, description = "无此考核")))]
pub async fn results(State(st): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>) -> Result<Json<ResultsDto>, ApiError> {
    super::reader(&who)?;
    let r = evaluations::run(&st.db, id).await?.ok_or_else(|| AppError::NotFound(format!("考核 {id}")))?;
    let o = &r.outcome;
    let order = o.rank_order();
    let units = order
        .iter()
        .map(|&i| {
            let u = &o.units[i];
            UnitResultDto {
                code: u.code.clone(),
                name: u.name.clone(),
                groups: u.groups.clone(),
                index: o.index[i],
                adjustment: o.adjustment_total[i],
                adjustments: o.adjustments[i]
                    .iter()
                    .map(|a| AdjustmentDto { rule: a.rule.clone(), name: a.name.clone(), kind: a.kind.label().to_string(), count: a.count, points: a.points, evidence: a.evidence.clone() })
                    .collect(),
                score: o.scores[i],
                rank: o.ranks[i],
                group_ranks: o.group_ranks.iter().filter_map(|g| Some((g.group.clone(), g.ranks[i]?))).collect(),
                previous_rank: o.previous_ranks[i],
                rank_change: o.rank_change[i],
                consequences: o.consequences.iter().filter(|c| c.unit == u.code).map(|c| c.label.clone()).collect(),
                band: r.mc.as_ref().and_then(|m| m.stats.iter().find(|s| s.unit == u.code)).map(|s| BandDto {
                    nominal: s.nominal,
                    median: s.median,
                    q5: s.q5,
                    q95: s.q95,
                    mean: s.mean,
                    replications: s.replications,
                }),
            }
        })
        .collect();
    let name_of = |c: &str| o.units.iter().find(|u| u.code == c).map(|u| u.name.clone()).unwrap_or_default();
    Ok(Json(ResultsDto {
        run: run_dto(&st, &r).await?,
        is_demo: super::is_demo(&st, &r).await?,
        units,
        consequences: o
            .consequences
            .iter()
            .map(|c| ConsequenceDto { rule: c.rule.clone(), label: c.label.clone(), unit: c.unit.clone(), unit_name: name_of(&c.unit), reason: c.reason.clone() })
            .collect(),
        notices: o.notices.clone(),
        replications: r.mc.as_ref().map(|m| m.replications),
        seed: r.mc.as_ref().map(|m| m.seed),
    }))
}

/// A zone's explanation: the contribution of every indicator and pillar to its score, and their
/// change since the previous published evaluation (the score card's figures).
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/zones/{code}", tag = "综合考核", params(("id" = i64, Path), ("code" = String, Path, description = "开发区代码")),
    responses((status = 200, description = "得分、排名、加减分、各项贡献（items）及较上次的变化（changes）", body = Object), (status = 401, description = "未认证"), (status = 403, description = "无权限"), (status = 404, description = "无此考核或单位")))]
pub async fn zone(State(st): State<AppState>, ApiUser(who): ApiUser, Path((id, code)): Path<(i64, String)>) -> Result<Json<nengji_core::evaluate::Explanation>, ApiError> {
    super::reader(&who)?;
    let r = evaluations::run(&st.db, id).await?.ok_or_else(|| AppError::NotFound(format!("考核 {id}")))?;
    let previous = super::previous_published(&st, r.year).await?;
    let e = explain(&r.outcome, &code, previous.as_ref().map(|p| &p.outcome)).ok_or_else(|| AppError::NotFound(format!("单位“{code}”")))?;
    Ok(Json(e))
}
