//! Counts of register records as of a day — the measure of the plan's count targets (21 重大项目,
//! 400 高新技术企业 in zones, 13 国际科技合作基地 …) — for the city, the zones, a zone or a county.
//! A record counts from a date it carries (recognised, certificate issued, signed …) and, where
//! the register says so, until a later date (revoked) or for a validity period (certificates).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Record, RegisterKind};

/// Which records a count takes. Data, not code: a target carries its spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountSpec {
    pub register: RegisterKind,
    /// Every (field, allowed values) must hold.
    #[serde(default)]
    pub matches: Vec<(String, Vec<String>)>,
    /// The record counts from the earliest of these dates, on or before the day.
    pub from_fields: Vec<String>,
    /// … until this date (exclusive), when the record has it (撤销日期).
    #[serde(default)]
    pub until_field: Option<String>,
    /// … for this many years from the from-date (high-tech certificates: 3).
    #[serde(default)]
    pub valid_years: Option<u32>,
    /// Only records whose from-date is on or after this day (新增 under the plan).
    #[serde(default)]
    pub since: Option<NaiveDate>,
    /// Only records whose from-date is in the day's calendar year (每年引进 …).
    #[serde(default)]
    pub within_year: bool,
    /// Only records in a development zone (开发区内).
    #[serde(default)]
    pub in_zones: bool,
    /// Sum this numeric field over the records instead of counting them.
    #[serde(default)]
    pub sum_field: Option<String>,
}

impl CountSpec {
    pub fn new(register: RegisterKind, from_fields: &[&str]) -> CountSpec {
        CountSpec {
            register,
            matches: Vec::new(),
            from_fields: from_fields.iter().map(|s| s.to_string()).collect(),
            until_field: None,
            valid_years: None,
            since: None,
            within_year: false,
            in_zones: false,
            sum_field: None,
        }
    }
    pub fn only(mut self, field: &str, values: &[&str]) -> CountSpec {
        self.matches.push((field.to_string(), values.iter().map(|s| s.to_string()).collect()));
        self
    }
    pub fn only_owned(mut self, field: &str, values: Vec<String>) -> CountSpec {
        self.matches.push((field.to_string(), values));
        self
    }
    pub fn until(mut self, field: &str) -> CountSpec {
        self.until_field = Some(field.into());
        self
    }
    pub fn valid_for_years(mut self, years: u32) -> CountSpec {
        self.valid_years = Some(years);
        self
    }
    pub fn new_since(mut self, day: NaiveDate) -> CountSpec {
        self.since = Some(day);
        self
    }
    pub fn each_year(mut self) -> CountSpec {
        self.within_year = true;
        self
    }
    pub fn in_zones(mut self) -> CountSpec {
        self.in_zones = true;
        self
    }
    pub fn summing(mut self, field: &str) -> CountSpec {
        self.sum_field = Some(field.into());
        self
    }

    /// The date the record starts counting from.
    pub fn from_date(&self, r: &Record) -> Option<NaiveDate> {
        self.from_fields.iter().filter_map(|f| r.date(f)).min()
    }

    /// Whether `r` is counted on `day`.
    pub fn counts(&self, r: &Record, day: NaiveDate) -> bool {
        if self.in_zones && r.zone().is_empty() {
            return false;
        }
        if !self.matches.iter().all(|(f, vs)| vs.iter().any(|v| v == r.get(f))) {
            return false;
        }
        let Some(from) = self.from_date(r) else { return false };
        if from > day || self.since.is_some_and(|s| from < s) || (self.within_year && from.year() != day.year()) {
            return false;
        }
        if let Some(until) = self.until_field.as_deref().and_then(|f| r.date(f))
            && until <= day
        {
            return false;
        }
        if let Some(y) = self.valid_years
            && from.checked_add_months(Months::new(12 * y)).is_some_and(|end| end <= day)
        {
            return false;
        }
        true
    }

    /// The count (or sum) over `records` of `area` on `day`.
    pub fn measure(&self, records: &[Record], day: NaiveDate, area: &Area) -> f64 {
        records
            .iter()
            .filter(|r| area.contains(r) && self.counts(r, day))
            .map(|r| match &self.sum_field {
                Some(f) => r.number(f).unwrap_or(0.0),
                None => 1.0,
            })
            .sum()
    }
}

/// Where a count is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    City,
    Zone(String),
    /// Several zones together (a zone reporter's zones).
    Zones(Vec<String>),
    County(String),
}

impl Area {
    pub fn contains(&self, r: &Record) -> bool {
        match self {
            Area::City => true,
            Area::Zone(z) => r.zone() == z,
            Area::Zones(zs) => zs.iter().any(|z| z == r.zone()),
            Area::County(c) => r.county() == c,
        }
    }
}

/// The last day of a month (counts at a month are taken at its end).
pub fn month_end(year: i32, month: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("valid month");
    first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).expect("in range")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn rec(pairs: &[(&str, &str)]) -> Record {
        let mut r = Record::default();
        for (k, v) in pairs {
            r.set(k, *v);
        }
        r
    }

    #[test]
    fn certificates_count_for_three_years_and_only_in_zones_when_asked() {
        let rs = vec![
            rec(&[("zone", "a"), ("county", "131082"), ("hitech_date", "2017-11-30")]),
            rec(&[("zone", "b"), ("county", "131022"), ("hitech_date", "2019-03-01")]),
            rec(&[("county", "131082"), ("hitech_date", "2018-06-01")]),
            rec(&[("zone", "a"), ("county", "131082")]),
        ];
        let city = CountSpec::new(RegisterKind::Enterprises, &["hitech_date"]).valid_for_years(3);
        let zones = city.clone().in_zones();
        // 2019-12-31: all three certificates valid.
        assert_eq!(city.measure(&rs, d("2019-12-31"), &Area::City), 3.0);
        assert_eq!(zones.measure(&rs, d("2019-12-31"), &Area::City), 2.0);
        // 2020-11-30: the 2017-11-30 certificate ended the day before.
        assert_eq!(city.measure(&rs, d("2020-11-29"), &Area::City), 3.0);
        assert_eq!(city.measure(&rs, d("2020-11-30"), &Area::City), 2.0);
        assert_eq!(city.measure(&rs, d("2019-12-31"), &Area::County("131082".into())), 2.0);
        assert_eq!(zones.measure(&rs, d("2019-12-31"), &Area::Zone("b".into())), 1.0);
        assert_eq!(city.measure(&rs, d("2019-12-31"), &Area::Zones(vec!["a".into(), "b".into()])), 2.0);
        assert_eq!(city.measure(&rs, d("2017-12-31"), &Area::City), 1.0);
    }

    #[test]
    fn stages_matches_since_years_and_sums() {
        let rs = vec![
            rec(&[("category", "重大项目"), ("d_talk", "2017-05-01"), ("d_sign", "2018-03-01"), ("total_invest", "20.5")]),
            rec(&[("category", "重大项目"), ("d_start", "2019-04-01"), ("total_invest", "12")]),
            rec(&[("category", "重点项目"), ("d_sign", "2019-02-01"), ("total_invest", "3")]),
            rec(&[("category", "重点项目"), ("d_sign", "2020-02-01"), ("total_invest", "4")]),
        ];
        let signed = ["d_sign", "d_start", "d_build", "d_done", "d_prod"];
        let major = CountSpec::new(RegisterKind::Projects, &signed).only("category", &["重大项目"]);
        assert_eq!(major.measure(&rs, d("2018-12-31"), &Area::City), 1.0);
        assert_eq!(major.measure(&rs, d("2019-12-31"), &Area::City), 2.0);
        assert_eq!(major.clone().summing("total_invest").measure(&rs, d("2019-12-31"), &Area::City), 32.5);
        // Counted from the earliest dated stage when all stages are listed: 2017-05-01.
        let any = CountSpec::new(RegisterKind::Projects, &["d_plan", "d_talk", "d_sign"]).only("category", &["重大项目"]);
        assert_eq!(any.measure(&rs, d("2017-12-31"), &Area::City), 1.0);
        let key = CountSpec::new(RegisterKind::Projects, &signed).only("category", &["重点项目"]).each_year();
        assert_eq!(key.measure(&rs, d("2019-12-31"), &Area::City), 1.0);
        assert_eq!(key.measure(&rs, d("2020-12-31"), &Area::City), 1.0);
        assert_eq!(key.measure(&rs, d("2020-01-31"), &Area::City), 0.0);
        let new = major.new_since(d("2019-01-01"));
        assert_eq!(new.measure(&rs, d("2020-12-31"), &Area::City), 1.0);
        let revoked = vec![rec(&[("recognised", "2018-01-01"), ("revoked", "2019-07-01")])];
        let p = CountSpec::new(RegisterKind::Platforms, &["recognised"]).until("revoked");
        assert_eq!(p.measure(&revoked, d("2019-06-30"), &Area::City), 1.0);
        assert_eq!(p.measure(&revoked, d("2019-07-01"), &Area::City), 0.0);
        assert_eq!(month_end(2020, 2), d("2020-02-29"));
        assert_eq!(month_end(2019, 12), d("2019-12-31"));
    }
}
