//! Targets of the plan as objects (工作目标 1–5 and 四(一)), how each is measured from zone
//! values, and how progress towards it is judged.
//!
//! Progress follows the Statistics Canada / Open SDG method (PEERS.md §2): observed CAGR from the
//! base year to the latest value against the CAGR required to reach the target, R = observed ÷
//! required; *achieved* when the latest value already meets the target, else R ≥ 95% on track,
//! 60–95% acceleration needed, 0–60% limited progress, < 0 deterioration; zeros count as 0.001.
//! Besides it: the DHIS2-style linear "expected by now" (annual goal × months elapsed ÷ 12) and
//! a projection of the target-year value at the current pace (UNSD: v̂T = yi·(1+CAGR)^(tT−ti)).
//! Every result carries a Chinese calculation trail with the numbers plugged in.
//!
//! Time is measured in years: the end of year Y is `Y`, the end of month m of year Y is
//! `Y − 1 + m/12`, so annual figures (December 累计 or year-end stocks) sit on whole numbers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::expr::{Env, Scope};
use crate::registers::counts::{month_end, Area, CountSpec};
use crate::registers::{platforms, projects, Record, RegisterKind};
use crate::period::Month;
use crate::series::sum_amounts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    Ge,
    Le,
    Eq,
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Ge => "≥",
            Comparator::Le => "≤",
            Comparator::Eq => "=",
        }
    }
    /// `value` compared with `goal`, with a relative tolerance of 1e-9 for rounding.
    pub fn holds(self, value: f64, goal: f64) -> bool {
        let same = (value - goal).abs() <= 1e-9 * value.abs().max(goal.abs()).max(1.0);
        match self {
            Comparator::Ge => value > goal || same,
            Comparator::Le => value < goal || same,
            Comparator::Eq => same,
        }
    }
}

/// Whose figure the target is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetScope {
    /// All zones of the city together (全市开发区).
    City,
    Zone(String),
    Group(String),
    /// The number of zones whose `indicator` meets `comparator threshold`
    /// (千亿元以上开发区: revenue ≥ 1000 亿元 for the year).
    CountZones {
        indicator: String,
        threshold: f64,
        comparator: Comparator,
        /// An upper bound (exclusive) making the count a band: 超5000万美元 but below 1亿美元.
        #[serde(default)]
        below: Option<f64>,
    },
    /// The number of zones whose `indicator` was 0 at the end of the base year and is above 0
    /// now (外资空白消除: zero-FDI zones that achieved a breakthrough).
    ZonesLeavingZero { indicator: String },
    /// Every zone must meet the target; the measure is the worst zone's value (the lowest for
    /// ≥, the highest for ≤), so the target is met exactly when all zones meet it.
    EveryZone,
}

/// What is compared with the target value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// The indicator's value over the scope (for a flow, the full-year 累计 in December).
    Level,
    /// Σ numerator ÷ Σ denominator × 100 over the scope (never a mean of zone shares).
    Share { numerator: String, denominator: String },
    /// 年均增长 (%) over the growth years `from_year..=to_year`; the base is the year before
    /// (as 十三五 2016–2020 is measured on 2015), so `baseline_year = from_year − 1`.
    AvgGrowth { from_year: i32, to_year: i32 },
    /// The scope's indicator as a % of a whole-city figure that is not a zone indicator
    /// (全市地区生产总值). The office enters that figure per year in `city_values`.
    ShareOfCityTotal { city_label: String, city_values: BTreeMap<i32, f64> },
    /// The count (or a sum) of register records as of a day — 21 重大项目, 400 高新技术企业 …
    /// Measured from the registers, not from zone values (see [`Target::measure_registers`]).
    RegisterCount(CountSpec),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub code: String,
    /// The plan's wording.
    pub title: String,
    pub scope: TargetScope,
    pub kind: TargetKind,
    pub indicator: String,
    /// Unit of the measure compared with `target_value` (家, %, 亿元 …).
    pub unit: String,
    pub baseline_year: i32,
    /// When `None`, the observation of `baseline_year` is used.
    pub baseline_value: Option<f64>,
    pub target_year: i32,
    /// The goal; for `AvgGrowth` the annual growth rate in %.
    pub target_value: f64,
    pub comparator: Comparator,
    /// Plan sections whose tasks serve the target, e.g. "四(一)".
    pub linked_tasks: Vec<String>,
}

/// A value of a target's measure at time `t` (see the module docs for the time scale).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub t: f64,
    pub value: f64,
}

impl Observation {
    /// A full-year value (December 累计 or year-end stock).
    pub fn year_end(year: i32, value: f64) -> Observation {
        Observation { t: year as f64, value }
    }
    /// A value at the end of a month.
    pub fn at(month: Month, value: f64) -> Observation {
        Observation { t: time_of(month), value }
    }
}

/// Years on the target time scale: 2019-12 → 2019.0, 2019-06 → 2018.5.
pub fn time_of(month: Month) -> f64 {
    (month.year() - 1) as f64 + month.month() as f64 / 12.0
}

/// `2019年` for a year end, `2019年6月` otherwise.
fn time_label(t: f64) -> String {
    let months = (t * 12.0).round() as i64;
    let (year, m) = ((months - 1).div_euclid(12) + 1, (months - 1).rem_euclid(12) + 1);
    if m == 12 { format!("{year}年") } else { format!("{year}年{m}月") }
}

/// A number for the trail: up to 2 decimals, trailing zeros dropped.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".into() } else { s }
}

fn pct(fraction: f64) -> String {
    format!("{:.2}%", fraction * 100.0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStatus {
    Achieved,
    OnTrack,
    /// Without a target only: 0.5–1.5%·C a year.
    ModerateProgress,
    AccelerationNeeded,
    LimitedProgress,
    Deterioration,
    UnableToAssess,
}

impl ProgressStatus {
    pub fn label(self) -> &'static str {
        match self {
            ProgressStatus::Achieved => "已实现",
            ProgressStatus::OnTrack => "按计划推进",
            ProgressStatus::ModerateProgress => "进展一般",
            ProgressStatus::AccelerationNeeded => "需加快",
            ProgressStatus::LimitedProgress => "进展有限",
            ProgressStatus::Deterioration => "倒退",
            ProgressStatus::UnableToAssess => "无法评估",
        }
    }
}

/// The outcome of [`Target::assess`], with its calculation components.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub status: ProgressStatus,
    pub baseline: Option<Observation>,
    pub latest: Option<Observation>,
    /// The level to reach in the target year (for `AvgGrowth`, base × (1 + rate)^n).
    pub target_level: Option<f64>,
    pub observed_cagr_pct: Option<f64>,
    pub required_cagr_pct: Option<f64>,
    /// R = observed CAGR ÷ required CAGR.
    pub ratio: Option<f64>,
    /// The target-year value at the observed pace.
    pub projected: Option<f64>,
    pub projected_meets: Option<bool>,
    pub trail: Vec<String>,
}

impl Assessment {
    fn unable(trail: Vec<String>, baseline: Option<Observation>, latest: Option<Observation>) -> Assessment {
        Assessment {
            status: ProgressStatus::UnableToAssess,
            baseline,
            latest,
            target_level: None,
            observed_cagr_pct: None,
            required_cagr_pct: None,
            ratio: None,
            projected: None,
            projected_meets: None,
            trail,
        }
    }
}

/// Thresholds are compared with this slack so a value exactly on a boundary is not pushed to the
/// lower category by floating-point rounding.
const EPS: f64 = 1e-9;

/// Open SDG replaces zeros by 0.001 so growth rates exist.
fn nonzero(v: f64) -> f64 {
    if v == 0.0 { 0.001 } else { v }
}

/// Compound annual growth rate (a fraction).
fn cagr(from: f64, to: f64, years: f64) -> f64 {
    (to / from).powf(1.0 / years) - 1.0
}

/// Status by R with the StatCan thresholds.
fn status_by_ratio(r: f64) -> (ProgressStatus, &'static str) {
    if r >= 0.95 - EPS {
        (ProgressStatus::OnTrack, "R ≥ 95%")
    } else if r >= 0.60 - EPS {
        (ProgressStatus::AccelerationNeeded, "60% ≤ R < 95%")
    } else if r >= -EPS {
        (ProgressStatus::LimitedProgress, "0 ≤ R < 60%")
    } else {
        (ProgressStatus::Deterioration, "R < 0")
    }
}

impl Target {
    /// Problems that make the target unusable, in Chinese (empty when it is fine).
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.title.trim().is_empty() {
            out.push(format!("目标“{}”缺少名称", self.code));
        }
        if self.target_year <= self.baseline_year {
            out.push(format!("目标年（{}年）应晚于基期年（{}年）", self.target_year, self.baseline_year));
        }
        if !self.target_value.is_finite() {
            out.push("目标值不是有效数字".into());
        }
        match &self.kind {
            TargetKind::AvgGrowth { from_year, to_year }
                if self.baseline_year != from_year - 1 || self.target_year != *to_year =>
            {
                out.push(format!(
                    "年均增长目标{from_year}–{to_year}年的基期应为{}年、目标年应为{to_year}年",
                    from_year - 1
                ));
            }
            TargetKind::Share { numerator, denominator } if numerator.is_empty() || denominator.is_empty() => {
                out.push("占比目标需要分子和分母指标".into());
            }
            _ => {}
        }
        if let TargetScope::CountZones { threshold, .. } = &self.scope
            && !threshold.is_finite()
        {
            out.push("计数目标的门槛值不是有效数字".into());
        }
        out
    }

    fn base_year(&self) -> i32 {
        match self.kind {
            TargetKind::AvgGrowth { from_year, .. } => from_year - 1,
            _ => self.baseline_year,
        }
    }

    /// The target's measure at `period` from zone values. `zones` are all zones of the city;
    /// `Group` scopes take their zones from `env.group_zones`. Amounts are summed over the scope,
    /// shares recomputed from sums. `None` when any needed zone value is missing. For flows,
    /// measure at December to get the full-year figure.
    pub fn measure<E: Env + ?Sized>(&self, env: &E, period: Month, zones: &[String]) -> Option<f64> {
        let zone_value = |ind: &str, z: &String| env.value(ind, period, &Scope::Zone(z.clone()));
        let members: Vec<String> = match &self.scope {
            TargetScope::Zone(z) => vec![z.clone()],
            TargetScope::Group(g) => env.group_zones(g)?,
            _ => zones.to_vec(),
        };
        let sum = |ind: &str| sum_amounts(members.iter().map(|z| zone_value(ind, z)));
        if let TargetKind::RegisterCount(_) = self.kind {
            return None;
        }
        match &self.scope {
            TargetScope::CountZones { indicator, threshold, comparator, below } => {
                let values: Option<Vec<f64>> = members.iter().map(|z| zone_value(indicator, z)).collect();
                let in_band = |v: f64| comparator.holds(v, *threshold) && below.is_none_or(|b| v < b);
                return Some(values?.into_iter().filter(|v| in_band(*v)).count() as f64);
            }
            TargetScope::ZonesLeavingZero { indicator } => {
                let base = Month::new(self.base_year(), 12)?;
                if period <= base {
                    return Some(0.0);
                }
                let mut n = 0.0;
                for z in &members {
                    let (before, now) = (env.value(indicator, base, &Scope::Zone(z.clone()))?, zone_value(indicator, z)?);
                    if before == 0.0 && now > 0.0 {
                        n += 1.0;
                    }
                }
                return Some(n);
            }
            TargetScope::EveryZone => {
                let values: Option<Vec<f64>> = members.iter().map(|z| zone_value(&self.indicator, z)).collect();
                let values = values.filter(|v| !v.is_empty())?;
                let worst = match self.comparator {
                    Comparator::Le => values.into_iter().fold(f64::NEG_INFINITY, f64::max),
                    _ => values.into_iter().fold(f64::INFINITY, f64::min),
                };
                return Some(worst);
            }
            _ => {}
        }
        match &self.kind {
            TargetKind::Level | TargetKind::AvgGrowth { .. } => sum(&self.indicator),
            TargetKind::Share { numerator, denominator } => {
                crate::series::share_pct(sum(numerator)?, sum(denominator)?)
            }
            TargetKind::ShareOfCityTotal { city_values, .. } => {
                // City figures are annual, so only a full-year measure is comparable.
                if period.month() != 12 {
                    return None;
                }
                crate::series::share_pct(sum(&self.indicator)?, *city_values.get(&period.year())?)
            }
            TargetKind::RegisterCount(_) => None,
        }
    }

    /// The register count a target is measured by, if it is one.
    pub fn register_spec(&self) -> Option<&CountSpec> {
        match &self.kind {
            TargetKind::RegisterCount(spec) => Some(spec),
            _ => None,
        }
    }

    /// A register-count target's measure on `day` over `records` (the records of its register).
    /// `None` for other targets, and when the register holds no records at all: an empty register
    /// means "not kept yet", not "zero".
    pub fn measure_registers(&self, records: &[Record], day: NaiveDate) -> Option<f64> {
        let spec = self.register_spec()?;
        if records.is_empty() {
            return None;
        }
        let area = match &self.scope {
            TargetScope::Zone(z) => Area::Zone(z.clone()),
            _ => Area::City,
        };
        Some(spec.measure(records, day, &area))
    }

    /// A register-count target's measure at the end of each year in `from..=to`.
    pub fn register_observations(&self, records: &[Record], from: i32, to: i32) -> Vec<Observation> {
        (from..=to).filter_map(|y| self.measure_registers(records, month_end(y, 12)).map(|v| Observation::year_end(y, v))).collect()
    }

    /// The measure at December of each year in `from..=to`, skipping years without data.
    pub fn annual_observations<E: Env + ?Sized>(
        &self,
        env: &E,
        zones: &[String],
        from: i32,
        to: i32,
    ) -> Vec<Observation> {
        (from..=to)
            .filter_map(|y| {
                let dec = Month::new(y, 12)?;
                self.measure(env, dec, zones).map(|v| Observation::year_end(y, v))
            })
            .collect()
    }

    fn describe(&self) -> String {
        match &self.kind {
            TargetKind::AvgGrowth { from_year, to_year } => {
                format!("{from_year}–{to_year}年年均增长{}{}%", self.comparator.symbol(), num(self.target_value))
            }
            _ => format!("到{}年{}{}{}", self.target_year, self.comparator.symbol(), num(self.target_value), self.unit),
        }
    }

    /// Progress towards the target from observations of its measure (any order; the latest
    /// after the base year is used). See the module docs for the method.
    pub fn assess(&self, observations: &[Observation]) -> Assessment {
        let mut trail = vec![format!("目标：{}（{}）", self.title, self.describe())];
        let t0 = self.base_year() as f64;
        let baseline = match self.baseline_value {
            Some(v) => Some(Observation { t: t0, value: v }),
            None => observations.iter().copied().find(|o| (o.t - t0).abs() < 1e-6),
        };
        let latest = observations.iter().copied().filter(|o| o.t > t0 + 1e-6).max_by(|a, b| a.t.total_cmp(&b.t));
        let Some(base) = baseline else {
            trail.push(format!("缺少基期（{}）数值，无法评估", time_label(t0)));
            return Assessment::unable(trail, None, latest);
        };
        trail.push(format!("基期：{} = {}{}", time_label(t0), num(base.value), self.level_unit()));
        let Some(last) = latest else {
            trail.push("基期之后还没有数值，至少需要两个时点才能评估".into());
            return Assessment::unable(trail, baseline, None);
        };
        trail.push(format!("最新：{} = {}{}", time_label(last.t), num(last.value), self.level_unit()));
        if base.value < 0.0 || last.value < 0.0 {
            trail.push("数值为负，无法计算年均增速".into());
            return Assessment::unable(trail, baseline, latest);
        }
        let (y0, yi) = (nonzero(base.value), nonzero(last.value));
        if y0 != base.value || yi != last.value {
            trail.push("按 Open SDG 方法，数值 0 以 0.001 计".into());
        }
        let tt = self.target_year as f64;
        let yt = match self.kind {
            TargetKind::AvgGrowth { .. } => {
                let n = tt - t0;
                let level = y0 * (1.0 + self.target_value / 100.0).powf(n);
                trail.push(format!(
                    "目标年水平 = {} × (1 + {}%)^{} = {}{}",
                    num(y0),
                    num(self.target_value),
                    num(n),
                    num(level),
                    self.level_unit()
                ));
                level
            }
            _ => nonzero(self.target_value),
        };
        let unit = self.level_unit();
        let (ti, span) = (last.t, last.t - t0);
        let obs = cagr(y0, yi, span);
        trail.push(format!("实际年均增速 = ({} ÷ {})^(1/{}) − 1 = {}", num(yi), num(y0), num(span), pct(obs)));
        let projected = if tt > ti { yi * (1.0 + obs).powf(tt - ti) } else { yi };
        let projected_meets = self.comparator.holds(projected, yt);
        let mut out = Assessment {
            status: ProgressStatus::UnableToAssess,
            baseline,
            latest,
            target_level: Some(yt),
            observed_cagr_pct: Some(obs * 100.0),
            required_cagr_pct: None,
            ratio: None,
            projected: Some(projected),
            projected_meets: Some(projected_meets),
            trail: Vec::new(),
        };
        let projection_line = format!(
            "按当前增速预计{}年 = {} × (1 + {})^{} = {}{}，{}目标",
            self.target_year,
            num(yi),
            pct(obs),
            num((tt - ti).max(0.0)),
            num(projected),
            unit,
            if projected_meets { "可达到" } else { "达不到" }
        );

        if self.comparator.holds(yi, yt) {
            trail.push(format!(
                "最新值 {}{} {} 目标 {}{}：已实现",
                num(yi),
                unit,
                self.comparator.symbol(),
                num(yt),
                unit
            ));
            out.status = ProgressStatus::Achieved;
            out.trail = trail;
            return out;
        }
        trail.push(format!("最新值 {}{} 尚未达到目标 {}{}", num(yi), unit, num(yt), unit));
        let req = cagr(y0, yt, tt - t0);
        out.required_cagr_pct = Some(req * 100.0);
        trail.push(format!("所需年均增速 = ({} ÷ {})^(1/{}) − 1 = {}", num(yt), num(y0), num(tt - t0), pct(req)));
        // Direction: the way the base has to move to reach the target. If the base already met
        // it (no movement required) and the latest value does not, the indicator moved away.
        let d = match self.comparator {
            Comparator::Ge => 1.0,
            Comparator::Le => -1.0,
            Comparator::Eq => (yt - y0).signum(),
        };
        if d * req <= 0.0 {
            trail.push("基期已达到目标，最新值反而未达到：倒退".into());
            out.status = ProgressStatus::Deterioration;
        } else {
            let r = (d * obs) / (d * req);
            let (status, band) = status_by_ratio(r);
            trail.push(format!("比值 R = {} ÷ {} = {}，{}：{}", pct(obs), pct(req), pct(r), band, status.label()));
            out.ratio = Some(r);
            out.status = status;
        }
        trail.push(projection_line);
        out.trail = trail;
        out
    }

    fn level_unit(&self) -> &str {
        // An AvgGrowth target's value is a rate, but the observations are levels of the indicator.
        match self.kind {
            TargetKind::AvgGrowth { .. } => "",
            _ => &self.unit,
        }
    }

    /// The value the measure should have reached by `t` on the geometric path from the base to
    /// the target-year level. `None` without a usable base.
    pub fn trajectory(&self, observations: &[Observation], t: f64) -> Option<f64> {
        let t0 = self.base_year() as f64;
        let y0 = self
            .baseline_value
            .or_else(|| observations.iter().find(|o| (o.t - t0).abs() < 1e-6).map(|o| o.value))
            .filter(|v| *v >= 0.0)
            .map(nonzero)?;
        let tt = self.target_year as f64;
        let growth = match self.kind {
            TargetKind::AvgGrowth { .. } => 1.0 + self.target_value / 100.0,
            _ => (nonzero(self.target_value) / y0).powf(1.0 / (tt - t0)),
        };
        Some(y0 * growth.powf(t - t0))
    }

    /// The full-year goal for `year`: for an average-growth target last year's actual grown by
    /// the rate (each year has to deliver the rate); otherwise the trajectory value at that year.
    pub fn annual_goal(&self, year: i32, observations: &[Observation]) -> Option<(f64, String)> {
        if let TargetKind::AvgGrowth { .. } = self.kind {
            let prev = observations.iter().find(|o| (o.t - (year - 1) as f64).abs() < 1e-6);
            if let Some(p) = prev {
                let goal = p.value * (1.0 + self.target_value / 100.0);
                let line = format!(
                    "{year}年目标 = {}年实际 {} × (1 + {}%) = {}",
                    year - 1,
                    num(p.value),
                    num(self.target_value),
                    num(goal)
                );
                return Some((goal, line));
            }
        }
        let goal = self.trajectory(observations, year as f64)?;
        Some((goal, format!("{year}年目标（按基期到目标年的等比路径）= {}{}", num(goal), self.level_unit())))
    }

    /// Whether the value at `period` is where it should be by now. For a flow (`flow = true`,
    /// value = 1–N月累计) the expected value is the year's goal × months elapsed ÷ 12; for a
    /// stock or a share it is the trajectory value at that month. Only for targets measured as
    /// one figure per scope (not counts of zones or the worst zone).
    pub fn pace(&self, period: Month, actual: f64, observations: &[Observation], flow: bool) -> Option<PaceCheck> {
        if matches!(self.scope, TargetScope::CountZones { .. } | TargetScope::ZonesLeavingZero { .. } | TargetScope::EveryZone) {
            return None;
        }
        if flow {
            if !matches!(self.kind, TargetKind::Level | TargetKind::AvgGrowth { .. }) {
                return None;
            }
            let (goal, line) = self.annual_goal(period.year(), observations)?;
            let mut check = pace_check(goal, period.month(), actual, self.comparator);
            check.trail.insert(0, line);
            Some(check)
        } else {
            let t = time_of(period);
            let expected = self.trajectory(observations, t)?;
            let trail = vec![format!(
                "按基期到目标年的等比路径，{}应达到 {}{}",
                time_label(t),
                num(expected),
                self.level_unit()
            )];
            Some(PaceCheck::new(expected, actual, self.comparator, trail))
        }
    }
}

/// Actual against the value expected by now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaceCheck {
    pub expected: f64,
    pub actual: f64,
    /// actual ÷ expected; `None` when nothing is expected yet.
    pub ratio: Option<f64>,
    pub on_pace: bool,
    pub trail: Vec<String>,
}

impl PaceCheck {
    fn new(expected: f64, actual: f64, comparator: Comparator, mut trail: Vec<String>) -> PaceCheck {
        let on_pace = comparator.holds(actual, expected);
        let ratio = (expected != 0.0).then(|| actual / expected);
        trail.push(format!(
            "实际 {}，{}{}",
            num(actual),
            ratio.map(|r| format!("为应达值的{}，", pct(r))).unwrap_or_default(),
            if on_pace { "进度符合要求" } else { "进度滞后" }
        ));
        PaceCheck { expected, actual, ratio, on_pace, trail }
    }
}

/// DHIS2's linear expectation for an annual goal: goal × months elapsed ÷ 12.
pub fn expected_by_now(annual_goal: f64, months_elapsed: u32) -> f64 {
    annual_goal * months_elapsed as f64 / 12.0
}

/// A 1–N月累计 against the linear share of an annual goal (e.g. a zone's revenue against
/// 1000 亿元 × N ÷ 12).
pub fn pace_check(annual_goal: f64, months_elapsed: u32, ytd_actual: f64, comparator: Comparator) -> PaceCheck {
    let expected = expected_by_now(annual_goal, months_elapsed);
    let trail = vec![format!(
        "1–{months_elapsed}月应达 = 全年目标 {} × {months_elapsed} ÷ 12 = {}",
        num(annual_goal),
        num(expected)
    )];
    PaceCheck::new(expected, ytd_actual, comparator, trail)
}

/// The no-target variant of the StatCan method: the direction-adjusted CAGR against fixed
/// thresholds 1.5%·C, 0.5%·C and 0, where `c` ∈ [0, 1] shrinks them near a natural limit.
pub fn assess_without_target(
    base: Observation,
    latest: Observation,
    higher_is_better: bool,
    c: f64,
) -> (ProgressStatus, Vec<String>) {
    let span = latest.t - base.t;
    if span <= 0.0 || base.value < 0.0 || latest.value < 0.0 {
        return (ProgressStatus::UnableToAssess, vec!["至少需要基期和之后一个时点的非负数值".into()]);
    }
    let g = cagr(nonzero(base.value), nonzero(latest.value), span);
    let adj = if higher_is_better { g } else { -g };
    let c = c.clamp(0.0, 1.0);
    let status = if adj >= 0.015 * c - EPS {
        ProgressStatus::OnTrack
    } else if adj >= 0.005 * c - EPS {
        ProgressStatus::ModerateProgress
    } else if adj >= -EPS {
        ProgressStatus::LimitedProgress
    } else {
        ProgressStatus::Deterioration
    };
    let trail = vec![
        format!("年均增速 = ({} ÷ {})^(1/{}) − 1 = {}", num(latest.value), num(base.value), num(span), pct(g)),
        format!(
            "按期望方向调整后为 {}，门槛 {} / {} / 0（C = {}）：{}",
            pct(adj),
            pct(0.015 * c),
            pct(0.005 * c),
            num(c),
            status.label()
        ),
    ];
    (status, trail)
}

/// Every quantified target of the plan's 工作目标 1–5, plus 四(一)'s 科技型中小企业 in zones.
/// Baselines are 2017 (the last full year before the plan); baseline values come from the data.
/// 全市地区生产总值 for 目标5 is not a zone indicator: the office enters it per year.
pub fn plan_targets() -> Vec<Target> {
    use Comparator::Ge;
    let t = |code: &str,
             title: &str,
             scope: TargetScope,
             kind: TargetKind,
             indicator: &str,
             unit: &str,
             value: f64,
             tasks: &[&str]| Target {
        code: code.into(),
        title: title.into(),
        scope,
        kind,
        indicator: indicator.into(),
        unit: unit.into(),
        baseline_year: 2017,
        baseline_value: None,
        target_year: 2020,
        target_value: value,
        comparator: Ge,
        linked_tasks: tasks.iter().map(|s| s.to_string()).collect(),
    };
    let growth = TargetKind::AvgGrowth { from_year: 2018, to_year: 2020 };
    // Counted from the registers. "新增" counts start with the plan (2018), so their base is 0.
    let plan_start = NaiveDate::from_ymd_opt(2018, 1, 1).expect("date");
    let count = |code: &str, title: &str, spec: CountSpec, unit: &str, value: f64, tasks: &[&str]| {
        let mut c = t(code, title, TargetScope::City, TargetKind::RegisterCount(spec.clone()), code, unit, value, tasks);
        if spec.since.is_some() {
            c.baseline_value = Some(0.0);
        }
        c
    };
    let hitech = CountSpec::new(RegisterKind::Enterprises, &["hitech_date"]).valid_for_years(crate::registers::enterprises::CERTIFICATE_YEARS);
    let tech_sme = CountSpec::new(RegisterKind::Enterprises, &["tech_sme_date"]);
    let landed = || CountSpec::new(RegisterKind::Projects, projects::SIGNED_OR_LATER);
    let platform = |types: &[&str], min_level: &str| {
        CountSpec::new(RegisterKind::Platforms, &["recognised"]).until("revoked").only("kind", types).only_owned("level", platforms::levels_from(min_level))
    };
    let park = |kinds: &[&str]| CountSpec::new(RegisterKind::Parks, &["established"]).only("kind", kinds);
    let fdi_zones = |code: &str, title: &str, threshold: f64, below: Option<f64>, goal: f64| {
        t(code, title, TargetScope::CountZones { indicator: "fdi".into(), threshold, comparator: Ge, below }, TargetKind::Level, "fdi", "家", goal, &["五(二)"])
    };
    let mut hitech_in_zones =
        count("hitech_ent_400", "开发区高新技术企业数量达400家以上", hitech.clone().in_zones(), "家", 400.0, &["四(一)"]);
    hitech_in_zones.indicator = "hitech_ent".into();
    let mut tech_sme_in_zones =
        count("tech_sme_6000", "开发区内科技型中小企业达6000家以上", tech_sme.clone().in_zones(), "家", 6000.0, &["四(一)"]);
    tech_sme_in_zones.indicator = "tech_sme".into();
    let sino_foreign =
        count("sino_foreign_parks", "创建2个中外合作产业园", park(&["国别特色产业园"]).new_since(plan_start), "个", 2.0, &["五(四)"]);
    let interprovincial =
        count("interprovincial_parks", "创建2个省际合作共建园", park(&["省际合作共建园"]).new_since(plan_start), "个", 2.0, &["五(四)"]);
    vec![
        t(
            "revenue_1000_zones",
            "主营业务收入千亿元以上开发区达到4家以上",
            TargetScope::CountZones { indicator: "revenue".into(), threshold: 1000.0, comparator: Ge, below: None },
            TargetKind::Level,
            "revenue",
            "家",
            4.0,
            &["二(一)", "二(二)", "二(三)", "三(一)", "三(二)"],
        ),
        hitech_in_zones,
        t(
            "hitech_share_35",
            "高新技术产业增加值占规模以上工业增加值比重达到35%以上",
            TargetScope::City,
            TargetKind::Share { numerator: "hitech_va".into(), denominator: "ind_va".into() },
            "hitech_share",
            "%",
            35.0,
            &["三(二)", "四(一)", "四(二)"],
        ),
        t(
            "sei_share_25",
            "战略性新兴产业增加值占开发区地区生产总值比重达到25%以上",
            TargetScope::City,
            TargetKind::Share { numerator: "sei_va".into(), denominator: "gdp".into() },
            "sei_share",
            "%",
            25.0,
            &["三(一)"],
        ),
        t(
            "fdi_growth_15",
            "开发区实际利用外资年均增长15%以上",
            TargetScope::City,
            growth.clone(),
            "fdi",
            "%",
            15.0,
            &["五(一)", "五(二)"],
        ),
        t(
            "trade_growth_10",
            "开发区外贸进出口年均增长10%以上",
            TargetScope::City,
            growth.clone(),
            "trade",
            "%",
            10.0,
            &["五(一)", "五(四)"],
        ),
        sino_foreign,
        interprovincial,
        t(
            "sewage_100",
            "污水集中处理率达到100%",
            TargetScope::EveryZone,
            TargetKind::Level,
            "sewage_rate",
            "%",
            100.0,
            &["六(四)"],
        ),
        t(
            "gdp_growth_10",
            "全市开发区地区生产总值年均增长10%以上",
            TargetScope::City,
            growth.clone(),
            "gdp",
            "%",
            10.0,
            &["三(一)", "三(二)", "五(一)"],
        ),
        t(
            "tax_growth_10",
            "全市开发区税收收入年均增长10%以上",
            TargetScope::City,
            growth,
            "tax",
            "%",
            10.0,
            &["六(三)", "七(三)"],
        ),
        t(
            "gdp_city_share_55",
            "开发区地区生产总值占全市比重达到55%以上",
            TargetScope::City,
            TargetKind::ShareOfCityTotal {
                city_label: "全市地区生产总值（亿元）".into(),
                city_values: BTreeMap::new(),
            },
            "gdp",
            "%",
            55.0,
            &["二(一)", "二(二)", "二(三)"],
        ),
        tech_sme_in_zones,
        count("hitech_ent_600", "全市高新技术企业数量达到600家", hitech, "家", 600.0, &["四(一)"]),
        count("tech_sme_9100", "全市科技型中小企业达到9100家", tech_sme, "家", 9100.0, &["四(一)"]),
        count(
            "major_projects_21",
            "建设21项重大项目",
            landed().only("category", &["重大项目"]),
            "项",
            21.0,
            &["三(一)"],
        ),
        count(
            "major_projects_invest_362",
            "重大项目总投资额达到362亿元",
            landed().only("category", &["重大项目"]).summing("total_invest"),
            "亿元",
            362.0,
            &["三(一)"],
        ),
        count("key_projects_35", "每年引进重点项目35项以上", landed().only("category", &["重点项目"]).each_year(), "项", 35.0, &["三(一)"]),
        count("attraction_projects_105", "全市重点推进105项招商项目", landed().only("category", &["招商项目"]), "项", 105.0, &["五(一)"]),
        count("rd_platforms_660", "市级以上研发平台总数达到660家", platform(platforms::RD_TYPES, "市级"), "家", 660.0, &["四(二)"]),
        count(
            "new_provincial_platforms_21",
            "新增省级以上创新平台21个",
            platform(platforms::RD_TYPES, "省级").new_since(plan_start),
            "个",
            21.0,
            &["四(二)"],
        ),
        count("incubators_100", "市级以上孵化器、众创空间达到100家", platform(&["孵化器", "众创空间"], "市级"), "家", 100.0, &["四(二)"]),
        count("tech_transfer_16", "省级以上技术转移服务机构达到16家", platform(&["技术转移服务机构"], "省级"), "家", 16.0, &["四(二)"]),
        count("intl_coop_bases_13", "建设省级以上国际科技合作基地13个", platform(&["国际科技合作基地"], "省级"), "个", 13.0, &["四(二)"]),
        count(
            "academician_workstations_9",
            "新建9家院士工作站",
            platform(&["院士工作站"], "市级").new_since(plan_start),
            "家",
            9.0,
            &["四(三)"],
        ),
        count("feature_parks_23", "打造23个特色产业园", park(&["国别特色产业园", "商帮产业园"]), "个", 23.0, &["五(四)"]),
        fdi_zones("fdi_100m_zones", "实际利用外资超1亿美元以上开发区达到3家或以上", 10_000.0, None, 3.0),
        fdi_zones("fdi_50m_zones", "实际利用外资超5000万美元（不足1亿美元）开发区达到1家或以上", 5_000.0, Some(10_000.0), 1.0),
        t(
            "fdi_zero_breakthrough",
            "推动2家或以上实际利用外资为零的开发区实现突破",
            TargetScope::ZonesLeavingZero { indicator: "fdi".into() },
            TargetKind::Level,
            "fdi",
            "家",
            2.0,
            &["五(二)"],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn target(base: f64, goal: f64, comparator: Comparator) -> Target {
        Target {
            code: "t".into(),
            title: "测试目标".into(),
            scope: TargetScope::City,
            kind: TargetKind::Level,
            indicator: "x".into(),
            unit: "家".into(),
            baseline_year: 2017,
            baseline_value: Some(base),
            target_year: 2020,
            target_value: goal,
            comparator,
            linked_tasks: vec![],
        }
    }
    fn at2019(t: &Target, v: f64) -> Assessment {
        t.assess(&[Observation::year_end(2019, v)])
    }

    #[test]
    fn status_at_each_boundary() {
        // Base 100 (2017) → target 133.1 (2020): required CAGR = 1.331^(1/3) − 1 = 10%.
        // Latest in 2019 is 100·(1+g)², so the observed CAGR is g and R = g ÷ 10%.
        let t = target(100.0, 133.1, Comparator::Ge);
        let status = |v: f64| at2019(&t, v).status;
        use ProgressStatus::*;
        assert_eq!(status(133.1), Achieved); // already at the target
        assert_eq!(status(150.0), Achieved);
        assert_eq!(status(125.44), OnTrack); // 1.12² → R = 120%
        assert_eq!(status(119.9025), OnTrack); // 1.095² → R = 95% exactly
        assert_eq!(status(119.880_1), AccelerationNeeded); // 1.0949² → R = 94.9%
        assert_eq!(status(112.36), AccelerationNeeded); // 1.06² → R = 60% exactly
        assert_eq!(status(112.338_801), LimitedProgress); // 1.0599² → R = 59.9%
        assert_eq!(status(100.0), LimitedProgress); // no change → R = 0
        assert_eq!(status(99.0), Deterioration); // √0.99 − 1 = −0.50% → R = −5.0%

        let a = at2019(&t, 119.9025);
        assert!((a.observed_cagr_pct.unwrap() - 9.5).abs() < 1e-9);
        assert!((a.required_cagr_pct.unwrap() - 10.0).abs() < 1e-9);
        assert!((a.ratio.unwrap() - 0.95).abs() < 1e-9);
    }

    #[test]
    fn lower_is_better_and_deterioration_from_a_met_target() {
        // 100 → ≤ 72.9 by 2020: required = 0.729^(1/3) − 1 = −10%.
        let t = target(100.0, 72.9, Comparator::Le);
        // 90.25 = 100·0.95²: observed −5%, R = −5% ÷ −10% = 50% → limited progress.
        let a = at2019(&t, 90.25);
        assert_eq!(a.status, ProgressStatus::LimitedProgress);
        assert!((a.ratio.unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(at2019(&t, 81.0).status, ProgressStatus::OnTrack); // 0.9² → R = 100%
        assert_eq!(at2019(&t, 110.0).status, ProgressStatus::Deterioration); // rising: R < 0
        assert_eq!(at2019(&t, 70.0).status, ProgressStatus::Achieved);
        // Base 420 already met ≥ 400; latest 390 no longer does.
        let met = target(420.0, 400.0, Comparator::Ge);
        assert_eq!(at2019(&met, 390.0).status, ProgressStatus::Deterioration);
    }

    #[test]
    fn projection_and_trail() {
        // 250 (2017) → 400 (2020); 2019: 302.5 = 250 × 1.1². Observed 10%,
        // required 1.6^(1/3) − 1 = 16.96%, R = 10 ÷ 16.96 = 58.96% → limited progress.
        // Projection for 2020: 302.5 × 1.1 = 332.75 < 400.
        let t = target(250.0, 400.0, Comparator::Ge);
        let a = at2019(&t, 302.5);
        assert_eq!(a.status, ProgressStatus::LimitedProgress);
        assert!((a.projected.unwrap() - 332.75).abs() < 1e-9);
        assert_eq!(a.projected_meets, Some(false));
        assert_eq!(
            a.trail,
            [
                "目标：测试目标（到2020年≥400家）",
                "基期：2017年 = 250家",
                "最新：2019年 = 302.5家",
                "实际年均增速 = (302.5 ÷ 250)^(1/2) − 1 = 10.00%",
                "最新值 302.5家 尚未达到目标 400家",
                "所需年均增速 = (400 ÷ 250)^(1/3) − 1 = 16.96%",
                "比值 R = 10.00% ÷ 16.96% = 58.96%，0 ≤ R < 60%：进展有限",
                "按当前增速预计2020年 = 302.5 × (1 + 10.00%)^1 = 332.75家，达不到目标",
            ]
        );
    }

    #[test]
    fn unable_to_assess_and_zero_baselines() {
        let mut t = target(100.0, 133.1, Comparator::Ge);
        assert_eq!(t.assess(&[]).status, ProgressStatus::UnableToAssess);
        assert_eq!(t.assess(&[Observation::year_end(2017, 90.0)]).status, ProgressStatus::UnableToAssess);
        t.baseline_value = None;
        let a = t.assess(&[Observation::year_end(2019, 121.0)]);
        assert_eq!(a.status, ProgressStatus::UnableToAssess);
        assert_eq!(a.trail.last().unwrap(), "缺少基期（2017年）数值，无法评估");
        // The baseline is then read from the observations: 100 → 121 in 2 years = 10%/yr = R 100%.
        let a = t.assess(&[
            Observation::year_end(2019, 121.0),
            Observation::year_end(2017, 100.0),
            Observation::year_end(2018, 105.0),
        ]);
        assert_eq!(a.status, ProgressStatus::OnTrack);
        assert!((a.projected.unwrap() - 133.1).abs() < 1e-9); // 121 × 1.1

        // Parks: 0 at the base counts as 0.001. 2019: 1 park.
        // observed = √(1 ÷ 0.001) − 1 = 31.6228 − 1 = 30.6228; required = (2 ÷ 0.001)^(1/3) − 1
        // = 12.5992 − 1 = 11.5992; R = 2.640 → on track.
        let parks = target(0.0, 2.0, Comparator::Ge);
        let a = at2019(&parks, 1.0);
        assert_eq!(a.status, ProgressStatus::OnTrack);
        assert!((a.ratio.unwrap() - 2.640_074).abs() < 1e-6);
        assert!(a.trail.contains(&"按 Open SDG 方法，数值 0 以 0.001 计".to_string()));
    }

    #[test]
    fn average_growth_target() {
        // 外资 2017 = 10000万美元, ≥ 15%/yr over 2018–2020: 2020 level = 10000 × 1.15³ = 15208.75.
        let mut t = plan_targets().into_iter().find(|t| t.code == "fdi_growth_15").unwrap();
        t.baseline_value = Some(10000.0);
        // 2019 = 12650: observed = √1.265 − 1 = 12.4722%; R = 12.4722 ÷ 15 = 83.15% → 需加快.
        let a = at2019(&t, 12650.0);
        assert!((a.target_level.unwrap() - 15208.75).abs() < 1e-6);
        assert!((a.required_cagr_pct.unwrap() - 15.0).abs() < 1e-9);
        assert!((a.ratio.unwrap() - 0.831_481).abs() < 1e-6);
        assert_eq!(a.status, ProgressStatus::AccelerationNeeded);
        // Projection: 12650 × 1.124722 = 14227.73 < 15208.75.
        assert!((a.projected.unwrap() - 14_227.735_7).abs() < 1e-3);
        assert_eq!(a.trail[3], "目标年水平 = 10000 × (1 + 15%)^3 = 15208.75");
        // 2019 = 13225 = 10000 × 1.15²: exactly on the path.
        assert_eq!(at2019(&t, 13225.0).status, ProgressStatus::OnTrack);
    }

    #[test]
    fn expected_by_now_for_flows_and_stocks() {
        // Annual goal 1000 亿元: by July 1000 × 7 ÷ 12 = 583.33.
        assert!((expected_by_now(1000.0, 7) - 583.333_333).abs() < 1e-6);
        let c = pace_check(1000.0, 7, 600.0, Comparator::Ge);
        assert!(c.on_pace);
        assert_eq!(c.trail[0], "1–7月应达 = 全年目标 1000 × 7 ÷ 12 = 583.33");
        assert!(!pace_check(1000.0, 7, 583.0, Comparator::Ge).on_pace);

        // 外资: 2018 actual 11500, goal 2019 = 11500 × 1.15 = 13225; by July 13225 × 7 ÷ 12 = 7714.58.
        let mut t = plan_targets().into_iter().find(|t| t.code == "fdi_growth_15").unwrap();
        t.baseline_value = Some(10000.0);
        let obs = [Observation::year_end(2018, 11500.0)];
        let jul = Month::new(2019, 7).unwrap();
        let p = t.pace(jul, 7000.0, &obs, true).unwrap();
        assert!((p.expected - 7_714.583_333).abs() < 1e-6);
        assert!(!p.on_pace);
        assert!((p.ratio.unwrap() - 0.907_372).abs() < 1e-6); // 7000 ÷ 7714.58
        assert_eq!(p.trail[0], "2019年目标 = 2018年实际 11500 × (1 + 15%) = 13225");
        assert_eq!(p.trail[2], "实际 7000，为应达值的90.74%，进度滞后");

        // Stock: 250 (2017) → 400 (2020). June 2019 is t = 2018.5, 1.5 of 3 years:
        // 250 × 1.6^(1.5/3) = 250 × 1.264911 = 316.23.
        let s = target(250.0, 400.0, Comparator::Ge);
        let p = s.pace(Month::new(2019, 6).unwrap(), 320.0, &[], false).unwrap();
        assert!((p.expected - 316.227_766).abs() < 1e-6);
        assert!(p.on_pace);
        assert_eq!(p.trail[0], "按基期到目标年的等比路径，2019年6月应达到 316.23家");
        // Counting targets have no linear pace.
        let count = plan_targets().remove(0);
        assert!(count.pace(jul, 3.0, &[], false).is_none());
    }

    #[test]
    fn without_target_thresholds() {
        let b = Observation::year_end(2017, 100.0);
        let st = |v: f64, higher: bool, c: f64| assess_without_target(b, Observation::year_end(2018, v), higher, c).0;
        use ProgressStatus::*;
        // One year, so the CAGR is v ÷ 100 − 1.
        assert_eq!(st(101.5, true, 1.0), OnTrack); // 1.5% = 1.5%·1
        assert_eq!(st(101.4, true, 1.0), ModerateProgress);
        assert_eq!(st(100.5, true, 1.0), ModerateProgress); // 0.5% boundary
        assert_eq!(st(100.4, true, 1.0), LimitedProgress);
        assert_eq!(st(100.0, true, 1.0), LimitedProgress);
        assert_eq!(st(99.9, true, 1.0), Deterioration);
        assert_eq!(st(101.0, true, 0.5), OnTrack); // 1.0% ≥ 1.5% × 0.5 = 0.75%
        assert_eq!(st(98.0, false, 1.0), OnTrack); // falling 2% is good when lower is better
        assert_eq!(st(102.0, false, 1.0), Deterioration);
    }

    #[derive(Default)]
    struct Fake {
        v: HashMap<(String, String, String), f64>,
        groups: HashMap<String, Vec<String>>,
    }
    impl Fake {
        fn put(&mut self, z: &str, ind: &str, p: &str, v: f64) {
            self.v.insert((z.into(), ind.into(), p.into()), v);
        }
    }
    impl Env for Fake {
        fn value(&self, ind: &str, p: Month, scope: &Scope) -> Option<f64> {
            let Scope::Zone(z) = scope else { return None };
            self.v.get(&(z.clone(), ind.to_string(), p.to_string())).copied()
        }
        fn group_zones(&self, g: &str) -> Option<Vec<String>> {
            self.groups.get(g).cloned()
        }
    }

    #[test]
    fn measures_from_zone_values() {
        let zones: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let mut env = Fake::default();
        for (z, rev, hv, iv, gdp, sew) in [
            ("a", 1200.0, 30.0, 100.0, 300.0, 100.0),
            ("b", 999.9, 2.0, 10.0, 200.0, 96.5),
            ("c", 1000.0, 8.0, 40.0, 100.0, 100.0),
        ] {
            for (ind, v) in [("revenue", rev), ("hitech_va", hv), ("ind_va", iv), ("gdp", gdp), ("sewage_rate", sew)] {
                env.put(z, ind, "2019-12", v);
            }
        }
        env.put("a", "gdp", "2019-06", 140.0);
        env.groups.insert("g".into(), vec!["a".into(), "b".into()]);
        let dec = Month::new(2019, 12).unwrap();
        let find = |code: &str| plan_targets().into_iter().find(|t| t.code == code).unwrap();

        // a 1200 ≥ 1000, b 999.9 < 1000, c 1000 ≥ 1000 → 2 zones.
        assert_eq!(find("revenue_1000_zones").measure(&env, dec, &zones), Some(2.0));
        // Worst zone: min(100, 96.5, 100) = 96.5.
        assert_eq!(find("sewage_100").measure(&env, dec, &zones), Some(96.5));
        // (30 + 2 + 8) ÷ (100 + 10 + 40) × 100 = 40 ÷ 150 × 100 = 26.67%.
        let share = find("hitech_share_35").measure(&env, dec, &zones).unwrap();
        assert!((share - 26.666_666_7).abs() < 1e-6);
        // Group g = a, b: (30 + 2) ÷ (100 + 10) × 100 = 29.09%.
        let mut g = find("hitech_share_35");
        g.scope = TargetScope::Group("g".into());
        assert!((g.measure(&env, dec, &zones).unwrap() - 29.090_909).abs() < 1e-6);
        // GDP share of the city: (300 + 200 + 100) ÷ 1000 × 100 = 60%; needs the entered figure.
        let mut city = find("gdp_city_share_55");
        assert_eq!(city.measure(&env, dec, &zones), None);
        if let TargetKind::ShareOfCityTotal { city_values, .. } = &mut city.kind {
            city_values.insert(2019, 1000.0);
        }
        assert_eq!(city.measure(&env, dec, &zones), Some(60.0));
        assert_eq!(city.measure(&env, Month::new(2019, 6).unwrap(), &zones), None, "annual figure only");
        // Σ gdp: 600; a missing zone makes it unknown.
        assert_eq!(find("gdp_growth_10").measure(&env, dec, &zones), Some(600.0));
        assert_eq!(find("gdp_growth_10").measure(&env, Month::new(2019, 6).unwrap(), &zones), None);
        let obs = find("gdp_growth_10").annual_observations(&env, &zones, 2017, 2019);
        assert_eq!(obs, [Observation::year_end(2019, 600.0)]);
    }

    #[test]
    fn plan_targets_cover_the_plan() {
        let ts = plan_targets();
        assert_eq!(ts.len(), 29);
        for t in &ts {
            assert!(t.check().is_empty(), "{}: {:?}", t.code, t.check());
            assert!(!t.linked_tasks.is_empty());
        }
        let codes: std::collections::HashSet<_> = ts.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes.len(), ts.len());
        let goal = |code: &str| ts.iter().find(|t| t.code == code).unwrap().target_value;
        // Every target measured from zone values names a catalogue indicator; the counts of
        // things come from the registers.
        let cat: Vec<String> = crate::catalog::indicators().into_iter().map(|i| i.code).collect();
        let missing: Vec<&str> = ts
            .iter()
            .filter(|t| t.register_spec().is_none())
            .map(|t| t.indicator.as_str())
            .filter(|i| !cat.iter().any(|c| c == i))
            .collect();
        assert!(missing.is_empty(), "{missing:?}");
        let from_registers: Vec<&str> = ts.iter().filter(|t| t.register_spec().is_some()).map(|t| t.code.as_str()).collect();
        assert_eq!(
            from_registers,
            [
                "hitech_ent_400",
                "sino_foreign_parks",
                "interprovincial_parks",
                "tech_sme_6000",
                "hitech_ent_600",
                "tech_sme_9100",
                "major_projects_21",
                "major_projects_invest_362",
                "key_projects_35",
                "attraction_projects_105",
                "rd_platforms_660",
                "new_provincial_platforms_21",
                "incubators_100",
                "tech_transfer_16",
                "intl_coop_bases_13",
                "academician_workstations_9",
                "feature_parks_23"
            ]
        );
        assert_eq!(
            [
                "major_projects_21",
                "major_projects_invest_362",
                "key_projects_35",
                "attraction_projects_105",
                "hitech_ent_600",
                "tech_sme_9100",
                "rd_platforms_660",
                "new_provincial_platforms_21",
                "incubators_100",
                "tech_transfer_16",
                "intl_coop_bases_13",
                "academician_workstations_9",
                "feature_parks_23",
                "fdi_100m_zones",
                "fdi_50m_zones",
                "fdi_zero_breakthrough"
            ]
            .map(goal),
            [21.0, 362.0, 35.0, 105.0, 600.0, 9100.0, 660.0, 21.0, 100.0, 16.0, 13.0, 9.0, 23.0, 3.0, 1.0, 2.0]
        );
        // The plan's numbers.
        assert_eq!(
            [
                goal("revenue_1000_zones"),
                goal("hitech_ent_400"),
                goal("hitech_share_35"),
                goal("sei_share_25"),
                goal("fdi_growth_15"),
                goal("trade_growth_10"),
                goal("gdp_growth_10"),
                goal("tax_growth_10"),
                goal("gdp_city_share_55"),
                goal("tech_sme_6000"),
                goal("sewage_100")
            ],
            [4.0, 400.0, 35.0, 25.0, 15.0, 10.0, 10.0, 10.0, 55.0, 6000.0, 100.0]
        );
        let bad = Target {
            target_year: 2017,
            kind: TargetKind::AvgGrowth { from_year: 2017, to_year: 2020 },
            ..ts[4].clone()
        };
        assert_eq!(
            bad.check(),
            ["目标年（2017年）应晚于基期年（2017年）", "年均增长目标2017–2020年的基期应为2016年、目标年应为2020年"]
        );
    }

    #[test]
    fn count_targets_are_measured_from_register_records_at_a_date() {
        let find = |code: &str| plan_targets().into_iter().find(|t| t.code == code).unwrap();
        let ent = |zone: &str, issued: &str| {
            let mut r = Record::default();
            r.set("zone", zone);
            r.set("county", "131082");
            r.set("hitech_no", "GR1");
            r.set("hitech_date", issued);
            r
        };
        // In zones: a (2016-12-01, ends 2019-11-30), b (2018-05-01); outside: c (2019-01-01).
        let rs = vec![ent("a", "2016-12-01"), ent("b", "2018-05-01"), ent("", "2019-01-01")];
        let t400 = find("hitech_ent_400");
        let t600 = find("hitech_ent_600");
        assert_eq!(t400.measure_registers(&rs, NaiveDate::from_ymd_opt(2018, 12, 31).unwrap()), Some(2.0));
        assert_eq!(t400.measure_registers(&rs, NaiveDate::from_ymd_opt(2019, 12, 31).unwrap()), Some(1.0));
        assert_eq!(t600.measure_registers(&rs, NaiveDate::from_ymd_opt(2019, 12, 31).unwrap()), Some(2.0));
        assert_eq!(
            t400.register_observations(&rs, 2016, 2019),
            [
                Observation::year_end(2016, 1.0),
                Observation::year_end(2017, 1.0),
                Observation::year_end(2018, 2.0),
                Observation::year_end(2019, 1.0)
            ]
        );
        // A zone's share of the target: scope Zone(b).
        let zone_b = Target { scope: TargetScope::Zone("b".into()), ..t400.clone() };
        assert_eq!(zone_b.measure_registers(&rs, NaiveDate::from_ymd_opt(2019, 12, 31).unwrap()), Some(1.0));
        // An empty register is "not kept yet", not zero; indicator measures give nothing here.
        assert_eq!(t400.measure_registers(&[], NaiveDate::from_ymd_opt(2019, 12, 31).unwrap()), None);
        assert_eq!(t400.measure(&Fake::default(), Month::new(2019, 12).unwrap(), &["a".into()]), None);
        assert_eq!(find("revenue_1000_zones").measure_registers(&rs, NaiveDate::from_ymd_opt(2019, 12, 31).unwrap()), None);
        // Base 2017 = 1, 2019 = 1 against 400: R = 0 → 进展有限.
        let a = t400.assess(&t400.register_observations(&rs, 2017, 2019));
        assert_eq!(a.status, ProgressStatus::LimitedProgress);
        // Parks created under the plan start from 0.
        assert_eq!(find("sino_foreign_parks").baseline_value, Some(0.0));
    }

    #[test]
    fn foreign_investment_zone_thresholds() {
        // 万美元 at December: a 12000 (≥ 1亿), b 10000 (exactly 1亿), c 6000 (band), d 0 → 300, e 0 → 0.
        let zones: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let mut env = Fake::default();
        for (z, v17, v19) in [("a", 9000.0, 12000.0), ("b", 8000.0, 10000.0), ("c", 4000.0, 6000.0), ("d", 0.0, 300.0), ("e", 0.0, 0.0)] {
            env.put(z, "fdi", "2017-12", v17);
            env.put(z, "fdi", "2019-12", v19);
        }
        let find = |code: &str| plan_targets().into_iter().find(|t| t.code == code).unwrap();
        let dec19 = Month::new(2019, 12).unwrap();
        assert_eq!(find("fdi_100m_zones").measure(&env, dec19, &zones), Some(2.0));
        assert_eq!(find("fdi_50m_zones").measure(&env, dec19, &zones), Some(1.0));
        assert_eq!(find("fdi_zero_breakthrough").measure(&env, dec19, &zones), Some(1.0));
        // At the base year nothing has broken through yet; 2017: a, b, c below 1亿 → 0, band 5000–1亿: a, b.
        let dec17 = Month::new(2017, 12).unwrap();
        assert_eq!(find("fdi_zero_breakthrough").measure(&env, dec17, &zones), Some(0.0));
        assert_eq!(find("fdi_100m_zones").measure(&env, dec17, &zones), Some(0.0));
        assert_eq!(find("fdi_50m_zones").measure(&env, dec17, &zones), Some(2.0));
        // A zone without a base-year value makes the count unknown.
        env.v.remove(&("e".to_string(), "fdi".to_string(), "2017-12".to_string()));
        assert_eq!(find("fdi_zero_breakthrough").measure(&env, dec19, &zones), None);
    }

    #[test]
    fn time_scale_and_labels() {
        assert_eq!(time_of(Month::new(2019, 12).unwrap()), 2019.0);
        assert_eq!(time_of(Month::new(2019, 6).unwrap()), 2018.5);
        assert_eq!(time_label(2019.0), "2019年");
        assert_eq!(time_label(2018.5), "2019年6月");
        assert_eq!(time_label(time_of(Month::new(2020, 1).unwrap())), "2020年1月");
        assert_eq!(num(1234.5), "1234.5");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.001), "0");
    }
}
