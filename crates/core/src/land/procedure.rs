//! The idle-land procedure (53号令 Arts. 5–18, DOMAIN.md §1.5) as a sequence of recorded
//! steps: which step may follow which, the 30-day limits (investigation notice within 30 days
//! of discovery, the holder's reply within 30 days of service, payment or return of the
//! certificate within 30 days of the decision) and which of them are overdue on a date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::RestDays;
use super::rules::Thresholds;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 发现疑似闲置.
    Suspected,
    /// 《闲置土地调查通知书》送达 (Art. 5).
    Notice,
    /// 土地使用者提交说明材料 (Art. 5/6).
    Reply,
    /// 经调查不构成闲置，结案.
    Cleared,
    /// 《闲置土地认定书》 (Art. 9).
    Determination,
    /// 信息公开 (Art. 11).
    Publication,
    /// 政府原因：闲置土地处置方案（协议）确定 (Arts. 12–13).
    Plan,
    /// 告知听证权利 (Art. 15).
    HearingNotice,
    /// 《征缴土地闲置费决定书》/《收回国有建设用地使用权决定书》送达 (Art. 16).
    Decision,
    /// 当事人履行：缴清闲置费 / 交回土地证书 (Art. 17).
    Executed,
    /// 申请行政复议或提起行政诉讼 (Art. 17).
    Appealed,
    /// 处置完毕，撤销公开信息 (Art. 11).
    Disposed,
}

impl Step {
    pub const ALL: [Step; 12] = [
        Step::Suspected,
        Step::Notice,
        Step::Reply,
        Step::Cleared,
        Step::Determination,
        Step::Publication,
        Step::Plan,
        Step::HearingNotice,
        Step::Decision,
        Step::Executed,
        Step::Appealed,
        Step::Disposed,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Step::Suspected => "suspected",
            Step::Notice => "notice",
            Step::Reply => "reply",
            Step::Cleared => "cleared",
            Step::Determination => "determination",
            Step::Publication => "publication",
            Step::Plan => "plan",
            Step::HearingNotice => "hearing_notice",
            Step::Decision => "decision",
            Step::Executed => "executed",
            Step::Appealed => "appealed",
            Step::Disposed => "disposed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Step::Suspected => "发现疑似闲置",
            Step::Notice => "送达调查通知书",
            Step::Reply => "土地使用者提交说明",
            Step::Cleared => "经调查不构成闲置",
            Step::Determination => "作出闲置土地认定书",
            Step::Publication => "信息公开",
            Step::Plan => "确定协议处置方案",
            Step::HearingNotice => "告知听证权利",
            Step::Decision => "送达处置决定书",
            Step::Executed => "已履行",
            Step::Appealed => "申请复议或提起诉讼",
            Step::Disposed => "处置完毕",
        }
    }
    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.code() == s.trim() || x.label() == s.trim())
    }

    /// The steps that may be recorded next. Government-caused cases go from publication to a
    /// negotiated plan; holder-caused ones to the hearing notice and a decision.
    pub fn next(self) -> &'static [Step] {
        match self {
            Step::Suspected => &[Step::Notice],
            Step::Notice => &[Step::Reply, Step::Determination],
            Step::Reply => &[Step::Determination, Step::Cleared],
            Step::Determination => &[Step::Publication],
            Step::Publication => &[Step::HearingNotice, Step::Plan],
            Step::HearingNotice => &[Step::Decision],
            Step::Plan => &[Step::Disposed],
            Step::Decision => &[Step::Executed, Step::Appealed],
            Step::Executed => &[Step::Disposed],
            Step::Appealed => &[Step::Executed, Step::Disposed],
            Step::Cleared | Step::Disposed => &[],
        }
    }

    /// The step a new case starts with.
    pub const FIRST: Step = Step::Suspected;

    /// The step this one waits for under a 30-day limit, and the article setting it.
    pub fn limited(self) -> Option<(Step, &'static str)> {
        match self {
            Step::Suspected => Some((Step::Notice, "第五条：发现后30日内开展调查核实并送达调查通知书")),
            Step::Notice => Some((Step::Reply, "第五条：收到通知书之日起30日内提交说明材料")),
            Step::Decision => Some((Step::Executed, "第十七条：决定书送达之日起30日内缴清闲置费或交回土地证书")),
            _ => None,
        }
    }

    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }
}

/// One recorded step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub step: Step,
    pub on: NaiveDate,
}

/// Why a step cannot be recorded now.
pub fn check_next(history: &[Recorded], step: Step, on: NaiveDate) -> Result<(), String> {
    match history.last() {
        None if step == Step::FIRST => Ok(()),
        None => Err(format!("尚未立案：第一步应为“{}”", Step::FIRST.label())),
        Some(last) if !last.step.next().contains(&step) => {
            let allowed: Vec<&str> = last.step.next().iter().map(|s| s.label()).collect();
            Err(if allowed.is_empty() {
                format!("程序已于“{}”结束，不能再记录“{}”", last.step.label(), step.label())
            } else {
                format!("当前环节为“{}”，下一步只能是：{}", last.step.label(), allowed.join("、"))
            })
        }
        Some(last) if on < last.on => Err(format!("“{}”的日期 {on} 早于上一环节“{}”的日期 {}", step.label(), last.step.label(), last.on)),
        Some(_) => Ok(()),
    }
}

/// A running 30-day limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The step that started the clock.
    pub from: Step,
    /// The step it waits for.
    pub awaits: Step,
    pub basis: &'static str,
    /// The last day (Art. 203 applied).
    pub due: NaiveDate,
    /// True when `as_of` is after the last day and the awaited step is not recorded.
    pub overdue: bool,
    pub days_left: i64,
}

/// The limit running at the end of `history`, if any, as of `as_of`.
pub fn deadline(history: &[Recorded], as_of: NaiveDate, t: &Thresholds, r: &RestDays) -> Option<Deadline> {
    let last = history.last()?;
    let (awaits, basis) = last.step.limited()?;
    let due = r.days_end(last.on, t.step_limit_days);
    Some(Deadline { from: last.step, awaits, basis, due, overdue: as_of > due, days_left: (due - as_of).num_days() })
}

/// Every limit in a history with whether it was met in time (for the timeline).
pub fn limits_met(history: &[Recorded], t: &Thresholds, r: &RestDays) -> Vec<(usize, NaiveDate, Option<bool>)> {
    let mut out = Vec::new();
    for (i, h) in history.iter().enumerate() {
        if let Some((awaits, _)) = h.step.limited() {
            let due = r.days_end(h.on, t.step_limit_days);
            let met = history[i + 1..].iter().find(|x| x.step == awaits || (h.step == Step::Notice && x.step == Step::Determination)).map(|x| x.on <= due);
            out.push((i, due, met));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rec(v: &[(Step, &str)]) -> Vec<Recorded> {
        v.iter().map(|(s, on)| Recorded { step: *s, on: d(on) }).collect()
    }

    #[test]
    fn order_of_steps_is_enforced() {
        assert!(check_next(&[], Step::Suspected, d("2019-01-02")).is_ok());
        assert_eq!(check_next(&[], Step::Notice, d("2019-01-02")).unwrap_err(), "尚未立案：第一步应为“发现疑似闲置”");
        let h = rec(&[(Step::Suspected, "2019-01-02")]);
        assert!(check_next(&h, Step::Notice, d("2019-01-10")).is_ok());
        assert_eq!(check_next(&h, Step::Decision, d("2019-01-10")).unwrap_err(), "当前环节为“发现疑似闲置”，下一步只能是：送达调查通知书");
        assert!(check_next(&h, Step::Notice, d("2019-01-01")).unwrap_err().contains("早于"));
        let done = rec(&[(Step::Suspected, "2019-01-02"), (Step::Notice, "2019-01-05"), (Step::Reply, "2019-01-20"), (Step::Cleared, "2019-02-01")]);
        assert!(check_next(&done, Step::Determination, d("2019-03-01")).unwrap_err().contains("已于“经调查不构成闲置”结束"));
        // The holder's path and the government's path both end in 处置完毕.
        let holder = [Step::Suspected, Step::Notice, Step::Reply, Step::Determination, Step::Publication, Step::HearingNotice, Step::Decision, Step::Appealed, Step::Executed, Step::Disposed];
        let gov = [Step::Suspected, Step::Notice, Step::Reply, Step::Determination, Step::Publication, Step::Plan, Step::Disposed];
        for path in [&holder[..], &gov[..]] {
            let mut h = Vec::new();
            for s in path {
                check_next(&h, *s, d("2019-05-01")).unwrap();
                h.push(Recorded { step: *s, on: d("2019-05-01") });
            }
        }
    }

    #[test]
    fn thirty_day_limits_and_overdue() {
        let t = Thresholds::default();
        let r = RestDays::weekends_only();
        // Discovered on Friday 2019-03-01: notice due 2019-03-31 (a Sunday) → Monday 2019-04-01.
        let h = rec(&[(Step::Suspected, "2019-03-01")]);
        let dl = deadline(&h, d("2019-04-01"), &t, &r).unwrap();
        assert_eq!((dl.awaits, dl.due, dl.overdue, dl.days_left), (Step::Notice, d("2019-04-01"), false, 0));
        assert!(deadline(&h, d("2019-04-02"), &t, &r).unwrap().overdue);
        // Notice served 2019-04-10 (Wednesday): reply due 2019-05-10 (Friday).
        let h = rec(&[(Step::Suspected, "2019-03-01"), (Step::Notice, "2019-04-10")]);
        assert_eq!(deadline(&h, d("2019-05-10"), &t, &r).unwrap().due, d("2019-05-10"));
        assert!(!deadline(&h, d("2019-05-10"), &t, &r).unwrap().overdue);
        assert!(deadline(&h, d("2019-05-11"), &t, &r).unwrap().overdue);
        // No limit runs while a 认定书 waits for publication.
        let h = rec(&[(Step::Suspected, "2019-03-01"), (Step::Notice, "2019-04-10"), (Step::Reply, "2019-05-06"), (Step::Determination, "2019-06-01")]);
        assert!(deadline(&h, d("2020-01-01"), &t, &r).is_none());
        // Decision served 2019-08-01: payment due 2019-08-31 (Saturday) → 2019-09-02.
        let h = rec(&[(Step::Decision, "2019-08-01")]);
        assert_eq!(deadline(&h, d("2019-08-01"), &t, &r).unwrap().due, d("2019-09-02"));
        let met = limits_met(&rec(&[(Step::Suspected, "2019-03-01"), (Step::Notice, "2019-04-10"), (Step::Reply, "2019-05-06")]), &t, &r);
        assert_eq!(met, vec![(0, d("2019-04-01"), Some(false)), (1, d("2019-05-10"), Some(true))]);
    }
}
