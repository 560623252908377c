//! Supervision pages (督办): the office's overview by unit and by plan section, a unit's "my
//! tasks", each task with its reports, 催办, lights and history, a Gantt timeline, the parsed
//! plan under review and its adoption, the 任务分解表 export and import, the rules, and the
//! deduction inputs for the evaluation.
//!
//! Who may do what: the office (admin) adopts, schedules, urges, sets lights and closes; the
//! leader (reviewer) reads everything and writes instructions on escalations; a department
//! reporter sees only its unit's tasks and reports, signs and replies for its unit only.

mod gantt;
mod overview;
mod plans;
mod sheet;
mod task;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use nengji_core::auth::{Principal, Role};
use nengji_core::supervision::{Assessment, Light};
use nengji_store::supervision::{self as sv, Task};
use nengji_store::Actor;

use crate::auth::Session;
use crate::error::AppError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(overview::overview))
        .route("/tasks/my", get(overview::my_tasks))
        .route("/tasks/timeline", get(overview::timeline))
        .route("/tasks/deductions", get(overview::deductions))
        .route("/tasks/deductions.xlsx", get(overview::deductions_xlsx))
        .route("/tasks/rules", get(sheet::rules_page).post(sheet::rules_save))
        .route("/tasks/plans", get(plans::list).post(plans::upload))
        .route("/tasks/plans/{id}", get(plans::review).post(plans::save))
        .route("/tasks/export.xlsx", get(sheet::export))
        .route("/tasks/import", get(sheet::import_page).post(sheet::import_upload))
        .route("/tasks/import/{id}/commit", post(sheet::import_commit))
        .route("/tasks/urges/{id}/read", post(task::acknowledge))
        .route("/tasks/urges/{id}/reply", post(task::reply))
        .route("/tasks/escalations/{id}/instruct", post(task::instruct))
        .route("/tasks/{id}", get(task::page))
        .route("/tasks/{id}/reports", post(task::report))
        .route("/tasks/{id}/reports/{rid}/file", get(task::attachment))
        .route("/tasks/{id}/schedule", post(task::schedule))
        .route("/tasks/{id}/milestones", post(task::add_milestone))
        .route("/tasks/{id}/milestones/{mid}/delete", post(task::remove_milestone))
        .route("/tasks/{id}/light", post(task::light))
        .route("/tasks/{id}/urges", post(task::urge))
        .route("/tasks/{id}/close", post(task::close))
        .route("/static/tasks.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], include_str!("tasks.css"))
}

fn actor(s: &Session) -> Actor {
    Actor::user(s.who.user_id, &s.who.username)
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The office (市开发区办): adopts, schedules, urges, sets lights, closes.
fn is_office(who: &Principal) -> bool {
    who.role == Role::Admin
}

/// The office and leaders read every task.
fn reads_all(who: &Principal) -> bool {
    matches!(who.role, Role::Admin | Role::Reviewer)
}

/// The unit a department reporter acts for.
fn own_unit(who: &Principal) -> Option<&str> {
    (who.role == Role::DeptReporter).then_some(who.unit.as_deref()).flatten()
}

fn require_office(s: &Session) -> Result<(), AppError> {
    if is_office(&s.who) { Ok(()) } else { Err(AppError::Forbidden) }
}

fn require_reader(s: &Session) -> Result<(), AppError> {
    if reads_all(&s.who) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// May this person see the task? The office and leaders all; a unit the tasks it has a part in.
fn can_view(who: &Principal, t: &Task) -> bool {
    reads_all(who) || own_unit(who).is_some_and(|u| t.role_of(u).is_some())
}

/// The unit a person may report for on the task: its own when lead or responsible.
fn report_unit(who: &Principal, t: &Task) -> Option<String> {
    own_unit(who).filter(|u| t.role_of(u).is_some_and(|r| r.reports())).map(String::from)
}

/// A light as pages show it.
pub struct LightView {
    pub code: &'static str,
    pub label: &'static str,
    pub reason: String,
    pub manual: bool,
}

impl LightView {
    fn of(a: &Assessment) -> LightView {
        LightView { code: a.light.code(), label: a.light.label(), reason: a.reason(), manual: a.manual }
    }
}

/// `(code, label)` of every light, for forms.
fn light_options() -> Vec<(&'static str, &'static str)> {
    Light::ALL.iter().map(|l| (l.code(), l.label())).collect()
}

/// Applies the rules today (alerts, escalations, light history) before a page shows them.
/// Idempotent within a day, so reading a page twice changes nothing the second time.
async fn sweep(st: &AppState) -> Result<(), AppError> {
    sv::sweep(&st.db, now()).await?;
    Ok(())
}

fn join(v: &[String]) -> String {
    v.join("、")
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}
