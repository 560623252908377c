//! Scoring (normalisation) of one indicator column, METHODS.md §2. Columns are `f64` with NaN
//! for a missing value inside the engine; statistics run over the observed values only.

use super::scheme::{Direction, Scoring};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnIssue {
    /// All observed values are equal and the method would divide 0 by 0.
    Constant,
    Message(String),
}

fn observed(x: &[f64]) -> impl Iterator<Item = f64> + '_ {
    x.iter().copied().filter(|v| !v.is_nan())
}

/// Smallest and largest observed value (∞, −∞ when none): what
/// `observed(x).fold((∞, −∞), |(lo, hi), v| (lo.min(v), hi.max(v)))` gives, in eight
/// independent lanes of plain comparisons, which compile to packed min/max (that chain of
/// dependent NaN-aware `min`s was a fifth of the nominal run). A comparison with NaN is false,
/// so missing values are skipped. Which zero is kept among 0.0 and −0.0 depends on the order,
/// so when the column has both (and a bound is zero) it is found again the original way: the
/// result is the same bits.
pub(crate) fn min_max(x: &[f64]) -> (f64, f64) {
    const L: usize = 8;
    let (mut lo, mut hi) = ([f64::INFINITY; L], [f64::NEG_INFINITY; L]);
    let chunks = x.chunks_exact(L);
    let tail = chunks.remainder();
    for c in chunks {
        for l in 0..L {
            lo[l] = if c[l] < lo[l] { c[l] } else { lo[l] };
            hi[l] = if c[l] > hi[l] { c[l] } else { hi[l] };
        }
    }
    let lo = lo.iter().chain(tail).fold(f64::INFINITY, |a, &v| if v < a { v } else { a });
    let hi = hi.iter().chain(tail).fold(f64::NEG_INFINITY, |b, &v| if v > b { v } else { b });
    if (lo == 0.0 || hi == 0.0) && both_zeros(x) {
        return observed(x).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    }
    (lo, hi)
}

/// Whether `x` holds both 0.0 and −0.0 (a pass without early exit: it vectorises).
fn both_zeros(x: &[f64]) -> bool {
    let (pos, neg) = x.iter().fold((false, false), |(p, n), v| (p | (v.to_bits() == 0), n | (v.to_bits() == 1 << 63)));
    pos && neg
}

fn mean(x: &[f64]) -> f64 {
    let (s, n) = observed(x).fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    s / n as f64
}

/// Ascending ranks with ties "min" over the observed values (the largest value gets the largest
/// rank), NaN stays NaN: `1 + #{k : x_k < x_i}`.
pub(crate) fn ascending_min_ranks(x: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = observed(x).map(|v| v + 0.0).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    x.iter()
        .map(|&v| if v.is_nan() { f64::NAN } else { (sorted.partition_point(|&s| s < v) + 1) as f64 })
        .collect()
}

/// `f` of every observed value, NaN where missing. Generic so that `f` is inlined into the loop
/// (through `&dyn Fn` it was an indirect call per value).
#[inline(always)]
fn map_observed(x: &[f64], f: impl Fn(f64) -> f64) -> Vec<f64> {
    x.iter().map(|&v| if v.is_nan() { v } else { f(v) }).collect()
}

/// Scores a column `x` (already transformed and imputed). `base` is growth scoring's base-year
/// column.
pub(crate) fn score_column(x: &[f64], base: Option<&[f64]>, dir: Direction, scoring: &Scoring) -> Result<Vec<f64>, ColumnIssue> {
    let n_obs = observed(x).count();
    if n_obs == 0 {
        return Err(ColumnIssue::Message("没有任何有效数值".into()));
    }
    let d = dir.sign();
    Ok(match *scoring {
        Scoring::MinMax { low, high } => {
            // COINr multiplies by the direction first: (x' − min x')/(max x' − min x').
            let (lo, hi) = min_max(x);
            let (lo, hi) = if d > 0.0 { (lo, hi) } else { (-hi, -lo) };
            if hi == lo {
                return Err(ColumnIssue::Constant);
            }
            map_observed(x, |v| (d * v - lo) / (hi - lo) * (high - low) + low)
        }
        Scoring::ZScore { mean: m, sd: s } => {
            if n_obs < 2 {
                return Err(ColumnIssue::Constant);
            }
            let mu = mean(x);
            let var = observed(x).map(|v| (v - mu) * (v - mu)).sum::<f64>() / (n_obs - 1) as f64;
            let sd = var.sqrt();
            if sd == 0.0 {
                return Err(ColumnIssue::Constant);
            }
            map_observed(x, |v| (d * v - d * mu) / sd * s + m)
        }
        Scoring::Goalposts { low, high, scale } => {
            // Bounds arrive transformed like the data (ln for HDI income).
            map_observed(x, |v| {
                let y = if d > 0.0 { (v - low) / (high - low) } else { (v - high) / (low - high) };
                y.clamp(0.0, 1.0) * scale
            })
        }
        Scoring::DistanceToTarget { target, cap, scale } => {
            let (lo, hi) = min_max(x);
            let den = if d > 0.0 { target - lo } else { hi - target };
            if den == 0.0 {
                return Err(ColumnIssue::Message("目标值等于最差值，目标值距离法无法计算".into()));
            }
            map_observed(x, |v| {
                let y = if d > 0.0 { (v - lo) / den } else { (hi - v) / den };
                (if cap { y.min(1.0) } else { y }) * scale
            })
        }
        Scoring::PercentRank { scale } => {
            let (lo, hi) = min_max(x);
            if lo == hi {
                return Err(ColumnIssue::Constant);
            }
            let xd: Vec<f64> = x.iter().map(|v| d * v).collect();
            ascending_min_ranks(&xd).into_iter().map(|r| (r - 1.0) / (n_obs - 1) as f64 * scale).collect()
        }
        Scoring::Rank => {
            let xd: Vec<f64> = x.iter().map(|v| d * v).collect();
            ascending_min_ranks(&xd)
        }
        Scoring::RatioToMax { scale } => {
            let (lo, hi) = min_max(x);
            if d > 0.0 {
                if hi <= 0.0 {
                    return Err(ColumnIssue::Message("与最优值之比要求最大值为正".into()));
                }
                map_observed(x, |v| v / hi * scale)
            } else {
                if lo <= 0.0 {
                    return Err(ColumnIssue::Message("负向指标的与最优值之比（最小值/本值）要求各值为正".into()));
                }
                map_observed(x, |v| lo / v * scale)
            }
        }
        Scoring::RatioToMean { scale } => {
            let (lo, _) = min_max(x);
            let mu = mean(x);
            if mu <= 0.0 || (d < 0.0 && lo <= 0.0) {
                return Err(ColumnIssue::Message("与平均值之比要求平均值为正（负向指标要求各值为正）".into()));
            }
            if d > 0.0 { map_observed(x, |v| v / mu * scale) } else { map_observed(x, |v| mu / v * scale) }
        }
        Scoring::Vector => {
            let norm = observed(x).map(|v| v * v).sum::<f64>().sqrt();
            if norm == 0.0 {
                return Err(ColumnIssue::Constant);
            }
            map_observed(x, |v| v / norm)
        }
        Scoring::Growth { points, flat_share, step_pct, step_points, bonus_cap_share, stepwise, .. } => x
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let g = match base {
                    Some(b) if b[i].is_nan() || b[i] <= 0.0 || v.is_nan() => return f64::NAN,
                    Some(b) => (v / b[i] - 1.0) * 100.0,
                    None => v,
                };
                growth_share(d * g, points, flat_share, step_pct, step_points, bonus_cap_share, stepwise)
            })
            .collect(),
        Scoring::Raw => x.to_vec(),
    })
}

/// Share of `points` earned (×100) at growth `g` %: flat earns `flat_share`, each `step_pct` %
/// moves `step_points` either way, the bonus over flat is capped at `cap_share · points`, and
/// the points never go below 0.
pub(crate) fn growth_share(g: f64, points: f64, flat_share: f64, step_pct: f64, step_points: f64, cap_share: f64, stepwise: bool) -> f64 {
    if g.is_nan() {
        return g;
    }
    let steps = g / step_pct;
    // Whole steps only: 90/100 − 1 is −9.999…98 %, which must count as two full steps.
    let steps = if stepwise {
        let r = steps.round();
        if (steps - r).abs() < 1e-9 { r } else { steps.trunc() }
    } else {
        steps
    };
    let bonus = (steps * step_points).min(cap_share * points);
    let earned = (flat_share * points + bonus).max(0.0);
    earned / points * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::SplitMix64;

    /// The lane-wise bounds are the bits of the sequential NaN-skipping fold: any length (a
    /// partial last chunk, shorter than a chunk, empty), missing values in whole lanes, and
    /// zeros of either or both signs.
    #[test]
    fn min_max_is_the_sequential_fold() {
        let fold = |x: &[f64]| observed(x).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let bits = |(a, b): (f64, f64)| (a.to_bits(), b.to_bits());
        let mut g = SplitMix64::new(5);
        for case in 0..400 {
            let n = case % 37;
            let x: Vec<f64> = (0..n)
                .map(|i| match (case / 37 % 6, g.uniform()) {
                    (1, _) if i % 8 == 3 => f64::NAN,
                    (2, u) if u < 0.3 => 0.0,
                    (3, u) if u < 0.3 => -0.0,
                    (4, u) if u < 0.2 => 0.0,
                    (4, u) if u < 0.4 => -0.0,
                    (5, u) if u < 0.5 => f64::NAN,
                    (_, u) => u * 10.0 - 5.0,
                })
                .collect();
            assert_eq!(bits(min_max(&x)), bits(fold(&x)), "{x:?}");
            let x: Vec<f64> = x.iter().map(|v| v.abs()).collect();
            assert_eq!(bits(min_max(&x)), bits(fold(&x)), "{x:?}");
        }
        assert_eq!(min_max(&[f64::NAN; 9]), (f64::INFINITY, f64::NEG_INFINITY));
        assert_eq!(min_max(&[3.0, 1.0, f64::NAN, 2.0, 7.0, 7.5, -1.0, 0.5, 6.0, -2.0]), (-2.0, 7.5));
    }
}
