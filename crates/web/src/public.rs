//! The public portal (no login): issued bulletins, published figures only, open data with a data
//! dictionary, the plan's target progress, and each zone's public lists in effect.
//!
//! "Published" means approved AND in a month up to the latest issued bulletin: nothing a draft,
//! an unapproved report or a month not yet announced contains can leave through these routes.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use nengji_core::bulletin::Bulletin;
use nengji_core::codes::division_name;
use nengji_core::period::Month;
use nengji_store::observations::{self, Filter, Observation};
use nengji_store::{bulletins, masterdata, Db};
use serde::Serialize;

use crate::error::AppError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public", get(index))
        .route("/public/bulletins/{id}", get(bulletin))
        .route("/public/bulletins/file/{file}", get(bulletin_file))
        .route("/public/zones/{code}", get(zone))
        .route("/public/targets", get(targets))
        .route("/public/dictionary", get(dictionary))
        .route("/public/data.csv", get(data_csv))
        .route("/public/data.json", get(data_json))
}

/// Approved values of published months.
async fn published(db: &Db, zone: Option<&str>) -> Result<(Option<Month>, Vec<Observation>), AppError> {
    let Some(through) = bulletins::published_through(db).await? else { return Ok((None, Vec::new())) };
    let f = Filter { zones: zone.map(|z| vec![z.to_string()]), to: Some(through), approved_only: true, ..Filter::default() };
    Ok((Some(through), observations::query(db, &f).await?))
}

pub struct BulletinLink {
    pub id: i64,
    pub title: String,
    pub number: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "public_index.html")]
struct IndexPage {
    bulletins: Vec<BulletinLink>,
    zones: Vec<(String, String, String)>,
    through: String,
}

async fn index(State(st): State<AppState>) -> Result<Html<String>, AppError> {
    let bulletins = bulletins::list(&st.db, true)
        .await?
        .into_iter()
        .map(|b| BulletinLink { id: b.id, title: b.content.title, number: b.number, date: b.content.date })
        .collect();
    let zones = masterdata::list_zones(&st.db).await?.into_iter().map(|z| (z.zone.code, z.zone.short_name, z.zone.kind.label().to_string())).collect();
    let through = bulletins::published_through(&st.db).await?.map(|m| m.label()).unwrap_or_else(|| "尚无".into());
    Ok(Html(IndexPage { bulletins, zones, through }.render()?))
}

#[derive(Template)]
#[template(path = "public_bulletin.html")]
struct PublicBulletin {
    b: Bulletin,
    base: String,
    chart: String,
}

async fn issued(st: &AppState, id: i64) -> Result<bulletins::StoredBulletin, AppError> {
    // Drafts do not exist for the public.
    bulletins::get(&st.db, id).await?.filter(|b| b.issued).ok_or_else(|| AppError::NotFound(format!("通报 {id}")))
}

async fn bulletin(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let b = issued(&st, id).await?;
    Ok(Html(PublicBulletin { chart: crate::bulletin::chart(&b.content), b: b.content, base: format!("/public/bulletins/file/{id}") }.render()?))
}

async fn bulletin_file(State(st): State<AppState>, Path(file): Path<String>) -> Result<Response, AppError> {
    let (id, ext) = file.rsplit_once('.').ok_or_else(|| AppError::NotFound(file.clone()))?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound(file.clone()))?;
    crate::pages::bulletins::render_file(&issued(&st, id).await?, ext)
}

pub struct FigureRow {
    pub name: String,
    pub unit: String,
    pub value: String,
}

pub struct ListView {
    pub kind: String,
    pub version: i64,
    pub effective: String,
    pub items: Vec<String>,
}

#[derive(Template)]
#[template(path = "public_zone.html")]
struct ZonePage {
    name: String,
    kind: String,
    level: String,
    county: String,
    period: String,
    figures: Vec<FigureRow>,
    demo: bool,
    lists: Vec<ListView>,
}

async fn zone(State(st): State<AppState>, Path(code): Path<String>) -> Result<Html<String>, AppError> {
    let z = masterdata::get_zone(&st.db, &code).await?.ok_or_else(|| AppError::NotFound(format!("开发区“{code}”")))?;
    let (through, values) = published(&st.db, Some(&code)).await?;
    let inds = masterdata::list_indicators(&st.db).await?;
    let latest: Vec<&Observation> = values.iter().filter(|o| through.is_some_and(|t| o.period == t.to_string())).collect();
    let figures = inds
        .iter()
        .filter_map(|i| {
            let o = latest.iter().find(|o| o.indicator == i.indicator.code)?;
            Some(FigureRow { name: i.indicator.name.clone(), unit: i.indicator.unit.clone(), value: i.indicator.format(o.value) })
        })
        .collect();
    let today = crate::collect::today();
    let mut lists = Vec::new();
    for (kind, label) in bulletins::LIST_KINDS {
        // The version in effect: the newest published one whose date has come.
        if let Some(v) = bulletins::list_versions(&st.db, &code, Some(today)).await?.into_iter().filter(|v| v.kind == kind).max_by_key(|v| v.effective_from) {
            lists.push(ListView { kind: label.into(), version: v.version, effective: v.effective_from.to_string(), items: v.content.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect() });
        }
    }
    Ok(Html(
        ZonePage {
            name: z.zone.name,
            kind: z.zone.kind.label().into(),
            level: z.zone.level.label().into(),
            county: division_name(&z.zone.county_code).unwrap_or("").into(),
            period: through.map(|m| m.cumulative_label()).unwrap_or_else(|| "尚无已公布的数据".into()),
            demo: latest.iter().any(|o| o.is_demo),
            figures,
            lists,
        }
        .render()?,
    ))
}

pub struct TargetRow {
    pub title: String,
    pub goal: String,
    pub status: String,
    pub status_code: String,
    pub headline: String,
}

#[derive(Template)]
#[template(path = "public_targets.html")]
struct TargetsPage {
    period: String,
    rows: Vec<TargetRow>,
}

async fn targets(State(st): State<AppState>) -> Result<Html<String>, AppError> {
    let Some(through) = bulletins::published_through(&st.db).await? else {
        return Ok(Html(TargetsPage { period: "尚无已公布的数据".into(), rows: Vec::new() }.render()?));
    };
    let panel = crate::monitor::panel::Panel::load(&st.db, through).await?;
    let rows = crate::monitor::targets::evaluate_all(&panel, &crate::monitor::targets::Registers::load(&st.db).await?, through)
        .into_iter()
        .map(|v| TargetRow { title: v.target.title.clone(), goal: v.goal(), status: v.status_label().into(), status_code: v.status_code().into(), headline: v.headline() })
        .collect();
    Ok(Html(TargetsPage { period: through.label(), rows }.render()?))
}

#[derive(Serialize)]
struct DictionaryEntry {
    code: String,
    name: String,
    unit: String,
    kind: String,
    description: String,
}

#[derive(Template)]
#[template(path = "public_dictionary.html")]
struct DictionaryPage {
    entries: Vec<(String, String, String, String, String)>,
}

async fn dictionary(State(st): State<AppState>) -> Result<Html<String>, AppError> {
    let entries = masterdata::list_indicators(&st.db)
        .await?
        .into_iter()
        .map(|i| (i.indicator.code, i.indicator.name, i.indicator.unit, i.indicator.kind.label().to_string(), i.indicator.description))
        .collect();
    Ok(Html(DictionaryPage { entries }.render()?))
}

#[derive(Serialize)]
struct OpenValue {
    zone: String,
    zone_name: String,
    indicator: String,
    indicator_name: String,
    unit: String,
    period: String,
    value: f64,
    demo: bool,
}

async fn open_values(db: &Db) -> Result<Vec<OpenValue>, AppError> {
    let zones = masterdata::list_zones(db).await?;
    let inds = masterdata::list_indicators(db).await?;
    let (_, values) = published(db, None).await?;
    Ok(values
        .into_iter()
        .map(|o| {
            let i = inds.iter().find(|i| i.indicator.code == o.indicator);
            OpenValue {
                zone_name: zones.iter().find(|z| z.zone.code == o.zone).map(|z| z.zone.short_name.clone()).unwrap_or_default(),
                indicator_name: i.map(|i| i.indicator.name.clone()).unwrap_or_default(),
                unit: i.map(|i| i.indicator.unit.clone()).unwrap_or_default(),
                zone: o.zone,
                indicator: o.indicator,
                period: o.period,
                value: o.value,
                demo: o.is_demo,
            }
        })
        .collect())
}

async fn data_json(State(st): State<AppState>) -> Result<Json<serde_json::Value>, AppError> {
    let dictionary: Vec<DictionaryEntry> = masterdata::list_indicators(&st.db)
        .await?
        .into_iter()
        .map(|i| DictionaryEntry { code: i.indicator.code, name: i.indicator.name, unit: i.indicator.unit, kind: i.indicator.kind.code().into(), description: i.indicator.description })
        .collect();
    Ok(Json(serde_json::json!({ "dictionary": dictionary, "values": open_values(&st.db).await? })))
}

async fn data_csv(State(st): State<AppState>) -> Result<Response, AppError> {
    let mut out = String::from("\u{feff}开发区代码,开发区,指标代码,指标,计量单位,期间,数值,数据性质\n");
    for v in open_values(&st.db).await? {
        out.push_str(&format!("{},{},{},{},{},{},{},{}\n", v.zone, v.zone_name, v.indicator, v.indicator_name, v.unit, v.period, v.value, if v.demo { "示例数据" } else { "" }));
    }
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, crate::pages::attachment("nengji-open-data.csv", "开发区主要经济指标.csv"))], out).into_response())
}
