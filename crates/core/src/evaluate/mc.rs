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

use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::compile::ItemKind;
use super::engine::{aggregate, closeness, final_ranks, final_ranks_into, final_scores, raw_cost_children, score_all, topsis_factors, topsis_prepare, Evaluation, Prepared, TopsisPre};
use super::rank::{type7, RankCell, RankScratch};
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

struct Setup<'e, 'a> {
    ev: &'e Evaluation<'a>,
    prep: &'e Prepared<'a>,
    unc: Uncertainty,
    /// Per scoring alternative (option s at `[s − 1]`; option 0 is the nominal run's scores):
    /// scores, or why they cannot be computed.
    alternatives: Vec<Result<Vec<Vec<f64>>, String>>,
    /// Per scoring option, per aggregate: precomputed TOPSIS distances.
    caches: Vec<Vec<Option<Arc<TopsisPre>>>>,
    /// Per item: the noise factor of its level.
    noise: Vec<Option<f64>>,
    /// Whether a unit's final score is its index (no deduction, bonus, veto or rounding), so
    /// the closeness is ranked as it comes from the kernel.
    plain: bool,
}

impl Setup<'_, '_> {
    fn scores(&self, s: usize) -> Result<&[Vec<f64>], String> {
        if s == 0 { Ok(&self.ev.scores) } else { self.alternatives[s - 1].as_deref().map_err(|e| e.clone()) }
    }
}

fn setup<'e, 'a>(ev: &'e Evaluation<'a>) -> Result<Setup<'e, 'a>, EvalError> {
    let prep = &ev.prep;
    let unc = prep.scheme.uncertainty.clone().unwrap_or_default();
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
    let alternatives: Vec<Result<Vec<Vec<f64>>, String>> = unc.scoring_alternatives.iter().map(|s| score_all(prep, Some(s), None).map_err(|e| e.to_string())).collect();
    let mut caches = Vec::new();
    for (si, s) in scorings.iter().enumerate() {
        let sc = if si == 0 { Ok(&ev.scores[..]) } else { alternatives[si - 1].as_deref() };
        let mut cache: Vec<Option<Arc<TopsisPre>>> = Vec::new();
        for k in ni..plan.items.len() {
            let item = &plan.items[k];
            let ItemKind::Aggregate { aggregation, missing } = &item.kind else { unreachable!() };
            let topsis_possible = aggs.iter().any(|a| matches!(a.unwrap_or(aggregation), Aggregation::Topsis { .. }));
            let leaves_only = item.children.iter().all(|&c| c < ni);
            let pre = match sc {
                // The nominal run's distances, when it computed them (TOPSIS over indicators).
                Ok(_) if si == 0 && leaves_only && ev.topsis[k - ni].is_some() => ev.topsis[k - ni].clone(),
                Ok(scores) if topsis_possible && leaves_only => {
                    let cols: Vec<&[f64]> = item.children.iter().map(|&c| &scores[c][..]).collect();
                    topsis_prepare(prep, k, &cols, &raw_cost_children(prep, k, *s), *missing).ok().map(Arc::new)
                }
                _ => None,
            };
            cache.push(pre);
        }
        caches.push(cache);
    }
    let noise: Vec<Option<f64>> = plan
        .items
        .iter()
        .enumerate()
        .map(|(k, it)| if k == plan.root { None } else { unc.weight_noise.iter().find(|n| n.level == it.level).map(|n| n.factor).filter(|&f| f > 0.0) })
        .collect();
    let plain = prep.scheme.ranking.round.is_none() && prep.offsets.iter().all(|&o| o == 0.0) && prep.veto.iter().all(Option::is_none);
    Ok(Setup { ev, prep, unc, alternatives, caches, noise, plain })
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
    let prep = st.prep;
    let unc = &st.unc;
    let scores = st.scores(s)?;
    let s_over = (s > 0).then(|| &unc.scoring_alternatives[s - 1]);
    let a_over = (a > 0).then(|| &unc.aggregation_alternatives[a - 1]);
    let values = aggregate(prep, scores, w, s_over, a_over, &st.caches[s], None).map_err(|e| e.to_string())?;
    Ok(final_ranks(&final_scores(prep, &values[prep.plan.root - prep.plan.ni]), &prep.veto, prep.scheme.ranking.round))
}

/// Replications per work item. Their ranks go to a unit-major block (unit i's ranks at
/// `[i·CHUNK ..][..CHUNK]`: one cache line of u16), so the statistics read each unit's ranks
/// in a few cache lines; the TOPSIS distances are streamed once per chunk.
const CHUNK: usize = 32;

/// A worker's buffers, reused from one chunk to the next.
#[derive(Default)]
struct Scratch {
    /// Per replication of the chunk: its draws (weights of every item at `[j·items ..]`).
    picks: Vec<(usize, usize)>,
    weights: Vec<f64>,
    done: Vec<bool>,
    /// A batch of TOPSIS replications: their factors, closeness, degenerate flags and ranges.
    batch: Vec<usize>,
    factors: Vec<f64>,
    closeness: Vec<f64>,
    degenerate: Vec<bool>,
    bounds: Vec<(f64, f64)>,
    rank: RankScratch,
    /// Ranks of the batch's replications, replication-major (`[b·n ..][..n]`, u32 whatever
    /// the block's type), written with stride 1 while ranking and moved into the unit-major
    /// block in one pass: scattered writes stay in L1.
    rows: Vec<u32>,
}

/// Replications `r0 .. r0 + len` into `block`; returns the failed ones with their reasons.
/// Those whose index is a TOPSIS over indicators with precomputed distances share one pass over
/// the distances per draw of scoring and aggregation (same results as one by one).
fn run_chunk<T: RankCell>(st: &Setup, seed: u64, r0: u64, len: usize, block: &mut [T], scr: &mut Scratch) -> Vec<(u64, String)> {
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
        let pre = st.caches[s][root - ni].as_deref();
        let (Aggregation::Topsis { distance, scale }, Some(pre), true) = (agg, pre, st.scores(s).is_ok()) else { continue };
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
        scr.bounds.resize(m, (0.0, 0.0));
        closeness(pre, &scr.factors, *scale, &mut scr.closeness, &mut scr.degenerate, &mut scr.bounds);
        scr.rows.resize(m * n, 0);
        for (b, &j) in scr.batch.iter().enumerate() {
            scr.done[j] = true;
            let cl = &scr.closeness[b * n..(b + 1) * n];
            let row = &mut scr.rows[b * n..(b + 1) * n];
            if scr.degenerate[b] {
                failed.push((r0 + j as u64, EvalError::TopsisDegenerate { node: plan.items[root].label.clone() }.to_string()));
                row.fill(0);
            } else if st.plain {
                let (lo, hi) = scr.bounds[b];
                scr.rank.rank_values(cl, lo, hi, row, 1);
            } else {
                final_ranks_into(st.prep, cl, &mut scr.rank, row, 1);
            }
        }
        for i in 0..n {
            let unit = &mut block[i * CHUNK..(i + 1) * CHUNK];
            for (b, &j) in scr.batch.iter().enumerate() {
                unit[j] = T::from_rank(scr.rows[b * n + i]);
            }
        }
    }
    for j in 0..len {
        if scr.done[j] {
            continue;
        }
        let (s, a) = scr.picks[j];
        match replicate(st, s, a, &scr.weights[j * items..(j + 1) * items]) {
            Ok(ranks) => ranks.into_iter().enumerate().for_each(|(i, r)| block[i * CHUNK + j] = T::from_rank(r)),
            Err(e) => {
                failed.push((r0 + j as u64, e));
                (0..n).for_each(|i| block[i * CHUNK + j] = T::default());
            }
        }
    }
    failed.sort_unstable_by_key(|f| f.0);
    failed
}

/// Nominal, mean, median and 5th/95th percentile rank of unit `i` from its ranks in every
/// chunk (0 = no rank in that replication: it failed, or the unit had no score). `count` is a
/// reused buffer of `n + 1` zeros (and left so): the k-th smallest rank comes from the counts
/// per rank, accumulated over the ranks' span (usually narrow); a span much wider than the
/// number of ranks takes the sorted ranks in `v` instead.
fn unit_stats<T: RankCell>(st: &Setup, ranks: &[T], total: usize, i: usize, v: &mut Vec<u32>, count: &mut Vec<u32>) -> RankStats {
    let n = st.prep.plan.n_units;
    let nominal = st.ev.ranks[i];
    count.resize(n + 1, 0);
    // The unit's ranks, one cache line per chunk.
    let mine = || ranks.chunks(n * CHUNK).enumerate().map(|(b, block)| &block[i * CHUNK..i * CHUNK + (total - b * CHUNK).min(CHUNK)]);
    // One pass: counts per rank (rank 0, none, counted apart), span and sum.
    let (mut below, mut hi, mut sum) = (u32::MAX, 0, 0u64);
    let counts = &mut count[..];
    for line in mine() {
        for r in line.iter().map(|r| r.rank()) {
            counts[r as usize] += 1;
            // r − 1 wraps for 0 (none), so the smallest rank is found without a branch.
            below = below.min(r.wrapping_sub(1));
            hi = hi.max(r);
            sum += u64::from(r);
        }
    }
    let lo = below.wrapping_add(1);
    let m = total - std::mem::take(&mut count[0]) as usize;
    let span = if m == 0 { &mut count[0..0] } else { &mut count[lo as usize..=hi as usize] };
    let by_count = span.len() <= 4 * m;
    if by_count {
        // The running sum in a register, not read back from the previous element's store.
        let mut acc = 0;
        for c in span.iter_mut() {
            acc += *c;
            *c = acc;
        }
    } else {
        v.clear();
        v.extend(mine().flatten().map(|r| r.rank()).filter(|&r| r > 0));
        v.sort_unstable();
    }
    let at = |k: usize| -> f64 {
        let r = if by_count { lo + span.partition_point(|&c| c as usize <= k) as u32 } else { v[k] };
        f64::from(r)
    };
    let out = RankStats {
        unit: st.prep.inputs.units[i].code.clone(),
        nominal: (nominal > 0).then_some(nominal),
        // Sums of ranks are exact in f64, so this is the mean of the f64 ranks.
        mean: (m > 0).then(|| sum as f64 / m as f64),
        median: type7(m, 0.5, at),
        q5: type7(m, 0.05, at),
        q95: type7(m, 0.95, at),
        replications: m as u32,
    };
    span.fill(0);
    out
}

/// Runs `opts.replications` replications of the scheme's uncertainty assumptions (prepares the
/// scheme; with the nominal outcome as well, use [`Evaluation::monte_carlo`]).
pub fn monte_carlo(scheme: &Scheme, inputs: &Inputs, opts: &McOptions) -> Result<McResult, EvalError> {
    Evaluation::new(scheme, inputs)?.monte_carlo(opts)
}

impl Evaluation<'_> {
    /// Runs `opts.replications` replications of the scheme's uncertainty assumptions around
    /// this nominal run.
    pub fn monte_carlo(&self, opts: &McOptions) -> Result<McResult, EvalError> {
        if opts.replications == 0 {
            return Err(EvalError::Uncertainty("模拟次数须为正整数".into()));
        }
        let st = setup(self)?;
        let pool = match opts.threads {
            Some(t) => Some(
                rayon::ThreadPoolBuilder::new().num_threads(t.max(1)).build().map_err(|e| EvalError::Uncertainty(format!("无法启动计算线程：{e}")))?,
            ),
            None => None,
        };
        // Ranks in 16 bits where they fit.
        let run = || if st.prep.plan.n_units < 1 << 16 { replications::<u16>(&st, opts) } else { replications::<u32>(&st, opts) };
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
        Ok(McResult { replications: opts.replications, seed: opts.seed, uncertainty: st.unc.clone(), failed: failed.len(), failures, stats })
    }
}

/// Every replication's ranks, then every unit's statistics, on the current thread pool.
fn replications<T: RankCell>(st: &Setup, opts: &McOptions) -> (Vec<(u64, String)>, Vec<RankStats>) {
    let (n, total) = (st.prep.plan.n_units, opts.replications);
    // Chunk b's ranks at ranks[b·n·CHUNK ..]; a failed replication leaves zeros.
    let mut ranks = vec![T::default(); total.div_ceil(CHUNK) * n * CHUNK];
    let chunks: Vec<Vec<(u64, String)>> = ranks
        .par_chunks_mut((n * CHUNK).max(1))
        .enumerate()
        .map_init(Scratch::default, |scr, (b, block)| run_chunk(st, opts.seed, (b * CHUNK) as u64, (total - b * CHUNK).min(CHUNK), block, scr))
        .collect();
    let failed: Vec<(u64, String)> = chunks.into_iter().flatten().collect();
    let ranks = &ranks;
    let stats = (0..n).into_par_iter().map_init(|| (Vec::new(), Vec::new()), |(v, count), i| unit_stats(st, ranks, total, i, v, count)).collect();
    (failed, stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{evaluate, quantile_type7, Context, DataColumn, UnitInfo};
    use serde_json::json;

    /// Entropy-TOPSIS over `n` units × 6 indicators in which units 2j and 2j + 1 have the same
    /// data (tied in every replication); `adjust` adds a bonus column to the scheme.
    fn twins(n: usize, adjust: bool) -> (Scheme, Inputs) {
        let mut g = SplitMix64::new(31);
        let rows: Vec<Vec<f64>> = (0..n.div_ceil(2)).map(|_| (0..6).map(|_| 1.0 + 9.0 * g.uniform()).collect()).collect();
        let mut columns: Vec<DataColumn> = (0..6).map(|j| DataColumn { code: format!("x{j}"), values: (0..n).map(|i| Some(rows[i / 2][j])).collect() }).collect();
        columns.push(DataColumn { code: "award".into(), values: (0..n).map(|i| Some(if (i / 2) % 7 == 0 { 1.0 } else { 0.0 })).collect() });
        let inputs = Inputs { units: (0..n).map(|i| UnitInfo { code: format!("U{i}"), ..Default::default() }).collect(), columns, evidence: vec![] };
        let indicators: Vec<_> = (0..6).map(|j| json!({ "code": format!("x{j}"), "parent": "c", "direction": if j % 3 == 0 { "cost" } else { "benefit" } })).collect();
        let mut s = json!({
            "code": "twins", "weighting": { "method": "entropy", "standardise": "min_max" }, "scoring": { "method": "min_max", "low": 0, "high": 1 },
            "nodes": [{ "code": "c", "aggregation": { "method": "topsis" } }], "indicators": indicators,
            "uncertainty": { "weight_noise": [{ "level": 1, "factor": 0.25 }] },
        });
        if adjust {
            s["adjustments"] = json!([{ "code": "award", "name": "表彰", "kind": "bonus", "column": "award", "points": 0.01 }]);
        }
        (serde_json::from_value(s).unwrap(), inputs)
    }

    /// The replications re-evaluated one by one with their drawn weights (manual weighting):
    /// per unit the ranks it got.
    fn replayed(s: &Scheme, data: &Inputs, seed: u64, reps: u64) -> Vec<Vec<f64>> {
        let nominal = evaluate(s, data, &Context::default()).unwrap();
        let w: Vec<f64> = (0..6).map(|j| nominal.node(&format!("x{j}")).unwrap().weight).collect();
        let mut per_unit = vec![vec![]; data.units.len()];
        for r in 0..reps {
            let mut rng = SplitMix64::for_replication(seed, r);
            let mut manual = s.clone();
            manual.weighting = Weighting::Manual;
            for (j, ind) in manual.indicators.iter_mut().enumerate() {
                ind.weight = Some(w[j] + (2.0 * rng.uniform() - 1.0) * 0.25 * w[j]);
            }
            for (i, rank) in evaluate(&manual, data, &Context::default()).unwrap().ranks.iter().enumerate() {
                per_unit[i].push(f64::from(rank.unwrap()));
            }
        }
        per_unit
    }

    /// The fast path (plain TOPSIS index: kernel bounds, bucket ranking, u16 cells) and the
    /// path with a bonus (final scores ranked by key) both give the statistics of the
    /// replications re-evaluated one by one; twins share every statistic.
    #[test]
    fn tied_units_and_both_ranking_paths_match_the_replayed_replications() {
        for adjust in [false, true] {
            let (s, data) = twins(301, adjust);
            let (seed, reps) = (5u64, 70usize);
            let ev = Evaluation::new(&s, &data).unwrap();
            assert_eq!(setup(&ev).unwrap().plain, !adjust);
            let mc = ev.monte_carlo(&McOptions { replications: reps, seed, threads: Some(2) }).unwrap();
            assert_eq!(mc.failed, 0);
            for (i, mut v) in replayed(&s, &data, seed, reps as u64).into_iter().enumerate() {
                v.sort_by(f64::total_cmp);
                let st = &mc.stats[i];
                assert_eq!((st.median, st.q5, st.q95), (quantile_type7(&v, 0.5), quantile_type7(&v, 0.05), quantile_type7(&v, 0.95)), "unit {i}, bonus {adjust}");
                assert_eq!(st.mean, Some(v.iter().sum::<f64>() / reps as f64));
                assert_eq!(st.replications as usize, reps);
            }
            for pair in mc.stats.chunks_exact(2) {
                assert_eq!((pair[0].mean, pair[0].median, pair[0].q5, pair[0].q95), (pair[1].mean, pair[1].median, pair[1].q5, pair[1].q95));
            }
        }
    }

    /// One preparation for both: the outcome and the Monte Carlo run from an [`Evaluation`] are
    /// those of `evaluate` and `monte_carlo` called on their own, and the nominal rank in the
    /// statistics is the outcome's rank.
    #[test]
    fn one_preparation_gives_the_same_outcome_and_monte_carlo_run() {
        let (s, data) = twins(40, true);
        let opts = McOptions { replications: 50, seed: 9, threads: None };
        let ev = Evaluation::new(&s, &data).unwrap();
        let (outcome, mc) = (ev.outcome(&Context::default()), ev.monte_carlo(&opts).unwrap());
        assert_eq!(outcome, evaluate(&s, &data, &Context::default()).unwrap());
        assert_eq!(mc, monte_carlo(&s, &data, &opts).unwrap());
        assert!(mc.stats.iter().zip(&outcome.ranks).all(|(st, r)| st.nominal == *r));
    }
}
