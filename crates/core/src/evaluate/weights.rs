//! Objective weights: the entropy method with its named standardisations (METHODS.md §3) and
//! CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995).

use std::borrow::Cow;

use super::scheme::{Direction, EntropyStandardise};
use super::score::min_max;
use super::EvalError;

/// Degree of diversification `d = 1 − e` of one column (NaN = missing, skipped).
pub(crate) fn entropy_diversity(x: &[f64], dir: Direction, std: EntropyStandardise, epsilon: f64) -> Result<f64, String> {
    // A complete column is used in place (the usual case: imputation runs before weighting only
    // where it fills something).
    let kept: Vec<f64>;
    let obs: &[f64] = if x.iter().any(|v| v.is_nan()) {
        kept = x.iter().copied().filter(|v| !v.is_nan()).collect();
        &kept
    } else {
        x
    };
    let m = obs.len();
    if m < 2 {
        return Err("熵权法至少需要两个有效数值".into());
    }
    let (lo, hi) = min_max(obs);
    if std == EntropyStandardise::Raw && lo <= 0.0 {
        return Err(format!("熵权法 S0（原始数据）要求各值为正，最小值为 {lo}；请改用 S1 或 S2 标准化"));
    }
    if lo == hi {
        // p = 1/m for every unit: e = 1, no information (S0, S2). S1 would be 0/0.
        return match std {
            EntropyStandardise::MinMax => Err("所有单位取值相同（常数列），S1 极差标准化无法计算；请删除该指标".into()),
            _ => Ok(0.0),
        };
    }
    let s1 = |v: f64| if dir == Direction::Benefit { (v - lo) / (hi - lo) } else { (hi - v) / (hi - lo) };
    let y: Cow<[f64]> = match std {
        EntropyStandardise::Raw => Cow::Borrowed(obs),
        EntropyStandardise::MinMax => obs.iter().map(|&v| s1(v)).collect(),
        EntropyStandardise::Shift => obs.iter().map(|&v| s1(v) + epsilon).collect(),
        EntropyStandardise::ShiftRescale => obs.iter().map(|&v| (1.0 - epsilon) * s1(v) + epsilon).collect(),
    };
    let total: f64 = y.iter().sum();
    // h = Σ p·ln p over p > 0 in observation order: each term first (in place; a term does not
    // wait on the sum, so the logarithms overlap), then the sum. The same operations in the
    // same order, so the same bits; NaN marks a term left out (p·ln p is finite for p > 0).
    // 0·ln 0 = 0 (the limit), not pymcdm's unreachable "e = 0 if any p = 0" branch.
    let mut terms = y.into_owned();
    for v in terms.iter_mut() {
        let p = *v / total;
        *v = if p > 0.0 { p * p.ln() } else { f64::NAN };
    }
    let h: f64 = terms.iter().filter(|t| !t.is_nan()).sum();
    let e = -h / (m as f64).ln();
    Ok(1.0 - e)
}

fn check_matrix(columns: &[Vec<f64>], directions: &[Direction]) -> Result<(), EvalError> {
    if columns.len() != directions.len() || columns.is_empty() {
        return Err(EvalError::Weights("列数与方向数不一致".into()));
    }
    let m = columns[0].len();
    if columns.iter().any(|c| c.len() != m || c.iter().any(|v| !v.is_finite())) {
        return Err(EvalError::Weights("矩阵须为完整的有限数（各列等长，无缺失）".into()));
    }
    Ok(())
}

/// Entropy weights of complete columns (`columns[j][i]` = unit i on criterion j).
pub fn entropy_weights(columns: &[Vec<f64>], directions: &[Direction], std: EntropyStandardise, epsilon: f64) -> Result<Vec<f64>, EvalError> {
    check_matrix(columns, directions)?;
    let d = columns
        .iter()
        .zip(directions)
        .enumerate()
        .map(|(j, (c, &dir))| entropy_diversity(c, dir, std, epsilon).map_err(|m| EvalError::Weights(format!("第 {} 列：{m}", j + 1))))
        .collect::<Result<Vec<f64>, _>>()?;
    normalise(d, "熵权法")
}

pub(crate) fn normalise(d: Vec<f64>, method: &str) -> Result<Vec<f64>, EvalError> {
    let total: f64 = d.iter().sum();
    if total.is_nan() || total <= 0.0 {
        return Err(EvalError::Weights(format!("{method}：所有指标的信息量均为 0（各列都是常数），无法确定权重")));
    }
    Ok(d.into_iter().map(|v| v / total).collect())
}

/// CRITIC weights of complete columns: min-max [0,1] with directions, sample sd, Pearson r.
pub fn critic_weights(columns: &[Vec<f64>], directions: &[Direction]) -> Result<Vec<f64>, EvalError> {
    check_matrix(columns, directions)?;
    normalise(critic_raw(columns, directions).map_err(EvalError::Weights)?, "CRITIC")
}

/// C_j per column (before normalisation); `Err` names the problem in Chinese.
pub(crate) fn critic_raw<C: AsRef<[f64]>>(columns: &[C], directions: &[Direction]) -> Result<Vec<f64>, String> {
    let m = columns[0].as_ref().len();
    if m < 3 {
        return Err("CRITIC 至少需要三个单位".into());
    }
    let mut z = Vec::with_capacity(columns.len());
    for (j, (c, dir)) in columns.iter().map(AsRef::as_ref).zip(directions).enumerate() {
        if c.iter().any(|v| v.is_nan()) {
            return Err(format!("CRITIC 要求数据无缺失（第 {} 个指标有缺失值）", j + 1));
        }
        let (lo, hi) = c.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        if lo == hi {
            return Err(format!("CRITIC：第 {} 个指标所有单位取值相同（常数列），相关系数无法计算", j + 1));
        }
        let col: Vec<f64> =
            c.iter().map(|&v| if *dir == Direction::Benefit { (v - lo) / (hi - lo) } else { (hi - v) / (hi - lo) }).collect();
        z.push(col);
    }
    let means: Vec<f64> = z.iter().map(|c| c.iter().sum::<f64>() / m as f64).collect();
    let ss: Vec<f64> = z.iter().zip(&means).map(|(c, mu)| c.iter().map(|v| (v - mu) * (v - mu)).sum()).collect();
    let sd: Vec<f64> = ss.iter().map(|s| (s / (m - 1) as f64).sqrt()).collect();
    let n = z.len();
    let mut out = vec![0.0; n];
    for j in 0..n {
        let mut conflict = 0.0;
        for k in 0..n {
            let r = if j == k {
                1.0
            } else {
                let cov: f64 = z[j].iter().zip(&z[k]).map(|(a, b)| (a - means[j]) * (b - means[k])).sum();
                cov / (ss[j] * ss[k]).sqrt()
            };
            conflict += 1.0 - r;
        }
        out[j] = sd[j] * conflict;
    }
    Ok(out)
}
