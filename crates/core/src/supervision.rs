//! Supervision of the plan's tasks (督办), as pure rules: the green/yellow/red light of a task
//! from its deadline, milestones and reports; due-soon and overdue alerts repeated until the
//! unit answers; escalation of an unanswered 催办 to the leader; and the deduction inputs that
//! overdue and red tasks give the units, counties and zones responsible for them.
//!
//! The ledger under review and its diff are in [`ledger`]; the 任务分解表 spreadsheet in [`sheet`].

pub mod ledger;
pub mod sheet;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::masterdata::{Unit, UnitKind};
use crate::zone::Zone;

/// A task's light: 绿灯 on track, 黄灯 needs attention, 红灯 overdue or seriously behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub const ALL: [Light; 3] = [Light::Green, Light::Yellow, Light::Red];
    pub fn code(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Light::Green => "绿灯",
            Light::Yellow => "黄灯",
            Light::Red => "红灯",
        }
    }
    pub fn parse(s: &str) -> Option<Light> {
        Light::ALL.into_iter().find(|l| l.code() == s.trim() || l.label() == s.trim())
    }
}

/// The office's deadline rules (all in days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// A deadline or milestone this close is 黄灯 and raises a due-soon alert.
    pub due_soon_days: i64,
    /// A milestone missed by up to this many days is 黄灯; longer, 红灯.
    pub milestone_grace_days: i64,
    /// Each lead/responsible unit reports progress at least this often (30: monthly).
    pub report_cycle_days: i64,
    /// An unanswered alert is sent again after this many days.
    pub alert_repeat_days: i64,
    /// A 催办 without the unit's reply after this many days goes to the leader.
    pub escalate_after_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { due_soon_days: 15, milestone_grace_days: 7, report_cycle_days: 30, alert_repeat_days: 3, escalate_after_days: 5 }
    }
}

impl Rules {
    /// Checks the values the office typed; messages name the field.
    pub fn check(&self) -> Result<(), String> {
        let fields = [
            ("临近时限提醒天数", self.due_soon_days, 0, 365),
            ("节点逾期宽限天数", self.milestone_grace_days, 0, 365),
            ("进展报送周期天数", self.report_cycle_days, 1, 366),
            ("提醒重复间隔天数", self.alert_repeat_days, 1, 90),
            ("催办升级天数", self.escalate_after_days, 1, 90),
        ];
        for (name, v, lo, hi) in fields {
            if v < lo || v > hi {
                return Err(format!("“{name}”应在 {lo} 到 {hi} 之间，现为 {v}"));
            }
        }
        Ok(())
    }
}

/// A checkpoint of a task (节点).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub title: String,
    pub due: NaiveDate,
    pub reached: Option<NaiveDate>,
}

/// What the light of a task depends on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// When supervision started (adoption), the first report is due a cycle later.
    pub start: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub milestones: Vec<Milestone>,
    /// The latest progress report of any unit.
    pub last_report: Option<NaiveDate>,
    /// 销号: the day the office closed the task.
    pub closed: Option<NaiveDate>,
}

/// A light with the reasons for it, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub light: Light,
    pub reasons: Vec<String>,
    pub manual: bool,
}

impl Assessment {
    pub fn reason(&self) -> String {
        self.reasons.join("；")
    }
}

fn days(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

/// The automatic light of a task on `today`: the worst that any rule gives.
///
/// Red: past its deadline, or a milestone missed by more than the grace days. Yellow: the
/// deadline or a milestone within `due_soon_days`, a milestone missed within the grace, or no
/// report for longer than the reporting cycle. A closed task is green.
pub fn assess(f: &Facts, today: NaiveDate, rules: &Rules) -> Assessment {
    let mut found: Vec<(Light, String)> = Vec::new();
    if let Some(closed) = f.closed {
        return Assessment { light: Light::Green, reasons: vec![format!("已于 {closed} 销号")], manual: false };
    }
    if let Some(d) = f.deadline {
        let left = days(today, d);
        if left < 0 {
            found.push((Light::Red, format!("已超过完成时限（{d}）{} 天", -left)));
        } else if left <= rules.due_soon_days {
            found.push((Light::Yellow, format!("距完成时限（{d}）还有 {left} 天")));
        }
    }
    for m in f.milestones.iter().filter(|m| m.reached.is_none()) {
        let left = days(today, m.due);
        if left < -rules.milestone_grace_days {
            found.push((Light::Red, format!("节点“{}”（{}）逾期 {} 天未完成", m.title, m.due, -left)));
        } else if left < 0 {
            found.push((Light::Yellow, format!("节点“{}”（{}）逾期 {} 天未完成", m.title, m.due, -left)));
        } else if left <= rules.due_soon_days {
            found.push((Light::Yellow, format!("节点“{}”还有 {left} 天到期（{}）", m.title, m.due)));
        }
    }
    if let Some(since) = f.last_report.or(f.start) {
        let silent = days(since, today);
        if silent > rules.report_cycle_days {
            let what = if f.last_report.is_some() { format!("最近一次进展报送在 {since}") } else { "采用以来未报送进展".to_string() };
            found.push((Light::Yellow, format!("{what}，已超过 {} 天的报送周期", rules.report_cycle_days)));
        }
    }
    let light = found.iter().map(|(l, _)| *l).max().unwrap_or(Light::Green);
    let reasons: Vec<String> = found.into_iter().filter(|(l, _)| *l == light).map(|(_, r)| r).collect();
    let reasons = if reasons.is_empty() { vec!["按计划推进".to_string()] } else { reasons };
    Assessment { light, reasons, manual: false }
}

/// The office's manual light wins over the automatic one until it is cleared.
pub fn with_manual(auto: Assessment, manual: Option<(Light, &str)>) -> Assessment {
    match manual {
        Some((light, reason)) => Assessment { light, reasons: vec![format!("人工设定：{reason}")], manual: true },
        None => auto,
    }
}

/// Due-soon or overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    DueSoon,
    Overdue,
}

impl AlertKind {
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::DueSoon => "due_soon",
            AlertKind::Overdue => "overdue",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::DueSoon => "临期提醒",
            AlertKind::Overdue => "逾期提醒",
        }
    }
    pub fn parse(s: &str) -> Option<AlertKind> {
        [AlertKind::DueSoon, AlertKind::Overdue].into_iter().find(|k| k.code() == s)
    }
}

/// An alert that should be open for one unit of a task today. `subject` identifies what is
/// due (`deadline`, `milestone:<title>`, `report`), so each thing is alerted on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertNeed {
    pub kind: AlertKind,
    pub subject: String,
    pub message: String,
}

/// The alerts one lead/responsible unit should have on `today`: the task's deadline and
/// unreached milestones (due soon or overdue), and its own progress report when the cycle
/// has run out since its last report (`unit_last_report`, else the start).
pub fn alerts_for(f: &Facts, unit_last_report: Option<NaiveDate>, today: NaiveDate, rules: &Rules) -> Vec<AlertNeed> {
    let mut out = Vec::new();
    if f.closed.is_some() {
        return out;
    }
    let mut due = |subject: String, what: String, d: NaiveDate| {
        let left = days(today, d);
        if left < 0 {
            out.push(AlertNeed { kind: AlertKind::Overdue, subject, message: format!("{what}（{d}）已逾期 {} 天", -left) });
        } else if left <= rules.due_soon_days {
            out.push(AlertNeed { kind: AlertKind::DueSoon, subject, message: format!("{what}（{d}）还有 {left} 天到期") });
        }
    };
    if let Some(d) = f.deadline {
        due("deadline".into(), "任务完成时限".into(), d);
    }
    for m in f.milestones.iter().filter(|m| m.reached.is_none()) {
        due(format!("milestone:{}", m.title), format!("节点“{}”", m.title), m.due);
    }
    if let Some(since) = unit_last_report.or(f.start) {
        let next = since + chrono::Duration::days(rules.report_cycle_days);
        if today > next {
            out.push(AlertNeed {
                kind: AlertKind::Overdue,
                subject: "report".into(),
                message: format!("进展情况应于 {next} 前报送，已逾期 {} 天", days(next, today)),
            });
        }
    }
    out
}

/// What to do with an alert today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStep {
    /// First time: send it.
    Raise,
    /// Not answered and `alert_repeat_days` since it was last sent: send it again.
    Repeat,
    Wait,
}

/// `last_sent`: when the open alert was last sent (`None`: there is none); `answered`: the unit
/// has reported since it was raised. An answered alert stays quiet.
pub fn alert_step(last_sent: Option<NaiveDate>, answered: bool, today: NaiveDate, rules: &Rules) -> AlertStep {
    match last_sent {
        None => AlertStep::Raise,
        Some(_) if answered => AlertStep::Wait,
        Some(d) if days(d, today) >= rules.alert_repeat_days => AlertStep::Repeat,
        Some(_) => AlertStep::Wait,
    }
}

/// A 催办 goes to the leader when the unit has not replied within `escalate_after_days`.
pub fn escalation_due(sent_on: NaiveDate, replied: bool, escalated: bool, today: NaiveDate, rules: &Rules) -> bool {
    !replied && !escalated && days(sent_on, today) >= rules.escalate_after_days
}

/// 销号 ratings.
pub const RATINGS: [&str; 4] = ["优秀", "良好", "合格", "不合格"];

/// A unit's part in a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Lead,
    Responsible,
    Cooperating,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Lead, Role::Responsible, Role::Cooperating];
    pub fn code(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Responsible => "responsible",
            Role::Cooperating => "cooperating",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Lead => "牵头单位",
            Role::Responsible => "责任单位",
            Role::Cooperating => "配合单位",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }
    /// Lead and responsible units report progress and answer for the task.
    pub fn reports(self) -> bool {
        matches!(self, Role::Lead | Role::Responsible)
    }
}

/// A task as the deduction rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub seq: usize,
    pub title: String,
    pub deadline: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
    /// Light changes in order (day, light); a light holds until the next change.
    pub lights: Vec<(NaiveDate, Light)>,
    /// Unit codes and their part (collectives already expanded).
    pub units: Vec<(String, Role)>,
}

/// Why a task counts against its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeductionKind {
    /// The deadline fell in the year and the task was not closed by it.
    Overdue,
    /// The task was red at some time in the year.
    Red,
}

impl DeductionKind {
    pub fn label(self) -> &'static str {
        match self {
            DeductionKind::Overdue => "逾期未完成",
            DeductionKind::Red => "亮红灯",
        }
    }
}

/// One piece of evidence: a task that counts against a unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeductionCase {
    pub unit: String,
    pub role: Role,
    pub seq: usize,
    pub title: String,
    pub kind: DeductionKind,
    pub detail: String,
}

/// Counts for one unit (or zone): the input columns of the evaluation's 减分项.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeductionCounts {
    pub overdue_lead: usize,
    pub overdue_responsible: usize,
    pub red_lead: usize,
    pub red_responsible: usize,
}

impl DeductionCounts {
    /// Column codes the evaluation scheme refers to (`column = "sv_overdue_lead"`).
    pub const COLUMNS: [(&'static str, &'static str); 4] = [
        ("sv_overdue_lead", "督办任务逾期（牵头）"),
        ("sv_overdue_responsible", "督办任务逾期（责任）"),
        ("sv_red_lead", "督办任务红灯（牵头）"),
        ("sv_red_responsible", "督办任务红灯（责任）"),
    ];
    pub fn values(&self) -> [usize; 4] {
        [self.overdue_lead, self.overdue_responsible, self.red_lead, self.red_responsible]
    }
    pub fn total(&self) -> usize {
        self.values().iter().sum()
    }
    fn add(&mut self, kind: DeductionKind, role: Role) {
        match (kind, role) {
            (DeductionKind::Overdue, Role::Lead) => self.overdue_lead += 1,
            (DeductionKind::Overdue, _) => self.overdue_responsible += 1,
            (DeductionKind::Red, Role::Lead) => self.red_lead += 1,
            (DeductionKind::Red, _) => self.red_responsible += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitDeductions {
    pub unit: String,
    pub unit_name: String,
    /// The zones this unit answers for (a county's zones, the 管委会's zone).
    pub zones: Vec<String>,
    pub counts: DeductionCounts,
    pub cases: Vec<DeductionCase>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneDeductions {
    pub zone: String,
    pub zone_name: String,
    /// The units whose cases the zone carries.
    pub via: Vec<String>,
    pub counts: DeductionCounts,
}

/// Deduction inputs of a year, per unit and per zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deductions {
    pub year: i32,
    pub as_of: NaiveDate,
    pub units: Vec<UnitDeductions>,
    pub zones: Vec<ZoneDeductions>,
}

/// The zones a unit answers for: a county government or party committee for the zones in its
/// county; a zone's own committee (管委会/党工委) for the zones carrying its code — the
/// 廊坊开发区管委会 carries none, as 廊坊经开区 is city-managed with the city's code 131000.
pub fn unit_zones(unit: &Unit, zones: &[Zone]) -> Vec<String> {
    let county = match unit.kind {
        UnitKind::CountyGovernment | UnitKind::CountyParty => unit.county_code.clone(),
        UnitKind::ZoneCommittee => Some(unit.county_code.clone().unwrap_or_else(|| "131000".into())),
        _ => None,
    };
    county.map(|c| zones.iter().filter(|z| z.county_code == c).map(|z| z.code.clone()).collect()).unwrap_or_default()
}

/// Was the light red at any time in `year` (up to `as_of`)?
fn red_in(lights: &[(NaiveDate, Light)], year: i32, as_of: NaiveDate) -> Option<NaiveDate> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31)?.min(as_of);
    for (i, (from, light)) in lights.iter().enumerate() {
        let until = lights.get(i + 1).map(|(d, _)| *d).unwrap_or(NaiveDate::MAX);
        // Holds on [from, until).
        if *light == Light::Red && *from <= end && until > start {
            return Some((*from).max(start));
        }
    }
    None
}

/// The deduction inputs of `year` as known on `as_of`: every overdue or red task counted once
/// for each of its lead and responsible units (cooperating units answer for nothing), and for
/// the zones of those units.
pub fn deductions(year: i32, as_of: NaiveDate, tasks: &[TaskRecord], units: &[Unit], zones: &[Zone]) -> Deductions {
    let mut by_unit: BTreeMap<String, (DeductionCounts, Vec<DeductionCase>)> = BTreeMap::new();
    for t in tasks {
        let mut kinds = Vec::new();
        if let Some(d) = t.deadline.filter(|d| d.year() == year && *d < as_of) {
            match t.closed {
                Some(c) if c <= d => {}
                Some(c) => kinds.push((DeductionKind::Overdue, format!("完成时限 {d}，{c} 销号，逾期 {} 天", days(d, c)))),
                None => kinds.push((DeductionKind::Overdue, format!("完成时限 {d}，至 {as_of} 未销号，逾期 {} 天", days(d, as_of)))),
            }
        }
        if let Some(from) = red_in(&t.lights, year, as_of) {
            kinds.push((DeductionKind::Red, format!("{from} 起亮红灯")));
        }
        for (kind, detail) in kinds {
            for (unit, role) in t.units.iter().filter(|(_, r)| r.reports()) {
                let e = by_unit.entry(unit.clone()).or_default();
                e.0.add(kind, *role);
                e.1.push(DeductionCase { unit: unit.clone(), role: *role, seq: t.seq, title: t.title.clone(), kind, detail: detail.clone() });
            }
        }
    }
    let order = |code: &str| units.iter().position(|u| u.code == code).unwrap_or(usize::MAX);
    let mut unit_rows: Vec<UnitDeductions> = by_unit
        .into_iter()
        .map(|(code, (counts, cases))| {
            let unit = units.iter().find(|u| u.code == code);
            UnitDeductions {
                unit_name: unit.map(|u| u.name.clone()).unwrap_or_else(|| code.clone()),
                zones: unit.map(|u| unit_zones(u, zones)).unwrap_or_default(),
                unit: code,
                counts,
                cases,
            }
        })
        .collect();
    unit_rows.sort_by_key(|u| (order(&u.unit), u.unit.clone()));
    let zone_rows = zones
        .iter()
        .filter_map(|z| {
            let mut counts = DeductionCounts::default();
            let mut via = Vec::new();
            for u in unit_rows.iter().filter(|u| u.zones.contains(&z.code)) {
                // A county's government and party committee on the same task count once.
                for c in &u.cases {
                    let dup = unit_rows.iter().filter(|o| o.zones.contains(&z.code) && via.contains(&o.unit)).any(|o| {
                        o.cases.iter().any(|oc| oc.seq == c.seq && oc.kind == c.kind)
                    });
                    if !dup {
                        counts.add(c.kind, c.role);
                    }
                }
                via.push(u.unit.clone());
            }
            (counts.total() > 0).then(|| ZoneDeductions { zone: z.code.clone(), zone_name: z.short_name.clone(), via, counts })
        })
        .collect();
    Deductions { year, as_of, units: unit_rows, zones: zone_rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts() -> Facts {
        Facts { start: Some(d("2026-01-01")), deadline: Some(d("2026-12-31")), ..Facts::default() }
    }

    #[test]
    fn lights_follow_deadline_milestones_and_reports() {
        let r = Rules::default();
        let mut f = facts();
        f.last_report = Some(d("2026-06-20"));
        assert_eq!(assess(&f, d("2026-07-01"), &r).light, Light::Green);
        assert_eq!(assess(&f, d("2026-07-01"), &r).reasons, ["按计划推进"]);
        // No report for more than a cycle.
        let a = assess(&f, d("2026-07-21"), &r);
        assert_eq!(a.light, Light::Yellow);
        assert_eq!(a.reasons, ["最近一次进展报送在 2026-06-20，已超过 30 天的报送周期"]);
        // The deadline close, then passed.
        f.last_report = Some(d("2026-12-20"));
        let a = assess(&f, d("2026-12-21"), &r);
        assert_eq!((a.light, a.reason()), (Light::Yellow, "距完成时限（2026-12-31）还有 10 天".to_string()));
        let a = assess(&f, d("2027-01-03"), &r);
        assert_eq!((a.light, a.reason()), (Light::Red, "已超过完成时限（2026-12-31）3 天".to_string()));
        // Closed: green whatever the dates.
        f.closed = Some(d("2027-01-02"));
        assert_eq!(assess(&f, d("2027-03-01"), &r).light, Light::Green);
    }

    #[test]
    fn a_missed_milestone_is_yellow_within_the_grace_then_red_until_reached() {
        let r = Rules::default();
        let mut f = facts();
        f.last_report = Some(d("2026-05-01"));
        f.milestones.push(Milestone { title: "完成规划编制".into(), due: d("2026-05-10"), reached: None });
        assert_eq!(assess(&f, d("2026-04-20"), &r).light, Light::Green, "20 days ahead is not yet due soon");
        let a = assess(&f, d("2026-05-15"), &r);
        assert_eq!((a.light, a.reason()), (Light::Yellow, "节点“完成规划编制”（2026-05-10）逾期 5 天未完成".to_string()));
        let a = assess(&f, d("2026-05-20"), &r);
        assert_eq!((a.light, a.reason()), (Light::Red, "节点“完成规划编制”（2026-05-10）逾期 10 天未完成".to_string()));
        f.milestones[0].reached = Some(d("2026-05-20"));
        f.last_report = Some(d("2026-05-20"));
        assert_eq!(assess(&f, d("2026-05-20"), &r).light, Light::Green);
        // Manual light wins and says why.
        let m = with_manual(assess(&f, d("2026-05-20"), &r), Some((Light::Red, "省督查发现问题")));
        assert_eq!((m.light, m.manual, m.reason()), (Light::Red, true, "人工设定：省督查发现问题".to_string()));
    }

    #[test]
    fn alerts_repeat_until_answered_and_urges_escalate() {
        let r = Rules::default();
        let mut f = facts();
        f.deadline = Some(d("2026-07-10"));
        f.milestones.push(Milestone { title: "签约".into(), due: d("2026-06-01"), reached: None });
        let needs = alerts_for(&f, Some(d("2026-06-01")), d("2026-07-01"), &r);
        assert_eq!(
            needs.iter().map(|n| (n.kind, n.subject.as_str(), n.message.as_str())).collect::<Vec<_>>(),
            [
                (AlertKind::DueSoon, "deadline", "任务完成时限（2026-07-10）还有 9 天到期"),
                (AlertKind::Overdue, "milestone:签约", "节点“签约”（2026-06-01）已逾期 30 天"),
            ]
        );
        let needs = alerts_for(&f, Some(d("2026-05-01")), d("2026-07-01"), &r);
        assert_eq!(needs.last().unwrap().message, "进展情况应于 2026-05-31 前报送，已逾期 31 天");
        assert_eq!(alert_step(None, false, d("2026-07-01"), &r), AlertStep::Raise);
        assert_eq!(alert_step(Some(d("2026-07-01")), false, d("2026-07-03"), &r), AlertStep::Wait);
        assert_eq!(alert_step(Some(d("2026-07-01")), false, d("2026-07-04"), &r), AlertStep::Repeat);
        assert_eq!(alert_step(Some(d("2026-07-01")), true, d("2026-07-30"), &r), AlertStep::Wait);
        assert!(!escalation_due(d("2026-07-01"), false, false, d("2026-07-05"), &r));
        assert!(escalation_due(d("2026-07-01"), false, false, d("2026-07-06"), &r));
        assert!(!escalation_due(d("2026-07-01"), true, false, d("2026-07-20"), &r));
        assert!(!escalation_due(d("2026-07-01"), false, true, d("2026-07-20"), &r));
        f.closed = Some(d("2026-06-30"));
        assert!(alerts_for(&f, None, d("2026-07-01"), &r).is_empty());
    }

    #[test]
    fn rules_are_checked_with_field_names() {
        assert_eq!(Rules::default().check(), Ok(()));
        let bad = Rules { report_cycle_days: 0, ..Rules::default() };
        assert_eq!(bad.check().unwrap_err(), "“进展报送周期天数”应在 1 到 366 之间，现为 0");
    }

    #[test]
    fn overdue_and_red_tasks_count_for_lead_and_responsible_units_and_their_zones() {
        let units = crate::catalog::units();
        let zones = crate::catalog::zones();
        let lights = |v: &[(&str, Light)]| v.iter().map(|(s, l)| (d(s), *l)).collect::<Vec<_>>();
        let tasks = vec![
            // Overdue in 2026 and red since October: counts twice for each lead/responsible unit.
            TaskRecord {
                seq: 1,
                title: "清理闲置土地".into(),
                deadline: Some(d("2026-09-30")),
                closed: None,
                lights: lights(&[("2026-01-05", Light::Green), ("2026-10-01", Light::Red)]),
                units: vec![("gtj".into(), Role::Lead), ("gov_131082".into(), Role::Responsible), ("party_131082".into(), Role::Responsible), ("swj".into(), Role::Cooperating)],
            },
            // Closed before its deadline, never red: nothing.
            TaskRecord {
                seq: 2,
                title: "按期完成".into(),
                deadline: Some(d("2026-06-30")),
                closed: Some(d("2026-06-01")),
                lights: lights(&[("2026-01-05", Light::Yellow)]),
                units: vec![("kjj".into(), Role::Lead)],
            },
            // Closed late; red in 2025 only (turned green on 2026-01-01): overdue but not red in 2026.
            TaskRecord {
                seq: 3,
                title: "逾期销号".into(),
                deadline: Some(d("2026-03-31")),
                closed: Some(d("2026-04-10")),
                lights: lights(&[("2025-11-01", Light::Red), ("2026-01-01", Light::Green)]),
                units: vec![("kfqgwh".into(), Role::Lead)],
            },
            // Deadline next year: only its red light counts.
            TaskRecord {
                seq: 4,
                title: "长期任务".into(),
                deadline: Some(d("2027-06-30")),
                closed: None,
                lights: lights(&[("2025-12-01", Light::Red)]),
                units: vec![("kjj".into(), Role::Responsible)],
            },
        ];
        let out = deductions(2026, d("2026-11-28"), &tasks, &units, &zones);
        let get = |code: &str| out.units.iter().find(|u| u.unit == code).unwrap_or_else(|| panic!("{code}"));
        assert_eq!(get("gtj").counts, DeductionCounts { overdue_lead: 1, overdue_responsible: 0, red_lead: 1, red_responsible: 0 });
        assert_eq!(get("gov_131082").counts, DeductionCounts { overdue_lead: 0, overdue_responsible: 1, red_lead: 0, red_responsible: 1 });
        assert_eq!(get("gov_131082").zones, ["yanjiao_htz", "sanhe_etdz"]);
        assert_eq!(get("gtj").cases[0].detail, "完成时限 2026-09-30，至 2026-11-28 未销号，逾期 59 天");
        assert_eq!(get("gtj").cases[1].detail, "2026-10-01 起亮红灯");
        assert!(out.units.iter().all(|u| u.unit != "swj"), "cooperating units answer for nothing");
        assert_eq!(get("kfqgwh").counts.overdue_lead, 1);
        assert_eq!(get("kfqgwh").counts.red_lead, 0);
        assert_eq!(get("kfqgwh").zones, ["langfang_etdz"]);
        assert_eq!(get("kfqgwh").cases[0].detail, "完成时限 2026-03-31，2026-04-10 销号，逾期 10 天");
        assert_eq!(get("kjj").counts, DeductionCounts { red_responsible: 1, ..DeductionCounts::default() });
        // 三河市's two zones carry its cases once, though both its government and party committee answer.
        let yj = out.zones.iter().find(|z| z.zone == "yanjiao_htz").unwrap();
        assert_eq!(yj.counts, DeductionCounts { overdue_lead: 0, overdue_responsible: 1, red_lead: 0, red_responsible: 1 });
        assert_eq!(yj.via, ["gov_131082", "party_131082"]);
        assert_eq!(out.zones.iter().map(|z| z.zone.as_str()).collect::<Vec<_>>(), ["langfang_etdz", "yanjiao_htz", "sanhe_etdz"]);
        // A year with nothing.
        assert!(deductions(2024, d("2026-11-28"), &tasks, &units, &zones).units.is_empty());
    }
}
