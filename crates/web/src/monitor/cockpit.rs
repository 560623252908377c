//! 驾驶舱: a tile per target of the plan, city totals with growth, the monthly league table.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use super::panel::{Over, Panel};
use super::targets::{evaluate_all, status_code, STATUSES};
use super::views::{self, CityLine, LeagueLine, LEAGUE};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub struct Tile {
    pub code: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub headline: String,
    pub as_of: String,
    pub goal: String,
    pub pace_line: String,
    pub month_line: String,
    /// `on` / `off` / empty: this year's progress against the value expected by now.
    pub month_class: &'static str,
    pub note: String,
    pub tasks: String,
    pub trail: Vec<String>,
    pub chart: String,
}

pub struct Count {
    pub code: &'static str,
    pub label: &'static str,
    pub n: usize,
}

pub struct Tab {
    pub code: String,
    pub name: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "cockpit.html")]
struct CockpitPage {
    shell: Shell,
    period: String,
    period_value: String,
    demo: bool,
    tiles: Vec<Tile>,
    counts: Vec<Count>,
    city: Vec<CityLine>,
    tabs: Vec<Tab>,
    league_code: String,
    league_name: String,
    league_value: String,
    league_change: String,
    league: Vec<LeagueLine>,
    league_chart: String,
    trend_chart: String,
}

#[derive(Deserialize)]
pub struct CockpitQuery {
    period: Option<String>,
    league: Option<String>,
}

pub async fn page(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<CockpitQuery>) -> Result<Html<String>, AppError> {
    let Some(p) = super::period(&st.db, q.period.as_deref()).await? else {
        return Err(AppError::NotFound("已审核的数据".into()));
    };
    let panel = Panel::load(&st.db, p).await?;
    if !super::reads_all(&s.who, &panel) {
        return Err(AppError::Forbidden);
    }
    let views = evaluate_all(&panel, &super::targets::Registers::load(&st.db).await?, p);
    let counts = STATUSES
        .iter()
        .map(|st| Count { code: status_code(*st), label: st.label(), n: views.iter().filter(|v| v.status() == *st).count() })
        .filter(|c| c.n > 0)
        .collect();
    let tiles = views
        .iter()
        .map(|v| Tile {
            code: v.code().to_string(),
            title: v.target.title.clone(),
            status: v.status_code(),
            status_label: v.status_label(),
            headline: v.headline(),
            as_of: v.as_of(),
            goal: v.goal(),
            pace_line: v.pace_line(),
            month_line: v.month_line(),
            month_class: match v.on_pace() {
                Some(true) => "on",
                Some(false) => "off",
                None => "",
            },
            note: v.note.clone().unwrap_or_default(),
            tasks: v.tasks(),
            trail: v.trail(),
            chart: v.chart().unwrap_or_default(),
        })
        .collect();
    let ind = super::pick_indicator(&panel, q.league.as_deref(), "revenue")?;
    let league = panel.league(ind, p);
    let zones = panel.zone_codes();
    let tabs = LEAGUE
        .iter()
        .filter_map(|c| panel.indicator(c))
        .chain(std::iter::once(ind).filter(|i| !LEAGUE.contains(&i.code.as_str())))
        .map(|i| Tab { code: i.code.clone(), name: i.name.clone(), active: i.code == ind.code })
        .collect();
    let page = CockpitPage {
        shell: Shell::new(&s, "cockpit"),
        period: p.label(),
        period_value: p.to_string(),
        demo: panel.demo,
        tiles,
        counts,
        city: views::city_lines(&panel, p),
        tabs,
        league_code: ind.code.clone(),
        league_name: ind.name.clone(),
        league_value: format!("{}（{}）", views::value_heading(ind, p), ind.unit),
        league_change: views::change_heading(ind).into(),
        league: views::league_lines(&league, &s.who),
        league_chart: views::league_chart(&league, &s.who, false, None),
        trend_chart: views::trend_chart(&panel, ind, &Over::Sum(&zones), "全市开发区", p, None),
    };
    Ok(Html(page.render()?))
}
