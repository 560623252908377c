//! Deterministic demo values (示例数据) for every zone, 2016-01 … 2020-12.
//!
//! The figures are invented but internally consistent: a flow's 1–N月累计 never falls within a
//! year, 高新技术产业增加值 ≤ 规上工业增加值 ≤ 地区生产总值, rates stay ≤ 100%. Every screen that
//! shows them says 示例数据. Sizes are chosen so some of the plan's targets are met by 2020 and some
//! are not, which is what a monitoring screen must be able to show.

use crate::catalog;
use crate::period::Month;

#[derive(Debug, Clone, PartialEq)]
pub struct DemoValue {
    pub zone: String,
    pub indicator: String,
    pub period: Month,
    pub value: f64,
}

pub const FIRST: (i32, u32) = (2016, 1);
pub const LAST: (i32, u32) = (2020, 12);

/// SplitMix64: a tiny deterministic hash so the data never depend on a RNG crate's version.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A uniform number in [0, 1) determined by the inputs.
fn unit(a: u64, b: u64, c: u64) -> f64 {
    (mix(mix(mix(a) ^ b) ^ c) >> 11) as f64 / (1u64 << 53) as f64
}

fn round(v: f64, decimals: u8) -> f64 {
    let p = 10f64.powi(decimals as i32);
    (v * p).round() / p
}

/// Seasonal share of the year's flow by month (sums to 100): slow Spring Festival, strong December.
const SEASON: [f64; 12] = [5.5, 6.0, 8.0, 8.0, 8.5, 9.0, 8.0, 8.0, 8.5, 9.0, 9.5, 12.0];

/// Per zone: 2016 主营业务收入 (亿元), yearly growth, 2016 实际利用外资 (万美元, 0 = none until 2019),
/// 高新技术企业 in 2016 and yearly added, and the 2016 sewage-treatment rate.
struct Profile {
    revenue: f64,
    growth: f64,
    fdi: f64,
    hitech: f64,
    hitech_add: f64,
    sewage: f64,
}

fn profile(zone_index: usize) -> Profile {
    const P: [(f64, f64, f64, f64, f64, f64); 15] = [
        (820.0, 0.090, 26000.0, 60.0, 9.0, 96.0),  // 廊坊经开区
        (760.0, 0.095, 15000.0, 48.0, 8.0, 92.0),  // 燕郊高新区
        (330.0, 0.080, 4200.0, 14.0, 3.0, 90.0),   // 三河经开区
        (210.0, 0.100, 1800.0, 10.0, 3.0, 88.0),   // 大厂高新区
        (380.0, 0.085, 3500.0, 16.0, 4.0, 90.0),   // 香河经开区
        (150.0, 0.110, 0.0, 8.0, 3.0, 85.0),       // 广阳经开区: no FDI until 2019
        (95.0, 0.120, 900.0, 6.0, 2.0, 86.0),      // 龙河高新区
        (170.0, 0.130, 2200.0, 9.0, 3.0, 90.0),    // 北京亦庄永清高新区
        (700.0, 0.105, 12000.0, 40.0, 7.0, 95.0),  // 京南固安高新区
        (90.0, 0.090, 600.0, 7.0, 2.0, 88.0),      // 廊坊高新区
        (190.0, 0.095, 2600.0, 9.0, 3.0, 87.0),    // 永清经开区
        (600.0, 0.070, 5200.0, 20.0, 4.0, 91.0),   // 霸州经开区
        (300.0, 0.060, 1200.0, 8.0, 2.0, 84.0),    // 文安经开区
        (260.0, 0.065, 800.0, 7.0, 2.0, 82.0),     // 大城经开区
        (18.0, 0.200, 0.0, 1.0, 1.0, 95.0),        // 廊坊综保区: no FDI until 2019
    ];
    let p = P[zone_index];
    Profile { revenue: p.0, growth: p.1, fdi: p.2, hitech: p.3, hitech_add: p.4, sewage: p.5 }
}

/// All demo values. Flows are 1–N月累计; stocks are end-of-month levels.
pub fn values() -> Vec<DemoValue> {
    let zones = catalog::zones();
    let first = Month::new(FIRST.0, FIRST.1).expect("valid");
    let last = Month::new(LAST.0, LAST.1).expect("valid");
    let mut out = Vec::new();
    for (zi, zone) in zones.iter().enumerate() {
        let p = profile(zi);
        let z = zi as u64;
        let mut push = |ind: &str, period: Month, value: f64| {
            out.push(DemoValue { zone: zone.code.clone(), indicator: ind.into(), period, value });
        };
        for year in FIRST.0..=LAST.0 {
            let y = (year - FIRST.0) as u64;
            // Annual scale: compound growth with a little year-to-year wobble.
            let scale = (0..=y).fold(1.0, |acc, k| if k == 0 { acc } else { acc * (1.0 + p.growth + 0.03 * (unit(z, k, 1) - 0.5)) });
            let revenue = p.revenue * scale;
            // Ratios drift a little year to year so each indicator has its own growth.
            let drift = |salt: u64| 1.0 + 0.04 * (unit(z, y, salt) - 0.5);
            let gdp = revenue * (0.22 + 0.04 * unit(z, 0, 2)) * drift(12);
            let ind_va = gdp * (0.62 + 0.15 * unit(z, 0, 3)) * drift(14);
            let hitech_share = (0.22 + 0.20 * unit(z, 0, 4) + 0.015 * y as f64).min(0.9);
            let sei_share = (0.14 + 0.12 * unit(z, 0, 5) + 0.012 * y as f64).min(0.9);
            let fdi = if p.fdi == 0.0 {
                if year >= 2019 { 300.0 + 500.0 * unit(z, y, 6) } else { 0.0 }
            } else {
                p.fdi * (1.0 + 0.14 + 0.06 * (unit(z, 0, 6) - 0.5)).powi(y as i32)
            };
            let annual = [
                ("revenue", revenue, 2u8),
                ("gdp", gdp, 2),
                ("tax", gdp * (0.16 + 0.04 * unit(z, 0, 7)) * drift(13), 2),
                ("fdi", fdi, 0),
                ("trade", revenue * (0.05 + 0.06 * unit(z, 0, 8)) * (1.0 + 0.02 * y as f64), 2),
                ("ind_va", ind_va, 2),
                ("hitech_va", ind_va * hitech_share, 2),
                ("sei_va", gdp * sei_share, 2),
                ("fai", gdp * (0.7 + 0.4 * unit(z, y, 9)), 2),
            ];
            // Month weights are shared by all flows of a zone-year so ratios stay sane month to month.
            let weights: Vec<f64> = (0..12).map(|m| SEASON[m] / 100.0 * (0.9 + 0.2 * unit(z, y * 12 + m as u64, 10))).collect();
            let total: f64 = weights.iter().sum();
            for (code, amount, decimals) in annual {
                let mut cum = 0.0;
                for (m, w) in weights.iter().enumerate() {
                    cum += amount * w / total;
                    let period = Month::new(year, m as u32 + 1).expect("valid");
                    push(code, period, round(cum, decimals));
                }
            }
            let stock_at = |start: f64, add: f64, m: u32| start + add * (y as f64 + m as f64 / 12.0);
            for m in 1..=12u32 {
                let period = Month::new(year, m).expect("valid");
                let hitech = stock_at(p.hitech, p.hitech_add, m).round();
                push("hitech_ent", period, hitech);
                push("tech_sme", period, (hitech * (9.0 + 3.0 * unit(z, 0, 11))).round());
                push("rd_platforms", period, stock_at(p.hitech * 0.6, p.hitech_add * 0.5, m).round());
                // Rates climb toward 100; two zones stop just short of it.
                let ceiling = if zi == 12 || zi == 13 { 98.5 } else { 100.0 };
                let rate = (p.sewage + (100.0 - p.sewage) * (y as f64 * 12.0 + m as f64) / 48.0).min(ceiling);
                push("sewage_rate", period, round(rate, 1));
            }
        }
    }
    debug_assert!(out.iter().all(|v| v.period >= first && v.period <= last));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn index(vals: &[DemoValue]) -> HashMap<(String, String, Month), f64> {
        vals.iter().map(|v| ((v.zone.clone(), v.indicator.clone(), v.period), v.value)).collect()
    }

    #[test]
    fn deterministic_and_complete() {
        let a = values();
        assert_eq!(a, values());
        // 15 zones × 13 reported indicators × 60 months.
        assert_eq!(a.len(), 15 * 13 * 60);
        let reported = catalog::indicators().into_iter().filter(|i| i.monthly).count();
        assert_eq!(reported, 13);
    }

    #[test]
    fn cumulative_flows_never_fall_within_a_year() {
        let vals = values();
        let idx = index(&vals);
        for v in &vals {
            let flow = ["revenue", "gdp", "tax", "fdi", "trade", "ind_va", "hitech_va", "sei_va", "fai"];
            if flow.contains(&v.indicator.as_str()) && v.period.month() > 1 {
                let prev = idx[&(v.zone.clone(), v.indicator.clone(), v.period.offset(-1))];
                assert!(v.value >= prev, "{} {} {} fell", v.zone, v.indicator, v.period);
            }
        }
    }

    #[test]
    fn parts_stay_within_their_wholes() {
        let vals = values();
        let idx = index(&vals);
        for v in vals.iter().filter(|v| v.indicator == "hitech_va") {
            let ind = idx[&(v.zone.clone(), "ind_va".into(), v.period)];
            let gdp = idx[&(v.zone.clone(), "gdp".into(), v.period)];
            assert!(v.value <= ind && ind <= gdp, "{} {}", v.zone, v.period);
        }
        for v in vals.iter().filter(|v| v.indicator == "sewage_rate") {
            assert!((0.0..=100.0).contains(&v.value));
        }
    }

    #[test]
    fn targets_come_out_mixed_in_2020() {
        let vals = values();
        let dec = Month::new(2020, 12).unwrap();
        let at = |ind: &'static str| vals.iter().filter(move |v| v.indicator == ind && v.period == dec);
        let thousand = at("revenue").filter(|v| v.value >= 1000.0).count();
        assert!((1..4).contains(&thousand), "千亿级开发区 {thousand}: the 4-zone target should show as not yet met");
        let hitech: f64 = at("hitech_ent").map(|v| v.value).sum();
        assert!(hitech >= 400.0, "高新技术企业 {hitech}: the 400 target should show as met");
        let jan2016 = Month::new(2016, 1).unwrap();
        let no_fdi = vals.iter().filter(|v| v.indicator == "fdi" && v.period == jan2016 && v.value == 0.0).count();
        assert_eq!(no_fdi, 2, "two zones without foreign investment, as 方案五(二) expects");
    }
}
