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
use super::engine::{aggregate, closeness, final_ranks, final_ranks_into, final_scores, prepare, raw_cost_children, score_all, topsis_factors, topsis_prepare, Prepared, TopsisPre};
use super::rank::{type7, RankScratch};
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

/// Replication r's draws: scoring option and aggregation option; the weights go to `w`.
fn draw(st: &Setup, seed: u64, r: u64, w: &mut [f64]) -> (usize, usize) {
    let unc = &st.unc;
    let mut rng = SplitMix64::for_replication(seed, r);
    let s = if unc.scoring_alternatives.is_empty() { 0 } else { pick(rng.uniform(), unc.scoring_alternatives.len() + 1) };
    let a = if unc.aggregation_alternatives.is_empty() { 0 } else { pick(rng.uniform(), unc.aggregation_alternatives.len() + 1) };
    w.copy_from_slice(&st.prep.weights);
    for (k, f) in st.noise.iter().enumerate() {
        if let Some(f) = f {
            let u = rng.uniform();
            w[k] += (2.0 * u - 1.0) * f * w[k];
        }
    }
    (s, a)
}

/// One replication from its draws, the general way: ranks per unit (0 = none), or why it failed.
fn replicate(st: &Setup, s: usize, a: usize, w: &[f64]) -> Result<Vec<u32>, String> {
    let prep = &st.prep;
    let unc = &st.unc;
    let scores = st.scored[s].as_ref().map_err(|e| e.clone())?;
    let s_over = (s > 0).then(|| &unc.scoring_alternatives[s - 1]);
    let a_over = (a > 0).then(|| &unc.aggregation_alternatives[a - 1]);
    let values = aggregate(prep, scores, w, s_over, a_over, &st.caches[s], None).map_err(|e| e.to_string())?;
    Ok(final_ranks(&final_scores(prep, &values[prep.plan.root - prep.plan.ni]), &prep.veto, prep.scheme.ranking.round))
}

/// Replications per work item. Their ranks go to a unit-major block (unit i's ranks at
/// `[i·CHUNK ..][..CHUNK]`), so the statistics read each unit's ranks in a few cache lines.
const CHUNK: usize = 16;

/// A worker's buffers, reused from one chunk to the next.
#[derive(Default)]
struct Scratch {
    /// Per replication of the chunk: its draws (weights of every item at `[j·items ..]`).
    picks: Vec<(usize, usize)>,
    weights: Vec<f64>,
    done: Vec<bool>,
    /// A batch of TOPSIS replications: their factors, closeness and degenerate flags.
    batch: Vec<usize>,
    factors: Vec<f64>,
    closeness: Vec<f64>,
    degenerate: Vec<bool>,
    rank: RankScratch,
}

/// Replications `r0 .. r0 + len` into `block`; returns the failed ones with their reasons.
/// Those whose index is a TOPSIS over indicators with precomputed distances share one pass over
/// the distances per draw of scoring and aggregation (same results as one by one).
fn run_chunk(st: &Setup, seed: u64, r0: u64, len: usize, block: &mut [u32], scr: &mut Scratch) -> Vec<(u64, String)> {
    let plan = &st.prep.plan;
    let (root, ni, n, items) = (plan.root, plan.ni, plan.n_units, plan.items.len());
    scr.weights.resize(len * items, 0.0);
    scr.picks.clear();
    for j in 0..len {
        let p = draw(st, seed, r0 + j as u64, &mut scr.weights[j * items..(j + 1) * items]);
        scr.picks.push(p);
    }
    scr.done.clear();
    scr.done.resize(len, false);
    let mut failed = Vec::new();
    let ItemKind::Aggregate { aggregation, .. } = &plan.items[root].kind else { unreachable!() };
    let children = &plan.items[root].children;
    let kc = children.len();
    for j0 in 0..len {
        let (s, a) = scr.picks[j0];
        if scr.done[j0] {
            continue;
        }
        let agg = if a > 0 { &st.unc.aggregation_alternatives[a - 1] } else { aggregation };
        let pre = st.caches[s][root - ni].as_ref();
        let (Aggregation::Topsis { distance, scale }, Some(pre), true) = (agg, pre, st.scored[s].is_ok()) else { continue };
        scr.batch.clear();
        scr.batch.extend((j0..len).filter(|&j| scr.picks[j] == (s, a)));
        let m = scr.batch.len();
        scr.factors.resize(m * kc, 0.0);
        let mut wc = [0.0; 64];
        for (b, &j) in scr.batch.iter().enumerate() {
            let w = &scr.weights[j * items..(j + 1) * items];
            let f = &mut scr.factors[b * kc..(b + 1) * kc];
            if kc <= wc.len() {
                children.iter().zip(&mut wc).for_each(|(&c, x)| *x = w[c]);
                topsis_factors(&wc[..kc], *distance, f);
            } else {
                topsis_factors(&children.iter().map(|&c| w[c]).collect::<Vec<f64>>(), *distance, f);
            }
        }
        scr.closeness.resize(m * n, 0.0);
        scr.degenerate.resize(m, false);
        closeness(pre, &scr.factors, *scale, &mut scr.closeness, &mut scr.degenerate);
        for (b, &j) in scr.batch.iter().enumerate() {
            scr.done[j] = true;
            if scr.degenerate[b] {
                failed.push((r0 + j as u64, EvalError::TopsisDegenerate { node: plan.items[root].label.clone() }.to_string()));
                (0..n).for_each(|i| block[i * CHUNK + j] = 0);
            } else {
                final_ranks_into(&st.prep, &scr.closeness[b * n..(b + 1) * n], &mut scr.rank, &mut block[j..], CHUNK);
            }
        }
    }
    for j in 0..len {
        if scr.done[j] {
            continue;
        }
        let (s, a) = scr.picks[j];
        match replicate(st, s, a, &scr.weights[j * items..(j + 1) * items]) {
            Ok(ranks) => ranks.into_iter().enumerate().for_each(|(i, r)| block[i * CHUNK + j] = r),
            Err(e) => {
                failed.push((r0 + j as u64, e));
                (0..n).for_each(|i| block[i * CHUNK + j] = 0);
            }
        }
    }
    failed.sort_unstable_by_key(|f| f.0);
    failed
}

/// Nominal, mean, median and 5th/95th percentile rank of unit `i` from its ranks in every
/// chunk (0 = no rank in that replication). `v` and `cum` are reused buffers.
fn unit_stats(st: &Setup, nominal: &[u32], ranks: &[u32], total: usize, i: usize, v: &mut Vec<u32>, cum: &mut Vec<u32>) -> RankStats {
    let n = st.prep.plan.n_units;
    v.clear();
    for (b, block) in ranks.chunks(n * CHUNK).enumerate() {
        let len = (total - b * CHUNK).min(CHUNK);
        v.extend(block[i * CHUNK..i * CHUNK + len].iter().filter(|&&r| r > 0));
    }
    let m = v.len();
    let (lo, hi) = v.iter().fold((u32::MAX, 0), |(a, b), &r| (a.min(r), b.max(r)));
    let span = hi.saturating_sub(lo) as usize + 1;
    // The k-th smallest rank: from cumulative counts over the ranks' span (usually narrow), else
    // from the sorted ranks.
    let by_count = m > 0 && span <= 4 * m;
    if by_count {
        cum.clear();
        cum.resize(span, 0);
        v.iter().for_each(|&r| cum[(r - lo) as usize] += 1);
        for d in 1..span {
            cum[d] += cum[d - 1];
        }
    } else {
        v.sort_unstable();
    }
    let at = |k: usize| -> f64 {
        let r = if by_count { lo + cum.partition_point(|&c| c as usize <= k) as u32 } else { v[k] };
        f64::from(r)
    };
    let sum: u64 = v.iter().map(|&r| u64::from(r)).sum();
    RankStats {
        unit: st.prep.inputs.units[i].code.clone(),
        nominal: (nominal[i] > 0).then_some(nominal[i]),
        // Sums of ranks are exact in f64, so this is the mean of the f64 ranks.
        mean: (m > 0).then(|| sum as f64 / m as f64),
        median: type7(m, 0.5, at),
        q5: type7(m, 0.05, at),
        q95: type7(m, 0.95, at),
        replications: m as u32,
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
    let (n, total) = (inputs.units.len(), opts.replications);
    // Chunk b's ranks at ranks[b·n·CHUNK ..]; a failed replication leaves zeros.
    let mut ranks = vec![0u32; total.div_ceil(CHUNK) * n * CHUNK];
    let mut run = || -> (Vec<(u64, String)>, Vec<RankStats>) {
        let failed: Vec<(u64, String)> = ranks
            .par_chunks_mut((n * CHUNK).max(1))
            .enumerate()
            .map_init(Scratch::default, |scr, (b, block)| run_chunk(&st, opts.seed, (b * CHUNK) as u64, (total - b * CHUNK).min(CHUNK), block, scr))
            .flatten_iter()
            .collect();
        let ranks = &ranks;
        let stats = (0..n)
            .into_par_iter()
            .map_init(|| (Vec::new(), Vec::new()), |(v, cum), i| unit_stats(&st, &nominal, ranks, total, i, v, cum))
            .collect();
        (failed, stats)
    };
    let (failed, stats) = match &pool {
        Some(p) => p.install(run),
        None => run(),
    };
    let mut failures: Vec<String> = Vec::new();
    for (_, e) in &failed {
        if !failures.contains(e) {
            failures.push(e.clone());
        }
    }
    Ok(McResult { replications: total, seed: opts.seed, uncertainty: st.unc.clone(), failed: failed.len(), failures, stats })
}
