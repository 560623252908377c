//! Idle-land rules of 《闲置土地处置办法》(53号令, DOMAIN.md §1) as of any date: case A (never
//! started), case B (started, stalled), the holder-caused fee and free recovery, the
//! government-caused negotiated options with their limits and the clock restart, and the
//! plan's clean-up scope. Every threshold lives in [`Thresholds`] (national defaults; a
//! province's stricter variant is another value of it), never in the code.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::RestDays;

/// Why a parcel lies idle (Art. 8 and Art. 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// 未按约定交地 (Art. 8(1)).
    LandNotDelivered,
    /// 土地利用总体规划、城乡规划依法修改 (Art. 8(2)).
    PlanRevised,
    /// 国家出台相关政策 (Art. 8(3)).
    NewPolicy,
    /// 群众信访 (Art. 8(4)).
    Petitions,
    /// 军事管制、文物保护 (Art. 8(5)).
    MilitaryOrHeritage,
    /// 政府、政府有关部门的其他行为 (Art. 8(6)).
    OtherGovernmentAct,
    /// 自然灾害等不可抗力 (Art. 8, last paragraph).
    ForceMajeure,
    /// 土地使用者自身原因 (Art. 14).
    Holder,
}

impl Cause {
    pub const ALL: [Cause; 8] = [
        Cause::LandNotDelivered,
        Cause::PlanRevised,
        Cause::NewPolicy,
        Cause::Petitions,
        Cause::MilitaryOrHeritage,
        Cause::OtherGovernmentAct,
        Cause::ForceMajeure,
        Cause::Holder,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Cause::LandNotDelivered => "land_not_delivered",
            Cause::PlanRevised => "plan_revised",
            Cause::NewPolicy => "new_policy",
            Cause::Petitions => "petitions",
            Cause::MilitaryOrHeritage => "military_heritage",
            Cause::OtherGovernmentAct => "other_government",
            Cause::ForceMajeure => "force_majeure",
            Cause::Holder => "holder",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Cause::LandNotDelivered => "政府原因：未按约定的期限、条件交付土地",
            Cause::PlanRevised => "政府原因：土地利用总体规划、城乡规划依法修改",
            Cause::NewPolicy => "政府原因：国家出台相关政策需对约定的规划、建设条件修改",
            Cause::Petitions => "政府原因：处置群众信访事项",
            Cause::MilitaryOrHeritage => "政府原因：军事管制、文物保护等",
            Cause::OtherGovernmentAct => "政府原因：政府、政府有关部门的其他行为",
            Cause::ForceMajeure => "自然灾害等不可抗力",
            Cause::Holder => "土地使用者自身原因",
        }
    }
    /// Parses a code, the label, or the short names people write in a ledger.
    pub fn parse(s: &str) -> Option<Cause> {
        let s = s.trim();
        if let Some(c) = Cause::ALL.into_iter().find(|c| c.code() == s || c.label() == s) {
            return Some(c);
        }
        Some(match s {
            "未按约定交地" | "未按期交地" | "政府原因1" => Cause::LandNotDelivered,
            "规划修改" | "规划调整" | "政府原因2" => Cause::PlanRevised,
            "政策调整" | "国家政策" | "政府原因3" => Cause::NewPolicy,
            "信访" | "群众信访" | "政府原因4" => Cause::Petitions,
            "军事管制" | "文物保护" | "政府原因5" => Cause::MilitaryOrHeritage,
            "政府其他行为" | "其他政府原因" | "政府原因6" => Cause::OtherGovernmentAct,
            "不可抗力" | "自然灾害" => Cause::ForceMajeure,
            "企业原因" | "自身原因" | "土地使用者原因" | "使用者原因" => Cause::Holder,
            _ => return None,
        })
    }
    /// Government causes and force majeure go to the negotiated options of Art. 12 (Art. 8).
    pub fn is_government(self) -> bool {
        self != Cause::Holder
    }
}

/// The thresholds of the rules, as data. `Thresholds::default()` is the national rule
/// (53号令 and the 2018 plan); a province's stricter variant is configured and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// A name for the rule set shown on pages (e.g. 国家《闲置土地处置办法》).
    pub name: String,
    /// Case A: idle when not started this many full years after the due start date (Art. 2).
    pub idle_after_years: u32,
    /// Default due start date: this many years after handover, when the contract sets none (Art. 22).
    pub default_start_years: u32,
    /// Case B: the share developed below which a halted parcel may be idle: `num/den` (1/3).
    pub developed_num: u32,
    pub developed_den: u32,
    /// Case B: the invested share (percent, land price and state fees excluded) below which it may be idle (25).
    pub invested_percent: u32,
    /// Case B: halted this many full years (1).
    pub halted_years: u32,
    /// A stricter local case (海南省令第247号): started, yet less than `invested_percent` invested
    /// this many full years after the due start date. `None` in the national rule.
    pub low_investment_years: Option<u32>,
    /// Holder-caused: the idle fee in percent of the land price (Art. 14: 20).
    pub fee_percent: u32,
    /// Holder-caused: full years not started from the due start date before the fee (1).
    pub fee_after_years: u32,
    /// Holder-caused: full years not started before free recovery (2).
    pub recovery_after_years: u32,
    /// Art. 12(1): an extension may reach at most this many years from the agreement (1).
    pub extension_max_years: u32,
    /// Art. 12(3): temporary use lasts at most this many years from the arrangement (2).
    pub temporary_use_max_years: u32,
    /// The 30-day limits of the procedure (Arts. 5, 17).
    pub step_limit_days: u32,
    /// The plan's clean-up scope: industrial parcels sold (出让) on or after this date.
    pub scope_since: NaiveDate,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            name: "国家《闲置土地处置办法》（国土资源部令第53号）".into(),
            idle_after_years: 1,
            default_start_years: 1,
            developed_num: 1,
            developed_den: 3,
            invested_percent: 25,
            halted_years: 1,
            low_investment_years: None,
            fee_percent: 20,
            fee_after_years: 1,
            recovery_after_years: 2,
            extension_max_years: 1,
            temporary_use_max_years: 2,
            step_limit_days: 30,
            scope_since: NaiveDate::from_ymd_opt(2011, 1, 1).expect("date"),
        }
    }
}

impl Thresholds {
    /// The stricter variant of 海南省人民政府令第247号 (2013): also idle when, two years after the
    /// due start date, less than 25 % of the total investment is in place.
    pub fn hainan() -> Thresholds {
        Thresholds { name: "海南省（省政府令第247号）".into(), low_investment_years: Some(2), ..Thresholds::default() }
    }

    /// Chinese reasons why the set cannot be used (zero denominators, inverted years).
    pub fn check(&self) -> Result<(), String> {
        let mut e = Vec::new();
        if self.developed_den == 0 || self.developed_num > self.developed_den {
            e.push("开发面积比例应为不大于1的分数（如 1/3）".to_string());
        }
        if self.invested_percent > 100 || self.fee_percent > 100 {
            e.push("投资比例和闲置费比例应在 0–100% 之间".into());
        }
        if self.idle_after_years == 0 || self.halted_years == 0 || self.fee_after_years == 0 {
            e.push("闲置认定年限应至少为1年".into());
        }
        if self.recovery_after_years <= self.fee_after_years {
            e.push("无偿收回年限应大于征缴闲置费年限".into());
        }
        if self.step_limit_days == 0 {
            e.push("程序时限应至少为1天".into());
        }
        if e.is_empty() { Ok(()) } else { Err(e.join("；")) }
    }
}

/// Supply type of the use right: only 出让 is "sold" for the clean-up scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Supply {
    /// 出让 (有偿使用合同).
    Sale,
    /// 划拨 (划拨决定书).
    Allocation,
}

/// The facts of a parcel the rules read (all `Copy`: the scan runs over millions of them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParcelFacts {
    pub industrial: bool,
    pub supply: Supply,
    pub supply_date: Option<NaiveDate>,
    /// The contract's 动工开发日期.
    pub contract_start: Option<NaiveDate>,
    /// The 交地确认书 date.
    pub handover: Option<NaiveDate>,
    /// The day 动工开发 (Art. 30) was reached.
    pub started: Option<NaiveDate>,
    /// The day construction halted (中止开发建设).
    pub halted: Option<NaiveDate>,
    /// Land price in 分.
    pub price_fen: i64,
    /// Planned total investment and invested amount in 分, excluding land price and fees.
    pub planned_fen: i64,
    pub invested_fen: i64,
    /// Areas in m².
    pub to_develop_m2: f64,
    pub developed_m2: f64,
    pub cause: Option<Cause>,
    /// A negotiated option's new due start date, from when it applies (Art. 13: the clock restarts).
    pub restart: Option<Restart>,
}

/// The clock restarted by an Art. 12 option decided on `decided`: development is due on `start_due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restart {
    pub decided: NaiveDate,
    pub start_due: NaiveDate,
}

/// Which idle case applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdleCase {
    /// Art. 2 para 1: not started one full year after the due start date.
    NotStarted,
    /// Art. 2 para 2: started, developed < 1/3 or invested < 25 %, halted one full year (may be 认定).
    Stalled,
    /// The local low-investment case (`Thresholds::low_investment_years`).
    LowInvestment,
}

impl IdleCase {
    pub fn label(self) -> &'static str {
        match self {
            IdleCase::NotStarted => "未动工开发满一年",
            IdleCase::Stalled => "已动工但开发或投资不足、中止开发满一年（可认定）",
            IdleCase::LowInvestment => "动工后投资比例不足（地方规定）",
        }
    }
}

/// What follows from the idle state as of the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Consequence {
    /// Not idle (or not yet).
    None,
    /// Government cause, force majeure or case B: the negotiated options of Art. 12.
    Negotiate,
    /// Holder-caused, one full year: 征缴土地闲置费 of `fee_fen`.
    Fee { fee_fen: i64 },
    /// Holder-caused, two full years: 无偿收回.
    Recovery,
    /// Idle, cause not yet determined: investigate (Art. 5).
    Investigate,
}

impl Consequence {
    pub fn label(self) -> &'static str {
        match self {
            Consequence::None => "无",
            Consequence::Negotiate => "协商处置（《办法》第十二条）",
            Consequence::Fee { .. } => "征缴土地闲置费",
            Consequence::Recovery => "无偿收回国有建设用地使用权",
            Consequence::Investigate => "调查核实闲置原因",
        }
    }
}

/// The rules' verdict on one parcel as of one date. `Copy`, no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub as_of: NaiveDate,
    /// The due start date in force (contract, default after handover, or a restart); `None`
    /// when neither a contract start date nor a handover date is known.
    pub start_due: Option<NaiveDate>,
    /// The due start date is the Art. 22 default (handover + 1 year).
    pub default_start: bool,
    pub started: bool,
    pub case: Option<IdleCase>,
    /// The first idle day of the case found.
    pub idle_from: Option<NaiveDate>,
    /// Whole years idle as of the date (case A and the local case: from the due start date).
    pub idle_years: u32,
    /// Holder-caused case A: from when the fee and free recovery apply.
    pub fee_from: Option<NaiveDate>,
    pub recovery_from: Option<NaiveDate>,
    pub consequence: Consequence,
    /// Within the plan's clean-up scope (industrial, sold, on or after `scope_since`).
    pub in_scope: bool,
}

impl Assessment {
    pub fn is_idle(&self) -> bool {
        self.case.is_some()
    }
}

/// 20 % (or the configured percent) of the land price in 分, rounded half up (Art. 14).
pub fn idle_fee(price_fen: i64, t: &Thresholds) -> i64 {
    (price_fen as i128 * t.fee_percent as i128 + 50).div_euclid(100) as i64
}

/// Case B's shortfall: developed below `num/den` of the area to develop, or invested below
/// `invested_percent` of the total. Exact on the boundaries (1/3 and 25 % are not below).
pub fn short_of_development(f: &ParcelFacts, t: &Thresholds) -> bool {
    let area_short = f.to_develop_m2 > 0.0 && f.developed_m2 * (t.developed_den as f64) < f.to_develop_m2 * (t.developed_num as f64);
    area_short || invest_short(f, t)
}

fn invest_short(f: &ParcelFacts, t: &Thresholds) -> bool {
    f.planned_fen > 0 && (f.invested_fen as i128) * 100 < (f.planned_fen as i128) * t.invested_percent as i128
}

/// Whole years from `from` to `as_of` as counted by `RestDays::years_full` (0 before the first).
fn whole_years(r: &RestDays, from: NaiveDate, as_of: NaiveDate) -> u32 {
    use chrono::Datelike;
    // Start from the difference of the years and correct by at most a step or two.
    let mut n = (as_of.year() - from.year()).clamp(0, 200) as u32;
    while n > 0 && as_of < r.years_full(from, n) {
        n -= 1;
    }
    while n < 200 && as_of >= r.years_full(from, n + 1) {
        n += 1;
    }
    n
}

/// The parcel's state as of `as_of`.
pub fn assess(f: &ParcelFacts, as_of: NaiveDate, t: &Thresholds, r: &RestDays) -> Assessment {
    let in_scope = f.industrial && f.supply == Supply::Sale && f.supply_date.is_some_and(|d| d >= t.scope_since);
    let restart = f.restart.filter(|x| x.decided <= as_of);
    let (start_due, default_start) = match (restart, f.contract_start, f.handover) {
        (Some(x), _, _) => (Some(x.start_due), false),
        (None, Some(c), _) => (Some(c), false),
        (None, None, Some(h)) => (Some(super::period::add_years(h, t.default_start_years)), true),
        (None, None, None) => (None, false),
    };
    // A start before a restart's decision belongs to the old clock only if development went on;
    // the recorded start date counts whenever it lies on or before the date asked about.
    let started = f.started.is_some_and(|s| s <= as_of);
    let mut a = Assessment {
        as_of,
        start_due,
        default_start,
        started,
        case: None,
        idle_from: None,
        idle_years: 0,
        fee_from: None,
        recovery_from: None,
        consequence: Consequence::None,
        in_scope,
    };
    let Some(due) = start_due else { return a };
    if !started {
        let idle_from = r.years_full(due, t.idle_after_years);
        if as_of >= idle_from {
            a.case = Some(IdleCase::NotStarted);
            a.idle_from = Some(idle_from);
            a.idle_years = whole_years(r, due, as_of);
            a.consequence = match f.cause {
                Some(c) if c.is_government() => Consequence::Negotiate,
                Some(Cause::Holder) => {
                    let fee_from = if t.fee_after_years == t.idle_after_years { idle_from } else { r.years_full(due, t.fee_after_years) };
                    let recovery_from = r.years_full(due, t.recovery_after_years);
                    a.fee_from = Some(fee_from);
                    a.recovery_from = Some(recovery_from);
                    if as_of >= recovery_from {
                        Consequence::Recovery
                    } else if as_of >= fee_from {
                        Consequence::Fee { fee_fen: idle_fee(f.price_fen, t) }
                    } else {
                        Consequence::Investigate
                    }
                }
                _ => Consequence::Investigate,
            };
        }
        return a;
    }
    if short_of_development(f, t)
        && let Some(h) = f.halted.filter(|h| *h <= as_of)
    {
        let idle_from = r.years_full(h, t.halted_years);
        if as_of >= idle_from {
            a.case = Some(IdleCase::Stalled);
            a.idle_from = Some(idle_from);
            a.idle_years = whole_years(r, h, as_of);
            // Case B land is disposed of through the Art. 12 options whatever the cause (Art. 13).
            a.consequence = Consequence::Negotiate;
            return a;
        }
    }
    if let Some(years) = t.low_investment_years {
        let idle_from = r.years_full(due, years);
        if invest_short(f, t) && as_of >= idle_from {
            a.case = Some(IdleCase::LowInvestment);
            a.idle_from = Some(idle_from);
            a.idle_years = whole_years(r, due, as_of);
            a.consequence = match f.cause {
                Some(c) if c.is_government() => Consequence::Negotiate,
                _ => Consequence::Investigate,
            };
        }
    }
    a
}

/// The negotiated disposal options for government-caused idle land (Art. 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisposalOption {
    /// (1) 延长动工开发期限.
    Extend,
    /// (2) 调整土地用途、规划条件.
    AdjustUse,
    /// (3) 由政府安排临时使用.
    TemporaryUse,
    /// (4) 协议有偿收回.
    PaidRecovery,
    /// (5) 置换土地.
    Swap,
    /// (6) 市、县国土资源主管部门确定的其他方式.
    Other,
}

impl DisposalOption {
    pub const ALL: [DisposalOption; 6] =
        [DisposalOption::Extend, DisposalOption::AdjustUse, DisposalOption::TemporaryUse, DisposalOption::PaidRecovery, DisposalOption::Swap, DisposalOption::Other];
    pub fn code(self) -> &'static str {
        match self {
            DisposalOption::Extend => "extend",
            DisposalOption::AdjustUse => "adjust_use",
            DisposalOption::TemporaryUse => "temporary_use",
            DisposalOption::PaidRecovery => "paid_recovery",
            DisposalOption::Swap => "swap",
            DisposalOption::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DisposalOption::Extend => "延长动工开发期限",
            DisposalOption::AdjustUse => "调整土地用途、规划条件",
            DisposalOption::TemporaryUse => "由政府安排临时使用",
            DisposalOption::PaidRecovery => "协议有偿收回国有建设用地使用权",
            DisposalOption::Swap => "置换土地",
            DisposalOption::Other => "其他处置方式",
        }
    }
    pub fn parse(s: &str) -> Option<DisposalOption> {
        DisposalOption::ALL.into_iter().find(|o| o.code() == s.trim() || o.label() == s.trim())
    }
}

/// A negotiated disposal plan (闲置土地处置方案) as agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisposalPlan {
    pub option: DisposalOption,
    /// The day the supplementary agreement is signed / the plan approved / the use arranged.
    pub decided: NaiveDate,
    /// The newly agreed 动工开发日期 (all options but paid recovery).
    pub new_start_due: Option<NaiveDate>,
    /// Temporary use: the day it ends.
    pub temporary_until: Option<NaiveDate>,
    /// Swap preconditions (Art. 12(5)).
    pub price_paid_in_full: bool,
    pub funds_in_place: bool,
}

/// The parcel facts a plan is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanContext {
    pub cause: Option<Cause>,
    pub case: Option<IdleCase>,
    /// Recorded in the 土地市场动态监测与监管系统 (Art. 25).
    pub monitored: bool,
}

/// Checks a plan against Arts. 12, 13 and 25 and the option's limit; returns the clock restart
/// it brings (none for paid recovery, which ends the use right), or every reason it is refused.
pub fn check_plan(p: &DisposalPlan, ctx: &PlanContext, t: &Thresholds, r: &RestDays) -> Result<Option<Restart>, Vec<String>> {
    let mut e = Vec::new();
    let eligible = ctx.cause.is_some_and(Cause::is_government) || ctx.case == Some(IdleCase::Stalled);
    if !eligible {
        e.push("只有政府原因、不可抗力造成的闲置土地或已动工但中止开发的闲置土地，才能按第十二条协商处置；土地使用者原因造成的闲置应征缴闲置费或无偿收回".to_string());
    }
    if !ctx.monitored {
        e.push("该宗闲置土地未录入土地市场动态监测与监管系统，不得按第十二条方式处置（第二十五条）".into());
    }
    let need_start = p.option != DisposalOption::PaidRecovery && p.option != DisposalOption::TemporaryUse;
    if need_start && p.new_start_due.is_none() {
        e.push(format!("“{}”须约定新的动工开发日期", p.option.label()));
    }
    if let Some(s) = p.new_start_due
        && s < p.decided
    {
        e.push("新约定的动工开发日期不能早于处置方案确定日".into());
    }
    match p.option {
        DisposalOption::Extend => {
            if let Some(s) = p.new_start_due {
                let limit = r.years_end(p.decided, t.extension_max_years);
                if s > limit {
                    e.push(format!("延长动工开发期限最长不得超过{}年：新的动工开发日期最迟为 {limit}", t.extension_max_years));
                }
            }
        }
        DisposalOption::TemporaryUse => match p.temporary_until {
            None => e.push("临时使用须写明期限届满日".into()),
            Some(u) => {
                let limit = r.years_end(p.decided, t.temporary_use_max_years);
                if u > limit {
                    e.push(format!("临时使用期限最长不得超过{}年：最迟至 {limit}", t.temporary_use_max_years));
                }
                if u < p.decided {
                    e.push("临时使用期限届满日不能早于安排日".into());
                }
            }
        },
        DisposalOption::Swap => {
            let missing: Vec<&str> = [
                (!p.price_paid_in_full, "已缴清土地价款"),
                (!p.funds_in_place, "落实项目资金"),
                (ctx.cause != Some(Cause::PlanRevised), "因规划依法修改造成闲置"),
            ]
            .into_iter()
            .filter_map(|(miss, what)| miss.then_some(what))
            .collect();
            if !missing.is_empty() {
                e.push(format!("置换土地须同时满足：已缴清土地价款、落实项目资金、因规划依法修改造成闲置；尚缺：{}", missing.join("、")));
            }
        }
        _ => {}
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(match p.option {
        DisposalOption::PaidRecovery => None,
        // The holder resumes when the temporary use ends, unless a start date was agreed.
        DisposalOption::TemporaryUse => Some(Restart { decided: p.decided, start_due: p.new_start_due.or(p.temporary_until).expect("checked") }),
        _ => Some(Restart { decided: p.decided, start_due: p.new_start_due.expect("checked") }),
    })
}
