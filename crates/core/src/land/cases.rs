//! The table of idle-land cases (DOMAIN.md §1): every rule and every boundary, with the dates
//! worked out by hand from the Civil Code's counting rules (weekends as the only rest days).

use chrono::NaiveDate;

use super::period::RestDays;
use super::rules::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// An industrial parcel sold in 2015 for 1,200 万元, contract start 2016-03-01, not started.
fn base() -> ParcelFacts {
    ParcelFacts {
        industrial: true,
        supply: Supply::Sale,
        supply_date: Some(d("2015-05-01")),
        contract_start: Some(d("2016-03-01")),
        handover: Some(d("2015-09-01")),
        started: None,
        halted: None,
        price_fen: 1_200_000_000,
        planned_fen: 8_000_000_000,
        invested_fen: 0,
        to_develop_m2: 30_000.0,
        developed_m2: 0.0,
        cause: None,
        restart: None,
    }
}

/// Started 2016-06-01, halted Wednesday 2017-04-05 (one halted year ends Thursday 2018-04-05).
fn stalled(developed_m2: f64, invested_fen: i64) -> ParcelFacts {
    ParcelFacts { started: Some(d("2016-06-01")), halted: Some(d("2017-04-05")), developed_m2, invested_fen, ..base() }
}

struct Case {
    name: &'static str,
    facts: ParcelFacts,
    as_of: &'static str,
    thresholds: Thresholds,
    case: Option<IdleCase>,
    idle_from: Option<&'static str>,
    consequence: Consequence,
}

fn c(name: &'static str, facts: ParcelFacts, as_of: &'static str, case: Option<IdleCase>, idle_from: Option<&'static str>, consequence: Consequence) -> Case {
    Case { name, facts, as_of, thresholds: Thresholds::default(), case, idle_from, consequence }
}

const FEE: Consequence = Consequence::Fee { fee_fen: 240_000_000 };

#[test]
fn idle_cases_table() {
    use Consequence::{Investigate, Negotiate, Recovery};
    use IdleCase::*;
    let holder = ParcelFacts { cause: Some(Cause::Holder), ..base() };
    let leap = ParcelFacts { contract_start: Some(d("2016-02-29")), ..base() };
    let default_start = ParcelFacts { contract_start: None, handover: Some(d("2016-02-29")), ..base() };
    let restart = ParcelFacts {
        cause: Some(Cause::PlanRevised),
        restart: Some(Restart { decided: d("2017-06-01"), start_due: d("2018-06-01") }),
        ..base()
    };
    let hainan_facts = ParcelFacts { started: Some(d("2016-05-01")), invested_fen: 1_600_000_000, ..base() };
    let mut cases = vec![
        // Case A: exactly one year after D = 2016-03-01 is the last day of the year, not yet idle.
        c("A 一天之差：满一年当日", base(), "2017-03-01", None, None, Consequence::None),
        c("A 满一年次日起闲置", base(), "2017-03-02", Some(NotStarted), Some("2017-03-02"), Investigate),
        // Leap day: D = 2016-02-29 → the year ends 2017-02-28.
        c("A 闰日：2017-02-28 未满", leap, "2017-02-28", None, None, Consequence::None),
        c("A 闰日：2017-03-01 闲置", leap, "2017-03-01", Some(NotStarted), Some("2017-03-01"), Investigate),
        // Default start date (Art. 22): handover 2016-02-29 → due 2017-02-28 → idle from 2018-03-01.
        c("A 默认动工日：未满", default_start, "2018-02-28", None, None, Consequence::None),
        c("A 默认动工日：闲置", default_start, "2018-03-01", Some(NotStarted), Some("2018-03-01"), Investigate),
        // Started after the date asked about: idle as of then; not idle once started.
        c("A 动工前闲置", ParcelFacts { started: Some(d("2017-05-02")), ..base() }, "2017-05-01", Some(NotStarted), Some("2017-03-02"), Investigate),
        c("A 动工后不再闲置", ParcelFacts { started: Some(d("2017-05-02")), ..base() }, "2017-05-02", None, None, Consequence::None),
        // Holder-caused: 20 % fee from one full year, free recovery from two (2018-03-01 is the last day).
        c("自身原因 满一年 征缴闲置费", holder, "2017-03-02", Some(NotStarted), Some("2017-03-02"), FEE),
        c("自身原因 满两年当日仍为闲置费", holder, "2018-03-01", Some(NotStarted), Some("2017-03-02"), FEE),
        c("自身原因 满两年次日 无偿收回", holder, "2018-03-02", Some(NotStarted), Some("2017-03-02"), Recovery),
        // Case B at the exact boundaries: 1/3 developed and 25 % invested are not "below".
        c("B 恰好1/3且恰好25%", stalled(10_000.0, 2_000_000_000), "2019-01-02", None, None, Consequence::None),
        c("B 开发不足1/3", stalled(9_999.99, 2_000_000_000), "2018-04-06", Some(Stalled), Some("2018-04-06"), Negotiate),
        c("B 投资差1分不足25%", stalled(10_000.0, 1_999_999_999), "2018-04-06", Some(Stalled), Some("2018-04-06"), Negotiate),
        c("B 中止满一年当日未满", stalled(0.0, 0), "2018-04-05", None, None, Consequence::None),
        c("B 未停工不构成", ParcelFacts { halted: None, ..stalled(0.0, 0) }, "2020-01-02", None, None, Consequence::None),
        // Clock restart (Art. 13): before the plan the old clock, after it the new due date
        // 2018-06-01; its year ends Saturday 2019-06-01 → Monday 2019-06-03 (Art. 203).
        c("重新起算 前：旧时钟闲置", restart, "2017-05-31", Some(NotStarted), Some("2017-03-02"), Negotiate),
        c("重新起算 后：新动工日未到", restart, "2018-06-01", None, None, Consequence::None),
        c("重新起算 满一年末日顺延至周一", restart, "2019-06-03", None, None, Consequence::None),
        c("重新起算 再次闲置", restart, "2019-06-04", Some(NotStarted), Some("2019-06-04"), Negotiate),
        c("无动工日期与交地日期", ParcelFacts { contract_start: None, handover: None, ..base() }, "2030-01-01", None, None, Consequence::None),
        // National rule: a started, not halted parcel with 20 % invested is not idle.
        c("地方从严：国家规则不认定", hainan_facts, "2019-01-02", None, None, Consequence::None),
    ];
    for cause in Cause::ALL.into_iter().filter(|c| c.is_government()) {
        cases.push(c("政府原因 满一年协商处置", ParcelFacts { cause: Some(cause), ..base() }, "2018-03-02", Some(NotStarted), Some("2017-03-02"), Negotiate));
    }
    let hainan = |as_of, case, from, cons| Case { name: "地方从严：海南 满两年投资不足25%", facts: hainan_facts, as_of, thresholds: Thresholds::hainan(), case, idle_from: from, consequence: cons };
    cases.push(hainan("2018-03-01", None, None, Consequence::None));
    cases.push(hainan("2018-03-02", Some(LowInvestment), Some("2018-03-02"), Investigate));
    let r = RestDays::weekends_only();
    for k in &cases {
        let a = assess(&k.facts, d(k.as_of), &k.thresholds, &r);
        assert_eq!(a.case, k.case, "{}: case", k.name);
        assert_eq!(a.idle_from, k.idle_from.map(d), "{}: idle_from", k.name);
        assert_eq!(a.consequence, k.consequence, "{}: consequence", k.name);
    }
    let a = assess(&default_start, d("2018-03-01"), &Thresholds::default(), &r);
    assert_eq!((a.start_due, a.default_start), (Some(d("2017-02-28")), true));
    let a = assess(&holder, d("2018-03-02"), &Thresholds::default(), &r);
    assert_eq!((a.fee_from, a.recovery_from, a.idle_years), (Some(d("2017-03-02")), Some(d("2018-03-02")), 2));
    // Whole years idle, one day short of each anniversary and on it.
    for (as_of, years) in [("2017-03-02", 1), ("2018-03-01", 1), ("2018-03-02", 2), ("2021-03-01", 4), ("2021-03-02", 5)] {
        assert_eq!(assess(&holder, d(as_of), &Thresholds::default(), &r).idle_years, years, "{as_of}");
    }
}

#[test]
fn the_fee_is_twenty_percent_of_the_price_rounded_to_the_fen() {
    let t = Thresholds::default();
    assert_eq!(idle_fee(1_200_000_000, &t), 240_000_000); // 1,200 万元 → 240 万元
    assert_eq!(idle_fee(1_234_567, &t), 246_913); // 246,913.4 分
    assert_eq!(idle_fee(1_234_568, &t), 246_914); // 246,913.6 分
    assert_eq!(idle_fee(3, &t), 1); // 0.6 分 rounds half up
    assert_eq!(idle_fee(0, &t), 0);
    let strict = Thresholds { fee_percent: 15, ..t };
    assert_eq!(idle_fee(1_000_000, &strict), 150_000);
}

#[test]
fn clean_up_scope_is_industrial_land_sold_since_2011() {
    let t = Thresholds::default();
    let r = RestDays::weekends_only();
    let scope = |f: ParcelFacts| assess(&f, d("2018-06-01"), &t, &r).in_scope;
    assert!(scope(ParcelFacts { supply_date: Some(d("2011-01-01")), ..base() }));
    assert!(!scope(ParcelFacts { supply_date: Some(d("2010-12-31")), ..base() }));
    assert!(!scope(ParcelFacts { supply: Supply::Allocation, ..base() }));
    assert!(!scope(ParcelFacts { industrial: false, ..base() }));
    assert!(!scope(ParcelFacts { supply_date: None, ..base() }));
    assert!(Thresholds::default().check().is_ok());
    assert!(Thresholds { developed_den: 0, ..Thresholds::default() }.check().is_err());
    assert!(Thresholds { recovery_after_years: 1, ..Thresholds::default() }.check().unwrap_err().contains("无偿收回年限"));
}

fn plan(option: DisposalOption, decided: &str) -> DisposalPlan {
    DisposalPlan { option, decided: d(decided), new_start_due: Some(d("2018-09-03")), temporary_until: None, price_paid_in_full: true, funds_in_place: true }
}

#[test]
fn every_government_cause_with_every_option_and_its_limit() {
    let t = Thresholds::default();
    let r = RestDays::weekends_only();
    for cause in Cause::ALL.into_iter().filter(|c| c.is_government()) {
        let ctx = PlanContext { cause: Some(cause), case: Some(IdleCase::NotStarted), monitored: true };
        for option in DisposalOption::ALL {
            let mut p = plan(option, "2018-03-01");
            if option == DisposalOption::TemporaryUse {
                p.temporary_until = Some(d("2019-12-31"));
                p.new_start_due = None;
            }
            let got = check_plan(&p, &ctx, &t, &r);
            match (option, cause) {
                // Swap needs the idleness to come from a lawful plan revision.
                (DisposalOption::Swap, c) if c != Cause::PlanRevised => {
                    assert!(got.unwrap_err()[0].contains("尚缺：因规划依法修改造成闲置"), "{cause:?}")
                }
                (DisposalOption::PaidRecovery, _) => assert_eq!(got, Ok(None), "{cause:?}: paid recovery restarts nothing"),
                (DisposalOption::TemporaryUse, _) => assert_eq!(got, Ok(Some(Restart { decided: d("2018-03-01"), start_due: d("2019-12-31") }))),
                _ => assert_eq!(got, Ok(Some(Restart { decided: d("2018-03-01"), start_due: d("2018-09-03") })), "{cause:?} {option:?}"),
            }
        }
        // Extension at most one year from the agreement: 2019-03-01 (a Friday) is the last day.
        let ext = |until: &str| check_plan(&DisposalPlan { new_start_due: Some(d(until)), ..plan(DisposalOption::Extend, "2018-03-01") }, &ctx, &t, &r);
        assert!(ext("2019-03-01").is_ok());
        assert_eq!(ext("2019-03-02").unwrap_err(), ["延长动工开发期限最长不得超过1年：新的动工开发日期最迟为 2019-03-01"]);
        // Temporary use at most two years: 2020-03-01 is a Sunday → 2020-03-02 is the last day.
        let tmp = |until: &str| check_plan(&DisposalPlan { temporary_until: Some(d(until)), new_start_due: None, ..plan(DisposalOption::TemporaryUse, "2018-03-01") }, &ctx, &t, &r);
        assert!(tmp("2020-03-02").is_ok());
        assert_eq!(tmp("2020-03-03").unwrap_err(), ["临时使用期限最长不得超过2年：最迟至 2020-03-02"]);
    }
    // Swap preconditions, each missing one named.
    let ctx = PlanContext { cause: Some(Cause::PlanRevised), case: Some(IdleCase::NotStarted), monitored: true };
    let swap = DisposalPlan { price_paid_in_full: false, funds_in_place: false, ..plan(DisposalOption::Swap, "2018-03-01") };
    assert!(check_plan(&swap, &ctx, &t, &r).unwrap_err()[0].ends_with("尚缺：已缴清土地价款、落实项目资金"));
    // Holder-caused land is not negotiated; unmonitored land may not use Art. 12 (Art. 25).
    let holder = PlanContext { cause: Some(Cause::Holder), case: Some(IdleCase::NotStarted), monitored: true };
    assert!(check_plan(&plan(DisposalOption::Extend, "2018-03-01"), &holder, &t, &r).unwrap_err()[0].contains("土地使用者原因造成的闲置应征缴闲置费或无偿收回"));
    let stalled_by_holder = PlanContext { cause: Some(Cause::Holder), case: Some(IdleCase::Stalled), monitored: true };
    assert!(check_plan(&plan(DisposalOption::Extend, "2018-03-01"), &stalled_by_holder, &t, &r).is_ok(), "case B goes to Art. 12 whatever the cause");
    let unmonitored = PlanContext { monitored: false, ..ctx };
    assert!(check_plan(&plan(DisposalOption::Extend, "2018-03-01"), &unmonitored, &t, &r).unwrap_err()[0].contains("第二十五条"));
    let no_date = DisposalPlan { new_start_due: None, ..plan(DisposalOption::AdjustUse, "2018-03-01") };
    assert_eq!(check_plan(&no_date, &ctx, &t, &r).unwrap_err(), ["“调整土地用途、规划条件”须约定新的动工开发日期"]);
    // The restart feeds back into the rules (see the 重新起算 rows of the table).
}
