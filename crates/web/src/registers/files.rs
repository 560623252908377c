//! Register files: export as xlsx or CSV (UTF-8 with BOM) in the import layout; import as a dry
//! run listing every problem by sheet, row, column and field, then an all-or-nothing commit.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use nengji_core::registers::parse::to_table;
use nengji_core::registers::{list as reglist, Record, RegisterKind};
use nengji_store::registers::{self as store, imports};
use nengji_store::StoreError;

use super::{actor, can_read, kind_of, require_write, write_scope, Writer};
use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::pages::{attachment, beijing, location};
use crate::shell::Shell;
use crate::AppState;

/// RFC 4180 CSV with a BOM so Excel opens it as UTF-8.
pub fn csv(table: &nengji_core::masterdata::Table) -> Vec<u8> {
    let cell = |s: &str| if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() };
    let line = |row: &[String]| row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    let mut out = String::from("\u{feff}");
    out.push_str(&line(&table.header));
    out.push_str("\r\n");
    for r in &table.rows {
        out.push_str(&line(r));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

pub async fn export(State(st): State<AppState>, PageUser(s): PageUser, Path((kind, file)): Path<(String, String)>) -> Result<Response, AppError> {
    let kind = kind_of(&kind)?;
    let mut records: Vec<Record> =
        store::records(&st.db, kind).await?.into_iter().filter(|r| can_read(&s.who, r.zone())).collect();
    reglist::sort(kind, &mut records, "name", false);
    let table = to_table(kind, &records);
    let name = format!("{}.{}", kind.label(), if file.ends_with(".csv") { "csv" } else { "xlsx" });
    let (ctype, bytes) = match file.as_str() {
        f if f == format!("{}.xlsx", kind.code()) => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            nengji_office::write_xlsx(&[table]).map_err(|e| AppError::Internal(e.into()))?,
        ),
        f if f == format!("{}.csv", kind.code()) => ("text/csv; charset=utf-8", csv(&table)),
        _ => return Err(AppError::NotFound(format!("文件“{file}”"))),
    };
    Ok(([(header::CONTENT_TYPE, ctype.to_string()), (header::CONTENT_DISPOSITION, attachment(&file, &name))], bytes).into_response())
}

pub struct Problem {
    pub location: String,
    pub field: String,
    pub message: String,
}

pub struct StagedRow {
    pub row: usize,
    pub key: String,
    pub name: String,
    pub action: String,
}

pub struct ImportRow {
    pub at: String,
    pub file: String,
    pub status: &'static str,
    pub rows: i64,
    pub problems: i64,
    pub message: String,
}

#[derive(Template)]
#[template(path = "reg_import.html")]
struct ImportPage {
    shell: Shell,
    kind: &'static str,
    label: &'static str,
    headers: Vec<&'static str>,
    problems: Vec<Problem>,
    staged: Option<(i64, String, Vec<StagedRow>)>,
    result: Option<String>,
    error: Option<String>,
    history: Vec<ImportRow>,
}

async fn view(st: &AppState, s: &Session, kind: RegisterKind) -> Result<ImportPage, AppError> {
    Ok(ImportPage {
        shell: Shell::new(s, "registers"),
        kind: kind.code(),
        label: kind.label(),
        headers: kind.fields().iter().map(|f| f.label).collect(),
        problems: vec![],
        staged: None,
        result: None,
        error: None,
        history: imports::recent(&st.db, kind, 20)
            .await?
            .into_iter()
            .map(|r| ImportRow {
                at: beijing(r.at),
                status: r.status_label(),
                file: r.file_name,
                rows: r.row_count,
                problems: r.problem_count,
                message: r.message,
            })
            .collect(),
    })
}

fn unprocessable(page: ImportPage) -> Result<Response, AppError> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

pub async fn import_page(State(st): State<AppState>, Writer(s): Writer, Path(kind): Path<String>) -> Result<Html<String>, AppError> {
    let kind = kind_of(&kind)?;
    require_write(&s, kind)?;
    Ok(Html(view(&st, &s, kind).await?.render()?))
}

/// The dry run: the whole file checked, nothing written; a clean file is staged for commit.
pub async fn import_upload(State(st): State<AppState>, Writer(s): Writer, Path(kind): Path<String>, mp: Multipart) -> Result<Response, AppError> {
    let kind = kind_of(&kind)?;
    require_write(&s, kind)?;
    let file = crate::pages::uploaded_file(mp).await?;
    let mut page = view(&st, &s, kind).await?;
    let Some((name, bytes)) = file else {
        page.error = Some("请选择要上传的文件（.xlsx 或 .csv）".into());
        return unprocessable(page);
    };
    let tables = match nengji_office::read_tables(&name, &bytes) {
        Ok(t) => t,
        Err(e) => {
            page.error = Some(e.to_string());
            return unprocessable(page);
        }
    };
    let table = tables.iter().find(|t| t.sheet == kind.sheet()).unwrap_or(&tables[0]);
    match imports::check(&st.db, kind, table, write_scope(&s.who)).await? {
        Err(errs) => {
            imports::reject(&st.db, &actor(&s.who), kind, &name, table.rows.len(), &errs).await?;
            let mut page = view(&st, &s, kind).await?;
            page.error = Some(format!("“{name}”有 {} 处问题，未导入任何记录。请修改后重新上传。", errs.len()));
            page.problems = errs
                .iter()
                .map(|e| Problem { location: location(&e.sheet, e.row, e.column), field: e.field.clone(), message: e.message.clone() })
                .collect();
            unprocessable(page)
        }
        Ok(planned) => {
            let id = imports::stage(&st.db, &actor(&s.who), kind, &name, &planned).await?;
            let mut page = view(&st, &s, kind).await?;
            let rows = planned
                .iter()
                .map(|p| StagedRow {
                    row: p.row,
                    key: p.record.key(kind).to_string(),
                    name: p.record.name().to_string(),
                    action: match p.action {
                        imports::Action::Insert => "新增".into(),
                        imports::Action::Update { changes } => format!("修改 {changes} 项"),
                        imports::Action::Unchanged => "无变化".into(),
                    },
                })
                .collect();
            page.staged = Some((id, name, rows));
            Ok(Html(page.render()?).into_response())
        }
    }
}

pub async fn import_commit(State(st): State<AppState>, Writer(s): Writer, Path((kind, id)): Path<(String, i64)>) -> Result<Response, AppError> {
    let kind = kind_of(&kind)?;
    require_write(&s, kind)?;
    match imports::commit(&st.db, &actor(&s.who), kind, id, write_scope(&s.who)).await {
        Ok(sum) => {
            let mut page = view(&st, &s, kind).await?;
            page.result = Some(format!("已导入：新增 {} 条，修改 {} 条，无变化 {} 条。", sum.inserted, sum.updated, sum.unchanged));
            Ok(Html(page.render()?).into_response())
        }
        Err(StoreError::Invalid(m)) => {
            let mut page = view(&st, &s, kind).await?;
            page.error = Some(m);
            unprocessable(page)
        }
        Err(e) => Err(e.into()),
    }
}
