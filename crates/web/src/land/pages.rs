//! The dashboard, the parcel list, each parcel's page with its timeline and forms, the step
//! form of the procedure, and the documents.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use nengji_core::land::parcel::{self, mu, StartEvidence, USES};
use nengji_core::land::procedure::{self, Step};
use nengji_core::land::rules::{Cause, Consequence, DisposalOption};
use nengji_office::land_docs::{self, DocInput, DocKind};
use nengji_store::land::{self, LedgerEntry, NewStep};
use nengji_store::{masterdata, StoreError};
use serde::Deserialize;

use super::form::ParcelForm;
use super::{actor, as_of, can_edit_any, may_edit, readable, require_office, scope};
use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

/// The dashboard's status groups, in order, with the step codes each holds.
pub const GROUPS: [(&str, &str, &[&str]); 6] = [
    ("normal", "未闲置", &["normal", "started"]),
    ("unfiled", "疑似闲置未立案", &["unfiled"]),
    ("investigating", "调查核实中", &["suspected", "notice", "reply"]),
    ("determined", "已认定待处置", &["determination", "publication", "plan", "hearing_notice"]),
    ("deciding", "处置决定执行中", &["decision", "executed", "appealed"]),
    ("closed", "已处置或结案", &["disposed", "cleared"]),
];

fn group_of(e: &LedgerEntry) -> usize {
    GROUPS.iter().position(|(_, _, codes)| codes.contains(&e.status_code())).unwrap_or(0)
}

#[derive(Deserialize, Default)]
pub struct LedgerQuery {
    as_of: Option<String>,
    zone: Option<String>,
    group: Option<String>,
}

impl LedgerQuery {
    pub fn as_of(&self) -> Option<&str> {
        self.as_of.as_deref()
    }
}

pub struct Cell {
    pub count: usize,
    pub mu: String,
}

pub struct ZoneRow {
    pub code: String,
    pub name: String,
    pub cells: Vec<Cell>,
    pub total: Cell,
    pub idle: usize,
}

pub struct DeadlineRow {
    pub id: i64,
    pub code: String,
    pub zone: String,
    pub holder: String,
    pub awaits: &'static str,
    pub due: String,
    pub days_left: i64,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "land_dashboard.html")]
struct Dashboard {
    shell: Shell,
    as_of: String,
    rules_name: String,
    groups: Vec<(&'static str, &'static str)>,
    rows: Vec<ZoneRow>,
    totals: ZoneRow,
    in_scope: usize,
    in_scope_idle: usize,
    deadlines: Vec<DeadlineRow>,
    overdue: usize,
    demo: bool,
    can_edit: bool,
    is_office: bool,
}

fn cell(entries: &[&LedgerEntry]) -> Cell {
    // fold from +0.0: an empty f64 sum is -0.0 and would show as "-0.00".
    Cell { count: entries.len(), mu: format!("{:.2}", entries.iter().fold(0.0, |s, e| s + mu(e.parcel.parcel.area_m2))) }
}

fn zone_row(code: String, name: String, entries: &[&LedgerEntry]) -> ZoneRow {
    ZoneRow {
        code,
        name,
        cells: (0..GROUPS.len()).map(|g| cell(&entries.iter().copied().filter(|e| group_of(e) == g).collect::<Vec<_>>())).collect(),
        total: cell(entries),
        idle: entries.iter().filter(|e| e.assessment.is_idle()).count(),
    }
}

pub async fn dashboard(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<LedgerQuery>) -> Result<Html<String>, AppError> {
    let zones_scope = scope(&s.who)?;
    let day = as_of(q.as_of.as_deref())?;
    let entries = land::ledger(&st.db, zones_scope.as_deref(), day).await?;
    let zones = masterdata::list_zones(&st.db).await?;
    let rows = zones
        .iter()
        .filter(|z| zones_scope.as_ref().is_none_or(|s| s.contains(&z.zone.code)))
        .map(|z| {
            let mine: Vec<&LedgerEntry> = entries.iter().filter(|e| e.parcel.parcel.zone == z.zone.code).collect();
            zone_row(z.zone.code.clone(), z.zone.short_name.clone(), &mine)
        })
        .collect();
    let all: Vec<&LedgerEntry> = entries.iter().collect();
    let mut deadlines: Vec<DeadlineRow> = entries
        .iter()
        .filter_map(|e| {
            let d = e.deadline?;
            Some(DeadlineRow {
                id: e.parcel.id,
                code: e.parcel.parcel.code.clone(),
                zone: e.parcel.zone_name.clone(),
                holder: e.parcel.parcel.holder.clone(),
                awaits: d.awaits.label(),
                due: d.due.to_string(),
                days_left: d.days_left,
                overdue: d.overdue,
            })
        })
        .collect();
    deadlines.sort_by_key(|d| (d.due.clone(), d.code.clone()));
    let page = Dashboard {
        shell: Shell::new(&s, "land"),
        as_of: day.to_string(),
        rules_name: land::thresholds(&st.db).await?.name,
        groups: GROUPS.iter().map(|(c, l, _)| (*c, *l)).collect(),
        rows,
        totals: zone_row(String::new(), "合计".into(), &all),
        in_scope: entries.iter().filter(|e| e.assessment.in_scope).count(),
        in_scope_idle: entries.iter().filter(|e| e.assessment.in_scope && e.assessment.is_idle()).count(),
        overdue: deadlines.iter().filter(|d| d.overdue).count(),
        deadlines,
        demo: entries.iter().any(|e| e.parcel.is_demo),
        can_edit: can_edit_any(&s.who),
        is_office: s.who.role.is_admin(),
    };
    Ok(Html(page.render()?))
}

pub struct ListRow {
    pub id: i64,
    pub code: String,
    pub zone: String,
    pub holder: String,
    pub land_use: String,
    pub mu: String,
    pub status: &'static str,
    pub case: &'static str,
    pub idle_from: String,
    pub consequence: String,
    pub deadline: String,
    pub overdue: bool,
    pub demo: bool,
}

#[derive(Template)]
#[template(path = "land_list.html")]
struct ListPage {
    shell: Shell,
    as_of: String,
    zone: String,
    group: String,
    zones: Vec<(String, String)>,
    groups: Vec<(&'static str, &'static str)>,
    rows: Vec<ListRow>,
    can_edit: bool,
}

pub async fn list(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<LedgerQuery>) -> Result<Html<String>, AppError> {
    let zones_scope = scope(&s.who)?;
    let day = as_of(q.as_of.as_deref())?;
    let zone = q.zone.clone().unwrap_or_default();
    let group = q.group.clone().unwrap_or_default();
    let entries = land::ledger(&st.db, zones_scope.as_deref(), day).await?;
    let rows = entries
        .iter()
        .filter(|e| zone.is_empty() || e.parcel.parcel.zone == zone)
        .filter(|e| group.is_empty() || GROUPS[group_of(e)].0 == group)
        .map(|e| {
            let a = &e.assessment;
            ListRow {
                id: e.parcel.id,
                code: e.parcel.parcel.code.clone(),
                zone: e.parcel.zone_name.clone(),
                holder: e.parcel.parcel.holder.clone(),
                land_use: e.parcel.parcel.land_use.clone(),
                mu: format!("{:.2}", mu(e.parcel.parcel.area_m2)),
                status: e.status(),
                case: a.case.map(|c| c.label()).unwrap_or(""),
                idle_from: a.idle_from.map(|d| d.to_string()).unwrap_or_default(),
                consequence: consequence_text(a.consequence, a.is_idle()),
                deadline: e.deadline.map(|d| format!("{} 前{}", d.due, d.awaits.label())).unwrap_or_default(),
                overdue: e.deadline.is_some_and(|d| d.overdue),
                demo: e.parcel.is_demo,
            }
        })
        .collect();
    let zones = masterdata::list_zones(&st.db)
        .await?
        .into_iter()
        .filter(|z| zones_scope.as_ref().is_none_or(|s| s.contains(&z.zone.code)))
        .map(|z| (z.zone.code, z.zone.short_name))
        .collect();
    let page = ListPage {
        shell: Shell::new(&s, "land"),
        as_of: day.to_string(),
        zone,
        group,
        zones,
        groups: GROUPS.iter().map(|(c, l, _)| (*c, *l)).collect(),
        rows,
        can_edit: can_edit_any(&s.who),
    };
    Ok(Html(page.render()?))
}

fn consequence_text(c: Consequence, idle: bool) -> String {
    match c {
        Consequence::Fee { fee_fen } => format!("征缴闲置费 {} 万元", parcel::wan(fee_fen)),
        _ if idle => c.label().to_string(),
        _ => String::new(),
    }
}

/// Options of the form's select lists.
pub struct Choices {
    pub zones: Vec<(String, String)>,
    pub uses: Vec<&'static str>,
    pub evidence: Vec<(&'static str, &'static str)>,
    pub causes: Vec<(&'static str, &'static str)>,
}

async fn choices(st: &AppState, s: &Session) -> Result<Choices, AppError> {
    Ok(Choices {
        zones: masterdata::list_zones(&st.db)
            .await?
            .into_iter()
            .filter(|z| may_edit(&s.who, &z.zone.code))
            .map(|z| (z.zone.code, z.zone.name))
            .collect(),
        uses: USES.to_vec(),
        evidence: StartEvidence::ALL.iter().map(|e| (e.code(), e.label())).collect(),
        causes: Cause::ALL.iter().map(|c| (c.code(), c.label())).collect(),
    })
}

#[derive(Template)]
#[template(path = "land_form.html")]
struct FormPage {
    shell: Shell,
    form: ParcelForm,
    choices: Choices,
    errors: Vec<String>,
}

pub async fn new_form(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    if !can_edit_any(&s.who) {
        return Err(AppError::Forbidden);
    }
    let form = ParcelForm { supply: "出让".into(), land_use: "工业用地".into(), monitored: Some("1".into()), ..ParcelForm::default() };
    Ok(Html(FormPage { shell: Shell::new(&s, "land"), choices: choices(&st, &s).await?, form, errors: Vec::new() }.render()?))
}

pub async fn create(State(st): State<AppState>, PageUser(s): PageUser, Form(f): Form<ParcelForm>) -> Result<Response, AppError> {
    if !can_edit_any(&s.who) {
        return Err(AppError::Forbidden);
    }
    let refuse = |errors: Vec<String>, f: ParcelForm, choices: Choices| -> Result<Response, AppError> {
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(FormPage { shell: Shell::new(&s, "land"), form: f, choices, errors }.render()?)).into_response())
    };
    let p = match f.parse() {
        Ok(p) => p,
        Err(e) => return refuse(e, f, choices(&st, &s).await?),
    };
    if !may_edit(&s.who, &p.zone) {
        return Err(AppError::Forbidden);
    }
    match land::create(&st.db, &actor(&s), &p, false, chrono::Utc::now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/land/parcels/{id}")).into_response()),
        Err(StoreError::Invalid(m)) => refuse(vec![m], f, choices(&st, &s).await?),
        Err(e) => Err(e.into()),
    }
}

pub struct StepRow {
    pub step: &'static str,
    pub on: String,
    pub doc_no: String,
    pub note: String,
    pub by: String,
    pub limit: String,
    pub late: bool,
}

pub struct DocLink {
    pub kind: &'static str,
    pub title: &'static str,
}

#[derive(Template)]
#[template(path = "land_parcel.html")]
struct ParcelPage {
    shell: Shell,
    id: i64,
    code: String,
    zone_name: String,
    demo: bool,
    facts: Vec<(&'static str, String)>,
    as_of: String,
    verdict: Vec<(&'static str, String)>,
    status: &'static str,
    deadline: Option<(String, String, bool)>,
    timeline: Vec<StepRow>,
    next: Vec<(&'static str, &'static str)>,
    options: Vec<(&'static str, &'static str)>,
    docs: Vec<DocLink>,
    can_edit: bool,
    is_office: bool,
    form: ParcelForm,
    choices: Choices,
    errors: Vec<String>,
    message: Option<String>,
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

async fn parcel_page(st: &AppState, s: &Session, id: i64, day: NaiveDate) -> Result<ParcelPage, AppError> {
    let p = readable(st, &s.who, id).await?;
    let e = land::ledger_entry(&st.db, id, day).await?.ok_or_else(|| AppError::NotFound(format!("宗地 {id}")))?;
    let t = land::thresholds(&st.db).await?;
    let r = land::rest_days(&st.db).await?;
    let x = &p.parcel;
    let facts = vec![
        ("开发区", p.zone_name.clone()),
        ("土地使用权人", x.holder.clone()),
        ("统一社会信用代码", x.uscc.clone()),
        ("土地用途", x.land_use.clone()),
        ("面积", format!("{:.2} 平方米（{:.4} 亩）", x.area_m2, mu(x.area_m2))),
        ("供地方式与日期", format!("{} {}", parcel::supply_label(x.supply), opt_date(x.supply_date))),
        ("约定动工 / 竣工日期", format!("{} / {}", opt_date(x.contract_start), opt_date(x.contract_completion))),
        ("交地确认书日期", opt_date(x.handover)),
        ("土地价款", format!("{} 万元", parcel::wan(x.price_fen))),
        ("计划总投资 / 已投资额", format!("{} / {} 万元（不含土地价款和税费）", parcel::wan(x.planned_fen), parcel::wan(x.invested_fen))),
        ("应开发 / 已开发面积", format!("{:.2} / {:.2} 平方米", x.to_develop_m2, x.developed_m2)),
        ("动工日期与依据", x.started.map(|d| format!("{d}（{}）", x.start_evidence.map(|e| e.label()).unwrap_or(""))).unwrap_or_else(|| "未动工".into())),
        ("停工日期", opt_date(x.halted)),
        ("闲置原因", x.cause.map(|c| c.label().to_string()).unwrap_or_else(|| "未查明".into())),
        ("抵押权人", x.mortgagee.clone()),
        ("已录入监测监管系统", if x.monitored { "是" } else { "否" }.into()),
        ("版本", format!("第 {} 版，{} 修改于 {}", p.version, p.updated_by, crate::pages::beijing(p.updated_at))),
    ];
    let a = &e.assessment;
    let verdict = vec![
        ("应动工日期", a.start_due.map(|d| format!("{d}{}", if a.default_start { "（未约定，按交地后一年）" } else { "" })).unwrap_or_else(|| "无法确定".into())),
        ("闲置情形", a.case.map(|c| c.label().to_string()).unwrap_or_else(|| "不构成闲置".into())),
        ("闲置起始日", opt_date(a.idle_from)),
        ("闲置年数", if a.is_idle() { a.idle_years.to_string() } else { String::new() }),
        ("处置方向", consequence_text(a.consequence, a.is_idle())),
        ("征缴闲置费起 / 无偿收回起", if a.fee_from.is_some() { format!("{} / {}", opt_date(a.fee_from), opt_date(a.recovery_from)) } else { String::new() }),
        ("清理范围（2011年以来出让工业用地）", if a.in_scope { "是" } else { "否" }.into()),
        ("适用规则", t.name.clone()),
    ];
    let recorded: Vec<procedure::Recorded> = e.steps.iter().filter_map(|s| s.step().map(|step| procedure::Recorded { step, on: s.on_date })).collect();
    let limits = procedure::limits_met(&recorded, &t, &r);
    let timeline = e
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let lim = limits.iter().find(|(j, _, _)| *j == i);
            let mut note = s.note.clone();
            if let Some(o) = s.option() {
                note = format!("{}；{}{}{}", o.label(), s.new_start_due.map(|d| format!("新动工日期 {d}")).unwrap_or_default(), s.temporary_until.map(|d| format!("临时使用至 {d}")).unwrap_or_default(), if note.is_empty() { String::new() } else { format!("；{note}") });
            }
            StepRow {
                step: s.step().map(|x| x.label()).unwrap_or("?"),
                on: s.on_date.to_string(),
                doc_no: s.doc_no.clone(),
                note,
                by: s.created_by.clone(),
                limit: match lim {
                    Some((_, due, Some(true))) => format!("时限 {due}，按期"),
                    Some((_, due, Some(false))) => format!("时限 {due}，逾期"),
                    Some((_, due, None)) => format!("时限 {due}"),
                    None => String::new(),
                },
                late: matches!(lim, Some((_, _, Some(false)))) || (i + 1 == e.steps.len() && e.deadline.is_some_and(|d| d.overdue)),
            }
        })
        .collect();
    let next: &[Step] = match e.current {
        None => &[Step::Suspected],
        Some(c) => c.next(),
    };
    let done = |st: Step| e.steps.iter().any(|s| s.step() == Some(st));
    let mut docs = Vec::new();
    if done(Step::Suspected) {
        docs.push(DocLink { kind: DocKind::Investigation.code(), title: DocKind::Investigation.title() });
    }
    if done(Step::Reply) || done(Step::Determination) {
        docs.push(DocLink { kind: DocKind::Determination.code(), title: DocKind::Determination.title() });
    }
    if x.cause == Some(Cause::Holder) && (done(Step::HearingNotice) || done(Step::Decision)) {
        // The decision the rules call for on the decision's date (or today, before it is made).
        let on = e.steps.iter().rev().find(|s| s.step() == Some(Step::Decision)).map(|s| s.on_date).unwrap_or(day);
        let kind = match nengji_core::land::rules::assess(&x.facts(land::restart_of(&e.steps)), on, &t, &r).consequence {
            Consequence::Recovery => DocKind::RecoveryDecision,
            _ => DocKind::FeeDecision,
        };
        docs.push(DocLink { kind: kind.code(), title: kind.title() });
    }
    Ok(ParcelPage {
        shell: Shell::new(s, "land"),
        id,
        code: x.code.clone(),
        zone_name: p.zone_name.clone(),
        demo: p.is_demo,
        facts,
        as_of: day.to_string(),
        verdict,
        status: e.status(),
        deadline: e.deadline.map(|d| (d.due.to_string(), format!("{}（{}）", d.awaits.label(), d.basis), d.overdue)),
        timeline,
        next: next.iter().map(|s| (s.code(), s.label())).collect(),
        options: DisposalOption::ALL.iter().map(|o| (o.code(), o.label())).collect(),
        docs,
        can_edit: may_edit(&s.who, &x.zone),
        is_office: s.who.role.is_admin(),
        form: ParcelForm::of(x, p.version),
        choices: choices(st, s).await?,
        errors: Vec::new(),
        message: None,
    })
}

pub async fn parcel(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Query(q): Query<LedgerQuery>) -> Result<Html<String>, AppError> {
    let day = as_of(q.as_of.as_deref())?;
    Ok(Html(parcel_page(&st, &s, id, day).await?.render()?))
}

pub async fn update(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<ParcelForm>) -> Result<Response, AppError> {
    let current = readable(&st, &s.who, id).await?;
    if !may_edit(&s.who, &current.parcel.zone) {
        return Err(AppError::Forbidden);
    }
    let today = crate::collect::today();
    let refuse = |mut page: ParcelPage, errors: Vec<String>, f: ParcelForm| -> Result<Response, AppError> {
        page.errors = errors;
        page.form = f;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
    };
    let version: i64 = f.version.trim().parse().map_err(|_| AppError::BadRequest("表单缺少版本号，请刷新后重试".into()))?;
    let p = match f.parse() {
        Ok(p) => p,
        Err(e) => return refuse(parcel_page(&st, &s, id, today).await?, e, f),
    };
    if !may_edit(&s.who, &p.zone) {
        return refuse(parcel_page(&st, &s, id, today).await?, vec![format!("开发区：您无权把宗地登记到“{}”", p.zone)], f);
    }
    match land::update(&st.db, &actor(&s), id, version, &p, chrono::Utc::now()).await {
        Ok(_) => {
            let mut page = parcel_page(&st, &s, id, today).await?;
            page.message = Some("已保存".into());
            Ok(Html(page.render()?).into_response())
        }
        Err(StoreError::Invalid(m)) => refuse(parcel_page(&st, &s, id, today).await?, vec![m], f),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    step: String,
    on: String,
    #[serde(default)]
    doc_no: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    option: String,
    #[serde(default)]
    new_start_due: String,
    #[serde(default)]
    temporary_until: String,
    price_paid_in_full: Option<String>,
    funds_in_place: Option<String>,
}

pub async fn record_step(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<StepForm>) -> Result<Response, AppError> {
    require_office(&s.who)?;
    readable(&st, &s.who, id).await?;
    let today = crate::collect::today();
    let mut errors = Vec::new();
    let mut date = |name: &str, v: &str| parcel::parse_date(v).unwrap_or_else(|e| {
        errors.push(format!("{name}：{e}"));
        None
    });
    let step = NewStep {
        step: f.step.clone(),
        on: date("环节日期", &f.on),
        doc_no: f.doc_no.trim().into(),
        note: f.note.trim().into(),
        option: Some(f.option.clone()).filter(|o| !o.is_empty()),
        new_start_due: date("新约定动工日期", &f.new_start_due),
        temporary_until: date("临时使用期限", &f.temporary_until),
        price_paid_in_full: f.price_paid_in_full.is_some(),
        funds_in_place: f.funds_in_place.is_some(),
    };
    let result = if errors.is_empty() { land::record_step(&st.db, &actor(&s), id, &step, chrono::Utc::now()).await.map(|_| ()) } else { Err(StoreError::Invalid(errors.join("；"))) };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/land/parcels/{id}")).into_response()),
        Err(StoreError::Invalid(m)) => {
            let mut page = parcel_page(&st, &s, id, today).await?;
            page.errors = vec![m];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A document of the procedure as .docx, written from the parcel's data as of its step.
pub async fn document(State(st): State<AppState>, PageUser(s): PageUser, Path((id, kind)): Path<(i64, String)>) -> Result<Response, AppError> {
    if !matches!(s.who.role, nengji_core::auth::Role::Admin | nengji_core::auth::Role::Reviewer) {
        return Err(AppError::Forbidden);
    }
    let kind = DocKind::parse(kind.trim_end_matches(".docx")).ok_or_else(|| AppError::NotFound("文书类型".into()))?;
    let p = readable(&st, &s.who, id).await?;
    let steps = land::steps(&st.db, id).await?;
    let t = land::thresholds(&st.db).await?;
    let r = land::rest_days(&st.db).await?;
    let at = |step: Step| steps.iter().rev().find(|x| x.step() == Some(step));
    let (step, deadline_from) = match kind {
        DocKind::Investigation => (at(Step::Notice).or(at(Step::Suspected)), at(Step::Notice)),
        DocKind::Determination => (at(Step::Determination).or(at(Step::Reply)), None),
        DocKind::FeeDecision | DocKind::RecoveryDecision => (at(Step::Decision).or(at(Step::HearingNotice)), at(Step::Decision)),
    };
    let date = step.map(|x| x.on_date).unwrap_or_else(crate::collect::today);
    let doc_no = step.map(|x| x.doc_no.clone()).filter(|d| !d.is_empty()).unwrap_or_else(|| "〔　　〕号".into());
    let due = deadline_from.map(|x| r.days_end(x.on_date, t.step_limit_days));
    let a = nengji_core::land::rules::assess(&p.parcel.facts(land::restart_of(&steps)), date, &t, &r);
    let input = DocInput {
        kind,
        issuer: "廊坊市国土资源局",
        doc_no: &doc_no,
        date,
        parcel: &p.parcel,
        zone_name: &p.zone_name,
        assessment: &a,
        thresholds: &t,
        reply_due: if kind == DocKind::Investigation { due } else { None },
        comply_due: if matches!(kind, DocKind::FeeDecision | DocKind::RecoveryDecision) { due } else { None },
        demo: p.is_demo,
    };
    let bytes = land_docs::write(&input).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()),
            (header::CONTENT_DISPOSITION, crate::pages::attachment(&format!("{}.docx", kind.code()), &format!("{}-{}.docx", kind.title(), p.parcel.code))),
        ],
        bytes,
    )
        .into_response())
}

/// Counts by group, for tests and the API: `group code → (count, 亩)`.
pub fn summary(entries: &[LedgerEntry]) -> BTreeMap<&'static str, (usize, f64)> {
    let mut out = BTreeMap::new();
    for e in entries {
        let g = out.entry(GROUPS[group_of(e)].0).or_insert((0, 0.0));
        g.0 += 1;
        g.1 += mu(e.parcel.parcel.area_m2);
    }
    out
}
