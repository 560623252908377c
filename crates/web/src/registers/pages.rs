//! The register pages: landing with counts and the count targets per area, list with filters
//! and pinyin sorting, detail with edit form, entries and history timeline, new-record form.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use nengji_core::codes;
use nengji_core::masterdata::CellError;
use nengji_core::registers::counts::{month_end, Area};
use nengji_core::registers::parse::{parse_fields, parse_date};
use nengji_core::registers::{list as reglist, projects, Entry, FieldType, Record, RegisterKind};
use nengji_store::registers::{self as store, imports};
use nengji_store::{masterdata, StoreError};

use super::views::{self, CountRow, Expiring, PipelineRow, ZoneNames};
use super::{actor, can_read, can_write, kind_of, require_write, write_scope, Writer};
use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::pages::beijing;
use crate::shell::Shell;
use crate::AppState;

pub(super) async fn zones(st: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(masterdata::list_zones(&st.db).await?.into_iter().map(|z| (z.zone.code, z.zone.short_name)).collect())
}

fn names(zones: &[(String, String)]) -> ZoneNames {
    zones.iter().cloned().collect()
}

/// Today in Beijing.
pub(super) fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub struct RegisterLink {
    pub code: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "reg_index.html")]
struct Landing {
    shell: Shell,
    registers: Vec<RegisterLink>,
    day: String,
    by: String,
    areas: Vec<String>,
    rows: Vec<CountRow>,
}

#[derive(serde::Deserialize)]
pub struct LandingQuery {
    date: Option<String>,
    by: Option<String>,
}

pub(super) async fn load_all(st: &AppState) -> Result<HashMap<RegisterKind, Vec<Record>>, AppError> {
    let mut out = HashMap::new();
    for k in RegisterKind::ALL {
        out.insert(k, store::records(&st.db, k).await?);
    }
    Ok(out)
}

pub async fn landing(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<LandingQuery>) -> Result<Html<String>, AppError> {
    let counts = store::counts(&st.db).await?;
    let day = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => parse_date(d).ok_or_else(|| AppError::BadRequest(format!("日期“{d}”无效，应为如 2020-12-31 的格式")))?,
        None => month_end(2020, 12),
    };
    let by = if q.by.as_deref() == Some("zone") { "zone" } else { "county" };
    let zs = zones(&st).await?;
    // City-wide counts are for those who read every zone; a zone reporter sees its zones only.
    let city_wide = s.who.role != nengji_core::auth::Role::ZoneReporter;
    let areas: Vec<(Area, String)> = if by == "zone" || !city_wide {
        zs.iter().filter(|(c, _)| s.who.can_read_zone(c)).map(|(c, n)| (Area::Zone(c.clone()), n.clone())).collect()
    } else {
        codes::LANGFANG_DIVISIONS
            .iter()
            .map(|(c, n)| (Area::County(c.to_string()), if *c == "131000" { "市本级".to_string() } else { n.to_string() }))
            .collect()
    };
    let mut rows = views::count_rows(&load_all(&st).await?, day, &areas);
    if !city_wide {
        rows.iter_mut().for_each(|r| r.city = "—".into());
    }
    let page = Landing {
        shell: Shell::new(&s, "registers"),
        registers: counts
            .into_iter()
            .map(|(k, n)| RegisterLink { code: k.code(), label: k.label(), description: k.description(), count: n })
            .collect(),
        day: day.to_string(),
        by: by.into(),
        areas: areas.into_iter().map(|(_, n)| n).collect(),
        rows,
    };
    Ok(Html(page.render()?))
}

pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    /// Derived columns (a project's current stage) are not sortable.
    pub sortable: bool,
    pub sort_desc: bool,
    pub active: bool,
}

pub struct ListRow {
    pub id: i64,
    pub cells: Vec<String>,
    pub demo: bool,
}

pub struct ChoiceFilter {
    pub key: &'static str,
    pub label: &'static str,
    pub options: Vec<&'static str>,
    pub selected: String,
}

#[derive(Template)]
#[template(path = "reg_list.html")]
struct ListPage {
    shell: Shell,
    kind: &'static str,
    label: &'static str,
    can_write: bool,
    columns: Vec<Column>,
    rows: Vec<ListRow>,
    total: usize,
    text: String,
    zone: String,
    zones: Vec<(String, String)>,
    filters: Vec<ChoiceFilter>,
    query: String,
    pipeline: Option<(Vec<&'static str>, Vec<PipelineRow>, Vec<usize>)>,
    expiring: Vec<Expiring>,
    cleanup: Vec<(String, [usize; 4])>,
    today: String,
}

/// The list query from `?q=&zone=&county=&sort=&desc=1&f_<field>=`.
fn list_query(kind: RegisterKind, q: &HashMap<String, String>) -> reglist::Query {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    reglist::Query {
        text: get("q"),
        zone: get("zone"),
        county: get("county"),
        equals: kind
            .fields()
            .iter()
            .filter_map(|f| q.get(&format!("f_{}", f.key)).filter(|v| !v.is_empty()).map(|v| (f.key.to_string(), v.clone())))
            .collect(),
        sort: get("sort"),
        descending: get("desc") == "1",
    }
}

pub async fn list(State(st): State<AppState>, PageUser(s): PageUser, Path(kind): Path<String>, Query(q): Query<HashMap<String, String>>) -> Result<Html<String>, AppError> {
    let kind = kind_of(&kind)?;
    let query = list_query(kind, &q);
    let stored: Vec<store::Stored> = store::list(&st.db, kind).await?.into_iter().filter(|r| can_read(&s.who, r.record.zone())).collect();
    let ids: HashMap<String, (i64, bool)> = stored.iter().map(|r| (r.record.key(kind).to_string(), (r.id, r.is_demo))).collect();
    let all: Vec<Record> = stored.iter().map(|r| r.record.clone()).collect();
    let shown = reglist::apply(kind, all.clone(), &query);
    let zs = zones(&st).await?;
    let zn = names(&zs);
    let listed: Vec<&'static nengji_core::registers::Field> = kind.fields().iter().filter(|f| f.listed).collect();
    let sort = if query.sort.is_empty() { "name" } else { query.sort.as_str() };
    let mut columns: Vec<Column> = listed
        .iter()
        .map(|f| Column { key: f.key, label: f.label, sortable: true, active: f.key == sort, sort_desc: f.key == sort && !query.descending })
        .collect();
    let stage_column = kind == RegisterKind::Projects;
    if stage_column {
        columns.push(Column { key: "stage", label: "当前阶段", sortable: false, active: false, sort_desc: false });
    }
    let rows = shown
        .iter()
        .map(|r| {
            let (id, demo) = ids[r.key(kind)];
            let mut cells: Vec<String> = listed.iter().map(|f| views::display(kind, f.key, r, &zn)).collect();
            if stage_column {
                cells.push(projects::current_stage(r).unwrap_or("—").to_string());
            }
            ListRow { id, demo, cells }
        })
        .collect();
    let filters = kind
        .fields()
        .iter()
        .filter_map(|f| match f.ty {
            FieldType::Choice(options) => Some(ChoiceFilter {
                key: f.key,
                label: f.label,
                options: options.to_vec(),
                selected: q.get(&format!("f_{}", f.key)).cloned().unwrap_or_default(),
            }),
            _ => None,
        })
        .collect();
    // The query string without sorting, for the sort links.
    let keep: Vec<(String, String)> = q.iter().filter(|(k, v)| k.as_str() != "sort" && k.as_str() != "desc" && !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect();
    let pipeline = (kind == RegisterKind::Projects).then(|| {
        let visible: Vec<(String, String)> = zs.iter().filter(|(c, _)| can_read(&s.who, c)).cloned().collect();
        let (rows, totals) = views::pipeline(&shown, &visible);
        (projects::STAGES.iter().map(|(n, _)| *n).collect(), rows, totals)
    });
    // The renewal list is as of today, or of `?as_of=` (to look back at a past year).
    let today = q.get("as_of").and_then(|d| parse_date(d)).unwrap_or_else(today);
    let expiring = if kind == RegisterKind::Enterprises {
        let with_ids: Vec<(i64, Record)> = stored.iter().map(|r| (r.id, r.record.clone())).collect();
        views::expiring(&with_ids, today, &zn)
    } else {
        Vec::new()
    };
    let cleanup = if kind == RegisterKind::Parks { views::cleanup(&all) } else { Vec::new() };
    let page = ListPage {
        shell: Shell::new(&s, "registers"),
        kind: kind.code(),
        label: kind.label(),
        can_write: can_write(&s.who, kind),
        columns,
        total: shown.len(),
        rows,
        text: query.text.clone(),
        zone: query.zone.clone(),
        zones: zs.into_iter().filter(|(c, _)| s.who.can_read_zone(c)).collect(),
        filters,
        query: serde_urlencoded::to_string(&keep).unwrap_or_default(),
        pipeline,
        expiring,
        cleanup,
        today: today.to_string(),
    };
    Ok(Html(page.render()?))
}

/// A form input of a field.
pub struct Input {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub required: bool,
    /// `text`, `date`, `number`, `select`.
    pub control: &'static str,
    /// (value, what the option shows).
    pub options: Vec<(String, String)>,
}

pub(super) fn inputs(kind: RegisterKind, r: &Record, zones: &[(String, String)]) -> Vec<Input> {
    kind.fields()
        .iter()
        .map(|f| {
            let (control, options): (&str, Vec<String>) = match f.ty {
                FieldType::Date => ("date", vec![]),
                FieldType::Number => ("number", vec![]),
                FieldType::Flag => ("select", vec!["是".into(), "否".into()]),
                FieldType::Choice(o) => ("select", o.iter().map(|s| s.to_string()).collect()),
                FieldType::Zone => ("select", zones.iter().map(|(c, _)| c.clone()).collect()),
                FieldType::County => ("select", codes::LANGFANG_DIVISIONS.iter().map(|(c, _)| c.to_string()).collect()),
                _ => ("text", vec![]),
            };
            let options = options.into_iter().map(|o| (option_label(f.key, &o, zones), o)).map(|(l, o)| (o, l)).collect();
            Input { key: f.key, label: f.label, value: r.get(f.key).to_string(), required: f.required, control, options }
        })
        .collect()
}

/// What an option shows: zone and county codes by name.
pub fn option_label(key: &str, value: &str, zones: &[(String, String)]) -> String {
    match key {
        "zone" => zones.iter().find(|(c, _)| c == value).map(|(_, n)| n.clone()).unwrap_or_else(|| value.to_string()),
        "county" => codes::division_name(value).map(|n| if value == "131000" { "市本级".into() } else { n.to_string() }).unwrap_or_else(|| value.to_string()),
        _ => value.to_string(),
    }
}

fn problems(errs: &[CellError]) -> Vec<String> {
    errs.iter().map(|e| format!("{}：{}", e.field, e.message)).collect()
}

#[derive(Template)]
#[template(path = "reg_form.html")]
struct FormPage {
    shell: Shell,
    kind: &'static str,
    label: &'static str,
    inputs: Vec<Input>,
    errors: Vec<String>,
}

pub async fn new_form(State(st): State<AppState>, Writer(s): Writer, Path(kind): Path<String>) -> Result<Html<String>, AppError> {
    let kind = kind_of(&kind)?;
    require_write(&s, kind)?;
    let zs = writable_zones(&st, &s).await?;
    let page = FormPage { shell: Shell::new(&s, "registers"), kind: kind.code(), label: kind.label(), inputs: inputs(kind, &Record::default(), &zs), errors: vec![] };
    Ok(Html(page.render()?))
}

async fn writable_zones(st: &AppState, s: &Session) -> Result<Vec<(String, String)>, AppError> {
    Ok(zones(st).await?.into_iter().filter(|(c, _)| write_scope(&s.who).is_none_or(|zs| zs.contains(c))).collect())
}

fn fields_of(form: &[(String, String)]) -> Vec<(String, String)> {
    form.iter().filter(|(k, _)| k != "csrf" && k != "version").cloned().collect()
}

pub async fn create(State(st): State<AppState>, Writer(s): Writer, Path(kind): Path<String>, Form(form): Form<Vec<(String, String)>>) -> Result<Response, AppError> {
    let kind = kind_of(&kind)?;
    require_write(&s, kind)?;
    let ctx = imports::context(&st.db).await?;
    let zs = writable_zones(&st, &s).await?;
    let fields = fields_of(&form);
    let refuse = |errors: Vec<String>| -> Result<Response, AppError> {
        let mut draft = Record::default();
        for (k, v) in &fields {
            draft.set(k, v.clone());
        }
        let page = FormPage { shell: Shell::new(&s, "registers"), kind: kind.code(), label: kind.label(), inputs: inputs(kind, &draft, &zs), errors };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
    };
    let record = match parse_fields(kind, &fields, &ctx) {
        Ok(r) => r,
        Err(errs) => return refuse(problems(&errs)),
    };
    match store::create(&st.db, &actor(&s.who), kind, &record, write_scope(&s.who)).await {
        Ok(id) => Ok(Redirect::to(&format!("/registers/{}/{id}?saved=1", kind.code())).into_response()),
        Err(StoreError::Invalid(m)) => refuse(vec![m]),
        Err(e) => Err(e.into()),
    }
}

pub struct EntryRow {
    pub date: String,
    pub amount: String,
    pub note: String,
    pub by: String,
}

pub struct Event {
    pub at: String,
    pub actor: String,
    pub summary: String,
    pub changes: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "reg_detail.html")]
struct DetailPage {
    shell: Shell,
    kind: &'static str,
    label: &'static str,
    id: i64,
    version: i64,
    title: String,
    demo: bool,
    facts: Vec<(&'static str, String)>,
    derived: Vec<(String, String)>,
    can_write: bool,
    inputs: Vec<Input>,
    entry_label: String,
    entry_amount: bool,
    entries: Vec<EntryRow>,
    events: Vec<Event>,
    message: Option<String>,
    errors: Vec<String>,
}

async fn detail_page(st: &AppState, s: &Session, kind: RegisterKind, id: i64, message: Option<String>, errors: Vec<String>) -> Result<DetailPage, AppError> {
    let rec = store::get(&st.db, kind, id).await?;
    if !can_read(&s.who, rec.record.zone()) {
        return Err(AppError::Forbidden);
    }
    let zs = zones(st).await?;
    let zn = names(&zs);
    let r = &rec.record;
    // Blank fields are in the edit form; the facts list what is known.
    let facts = kind
        .fields()
        .iter()
        .filter(|f| !r.get(f.key).is_empty() || f.key == "zone")
        .map(|f| (f.label, views::display(kind, f.key, r, &zn)))
        .collect();
    let entries = store::entries(&st.db, id).await?;
    let mut derived = Vec::new();
    match kind {
        RegisterKind::Projects => {
            derived.push(("当前阶段".to_string(), projects::current_stage(r).unwrap_or("—").to_string()));
            let done = projects::investment_completed(&entries.iter().map(|e| e.entry.clone()).collect::<Vec<_>>());
            derived.push(("累计完成投资（亿元）".to_string(), crate::monitor::targets::num(done)));
        }
        RegisterKind::Enterprises => {
            if let Some(e) = nengji_core::registers::enterprises::certificate_expires(r) {
                let valid = nengji_core::registers::enterprises::hitech_on(r, today());
                derived.push(("高企证书有效期至".to_string(), format!("{e}{}", if valid { "（有效）" } else { "（已过期）" })));
            }
        }
        RegisterKind::Funds => {
            let paid: f64 = entries.iter().filter_map(|e| e.entry.amount).sum();
            let alloc = r.number("allocated").unwrap_or(0.0);
            derived.push(("已拨付（万元）".to_string(), crate::monitor::targets::num(paid)));
            if alloc > 0.0 {
                derived.push(("拨付进度".to_string(), format!("{:.1}%", paid / alloc * 100.0)));
            }
        }
        _ => {}
    }
    let writable = can_write(&s.who, kind) && write_scope(&s.who).is_none_or(|zs| zs.iter().any(|z| z == r.zone()));
    let wz: Vec<(String, String)> = zs.iter().filter(|(c, _)| write_scope(&s.who).is_none_or(|w| w.contains(c))).cloned().collect();
    Ok(DetailPage {
        shell: Shell::new(s, "registers"),
        kind: kind.code(),
        label: kind.label(),
        id,
        version: rec.version,
        title: format!("{}（{}）", r.name(), r.key(kind)),
        demo: rec.is_demo,
        facts,
        derived,
        can_write: writable,
        inputs: inputs(kind, r, &wz),
        entry_label: kind.entry_kind().map(|k| k.label().to_string()).unwrap_or_default(),
        entry_amount: kind.entry_kind().is_some_and(|k| k.has_amount()),
        entries: entries
            .into_iter()
            .map(|e| EntryRow {
                date: e.entry.date.to_string(),
                amount: e.entry.amount.map(crate::monitor::targets::num).unwrap_or_default(),
                note: e.entry.note,
                by: e.created_by,
            })
            .collect(),
        events: store::history(&st.db, id)
            .await?
            .into_iter()
            .rev()
            .map(|c| Event { at: beijing(c.at), actor: c.actor, summary: c.summary, changes: c.changes })
            .collect(),
        message,
        errors,
    })
}

#[derive(serde::Deserialize)]
pub struct DetailQuery {
    saved: Option<String>,
}

pub async fn detail(State(st): State<AppState>, PageUser(s): PageUser, Path((kind, id)): Path<(String, i64)>, Query(q): Query<DetailQuery>) -> Result<Html<String>, AppError> {
    let kind = kind_of(&kind)?;
    let msg = q.saved.map(|_| "已保存".to_string());
    Ok(Html(detail_page(&st, &s, kind, id, msg, vec![]).await?.render()?))
}

fn unprocessable(page: DetailPage) -> Result<Response, AppError> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

pub async fn update(State(st): State<AppState>, Writer(s): Writer, Path((kind, id)): Path<(String, i64)>, Form(form): Form<Vec<(String, String)>>) -> Result<Response, AppError> {
    let kind = kind_of(&kind)?;
    require_write(&s, kind)?;
    let version: i64 = form.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.parse().ok()).ok_or_else(|| AppError::BadRequest("缺少版本号".into()))?;
    let ctx = imports::context(&st.db).await?;
    let record = match parse_fields(kind, &fields_of(&form), &ctx) {
        Ok(r) => r,
        Err(errs) => return unprocessable(detail_page(&st, &s, kind, id, None, problems(&errs)).await?),
    };
    match store::update(&st.db, &actor(&s.who), kind, id, version, &record, write_scope(&s.who)).await {
        Ok(_) => Ok(Redirect::to(&format!("/registers/{}/{id}?saved=1", kind.code())).into_response()),
        Err(StoreError::Invalid(m)) => unprocessable(detail_page(&st, &s, kind, id, None, vec![m]).await?),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct EntryForm {
    date: String,
    amount: Option<String>,
    #[serde(default)]
    note: String,
}

/// Reads an entry from form or API text.
pub(super) fn entry_of(date: &str, amount: Option<&str>, note: &str) -> Result<Entry, String> {
    let date = parse_date(date).ok_or_else(|| format!("日期“{date}”无效"))?;
    let amount = match amount.map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(a.parse::<f64>().map_err(|_| format!("金额“{a}”不是数字"))?),
    };
    Ok(Entry { date, amount, note: note.trim().to_string() })
}

pub async fn add_entry(State(st): State<AppState>, Writer(s): Writer, Path((kind, id)): Path<(String, i64)>, Form(f): Form<EntryForm>) -> Result<Response, AppError> {
    let kind = kind_of(&kind)?;
    require_write(&s, kind)?;
    let entry = match entry_of(&f.date, f.amount.as_deref(), &f.note) {
        Ok(e) => e,
        Err(m) => return unprocessable(detail_page(&st, &s, kind, id, None, vec![m]).await?),
    };
    match store::add_entry(&st.db, &actor(&s.who), kind, id, &entry, write_scope(&s.who)).await {
        Ok(_) => Ok(Redirect::to(&format!("/registers/{}/{id}?saved=1", kind.code())).into_response()),
        Err(StoreError::Invalid(m)) => unprocessable(detail_page(&st, &s, kind, id, None, vec![m]).await?),
        Err(e) => Err(e.into()),
    }
}
