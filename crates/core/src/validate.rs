//! Validation of a zone's monthly submission. Rules are data the office edits (DHIS2-style: an
//! importance, an optional message, and a kind); outlier screening by z-score and by the
//! median/MAD modified z-score.
//!
//! Errors must be corrected. A warning about one indicator's value needs a written explanation
//! (情况说明) on that value and is satisfied once the explanation is non-empty; this is how an
//! unusual but true figure gets through (DHIS2: values marked for follow-up with a comment).
//! A rule whose data is missing is skipped (DHIS2's "skip if any value is missing"); a missing
//! value is the business of `Required` rules.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::expr::{Env, Expr, Formulas, Scope, eval_bool, parse_condition};
use crate::indicator::{Indicator, IndicatorKind};
use crate::period::Month;
use crate::series::{MonthlyValue, growth_pct, mom_pct, monthly_value, yoy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    Error,
    Warning,
}

impl Importance {
    pub fn label(self) -> &'static str {
        match self {
            Importance::Error => "错误",
            Importance::Warning => "警告",
        }
    }
}

/// What a plausibility check compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// 同比: the same period last year (the 上年同期可比数 when reported).
    Yoy,
    /// 环比: the previous month; for flows the 当月 values.
    Mom,
}

/// How a learned range is spread around the centre of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spread {
    /// median ± k × MAD (robust to the outliers it is looking for).
    MedianMad,
    /// mean ± k × sample standard deviation (DHIS2's generated min/max).
    MeanSd,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum RuleKind {
    Required {
        indicator: String,
    },
    NonNegative {
        indicator: String,
    },
    /// Bounds set by the office; either may be open.
    Range {
        indicator: String,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Bounds learned from the zone's last `last_n` values (当月 values for flows).
    LearnedRange {
        indicator: String,
        spread: Spread,
        k: f64,
        last_n: u32,
    },
    /// A condition in the formula language, e.g. `hitech_va <= ind_va`.
    Expression {
        expr: String,
    },
    /// A flow's 1–N月累计 must not fall within a year.
    CumulativeNonDecreasing {
        indicator: String,
    },
    /// Change beyond ±`max_abs_change_pct`% needs an explanation.
    Plausibility {
        indicator: String,
        basis: Basis,
        max_abs_change_pct: f64,
    },
}

impl RuleKind {
    /// The indicator the rule is about, if it is about one.
    pub fn indicator(&self) -> Option<&str> {
        match self {
            RuleKind::Required { indicator }
            | RuleKind::NonNegative { indicator }
            | RuleKind::Range { indicator, .. }
            | RuleKind::LearnedRange { indicator, .. }
            | RuleKind::CumulativeNonDecreasing { indicator }
            | RuleKind::Plausibility { indicator, .. } => Some(indicator),
            RuleKind::Expression { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub code: String,
    pub kind: RuleKind,
    pub importance: Importance,
    /// Replaces the generated message.
    pub message: Option<String>,
}

/// One submitted cell: the value (blank allowed, e.g. 本月无外资到位), the 上年同期可比数 when
/// the reporter gives it, and the explanation text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Submitted {
    pub value: Option<f64>,
    pub comparable: Option<f64>,
    pub explanation: String,
}

/// What is checked: a zone's submission for a period, with its history.
pub struct Submission<'a, E: Env + ?Sized> {
    pub zone: &'a str,
    pub period: Month,
    pub values: &'a BTreeMap<String, Submitted>,
    /// Stored values (previous months, last year, and any already saved for this period).
    pub history: &'a E,
    /// Names, units, kinds (flow or stock) and formulas of the indicators.
    pub catalogue: &'a [Indicator],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_code: String,
    pub indicator: Option<String>,
    pub importance: Importance,
    pub message_zh: String,
    /// A warning on a value that still has no explanation.
    pub needs_explanation: bool,
    /// The reporter's explanation that satisfied the warning.
    pub explanation: Option<String>,
}

/// Whether the findings stop a submission: any error, or a warning still waiting for its explanation.
pub fn blocks_submission(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.importance == Importance::Error || f.needs_explanation)
}

/// The submitted values on top of the stored ones, for expression rules.
struct Overlay<'a, E: Env + ?Sized> {
    sub: &'a Submission<'a, E>,
}

impl<E: Env + ?Sized> Env for Overlay<'_, E> {
    fn value(&self, indicator: &str, period: Month, scope: &Scope) -> Option<f64> {
        let here = period == self.sub.period && *scope == Scope::Zone(self.sub.zone.to_string());
        match self.sub.values.get(indicator) {
            Some(s) if here => s.value,
            _ => self.sub.history.value(indicator, period, scope),
        }
    }
    fn group_zones(&self, group: &str) -> Option<Vec<String>> {
        self.sub.history.group_zones(group)
    }
}

/// A number for messages: up to 2 decimals, trailing zeros dropped.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".into() } else { s }
}

/// Fewest history values a learned range is computed from.
pub const MIN_HISTORY: usize = 3;

impl<E: Env + ?Sized> Submission<'_, E> {
    fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.catalogue.iter().find(|i| i.code == code)
    }
    fn name<'n>(&'n self, code: &'n str) -> &'n str {
        self.indicator(code).map(|i| i.name.as_str()).unwrap_or(code)
    }
    fn show(&self, code: &str, v: f64) -> String {
        match self.indicator(code) {
            Some(i) => format!("{}{}", i.format(v), i.unit),
            None => num(v),
        }
    }
    fn is_flow(&self, code: &str) -> bool {
        self.indicator(code).is_some_and(|i| i.kind == IndicatorKind::Flow)
    }
    fn submitted(&self, code: &str) -> Option<f64> {
        self.values.get(code).and_then(|s| s.value)
    }
    fn stored(&self, code: &str, months_back: i32) -> Option<f64> {
        self.history.value(code, self.period.offset(-months_back), &Scope::Zone(self.zone.to_string()))
    }
    /// The 当月 value of a flow `months_back` months before the period, from stored 累计.
    fn stored_month(&self, code: &str, months_back: i32, cumulative: Option<f64>) -> Option<MonthlyValue> {
        let p = self.period.offset(-months_back);
        monthly_value(p.month(), cumulative?, self.stored(code, months_back + 1))
    }
    /// The value compared by range and 环比 rules: 当月 for flows, the value itself for stocks.
    /// `None` for a combined 1–2月 value, which is not comparable with single months.
    fn comparable_value(&self, code: &str, months_back: i32, cumulative: Option<f64>) -> Option<f64> {
        if self.is_flow(code) {
            match self.stored_month(code, months_back, cumulative)? {
                MonthlyValue::Month { value, .. } => Some(value),
                MonthlyValue::JanFeb { .. } => None,
            }
        } else {
            cumulative
        }
    }
}

/// Runs the rules over a submission. Findings come in rule order.
pub fn check<E: Env + ?Sized>(rules: &[Rule], sub: &Submission<'_, E>) -> Vec<Finding> {
    Checker::new(rules, sub.catalogue).check(sub)
}

/// A rule set made ready once for many reports (an upload holds tens of thousands): the
/// catalogue's formulas and the rules' conditions parsed once, not per report.
pub struct Checker<'r> {
    rules: &'r [Rule],
    formulas: Formulas,
    /// Per rule: its parsed condition (expression rules) or the parse error's text.
    conditions: Vec<Option<Result<Expr, String>>>,
}

impl<'r> Checker<'r> {
    pub fn new(rules: &'r [Rule], catalogue: &[Indicator]) -> Checker<'r> {
        let formula_defs: Vec<(String, String)> =
            catalogue.iter().filter_map(|i| i.formula.clone().map(|f| (i.code.clone(), f))).collect();
        // A broken catalogue formula is reported by catalogue checks; here its code reads as missing.
        let formulas = Formulas::new(&formula_defs).or_else(|_| Formulas::new(&[])).expect("no definitions cannot fail");
        let conditions = rules
            .iter()
            .map(|r| match &r.kind {
                RuleKind::Expression { expr } => Some(parse_condition(expr).map_err(|e| e.to_string())),
                _ => None,
            })
            .collect();
        Checker { rules, formulas, conditions }
    }

    /// The findings of the rules on one report (`sub.catalogue` is the one the checker was made with).
    pub fn check<E: Env + ?Sized>(&self, sub: &Submission<'_, E>) -> Vec<Finding> {
        let overlay = Overlay { sub };
        let env = self.formulas.over(&overlay);
        let mut out = Vec::new();
        for (rule, condition) in self.rules.iter().zip(&self.conditions) {
            let Some(message) = evaluate(rule, condition.as_ref(), sub, &env) else { continue };
            let indicator = rule.kind.indicator().map(String::from);
            let explanation = indicator
                .as_deref()
                .and_then(|i| sub.values.get(i))
                .map(|s| s.explanation.trim().to_string())
                .filter(|e| !e.is_empty());
            let explainable = rule.importance == Importance::Warning && indicator.is_some();
            let needs_explanation = explainable && explanation.is_none();
            let mut message_zh = rule.message.clone().unwrap_or(message);
            if needs_explanation {
                message_zh.push_str("，需填写情况说明");
            } else if explainable {
                message_zh.push_str("（已填写情况说明）");
            }
            out.push(Finding {
                rule_code: rule.code.clone(),
                indicator,
                importance: rule.importance,
                message_zh,
                needs_explanation,
                explanation: if explainable { explanation } else { None },
            });
        }
        out
    }
}

/// The generated message when the rule is violated, `None` when it holds or cannot be judged.
fn evaluate<E: Env + ?Sized, F: Env + ?Sized>(rule: &Rule, condition: Option<&Result<Expr, String>>, sub: &Submission<'_, E>, env: &F) -> Option<String> {
    match &rule.kind {
        RuleKind::Required { indicator } => {
            sub.submitted(indicator).is_none().then(|| format!("{}未填报", sub.name(indicator)))
        }
        RuleKind::NonNegative { indicator } => {
            let v = sub.submitted(indicator)?;
            (v < 0.0).then(|| format!("{}为{}，不能为负数", sub.name(indicator), sub.show(indicator, v)))
        }
        RuleKind::Range { indicator, min, max } => {
            let v = sub.submitted(indicator)?;
            let low = min.is_some_and(|m| v < m);
            let high = max.is_some_and(|m| v > m);
            if !(low || high) {
                return None;
            }
            let bound = match (min, max) {
                (Some(a), Some(b)) => format!("应在{}至{}之间", sub.show(indicator, *a), sub.show(indicator, *b)),
                (Some(a), None) => format!("不应低于{}", sub.show(indicator, *a)),
                (None, Some(b)) => format!("不应高于{}", sub.show(indicator, *b)),
                (None, None) => unreachable!("no bound cannot be violated"),
            };
            Some(format!("{}为{}，{bound}", sub.name(indicator), sub.show(indicator, v)))
        }
        RuleKind::LearnedRange { indicator, spread, k, last_n } => {
            let current = sub.comparable_value(indicator, 0, sub.submitted(indicator))?;
            let history: Vec<f64> = (1..=*last_n as i32)
                .filter_map(|back| sub.comparable_value(indicator, back, sub.stored(indicator, back)))
                .collect();
            let (lo, hi) = learn_range(&history, *spread, *k)?;
            if current >= lo && current <= hi {
                return None;
            }
            let what = if sub.is_flow(indicator) { "当月值" } else { "" };
            let how = match spread {
                Spread::MedianMad => format!("中位数±{}×MAD", num(*k)),
                Spread::MeanSd => format!("均值±{}×标准差", num(*k)),
            };
            Some(format!(
                "{}{what}为{}，超出按近{}期数据（{how}）推算的合理范围{}至{}",
                sub.name(indicator),
                sub.show(indicator, current),
                history.len(),
                sub.show(indicator, lo),
                sub.show(indicator, hi)
            ))
        }
        RuleKind::Expression { .. } => match condition? {
            Ok(e) => {
                let ok = eval_bool(e, env, sub.period, &Scope::Zone(sub.zone.to_string()))?;
                (!ok).then(|| format!("不满足校验条件：{e}"))
            }
            Err(err) => Some(format!("校验规则“{}”的条件有误：{err}", rule.code)),
        },
        RuleKind::CumulativeNonDecreasing { indicator } => {
            if sub.period.month() == 1 {
                return None; // 累计 restarts each January
            }
            let (v, prev) = (sub.submitted(indicator)?, sub.stored(indicator, 1)?);
            (v < prev).then(|| {
                let m = sub.period.month();
                format!(
                    "{}1–{m}月累计{}小于1–{}月累计{}，累计数不应减少",
                    sub.name(indicator),
                    sub.show(indicator, v),
                    m - 1,
                    sub.show(indicator, prev)
                )
            })
        }
        RuleKind::Plausibility { indicator, basis, max_abs_change_pct } => {
            let (change, what) = match basis {
                Basis::Yoy => {
                    let v = sub.submitted(indicator)?;
                    let comparable = sub.values.get(indicator).and_then(|s| s.comparable);
                    (yoy(v, comparable, sub.stored(indicator, 12))?.pct, "同比")
                }
                Basis::Mom if sub.is_flow(indicator) => {
                    let cur = sub.stored_month(indicator, 0, sub.submitted(indicator))?;
                    let prev = sub.stored_month(indicator, 1, sub.stored(indicator, 1))?;
                    (mom_pct(cur, prev)?, "当月环比")
                }
                Basis::Mom => (growth_pct(sub.submitted(indicator)?, sub.stored(indicator, 1))?, "环比"),
            };
            (change.abs() > *max_abs_change_pct).then(|| {
                format!(
                    "{}{what}{}{:.1}%，超出±{}%的合理波动范围",
                    sub.name(indicator),
                    if change >= 0.0 { "增长" } else { "下降" },
                    change.abs(),
                    num(*max_abs_change_pct)
                )
            })
        }
    }
}

/// Problems in a rule set the office edited, in Chinese (empty when it is usable).
pub fn check_rules(rules: &[Rule], catalogue: &[Indicator]) -> Vec<String> {
    let known: BTreeSet<&str> = catalogue.iter().map(|i| i.code.as_str()).collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for r in rules {
        let at = format!("校验规则“{}”", r.code);
        if !seen.insert(r.code.as_str()) {
            out.push(format!("{at}编码重复"));
        }
        if let Some(i) = r.kind.indicator()
            && !known.contains(i)
        {
            out.push(format!("{at}引用了未知指标“{i}”"));
        }
        match &r.kind {
            RuleKind::Range { min: Some(a), max: Some(b), .. } if a > b => out.push(format!("{at}的下限大于上限")),
            RuleKind::Range { min: None, max: None, .. } => out.push(format!("{at}没有设置上下限")),
            RuleKind::LearnedRange { k, last_n, .. } if k.is_nan() || *k <= 0.0 || (*last_n as usize) < MIN_HISTORY => {
                out.push(format!("{at}的倍数应大于0、历史期数应不少于{MIN_HISTORY}"))
            }
            RuleKind::Plausibility { max_abs_change_pct, .. }
                if max_abs_change_pct.is_nan() || *max_abs_change_pct <= 0.0 =>
            {
                out.push(format!("{at}的波动幅度应大于0"))
            }
            RuleKind::Expression { expr } => match parse_condition(expr) {
                Ok(e) => {
                    let unknown: Vec<String> =
                        e.references().into_iter().filter(|c| !known.contains(c.as_str())).collect();
                    if !unknown.is_empty() {
                        out.push(format!("{at}引用了未知指标：{}", unknown.join("、")));
                    }
                }
                Err(err) => out.push(format!("{at}的条件有误：{err}")),
            },
            _ => {}
        }
    }
    out
}

/// Default rules for a catalogue: amounts and counts not negative, sewage_rate within 0–100,
/// the parts not above their wholes, every flow's 累计 not falling within a year, and a ±50%
/// 同比 band on every flow. A 累计 may legitimately fall (revisions, tax refunds), so that rule
/// is a warning that an explanation satisfies.
pub fn default_rules(catalogue: &[Indicator]) -> Vec<Rule> {
    let rule = |code: String, kind, importance, message: Option<&str>| Rule {
        code,
        kind,
        importance,
        message: message.map(String::from),
    };
    let mut out = Vec::new();
    let reported = catalogue.iter().filter(|i| i.kind != IndicatorKind::Formula);
    for i in reported.clone() {
        out.push(rule(
            format!("nonneg_{}", i.code),
            RuleKind::NonNegative { indicator: i.code.clone() },
            Importance::Error,
            None,
        ));
    }
    if catalogue.iter().any(|i| i.code == "sewage_rate") {
        out.push(rule(
            "range_sewage_rate".into(),
            RuleKind::Range { indicator: "sewage_rate".into(), min: Some(0.0), max: Some(100.0) },
            Importance::Error,
            None,
        ));
    }
    for (code, expr, msg) in [
        ("hitech_va_le_ind_va", "hitech_va <= ind_va", "高新技术产业增加值不应大于规模以上工业增加值"),
        ("ind_va_le_gdp", "ind_va <= gdp", "规模以上工业增加值不应大于地区生产总值"),
        ("sei_va_le_gdp", "sei_va <= gdp", "战略性新兴产业增加值不应大于地区生产总值"),
    ] {
        out.push(rule(code.into(), RuleKind::Expression { expr: expr.into() }, Importance::Error, Some(msg)));
    }
    for i in reported.filter(|i| i.kind == IndicatorKind::Flow) {
        out.push(rule(
            format!("cum_{}", i.code),
            RuleKind::CumulativeNonDecreasing { indicator: i.code.clone() },
            Importance::Warning,
            None,
        ));
        out.push(rule(
            format!("yoy_{}", i.code),
            RuleKind::Plausibility { indicator: i.code.clone(), basis: Basis::Yoy, max_abs_change_pct: 50.0 },
            Importance::Warning,
            None,
        ));
    }
    out
}

// ---------------------------------------------------------------- learned ranges and outliers

fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// Median absolute deviation from the median (unscaled).
fn mad(values: &[f64], centre: f64) -> Option<f64> {
    median(&values.iter().map(|v| (v - centre).abs()).collect::<Vec<_>>())
}

fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some((mean, var.sqrt()))
}

/// Bounds from history: median ± k·MAD or mean ± k·sd (sample). `None` with fewer than
/// [`MIN_HISTORY`] values or no spread at all (a constant history gives no band to learn).
pub fn learn_range(history: &[f64], spread: Spread, k: f64) -> Option<(f64, f64)> {
    if history.len() < MIN_HISTORY {
        return None;
    }
    let (centre, width) = match spread {
        Spread::MedianMad => {
            let m = median(history)?;
            (m, mad(history, m)?)
        }
        Spread::MeanSd => mean_sd(history)?,
    };
    (width > 0.0).then_some((centre - k * width, centre + k * width))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierMethod {
    /// (x − mean) ÷ sd, sample sd.
    ZScore,
    /// 0.6745 · (x − median) ÷ MAD (Iglewicz–Hoaglin).
    ModifiedZScore,
}

/// Usual thresholds (the office may set others): |z| > 3, |modified z| > 3.5.
pub const Z_THRESHOLD: f64 = 3.0;
pub const MODIFIED_Z_THRESHOLD: f64 = 3.5;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OutlierScore {
    pub score: f64,
    pub outlier: bool,
}

/// Scores `x` against `history` (which does not include x). `None` when the history has no
/// spread or is too short (fewer than 2 values for the z-score, none for the median).
pub fn outlier_score(x: f64, history: &[f64], method: OutlierMethod, threshold: f64) -> Option<OutlierScore> {
    let score = match method {
        OutlierMethod::ZScore => {
            let (mean, sd) = mean_sd(history)?;
            (sd > 0.0).then(|| (x - mean) / sd)?
        }
        OutlierMethod::ModifiedZScore => {
            let m = median(history)?;
            let d = mad(history, m)?;
            (d > 0.0).then(|| 0.6745 * (x - m) / d)?
        }
    };
    Some(OutlierScore { score, outlier: score.abs() > threshold })
}

/// Scores every value of a slice against the slice itself (DHIS2's outlier analysis).
pub fn screen(values: &[f64], method: OutlierMethod, threshold: f64) -> Vec<Option<OutlierScore>> {
    values.iter().map(|&x| outlier_score(x, values, method, threshold)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct History(HashMap<(String, String), f64>);
    impl History {
        fn put(&mut self, ind: &str, period: &str, v: f64) {
            self.0.insert((ind.into(), period.into()), v);
        }
    }
    impl Env for History {
        fn value(&self, ind: &str, p: Month, scope: &Scope) -> Option<f64> {
            (*scope == Scope::Zone("a".into())).then_some(())?;
            self.0.get(&(ind.to_string(), p.to_string())).copied()
        }
    }

    fn jul() -> Month {
        Month::new(2019, 7).unwrap()
    }
    fn vals(v: &[(&str, f64)]) -> BTreeMap<String, Submitted> {
        v.iter().map(|(k, x)| (k.to_string(), Submitted { value: Some(*x), ..Default::default() })).collect()
    }
    fn rule(kind: RuleKind, importance: Importance) -> Rule {
        Rule { code: "r".into(), kind, importance, message: None }
    }
    fn run(r: &Rule, values: &BTreeMap<String, Submitted>, h: &History, period: Month) -> Vec<Finding> {
        let cat = crate::catalog::indicators();
        check(std::slice::from_ref(r), &Submission { zone: "a", period, values, history: h, catalogue: &cat })
    }
    fn msgs(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.message_zh.as_str()).collect()
    }

    #[test]
    fn required_and_the_missing_value_explanation() {
        let h = History::default();
        let r = rule(RuleKind::Required { indicator: "fdi".into() }, Importance::Error);
        assert_eq!(msgs(&run(&r, &vals(&[("gdp", 1.0)]), &h, jul())), ["实际利用外资未填报"]);
        assert!(run(&r, &vals(&[("fdi", 0.0)]), &h, jul()).is_empty());
        // As a warning, a blank value with an explanation is accepted (本月无外资到位).
        let w = rule(RuleKind::Required { indicator: "fdi".into() }, Importance::Warning);
        let mut v = BTreeMap::new();
        v.insert("fdi".to_string(), Submitted { value: None, comparable: None, explanation: "本月无外资到位".into() });
        let f = run(&w, &v, &h, jul());
        assert_eq!(msgs(&f), ["实际利用外资未填报（已填写情况说明）"]);
        assert!(!f[0].needs_explanation);
        assert_eq!(f[0].explanation.as_deref(), Some("本月无外资到位"));
        assert!(!blocks_submission(&f));
        // An error is not lifted by an explanation.
        assert!(blocks_submission(&run(&r, &v, &h, jul())));
    }

    #[test]
    fn non_negative_and_range() {
        let h = History::default();
        let r = rule(RuleKind::NonNegative { indicator: "tax".into() }, Importance::Error);
        assert_eq!(msgs(&run(&r, &vals(&[("tax", -1.5)]), &h, jul())), ["税收收入为-1.50亿元，不能为负数"]);
        assert!(run(&r, &vals(&[("tax", 0.0)]), &h, jul()).is_empty());
        assert!(run(&r, &vals(&[]), &h, jul()).is_empty(), "missing is Required's business");

        let r = rule(
            RuleKind::Range { indicator: "sewage_rate".into(), min: Some(0.0), max: Some(100.0) },
            Importance::Error,
        );
        assert_eq!(
            msgs(&run(&r, &vals(&[("sewage_rate", 101.0)]), &h, jul())),
            ["污水集中处理率为101.0%，应在0.0%至100.0%之间"]
        );
        assert!(run(&r, &vals(&[("sewage_rate", 100.0)]), &h, jul()).is_empty());
        assert!(run(&r, &vals(&[("sewage_rate", 0.0)]), &h, jul()).is_empty());
        let floor =
            rule(RuleKind::Range { indicator: "hitech_ent".into(), min: Some(5.0), max: None }, Importance::Warning);
        let f = run(&floor, &vals(&[("hitech_ent", 3.0)]), &h, jul());
        assert_eq!(msgs(&f), ["高新技术企业数为3家，不应低于5家，需填写情况说明"]);
        assert!(f[0].needs_explanation && blocks_submission(&f));
    }

    #[test]
    fn learned_range_on_stocks_and_on_flow_month_values() {
        let mut h = History::default();
        // hitech_ent 2019-02 … 2019-06: 12, 10, 13, 11, 12 → median 12, |dev| 0,2,1,1,0 → MAD 1;
        // k = 3 gives 12 ± 3 = 9 … 15.
        for (p, v) in [("2019-06", 12.0), ("2019-05", 11.0), ("2019-04", 13.0), ("2019-03", 10.0), ("2019-02", 12.0)] {
            h.put("hitech_ent", p, v);
        }
        let r = rule(
            RuleKind::LearnedRange { indicator: "hitech_ent".into(), spread: Spread::MedianMad, k: 3.0, last_n: 5 },
            Importance::Warning,
        );
        assert!(run(&r, &vals(&[("hitech_ent", 15.0)]), &h, jul()).is_empty());
        let f = run(&r, &vals(&[("hitech_ent", 16.0)]), &h, jul());
        assert_eq!(
            msgs(&f),
            ["高新技术企业数为16家，超出按近5期数据（中位数±3×MAD）推算的合理范围9家至15家，需填写情况说明"]
        );

        // fai 累计 Jan–Jun 10, 20, 31, 41, 53, 65 → 当月 10, 10, 11, 10, 12, 12:
        // median (10 + 11) ÷ 2 = 10.5, |dev| .5 .5 .5 .5 1.5 1.5 → MAD 0.5 → 10.5 ± 1.5 = 9 … 12.
        for (m, v) in [(1, 10.0), (2, 20.0), (3, 31.0), (4, 41.0), (5, 53.0), (6, 65.0)] {
            h.put("fai", &format!("2019-{m:02}"), v);
        }
        let r = rule(
            RuleKind::LearnedRange { indicator: "fai".into(), spread: Spread::MedianMad, k: 3.0, last_n: 6 },
            Importance::Warning,
        );
        assert!(run(&r, &vals(&[("fai", 77.0)]), &h, jul()).is_empty()); // 当月 12
        let f = run(&r, &vals(&[("fai", 85.0)]), &h, jul()); // 当月 20
        assert_eq!(
            f[0].message_zh,
            "固定资产投资当月值为20.00亿元，超出按近6期数据（中位数±3×MAD）推算的合理范围9.00亿元至12.00亿元，需填写情况说明"
        );
        // With an explanation the warning is satisfied.
        let mut v = vals(&[("fai", 85.0)]);
        v.get_mut("fai").unwrap().explanation = "新开工重大项目集中入统".into();
        let f = run(&r, &v, &h, jul());
        assert!(!f[0].needs_explanation && !blocks_submission(&f));
    }

    #[test]
    fn expressions_read_submitted_stored_and_formula_values() {
        let mut h = History::default();
        h.put("ind_va", "2019-07", 40.0); // saved earlier for the same period
        let r = Rule {
            code: "hitech_va_le_ind_va".into(),
            kind: RuleKind::Expression { expr: "hitech_va <= ind_va".into() },
            importance: Importance::Error,
            message: Some("高新技术产业增加值不应大于规模以上工业增加值".into()),
        };
        let f = run(&r, &vals(&[("hitech_va", 50.0)]), &h, jul());
        assert_eq!(msgs(&f), ["高新技术产业增加值不应大于规模以上工业增加值"]);
        assert_eq!((f[0].indicator.as_deref(), f[0].needs_explanation), (None, false));
        assert!(run(&r, &vals(&[("hitech_va", 40.0)]), &h, jul()).is_empty());
        // The submitted value wins over the stored one: 50 ≤ 60.
        assert!(run(&r, &vals(&[("hitech_va", 50.0), ("ind_va", 60.0)]), &h, jul()).is_empty());
        // Missing data: skipped.
        assert!(run(&r, &vals(&[("hitech_va", 50.0)]), &History::default(), jul()).is_empty());
        // A formula indicator: 50 ÷ 40 × 100 = 125 > 100.
        let share = rule(RuleKind::Expression { expr: "hitech_share <= 100".into() }, Importance::Error);
        assert_eq!(
            msgs(&run(&share, &vals(&[("hitech_va", 50.0)]), &h, jul())),
            ["不满足校验条件：hitech_share <= 100"]
        );
        let broken = rule(RuleKind::Expression { expr: "hitech_va <= （ind_va".into() }, Importance::Error);
        assert_eq!(msgs(&run(&broken, &vals(&[]), &h, jul())), ["校验规则“r”的条件有误：第21个字符处：缺少右括号“)”"]);
    }

    #[test]
    fn cumulative_must_not_fall_within_a_year() {
        let mut h = History::default();
        h.put("tax", "2019-06", 43.0);
        h.put("tax", "2018-12", 90.0);
        let r = rule(RuleKind::CumulativeNonDecreasing { indicator: "tax".into() }, Importance::Warning);
        let f = run(&r, &vals(&[("tax", 40.0)]), &h, jul());
        assert_eq!(msgs(&f), ["税收收入1–7月累计40.00亿元小于1–6月累计43.00亿元，累计数不应减少，需填写情况说明"]);
        assert!(run(&r, &vals(&[("tax", 43.0)]), &h, jul()).is_empty());
        // January restarts the 累计: 5 after December's 90 is fine.
        assert!(run(&r, &vals(&[("tax", 5.0)]), &h, Month::new(2019, 1).unwrap()).is_empty());
    }

    #[test]
    fn plausibility_yoy_and_mom() {
        let mut h = History::default();
        h.put("tax", "2018-07", 40.0);
        h.put("tax", "2019-06", 43.0);
        h.put("tax", "2019-05", 36.0);
        h.put("hitech_ent", "2019-06", 12.0);
        let yoy_rule = rule(
            RuleKind::Plausibility { indicator: "tax".into(), basis: Basis::Yoy, max_abs_change_pct: 50.0 },
            Importance::Warning,
        );
        // 61 ÷ 40 − 1 = +52.5% > 50%.
        let f = run(&yoy_rule, &vals(&[("tax", 61.0)]), &h, jul());
        assert_eq!(msgs(&f), ["税收收入同比增长52.5%，超出±50%的合理波动范围，需填写情况说明"]);
        assert!(f[0].needs_explanation);
        // 59 ÷ 40 − 1 = +47.5%: inside.
        assert!(run(&yoy_rule, &vals(&[("tax", 59.0)]), &h, jul()).is_empty());
        // The 上年同期可比数 50 is the base when reported: 61 ÷ 50 − 1 = +22%.
        let mut v = vals(&[("tax", 61.0)]);
        v.get_mut("tax").unwrap().comparable = Some(50.0);
        assert!(run(&yoy_rule, &v, &h, jul()).is_empty());
        // 19 ÷ 40 − 1 = −52.5%.
        assert_eq!(
            msgs(&run(&yoy_rule, &vals(&[("tax", 19.0)]), &h, jul())),
            ["税收收入同比下降52.5%，超出±50%的合理波动范围，需填写情况说明"]
        );
        // Explained: kept for the reviewer, no longer blocking.
        let mut v = vals(&[("tax", 61.0)]);
        v.get_mut("tax").unwrap().explanation = "  一次性补缴税款  ".into();
        let f = run(&yoy_rule, &v, &h, jul());
        assert_eq!(f[0].explanation.as_deref(), Some("一次性补缴税款"));
        assert!(!f[0].needs_explanation && !blocks_submission(&f));

        // Flow 环比 on 当月: June 43 − 36 = 7; July 54 − 43 = 11 → 11 ÷ 7 − 1 = +57.1%.
        let mom = rule(
            RuleKind::Plausibility { indicator: "tax".into(), basis: Basis::Mom, max_abs_change_pct: 50.0 },
            Importance::Warning,
        );
        assert_eq!(
            msgs(&run(&mom, &vals(&[("tax", 54.0)]), &h, jul())),
            ["税收收入当月环比增长57.1%，超出±50%的合理波动范围，需填写情况说明"]
        );
        assert!(run(&mom, &vals(&[("tax", 53.0)]), &h, jul()).is_empty()); // 10 ÷ 7 − 1 = 42.9%
        // Stock 环比: 20 ÷ 12 − 1 = +66.7%; 17 ÷ 12 − 1 = 41.7%.
        let stock = rule(
            RuleKind::Plausibility { indicator: "hitech_ent".into(), basis: Basis::Mom, max_abs_change_pct: 50.0 },
            Importance::Warning,
        );
        assert_eq!(
            msgs(&run(&stock, &vals(&[("hitech_ent", 20.0)]), &h, jul())),
            ["高新技术企业数环比增长66.7%，超出±50%的合理波动范围，需填写情况说明"]
        );
        assert!(run(&stock, &vals(&[("hitech_ent", 17.0)]), &h, jul()).is_empty());
    }

    #[test]
    fn default_rules_for_the_catalogue() {
        let cat = crate::catalog::indicators();
        let rules = default_rules(&cat);
        assert!(check_rules(&rules, &cat).is_empty(), "{:?}", check_rules(&rules, &cat));
        // 13 reported indicators non-negative, 1 range, 3 expressions, 9 flows × 2.
        assert_eq!(rules.len(), 13 + 1 + 3 + 9 * 2);
        let mut h = History::default();
        for (ind, v) in [
            ("revenue", 800.0),
            ("gdp", 100.0),
            ("tax", 20.0),
            ("fdi", 5000.0),
            ("trade", 30.0),
            ("ind_va", 40.0),
            ("hitech_va", 14.0),
            ("sei_va", 20.0),
            ("fai", 60.0),
        ] {
            h.put(ind, "2019-06", v * 6.0 / 7.0);
            h.put(ind, "2018-07", v / 1.1);
        }
        let clean = vals(&[
            ("revenue", 800.0),
            ("gdp", 100.0),
            ("tax", 20.0),
            ("fdi", 5000.0),
            ("trade", 30.0),
            ("ind_va", 40.0),
            ("hitech_va", 14.0),
            ("sei_va", 20.0),
            ("fai", 60.0),
            ("hitech_ent", 50.0),
            ("tech_sme", 300.0),
            ("rd_platforms", 8.0),
            ("sewage_rate", 98.5),
        ]);
        let run_all = |v: &BTreeMap<String, Submitted>| {
            check(&rules, &Submission { zone: "a", period: jul(), values: v, history: &h, catalogue: &cat })
        };
        assert!(run_all(&clean).is_empty(), "{:?}", run_all(&clean));
        let mut dirty = clean.clone();
        dirty.insert("hitech_va".into(), Submitted { value: Some(45.0), ..Default::default() });
        dirty.insert("sewage_rate".into(), Submitted { value: Some(-1.0), ..Default::default() });
        let codes: Vec<String> = run_all(&dirty).into_iter().map(|f| f.rule_code).collect();
        // 45 > 40 and 45 ÷ (14 ÷ 1.1) − 1 = +253.6% 同比; −1 is negative and out of range.
        assert_eq!(codes, ["nonneg_sewage_rate", "range_sewage_rate", "hitech_va_le_ind_va", "yoy_hitech_va"]);

        let bad = vec![
            rule(RuleKind::Range { indicator: "nope".into(), min: Some(2.0), max: Some(1.0) }, Importance::Error),
            rule(RuleKind::Expression { expr: "gdp > foo".into() }, Importance::Error),
            rule(
                RuleKind::LearnedRange { indicator: "gdp".into(), spread: Spread::MeanSd, k: 0.0, last_n: 12 },
                Importance::Warning,
            ),
        ];
        assert_eq!(
            check_rules(&bad, &cat),
            [
                "校验规则“r”引用了未知指标“nope”",
                "校验规则“r”的下限大于上限",
                "校验规则“r”编码重复",
                "校验规则“r”引用了未知指标：foo",
                "校验规则“r”编码重复",
                "校验规则“r”的倍数应大于0、历史期数应不少于3",
            ]
        );
    }

    #[test]
    fn learning_and_outlier_scores() {
        let h = [10.0, 12.0, 11.0, 13.0, 12.0];
        // median 12, MAD 1 → 12 ± 2 × 1.
        assert_eq!(learn_range(&h, Spread::MedianMad, 2.0), Some((10.0, 14.0)));
        // mean 11.6; squared deviations 2.56 .16 .36 1.96 .16 = 5.2; ÷ 4 = 1.3; sd = 1.140175.
        let (lo, hi) = learn_range(&h, Spread::MeanSd, 2.0).unwrap();
        assert!((lo - 9.319_649).abs() < 1e-6 && (hi - 13.880_351).abs() < 1e-6);
        assert_eq!(learn_range(&[10.0, 12.0], Spread::MedianMad, 2.0), None, "too little history");
        assert_eq!(learn_range(&[5.0, 5.0, 5.0], Spread::MeanSd, 2.0), None, "no spread");

        // Modified z: 0.6745 × (20 − 12) ÷ 1 = 5.396 > 3.5; 0.6745 × 4 = 2.698.
        let s = outlier_score(20.0, &h, OutlierMethod::ModifiedZScore, MODIFIED_Z_THRESHOLD).unwrap();
        assert!((s.score - 5.396).abs() < 1e-9 && s.outlier);
        assert!(!outlier_score(16.0, &h, OutlierMethod::ModifiedZScore, MODIFIED_Z_THRESHOLD).unwrap().outlier);
        // z: (15 − 11.6) ÷ 1.140175 = 2.982 ≤ 3; (15.1 − 11.6) ÷ 1.140175 = 3.070 > 3.
        let z = outlier_score(15.0, &h, OutlierMethod::ZScore, Z_THRESHOLD).unwrap();
        assert!((z.score - 2.981_997).abs() < 1e-6 && !z.outlier);
        assert!(outlier_score(15.1, &h, OutlierMethod::ZScore, Z_THRESHOLD).unwrap().outlier);
        assert_eq!(outlier_score(1.0, &[2.0, 2.0, 2.0], OutlierMethod::ModifiedZScore, 3.5), None);

        // A slice with 40 in it: sorted 10 11 12 12 13 40 → median 12; |dev| 2 0 1 1 0 28 → MAD 1.
        // 0.6745 × 28 = 18.886 (outlier); 0.6745 × (10 − 12) = −1.349.
        let s = screen(&[10.0, 12.0, 11.0, 13.0, 12.0, 40.0], OutlierMethod::ModifiedZScore, MODIFIED_Z_THRESHOLD);
        let flags: Vec<bool> = s.iter().map(|x| x.unwrap().outlier).collect();
        assert_eq!(flags, [false, false, false, false, false, true]);
        assert!((s[5].unwrap().score - 18.886).abs() < 1e-9);
        assert!((s[0].unwrap().score + 1.349).abs() < 1e-9);
    }
}
