//! The plan's 工作目标 judged at a month from approved zone values — or, for the counts of things
//! (重大项目, 高新技术企业, 创新平台, 特色产业园 …), from the register records as of the month's
//! end: core's `Target::measure` / `measure_registers`, `assess` (StatCan/Open SDG status) and
//! `pace` (expected by now), with their trails.

use std::collections::HashMap;

use nengji_core::indicator::IndicatorKind;
use nengji_core::period::Month;
use nengji_core::registers::counts::month_end;
use nengji_core::registers::{Record, RegisterKind};
use nengji_core::target::{self, Assessment, Observation, PaceCheck, ProgressStatus, Target, TargetKind, TargetScope};
use nengji_office::chart::{self, LineChart, Series};

use super::panel::Panel;
use crate::error::AppError;

/// The register records the count targets are measured from.
#[derive(Default)]
pub struct Registers(HashMap<RegisterKind, Vec<Record>>);

impl Registers {
    pub async fn load(db: &nengji_store::Db) -> Result<Registers, AppError> {
        let mut out = HashMap::new();
        for k in RegisterKind::ALL {
            out.insert(k, nengji_store::registers::records(db, k).await?);
        }
        Ok(Registers(out))
    }
    pub fn records(&self, kind: RegisterKind) -> &[Record] {
        self.0.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// One target as the cockpit shows it.
pub struct TargetView {
    pub target: Target,
    pub assessment: Assessment,
    pub pace: Option<PaceCheck>,
    /// The measure at the chosen month (a full-year figure for flows in December).
    pub current: Option<f64>,
    /// Why there is nothing to judge, when that is the case.
    pub note: Option<String>,
    /// Annual values of the measure, for the chart.
    pub annual: Vec<Observation>,
}

/// CSS class and API code of a status.
pub fn status_code(s: ProgressStatus) -> &'static str {
    match s {
        ProgressStatus::Achieved => "achieved",
        ProgressStatus::OnTrack => "on_track",
        ProgressStatus::ModerateProgress => "moderate_progress",
        ProgressStatus::AccelerationNeeded => "acceleration_needed",
        ProgressStatus::LimitedProgress => "limited_progress",
        ProgressStatus::Deterioration => "deterioration",
        ProgressStatus::UnableToAssess => "unable_to_assess",
    }
}

/// Statuses in display order, best first.
pub const STATUSES: [ProgressStatus; 7] = [
    ProgressStatus::Achieved,
    ProgressStatus::OnTrack,
    ProgressStatus::ModerateProgress,
    ProgressStatus::AccelerationNeeded,
    ProgressStatus::LimitedProgress,
    ProgressStatus::Deterioration,
    ProgressStatus::UnableToAssess,
];

/// A number as the trails print it: up to 2 decimals, trailing zeros dropped.
pub fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".into() } else { s }
}

/// Flows (1–N月累计) are judged on full years; stocks and shares also at a month.
fn is_flow(panel: &Panel, t: &Target) -> bool {
    match &t.kind {
        TargetKind::Share { .. } => false,
        _ => panel.indicator(&t.indicator).is_some_and(|i| i.kind == IndicatorKind::Flow),
    }
}

/// Judges a count target at month `p` from the records of its register: year-end counts from
/// the base year, and the count at the end of `p`.
fn evaluate_count(regs: &Registers, t: &Target, p: Month) -> Option<TargetView> {
    let spec = t.register_spec()?;
    let records = regs.records(spec.register);
    let last_full = if p.month() == 12 { p.year() } else { p.year() - 1 };
    let annual = t.register_observations(records, t.baseline_year, last_full);
    let current = t.measure_registers(records, month_end(p.year(), p.month()));
    // "每年 …" counts restart every year, so they are judged like flows: full years, and the year
    // so far against its linear share.
    let flow = spec.within_year;
    let mut obs = annual.clone();
    if !flow && p.month() != 12 {
        obs.extend(current.map(|v| Observation::at(p, v)));
    }
    let mut assessment = t.assess(&obs);
    assessment.trail.push(format!("数据来源：名录“{}”，按各时点的有效记录计数（共 {} 条记录）", spec.register.label(), records.len()));
    let pace = current.and_then(|v| t.pace(p, v, &obs, flow));
    let note = if records.is_empty() {
        Some(format!("“{}”名录尚无记录，无法计算（在“名录”中登记或导入）", spec.register.label()))
    } else if assessment.status == ProgressStatus::UnableToAssess {
        Some("名录数据不足，无法评估".into())
    } else {
        None
    };
    Some(TargetView { target: t.clone(), assessment, pace, current: if flow && p.month() != 12 { None } else { current }, note, annual })
}

/// Judges a target at month `p`.
pub fn evaluate(panel: &Panel, regs: &Registers, t: &Target, p: Month) -> TargetView {
    if let Some(v) = evaluate_count(regs, t, p) {
        return v;
    }
    let zones = panel.zone_codes();
    let env = panel.env();
    let flow = is_flow(panel, t) || matches!(t.scope, TargetScope::CountZones { .. });
    let last_full = if p.month() == 12 { p.year() } else { p.year() - 1 };
    let annual = t.annual_observations(&env, &zones, t.baseline_year, last_full);
    let current = t.measure(&env, p, &zones);
    let mut obs = annual.clone();
    if !flow && p.month() != 12 {
        obs.extend(current.map(|v| Observation::at(p, v)));
    }
    let assessment = t.assess(&obs);
    let pace = current.and_then(|v| t.pace(p, v, &obs, flow));
    let note = match &t.kind {
        TargetKind::ShareOfCityTotal { city_label, city_values } if city_values.is_empty() => {
            Some(format!("需由市开发区办录入{city_label}后才能计算占比"))
        }
        _ if panel.indicator(&t.indicator).is_none() && !matches!(t.kind, TargetKind::Share { .. }) => {
            Some(format!("暂无“{}”的数据来源（相应登记册尚未建立）", t.indicator))
        }
        _ if assessment.status == ProgressStatus::UnableToAssess => Some("已审核数据不足，无法评估".into()),
        _ => None,
    };
    TargetView { target: t.clone(), assessment, pace, current: if flow && p.month() != 12 { None } else { current }, note, annual }
}

/// Every target of the plan at month `p`.
pub fn evaluate_all(panel: &Panel, regs: &Registers, p: Month) -> Vec<TargetView> {
    target::plan_targets().iter().map(|t| evaluate(panel, regs, t, p)).collect()
}

impl TargetView {
    pub fn code(&self) -> &str {
        &self.target.code
    }
    pub fn status(&self) -> ProgressStatus {
        self.assessment.status
    }
    pub fn status_code(&self) -> &'static str {
        status_code(self.assessment.status)
    }
    pub fn status_label(&self) -> &'static str {
        self.assessment.status.label()
    }
    fn growth(&self) -> bool {
        matches!(self.target.kind, TargetKind::AvgGrowth { .. })
    }
    /// The goal in words: `到2020年 ≥ 400家`, `2018–2020年年均增长 ≥ 15%`.
    pub fn goal(&self) -> String {
        let t = &self.target;
        match t.kind {
            TargetKind::AvgGrowth { from_year, to_year } => {
                format!("{from_year}–{to_year}年年均增长 {} {}%", t.comparator.symbol(), num(t.target_value))
            }
            _ => format!("到{}年 {} {}{}", t.target_year, t.comparator.symbol(), num(t.target_value), t.unit),
        }
    }
    /// The headline figure: the latest level, or for growth targets the average growth so far.
    pub fn headline(&self) -> String {
        let a = &self.assessment;
        if self.growth() {
            return a.observed_cagr_pct.map(|g| format!("年均 {g:.1}%")).unwrap_or_else(|| "—".into());
        }
        match a.latest {
            Some(o) => format!("{}{}", num(o.value), self.target.unit),
            None => "—".into(),
        }
    }
    /// When the headline figure was measured.
    pub fn as_of(&self) -> String {
        match (self.assessment.baseline, self.assessment.latest) {
            (Some(b), Some(l)) if self.growth() => format!("{}–{}", time_label(b.t), time_label(l.t)),
            (_, Some(l)) => time_label(l.t),
            _ => String::new(),
        }
    }
    /// Required against actual pace (average annual growth).
    pub fn pace_line(&self) -> String {
        let a = &self.assessment;
        let actual = a.observed_cagr_pct.map(|g| format!("{g:.1}%")).unwrap_or_else(|| "—".into());
        match (a.status, a.required_cagr_pct) {
            (ProgressStatus::UnableToAssess, _) => String::new(),
            (ProgressStatus::Achieved, _) => format!("已达到目标；实际年均增速 {actual}"),
            // From a zero base the growth rates are artefacts of the 0.001 rule; only R means something.
            (_, Some(_)) if a.baseline.is_some_and(|b| b.value == 0.0) => {
                a.ratio.map(|r| format!("基期为0，按比值 R = {:.1}% 评估", r * 100.0)).unwrap_or_default()
            }
            (_, Some(req)) => format!("所需年均增速 {req:.1}%，实际 {actual}"),
            _ => format!("实际年均增速 {actual}"),
        }
    }
    /// This year's progress against the value expected by now.
    pub fn month_line(&self) -> String {
        match &self.pace {
            Some(p) => format!(
                "应达 {}，实际 {}{}",
                num(p.expected),
                num(p.actual),
                p.ratio.map(|r| format!("（{:.1}%）", r * 100.0)).unwrap_or_default()
            ),
            None => String::new(),
        }
    }
    pub fn on_pace(&self) -> Option<bool> {
        self.pace.as_ref().map(|p| p.on_pace)
    }
    pub fn tasks(&self) -> String {
        self.target.linked_tasks.join("、")
    }
    /// Every step of the calculation, the assessment first, then this year's pace.
    pub fn trail(&self) -> Vec<String> {
        let mut out = self.assessment.trail.clone();
        if let Some(p) = &self.pace {
            out.push("—— 本年进度 ——".into());
            out.extend(p.trail.iter().cloned());
        }
        out
    }
    /// The measure year by year against the path from the base to the goal (dashed).
    pub fn chart(&self) -> Option<String> {
        let t = &self.target;
        self.assessment.baseline?;
        let last = self.annual.iter().map(|o| o.t as i32).max().unwrap_or(t.baseline_year);
        let years: Vec<i32> = (t.baseline_year..=t.target_year.max(last)).collect();
        let at = |y: i32| self.annual.iter().find(|o| o.t as i32 == y).map(|o| o.value);
        let mut actual: Vec<Option<f64>> = years.iter().map(|y| at(*y)).collect();
        if let (Some(b), Some(first)) = (self.assessment.baseline, actual.first_mut()) {
            first.get_or_insert(b.value);
        }
        let path: Vec<Option<f64>> =
            years.iter().map(|y| (*y <= t.target_year).then(|| t.trajectory(&self.annual, *y as f64)).flatten()).collect();
        let unit = if self.growth() { String::new() } else { t.unit.clone() };
        let indicator = if self.growth() { "水平" } else { "实际" };
        Some(chart::line_chart(&LineChart {
            title: t.title.clone(),
            unit,
            x_labels: years.iter().map(|y| format!("{y}年")).collect(),
            series: vec![
                Series { name: format!("{indicator}（全年）"), values: actual, dashed: false },
                Series { name: "目标路径".into(), values: path, dashed: true },
            ],
            width: 420,
            height: 240,
        }))
    }
}

/// `2019年` for a year end, `2019年6月` otherwise (the target time scale).
pub fn time_label(t: f64) -> String {
    let months = (t * 12.0).round() as i64;
    let (year, m) = ((months - 1).div_euclid(12) + 1, (months - 1).rem_euclid(12) + 1);
    if m == 12 { format!("{year}年") } else { format!("{year}年{m}月") }
}
