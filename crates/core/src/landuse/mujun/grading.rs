//! The grading arithmetic on firms as columns: benchmarks, item scores, segment averages,
//! bonus/penalty, totals, ranks and classes. Only what a result needs per firm is stored (total,
//! rank, class, segment); an item score is recomputed on demand from the columns by the same
//! function the totals use, so a large grading allocates a few bytes per firm, not a copy of the
//! benchmarks and item scores (most of the time used to go to the kernel zeroing such arrays).
//!
//! Every sum that feeds a result (benchmarks, segment averages, totals) is taken in firm order,
//! so the result does not depend on the number of threads.

use rayon::prelude::*;

use crate::evaluate::rank::{desc_key, RankScratch};
use super::columns::{FirmColumns, SegmentRule, UNRATED};
use super::{AppliedBenchmark, Benchmark, Missing, MujunScheme, RankScope};

/// Firms per parallel work unit (large enough to amortise scheduling, small enough to balance).
const CHUNK: usize = 16 * 1024;

/// The benchmark of every (segment, zone, item): one value per zone even when it is the same for
/// all (constants, city-wide averages), so a firm's benchmark is one lookup.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkTable {
    zones: usize,
    width: usize,
    values: Vec<f64>,
}

impl BenchmarkTable {
    #[inline]
    pub fn get(&self, segment: usize, zone: usize, item: usize) -> f64 {
        self.values[(segment * self.zones + zone) * self.width + item]
    }
}

/// Running Σ numerator, Σ denominator and count of one item (summed in firm order).
type Sums = (f64, f64, usize);

/// An item averaged over last year's firms: its place in the segment, numerators, denominators.
type AveragedPart<'a> = (usize, &'a [f64], &'a [f64]);

/// The benchmarks of every segment's items for this year's `zones` (k × average needs `prior`),
/// as records with their trail and as the lookup table. k × average is k × Σ numerator /
/// Σ denominator over last year's rated firms of the segment with both parts — of the zone when
/// ranking by zone (falling back to the city when the zone had none).
pub(crate) fn benchmarks_of(scheme: &MujunScheme, zones: &[String], prior: Option<&FirmColumns>) -> Result<(Vec<AppliedBenchmark>, BenchmarkTable), String> {
    let width = scheme.segments.iter().map(|s| s.items.len()).max().unwrap_or(0);
    let segs = scheme.segments.len();
    // Sums per [segment][item]: the city's, and the zones' as [zone] (last year's firms of zones
    // not graded this year count for the city only).
    let mut city: Vec<Sums> = vec![(0.0, 0.0, 0); segs * width];
    let mut by_zone: Vec<Sums> = Vec::new();
    if let Some(it) = scheme.segments.iter().flat_map(|s| &s.items).find(|i| matches!(i.benchmark, Benchmark::PriorAverage { .. })) {
        let prior = prior.filter(|p| !p.is_empty()).ok_or_else(|| {
            let k = match it.benchmark {
                Benchmark::PriorAverage { k } => k,
                _ => 0.0,
            };
            format!("“{}”的基准值为上年平均值的 {k} 倍，但没有上年企业数据", it.metric.label())
        })?;
        let zoned = scheme.rank_scope == RankScope::Zone;
        if zoned {
            by_zone = vec![(0.0, 0.0, 0); segs * width * zones.len()];
        }
        let index: std::collections::HashMap<&str, usize> = zones.iter().enumerate().map(|(i, z)| (z.as_str(), i)).collect();
        let to_current: Vec<Option<usize>> = prior.zones.iter().map(|z| index.get(z.as_str()).copied()).collect();
        let rule = SegmentRule::new(scheme);
        // (numerator, denominator) of each averaged item, per segment.
        let parts: Vec<Vec<AveragedPart>> = scheme
            .segments
            .iter()
            .map(|s| s.items.iter().enumerate().filter(|(_, it)| matches!(it.benchmark, Benchmark::PriorAverage { .. })).map(|(k, it)| {
                let (a, b) = prior.parts(it.metric);
                (k, a, b)
            }).collect())
            .collect();
        // One pass in firm order; each accumulator sees its firms in that order.
        for i in 0..prior.len() {
            let si = rule.of(prior, i);
            if si == UNRATED {
                continue;
            }
            let si = si as usize;
            let zi = if zoned { to_current[prior.zone[i] as usize] } else { None };
            for &(k, num, den) in &parts[si] {
                let (a, b) = (num[i], den[i]);
                if !a.is_nan() && b > 0.0 {
                    let c = &mut city[si * width + k];
                    (c.0, c.1, c.2) = (c.0 + a, c.1 + b, c.2 + 1);
                    if let Some(zi) = zi {
                        let x = &mut by_zone[(si * width + k) * zones.len() + zi];
                        (x.0, x.1, x.2) = (x.0 + a, x.1 + b, x.2 + 1);
                    }
                }
            }
        }
    }
    let usable = |x: &Sums| x.0 > 0.0 && x.1 > 0.0;
    let mut out = Vec::new();
    let mut values = vec![f64::NAN; segs * zones.len() * width];
    for (si, s) in scheme.segments.iter().enumerate() {
        for (k, it) in s.items.iter().enumerate() {
            let text = |x: &Sums, whose: &str, kk: f64| format!("{whose}上年{}企业{}家平均值 {:.4} ÷ {:.4} = {:.6}，× {kk}", s.name, x.2, x.0, x.1, x.0 / x.1);
            let none = || format!("{}企业上年没有可用于计算“{}”平均值的数据", s.name, it.metric.label());
            let mut set = |zi: usize, v: f64| values[(si * zones.len() + zi) * width + k] = v;
            match it.benchmark {
                Benchmark::Constant { value } => {
                    out.push(AppliedBenchmark { segment: s.code.clone(), zone: String::new(), metric: it.metric, value, trail: format!("公布的基准值 {value}") });
                    (0..zones.len()).for_each(|zi| set(zi, value));
                }
                Benchmark::PriorAverage { k: kk } => {
                    let c = city[si * width + k];
                    if scheme.rank_scope == RankScope::Zone {
                        for (zi, z) in zones.iter().enumerate() {
                            let (x, trail) = match Some(by_zone[(si * width + k) * zones.len() + zi]).filter(usable) {
                                Some(x) => (x, text(&x, "本开发区", kk)),
                                None if usable(&c) => (c, format!("本开发区上年无数据，采用{}", text(&c, "全市", kk))),
                                None => return Err(none()),
                            };
                            let value = kk * (x.0 / x.1);
                            set(zi, value);
                            out.push(AppliedBenchmark { segment: s.code.clone(), zone: z.clone(), metric: it.metric, value, trail });
                        }
                    } else {
                        if !usable(&c) {
                            return Err(none());
                        }
                        let value = kk * (c.0 / c.1);
                        (0..zones.len()).for_each(|zi| set(zi, value));
                        out.push(AppliedBenchmark { segment: s.code.clone(), zone: String::new(), metric: it.metric, value, trail: text(&c, "全市", kk) });
                    }
                }
            }
        }
    }
    Ok((out, BenchmarkTable { zones: zones.len(), width, values }))
}

/// One item of a segment as the per-firm loop reads it.
struct ItemPlan<'a> {
    num: &'a [f64],
    den: &'a [f64],
    weight: f64,
    /// The segment average a firm without the data gets (`Missing::SegmentAverage`).
    average: Option<f64>,
}

/// Score of item `k` of firm `i` and whether it is the segment average: value ÷ benchmark ×
/// weight, the average, or 0. The one place this is computed (totals and records both use it).
#[inline]
fn item_score(p: &ItemPlan, table: &BenchmarkTable, si: usize, zone: usize, k: usize, i: usize) -> (f64, bool) {
    let (a, d) = (p.num[i], p.den[i]);
    if !a.is_nan() && d > 0.0 {
        (a / d / table.get(si, zone, k) * p.weight, false)
    } else {
        match p.average {
            Some(avg) => (avg, true),
            None => (0.0, false),
        }
    }
}

/// A grading as arrays, one entry per firm in input order: what [`super::grade`] turns into the
/// per-firm records the pages store. Item scores and adjustments are not kept per firm:
/// [`Graded::item`] and [`Graded::adjustment`] recompute them from the columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub benchmarks: Vec<AppliedBenchmark>,
    pub table: BenchmarkTable,
    /// Segment index, [`UNRATED`] for T.
    pub segment: Vec<u8>,
    /// Total score; NaN for T.
    pub total: Vec<f64>,
    /// Competition rank within the group; 0 for T (and for a rated firm whose score is not a
    /// number, which gets the last band).
    pub rank: Vec<u32>,
    /// Band index into the scheme's bands; `u8::MAX` for T.
    pub class: Vec<u8>,
    /// Per segment and item: the average given to firms without the data (`None`: they get 0).
    averages: Vec<Vec<Option<f64>>>,
    /// Firms per ranking group: [segment × zones + zone] when ranking by zone, else [segment].
    group_sizes: Vec<u32>,
    /// (points, cap) of each of the firms' item codes that is a bonus/penalty of the scheme.
    by_code: Vec<Option<(f64, Option<f64>)>>,
    by_zone: bool,
    zones: usize,
}

impl Graded {
    /// Size of the ranking group of a rated firm.
    pub fn group_size(&self, firms: &FirmColumns, i: usize) -> u32 {
        let si = self.segment[i] as usize;
        self.group_sizes[if self.by_zone { si * self.zones + firms.zone[i] as usize } else { si }]
    }

    /// Item scores of rated firms, as the totals were computed (see [`Scorer`]).
    pub fn scorer<'a>(&'a self, scheme: &'a MujunScheme, firms: &'a FirmColumns) -> Scorer<'a> {
        let plans = scheme
            .segments
            .iter()
            .zip(&self.averages)
            .map(|(s, avg)| s.items.iter().zip(avg).map(|(it, &average)| {
                let (num, den) = firms.parts(it.metric);
                ItemPlan { num, den, weight: it.weight, average }
            }).collect())
            .collect();
        Scorer { graded: self, firms, plans }
    }

    /// Bonus/penalty of rated firm `i` (the same sum the total used).
    pub fn adjustment(&self, firms: &FirmColumns, i: usize) -> f64 {
        let from = firms.items.partition_point(|x| (x.0 as usize) < i);
        adjustment_at(&self.by_code, &firms.items, from, i).0
    }
}

/// Recomputes item scores of a grading from its columns (by the function the totals used).
pub struct Scorer<'a> {
    graded: &'a Graded,
    firms: &'a FirmColumns,
    plans: Vec<Vec<ItemPlan<'a>>>,
}

impl Scorer<'_> {
    /// Score of item `k` of rated firm `i`, whether it is the segment average, and the benchmark.
    pub fn item(&self, i: usize, k: usize) -> (f64, bool, f64) {
        let (si, zone) = (self.graded.segment[i] as usize, self.firms.zone[i] as usize);
        let (score, imputed) = item_score(&self.plans[si][k], &self.graded.table, si, zone, k, i);
        (score, imputed, self.graded.table.get(si, zone, k))
    }
}

/// For each of the firms' item codes, its (points, cap) in the scheme, if it is one of its items.
fn adjustments_by_code(scheme: &MujunScheme, firms: &FirmColumns) -> Vec<Option<(f64, Option<f64>)>> {
    firms.item_codes.iter().map(|c| scheme.adjustments.iter().find(|a| a.code == *c).map(|a| (a.points, a.cap))).collect()
}

/// Bonus/penalty of firm `i` whose sparse items start at `j`: each item capped, added in item-code
/// order. Gives the sum and where the next firm's items start.
#[inline]
fn adjustment_at(by_code: &[Option<(f64, Option<f64>)>], items: &[(u32, u32, f64)], mut j: usize, i: usize) -> (f64, usize) {
    let mut adj = 0.0;
    while j < items.len() && items[j].0 as usize == i {
        let (_, code, count) = items[j];
        if let Some((points, cap)) = by_code[code as usize] {
            let pts = points * count;
            adj += cap.map(|c| pts.clamp(-c, c)).unwrap_or(pts);
        }
        j += 1;
    }
    (adj, j)
}

/// The arithmetic of a grading (see [`Graded`]) on firms as [`FirmColumns`].
pub fn grade_columns(scheme: &MujunScheme, firms: &FirmColumns, prior: Option<&FirmColumns>) -> Result<Graded, String> {
    let p = scheme.problems();
    if !p.is_empty() {
        return Err(p.join("；"));
    }
    let n = firms.len();
    let zones = firms.zones.len();
    let (benchmarks, table) = benchmarks_of(scheme, &firms.zones, prior)?;
    let rule = SegmentRule::new(scheme);
    let mut plans: Vec<Vec<ItemPlan>> = scheme
        .segments
        .iter()
        .map(|s| s.items.iter().map(|it| {
            let (num, den) = firms.parts(it.metric);
            ItemPlan { num, den, weight: it.weight, average: None }
        }).collect())
        .collect();
    // Segment averages (黄岩区: emissions) over the firms with the data, summed in firm order.
    for (si, s) in scheme.segments.iter().enumerate() {
        for (k, it) in s.items.iter().enumerate() {
            if it.missing != Missing::SegmentAverage {
                continue;
            }
            // (`average` is still `None` here: a firm without the data scores 0 and is not counted.)
            let p = &plans[si][k];
            let (mut sum, mut count) = (0.0, 0usize);
            for i in 0..n {
                if rule.of(firms, i) as usize == si && !p.num[i].is_nan() && p.den[i] > 0.0 {
                    (sum, count) = (sum + item_score(p, &table, si, firms.zone[i] as usize, k, i).0, count + 1);
                }
            }
            plans[si][k].average = Some(if count == 0 { 0.0 } else { sum / count as f64 });
        }
    }
    let by_code = adjustments_by_code(scheme, firms);
    // Segment and total of every firm, in parallel chunks; each total is summed in item order.
    let (mut segment, mut total) = (vec![UNRATED; n], vec![f64::NAN; n]);
    segment.par_chunks_mut(CHUNK).zip(total.par_chunks_mut(CHUNK)).enumerate().for_each(|(c, (seg, tot))| {
        let base = c * CHUNK;
        let mut j = firms.items.partition_point(|x| (x.0 as usize) < base);
        for (o, (s, t)) in seg.iter_mut().zip(tot.iter_mut()).enumerate() {
            let i = base + o;
            let (adj, next) = adjustment_at(&by_code, &firms.items, j, i);
            j = next;
            let si = rule.of(firms, i);
            *s = si;
            if si == UNRATED {
                continue;
            }
            let (si, zone) = (si as usize, firms.zone[i] as usize);
            let mut sum = 0.0;
            for (k, p) in plans[si].iter().enumerate() {
                sum += item_score(p, &table, si, zone, k, i).0;
            }
            *t = sum + adj;
        }
    });
    // Rank and class within each group (segment, and zone when ranked by zone).
    let by_zone = scheme.rank_scope == RankScope::Zone;
    let per_seg = if by_zone { zones.max(1) } else { 1 };
    let group = |i: usize| segment[i] as usize * per_seg + if by_zone { firms.zone[i] as usize } else { 0 };
    let groups = scheme.segments.len() * per_seg;
    // Counting sort of the rated firms by group (firm order kept within a group): `order` lists
    // them group after group.
    let mut start = vec![0u32; groups + 1];
    for i in 0..n {
        if segment[i] != UNRATED {
            start[group(i) + 1] += 1;
        }
    }
    for g in 1..start.len() {
        start[g] += start[g - 1];
    }
    let group_sizes: Vec<u32> = start.windows(2).map(|w| w[1] - w[0]).collect();
    let mut order = vec![0u32; start[groups] as usize];
    let mut next = start.clone();
    for (i, _) in segment.iter().enumerate().filter(|(_, s)| **s != UNRATED) {
        let g = group(i);
        order[next[g] as usize] = i as u32;
        next[g] += 1;
    }
    // Ranks in `order`'s layout, each group ranked on its own (in parallel).
    let mut ranked = vec![0u32; order.len()];
    let mut pieces: Vec<(&[u32], &mut [u32])> = Vec::with_capacity(groups);
    let mut rest = &mut ranked[..];
    for w in start.windows(2) {
        let (piece, tail) = rest.split_at_mut((w[1] - w[0]) as usize);
        pieces.push((&order[w[0] as usize..w[1] as usize], piece));
        rest = tail;
    }
    pieces.into_par_iter().for_each_init(RankScratch::default, |scratch, (members, out)| {
        scratch.keys.clear();
        scratch.keys.extend(members.iter().map(|&i| desc_key(total[i as usize])));
        scratch.rank(out, 1);
    });
    // Back to firm order, with the class: the first band whose ⌊upto × n⌋ (see `band_index`) the
    // rank does not exceed; a score that is not a number has no rank and gets the last band (as
    // pandas gives it).
    let last = scheme.bands.len() - 1;
    let (mut rank, mut class) = (vec![0u32; n], vec![u8::MAX; n]);
    let mut cut = vec![0u32; scheme.bands.len()];
    for (w, &size) in start.windows(2).zip(&group_sizes) {
        for (c, b) in cut.iter_mut().zip(&scheme.bands) {
            *c = (b.upto * size as f64 + 1e-9).floor() as u32;
        }
        for (&i, &r) in order[w[0] as usize..w[1] as usize].iter().zip(&ranked[w[0] as usize..w[1] as usize]) {
            rank[i as usize] = r;
            class[i as usize] = if r == 0 { last } else { cut.iter().position(|&x| r <= x).unwrap_or(last) } as u8;
        }
    }
    let averages = plans.iter().map(|ps| ps.iter().map(|p| p.average).collect()).collect();
    Ok(Graded { benchmarks, table, segment, total, rank, class, averages, group_sizes, by_code, by_zone, zones })
}

#[cfg(test)]
mod tests {
    use super::super::{band_index, Adjustment, Enterprise, Metric};
    use crate::landuse::{examples, synth};
    use super::*;

    /// 黄岩区 with two capped bonus/penalty items on 40,000 generated firms (more than two
    /// parallel chunks), against the rules written out per firm: every total bit for bit, every
    /// rank and class. T firms carry items too (they must not shift the next firms' adjustments).
    #[test]
    fn columns_grading_equals_the_rules_applied_firm_by_firm() {
        let mut s = examples::huangyan_2022();
        s.adjustments = vec![
            Adjustment { code: "safety".into(), name: "安全生产事故".into(), points: -5.0, cap: Some(8.0) },
            Adjustment { code: "innovation".into(), name: "创新平台".into(), points: 3.0, cap: None },
        ];
        let zones: Vec<(String, String)> = (0..4).map(|z| (format!("z{z}"), "131082".to_string())).collect();
        let mut firms = synth::enterprises(&zones, 10_000, 2020, 11, false);
        for (i, e) in firms.iter_mut().enumerate() {
            if i % 97 == 0 {
                e.exempt = "公用事业企业".into();
                e.items.insert("safety".into(), 2.0);
            }
        }
        let g = grade_columns(&s, &FirmColumns::new(&firms), None).unwrap();
        // The rules, firm by firm.
        let seg = |e: &Enterprise| if !e.exempt.is_empty() || e.land_mu <= 0.0 { None } else { Some(if e.above_scale { 0 } else { 1 }) };
        let bench = |si: usize, k: usize| match s.segments[si].items[k].benchmark {
            Benchmark::Constant { value } => value,
            _ => unreachable!(),
        };
        let have: Vec<(f64, f64)> = firms.iter().filter(|e| seg(e) == Some(0)).filter_map(|e| Metric::ValueAddedPerEmission.value(e)).map(|v| (v, 1.0)).collect();
        let avg = have.iter().fold(0.0, |a, (v, _)| a + v / bench(0, 3) * 10.0) / have.len() as f64;
        let mut want = vec![f64::NAN; firms.len()];
        for (i, e) in firms.iter().enumerate() {
            let Some(si) = seg(e) else { continue };
            let mut t = 0.0;
            for (k, it) in s.segments[si].items.iter().enumerate() {
                t += match it.metric.value(e) {
                    Some(v) => v / bench(si, k) * it.weight,
                    None if it.missing == Missing::SegmentAverage => avg,
                    None => 0.0,
                };
            }
            let mut adj = 0.0;
            for (code, count) in &e.items {
                if let Some(a) = s.adjustments.iter().find(|a| a.code == *code) {
                    adj += a.cap.map(|c| (a.points * count).clamp(-c, c)).unwrap_or(a.points * count);
                }
            }
            want[i] = t + adj;
        }
        assert!(firms.iter().any(|e| e.items.contains_key("innovation") && seg(e).is_some()));
        // Each segment's scores, highest first: a rank is 1 + how many are higher.
        let sorted: Vec<Vec<f64>> = (0..2)
            .map(|si| {
                let mut v: Vec<f64> = (0..firms.len()).filter(|&j| seg(&firms[j]) == Some(si)).map(|j| want[j]).collect();
                v.sort_by(|a, b| b.total_cmp(a));
                v
            })
            .collect();
        for i in 0..firms.len() {
            assert_eq!(g.total[i].to_bits(), want[i].to_bits(), "firm {i}: {} ≠ {}", g.total[i], want[i]);
            let Some(si) = seg(&firms[i]) else {
                assert_eq!((g.segment[i], g.class[i], g.rank[i]), (UNRATED, u8::MAX, 0));
                continue;
            };
            let group = &sorted[si];
            let r = 1 + group.partition_point(|&x| x > want[i]) as u32;
            assert_eq!(g.rank[i], r, "firm {i}");
            assert_eq!(g.class[i] as usize, band_index(&s.bands, r, group.len() as u32), "firm {i}");
        }
    }
}
