//! Competition ranking (METHODS.md §6) and the type-7 quantile (§7).

/// `round(x, dp)`, half away from zero, as published tables round before ranking.
pub fn round_dp(x: f64, dp: u32) -> f64 {
    let f = 10f64.powi(dp as i32);
    (x * f).round() / f
}

/// Competition ranks, rank 1 = highest: `1 + #{k : s_k > s_i}`, so ties share the smaller
/// number (1, 2, 2, 4; COINr `rank(-x, ties.method = "min")`). A missing score gets no rank.
pub fn competition_ranks(scores: &[Option<f64>]) -> Vec<Option<u32>> {
    let s: Vec<f64> = scores.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    ranks_nan(&s).into_iter().map(|r| (r > 0).then_some(r)).collect()
}

/// Order-preserving map of a score to an integer key (−0.0 counts as 0.0).
fn key(v: f64) -> u64 {
    let b = (v + 0.0).to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The same on NaN-for-missing scores; 0 = no rank. Sorting integer keys of the scores once and
/// counting the larger ones per unit by binary search handles ties exactly.
pub(crate) fn ranks_nan(s: &[f64]) -> Vec<u32> {
    let mut keys: Vec<u64> = s.iter().filter(|v| !v.is_nan()).map(|&v| key(v)).collect();
    keys.sort_unstable();
    let n = keys.len();
    s.iter()
        .map(|&v| {
            if v.is_nan() {
                return 0;
            }
            let k = key(v);
            (n - keys.partition_point(|&x| x <= k)) as u32 + 1
        })
        .collect()
}

/// Quantile of sorted data, R type 7 / numpy "linear": `h = (N − 1)·p`, interpolate between the
/// order statistics around h (0-based). `None` for no data.
pub fn quantile_type7(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    if lo + 1 >= n {
        return Some(sorted[n - 1]);
    }
    Some(sorted[lo] + (h - lo as f64) * (sorted[lo + 1] - sorted[lo]))
}
