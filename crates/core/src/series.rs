//! Series arithmetic for reported figures (DOMAIN.md §5): 当月 from 1–N月累计 (with 1–2月
//! combined), 同比 on the comparable basis, 环比, 占比, 百分点, 年均增长 (水平法), and aggregation
//! over zones. Percentages are returned ×100 (12.3 means 12.3%).

use crate::expr::{Env, Expr, Scope, eval_number};
use crate::period::Month;

/// 增长速度 = (报告期 / 基期 − 1) × 100%. `None` when the base is zero or missing.
pub fn growth_pct(current: f64, base: Option<f64>) -> Option<f64> {
    match base {
        Some(b) if b != 0.0 && b.is_finite() && current.is_finite() => Some((current / b - 1.0) * 100.0),
        _ => None,
    }
}

/// 当月 value of a flow from 1–N月累计: this month's 累计 minus last month's (January is its own 累计).
pub fn month_from_cumulative(month: u32, cumulative: f64, previous_cumulative: Option<f64>) -> Option<f64> {
    if month == 1 { Some(cumulative) } else { previous_cumulative.map(|p| cumulative - p) }
}

/// Chinese display of a growth rate: `12.3%`, `-4.0%`, or `—` when there is no base.
pub fn format_growth(g: Option<f64>) -> String {
    match g {
        Some(v) => format!("{:.1}%", if v.abs() < 0.05 { 0.0 } else { v }),
        None => "—".to_string(),
    }
}

/// A 当月 value derived from 累计, labelled so that a 1–2月 combined figure is never shown as 2月.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MonthlyValue {
    /// The value of one month.
    Month { month: u32, value: f64 },
    /// January and February together (1–2月): only the 2月累计 exists for the year, as is usual
    /// because of the Spring Festival; 1月 on its own is unknown.
    JanFeb { value: f64 },
}

impl MonthlyValue {
    pub fn value(self) -> f64 {
        match self {
            MonthlyValue::Month { value, .. } | MonthlyValue::JanFeb { value } => value,
        }
    }
    /// `7月`, or `1-2月` for the combined value.
    pub fn label(self) -> String {
        match self {
            MonthlyValue::Month { month, .. } => format!("{month}月"),
            MonthlyValue::JanFeb { .. } => "1-2月".to_string(),
        }
    }
}

/// 当月 from 累计 (`上月止累计 + 本月 = 本月止累计`). In February without a January 累计 the
/// result is the combined 1–2月 value; in other months a missing previous 累计 means unknown.
pub fn monthly_value(month: u32, cumulative: f64, previous_cumulative: Option<f64>) -> Option<MonthlyValue> {
    match (month, previous_cumulative) {
        (1, _) => Some(MonthlyValue::Month { month: 1, value: cumulative }),
        (2, None) => Some(MonthlyValue::JanFeb { value: cumulative }),
        (m, Some(p)) => Some(MonthlyValue::Month { month: m, value: cumulative - p }),
        (_, None) => None,
    }
}

/// 当月 values of one year from its 累计 by month (index 0 = 1月, up to 12 entries).
pub fn monthly_series(cumulatives: &[Option<f64>]) -> Vec<Option<MonthlyValue>> {
    (0..cumulatives.len())
        .map(|i| {
            let prev = if i == 0 { None } else { cumulatives[i - 1] };
            cumulatives[i].and_then(|c| monthly_value(i as u32 + 1, c, prev))
        })
        .collect()
}

/// Which base a 同比 was computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YoyBasis {
    /// 上年同期可比数 reported with the current period (same set of enterprises).
    Comparable,
    /// Last year's stored value for the same period.
    LastYear,
}

impl YoyBasis {
    pub fn label(self) -> &'static str {
        match self {
            YoyBasis::Comparable => "按上年同期可比数计算",
            YoyBasis::LastYear => "按上年同期数计算",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Yoy {
    pub pct: f64,
    pub basis: YoyBasis,
}

/// 同比增长 against the 上年同期可比数 when one was reported, else against last year's value.
/// A reported comparable figure is never bypassed, even when it is zero (then there is no growth).
pub fn yoy(current: f64, comparable: Option<f64>, last_year: Option<f64>) -> Option<Yoy> {
    let (base, basis) = match comparable {
        Some(c) => (c, YoyBasis::Comparable),
        None => (last_year?, YoyBasis::LastYear),
    };
    growth_pct(current, Some(base)).map(|pct| Yoy { pct, basis })
}

/// 环比 of 当月 values. A combined 1–2月 value spans two months, so it has no 环比 and is no base.
pub fn mom_pct(current: MonthlyValue, previous: MonthlyValue) -> Option<f64> {
    match (current, previous) {
        (MonthlyValue::Month { value: c, .. }, MonthlyValue::Month { value: p, .. }) => growth_pct(c, Some(p)),
        _ => None,
    }
}

/// 占比 = part ÷ total × 100; `None` for a zero total.
pub fn share_pct(part: f64, total: f64) -> Option<f64> {
    (total != 0.0 && part.is_finite() && total.is_finite()).then(|| part / total * 100.0)
}

/// Change of a rate in 百分点 (both arguments in %).
pub fn pp_change(now: f64, before: f64) -> f64 {
    now - before
}

/// `提高2.2个百分点`, `下降0.3个百分点`, or `持平` when it rounds to 0.0.
pub fn format_pp(change: f64) -> String {
    let r = (change * 10.0).round() / 10.0;
    if r > 0.0 {
        format!("提高{r:.1}个百分点")
    } else if r < 0.0 {
        format!("下降{:.1}个百分点", -r)
    } else {
        "持平".to_string()
    }
}

/// 年均增长 by the 水平法 (geometric): `((末期 ÷ 基期)^(1/n) − 1) × 100`, n = years after the base
/// year (may be fractional). `None` for a non-positive base or n, or a negative end value.
pub fn avg_annual_growth_pct(base: f64, end: f64, years: f64) -> Option<f64> {
    if !(base > 0.0 && end >= 0.0 && years > 0.0 && end.is_finite() && base.is_finite()) {
        return None;
    }
    Some(((end / base).powf(1.0 / years) - 1.0) * 100.0)
}

/// 两年平均增速 `(√(末期 ÷ 基期) − 1) × 100`, base two years before the end.
pub fn two_year_avg_growth_pct(base: f64, end: f64) -> Option<f64> {
    avg_annual_growth_pct(base, end, 2.0)
}

/// Σ over zones for an additive indicator (amounts, counts). `None` if any zone is missing or
/// there is no zone: a partial sum would understate the total.
pub fn sum_amounts(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    let mut n = 0;
    let mut total = 0.0;
    for v in values {
        total += v?;
        n += 1;
    }
    (n > 0).then_some(total)
}

/// An [`Env`] whose every value is the Σ of the given zones' values at the asked period, so a
/// formula evaluated over it is recomputed from summed components (a group's or the city's
/// hitech_share is Σhitech_va ÷ Σind_va × 100, never the mean of the zones' shares). Only
/// additive indicators belong in such formulas; a rate like sewage_rate cannot be summed.
pub struct SumOfZones<'a, E: ?Sized> {
    pub base: &'a E,
    pub zones: &'a [String],
}

impl<E: Env + ?Sized> Env for SumOfZones<'_, E> {
    fn value(&self, indicator: &str, period: Month, _scope: &Scope) -> Option<f64> {
        sum_amounts(self.zones.iter().map(|z| self.base.value(indicator, period, &Scope::Zone(z.clone()))))
    }
    fn group_zones(&self, group: &str) -> Option<Vec<String>> {
        self.base.group_zones(group)
    }
}

/// A formula indicator for a set of zones, from the summed components (see [`SumOfZones`]).
pub fn aggregate_formula<E: Env + ?Sized>(formula: &Expr, base: &E, period: Month, zones: &[String]) -> Option<f64> {
    eval_number(formula, &SumOfZones { base, zones }, period, &Scope::City)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_against_hand_computed_figures() {
        // 1–9月 120.5 against 100.0 a year earlier: 20.5%.
        assert!((growth_pct(120.5, Some(100.0)).unwrap() - 20.5).abs() < 1e-9);
        assert!((growth_pct(95.0, Some(100.0)).unwrap() + 5.0).abs() < 1e-9);
        assert_eq!(growth_pct(5.0, Some(0.0)), None, "no growth from zero (外资空白)");
        assert_eq!(growth_pct(5.0, None), None);
        assert_eq!(format_growth(Some(12.345)), "12.3%");
        assert_eq!(format_growth(Some(-0.01)), "0.0%");
        assert_eq!(format_growth(None), "—");
    }

    #[test]
    fn month_values_from_cumulative() {
        assert_eq!(month_from_cumulative(1, 10.0, None), Some(10.0));
        assert_eq!(month_from_cumulative(7, 70.0, Some(61.5)), Some(8.5));
        assert_eq!(month_from_cumulative(7, 70.0, None), None);
    }

    #[test]
    fn jan_feb_combined_is_labelled() {
        // 累计 10, 25, 40 → 当月 10, 15, 15.
        let full = monthly_series(&[Some(10.0), Some(25.0), Some(40.0)]);
        assert_eq!(full[1], Some(MonthlyValue::Month { month: 2, value: 15.0 }));
        assert_eq!(full[2].unwrap().label(), "3月");
        // Only the 2月累计 (25) exists: 1月 unknown, 2月 carries 1–2月 = 25.
        let combined = monthly_series(&[None, Some(25.0), Some(40.0)]);
        assert_eq!(combined[0], None);
        assert_eq!(combined[1], Some(MonthlyValue::JanFeb { value: 25.0 }));
        assert_eq!(combined[1].unwrap().label(), "1-2月");
        assert_eq!(combined[2].unwrap().value(), 15.0); // 40 − 25
        // A gap after February leaves the next month unknown, not combined.
        let gap = monthly_series(&[Some(10.0), Some(25.0), None, Some(60.0)]);
        assert_eq!((gap[2], gap[3]), (None, None));
        assert_eq!(monthly_value(2, 25.0, None), Some(MonthlyValue::JanFeb { value: 25.0 }));
    }

    #[test]
    fn yoy_prefers_the_comparable_figure() {
        // 1–9月 132 against 可比数 120: (132 ÷ 120 − 1) × 100 = 10.0; last year's published 110 ignored.
        let g = yoy(132.0, Some(120.0), Some(110.0)).unwrap();
        assert!((g.pct - 10.0).abs() < 1e-9);
        assert_eq!(g.basis, YoyBasis::Comparable);
        // Without a comparable figure: (132 ÷ 110 − 1) × 100 = 20.0.
        let g = yoy(132.0, None, Some(110.0)).unwrap();
        assert!((g.pct - 20.0).abs() < 1e-9);
        assert_eq!(g.basis.label(), "按上年同期数计算");
        assert_eq!(yoy(132.0, Some(0.0), Some(110.0)), None, "a reported zero base is not replaced");
        assert_eq!(yoy(132.0, None, None), None);
    }

    #[test]
    fn mom_share_and_percentage_points() {
        let m = |month, value| MonthlyValue::Month { month, value };
        // 当月 8.4 after 8.0: (8.4 ÷ 8 − 1) × 100 = 5.0
        assert!((mom_pct(m(4, 8.4), m(3, 8.0)).unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(mom_pct(m(3, 8.0), MonthlyValue::JanFeb { value: 15.0 }), None);
        // 42 ÷ 120 × 100 = 35.0
        assert!((share_pct(42.0, 120.0).unwrap() - 35.0).abs() < 1e-9);
        assert_eq!(share_pct(1.0, 0.0), None);
        // 35.2% after 33.0%: 35.2 − 33.0 = +2.2 个百分点; 32.7 − 33.0 = −0.3; 33.02 − 33.0 = 0.02 → 0.0.
        assert_eq!(format_pp(pp_change(35.2, 33.0)), "提高2.2个百分点");
        assert_eq!(format_pp(pp_change(32.7, 33.0)), "下降0.3个百分点");
        assert_eq!(format_pp(pp_change(33.02, 33.0)), "持平");
    }

    #[test]
    fn average_annual_growth_geometric() {
        // 100 → 133.1 over 3 years: 1.331^(1/3) = 1.1 → 10.0%.
        assert!((avg_annual_growth_pct(100.0, 133.1, 3.0).unwrap() - 10.0).abs() < 1e-9);
        // 200 → 400 over 5 years: 2^(0.2) = 1.148698… → 14.8698%.
        assert!((avg_annual_growth_pct(200.0, 400.0, 5.0).unwrap() - 14.869_835_499).abs() < 1e-6);
        // 两年平均: 100 → 121: √1.21 = 1.1 → 10.0%; 100 → 81: √0.81 = 0.9 → −10.0%.
        assert!((two_year_avg_growth_pct(100.0, 121.0).unwrap() - 10.0).abs() < 1e-9);
        assert!((two_year_avg_growth_pct(100.0, 81.0).unwrap() + 10.0).abs() < 1e-9);
        assert_eq!(avg_annual_growth_pct(0.0, 10.0, 3.0), None);
        assert_eq!(avg_annual_growth_pct(10.0, 12.0, 0.0), None);
    }

    #[test]
    fn group_ratio_is_recomputed_from_sums_not_averaged() {
        struct Z;
        impl Env for Z {
            fn value(&self, ind: &str, _p: Month, scope: &Scope) -> Option<f64> {
                let Scope::Zone(z) = scope else { return None };
                match (z.as_str(), ind) {
                    ("a", "hitech_va") => Some(30.0),
                    ("a", "ind_va") => Some(100.0),
                    ("b", "hitech_va") => Some(2.0),
                    ("b", "ind_va") => Some(10.0),
                    ("c", "ind_va") => Some(50.0),
                    _ => None,
                }
            }
        }
        let f = crate::expr::parse("hitech_va / ind_va * 100").unwrap();
        let p = Month::new(2019, 12).unwrap();
        let ab = ["a".to_string(), "b".to_string()];
        // Σ: (30 + 2) ÷ (100 + 10) × 100 = 32 ÷ 110 × 100 = 29.0909…%
        let city = aggregate_formula(&f, &Z, p, &ab).unwrap();
        assert!((city - 29.090_909_09).abs() < 1e-6);
        // The mean of the zone shares (30% and 20%) would be 25%, which is wrong.
        let mean = (eval_number(&f, &Z, p, &Scope::Zone("a".into())).unwrap()
            + eval_number(&f, &Z, p, &Scope::Zone("b".into())).unwrap())
            / 2.0;
        assert!((mean - 25.0).abs() < 1e-9);
        assert!((city - mean).abs() > 4.0);
        // Zone c reported no hitech_va, so a total including it is unknown.
        assert_eq!(aggregate_formula(&f, &Z, p, &["a".to_string(), "c".to_string()]), None);
        assert_eq!(sum_amounts([Some(1.5), Some(2.0)]), Some(3.5));
        assert_eq!(sum_amounts([Some(1.5), None]), None);
        assert_eq!(sum_amounts(std::iter::empty()), None);
    }
}
