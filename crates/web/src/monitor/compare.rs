//! The indicator page: all zones compared on one indicator for a month (chart and table).
//! A zone reporter sees only its own zones' rows and bars, and no city total.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use nengji_core::auth::Principal;
use nengji_core::indicator::Indicator;
use nengji_core::period::Month;
use serde::Deserialize;

use super::panel::{additive, is_rate, show, Panel};
use super::views::{self, LeagueLine};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::page_cache;
use crate::shell::Shell;
use crate::AppState;

pub struct Choice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

pub struct Total {
    pub value: String,
    pub month: String,
    pub base: String,
    pub change: String,
    pub trend: &'static str,
    pub share: &'static str,
}

/// Rows per page of the table (and bars per chart): a national league of thousands of zones is
/// read a page at a time; the full list is in the xlsx/CSV download.
pub const PER_PAGE: usize = 100;

#[derive(Template)]
#[template(path = "indicator_compare.html")]
struct ComparePage {
    shell: Shell,
    title: String,
    body: Arc<str>,
}

/// What the page shows; the same for everyone who reads all zones.
#[derive(Template)]
#[template(path = "compare_body.html")]
struct CompareBody {
    code: String,
    name: String,
    unit: String,
    description: String,
    period: String,
    period_value: String,
    demo: bool,
    choices: Vec<Choice>,
    value_heading: String,
    change_heading: String,
    rows: Vec<LeagueLine>,
    total: Option<Total>,
    scoped: bool,
    value_chart: String,
    growth_chart: String,
    page: usize,
    pages: usize,
    per_page: usize,
    row_count: usize,
    first_rank: usize,
    last_rank: usize,
}

#[derive(Deserialize)]
pub struct CompareQuery {
    indicator: Option<String>,
    period: Option<String>,
    page: Option<usize>,
}

pub async fn page(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<CompareQuery>) -> Result<Html<String>, AppError> {
    let Some(p) = super::period(&st.db, q.period.as_deref()).await? else {
        return Err(AppError::NotFound("已审核的数据".into()));
    };
    let panel = Panel::at(&st.db, p).await?;
    let ind = super::pick_indicator(&panel, q.indicator.as_deref(), "revenue")?.clone();
    let title = format!("{} 各开发区对比", ind.name);
    let page = q.page.unwrap_or(1).max(1);
    let body = if super::reads_all(&s.who, &panel) {
        let key = format!("compare\u{1f}{}\u{1f}{p}\u{1f}{page}", ind.code);
        page_cache::body(&st.db, key, async { body(&panel, &ind, p, page, &s.who, true) }).await?
    } else {
        Arc::from(body(&panel, &ind, p, page, &s.who, false)?)
    };
    Ok(Html(ComparePage { shell: Shell::new(&s, "cockpit"), title, body }.render()?))
}

fn body(panel: &Panel, ind: &Indicator, p: Month, page: usize, who: &Principal, all: bool) -> Result<String, AppError> {
    let league = panel.league(ind, p);
    let total = all.then(|| {
        let t = &league.total;
        Total {
            value: show::value(ind, t.value),
            month: show::month(ind, t.month),
            base: if is_rate(ind) { show::value(ind, t.value.zip(t.pp).map(|(v, pp)| v - pp)) } else { show::value(ind, t.base) },
            change: show::change(t),
            trend: show::trend(t),
            share: if additive(ind) { "100.0%" } else { "—" },
        }
    });
    let mut rows = views::league_lines(&league, who);
    let row_count = rows.len();
    let pages = row_count.div_ceil(PER_PAGE).max(1);
    let page = page.min(pages);
    let (value_chart, growth_chart) = if pages == 1 {
        (views::league_chart(&league, who, false, None), views::league_chart(&league, who, true, None))
    } else {
        let range = (page - 1) * PER_PAGE..(page * PER_PAGE).min(row_count);
        rows = rows.drain(range.clone()).collect();
        (views::league_chart_page(&league, who, false, range.clone()), views::league_chart_page(&league, who, true, range))
    };
    let first_rank = if row_count == 0 { 0 } else { (page - 1) * PER_PAGE + 1 };
    Ok(CompareBody {
        code: ind.code.clone(),
        name: ind.name.clone(),
        unit: ind.unit.clone(),
        description: ind.description.clone(),
        period: p.label(),
        period_value: p.to_string(),
        demo: panel.demo,
        choices: panel.indicators.iter().map(|i| Choice { code: i.code.clone(), name: i.name.clone(), selected: i.code == ind.code }).collect(),
        value_heading: format!("{}（{}）", views::value_heading(ind, p), ind.unit),
        change_heading: views::change_heading(ind).into(),
        last_rank: first_rank + rows.len().saturating_sub(1),
        rows,
        total,
        scoped: !all,
        value_chart,
        growth_chart,
        page,
        pages,
        per_page: PER_PAGE,
        row_count,
        first_rank,
    }
    .render()?)
}
