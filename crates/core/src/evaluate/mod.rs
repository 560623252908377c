//! The annual evaluation and ranking engine (综合考核评价): a scheme (indicator tree, scoring,
//! weighting, aggregation, deductions/bonuses/vetoes, ranking and consequence rules) applied to a
//! units × columns table. Formulas follow `shared/domain/METHODS.md` (COINr for normalisation,
//! aggregation and uncertainty; Hwang & Yoon for TOPSIS; the entropy variants named S0/S1/S2).
//!
//! Flow: [`evaluate`] → [`Outcome`] (scores of every node, final scores, ranks, rank change,
//! consequences, notices); [`explain`] decomposes a unit's score and its change since last year;
//! [`monte_carlo`] re-runs the scheme under noisy weights and alternative methods and gives each
//! unit's nominal, median and 5th–95th percentile rank. [`Evaluation`] is the prepared scheme
//! with its nominal run, from which both the outcome and the Monte Carlo run come (one
//! preparation when a caller wants both). Pure and deterministic: the Monte Carlo
//! run draws replication r's numbers from (seed, r) only, so the result does not depend on the
//! number of threads.
//!
//! Conventions: scores are "higher = better"; rank 1 is the highest score; ties share the
//! smaller rank number (competition ranking 1, 2, 2, 4 — METHODS.md §6, COINr `rank_df`), i.e.
//! the better place. Missing values are `None` at the edges; no NaN leaves the engine.

mod compile;
mod engine;
mod explain;
mod mc;
pub(crate) mod rank;
mod rng;
mod scheme;
mod score;
mod table;
mod unit_values;
mod weights;

pub use engine::{evaluate, AppliedAdjustment, Consequence, Evaluation, GroupRanks, NodeKind, NodeResult, Outcome, TopsisDetail};
pub use explain::{explain, Basis, Contribution, Explanation, ItemChange};
pub use mc::{monte_carlo, McOptions, McResult, RankStats};
pub use rank::{competition_ranks, quantile_type7, round_dp};
pub use rng::SplitMix64;
pub use scheme::*;
pub use table::{inputs_from_table, results_table};
pub use unit_values::UnitValues;
pub use weights::{critic_weights, entropy_weights};

/// Why an evaluation gave no result. Messages are for the office, in Chinese.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("考核方案有误：{}", join(.0))]
    Scheme(Vec<SchemeError>),
    #[error("指标“{indicator}”：{message}")]
    Data { indicator: String, message: String },
    #[error("指标“{indicator}”所有单位取值相同（常数列），{method}无法计算；请删除该指标，或在方案中设置 constant_columns = {{ policy = \"score\", value = … }}")]
    Constant { indicator: String, method: String },
    #[error("几何平均要求各项得分为正：单位“{unit}”在“{node}”下的“{child}”得分为 {value}（可改用 1–100 的极差标准化）")]
    GeometricNonPositive { unit: String, node: String, child: String, value: f64 },
    #[error("TOPSIS 不能处理缺失值：单位“{unit}”在“{node}”下的“{child}”缺失（请为该指标设置缺失值规则，如 worst 或 mean）")]
    TopsisMissing { unit: String, node: String, child: String },
    #[error("“{node}”：所有单位在各项上完全相同，TOPSIS 贴近度无法计算")]
    TopsisDegenerate { node: String },
    #[error("{0}")]
    Weights(String),
    #[error("不确定性分析设置有误：{0}")]
    Uncertainty(String),
}

fn join(v: &[SchemeError]) -> String {
    v.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；")
}

/// One problem of a scheme (or of a scheme against its data). All are reported together.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SchemeError {
    #[error("代码“{0}”重复")]
    Duplicate(String),
    #[error("代码不能为空")]
    EmptyCode,
    #[error("“{child}”的上级“{parent}”不存在")]
    UnknownParent { child: String, parent: String },
    #[error("“{child}”的上级“{parent}”是测量指标，测量指标下不能再有下级")]
    ParentIsIndicator { child: String, parent: String },
    #[error("没有总指数（必须恰有一个无上级的汇总节点）")]
    NoRoot,
    #[error("总指数只能有一个，现有：{}", .0.join("、"))]
    ManyRoots(Vec<String>),
    #[error("指标体系存在循环：{}", .0.join(" → "))]
    Cycle(Vec<String>),
    #[error("“{0}”下没有任何指标")]
    EmptyNode(String),
    #[error("“{node}”下各项权重之和为 {sum}，应为 {declared}")]
    WeightSum { node: String, sum: f64, declared: f64 },
    #[error("“{0}”缺少权重（手工赋权时每个指标和汇总节点都要有权重）")]
    MissingWeight(String),
    #[error("“{item}”的权重 {weight} 无效：权重须为非负有限数")]
    BadWeight { item: String, weight: f64 },
    #[error("“{0}”下各项权重全为 0")]
    ZeroWeights(String),
    #[error("未知指标：数据中没有“{column}”列（{item}）")]
    UnknownColumn { item: String, column: String },
    #[error("“{item}”：{message}")]
    Parameter { item: String, message: String },
}

/// `name（code）`, or the code alone when there is no name.
pub(crate) fn label(code: &str, name: &str) -> String {
    if name.is_empty() || name == code { code.to_string() } else { format!("{name}（{code}）") }
}
