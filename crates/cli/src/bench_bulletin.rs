//! `nengji bench bulletin`: generating the monthly bulletin in every format for a small and a
//! large number of zones, in one run, so the large case reads as a ratio to the small one.

use std::time::{Duration, Instant};

use anyhow::Result;
use nengji_core::bulletin::{self, BulletinInput, IndicatorInput, ZoneFigure};
use nengji_core::period::Month;

/// Deterministic figures for `n` zones and the bulletin's eight indicators.
fn input(n: usize) -> Vec<IndicatorInput> {
    let names = [("revenue", "主营业务收入", "亿元"), ("gdp", "地区生产总值", "亿元"), ("tax", "税收收入", "亿元"), ("fdi", "实际利用外资", "万美元"),
        ("trade", "外贸进出口总额", "亿元"), ("ind_va", "规模以上工业增加值", "亿元"), ("hitech_va", "高新技术产业增加值", "亿元"), ("fai", "固定资产投资", "亿元")];
    names
        .iter()
        .enumerate()
        .map(|(k, (code, name, unit))| IndicatorInput {
            code: code.to_string(),
            name: name.to_string(),
            unit: unit.to_string(),
            decimals: 2,
            flow: true,
            zones: (0..n)
                .map(|z| {
                    let base = 50.0 + ((z * 7919 + k * 104_729) % 1000) as f64;
                    ZoneFigure {
                        zone: format!("z{z:04}"),
                        zone_name: format!("第{}开发区", z + 1),
                        value: Some(base * 1.08),
                        comparable: None,
                        last_year: Some(base),
                        last_month_value: Some(base * 0.95 + (z % 13) as f64),
                    }
                })
                .collect(),
        })
        .collect()
}

struct Timing {
    build: Duration,
    docx: Duration,
    xlsx: Duration,
    pdf: Option<Duration>,
}

fn time_one(n: usize, pdf: bool) -> Result<Timing> {
    let t = Instant::now();
    let b = bulletin::build(BulletinInput {
        period: Month::new(2020, 12).expect("valid"),
        number: "2020年第12期".into(),
        date: "2021年1月15日".into(),
        title_template: bulletin::DEFAULT_TITLE,
        issuer: bulletin::DEFAULT_ISSUER,
        summary_template: bulletin::DEFAULT_SUMMARY,
        indicators: input(n),
        demo: true,
    })?;
    let build = t.elapsed();
    let t = Instant::now();
    let docx = nengji_office::bulletin_doc::write_docx(&b)?;
    let docx_time = t.elapsed();
    let t = Instant::now();
    nengji_office::bulletin_doc::write_xlsx(&b)?;
    let xlsx = t.elapsed();
    let pdf = if pdf {
        let t = Instant::now();
        nengji_office::pdf::docx_to_pdf(&docx)?;
        Some(t.elapsed())
    } else {
        None
    };
    Ok(Timing { build, docx: docx_time, xlsx, pdf })
}

pub fn run(sizes: &[usize], pdf: bool, rounds: usize) -> Result<()> {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| 开发区数 | 生成内容 ms | docx ms | xlsx ms | PDF ms (LibreOffice) | 合计 ms | 与 {} 家之比 |", sizes[0]);
    println!("|---|---|---|---|---|---|---|");
    let mut first_total = None;
    for &n in sizes {
        // The median of `rounds` runs per size; the first round also warms fonts and caches.
        let mut runs: Vec<Timing> = (0..rounds.max(1)).map(|_| time_one(n, pdf)).collect::<Result<_>>()?;
        runs.sort_by_key(|t| t.build + t.docx + t.xlsx + t.pdf.unwrap_or_default());
        let t = &runs[runs.len() / 2];
        let total = ms(t.build) + ms(t.docx) + ms(t.xlsx) + t.pdf.map(ms).unwrap_or(0.0);
        let base = *first_total.get_or_insert(total);
        println!(
            "| {n} | {:.1} | {:.1} | {:.1} | {} | {:.1} | {:.2} |",
            ms(t.build),
            ms(t.docx),
            ms(t.xlsx),
            t.pdf.map(|d| format!("{:.0}", ms(d))).unwrap_or_else(|| "—".into()),
            total,
            total / base
        );
    }
    Ok(())
}
