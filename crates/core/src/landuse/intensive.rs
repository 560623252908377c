//! 开发区土地集约利用评价 (DOMAIN.md §2): land-use statistics by the codes of §2.2, the indicators
//! of §2.3, the zone type (工业主导型 / 产城融合型), ideal-value scoring with weights per type, ranking,
//! and whether a zone's evaluation is current enough for 升级/扩区/调区.
//!
//! The 规程's own ideal values, weights and normalisation were not found (DOMAIN.md §2, [NF]); the
//! scheme holds them as data. Scoring by ideal value (理想值): a "higher is better" indicator scores
//! `min(x / ideal, 1) × 100`; a "lower is better" one scores 100 at or below its ideal, 0 at or
//! above its `worst`, linear between.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::evaluate::competition_ranks;
use crate::masterdata::{CellError, Table};

use super::sheet::Columns;

/// One input field of the statistics table: land-use codes (公顷) and the building, investment,
/// tax and population totals the formulas need.
pub struct Field {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
}

const fn f(code: &'static str, name: &'static str, unit: &'static str) -> Field {
    Field { code, name, unit }
}

/// Every field, in the order of the form and the import template.
pub const FIELDS: &[Field] = &[
    f("A1", "住宅用地", "公顷"),
    f("A2", "工矿仓储用地", "公顷"),
    f("A31", "街巷用地", "公顷"),
    f("A32", "其他交通运输用地", "公顷"),
    f("A4", "商服用地", "公顷"),
    f("A51", "公园与绿地", "公顷"),
    f("A52", "其他公共管理与公共服务用地", "公顷"),
    f("A6", "其他城镇建设用地", "公顷"),
    f("B11", "已建成农村工矿仓储用地", "公顷"),
    f("B12", "其他已建成农村建设用地", "公顷"),
    f("B21", "已达到供地条件的其他土地", "公顷"),
    f("B22", "未达到供地条件的其他土地", "公顷"),
    f("C1", "河湖及蓄滞洪区", "公顷"),
    f("C2", "自然/生态保护区", "公顷"),
    f("C3", "其他不可建设土地", "公顷"),
    f("D1", "划拨国有建设用地", "公顷"),
    f("D21", "有偿使用未到期", "公顷"),
    f("D22", "有偿使用已到期未处置", "公顷"),
    f("E1", "尚可划拨", "公顷"),
    f("E21", "尚可供应工矿仓储用地", "公顷"),
    f("E22", "其他尚可有偿使用", "公顷"),
    f("F", "不可供应土地", "公顷"),
    f("G", "闲置土地", "公顷"),
    f("H1", "高新技术产业用地H1", "公顷"),
    f("H2", "高新技术产业用地H2", "公顷"),
    f("floor_area", "已建成城镇建设用地总建筑面积", "公顷"),
    f("base_area", "建筑基底总面积", "公顷"),
    f("ind_floor_area", "工矿仓储总建筑面积", "公顷"),
    f("ind_base_area", "工矿仓储建筑（构筑物）基底面积", "公顷"),
    f("ind_investment", "工业（物流）企业固定资产投资总额", "万元"),
    f("ind_tax", "工业（物流）企业税收总额", "万元"),
    f("tax_total", "二三产业税收总额", "万元"),
    f("population", "常住人口", "人"),
];

pub fn field(code: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.code == code)
}

/// A zone's statistics for one year and evaluation area (主区 or 发展方向区).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LandStats {
    pub zone: String,
    pub year: i32,
    pub area: EvalArea,
    /// Field code → value; a field left out counts as 0.
    pub values: BTreeMap<String, f64>,
}

/// 主区 (the approved boundary) and 发展方向区 are computed separately (§2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvalArea {
    Main,
    Direction,
}

impl EvalArea {
    pub fn code(self) -> &'static str {
        match self {
            EvalArea::Main => "main",
            EvalArea::Direction => "direction",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            EvalArea::Main => "主区",
            EvalArea::Direction => "发展方向区",
        }
    }
    pub fn parse(s: &str) -> Option<EvalArea> {
        match s.trim() {
            "" | "main" | "主区" => Some(EvalArea::Main),
            "direction" | "发展方向区" => Some(EvalArea::Direction),
            _ => None,
        }
    }
}

impl LandStats {
    pub fn get(&self, code: &str) -> f64 {
        self.values.get(code).copied().unwrap_or(0.0)
    }
    fn sum(&self, prefix: char) -> f64 {
        super::seq_sum(FIELDS.iter().filter(|f| f.code.starts_with(prefix) && f.code.len() > 1 && f.code.as_bytes()[1].is_ascii_digit()).map(|f| self.get(f.code)))
    }
    /// A: 已建成城镇建设用地 (A1 … A6).
    pub fn a(&self) -> f64 {
        self.sum('A')
    }
    pub fn b(&self) -> f64 {
        self.sum('B')
    }
    /// D: 已供应国有建设用地 (D1 + D21 + D22).
    pub fn d(&self) -> f64 {
        self.sum('D')
    }
}

/// An indicator of §2.3.
pub struct IndicatorDef {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub formula: &'static str,
}

const fn ind(code: &'static str, name: &'static str, unit: &'static str, formula: &'static str) -> IndicatorDef {
    IndicatorDef { code, name, unit, formula }
}

pub const INDICATORS: &[IndicatorDef] = &[
    ind("development_rate", "土地开发率", "%", "(A + B21) / (A + B) × 100"),
    ind("supply_rate", "土地供应率", "%", "D / (A + B21) × 100"),
    ind("built_rate", "土地建成率", "%", "A / D × 100"),
    ind("industrial_rate", "工业用地率", "%", "A2 / A × 100"),
    ind("hitech_rate", "高新技术产业用地率", "%", "(H1 + H2) / A × 100"),
    ind("far", "综合容积率", "", "总建筑面积 / A"),
    ind("density", "建筑密度", "%", "建筑基底总面积 / A × 100"),
    ind("ind_far", "工业用地综合容积率", "", "工矿仓储总建筑面积 / A2"),
    ind("ind_coverage", "工业用地建筑系数", "%", "工矿仓储基底面积 / A2 × 100"),
    ind("ind_investment", "工业用地固定资产投入强度", "万元/公顷", "工业企业固定资产投资总额 / A2"),
    ind("ind_tax", "工业用地地均税收", "万元/公顷", "工业企业税收总额 / A2"),
    ind("tax_per_ha", "综合地均税收", "万元/公顷", "二三产业税收总额 / A"),
    ind("population_density", "人口密度", "人/公顷", "常住人口 / A"),
    ind("idle_rate", "土地闲置率", "%", "G / D × 100"),
];

pub fn indicator(code: &str) -> Option<&'static IndicatorDef> {
    INDICATORS.iter().find(|i| i.code == code)
}

fn ratio(n: f64, d: f64, scale: f64) -> Option<f64> {
    (d > 0.0).then(|| n / d * scale)
}

/// Every indicator of §2.3 from one zone's statistics; `None` where the denominator is 0.
pub fn indicators(s: &LandStats) -> BTreeMap<&'static str, Option<f64>> {
    let (a, b, d, a2) = (s.a(), s.b(), s.d(), s.get("A2"));
    BTreeMap::from([
        ("development_rate", ratio(a + s.get("B21"), a + b, 100.0)),
        ("supply_rate", ratio(d, a + s.get("B21"), 100.0)),
        ("built_rate", ratio(a, d, 100.0)),
        ("industrial_rate", ratio(a2, a, 100.0)),
        ("hitech_rate", ratio(s.get("H1") + s.get("H2"), a, 100.0)),
        ("far", ratio(s.get("floor_area"), a, 1.0)),
        ("density", ratio(s.get("base_area"), a, 100.0)),
        ("ind_far", ratio(s.get("ind_floor_area"), a2, 1.0)),
        ("ind_coverage", ratio(s.get("ind_base_area"), a2, 100.0)),
        ("ind_investment", ratio(s.get("ind_investment"), a2, 1.0)),
        ("ind_tax", ratio(s.get("ind_tax"), a2, 1.0)),
        ("tax_per_ha", ratio(s.get("tax_total"), a, 1.0)),
        ("population_density", ratio(s.get("population"), a, 1.0)),
        ("idle_rate", ratio(s.get("G"), d, 100.0)),
    ])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneType {
    /// 工业主导型
    Industrial,
    /// 产城融合型
    Integrated,
}

impl ZoneType {
    pub fn label(self) -> &'static str {
        match self {
            ZoneType::Industrial => "工业主导型",
            ZoneType::Integrated => "产城融合型",
        }
    }
}

/// The type rule (§2.3, from an implementation, unverified against the 规程 — hence data):
/// 工矿仓储 share of A above `industrial_share_above` % and 住宅 share below
/// `residential_share_below` % → 工业主导型; any other zone → 产城融合型; a zone whose name contains
/// one of `industrial_name_keywords` (保税, 加工区) is 工业主导型 regardless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeRule {
    pub industrial_share_above: f64,
    pub residential_share_below: f64,
    #[serde(default)]
    pub industrial_name_keywords: Vec<String>,
}

pub fn classify(rule: &TypeRule, zone_name: &str, s: &LandStats) -> (ZoneType, String) {
    if let Some(k) = rule.industrial_name_keywords.iter().find(|k| !k.is_empty() && zone_name.contains(k.as_str())) {
        return (ZoneType::Industrial, format!("名称含“{k}”，按工业主导型评价"));
    }
    let a = s.a();
    let (ind, res) = if a > 0.0 { (s.get("A2") / a * 100.0, s.get("A1") / a * 100.0) } else { (0.0, 0.0) };
    let why = format!("工矿仓储用地占 {ind:.2}%，住宅用地占 {res:.2}%");
    if ind > rule.industrial_share_above && res < rule.residential_share_below {
        (ZoneType::Industrial, format!("{why}（> {}% 且 < {}%）", rule.industrial_share_above, rule.residential_share_below))
    } else {
        (ZoneType::Integrated, format!("{why}（不满足工业主导型条件 > {}% 且 < {}%）", rule.industrial_share_above, rule.residential_share_below))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

/// One scored indicator of a zone type: ideal value and weight (and, for "lower is better", the
/// value that scores 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdealItem {
    pub indicator: String,
    pub weight: f64,
    pub ideal: f64,
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst: Option<f64>,
}

impl IdealItem {
    /// The 0–100 score of a value against the ideal.
    pub fn score(&self, x: f64) -> f64 {
        match self.direction {
            Direction::Higher => (x / self.ideal).min(1.0) * 100.0,
            Direction::Lower => {
                let worst = self.worst.unwrap_or(f64::INFINITY);
                if x <= self.ideal {
                    100.0
                } else if x >= worst {
                    0.0
                } else {
                    (worst - x) / (worst - self.ideal) * 100.0
                }
            }
        }
    }
}

/// The intensive-use scheme: type rule, the items of each type, and how long an evaluation
/// stays current for 升级/扩区/调区.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntensiveScheme {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// An evaluation of year Y is current in years Y … Y + current_years − 1.
    pub current_years: u32,
    pub type_rule: TypeRule,
    pub industrial: Vec<IdealItem>,
    pub integrated: Vec<IdealItem>,
}

impl IntensiveScheme {
    pub fn items(&self, t: ZoneType) -> &[IdealItem] {
        match t {
            ZoneType::Industrial => &self.industrial,
            ZoneType::Integrated => &self.integrated,
        }
    }

    /// Every problem of the scheme, in Chinese; empty when it can be used.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.code.trim().is_empty() || self.name.trim().is_empty() {
            out.push("方案代码和名称不能为空".to_string());
        }
        if self.current_years == 0 {
            out.push("评价有效年限（current_years）至少为 1 年".to_string());
        }
        for t in [ZoneType::Industrial, ZoneType::Integrated] {
            let items = self.items(t);
            if items.is_empty() {
                out.push(format!("{}没有评价指标", t.label()));
                continue;
            }
            let mut sum = 0.0;
            for (k, it) in items.iter().enumerate() {
                let label = indicator(&it.indicator).map(|d| d.name).unwrap_or(&it.indicator);
                if indicator(&it.indicator).is_none() {
                    out.push(format!("{}第{}项：未知指标“{}”（可用：{}）", t.label(), k + 1, it.indicator, INDICATORS.iter().map(|i| i.code).collect::<Vec<_>>().join("、")));
                }
                if items[..k].iter().any(|o| o.indicator == it.indicator) {
                    out.push(format!("{}：指标“{label}”重复", t.label()));
                }
                if !(it.weight.is_finite() && it.weight > 0.0) {
                    out.push(format!("{}：“{label}”的权重须为正数", t.label()));
                }
                if !(it.ideal.is_finite() && it.ideal >= 0.0) || (it.direction == Direction::Higher && it.ideal == 0.0) {
                    out.push(format!("{}：“{label}”的理想值须为{}", t.label(), if it.direction == Direction::Higher { "正数" } else { "非负数" }));
                }
                if it.direction == Direction::Lower && !it.worst.is_some_and(|w| w.is_finite() && w > it.ideal) {
                    out.push(format!("{}：“{label}”越低越好，须给出大于理想值的最差值（worst）", t.label()));
                }
                sum += it.weight;
            }
            if (sum - 1.0).abs() > 1e-9 {
                out.push(format!("{}各指标权重之和为 {sum}，应为 1", t.label()));
            }
        }
        out
    }
}

/// One indicator of one zone in a result, with its calculation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    pub indicator: String,
    pub value: Option<f64>,
    pub ideal: f64,
    pub weight: f64,
    /// 0–100; 0 when the value cannot be computed (its denominator is 0).
    pub score: f64,
    /// weight × score.
    pub contribution: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneResult {
    pub zone: String,
    pub zone_name: String,
    pub zone_type: ZoneType,
    pub type_reason: String,
    /// All indicators of §2.3 (for the record), scored or not.
    pub indicators: BTreeMap<String, Option<f64>>,
    pub items: Vec<ItemResult>,
    pub score: f64,
    pub rank: u32,
    pub rank_in_type: u32,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntensiveOutcome {
    pub year: i32,
    pub zones: Vec<ZoneResult>,
}

/// Evaluates every zone's 主区 statistics of one year: (statistics, zone name) pairs.
pub fn evaluate(scheme: &IntensiveScheme, year: i32, zones: &[(LandStats, String)]) -> Result<IntensiveOutcome, String> {
    let p = scheme.problems();
    if !p.is_empty() {
        return Err(p.join("；"));
    }
    let mut out: Vec<ZoneResult> = zones
        .iter()
        .filter(|(s, _)| s.area == EvalArea::Main && s.year == year)
        .map(|(s, name)| {
            let (t, reason) = classify(&scheme.type_rule, name, s);
            let all = indicators(s);
            let mut notes = Vec::new();
            let items: Vec<ItemResult> = scheme
                .items(t)
                .iter()
                .map(|it| {
                    let value = all.get(it.indicator.as_str()).copied().flatten();
                    let score = match value {
                        Some(x) => it.score(x),
                        None => {
                            notes.push(format!("{}无法计算（分母为 0），该项得 0 分", indicator(&it.indicator).map(|d| d.name).unwrap_or(&it.indicator)));
                            0.0
                        }
                    };
                    ItemResult { indicator: it.indicator.clone(), value, ideal: it.ideal, weight: it.weight, score, contribution: it.weight * score }
                })
                .collect();
            let score = super::seq_sum(items.iter().map(|i| i.contribution));
            ZoneResult {
                zone: s.zone.clone(),
                zone_name: name.clone(),
                zone_type: t,
                type_reason: reason,
                indicators: all.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                items,
                score,
                rank: 0,
                rank_in_type: 0,
                notes,
            }
        })
        .collect();
    let ranks = competition_ranks(&out.iter().map(|z| Some(z.score)).collect::<Vec<_>>());
    for (z, r) in out.iter_mut().zip(ranks) {
        z.rank = r.unwrap_or(0);
    }
    for t in [ZoneType::Industrial, ZoneType::Integrated] {
        let idx: Vec<usize> = (0..out.len()).filter(|&i| out[i].zone_type == t).collect();
        let r = competition_ranks(&idx.iter().map(|&i| Some(out[i].score)).collect::<Vec<_>>());
        for (&i, r) in idx.iter().zip(r) {
            out[i].rank_in_type = r.unwrap_or(0);
        }
    }
    out.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.zone.cmp(&b.zone)));
    Ok(IntensiveOutcome { year, zones: out })
}

/// Whether a zone may apply for 升级/扩区/调区 in `as_of_year`: only with a current evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Eligibility {
    pub eligible: bool,
    pub reason: String,
}

pub fn eligibility(last_evaluated: Option<i32>, as_of_year: i32, current_years: u32) -> Eligibility {
    match last_evaluated {
        None => Eligibility { eligible: false, reason: "尚无土地集约利用评价，不得申请升级、扩区、调区".into() },
        Some(y) if as_of_year - y < current_years as i32 && y <= as_of_year => {
            Eligibility { eligible: true, reason: format!("{y}年评价在有效期内（{current_years}年）") }
        }
        Some(y) => Eligibility {
            eligible: false,
            reason: format!("最近一次评价为{y}年，已超过{current_years}年有效期，不得申请升级、扩区、调区"),
        },
    }
}

/// The import layout: 开发区代码, 年度, 评价范围, then one column per field (header = name or code).
pub fn template_header() -> Vec<String> {
    let mut h = vec!["开发区代码".to_string(), "年度".into(), "评价范围".into()];
    h.extend(FIELDS.iter().map(|f| format!("{}（{}）{}", f.name, f.code, f.unit)));
    h
}

/// Parses a statistics sheet; `zones` are the known zone codes. All rows are checked before
/// anything is returned: either every row is good or the list of every problem comes back.
pub fn parse_stats(table: &Table, zones: &[String]) -> Result<Vec<LandStats>, Vec<CellError>> {
    let cols = Columns::new(table);
    let mut errors = Vec::new();
    let zc = cols.require(&["开发区代码", "zone"], &mut errors);
    let yc = cols.require(&["年度", "year"], &mut errors);
    let ac = cols.find(&["评价范围", "area"]);
    // A field's column is found by its template header, its name, or its code.
    let fcols: Vec<(usize, &Field)> = FIELDS
        .iter()
        .filter_map(|f| {
            let long = format!("{}（{}）{}", f.name, f.code, f.unit);
            cols.find(&[long.as_str(), f.name, f.code]).map(|c| (c, f))
        })
        .collect();
    if fcols.is_empty() {
        errors.push(CellError { sheet: table.sheet.clone(), row: 1, column: None, field: "用地统计".into(), message: "没有任何用地统计列（如“工矿仓储用地（A2）公顷”或“A2”）".into() });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out: Vec<LandStats> = Vec::new();
    let mut seen: BTreeMap<(String, i32, EvalArea), usize> = BTreeMap::new();
    for r in 0..table.rows.len() {
        if cols.blank(r) {
            continue;
        }
        let zone = cols.text(r, zc);
        if zone.is_empty() {
            errors.push(cols.err(r, zc, "开发区代码", "“开发区代码”不能为空".into()));
        } else if !zones.contains(&zone) {
            errors.push(cols.err(r, zc, "开发区代码", format!("未知开发区代码“{zone}”")));
        }
        let yt = cols.text(r, yc);
        let year = match yt.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                errors.push(cols.err(r, yc, "年度", format!("“{yt}”不是有效年度（如 2019）")));
                0
            }
        };
        let at = cols.text(r, ac);
        let area = EvalArea::parse(&at).unwrap_or_else(|| {
            errors.push(cols.err(r, ac, "评价范围", format!("“{at}”应为“主区”或“发展方向区”")));
            EvalArea::Main
        });
        let mut values = BTreeMap::new();
        for (c, f) in &fcols {
            if let Some(v) = cols.number(r, Some(*c), f.name, &mut errors) {
                values.insert(f.code.to_string(), v);
            }
        }
        if let Some(first) = seen.insert((zone.clone(), year, area), r) {
            errors.push(cols.err(r, zc, "开发区代码", format!("与第{}行重复（同一开发区、年度、评价范围）", first + 2)));
        }
        out.push(LandStats { zone, year, area, values });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zone of round numbers (公顷): A = 400 (A1 60, A2 200, A31 40, A4 40, A51 30, A52 30),
    /// B = 100 (B21 60, B22 40), D = 420, G = 21, H1 + H2 = 50.
    fn stats() -> LandStats {
        let v = [
            ("A1", 60.0), ("A2", 200.0), ("A31", 40.0), ("A4", 40.0), ("A51", 30.0), ("A52", 30.0),
            ("B21", 60.0), ("B22", 40.0), ("D1", 20.0), ("D21", 380.0), ("D22", 20.0), ("G", 21.0),
            ("H1", 30.0), ("H2", 20.0), ("floor_area", 360.0), ("base_area", 120.0), ("ind_floor_area", 220.0),
            ("ind_base_area", 100.0), ("ind_investment", 1_200_000.0), ("ind_tax", 60_000.0), ("tax_total", 100_000.0), ("population", 24_000.0),
        ];
        LandStats { zone: "z".into(), year: 2019, area: EvalArea::Main, values: v.iter().map(|(k, x)| (k.to_string(), *x)).collect() }
    }

    #[test]
    fn indicators_match_hand_computed_figures() {
        let s = stats();
        assert_eq!((s.a(), s.b(), s.d()), (400.0, 100.0, 420.0));
        let i = indicators(&s);
        let close = |k: &str, want: f64| {
            let got = i[k].unwrap();
            assert!((got - want).abs() < 1e-9, "{k}: {got} ≠ {want}");
        };
        close("development_rate", 92.0); // (400 + 60) / 500
        close("supply_rate", 420.0 / 460.0 * 100.0); // 91.304…
        close("built_rate", 400.0 / 420.0 * 100.0); // 95.238…
        close("industrial_rate", 50.0); // 200 / 400
        close("hitech_rate", 12.5); // 50 / 400
        close("far", 0.9); // 360 / 400
        close("density", 30.0); // 120 / 400
        close("ind_far", 1.1); // 220 / 200
        close("ind_coverage", 50.0); // 100 / 200
        close("ind_investment", 6000.0); // 1,200,000 万元 / 200 公顷
        close("ind_tax", 300.0);
        close("tax_per_ha", 250.0);
        close("population_density", 60.0);
        close("idle_rate", 5.0); // 21 / 420
        let mut empty = stats();
        empty.values.clear();
        assert_eq!(indicators(&empty)["built_rate"], None, "0 / 0 is no value, not NaN");
    }

    #[test]
    fn zone_type_follows_the_rule_and_the_name() {
        let rule = TypeRule { industrial_share_above: 30.0, residential_share_below: 25.0, industrial_name_keywords: vec!["保税".into()] };
        let mut s = stats();
        assert_eq!(classify(&rule, "某经开区", &s).0, ZoneType::Industrial); // 50 % and 15 %
        s.values.insert("A2".into(), 100.0); // A = 300: 33.3 % / 20 % — still industrial
        assert_eq!(classify(&rule, "某经开区", &s).0, ZoneType::Industrial);
        s.values.insert("A1".into(), 80.0); // A = 320: 31.25 % / 25 % — 25 % is not < 25 %
        assert_eq!(classify(&rule, "某经开区", &s).0, ZoneType::Integrated);
        assert_eq!(classify(&rule, "廊坊综合保税区", &s).0, ZoneType::Industrial);
    }

    #[test]
    fn scores_weight_ideal_value_attainment_and_rank() {
        let item = |k: &str, w: f64, ideal: f64| IdealItem { indicator: k.into(), weight: w, ideal, direction: Direction::Higher, worst: None };
        let scheme = IntensiveScheme {
            code: "t".into(),
            name: "t".into(),
            description: String::new(),
            current_years: 2,
            type_rule: TypeRule { industrial_share_above: 30.0, residential_share_below: 25.0, industrial_name_keywords: vec![] },
            industrial: vec![
                item("industrial_rate", 0.4, 40.0),
                item("ind_tax", 0.3, 400.0),
                IdealItem { indicator: "idle_rate".into(), weight: 0.3, ideal: 0.0, direction: Direction::Lower, worst: Some(10.0) },
            ],
            integrated: vec![item("far", 1.0, 1.2)],
        };
        // Industrial: 工业用地率 50 ≥ 40 → 100; 地均税收 300/400 → 75; 闲置率 5 between 0 and 10 → 50.
        // 0.4×100 + 0.3×75 + 0.3×50 = 77.5.
        let a = (stats(), "甲".to_string());
        let mut b = stats();
        b.zone = "y".into();
        b.values.insert("A1".into(), 200.0); // A = 540: 住宅 37 % → 产城融合型; FAR 360/540 = 0.6667 → 55.56
        let o = evaluate(&scheme, 2019, &[a, (b, "乙".to_string())]).unwrap();
        assert_eq!(o.zones[0].zone, "z");
        assert!((o.zones[0].score - 77.5).abs() < 1e-9, "{}", o.zones[0].score);
        assert_eq!((o.zones[0].rank, o.zones[0].rank_in_type), (1, 1));
        assert_eq!(o.zones[1].zone_type, ZoneType::Integrated);
        assert!((o.zones[1].score - 360.0 / 540.0 / 1.2 * 100.0).abs() < 1e-9);
        assert_eq!((o.zones[1].rank, o.zones[1].rank_in_type), (2, 1));
        let mut bad = scheme.clone();
        bad.industrial[0].weight = 0.5;
        assert!(evaluate(&bad, 2019, &[]).unwrap_err().contains("权重之和为 1.1"));
    }

    #[test]
    fn eligibility_needs_a_current_evaluation() {
        assert!(!eligibility(None, 2020, 2).eligible);
        assert!(eligibility(Some(2019), 2020, 2).eligible);
        assert!(eligibility(Some(2020), 2020, 1).eligible);
        assert!(!eligibility(Some(2018), 2020, 2).eligible, "2018 + 2 years covers 2018 and 2019 only");
        assert!(!eligibility(Some(2021), 2020, 2).eligible, "an evaluation from the future does not count");
    }

    #[test]
    fn import_reports_every_problem_with_its_place() {
        let t = Table {
            sheet: "用地".into(),
            header: vec!["开发区代码".into(), "年度".into(), "工矿仓储用地（A2）公顷".into(), "G".into()],
            rows: vec![
                vec!["z".into(), "2019".into(), "200".into(), "3".into()],
                vec!["nope".into(), "19".into(), "-1".into(), "".into()],
                vec!["z".into(), "2019".into(), "1".into(), "".into()],
            ],
        };
        let errs = parse_stats(&t, &["z".into()]).unwrap_err();
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(text.contains(&"工作表“用地”第3行第A列（开发区代码）：未知开发区代码“nope”".to_string()), "{text:?}");
        assert!(text.iter().any(|e| e.starts_with("工作表“用地”第3行第B列（年度）")));
        assert!(text.iter().any(|e| e.starts_with("工作表“用地”第3行第C列（工矿仓储用地）") && e.contains("-1")));
        assert!(text.iter().any(|e| e.starts_with("工作表“用地”第4行") && e.contains("与第2行重复")));
        let ok = parse_stats(&Table { rows: vec![t.rows[0].clone()], ..t }, &["z".into()]).unwrap();
        assert_eq!((ok[0].get("A2"), ok[0].get("G")), (200.0, 3.0));
    }
}
