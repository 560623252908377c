//! The nominal evaluation: raw values → (transform, imputation) → scores → weights → tree
//! aggregation → deductions/bonuses/vetoes → ranks, rank change and consequences. The pieces
//! are shared with the Monte Carlo run, so a replication without noise is the nominal run.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::compile::{compile, Item, ItemKind, Plan};
use super::rank::{desc_key, ranks_nan, round_dp, RankCell, RankScratch};
use super::scheme::*;
use super::score::{min_max, score_column, ColumnIssue};
use super::unit_values::UnitValues;
use super::weights::{critic_raw, entropy_diversity, normalise};
use super::EvalError;

/// A scheme compiled against its data, with everything that does not change between Monte Carlo
/// replications.
pub(crate) struct Prepared<'a> {
    pub scheme: &'a Scheme,
    pub inputs: &'a Inputs,
    pub plan: Plan,
    /// Per indicator: transformed values, imputed by its missing rule (NaN = still missing).
    pub values: Arc<Vec<Vec<f64>>>,
    /// Per indicator: whether `values` are the input values as given (no transform, nothing
    /// imputed), so the outcome shares them as its raw values instead of copying.
    pub values_are_raw: Vec<bool>,
    /// Per indicator: growth scoring's base column.
    pub bases: Vec<Option<Vec<f64>>>,
    /// Per indicator: its scoring, with goalposts/targets transformed like the data.
    pub scorings: Vec<Scoring>,
    /// Per item: the weight within its parent (not normalised).
    pub weights: Vec<f64>,
    pub offsets: Vec<f64>,
    pub veto: Vec<Option<VetoEffect>>,
    pub applied: Vec<Vec<AppliedAdjustment>>,
    pub notices: Vec<String>,
}

/// A data column as `f64` with NaN for a missing value.
fn column_f64(inputs: &Inputs, col: usize) -> Vec<f64> {
    inputs.columns[col].values.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
}

fn transform_param(t: Option<Transform>, v: f64) -> f64 {
    match t {
        Some(Transform::Log) => v.ln(),
        None => v,
    }
}

/// One indicator's column, transformed and imputed.
struct PreparedColumn {
    values: Vec<f64>,
    /// The values before imputation, kept only where imputation filled something.
    before: Option<Vec<f64>>,
    notice: Option<String>,
}

fn prepare_column(item: &Item, inputs: &Inputs) -> Result<PreparedColumn, EvalError> {
    let ItemKind::Indicator { column, direction, transform, missing, .. } = &item.kind else { unreachable!() };
    let mut x = column_f64(inputs, *column);
    if let Some(Transform::Log) = transform {
        if let Some(i) = x.iter().position(|&v| v <= 0.0) {
            return Err(EvalError::Data {
                indicator: item.label.clone(),
                message: format!("对数变换要求正值，单位“{}”的值为 {}", inputs.units[i].code, x[i]),
            });
        }
        x.iter_mut().for_each(|v| *v = v.ln());
    }
    let n_missing = x.iter().filter(|v| v.is_nan()).count();
    if n_missing == x.len() {
        return Err(EvalError::Data { indicator: item.label.clone(), message: "没有任何有效数值".into() });
    }
    let (mut before, mut notice) = (None, None);
    if n_missing > 0 {
        let fill = match missing {
            MissingRule::Worst => {
                let obs = x.iter().copied().filter(|v| !v.is_nan());
                Some((if *direction == Direction::Benefit { obs.fold(f64::INFINITY, f64::min) } else { obs.fold(f64::NEG_INFINITY, f64::max) }, "最差值"))
            }
            MissingRule::Mean => {
                let obs: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
                Some((obs.iter().sum::<f64>() / obs.len() as f64, "平均值"))
            }
            MissingRule::ZeroScore => {
                notice = Some(format!("指标“{}”有 {n_missing} 个缺失值，按 0 分计", item.label));
                None
            }
            MissingRule::Skip => {
                notice = Some(format!("指标“{}”有 {n_missing} 个缺失值，不参与汇总（按其余指标重新归一权重）", item.label));
                None
            }
        };
        if let Some((v, how)) = fill {
            before = Some(x.clone());
            x.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = v);
            notice = Some(format!("指标“{}”有 {n_missing} 个缺失值，按{how}填补", item.label));
        }
    }
    Ok(PreparedColumn { values: x, before, notice })
}

pub(crate) fn prepare<'a>(scheme: &'a Scheme, inputs: &'a Inputs) -> Result<Prepared<'a>, EvalError> {
    let plan = compile(scheme, inputs)?;
    let ni = plan.ni;
    let mut notices = Vec::new();
    let columns = plan.items[..ni].iter().map(|item| prepare_column(item, inputs));
    // Per indicator: the values before imputation where imputation changed them (objective
    // weights are computed over the observed values).
    let mut observed: Vec<Option<Vec<f64>>> = Vec::with_capacity(ni);
    let mut values = Vec::with_capacity(ni);
    let mut values_are_raw = Vec::with_capacity(ni);
    let mut bases = Vec::with_capacity(ni);
    let mut scorings = Vec::with_capacity(ni);
    for (item, column) in plan.items[..ni].iter().zip(columns) {
        let ItemKind::Indicator { transform, scoring, base, .. } = &item.kind else { unreachable!() };
        let PreparedColumn { values: x, before, notice } = column?;
        notices.extend(notice);
        values_are_raw.push(transform.is_none() && before.is_none());
        observed.push(before);
        values.push(x);
        bases.push(base.map(|b| column_f64(inputs, b)));
        scorings.push(match scoring.clone() {
            Scoring::Goalposts { low, high, scale } => {
                Scoring::Goalposts { low: transform_param(*transform, low), high: transform_param(*transform, high), scale }
            }
            Scoring::DistanceToTarget { target, cap, scale } => {
                Scoring::DistanceToTarget { target: transform_param(*transform, target), cap, scale }
            }
            s => s,
        });
    }
    let raw: Vec<&[f64]> = observed.iter().zip(&values).map(|(o, v)| o.as_deref().unwrap_or(v)).collect();
    let weights = item_weights(scheme, &plan, &raw, &mut notices)?;
    let (offsets, veto, applied) = adjustments(scheme, &plan, inputs);
    let values = Arc::new(values);
    Ok(Prepared { scheme, inputs, plan, values, values_are_raw, bases, scorings, weights, offsets, veto, applied, notices })
}

/// Weights per item. Objective weights are computed over the indicators' observed values; an
/// aggregate without a written weight weighs the sum of its indicators'.
fn item_weights(scheme: &Scheme, plan: &Plan, raw: &[&[f64]], notices: &mut Vec<String>) -> Result<Vec<f64>, EvalError> {
    let ni = plan.ni;
    let dirs: Vec<Direction> = plan.items[..ni]
        .iter()
        .map(|it| match &it.kind {
            ItemKind::Indicator { direction, .. } => *direction,
            _ => unreachable!(),
        })
        .collect();
    let objective: Option<Vec<f64>> = match &scheme.weighting {
        Weighting::Manual => None,
        Weighting::Equal => return Ok(vec![1.0; plan.items.len()]),
        Weighting::Entropy { standardise, epsilon } => {
            let mut d = Vec::with_capacity(ni);
            for j in 0..ni {
                let v = entropy_diversity(raw[j], dirs[j], *standardise, epsilon.unwrap_or(0.0))
                    .map_err(|m| EvalError::Data { indicator: plan.items[j].label.clone(), message: m })?;
                if v == 0.0 {
                    notices.push(format!("指标“{}”所有单位取值相同，熵权为 0", plan.items[j].label));
                }
                d.push(v);
            }
            Some(normalise(d, "熵权法")?)
        }
        Weighting::Critic => Some(normalise(critic_raw(raw, &dirs).map_err(EvalError::Weights)?, "CRITIC")?),
    };
    let mut w: Vec<f64> = plan.items.iter().map(|it| it.weight.unwrap_or(0.0)).collect();
    if let Some(obj) = objective {
        w[..ni].copy_from_slice(&obj);
        // Aggregates come children-first, so descendants are summed before their parent.
        let mut sum = obj.clone();
        sum.resize(plan.items.len(), 0.0);
        for k in ni..plan.items.len() {
            sum[k] = plan.items[k].children.iter().map(|&c| sum[c]).sum();
            if plan.items[k].weight.is_none() {
                w[k] = sum[k];
            }
        }
    }
    w[plan.root] = 1.0;
    Ok(w)
}

/// A deduction, bonus or veto as applied to one unit, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedAdjustment {
    pub rule: String,
    pub name: String,
    pub kind: AdjustmentKind,
    /// The count in the data column.
    pub count: f64,
    /// Effect on the score: negative for a deduction, positive for a bonus, 0 for a veto.
    pub points: f64,
    pub evidence: Vec<String>,
}

#[allow(clippy::type_complexity)]
fn adjustments(scheme: &Scheme, plan: &Plan, inputs: &Inputs) -> (Vec<f64>, Vec<Option<VetoEffect>>, Vec<Vec<AppliedAdjustment>>) {
    let n = plan.n_units;
    let mut offsets = vec![0.0; n];
    let mut veto: Vec<Option<VetoEffect>> = vec![None; n];
    let mut applied: Vec<Vec<AppliedAdjustment>> = vec![Vec::new(); n];
    for i in 0..n {
        let (mut minus, mut plus) = (0.0, 0.0);
        for (rule, col) in &plan.adjustments {
            let count = inputs.columns[*col].values[i].unwrap_or(0.0);
            if count == 0.0 {
                continue;
            }
            let evidence: Vec<String> = inputs
                .evidence
                .iter()
                .filter(|e| e.unit == inputs.units[i].code && e.column == rule.column)
                .map(|e| e.text.clone())
                .collect();
            let points = match rule.kind {
                AdjustmentKind::Veto => {
                    if count < rule.at_least {
                        continue;
                    }
                    // The harshest effect wins when several vetoes apply.
                    let worse = |a: VetoEffect, b: VetoEffect| {
                        let k = |e| match e {
                            VetoEffect::Zero => 2,
                            VetoEffect::Last => 1,
                            VetoEffect::NoAward => 0,
                        };
                        if k(a) >= k(b) { a } else { b }
                    };
                    veto[i] = Some(veto[i].map_or(rule.effect, |e| worse(e, rule.effect)));
                    0.0
                }
                _ => {
                    let p = (count * rule.points).min(rule.max_points.unwrap_or(f64::INFINITY)).max(0.0);
                    if rule.kind == AdjustmentKind::Deduction {
                        minus += p;
                        -p
                    } else {
                        plus += p;
                        p
                    }
                }
            };
            applied[i].push(AppliedAdjustment { rule: rule.code.clone(), name: rule.name.clone(), kind: rule.kind, count, points, evidence });
        }
        let minus = minus.min(scheme.max_total_deduction.unwrap_or(f64::INFINITY));
        let plus = plus.min(scheme.max_total_bonus.unwrap_or(f64::INFINITY));
        offsets[i] = plus - minus;
    }
    (offsets, veto, applied)
}

/// Scores every indicator, with `over` replacing every indicator's scoring (Monte Carlo).
pub(crate) fn score_all(prep: &Prepared, over: Option<&Scoring>, mut notices: Option<&mut Vec<String>>) -> Result<Vec<Vec<f64>>, EvalError> {
    let mut out = Vec::with_capacity(prep.plan.ni);
    for j in 0..prep.plan.ni {
        let (y, notice) = score_indicator(prep, j, over)?;
        if let (Some(n), Some(notice)) = (notices.as_deref_mut(), notice) {
            n.push(notice);
        }
        out.push(y);
    }
    Ok(out)
}

/// Indicator j's scores, with the notice of a constant column scored by policy.
fn score_indicator(prep: &Prepared, j: usize, over: Option<&Scoring>) -> Result<(Vec<f64>, Option<String>), EvalError> {
    let item = &prep.plan.items[j];
    let ItemKind::Indicator { direction, missing, .. } = &item.kind else { unreachable!() };
    let scoring = over.unwrap_or(&prep.scorings[j]);
    let mut notice = None;
    let mut y = match score_column(&prep.values[j], prep.bases[j].as_deref(), *direction, scoring) {
        Ok(y) => y,
        Err(ColumnIssue::Constant) => match prep.scheme.constant_columns {
            ConstantPolicy::Reject => return Err(EvalError::Constant { indicator: item.label.clone(), method: scoring.label() }),
            ConstantPolicy::Score { value } => {
                notice = Some(format!("指标“{}”所有单位取值相同（常数列），各单位均计 {value} 分", item.label));
                prep.values[j].iter().map(|v| if v.is_nan() { *v } else { value }).collect()
            }
        },
        Err(ColumnIssue::Message(m)) => return Err(EvalError::Data { indicator: item.label.clone(), message: m }),
    };
    if *missing == MissingRule::ZeroScore {
        y.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = 0.0);
    }
    Ok((y, notice))
}

/// Units per block of [`TopsisPre`]'s layout: one AVX-512 register, two AVX2 registers.
const LANES: usize = 8;

/// Squared distances of every child value to the ideal and anti-ideal: they do not depend on
/// the weights, so the nominal run computes them once and the Monte Carlo run reuses them (and
/// computes them once per scoring alternative).
#[derive(Debug, Clone)]
pub(crate) struct TopsisPre {
    n: usize,
    k: usize,
    /// `(r − ideal)²` and `(r − anti-ideal)²` in blocks of [`LANES`] units: for child c of
    /// units 8b … 8b + 7 the eight `(r − ideal)²` at `[(b·k + c)·16 ..][..8]`, then the eight
    /// `(r − anti-ideal)²`, so the distances of a block of units are one contiguous stream and
    /// stay in L1 while every weight set of a batch passes over them. Padding units are 0 and
    /// never read back.
    dist: Vec<f64>,
    ideal: Vec<f64>,
    anti: Vec<f64>,
}

/// Where `(r − ideal)²` of unit i, child c goes in [`TopsisPre::dist`] (`(r − anti-ideal)²`
/// follows [`LANES`] later): the layout [`topsis_prepare`] writes, for the tests.
#[cfg(test)]
fn dist_at(i: usize, c: usize, k: usize) -> usize {
    ((i / LANES) * k + c) * 2 * LANES + i % LANES
}

/// The ideal and anti-ideal values of a TOPSIS aggregate's children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopsisDetail {
    pub ideal: Vec<f64>,
    pub anti: Vec<f64>,
}

/// Whether each child of aggregate `k` keeps raw orientation with a cost direction (its ideal is
/// the minimum).
pub(crate) fn raw_cost_children(prep: &Prepared, k: usize, over: Option<&Scoring>) -> Vec<bool> {
    prep.plan.items[k]
        .children
        .iter()
        .map(|&c| match &prep.plan.items[c].kind {
            ItemKind::Indicator { direction, .. } => {
                let scoring = over.unwrap_or(&prep.scorings[c]);
                !scoring.oriented() && *direction == Direction::Cost
            }
            ItemKind::Aggregate { .. } => false,
        })
        .collect()
}

pub(crate) fn topsis_prepare(prep: &Prepared, k: usize, cols: &[&[f64]], raw_cost: &[bool], missing: NodeMissing) -> Result<TopsisPre, EvalError> {
    let item = &prep.plan.items[k];
    let (n, kc) = (prep.plan.n_units, cols.len());
    let (mut ideal, mut anti) = (Vec::with_capacity(kc), Vec::with_capacity(kc));
    for (c, col) in cols.iter().enumerate() {
        if missing == NodeMissing::Available
            && let Some(i) = col.iter().position(|v| v.is_nan())
        {
            return Err(EvalError::TopsisMissing {
                unit: prep.inputs.units[i].code.clone(),
                node: item.label.clone(),
                child: prep.plan.items[item.children[c]].label.clone(),
            });
        }
        let (lo, hi) = min_max(col);
        let (best, worst) = if raw_cost[c] { (lo, hi) } else { (hi, lo) };
        ideal.push(best);
        anti.push(worst);
    }
    // Written block by block in layout order: one pass over fresh memory, where a pass per
    // child strided over all of it. Padding units stay 0.
    let mut dist = vec![0.0; n.div_ceil(LANES) * kc * 2 * LANES];
    for (b, block) in dist.chunks_exact_mut(kc * 2 * LANES).enumerate() {
        let units = b * LANES..(b * LANES + LANES).min(n);
        for (c, (col, pair)) in cols.iter().zip(block.chunks_exact_mut(2 * LANES)).enumerate() {
            let (best, worst) = (ideal[c], anti[c]);
            let (to_ideal, to_anti) = pair.split_at_mut(LANES);
            for ((v, p), m) in col[units.clone()].iter().zip(to_ideal).zip(to_anti) {
                *p = (v - best) * (v - best);
                *m = (v - worst) * (v - worst);
            }
        }
    }
    Ok(TopsisPre { n, k: kc, dist, ideal, anti })
}

/// The factors of the squared distances for children's weights `w`: classical
/// `D² = Σ (w̃ (r − a))² = Σ w̃² (r − a)²` with `w̃ = w/Σw` (for w ≥ 0 the ideal of `w·r` is `w·`
/// the ideal of r); weighted distance `D² = Σ w̃ (z − a)²`.
pub(crate) fn topsis_factors(w: &[f64], distance: TopsisDistance, out: &mut [f64]) {
    let total: f64 = w.iter().sum();
    for (o, &wc) in out.iter_mut().zip(w) {
        *o = match distance {
            TopsisDistance::Classical => (wc / total) * (wc / total),
            TopsisDistance::WeightedDistance => wc / total,
        };
    }
}

/// Closeness `D⁻/(D⁺ + D⁻)·scale` (see [`topsis_factors`]). A missing child value (only under
/// require_all) leaves the unit missing.
pub(crate) fn topsis_combine(pre: &TopsisPre, w: &[f64], distance: TopsisDistance, scale: f64, node: &str) -> Result<Vec<f64>, EvalError> {
    let mut f = vec![0.0; w.len()];
    topsis_factors(w, distance, &mut f);
    let mut out = vec![0.0; pre.n];
    let mut degenerate = [false];
    closeness(pre, &f, scale, &mut out, &mut degenerate, &mut [(0.0, 0.0)]);
    if degenerate[0] {
        return Err(EvalError::TopsisDegenerate { node: node.into() });
    }
    Ok(out)
}

/// Closeness of every unit under each of several sets of factors (Monte Carlo replications):
/// set r is `fs[r·k ..][..k]`, its closeness goes to `out[r·n ..][..n]`, `degenerate[r]` says
/// whether some unit had D⁺ + D⁻ = 0 there (TOPSIS cannot score it), and `bounds[r]` gets the
/// smallest and largest closeness of the set (what ranking needs, found here while the values
/// are in registers). Each squared distance is accumulated in child order with fused
/// multiply-adds (`mul_add`, one rounding each: as BLAS's dgemm kernels do, and the same on
/// every CPU — without FMA hardware it is computed exactly in software), so every result is
/// bit-identical whatever the instruction set or batch.
pub(crate) fn closeness(pre: &TopsisPre, fs: &[f64], scale: f64, out: &mut [f64], degenerate: &mut [bool], bounds: &mut [(f64, f64)]) {
    let sets = degenerate.len();
    assert!(fs.len() == sets * pre.k && out.len() == sets * pre.n && bounds.len() == sets);
    #[cfg(target_arch = "x86_64")]
    {
        let fma = std::arch::is_x86_feature_detected!("fma");
        if fma && std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F and FMA (checked just above).
            unsafe { closeness_avx512(pre, fs, scale, out, degenerate, bounds) };
            return;
        }
        if fma && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            unsafe { closeness_avx2(pre, fs, scale, out, degenerate, bounds) };
            return;
        }
    }
    closeness_blocks::<2>(pre, fs, scale, out, degenerate, bounds)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn closeness_avx512(pre: &TopsisPre, fs: &[f64], scale: f64, out: &mut [f64], degenerate: &mut [bool], bounds: &mut [(f64, f64)]) {
    use std::arch::x86_64::*;
    const R: usize = 8;
    let (n, k, sets) = (pre.n, pre.k, degenerate.len());
    let full = sets / R * R;
    degenerate[..full].fill(false);
    // Per set, the smallest and largest closeness of each lane, reduced once at the end.
    let mut lanes = vec![(_mm512_set1_pd(f64::INFINITY), _mm512_set1_pd(f64::NEG_INFINITY)); full];
    for b in 0..n.div_ceil(LANES) {
        let dist = &pre.dist[b * k * 2 * LANES..(b + 1) * k * 2 * LANES];
        let live = (n - b * LANES).min(LANES);
        for r in (0..full).step_by(R) {
            // SAFETY: this function runs where the CPU has AVX-512F and FMA.
            unsafe { tile8_avx512(dist, &fs[r * k..(r + R) * k], scale, &mut out[r * n..(r + R) * n], b * LANES, live, &mut degenerate[r..r + R], &mut lanes[r..r + R]) };
        }
    }
    for (bd, (lo, hi)) in bounds.iter_mut().zip(lanes) {
        *bd = (_mm512_reduce_min_pd(lo), _mm512_reduce_max_pd(hi));
    }
    // The sets after the last full tile, one at a time (the same operations, so the same bits).
    closeness_blocks::<1>(pre, &fs[full * k..], scale, &mut out[full * n..], &mut degenerate[full..], &mut bounds[full..]);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn closeness_avx2(pre: &TopsisPre, fs: &[f64], scale: f64, out: &mut [f64], degenerate: &mut [bool], bounds: &mut [(f64, f64)]) {
    closeness_blocks::<2>(pre, fs, scale, out, degenerate, bounds)
}

/// For each block of units, every set of factors in tiles of R sets whose sums stay in
/// registers (2·R accumulators of 8 units: R = 2 fills AVX2's 16 registers; AVX-512 has its
/// own loop).
#[inline(always)]
fn closeness_blocks<const R: usize>(pre: &TopsisPre, fs: &[f64], scale: f64, out: &mut [f64], degenerate: &mut [bool], bounds: &mut [(f64, f64)]) {
    let (n, k, sets) = (pre.n, pre.k, degenerate.len());
    degenerate.fill(false);
    bounds.fill((f64::INFINITY, f64::NEG_INFINITY));
    for b in 0..n.div_ceil(LANES) {
        let dist = &pre.dist[b * k * 2 * LANES..(b + 1) * k * 2 * LANES];
        let live = (n - b * LANES).min(LANES);
        let mut r = 0;
        while r < sets {
            let t = if r + R <= sets { R } else { 1 };
            let (f, o, d, bd) = (&fs[r * k..(r + t) * k], &mut out[r * n..(r + t) * n], &mut degenerate[r..r + t], &mut bounds[r..r + t]);
            if t == R {
                tile::<R>(dist, f, scale, o, b * LANES, live, d, bd)
            } else {
                tile::<1>(dist, f, scale, o, b * LANES, live, d, bd)
            }
            r += t;
        }
    }
}

/// [`tile`] for R = 8 with AVX-512 intrinsics: the two distance vectors of a child are loaded
/// once into registers for the sixteen fused multiply-adds that use them (from the portable code
/// the compiler folds a load into every one, and the loop then waits on loads).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn tile8_avx512(dist: &[f64], f: &[f64], scale: f64, out: &mut [f64], first: usize, live: usize, degenerate: &mut [bool], bounds: &mut [(std::arch::x86_64::__m512d, std::arch::x86_64::__m512d)]) {
    use std::arch::x86_64::*;
    const R: usize = 8;
    let k = f.len() / R;
    let n = out.len() / R;
    assert!(dist.len() >= k * 2 * LANES && f.len() == R * k);
    let mut ap = [_mm512_setzero_pd(); R];
    let mut am = [_mm512_setzero_pd(); R];
    let (d, fp) = (dist.as_ptr(), f.as_ptr());
    for c in 0..k {
        // SAFETY: c < k, so the reads stay within dist[..k·16] and f[..8·k] (asserted above).
        let (p, m) = unsafe { (_mm512_loadu_pd(d.add(c * 2 * LANES)), _mm512_loadu_pd(d.add(c * 2 * LANES + LANES))) };
        for r in 0..R {
            // SAFETY: as above.
            let fc = _mm512_set1_pd(unsafe { *fp.add(r * k + c) });
            ap[r] = _mm512_fmadd_pd(fc, p, ap[r]);
            am[r] = _mm512_fmadd_pd(fc, m, am[r]);
        }
    }
    // What `finish` does, in registers: the same operations lane by lane (so the same bits).
    // Each lane's running smallest and largest closeness leave out dead lanes and NaN (0/0, or
    // a missing value), as `f64::min`/`max` do.
    let live_mask: __mmask8 = if live >= LANES { 0xff } else { (1u8 << live) - 1 };
    let vscale = _mm512_set1_pd(scale);
    for r in 0..R {
        let (p, m) = (_mm512_sqrt_pd(ap[r]), _mm512_sqrt_pd(am[r]));
        let sum = _mm512_add_pd(p, m);
        let cl = _mm512_mul_pd(_mm512_div_pd(m, sum), vscale);
        degenerate[r] |= _mm512_mask_cmp_pd_mask::<_CMP_EQ_OQ>(live_mask, sum, _mm512_setzero_pd()) != 0;
        let valid = _mm512_mask_cmp_pd_mask::<_CMP_ORD_Q>(live_mask, cl, cl);
        let (lo, hi) = bounds[r];
        bounds[r] = (_mm512_mask_min_pd(lo, valid, lo, cl), _mm512_mask_max_pd(hi, valid, hi, cl));
        assert!(r * n + first + live <= out.len());
        // SAFETY: the masked store writes the live lanes only, within out (asserted above).
        unsafe { _mm512_mask_storeu_pd(out.as_mut_ptr().add(r * n + first), live_mask, cl) };
    }
}

/// Closeness from the squared distances of R sets × 8 units, with the degenerate flags and
/// bounds.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn finish<const R: usize>(dp: &[[f64; LANES]; R], dm: &[[f64; LANES]; R], scale: f64, out: &mut [f64], n: usize, first: usize, live: usize, degenerate: &mut [bool], bounds: &mut [(f64, f64)]) {
    for r in 0..R {
        let mut cl = [0.0f64; LANES];
        let mut zero = false;
        let (mut lo, mut hi) = bounds[r];
        for l in 0..LANES {
            let (p, m) = (dp[r][l].sqrt(), dm[r][l].sqrt());
            zero |= (p + m == 0.0) & (l < live);
            cl[l] = m / (p + m) * scale;
            lo = lo.min(if l < live { cl[l] } else { f64::INFINITY });
            hi = hi.max(if l < live { cl[l] } else { f64::NEG_INFINITY });
        }
        bounds[r] = (lo, hi);
        degenerate[r] |= zero;
        out[r * n + first..r * n + first + live].copy_from_slice(&cl[..live]);
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tile<const R: usize>(dist: &[f64], f: &[f64], scale: f64, out: &mut [f64], first: usize, live: usize, degenerate: &mut [bool], bounds: &mut [(f64, f64)]) {
    let k = f.len() / R;
    let n = out.len() / R;
    // Both distances in one pass: each factor is loaded once for the two sums.
    let mut dp = [[0.0f64; LANES]; R];
    let mut dm = [[0.0f64; LANES]; R];
    for (c, d) in dist.chunks_exact(2 * LANES).enumerate() {
        let p: &[f64; LANES] = d[..LANES].try_into().expect("a block of LANES");
        let m: &[f64; LANES] = d[LANES..].try_into().expect("a block of LANES");
        for r in 0..R {
            let fc = f[r * k + c];
            for l in 0..LANES {
                dp[r][l] = fc.mul_add(p[l], dp[r][l]);
                dm[r][l] = fc.mul_add(m[l], dm[r][l]);
            }
        }
    }
    finish::<R>(&dp, &dm, scale, out, n, first, live, degenerate, bounds);
}

/// Scores of every aggregate (index `k − ni`) under the given weights and aggregation override.
/// `cache[k − ni]` may hold the TOPSIS distances of aggregates whose children are indicators;
/// `used` gets the distances every TOPSIS aggregate was computed with.
pub(crate) fn aggregate(
    prep: &Prepared,
    scores: &[Vec<f64>],
    weights: &[f64],
    scoring_over: Option<&Scoring>,
    over: Option<&Aggregation>,
    cache: &[Option<Arc<TopsisPre>>],
    mut used: Option<&mut Vec<Option<Arc<TopsisPre>>>>,
) -> Result<Vec<Vec<f64>>, EvalError> {
    let plan = &prep.plan;
    let (ni, n) = (plan.ni, plan.n_units);
    let mut values: Vec<Vec<f64>> = Vec::with_capacity(plan.items.len() - ni);
    for k in ni..plan.items.len() {
        let item = &plan.items[k];
        let ItemKind::Aggregate { aggregation, missing } = &item.kind else { unreachable!() };
        let agg = over.unwrap_or(aggregation);
        let cols: Vec<&[f64]> = item.children.iter().map(|&c| if c < ni { &scores[c][..] } else { &values[c - ni][..] }).collect();
        let w: Vec<f64> = item.children.iter().map(|&c| weights[c]).collect();
        let mut topsis = None;
        let out = match agg {
            Aggregation::Arithmetic | Aggregation::Geometric => {
                let geometric = matches!(agg, Aggregation::Geometric);
                let (mut num, mut den, mut gap) = (vec![0.0; n], vec![0.0; n], vec![false; n]);
                for (c, col) in cols.iter().enumerate() {
                    for i in 0..n {
                        let v = col[i];
                        if v.is_nan() {
                            gap[i] = true;
                            continue;
                        }
                        if geometric {
                            if v <= 0.0 {
                                return Err(EvalError::GeometricNonPositive {
                                    unit: prep.inputs.units[i].code.clone(),
                                    node: item.label.clone(),
                                    child: plan.items[item.children[c]].label.clone(),
                                    value: v,
                                });
                            }
                            num[i] += w[c] * v.ln();
                        } else {
                            num[i] += w[c] * v;
                        }
                        den[i] += w[c];
                    }
                }
                (0..n)
                    .map(|i| {
                        // All children missing, or only zero-weight ones present: no score.
                        if (gap[i] && *missing == NodeMissing::RequireAll) || den[i] == 0.0 {
                            f64::NAN
                        } else if geometric {
                            (num[i] / den[i]).exp()
                        } else {
                            num[i] / den[i]
                        }
                    })
                    .collect()
            }
            Aggregation::Topsis { distance, scale } => {
                let pre = match cache.get(k - ni).and_then(|c| c.clone()) {
                    Some(p) => p,
                    None => Arc::new(topsis_prepare(prep, k, &cols, &raw_cost_children(prep, k, scoring_over), *missing)?),
                };
                let out = topsis_combine(&pre, &w, *distance, *scale, &item.label)?;
                topsis = Some(pre);
                out
            }
        };
        if let Some(u) = used.as_deref_mut() {
            u.push(topsis);
        }
        values.push(out);
    }
    Ok(values)
}

/// Final score: index + bonuses − deductions; a "zero" veto sets it to 0.
pub(crate) fn final_scores(prep: &Prepared, index: &[f64]) -> Vec<f64> {
    index
        .iter()
        .enumerate()
        .map(|(i, &v)| if v.is_nan() { v } else if prep.veto[i] == Some(VetoEffect::Zero) { 0.0 } else { v + prep.offsets[i] })
        .collect()
}

/// Ranks of the final scores (0 = none): rounded if the scheme says so, units with a "last"
/// veto after all others.
pub(crate) fn final_ranks(finals: &[f64], veto: &[Option<VetoEffect>], round: Option<u32>) -> Vec<u32> {
    let s: Vec<f64> = finals.iter().map(|&v| if v.is_nan() { v } else { round.map_or(v, |dp| round_dp(v, dp)) }).collect();
    if !veto.contains(&Some(VetoEffect::Last)) {
        return ranks_nan(&s);
    }
    let last = |i: usize| veto[i] == Some(VetoEffect::Last);
    let normal: Vec<f64> = s.iter().enumerate().map(|(i, &v)| if last(i) { f64::NAN } else { v }).collect();
    let vetoed: Vec<f64> = s.iter().enumerate().map(|(i, &v)| if last(i) { v } else { f64::NAN }).collect();
    let (r1, r2) = (ranks_nan(&normal), ranks_nan(&vetoed));
    let ranked = r1.iter().filter(|&&r| r > 0).count() as u32;
    (0..s.len()).map(|i| if r1[i] > 0 { r1[i] } else if r2[i] > 0 { r2[i] + ranked } else { 0 }).collect()
}

/// `final_ranks(final_scores(index))` written to `out[i·stride]`, with the ranking buffers of
/// the caller (a Monte Carlo replication allocates nothing); the same ranks.
pub(crate) fn final_ranks_into<T: RankCell>(prep: &Prepared, index: &[f64], scratch: &mut RankScratch, out: &mut [T], stride: usize) {
    let round = prep.scheme.ranking.round;
    if prep.veto.contains(&Some(VetoEffect::Last)) {
        let ranks = final_ranks(&final_scores(prep, index), &prep.veto, round);
        ranks.into_iter().enumerate().for_each(|(i, r)| out[i * stride] = T::from_rank(r));
        return;
    }
    scratch.keys.clear();
    scratch.keys.extend(index.iter().zip(&prep.veto).zip(&prep.offsets).map(|((&v, veto), offset)| {
        let f = if v.is_nan() { v } else if *veto == Some(VetoEffect::Zero) { 0.0 } else { v + offset };
        desc_key(if f.is_nan() { f } else { round.map_or(f, |dp| round_dp(f, dp)) })
    }));
    scratch.rank(out, stride);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Indicator,
    Aggregate,
}

/// One node of the tree with its scores for every unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeResult {
    pub code: String,
    pub name: String,
    pub kind: NodeKind,
    pub parent: Option<String>,
    pub level: u32,
    /// The weight used within the parent (written, equal or objective), not normalised.
    pub weight: f64,
    /// `weight` as a share of all its siblings' weights.
    pub share: f64,
    /// Indicators: the scoring; aggregates: the aggregation.
    pub method: String,
    pub aggregation: Option<Aggregation>,
    /// Indicators: the input values as given (empty for aggregates).
    pub raw: UnitValues,
    pub values: UnitValues,
    pub topsis: Option<TopsisDetail>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRanks {
    pub group: String,
    /// Per unit: its value of the attribute.
    pub values: Vec<Option<String>>,
    pub ranks: Vec<Option<u32>>,
}

/// A consequence triggered for a unit, with the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consequence {
    pub rule: String,
    pub label: String,
    pub unit: String,
    pub reason: String,
}

/// The result of [`evaluate`]. Vectors are per unit in input order; nodes are indicators in
/// scheme order, then aggregates children-first, the index last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub scheme: String,
    pub version: u32,
    pub year: Option<i32>,
    pub units: Vec<UnitInfo>,
    pub nodes: Vec<NodeResult>,
    /// The index before deductions, bonuses and vetoes.
    pub index: Vec<Option<f64>>,
    pub adjustments: Vec<Vec<AppliedAdjustment>>,
    /// Bonuses − deductions after caps.
    pub adjustment_total: Vec<f64>,
    pub veto: Vec<Option<VetoEffect>>,
    pub scores: Vec<Option<f64>>,
    pub ranks: Vec<Option<u32>>,
    pub group_ranks: Vec<GroupRanks>,
    pub previous_ranks: Vec<Option<u32>>,
    /// previous − current: positive = 进位 (moved forward).
    pub rank_change: Vec<Option<i64>>,
    pub consequences: Vec<Consequence>,
    /// What the office should know: imputed values, constant columns, zero weights …
    pub notices: Vec<String>,
}

impl Outcome {
    pub fn unit_index(&self, code: &str) -> Option<usize> {
        self.units.iter().position(|u| u.code == code)
    }
    pub fn node(&self, code: &str) -> Option<&NodeResult> {
        self.nodes.iter().find(|n| n.code == code)
    }
    /// Unit indices in rank order (rank 1 first, ties in unit order, unranked units last): the
    /// order of every results table and chart.
    pub fn rank_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.units.len()).collect();
        order.sort_by_key(|&i| self.ranks[i].unwrap_or(u32::MAX));
        order
    }
}

fn opt(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

/// Runs a scheme on its data. Any problem (scheme, data, method) gives an error and no result.
/// With a Monte Carlo run as well, use [`Evaluation`]: both from one preparation.
pub fn evaluate(scheme: &Scheme, inputs: &Inputs, context: &Context) -> Result<Outcome, EvalError> {
    Ok(Evaluation::new(scheme, inputs)?.outcome(context))
}

/// A scheme prepared on its data, with its nominal run: compiled plan, weights, scores, the
/// TOPSIS distances, index, final scores and ranks. [`Evaluation::outcome`] reports it and
/// [`Evaluation::monte_carlo`] perturbs it, so a run with robustness bands prepares once.
pub struct Evaluation<'a> {
    pub(crate) prep: Prepared<'a>,
    /// Per indicator: its scores (shared with the outcome).
    pub(crate) scores: Arc<Vec<Vec<f64>>>,
    /// Per aggregate (index `k − ni`): its values (shared with the outcome), and for a TOPSIS
    /// one the distances used.
    values: Arc<Vec<Vec<f64>>>,
    pub(crate) topsis: Vec<Option<Arc<TopsisPre>>>,
    finals: Vec<f64>,
    /// Per unit: its rank (0 = none).
    pub(crate) ranks: Vec<u32>,
    notices: Vec<String>,
}

impl<'a> Evaluation<'a> {
    /// Prepares the scheme and runs it nominally. Any problem (scheme, data, method) gives an
    /// error.
    pub fn new(scheme: &'a Scheme, inputs: &'a Inputs) -> Result<Evaluation<'a>, EvalError> {
        let prep = prepare(scheme, inputs)?;
        let mut notices = prep.notices.clone();
        let scores = Arc::new(score_all(&prep, None, Some(&mut notices))?);
        let mut topsis = Vec::new();
        let values = Arc::new(aggregate(&prep, &scores, &prep.weights, None, None, &[], Some(&mut topsis))?);
        let finals = final_scores(&prep, &values[prep.plan.root - prep.plan.ni]);
        let ranks = final_ranks(&finals, &prep.veto, scheme.ranking.round);
        Ok(Evaluation { prep, scores, values, topsis, finals, ranks, notices })
    }

    /// The nominal result in `context` (rank change and consequences against earlier years).
    pub fn outcome(&self, context: &Context) -> Outcome {
        outcome(self, context)
    }
}

fn outcome(ev: &Evaluation, context: &Context) -> Outcome {
    let Evaluation { prep, scores, values, topsis, finals, ranks, notices } = ev;
    let (scheme, inputs) = (prep.scheme, prep.inputs);
    let plan = &prep.plan;
    let ni = plan.ni;
    let index = &values[plan.root - ni];
    let n = plan.n_units;

    let group_ranks: Vec<GroupRanks> = scheme
        .ranking
        .groups
        .iter()
        .map(|g| {
            let values: Vec<Option<String>> = inputs.units.iter().map(|u| u.groups.get(g).cloned()).collect();
            let mut ranks = vec![None; n];
            for (_, members) in partition(&values) {
                let f: Vec<f64> = members.iter().map(|&i| finals[i]).collect();
                let v: Vec<Option<VetoEffect>> = members.iter().map(|&i| prep.veto[i]).collect();
                for (r, &i) in final_ranks(&f, &v, scheme.ranking.round).into_iter().zip(&members) {
                    ranks[i] = (r > 0).then_some(r);
                }
            }
            GroupRanks { group: g.clone(), values, ranks }
        })
        .collect();

    let previous = context.previous();
    let previous_ranks: Vec<Option<u32>> = inputs.units.iter().map(|u| previous.and_then(|p| p.ranks.get(&u.code).copied())).collect();
    let rank_change: Vec<Option<i64>> = (0..n)
        .map(|i| match (previous_ranks[i], ranks[i]) {
            (Some(p), c) if c > 0 => Some(p as i64 - c as i64),
            _ => None,
        })
        .collect();
    let ranks: Vec<Option<u32>> = ranks.iter().map(|&r| (r > 0).then_some(r)).collect();

    let mut nodes = Vec::with_capacity(plan.items.len());
    for (k, item) in plan.items.iter().enumerate() {
        let siblings: f64 = match item.parent {
            Some(p) => plan.items[p].children.iter().map(|&c| prep.weights[c]).sum(),
            None => 1.0,
        };
        let (kind, method, aggregation, raw, vals, topsis) = match &item.kind {
            ItemKind::Indicator { column, .. } => {
                let raw = if prep.values_are_raw[k] { UnitValues::shared(&prep.values, k) } else { UnitValues::own(column_f64(inputs, *column)) };
                (NodeKind::Indicator, prep.scorings[k].label(), None, raw, UnitValues::shared(scores, k), None)
            }
            ItemKind::Aggregate { aggregation, .. } => (
                NodeKind::Aggregate,
                aggregation.label().to_string(),
                Some(aggregation.clone()),
                UnitValues::default(),
                UnitValues::shared(values, k - ni),
                topsis[k - ni].as_ref().map(|p| TopsisDetail { ideal: p.ideal.clone(), anti: p.anti.clone() }),
            ),
        };
        nodes.push(NodeResult {
            code: item.code.clone(),
            name: item.name.clone(),
            kind,
            parent: item.parent.map(|p| plan.items[p].code.clone()),
            level: item.level,
            weight: prep.weights[k],
            share: if item.parent.is_some() { prep.weights[k] / siblings } else { 1.0 },
            method,
            aggregation,
            raw,
            values: vals,
            topsis,
        });
    }

    let mut outcome = Outcome {
        scheme: scheme.code.clone(),
        version: scheme.version,
        year: context.year,
        units: inputs.units.clone(),
        nodes,
        index: index.iter().map(|&v| opt(v)).collect(),
        adjustments: prep.applied.clone(),
        adjustment_total: prep.offsets.clone(),
        veto: prep.veto.clone(),
        scores: finals.iter().map(|&v| opt(v)).collect(),
        ranks,
        group_ranks,
        previous_ranks,
        rank_change,
        consequences: vec![],
        notices: notices.clone(),
    };
    outcome.consequences = consequences(scheme, &outcome, context);
    outcome
}

/// Units by attribute value (units without the attribute are left out).
fn partition(values: &[Option<String>]) -> BTreeMap<String, Vec<usize>> {
    let mut parts: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            parts.entry(v.clone()).or_default().push(i);
        }
    }
    parts
}

/// Place from the bottom: `1 + #{k : rank_k > rank_i}` over ranked units, so units tied at the
/// boundary of "the last N" are all in it.
fn from_bottom(ranks: &[(usize, u32)]) -> BTreeMap<usize, u32> {
    ranks.iter().map(|&(i, r)| (i, 1 + ranks.iter().filter(|(_, q)| *q > r).count() as u32)).collect()
}

/// A part of the units a consequence rule applies in: attribute value, members, ranks.
type Part = (Option<String>, Vec<usize>, Vec<Option<u32>>);

fn consequences(scheme: &Scheme, o: &Outcome, context: &Context) -> Vec<Consequence> {
    let n = o.units.len();
    let all: Vec<usize> = (0..n).collect();
    let no_award = |i: usize| o.veto[i].is_some();
    let mut out = Vec::new();
    for rule in &scheme.consequences {
        // The parts the rule applies in, with the rank of each member within its part.
        let parts: Vec<Part> = match &rule.group {
            None => vec![(None, all.clone(), o.ranks.clone())],
            Some(g) => match o.group_ranks.iter().find(|r| &r.group == g) {
                Some(gr) => partition(&gr.values).into_iter().map(|(v, m)| (Some(v), m, gr.ranks.clone())).collect(),
                None => {
                    // A group the scheme does not rank: rank within it from the overall order.
                    let values: Vec<Option<String>> = o.units.iter().map(|u| u.groups.get(g).cloned()).collect();
                    partition(&values)
                        .into_iter()
                        .map(|(v, m)| {
                            let s: Vec<f64> = m.iter().map(|&i| o.ranks[i].map_or(f64::NAN, |r| -(r as f64))).collect();
                            let r = ranks_nan(&s);
                            let mut ranks = vec![None; n];
                            for (k, &i) in m.iter().enumerate() {
                                ranks[i] = (r[k] > 0).then_some(r[k]);
                            }
                            (Some(v), m, ranks)
                        })
                        .collect()
                }
            },
        };
        for (part, members, ranks) in parts {
            let within = part.as_ref().map(|v| format!("（{}：{v}）", rule.group.as_deref().unwrap_or(""))).unwrap_or_default();
            let ranked: Vec<(usize, u32)> = members.iter().filter_map(|&i| ranks[i].map(|r| (i, r))).collect();
            let total = ranked.len();
            let bottom = from_bottom(&ranked);
            let mut hit = |i: usize, reason: String| {
                out.push(Consequence { rule: rule.code.clone(), label: rule.label.clone(), unit: o.units[i].code.clone(), reason })
            };
            match rule.when {
                ConsequenceWhen::Bottom => {
                    for &(i, r) in &ranked {
                        if bottom[&i] <= rule.n {
                            hit(i, format!("排名第 {r} 位{within}，共 {total} 个单位，位列后 {} 名", rule.n));
                        }
                    }
                }
                ConsequenceWhen::Top => {
                    for &(i, r) in &ranked {
                        if r <= rule.n && !no_award(i) {
                            hit(i, format!("排名第 {r} 位{within}，位列前 {} 名", rule.n));
                        }
                    }
                }
                ConsequenceWhen::MostImproved => {
                    let moves: Vec<(usize, i64)> =
                        members.iter().filter_map(|&i| o.rank_change[i].filter(|&c| c > 0 && !no_award(i)).map(|c| (i, c))).collect();
                    for &(i, c) in &moves {
                        let place = 1 + moves.iter().filter(|(_, d)| *d > c).count() as u32;
                        if place <= rule.n {
                            hit(i, format!("位次前移 {c} 位{within}，进位幅度第 {place}"));
                        }
                    }
                }
                ConsequenceWhen::RepeatBottom => {
                    let (times, years) = (rule.times.unwrap_or(2), rule.years.unwrap_or(3));
                    let Some(year) = context.year else { continue };
                    // Past rankings restricted to this part keep their order, so the bottom of a
                    // part in a past year comes from the overall ranks.
                    let past: Vec<(i32, BTreeMap<usize, u32>)> = context
                        .history
                        .iter()
                        .filter(|p| p.year < year && p.year > year - years as i32)
                        .map(|p| {
                            let r: Vec<(usize, u32)> = members.iter().filter_map(|&i| p.ranks.get(&o.units[i].code).map(|&r| (i, r))).collect();
                            (p.year, from_bottom(&r))
                        })
                        .collect();
                    for &(i, _) in &ranked {
                        if bottom[&i] > rule.n {
                            continue;
                        }
                        let mut when: Vec<i32> = past.iter().filter(|(_, b)| b.get(&i).is_some_and(|&p| p <= rule.n)).map(|(y, _)| *y).collect();
                        when.sort();
                        when.push(year);
                        if when.len() as u32 >= times {
                            let ys = when.iter().map(|y| format!("{y}")).collect::<Vec<_>>().join("、");
                            hit(i, format!("近 {years} 年中 {} 次位列后 {} 名{within}（{ys}年）", when.len(), rule.n));
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::SplitMix64;

    /// The vectorised closeness (AVX-512 or AVX2 with FMA where the CPU has them) is
    /// bit-identical to the portable code, for any batch size and a partial last block of units,
    /// and its bounds are the smallest and largest closeness of each set.
    #[test]
    fn closeness_is_the_same_on_every_instruction_set() {
        let mut g = SplitMix64::new(9);
        let (n, k, sets): (usize, usize, usize) = (37, 6, 11);
        let size = n.div_ceil(LANES) * k * 2 * LANES;
        let mut pre = TopsisPre { n, k, dist: vec![0.0; size], ideal: vec![], anti: vec![] };
        for i in 0..n {
            for c in 0..k {
                pre.dist[dist_at(i, c, k)] = g.uniform();
                pre.dist[dist_at(i, c, k) + LANES] = g.uniform();
            }
        }
        let fs: Vec<f64> = (0..sets * k).map(|_| g.uniform() / 3.0).collect();
        let (mut fast, mut portable) = (vec![0.0; sets * n], vec![0.0; sets * n]);
        let (mut d1, mut d2) = (vec![true; sets], vec![true; sets]);
        let (mut b1, mut b2) = (vec![(0.0, 0.0); sets], vec![(0.0, 0.0); sets]);
        closeness(&pre, &fs, 100.0, &mut fast, &mut d1, &mut b1);
        closeness_blocks::<4>(&pre, &fs, 100.0, &mut portable, &mut d2, &mut b2);
        assert_eq!(fast.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), portable.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        assert_eq!((d1, d2), (vec![false; sets], vec![false; sets]));
        assert_eq!(b1, b2);
        for (r, &(lo, hi)) in b1.iter().enumerate() {
            let set = &fast[r * n..(r + 1) * n];
            assert_eq!((lo, hi), (set.iter().copied().fold(f64::INFINITY, f64::min), set.iter().copied().fold(f64::NEG_INFINITY, f64::max)));
        }
        // A unit at both the ideal and the anti-ideal (0/0: degenerate) and one with a missing
        // value (NaN) in the batch and alone: the same flags and bounds on every path.
        let mut odd = pre.clone();
        for c in 0..k {
            for at in [dist_at(5, c, k), dist_at(5, c, k) + LANES] {
                odd.dist[at] = 0.0;
            }
            odd.dist[dist_at(33, c, k)] = f64::NAN;
        }
        for sets in [sets, 1] {
            let (mut fast, mut portable) = (vec![0.0; sets * n], vec![0.0; sets * n]);
            let (mut d1, mut d2) = (vec![false; sets], vec![false; sets]);
            let (mut b1, mut b2) = (vec![(0.0, 0.0); sets], vec![(0.0, 0.0); sets]);
            closeness(&odd, &fs[..sets * k], 100.0, &mut fast, &mut d1, &mut b1);
            closeness_blocks::<4>(&odd, &fs[..sets * k], 100.0, &mut portable, &mut d2, &mut b2);
            assert_eq!(fast.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), portable.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
            assert_eq!((&d1, &b1), (&d2, &b2));
            assert_eq!(d1, vec![true; sets]);
            let finite = |set: &[f64]| set.iter().copied().filter(|v| !v.is_nan()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
            assert!(b1.iter().enumerate().all(|(r, &b)| b == finite(&fast[r * n..(r + 1) * n])));
        }
        // One set alone gives the same as within the batch.
        let mut one = vec![0.0; n];
        closeness(&pre, &fs[3 * k..4 * k], 100.0, &mut one, &mut [false], &mut [(0.0, 0.0)]);
        assert_eq!(one, fast[3 * n..4 * n]);
        // Hand check of unit 0 in set 0: D² = Σ f·d (fused or not, within 1e-15 here).
        let (p, m) = (0..k).fold((0.0f64, 0.0f64), |(p, m), c| (p + fs[c] * pre.dist[dist_at(0, c, k)], m + fs[c] * pre.dist[dist_at(0, c, k) + LANES]));
        assert!((fast[0] - m.sqrt() / (p.sqrt() + m.sqrt()) * 100.0).abs() < 1e-12);
    }
}
