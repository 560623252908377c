//! Zone list and zone profile. A zone reporter sees only the profiles of its own zones.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use nengji_core::codes::division_name;
use nengji_core::indicator::IndicatorKind;
use nengji_store::masterdata;
use serde::Deserialize;

use crate::auth::PageUser;
use crate::error::AppError;
use crate::figures::{choose_period, Figure, Snapshot};
use crate::page_cache;
use crate::shell::Shell;
use crate::AppState;

pub struct ZoneItem {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub level: String,
    pub county: String,
    pub groups: String,
    pub industries: String,
    pub readable: bool,
}

pub struct GroupTab {
    pub code: String,
    pub name: String,
    pub count: usize,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "zones.html")]
struct ZonesPage {
    shell: Shell,
    zones: Vec<ZoneItem>,
    groups: Vec<GroupTab>,
    all_active: bool,
    total: usize,
}

#[derive(Deserialize)]
pub struct GroupQuery {
    group: Option<String>,
}

pub async fn list(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<GroupQuery>) -> Result<Html<String>, AppError> {
    let all = masterdata::list_zones(&st.db).await?;
    let groups = masterdata::list_groups(&st.db).await?;
    let group_name = |code: &str| groups.iter().find(|g| g.code == code).map(|g| g.name.clone()).unwrap_or_else(|| code.to_string());
    let selected = q.group.filter(|g| !g.is_empty());
    let zones = all
        .iter()
        .filter(|z| selected.as_ref().is_none_or(|g| z.zone.groups.contains(g)))
        .map(|z| ZoneItem {
            code: z.zone.code.clone(),
            name: z.zone.name.clone(),
            short_name: z.zone.short_name.clone(),
            kind: z.zone.kind.label().into(),
            level: z.zone.level.label().into(),
            county: division_name(&z.zone.county_code).map(|n| format!("{n}（{}）", z.zone.county_code)).unwrap_or_else(|| z.zone.county_code.clone()),
            groups: z.zone.groups.iter().map(|g| group_name(g)).collect::<Vec<_>>().join("、"),
            industries: z.zone.leading_industries.clone(),
            readable: s.who.can_read_zone(&z.zone.code),
        })
        .collect();
    let tabs = groups
        .iter()
        .map(|g| GroupTab {
            code: g.code.clone(),
            name: g.name.clone(),
            count: all.iter().filter(|z| z.zone.groups.contains(&g.code)).count(),
            active: selected.as_deref() == Some(g.code.as_str()),
        })
        .collect();
    Ok(Html(ZonesPage { shell: Shell::new(&s, "zones"), zones, groups: tabs, all_active: selected.is_none(), total: all.len() }.render()?))
}

pub struct IndicatorFigure {
    pub name: String,
    pub unit: String,
    pub flow: bool,
    pub figure: Figure,
}

#[derive(Template)]
#[template(path = "zone.html")]
struct ZonePage {
    shell: Shell,
    title: String,
    body: std::sync::Arc<str>,
}

/// What the profile shows, the same for everyone who may read the zone.
#[derive(Template)]
#[template(path = "zone_body.html")]
struct ZoneBody {
    zone: ZoneItem,
    area: String,
    period: String,
    period_value: String,
    figures: Vec<IndicatorFigure>,
    demo: bool,
    /// Trend charts and ranks (crate::monitor::zone), already rendered.
    monitor: String,
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
    /// Indicator of the trend charts.
    chart: Option<String>,
}

pub async fn profile(
    State(st): State<AppState>,
    PageUser(s): PageUser,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Html<String>, AppError> {
    let z = masterdata::get_zone(&st.db, &code).await?.ok_or_else(|| AppError::NotFound(format!("开发区“{code}”")))?;
    if !s.who.can_read_zone(&z.zone.code) {
        return Err(AppError::Forbidden);
    }
    let key = format!("zone\u{1f}{}\u{1f}{}\u{1f}{}", z.zone.code, q.period.as_deref().unwrap_or(""), q.chart.as_deref().unwrap_or(""));
    let title = z.zone.short_name.clone();
    let body = page_cache::body(&st.db, key, profile_body(&st, z, q)).await?;
    Ok(Html(ZonePage { shell: Shell::new(&s, "zones"), title, body }.render()?))
}

async fn profile_body(st: &AppState, z: masterdata::StoredZone, q: PeriodQuery) -> Result<String, AppError> {
    let groups = masterdata::list_groups(&st.db).await?;
    let inds = masterdata::list_indicators(&st.db).await?;
    let period = choose_period(&st.db, q.period.as_deref()).await?;
    let (figures, demo, label, value) = match period {
        Some(p) => {
            let snap = Snapshot::load(&st.db, vec![z.zone.code.clone()], None, p, true).await?;
            let figs = inds
                .iter()
                .filter(|i| i.indicator.kind != IndicatorKind::Formula)
                .map(|i| IndicatorFigure {
                    name: i.indicator.name.clone(),
                    unit: i.indicator.unit.clone(),
                    flow: i.indicator.kind == IndicatorKind::Flow,
                    figure: snap.figure(&z.zone.code, i),
                })
                .collect();
            (figs, snap.demo, p.label(), p.to_string())
        }
        None => (Vec::new(), false, "暂无数据".into(), String::new()),
    };
    let item = ZoneItem {
        code: z.zone.code.clone(),
        name: z.zone.name.clone(),
        short_name: z.zone.short_name.clone(),
        kind: z.zone.kind.label().into(),
        level: z.zone.level.label().into(),
        county: division_name(&z.zone.county_code).map(|n| format!("{n}（{}）", z.zone.county_code)).unwrap_or_default(),
        groups: z.zone.groups.iter().filter_map(|g| groups.iter().find(|x| &x.code == g)).map(|g| g.name.clone()).collect::<Vec<_>>().join("、"),
        industries: z.zone.leading_industries.clone(),
        readable: true,
    };
    let area = z.zone.area_ha.map(|a| format!("{a} 公顷")).unwrap_or_else(|| "未填报".into());
    let monitor = crate::monitor::zone::section(&st.db, &z.zone.code, period, q.chart.as_deref()).await?;
    Ok(ZoneBody { zone: item, area, period: label, period_value: value, figures, demo, monitor }.render()?)
}
