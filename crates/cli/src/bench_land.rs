//! `nengji bench land`: the idle-land scan of N generated parcels (default 1,000,000) against
//! a pandas/numpy implementation of the same rules (bench/land_bench.py), in one invocation on
//! the same input. The parcels are generated here (deterministic SplitMix64), written as raw
//! little-endian columns for Python, and turned into a `Vec<ParcelFacts>` for the Rust scan —
//! `nengji_core::land::rules::assess`, the function the ledger pages use, in a tight loop. Both
//! sides report the same counts or the command fails. Not part of the test suite.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use chrono::{Datelike, Duration as Days, NaiveDate};
use nengji_core::calendar::DayOverride;
use nengji_core::land::period::RestDays;
use nengji_core::land::rules::{assess, Assessment, Cause, Consequence, IdleCase, ParcelFacts, Restart, Supply, Thresholds};

#[derive(clap::Args)]
pub struct Args {
    /// Parcels to generate.
    #[arg(long, default_value_t = 1_000_000)]
    pub parcels: usize,
    /// Timed rounds per side (the best is compared).
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Python with numpy and pandas.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// The pandas/numpy reference.
    #[arg(long, default_value = "bench/land_bench.py")]
    pub script: PathBuf,
    /// Keep the generated columns in this directory (default: a temporary one, removed).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

const NONE: i32 = i32::MIN;
const AS_OF: (i32, u32, u32) = (2019, 6, 30);

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Weekday holidays of 2005–2035 (New Year, Labour Day, National Day week) — a stand-in for the
/// office's calendar, the same list on both sides (no 调休 workdays: numpy's busday has none).
fn holidays() -> Vec<NaiveDate> {
    let mut out = Vec::new();
    for y in 2005..=2035 {
        let mut days = vec![NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y, 5, 1)];
        days.extend((1..=7).map(|d| NaiveDate::from_ymd_opt(y, 10, d)));
        out.extend(days.into_iter().flatten().filter(|d| d.weekday().number_from_monday() <= 5));
    }
    out
}

/// The parcels as columns (what Python reads) — dates as days since 1970-01-01, `NONE` for none.
#[derive(Default)]
struct Columns {
    industrial: Vec<u8>,
    supply: Vec<u8>,
    supply_date: Vec<i32>,
    contract_start: Vec<i32>,
    handover: Vec<i32>,
    started: Vec<i32>,
    halted: Vec<i32>,
    restart_decided: Vec<i32>,
    restart_due: Vec<i32>,
    price_fen: Vec<i64>,
    planned_fen: Vec<i64>,
    invested_fen: Vec<i64>,
    to_develop_m2: Vec<f64>,
    developed_m2: Vec<f64>,
    cause: Vec<i8>,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("date")
}

fn days(d: Option<NaiveDate>) -> i32 {
    d.map(|d| (d - epoch()).num_days() as i32).unwrap_or(NONE)
}

fn date(x: i32) -> Option<NaiveDate> {
    (x != NONE).then(|| epoch() + Days::days(x as i64))
}

/// Generates parcels that exercise every branch: leap-day handovers, default start dates,
/// exact 1/3 and 25 % shares, each cause, restarts, allocation and pre-2011 supply.
fn generate(n: usize) -> Columns {
    let mut r = Rng(0x6E65_6E67_6A69);
    let mut c = Columns::default();
    let base = NaiveDate::from_ymd_opt(2008, 1, 1).expect("date");
    for _ in 0..n {
        let supply_date = base + Days::days(r.below(365 * 11) as i64);
        let mut handover = supply_date + Days::days(r.below(180) as i64);
        if r.chance(1) {
            handover = NaiveDate::from_ymd_opt(2012 + 4 * r.below(2) as i32, 2, 29).expect("leap day");
        }
        let contract = r.chance(70).then(|| handover + Days::days(r.below(365) as i64));
        let due = contract.unwrap_or_else(|| nengji_core::land::period::add_years(handover, 1));
        let started = r.chance(50).then(|| due - Days::days(100) + Days::days(r.below(1000) as i64));
        let halted = started.filter(|_| r.chance(40)).map(|s| s + Days::days(30 + r.below(1200) as i64));
        let area = (3 * (1000 + r.below(30_000))) as f64;
        let developed = match r.below(10) {
            0 => area / 3.0,
            1..=4 => (area * r.below(1000) as f64 / 1000.0).floor(),
            _ => area,
        };
        let price = (area as i64) * (20_000 + r.below(60_000) as i64);
        let planned = price * (2 + r.below(8) as i64);
        let invested = match r.below(10) {
            0 => planned / 4,
            1..=4 => planned * r.below(100) as i64 / 100,
            _ => planned,
        };
        let restart = r.chance(5).then(|| {
            let decided = due + Days::days(400);
            (decided, decided + Days::days(r.below(365) as i64))
        });
        c.industrial.push(u8::from(r.chance(80)));
        c.supply.push(u8::from(!r.chance(90)));
        c.supply_date.push(days(Some(supply_date)));
        c.contract_start.push(days(contract));
        c.handover.push(days(Some(handover)));
        c.started.push(days(started));
        c.halted.push(days(halted));
        c.restart_decided.push(days(restart.map(|x| x.0)));
        c.restart_due.push(days(restart.map(|x| x.1)));
        c.price_fen.push(price);
        c.planned_fen.push(planned);
        c.invested_fen.push(invested);
        c.to_develop_m2.push(area);
        c.developed_m2.push(developed);
        c.cause.push(match r.below(10) {
            0..=3 => -1,
            4 | 5 => r.below(7) as i8,
            _ => 7,
        });
    }
    c
}

fn to_facts(c: &Columns) -> Vec<ParcelFacts> {
    (0..c.industrial.len())
        .map(|i| ParcelFacts {
            industrial: c.industrial[i] == 1,
            supply: if c.supply[i] == 0 { Supply::Sale } else { Supply::Allocation },
            supply_date: date(c.supply_date[i]),
            contract_start: date(c.contract_start[i]),
            handover: date(c.handover[i]),
            started: date(c.started[i]),
            halted: date(c.halted[i]),
            price_fen: c.price_fen[i],
            planned_fen: c.planned_fen[i],
            invested_fen: c.invested_fen[i],
            to_develop_m2: c.to_develop_m2[i],
            developed_m2: c.developed_m2[i],
            cause: match c.cause[i] {
                -1 => None,
                k @ 0..=6 => Some(Cause::ALL[k as usize]),
                _ => Some(Cause::Holder),
            },
            restart: date(c.restart_decided[i]).zip(date(c.restart_due[i])).map(|(decided, start_due)| Restart { decided, start_due }),
        })
        .collect()
}

/// What the scan counts; the same keys as the Python side prints.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    not_idle: u64,
    a_investigate: u64,
    a_negotiate: u64,
    a_fee: u64,
    a_recovery: u64,
    b_negotiate: u64,
    in_scope: u64,
    in_scope_idle: u64,
    fee_sum_fen: i128,
}

impl Counts {
    fn add(mut self, o: Counts) -> Counts {
        self.not_idle += o.not_idle;
        self.a_investigate += o.a_investigate;
        self.a_negotiate += o.a_negotiate;
        self.a_fee += o.a_fee;
        self.a_recovery += o.a_recovery;
        self.b_negotiate += o.b_negotiate;
        self.in_scope += o.in_scope;
        self.in_scope_idle += o.in_scope_idle;
        self.fee_sum_fen += o.fee_sum_fen;
        self
    }

    fn from_json(v: &serde_json::Value) -> Result<Counts> {
        let n = |k: &str| v[k].as_u64().with_context(|| format!("Python output lacks {k}"));
        Ok(Counts {
            not_idle: n("not_idle")?,
            a_investigate: n("a_investigate")?,
            a_negotiate: n("a_negotiate")?,
            a_fee: n("a_fee")?,
            a_recovery: n("a_recovery")?,
            b_negotiate: n("b_negotiate")?,
            in_scope: n("in_scope")?,
            in_scope_idle: n("in_scope_idle")?,
            fee_sum_fen: v["fee_sum_fen"].as_i64().context("fee_sum_fen")? as i128,
        })
    }
}

/// The scan: `assess` over a slice, counting as it goes.
fn scan(parcels: &[ParcelFacts], as_of: NaiveDate, t: &Thresholds, r: &RestDays) -> Counts {
    parcels.iter().fold(Counts::default(), |c, f| c.count(&assess(f, as_of, t, r)))
}

impl Counts {
    fn count(mut self, a: &Assessment) -> Counts {
        let c = &mut self;
        c.in_scope += a.in_scope as u64;
        match (a.case, a.consequence) {
            (None, _) => c.not_idle += 1,
            (Some(IdleCase::NotStarted), Consequence::Investigate) => c.a_investigate += 1,
            (Some(IdleCase::NotStarted), Consequence::Negotiate) => c.a_negotiate += 1,
            (Some(IdleCase::NotStarted), Consequence::Fee { fee_fen }) => {
                c.a_fee += 1;
                c.fee_sum_fen += fee_fen as i128;
            }
            (Some(IdleCase::NotStarted), Consequence::Recovery) => c.a_recovery += 1,
            (Some(IdleCase::Stalled), _) => c.b_negotiate += 1,
            (Some(_), _) => {}
        }
        c.in_scope_idle += (a.in_scope && a.case.is_some()) as u64;
        self
    }
}

fn write_columns(dir: &Path, c: &Columns, as_of: NaiveDate, holidays: &[NaiveDate], t: &Thresholds) -> Result<()> {
    fn put<T: Copy>(dir: &Path, name: &str, v: &[T], le: impl Fn(T) -> Vec<u8>) -> Result<()> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{name}.bin")))?);
        for x in v {
            f.write_all(&le(*x))?;
        }
        f.flush()?;
        Ok(())
    }
    put(dir, "industrial", &c.industrial, |x| vec![x])?;
    put(dir, "supply", &c.supply, |x| vec![x])?;
    put(dir, "cause", &c.cause, |x| x.to_le_bytes().to_vec())?;
    let dates = [
        ("supply_date", &c.supply_date),
        ("contract_start", &c.contract_start),
        ("handover", &c.handover),
        ("started", &c.started),
        ("halted", &c.halted),
        ("restart_decided", &c.restart_decided),
        ("restart_due", &c.restart_due),
    ];
    for (name, v) in dates {
        put(dir, name, v, |x| x.to_le_bytes().to_vec())?;
    }
    for (name, v) in [("price_fen", &c.price_fen), ("planned_fen", &c.planned_fen), ("invested_fen", &c.invested_fen)] {
        put(dir, name, v, |x| x.to_le_bytes().to_vec())?;
    }
    for (name, v) in [("to_develop_m2", &c.to_develop_m2), ("developed_m2", &c.developed_m2)] {
        put(dir, name, v, |x| x.to_le_bytes().to_vec())?;
    }
    let mut columns: Vec<(&str, &str)> = vec![("industrial", "u1"), ("supply", "u1"), ("cause", "i1")];
    columns.extend(dates.iter().map(|(n, _)| (*n, "i4")));
    columns.extend([("price_fen", "i8"), ("planned_fen", "i8"), ("invested_fen", "i8"), ("to_develop_m2", "f8"), ("developed_m2", "f8")]);
    let meta = serde_json::json!({
        "n": c.industrial.len(),
        "as_of": as_of,
        "holidays": holidays,
        "scope_since": t.scope_since,
        "columns": columns,
        "dates": dates.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
    });
    std::fs::write(dir.join("meta.json"), serde_json::to_vec(&meta)?)?;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn best(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

pub fn run(a: Args) -> Result<()> {
    if cfg!(debug_assertions) {
        eprintln!("警告：这是调试构建，计时没有意义；请用 cargo build --release -p nengji");
    }
    ensure!(a.parcels > 0 && a.rounds > 0, "--parcels 和 --rounds 应大于0");
    let (dir, remove) = match a.dir.clone() {
        Some(d) => (d, false),
        None => (std::env::temp_dir().join(format!("nengji-bench-land-{}", std::process::id())), true),
    };
    std::fs::create_dir_all(&dir)?;
    let t = Thresholds::default();
    let hol = holidays();
    let rest = RestDays::new(&hol.iter().map(|d| DayOverride { date: *d, workday: false }).collect::<Vec<_>>());
    let as_of = NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).expect("date");

    let g = Instant::now();
    let cols = generate(a.parcels);
    write_columns(&dir, &cols, as_of, &hol, &t)?;
    let gen_time = g.elapsed();
    let l = Instant::now();
    let facts = to_facts(&cols);
    let load_time = l.elapsed();
    drop(cols);

    let mut single = Vec::new();
    let mut parallel = Vec::new();
    let mut counts = Counts::default();
    for _ in 0..a.rounds {
        let s = Instant::now();
        counts = scan(&facts, as_of, &t, &rest);
        single.push(ms(s.elapsed()));
        let s = Instant::now();
        let par = nengji_core::land::scan::par_fold(&facts, as_of, &t, &rest, Counts::default, |c, _, a| c.count(a), Counts::add);
        parallel.push(ms(s.elapsed()));
        ensure!(par == counts, "并行扫描与单线程结果不一致");
    }

    let p = Instant::now();
    let out = std::process::Command::new(&a.python)
        .arg(&a.script)
        .arg(&dir)
        .arg("--rounds")
        .arg(a.rounds.to_string())
        .output()
        .with_context(|| format!("无法运行 {} {}（需要 numpy 和 pandas：pip install numpy pandas）", a.python, a.script.display()))?;
    let py_wall = p.elapsed();
    if remove {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if !out.status.success() {
        bail!("Python 基准失败：{}", String::from_utf8_lossy(&out.stderr));
    }
    let line = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(line.trim().lines().last().unwrap_or("")).context("Python 输出不是 JSON")?;
    let py = Counts::from_json(&v["counts"])?;
    let py_times: Vec<f64> = v["times_ms"].as_array().context("times_ms")?.iter().filter_map(|x| x.as_f64()).collect();
    ensure!(py == counts, "两边结果不一致：Rust {counts:?}，pandas {py:?}");

    let (rs1, rsn, pyb) = (best(&single), best(&parallel), best(&py_times));
    println!("闲置土地扫描：{} 宗宗地，统计日期 {as_of}，{} 轮取最快（numpy {}，pandas {}）", a.parcels, a.rounds, v["numpy"].as_str().unwrap_or("?"), v["pandas"].as_str().unwrap_or("?"));
    println!("生成并写出列文件 {:.0} ms；列 → Vec<ParcelFacts> {:.0} ms（不计入）；Python 进程合计 {:.0} ms", ms(gen_time), ms(load_time), ms(py_wall));
    println!("结果一致：未闲置 {}，未动工闲置（调查 {}，协商 {}，征缴闲置费 {}，无偿收回 {}），中止开发可认定 {}；清理范围 {}（其中闲置 {}）；闲置费合计 {} 分",
        counts.not_idle, counts.a_investigate, counts.a_negotiate, counts.a_fee, counts.a_recovery, counts.b_negotiate, counts.in_scope, counts.in_scope_idle, counts.fee_sum_fen);
    println!("| 实现 | 最快 ms | 各轮 ms | 相对 pandas |");
    println!("|---|---|---|---|");
    let fmt = |v: &[f64]| v.iter().map(|x| format!("{x:.1}")).collect::<Vec<_>>().join(", ");
    println!("| pandas/numpy（向量化） | {pyb:.1} | {} | 1.0× |", fmt(&py_times));
    println!("| nengji 单线程 | {rs1:.1} | {} | {:.1}× |", fmt(&single), pyb / rs1);
    println!("| nengji 并行（rayon，{} 核） | {rsn:.1} | {} | {:.1}× |", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1), fmt(&parallel), pyb / rsn);
    Ok(())
}
