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

/// Sort key of a score for ranking: a higher score gives a smaller key, equal scores equal keys
/// (−0.0 counts as 0.0), and NaN (no score) gives `MISSING`, after every score.
#[inline]
pub(crate) fn desc_key(v: f64) -> u64 {
    if v.is_nan() {
        return MISSING;
    }
    let b = (v + 0.0).to_bits();
    // The order-preserving map (flip all bits of negatives, the sign bit of positives), inverted.
    if b >> 63 == 1 { b } else { !(b | (1 << 63)) }
}

pub(crate) const MISSING: u64 = u64::MAX;

/// The same on NaN-for-missing scores; 0 = no rank.
pub(crate) fn ranks_nan(s: &[f64]) -> Vec<u32> {
    let mut scratch = RankScratch::default();
    scratch.keys.extend(s.iter().map(|&v| desc_key(v)));
    let mut out = vec![0; s.len()];
    scratch.rank(&mut out, 1);
    out
}

/// A rank as stored: `u32`, or `u16` where the Monte Carlo run has fewer than 65,536 units (its
/// statistics then read half the memory). 0 = no rank.
pub(crate) trait RankCell: Copy + Default + Send + Sync + 'static {
    /// `r` must fit: at most the number of units.
    fn from_rank(r: u32) -> Self;
    fn rank(self) -> u32;
}

impl RankCell for u32 {
    #[inline(always)]
    fn from_rank(r: u32) -> u32 {
        r
    }
    #[inline(always)]
    fn rank(self) -> u32 {
        self
    }
}

impl RankCell for u16 {
    #[inline(always)]
    fn from_rank(r: u32) -> u16 {
        r as u16
    }
    #[inline(always)]
    fn rank(self) -> u32 {
        u32::from(self)
    }
}

/// Buffers for ranking, kept across calls so that a Monte Carlo replication allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct RankScratch {
    /// The keys to rank ([`desc_key`]), filled by the caller.
    pub keys: Vec<u64>,
    order: Vec<u32>,
    spare: Vec<u32>,
}

/// Competition ranks from keys sorted by their top bits: an LSD radix sort (8 bits a pass) on
/// the top `8·passes` bits of the keys' range, then an insertion pass on the full keys, which
/// only moves a unit among those sharing its top bits; with about 16 times as many top-bit
/// values as units few do. If scores cluster so much that the insertion pass would take long,
/// the units are sorted outright instead. Ties are equal keys and get the same rank exactly.
impl RankScratch {
    /// Competition ranks of `self.keys` (smaller key = better; `MISSING` gets 0), written to
    /// `out[i * stride]`.
    pub fn rank<T: RankCell>(&mut self, out: &mut [T], stride: usize) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            return unsafe { self.rank_avx512(out, stride) };
        }
        self.rank_any(out, stride)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn rank_avx512<T: RankCell>(&mut self, out: &mut [T], stride: usize) {
        self.rank_any(out, stride)
    }

    #[inline(always)]
    fn rank_any<T: RankCell>(&mut self, out: &mut [T], stride: usize) {
        let keys = &self.keys[..];
        let n = keys.len();
        // Branch-free so that it vectorises: the smallest key, the largest non-missing key.
        let lo = keys.iter().fold(MISSING, |a, &k| a.min(k));
        let hi = keys.iter().fold(0, |a, &k| a.max(if k == MISSING { 0 } else { k }));
        let missing = keys.iter().fold(0usize, |a, &k| a + usize::from(k == MISSING));
        if missing == n {
            (0..n).for_each(|i| out[i * stride] = T::default());
            return;
        }
        let m = n - missing;
        // Units to sort: all, or those with a score. Packed as (top 16 bits of the key's offset
        // in the range) << 16 | unit when the unit number fits in 16 bits.
        let packed = missing == 0 && n <= 1 << 16;
        let range_bits = 64 - (hi - lo).leading_zeros();
        let passes = if packed { 2 } else { ((usize::BITS - m.leading_zeros() + 4).div_ceil(8)).min(range_bits.div_ceil(8)) as usize };
        let shift = range_bits.saturating_sub(8 * passes as u32);
        let top = |k: u64| (k - lo) >> shift;
        self.order.clear();
        if packed {
            self.order.extend(keys.iter().enumerate().map(|(i, &k)| (top(k) as u32) << 16 | i as u32));
        } else {
            self.order.extend((0..n as u32).filter(|&i| keys[i as usize] != MISSING));
            keys.iter().enumerate().filter(|(_, k)| **k == MISSING).for_each(|(i, _)| out[i * stride] = T::default());
        }
        let unit = |v: u32| if packed { (v & 0xffff) as usize } else { v as usize };
        let digit = |v: u32, p: usize| if packed { ((v >> (16 + 8 * p)) & 255) as usize } else { ((top(keys[v as usize]) >> (8 * p)) & 255) as usize };
        let mut count = [[0u32; 256]; 8];
        if packed {
            for &v in &self.order {
                count[0][digit(v, 0)] += 1;
                count[1][digit(v, 1)] += 1;
            }
        } else {
            for &v in &self.order {
                for (p, c) in count.iter_mut().enumerate().take(passes) {
                    c[digit(v, p)] += 1;
                }
            }
        }
        self.spare.clear();
        self.spare.resize(m, 0);
        for (p, c) in count.iter_mut().enumerate().take(passes) {
            if c.iter().any(|&x| x as usize == m) {
                continue; // one digit value for all: this pass would not move anything
            }
            scatter(c, &self.order, &mut self.spare, |v| digit(v, p));
            std::mem::swap(&mut self.order, &mut self.spare);
        }
        let order = &mut self.order[..];
        let key = |v: u32| keys[unit(v)];
        // Whether a (sorted by top bits) is before b: packed values compare by their top bits
        // first, so the full keys are only read for units sharing them.
        let before = |a: u32, b: u32| if packed && a >> 16 != b >> 16 { a < b } else { key(a) < key(b) };
        // Insertion on the full keys, within runs of equal top bits; give up on clustered
        // scores (more than 8 moves per unit) and sort outright.
        let mut budget = 8 * m;
        for p in 1..m {
            let v = order[p];
            if !before(v, order[p - 1]) {
                continue;
            }
            let mut q = p;
            while q > 0 && before(v, order[q - 1]) {
                order[q] = order[q - 1];
                q -= 1;
            }
            order[q] = v;
            budget = budget.saturating_sub(p - q);
            if budget == 0 {
                order.sort_unstable_by_key(|&v| key(v));
                break;
            }
        }
        let mut rank = 1u32;
        out[unit(order[0]) * stride] = T::from_rank(1);
        for p in 1..m {
            let (a, v) = (order[p - 1], order[p]);
            if before(a, v) {
                rank = p as u32 + 1;
            }
            out[unit(v) * stride] = T::from_rank(rank);
        }
    }

    /// Competition ranks of `values` (higher = better; −0.0 ties with 0.0; NaN = no score, rank
    /// 0) whose smallest and largest scores are `lo` and `hi`, written to `out[i * stride]`.
    /// The Monte Carlo run's path,
    /// where the closeness kernel has found the range already. Each value gets a bucket, its
    /// distance below `hi` in 65,536 steps of the range (a monotone map, so a better value never
    /// gets a later bucket and equal values share one); two LSD radix passes of 8 bits sort the
    /// units by bucket, and a unit alone in its bucket is ranked by its position. Units sharing a
    /// bucket (about 24 buckets per unit, but scores cluster: one unit in ten in the benchmark) are
    /// sorted on their values and tied exactly.
    ///
    /// Compiled for the baseline instruction set: built for AVX-512 the radix passes measured
    /// slower; only the search for shared buckets uses it ([`same_bucket_mask`]).
    pub fn rank_values<T: RankCell>(&mut self, values: &[f64], lo: f64, hi: f64, out: &mut [T], stride: usize) {
        let n = values.len();
        // Branch-free, so that it vectorises.
        let missing = values.iter().fold(false, |a, v| a | v.is_nan());
        let spread = hi > lo;
        if missing || n > 1 << 16 || !spread {
            // Missing scores, too many units for a 16-bit unit number, or all values equal:
            // the general path.
            self.keys.clear();
            self.keys.extend(values.iter().map(|&v| desc_key(v)));
            self.rank(out, stride);
            return;
        }
        let step = 65536.0 / (hi - lo);
        self.order.clear();
        // (hi − v)·step is ≥ 0; a saturating conversion and the cap keep it in 16 bits (a
        // range so narrow that step is infinite puts hi in bucket 0, NaN = 0·∞, and every
        // other value in the last bucket: still monotone).
        self.order.extend(values.iter().enumerate().map(|(i, &v)| (((hi - v) * step) as u32).min(65535) << 16 | i as u32));
        let mut count = [[0u32; 256]; 2];
        for &v in &self.order {
            count[0][((v >> 16) & 255) as usize] += 1;
            count[1][(v >> 24) as usize] += 1;
        }
        self.spare.clear();
        self.spare.resize(n, 0);
        for (p, c) in count.iter_mut().enumerate() {
            if c.iter().any(|&x| x as usize == n) {
                continue; // one digit value for all: this pass would not move anything
            }
            scatter(c, &self.order, &mut self.spare, |v| ((v >> (16 + 8 * p)) & 255) as usize);
            std::mem::swap(&mut self.order, &mut self.spare);
        }
        let order = &mut self.order[..];
        let unit = |v: u32| (v & 0xffff) as usize;
        let value = |v: u32| values[unit(v)];
        // Ranks by position; then the runs of units sharing a bucket are ranked again. Runs
        // are found 16 neighbours at a time: a branch per unit mispredicts on every run.
        for (p, &v) in order.iter().enumerate() {
            out[unit(v) * stride] = T::from_rank(p as u32 + 1);
        }
        #[cfg(target_arch = "x86_64")]
        let simd = std::arch::is_x86_feature_detected!("avx512f");
        #[cfg(not(target_arch = "x86_64"))]
        let simd = false;
        let (mut first, mut covered) = (1, 1);
        while first < n {
            let mut same = same_bucket_bits(order, first, simd);
            while same != 0 {
                let x = first + same.trailing_zeros() as usize;
                same &= same - 1;
                if x < covered {
                    continue; // inside the run ranked just before
                }
                let p = x - 1;
                let bucket = order[p] >> 16;
                let mut q = x + 1;
                while q < n && order[q] >> 16 == bucket {
                    q += 1;
                }
                covered = q + 1;
                let run = &mut order[p..q];
                if run.len() <= 16 {
                    for a in 1..run.len() {
                        let v = run[a];
                        let mut b = a;
                        while b > 0 && value(run[b - 1]) < value(v) {
                            run[b] = run[b - 1];
                            b -= 1;
                        }
                        run[b] = v;
                    }
                } else {
                    // Finite values: partial_cmp is total here, and −0.0 equals 0.0.
                    run.sort_unstable_by(|&a, &b| value(b).partial_cmp(&value(a)).expect("finite values"));
                }
                let mut rank = p as u32 + 1;
                for y in 0..run.len() {
                    if y > 0 && value(run[y]) < value(run[y - 1]) {
                        rank = (p + y) as u32 + 1;
                    }
                    out[unit(run[y]) * stride] = T::from_rank(rank);
                }
            }
            first += 16;
        }
    }
}

/// Bit x set where `order[first + x]` and `order[first + x − 1]` have the same bucket (top 16
/// bits), for x in 0..16 within `order` (`first` ≥ 1); `simd`: the CPU has AVX-512F.
#[inline(always)]
fn same_bucket_bits(order: &[u32], first: usize, simd: bool) -> u32 {
    #[cfg(target_arch = "x86_64")]
    if simd && first + 16 <= order.len() {
        // SAFETY: the CPU has AVX-512F (simd) and order[first − 1 .. first + 16] exists.
        return unsafe { same_bucket_mask(order, first) };
    }
    let _ = simd;
    (first..(first + 16).min(order.len())).fold(0, |m, x| m | u32::from(order[x] >> 16 == order[x - 1] >> 16) << (x - first))
}

/// [`same_bucket_bits`] with AVX-512F.
///
/// # Safety
/// The CPU must have AVX-512F, and `order[first − 1 .. first + 16]` must exist.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn same_bucket_mask(order: &[u32], first: usize) -> u32 {
    use std::arch::x86_64::*;
    debug_assert!(first >= 1 && first + 16 <= order.len());
    // SAFETY: both 16-lane loads are within order (the caller's contract).
    let (a, b) = unsafe { (_mm512_loadu_si512(order.as_ptr().add(first).cast()), _mm512_loadu_si512(order.as_ptr().add(first - 1).cast())) };
    u32::from(_mm512_cmpeq_epi32_mask(_mm512_srli_epi32::<16>(a), _mm512_srli_epi32::<16>(b)))
}

/// Quantile of sorted data, R type 7 / numpy "linear": `h = (N − 1)·p`, interpolate between the
/// order statistics around h (0-based). `None` for no data.
pub fn quantile_type7(sorted: &[f64], p: f64) -> Option<f64> {
    type7(sorted.len(), p, |k| sorted[k])
}

/// [`quantile_type7`] of `n` values given their k-th smallest (0-based) by `at`, which is only
/// asked for the two order statistics around h.
pub(crate) fn type7(n: usize, p: f64, at: impl Fn(usize) -> f64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    if lo + 1 >= n {
        return Some(at(n - 1));
    }
    let (a, b) = (at(lo), at(lo + 1));
    Some(a + (h - lo as f64) * (b - a))
}


/// One stable radix pass: `from` into `to` in the order of `digit`, given each digit's count.
#[inline(always)]
fn scatter(count: &mut [u32; 256], from: &[u32], to: &mut [u32], digit: impl Fn(u32) -> usize) {
    let mut acc = 0;
    for x in count.iter_mut() {
        let t = *x;
        *x = acc;
        acc += t;
    }
    for &v in from {
        let d = digit(v);
        to[count[d] as usize] = v;
        count[d] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::rng::SplitMix64;
    use super::*;

    fn brute(s: &[f64]) -> Vec<u32> {
        s.iter().map(|&v| if v.is_nan() { 0 } else { 1 + s.iter().filter(|&&x| x > v).count() as u32 }).collect()
    }

    /// The packed radix path (no missing score), the general path (some missing) and the
    /// outright sort of clustered scores all give the competition ranks of the definition.
    #[test]
    fn ranks_match_the_definition_on_every_path() {
        let mut g = SplitMix64::new(17);
        let spread: Vec<f64> = (0..2700).map(|_| 0.05 + 0.2 * g.uniform()).collect();
        let ties: Vec<f64> = (0..3000).map(|_| (g.uniform() * 300.0).floor() / 7.0 - 20.0).collect();
        // Almost all scores within 1e-12 of each other and one far away: every unit shares the
        // top bits, so the insertion pass gives up and sorts.
        let mut clustered: Vec<f64> = (0..2000).map(|_| 0.5 + 1e-12 * g.uniform()).collect();
        clustered[3] = 1e300;
        clustered[4] = -0.0;
        clustered[5] = 0.0;
        let mut gaps = spread.clone();
        gaps[10] = f64::NAN;
        gaps[11] = f64::NAN;
        for s in [spread, ties, clustered, gaps, vec![2.0], vec![f64::NAN, f64::NAN], vec![]] {
            let mut scratch = RankScratch::default();
            scratch.keys.extend(s.iter().map(|&v| desc_key(v)));
            let mut out = vec![7; 3 * s.len()];
            scratch.rank(&mut out, 3);
            let got: Vec<u32> = out.iter().step_by(3).copied().collect();
            assert_eq!(got, brute(&s));
            assert_eq!(ranks_nan(&s), brute(&s));
        }
    }

    /// The Monte Carlo path (buckets of the value range, two radix passes, runs sorted on the
    /// values) gives the ranks of the definition too, into u16 and u32 cells, on spread and
    /// clustered scores, exact ties, −0.0 beside 0.0, neighbours one ulp apart, missing scores
    /// (reported) and more units than 16 bits can number.
    #[test]
    fn ranked_values_match_the_definition() {
        let mut g = SplitMix64::new(23);
        let spread: Vec<f64> = (0..2700).map(|_| 0.3 + 0.1 * (g.uniform() + g.uniform())).collect();
        // Every value three times: runs of tied units inside one bucket.
        let tripled: Vec<f64> = (0..2700).map(|i| ((i / 3) as f64 * 0.618).fract()).collect();
        let mut clustered: Vec<f64> = (0..3000).map(|_| 0.5 + 1e-12 * g.uniform()).collect();
        clustered[7] = 1e300;
        let mut signed: Vec<f64> = (0..500).map(|_| g.uniform() - 0.5).collect();
        signed[1] = -0.0;
        signed[2] = 0.0;
        signed[3] = f64::from_bits(0.25f64.to_bits() + 1);
        signed[4] = 0.25;
        let mut gaps = spread.clone();
        gaps[5] = f64::NAN;
        let many: Vec<f64> = (0..70_000).map(|_| (g.uniform() * 5000.0).floor()).collect();
        for s in [spread, tripled, clustered, signed, gaps, many, vec![3.0], vec![1.0, 1.0]] {
            let (lo, hi) = s.iter().filter(|v| !v.is_nan()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            let mut scratch = RankScratch::default();
            let mut wide = vec![9u32; 2 * s.len()];
            scratch.rank_values(&s, lo, hi, &mut wide, 2);
            assert_eq!(wide.iter().step_by(2).copied().collect::<Vec<_>>(), brute(&s));
            if s.len() < 1 << 16 {
                let mut narrow = vec![9u16; s.len()];
                scratch.rank_values(&s, lo, hi, &mut narrow, 1);
                assert_eq!(narrow.iter().map(|&r| u32::from(r)).collect::<Vec<_>>(), brute(&s));
            }
        }
    }
}
