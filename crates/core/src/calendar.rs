//! The monthly reporting calendar: when a month's figures open, fall due and lock.
//!
//! Figures for a month (the *period*) are reported in the following month. Working days are
//! Monday–Friday, minus public holidays, plus the weekend make-up workdays (调休) that the State
//! Council announces each year. Holidays and make-up days are data (`DayOverride`), never hard-coded
//! here, so the office enters each year's 放假安排 once.
//!
//! The rule is data too: figures are due on the Nth working day of the month after the period
//! (`CalendarRule::due_workday`, e.g. the 5th) and the period locks a number of calendar days after
//! that (`CalendarRule::lock_after_days`). A zone may be granted its own due date for one period.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::period::Month;

/// One day whose working status differs from the Monday–Friday default: a public holiday on a
/// weekday (`workday: false`) or a make-up workday on a weekend (调休上班, `workday: true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayOverride {
    pub date: NaiveDate,
    pub workday: bool,
}

/// When figures fall due and when the period locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarRule {
    /// Figures are due on this working day of the month after the period (1 = the first).
    pub due_workday: u32,
    /// The period locks this many calendar days after the due date: late figures are accepted up
    /// to and including `due + lock_after_days`, and refused from the day after. 0 = no grace.
    pub lock_after_days: u32,
}

impl Default for CalendarRule {
    /// 每月第5个工作日前报送上月数据；逾期10天后锁定。
    fn default() -> Self {
        CalendarRule { due_workday: 5, lock_after_days: 10 }
    }
}

/// Whether `date` is a working day: an override wins (the last one for a date, if several);
/// otherwise Monday–Friday.
pub fn is_workday(date: NaiveDate, overrides: &[DayOverride]) -> bool {
    match overrides.iter().rev().find(|o| o.date == date) {
        Some(o) => o.workday,
        None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
    }
}

/// The `n`th working day of `year`-`month` (1-based; 0 is read as 1). If the month has fewer than
/// `n` working days the count runs on into the next month, so the result is always a working day.
///
/// Panics if `month` is not 1–12 or the year is outside chrono's range.
pub fn nth_workday(year: i32, month: u32, n: u32, overrides: &[DayOverride]) -> NaiveDate {
    let mut day = NaiveDate::from_ymd_opt(year, month, 1).expect("nth_workday: month must be 1–12");
    let mut left = n.max(1);
    loop {
        if is_workday(day, overrides) {
            left -= 1;
            if left == 0 {
                return day;
            }
        }
        day += Duration::days(1);
    }
}

/// The reporting window of one period. All three dates are inclusive days of their phase:
/// reporting opens on `opens`, figures on or before `due` are on time, figures after `due` up to and
/// including `locks` are late but accepted, and from the day after `locks` the period is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub period: Month,
    /// The first day of the month after the period.
    pub opens: NaiveDate,
    pub due: NaiveDate,
    pub locks: NaiveDate,
}

/// Where a period stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WindowState {
    /// Before `opens`: the month is not over yet.
    NotOpen,
    /// From `opens` to `due`, both included.
    Open,
    /// After `due`, up to and including `locks`: late figures still accepted.
    Overdue,
    /// After `locks`: no more figures without the office reopening the period.
    Locked,
}

impl WindowState {
    pub fn label(self) -> &'static str {
        match self {
            WindowState::NotOpen => "未开始",
            WindowState::Open => "填报中",
            WindowState::Overdue => "已逾期",
            WindowState::Locked => "已锁定",
        }
    }
}

/// The reporting window of `period` under `rule`. `zone_exception_due`, when set, replaces the
/// rule's due date for one zone (the lock date then follows from it).
pub fn window(period: Month, rule: &CalendarRule, overrides: &[DayOverride], zone_exception_due: Option<NaiveDate>) -> Window {
    let next = period.offset(1);
    let opens = NaiveDate::from_ymd_opt(next.year(), next.month(), 1).expect("Month is always a valid month");
    let due = zone_exception_due.unwrap_or_else(|| nth_workday(next.year(), next.month(), rule.due_workday, overrides));
    let locks = due + Duration::days(i64::from(rule.lock_after_days));
    Window { period, opens, due, locks }
}

impl Window {
    pub fn state(&self, today: NaiveDate) -> WindowState {
        if today < self.opens {
            WindowState::NotOpen
        } else if today <= self.due {
            WindowState::Open
        } else if today <= self.locks {
            WindowState::Overdue
        } else {
            WindowState::Locked
        }
    }

    /// Calendar days from `today` to the due date: 0 on the due day, negative once overdue.
    pub fn days_to_due(&self, today: NaiveDate) -> i64 {
        (self.due - today).num_days()
    }
}

/// How a zone's submission for a period stands (报送及时性).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Timeliness {
    /// Nothing submitted and the due date has passed.
    Missing,
    /// Nothing submitted yet, but the due date has not passed.
    NotYetDue,
    /// Submitted on or before the due date.
    OnTime,
    /// Submitted after the due date.
    Late,
}

impl Timeliness {
    pub fn label(self) -> &'static str {
        match self {
            Timeliness::Missing => "未报送",
            Timeliness::NotYetDue => "未到期",
            Timeliness::OnTime => "按时",
            Timeliness::Late => "逾期",
        }
    }
}

/// Classifies a submission (its date, if any) against the window as of `today`.
pub fn timeliness(window: &Window, submitted_on: Option<NaiveDate>, today: NaiveDate) -> Timeliness {
    match submitted_on {
        Some(d) if d <= window.due => Timeliness::OnTime,
        Some(_) => Timeliness::Late,
        None if today <= window.due => Timeliness::NotYetDue,
        None => Timeliness::Missing,
    }
}

/// Whether the window is open and due within `days` calendar days of `today` (the due day itself
/// counts: `days = 0` is true only on the due day). For reminders (即将到期).
pub fn due_soon(window: &Window, today: NaiveDate, days: u32) -> bool {
    window.state(today) == WindowState::Open && window.days_to_due(today) <= i64::from(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn off(y: i32, m: u32, day: u32) -> DayOverride {
        DayOverride { date: d(y, m, day), workday: false }
    }

    fn on(y: i32, m: u32, day: u32) -> DayOverride {
        DayOverride { date: d(y, m, day), workday: true }
    }

    /// 2019 Spring Festival (国办发明电〔2018〕15号): 2月4日至10日放假调休，共7天；
    /// 2月2日（星期六）、2月3日（星期日）上班.
    fn spring_festival_2019() -> Vec<DayOverride> {
        let mut v: Vec<DayOverride> = (4..=10).map(|day| off(2019, 2, day)).collect();
        v.push(on(2019, 2, 2));
        v.push(on(2019, 2, 3));
        v
    }

    #[test]
    fn plain_month_counts_weekdays() {
        // August 2019 has no holidays. 1 Aug 2019 is a Thursday:
        // Thu 1 (1st), Fri 2 (2nd), Mon 5 (3rd), Tue 6 (4th), Wed 7 (5th).
        assert_eq!(d(2019, 8, 1).weekday(), Weekday::Thu);
        assert_eq!(nth_workday(2019, 8, 1, &[]), d(2019, 8, 1));
        assert_eq!(nth_workday(2019, 8, 3, &[]), d(2019, 8, 5));
        assert_eq!(nth_workday(2019, 8, 5, &[]), d(2019, 8, 7));
        assert_eq!(nth_workday(2019, 8, 0, &[]), d(2019, 8, 1), "0 is read as the first");
        let w = window(Month::new(2019, 7).unwrap(), &CalendarRule::default(), &[], None);
        assert_eq!((w.opens, w.due, w.locks), (d(2019, 8, 1), d(2019, 8, 7), d(2019, 8, 17)));
    }

    #[test]
    fn spring_festival_with_make_up_weekend() {
        // Period 2019-01 is due on the 5th working day of February 2019. By hand:
        //   Fri 1 Feb  working            → 1st
        //   Sat 2 Feb  调休上班           → 2nd
        //   Sun 3 Feb  调休上班           → 3rd
        //   Mon 4 – Sun 10 Feb  春节放假  → —
        //   Mon 11 Feb working            → 4th
        //   Tue 12 Feb working            → 5th  ⇒ due 2019-02-12
        let ov = spring_festival_2019();
        assert_eq!(d(2019, 2, 1).weekday(), Weekday::Fri);
        assert_eq!(d(2019, 2, 2).weekday(), Weekday::Sat);
        assert_eq!(d(2019, 2, 12).weekday(), Weekday::Tue);
        assert!(is_workday(d(2019, 2, 3), &ov));
        assert!(!is_workday(d(2019, 2, 4), &ov));
        assert_eq!(nth_workday(2019, 2, 3, &ov), d(2019, 2, 3));
        assert_eq!(nth_workday(2019, 2, 4, &ov), d(2019, 2, 11));
        assert_eq!(nth_workday(2019, 2, 5, &ov), d(2019, 2, 12));
        // Without the holiday data the same rule gives Thu 7 Feb (Fri 1, Mon 4 … Thu 7).
        assert_eq!(nth_workday(2019, 2, 5, &[]), d(2019, 2, 7));

        let rule = CalendarRule { due_workday: 5, lock_after_days: 10 };
        let w = window(Month::new(2019, 1).unwrap(), &rule, &ov, None);
        assert_eq!(w.opens, d(2019, 2, 1));
        assert_eq!(w.due, d(2019, 2, 12));
        assert_eq!(w.locks, d(2019, 2, 22));
    }

    #[test]
    fn due_date_can_fall_on_a_make_up_saturday() {
        // 2019 National Day: 10月1日至7日放假调休；9月29日（星期日）、10月12日（星期六）上班.
        // October 2019: Tue 8 (1st), Wed 9 (2nd), Thu 10 (3rd), Fri 11 (4th), Sat 12 调休 (5th).
        let mut ov: Vec<DayOverride> = (1..=7).map(|day| off(2019, 10, day)).collect();
        ov.push(on(2019, 9, 29));
        ov.push(on(2019, 10, 12));
        let w = window(Month::new(2019, 9).unwrap(), &CalendarRule::default(), &ov, None);
        assert_eq!(w.due, d(2019, 10, 12));
        assert_eq!(w.due.weekday(), Weekday::Sat);
    }

    #[test]
    fn december_period_runs_into_the_new_year() {
        // 2020-01-01 (Wed) 元旦 is a holiday: Thu 2 (1st), Fri 3, Mon 6, Tue 7, Wed 8 (5th).
        let w = window(Month::new(2019, 12).unwrap(), &CalendarRule::default(), &[off(2020, 1, 1)], None);
        assert_eq!((w.opens, w.due), (d(2020, 1, 1), d(2020, 1, 8)));
    }

    #[test]
    fn count_runs_past_month_end() {
        // February 2019 weekdays: 1, 4–8, 11–15, 18–22, 25–28 = 20; minus the holidays 4–8 = 15;
        // plus the 调休 days 2 and 3 = 17 working days. So the 17th is Thu 28 Feb, the 18th Fri 1 Mar.
        let ov = spring_festival_2019();
        assert_eq!(nth_workday(2019, 2, 17, &ov), d(2019, 2, 28));
        assert_eq!(nth_workday(2019, 2, 18, &ov), d(2019, 3, 1));
    }

    #[test]
    fn zone_exception_moves_due_and_lock() {
        let rule = CalendarRule { due_workday: 5, lock_after_days: 3 };
        let w = window(Month::new(2019, 7).unwrap(), &rule, &[], Some(d(2019, 8, 20)));
        assert_eq!((w.opens, w.due, w.locks), (d(2019, 8, 1), d(2019, 8, 20), d(2019, 8, 23)));
    }

    #[test]
    fn states_and_timeliness_through_the_window() {
        // 2019-01: opens 1 Feb, due 12 Feb, locks after 22 Feb.
        let w = window(Month::new(2019, 1).unwrap(), &CalendarRule::default(), &spring_festival_2019(), None);
        assert_eq!(w.state(d(2019, 1, 31)), WindowState::NotOpen);
        assert_eq!(w.state(d(2019, 2, 1)), WindowState::Open);
        assert_eq!(w.state(d(2019, 2, 12)), WindowState::Open);
        assert_eq!(w.state(d(2019, 2, 13)), WindowState::Overdue);
        assert_eq!(w.state(d(2019, 2, 22)), WindowState::Overdue);
        assert_eq!(w.state(d(2019, 2, 23)), WindowState::Locked);
        assert_eq!(w.state(d(2019, 2, 23)).label(), "已锁定");

        let t = |sub: Option<NaiveDate>, today| timeliness(&w, sub, today);
        assert_eq!(t(None, d(2019, 2, 5)), Timeliness::NotYetDue);
        assert_eq!(t(None, d(2019, 2, 12)), Timeliness::NotYetDue);
        assert_eq!(t(None, d(2019, 2, 13)), Timeliness::Missing);
        assert_eq!(t(Some(d(2019, 2, 12)), d(2019, 3, 1)), Timeliness::OnTime);
        assert_eq!(t(Some(d(2019, 1, 31)), d(2019, 2, 1)), Timeliness::OnTime, "early is on time");
        assert_eq!(t(Some(d(2019, 2, 13)), d(2019, 2, 13)), Timeliness::Late);
        let labels: Vec<&str> =
            [Timeliness::Missing, Timeliness::NotYetDue, Timeliness::OnTime, Timeliness::Late].iter().map(|t| t.label()).collect();
        assert_eq!(labels, ["未报送", "未到期", "按时", "逾期"]);
    }

    #[test]
    fn due_soon_only_while_open() {
        let w = window(Month::new(2019, 7).unwrap(), &CalendarRule::default(), &[], None); // due 7 Aug
        assert!(!due_soon(&w, d(2019, 7, 31), 30), "not open yet");
        assert!(!due_soon(&w, d(2019, 8, 1), 3), "6 days left");
        assert!(due_soon(&w, d(2019, 8, 4), 3));
        assert!(due_soon(&w, d(2019, 8, 7), 0), "the due day itself");
        assert!(!due_soon(&w, d(2019, 8, 8), 3), "overdue is not 'due soon'");
        assert_eq!(w.days_to_due(d(2019, 8, 4)), 3);
    }
}
