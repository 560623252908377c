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

fn min_max(x: &[f64]) -> (f64, f64) {
    observed(x).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
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

/// Scores a column `x` (already transformed and imputed). `base` is growth scoring's base-year
/// column.
pub(crate) fn score_column(x: &[f64], base: Option<&[f64]>, dir: Direction, scoring: &Scoring) -> Result<Vec<f64>, ColumnIssue> {
    let n_obs = observed(x).count();
    if n_obs == 0 {
        return Err(ColumnIssue::Message("没有任何有效数值".into()));
    }
    let d = dir.sign();
    let map = |f: &dyn Fn(f64) -> f64| -> Vec<f64> { x.iter().map(|&v| if v.is_nan() { v } else { f(v) }).collect() };
    Ok(match *scoring {
        Scoring::MinMax { low, high } => {
            // COINr multiplies by the direction first: (x' − min x')/(max x' − min x').
            let (lo, hi) = min_max(x);
            let (lo, hi) = if d > 0.0 { (lo, hi) } else { (-hi, -lo) };
            if hi == lo {
                return Err(ColumnIssue::Constant);
            }
            map(&|v| (d * v - lo) / (hi - lo) * (high - low) + low)
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
            map(&|v| (d * v - d * mu) / sd * s + m)
        }
        Scoring::Goalposts { low, high, scale } => {
            // Bounds arrive transformed like the data (ln for HDI income).
            map(&|v| {
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
            map(&|v| {
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
                map(&|v| v / hi * scale)
            } else {
                if lo <= 0.0 {
                    return Err(ColumnIssue::Message("负向指标的与最优值之比（最小值/本值）要求各值为正".into()));
                }
                map(&|v| lo / v * scale)
            }
        }
        Scoring::RatioToMean { scale } => {
            let (lo, _) = min_max(x);
            let mu = mean(x);
            if mu <= 0.0 || (d < 0.0 && lo <= 0.0) {
                return Err(ColumnIssue::Message("与平均值之比要求平均值为正（负向指标要求各值为正）".into()));
            }
            if d > 0.0 { map(&|v| v / mu * scale) } else { map(&|v| mu / v * scale) }
        }
        Scoring::Vector => {
            let norm = observed(x).map(|v| v * v).sum::<f64>().sqrt();
            if norm == 0.0 {
                return Err(ColumnIssue::Constant);
            }
            map(&|v| v / norm)
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
