//! Deterministic synthetic figures: the demo's 示例数据 and the benchmark's large firm sets.
//! Plausible shapes (亩均税收 from about 1 to 60 万元/亩, 规上 about 70 %, a few T firms and
//! missing emission reports), not real firms.

use std::collections::BTreeMap;

use crate::evaluate::SplitMix64;

use super::intensive::{EvalArea, LandStats};
use super::mujun::Enterprise;

/// `n` firms per zone for one year, each keyed by a valid 统一社会信用代码 built from the zone's
/// county code. The same (zone, firm number, seed) gives the same firm every year, grown by the
/// year's factor, so k × last year's average benchmarks have a history to work on.
pub fn enterprises(zones: &[(String, String)], per_zone: usize, year: i32, seed: u64, demo: bool) -> Vec<Enterprise> {
    let mut out = Vec::with_capacity(zones.len() * per_zone);
    for (zi, (zone, county)) in zones.iter().enumerate() {
        for k in 0..per_zone {
            let id = (zi * per_zone + k) as u64;
            let mut g = SplitMix64::for_replication(seed, id);
            let mut y = SplitMix64::for_replication(seed ^ 0x5eed, id * 4096 + year as u64);
            let u = |g: &mut SplitMix64| g.uniform();
            // Firm-level traits (fixed over years).
            let above = u(&mut g) < 0.7;
            let land = if above { 8.0 + 190.0 * u(&mut g).powi(2) } else { 1.0 + 30.0 * u(&mut g).powi(2) };
            let quality = (u(&mut g) * 2.5 - 0.5).exp(); // 0.6 … 7.4
            let utility = u(&mut g) < 0.02;
            let reports_emission = u(&mut g) < 0.9;
            let growth = 1.0 + (year - 2018) as f64 * 0.05 + (u(&mut y) - 0.5) * 0.2;
            let tax_mu = quality * 6.0 * growth * (0.7 + 0.6 * u(&mut y));
            let revenue_mu = tax_mu * (12.0 + 10.0 * u(&mut y));
            let revenue = round2(revenue_mu * land);
            let va = round2(revenue * (0.18 + 0.15 * u(&mut y)));
            let energy = round2(revenue / (0.8 + 4.0 * u(&mut y)));
            let body = format!("91{}MA{:07}", &county[..6.min(county.len())], (id * 7 + 1_000_003) % 10_000_000);
            let uscc = crate::uscc::with_check_digit(&body).unwrap_or(body);
            let mut items = BTreeMap::new();
            if u(&mut y) < 0.03 {
                items.insert("safety".to_string(), 1.0);
            }
            if above && u(&mut y) < 0.08 {
                items.insert("innovation".to_string(), 1.0);
            }
            out.push(Enterprise {
                uscc,
                name: format!("{}{}{}有限公司{}", ["廊坊", "燕郊", "京南", "永清", "霸州"][k % 5], ["精密", "新材", "智能", "食品", "物流", "电子", "装备"][(id % 7) as usize], k + 1, if demo { "（示例）" } else { "" }),
                zone: zone.clone(),
                year,
                land_mu: round2(land),
                above_scale: above,
                tax: Some(round2(tax_mu * land)),
                revenue: Some(revenue),
                added_value: Some(va),
                rd: Some(round2(revenue * 0.04 * u(&mut y))),
                energy: Some(energy),
                emissions: reports_emission.then(|| round2(energy / (200.0 + 800.0 * u(&mut y)))),
                electricity: Some(round2(energy * (0.6 + 0.4 * u(&mut y)))),
                employees: Some((land * (2.0 + 6.0 * u(&mut y))).round().max(3.0)),
                exempt: if utility { "公用事业企业（示例）".into() } else { String::new() },
                items,
            });
        }
    }
    out
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A zone's 主区 land-use statistics for a year (公顷, 万元, 人): `industrial` zones are mostly
/// 工矿仓储, the others mixed; the year adds a little development.
pub fn land_stats(zone: &str, index: usize, year: i32, industrial: bool) -> LandStats {
    let mut g = SplitMix64::for_replication(0x1a4d, index as u64);
    let grow = 1.0 + (year - 2018) as f64 * 0.04;
    let size = 600.0 + 2400.0 * g.uniform();
    let a = size * (0.55 + 0.25 * g.uniform()) * grow.min(1.3);
    let (a2, a1) = if industrial { (a * (0.45 + 0.2 * g.uniform()), a * (0.05 + 0.1 * g.uniform())) } else { (a * (0.18 + 0.1 * g.uniform()), a * (0.26 + 0.1 * g.uniform())) };
    let rest = a - a1 - a2;
    let b21 = size * 0.08 * g.uniform();
    let b22 = size * 0.1 * g.uniform();
    let d = (a + b21 * 0.5) * (1.0 + 0.05 * g.uniform());
    let idle = d * 0.06 * g.uniform();
    let far = 0.6 + 0.8 * g.uniform();
    let v = [
        ("A1", a1), ("A2", a2), ("A31", rest * 0.3), ("A32", rest * 0.15), ("A4", rest * 0.2), ("A51", rest * 0.15), ("A52", rest * 0.15), ("A6", rest * 0.05),
        ("B21", b21), ("B22", b22), ("C1", size * 0.03), ("D1", d * 0.1), ("D21", d * 0.88), ("D22", d * 0.02), ("E21", b21 * 0.6), ("G", idle),
        ("H1", a2 * 0.3 * g.uniform()), ("H2", a2 * 0.1 * g.uniform()),
        ("floor_area", a * far), ("base_area", a * (0.25 + 0.15 * g.uniform())), ("ind_floor_area", a2 * (0.7 + 0.6 * g.uniform())),
        ("ind_base_area", a2 * (0.35 + 0.2 * g.uniform())), ("ind_investment", a2 * (2500.0 + 4000.0 * g.uniform()) * grow),
        ("ind_tax", a2 * (150.0 + 300.0 * g.uniform()) * grow), ("tax_total", a * (200.0 + 400.0 * g.uniform()) * grow), ("population", a * (30.0 + 90.0 * g.uniform())),
    ];
    LandStats { zone: zone.into(), year, area: EvalArea::Main, values: v.iter().map(|(k, x)| (k.to_string(), round2(*x))).collect() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn firms_are_deterministic_with_valid_codes() {
        let zones = vec![("z".to_string(), "131082".to_string())];
        let a = super::enterprises(&zones, 50, 2020, 7, true);
        assert_eq!(a, super::enterprises(&zones, 50, 2020, 7, true));
        assert!(a.iter().all(|e| crate::uscc::validate(&e.uscc).is_ok() && e.name.contains("示例")));
        let b = super::enterprises(&zones, 50, 2019, 7, true);
        assert!(a.iter().zip(&b).all(|(x, y)| x.uscc == y.uscc && x.land_mu == y.land_mu), "same firms, same land, other year");
        let codes: std::collections::HashSet<_> = a.iter().map(|e| &e.uscc).collect();
        assert_eq!(codes.len(), 50);
    }
}
