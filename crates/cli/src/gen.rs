//! `nengji gen`: a national-scale data set for benchmarks (bench/monitor-load.sh). On a new,
//! empty database it loads the plan's master data, adds generated zones and indicators up to
//! the asked numbers, and bulk-loads approved values of every zone × stored indicator × month
//! (2,700 × 60 × 120 = 19.4 million by default). Deterministic: the same arguments give the
//! same values. Not 示例数据 and not for production databases.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use nengji_core::catalog;
use nengji_core::indicator::{Direction, Indicator, IndicatorKind};
use nengji_core::period::Month;
use nengji_core::zone::{Zone, ZoneKind, ZoneLevel};
use nengji_store::observations::{self, BulkRow};
use nengji_store::{masterdata, seed, Actor, Db};

#[derive(Args)]
pub struct GenArgs {
    /// Zones in total (the plan's 15 plus generated ones).
    #[arg(long, default_value_t = 2700)]
    zones: usize,
    /// Indicators with stored values in total (the plan's 13 plus generated ones; the plan's two
    /// formula indicators come on top).
    #[arg(long, default_value_t = 60)]
    indicators: usize,
    /// Months of values, ending with --last.
    #[arg(long, default_value_t = 120)]
    months: usize,
    /// The last month.
    #[arg(long, default_value = "2025-12")]
    last: String,
    /// Zones per transaction.
    #[arg(long, default_value_t = 40)]
    batch_zones: usize,
}

/// splitmix64: a fixed, seedable hash for deterministic values.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A uniform number in [0, 1) from the parts of a key.
fn unit(parts: &[u64]) -> f64 {
    let h = parts.iter().fold(0x6E65_6E67_6A69u64, |h, p| mix(h ^ p));
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn round(v: f64, decimals: u8) -> f64 {
    let f = 10f64.powi(decimals as i32);
    (v * f).round() / f
}

fn generated_zones(n: usize) -> Vec<Zone> {
    let counties: Vec<String> = catalog::zones().into_iter().map(|z| z.county_code).collect();
    let kinds = [ZoneKind::Economic, ZoneKind::HighTech, ZoneKind::Bonded, ZoneKind::Other];
    (1..=n)
        .map(|k| Zone {
            code: format!("gen_z{k:04}"),
            name: format!("生成开发区{k:04}号"),
            short_name: format!("开发区{k:04}"),
            kind: kinds[k % kinds.len()],
            level: ZoneLevel::ALL[k % 3],
            county_code: counties[k % counties.len()].clone(),
            area_ha: Some(100.0 + (k % 900) as f64),
            leading_industries: String::new(),
            groups: Vec::new(),
        })
        .collect()
}

fn generated_indicators(n: usize) -> Vec<Indicator> {
    (1..=n)
        .map(|k| {
            let stock = k % 3 == 0;
            Indicator {
                code: format!("gen_i{k:02}"),
                name: format!("生成指标{k:02}"),
                unit: if stock { "家".into() } else { "亿元".into() },
                kind: if stock { IndicatorKind::Stock } else { IndicatorKind::Flow },
                direction: if k % 10 == 0 { Direction::Lower } else { Direction::Higher },
                decimals: if stock { 0 } else { 2 },
                formula: None,
                owner_unit: None,
                monthly: true,
                description: "nengji gen 生成的基准测试指标".into(),
            }
        })
        .collect()
}

/// Values of one zone and indicator over `months`: flows as 1–N月累计 of positive monthly
/// values, stocks as growing levels, rates (%) between 40 and 100.
fn series(z: u64, i: u64, ind: &Indicator, months: &[Month], out: &mut Vec<(Month, f64, Option<f64>)>) {
    let scale = (unit(&[z, i, 1]) * 4.0 - 2.0).exp();
    let growth = unit(&[z, i, 2]) * 0.25 - 0.05;
    let base = match ind.unit.as_str() {
        "万美元" => 800.0,
        "家" => 60.0,
        _ => 8.0,
    };
    let mut cum = 0.0;
    for (t, m) in months.iter().enumerate() {
        let noise = 0.85 + 0.3 * unit(&[z, i, 3, t as u64]);
        let trend = base * scale * (1.0 + growth).powf(t as f64 / 12.0);
        let value = if ind.unit == "%" {
            round(40.0 + 60.0 * unit(&[z, i, 4, t as u64]), ind.decimals)
        } else {
            match ind.kind {
                IndicatorKind::Flow => {
                    if m.month() == 1 {
                        cum = 0.0;
                    }
                    cum += trend * noise;
                    round(cum, ind.decimals)
                }
                _ => round(trend * (0.97 + 0.06 * unit(&[z, i, 5, t as u64])), ind.decimals),
            }
        };
        // One value in twenty comes with a 上年同期可比数.
        let comparable = (unit(&[z, i, 6, t as u64]) < 0.05 && ind.unit != "%").then(|| round(value / (1.0 + growth), ind.decimals));
        out.push((*m, value, comparable));
    }
}

pub async fn run(db: &Db, a: GenArgs) -> Result<()> {
    let started = Instant::now();
    let last: Month = a.last.parse().with_context(|| format!("--last {}", a.last))?;
    if a.months == 0 || a.zones == 0 || a.indicators == 0 {
        bail!("--zones、--indicators、--months 都必须大于 0");
    }
    if observations::count(db).await? > 0 {
        bail!("数据库中已有报送数据：nengji gen 只用于新建的空数据库");
    }
    let actor = Actor::system("nengji gen");
    seed::master_data(db, &actor).await?;
    let plan_zones = masterdata::list_zones(db).await?.len();
    let plan_stored = catalog::indicators().into_iter().filter(|i| i.kind != IndicatorKind::Formula).count();
    masterdata::upsert_zones(db, &actor, &generated_zones(a.zones.saturating_sub(plan_zones))).await?;
    masterdata::upsert_indicators(db, &actor, &generated_indicators(a.indicators.saturating_sub(plan_stored))).await?;
    let zones = masterdata::list_zones(db).await?;
    let inds: Vec<_> = masterdata::list_indicators(db).await?.into_iter().filter(|i| i.indicator.kind != IndicatorKind::Formula).collect();
    let zones = &zones[..a.zones.min(zones.len())];
    let inds = &inds[..a.indicators.min(inds.len())];
    let months: Vec<Month> = last.offset(-(a.months as i32 - 1)).range_to(last).collect();
    let total = zones.len() * inds.len() * months.len();
    eprintln!(
        "主数据就绪：开发区 {} 家，指标 {} 项（另有公式指标），月份 {} 至 {}；生成 {total} 条已审核数据",
        zones.len(),
        inds.len(),
        months[0],
        last
    );
    let indexes = observations::drop_secondary_indexes(db).await?;
    let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+00:00").unwrap().with_timezone(&chrono::Utc);
    let mut done = 0usize;
    let mut rows = Vec::with_capacity(a.batch_zones * inds.len() * months.len());
    let mut buf = Vec::with_capacity(months.len());
    let load_started = Instant::now();
    for chunk in zones.chunks(a.batch_zones.max(1)) {
        rows.clear();
        for z in chunk {
            for ind in inds {
                buf.clear();
                series(z.id as u64, ind.id as u64, &ind.indicator, &months, &mut buf);
                rows.extend(buf.iter().map(|&(period, value, prior_comparable)| BulkRow { zone_id: z.id, indicator_id: ind.id, period, value, prior_comparable }));
            }
        }
        observations::bulk_load(db, &actor, &rows, at).await?;
        done += rows.len();
        let secs = load_started.elapsed().as_secs_f64();
        eprintln!("  已写入 {done}/{total}（{:.1}%），{:.0} 条/秒，用时 {secs:.0} 秒", done as f64 * 100.0 / total as f64, done as f64 / secs);
    }
    eprintln!("重建索引并更新统计信息（{} 个索引）…", indexes.len());
    let t = Instant::now();
    observations::create_indexes(db, &indexes).await?;
    eprintln!("  索引用时 {:.0} 秒", t.elapsed().as_secs_f64());
    println!("已生成 {total} 条已审核数据（开发区 {} 家 × 指标 {} 项 × {} 个月），共用时 {:.0} 秒", zones.len(), inds.len(), months.len(), started.elapsed().as_secs_f64());
    Ok(())
}
