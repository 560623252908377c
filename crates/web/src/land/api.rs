//! `/api/v1/land/...`: the register and the procedure for programs, with the same scope and
//! checks as the pages. Parcels travel as `nengji_core::land::parcel::Parcel` JSON (money in
//! 分, areas in m², dates `YYYY-MM-DD`); an update names the version it edits.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nengji_core::land::parcel::Parcel;
use nengji_store::land::{self, LedgerEntry, NewStep};
use nengji_store::{Actor, StoreError};
use serde::Deserialize;

use super::pages::LedgerQuery;
use super::{as_of, may_edit, require_office, scope};
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::AppState;

fn actor(who: &nengji_core::auth::Principal) -> Actor {
    Actor::user(who.user_id, &who.username)
}

fn entry_json(e: &LedgerEntry) -> serde_json::Value {
    serde_json::json!({
        "id": e.parcel.id,
        "version": e.parcel.version,
        "zone_name": e.parcel.zone_name,
        "demo": e.parcel.is_demo,
        "parcel": e.parcel.parcel,
        "assessment": e.assessment,
        "status": e.status(),
        "status_code": e.status_code(),
        "current_step": e.current.map(|s| s.code()),
        "deadline": e.deadline,
        "steps": e.steps,
    })
}

/// The land API in the OpenAPI document. Parcels are `nengji_core::land::parcel::Parcel` JSON
/// (described in the module comment), so bodies are declared as objects.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, get_one, create, update, record_step), tags((name = "土地", description = "宗地台账与闲置土地处置")))]
pub struct LandDoc;

/// Parcels in the caller's scope with the rules' verdict as of `as_of` (default today).
#[utoipa::path(get, path = "/api/v1/land/parcels", tag = "土地",
    params(("as_of" = Option<String>, Query, description = "判定日期 YYYY-MM-DD，默认今天"), ("zone" = Option<String>, Query), ("group" = Option<String>, Query)),
    responses((status = 200, description = "as_of、summary（按开发区和状态的统计）、parcels（宗地及其判定）", body = Object), (status = 401, description = "未认证"), (status = 403, description = "无权限")))]
pub async fn list(State(st): State<AppState>, ApiUser(who): ApiUser, Query(q): Query<LedgerQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    let zones = scope(&who)?;
    let day = as_of(q.as_of())?;
    let entries = land::ledger(&st.db, zones.as_deref(), day).await?;
    Ok(Json(serde_json::json!({
        "as_of": day,
        "summary": super::pages::summary(&entries),
        "parcels": entries.iter().map(entry_json).collect::<Vec<_>>(),
    })))
}

/// One parcel with its verdict and procedure steps.
#[utoipa::path(get, path = "/api/v1/land/parcels/{id}", tag = "土地",
    params(("id" = i64, Path), ("as_of" = Option<String>, Query, description = "判定日期 YYYY-MM-DD")),
    responses((status = 200, description = "宗地、版本、判定、当前步骤与期限", body = Object), (status = 404, description = "无此宗地或不在范围内")))]
pub async fn get_one(State(st): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>, Query(q): Query<LedgerQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    super::readable(&st, &who, id).await?;
    let e = land::ledger_entry(&st.db, id, as_of(q.as_of())?).await?.ok_or_else(|| AppError::NotFound(format!("宗地 {id}")))?;
    Ok(Json(entry_json(&e)))
}

/// A new parcel (金额以分、面积以平方米、日期 YYYY-MM-DD).
#[utoipa::path(post, path = "/api/v1/land/parcels", tag = "土地", request_body(content = Object, description = "宗地（Parcel）"),
    responses((status = 201, description = "id 与 version", body = Object), (status = 403, description = "无权限"), (status = 422, description = "数据有误")))]
pub async fn create(State(st): State<AppState>, ApiUser(who): ApiUser, Json(p): Json<Parcel>) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    if !may_edit(&who, &p.zone) {
        return Err(AppError::Forbidden.into());
    }
    let id = land::create(&st.db, &actor(&who), &p, false, chrono::Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": id, "version": 1}))))
}

#[derive(Deserialize)]
pub struct Update {
    /// The version being edited; a newer stored version refuses the edit (409).
    pub version: i64,
    pub parcel: Parcel,
}

/// Edits a parcel at the version it was read at.
#[utoipa::path(put, path = "/api/v1/land/parcels/{id}", tag = "土地", params(("id" = i64, Path)),
    request_body(content = Object, description = "version（所编辑的版本）与 parcel"),
    responses((status = 200, description = "id 与新 version", body = Object), (status = 409, description = "版本冲突", body = Object), (status = 422, description = "数据有误")))]
pub async fn update(State(st): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>, Json(u): Json<Update>) -> Result<Response, ApiError> {
    let current = super::readable(&st, &who, id).await?;
    if !may_edit(&who, &current.parcel.zone) || !may_edit(&who, &u.parcel.zone) {
        return Err(AppError::Forbidden.into());
    }
    match land::update(&st.db, &actor(&who), id, u.version, &u.parcel, chrono::Utc::now()).await {
        Ok(v) => Ok(Json(serde_json::json!({"id": id, "version": v})).into_response()),
        // A stale version is a conflict (409), not a bad request.
        Err(StoreError::Invalid(m)) if m.contains("您编辑的是版本") => Ok((StatusCode::CONFLICT, Json(serde_json::json!({"error": m}))).into_response()),
        Err(e) => Err(e.into()),
    }
}

/// Records the next step of the procedure (the office only).
#[utoipa::path(post, path = "/api/v1/land/parcels/{id}/steps", tag = "土地", params(("id" = i64, Path)),
    request_body(content = Object, description = "step、on、doc_no、note 及协商处置方案"),
    responses((status = 201, description = "步骤 id", body = Object), (status = 403, description = "仅市开发区办"), (status = 422, description = "步骤顺序或期限不符")))]
pub async fn record_step(State(st): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>, Json(s): Json<NewStep>) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    require_office(&who)?;
    super::readable(&st, &who, id).await?;
    let sid = land::record_step(&st.db, &actor(&who), id, &s, chrono::Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": sid}))))
}
