//! Basic series arithmetic for reported figures (DOMAIN.md §5). The full indicator engine
//! builds on these.

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
}
