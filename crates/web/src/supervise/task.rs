//! One task: its text, units, schedule, milestones, light, reports, 催办, escalations, alerts
//! and history; the forms for the unit (report, sign, reply) and the office (schedule,
//! milestones, manual light, 催办, 销号), and the leader's instruction on escalations.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use nengji_core::supervision::{Light, RATINGS};
use nengji_store::supervision::{self as sv, Channel, NewReport, Task};
use nengji_store::StoreError;
use serde::Deserialize;

use super::{actor, can_view, is_office, join, light_options, now, opt_date, own_unit, reads_all, report_unit, require_office, sweep, LightView};
use crate::auth::{PageUser, Session};
use crate::collect::today;
use crate::error::AppError;
use crate::pages::beijing;
use crate::shell::Shell;
use crate::AppState;

pub struct UnitView {
    pub name: String,
    pub role: &'static str,
    pub last_report: String,
}

pub struct MilestoneView {
    pub id: i64,
    pub title: String,
    pub due: String,
    pub reached: String,
    pub overdue: bool,
}

pub struct ReportView {
    pub id: i64,
    pub unit: String,
    pub body: String,
    pub milestone: String,
    pub request_close: bool,
    pub on: String,
    pub by: String,
    pub source: &'static str,
    pub file: Option<(String, String)>,
}

pub struct UrgeView {
    pub id: i64,
    pub unit: String,
    pub channel: &'static str,
    pub message: String,
    pub sent: String,
    pub by: String,
    pub read: String,
    pub reply: Option<String>,
    pub replied: String,
    pub escalated: String,
    /// The viewer's unit may sign and reply.
    pub mine: bool,
}

pub struct EscView {
    pub id: i64,
    pub unit: String,
    pub reason: String,
    pub raised_on: String,
    pub instruction: Option<String>,
    pub by: String,
}

pub struct AlertView {
    pub unit: String,
    pub kind: &'static str,
    pub message: String,
    pub times: i64,
    pub period: String,
    pub state: &'static str,
}

pub struct LineView {
    pub at: String,
    pub actor: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "tasks_task.html")]
struct TaskPage {
    shell: Shell,
    id: i64,
    seq: i64,
    path: String,
    title: String,
    body: String,
    lead: String,
    responsible: String,
    cooperating: String,
    fields: Vec<(String, String)>,
    starts_on: String,
    deadline: String,
    deadline_text: String,
    /// The deadline as written when it says more than the date (`2026年底`).
    deadline_note: String,
    status: &'static str,
    active: bool,
    closing: bool,
    rating: String,
    closing_comment: String,
    closed: String,
    light: LightView,
    units: Vec<UnitView>,
    milestones: Vec<MilestoneView>,
    open_milestones: Vec<(i64, String)>,
    reports: Vec<ReportView>,
    urges: Vec<UrgeView>,
    escalations: Vec<EscView>,
    alerts: Vec<AlertView>,
    lights: Vec<LineView>,
    events: Vec<LineView>,
    office: bool,
    /// The unit the viewer reports for (a department), if any.
    my_unit: Option<String>,
    can_instruct: bool,
    report_units: Vec<(String, String)>,
    urge_units: Vec<(String, String)>,
    channels: Vec<(&'static str, &'static str)>,
    light_options: Vec<(&'static str, &'static str)>,
    ratings: Vec<&'static str>,
    back: &'static str,
    message: Option<String>,
    error: Option<String>,
}

fn size(n: i64) -> String {
    if n >= 1024 * 1024 { format!("{:.1} MB", n as f64 / 1048576.0) } else { format!("{:.0} KB", (n as f64 / 1024.0).ceil()) }
}

async fn visible(st: &AppState, s: &Session, id: i64) -> Result<Task, AppError> {
    let t = sv::task(&st.db, id).await?;
    if can_view(&s.who, &t) { Ok(t) } else { Err(AppError::Forbidden) }
}

async fn render(st: &AppState, s: &Session, id: i64, message: Option<String>, error: Option<String>) -> Result<TaskPage, AppError> {
    let t = visible(st, s, id).await?;
    let today = today();
    let rules = sv::rules(&st.db).await?;
    let office = is_office(&s.who);
    let my_unit = report_unit(&s.who, &t);
    let viewer_unit = own_unit(&s.who);
    let reports = sv::reports(&st.db, id)
        .await?
        .into_iter()
        .map(|r| ReportView {
            id: r.id,
            unit: r.unit_name,
            body: r.body,
            milestone: r.milestone.unwrap_or_default(),
            request_close: r.request_close,
            on: r.reported_on.to_string(),
            by: format!("{} {}", r.created_by, beijing(r.created_at)),
            source: if r.source == "import" { "任务分解表导入" } else { "在线报送" },
            file: r.file_name.map(|n| (n, size(r.file_size.unwrap_or(0)))),
        })
        .collect();
    let urges = sv::urges(&st.db, Some(id), None)
        .await?
        .into_iter()
        .map(|g| UrgeView {
            channel: g.channel_label(),
            mine: viewer_unit == Some(g.unit.as_str()),
            id: g.id,
            unit: g.unit_name,
            message: g.message,
            sent: g.sent_on.to_string(),
            by: g.created_by,
            read: match (g.read_at, g.read_by) {
                (Some(at), Some(by)) => format!("{by} 于 {} 签收", beijing(at)),
                _ => String::new(),
            },
            replied: match (g.replied_at, g.replied_by) {
                (Some(at), Some(by)) => format!("{by} {}", beijing(at)),
                _ => String::new(),
            },
            reply: g.reply,
            escalated: opt_date(g.escalated_on),
        })
        .collect();
    let escalations = sv::escalations(&st.db, Some(id))
        .await?
        .into_iter()
        .map(|e| EscView {
            id: e.id,
            unit: e.unit_name.unwrap_or_default(),
            reason: e.reason,
            raised_on: e.raised_on.to_string(),
            by: match (&e.instructed_by, e.instructed_at) {
                (Some(b), Some(at)) => format!("{b} {}", beijing(at)),
                _ => String::new(),
            },
            instruction: e.instruction,
        })
        .collect();
    let alerts = sv::alerts(&st.db, Some(id), viewer_unit, false)
        .await?
        .into_iter()
        .take(50)
        .map(|a| AlertView {
            kind: a.kind_label(),
            state: if a.answered_at.is_some() { "已报送进展" } else if a.resolved_on.is_some() { "已解除" } else { "待回应" },
            unit: a.unit_name,
            message: a.message,
            times: a.times,
            period: if a.first_on == a.last_on { a.first_on.to_string() } else { format!("{} 至 {}", a.first_on, a.last_on) },
        })
        .collect();
    let lights = sv::light_history(&st.db, id)
        .await?
        .into_iter()
        .rev()
        .map(|l| LineView { at: l.on.to_string(), actor: l.by, summary: format!("{}{}：{}", l.light.label(), if l.manual { "（人工）" } else { "" }, l.reason) })
        .collect();
    let events = sv::events(&st.db, id).await?.into_iter().rev().map(|e| LineView { at: beijing(e.at), actor: e.actor, summary: e.summary }).collect();
    let reporting: Vec<(String, String)> = t.reporting_units().iter().map(|u| (u.code.clone(), u.name.clone())).collect();
    let mut all_units: Vec<(String, String)> = Vec::new();
    for u in &t.units {
        if !all_units.iter().any(|(c, _)| c == &u.code) {
            all_units.push((u.code.clone(), u.name.clone()));
        }
    }
    let units = t
        .units
        .iter()
        .map(|u| UnitView { name: u.name.clone(), role: u.role.label(), last_report: opt_date(t.last_reports.get(&u.code).copied()) })
        .collect();
    Ok(TaskPage {
        shell: Shell::new(s, if reads_all(&s.who) { "tasks" } else { "my_tasks" }),
        id,
        seq: t.seq,
        path: t.path.clone(),
        title: t.title.clone(),
        body: t.body.clone(),
        lead: join(&t.lead),
        responsible: join(&t.responsible),
        cooperating: join(&t.cooperating),
        fields: t.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        starts_on: t.starts_on.to_string(),
        deadline: t.deadline.map(|d| d.to_string()).unwrap_or_else(|| "未定".into()),
        deadline_text: t.deadline_text.clone(),
        deadline_note: if t.deadline.map(|d| d.to_string()) == Some(t.deadline_text.clone()) { String::new() } else { t.deadline_text.clone() },
        status: t.status.label(),
        active: t.status.active(),
        closing: t.status == sv::TaskStatus::Closing,
        rating: t.rating.clone().unwrap_or_default(),
        closing_comment: t.closing_comment.clone().unwrap_or_default(),
        closed: opt_date(t.closed_on),
        light: LightView::of(&t.assess(today, &rules)),
        units,
        milestones: t
            .milestones
            .iter()
            .map(|m| MilestoneView {
                id: m.id,
                title: m.title.clone(),
                due: m.due.to_string(),
                reached: m.reached.map(|d| format!("{d} 完成（{}）", m.reached_by.clone().unwrap_or_default())).unwrap_or_default(),
                overdue: m.reached.is_none() && m.due < today,
            })
            .collect(),
        open_milestones: t.milestones.iter().filter(|m| m.reached.is_none()).map(|m| (m.id, format!("{}（{}）", m.title, m.due))).collect(),
        reports,
        urges,
        escalations,
        alerts,
        lights,
        events,
        office,
        my_unit,
        can_instruct: reads_all(&s.who),
        report_units: reporting,
        urge_units: all_units,
        channels: Channel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        light_options: light_options(),
        ratings: RATINGS.to_vec(),
        back: if reads_all(&s.who) { "/tasks" } else { "/tasks/my" },
        message,
        error,
    })
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "report" => "进展已报送",
        "schedule" => "时限已更新",
        "milestone" => "节点已添加",
        "milestone_removed" => "节点已删除",
        "light" => "亮灯已更新",
        "urge" => "已催办",
        "close" => "已销号",
        "returned" => "已退回销号申请",
        "read" => "已签收",
        "reply" => "已回复",
        "instruct" => "批示已保存",
        _ => return None,
    })
}

pub async fn page(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Query(q): Query<Done>) -> Result<Html<String>, AppError> {
    visible(&st, &s, id).await?;
    sweep(&st).await?;
    let message = q.done.as_deref().and_then(done_message).map(String::from);
    Ok(Html(render(&st, &s, id, message, None).await?.render()?))
}

/// After a write: back to the task (303), or the page again with the refusal (422).
async fn outcome(st: &AppState, s: &Session, id: i64, r: Result<(), StoreError>, code: &str) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/tasks/{id}?done={code}")).into_response()),
        Err(StoreError::Invalid(m)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(st, s, id, None, Some(m)).await?.render()?)).into_response()),
        Err(e) => Err(e.into()),
    }
}

fn bad(e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("上传内容无法读取：{e}"))
}

/// A progress report (multipart: `body`, `milestone`, `request_close`, `file`; the office also `unit`).
pub async fn report(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, mut mp: Multipart) -> Result<Response, AppError> {
    let t = visible(&st, &s, id).await?;
    let office = is_office(&s.who);
    let mine = report_unit(&s.who, &t);
    if !office && mine.is_none() {
        return Err(AppError::Forbidden);
    }
    let (mut body, mut unit, mut milestone, mut close, mut file) = (String::new(), String::new(), None, false, None);
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "body" => body = field.text().await.map_err(bad)?,
            "unit" => unit = field.text().await.map_err(bad)?,
            "milestone" => milestone = field.text().await.map_err(bad)?.trim().parse::<i64>().ok(),
            "request_close" => close = !field.text().await.map_err(bad)?.is_empty(),
            "file" => {
                let name = field.file_name().unwrap_or("").trim().to_string();
                let ct = field.content_type().map(|m| m.to_string()).unwrap_or_else(|| "application/octet-stream".into());
                let bytes = field.bytes().await.map_err(bad)?;
                if !name.is_empty() && !bytes.is_empty() {
                    file = Some((name, ct, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    // A department reports for its own unit only; the office for any lead/responsible unit, or itself.
    let unit = if office && mine.is_none() { Some(unit.trim().to_string()).filter(|u| !u.is_empty()) } else { mine };
    let r = NewReport { task_id: id, unit, body, milestone, request_close: close, file };
    outcome(&st, &s, id, sv::file_report(&st.db, &actor(&s), r, now()).await.map(|_| ()), "report").await
}

pub async fn attachment(State(st): State<AppState>, PageUser(s): PageUser, Path((id, rid)): Path<(i64, i64)>) -> Result<Response, AppError> {
    visible(&st, &s, id).await?;
    let (name, ct, bytes) = sv::attachment(&st.db, id, rid).await?.ok_or_else(|| AppError::NotFound("附件".into()))?;
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
    // Served as a download, never rendered in our origin.
    Ok((
        [
            (header::CONTENT_TYPE, if ct.contains('/') && !ct.contains("html") && !ct.contains("svg") { ct } else { "application/octet-stream".into() }),
            (header::CONTENT_DISPOSITION, crate::pages::attachment(&ascii, &name)),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    starts_on: String,
    deadline: String,
}

pub async fn schedule(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<ScheduleForm>) -> Result<Response, AppError> {
    require_office(&s)?;
    let start: NaiveDate = match f.starts_on.trim().parse() {
        Ok(d) => d,
        Err(_) => return outcome(&st, &s, id, Err(StoreError::Invalid(format!("开始日期“{}”无效", f.starts_on))), "schedule").await,
    };
    outcome(&st, &s, id, sv::set_schedule(&st.db, &actor(&s), id, start, &f.deadline, now()).await, "schedule").await
}

#[derive(Deserialize)]
pub struct MilestoneForm {
    title: String,
    due: String,
}

pub async fn add_milestone(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<MilestoneForm>) -> Result<Response, AppError> {
    require_office(&s)?;
    let r = match f.due.trim().parse::<NaiveDate>() {
        Ok(due) => sv::add_milestone(&st.db, &actor(&s), id, &f.title, due, now()).await.map(|_| ()),
        Err(_) => Err(StoreError::Invalid(format!("节点日期“{}”无效", f.due))),
    };
    outcome(&st, &s, id, r, "milestone").await
}

pub async fn remove_milestone(State(st): State<AppState>, PageUser(s): PageUser, Path((id, mid)): Path<(i64, i64)>) -> Result<Response, AppError> {
    require_office(&s)?;
    outcome(&st, &s, id, sv::remove_milestone(&st.db, &actor(&s), id, mid, now()).await, "milestone_removed").await
}

#[derive(Deserialize)]
pub struct LightForm {
    light: String,
    #[serde(default)]
    reason: String,
}

/// `light` = green | yellow | red with a reason, or `auto` to return to the rules.
pub async fn light(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<LightForm>) -> Result<Response, AppError> {
    require_office(&s)?;
    let manual = match f.light.as_str() {
        "auto" => None,
        code => Some((Light::parse(code).ok_or_else(|| AppError::BadRequest(format!("未知的亮灯“{code}”")))?, f.reason.as_str())),
    };
    outcome(&st, &s, id, sv::set_manual_light(&st.db, &actor(&s), id, manual, now()).await, "light").await
}

/// 催办: `unit` (repeated), `channel`, `message`.
pub async fn urge(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(fields): Form<Vec<(String, String)>>) -> Result<Response, AppError> {
    require_office(&s)?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let units: Vec<String> = fields.iter().filter(|(k, _)| k == "unit").map(|(_, v)| v.clone()).collect();
    let channel = Channel::parse(&get("channel")).ok_or_else(|| AppError::BadRequest("请选择催办方式".into()))?;
    outcome(&st, &s, id, sv::urge(&st.db, &actor(&s), id, &units, channel, &get("message"), now()).await.map(|_| ()), "urge").await
}

#[derive(Deserialize)]
pub struct CloseForm {
    action: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// 销号 (`action=close` with a rating) or returning a request (`action=return` with a reason in `comment`).
pub async fn close(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<CloseForm>) -> Result<Response, AppError> {
    require_office(&s)?;
    match f.action.as_str() {
        "close" => outcome(&st, &s, id, sv::close(&st.db, &actor(&s), id, &f.rating, &f.comment, now()).await, "close").await,
        "return" => outcome(&st, &s, id, sv::return_close(&st.db, &actor(&s), id, &f.comment, now()).await, "returned").await,
        other => Err(AppError::BadRequest(format!("未知操作“{other}”"))),
    }
}

#[derive(Deserialize)]
pub struct UrgeAnswer {
    #[serde(default)]
    reply: String,
    #[serde(default)]
    next: String,
}

/// Where to go after signing or replying: the page the form was on (a /tasks page only).
fn next_page(next: &str, task_id: i64, code: &str) -> String {
    let base = if next == "/tasks/my" { next.to_string() } else { format!("/tasks/{task_id}") };
    format!("{base}?done={code}")
}

async fn urge_task(st: &AppState, s: &Session, urge_id: i64) -> Result<(String, i64), AppError> {
    let unit = own_unit(&s.who).ok_or(AppError::Forbidden)?;
    let g = sv::urges(&st.db, None, Some(unit)).await?.into_iter().find(|g| g.id == urge_id).ok_or_else(|| AppError::NotFound("给本单位的催办".into()))?;
    Ok((unit.to_string(), g.task_id))
}

/// The unit's read receipt.
pub async fn acknowledge(State(st): State<AppState>, PageUser(s): PageUser, Path(uid): Path<i64>, Form(f): Form<UrgeAnswer>) -> Result<Response, AppError> {
    let (unit, task_id) = urge_task(&st, &s, uid).await?;
    sv::acknowledge(&st.db, &actor(&s), uid, &unit, now()).await?;
    Ok(Redirect::to(&next_page(&f.next, task_id, "read")).into_response())
}

pub async fn reply(State(st): State<AppState>, PageUser(s): PageUser, Path(uid): Path<i64>, Form(f): Form<UrgeAnswer>) -> Result<Response, AppError> {
    let (unit, task_id) = urge_task(&st, &s, uid).await?;
    match sv::reply(&st.db, &actor(&s), uid, &unit, &f.reply, now()).await {
        Ok(()) => Ok(Redirect::to(&next_page(&f.next, task_id, "reply")).into_response()),
        Err(StoreError::Invalid(m)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&st, &s, task_id, None, Some(m)).await?.render()?)).into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct InstructForm {
    instruction: String,
    #[serde(default)]
    next: String,
}

/// The leader's (or the office's) instruction on an escalation.
pub async fn instruct(State(st): State<AppState>, PageUser(s): PageUser, Path(eid): Path<i64>, Form(f): Form<InstructForm>) -> Result<Response, AppError> {
    if !reads_all(&s.who) {
        return Err(AppError::Forbidden);
    }
    let e = sv::escalations(&st.db, None).await?.into_iter().find(|e| e.id == eid).ok_or_else(|| AppError::NotFound("升级督办".into()))?;
    match sv::instruct(&st.db, &actor(&s), eid, &f.instruction, now()).await {
        Ok(()) if f.next == "/tasks" => Ok(Redirect::to("/tasks?done=instruct#escalations").into_response()),
        Ok(()) => Ok(Redirect::to(&format!("/tasks/{}?done=instruct", e.task_id)).into_response()),
        Err(StoreError::Invalid(m)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&st, &s, e.task_id, None, Some(m)).await?.render()?)).into_response()),
        Err(err) => Err(err.into()),
    }
}
