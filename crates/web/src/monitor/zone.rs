//! The monitoring part of a zone's profile: the trend of an indicator over the last 24 months
//! (with the target path where one of the plan's targets applies to a zone), bars of the 当月
//! values, and the zone's place among all zones on every indicator. The caller has checked
//! that the person may read the zone; other zones' values are never shown here.

use askama::Template;
use nengji_core::indicator::{Indicator, IndicatorKind};
use nengji_core::period::Month;
use nengji_core::target::{self, expected_by_now, time_of, Target, TargetKind, TargetScope};
use nengji_store::Db;

use super::panel::{Over, Panel};
use super::targets::num;
use super::views::{self, RankLine};
use crate::error::AppError;

pub struct Tab {
    pub code: String,
    pub name: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "zone_monitor.html")]
struct Section {
    zone: String,
    zone_code: String,
    period: String,
    period_value: String,
    demo: bool,
    chart_code: String,
    tabs: Vec<Tab>,
    trend: String,
    bars: String,
    path_note: String,
    ranks: Vec<RankLine>,
}

/// A target of the plan restated for one zone, when it makes sense for a single zone: growth
/// rates and shares (the zone's own base grown at the plan's rate), and "every zone" levels.
pub fn zone_target(t: &Target, zone: &str) -> Option<Target> {
    let fits = matches!(
        (&t.scope, &t.kind),
        (TargetScope::City | TargetScope::EveryZone, TargetKind::AvgGrowth { .. } | TargetKind::Share { .. }) | (TargetScope::EveryZone, TargetKind::Level)
    );
    fits.then(|| Target { scope: TargetScope::Zone(zone.to_string()), ..t.clone() })
}

/// The target path of an indicator for a zone over `months`: for flows the year's goal × months
/// elapsed ÷ 12, for stocks and shares the geometric path from the base to the goal.
pub fn target_path(panel: &Panel, ind: &Indicator, zone: &str, months: &[Month]) -> Option<(String, Vec<Option<f64>>, String)> {
    let t = target::plan_targets().into_iter().filter(|t| t.indicator == ind.code).find_map(|t| zone_target(&t, zone))?;
    let zones = [zone.to_string()];
    let annual = t.annual_observations(&panel.env(), &zones, t.baseline_year, panel.to.year());
    let flow = ind.kind == IndicatorKind::Flow;
    let values: Vec<Option<f64>> = months
        .iter()
        .map(|m| {
            if m.year() <= t.baseline_year || m.year() > t.target_year {
                None
            } else if flow {
                t.annual_goal(m.year(), &annual).map(|(goal, _)| expected_by_now(goal, m.month()))
            } else {
                t.trajectory(&annual, time_of(*m))
            }
        })
        .collect();
    if values.iter().all(Option::is_none) {
        return None;
    }
    let name = match t.kind {
        TargetKind::AvgGrowth { .. } => format!("目标路径（年均增长{}%）", num(t.target_value)),
        _ => format!("目标路径（{}年{}{}{}）", t.target_year, t.comparator.symbol(), num(t.target_value), t.unit),
    };
    let how = if flow {
        "每年目标为上年实际乘以（1 + 目标增速），1–N月应达 = 全年目标 × N ÷ 12"
    } else {
        "从基期数值按等比路径到目标年目标值"
    };
    let note = format!("目标路径依据工作目标“{}”，按本开发区{}年数值测算：{how}。", t.title, t.baseline_year);
    Some((name, values, note))
}

/// The HTML of the section for `zone` at `p`, showing indicator `chart` (default 主营业务收入).
pub async fn section(db: &Db, zone: &str, p: Option<Month>, chart: Option<&str>) -> Result<String, AppError> {
    let Some(p) = p else { return Ok(String::new()) };
    // Ranks need every zone at `p` (shared between requests); charts need this zone's history.
    let ranked = Panel::at(db, p).await?;
    let Some(z) = ranked.zone(zone).cloned() else { return Ok(String::new()) };
    let ind = super::pick_indicator(&ranked, chart, "revenue")?;
    let panel = ranked.for_zone(db, &z.code, ind).await?;
    let over = Over::Zone(&z.code);
    let months: Vec<Month> = p.offset(-23).range_to(p).collect();
    let path = target_path(&panel, ind, &z.code, &months);
    let (line_path, note) = match path {
        Some((name, values, note)) => (Some((name, values)), note),
        None => (None, String::new()),
    };
    let s = Section {
        zone: z.name.clone(),
        zone_code: z.code.clone(),
        period: p.label(),
        period_value: p.to_string(),
        demo: panel.demo,
        chart_code: ind.code.clone(),
        tabs: panel.indicators.iter().map(|i| Tab { code: i.code.clone(), name: i.name.clone(), active: i.code == ind.code }).collect(),
        trend: views::trend_chart(&panel, ind, &over, &z.name, p, line_path),
        bars: views::month_bars(&panel, ind, &over, &z.name, p),
        path_note: note,
        ranks: views::rank_lines(&ranked, &z.code, p),
    };
    Ok(s.render()?)
}
