//! Firms as columns: what the grading arithmetic reads (compact, one pass per need).

use std::collections::{BTreeSet, HashMap};

use super::{Enterprise, Metric, MujunScheme};

/// (numerator, denominator) of each metric (in `Metric` order) as column numbers: land, tax,
/// revenue, added value, R&D, energy, emissions, electricity, employees — as [`Metric::parts`].
const PARTS: [(usize, usize); 9] = [(1, 0), (3, 0), (2, 0), (3, 5), (3, 6), (3, 8), (4, 2), (1, 7), (1, 5)];

/// Records per parallel work unit.
const CHUNK: usize = 16 * 1024;

/// Segment index of a firm not rated (T).
pub const UNRATED: u8 = u8::MAX;

/// One year's firms as columns. Missing figures are NaN; zones are numbered in code order;
/// bonus/penalty counts are kept sparse, in firm order and, within a firm, in item-code order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FirmColumns {
    pub zones: Vec<String>,
    pub zone: Vec<u32>,
    pub land: Vec<f64>,
    pub above: Vec<bool>,
    pub exempt: Vec<bool>,
    pub tax: Vec<f64>,
    pub revenue: Vec<f64>,
    pub added_value: Vec<f64>,
    pub rd: Vec<f64>,
    pub energy: Vec<f64>,
    pub emissions: Vec<f64>,
    pub electricity: Vec<f64>,
    pub employees: Vec<f64>,
    /// The bonus/penalty item codes met, in code order.
    pub item_codes: Vec<String>,
    /// (firm, index into `item_codes`, count).
    pub items: Vec<(u32, u32, f64)>,
}

impl FirmColumns {
    /// The records as columns. A first pass numbers the zones and item codes (in code order);
    /// the columns are then filled chunk by chunk in parallel (the records are large and the
    /// pages grade whole years of them).
    pub fn new(firms: &[Enterprise]) -> FirmColumns {
        Self::with_metrics(firms, &Metric::ALL)
    }

    /// The columns `metrics` read (and land, which decides who is rated); the others stay empty.
    pub fn for_scheme(firms: &[Enterprise], scheme: &MujunScheme) -> FirmColumns {
        let metrics: Vec<Metric> = scheme.segments.iter().flat_map(|s| s.items.iter().map(|i| i.metric)).collect();
        Self::with_metrics(firms, &metrics)
    }

    fn with_metrics(firms: &[Enterprise], metrics: &[Metric]) -> FirmColumns {
        use rayon::prelude::*;
        let n = firms.len();
        // Zones (the last one remembered: firms usually come zone by zone) and item codes.
        let mut zones: BTreeSet<&str> = BTreeSet::new();
        let mut codes: BTreeSet<&str> = BTreeSet::new();
        let mut last = None;
        for e in firms {
            if last != Some(e.zone.as_str()) {
                zones.insert(&e.zone);
                last = Some(e.zone.as_str());
            }
            codes.extend(e.items.keys().map(String::as_str));
        }
        let zone_ix: HashMap<&str, u32> = zones.iter().enumerate().map(|(i, z)| (*z, i as u32)).collect();
        let code_ix: HashMap<&str, u32> = codes.iter().enumerate().map(|(i, c)| (*c, i as u32)).collect();
        let mut c = FirmColumns {
            zones: zones.iter().map(|z| z.to_string()).collect(),
            item_codes: codes.iter().map(|c| c.to_string()).collect(),
            zone: vec![0; n],
            above: vec![false; n],
            exempt: vec![false; n],
            ..Default::default()
        };
        // Which figures are needed: land always, and both parts of every metric.
        let mut need = [false; 9];
        need[0] = true;
        for &m in metrics {
            let (a, b) = PARTS[m as usize];
            (need[a], need[b]) = (true, true);
        }
        for (v, _) in [&mut c.land, &mut c.tax, &mut c.revenue, &mut c.added_value, &mut c.rd, &mut c.energy, &mut c.emissions, &mut c.electricity, &mut c.employees].into_iter().zip(need).filter(|(_, need)| *need) {
            *v = vec![0.0; n];
        }
        /// One chunk of every column (`None`: not needed).
        struct Out<'a> {
            zone: &'a mut [u32],
            above: &'a mut [bool],
            exempt: &'a mut [bool],
            f: [Option<&'a mut [f64]>; 9],
        }
        let mut outs: Vec<Out> = Vec::with_capacity(n.div_ceil(CHUNK));
        {
            let mut f = [&mut c.land, &mut c.tax, &mut c.revenue, &mut c.added_value, &mut c.rd, &mut c.energy, &mut c.emissions, &mut c.electricity, &mut c.employees]
                .map(|v| v.chunks_mut(CHUNK));
            for ((zone, above), exempt) in c.zone.chunks_mut(CHUNK).zip(c.above.chunks_mut(CHUNK)).zip(c.exempt.chunks_mut(CHUNK)) {
                let f = f.each_mut().map(|it| it.next());
                outs.push(Out { zone, above, exempt, f });
            }
        }
        let o = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let items: Vec<Vec<(u32, u32, f64)>> = outs
            .into_par_iter()
            .enumerate()
            .map(|(k, out)| {
                let base = k * CHUNK;
                let mut items = Vec::new();
                let mut last: Option<(&str, u32)> = None;
                let mut f = out.f;
                let mut put = |col: usize, j: usize, v: f64| {
                    if let Some(c) = f[col].as_deref_mut() {
                        c[j] = v;
                    }
                };
                for (j, e) in firms[base..base + out.zone.len()].iter().enumerate() {
                    let z = match last {
                        Some((lz, zi)) if lz == e.zone => zi,
                        _ => zone_ix[e.zone.as_str()],
                    };
                    last = Some((e.zone.as_str(), z));
                    out.zone[j] = z;
                    out.above[j] = e.above_scale;
                    out.exempt[j] = !e.exempt.trim().is_empty();
                    put(0, j, e.land_mu);
                    put(1, j, o(e.tax));
                    put(2, j, o(e.revenue));
                    put(3, j, o(e.added_value));
                    put(4, j, o(e.rd));
                    put(5, j, o(e.energy));
                    put(6, j, o(e.emissions));
                    put(7, j, o(e.electricity));
                    put(8, j, o(e.employees));
                    items.extend(e.items.iter().map(|(code, v)| ((base + j) as u32, code_ix[code.as_str()], *v)));
                }
                items
            })
            .collect();
        c.items = items.concat();
        c
    }

    pub fn len(&self) -> usize {
        self.land.len()
    }

    pub fn is_empty(&self) -> bool {
        self.land.is_empty()
    }

    /// The (numerator, denominator) columns of a metric (empty if the columns were built for a
    /// scheme without it).
    pub fn parts(&self, m: Metric) -> (&[f64], &[f64]) {
        let cols = [&self.land, &self.tax, &self.revenue, &self.added_value, &self.rd, &self.energy, &self.emissions, &self.electricity, &self.employees];
        let (a, b) = PARTS[m as usize];
        (cols[a], cols[b])
    }
}

/// Which segment a firm falls in, or [`UNRATED`]: not exempt, land > 0 and ≥ the segment's
/// minimum. Built once per scheme; `of` is cheap enough to call per firm in every pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SegmentRule {
    up: u8,
    down: u8,
    min_up: f64,
    min_down: f64,
}

impl SegmentRule {
    /// The scheme must have passed [`MujunScheme::problems`] (one segment per scale).
    pub(crate) fn new(scheme: &MujunScheme) -> SegmentRule {
        let of = |above: bool| scheme.segments.iter().position(|s| s.above_scale == above).expect("checked: one segment per scale");
        let (up, down) = (of(true), of(false));
        SegmentRule { up: up as u8, down: down as u8, min_up: scheme.segments[up].min_land_mu, min_down: scheme.segments[down].min_land_mu }
    }

    #[inline]
    pub(crate) fn of(&self, c: &FirmColumns, i: usize) -> u8 {
        let (si, min) = if c.above[i] { (self.up, self.min_up) } else { (self.down, self.min_down) };
        let land = c.land[i];
        if !c.exempt[i] && land > 0.0 && land >= min { si } else { UNRATED }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The column table agrees with the record-level definition of every metric, and columns
    /// built for a scheme hold exactly what its metrics read.
    #[test]
    fn columns_match_the_metric_parts() {
        let e = Enterprise {
            uscc: "x".into(), zone: "z".into(), land_mu: 2.0, tax: Some(3.0), revenue: Some(5.0), added_value: Some(7.0), rd: Some(11.0),
            energy: Some(13.0), emissions: Some(17.0), electricity: Some(19.0), employees: Some(23.0), ..Default::default()
        };
        let c = FirmColumns::new(std::slice::from_ref(&e));
        for m in Metric::ALL {
            let (a, b) = c.parts(m);
            assert_eq!((Some(a[0]), Some(b[0])), m.parts(&e), "{m:?}");
        }
        let huaian = crate::landuse::examples::huaian();
        let s = FirmColumns::for_scheme(std::slice::from_ref(&e), &huaian);
        assert_eq!((s.tax.len(), s.revenue.len(), s.energy.len(), s.electricity.len(), s.land.len()), (1, 1, 1, 1, 1));
        assert!(s.added_value.is_empty() && s.emissions.is_empty() && s.employees.is_empty() && s.rd.is_empty());
    }
}
