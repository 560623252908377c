//! Land intensive-use evaluation (/land-use) and 亩均效益 grading (/mujun): scheme editors, data
//! import with dry run, results (ranking, per-zone summary, per-enterprise card with the
//! calculation trail), the 公示 workflow and xlsx exports. Everyone logged in reads; zone
//! reporters see only their zones (and may record objections for their firms); the office edits.

mod intensive_pages;
mod mujun_pages;
mod scheme_editor;
pub mod service;

use axum::extract::Multipart;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use nengji_core::auth::Role;
use nengji_core::masterdata::{CellError, Table};
use nengji_store::Actor;

use crate::auth::Session;
use crate::error::AppError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    use nengji_core::landuse::intensive::IntensiveScheme;
    use nengji_core::landuse::mujun::MujunScheme;
    use intensive_pages as l;
    use mujun_pages as m;
    Router::new()
        .route("/land-use", get(l::overview))
        .route("/land-use/evaluate", post(l::evaluate))
        .route("/land-use/stats", get(l::stats_list))
        .route("/land-use/stats/{zone}/{year}", get(l::stats_form).post(l::stats_save))
        .route("/land-use/import", get(l::import_form).post(l::import_upload))
        .route("/land-use/template.xlsx", get(l::template))
        .route("/land-use/schemes", get(scheme_editor::page::<IntensiveScheme>).post(scheme_editor::save::<IntensiveScheme>))
        .route("/land-use/evals/{id}/results.xlsx", get(l::export))
        .route("/mujun", get(m::overview))
        .route("/mujun/runs", post(m::create))
        .route("/mujun/runs/{id}", get(m::show))
        .route("/mujun/runs/{id}/results.xlsx", get(m::export))
        .route("/mujun/runs/{id}/firms/{uscc}", get(m::card))
        .route("/mujun/runs/{id}/publicity", post(m::publicity))
        .route("/mujun/runs/{id}/objections", post(m::object))
        .route("/mujun/runs/{id}/objections/{oid}/resolve", post(m::resolve))
        .route("/mujun/runs/{id}/finalise", post(m::finalise))
        .route("/mujun/runs/{id}/recompute", post(m::recompute))
        .route("/mujun/import", get(m::import_form).post(m::import_upload))
        .route("/mujun/template.xlsx", get(m::template))
        .route("/mujun/schemes", get(scheme_editor::page::<MujunScheme>).post(scheme_editor::save::<MujunScheme>))
}

/// The zones a caller is limited to: `Some` for zone reporters, `None` (all) for everyone else.
pub(crate) fn scope(s: &Session) -> Option<Vec<String>> {
    (s.who.role == Role::ZoneReporter).then(|| s.who.zones.clone())
}

pub(crate) fn office(s: &Session) -> Result<(), AppError> {
    if s.who.role.is_admin() { Ok(()) } else { Err(AppError::Forbidden) }
}

pub(crate) fn actor(s: &Session) -> Actor {
    Actor::user(s.who.user_id, &s.who.username)
}

pub(crate) fn xlsx(tables: &[Table], ascii: &str, name: &str) -> Result<Response, AppError> {
    let bytes = nengji_office::write_xlsx(tables).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, crate::pages::attachment(ascii, name)),
        ],
        bytes,
    )
        .into_response())
}

/// One located problem of an uploaded file, for the page.
pub struct Problem {
    pub location: String,
    pub message: String,
}

pub(crate) fn problems(errs: &[CellError]) -> Vec<Problem> {
    errs.iter().map(|e| Problem { location: crate::pages::location(&e.sheet, e.row, e.column), message: format!("{}：{}", e.field, e.message) }).collect()
}

/// An upload: the file and whether to write it (`mode=commit`) or only check it (dry run).
pub(crate) struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
    pub commit: bool,
}

pub(crate) async fn read_upload(mut mp: Multipart) -> Result<Option<Upload>, AppError> {
    let (mut file, mut commit) = (None, false);
    while let Some(field) = mp.next_field().await.map_err(|e| AppError::BadRequest(format!("上传内容无法读取：{e}")))? {
        match field.name() {
            Some("mode") => commit = field.text().await.unwrap_or_default() == "commit",
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(format!("文件上传失败：{e}")))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    Ok(file.filter(|(n, b)| !n.is_empty() && !b.is_empty()).map(|(name, bytes)| Upload { name, bytes, commit }))
}

/// The data sheet of a workbook: the first that is not the instructions.
pub(crate) fn data_sheet(tables: Vec<Table>) -> Table {
    let at = tables.iter().position(|t| t.sheet != "填表说明").unwrap_or(0);
    tables.into_iter().nth(at).unwrap_or_default()
}

pub(crate) fn f2(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}
