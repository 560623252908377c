//! The annual evaluation on the platform (综合考核评价): run a scheme on the year's approved data,
//! see ranks, rank change, consequences and Monte Carlo rank bands, each zone's score card, publish
//! (frozen, and re-run on demand to check it reproduces), export to xlsx, edit the scheme, and
//! the same results as JSON (`api`).

pub mod api;
pub mod service;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use nengji_core::auth::{Principal, Role};
use nengji_core::evaluate::{explain, results_table, NodeKind};
use nengji_store::evaluations::{self, AdjustmentInput};
use nengji_core::period::Month;
use nengji_store::{masterdata, observations, Actor};
use serde::Deserialize;

use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/evaluations", get(list).post(create))
        .route("/evaluations/adjustments", post(add_adjustment))
        .route("/evaluations/schemes", get(schemes).post(save_scheme))
        .route("/evaluations/{id}", get(show))
        .route("/evaluations/{id}/publish", post(publish))
        .route("/evaluations/{id}/verify", get(verify))
        .route("/evaluations/{id}/results.xlsx", get(export))
        .route("/evaluations/{id}/zones/{code}", get(card))
        .merge(api::routes())
}

/// Everyone but zone reporters (who see only their own zone's figures) reads results; only the
/// office runs, publishes and edits.
fn reader(who: &Principal) -> Result<(), AppError> {
    if who.role == Role::ZoneReporter { Err(AppError::Forbidden) } else { Ok(()) }
}

fn office(s: &Session) -> Result<(), AppError> {
    if s.who.role.is_admin() { Ok(()) } else { Err(AppError::Forbidden) }
}

fn actor(s: &Session) -> Actor {
    Actor::user(s.who.user_id, &s.who.username)
}

pub struct RunItem {
    pub id: i64,
    pub year: i32,
    pub scheme: String,
    pub published: bool,
    pub created: String,
}

#[derive(Template)]
#[template(path = "evaluations.html")]
struct ListPage {
    shell: Shell,
    runs: Vec<RunItem>,
    schemes: Vec<(i64, String)>,
    adjustments: Vec<(i32, String, String, String, String)>,
    zones: Vec<(String, String)>,
    message: Option<String>,
    error: Option<String>,
}

async fn list_page(st: &AppState, s: &Session, message: Option<String>, error: Option<String>) -> Result<ListPage, AppError> {
    let schemes = evaluations::schemes(&st.db).await?;
    let name_of = |id: i64| schemes.iter().find(|x| x.id == id).map(|x| format!("{}（第{}版）", x.name, x.version)).unwrap_or_default();
    let runs = evaluations::runs(&st.db)
        .await?
        .into_iter()
        .map(|r| RunItem { id: r.id, year: r.year, scheme: name_of(r.scheme_id), published: r.published, created: crate::pages::beijing(r.created_at) })
        .collect();
    let zones = masterdata::list_zones(&st.db).await?;
    let zone_name = |c: &str| zones.iter().find(|z| z.zone.code == c).map(|z| z.zone.short_name.clone()).unwrap_or_else(|| c.to_string());
    let mut adjustments = Vec::new();
    for year in [2018, 2019, 2020] {
        for a in evaluations::adjustment_inputs(&st.db, year).await? {
            adjustments.push((year, zone_name(&a.zone), a.item, a.value.to_string(), a.evidence));
        }
    }
    Ok(ListPage {
        shell: Shell::new(s, "evaluations"),
        runs,
        schemes: schemes.iter().map(|x| (x.id, format!("{}（第{}版）", x.name, x.version))).collect(),
        adjustments,
        zones: zones.iter().map(|z| (z.zone.code.clone(), z.zone.short_name.clone())).collect(),
        message,
        error,
    })
}

async fn list(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    reader(&s.who)?;
    Ok(Html(list_page(&st, &s, None, None).await?.render()?))
}

#[derive(Deserialize)]
struct RunForm {
    scheme: i64,
    year: i32,
    replications: Option<usize>,
}

async fn create(State(st): State<AppState>, PageUser(s): PageUser, Form(f): Form<RunForm>) -> Result<Response, AppError> {
    office(&s)?;
    let reps = f.replications.unwrap_or(200).min(5000);
    match service::run(&st.db, &actor(&s), f.scheme, f.year, reps).await {
        Ok(id) => Ok(axum::response::Redirect::to(&format!("/evaluations/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(list_page(&st, &s, None, Some(m)).await?.render()?)).into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct AdjustmentForm {
    year: i32,
    zone: String,
    item: String,
    value: String,
    evidence: String,
}

async fn add_adjustment(State(st): State<AppState>, PageUser(s): PageUser, Form(f): Form<AdjustmentForm>) -> Result<Response, AppError> {
    office(&s)?;
    let result = match nengji_core::entry::parse_number(&f.value) {
        None => Err(format!("“{}”不是数字", f.value)),
        Some(value) => evaluations::set_adjustment_input(&st.db, &actor(&s), f.year, &AdjustmentInput { zone: f.zone, item: f.item, value, evidence: f.evidence }).await.map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => Ok(Html(list_page(&st, &s, Some("已保存加减分事项".into()), None).await?.render()?).into_response()),
        Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(list_page(&st, &s, None, Some(e)).await?.render()?)).into_response()),
    }
}

pub struct ResultRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub index: String,
    pub adjustment: String,
    pub score: String,
    pub rank: String,
    pub change: Option<i64>,
    pub band: String,
    pub consequences: String,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct ResultPage {
    shell: Shell,
    id: i64,
    year: i32,
    scheme: String,
    published: bool,
    can_publish: bool,
    rows: Vec<ResultRow>,
    consequences: Vec<(String, String, String)>,
    notices: Vec<String>,
    chart: String,
    demo: bool,
    message: Option<String>,
    error: Option<String>,
}

fn f2(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

async fn result_page(st: &AppState, s: &Session, id: i64, message: Option<String>) -> Result<ResultPage, AppError> {
    let r = evaluations::run(&st.db, id).await?.ok_or_else(|| AppError::NotFound(format!("考核 {id}")))?;
    let scheme = evaluations::scheme(&st.db, r.scheme_id).await?.map(|x| format!("{}（第{}版）", x.name, x.version)).unwrap_or_default();
    let o = &r.outcome;
    let order = o.rank_order();
    let rows = order
        .iter()
        .map(|&i| {
            let u = &o.units[i];
            let band = r.mc.as_ref().and_then(|m| m.stats.iter().find(|x| x.unit == u.code)).map(|x| format!("{}（{}–{}）", f1(x.median), f1(x.q5), f1(x.q95))).unwrap_or_default();
            ResultRow {
                code: u.code.clone(),
                name: u.name.clone(),
                kind: u.groups.get("类型").cloned().unwrap_or_default(),
                index: f2(o.index[i]),
                adjustment: if o.adjustment_total[i] == 0.0 { String::new() } else { format!("{:+.2}", o.adjustment_total[i]) },
                score: f2(o.scores[i]),
                rank: o.ranks[i].map(|k| k.to_string()).unwrap_or_else(|| "—".into()),
                change: o.rank_change[i],
                band,
                consequences: o.consequences.iter().filter(|c| c.unit == u.code).map(|c| c.label.clone()).collect::<Vec<_>>().join("、"),
            }
        })
        .collect();
    let name_of = |c: &str| o.units.iter().find(|u| u.code == c).map(|u| u.name.clone()).unwrap_or_default();
    Ok(ResultPage {
        shell: Shell::new(s, "evaluations"),
        id,
        year: r.year,
        scheme,
        published: r.published,
        can_publish: !r.published && s.who.role.is_admin(),
        consequences: o.consequences.iter().map(|c| (c.label.clone(), name_of(&c.unit), c.reason.clone())).collect(),
        notices: o.notices.clone(),
        chart: r.mc.as_ref().map(|m| band_chart(o, m)).unwrap_or_default(),
        demo: is_demo(st, &r).await?,
        rows,
        message,
        error: None,
    })
}

fn f1(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into())
}

/// Whether a run rests on 示例数据: the demo's adjustment cases say so in their evidence, and the
/// demo's values are marked in the store (a year without demo cases still ranks demo values).
async fn is_demo(st: &AppState, r: &evaluations::Run) -> Result<bool, AppError> {
    if r.inputs.evidence.iter().any(|e| e.text.contains("示例数据")) {
        return Ok(true);
    }
    let december = Month::new(r.year, 12).ok_or_else(|| AppError::BadRequest(format!("年度 {} 无效", r.year)))?;
    Ok(observations::approved_demo_until(&st.db, december).await?)
}

/// The latest published run before `year`: what a score card's changes are measured against.
async fn previous_published(st: &AppState, year: i32) -> Result<Option<evaluations::Run>, AppError> {
    Ok(evaluations::runs(&st.db).await?.into_iter().filter(|p| p.published && p.year < year).max_by_key(|p| p.year))
}

/// Rank intervals (5th–95th percentile) with the median and the nominal rank, one row per unit.
fn band_chart(o: &nengji_core::evaluate::Outcome, m: &nengji_core::evaluate::McResult) -> String {
    let n = o.units.len().max(1) as f64;
    let (left, width, row) = (150.0, 560.0, 22.0);
    let x = |rank: f64| left + (rank - 1.0) / (n - 1.0).max(1.0) * width;
    let order = o.rank_order();
    let h = 50.0 + row * order.len() as f64;
    let esc = nengji_office::chart::escape;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 {h}" width="760" height="{h}" role="img" aria-label="排名不确定性：5%–95%区间" font-family="{}" font-size="12">"##,
        nengji_office::chart::FONT_FAMILY
    );
    svg.push_str(&format!(r##"<text x="380" y="16" text-anchor="middle" font-size="14">排名不确定性（{} 次模拟，5%–95%区间，●中位数，×名义排名）</text>"##, m.replications));
    for k in 1..=o.units.len() {
        svg.push_str(&format!(r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#777">{k}</text>"##, x(k as f64), h - 8.0));
    }
    for (row_i, &i) in order.iter().enumerate() {
        let y = 36.0 + row * row_i as f64;
        let u = &o.units[i];
        svg.push_str(&format!(r##"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"##, left - 10.0, y + 4.0, esc(&u.name)));
        if let Some(st) = m.stats.iter().find(|x| x.unit == u.code) {
            if let (Some(q5), Some(q95), Some(med)) = (st.q5, st.q95, st.median) {
                svg.push_str(&format!(
                    r##"<g><title>{}：名义第{}名，中位数{:.1}，区间{:.1}–{:.1}</title><line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#1d4ed8" stroke-width="4" stroke-linecap="round"/><circle cx="{:.1}" cy="{y:.1}" r="4" fill="#1d4ed8"/></g>"##,
                    esc(&u.name), st.nominal.map(|k| k.to_string()).unwrap_or_default(), med, q5, q95, x(q5), x(q95), x(med)
                ));
            }
            if let Some(nom) = st.nominal {
                let nx = x(nom as f64);
                svg.push_str(&format!(r##"<path d="M{:.1} {:.1} l8 8 m0 -8 l-8 8" stroke="#b42318" stroke-width="2"/>"##, nx - 4.0, y - 4.0));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

async fn show(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    reader(&s.who)?;
    Ok(Html(result_page(&st, &s, id, None).await?.render()?))
}

async fn publish(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    office(&s)?;
    evaluations::publish(&st.db, &actor(&s), id).await?;
    Ok(Html(result_page(&st, &s, id, Some("考核结果已发布，输入与方案已冻结".into())).await?.render()?))
}

/// Re-runs a published evaluation from its frozen scheme, inputs and context and says whether
/// the result is the published one bit for bit. Reading only, so everyone who reads results may check.
async fn verify(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    reader(&s.who)?;
    let mut page = result_page(&st, &s, id, None).await?;
    if !page.published {
        return Err(AppError::BadRequest("只有已发布的考核结果才能复算核对".into()));
    }
    match service::reproduces(&st.db, id).await? {
        true => page.message = Some("复算核对：按冻结的方案与输入重新计算，结果与发布结果逐位一致".into()),
        false => page.error = Some("复算核对：重新计算的结果与发布结果不一致，请联系管理员".into()),
    }
    Ok(Html(page.render()?))
}

async fn export(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Response, AppError> {
    reader(&s.who)?;
    let r = evaluations::run(&st.db, id).await?.ok_or_else(|| AppError::NotFound(format!("考核 {id}")))?;
    let mut t = results_table(&r.outcome, r.mc.as_ref());
    t.sheet = format!("{}年考核结果", r.year);
    let bytes = nengji_office::write_xlsx(&[t]).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, crate::pages::attachment(&format!("evaluation-{}.xlsx", r.year), &format!("{}年开发区综合考核结果.xlsx", r.year))),
        ],
        bytes,
    )
        .into_response())
}

pub struct CardItem {
    pub depth: u32,
    pub name: String,
    pub aggregate: bool,
    pub raw: String,
    pub value: String,
    pub share: String,
    pub to_index: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "evaluation_card.html")]
struct CardPage {
    shell: Shell,
    id: i64,
    year: i32,
    name: String,
    score: String,
    rank: String,
    rank_change: Option<i64>,
    index: String,
    adjustments: Vec<(String, String, String)>,
    items: Vec<CardItem>,
}

/// A zone's score card: the contribution of every indicator and pillar, and their change since
/// the previous published evaluation.
async fn card(State(st): State<AppState>, PageUser(s): PageUser, Path((id, code)): Path<(i64, String)>) -> Result<Html<String>, AppError> {
    reader(&s.who)?;
    let r = evaluations::run(&st.db, id).await?.ok_or_else(|| AppError::NotFound(format!("考核 {id}")))?;
    let previous = previous_published(&st, r.year).await?;
    let e = explain(&r.outcome, &code, previous.as_ref().map(|p| &p.outcome)).ok_or_else(|| AppError::NotFound(format!("单位“{code}”")))?;
    let items = tree_order(&e.items)
        .into_iter()
        .map(|(depth, c)| CardItem {
            depth,
            name: c.name.clone(),
            aggregate: c.kind != NodeKind::Indicator,
            raw: c.raw.map(|v| format!("{v:.2}")).unwrap_or_default(),
            value: f2(c.value),
            share: c.share.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_default(),
            to_index: f2(c.to_index),
            change: e.changes.iter().find(|x| x.code == c.code).and_then(|x| x.to_index_change).map(|v| format!("{v:+.2}")).unwrap_or_default(),
        })
        .collect();
    Ok(Html(
        CardPage {
            shell: Shell::new(&s, "evaluations"),
            id,
            year: r.year,
            name: e.name.clone(),
            score: f2(e.score),
            rank: e.rank.map(|k| k.to_string()).unwrap_or_else(|| "—".into()),
            rank_change: e.rank_change,
            index: f2(e.index),
            adjustments: e.adjustments.iter().map(|a| (a.name.clone(), format!("{:+.2}", a.points), a.evidence.join("；"))).collect(),
            items,
        }
        .render()?,
    ))
}

/// The card reads top-down, each pillar followed by its indicators, each with its depth below
/// the index (the indentation); the engine lists them bottom-up.
fn tree_order(items: &[nengji_core::evaluate::Contribution]) -> Vec<(u32, &nengji_core::evaluate::Contribution)> {
    type Row<'a> = (u32, &'a nengji_core::evaluate::Contribution);
    fn visit<'a>(items: &'a [nengji_core::evaluate::Contribution], parent: Option<&str>, depth: u32, out: &mut Vec<Row<'a>>) {
        for c in items.iter().filter(|c| c.parent.as_deref() == parent) {
            out.push((depth, c));
            visit(items, Some(&c.code), depth + 1, out);
        }
    }
    let mut out = Vec::with_capacity(items.len());
    visit(items, None, 0, &mut out);
    // Anything not reached from the top (none in a valid tree) is still shown.
    for c in items {
        if !out.iter().any(|(_, o)| std::ptr::eq(*o, c)) {
            out.push((0, c));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "evaluation_schemes.html")]
struct SchemesPage {
    shell: Shell,
    text: String,
    versions: Vec<(String, i64, String, String)>,
    message: Option<String>,
    error: Option<String>,
}

async fn schemes_page(st: &AppState, s: &Session, text: Option<String>, message: Option<String>, error: Option<String>) -> Result<SchemesPage, AppError> {
    let all = evaluations::schemes(&st.db).await?;
    let text = match text {
        Some(t) => t,
        None => all.first().and_then(|x| toml::to_string_pretty(&x.scheme).ok()).unwrap_or_else(|| service::DEMO_SCHEME.to_string()),
    };
    let versions = all.iter().map(|x| (x.name.clone(), x.version, x.created_by.clone(), crate::pages::beijing(x.created_at))).collect();
    Ok(SchemesPage { shell: Shell::new(s, "evaluations"), text, versions, message, error })
}

async fn schemes(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    office(&s)?;
    Ok(Html(schemes_page(&st, &s, None, None, None).await?.render()?))
}

#[derive(Deserialize)]
struct SchemeForm {
    text: String,
}

/// Saves a new version after checking it: parse, then a trial run on last year's data so that
/// a broken tree, weights or unknown column is refused before anyone relies on it.
async fn save_scheme(State(st): State<AppState>, PageUser(s): PageUser, Form(f): Form<SchemeForm>) -> Result<Response, AppError> {
    office(&s)?;
    let refuse = |e: String| async {
        let p = schemes_page(&st, &s, Some(f.text.clone()), None, Some(e)).await?;
        Ok::<_, AppError>((StatusCode::UNPROCESSABLE_ENTITY, Html(p.render()?)).into_response())
    };
    let scheme = match service::parse_scheme(&f.text) {
        Ok(x) => x,
        Err(e) => return refuse(e).await,
    };
    let inputs = service::build_inputs(&st.db, &scheme, 2019).await?;
    let known: Vec<&str> = inputs.columns.iter().map(|c| c.code.as_str()).collect();
    if let Some(bad) = scheme.indicators.iter().find(|i| !known.contains(&i.column())) {
        return refuse(format!("指标“{}”的数据列“{}”在平台数据中不存在", bad.name, bad.column())).await;
    }
    if let Err(e) = nengji_core::evaluate::evaluate(&scheme, &inputs, &Default::default()) {
        return refuse(e.to_string()).await;
    }
    evaluations::save_scheme(&st.db, &actor(&s), &scheme).await?;
    Ok(Html(schemes_page(&st, &s, None, Some(format!("已保存“{}”的新版本", scheme.name)), None).await?.render()?).into_response())
}
