//! 亩均效益评价 (DOMAIN.md §3): `score = Σ (value_i / benchmark_i) × weight_i + bonus − penalty`
//! per segment (规上 / 规下), benchmarks constant or k × last year's average, ranking within a
//! scope, classes by percentile band (A/B/C/D), T for firms not rated, and the price
//! consequences of each class. Everything is scheme data; see [`super::examples`].

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::masterdata::{CellError, Table};

use super::sheet::Columns;

mod columns;
mod grading;

pub use columns::{FirmColumns, UNRATED};
pub use grading::{grade_columns, BenchmarkTable, Graded, Scorer};

/// One enterprise's figures for one year, keyed by 统一社会信用代码. Money in 万元, energy in 吨标准煤
/// (等价值), emissions in 吨 (主要污染物), electricity in 万千瓦时, land in 亩.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Enterprise {
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub year: i32,
    pub land_mu: f64,
    /// 规上 (above designated size) or 规下.
    pub above_scale: bool,
    pub tax: Option<f64>,
    pub revenue: Option<f64>,
    pub added_value: Option<f64>,
    pub rd: Option<f64>,
    pub energy: Option<f64>,
    pub emissions: Option<f64>,
    pub electricity: Option<f64>,
    pub employees: Option<f64>,
    /// Why the firm is not rated (T类: utility, in production < 2 years …); empty when rated.
    #[serde(default)]
    pub exempt: String,
    /// Counts of the scheme's bonus/penalty items (item code → count).
    #[serde(default)]
    pub items: BTreeMap<String, f64>,
}

/// The figure an indicator is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// 亩均税收 = 评价税收 / 用地面积 (万元/亩)
    TaxPerMu,
    /// 亩均增加值 = 工业增加值 / 用地面积
    ValueAddedPerMu,
    /// 亩均销售收入 = 销售(营业)收入 / 用地面积
    RevenuePerMu,
    /// 单位能耗增加值 = 工业增加值 / 综合能耗 (万元/吨标煤)
    ValueAddedPerEnergy,
    /// 单位排放增加值 = 工业增加值 / 主要污染物排放量 (万元/吨)
    ValueAddedPerEmission,
    /// 全员劳动生产率 = 工业增加值 / 年平均职工人数 (万元/人)
    LabourProductivity,
    /// R&D占比 = R&D经费支出 / 主营业务收入
    RdShare,
    /// 单位电耗税收 = 评价税收 / 用电量 (万元/万千瓦时)
    TaxPerElectricity,
    /// 单位能耗税收 = 评价税收 / 综合能耗 (万元/吨标煤)
    TaxPerEnergy,
}

impl Metric {
    pub const ALL: [Metric; 9] = [
        Metric::TaxPerMu, Metric::ValueAddedPerMu, Metric::RevenuePerMu, Metric::ValueAddedPerEnergy, Metric::ValueAddedPerEmission,
        Metric::LabourProductivity, Metric::RdShare, Metric::TaxPerElectricity, Metric::TaxPerEnergy,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Metric::TaxPerMu => "亩均税收",
            Metric::ValueAddedPerMu => "亩均增加值",
            Metric::RevenuePerMu => "亩均销售收入",
            Metric::ValueAddedPerEnergy => "单位能耗增加值",
            Metric::ValueAddedPerEmission => "单位排放增加值",
            Metric::LabourProductivity => "全员劳动生产率",
            Metric::RdShare => "R&D经费占比",
            Metric::TaxPerElectricity => "单位电耗税收",
            Metric::TaxPerEnergy => "单位能耗税收",
        }
    }
    pub fn unit(self) -> &'static str {
        match self {
            Metric::TaxPerMu | Metric::ValueAddedPerMu | Metric::RevenuePerMu => "万元/亩",
            Metric::ValueAddedPerEnergy | Metric::TaxPerEnergy => "万元/吨标煤",
            Metric::ValueAddedPerEmission => "万元/吨",
            Metric::LabourProductivity => "万元/人",
            Metric::RdShare => "",
            Metric::TaxPerElectricity => "万元/万千瓦时",
        }
    }
    /// (numerator, denominator) of the metric for one firm.
    pub fn parts(self, e: &Enterprise) -> (Option<f64>, Option<f64>) {
        match self {
            Metric::TaxPerMu => (e.tax, Some(e.land_mu)),
            Metric::ValueAddedPerMu => (e.added_value, Some(e.land_mu)),
            Metric::RevenuePerMu => (e.revenue, Some(e.land_mu)),
            Metric::ValueAddedPerEnergy => (e.added_value, e.energy),
            Metric::ValueAddedPerEmission => (e.added_value, e.emissions),
            Metric::LabourProductivity => (e.added_value, e.employees),
            Metric::RdShare => (e.rd, e.revenue),
            Metric::TaxPerElectricity => (e.tax, e.electricity),
            Metric::TaxPerEnergy => (e.tax, e.energy),
        }
    }
    /// The metric, or `None` when a part is missing or the denominator is not positive.
    pub fn value(self, e: &Enterprise) -> Option<f64> {
        match self.parts(e) {
            (Some(n), Some(d)) if d > 0.0 => Some(n / d),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Benchmark {
    /// A published constant (黄岩区).
    Constant { value: f64 },
    /// k × last year's average of the segment (淮安: k = 2). The average is the aggregate ratio
    /// Σ numerator / Σ denominator over last year's rated firms with both parts.
    PriorAverage { k: f64 },
}

/// What a firm without the data for an item gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// 0 points.
    #[default]
    Zero,
    /// The mean item score of the segment's firms that have the data (黄岩区: missing emission data).
    SegmentAverage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub metric: Metric,
    pub weight: f64,
    pub benchmark: Benchmark,
    #[serde(default)]
    pub missing: Missing,
}

/// A group of firms scored by one formula (规上, 规下).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub code: String,
    pub name: String,
    pub above_scale: bool,
    /// Smallest land area (亩) rated in this segment (淮安: 规下 ≥ 3 亩); smaller firms get T.
    #[serde(default)]
    pub min_land_mu: f64,
    pub items: Vec<Item>,
}

/// A class band: firms whose rank r in a group of n satisfies r ≤ ⌊upto × n⌋ (and not an earlier
/// band) get this class; the last band takes the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub class: String,
    pub name: String,
    pub upto: f64,
}

/// A bonus (points > 0) or penalty (points < 0) per counted event, capped in total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    pub code: String,
    pub name: String,
    pub points: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
}

/// What a class means for prices (差别化电价/水价, 城镇土地使用税 …). `amounts[k]` applies in the
/// (k+1)-th consecutive year in the class; the last repeats. No amounts: the text alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consequence {
    pub class: String,
    pub item: String,
    #[serde(default)]
    pub amounts: Vec<f64>,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankScope {
    /// One ranking per segment across the whole city.
    All,
    /// One ranking per segment and zone (淮安 ranks within the county).
    Zone,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MujunScheme {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub rank_scope: RankScope,
    pub segments: Vec<Segment>,
    pub bands: Vec<Band>,
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
    #[serde(default)]
    pub consequences: Vec<Consequence>,
    /// Days of the 公示 window by default (黄岩区: 3).
    #[serde(default = "three")]
    pub publicity_days: u32,
}

fn three() -> u32 {
    3
}

/// The class of firms not rated.
pub const NOT_RATED: &str = "T";

impl MujunScheme {
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.code.trim().is_empty() || self.name.trim().is_empty() {
            out.push("方案代码和名称不能为空".into());
        }
        for above in [true, false] {
            if self.segments.iter().filter(|s| s.above_scale == above).count() != 1 {
                out.push(format!("须恰有一个{}企业分组", if above { "规上" } else { "规下" }));
            }
        }
        for s in &self.segments {
            if s.items.is_empty() {
                out.push(format!("分组“{}”没有指标", s.name));
            }
            let mut sum = 0.0;
            for (k, it) in s.items.iter().enumerate() {
                if s.items[..k].iter().any(|o| o.metric == it.metric) {
                    out.push(format!("分组“{}”：指标“{}”重复", s.name, it.metric.label()));
                }
                if !(it.weight.is_finite() && it.weight > 0.0) {
                    out.push(format!("分组“{}”：“{}”的权重须为正数", s.name, it.metric.label()));
                }
                match it.benchmark {
                    Benchmark::Constant { value } if !(value.is_finite() && value > 0.0) => out.push(format!("分组“{}”：“{}”的基准值须为正数", s.name, it.metric.label())),
                    Benchmark::PriorAverage { k } if !(k.is_finite() && k > 0.0) => out.push(format!("分组“{}”：“{}”的基准倍数 k 须为正数", s.name, it.metric.label())),
                    _ => {}
                }
                sum += it.weight;
            }
            if !(sum - 100.0).abs().lt(&1e-9) {
                out.push(format!("分组“{}”各指标权重（分值）之和为 {sum}，应为 100", s.name));
            }
        }
        if self.bands.is_empty() {
            out.push("没有分类档次".into());
        }
        let mut last = 0.0;
        for b in &self.bands {
            if b.class == NOT_RATED || b.class.trim().is_empty() {
                out.push(format!("档次代码“{}”无效（T 保留给暂不评价企业）", b.class));
            }
            if !(b.upto > last && b.upto <= 1.0) {
                out.push(format!("档次“{}”的累计比例 {} 须大于上一档且不超过 1", b.class, b.upto));
            }
            last = b.upto;
        }
        if self.bands.last().is_some_and(|b| b.upto != 1.0) {
            out.push("最后一档的累计比例须为 1".into());
        }
        for c in &self.consequences {
            if c.class != NOT_RATED && !self.bands.iter().any(|b| b.class == c.class) {
                out.push(format!("价格政策“{}”所属档次“{}”不存在", c.item, c.class));
            }
        }
        for a in &self.adjustments {
            if !a.points.is_finite() || a.cap.is_some_and(|c| !(c.is_finite() && c >= 0.0)) {
                out.push(format!("加减分项“{}”的分值或上限无效", a.name));
            }
        }
        out
    }

    pub fn needs_prior(&self) -> bool {
        self.segments.iter().flat_map(|s| &s.items).any(|i| matches!(i.benchmark, Benchmark::PriorAverage { .. }))
    }

    pub fn class_name(&self, class: &str) -> &str {
        if class == NOT_RATED {
            return "暂不评价";
        }
        self.bands.iter().find(|b| b.class == class).map(|b| b.name.as_str()).unwrap_or("")
    }

    /// The consequences of a class for a firm `years` consecutive years in it (≥ 1), as text.
    pub fn consequences_for(&self, class: &str, years: u32) -> Vec<String> {
        self.consequences
            .iter()
            .filter(|c| c.class == class)
            .map(|c| match c.amounts.get((years.max(1) as usize - 1).min(c.amounts.len().saturating_sub(1))) {
                Some(a) if !c.amounts.is_empty() => {
                    let nth = if c.amounts.len() > 1 { format!("（连续第{}年）", years.max(1)) } else { String::new() };
                    format!("{}：加价 {a} {}{nth}{}", c.item, c.unit, if c.note.is_empty() { String::new() } else { format!("；{}", c.note) })
                }
                _ => format!("{}：{}", c.item, c.note),
            })
            .collect()
    }
}

/// A benchmark as applied, with how it was obtained. `zone` is empty when it applies to every
/// zone (constants, or city-wide ranking); with ranking by zone a k × average benchmark is the
/// zone's own (淮安: "the county's previous-year average").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedBenchmark {
    pub segment: String,
    #[serde(default)]
    pub zone: String,
    pub metric: Metric,
    pub value: f64,
    pub trail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub metric: Metric,
    pub value: Option<f64>,
    pub benchmark: f64,
    pub weight: f64,
    pub score: f64,
    /// The score is the segment average (data missing).
    pub imputed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseResult {
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub segment: String,
    pub items: Vec<ItemScore>,
    pub adjustment: f64,
    pub score: Option<f64>,
    pub rank: Option<u32>,
    pub group_size: u32,
    pub class: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MujunOutcome {
    pub year: i32,
    pub benchmarks: Vec<AppliedBenchmark>,
    pub results: Vec<EnterpriseResult>,
}

impl MujunOutcome {
    /// Counts per class, in band order then T.
    pub fn class_counts(&self, scheme: &MujunScheme) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = scheme.bands.iter().map(|b| (b.class.clone(), 0)).collect();
        out.push((NOT_RATED.into(), 0));
        for r in &self.results {
            if let Some(c) = out.iter_mut().find(|(c, _)| *c == r.class) {
                c.1 += 1;
            }
        }
        out
    }
}

/// Class of rank `rank` in a group of `n`: the first band with rank ≤ ⌊upto × n⌋ (a tiny epsilon
/// absorbs binary fractions such as 0.95 × 20 = 18.999…).
pub fn band_class(bands: &[Band], rank: u32, n: u32) -> &str {
    &bands[band_index(bands, rank, n)].class
}

/// Why a firm is not rated (for its result's note).
fn unrated_reason(scheme: &MujunScheme, e: &Enterprise) -> String {
    if !e.exempt.trim().is_empty() {
        return e.exempt.trim().to_string();
    }
    let s = scheme.segments.iter().find(|s| s.above_scale == e.above_scale).expect("checked: one segment per scale");
    if e.land_mu < s.min_land_mu {
        format!("{}企业用地 {} 亩，不足 {} 亩，不参评", s.name, e.land_mu, s.min_land_mu)
    } else {
        "用地面积为 0，无法计算亩均指标".into()
    }
}

/// Index of the band of rank `rank` in a group of `n` (see [`band_class`]).
pub fn band_index(bands: &[Band], rank: u32, n: u32) -> usize {
    bands.iter().position(|b| (rank as f64) <= (b.upto * n as f64 + 1e-9).floor()).unwrap_or(bands.len() - 1)
}

/// The benchmarks of every segment's items for this year's `zones` (k × average needs `prior`).
/// k × average is k × Σ numerator / Σ denominator over last year's rated firms of the segment with
/// both parts — of the zone when ranking by zone (falling back to the city when the zone had none).
pub fn benchmarks(scheme: &MujunScheme, zones: &[String], prior: Option<&[Enterprise]>) -> Result<Vec<AppliedBenchmark>, String> {
    Ok(grading::benchmarks_of(scheme, zones, prior.map(FirmColumns::new).as_ref())?.0)
}

/// Grades every firm of one year. `prior` is last year's figures (needed for k × average).
/// The arithmetic runs on columns ([`grade_columns`]); the records are then built in parallel,
/// taking over each firm's code, name and zone (the caller loads the figures for the grading).
pub fn grade(scheme: &MujunScheme, year: i32, firms: Vec<Enterprise>, prior: Option<&[Enterprise]>) -> Result<MujunOutcome, String> {
    use rayon::prelude::*;
    let cols = FirmColumns::for_scheme(&firms, scheme);
    // Last year's figures only matter for k × average benchmarks.
    let pc = prior.filter(|_| scheme.needs_prior()).map(|p| FirmColumns::for_scheme(p, scheme));
    let g = grade_columns(scheme, &cols, pc.as_ref())?;
    let scorer = g.scorer(scheme, &cols);
    let results = firms
        .into_par_iter()
        .enumerate()
        .map(|(i, e)| {
            if g.segment[i] == UNRATED {
                let note = unrated_reason(scheme, &e);
                return EnterpriseResult {
                    uscc: e.uscc, name: e.name, zone: e.zone, segment: String::new(), items: Vec::new(), adjustment: 0.0, score: None, rank: None, group_size: 0, class: NOT_RATED.into(), note,
                };
            }
            let s = &scheme.segments[g.segment[i] as usize];
            let items = s
                .items
                .iter()
                .enumerate()
                .map(|(k, it)| {
                    let (score, imputed, benchmark) = scorer.item(i, k);
                    ItemScore { metric: it.metric, value: it.metric.value(&e), benchmark, weight: it.weight, score, imputed }
                })
                .collect();
            EnterpriseResult {
                segment: s.code.clone(),
                items,
                adjustment: if e.items.is_empty() { 0.0 } else { g.adjustment(&cols, i) },
                score: Some(g.total[i]),
                rank: (g.rank[i] > 0).then_some(g.rank[i]),
                group_size: g.group_size(&cols, i),
                class: scheme.bands[g.class[i] as usize].class.clone(),
                note: String::new(),
                uscc: e.uscc,
                name: e.name,
                zone: e.zone,
            }
        })
        .collect();
    Ok(MujunOutcome { year, benchmarks: g.benchmarks, results })
}

/// The import layout of the enterprise figures.
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("uscc", &["统一社会信用代码", "uscc"]),
    ("name", &["企业名称", "name"]),
    ("zone", &["开发区代码", "zone"]),
    ("year", &["年度", "year"]),
    ("land_mu", &["用地面积（亩）", "用地面积", "land_mu"]),
    ("above_scale", &["规上企业", "是否规上", "above_scale"]),
    ("tax", &["评价税收（万元）", "税收", "tax"]),
    ("revenue", &["销售收入（万元）", "主营业务收入", "revenue"]),
    ("added_value", &["工业增加值（万元）", "增加值", "added_value"]),
    ("rd", &["R&D经费支出（万元）", "研发经费", "rd"]),
    ("energy", &["综合能耗（吨标煤）", "综合能耗", "energy"]),
    ("emissions", &["主要污染物排放量（吨）", "排放量", "emissions"]),
    ("electricity", &["用电量（万千瓦时）", "用电量", "electricity"]),
    ("employees", &["年平均职工人数", "职工人数", "employees"]),
    ("exempt", &["暂不评价原因", "exempt"]),
];

/// Header prefix of a bonus/penalty column: "加减分:safety" counts item `safety`.
pub const ITEM_PREFIX: &str = "加减分:";

pub fn template_header() -> Vec<String> {
    COLUMNS.iter().map(|(_, n)| n[0].to_string()).collect()
}

/// Parses an enterprise figures sheet. Every row is checked (统一社会信用代码 by GB 32100, zone,
/// year, numbers, duplicates) before anything is returned.
pub fn parse_enterprises(table: &Table, zones: &[String]) -> Result<Vec<Enterprise>, Vec<CellError>> {
    let cols = Columns::new(table);
    let mut errors = Vec::new();
    let pos: HashMap<&str, Option<usize>> = COLUMNS
        .iter()
        .map(|(k, names)| {
            let required = matches!(*k, "uscc" | "name" | "zone" | "year" | "land_mu" | "above_scale");
            (*k, if required { cols.require(names, &mut errors) } else { cols.find(names) })
        })
        .collect();
    let item_cols: Vec<(usize, String)> = table
        .header
        .iter()
        .enumerate()
        .filter_map(|(c, h)| h.trim().strip_prefix(ITEM_PREFIX).or_else(|| h.trim().strip_prefix("加减分：")).map(|code| (c, code.trim().to_string())))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    fn name_of(k: &str) -> &'static str {
        COLUMNS.iter().find(|(c, _)| *c == k).map(|(_, n)| n[0]).unwrap_or("")
    }
    let mut out = Vec::new();
    let mut seen: HashMap<(String, i32), usize> = HashMap::new();
    for r in 0..table.rows.len() {
        if cols.blank(r) {
            continue;
        }
        let text = |k: &str| cols.text(r, pos[k]);
        let err = |k: &str, m: String| cols.err(r, pos[k], name_of(k), m);
        let raw = text("uscc");
        let uscc = match crate::uscc::validate(&raw) {
            Ok(c) => c,
            Err(e) => {
                errors.push(err("uscc", if raw.is_empty() { "统一社会信用代码不能为空".into() } else { e.to_string() }));
                raw
            }
        };
        let name = text("name");
        if name.is_empty() {
            errors.push(err("name", "企业名称不能为空".into()));
        }
        let zone = text("zone");
        if !zones.contains(&zone) {
            errors.push(err("zone", if zone.is_empty() { "开发区代码不能为空".into() } else { format!("未知开发区代码“{zone}”") }));
        }
        let yt = text("year");
        let year = match yt.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                errors.push(err("year", format!("“{yt}”不是有效年度（如 2019）")));
                0
            }
        };
        let num = |k: &str, errors: &mut Vec<CellError>| cols.number(r, pos[k], name_of(k), errors);
        let land_mu = num("land_mu", &mut errors);
        if land_mu.is_none() && !text("land_mu").is_empty() {
            // already reported
        } else if land_mu.is_none() {
            errors.push(err("land_mu", "用地面积不能为空".into()));
        }
        let at = text("above_scale");
        let above_scale = match at.as_str() {
            "是" | "规上" | "1" | "true" | "Y" | "y" => true,
            "否" | "规下" | "0" | "false" | "N" | "n" => false,
            _ => {
                errors.push(err("above_scale", format!("“{at}”应为“是”（规上）或“否”（规下）")));
                false
            }
        };
        let mut items = BTreeMap::new();
        for (c, code) in &item_cols {
            if let Some(v) = cols.number(r, Some(*c), &format!("{ITEM_PREFIX}{code}"), &mut errors) {
                items.insert(code.clone(), v);
            }
        }
        let e = Enterprise {
            land_mu: land_mu.unwrap_or(0.0),
            above_scale,
            tax: num("tax", &mut errors),
            revenue: num("revenue", &mut errors),
            added_value: num("added_value", &mut errors),
            rd: num("rd", &mut errors),
            energy: num("energy", &mut errors),
            emissions: num("emissions", &mut errors),
            electricity: num("electricity", &mut errors),
            employees: num("employees", &mut errors),
            exempt: text("exempt"),
            items,
            uscc: uscc.clone(),
            name,
            zone,
            year,
        };
        if let Some(first) = seen.insert((uscc.clone(), year), r) {
            errors.push(err("uscc", format!("与第{}行重复（同一企业、同一年度）", first + 2)));
        }
        out.push(e);
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The figures as a table in the import layout (the export doubles as a template).
pub fn enterprises_table(firms: &[Enterprise], item_codes: &[String]) -> Table {
    let o = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let mut header = template_header();
    header.extend(item_codes.iter().map(|c| format!("{ITEM_PREFIX}{c}")));
    Table {
        sheet: "企业亩均数据".into(),
        header,
        rows: firms
            .iter()
            .map(|e| {
                let mut row = vec![
                    e.uscc.clone(), e.name.clone(), e.zone.clone(), e.year.to_string(), e.land_mu.to_string(),
                    if e.above_scale { "是" } else { "否" }.into(),
                    o(e.tax), o(e.revenue), o(e.added_value), o(e.rd), o(e.energy), o(e.emissions), o(e.electricity), o(e.employees), e.exempt.clone(),
                ];
                row.extend(item_codes.iter().map(|c| e.items.get(c).map(|v| v.to_string()).unwrap_or_default()));
                row
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::examples;
    use super::*;

    fn firm(uscc: &str, zone: &str, above: bool) -> Enterprise {
        Enterprise { uscc: uscc.into(), name: format!("企业{uscc}"), zone: zone.into(), year: 2022, land_mu: 100.0, above_scale: above, ..Default::default() }
    }

    /// 黄岩区 规上 2022 (DOMAIN.md §3.1), by hand: a firm on 100 亩 with 税收 2,000 万元, 增加值
    /// 10,000 万元, 能耗 5,000 吨标煤, 排放 2 吨, 500 职工, R&D 300 万元, 收入 12,000 万元:
    ///   亩均税收 20 / 24.097 × 30 = 24.899365…
    ///   亩均增加值 100 / 136.16 × 20 = 14.688602…
    ///   单位能耗增加值 2 / 2.694 × 20 = 14.847810…
    ///   单位排放增加值 5,000 / 4,929.81 × 10 = 10.142379…
    ///   全员劳动生产率 20 / 18.14 × 10 = 11.025358…
    ///   R&D占比 0.025 / 0.0302 × 10 = 8.278146…
    ///   total 83.881659…
    #[test]
    fn huangyan_above_scale_reproduces_the_worked_arithmetic() {
        let s = examples::huangyan_2022();
        let mut e = firm("a", "z", true);
        (e.tax, e.added_value, e.energy, e.emissions, e.employees, e.rd, e.revenue) =
            (Some(2000.0), Some(10000.0), Some(5000.0), Some(2.0), Some(500.0), Some(300.0), Some(12000.0));
        let o = grade(&s, 2022, vec![e.clone()], None).unwrap();
        let r = &o.results[0];
        let want = [24.899365066190, 14.688601645123, 14.847809948033, 10.142378712364, 11.025358324146, 8.278145695364];
        for (it, w) in r.items.iter().zip(want) {
            assert!((it.score - w).abs() < 1e-9, "{:?}: {} ≠ {w}", it.metric, it.score);
        }
        assert!((r.score.unwrap() - 83.881659391221).abs() < 1e-9, "{:?}", r.score);
        // 规下 2022: 亩均税收 / 11.5932 × 50 + 单位电耗税收 / 0.2352 × 50. A firm on 10 亩 paying
        // 115.932 万元 with 985.71… 万千瓦时 scores 50 + 0.1176…/0.2352 × 50 = 50 + 25 = 75.
        let mut small = firm("b", "z", false);
        small.land_mu = 10.0;
        small.tax = Some(115.932);
        small.electricity = Some(115.932 / 0.1176);
        let o = grade(&s, 2022, vec![small], None).unwrap();
        assert!((o.results[0].score.unwrap() - 75.0).abs() < 1e-9, "{:?}", o.results[0].score);
    }

    #[test]
    fn huangyan_missing_emission_data_gets_the_above_scale_average_item_score() {
        let s = examples::huangyan_2022();
        let mk = |id: &str, em: Option<f64>| {
            let mut e = firm(id, "z", true);
            (e.tax, e.added_value, e.energy, e.emissions, e.employees, e.rd, e.revenue) =
                (Some(2000.0), Some(10000.0), Some(5000.0), em, Some(500.0), Some(300.0), Some(12000.0));
            e
        };
        // Emission items: 10000/2 → 10.142379, 10000/4 → 5.071189; the third firm gets their mean 7.606784.
        let o = grade(&s, 2022, vec![mk("a", Some(2.0)), mk("b", Some(4.0)), mk("c", None)], None).unwrap();
        let em = |i: usize| o.results[i].items.iter().find(|x| x.metric == Metric::ValueAddedPerEmission).unwrap().clone();
        assert!(em(2).imputed && !em(0).imputed);
        assert!((em(2).score - (5000.0 / 4929.81 * 10.0 + 2500.0 / 4929.81 * 10.0) / 2.0).abs() < 1e-12);
        assert_eq!(o.results.iter().map(|r| r.rank.unwrap()).collect::<Vec<_>>(), [1, 3, 2]);
    }

    #[test]
    fn huaian_bands_cut_twenty_firms_at_4_12_19_20_and_benchmark_is_twice_last_years_average() {
        let s = examples::huaian();
        // Last year: two 规上 firms, 税收 300 + 100 on 10 + 10 亩 → average 20 万元/亩 → benchmark 40.
        let mut prior = vec![firm("p1", "z", true), firm("p2", "z", true)];
        for (p, tax) in prior.iter_mut().zip([300.0, 100.0]) {
            p.year = 2021;
            p.land_mu = 10.0;
            (p.tax, p.revenue, p.energy) = (Some(tax), Some(tax * 10.0), Some(tax / 2.0));
        }
        // A 规下 firm last year is left out of the 规上 average.
        let mut pb = firm("p3", "z", false);
        (pb.tax, pb.revenue, pb.electricity) = (Some(1.0e6), Some(1.0e6), Some(1.0e3));
        prior.push(pb);
        let b = benchmarks(&s, &["z".to_string()], Some(&prior)).unwrap();
        let tax_b = b.iter().find(|x| x.segment == "above" && x.metric == Metric::TaxPerMu).unwrap();
        assert!(tax_b.trail.starts_with("本开发区上年规上企业2家平均值 400.0000 ÷ 20.0000 = 20.000000，× 2"), "{}", tax_b.trail);
        assert!((tax_b.value - 40.0).abs() < 1e-12, "{tax_b:?}");
        // 销售收入 4,000 / 20 亩 = 200 → 400; 单位能耗税收 400 / 200 = 2 → 4.
        let rev_b = b.iter().find(|x| x.segment == "above" && x.metric == Metric::RevenuePerMu).unwrap();
        assert!((rev_b.value - 400.0).abs() < 1e-12);
        // This year: twenty 规上 firms with 税收 20, 19, …, 1 万元/亩 (other figures equal).
        let firms: Vec<Enterprise> = (0..20)
            .map(|k| {
                let mut e = firm(&format!("f{k:02}"), "z", true);
                e.land_mu = 1.0;
                (e.tax, e.revenue, e.energy) = (Some(20.0 - k as f64), Some(100.0), Some(10.0));
                e
            })
            .collect();
        let o = grade(&s, 2022, firms.clone(), Some(&prior)).unwrap();
        // Score of the top firm by hand: 20/40×45 + 100/400×35 + (20/10)/4×20 = 22.5 + 8.75 + 10 = 41.25.
        assert!((o.results[0].score.unwrap() - 41.25).abs() < 1e-9, "{:?}", o.results[0].score);
        let classes: String = o.results.iter().map(|r| r.class.as_str()).collect();
        // A 前20 % (ranks 1–4), B 20–60 % (5–12), C 60–95 % (13–19), D 后5 % (20).
        assert_eq!(classes, "AAAABBBBBBBBCCCCCCCD");
        // Ties share the better rank and the class that goes with it.
        let mut tied = firms.clone();
        tied[4].tax = tied[3].tax;
        let o = grade(&s, 2022, tied, Some(&prior)).unwrap();
        assert_eq!((o.results[4].rank, o.results[4].class.as_str()), (Some(4), "A"));
        // Without last year's data a k × average benchmark cannot be set.
        assert!(grade(&s, 2022, firms, None).unwrap_err().contains("没有上年企业数据"));
    }

    #[test]
    fn small_and_exempt_firms_are_t_and_zone_scope_ranks_within_zones() {
        let s = examples::huaian();
        let mut prior = vec![firm("p", "z", true), firm("q", "z", false)];
        for p in prior.iter_mut() {
            (p.tax, p.revenue, p.energy, p.electricity) = (Some(100.0), Some(1000.0), Some(10.0), Some(10.0));
        }
        let mut small = firm("s", "z", false);
        small.land_mu = 2.5;
        let mut utility = firm("u", "z", true);
        utility.exempt = "公用事业企业".into();
        let mut a = firm("a", "z", true);
        a.tax = Some(10.0);
        let mut b = firm("b", "y", true);
        b.tax = Some(1.0);
        let o = grade(&s, 2022, vec![small, utility, a, b], Some(&prior)).unwrap();
        assert_eq!(o.results[0].class, NOT_RATED);
        assert!(o.results[0].note.contains("不足 3 亩"), "{}", o.results[0].note);
        assert_eq!((o.results[1].class.as_str(), o.results[1].note.as_str()), (NOT_RATED, "公用事业企业"));
        // 淮安 ranks by county (zone here): each of a and b is first of one.
        assert_eq!((o.results[2].rank, o.results[3].rank), (Some(1), Some(1)));
        // Benchmarks are the county's own; a zone without last year's firms falls back to the city's.
        let y = o.benchmarks.iter().find(|b| b.zone == "y" && b.segment == "above" && b.metric == Metric::TaxPerMu).unwrap();
        assert!(y.trail.starts_with("本开发区上年无数据，采用全市上年规上企业1家平均值"), "{}", y.trail);
        assert_eq!(y.value, 2.0);
    }

    #[test]
    fn bonus_and_penalty_items_are_capped_and_consequences_escalate() {
        let mut s = examples::huangyan_2022();
        s.adjustments = vec![
            Adjustment { code: "safety".into(), name: "安全生产事故".into(), points: -5.0, cap: Some(8.0) },
            Adjustment { code: "hitech".into(), name: "高新技术企业".into(), points: 2.0, cap: None },
        ];
        let mut e = firm("a", "z", false);
        (e.land_mu, e.tax, e.electricity) = (10.0, Some(115.932), Some(115.932 / 0.2352));
        e.items = BTreeMap::from([("safety".to_string(), 2.0), ("hitech".to_string(), 1.0), ("unknown".to_string(), 9.0)]);
        let o = grade(&s, 2022, vec![e], None).unwrap();
        // 50 + 50 − min(10, 8) + 2 = 94.
        assert_eq!(o.results[0].adjustment, -6.0);
        assert!((o.results[0].score.unwrap() - 94.0).abs() < 1e-9, "{:?}", o.results[0].score);
        let h = examples::huaian();
        let d = h.consequences_for("D", 2);
        assert!(d.iter().any(|t| t.contains("差别化电价") && t.contains("0.1 元/千瓦时") && t.contains("连续第2年")), "{d:?}");
        assert!(h.consequences_for("D", 7).iter().any(|t| t.contains("0.15 元/千瓦时")));
    }

    #[test]
    fn schemes_are_checked() {
        assert!(examples::huangyan_2022().problems().is_empty(), "{:?}", examples::huangyan_2022().problems());
        assert!(examples::huaian().problems().is_empty(), "{:?}", examples::huaian().problems());
        let mut s = examples::huaian();
        s.segments[0].items[0].weight = 50.0;
        s.bands[1].upto = 0.1;
        let p = s.problems().join("；");
        assert!(p.contains("之和为 105") && p.contains("档次“B”"), "{p}");
    }

    #[test]
    fn import_checks_codes_and_reports_places() {
        let good = crate::uscc::with_check_digit("91131000MA0A12345").unwrap();
        let t = Table {
            sheet: "企业".into(),
            header: template_header().into_iter().chain(["加减分:safety".to_string()]).collect(),
            rows: vec![
                vec![good.clone(), "甲公司".into(), "z".into(), "2022".into(), "12.5".into(), "是".into(), "300".into(), "".into(), "".into(), "".into(), "".into(), "".into(), "".into(), "".into(), "".into(), "1".into()],
                vec!["91131000MA0A123450".into(), "乙".into(), "x".into(), "2022".into(), "".into(), "也许".into()],
                vec![good.clone(), "甲公司".into(), "z".into(), "2022".into(), "1".into(), "否".into()],
            ],
        };
        let errs: Vec<String> = parse_enterprises(&t, &["z".into()]).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert!(errs.iter().any(|e| e.starts_with("工作表“企业”第3行第A列（统一社会信用代码）：统一社会信用代码校验位错误")), "{errs:?}");
        assert!(errs.iter().any(|e| e.starts_with("工作表“企业”第3行第C列（开发区代码）")));
        assert!(errs.iter().any(|e| e.starts_with("工作表“企业”第3行第E列（用地面积（亩））") && e.contains("不能为空")));
        assert!(errs.iter().any(|e| e.starts_with("工作表“企业”第3行第F列") && e.contains("也许")));
        assert!(errs.iter().any(|e| e.starts_with("工作表“企业”第4行") && e.contains("与第2行重复")));
        let ok = parse_enterprises(&Table { rows: vec![t.rows[0].clone()], ..t }, &["z".into()]).unwrap();
        assert_eq!((ok[0].land_mu, ok[0].tax, ok[0].items["safety"]), (12.5, Some(300.0), 1.0));
    }
}
