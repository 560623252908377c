//! Schemes (考核方案) as data: the indicator tree, scoring, weighting, aggregation, missing-value
//! rules, deductions/bonuses/vetoes, ranking and consequence rules, and the uncertainty
//! assumptions for the Monte Carlo run. Everything is serde data (TOML or JSON), so a scheme
//! version can be stored, diffed and re-run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One version of an evaluation scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default = "one_u32")]
    pub version: u32,
    /// The declared sum of the weights under every aggregate (100 for a 百分制 scheme, 1 for
    /// fractions). `None`: weights are relative and any positive sum is accepted.
    #[serde(default)]
    pub weight_sum: Option<f64>,
    #[serde(default)]
    pub weighting: Weighting,
    /// Default scoring of indicators that do not set their own.
    #[serde(default)]
    pub scoring: Scoring,
    /// Default aggregation of aggregates that do not set their own.
    #[serde(default)]
    pub aggregation: Aggregation,
    /// Default missing-value rule of indicators.
    #[serde(default)]
    pub missing: MissingRule,
    /// Default rule of aggregates for missing children.
    #[serde(default)]
    pub aggregate_missing: NodeMissing,
    #[serde(default)]
    pub constant_columns: ConstantPolicy,
    #[serde(default)]
    pub ranking: RankingSpec,
    /// Aggregates (pillars, sub-indices, the index). Exactly one has no parent: the index.
    pub nodes: Vec<Node>,
    pub indicators: Vec<IndicatorSpec>,
    #[serde(default)]
    pub adjustments: Vec<AdjustmentRule>,
    /// Caps on the total of deductions and of bonuses per unit (points).
    #[serde(default)]
    pub max_total_deduction: Option<f64>,
    #[serde(default)]
    pub max_total_bonus: Option<f64>,
    #[serde(default)]
    pub consequences: Vec<ConsequenceRule>,
    #[serde(default)]
    pub uncertainty: Option<Uncertainty>,
}

fn one_u32() -> u32 {
    1
}
fn one() -> f64 {
    1.0
}
fn hundred() -> f64 {
    100.0
}
fn yes() -> bool {
    true
}

/// An aggregate of the tree (一级/二级指标 above the measured indicators, or the index).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub weight: Option<f64>,
    #[serde(default)]
    pub aggregation: Option<Aggregation>,
    #[serde(default)]
    pub missing: Option<NodeMissing>,
}

/// A measured indicator: a leaf of the tree, read from a data column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// The data column; defaults to `code`.
    #[serde(default)]
    pub column: Option<String>,
    pub parent: String,
    #[serde(default)]
    pub weight: Option<f64>,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default)]
    pub transform: Option<Transform>,
    #[serde(default)]
    pub scoring: Option<Scoring>,
    #[serde(default)]
    pub missing: Option<MissingRule>,
}

impl IndicatorSpec {
    pub fn column(&self) -> &str {
        self.column.as_deref().unwrap_or(&self.code)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is better (正向/效益型).
    #[default]
    #[serde(alias = "正向", alias = "positive")]
    Benefit,
    /// Lower is better (负向/成本型).
    #[serde(alias = "负向", alias = "negative")]
    Cost,
}

impl Direction {
    pub fn sign(self) -> f64 {
        match self {
            Direction::Benefit => 1.0,
            Direction::Cost => -1.0,
        }
    }
}

/// Applied to raw values (and to goalposts and targets) before scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// Natural logarithm (HDI income); values must be positive.
    Log,
}

/// How an indicator's values become scores (METHODS.md §2). Every method except `vector` and
/// `raw` applies the direction, so its scores are "higher = better".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scoring {
    /// `(x' − min)/(max − min)·(high − low) + low` on `x' = d·x` (COINr `n_minmax`; 极差法).
    MinMax {
        #[serde(default)]
        low: f64,
        #[serde(default = "hundred")]
        high: f64,
    },
    /// `(x' − mean)/sd·sd_out + mean_out`, sample sd (COINr `n_zscore`).
    ZScore {
        #[serde(default)]
        mean: f64,
        #[serde(default = "one")]
        sd: f64,
    },
    /// Fixed bounds, truncated to [0,1], times `scale` (HDI type; COINr `n_goalposts`).
    Goalposts {
        low: f64,
        high: f64,
        #[serde(default = "hundred")]
        scale: f64,
    },
    /// `(x − min)/(target − min)` (cost: `(max − x)/(max − target)`), capped at 1 unless
    /// `cap = false`, times `scale` (COINr `n_dist2targ`).
    DistanceToTarget {
        target: f64,
        #[serde(default = "yes")]
        cap: bool,
        #[serde(default = "hundred")]
        scale: f64,
    },
    /// `(rank_min(x') − 1)/(n − 1)·scale` (COINr `n_prank`).
    PercentRank {
        #[serde(default = "hundred")]
        scale: f64,
    },
    /// Ascending rank with ties "min": the best unit gets n (COINr `n_rank`).
    Rank,
    /// Benefit `x / max x`, cost `min x / x`, times `scale` (比重法 to the best).
    RatioToMax {
        #[serde(default = "hundred")]
        scale: f64,
    },
    /// Benefit `x / mean x`, cost `mean x / x`, times `scale`.
    RatioToMean {
        #[serde(default = "hundred")]
        scale: f64,
    },
    /// `x / sqrt(Σ x²)` on raw values, direction NOT applied (classical TOPSIS); only under a
    /// TOPSIS aggregate, which takes the direction into account.
    Vector,
    /// Growth-based points (增比进位): zero growth earns `flat_share` of the indicator's
    /// `points`, each `step_pct` % of growth adds `step_points` (a decline takes off at the same
    /// rate), the bonus over flat is capped at `bonus_cap_share · points` and the score is never
    /// below 0. The score is the share of `points` earned ×100 (so 100 = full points, and with
    /// the default parameters at most 130). Growth is `(x / base − 1)·100` with `base` the
    /// column of the base-year value, or `x` itself (already a growth rate in %) without it.
    /// For a cost indicator the growth's sign is reversed.
    Growth {
        points: f64,
        #[serde(default)]
        base: Option<String>,
        #[serde(default = "flat_share")]
        flat_share: f64,
        #[serde(default = "five")]
        step_pct: f64,
        #[serde(default = "one")]
        step_points: f64,
        #[serde(default = "half")]
        bonus_cap_share: f64,
        /// Count whole steps only (每增长5%加1分, no part points).
        #[serde(default)]
        stepwise: bool,
    },
    /// The values are already scores (higher = better); the direction must be benefit.
    Raw,
}

fn flat_share() -> f64 {
    0.8
}
fn five() -> f64 {
    5.0
}
fn half() -> f64 {
    0.5
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring::MinMax { low: 0.0, high: 100.0 }
    }
}

impl Scoring {
    pub fn label(&self) -> String {
        match self {
            Scoring::MinMax { low, high } => format!("极差标准化 [{low}, {high}]"),
            Scoring::ZScore { mean, sd } => format!("Z 分数（均值 {mean}，标准差 {sd}）"),
            Scoring::Goalposts { low, high, .. } => format!("门槛值法 [{low}, {high}]"),
            Scoring::DistanceToTarget { target, .. } => format!("目标值距离法（目标 {target}）"),
            Scoring::PercentRank { .. } => "百分位排名".into(),
            Scoring::Rank => "排序得分".into(),
            Scoring::RatioToMax { .. } => "与最优值之比".into(),
            Scoring::RatioToMean { .. } => "与平均值之比".into(),
            Scoring::Vector => "向量标准化".into(),
            Scoring::Growth { .. } => "增幅计分".into(),
            Scoring::Raw => "原值".into(),
        }
    }
    /// Whether scores are "higher = better" whatever the direction.
    pub(crate) fn oriented(&self) -> bool {
        !matches!(self, Scoring::Vector)
    }
}

/// How indicator weights are set (METHODS.md §3; CRITIC: Diakoulaki et al. 1995).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Weighting {
    /// The weights written in the scheme, on every indicator and aggregate.
    #[default]
    Manual,
    /// Equal weights among the children of every aggregate.
    Equal,
    /// Entropy weights (熵权法) of the indicators. An aggregate without a written weight weighs
    /// the sum of its indicators' weights (so the index is the global entropy-weighted mean).
    Entropy {
        #[serde(default)]
        standardise: EntropyStandardise,
        /// ε of the shifted variants.
        #[serde(default)]
        epsilon: Option<f64>,
    },
    /// CRITIC: `C_j = sd_j · Σ_k (1 − r_jk)` on direction-aware min-max [0,1] values (sample sd),
    /// over all indicators. Aggregates without a weight weigh the sum of their indicators'.
    Critic,
}

/// The standardisation the entropy method runs on (METHODS.md §3). Not interchangeable: the
/// choice is part of the scheme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntropyStandardise {
    /// S0: raw values, direction ignored; every value must be > 0 (pymcdm, pyrepo-mcda).
    #[serde(alias = "s0")]
    Raw,
    /// S1: direction-aware min-max [0,1], exact zeros kept with 0·ln0 = 0 (Chinese papers).
    #[default]
    #[serde(alias = "s1")]
    MinMax,
    /// S2 平移: S1 + ε.
    #[serde(alias = "s2")]
    Shift,
    /// S2 variant: (1 − ε)·S1 + ε, i.e. min-max onto [ε, 1].
    ShiftRescale,
}

impl EntropyStandardise {
    pub fn label(self) -> &'static str {
        match self {
            EntropyStandardise::Raw => "S0 原始数据",
            EntropyStandardise::MinMax => "S1 极差标准化",
            EntropyStandardise::Shift => "S2 平移（加 ε）",
            EntropyStandardise::ShiftRescale => "S2 平移（缩放到 [ε,1]）",
        }
    }
}

/// How an aggregate combines its children (METHODS.md §4–5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Aggregation {
    /// `Σ w x / Σ w` over the children present for the unit (COINr `a_amean`).
    #[default]
    Arithmetic,
    /// `exp(Σ w ln x / Σ w)`; every present child score must be > 0 (COINr `a_gmean`).
    Geometric,
    /// TOPSIS closeness `D⁻/(D⁺ + D⁻)` times `scale`.
    Topsis {
        #[serde(default)]
        distance: TopsisDistance,
        #[serde(default = "one")]
        scale: f64,
    },
}

impl Aggregation {
    pub fn label(&self) -> &'static str {
        match self {
            Aggregation::Arithmetic => "加权算术平均",
            Aggregation::Geometric => "加权几何平均",
            Aggregation::Topsis { distance: TopsisDistance::Classical, .. } => "TOPSIS",
            Aggregation::Topsis { distance: TopsisDistance::WeightedDistance, .. } => "TOPSIS（加权距离）",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopsisDistance {
    /// Hwang & Yoon: `v = w·r`, `D⁺ = sqrt(Σ (v − A⁺)²)`, weights summing to 1.
    #[default]
    Classical,
    /// T-wdist (Chinese tutorials): `D⁺ = sqrt(Σ w (z − z⁺)²)`. Ranks differ from classical.
    WeightedDistance,
}

/// What a missing indicator value becomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingRule {
    /// Stays missing; aggregates renormalise over the children present (COINr).
    #[default]
    Skip,
    /// Scores 0 (未报送不得分).
    ZeroScore,
    /// The worst observed value of the column (direction-aware).
    Worst,
    /// The column mean of the observed values.
    Mean,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeMissing {
    /// Aggregate the children present; missing only when all are (COINr).
    #[default]
    Available,
    /// Missing as soon as one child is (HDI).
    RequireAll,
}

/// What to do with a column whose observed values are all equal, where the scoring method
/// would divide 0 by 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConstantPolicy {
    /// Refuse the evaluation with a message naming the column.
    #[default]
    Reject,
    /// Give every unit this score and report the column in the notices.
    Score { value: f64 },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingSpec {
    /// Rank the scores rounded to this many decimals (as published tables do).
    #[serde(default)]
    pub round: Option<u32>,
    /// Unit attributes to rank within (zone kind, level, platform group …).
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// 减分项.
    Deduction,
    /// 加分项.
    Bonus,
    /// 一票否决.
    Veto,
}

impl AdjustmentKind {
    pub fn label(self) -> &'static str {
        match self {
            AdjustmentKind::Deduction => "减分",
            AdjustmentKind::Bonus => "加分",
            AdjustmentKind::Veto => "一票否决",
        }
    }
}

/// A deduction, bonus or veto over an input column (a count of cases, issues, accidents …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRule {
    pub code: String,
    #[serde(default)]
    pub name: String,
    pub kind: AdjustmentKind,
    /// The data column with the count (missing = 0).
    pub column: String,
    /// Points per count (deduction/bonus).
    #[serde(default)]
    pub points: f64,
    /// Cap of this rule's points.
    #[serde(default)]
    pub max_points: Option<f64>,
    /// Veto when the count is at least this.
    #[serde(default = "one")]
    pub at_least: f64,
    #[serde(default)]
    pub effect: VetoEffect,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VetoEffect {
    /// Ranked after every unit without a veto, and no award.
    #[default]
    Last,
    /// Final score 0, and no award.
    Zero,
    /// Rank kept, but excluded from awards (top N, most improved).
    NoAward,
}

/// A consequence attached to the ranking (DOMAIN.md §4: 通报批评, support, warning).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsequenceRule {
    pub code: String,
    /// What the plan calls it: 通报批评, 项目资金土地支持, 预警 …
    pub label: String,
    pub when: ConsequenceWhen,
    pub n: u32,
    /// For `repeat_bottom`: how many times in the bottom N …
    #[serde(default)]
    pub times: Option<u32>,
    /// … within how many years (this one included).
    #[serde(default)]
    pub years: Option<u32>,
    /// Apply within each value of this unit attribute instead of over all units.
    #[serde(default)]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsequenceWhen {
    /// Among the last N (ties at the boundary all included).
    Bottom,
    /// Among the first N (ties included; vetoed units never).
    Top,
    /// The N largest forward moves (rank change > 0; ties included; vetoed units never).
    MostImproved,
    /// In the bottom N at least `times` times within `years` years.
    RepeatBottom,
}

/// The uncertain assumptions of the Monte Carlo run (METHODS.md §7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uncertainty {
    /// Weight noise per tree level (1 = indicators): `w' = w·(1 + (2u − 1)·factor)`.
    #[serde(default)]
    pub weight_noise: Vec<LevelNoise>,
    /// Scoring methods that replace every indicator's own (besides the nominal one).
    #[serde(default)]
    pub scoring_alternatives: Vec<Scoring>,
    /// Aggregations that replace every aggregate's own (besides the nominal one).
    #[serde(default)]
    pub aggregation_alternatives: Vec<Aggregation>,
}

impl Default for Uncertainty {
    /// ±25 % noise on the indicator weights, as in COINr's examples.
    fn default() -> Self {
        Uncertainty { weight_noise: vec![LevelNoise { level: 1, factor: 0.25 }], scoring_alternatives: vec![], aggregation_alternatives: vec![] }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelNoise {
    pub level: u32,
    pub factor: f64,
}

/// The data an evaluation runs on: units (rows) and numeric columns, plus the evidence behind
/// adjustment counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    pub units: Vec<UnitInfo>,
    pub columns: Vec<DataColumn>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitInfo {
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// Attributes for rankings within groups (kind, level, platform group …).
    #[serde(default)]
    pub groups: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataColumn {
    pub code: String,
    /// One per unit, in unit order; `None` = missing.
    pub values: Vec<Option<f64>>,
}

/// A document or note behind a unit's value in a column (督查通报, 事故认定书 …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub unit: String,
    pub column: String,
    pub text: String,
}

impl Inputs {
    pub fn column(&self, code: &str) -> Option<&DataColumn> {
        self.columns.iter().find(|c| c.code == code)
    }
}

/// A published ranking of an earlier year, for rank change and repeat rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastRanking {
    pub year: i32,
    /// Unit code → overall rank.
    pub ranks: BTreeMap<String, u32>,
}

/// Where an evaluation sits in time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    pub year: Option<i32>,
    /// Earlier rankings (any order); the latest one before `year` is "the previous evaluation".
    #[serde(default)]
    pub history: Vec<PastRanking>,
}

impl Context {
    pub fn previous(&self) -> Option<&PastRanking> {
        let year = self.year?;
        self.history.iter().filter(|p| p.year < year).max_by_key(|p| p.year)
    }
}
