//! `nengji evaluate`: the evaluation engine on plain files, outside the platform. Reads a scheme
//! (TOML or JSON) and a units × indicators sheet (CSV in UTF-8/GB18030, or xlsx), writes one
//! CSV row per unit: node scores, index, adjustments, final score, ranks, rank change,
//! consequences and, with `--mc N`, the Monte Carlo rank statistics. No database.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use nengji_core::evaluate::{inputs_from_table, results_table, Context, Evaluation, McOptions, PastRanking, Scheme};
use nengji_core::masterdata::Table;

#[derive(clap::Args)]
pub struct EvaluateArgs {
    /// Scheme file (.toml or .json); the format is in the README.
    #[arg(long)]
    scheme: PathBuf,
    /// Data: one row per unit, first column the unit code, one column per indicator
    /// (.csv in UTF-8 or GB18030, or .xlsx).
    #[arg(long)]
    data: PathBuf,
    /// Monte Carlo replications (0 = none).
    #[arg(long, default_value_t = 0)]
    mc: usize,
    /// Seed of the Monte Carlo run (same seed, same result).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output CSV (UTF-8 with BOM, opens in Excel); default: standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// The evaluation year (for rank change and "twice in N years" rules).
    #[arg(long)]
    year: Option<i32>,
    /// An earlier ranking as YEAR=FILE: a CSV written by this command, or any sheet with
    /// 单位代码 and 排名 columns. Repeat for several years; the latest is the previous one.
    #[arg(long, value_name = "YEAR=FILE")]
    previous: Vec<String>,
    /// Threads for the Monte Carlo run (default: all cores; the result is the same).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the engine's computing time (without file reading and writing) to stderr: the
    /// nominal run (preparing the scheme included) and the Monte Carlo run.
    #[arg(long)]
    timing: bool,
}

fn read_table(path: &Path) -> Result<Table> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取文件 {}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let mut tables = nengji_office::read_tables(&name, &bytes)?;
    Ok(tables.remove(0))
}

fn read_scheme(path: &Path) -> Result<Scheme> {
    let text = std::fs::read_to_string(path).with_context(|| format!("无法读取方案文件 {}", path.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if json {
        serde_json::from_str(text).with_context(|| format!("方案文件 {} 不是有效的方案 JSON", path.display()))
    } else {
        toml::from_str(text).map_err(|e| anyhow::anyhow!("方案文件 {} 不是有效的方案 TOML：{e}", path.display()))
    }
}

/// `2018=results-2018.csv` → the ranks in it (columns 单位代码/code and 排名/rank).
fn read_previous(spec: &str) -> Result<PastRanking> {
    let Some((year, file)) = spec.split_once('=') else { bail!("--previous 应写成 年份=文件，如 2018=结果2018.csv") };
    let year: i32 = year.trim().parse().with_context(|| format!("--previous 的年份“{year}”无效"))?;
    let table = read_table(Path::new(file))?;
    let col = |names: &[&str]| table.header.iter().position(|h| names.contains(&h.trim()));
    let code = col(&["单位代码", "code", "unit"]).unwrap_or(0);
    let Some(rank) = col(&["排名", "rank"]) else { bail!("{file} 中没有“排名”列") };
    let mut ranks = BTreeMap::new();
    for (r, row) in table.rows.iter().enumerate() {
        let cell = |c: usize| row.get(c).map(|s| s.trim()).unwrap_or("");
        if cell(code).is_empty() || cell(rank).is_empty() {
            continue;
        }
        let v: u32 = cell(rank).parse().with_context(|| format!("{file} 第 {} 行的排名“{}”不是正整数", r + 2, cell(rank)))?;
        ranks.insert(cell(code).to_string(), v);
    }
    Ok(PastRanking { year, ranks })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn to_csv(t: &Table) -> String {
    let mut out = String::new();
    for row in std::iter::once(&t.header).chain(&t.rows) {
        out.push_str(&row.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

pub fn run(args: EvaluateArgs) -> Result<()> {
    let scheme = read_scheme(&args.scheme)?;
    let table = read_table(&args.data)?;
    let inputs = match inputs_from_table(&table, &scheme) {
        Ok(i) => i,
        Err(errs) => {
            for e in &errs {
                eprintln!("{e}");
            }
            bail!("数据文件有 {} 处问题，未进行考核计算", errs.len());
        }
    };
    let history = args.previous.iter().map(|p| read_previous(p)).collect::<Result<Vec<_>>>()?;
    if !history.is_empty() && args.year.is_none() {
        bail!("使用 --previous 时须用 --year 指明本次考核年份");
    }
    let context = Context { year: args.year, history };

    // One preparation for the nominal run and the Monte Carlo run; the nominal time covers it.
    let started = Instant::now();
    let evaluation = Evaluation::new(&scheme, &inputs)?;
    let outcome = evaluation.outcome(&context);
    let nominal_time = started.elapsed();
    let mc = if args.mc > 0 {
        let started = Instant::now();
        let r = evaluation.monte_carlo(&McOptions { replications: args.mc, seed: args.seed, threads: args.threads })?;
        Some((r, started.elapsed()))
    } else {
        None
    };

    let csv = to_csv(&results_table(&outcome, mc.as_ref().map(|(r, _)| r)));
    match &args.out {
        Some(path) => {
            let mut f = std::fs::File::create(path).with_context(|| format!("无法写入 {}", path.display()))?;
            f.write_all("\u{feff}".as_bytes())?;
            f.write_all(csv.as_bytes())?;
            eprintln!("已写入 {}（{} 个单位）", path.display(), outcome.units.len());
        }
        None => std::io::stdout().write_all(csv.as_bytes())?,
    }
    for n in &outcome.notices {
        eprintln!("提示：{n}");
    }
    for c in &outcome.consequences {
        eprintln!("{}：{}（{}）", c.label, c.unit, c.reason);
    }
    if let Some((r, t)) = &mc {
        eprintln!("蒙特卡洛：{} 次模拟（种子 {}），失败 {} 次", r.replications, r.seed, r.failed);
        for f in &r.failures {
            eprintln!("  失败原因：{f}");
        }
        if args.timing {
            eprintln!("用时：名义计算 {:.1} ms，蒙特卡洛 {:.1} ms（{} 线程）", nominal_time.as_secs_f64() * 1e3, t.as_secs_f64() * 1e3, args.threads.unwrap_or_else(rayon_threads));
        }
    } else if args.timing {
        eprintln!("用时：名义计算 {:.1} ms", nominal_time.as_secs_f64() * 1e3);
    }
    Ok(())
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
