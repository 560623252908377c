//! The monthly bulletin (每月一通报) as data: the summary written from the figures, one table per
//! main indicator with every zone's value, growth, 位次 and change of 位次, and the highlights.
//! Formats (docx, xlsx, web, PDF) render this; the wording comes from editable templates.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::period::Month;
use crate::series::{growth_pct, yoy};

/// One zone's figures for one indicator: this month's 累计 (or level), its comparable base, and
/// last month's value (for last month's 位次).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ZoneFigure {
    pub zone: String,
    pub zone_name: String,
    pub value: Option<f64>,
    pub comparable: Option<f64>,
    pub last_year: Option<f64>,
    pub last_month_value: Option<f64>,
}

/// Inputs for one indicator's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorInput {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    /// Flows are 1–N月累计 (the table says so).
    pub flow: bool,
    pub zones: Vec<ZoneFigure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub zone: String,
    pub zone_name: String,
    pub value: String,
    pub growth: String,
    /// 位次 by value (competition ranking: ties share the better place).
    pub rank: Option<u32>,
    /// Places gained since last month (+ = 前移), `None` when either month has no rank.
    pub rank_change: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub code: String,
    pub title: String,
    pub unit: String,
    pub total: String,
    pub total_growth: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bulletin {
    pub period: String,
    pub title: String,
    pub issuer: String,
    pub number: String,
    pub date: String,
    pub summary: String,
    pub tables: Vec<Table>,
    pub highlights: Vec<String>,
    /// True when any figure is 示例数据.
    pub demo: bool,
}

/// Competition ranking (1, 2, 2, 4): larger is better; missing values get no rank. The
/// evaluation engine's ranking, so bulletins and score cards never disagree on a place.
pub use crate::evaluate::competition_ranks as competition_rank;

/// `增长12.3%` / `下降4.0%` / `持平`, as bulletins write a change.
pub fn change_phrase(pct: Option<f64>) -> String {
    match pct {
        Some(p) if p >= 0.05 => format!("增长{p:.1}%"),
        Some(p) if p <= -0.05 => format!("下降{:.1}%", -p),
        Some(_) => "持平".into(),
        None => "（无可比数据）".into(),
    }
}

fn fmt(v: f64, decimals: u8) -> String {
    format!("{:.*}", decimals as usize, v)
}

/// The table of one indicator and its city total with growth (Σ now ÷ Σ base over zones that have both).
pub fn table(input: &IndicatorInput) -> (Table, Option<f64>, Option<f64>) {
    let now: Vec<Option<f64>> = input.zones.iter().map(|z| z.value).collect();
    let before: Vec<Option<f64>> = input.zones.iter().map(|z| z.last_month_value).collect();
    let (rank_now, rank_before) = (competition_rank(&now), competition_rank(&before));
    let rows = input
        .zones
        .iter()
        .enumerate()
        .map(|(i, z)| Row {
            zone: z.zone.clone(),
            zone_name: z.zone_name.clone(),
            value: z.value.map(|v| fmt(v, input.decimals)).unwrap_or_else(|| "—".into()),
            growth: z.value.and_then(|v| yoy(v, z.comparable, z.last_year)).map(|y| format!("{:.1}", y.pct)).unwrap_or_else(|| "—".into()),
            rank: rank_now[i],
            rank_change: match (rank_now[i], rank_before[i]) {
                (Some(a), Some(b)) => Some(b as i32 - a as i32),
                _ => None,
            },
        })
        .collect();
    let total: Option<f64> = (!input.zones.iter().all(|z| z.value.is_none())).then(|| input.zones.iter().filter_map(|z| z.value).sum());
    let (mut cur, mut base) = (0.0, 0.0);
    for z in &input.zones {
        if let (Some(v), Some(b)) = (z.value, z.comparable.or(z.last_year)) {
            cur += v;
            base += b;
        }
    }
    let growth = growth_pct(cur, Some(base));
    let t = Table {
        code: input.code.clone(),
        title: format!("{}（{}{}）", input.name, input.unit, if input.flow { "，1至本月累计" } else { "" }),
        unit: input.unit.clone(),
        total: total.map(|v| fmt(v, input.decimals)).unwrap_or_else(|| "—".into()),
        total_growth: growth.map(|g| format!("{g:.1}")).unwrap_or_else(|| "—".into()),
        rows,
    };
    (t, total, growth)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("模板中的占位符“{{{0}}}”无法识别；可用的占位符：{1}")]
    Unknown(String, String),
    #[error("模板第{0}个字符处的“{{”没有对应的“}}”")]
    Unclosed(usize),
}

/// Fills `{name}` placeholders. Unknown names are an error (so a typo never reaches print).
pub fn render(template: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    let mut out = String::new();
    let mut rest = template;
    let mut consumed = 0;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            return Err(TemplateError::Unclosed(template[..consumed + open].chars().count() + 1));
        };
        let name = &rest[open + 1..open + close];
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => return Err(TemplateError::Unknown(name.into(), vars.keys().map(|k| format!("{{{k}}}")).collect::<Vec<_>>().join("、"))),
        }
        consumed += open + close + 1;
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Default wording; the office edits these.
pub const DEFAULT_TITLE: &str = "全市开发区主要经济指标通报（{period_label}）";
pub const DEFAULT_ISSUER: &str = "廊坊市开发区改革发展领导小组办公室";
pub const DEFAULT_SUMMARY: &str = "{period_cumulative}，全市{zone_count}家省级以上开发区实现主营业务收入{revenue}亿元，同比{revenue_change}；地区生产总值{gdp}亿元，同比{gdp_change}；税收收入{tax}亿元，同比{tax_change}；实际利用外资{fdi}万美元，同比{fdi_change}；外贸进出口总额{trade}亿元，同比{trade_change}。";

/// Inputs of a whole bulletin.
pub struct BulletinInput<'a> {
    pub period: Month,
    pub number: String,
    pub date: String,
    pub title_template: &'a str,
    pub issuer: &'a str,
    pub summary_template: &'a str,
    pub indicators: Vec<IndicatorInput>,
    pub demo: bool,
}

/// Builds the bulletin; the variables available to templates are `period_label`,
/// `period_cumulative`, `zone_count`, and for each indicator code `X`: `X`, `X_growth`, `X_change`.
pub fn build(input: BulletinInput<'_>) -> Result<Bulletin, TemplateError> {
    let mut vars = BTreeMap::new();
    vars.insert("period_label".to_string(), input.period.label());
    vars.insert("period_cumulative".to_string(), input.period.cumulative_label());
    vars.insert("zone_count".to_string(), input.indicators.first().map(|i| i.zones.len()).unwrap_or(0).to_string());
    let mut tables = Vec::new();
    let mut highlights = Vec::new();
    for ind in &input.indicators {
        let (t, _, growth) = table(ind);
        vars.insert(ind.code.clone(), t.total.clone());
        vars.insert(format!("{}_growth", ind.code), growth.map(|g| format!("{g:.1}%")).unwrap_or_else(|| "—".into()));
        vars.insert(format!("{}_change", ind.code), change_phrase(growth));
        if ind.code == "revenue" {
            highlights.extend(movers(ind, &t));
        }
        tables.push(t);
    }
    Ok(Bulletin {
        period: input.period.to_string(),
        title: render(input.title_template, &vars)?,
        issuer: input.issuer.to_string(),
        number: input.number,
        date: input.date,
        summary: render(input.summary_template, &vars)?,
        tables,
        highlights,
        demo: input.demo,
    })
}

/// 增速前三位、后两位、位次上升最多 for one indicator.
fn movers(ind: &IndicatorInput, t: &Table) -> Vec<String> {
    let mut by_growth: Vec<(f64, &str)> = ind
        .zones
        .iter()
        .filter_map(|z| Some((yoy(z.value?, z.comparable, z.last_year)?.pct, z.zone_name.as_str())))
        .collect();
    by_growth.sort_by(|a, b| b.0.total_cmp(&a.0));
    let list = |xs: &[(f64, &str)]| xs.iter().map(|(g, n)| format!("{n}（{g:.1}%）")).collect::<Vec<_>>().join("、");
    let mut out = Vec::new();
    if by_growth.len() >= 5 {
        out.push(format!("{}增速居前三位的是：{}。", ind.name, list(&by_growth[..3])));
        let mut last: Vec<_> = by_growth[by_growth.len() - 2..].to_vec();
        last.reverse();
        out.push(format!("{}增速居后两位的是：{}。", ind.name, list(&last)));
    }
    if let Some(best) = t.rows.iter().filter(|r| r.rank_change.is_some_and(|c| c > 0)).max_by_key(|r| r.rank_change) {
        out.push(format!("{}位次前移最多的是{}，较上月前移{}位。", ind.name, best.zone_name, best.rank_change.unwrap_or(0)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(name: &str, v: Option<f64>, last_year: Option<f64>, last_month: Option<f64>) -> ZoneFigure {
        ZoneFigure { zone: name.into(), zone_name: name.into(), value: v, comparable: None, last_year, last_month_value: last_month }
    }

    #[test]
    fn competition_ranking_shares_the_better_place() {
        assert_eq!(competition_rank(&[Some(5.0), Some(9.0), Some(5.0), None, Some(1.0)]), [Some(2), Some(1), Some(2), None, Some(4)]);
    }

    #[test]
    fn table_ranks_growth_and_totals_by_hand() {
        let input = IndicatorInput {
            code: "gdp".into(),
            name: "地区生产总值".into(),
            unit: "亿元".into(),
            decimals: 2,
            flow: true,
            zones: vec![
                // 甲: 120 vs 100 → 20.0%; rank 2 now, 1 last month → −1.
                z("甲", Some(120.0), Some(100.0), Some(60.0)),
                // 乙: 150 vs comparable 140 (last year 160 ignored) → 7.1%; rank 1 now, 2 before → +1.
                ZoneFigure { comparable: Some(140.0), ..z("乙", Some(150.0), Some(160.0), Some(50.0)) },
                // 丙: no value this month.
                z("丙", None, Some(30.0), Some(20.0)),
            ],
        };
        let (t, total, growth) = table(&input);
        assert_eq!(t.rows[0].growth, "20.0");
        assert_eq!(t.rows[1].growth, "7.1");
        assert_eq!((t.rows[0].rank, t.rows[0].rank_change), (Some(2), Some(-1)));
        assert_eq!((t.rows[1].rank, t.rows[1].rank_change), (Some(1), Some(1)));
        assert_eq!((t.rows[2].value.as_str(), t.rows[2].rank), ("—", None));
        assert_eq!(total, Some(270.0));
        // (120 + 150) / (100 + 140) − 1 = 12.5%: 丙 has no value and is left out of both sides.
        assert!((growth.unwrap() - 12.5).abs() < 1e-9);
        assert_eq!(t.title, "地区生产总值（亿元，1至本月累计）");
    }

    #[test]
    fn templates_fill_and_refuse_typos() {
        let vars: BTreeMap<String, String> = [("gdp".to_string(), "12.50".to_string()), ("gdp_change".to_string(), "增长3.0%".to_string())].into();
        assert_eq!(render("生产总值{gdp}亿元，同比{gdp_change}。", &vars).unwrap(), "生产总值12.50亿元，同比增长3.0%。");
        assert_eq!(render("{gpd}", &vars).unwrap_err(), TemplateError::Unknown("gpd".into(), "{gdp}、{gdp_change}".into()));
        assert_eq!(render("总值{gdp", &vars).unwrap_err(), TemplateError::Unclosed(3));
        assert_eq!(change_phrase(Some(-4.04)), "下降4.0%");
        assert_eq!(change_phrase(Some(0.01)), "持平");
    }

    #[test]
    fn highlights_name_leaders_laggards_and_movers() {
        let zones: Vec<ZoneFigure> = [("A", 130.0, 100.0, 5.0), ("B", 125.0, 100.0, 1.0), ("C", 90.0, 100.0, 2.0), ("D", 110.0, 100.0, 3.0), ("E", 101.0, 100.0, 4.0)]
            .iter()
            .map(|(n, v, ly, lm)| z(n, Some(*v), Some(*ly), Some(*lm)))
            .collect();
        let b = build(BulletinInput {
            period: Month::new(2020, 6).unwrap(),
            number: "第6期".into(),
            date: "2020年7月15日".into(),
            title_template: DEFAULT_TITLE,
            issuer: DEFAULT_ISSUER,
            summary_template: "{period_cumulative}，{zone_count}家开发区主营业务收入{revenue}亿元，同比{revenue_change}。",
            indicators: vec![IndicatorInput { code: "revenue".into(), name: "主营业务收入".into(), unit: "亿元".into(), decimals: 2, flow: true, zones }],
            demo: false,
        })
        .unwrap();
        assert_eq!(b.title, "全市开发区主要经济指标通报（2020年6月）");
        // 556 / 500 − 1 = 11.2%.
        assert_eq!(b.summary, "2020年1-6月，5家开发区主营业务收入556.00亿元，同比增长11.2%。");
        assert_eq!(b.highlights[0], "主营业务收入增速居前三位的是：A（30.0%）、B（25.0%）、D（10.0%）。");
        assert_eq!(b.highlights[1], "主营业务收入增速居后两位的是：C（-10.0%）、E（1.0%）。");
        // Last month ranks by value: A 1, E 2, D 3, C 4, B 5; now A 1, B 2, D 3, E 4, C 5 → B moved up 3.
        assert_eq!(b.highlights[2], "主营业务收入位次前移最多的是B，较上月前移3位。");
    }
}
