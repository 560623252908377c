//! `/api/v1/registers/…`: the registers as JSON with the same role and zone rules as the pages
//! (bearer token or session + CSRF), and the count targets per area at any date.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nengji_core::masterdata::CellError;
use nengji_core::registers::counts::{month_end, Area};
use nengji_core::registers::parse::{parse_date, parse_fields};
use nengji_core::registers::{list as reglist, RegisterKind};
use nengji_core::target::plan_targets;
use nengji_store::registers::{self as store, imports};
use nengji_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{actor, can_read, can_write, kind_of, write_scope, ApiWriter};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(summary, counts, list, detail, create, update, add_entry),
    components(schemas(RegisterDto, RecordDto, RecordDetailDto, ChangeDto, EntryDto, WriteRequest, WriteResponse, ProblemDto, EntryRequest, CountDto)),
    tags((name = "名录", description = "项目库、企业库、创新平台、园区、专项资金；计数目标按日期、开发区、县（市、区）计算"))
)]
pub struct RegistersDoc;

/// 一个名录
#[derive(Serialize, ToSchema)]
pub struct RegisterDto {
    /// projects | enterprises | platforms | parks | funds
    code: String,
    label: String,
    count: i64,
    /// 字段：(代码, 中文名, 是否必填)
    fields: Vec<(String, String, bool)>,
}

/// 名录列表
#[utoipa::path(get, path = "/api/v1/registers", tag = "名录", responses((status = 200, body = [RegisterDto]), (status = 401, description = "未认证")))]
pub async fn summary(State(st): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<Vec<RegisterDto>>, ApiError> {
    Ok(Json(
        store::counts(&st.db)
            .await?
            .into_iter()
            .map(|(k, n)| RegisterDto {
                code: k.code().into(),
                label: k.label().into(),
                count: n,
                fields: k.fields().iter().map(|f| (f.key.to_string(), f.label.to_string(), f.required)).collect(),
            })
            .collect(),
    ))
}

/// 一条记录
#[derive(Serialize, ToSchema)]
pub struct RecordDto {
    id: i64,
    /// 唯一标识（项目编号、统一社会信用代码、名称、资金编号）
    key: String,
    version: i64,
    is_demo: bool,
    /// 字段代码 → 值（日期 YYYY-MM-DD，是/否）
    fields: BTreeMap<String, String>,
}

fn dto(s: store::Stored) -> RecordDto {
    RecordDto { key: s.record.key(s.kind).to_string(), id: s.id, version: s.version, is_demo: s.is_demo, fields: s.record.fields }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// 名称或标识包含
    q: Option<String>,
    /// 开发区代码；“-” 为开发区外
    zone: Option<String>,
    /// 县（市、区）行政区划代码
    county: Option<String>,
    /// 排序字段代码（默认名称，按拼音）
    sort: Option<String>,
    /// true：降序
    desc: Option<bool>,
}

/// 名录记录（可筛选、排序；名称按拼音排序）。开发区填报员只能看到本开发区的记录。
#[utoipa::path(get, path = "/api/v1/registers/{kind}", tag = "名录", params(("kind" = String, Path, description = "projects | enterprises | platforms | parks | funds"), ListQuery),
    responses((status = 200, body = [RecordDto]), (status = 404, description = "无此名录")))]
pub async fn list(State(st): State<AppState>, ApiUser(who): ApiUser, Path(kind): Path<String>, Query(q): Query<ListQuery>) -> Result<Json<Vec<RecordDto>>, ApiError> {
    let kind = kind_of(&kind)?;
    let query = reglist::Query {
        text: q.q.unwrap_or_default(),
        zone: q.zone.unwrap_or_default(),
        county: q.county.unwrap_or_default(),
        equals: vec![],
        sort: q.sort.unwrap_or_default(),
        descending: q.desc.unwrap_or(false),
    };
    let stored: Vec<store::Stored> = store::list(&st.db, kind).await?.into_iter().filter(|s| can_read(&who, s.record.zone())).collect();
    let order = reglist::apply(kind, stored.iter().map(|s| s.record.clone()).collect(), &query);
    let mut by_key: HashMap<String, store::Stored> = stored.into_iter().map(|s| (s.record.key(kind).to_string(), s)).collect();
    Ok(Json(order.iter().filter_map(|r| by_key.remove(r.key(kind))).map(dto).collect()))
}

/// 一次修改
#[derive(Serialize, ToSchema)]
pub struct ChangeDto {
    at: String,
    actor: String,
    action: String,
    summary: String,
    /// (字段, 原值, 新值)
    changes: Vec<(String, String, String)>,
}

/// 明细：项目月度完成投资、培育措施、资金拨付
#[derive(Serialize, ToSchema)]
pub struct EntryDto {
    /// investment | cultivation | disbursement
    kind: String,
    date: String,
    amount: Option<f64>,
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordDetailDto {
    record: RecordDto,
    entries: Vec<EntryDto>,
    /// 变更历史（由早到晚）
    history: Vec<ChangeDto>,
}

async fn readable(st: &AppState, who: &nengji_core::auth::Principal, kind: RegisterKind, id: i64) -> Result<store::Stored, ApiError> {
    let s = store::get(&st.db, kind, id).await?;
    if !can_read(who, s.record.zone()) {
        return Err(ApiError(AppError::Forbidden));
    }
    Ok(s)
}

/// 一条记录及其明细和变更历史
#[utoipa::path(get, path = "/api/v1/registers/{kind}/{id}", tag = "名录", params(("kind" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = RecordDetailDto), (status = 403, description = "不在本开发区范围"), (status = 404, description = "无此记录")))]
pub async fn detail(State(st): State<AppState>, ApiUser(who): ApiUser, Path((kind, id)): Path<(String, i64)>) -> Result<Json<RecordDetailDto>, ApiError> {
    let kind = kind_of(&kind)?;
    let s = readable(&st, &who, kind, id).await?;
    let entries = store::entries(&st.db, id)
        .await?
        .into_iter()
        .map(|e| EntryDto { kind: e.kind.code().into(), date: e.entry.date.to_string(), amount: e.entry.amount, note: e.entry.note })
        .collect();
    let history = store::history(&st.db, id)
        .await?
        .into_iter()
        .map(|c| ChangeDto { at: c.at.to_rfc3339(), actor: c.actor, action: c.action, summary: c.summary, changes: c.changes })
        .collect();
    Ok(Json(RecordDetailDto { record: dto(s), entries, history }))
}

/// 新增或修改一条记录
#[derive(Deserialize, ToSchema)]
pub struct WriteRequest {
    /// 字段代码（或中文列名）→ 值
    fields: BTreeMap<String, String>,
    /// 修改时必填：所依据的版本号
    version: Option<i64>,
}

/// 一处问题
#[derive(Serialize, ToSchema)]
pub struct ProblemDto {
    field: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct WriteResponse {
    ok: bool,
    id: Option<i64>,
    version: Option<i64>,
    problems: Vec<ProblemDto>,
}

fn refused(problems: Vec<ProblemDto>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(WriteResponse { ok: false, id: None, version: None, problems })).into_response()
}

fn cell_problems(errs: Vec<CellError>) -> Vec<ProblemDto> {
    errs.into_iter().map(|e| ProblemDto { field: e.field, message: e.message }).collect()
}

fn forbid_unless(ok: bool) -> Result<(), ApiError> {
    if ok { Ok(()) } else { Err(ApiError(AppError::Forbidden)) }
}

/// 登记一条记录（统一社会信用代码按 GB 32100 校验；重复的标识被拒绝）。开发区填报员只能登记本开发区。
#[utoipa::path(post, path = "/api/v1/registers/{kind}", tag = "名录", params(("kind" = String, Path)), request_body = WriteRequest,
    responses((status = 201, body = WriteResponse), (status = 422, body = WriteResponse, description = "有问题，未写入"), (status = 403, description = "无权限")))]
pub async fn create(State(st): State<AppState>, ApiWriter(who): ApiWriter, Path(kind): Path<String>, Json(req): Json<WriteRequest>) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    forbid_unless(can_write(&who, kind))?;
    let ctx = imports::context(&st.db).await?;
    let input: Vec<(String, String)> = req.fields.into_iter().collect();
    let record = match parse_fields(kind, &input, &ctx) {
        Ok(r) => r,
        Err(e) => return Ok(refused(cell_problems(e))),
    };
    match store::create(&st.db, &actor(&who), kind, &record, write_scope(&who)).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(WriteResponse { ok: true, id: Some(id), version: Some(1), problems: vec![] })).into_response()),
        Err(StoreError::Invalid(m)) => {
            let field = if m.contains("已登记") { kind.key_field() } else { "zone" };
            Ok(refused(vec![ProblemDto { field: field.into(), message: m }]))
        }
        Err(e) => Err(e.into()),
    }
}

/// 修改一条记录（须给出所依据的版本号，他人已修改时拒绝）
#[utoipa::path(put, path = "/api/v1/registers/{kind}/{id}", tag = "名录", params(("kind" = String, Path), ("id" = i64, Path)), request_body = WriteRequest,
    responses((status = 200, body = WriteResponse), (status = 409, body = WriteResponse, description = "版本冲突"), (status = 422, body = WriteResponse)))]
pub async fn update(State(st): State<AppState>, ApiWriter(who): ApiWriter, Path((kind, id)): Path<(String, i64)>, Json(req): Json<WriteRequest>) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    forbid_unless(can_write(&who, kind))?;
    let old = readable(&st, &who, kind, id).await?;
    let Some(version) = req.version else {
        return Ok(refused(vec![ProblemDto { field: "version".into(), message: "修改时须给出所依据的版本号 version".into() }]));
    };
    let ctx = imports::context(&st.db).await?;
    let input: Vec<(String, String)> = req.fields.into_iter().collect();
    let record = match parse_fields(kind, &input, &ctx) {
        Ok(r) => r,
        Err(e) => return Ok(refused(cell_problems(e))),
    };
    if version != old.version {
        let body = WriteResponse { ok: false, id: Some(id), version: Some(old.version), problems: vec![ProblemDto { field: "version".into(), message: format!("记录已更新到第 {} 版，请在最新内容上修改", old.version) }] };
        return Ok((StatusCode::CONFLICT, Json(body)).into_response());
    }
    match store::update(&st.db, &actor(&who), kind, id, version, &record, write_scope(&who)).await {
        Ok(v) => Ok(Json(WriteResponse { ok: true, id: Some(id), version: Some(v), problems: vec![] }).into_response()),
        Err(StoreError::Invalid(m)) if m.contains("已被他人修改") => {
            Ok((StatusCode::CONFLICT, Json(WriteResponse { ok: false, id: Some(id), version: None, problems: vec![ProblemDto { field: "version".into(), message: m }] })).into_response())
        }
        Err(StoreError::Invalid(m)) => Ok(refused(vec![ProblemDto { field: String::new(), message: m }])),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct EntryRequest {
    /// YYYY-MM-DD（月度投资取该月任一日）
    date: String,
    /// 金额：完成投资（亿元）或拨付（万元）
    amount: Option<f64>,
    #[serde(default)]
    note: String,
}

/// 登记明细：项目月度完成投资（每月一条）、后备企业培育措施、专项资金拨付（累计不超过安排金额）
#[utoipa::path(post, path = "/api/v1/registers/{kind}/{id}/entries", tag = "名录", params(("kind" = String, Path), ("id" = i64, Path)), request_body = EntryRequest,
    responses((status = 201, body = WriteResponse), (status = 422, body = WriteResponse)))]
pub async fn add_entry(State(st): State<AppState>, ApiWriter(who): ApiWriter, Path((kind, id)): Path<(String, i64)>, Json(req): Json<EntryRequest>) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    forbid_unless(can_write(&who, kind))?;
    readable(&st, &who, kind, id).await?;
    let amount = req.amount.map(|a| a.to_string());
    let entry = match super::pages::entry_of(&req.date, amount.as_deref(), &req.note) {
        Ok(e) => e,
        Err(m) => return Ok(refused(vec![ProblemDto { field: "date".into(), message: m }])),
    };
    match store::add_entry(&st.db, &actor(&who), kind, id, &entry, write_scope(&who)).await {
        Ok(eid) => Ok((StatusCode::CREATED, Json(WriteResponse { ok: true, id: Some(eid), version: None, problems: vec![] })).into_response()),
        Err(StoreError::Invalid(m)) => Ok(refused(vec![ProblemDto { field: "amount".into(), message: m }])),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct CountQuery {
    /// 日期 YYYY-MM-DD，默认 2020-12-31（方案目标年末）
    date: Option<String>,
    /// 开发区代码（与 county 都不填为全市）
    zone: Option<String>,
    /// 县（市、区）行政区划代码
    county: Option<String>,
}

/// 一个计数目标在某日某范围的值
#[derive(Serialize, ToSchema)]
pub struct CountDto {
    code: String,
    title: String,
    /// projects | enterprises | platforms | parks
    register: String,
    value: Option<f64>,
    target_value: f64,
    unit: String,
    /// city | zone | zones（开发区填报员本人的开发区合计）| county
    area: String,
    area_code: Option<String>,
    date: String,
}

/// 由名录计算的计数目标（重大项目、高新技术企业、创新平台、特色产业园 …），任意日期，全市、开发区或县（市、区）
#[utoipa::path(get, path = "/api/v1/registers/counts", tag = "名录", params(CountQuery), responses((status = 200, body = [CountDto]), (status = 400, description = "日期无效")))]
pub async fn counts(State(st): State<AppState>, ApiUser(who): ApiUser, Query(q): Query<CountQuery>) -> Result<Json<Vec<CountDto>>, ApiError> {
    let day = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => parse_date(d).ok_or_else(|| ApiError(AppError::BadRequest(format!("日期“{d}”无效，应为 YYYY-MM-DD"))))?,
        None => month_end(2020, 12),
    };
    let (area, label, code) = match (q.zone.filter(|z| !z.is_empty()), q.county.filter(|c| !c.is_empty())) {
        (Some(z), _) => {
            forbid_unless(who.can_read_zone(&z))?;
            (Area::Zone(z.clone()), "zone", Some(z))
        }
        (None, Some(c)) => {
            forbid_unless(who.role != nengji_core::auth::Role::ZoneReporter)?;
            (Area::County(c.clone()), "county", Some(c))
        }
        // A zone reporter without a zone gets its own zones together, never the city.
        (None, None) if who.role == nengji_core::auth::Role::ZoneReporter => (Area::Zones(who.zones.clone()), "zones", Some(who.zones.join(","))),
        (None, None) => (Area::City, "city", None),
    };
    let all = super::pages::load_all(&st).await?;
    let out = plan_targets()
        .into_iter()
        .filter_map(|t| {
            let spec = t.register_spec()?.clone();
            let rs = &all[&spec.register];
            let value = if rs.is_empty() {
                None
            } else {
                Some(match &area {
                    Area::City => t.measure_registers(rs, day)?,
                    a => spec.measure(rs, day, a),
                })
            };
            Some(CountDto {
                code: t.code,
                title: t.title,
                register: spec.register.code().into(),
                value,
                target_value: t.target_value,
                unit: t.unit,
                area: label.into(),
                area_code: code.clone(),
                date: day.to_string(),
            })
        })
        .collect();
    Ok(Json(out))
}
