//! The indicator page: all zones compared on one indicator for a month (chart and table).
//! A zone reporter sees only its own zones' rows and bars, and no city total.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

use super::panel::{additive, is_rate, show, Panel};
use super::views::{self, LeagueLine};
use crate::auth::PageUser;
use crate::error::AppError;
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

#[derive(Template)]
#[template(path = "indicator_compare.html")]
struct ComparePage {
    shell: Shell,
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
}

#[derive(Deserialize)]
pub struct CompareQuery {
    indicator: Option<String>,
    period: Option<String>,
}

pub async fn page(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<CompareQuery>) -> Result<Html<String>, AppError> {
    let Some(p) = super::period(&st.db, q.period.as_deref()).await? else {
        return Err(AppError::NotFound("已审核的数据".into()));
    };
    let panel = Panel::at(&st.db, p).await?;
    let ind = super::pick_indicator(&panel, q.indicator.as_deref(), "revenue")?;
    let league = panel.league(ind, p);
    let all = super::reads_all(&s.who, &panel);
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
    let page = ComparePage {
        shell: Shell::new(&s, "cockpit"),
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
        rows: views::league_lines(&league, &s.who),
        total,
        scoped: !all,
        value_chart: views::league_chart(&league, &s.who, false, None),
        growth_chart: views::league_chart(&league, &s.who, true, None),
    };
    Ok(Html(page.render()?))
}
