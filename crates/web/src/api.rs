//! JSON API under `/api/v1` (session cookie or `Authorization: Bearer <token>`), described by an
//! OpenAPI 3.1 document at `/api/v1/openapi.json` with the Swagger UI at `/api/v1/docs`.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use nengji_core::period::Month;
use nengji_store::masterdata;
use nengji_store::observations::{self, Filter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "能级 Nengji API", description = "开发区主要经济指标、主数据的只读接口。认证：登录会话 Cookie，或请求头 `Authorization: Bearer <令牌>`（令牌由 `nengji user token` 创建）。"),
    paths(zones, units, indicators, values, crate::api_entry::batch, crate::monitor::api::series, crate::monitor::api::targets, crate::monitor::api::league),
    components(schemas(ZoneDto, UnitDto, IndicatorDto, ValueDto, crate::api_entry::BatchRequest, crate::api_entry::BatchValue, crate::api_entry::BatchResponse, crate::api_entry::BatchProblem)),
    tags((name = "主数据", description = "开发区、单位、指标"), (name = "指标数据", description = "各开发区月度数据"))
)]
pub struct ApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/zones", get(zones))
        .route("/api/v1/units", get(units))
        .route("/api/v1/indicators", get(indicators))
        .route("/api/v1/values", get(values))
        .route("/api/v1/values/batch", axum::routing::post(crate::api_entry::batch))
        .merge(SwaggerUi::new("/api/v1/docs").url("/api/v1/openapi.json", ApiDoc::openapi().merge_from(crate::registers::api::RegistersDoc::openapi()).merge_from(crate::land::api::LandDoc::openapi()).merge_from(crate::evaluation::api::EvaluationDoc::openapi())))
}

/// 开发区
#[derive(Serialize, ToSchema)]
pub struct ZoneDto {
    /// 代码
    code: String,
    name: String,
    short_name: String,
    /// economic | hightech | bonded | other
    kind: String,
    /// national | provincial | city
    level: String,
    /// GB/T 2260 县级行政区划代码
    county_code: String,
    area_ha: Option<f64>,
    leading_industries: String,
    /// 平台分组代码
    groups: Vec<String>,
}

/// 单位
#[derive(Serialize, ToSchema)]
pub struct UnitDto {
    code: String,
    name: String,
    kind: String,
    county_code: Option<String>,
    aliases: Vec<String>,
}

/// 指标
#[derive(Serialize, ToSchema)]
pub struct IndicatorDto {
    code: String,
    name: String,
    /// 计量单位
    unit: String,
    /// flow（1–N月累计）| stock（期末）| formula（计算指标）
    kind: String,
    direction: String,
    decimals: u8,
    formula: Option<String>,
    owner_unit: Option<String>,
    monthly: bool,
}

/// 一个开发区某指标某月的数值
#[derive(Serialize, ToSchema)]
pub struct ValueDto {
    zone: String,
    indicator: String,
    /// YYYY-MM；流量指标为 1–N月累计
    period: String,
    value: f64,
    /// 上年同期可比数
    prior_comparable: Option<f64>,
    status: String,
    /// 是否示例数据
    is_demo: bool,
}

/// 开发区列表
#[utoipa::path(get, path = "/api/v1/zones", tag = "主数据", responses((status = 200, body = [ZoneDto]), (status = 401, description = "未认证")))]
pub async fn zones(State(st): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<Vec<ZoneDto>>, ApiError> {
    let list = masterdata::list_zones(&st.db).await?;
    Ok(Json(
        list.into_iter()
            .map(|z| {
                let z = z.zone;
                ZoneDto {
                    kind: z.kind.code().into(),
                    level: z.level.code().into(),
                    code: z.code,
                    name: z.name,
                    short_name: z.short_name,
                    county_code: z.county_code,
                    area_ha: z.area_ha,
                    leading_industries: z.leading_industries,
                    groups: z.groups,
                }
            })
            .collect(),
    ))
}

/// 单位列表（含别名）
#[utoipa::path(get, path = "/api/v1/units", tag = "主数据", responses((status = 200, body = [UnitDto]), (status = 401, description = "未认证")))]
pub async fn units(State(st): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<Vec<UnitDto>>, ApiError> {
    let list = masterdata::list_units(&st.db).await?;
    Ok(Json(
        list.into_iter()
            .map(|u| UnitDto { kind: u.kind.code().into(), code: u.code, name: u.name, county_code: u.county_code, aliases: u.aliases })
            .collect(),
    ))
}

/// 指标目录
#[utoipa::path(get, path = "/api/v1/indicators", tag = "主数据", responses((status = 200, body = [IndicatorDto]), (status = 401, description = "未认证")))]
pub async fn indicators(State(st): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<Vec<IndicatorDto>>, ApiError> {
    let list = masterdata::list_indicators(&st.db).await?;
    Ok(Json(
        list.into_iter()
            .map(|i| {
                let i = i.indicator;
                IndicatorDto {
                    kind: i.kind.code().into(),
                    direction: i.direction.code().into(),
                    code: i.code,
                    name: i.name,
                    unit: i.unit,
                    decimals: i.decimals,
                    formula: i.formula,
                    owner_unit: i.owner_unit,
                    monthly: i.monthly,
                }
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ValuesQuery {
    /// 开发区代码；不填为有权查看的全部开发区
    zone: Option<String>,
    /// 指标代码；不填为全部指标
    indicator: Option<String>,
    /// 起始期间 YYYY-MM
    from: Option<String>,
    /// 截止期间 YYYY-MM
    to: Option<String>,
    /// 是否包含未审核数据（默认只返回已审核数据）
    include_unapproved: Option<bool>,
}

fn month(s: &Option<String>) -> Result<Option<Month>, ApiError> {
    match s.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => s.parse().map(Some).map_err(|e: nengji_core::period::BadMonth| ApiError(AppError::BadRequest(e.to_string()))),
        None => Ok(None),
    }
}

/// 月度数据查询。开发区填报员只能查询本开发区。
#[utoipa::path(get, path = "/api/v1/values", tag = "指标数据", params(ValuesQuery),
    responses((status = 200, body = [ValueDto]), (status = 400, description = "参数错误"), (status = 401, description = "未认证"), (status = 403, description = "无权查看该开发区")))]
pub async fn values(State(st): State<AppState>, ApiUser(who): ApiUser, Query(q): Query<ValuesQuery>) -> Result<Json<Vec<ValueDto>>, ApiError> {
    let zones = match q.zone.as_deref().filter(|z| !z.is_empty()) {
        Some(z) if !who.can_read_zone(z) => return Err(ApiError(AppError::Forbidden)),
        Some(z) => vec![z.to_string()],
        None => {
            let all = masterdata::list_zones(&st.db).await?;
            all.into_iter().map(|z| z.zone.code).filter(|c| who.can_read_zone(c)).collect()
        }
    };
    let f = Filter {
        zones: Some(zones),
        indicators: q.indicator.filter(|i| !i.is_empty()).map(|i| vec![i]),
        from: month(&q.from)?,
        to: month(&q.to)?,
        approved_only: !q.include_unapproved.unwrap_or(false),
        any_order: false,
    };
    let rows = observations::query(&st.db, &f).await?;
    Ok(Json(
        rows.into_iter()
            .map(|o| ValueDto {
                zone: o.zone,
                indicator: o.indicator,
                period: o.period,
                value: o.value,
                prior_comparable: o.prior_comparable,
                status: o.status,
                is_demo: o.is_demo,
            })
            .collect(),
    ))
}
