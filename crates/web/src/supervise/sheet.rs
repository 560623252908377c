//! The 任务分解表 xlsx (export; import as a dry run listing problems by row and column, then an
//! all-or-nothing commit) and the office's deadline rules.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use nengji_core::supervision::sheet::{to_table, SheetChange};
use nengji_core::supervision::Rules;
use nengji_store::supervision::{self as sv, sheet};
use nengji_store::StoreError;
use serde::Deserialize;

use super::{actor, now, own_unit, reads_all, require_office};
use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::pages::{beijing, location};
use crate::shell::Shell;
use crate::AppState;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    plan: Option<i64>,
}

/// The plan asked for, or the latest adopted one.
async fn pick_plan(st: &AppState, plan: Option<i64>) -> Result<sv::PlanInfo, AppError> {
    let plans = sv::plans(&st.db).await?;
    match plan {
        Some(id) => plans.into_iter().find(|p| p.id == id).ok_or_else(|| AppError::NotFound(format!("方案 {id}"))),
        None => plans.into_iter().next().ok_or_else(|| AppError::NotFound("已采用的方案（请先在“方案解析与采用”中采用任务分解）".into())),
    }
}

/// The 任务分解表: every task for the office and leaders, a unit's own rows for a department.
pub async fn export(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<PlanQuery>) -> Result<Response, AppError> {
    let unit = if reads_all(&s.who) {
        None
    } else {
        Some(own_unit(&s.who).ok_or(AppError::Forbidden)?.to_string())
    };
    let plan = pick_plan(&st, q.plan).await?;
    let rows = sheet::sheet_rows(&st.db, plan.id, unit.as_deref()).await?;
    let bytes = nengji_office::write_xlsx(&[to_table(&rows)]).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, crate::pages::attachment("tasks.xlsx", &format!("{}任务分解表.xlsx", plan.name))),
        ],
        bytes,
    )
        .into_response())
}

pub struct Problem {
    pub location: String,
    pub message: String,
}

pub struct ImportRow {
    pub at: String,
    pub file: String,
    pub status: &'static str,
    pub rows: i64,
    pub problems: i64,
    pub message: String,
}

pub struct ChangeRow {
    pub row: usize,
    pub seq: String,
    pub task: String,
    pub lead: String,
    pub responsible: String,
    pub deadline: String,
    pub progress: String,
}

#[derive(Template)]
#[template(path = "tasks_import.html")]
struct ImportPage {
    shell: Shell,
    plans: Vec<(i64, String)>,
    problems: Vec<Problem>,
    staged: Option<(i64, String, Vec<ChangeRow>)>,
    result: Option<String>,
    error: Option<String>,
    history: Vec<ImportRow>,
}

async fn import_view(st: &AppState, s: &Session) -> Result<ImportPage, AppError> {
    Ok(ImportPage {
        shell: Shell::new(s, "tasks"),
        plans: sv::plans(&st.db).await?.into_iter().map(|p| (p.id, p.name)).collect(),
        problems: Vec::new(),
        staged: None,
        result: None,
        error: None,
        history: sheet::imports(&st.db, 20)
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

pub async fn import_page(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    require_office(&s)?;
    Ok(Html(import_view(&st, &s).await?.render()?))
}

fn unprocessable(page: ImportPage) -> Result<Response, AppError> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

/// The dry run: every problem by row and column and nothing written; a clean sheet is staged.
pub async fn import_upload(State(st): State<AppState>, PageUser(s): PageUser, mut mp: Multipart) -> Result<Response, AppError> {
    require_office(&s)?;
    let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(format!("上传内容无法读取：{e}"));
    let (mut plan, mut file) = (None, None);
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "plan" => plan = field.text().await.map_err(bad)?.trim().parse::<i64>().ok(),
            "file" => {
                let n = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                file = Some((n, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let mut page = import_view(&st, &s).await?;
    let plan = pick_plan(&st, plan).await?;
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        page.error = Some("请选择要上传的任务分解表文件".into());
        return unprocessable(page);
    };
    let tables = match nengji_office::read_tables(&name, &bytes) {
        Ok(t) => t,
        Err(e) => {
            page.error = Some(e.to_string());
            return unprocessable(page);
        }
    };
    let table = tables.iter().find(|t| t.sheet == nengji_core::supervision::sheet::SHEET).unwrap_or(&tables[0]);
    match sheet::check_upload(&st.db, plan.id, table).await? {
        Err(errs) => {
            sheet::reject_import(&st.db, &actor(&s), plan.id, &name, table.rows.len(), errs.len(), now()).await?;
            let mut page = import_view(&st, &s).await?;
            page.error = Some(format!("“{name}”有 {} 处问题，未导入任何内容。请修改后重新上传。", errs.len()));
            page.problems = errs.iter().map(|e| Problem { location: location(&e.sheet, e.row, e.column), message: format!("{}：{}", e.field, e.message) }).collect();
            unprocessable(page)
        }
        Ok(changes) => {
            let id = sheet::stage_import(&st.db, &actor(&s), plan.id, &name, &changes, now()).await?;
            let mut page = import_view(&st, &s).await?;
            page.staged = Some((id, name, changes.iter().map(change_row).collect()));
            Ok(Html(page.render()?).into_response())
        }
    }
}

fn change_row(c: &SheetChange) -> ChangeRow {
    ChangeRow {
        row: c.row,
        seq: c.seq.map(|n| n.to_string()).unwrap_or_else(|| "新增".into()),
        task: c.task.clone(),
        lead: c.lead.join("、"),
        responsible: c.responsible.join("、"),
        deadline: c.deadline.clone(),
        progress: c.progress.clone(),
    }
}

pub async fn import_commit(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Response, AppError> {
    require_office(&s)?;
    match sheet::commit_import(&st.db, &actor(&s), id, now()).await {
        Ok(c) => {
            let mut page = import_view(&st, &s).await?;
            page.result = Some(format!("已导入：修改任务 {} 项，新增任务 {} 项，进展情况 {} 条。", c.updated, c.added, c.progress));
            Ok(Html(page.render()?).into_response())
        }
        Err(StoreError::Invalid(m)) => {
            let mut page = import_view(&st, &s).await?;
            page.error = Some(m);
            unprocessable(page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "tasks_rules.html")]
struct RulesPage {
    shell: Shell,
    rules: Rules,
    message: Option<String>,
    error: Option<String>,
}

pub async fn rules_page(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    require_office(&s)?;
    Ok(Html(RulesPage { shell: Shell::new(&s, "tasks"), rules: sv::rules(&st.db).await?, message: None, error: None }.render()?))
}

#[derive(Deserialize)]
pub struct RulesForm {
    due_soon_days: String,
    milestone_grace_days: String,
    report_cycle_days: String,
    alert_repeat_days: String,
    escalate_after_days: String,
}

pub async fn rules_save(State(st): State<AppState>, PageUser(s): PageUser, Form(f): Form<RulesForm>) -> Result<Response, AppError> {
    require_office(&s)?;
    let n = |v: &str, name: &str| v.trim().parse::<i64>().map_err(|_| format!("“{name}”应为整数天数，现为“{}”", v.trim()));
    let parsed = (|| {
        Ok::<_, String>(Rules {
            due_soon_days: n(&f.due_soon_days, "临近时限提醒天数")?,
            milestone_grace_days: n(&f.milestone_grace_days, "节点逾期宽限天数")?,
            report_cycle_days: n(&f.report_cycle_days, "进展报送周期天数")?,
            alert_repeat_days: n(&f.alert_repeat_days, "提醒重复间隔天数")?,
            escalate_after_days: n(&f.escalate_after_days, "催办升级天数")?,
        })
    })();
    let current = sv::rules(&st.db).await?;
    let result = match parsed {
        Ok(r) => sv::set_rules(&st.db, &actor(&s), &r).await.map(|_| r),
        Err(m) => Err(StoreError::Invalid(m)),
    };
    match result {
        Ok(r) => Ok(Html(RulesPage { shell: Shell::new(&s, "tasks"), rules: r, message: Some("督办规则已保存，亮灯和提醒按新规则计算".into()), error: None }.render()?).into_response()),
        Err(StoreError::Invalid(m)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(RulesPage { shell: Shell::new(&s, "tasks"), rules: current, message: None, error: Some(m) }.render()?)).into_response()),
        Err(e) => Err(e.into()),
    }
}
