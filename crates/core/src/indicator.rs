//! The indicator catalogue: what is measured, in which unit, and how it adds up.

use serde::{Deserialize, Serialize};

/// How an indicator behaves over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// Summed over months; reported as 1–N月累计, 当月 is derived.
    Flow,
    /// A level at the end of the period (counts, rates).
    Stock,
    /// Computed from other indicators; never reported.
    Formula,
}

impl IndicatorKind {
    pub const ALL: [IndicatorKind; 3] = [IndicatorKind::Flow, IndicatorKind::Stock, IndicatorKind::Formula];
    pub fn code(self) -> &'static str {
        match self {
            IndicatorKind::Flow => "flow",
            IndicatorKind::Stock => "stock",
            IndicatorKind::Formula => "formula",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::Flow => "流量（累计）",
            IndicatorKind::Stock => "存量（期末）",
            IndicatorKind::Formula => "计算指标",
        }
    }
    pub fn parse(s: &str) -> Option<IndicatorKind> {
        let s = s.trim();
        IndicatorKind::ALL.into_iter().find(|k| k.code() == s || k.label() == s).or(match s {
            "流量" | "累计" => Some(IndicatorKind::Flow),
            "存量" | "期末" => Some(IndicatorKind::Stock),
            "计算" | "公式" => Some(IndicatorKind::Formula),
            _ => None,
        })
    }
}

/// Whether more is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Direction::Higher => "越大越好",
            Direction::Lower => "越小越好",
        }
    }
    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim() {
            "higher" | "越大越好" | "正向" => Some(Direction::Higher),
            "lower" | "越小越好" | "逆向" => Some(Direction::Lower),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    /// 计量单位: 亿元, 万美元, 家, % …
    pub unit: String,
    pub kind: IndicatorKind,
    pub direction: Direction,
    /// Decimals shown (values keep what was reported).
    pub decimals: u8,
    /// Expression over other indicator codes, for `Formula` indicators.
    pub formula: Option<String>,
    /// Code of the unit that owns the statistic.
    pub owner_unit: Option<String>,
    /// Whether zones report it every month (the 每月一通报 set).
    pub monthly: bool,
    pub description: String,
}

impl Indicator {
    /// Formats a value with the indicator's decimals (Chinese statistical display).
    pub fn format(&self, v: f64) -> String {
        format!("{:.*}", self.decimals as usize, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kinds_and_formats_values() {
        assert_eq!(IndicatorKind::parse("流量"), Some(IndicatorKind::Flow));
        assert_eq!(IndicatorKind::parse("stock"), Some(IndicatorKind::Stock));
        assert_eq!(Direction::parse("逆向"), Some(Direction::Lower));
        let i = Indicator {
            code: "gdp".into(),
            name: "地区生产总值".into(),
            unit: "亿元".into(),
            kind: IndicatorKind::Flow,
            direction: Direction::Higher,
            decimals: 2,
            formula: None,
            owner_unit: None,
            monthly: true,
            description: String::new(),
        };
        assert_eq!(i.format(1234.5678), "1234.57");
    }
}
