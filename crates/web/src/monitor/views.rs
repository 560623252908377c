//! Rows as pages show them and as downloads write them: one builder per table, so the xlsx and
//! CSV files hold exactly what the page shows.

use nengji_core::auth::Principal;
use nengji_core::indicator::{Indicator, IndicatorKind};
use nengji_core::masterdata::Table;
use nengji_core::period::Month;
use nengji_office::chart::{self, BarChart, LineChart, Series};

use super::panel::{additive, is_rate, show, League, Over, Panel};
use super::targets::{num, TargetView};

/// The main indicators of the league tables, in tab order.
pub const LEAGUE: &[&str] = &["revenue", "gdp", "tax", "fdi", "trade", "ind_va", "fai", "hitech_ent", "hitech_share", "sei_share"];

pub struct LeagueLine {
    pub rank: String,
    pub code: String,
    pub name: String,
    pub value: String,
    pub month: String,
    pub base: String,
    pub change: String,
    pub trend: &'static str,
    pub growth_rank: String,
    pub share: String,
}

/// The league rows this person may see (a zone reporter: only its own zones).
pub fn league_lines(league: &League, who: &Principal) -> Vec<LeagueLine> {
    let ind = &league.indicator;
    let growth_of = league.rows.iter().filter(|x| x.growth_rank.is_some()).count();
    league
        .rows
        .iter()
        .filter(|r| who.can_read_zone(&r.zone.code))
        .map(|r| LeagueLine {
            rank: show::rank(r.rank, league.ranked),
            code: r.zone.code.clone(),
            name: r.zone.name.clone(),
            value: show::value(ind, r.fig.value),
            month: show::month(ind, r.fig.month),
            base: if is_rate(ind) { show::value(ind, r.fig.value.zip(r.fig.pp).map(|(v, pp)| v - pp)) } else { show::value(ind, r.fig.base) },
            change: show::change(&r.fig),
            trend: show::trend(&r.fig),
            growth_rank: show::rank(r.growth_rank, growth_of),
            share: show::pct(r.share),
        })
        .collect()
}

/// The column heading of the value: 累计 for flows, 期末 for stocks.
pub fn value_heading(ind: &Indicator, m: Month) -> String {
    match ind.kind {
        IndicatorKind::Flow => m.cumulative_label(),
        IndicatorKind::Stock => format!("{}末", m.label()),
        IndicatorKind::Formula => m.cumulative_label(),
    }
}

pub fn change_heading(ind: &Indicator) -> &'static str {
    if is_rate(ind) { "比上年同期" } else { "同比增长" }
}

pub fn league_table(league: &League, who: &Principal, with_share: bool) -> Table {
    let ind = &league.indicator;
    let mut header = vec![
        "位次".to_string(),
        "开发区".into(),
        format!("{}（{}）", value_heading(ind, league.period), ind.unit),
        "当月".into(),
        "上年同期".into(),
        change_heading(ind).into(),
        "增速位次".into(),
    ];
    if with_share {
        header.push("占全市开发区比重".into());
    }
    let rows = league_lines(league, who)
        .into_iter()
        .map(|l| {
            let mut r = vec![l.rank, l.name, l.value, l.month, l.base, l.change, l.growth_rank];
            if with_share {
                r.push(l.share);
            }
            r
        })
        .collect();
    Table { sheet: sheet_name(&format!("{}排行", ind.name)), header, rows }
}

/// Excel allows 31 characters in a sheet name and none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    s.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect()
}

/// A zone bar per readable zone: the indicator's value, or its growth.
pub fn league_chart(league: &League, who: &Principal, growth: bool, highlight: Option<&str>) -> String {
    if highlight.is_none() && league.rows.iter().all(|r| who.can_read_zone(&r.zone.code)) {
        return league.chart_of_all(growth, || draw_league_chart(league, who, growth, None));
    }
    draw_league_chart(league, who, growth, highlight)
}

/// The chart of the rows `range` of the league as `who` sees it (one page of a long table).
pub fn league_chart_page(league: &League, who: &Principal, growth: bool, range: std::ops::Range<usize>) -> String {
    draw_league_chart_rows(league, who, growth, None, Some(range))
}

fn draw_league_chart(league: &League, who: &Principal, growth: bool, highlight: Option<&str>) -> String {
    draw_league_chart_rows(league, who, growth, highlight, None)
}

fn draw_league_chart_rows(league: &League, who: &Principal, growth: bool, highlight: Option<&str>, range: Option<std::ops::Range<usize>>) -> String {
    let ind = &league.indicator;
    let mut rows: Vec<_> = league.rows.iter().filter(|r| who.can_read_zone(&r.zone.code)).collect();
    if let Some(range) = range {
        rows = rows.get(range).map(<[_]>::to_vec).unwrap_or_default();
    }
    let (title, unit, values) = if growth {
        let unit = if is_rate(ind) { "百分点" } else { "%" };
        (format!("各开发区{}{} {}", ind.name, change_heading(ind), league.period.cumulative_label()), unit.to_string(), rows.iter().map(|r| r.fig.change()).collect())
    } else {
        (format!("各开发区{} {}", ind.name, value_heading(ind, league.period)), ind.unit.clone(), rows.iter().map(|r| r.fig.value).collect())
    };
    chart::bar_chart(&BarChart {
        title,
        unit,
        labels: rows.iter().map(|r| r.zone.name.clone()).collect(),
        values,
        highlight: highlight.and_then(|h| rows.iter().position(|r| r.zone.code == h)),
        width: 660,
        height: 340,
    })
}

/// The last 24 months of an indicator over a scope, with the same months a year before.
pub fn trend_chart(panel: &Panel, ind: &Indicator, over: &Over, who_name: &str, p: Month, path: Option<(String, Vec<Option<f64>>)>) -> String {
    let months: Vec<Month> = p.offset(-23).range_to(p).collect();
    let kind = match ind.kind {
        IndicatorKind::Flow => "1–N月累计",
        IndicatorKind::Stock => "期末",
        IndicatorKind::Formula => "1–N月",
    };
    let mut series = vec![
        Series { name: format!("实际（{kind}）"), values: months.iter().map(|m| panel.value(ind, over, *m)).collect(), dashed: false },
        Series { name: "上年同期".into(), values: months.iter().map(|m| panel.value(ind, over, m.prior_year())).collect(), dashed: false },
    ];
    if let Some((name, values)) = path {
        series.push(Series { name, values, dashed: true });
    }
    chart::line_chart(&LineChart {
        title: format!("{who_name}{}走势（最近24个月）", ind.name),
        unit: ind.unit.clone(),
        x_labels: months.iter().map(|m| m.label()).collect(),
        series,
        width: 660,
        height: 340,
    })
}

/// 当月 values of a flow (levels of a stock or rate) for the last 24 months, as bars.
pub fn month_bars(panel: &Panel, ind: &Indicator, over: &Over, who_name: &str, p: Month) -> String {
    let months: Vec<Month> = p.offset(-23).range_to(p).collect();
    let flow = ind.kind == IndicatorKind::Flow;
    let (labels, values) = months
        .iter()
        .map(|m| {
            let fig = panel.figure(ind, over, *m);
            match (flow, fig.month) {
                (true, Some(mv)) => (format!("{}年{}", m.year(), mv.label()), Some(mv.value())),
                (true, None) => (m.label(), None),
                (false, _) => (m.label(), fig.value),
            }
        })
        .unzip();
    let what = if flow { "当月值" } else { "月末值" };
    chart::bar_chart(&BarChart { title: format!("{who_name}{}{what}（最近24个月）", ind.name), unit: ind.unit.clone(), labels, values, highlight: None, width: 660, height: 340 })
}

pub struct CityLine {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub value: String,
    pub month: String,
    pub base: String,
    pub change: String,
    pub trend: &'static str,
    pub note: &'static str,
}

/// City totals of every indicator: sums, and ratios recomputed from sums.
pub fn city_lines(panel: &Panel, p: Month) -> Vec<CityLine> {
    let zones = panel.zone_codes();
    panel
        .indicators
        .iter()
        .map(|ind| {
            let fig = panel.figure(ind, &Over::Sum(&zones), p);
            let summable = additive(ind) || ind.kind == IndicatorKind::Formula;
            CityLine {
                code: ind.code.clone(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                value: if summable { show::value(ind, fig.value) } else { "不适用".into() },
                month: if ind.kind == IndicatorKind::Flow { show::month(ind, fig.month) } else { String::new() },
                base: if is_rate(ind) { show::value(ind, fig.value.zip(fig.pp).map(|(v, pp)| v - pp)) } else { show::value(ind, fig.base) },
                change: show::change(&fig),
                trend: show::trend(&fig),
                note: match ind.kind {
                    IndicatorKind::Formula => "由各开发区合计数按公式重新计算",
                    _ if !summable => "比率指标不能加总，见各开发区数值",
                    IndicatorKind::Flow => "各开发区1–N月累计之和",
                    IndicatorKind::Stock => "各开发区期末数之和",
                },
            }
        })
        .collect()
}

pub fn city_table(panel: &Panel, p: Month) -> Table {
    let rows = city_lines(panel, p).into_iter().map(|l| vec![l.name, l.unit, l.value, l.month, l.base, l.change, l.note.to_string()]).collect();
    Table {
        sheet: "全市开发区合计".into(),
        header: ["指标", "计量单位", &format!("{}（累计/期末）", p.label()), "当月", "上年同期", "同比增长/变化", "说明"].map(String::from).to_vec(),
        rows,
    }
}

pub fn targets_table(views: &[TargetView]) -> Table {
    let rows = views
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let a = &v.assessment;
            vec![
                (i + 1).to_string(),
                v.target.title.clone(),
                v.goal(),
                v.status_label().to_string(),
                v.headline(),
                v.as_of(),
                a.required_cagr_pct.map(|x| format!("{x:.2}%")).unwrap_or_default(),
                a.observed_cagr_pct.map(|x| format!("{x:.2}%")).unwrap_or_default(),
                a.ratio.map(|r| format!("{:.2}%", r * 100.0)).unwrap_or_default(),
                a.projected.map(num).unwrap_or_default(),
                v.pace.as_ref().map(|p| num(p.expected)).unwrap_or_default(),
                v.pace.as_ref().map(|p| num(p.actual)).unwrap_or_default(),
                v.tasks(),
                v.note.clone().unwrap_or_default(),
                v.trail().join("；"),
            ]
        })
        .collect();
    Table {
        sheet: "工作目标进展".into(),
        header: ["序号", "工作目标", "目标", "进展状态", "最新值", "时点", "所需年均增速", "实际年均增速", "比值R", "目标年预计值", "本年应达", "本年实际", "关联任务", "说明", "计算过程"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

pub struct RankLine {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub value: String,
    pub month: String,
    pub change: String,
    pub trend: &'static str,
    pub rank: String,
    pub growth_rank: String,
}

/// A zone's place among all zones on every indicator. Other zones' values are not shown.
pub fn rank_lines(panel: &Panel, zone: &str, p: Month) -> Vec<RankLine> {
    panel
        .indicators
        .iter()
        .map(|ind| {
            let league = panel.league(ind, p);
            let growth_of = league.rows.iter().filter(|r| r.growth_rank.is_some()).count();
            let row = league.row(zone);
            let fig = row.map(|r| r.fig.clone()).unwrap_or_default();
            RankLine {
                code: ind.code.clone(),
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                value: show::value(ind, fig.value),
                month: if ind.kind == IndicatorKind::Flow { show::month(ind, fig.month) } else { String::new() },
                change: show::change(&fig),
                trend: show::trend(&fig),
                rank: show::rank(row.and_then(|r| r.rank), league.ranked),
                growth_rank: show::rank(row.and_then(|r| r.growth_rank), growth_of),
            }
        })
        .collect()
}

pub fn rank_table(panel: &Panel, zone: &str, zone_name: &str, p: Month) -> Table {
    let rows = rank_lines(panel, zone, p).into_iter().map(|l| vec![l.name, l.unit, l.value, l.month, l.change, l.rank, l.growth_rank]).collect();
    Table {
        sheet: sheet_name(&format!("{zone_name}指标位次")),
        header: ["指标", "计量单位", &format!("{}（累计/期末）", p.label()), "当月", "同比增长/变化", "全市位次", "增速位次"].map(String::from).to_vec(),
        rows,
    }
}
