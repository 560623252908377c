//! The 台账 as xlsx: the export (in the person's scope) and the import — a dry run listing every
//! problem by sheet, row and column with nothing written, then an all-or-nothing commit.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use nengji_core::land::parcel::{mu, supply_label, wan};
use nengji_core::land::sheet::{SheetParcel, SHEET};
use nengji_store::land;
use nengji_store::StoreError;

use super::pages::LedgerQuery;
use super::{actor, as_of, can_edit_any, may_edit, scope};
use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::pages::{beijing, location};
use crate::shell::Shell;
use crate::AppState;

pub async fn export(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<LedgerQuery>) -> Result<Response, AppError> {
    let zones = scope(&s.who)?;
    let day = as_of(q.as_of())?;
    let entries = land::ledger(&st.db, zones.as_deref(), day).await?;
    let bytes = nengji_office::write_xlsx(&[land::ledger_table(&entries)]).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, crate::pages::attachment("land.xlsx", &format!("闲置土地台账（{day}）.xlsx"))),
        ],
        bytes,
    )
        .into_response())
}

pub struct Problem {
    pub location: String,
    pub message: String,
}

pub struct HistoryRow {
    pub at: String,
    pub file: String,
    pub status: &'static str,
    pub rows: i64,
    pub problems: i64,
    pub message: String,
}

pub struct StagedRow {
    pub row: usize,
    pub code: String,
    pub zone: String,
    pub holder: String,
    pub mu: String,
    pub supply: &'static str,
    pub price: String,
    pub version: String,
}

#[derive(Template)]
#[template(path = "land_import.html")]
struct ImportPage {
    shell: Shell,
    problems: Vec<Problem>,
    staged: Option<(i64, String, Vec<StagedRow>)>,
    result: Option<String>,
    error: Option<String>,
    history: Vec<HistoryRow>,
}

async fn view(st: &AppState, s: &Session) -> Result<ImportPage, AppError> {
    // The office sees every upload; a zone reporter its own.
    let who = (!s.who.role.is_admin()).then_some(s.who.username.as_str());
    Ok(ImportPage {
        shell: Shell::new(s, "land"),
        problems: Vec::new(),
        staged: None,
        result: None,
        error: None,
        history: land::imports(&st.db, who, 20)
            .await?
            .into_iter()
            .map(|r| HistoryRow { at: beijing(r.at), status: r.status_label(), file: r.file_name, rows: r.row_count, problems: r.problem_count, message: r.message })
            .collect(),
    })
}

fn require_editor(s: &Session) -> Result<(), AppError> {
    if can_edit_any(&s.who) { Ok(()) } else { Err(AppError::Forbidden) }
}

pub async fn page(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    require_editor(&s)?;
    Ok(Html(view(&st, &s).await?.render()?))
}

fn unprocessable(page: ImportPage) -> Result<Response, AppError> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

fn staged_row(r: &SheetParcel) -> StagedRow {
    let p = &r.parcel;
    StagedRow {
        row: r.row,
        code: p.code.clone(),
        zone: p.zone.clone(),
        holder: p.holder.clone(),
        mu: format!("{:.2}", mu(p.area_m2)),
        supply: supply_label(p.supply),
        price: wan(p.price_fen),
        version: r.version.map(|v| format!("修改（第 {v} 版）")).unwrap_or_else(|| "新增".into()),
    }
}

/// The dry run: every problem located and nothing written; a clean sheet is staged.
pub async fn upload(State(st): State<AppState>, PageUser(s): PageUser, mp: Multipart) -> Result<Response, AppError> {
    require_editor(&s)?;
    let file = crate::pages::uploaded_file(mp).await?;
    let mut page = view(&st, &s).await?;
    let Some((name, bytes)) = file else {
        page.error = Some("请选择要上传的台账文件".into());
        return unprocessable(page);
    };
    let tables = match nengji_office::read_tables(&name, &bytes) {
        Ok(t) => t,
        Err(e) => {
            page.error = Some(e.to_string());
            return unprocessable(page);
        }
    };
    let table = tables.iter().find(|t| t.sheet == SHEET).unwrap_or(&tables[0]);
    let who = s.who.clone();
    let may = move |z: &str| may_edit(&who, z);
    match land::check_upload(&st.db, table, &may).await? {
        Err(errs) => {
            land::reject_import(&st.db, &actor(&s), &name, table.rows.len(), errs.len(), chrono::Utc::now()).await?;
            let mut page = view(&st, &s).await?;
            page.error = Some(format!("“{name}”有 {} 处问题，未导入任何内容。请修改后重新上传。", errs.len()));
            page.problems = errs.iter().map(|e| Problem { location: location(&e.sheet, e.row, e.column), message: format!("{}：{}", e.field, e.message) }).collect();
            unprocessable(page)
        }
        Ok(rows) => {
            let id = land::stage_import(&st.db, &actor(&s), &name, &rows, chrono::Utc::now()).await?;
            let mut page = view(&st, &s).await?;
            page.staged = Some((id, name, rows.iter().map(staged_row).collect()));
            Ok(Html(page.render()?).into_response())
        }
    }
}

pub async fn commit(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Response, AppError> {
    require_editor(&s)?;
    match land::commit_import(&st.db, &actor(&s), id, false, chrono::Utc::now()).await {
        Ok(c) => {
            let mut page = view(&st, &s).await?;
            page.result = Some(format!("已导入：新增 {} 宗，修改 {} 宗，未变 {} 宗。", c.added, c.updated, c.unchanged));
            Ok(Html(page.render()?).into_response())
        }
        Err(StoreError::Invalid(m)) => {
            let mut page = view(&st, &s).await?;
            page.error = Some(m);
            unprocessable(page)
        }
        Err(e) => Err(e.into()),
    }
}
