//! /land-use: the intensive-use evaluation pages.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use nengji_core::landuse::intensive::{self, EvalArea, IntensiveScheme, LandStats};
use nengji_core::masterdata::Table;
use nengji_store::landuse::{self, SchemeKind};
use nengji_store::masterdata;
use serde::Deserialize;

use super::{actor, data_sheet, f2, office, problems, read_upload, scope, service, xlsx, Problem};
use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub struct EvalItem {
    pub id: i64,
    pub year: i32,
    pub scheme: String,
    pub created: String,
}

pub struct RankRow {
    pub rank: u32,
    pub rank_in_type: u32,
    pub zone: String,
    pub name: String,
    pub kind: String,
    pub score: String,
    pub supply: String,
    pub built: String,
    pub idle: String,
    pub notes: String,
}

pub struct EligibilityRow {
    pub name: String,
    pub last: String,
    pub eligible: bool,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "landuse_overview.html")]
struct OverviewPage {
    shell: Shell,
    evals: Vec<EvalItem>,
    selected: Option<EvalItem>,
    rows: Vec<RankRow>,
    eligibility: Vec<EligibilityRow>,
    as_of: i32,
    current_years: u32,
    schemes: Vec<(i64, String)>,
    years: Vec<i32>,
    demo: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct OverviewQuery {
    eval: Option<i64>,
    as_of: Option<i32>,
}

async fn overview_page(st: &AppState, s: &Session, q: OverviewQuery, error: Option<String>) -> Result<OverviewPage, AppError> {
    let scope = scope(s);
    let visible = |z: &str| scope.as_ref().is_none_or(|zs| zs.iter().any(|x| x == z));
    let schemes = landuse::schemes::<IntensiveScheme>(&st.db, SchemeKind::Intensive).await?;
    let label = |id: i64| schemes.iter().find(|x| x.id == id).map(|x| format!("{}（第{}版）", x.name, x.version)).unwrap_or_default();
    let evals = landuse::land_evals(&st.db).await?;
    let items: Vec<EvalItem> = evals.iter().map(|e| EvalItem { id: e.id, year: e.year, scheme: label(e.scheme_id), created: crate::pages::beijing(e.created_at) }).collect();
    let chosen = q.eval.and_then(|id| evals.iter().find(|e| e.id == id)).or(evals.first());
    let rows = chosen
        .map(|e| {
            e.outcome
                .zones
                .iter()
                .filter(|z| visible(&z.zone))
                .map(|z| {
                    let ind = |k: &str| f2(z.indicators.get(k).copied().flatten());
                    RankRow {
                        rank: z.rank,
                        rank_in_type: z.rank_in_type,
                        zone: z.zone.clone(),
                        name: z.zone_name.clone(),
                        kind: z.zone_type.label().into(),
                        score: format!("{:.2}", z.score),
                        supply: ind("supply_rate"),
                        built: ind("built_rate"),
                        idle: ind("idle_rate"),
                        notes: z.notes.join("；"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    // "Current" is the scheme's data: the latest scheme version's current_years.
    let current_years = schemes.first().map(|x| x.scheme.current_years).unwrap_or(2);
    let as_of = q.as_of.unwrap_or_else(|| chrono::Datelike::year(&crate::collect::today()));
    let last = landuse::last_evaluated(&st.db).await?;
    let eligibility = masterdata::list_zones(&st.db)
        .await?
        .into_iter()
        .filter(|z| visible(&z.zone.code))
        .map(|z| {
            let y = last.get(&z.zone.code).copied();
            let e = intensive::eligibility(y, as_of, current_years);
            EligibilityRow { name: z.zone.name, last: y.map(|y| format!("{y}年")).unwrap_or_else(|| "无".into()), eligible: e.eligible, reason: e.reason }
        })
        .collect();
    let mut latest: Vec<(i64, String)> = Vec::new();
    for x in &schemes {
        if !latest.iter().any(|(_, n)| n.starts_with(&x.name)) {
            latest.push((x.id, format!("{}（第{}版）", x.name, x.version)));
        }
    }
    Ok(OverviewPage {
        shell: Shell::new(s, "mujun"),
        selected: chosen.map(|e| EvalItem { id: e.id, year: e.year, scheme: label(e.scheme_id), created: crate::pages::beijing(e.created_at) }),
        demo: chosen.is_some_and(|e| e.created_by == "demo"),
        evals: items,
        rows,
        eligibility,
        as_of,
        current_years,
        schemes: latest,
        years: landuse::stats_years(&st.db).await?,
        error,
    })
}

pub async fn overview(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<OverviewQuery>) -> Result<Html<String>, AppError> {
    Ok(Html(overview_page(&st, &s, q, None).await?.render()?))
}

#[derive(Deserialize)]
pub struct EvaluateForm {
    scheme: i64,
    year: i32,
}

pub async fn evaluate(State(st): State<AppState>, PageUser(s): PageUser, Form(f): Form<EvaluateForm>) -> Result<Response, AppError> {
    office(&s)?;
    match service::evaluate_land(&st.db, &actor(&s), f.scheme, f.year).await {
        Ok(id) => Ok(Redirect::to(&format!("/land-use?eval={id}")).into_response()),
        Err(AppError::BadRequest(m)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(overview_page(&st, &s, OverviewQuery::default(), Some(m)).await?.render()?)).into_response()),
        Err(e) => Err(e),
    }
}

pub struct StatsItem {
    pub zone: String,
    pub name: String,
    pub filled: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "landuse_stats.html")]
struct StatsListPage {
    shell: Shell,
    year: i32,
    items: Vec<StatsItem>,
    can_edit: bool,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

pub async fn stats_list(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<YearQuery>) -> Result<Html<String>, AppError> {
    let year = q.year.or(landuse::stats_years(&st.db).await?.first().copied()).unwrap_or_else(|| chrono::Datelike::year(&crate::collect::today()) - 1);
    let scope = scope(&s);
    let have = landuse::stats(&st.db, year, scope.as_deref()).await?;
    let items = masterdata::list_zones(&st.db)
        .await?
        .into_iter()
        .filter(|z| scope.as_ref().is_none_or(|zs| zs.contains(&z.zone.code)))
        .map(|z| {
            let h = have.iter().find(|x| x.stats.zone == z.zone.code && x.stats.area == EvalArea::Main);
            StatsItem { zone: z.zone.code, name: z.zone.name, filled: h.is_some(), updated: h.map(|h| format!("{}（{}）", crate::pages::beijing(h.updated_at), h.updated_by)).unwrap_or_default() }
        })
        .collect();
    Ok(Html(StatsListPage { shell: Shell::new(&s, "mujun"), year, items, can_edit: s.who.role.is_admin() }.render()?))
}

pub struct FieldRow {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "landuse_stats_form.html")]
struct StatsFormPage {
    shell: Shell,
    zone: String,
    name: String,
    year: i32,
    area: &'static str,
    area_label: &'static str,
    version: i64,
    fields: Vec<FieldRow>,
    indicators: Vec<(String, String, String, &'static str)>,
    can_edit: bool,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct AreaQuery {
    area: Option<String>,
}

#[allow(clippy::too_many_arguments)] // the page's parts, each optional
async fn stats_form_page(st: &AppState, s: &Session, zone: &str, year: i32, area: EvalArea, override_values: Option<LandStats>, message: Option<String>, error: Option<String>) -> Result<StatsFormPage, AppError> {
    if scope(s).is_some_and(|zs| !zs.iter().any(|z| z == zone)) {
        return Err(AppError::Forbidden);
    }
    let z = masterdata::get_zone(&st.db, zone).await?.ok_or_else(|| AppError::NotFound(format!("开发区“{zone}”")))?;
    let stored = landuse::stats(&st.db, year, Some(&[zone.to_string()])).await?.into_iter().find(|x| x.stats.area == area);
    let version = stored.as_ref().map(|x| x.version).unwrap_or(0);
    let stats = override_values.or(stored.map(|x| x.stats)).unwrap_or(LandStats { zone: zone.into(), year, area, values: Default::default() });
    let computed = intensive::indicators(&stats);
    Ok(StatsFormPage {
        shell: Shell::new(s, "mujun"),
        zone: zone.into(),
        name: z.zone.name,
        year,
        area: area.code(),
        area_label: area.label(),
        version,
        fields: intensive::FIELDS.iter().map(|f| FieldRow { code: f.code, name: f.name, unit: f.unit, value: stats.values.get(f.code).map(|v| v.to_string()).unwrap_or_default() }).collect(),
        indicators: intensive::INDICATORS.iter().map(|i| (i.name.to_string(), f2(computed.get(i.code).copied().flatten()), i.formula.to_string(), i.unit)).collect(),
        can_edit: s.who.role.is_admin(),
        message,
        error,
    })
}

pub async fn stats_form(State(st): State<AppState>, PageUser(s): PageUser, Path((zone, year)): Path<(String, i32)>, Query(q): Query<AreaQuery>) -> Result<Html<String>, AppError> {
    let area = EvalArea::parse(q.area.as_deref().unwrap_or("")).unwrap_or(EvalArea::Main);
    Ok(Html(stats_form_page(&st, &s, &zone, year, area, None, None, None).await?.render()?))
}

/// Saves the form: every number checked, then written with the version the form was opened at.
pub async fn stats_save(State(st): State<AppState>, PageUser(s): PageUser, Path((zone, year)): Path<(String, i32)>, Form(f): Form<HashMap<String, String>>) -> Result<Response, AppError> {
    office(&s)?;
    let area = EvalArea::parse(f.get("area").map(String::as_str).unwrap_or("")).unwrap_or(EvalArea::Main);
    let version: i64 = f.get("version").and_then(|v| v.parse().ok()).ok_or_else(|| AppError::BadRequest("缺少版本号".into()))?;
    let mut values = std::collections::BTreeMap::new();
    let mut errors = Vec::new();
    for fd in intensive::FIELDS {
        let t = f.get(fd.code).map(|t| t.trim()).unwrap_or("");
        if t.is_empty() {
            continue;
        }
        match nengji_core::entry::parse_number(t) {
            Some(v) if v >= 0.0 => {
                values.insert(fd.code.to_string(), v);
            }
            _ => errors.push(format!("{}（{}）：“{t}”不是有效的非负数字", fd.name, fd.code)),
        }
    }
    let stats = LandStats { zone: zone.clone(), year, area, values };
    if !errors.is_empty() {
        let p = stats_form_page(&st, &s, &zone, year, area, Some(stats), None, Some(errors.join("；"))).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(p.render()?)).into_response());
    }
    match landuse::put_stats(&st.db, &actor(&s), &[(stats.clone(), Some(version))], "表单").await {
        Ok(_) => Ok(Html(stats_form_page(&st, &s, &zone, year, area, None, Some("已保存".into()), None).await?.render()?).into_response()),
        Err(nengji_store::StoreError::Invalid(m)) => {
            let p = stats_form_page(&st, &s, &zone, year, area, Some(stats), None, Some(m)).await?;
            Ok((StatusCode::CONFLICT, Html(p.render()?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "landuse_import.html")]
struct ImportPage {
    shell: Shell,
    action: &'static str,
    title: &'static str,
    template: &'static str,
    hint: &'static str,
    file_name: String,
    problems: Vec<Problem>,
    checked: Option<String>,
    result: Option<String>,
    error: Option<String>,
}

fn import_page(s: &Session) -> ImportPage {
    ImportPage {
        shell: Shell::new(s, "mujun"),
        action: "/land-use/import",
        title: "用地统计导入",
        template: "/land-use/template.xlsx",
        hint: "每行一个开发区、年度和评价范围（主区/发展方向区），面积单位公顷，金额万元。",
        file_name: String::new(),
        problems: Vec::new(),
        checked: None,
        result: None,
        error: None,
    }
}

pub async fn import_form(PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    office(&s)?;
    Ok(Html(import_page(&s).render()?))
}

pub async fn import_upload(State(st): State<AppState>, PageUser(s): PageUser, mp: Multipart) -> Result<Response, AppError> {
    office(&s)?;
    let mut page = import_page(&s);
    let Some(up) = read_upload(mp).await? else {
        page.error = Some("请选择要上传的文件".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    page.file_name = up.name.clone();
    let table = match nengji_office::read_tables(&up.name, &up.bytes) {
        Ok(t) => data_sheet(t),
        Err(e) => {
            page.error = Some(e.to_string());
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let zones: Vec<String> = masterdata::list_zones(&st.db).await?.into_iter().map(|z| z.zone.code).collect();
    match intensive::parse_stats(&table, &zones) {
        Err(errs) => {
            page.error = Some(format!("文件有 {} 处问题，未导入任何数据。请修改后重新上传。", errs.len()));
            page.problems = problems(&errs);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Ok(rows) if !up.commit => {
            page.checked = Some(format!("检查通过：{} 行用地统计，未写入。确认无误后选择同一文件点“导入”。", rows.len()));
            Ok(Html(page.render()?).into_response())
        }
        Ok(rows) => {
            let n = rows.len();
            let rows: Vec<(LandStats, Option<i64>)> = rows.into_iter().map(|r| (r, None)).collect();
            landuse::put_stats(&st.db, &actor(&s), &rows, &up.name).await?;
            page.result = Some(format!("已导入 {n} 行用地统计。"));
            Ok(Html(page.render()?).into_response())
        }
    }
}

pub async fn template(PageUser(_): PageUser) -> Result<Response, AppError> {
    let t = Table { sheet: "用地统计".into(), header: intensive::template_header(), rows: vec![] };
    xlsx(&[t], "land-use-template.xlsx", "用地统计导入模板.xlsx")
}


pub async fn export(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Response, AppError> {
    let e = landuse::land_evals(&st.db).await?.into_iter().find(|e| e.id == id).ok_or_else(|| AppError::NotFound(format!("评价 {id}")))?;
    let t = service::land_table(&e.outcome, scope(&s).as_deref());
    xlsx(&[t], &format!("land-use-{}.xlsx", e.year), &format!("{}年土地集约利用评价.xlsx", e.year))
}
