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

/// The same on NaN-for-missing scores; 0 = no rank. `1 + #{k : s_k > s_i}` by counting, not
/// sorting: the (inverted) integer keys are scattered into about 2n buckets over their range; a unit's rank is the number of keys in earlier buckets plus the smaller keys in its own
/// bucket (small; large buckets are sorted and searched). Ties get equal counts exactly.
pub(crate) fn ranks_nan(s: &[f64]) -> Vec<u32> {
    // About one bucket per unit; crowded buckets are sorted and searched.
    let bits = (usize::BITS - s.len().leading_zeros()).clamp(8, 18);
    let buckets = 1usize << bits;
    let mut keys: Vec<u64> = Vec::with_capacity(s.len());
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    for &v in s {
        // NaN (no score) gets u64::MAX and is left out below.
        let k = if v.is_nan() { u64::MAX } else { !key(v) };
        if k != u64::MAX {
            lo = lo.min(k);
            hi = hi.max(k);
        }
        keys.push(k);
    }
    if lo > hi {
        return vec![0; s.len()];
    }
    let shift = (64 - (hi - lo).leading_zeros()).saturating_sub(bits);
    let digit = |k: u64| ((k - lo) >> shift) as usize;
    // start[d] = number of keys in buckets before d (exclusive prefix sum of the counts).
    let mut start = vec![0u32; buckets + 1];
    for &k in keys.iter().filter(|&&k| k != u64::MAX) {
        start[digit(k)] += 1;
    }
    let crowded = start.iter().any(|&c| c as usize > SMALL);
    let mut acc = 0u32;
    for c in start.iter_mut() {
        let t = *c;
        *c = acc;
        acc += t;
    }
    let mut next = start.clone();
    let mut buf = vec![0u64; acc as usize];
    for &k in keys.iter().filter(|&&k| k != u64::MAX) {
        let d = digit(k);
        buf[next[d] as usize] = k;
        next[d] += 1;
    }
    if crowded {
        for d in 0..buckets {
            let b = &mut buf[start[d] as usize..start[d + 1] as usize];
            if b.len() > SMALL {
                b.sort_unstable();
            }
        }
    }
    keys.iter()
        .map(|&k| {
            if k == u64::MAX {
                return 0;
            }
            let d = digit(k);
            let (a, b) = (start[d], start[d + 1]);
            let bucket = &buf[a as usize..b as usize];
            let smaller = if bucket.len() > SMALL { bucket.partition_point(|&x| x < k) } else { bucket.iter().filter(|&&x| x < k).count() };
            a + smaller as u32 + 1
        })
        .collect()
}

const SMALL: usize = 32;

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
