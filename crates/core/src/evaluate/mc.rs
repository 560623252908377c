//! Monte Carlo uncertainty analysis (METHODS.md §7, COINr `get_sensitivity(SA_type = "UA")`):
//! each replication draws a scoring method and an aggregation (uniformly among the nominal one
//! and the listed alternatives) and perturbs the weights of the listed tree levels by
//! `w' = w + (2u − 1)·f·w`, rebuilds the index and ranks it. A replication that fails (a
//! geometric mean on a score ≤ 0 …) counts as missing. Per unit: nominal, mean and median rank
//! and the 5th/95th percentiles (type 7).
//!
//! Draw order within replication r (stream `SplitMix64::for_replication(seed, r)`): the scoring
//! alternative (if any are listed), the aggregation alternative (if any), then one uniform per
//! perturbed weight, items in plan order (indicators as listed in the scheme, then aggregates
//! children-first). Replications run on all cores; the result does not depend on how many.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::compile::ItemKind;
use super::engine::{aggregate, final_ranks, final_scores, prepare, raw_cost_children, score_all, topsis_combine_batch, topsis_prepare, Prepared, TopsisPre};
use super::rank::quantile_type7;
use super::rng::SplitMix64;
use super::scheme::*;
use super::EvalError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McOptions {
    pub replications: usize,
    pub seed: u64,
    /// Worker threads; `None` = all cores. Does not change the result.
    #[serde(default)]
    pub threads: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankStats {
    pub unit: String,
    pub nominal: Option<u32>,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub q5: Option<f64>,
    pub q95: Option<f64>,
    /// Replications in which the unit got a rank.
    pub replications: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McResult {
    pub replications: usize,
    pub seed: u64,
    /// The assumptions used (the scheme's, or the default ±25 % on indicator weights).
    pub uncertainty: Uncertainty,
    pub failed: usize,
    /// Distinct reasons of failed replications.
    pub failures: Vec<String>,
    pub stats: Vec<RankStats>,
}

fn pick(u: f64, n: usize) -> usize {
    ((u * n as f64) as usize).min(n - 1)
}

struct Setup<'a> {
    prep: Prepared<'a>,
    unc: Uncertainty,
    /// Per scoring option (0 = nominal): scores, or why they cannot be computed.
    scored: Vec<Result<Vec<Vec<f64>>, String>>,
    /// Per scoring option, per aggregate: precomputed TOPSIS distances.
    caches: Vec<Vec<Option<TopsisPre>>>,
    /// Per item: the noise factor of its level.
    noise: Vec<Option<f64>>,
}

fn setup<'a>(scheme: &'a Scheme, inputs: &'a Inputs) -> Result<Setup<'a>, EvalError> {
    let prep = prepare(scheme, inputs)?;
    let unc = scheme.uncertainty.clone().unwrap_or_default();
    let plan = &prep.plan;
    let ni = plan.ni;
    for s in &unc.scoring_alternatives {
        if matches!(s, Scoring::Growth { .. } | Scoring::Goalposts { .. } | Scoring::DistanceToTarget { .. } | Scoring::Raw) {
            return Err(EvalError::Uncertainty(format!("备选计分方法“{}”依赖单个指标的参数，不能统一替换；可用极差、Z 分数、百分位、比值或向量标准化", s.label())));
        }
    }
    // Vector scores keep raw orientation: every aggregation option over indicators must be TOPSIS.
    let scorings: Vec<Option<&Scoring>> = std::iter::once(None).chain(unc.scoring_alternatives.iter().map(Some)).collect();
    let aggs: Vec<Option<&Aggregation>> = std::iter::once(None).chain(unc.aggregation_alternatives.iter().map(Some)).collect();
    for k in ni..plan.items.len() {
        let ItemKind::Aggregate { aggregation, .. } = &plan.items[k].kind else { unreachable!() };
        for a in &aggs {
            if matches!(a.unwrap_or(aggregation), Aggregation::Topsis { .. }) {
                continue;
            }
            for s in &scorings {
                if plan.items[k].children.iter().any(|&c| c < ni && *s.unwrap_or(&prep.scorings[c]) == Scoring::Vector) {
                    return Err(EvalError::Uncertainty(format!("“{}”的备选汇总方法不是 TOPSIS，不能与向量标准化组合", plan.items[k].label)));
                }
            }
        }
    }
    let mut scored = Vec::new();
    let mut caches = Vec::new();
    for s in &scorings {
        let sc = score_all(&prep, *s, None).map_err(|e| e.to_string());
        let mut cache: Vec<Option<TopsisPre>> = Vec::new();
        for k in ni..plan.items.len() {
            let item = &plan.items[k];
            let ItemKind::Aggregate { aggregation, missing } = &item.kind else { unreachable!() };
            let topsis_possible = aggs.iter().any(|a| matches!(a.unwrap_or(aggregation), Aggregation::Topsis { .. }));
            let leaves_only = item.children.iter().all(|&c| c < ni);
            let pre = match &sc {
                Ok(scores) if topsis_possible && leaves_only => {
                    let cols: Vec<&[f64]> = item.children.iter().map(|&c| &scores[c][..]).collect();
                    topsis_prepare(&prep, k, &cols, &raw_cost_children(&prep, k, *s), *missing).ok()
                }
                _ => None,
            };
            cache.push(pre);
        }
        scored.push(sc);
        caches.push(cache);
    }
    let noise: Vec<Option<f64>> = plan
        .items
        .iter()
        .enumerate()
        .map(|(k, it)| if k == plan.root { None } else { unc.weight_noise.iter().find(|n| n.level == it.level).map(|n| n.factor).filter(|&f| f > 0.0) })
        .collect();
    Ok(Setup { prep, unc, scored, caches, noise })
}

/// Replication r's draws: scoring option, aggregation option, weights.
fn draw(st: &Setup, seed: u64, r: u64) -> (usize, usize, Vec<f64>) {
    let unc = &st.unc;
    let mut rng = SplitMix64::for_replication(seed, r);
    let s = if unc.scoring_alternatives.is_empty() { 0 } else { pick(rng.uniform(), unc.scoring_alternatives.len() + 1) };
    let a = if unc.aggregation_alternatives.is_empty() { 0 } else { pick(rng.uniform(), unc.aggregation_alternatives.len() + 1) };
    let mut w = st.prep.weights.clone();
    for (k, f) in st.noise.iter().enumerate() {
        if let Some(f) = f {
            let u = rng.uniform();
            w[k] += (2.0 * u - 1.0) * f * w[k];
        }
    }
    (s, a, w)
}

fn ranks_of(st: &Setup, index: &[f64]) -> Vec<u32> {
    let finals = final_scores(&st.prep, index);
    final_ranks(&finals, &st.prep.veto, st.prep.scheme.ranking.round)
}

/// One replication from its draws: ranks per unit (0 = none), or why it failed.
fn replicate(st: &Setup, (s, a, w): &(usize, usize, Vec<f64>)) -> Result<Vec<u32>, String> {
    let prep = &st.prep;
    let unc = &st.unc;
    let scores = st.scored[*s].as_ref().map_err(|e| e.clone())?;
    let s_over = (*s > 0).then(|| &unc.scoring_alternatives[s - 1]);
    let a_over = (*a > 0).then(|| &unc.aggregation_alternatives[a - 1]);
    let values = aggregate(prep, scores, w, s_over, a_over, &st.caches[*s], None).map_err(|e| e.to_string())?;
    Ok(ranks_of(st, &values[prep.plan.root - prep.plan.ni]))
}

/// Replications `reps`. Those whose index is a TOPSIS over indicators with precomputed
/// distances share one pass over the distances (same results as one by one).
fn replicate_batch(st: &Setup, seed: u64, reps: std::ops::Range<u64>) -> Vec<Result<Vec<u32>, String>> {
    let draws: Vec<(usize, usize, Vec<f64>)> = reps.map(|r| draw(st, seed, r)).collect();
    let plan = &st.prep.plan;
    let (root, ni) = (plan.root, plan.ni);
    let ItemKind::Aggregate { aggregation, .. } = &plan.items[root].kind else { unreachable!() };
    let mut out: Vec<Option<Result<Vec<u32>, String>>> = vec![None; draws.len()];
    let mut groups: Vec<(usize, usize)> = draws.iter().map(|d| (d.0, d.1)).collect();
    groups.sort_unstable();
    groups.dedup();
    for (s, a) in groups {
        let agg = if a > 0 { &st.unc.aggregation_alternatives[a - 1] } else { aggregation };
        let pre = st.caches[s][root - ni].as_ref();
        let (Aggregation::Topsis { distance, scale }, Some(pre), true) = (agg, pre, st.scored[s].is_ok()) else { continue };
        let members: Vec<usize> = (0..draws.len()).filter(|&j| draws[j].0 == s && draws[j].1 == a).collect();
        let ws: Vec<Vec<f64>> = members.iter().map(|&j| plan.items[root].children.iter().map(|&c| draws[j].2[c]).collect()).collect();
        let refs: Vec<&[f64]> = ws.iter().map(|w| &w[..]).collect();
        let label = &plan.items[root].label;
        for (j, c) in members.into_iter().zip(topsis_combine_batch(pre, &refs, *distance, *scale, label)) {
            out[j] = Some(c.map(|index| ranks_of(st, &index)).map_err(|e| e.to_string()));
        }
    }
    out.into_iter().zip(&draws).map(|(o, d)| o.unwrap_or_else(|| replicate(st, d))).collect()
}

/// A unit's ranks over the replications usually span a narrow range: a counting sort over
/// that range is linear; a wide range falls back to a comparison sort.
fn sort_ranks(ranks: &mut [u32]) {
    let (lo, hi) = ranks.iter().fold((u32::MAX, 0), |(a, b), &r| (a.min(r), b.max(r)));
    let span = hi.saturating_sub(lo) as usize + 1;
    if ranks.len() < 32 || span > 4 * ranks.len() {
        ranks.sort_unstable();
        return;
    }
    let mut count = vec![0u32; span];
    for &r in ranks.iter() {
        count[(r - lo) as usize] += 1;
    }
    let mut k = 0;
    for (d, &c) in count.iter().enumerate() {
        ranks[k..k + c as usize].fill(lo + d as u32);
        k += c as usize;
    }
}

/// Runs `opts.replications` replications of the scheme's uncertainty assumptions.
pub fn monte_carlo(scheme: &Scheme, inputs: &Inputs, opts: &McOptions) -> Result<McResult, EvalError> {
    if opts.replications == 0 {
        return Err(EvalError::Uncertainty("模拟次数须为正整数".into()));
    }
    let st = setup(scheme, inputs)?;
    // The nominal run must succeed: its errors are the scheme's errors.
    let nominal_scores = score_all(&st.prep, None, None)?;
    let vals = aggregate(&st.prep, &nominal_scores, &st.prep.weights, None, None, &st.caches[0], None)?;
    let nominal = final_ranks(&final_scores(&st.prep, &vals[st.prep.plan.root - st.prep.plan.ni]), &st.prep.veto, scheme.ranking.round);

    let pool = match opts.threads {
        Some(t) => Some(
            rayon::ThreadPoolBuilder::new().num_threads(t.max(1)).build().map_err(|e| EvalError::Uncertainty(format!("无法启动计算线程：{e}")))?,
        ),
        None => None,
    };
    const BATCH: u64 = 8;
    let total = opts.replications as u64;
    let run = || {
        (0..total.div_ceil(BATCH))
            .into_par_iter()
            .flat_map_iter(|b| replicate_batch(&st, opts.seed, b * BATCH..((b + 1) * BATCH).min(total)))
            .collect::<Vec<_>>()
    };
    let results = match &pool {
        Some(p) => p.install(run),
        None => run(),
    };
    let mut failures: Vec<String> = Vec::new();
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        if !failures.contains(e) {
            failures.push(e.clone());
        }
    }
    let ok: Vec<&Vec<u32>> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    // Unit-major copy of the ranks (tiled transpose, so each unit's ranks are contiguous).
    let (n, reps) = (inputs.units.len(), ok.len());
    let mut by_unit = vec![0u32; n * reps];
    const TILE: usize = 64;
    for r0 in (0..reps).step_by(TILE) {
        for i0 in (0..n).step_by(TILE) {
            for (r, row) in ok.iter().enumerate().take((r0 + TILE).min(reps)).skip(r0) {
                for i in i0..(i0 + TILE).min(n) {
                    by_unit[i * reps + r] = row[i];
                }
            }
        }
    }
    let stats_for = |(i, ranks): (usize, &mut [u32])| {
        sort_ranks(ranks);
        // 0 = no rank in that replication; they sort first.
        let v: Vec<f64> = ranks[ranks.partition_point(|&x| x == 0)..].iter().map(|&x| f64::from(x)).collect();
        let mean = (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        RankStats {
            unit: inputs.units[i].code.clone(),
            nominal: (nominal[i] > 0).then_some(nominal[i]),
            mean,
            median: quantile_type7(&v, 0.5),
            q5: quantile_type7(&v, 0.05),
            q95: quantile_type7(&v, 0.95),
            replications: v.len() as u32,
        }
    };
    let stats: Vec<RankStats> = if reps == 0 {
        (0..n).map(|i| stats_for((i, &mut []))).collect()
    } else {
        let chunks = by_unit.par_chunks_mut(reps).enumerate();
        match &pool {
            Some(p) => p.install(|| chunks.map(stats_for).collect()),
            None => chunks.map(stats_for).collect(),
        }
    };
    Ok(McResult {
        replications: opts.replications,
        seed: opts.seed,
        uncertainty: st.unc.clone(),
        failed: results.len() - reps,
        failures,
        stats,
    })
}
