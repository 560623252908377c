//! Data entry for zone reporters: what is due, the entry form, the Excel template and uploads.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use nengji_core::calendar::{self, WindowState};
use nengji_core::entry::{parse_number, ValueInput};
use nengji_core::indicator::IndicatorKind;
use nengji_core::period::Month;
use nengji_core::series::month_from_cumulative;
use nengji_store::collection::{self, Batch, Calendar, Status, Transition};
use nengji_store::{masterdata, seed, value_imports, Actor};
use serde::Deserialize;

use crate::auth::{PageUser, Session};
use crate::collect::{around, can_enter, dataset_indicators, entry_error, entry_zones, parse_upload, today};
use crate::error::AppError;
use crate::pages::location;
use crate::shell::Shell;
use crate::AppState;

fn actor(s: &Session) -> Actor {
    Actor::user(s.who.user_id, &s.who.username)
}

fn parse_period(s: &str) -> Result<Month, AppError> {
    s.parse().map_err(|e: nengji_core::period::BadMonth| AppError::BadRequest(e.to_string()))
}

pub struct DueItem {
    pub zone: String,
    pub zone_name: String,
    pub period: String,
    pub period_label: String,
    pub status: String,
    pub due: String,
    pub state: String,
    /// `due-soon`, `overdue` or empty, for colour.
    pub alert: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "entry_list.html")]
struct DuePage {
    shell: Shell,
    items: Vec<DueItem>,
    alerts: usize,
    today: String,
}

/// “What is due and overdue” for the reporter's zones (the office sees every zone).
pub async fn due(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Response, AppError> {
    let zones = entry_zones(&st.db, &s.who).await?;
    if zones.is_empty() {
        return Err(AppError::Forbidden);
    }
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let cal = Calendar::load(&st.db, &ds).await?;
    let today = today();
    let this_month = Month::of_date(today);
    let periods = cal.open_periods(today, this_month.offset(-1));
    let subs = collection::submissions(&st.db, &ds, Some(&periods)).await?;
    let mut items = Vec::new();
    for p in &periods {
        for z in &zones {
            let w = cal.window(Some(&z.zone.code), *p);
            let sub = subs.iter().find(|x| x.zone == z.zone.code && x.period == p.to_string());
            let status = sub.map(|x| x.status);
            let pending = matches!(status, None | Some(Status::Draft));
            let state = w.state(today);
            let alert = match (pending, state) {
                (true, WindowState::Overdue) => "overdue",
                (true, WindowState::Open) if calendar::due_soon(&w, today, 3) => "due-soon",
                _ => "",
            };
            let note = match (alert, sub.and_then(|x| x.returned_reason.clone())) {
                (_, Some(r)) if status == Some(Status::Draft) => format!("被退回：{r}"),
                ("overdue", _) => format!("已逾期 {} 天，{} 锁定", -w.days_to_due(today), w.locks),
                ("due-soon", _) => format!("还有 {} 天截止", w.days_to_due(today)),
                _ => String::new(),
            };
            items.push(DueItem {
                zone: z.zone.code.clone(),
                zone_name: z.zone.short_name.clone(),
                period: p.to_string(),
                period_label: p.label(),
                status: status.map(|x| x.label()).unwrap_or("未填报").into(),
                due: w.due.to_string(),
                state: state.label().into(),
                alert,
                note,
            });
        }
    }
    let alerts = items.iter().filter(|i| !i.alert.is_empty()).count();
    Ok(Html(DuePage { shell: Shell::new(&s, "entry"), items, alerts, today: today.to_string() }.render()?).into_response())
}

pub struct FormRow {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub kind: String,
    pub value: String,
    pub prior: String,
    pub comment: String,
    pub last_year: String,
    pub month_value: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "entry_form.html")]
struct FormPage {
    shell: Shell,
    zone: String,
    zone_name: String,
    period: String,
    period_label: String,
    version: i64,
    status: String,
    window: String,
    editable: bool,
    reason: Option<String>,
    flagged: bool,
    rows: Vec<FormRow>,
    message: Option<String>,
    error: Option<String>,
    findings: Vec<String>,
}

struct Ctx {
    ds: collection::Dataset,
    zone_name: String,
    period: Month,
}

async fn context(st: &AppState, s: &Session, zone: &str, period: &str) -> Result<Ctx, AppError> {
    let period = parse_period(period)?;
    let z = masterdata::get_zone(&st.db, zone).await?.ok_or_else(|| AppError::NotFound(format!("开发区“{zone}”")))?;
    if !can_enter(&s.who, zone) && !crate::collect::can_review(&s.who) {
        return Err(AppError::Forbidden);
    }
    Ok(Ctx { ds: collection::dataset(&st.db, seed::MONTHLY).await?, zone_name: z.zone.short_name, period })
}

/// Renders the form; `typed` keeps what the user typed when a save is refused.
async fn render_form(
    st: &AppState,
    s: &Session,
    zone: &str,
    c: &Ctx,
    typed: Option<&HashMap<String, String>>,
    errors: &HashMap<String, String>,
    message: Option<String>,
    error: Option<String>,
    findings: Vec<String>,
) -> Result<FormPage, AppError> {
    let inds = dataset_indicators(&st.db, &c.ds).await?;
    let vals = around(&st.db, zone, c.period).await?;
    let sub = collection::submission(&st.db, &c.ds, zone, c.period).await?;
    let cal = Calendar::load(&st.db, &c.ds).await?;
    let w = cal.window(Some(zone), c.period);
    let state = w.state(today());
    let status = sub.as_ref().map(|x| x.status);
    let editable = can_enter(&s.who, zone)
        && matches!(state, WindowState::Open | WindowState::Overdue)
        && matches!(status, None | Some(Status::Draft));
    let fmt = |v: Option<f64>, d: u8| v.map(|x| format!("{:.*}", d as usize, x)).unwrap_or_default();
    let rows = inds
        .iter()
        .map(|i| {
            let i = &i.indicator;
            let cur = vals.get(&(i.code.clone(), c.period));
            let get = |k: &str, saved: String| typed.and_then(|t| t.get(&format!("{k}_{}", i.code)).cloned()).unwrap_or(saved);
            let month_value = if i.kind == IndicatorKind::Flow {
                let prev = vals.get(&(i.code.clone(), c.period.offset(-1))).map(|o| o.value);
                match (cur, c.period.month(), prev) {
                    (Some(o), 2, None) => format!("{}（1–2月合计）", i.format(o.value)),
                    (Some(o), m, prev) => month_from_cumulative(m, o.value, prev).map(|v| i.format(v)).unwrap_or_default(),
                    _ => String::new(),
                }
            } else {
                String::new()
            };
            FormRow {
                value: get("v", cur.map(|o| o.value.to_string()).unwrap_or_default()),
                prior: get("p", cur.and_then(|o| o.prior_comparable).map(|v| v.to_string()).unwrap_or_default()),
                comment: get("c", cur.map(|o| o.comment.clone()).unwrap_or_default()),
                last_year: fmt(vals.get(&(i.code.clone(), c.period.prior_year())).map(|o| o.value), i.decimals),
                month_value,
                error: errors.get(&i.code).cloned().unwrap_or_default(),
                code: i.code.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
                kind: if i.kind == IndicatorKind::Flow { "1–N月累计".into() } else { "期末数".into() },
            }
        })
        .collect();
    Ok(FormPage {
        shell: Shell::new(s, "entry"),
        zone: zone.to_string(),
        zone_name: c.zone_name.clone(),
        period: c.period.to_string(),
        period_label: c.period.label(),
        version: sub.as_ref().map(|x| x.version).unwrap_or(0),
        status: status.map(|x| x.label()).unwrap_or("未填报").into(),
        window: format!("{}，{} 开放，{} 截止，{} 锁定", state.label(), w.opens, w.due, w.locks),
        editable,
        reason: sub.as_ref().and_then(|x| x.returned_reason.clone()),
        flagged: sub.as_ref().is_some_and(|x| x.changed_after_approval),
        rows,
        message,
        error,
        findings,
    })
}

pub async fn form(State(st): State<AppState>, PageUser(s): PageUser, Path((zone, period)): Path<(String, String)>) -> Result<Html<String>, AppError> {
    let c = context(&st, &s, &zone, &period).await?;
    let page = render_form(&st, &s, &zone, &c, None, &HashMap::new(), None, None, Vec::new()).await?;
    Ok(Html(page.render()?))
}

/// Save a draft (`action=save`) or save and submit (`action=submit`).
pub async fn save(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path((zone, period)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let c = context(&st, &s, &zone, &period).await?;
    if !can_enter(&s.who, &zone) {
        return Err(AppError::Forbidden);
    }
    let typed: HashMap<String, String> = fields.into_iter().collect();
    let version: i64 = typed.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let inds = dataset_indicators(&st.db, &c.ds).await?;
    let mut errors = HashMap::new();
    let mut values = Vec::new();
    for i in &inds {
        let i = &i.indicator;
        let raw = typed.get(&format!("v_{}", i.code)).map(|v| v.trim()).unwrap_or("");
        if raw.is_empty() {
            continue;
        }
        let prior_raw = typed.get(&format!("p_{}", i.code)).map(|v| v.trim()).unwrap_or("");
        let (value, prior) = (parse_number(raw), parse_number(prior_raw));
        if value.is_none() {
            errors.insert(i.code.clone(), format!("“{raw}”不是数字"));
        } else if !prior_raw.is_empty() && prior.is_none() {
            errors.insert(i.code.clone(), format!("上年同期可比数“{prior_raw}”不是数字"));
        } else {
            values.push(ValueInput {
                zone: zone.clone(),
                indicator: i.code.clone(),
                period: c.period,
                value: value.expect("checked"),
                prior_comparable: prior,
                comment: typed.get(&format!("c_{}", i.code)).map(|v| v.trim().to_string()).unwrap_or_default(),
            });
        }
    }
    let refuse = |status: StatusCode, error: String, errors: HashMap<String, String>| {
        let (st, s, zone) = (st.clone(), s.clone(), zone.clone());
        let typed = typed.clone();
        let c = &c;
        async move {
            let page = render_form(&st, &s, &zone, c, Some(&typed), &errors, None, Some(error), Vec::new()).await?;
            Ok::<_, AppError>((status, Html(page.render()?)).into_response())
        }
    };
    if !errors.is_empty() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "有数值格式错误，未保存，请修改标红的行".into(), errors).await;
    }
    let batch = Batch { zone: zone.clone(), period: c.period, expected_version: Some(version), values };
    let new_version = match collection::apply(&st.db, &actor(&s), &c.ds, &[batch], "form", today()).await {
        Ok(v) => v[0],
        Err(e) => {
            let status = if matches!(e, collection::EntryError::Conflict { .. }) { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            return refuse(status, entry_error(e)?, HashMap::new()).await;
        }
    };
    let mut message = Some("草稿已保存".to_string());
    let mut error = None;
    let mut findings = Vec::new();
    if typed.get("action").map(String::as_str) == Some("submit") {
        let check = crate::checks::check_report(&st.db, &c.ds, &zone, c.period).await?;
        findings = check.lines();
        if check.blocking() {
            message = None;
            error = Some("草稿已保存，但未报送：请先处理下列问题".into());
        } else {
            let t = [(zone.clone(), c.period, Some(new_version))];
            match collection::transition(&st.db, &actor(&s), &c.ds, Transition::Submit, &t, "").await {
                Ok(()) => message = Some("已报送，等待审核".into()),
                Err(e) => {
                    // The save itself went through: say so, and why the report was not submitted
                    // (typically someone saved it again in between).
                    message = None;
                    error = Some(format!("草稿已保存，但未报送：{}", entry_error(e)?));
                }
            }
        }
    }
    let page = render_form(&st, &s, &zone, &c, None, &HashMap::new(), message, error, findings).await?;
    Ok(Html(page.render()?).into_response())
}

pub struct HistoryRow {
    pub at: String,
    pub by: String,
    pub source: String,
    pub old: String,
    pub new: String,
    pub flag: bool,
}

#[derive(Template)]
#[template(path = "entry_history.html")]
struct HistoryPage {
    shell: Shell,
    zone: String,
    zone_name: String,
    period: String,
    period_label: String,
    indicator: String,
    rows: Vec<HistoryRow>,
}

pub async fn history(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path((zone, period, indicator)): Path<(String, String, String)>,
) -> Result<Html<String>, AppError> {
    let c = context(&st, &s, &zone, &period).await?;
    let ind = masterdata::list_indicators(&st.db).await?.into_iter().find(|i| i.indicator.code == indicator)
        .ok_or_else(|| AppError::NotFound(format!("指标“{indicator}”")))?;
    let num = |v: Option<f64>| v.map(|x| ind.indicator.format(x)).unwrap_or_else(|| "—".into());
    let rows = collection::history(&st.db, &zone, &indicator, c.period)
        .await?
        .into_iter()
        .map(|h| HistoryRow {
            at: crate::pages::beijing(h.changed_at),
            by: h.changed_by,
            source: match h.source.as_str() { "form" => "表单", "import" => "文件导入", "api" => "接口", o => o }.to_string(),
            old: format!("{}（可比数 {}）", num(h.old_value), num(h.old_prior)),
            new: format!("{}（可比数 {}）", num(h.new_value), num(h.new_prior)),
            flag: h.after_approval,
        })
        .collect();
    Ok(Html(HistoryPage {
        shell: Shell::new(&s, "entry"),
        zone,
        zone_name: c.zone_name,
        period: c.period.to_string(),
        period_label: c.period.label(),
        indicator: format!("{}（{}）", ind.indicator.name, ind.indicator.unit),
        rows,
    }
    .render()?))
}

#[derive(Deserialize)]
pub struct TemplateQuery {
    period: String,
    zone: Option<String>,
}

/// The Excel template for one zone (or all the user's zones) and a period, prefilled with what is saved.
pub async fn template(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<TemplateQuery>) -> Result<Response, AppError> {
    let period = parse_period(&q.period)?;
    let zones: Vec<_> = entry_zones(&st.db, &s.who).await?.into_iter().filter(|z| q.zone.as_ref().is_none_or(|c| c.is_empty() || *c == z.zone.code)).collect();
    if zones.is_empty() {
        return Err(AppError::Forbidden);
    }
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let inds = dataset_indicators(&st.db, &ds).await?;
    let mut rows = Vec::new();
    for z in &zones {
        let vals = around(&st.db, &z.zone.code, period).await?;
        for i in &inds {
            let i = &i.indicator;
            let cur = vals.get(&(i.code.clone(), period));
            rows.push(nengji_office::template::TemplateRow {
                zone_code: z.zone.code.clone(),
                zone_name: z.zone.short_name.clone(),
                indicator_code: i.code.clone(),
                indicator_name: i.name.clone(),
                unit: i.unit.clone(),
                kind_label: if i.kind == IndicatorKind::Flow { "累计".into() } else { "期末".into() },
                value: cur.map(|o| o.value),
                prior_comparable: cur.and_then(|o| o.prior_comparable),
                last_year: vals.get(&(i.code.clone(), period.prior_year())).map(|o| o.value),
                comment: cur.map(|o| o.comment.clone()).unwrap_or_default(),
            });
        }
    }
    let spec = nengji_office::template::TemplateSpec { title: format!("{}主要经济指标填报表", period.label()), period: period.to_string(), rows };
    let bytes = nengji_office::template::write_entry_template(&spec).map_err(|e| AppError::Internal(e.into()))?;
    let name = format!("{}填报表.xlsx", period.label());
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, crate::pages::attachment(&format!("entry-{period}.xlsx"), &name)),
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
    pub status: String,
    pub rows: i64,
    pub problems: i64,
    pub message: String,
}

#[derive(Template)]
#[template(path = "entry_import.html")]
struct ImportPage {
    shell: Shell,
    periods: Vec<String>,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    error: Option<String>,
    result: Option<String>,
    staged: Option<(i64, String, usize)>,
    history: Vec<ImportRow>,
}

async fn import_page(st: &AppState, s: &Session) -> Result<ImportPage, AppError> {
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let cal = Calendar::load(&st.db, &ds).await?;
    let t = today();
    let periods = cal.open_periods(t, Month::of_date(t).offset(-1)).iter().map(|m| m.to_string()).collect();
    let who = if s.who.role.is_admin() { None } else { Some(s.who.username.as_str()) };
    let history = value_imports::list(&st.db, who, 20)
        .await?
        .into_iter()
        .map(|r| ImportRow {
            at: crate::pages::beijing(r.at),
            status: r.status_label().into(),
            file: r.file_name,
            rows: r.row_count,
            problems: r.problem_count,
            message: r.message,
        })
        .collect();
    Ok(ImportPage { shell: Shell::new(s, "entry"), periods, problems: Vec::new(), warnings: Vec::new(), error: None, result: None, staged: None, history })
}

pub async fn import_form(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    if entry_zones(&st.db, &s.who).await?.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(Html(import_page(&st, &s).await?.render()?))
}

/// The dry run: every problem by sheet/row/column, nothing written; a clean file is staged for confirmation.
pub async fn import_upload(State(st): State<AppState>, PageUser(s): PageUser, mp: Multipart) -> Result<Response, AppError> {
    if entry_zones(&st.db, &s.who).await?.is_empty() {
        return Err(AppError::Forbidden);
    }
    let file = super::uploaded_file(mp).await?;
    let mut page = import_page(&st, &s).await?;
    let Some((name, bytes)) = file else {
        page.error = Some("请选择要上传的文件".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    let table = match nengji_office::template::read_entry_sheet(&name, &bytes) {
        Ok(t) => t,
        Err(e) => {
            page.error = Some(e.to_string());
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let rows = table.row_count();
    let (problems, warnings, values) = match parse_upload(&st.db, &s.who, &ds, &*table).await? {
        Err(errs) => (errs.iter().map(|e| (location(&e.sheet, e.row, e.column), format!("{}：{}", e.field, e.message))).collect(), Vec::new(), Vec::new()),
        Ok(parsed) => {
            let check = crate::checks::check_upload(&st.db, &ds, &parsed).await?;
            (check.errors, check.warnings, parsed.into_iter().map(|l| l.input).collect::<Vec<_>>())
        }
    };
    let actor = actor(&s);
    if !problems.is_empty() {
        let msg = format!("文件有 {} 处问题，未导入任何数据。请修改后重新上传。", problems.len());
        value_imports::reject(&st.db, &actor, &name, rows, problems.len(), &msg).await?;
        let mut page = import_page(&st, &s).await?;
        page.error = Some(format!("“{name}”：{msg}"));
        page.problems = problems.into_iter().map(|(location, message)| Problem { location, message }).collect();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    }
    let id = value_imports::stage(&st.db, &actor, &name, &values).await?;
    let mut page = import_page(&st, &s).await?;
    page.staged = Some((id, name, values.len()));
    page.warnings = warnings.into_iter().map(|(location, message)| Problem { location, message }).collect();
    Ok(Html(page.render()?).into_response())
}


pub async fn import_commit(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Response, AppError> {
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let mut page = import_page(&st, &s).await?;
    match value_imports::commit(&st.db, &actor(&s), &ds, id, today()).await {
        Ok(n) => {
            let mut page = import_page(&st, &s).await?;
            page.result = Some(format!("已导入 {n} 个数值（草稿）。请到填报表核对后报送。"));
            Ok(Html(page.render()?).into_response())
        }
        Err(e) => {
            page.error = Some(entry_error(e)?);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}
