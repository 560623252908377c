//! The computed series, league tables and target statuses as JSON (described in the OpenAPI
//! document). Same scope rules as the pages: sums over zones need every zone readable.

use axum::extract::{Query, State};
use axum::Json;
use nengji_core::period::Month;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::panel::{Over, Panel};
use super::targets::{evaluate_all, TargetView};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::AppState;

fn month(s: Option<&str>) -> Result<Option<Month>, ApiError> {
    match s.filter(|s| !s.is_empty()) {
        Some(s) => s.parse().map(Some).map_err(|e: nengji_core::period::BadMonth| ApiError(AppError::BadRequest(e.to_string()))),
        None => Ok(None),
    }
}

async fn latest(st: &AppState, requested: Option<&str>) -> Result<Month, ApiError> {
    match month(requested)? {
        Some(m) => Ok(m),
        None => nengji_store::observations::latest_period(&st.db).await?.ok_or_else(|| ApiError(AppError::NotFound("已审核的数据".into()))),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SeriesQuery {
    /// 指标代码（含计算指标，如 hitech_share）
    indicator: String,
    /// 开发区代码；与 group 都不填时为全市开发区合计
    zone: Option<String>,
    /// 平台分组代码（xiongan、subcenter、new_airport），为该组开发区合计
    group: Option<String>,
    /// 起始期间 YYYY-MM，默认截止期间前23个月
    from: Option<String>,
    /// 截止期间 YYYY-MM，默认最新已审核期间
    to: Option<String>,
}

/// 一个月的计算结果
#[derive(Serialize, ToSchema)]
pub struct PointDto {
    /// YYYY-MM
    period: String,
    /// 1–N月累计（流量）、期末数（存量）或比率（计算指标）
    value: Option<f64>,
    /// 当月值（由累计相减；1月缺报时2月为1–2月合计）
    month_value: Option<f64>,
    /// 当月值的标签，如 “7月”、“1-2月”
    month_label: Option<String>,
    /// 同比基数：上年同期可比数（已报送时）或上年同期数
    base: Option<f64>,
    /// 同比增长（%）
    yoy_pct: Option<f64>,
    /// 同比口径：comparable（上年同期可比数）| last_year（上年同期数）
    yoy_basis: Option<String>,
    /// 比率指标比上年同期变化（百分点）
    change_pp: Option<f64>,
}

/// 计算序列
#[derive(Serialize, ToSchema)]
pub struct SeriesDto {
    indicator: String,
    name: String,
    unit: String,
    /// city | group | zone
    scope: String,
    scope_code: Option<String>,
    scope_name: String,
    /// 是否含示例数据
    is_demo: bool,
    points: Vec<PointDto>,
}

/// 计算序列：累计、当月、同比（或百分点变化），开发区、平台分组或全市开发区合计（比率由合计数重新计算）。只用已审核数据。
#[utoipa::path(get, path = "/api/v1/series", tag = "监测分析", params(SeriesQuery),
    responses((status = 200, body = SeriesDto), (status = 400, description = "参数错误"), (status = 401, description = "未认证"),
        (status = 403, description = "无权查看该开发区或合计数"), (status = 404, description = "指标、开发区或分组不存在")))]
pub async fn series(State(st): State<AppState>, ApiUser(who): ApiUser, Query(q): Query<SeriesQuery>) -> Result<Json<SeriesDto>, ApiError> {
    let to = latest(&st, q.to.as_deref()).await?;
    let from = month(q.from.as_deref())?.unwrap_or(to.offset(-23));
    if from > to || to.offset(-240) > from {
        return Err(ApiError(AppError::BadRequest("期间范围不对：起始期间应不晚于截止期间，且不超过240个月".into())));
    }
    let panel = Panel::load(&st.db, to).await?;
    let ind = panel.indicator(&q.indicator).ok_or_else(|| ApiError(AppError::NotFound(format!("指标“{}”", q.indicator))))?;
    let all = panel.zone_codes();
    let (scope, code, name, members): (&str, Option<String>, String, Vec<String>) = match (q.zone.as_deref().filter(|s| !s.is_empty()), q.group.as_deref().filter(|s| !s.is_empty())) {
        (Some(z), _) => {
            let zone = panel.zone(z).ok_or_else(|| ApiError(AppError::NotFound(format!("开发区“{z}”"))))?;
            ("zone", Some(zone.code.clone()), zone.name.clone(), vec![zone.code.clone()])
        }
        (None, Some(g)) => {
            let m = panel.group_members(g).ok_or_else(|| ApiError(AppError::NotFound(format!("平台分组“{g}”"))))?;
            let groups = nengji_store::masterdata::list_groups(&st.db).await?;
            let label = groups.into_iter().find(|x| x.code == g).map(|x| x.name).unwrap_or_else(|| g.to_string());
            ("group", Some(g.to_string()), format!("{label}开发区合计"), m.to_vec())
        }
        (None, None) => ("city", None, "全市开发区合计".into(), all),
    };
    if !members.iter().all(|z| who.can_read_zone(z)) {
        return Err(ApiError(AppError::Forbidden));
    }
    let over = if scope == "zone" { Over::Zone(&members[0]) } else { Over::Sum(&members) };
    let points = from
        .range_to(to)
        .map(|m| {
            let f = panel.figure(ind, &over, m);
            PointDto {
                period: m.to_string(),
                value: f.value,
                month_value: f.month.map(|v| v.value()),
                month_label: f.month.map(|v| v.label()),
                base: f.base,
                yoy_pct: f.yoy,
                yoy_basis: f.basis.map(|b| if b == nengji_core::series::YoyBasis::Comparable { "comparable".into() } else { "last_year".into() }),
                change_pp: f.pp,
            }
        })
        .collect();
    Ok(Json(SeriesDto {
        indicator: ind.code.clone(),
        name: ind.name.clone(),
        unit: ind.unit.clone(),
        scope: scope.into(),
        scope_code: code,
        scope_name: name,
        is_demo: panel.demo,
        points,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// 期间 YYYY-MM，默认最新已审核期间
    period: Option<String>,
}

/// 一个时点的数值（t：年，2019.0 为2019年末，2018.5 为2019年6月末）
#[derive(Serialize, ToSchema)]
pub struct PointInTime {
    t: f64,
    /// 如 “2019年”、“2019年6月”
    label: String,
    value: f64,
}

/// 本年进度：应达值与实际值
#[derive(Serialize, ToSchema)]
pub struct PaceDto {
    expected: f64,
    actual: f64,
    ratio: Option<f64>,
    on_pace: bool,
}

/// 一项工作目标的进展
#[derive(Serialize, ToSchema)]
pub struct TargetDto {
    code: String,
    title: String,
    /// 目标表述，如 “到2020年 ≥ 400家”
    goal: String,
    indicator: String,
    unit: String,
    baseline_year: i32,
    target_year: i32,
    target_value: f64,
    /// ge | le | eq
    comparator: String,
    /// achieved | on_track | moderate_progress | acceleration_needed | limited_progress | deterioration | unable_to_assess
    status: String,
    /// 已实现、按计划推进、需加快、进展有限、倒退、无法评估
    status_label: String,
    baseline: Option<PointInTime>,
    latest: Option<PointInTime>,
    /// 所选期间的测算值（流量指标仅12月有全年值）
    current: Option<f64>,
    target_level: Option<f64>,
    observed_cagr_pct: Option<f64>,
    required_cagr_pct: Option<f64>,
    /// R = 实际年均增速 ÷ 所需年均增速
    ratio: Option<f64>,
    projected: Option<f64>,
    projected_meets: Option<bool>,
    pace: Option<PaceDto>,
    note: Option<String>,
    /// 计算过程（中文，逐步代入数值）
    trail: Vec<String>,
    linked_tasks: Vec<String>,
}

/// 工作目标进展
#[derive(Serialize, ToSchema)]
pub struct TargetsDto {
    period: String,
    is_demo: bool,
    targets: Vec<TargetDto>,
}

fn point(o: Option<nengji_core::target::Observation>) -> Option<PointInTime> {
    o.map(|o| PointInTime { t: o.t, label: super::targets::time_label(o.t), value: o.value })
}

fn target_dto(v: &TargetView) -> TargetDto {
    let (t, a) = (&v.target, &v.assessment);
    TargetDto {
        code: t.code.clone(),
        title: t.title.clone(),
        goal: v.goal(),
        indicator: t.indicator.clone(),
        unit: t.unit.clone(),
        baseline_year: t.baseline_year,
        target_year: t.target_year,
        target_value: t.target_value,
        comparator: serde_json::to_value(t.comparator).ok().and_then(|c| c.as_str().map(String::from)).unwrap_or_default(),
        status: v.status_code().into(),
        status_label: v.status_label().into(),
        baseline: point(a.baseline),
        latest: point(a.latest),
        current: v.current,
        target_level: a.target_level,
        observed_cagr_pct: a.observed_cagr_pct,
        required_cagr_pct: a.required_cagr_pct,
        ratio: a.ratio,
        projected: a.projected,
        projected_meets: a.projected_meets,
        pace: v.pace.as_ref().map(|p| PaceDto { expected: p.expected, actual: p.actual, ratio: p.ratio, on_pace: p.on_pace }),
        note: v.note.clone(),
        trail: v.trail(),
        linked_tasks: t.linked_tasks.clone(),
    }
}

/// 工作目标进展：方案工作目标逐项的进展状态（Open SDG / Statistics Canada 方法）、本年进度与计算过程。需可查看全部开发区。
#[utoipa::path(get, path = "/api/v1/targets", tag = "监测分析", params(PeriodQuery),
    responses((status = 200, body = TargetsDto), (status = 400, description = "参数错误"), (status = 401, description = "未认证"), (status = 403, description = "无权查看全市数据")))]
pub async fn targets(State(st): State<AppState>, ApiUser(who): ApiUser, Query(q): Query<PeriodQuery>) -> Result<Json<TargetsDto>, ApiError> {
    let p = latest(&st, q.period.as_deref()).await?;
    let panel = Panel::load(&st.db, p).await?;
    if !super::reads_all(&who, &panel) {
        return Err(ApiError(AppError::Forbidden));
    }
    let views = evaluate_all(&panel, &super::targets::Registers::load(&st.db).await?, p);
    Ok(Json(TargetsDto { period: p.to_string(), is_demo: panel.demo, targets: views.iter().map(target_dto).collect() }))
}

#[derive(Deserialize, IntoParams)]
pub struct LeagueQuery {
    /// 指标代码
    indicator: String,
    /// 期间 YYYY-MM，默认最新已审核期间
    period: Option<String>,
}

/// 排行榜的一行
#[derive(Serialize, ToSchema)]
pub struct LeagueRowDto {
    /// 按数值的位次（并列同名次）
    rank: Option<usize>,
    zone: String,
    zone_name: String,
    value: Option<f64>,
    month_value: Option<f64>,
    yoy_pct: Option<f64>,
    change_pp: Option<f64>,
    /// 按同比增长（比率指标按百分点变化）的位次
    growth_rank: Option<usize>,
    /// 占全市开发区合计的比重（%），仅可查看全部开发区时提供
    share_pct: Option<f64>,
}

/// 月度排行榜
#[derive(Serialize, ToSchema)]
pub struct LeagueDto {
    indicator: String,
    name: String,
    unit: String,
    period: String,
    /// 有数值参与排名的开发区数
    ranked: usize,
    is_demo: bool,
    /// 开发区填报员只得到本开发区的行
    rows: Vec<LeagueRowDto>,
    /// 全市开发区合计（仅可查看全部开发区时提供）
    total: Option<f64>,
    total_yoy_pct: Option<f64>,
}

/// 月度排行榜：各开发区某指标的数值、同比与位次。开发区填报员只返回本开发区。
#[utoipa::path(get, path = "/api/v1/league", tag = "监测分析", params(LeagueQuery),
    responses((status = 200, body = LeagueDto), (status = 400, description = "参数错误"), (status = 401, description = "未认证"), (status = 404, description = "指标不存在")))]
pub async fn league(State(st): State<AppState>, ApiUser(who): ApiUser, Query(q): Query<LeagueQuery>) -> Result<Json<LeagueDto>, ApiError> {
    let p = latest(&st, q.period.as_deref()).await?;
    let panel = Panel::load(&st.db, p).await?;
    let ind = panel.indicator(&q.indicator).ok_or_else(|| ApiError(AppError::NotFound(format!("指标“{}”", q.indicator))))?;
    let all = super::reads_all(&who, &panel);
    let l = panel.league(ind, p);
    let rows = l
        .rows
        .iter()
        .filter(|r| who.can_read_zone(&r.zone.code))
        .map(|r| LeagueRowDto {
            rank: r.rank,
            zone: r.zone.code.clone(),
            zone_name: r.zone.name.clone(),
            value: r.fig.value,
            month_value: r.fig.month.map(|m| m.value()),
            yoy_pct: r.fig.yoy,
            change_pp: r.fig.pp,
            growth_rank: r.growth_rank,
            share_pct: if all { r.share } else { None },
        })
        .collect();
    Ok(Json(LeagueDto {
        indicator: ind.code.clone(),
        name: ind.name.clone(),
        unit: ind.unit.clone(),
        period: p.to_string(),
        ranked: l.ranked,
        is_demo: panel.demo,
        rows,
        total: if all { l.total.value } else { None },
        total_yoy_pct: if all { l.total.yoy } else { None },
    }))
}
