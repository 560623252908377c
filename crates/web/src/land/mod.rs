//! Idle land (闲置土地) pages and API: the dashboard at `/land` (counts and area by zone and
//! status, deadlines due), the parcel list and each parcel's page with its timeline, the forms,
//! the 台账 import (dry run, then all-or-nothing) and xlsx export, the procedure's documents,
//! and `/api/v1/land/...`.
//!
//! Who may do what: zone reporters see and edit only their zones' parcels; the office (admin)
//! edits every parcel and runs the procedure; leaders, viewers read everything. Department
//! reporters have no land pages.

pub mod api;
mod form;
mod import;
mod pages;
mod rules;

use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use nengji_core::auth::{Principal, Role};
use nengji_store::land::StoredParcel;
use nengji_store::Actor;

use crate::auth::Session;
use crate::error::AppError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/land", get(pages::dashboard))
        .route("/land/parcels", get(pages::list).post(pages::create))
        .route("/land/parcels/new", get(pages::new_form))
        .route("/land/parcels/{id}", get(pages::parcel).post(pages::update))
        .route("/land/parcels/{id}/steps", post(pages::record_step))
        .route("/land/parcels/{id}/docs/{kind}", get(pages::document))
        .route("/land/rules", get(rules::page).post(rules::save))
        .route("/land/export.xlsx", get(import::export))
        .route("/land/import", get(import::page).post(import::upload))
        .route("/land/import/{id}/commit", post(import::commit))
        .route("/api/v1/land/parcels", get(api::list).post(api::create))
        .route("/api/v1/land/parcels/{id}", get(api::get_one).put(api::update))
        .route("/api/v1/land/parcels/{id}/steps", post(api::record_step))
}

fn actor(s: &Session) -> Actor {
    Actor::user(s.who.user_id, &s.who.username)
}

/// The zones a person reads: `None` for all (office, leaders, viewers), a zone reporter's own.
fn scope(who: &Principal) -> Result<Option<Vec<String>>, AppError> {
    match who.role {
        Role::Admin | Role::Reviewer | Role::Viewer => Ok(None),
        Role::ZoneReporter => Ok(Some(who.zones.clone())),
        Role::DeptReporter => Err(AppError::Forbidden),
    }
}

/// May this person edit parcels of the zone? The office any; a zone reporter its own.
fn may_edit(who: &Principal, zone: &str) -> bool {
    match who.role {
        Role::Admin => true,
        Role::ZoneReporter => who.zones.iter().any(|z| z == zone),
        _ => false,
    }
}

fn can_edit_any(who: &Principal) -> bool {
    matches!(who.role, Role::Admin | Role::ZoneReporter)
}

/// The procedure is the office's.
fn require_office(who: &Principal) -> Result<(), AppError> {
    if who.role == Role::Admin { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A parcel the person may read, else 404 (a zone reporter does not learn other zones' codes).
async fn readable(st: &AppState, who: &Principal, id: i64) -> Result<StoredParcel, AppError> {
    let p = nengji_store::land::parcel(&st.db, id).await?.ok_or_else(|| AppError::NotFound(format!("宗地 {id}")))?;
    match scope(who)? {
        Some(zones) if !zones.contains(&p.parcel.zone) => Err(AppError::NotFound(format!("宗地 {id}"))),
        _ => Ok(p),
    }
}

/// `?as_of=` (a date) or today.
fn as_of(q: Option<&str>) -> Result<NaiveDate, AppError> {
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(crate::collect::today()),
        Some(s) => nengji_core::land::parcel::parse_date(s).map_err(AppError::BadRequest)?.ok_or_else(|| AppError::BadRequest("日期不能为空".into())),
    }
}
