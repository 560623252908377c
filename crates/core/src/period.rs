//! Report months (`2019-07`). Flow indicators are reported as 1–N月累计 per month.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A calendar month, the unit of monthly reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i32,
    month: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("期间“{0}”格式不对，应为 YYYY-MM，例如 2019-07")]
pub struct BadMonth(pub String);

impl Month {
    /// The month after the demo data (示例数据 run 2016-01 … 2020-12).
    pub const JANUARY_2021: Month = Month { year: 2021, month: 1 };

    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1900..=2999).contains(&year)).then_some(Month { year, month })
    }
    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u32 {
        self.month
    }
    /// The month `n` months later (negative goes back).
    pub fn offset(self, n: i32) -> Month {
        let idx = self.year * 12 + self.month as i32 - 1 + n;
        Month { year: idx.div_euclid(12), month: (idx.rem_euclid(12) + 1) as u32 }
    }
    /// The month a date falls in.
    pub fn of_date(d: chrono::NaiveDate) -> Month {
        use chrono::Datelike;
        Month { year: d.year(), month: d.month() }
    }
    /// Same month one year earlier (同期).
    pub fn prior_year(self) -> Month {
        self.offset(-12)
    }
    /// Every month from `self` to `to`, both included.
    pub fn range_to(self, to: Month) -> impl Iterator<Item = Month> {
        let mut cur = self;
        std::iter::from_fn(move || {
            (cur <= to).then(|| {
                let m = cur;
                cur = cur.offset(1);
                m
            })
        })
    }
    /// Chinese label of the cumulative period, e.g. `2019年1-7月`; `2019年1月` for January.
    pub fn cumulative_label(self) -> String {
        if self.month == 1 {
            format!("{}年1月", self.year)
        } else {
            format!("{}年1-{}月", self.year, self.month)
        }
    }
    pub fn label(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = BadMonth;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = || BadMonth(s.to_string());
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

impl TryFrom<String> for Month {
    type Error = BadMonth;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let m: Month = "2019-07".parse().unwrap();
        assert_eq!((m.year(), m.month()), (2019, 7));
        assert_eq!(m.to_string(), "2019-07");
        assert_eq!("2019-7".parse::<Month>().unwrap().to_string(), "2019-07");
        assert!("2019-13".parse::<Month>().is_err());
        assert!("201907".parse::<Month>().is_err());
        assert!("19-07".parse::<Month>().is_err());
        assert_eq!(
            "x".parse::<Month>().unwrap_err().to_string(),
            "期间“x”格式不对，应为 YYYY-MM，例如 2019-07"
        );
    }

    #[test]
    fn offsets_cross_years() {
        let m = Month::new(2019, 1).unwrap();
        assert_eq!(m.offset(-1).to_string(), "2018-12");
        assert_eq!(m.offset(12).to_string(), "2020-01");
        assert_eq!(m.offset(-13).to_string(), "2017-12");
        assert_eq!(Month::new(2020, 3).unwrap().prior_year().to_string(), "2019-03");
        let r: Vec<String> =
            Month::new(2019, 11).unwrap().range_to(Month::new(2020, 2).unwrap()).map(|m| m.to_string()).collect();
        assert_eq!(r, ["2019-11", "2019-12", "2020-01", "2020-02"]);
    }

    #[test]
    fn chinese_labels() {
        assert_eq!(Month::new(2019, 7).unwrap().cumulative_label(), "2019年1-7月");
        assert_eq!(Month::new(2019, 1).unwrap().cumulative_label(), "2019年1月");
        assert_eq!(Month::new(2019, 7).unwrap().label(), "2019年7月");
    }
}
