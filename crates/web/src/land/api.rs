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

/// Parcels in the caller's scope with the rules' verdict as of `as_of` (default today).
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

pub async fn get_one(State(st): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>, Query(q): Query<LedgerQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    super::readable(&st, &who, id).await?;
    let e = land::ledger_entry(&st.db, id, as_of(q.as_of())?).await?.ok_or_else(|| AppError::NotFound(format!("宗地 {id}")))?;
    Ok(Json(entry_json(&e)))
}

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
pub async fn record_step(State(st): State<AppState>, ApiUser(who): ApiUser, Path(id): Path<i64>, Json(s): Json<NewStep>) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    require_office(&who)?;
    super::readable(&st, &who, id).await?;
    let sid = land::record_step(&st.db, &actor(&who), id, &s, chrono::Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": sid}))))
}
