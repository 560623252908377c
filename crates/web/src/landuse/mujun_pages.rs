//! /mujun: 亩均效益 gradings, their 公示 workflow, the enterprise card and the figure import.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use nengji_core::auth::Role;
use nengji_core::landuse::mujun::{self, MujunScheme, NOT_RATED};
use nengji_core::masterdata::Table;
use nengji_store::landuse::{self, MujunRun, RunStatus, SchemeKind};
use nengji_store::masterdata;
use serde::Deserialize;

use super::{actor, data_sheet, office, problems, read_upload, scope, service, xlsx, Problem};
use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

async fn zone_names(st: &AppState) -> Result<HashMap<String, String>, AppError> {
    Ok(masterdata::list_zones(&st.db).await?.into_iter().map(|z| (z.zone.code, z.zone.short_name)).collect())
}

async fn load_run(st: &AppState, id: i64) -> Result<(MujunRun, landuse::Stored<MujunScheme>), AppError> {
    let run = landuse::run(&st.db, id).await?.ok_or_else(|| AppError::NotFound(format!("亩均评价 {id}")))?;
    let scheme = service::mujun_scheme(&st.db, run.scheme_id).await?;
    Ok((run, scheme))
}

pub struct RunItem {
    pub id: i64,
    pub year: i32,
    pub scheme: String,
    pub status: &'static str,
    pub window: String,
    pub firms: usize,
}

#[derive(Template)]
#[template(path = "mujun_overview.html")]
struct OverviewPage {
    shell: Shell,
    runs: Vec<RunItem>,
    years: Vec<(i32, i64)>,
    schemes: Vec<(i64, String)>,
    error: Option<String>,
}

async fn overview_page(st: &AppState, s: &Session, error: Option<String>) -> Result<OverviewPage, AppError> {
    let schemes = landuse::schemes::<MujunScheme>(&st.db, SchemeKind::Mujun).await?;
    let label = |id: i64| schemes.iter().find(|x| x.id == id).map(|x| format!("{}（第{}版）", x.name, x.version)).unwrap_or_default();
    let scope = scope(s);
    let runs = landuse::runs(&st.db)
        .await?
        .into_iter()
        .map(|r| RunItem {
            id: r.id,
            year: r.year,
            scheme: label(r.scheme_id),
            status: r.status.label(),
            window: match (r.publicity_start, r.publicity_end) {
                (Some(a), Some(b)) => format!("{a} 至 {b}"),
                _ => String::new(),
            },
            firms: r.outcome.results.iter().filter(|x| scope.as_ref().is_none_or(|z| z.contains(&x.zone))).count(),
        })
        .collect();
    let mut latest: Vec<(i64, String)> = Vec::new();
    for x in &schemes {
        if !latest.iter().any(|(id, _)| schemes.iter().any(|y| y.id == *id && y.code == x.code)) {
            latest.push((x.id, format!("{}（第{}版）", x.name, x.version)));
        }
    }
    Ok(OverviewPage { shell: Shell::new(s, "mujun"), runs, years: landuse::figure_years(&st.db).await?, schemes: latest, error })
}

pub async fn overview(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    Ok(Html(overview_page(&st, &s, None).await?.render()?))
}

#[derive(Deserialize)]
pub struct CreateForm {
    scheme: i64,
    year: i32,
}

pub async fn create(State(st): State<AppState>, PageUser(s): PageUser, Form(f): Form<CreateForm>) -> Result<Response, AppError> {
    office(&s)?;
    match service::grade(&st.db, &actor(&s), f.scheme, f.year).await {
        Ok(id) => Ok(Redirect::to(&format!("/mujun/runs/{id}")).into_response()),
        Err(AppError::BadRequest(m)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(overview_page(&st, &s, Some(m)).await?.render()?)).into_response()),
        Err(e) => Err(e),
    }
}

pub struct ResultRow {
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub segment: String,
    pub score: String,
    pub rank: String,
    pub class: String,
    pub consequences: String,
    pub note: String,
}

pub struct ZoneSummary {
    pub name: String,
    pub counts: Vec<usize>,
    pub rated: usize,
    pub tax_per_mu: String,
}

pub struct ObjectionRow {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub text: String,
    pub filed: String,
    pub status: &'static str,
    pub open: bool,
    pub resolution: String,
}

#[derive(Template)]
#[template(path = "mujun_run.html")]
struct RunPage {
    shell: Shell,
    id: i64,
    year: i32,
    scheme: String,
    status: &'static str,
    status_code: &'static str,
    window: String,
    version: i64,
    demo: bool,
    classes: Vec<(String, String, usize)>,
    summary: Vec<ZoneSummary>,
    benchmarks: Vec<(String, String, String, String)>,
    rows: Vec<ResultRow>,
    objections: Vec<ObjectionRow>,
    can_manage: bool,
    can_object: bool,
    default_start: String,
    default_end: String,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct RunQuery {
    zone: Option<String>,
    class: Option<String>,
}

async fn run_page(st: &AppState, s: &Session, id: i64, q: RunQuery, message: Option<String>, error: Option<String>) -> Result<RunPage, AppError> {
    let (run, scheme) = load_run(st, id).await?;
    let names = zone_names(st).await?;
    let scope = scope(s);
    let visible = |z: &str| scope.as_ref().is_none_or(|zs| zs.iter().any(|x| x == z));
    let streaks = service::streaks(&st.db, &run).await?;
    let sc = &scheme.scheme;
    let mut class_codes: Vec<String> = sc.bands.iter().map(|b| b.class.clone()).collect();
    class_codes.push(NOT_RATED.into());
    let mine: Vec<&mujun::EnterpriseResult> = run.outcome.results.iter().filter(|r| visible(&r.zone)).collect();
    let classes = class_codes.iter().map(|c| (c.clone(), sc.class_name(c).to_string(), mine.iter().filter(|r| r.class == *c).count())).collect();
    // Per-zone summary: class counts and the zone's aggregate 亩均税收 of rated firms.
    let figures = landuse::figures(&st.db, run.year, scope.as_deref()).await?;
    let mut zones: Vec<String> = Vec::new();
    for r in &mine {
        if !zones.contains(&r.zone) {
            zones.push(r.zone.clone());
        }
    }
    let summary = zones
        .iter()
        .map(|z| {
            let rs: Vec<&&mujun::EnterpriseResult> = mine.iter().filter(|r| r.zone == *z).collect();
            let rated: Vec<&str> = rs.iter().filter(|r| r.class != NOT_RATED).map(|r| r.uscc.as_str()).collect();
            let (tax, land) = figures.iter().filter(|f| f.zone == *z && rated.contains(&f.uscc.as_str())).fold((0.0, 0.0), |(t, l), f| (t + f.tax.unwrap_or(0.0), l + f.land_mu));
            ZoneSummary {
                name: names.get(z).cloned().unwrap_or_else(|| z.clone()),
                counts: class_codes.iter().map(|c| rs.iter().filter(|r| r.class == *c).count()).collect(),
                rated: rated.len(),
                tax_per_mu: if land > 0.0 { format!("{:.2}", tax / land) } else { "—".into() },
            }
        })
        .collect();
    let seg_name = |c: &str| sc.segments.iter().find(|x| x.code == c).map(|x| x.name.clone()).unwrap_or_default();
    let benchmarks = run.outcome.benchmarks.iter().map(|b| (seg_name(&b.segment), format!("{}（{}）", b.metric.label(), b.metric.unit()), format!("{:.4}", b.value), b.trail.clone())).collect();
    let mut rows: Vec<&&mujun::EnterpriseResult> = mine
        .iter()
        .filter(|r| q.zone.as_ref().is_none_or(|z| z.is_empty() || *z == r.zone) && q.class.as_ref().is_none_or(|c| c.is_empty() || *c == r.class))
        .collect();
    rows.sort_by(|a, b| (a.segment.is_empty(), &a.segment, &a.zone, a.rank.unwrap_or(u32::MAX)).cmp(&(b.segment.is_empty(), &b.segment, &b.zone, b.rank.unwrap_or(u32::MAX))));
    let rows = rows
        .into_iter()
        .map(|r| ResultRow {
            uscc: r.uscc.clone(),
            name: r.name.clone(),
            zone: names.get(&r.zone).cloned().unwrap_or_else(|| r.zone.clone()),
            segment: seg_name(&r.segment),
            score: super::f2(r.score),
            rank: r.rank.map(|k| format!("{k}/{}", r.group_size)).unwrap_or_else(|| "—".into()),
            class: r.class.clone(),
            consequences: sc.consequences_for(&r.class, streaks.get(&r.uscc).copied().unwrap_or(1)).join("；"),
            note: r.note.clone(),
        })
        .collect();
    let firm_name = |u: &str| run.outcome.results.iter().find(|r| r.uscc == u).map(|r| r.name.clone()).unwrap_or_default();
    let firm_zone = |u: &str| run.outcome.results.iter().find(|r| r.uscc == u).map(|r| r.zone.clone()).unwrap_or_default();
    let objections = landuse::objections(&st.db, id)
        .await?
        .into_iter()
        .filter(|o| visible(&firm_zone(&o.uscc)))
        .map(|o| ObjectionRow {
            id: o.id,
            name: firm_name(&o.uscc),
            filed: format!("{}（{}）", crate::pages::beijing(o.filed_at), o.filed_by),
            status: o.status_label(),
            open: o.status == "open",
            resolution: match (&o.resolved_by, o.resolved_at) {
                (Some(by), Some(at)) => format!("{}（{by}，{}）", o.resolution, crate::pages::beijing(at)),
                _ => String::new(),
            },
            uscc: o.uscc,
            text: o.text,
        })
        .collect();
    let today = crate::collect::today();
    Ok(RunPage {
        shell: Shell::new(s, "mujun"),
        id,
        year: run.year,
        scheme: format!("{}（第{}版）", scheme.name, scheme.version),
        status: run.status.label(),
        status_code: match run.status {
            RunStatus::Draft => "draft",
            RunStatus::Publicity => "publicity",
            RunStatus::Final => "final",
        },
        window: match (run.publicity_start, run.publicity_end) {
            (Some(a), Some(b)) => format!("{a} 至 {b}"),
            _ => String::new(),
        },
        version: run.version,
        demo: run.created_by == "demo",
        classes,
        summary,
        benchmarks,
        rows,
        objections,
        can_manage: s.who.role.is_admin(),
        can_object: run.status == RunStatus::Publicity && matches!(s.who.role, Role::Admin | Role::ZoneReporter),
        default_start: today.to_string(),
        default_end: (today + chrono::Duration::days(sc.publicity_days.max(1) as i64 - 1)).to_string(),
        message,
        error,
    })
}

pub async fn show(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Query(q): Query<RunQuery>) -> Result<Html<String>, AppError> {
    Ok(Html(run_page(&st, &s, id, q, None, None).await?.render()?))
}

/// Renders the run page after a workflow step: the message, or the refusal with 422/409.
async fn after(st: &AppState, s: &Session, id: i64, r: Result<(), AppError>, ok: &str) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Html(run_page(st, s, id, RunQuery::default(), Some(ok.into()), None).await?.render()?).into_response()),
        Err(AppError::BadRequest(m)) => {
            let status = if m.contains("已被他人更新") { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok((status, Html(run_page(st, s, id, RunQuery::default(), None, Some(m)).await?.render()?)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct PublicityForm {
    version: i64,
    start: String,
    end: String,
}

fn date(s: &str, field: &str) -> Result<NaiveDate, AppError> {
    s.trim().parse().map_err(|_| AppError::BadRequest(format!("{field}“{s}”不是有效日期（如 2021-05-10）")))
}

pub async fn publicity(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<PublicityForm>) -> Result<Response, AppError> {
    office(&s)?;
    let r = async {
        let (a, b) = (date(&f.start, "公示开始日期")?, date(&f.end, "公示结束日期")?);
        Ok(landuse::start_publicity(&st.db, &actor(&s), id, f.version, a, b).await?)
    }
    .await;
    after(&st, &s, id, r, "已进入公示").await
}

#[derive(Deserialize)]
pub struct ObjectionForm {
    uscc: String,
    text: String,
}

/// Records an objection: the office for any firm, a zone reporter for its zones' firms.
pub async fn object(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<ObjectionForm>) -> Result<Response, AppError> {
    let (run, _) = load_run(&st, id).await?;
    let uscc = f.uscc.trim().to_uppercase();
    match s.who.role {
        Role::Admin => {}
        Role::ZoneReporter => {
            let zone = run.outcome.results.iter().find(|r| r.uscc == uscc).map(|r| r.zone.clone());
            if !zone.is_some_and(|z| s.who.zones.contains(&z)) {
                return Err(AppError::Forbidden);
            }
        }
        _ => return Err(AppError::Forbidden),
    }
    let r = landuse::file_objection(&st.db, &actor(&s), id, &uscc, &f.text, crate::collect::today()).await.map(|_| ()).map_err(Into::into);
    after(&st, &s, id, r, "异议已登记").await
}

#[derive(Deserialize)]
pub struct ResolveForm {
    decision: String,
    resolution: String,
}

pub async fn resolve(State(st): State<AppState>, PageUser(s): PageUser, Path((id, oid)): Path<(i64, i64)>, Form(f): Form<ResolveForm>) -> Result<Response, AppError> {
    office(&s)?;
    if !landuse::objections(&st.db, id).await?.iter().any(|o| o.id == oid) {
        return Err(AppError::NotFound(format!("异议 {oid}")));
    }
    let r = landuse::resolve_objection(&st.db, &actor(&s), oid, f.decision == "upheld", &f.resolution).await.map_err(Into::into);
    after(&st, &s, id, r, "异议已处理").await
}

#[derive(Deserialize)]
pub struct VersionForm {
    version: i64,
}

pub async fn finalise(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<VersionForm>) -> Result<Response, AppError> {
    office(&s)?;
    let r = landuse::finalise(&st.db, &actor(&s), id, f.version, crate::collect::today()).await.map_err(Into::into);
    after(&st, &s, id, r, "评价结果已定稿").await
}

pub async fn recompute(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<VersionForm>) -> Result<Response, AppError> {
    office(&s)?;
    let r = service::regrade(&st.db, &actor(&s), id, f.version).await;
    after(&st, &s, id, r, "已按最新企业数据重新计算").await
}

pub async fn export(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (run, scheme) = load_run(&st, id).await?;
    let streaks = service::streaks(&st.db, &run).await?;
    let t = service::mujun_table(&run, &scheme.scheme, scope(&s).as_deref(), &zone_names(&st).await?, &streaks);
    xlsx(&[t], &format!("mujun-{}.xlsx", run.year), &format!("{}年亩均效益评价结果.xlsx", run.year))
}

pub struct TrailRow {
    pub metric: String,
    pub unit: &'static str,
    pub parts: String,
    pub value: String,
    pub benchmark: String,
    pub benchmark_trail: String,
    pub weight: String,
    pub arithmetic: String,
    pub score: String,
}

#[derive(Template)]
#[template(path = "mujun_card.html")]
struct CardPage {
    shell: Shell,
    id: i64,
    year: i32,
    name: String,
    uscc: String,
    zone: String,
    segment: String,
    score: String,
    rank: String,
    class: String,
    class_name: String,
    note: String,
    trail: Vec<TrailRow>,
    adjustments: Vec<(String, String, String)>,
    adjustment: String,
    consequences: Vec<String>,
    streak: u32,
    objections: Vec<(String, &'static str, String)>,
}

/// A firm's card: every item's value, benchmark (and how it was set), weight and arithmetic.
pub async fn card(State(st): State<AppState>, PageUser(s): PageUser, Path((id, uscc)): Path<(i64, String)>) -> Result<Html<String>, AppError> {
    let (run, scheme) = load_run(&st, id).await?;
    let r = run.outcome.results.iter().find(|r| r.uscc == uscc).ok_or_else(|| AppError::NotFound(format!("企业“{uscc}”")))?;
    if scope(&s).is_some_and(|z| !z.contains(&r.zone)) {
        return Err(AppError::Forbidden);
    }
    let sc = &scheme.scheme;
    let fig = landuse::figures(&st.db, run.year, Some(std::slice::from_ref(&r.zone))).await?.into_iter().find(|f| f.uscc == uscc);
    let trail = r
        .items
        .iter()
        .map(|it| {
            let b = run.outcome.benchmarks.iter().find(|b| b.segment == r.segment && b.metric == it.metric);
            let parts = fig.as_ref().map(|f| match it.metric.parts(f) {
                (Some(n), Some(d)) => format!("{n} ÷ {d}"),
                _ => "数据缺失".into(),
            });
            TrailRow {
                metric: it.metric.label().into(),
                unit: it.metric.unit(),
                parts: parts.unwrap_or_default(),
                value: it.value.map(|v| format!("{v:.4}")).unwrap_or_else(|| "缺失".into()),
                benchmark: format!("{:.4}", it.benchmark),
                benchmark_trail: b.map(|b| b.trail.clone()).unwrap_or_default(),
                weight: it.weight.to_string(),
                arithmetic: match (it.value, it.imputed) {
                    (Some(v), _) => format!("{v:.4} ÷ {:.4} × {} = {:.4}", it.benchmark, it.weight, it.score),
                    (None, true) => format!("数据缺失，取本组有数据企业该项平均得分 {:.4}", it.score),
                    (None, false) => "数据缺失，该项得 0 分".into(),
                },
                score: format!("{:.4}", it.score),
            }
        })
        .collect();
    let adjustments = fig
        .as_ref()
        .map(|f| {
            f.items
                .iter()
                .filter_map(|(code, n)| sc.adjustments.iter().find(|a| a.code == *code).map(|a| (a.name.clone(), n.to_string(), format!("{:+} 分/项{}", a.points, a.cap.map(|c| format!("，上限 {c} 分")).unwrap_or_default()))))
                .collect()
        })
        .unwrap_or_default();
    let streak = service::streaks(&st.db, &run).await?.get(&uscc).copied().unwrap_or(1);
    let objections = landuse::objections(&st.db, id).await?.into_iter().filter(|o| o.uscc == uscc).map(|o| (o.text.clone(), o.status_label(), o.resolution)).collect();
    let zone = zone_names(&st).await?.get(&r.zone).cloned().unwrap_or_else(|| r.zone.clone());
    Ok(Html(
        CardPage {
            shell: Shell::new(&s, "mujun"),
            id,
            year: run.year,
            name: r.name.clone(),
            uscc: r.uscc.clone(),
            zone,
            segment: sc.segments.iter().find(|x| x.code == r.segment).map(|x| x.name.clone()).unwrap_or_default(),
            score: super::f2(r.score),
            rank: r.rank.map(|k| format!("{k} / {}", r.group_size)).unwrap_or_else(|| "—".into()),
            class: r.class.clone(),
            class_name: sc.class_name(&r.class).into(),
            note: r.note.clone(),
            trail,
            adjustments,
            adjustment: format!("{:+.2}", r.adjustment),
            consequences: sc.consequences_for(&r.class, streak),
            streak,
            objections,
        }
        .render()?,
    ))
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
        action: "/mujun/import",
        title: "企业亩均数据导入",
        template: "/mujun/template.xlsx",
        hint: "每行一家企业一个年度，以统一社会信用代码为键（按 GB 32100 校验）；金额万元，用地亩，能耗吨标煤，用电万千瓦时。加减分事项列的表头写作“加减分:代码”。已有的企业年度数据会被更新。",
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
    match mujun::parse_enterprises(&table, &zones) {
        Err(errs) => {
            page.error = Some(format!("文件有 {} 处问题，未导入任何数据。请修改后重新上传。", errs.len()));
            page.problems = problems(&errs);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Ok(firms) if !up.commit => {
            page.checked = Some(format!("检查通过：{} 家企业，未写入。确认无误后选择同一文件点“导入”。", firms.len()));
            Ok(Html(page.render()?).into_response())
        }
        Ok(firms) => {
            let (new, changed) = landuse::import_figures(&st.db, &actor(&s), &firms, &up.name).await?;
            page.result = Some(format!("已导入 {} 家企业：新增 {new}，更新 {changed}。", firms.len()));
            Ok(Html(page.render()?).into_response())
        }
    }
}

pub async fn template(PageUser(_): PageUser) -> Result<Response, AppError> {
    let t = Table { sheet: "企业亩均数据".into(), header: mujun::template_header(), rows: vec![] };
    xlsx(&[t], "mujun-template.xlsx", "企业亩均数据导入模板.xlsx")
}

