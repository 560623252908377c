//! Monitoring: the leadership cockpit (驾驶舱) with the plan's targets, city totals and monthly
//! league tables; the indicator page comparing all zones; the charts and ranks on a zone's
//! profile; xlsx/CSV downloads of every table; the API of computed series and target status.
//! Everything uses approved values only. City-wide views need every zone readable, so a zone
//! reporter sees only its own zones in league tables and comparisons and no city totals.

pub mod api;
mod cockpit;
mod compare;
mod downloads;
pub mod panel;
pub mod targets;
pub mod views;
pub mod zone;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use nengji_core::auth::Principal;
use nengji_core::period::Month;

use crate::error::AppError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cockpit", get(cockpit::page))
        .route("/compare", get(compare::page))
        .route("/download/{file}", get(downloads::download))
        .route("/static/monitor.css", get(stylesheet))
        .route("/api/v1/series", get(api::series))
        .route("/api/v1/targets", get(api::targets))
        .route("/api/v1/league", get(api::league))
}

async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], include_str!("../../static/monitor.css"))
}

/// City totals and targets sum every zone, so they are for people who may read every zone.
pub fn reads_all(who: &Principal, panel: &panel::Panel) -> bool {
    panel.zones.iter().all(|z| who.can_read_zone(&z.code))
}

/// The month asked for, or the latest with approved values; `None` when there are none.
pub async fn period(db: &nengji_store::Db, requested: Option<&str>) -> Result<Option<Month>, AppError> {
    crate::figures::choose_period(db, requested).await
}

/// The indicator to show: the one asked for if it exists, else the first of `fallback` that does.
pub fn pick_indicator<'a>(panel: &'a panel::Panel, requested: Option<&str>, fallback: &str) -> Result<&'a nengji_core::indicator::Indicator, AppError> {
    match requested.filter(|s| !s.is_empty()) {
        Some(code) => panel.indicator(code).ok_or_else(|| AppError::NotFound(format!("指标“{code}”"))),
        None => panel.indicator(fallback).or(panel.indicators.first()).ok_or_else(|| AppError::NotFound("指标".into())),
    }
}
