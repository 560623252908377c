//! Counting periods the way the Civil Code does (民法典 Arts. 200–204, DOMAIN.md §1.6), for the
//! 满一年 / 满两年 / 30日 of 53号令:
//! * the day a period begins is not counted (Art. 201);
//! * a period in years ends on the corresponding day, or on the last day of the month when the
//!   final month has no such day (2016-02-29 + 1 year → 2017-02-28; Art. 202);
//! * a period whose last day is a rest day ends on the first working day after it (Art. 203).
//!   Rest days are weekends and the office's holidays, minus 调休 workdays: the same
//!   `calendar::DayOverride` data the reporting calendar uses.

use chrono::{Datelike, Duration, NaiveDate};

use crate::calendar::{is_workday, DayOverride};

/// The corresponding day `years` later (Art. 202), before any rest-day shift.
pub fn add_years(d: NaiveDate, years: u32) -> NaiveDate {
    let y = d.year() + years as i32;
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        // Only 29 February has no corresponding day; the month's last day is the 28th.
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28).expect("28th exists"))
}

/// Working days as data, precomputed for fast lookups over a range of years (the ledger scan
/// asks millions of times). Days outside the range fall back to `is_workday` on the overrides.
#[derive(Debug, Clone)]
pub struct RestDays {
    overrides: Vec<DayOverride>,
    first: NaiveDate,
    /// `rest[i]`: day `first + i` is not a working day.
    rest: Vec<bool>,
}

impl RestDays {
    /// Weekends plus `overrides`, tabulated for 1990–2060.
    pub fn new(overrides: &[DayOverride]) -> RestDays {
        let first = NaiveDate::from_ymd_opt(1990, 1, 1).expect("date");
        let last = NaiveDate::from_ymd_opt(2060, 12, 31).expect("date");
        let n = (last - first).num_days() as usize + 1;
        let rest = (0..n).map(|i| !is_workday(first + Duration::days(i as i64), overrides)).collect();
        RestDays { overrides: overrides.to_vec(), first, rest }
    }

    /// Only weekends are rest days (no holiday calendar entered).
    pub fn weekends_only() -> RestDays {
        RestDays::new(&[])
    }

    pub fn is_rest(&self, d: NaiveDate) -> bool {
        let i = (d - self.first).num_days();
        if i >= 0 && (i as usize) < self.rest.len() {
            self.rest[i as usize]
        } else {
            !is_workday(d, &self.overrides)
        }
    }

    /// `d`, or the first working day after it when `d` is a rest day (Art. 203).
    pub fn roll_forward(&self, mut d: NaiveDate) -> NaiveDate {
        while self.is_rest(d) {
            d = d.succ_opt().expect("date in range");
        }
        d
    }

    /// The last day of a period of `years` years beginning on `start` (Arts. 201–203).
    pub fn years_end(&self, start: NaiveDate, years: u32) -> NaiveDate {
        self.roll_forward(add_years(start, years))
    }

    /// The first day on which a period of `years` years from `start` has run in full (满N年):
    /// the day after its last day.
    pub fn years_full(&self, start: NaiveDate, years: u32) -> NaiveDate {
        self.years_end(start, years).succ_opt().expect("date in range")
    }

    /// The last day of a time limit of `days` days from service on `served` (S + days, Art. 203).
    pub fn days_end(&self, served: NaiveDate, days: u32) -> NaiveDate {
        self.roll_forward(served + Duration::days(days as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn worked_examples_of_domain_1_6() {
        let r = RestDays::weekends_only();
        // D = 2016-03-01 → the year ends on 2017-03-01 (a Wednesday) → idle from 2017-03-02.
        assert_eq!(r.years_end(d("2016-03-01"), 1), d("2017-03-01"));
        assert_eq!(r.years_full(d("2016-03-01"), 1), d("2017-03-02"));
        // D = 2016-02-29 → the year ends on 2017-02-28 → idle from 2017-03-01.
        assert_eq!(r.years_end(d("2016-02-29"), 1), d("2017-02-28"));
        assert_eq!(r.years_full(d("2016-02-29"), 1), d("2017-03-01"));
        // 满两年: D = 2016-03-01 → from 2018-03-02.
        assert_eq!(r.years_full(d("2016-03-01"), 2), d("2018-03-02"));
        // Four years from a leap day land on a leap day again.
        assert_eq!(add_years(d("2016-02-29"), 4), d("2020-02-29"));
    }

    #[test]
    fn a_last_day_on_a_rest_day_moves_to_the_next_working_day() {
        // 2017-10-01 … 2017-10-08 国庆/中秋; 2017-09-30 (Saturday) a 调休 workday.
        let mut o: Vec<DayOverride> = (1..=8).map(|i| DayOverride { date: NaiveDate::from_ymd_opt(2017, 10, i).unwrap(), workday: false }).collect();
        o.push(DayOverride { date: d("2017-09-30"), workday: true });
        let r = RestDays::new(&o);
        assert_eq!(r.years_end(d("2016-10-03"), 1), d("2017-10-09"));
        assert_eq!(r.years_full(d("2016-10-03"), 1), d("2017-10-10"));
        // A Saturday that is a 调休 workday ends the period on itself.
        assert_eq!(r.years_end(d("2016-09-30"), 1), d("2017-09-30"));
        // Plain weekend: 2017-03-04 is a Saturday → Monday 2017-03-06.
        assert_eq!(r.years_end(d("2016-03-04"), 1), d("2017-03-06"));
        // 30 days from service on 2017-09-01 end on 2017-10-01, a holiday → 2017-10-09.
        assert_eq!(r.days_end(d("2017-09-01"), 30), d("2017-10-09"));
        assert_eq!(r.days_end(d("2017-03-01"), 30), d("2017-03-31"));
        // Outside the table the overrides still apply.
        assert!(RestDays::new(&[DayOverride { date: d("2070-01-01"), workday: false }]).is_rest(d("2070-01-01")));
    }
}
