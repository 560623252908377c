//! The office's overview (by unit, by plan section, every task), a unit's "my tasks", the
//! timeline, and the deduction inputs.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use nengji_core::masterdata::Table;
use nengji_core::supervision::Light;
use nengji_store::masterdata;
use nengji_store::supervision::{self as sv, Task, TaskStatus};
use serde::Deserialize;

use super::{gantt, join, now, opt_date, own_unit, reads_all, require_reader, sweep, LightView};
use crate::auth::PageUser;
use crate::collect::today;
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub struct Row {
    pub id: i64,
    pub seq: i64,
    pub path: String,
    pub title: String,
    pub lead: String,
    pub responsible: String,
    pub light: LightView,
    pub deadline: String,
    pub last_report: String,
    pub status: &'static str,
}

pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub lead: usize,
    pub responsible: usize,
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
    pub closed: usize,
    pub alerts: usize,
    pub urges: usize,
    pub last_report: String,
}

pub struct SectionRow {
    pub key: String,
    pub plan: String,
    pub label: String,
    pub title: String,
    pub total: usize,
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
    pub closed: usize,
}

pub struct EscRow {
    pub id: i64,
    pub task_id: i64,
    pub seq: i64,
    pub title: String,
    pub unit: String,
    pub reason: String,
    pub raised_on: String,
    pub instruction: Option<String>,
    pub by: String,
}

#[derive(Template)]
#[template(path = "tasks_overview.html")]
struct OverviewPage {
    shell: Shell,
    view: String,
    today: String,
    red: usize,
    yellow: usize,
    green: usize,
    closed: usize,
    alerts: usize,
    units: Vec<UnitRow>,
    sections: Vec<SectionRow>,
    rows: Vec<Row>,
    filter: String,
    escalations: Vec<EscRow>,
    is_office: bool,
    can_instruct: bool,
    has_plan: bool,
}

#[derive(Deserialize, Default)]
pub struct OverviewQuery {
    view: Option<String>,
    unit: Option<String>,
    light: Option<String>,
    section: Option<String>,
}

/// Top-level headings of each adopted plan (一 → 总体要求), read from the adopted source text.
async fn section_titles(st: &AppState) -> Result<HashMap<(i64, String), String>, AppError> {
    let mut out = HashMap::new();
    for p in sv::plans(&st.db).await? {
        let Some(draft) = p.draft_id else { continue };
        let d = sv::draft(&st.db, draft).await?;
        for n in nengji_core::plan::parse(&d.source).outline.into_iter().filter(|n| n.depth == 0) {
            out.insert((p.id, n.label), n.title);
        }
    }
    Ok(out)
}

fn section_key(t: &Task) -> String {
    format!("{}:{}", t.plan_id, t.section())
}

fn row(t: &Task, today: chrono::NaiveDate, rules: &nengji_core::supervision::Rules) -> Row {
    Row {
        id: t.id,
        seq: t.seq,
        path: t.path.clone(),
        title: t.title.clone(),
        lead: join(&t.lead),
        responsible: join(&t.responsible),
        light: LightView::of(&t.assess(today, rules)),
        deadline: opt_date(t.deadline),
        last_report: opt_date(t.last_report()),
        status: t.status.label(),
    }
}

pub async fn overview(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<OverviewQuery>) -> Result<Html<String>, AppError> {
    require_reader(&s)?;
    sweep(&st).await?;
    let today = today();
    let rules = sv::rules(&st.db).await?;
    let tasks = sv::tasks(&st.db, None).await?;
    let lights: HashMap<i64, Light> = tasks.iter().map(|t| (t.id, t.assess(today, &rules).light)).collect();
    let count = |l: Light| tasks.iter().filter(|t| t.status != TaskStatus::Closed && lights[&t.id] == l).count();
    let alerts = sv::alerts(&st.db, None, None, true).await?;
    let urges = sv::urges(&st.db, None, None).await?;

    // By unit: every unit that leads or is responsible for a task, in registry order.
    let mut units: Vec<UnitRow> = Vec::new();
    for u in masterdata::list_units(&st.db).await? {
        let mine: Vec<(&Task, nengji_core::supervision::Role)> =
            tasks.iter().filter_map(|t| t.role_of(&u.code).filter(|r| r.reports()).map(|r| (t, r))).collect();
        if mine.is_empty() {
            continue;
        }
        let active = |l: Light| mine.iter().filter(|(t, _)| t.status != TaskStatus::Closed && lights[&t.id] == l).count();
        units.push(UnitRow {
            lead: mine.iter().filter(|(_, r)| *r == nengji_core::supervision::Role::Lead).count(),
            responsible: mine.iter().filter(|(_, r)| *r == nengji_core::supervision::Role::Responsible).count(),
            red: active(Light::Red),
            yellow: active(Light::Yellow),
            green: active(Light::Green),
            closed: mine.iter().filter(|(t, _)| t.status == TaskStatus::Closed).count(),
            alerts: alerts.iter().filter(|a| a.unit == u.code).count(),
            urges: urges.iter().filter(|g| g.unit == u.code && g.reply.is_none()).count(),
            last_report: opt_date(mine.iter().filter_map(|(t, _)| t.last_reports.get(&u.code)).max().copied()),
            code: u.code,
            name: u.name,
        });
    }

    // By section of the plan.
    let titles = section_titles(&st).await?;
    let plan_names: HashMap<i64, String> = sv::plans(&st.db).await?.into_iter().map(|p| (p.id, p.name)).collect();
    let mut sections: BTreeMap<(i64, usize), SectionRow> = BTreeMap::new();
    for (i, t) in tasks.iter().enumerate() {
        let first = tasks.iter().position(|o| section_key(o) == section_key(t)).unwrap_or(i);
        let e = sections.entry((t.plan_id, first)).or_insert_with(|| SectionRow {
            key: section_key(t),
            plan: plan_names.get(&t.plan_id).cloned().unwrap_or_default(),
            label: t.section().to_string(),
            title: titles.get(&(t.plan_id, t.section().to_string())).cloned().unwrap_or_default(),
            total: 0,
            red: 0,
            yellow: 0,
            green: 0,
            closed: 0,
        });
        e.total += 1;
        match (t.status, lights[&t.id]) {
            (TaskStatus::Closed, _) => e.closed += 1,
            (_, Light::Red) => e.red += 1,
            (_, Light::Yellow) => e.yellow += 1,
            (_, Light::Green) => e.green += 1,
        }
    }

    // Every task, filtered.
    let unit = q.unit.as_deref().filter(|u| !u.is_empty());
    let light = q.light.as_deref().and_then(Light::parse);
    let section = q.section.as_deref().filter(|x| !x.is_empty());
    let rows: Vec<Row> = tasks
        .iter()
        .filter(|t| unit.is_none_or(|u| t.role_of(u).is_some()))
        .filter(|t| light.is_none_or(|l| lights[&t.id] == l && t.status != TaskStatus::Closed))
        .filter(|t| section.is_none_or(|x| section_key(t) == x))
        .map(|t| row(t, today, &rules))
        .collect();
    let mut filter = Vec::new();
    if let Some(u) = unit {
        filter.push(units.iter().find(|x| x.code == u).map(|x| x.name.clone()).unwrap_or_else(|| u.to_string()));
    }
    if let Some(l) = light {
        filter.push(l.label().to_string());
    }
    if let Some(x) = section {
        filter.push(sections.values().find(|r| r.key == x).map(|r| format!("{}、{}", r.label, r.title)).unwrap_or_default());
    }
    let view = match q.view.as_deref() {
        Some("section") => "section",
        Some("list") => "list",
        _ if !filter.is_empty() => "list",
        _ => "unit",
    };
    let escalations = sv::escalations(&st.db, None)
        .await?
        .into_iter()
        .map(|e| EscRow {
            id: e.id,
            task_id: e.task_id,
            seq: e.task_seq,
            title: e.task_title,
            unit: e.unit_name.unwrap_or_default(),
            reason: e.reason,
            raised_on: e.raised_on.to_string(),
            by: match (&e.instructed_by, e.instructed_at) {
                (Some(b), Some(at)) => format!("{b} {}", crate::pages::beijing(at)),
                _ => String::new(),
            },
            instruction: e.instruction,
        })
        .collect();
    Ok(Html(
        OverviewPage {
            shell: Shell::new(&s, "tasks"),
            view: view.into(),
            today: today.to_string(),
            red: count(Light::Red),
            yellow: count(Light::Yellow),
            green: count(Light::Green),
            closed: tasks.iter().filter(|t| t.status == TaskStatus::Closed).count(),
            alerts: alerts.len(),
            units,
            sections: sections.into_values().collect(),
            rows,
            filter: filter.join("，"),
            escalations,
            is_office: super::is_office(&s.who),
            can_instruct: reads_all(&s.who),
            has_plan: !tasks.is_empty(),
        }
        .render()?,
    ))
}

pub struct MyRow {
    pub id: i64,
    pub seq: i64,
    pub path: String,
    pub title: String,
    pub role: &'static str,
    pub reports: bool,
    pub light: LightView,
    pub deadline: String,
    pub next_milestone: String,
    pub my_last: String,
    pub status: &'static str,
}

pub struct AlertRow {
    pub task_id: i64,
    pub seq: i64,
    pub title: String,
    pub kind: &'static str,
    pub message: String,
    pub times: i64,
    pub first_on: String,
    pub last_on: String,
}

pub struct UrgeRow {
    pub id: i64,
    pub task_id: i64,
    pub seq: i64,
    pub title: String,
    pub channel: &'static str,
    pub message: String,
    pub sent_on: String,
    pub by: String,
    pub read: bool,
}

#[derive(Template)]
#[template(path = "tasks_my.html")]
struct MyPage {
    shell: Shell,
    unit_name: String,
    today: String,
    rows: Vec<MyRow>,
    alerts: Vec<AlertRow>,
    urges: Vec<UrgeRow>,
}

/// A department's tasks, its alerts and the 催办 it has to answer.
pub async fn my_tasks(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Response, AppError> {
    let Some(unit) = own_unit(&s.who) else {
        return if reads_all(&s.who) { Ok(Redirect::to("/tasks").into_response()) } else { Err(AppError::Forbidden) };
    };
    sweep(&st).await?;
    let today = today();
    let rules = sv::rules(&st.db).await?;
    let unit_name = masterdata::list_units(&st.db).await?.into_iter().find(|u| u.code == unit).map(|u| u.name).unwrap_or_else(|| unit.to_string());
    let rows = sv::tasks_of_unit(&st.db, unit)
        .await?
        .iter()
        .map(|t| {
            let role = t.role_of(unit).expect("filtered by unit");
            MyRow {
                id: t.id,
                seq: t.seq,
                path: t.path.clone(),
                title: t.title.clone(),
                role: role.label(),
                reports: role.reports() && t.status.active(),
                light: LightView::of(&t.assess(today, &rules)),
                deadline: opt_date(t.deadline),
                next_milestone: t.milestones.iter().find(|m| m.reached.is_none()).map(|m| format!("{}（{}）", m.title, m.due)).unwrap_or_default(),
                my_last: opt_date(t.last_reports.get(unit).copied()),
                status: t.status.label(),
            }
        })
        .collect();
    let mut pending = sv::alerts(&st.db, None, Some(unit), true).await?;
    // Deadlines and milestones before the periodic-report reminders.
    pending.sort_by_key(|a| (a.subject == "report", a.kind != "overdue", a.task_seq));
    let alerts = pending
        .into_iter()
        .map(|a| AlertRow {
            kind: a.kind_label(),
            task_id: a.task_id,
            seq: a.task_seq,
            title: a.task_title,
            message: a.message,
            times: a.times,
            first_on: a.first_on.to_string(),
            last_on: a.last_on.to_string(),
        })
        .collect();
    let urges = sv::urges(&st.db, None, Some(unit))
        .await?
        .into_iter()
        .filter(|g| g.reply.is_none())
        .map(|g| UrgeRow {
            channel: g.channel_label(),
            id: g.id,
            task_id: g.task_id,
            seq: g.task_seq,
            title: g.task_title,
            message: g.message,
            sent_on: g.sent_on.to_string(),
            by: g.created_by,
            read: g.read_at.is_some(),
        })
        .collect();
    Ok(Html(MyPage { shell: Shell::new(&s, "my_tasks"), unit_name, today: today.to_string(), rows, alerts, urges }.render()?).into_response())
}

#[derive(Template)]
#[template(path = "tasks_timeline.html")]
struct TimelinePage {
    shell: Shell,
    chart: String,
    count: usize,
    back: &'static str,
}

/// The Gantt chart of the tasks a person may see (a unit: its own).
pub async fn timeline(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<OverviewQuery>) -> Result<Html<String>, AppError> {
    let tasks: Vec<Task> = if reads_all(&s.who) {
        sv::tasks(&st.db, None).await?
    } else if let Some(u) = own_unit(&s.who) {
        sv::tasks_of_unit(&st.db, u).await?
    } else {
        return Err(AppError::Forbidden);
    };
    let today = today();
    let rules = sv::rules(&st.db).await?;
    let unit = q.unit.as_deref().filter(|u| !u.is_empty());
    let section = q.section.as_deref().filter(|x| !x.is_empty());
    let bars: Vec<gantt::Bar> = tasks
        .iter()
        .filter(|t| unit.is_none_or(|u| t.role_of(u).is_some()) && section.is_none_or(|x| section_key(t) == x))
        .map(|t| {
            let a = t.assess(today, &rules);
            gantt::Bar {
                label: format!("{}. {}", t.seq, t.title),
                href: format!("/tasks/{}", t.id),
                start: t.starts_on,
                end: t.deadline,
                light: a.light,
                closed: t.status == TaskStatus::Closed,
                milestones: t.milestones.iter().map(|m| (m.title.clone(), m.due, m.reached)).collect(),
                tip: format!("第{}项 {}：{}，{}", t.seq, t.title, a.light.label(), a.reason()),
            }
        })
        .collect();
    let count = bars.len();
    let back = if reads_all(&s.who) { "/tasks" } else { "/tasks/my" };
    Ok(Html(TimelinePage { shell: Shell::new(&s, if reads_all(&s.who) { "tasks" } else { "my_tasks" }), chart: gantt::gantt(&bars, today), count, back }.render()?))
}

pub struct DedUnit {
    pub name: String,
    pub zones: String,
    pub counts: [usize; 4],
    pub cases: Vec<String>,
}

pub struct DedZone {
    pub name: String,
    pub via: String,
    pub counts: [usize; 4],
}

#[derive(Template)]
#[template(path = "tasks_deductions.html")]
struct DeductionsPage {
    shell: Shell,
    year: i32,
    years: Vec<i32>,
    as_of: String,
    columns: Vec<(&'static str, &'static str)>,
    units: Vec<DedUnit>,
    zones: Vec<DedZone>,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

async fn deduction_data(st: &AppState, year: Option<i32>) -> Result<(nengji_core::supervision::Deductions, Vec<DedUnit>, Vec<DedZone>), AppError> {
    let year = year.unwrap_or_else(|| today().year());
    if !(2000..=2100).contains(&year) {
        return Err(AppError::BadRequest(format!("年份 {year} 无效")));
    }
    let d = sv::deductions(&st.db, year, now()).await?;
    let zone_names: HashMap<String, String> = masterdata::list_zones(&st.db).await?.into_iter().map(|z| (z.zone.code, z.zone.short_name)).collect();
    let units = d
        .units
        .iter()
        .map(|u| DedUnit {
            name: u.unit_name.clone(),
            zones: u.zones.iter().map(|z| zone_names.get(z).cloned().unwrap_or_else(|| z.clone())).collect::<Vec<_>>().join("、"),
            counts: u.counts.values(),
            cases: u.cases.iter().map(|c| format!("第{}项 {}（{}，{}）：{}", c.seq, c.title, c.role.label(), c.kind.label(), c.detail)).collect(),
        })
        .collect();
    let names: HashMap<String, String> = d.units.iter().map(|u| (u.unit.clone(), u.unit_name.clone())).collect();
    let zones = d
        .zones
        .iter()
        .map(|z| DedZone { name: z.zone_name.clone(), via: z.via.iter().map(|u| names.get(u).cloned().unwrap_or_else(|| u.clone())).collect::<Vec<_>>().join("、"), counts: z.counts.values() })
        .collect();
    Ok((d, units, zones))
}

/// Deduction inputs of a year: what the evaluation's 减分项 count, with the evidence.
pub async fn deductions(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<YearQuery>) -> Result<Html<String>, AppError> {
    require_reader(&s)?;
    let (d, units, zones) = deduction_data(&st, q.year).await?;
    let this = today().year();
    Ok(Html(
        DeductionsPage {
            shell: Shell::new(&s, "tasks"),
            year: d.year,
            years: (2018..=this + 1).rev().collect(),
            as_of: d.as_of.to_string(),
            columns: nengji_core::supervision::DeductionCounts::COLUMNS.to_vec(),
            units,
            zones,
        }
        .render()?,
    ))
}

pub async fn deductions_xlsx(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    require_reader(&s)?;
    let (d, units, zones) = deduction_data(&st, q.year).await?;
    let cols = nengji_core::supervision::DeductionCounts::COLUMNS;
    let header = |first: &[&str], last: &[&str]| first.iter().map(|s| s.to_string()).chain(cols.iter().map(|(_, l)| l.to_string())).chain(last.iter().map(|s| s.to_string())).collect();
    let by_unit = Table {
        sheet: "按单位".into(),
        header: header(&["单位", "涉及开发区"], &["依据"]),
        rows: units.iter().map(|u| [u.name.clone(), u.zones.clone()].into_iter().chain(u.counts.iter().map(|c| c.to_string())).chain([u.cases.join("\n")]).collect()).collect(),
    };
    let by_zone = Table {
        sheet: "按开发区".into(),
        header: header(&["开发区", "责任单位"], &[]),
        rows: zones.iter().map(|z| [z.name.clone(), z.via.clone()].into_iter().chain(z.counts.iter().map(|c| c.to_string())).collect()).collect(),
    };
    let bytes = nengji_office::write_xlsx(&[by_unit, by_zone]).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, crate::pages::attachment(&format!("deductions-{}.xlsx", d.year), &format!("{}年督办扣分依据.xlsx", d.year))),
        ],
        bytes,
    )
        .into_response())
}
