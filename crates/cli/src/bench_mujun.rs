//! `nengji bench mujun`: 亩均 grading of N generated enterprises (default 500,000) with the
//! shipped 淮安 and 黄岩区 schemes, against a pandas/numpy implementation of the same schemes
//! (bench/mujun_bench.py) in the same invocation, on the same input. The firms (this year and
//! last year, for k × average benchmarks) come from `nengji_core::landuse::synth`; Python gets
//! them as raw little-endian columns and each scheme as the JSON the store keeps. Rust times
//! `mujun::grade_columns` on `FirmColumns` built beforehand (as Python's DataFrame is loaded
//! before its timing): benchmarks, item scores, segment averages, bonus/penalty, ranks, classes;
//! and, separately, `mujun::grade` — what a run on the pages does: records → columns → the same
//! arithmetic → one result record per firm (it takes the records over, as the pages hand it the
//! figures they loaded; the copy for each round is made untimed). Both sides must give every
//! firm the same class and bit-identical scores, and `grade` the same classes and scores as
//! `grade_columns`, or the command fails. Not part of the test suite.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use nengji_core::landuse::mujun::{self, Enterprise, MujunScheme};
use nengji_core::landuse::{examples, synth};

#[derive(clap::Args)]
pub struct Args {
    /// Enterprises per year (two years are generated).
    #[arg(long, default_value_t = 500_000)]
    pub firms: usize,
    /// Zones the firms are spread over (淮安 ranks and sets benchmarks per zone).
    #[arg(long, default_value_t = 300)]
    pub zones: usize,
    /// Timed rounds per side (the best is compared).
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Python with numpy and pandas.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// The pandas/numpy reference.
    #[arg(long, default_value = "bench/mujun_bench.py")]
    pub script: PathBuf,
    /// Keep the generated columns in this directory (default: a temporary one, removed).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

const ITEMS: [&str; 3] = ["energy_saving", "innovation", "safety"];

fn write_year(dir: &Path, tag: &str, firms: &[Enterprise], zone_ix: &std::collections::HashMap<String, i32>) -> Result<()> {
    fn put(dir: &Path, name: &str, bytes: impl Iterator<Item = Vec<u8>>) -> Result<()> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{name}.bin")))?);
        for b in bytes {
            f.write_all(&b)?;
        }
        f.flush()?;
        Ok(())
    }
    let f64s = |get: &dyn Fn(&Enterprise) -> Option<f64>| -> Vec<Vec<u8>> { firms.iter().map(|e| get(e).unwrap_or(f64::NAN).to_le_bytes().to_vec()).collect() };
    put(dir, &format!("{tag}_zone"), firms.iter().map(|e| zone_ix[&e.zone].to_le_bytes().to_vec()))?;
    put(dir, &format!("{tag}_above"), firms.iter().map(|e| vec![e.above_scale as u8]))?;
    put(dir, &format!("{tag}_exempt"), firms.iter().map(|e| vec![!e.exempt.trim().is_empty() as u8]))?;
    type Getter<'a> = &'a dyn Fn(&Enterprise) -> Option<f64>;
    let cols: [(&str, Getter); 9] = [
        ("land", &|e| Some(e.land_mu)),
        ("tax", &|e| e.tax),
        ("revenue", &|e| e.revenue),
        ("added_value", &|e| e.added_value),
        ("rd", &|e| e.rd),
        ("energy", &|e| e.energy),
        ("emissions", &|e| e.emissions),
        ("electricity", &|e| e.electricity),
        ("employees", &|e| e.employees),
    ];
    for (name, get) in cols.iter() {
        put(dir, &format!("{tag}_{name}"), f64s(get).into_iter())?;
    }
    for item in ITEMS {
        put(dir, &format!("{tag}_item_{item}"), f64s(&|e| Some(e.items.get(item).copied().unwrap_or(0.0))).into_iter())?;
    }
    Ok(())
}

fn best(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn time<T>(rounds: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..rounds {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        last = Some(out);
    }
    (times, last.expect("at least one round"))
}

pub fn run(a: Args) -> Result<()> {
    if cfg!(debug_assertions) {
        eprintln!("警告：这是调试构建，计时没有意义；请用 cargo build --release -p nengji");
    }
    ensure!(a.firms > 0 && a.zones > 0 && a.rounds > 0, "--firms、--zones 和 --rounds 应大于0");
    let (dir, remove) = match a.dir.clone() {
        Some(d) => (d, false),
        None => (std::env::temp_dir().join(format!("nengji-bench-mujun-{}", std::process::id())), true),
    };
    std::fs::create_dir_all(&dir)?;
    let per_zone = a.firms.div_ceil(a.zones);
    let zones: Vec<(String, String)> = (0..a.zones).map(|z| (format!("z{z:04}"), format!("13{:04}", 1000 + z % 9000))).collect();
    let g = Instant::now();
    let mut firms = synth::enterprises(&zones, per_zone, 2020, 7, false);
    let mut prior = synth::enterprises(&zones, per_zone, 2019, 7, false);
    firms.truncate(a.firms);
    prior.truncate(a.firms);
    let zone_ix: std::collections::HashMap<String, i32> = zones.iter().enumerate().map(|(i, (z, _))| (z.clone(), i as i32)).collect();
    write_year(&dir, "cur", &firms, &zone_ix)?;
    write_year(&dir, "prior", &prior, &zone_ix)?;
    // The columns the arithmetic reads, built before timing (as Python loads its DataFrame untimed).
    let (cur_cols, prior_cols) = (mujun::FirmColumns::new(&firms), mujun::FirmColumns::new(&prior));
    let schemes: Vec<MujunScheme> = vec![examples::huaian(), examples::huangyan_2022()];
    for s in &schemes {
        std::fs::write(dir.join(format!("scheme_{}.json", s.code)), serde_json::to_vec(s)?)?;
    }
    std::fs::write(dir.join("meta.json"), serde_json::to_vec(&serde_json::json!({ "n": firms.len(), "zones": a.zones, "items": ITEMS, "schemes": schemes.iter().map(|s| &s.code).collect::<Vec<_>>() }))?)?;
    println!("生成 {} 家企业 × 2 年（{} 个开发区），写出列文件：{:.1} s", firms.len(), a.zones, g.elapsed().as_secs_f64());

    let out = std::process::Command::new(&a.python)
        .arg(&a.script)
        .arg(&dir)
        .arg("--rounds")
        .arg(a.rounds.to_string())
        .output()
        .with_context(|| format!("无法运行 {} {}（需要 numpy 和 pandas：pip install numpy pandas）", a.python, a.script.display()))?;
    ensure!(out.status.success(), "Python 参考实现失败：{}", String::from_utf8_lossy(&out.stderr));
    let py: serde_json::Value = serde_json::from_slice(out.stdout.split(|b| *b == b'\n').rfind(|l| !l.is_empty()).unwrap_or_default()).context("Python 输出不是 JSON")?;

    println!("| 方案 | 企业数 | Rust grade_columns 最佳 ms | Rust grade（记录→列→逐企业结果）最佳 ms | pandas/numpy 最佳 ms | pandas ÷ grade_columns | pandas ÷ grade |");
    println!("|---|---|---|---|---|---|---|");
    for s in &schemes {
        let (arr_times, g) = time(a.rounds, || mujun::grade_columns(s, &cur_cols, Some(&prior_cols)));
        let g = g.map_err(anyhow::Error::msg)?;
        // `grade` takes the records over (the pages load them for it): each round gets its own
        // copy, made before the clock starts.
        let mut full_times = Vec::new();
        let mut full = None;
        for _ in 0..a.rounds {
            let copy = firms.clone();
            let t = Instant::now();
            let out = mujun::grade(s, 2020, copy, Some(&prior));
            full_times.push(t.elapsed().as_secs_f64() * 1000.0);
            full = Some(out.map_err(anyhow::Error::msg)?);
        }
        let full = full.expect("at least one round");
        // Same classes and bit-identical scores on both sides.
        let classes = std::fs::read(dir.join(format!("classes_{}.bin", s.code)))?;
        let scores: Vec<f64> = std::fs::read(dir.join(format!("scores_{}.bin", s.code)))?.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
        ensure!(classes.len() == firms.len() && scores.len() == firms.len(), "Python 结果的长度不对");
        let letter = |i: usize| if g.class[i] == u8::MAX { b'T' } else { s.bands[g.class[i] as usize].class.as_bytes()[0] };
        let class_diff = (0..firms.len()).filter(|&i| classes[i] != letter(i)).count();
        let score_diff = (0..firms.len()).filter(|&i| g.total[i].to_bits() != scores[i].to_bits() && !(g.total[i].is_nan() && scores[i].is_nan())).count();
        ensure!(class_diff == 0 && score_diff == 0, "{}：Rust 与 pandas 结果不一致：{class_diff} 家类别不同，{score_diff} 家得分不同", s.name);
        ensure!(
            full.results.iter().zip(0..).all(|(r, i)| r.class.as_bytes()[0] == letter(i) && r.score.map(f64::to_bits) == (!g.total[i].is_nan()).then(|| g.total[i].to_bits())),
            "grade 与 grade_columns 不一致"
        );
        let counts: Vec<String> = full.class_counts(s).iter().map(|(c, n)| format!("{c}{n}")).collect();
        let p = &py["schemes"][&s.code];
        let py_times: Vec<f64> = p["times_ms"].as_array().context("times_ms")?.iter().filter_map(|v| v.as_f64()).collect();
        let (ra, rf, pb) = (best(&arr_times), best(&full_times), best(&py_times));
        println!("| {} | {} | {ra:.1} | {rf:.1} | {pb:.1} | **{:.1}×** | {:.1}× |", s.name, firms.len(), pb / ra, pb / rf);
        println!("|  | 各轮 ms | {} | {} | {} | 类别：{} | 两侧类别一致、得分逐位相同 |", fmt(&arr_times), fmt(&full_times), fmt(&py_times), counts.join(" "));
    }
    if remove {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

fn fmt(v: &[f64]) -> String {
    v.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join("/")
}
