//! `nengji bench import`: the collection benchmark. Imports values from a CSV and from an xlsx
//! entry template through the full path an upload takes (read the file, `parse_value_table` with
//! its code, number, duplicate and window checks, then `bulk::apply` in one transaction) into a
//! fresh SQLite database, and times sqlite3's own `.import` of the same CSV into a bare table in
//! the same run, so the ratio holds on a noisy shared machine. Not part of the test suite.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use clap::Subcommand;
use nengji_core::calendar::{WindowState, Window};
use nengji_core::entry::{parse_value_table, ValueInput};
use nengji_core::indicator::IndicatorKind;
use nengji_core::period::Month;
use nengji_core::zone::{Zone, ZoneKind, ZoneLevel};
use nengji_office::template::{self, TemplateRow, TemplateSpec, ENTRY_HEADER};
use nengji_store::collection::{self, Calendar, Dataset};
use nengji_store::{bulk, masterdata, observations, seed, Actor, Db};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Import N values from CSV and M from xlsx through the full validation path into a fresh
    /// SQLite database; compare with sqlite3's `.import` of the same CSV. Use a release build.
    Import {
        /// Values in the CSV file.
        #[arg(long, default_value_t = 1_000_000)]
        values: usize,
        /// Values in the xlsx file (an entry template, one month).
        #[arg(long, default_value_t = 200_000)]
        xlsx_values: usize,
        /// Working directory for the database and files (default: a new temporary directory,
        /// removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The sqlite3 command-line shell for the baseline.
        #[arg(long, default_value = "sqlite3")]
        sqlite3: String,
        /// Rounds, each a baseline and an import into a fresh database, one after the other; the
        /// best of each side is compared (the machines are shared, single runs move by 1.5×).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Generate the monthly bulletin (content, .docx, .xlsx, PDF) for each zone count given.
    Bulletin {
        /// Zone counts; the first is the baseline the others are compared with.
        #[arg(long, value_delimiter = ',', default_value = "15,300")]
        zones: Vec<usize>,
        /// Skip the PDF (which needs LibreOffice).
        #[arg(long)]
        no_pdf: bool,
        /// Runs per size (the median is reported).
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Idle-land scan of N generated parcels against pandas/numpy (bench/land_bench.py) in the same run.
    Land(crate::bench_land::Args),
    /// 亩均 grading of N generated enterprises against pandas/numpy (bench/mujun_bench.py) in the same run.
    Mujun(crate::bench_mujun::Args),
}

pub async fn run(cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Import { values, xlsx_values, dir, sqlite3, rounds } => import(values, xlsx_values, dir, &sqlite3, rounds).await,
        BenchCommand::Bulletin { zones, no_pdf, rounds } => crate::bench_bulletin::run(&zones, !no_pdf, rounds),
        BenchCommand::Land(args) => crate::bench_land::run(args),
        BenchCommand::Mujun(args) => crate::bench_mujun::run(args),
    }
}

/// A temporary directory removed on drop (unless the user chose the directory).
struct WorkDir {
    path: PathBuf,
    remove: bool,
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn work_dir(dir: Option<PathBuf>) -> Result<WorkDir> {
    let (path, remove) = match dir {
        Some(d) => (d, false),
        None => {
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
            (std::env::temp_dir().join(format!("nengji-bench-{}-{nanos}", std::process::id())), true)
        }
    };
    std::fs::create_dir_all(&path).with_context(|| format!("无法创建目录 {}", path.display()))?;
    ensure!(std::fs::read_dir(&path)?.next().is_none(), "目录 {} 不是空的：基准测试需要一个空目录", path.display());
    Ok(WorkDir { path, remove })
}

/// Today in China (UTC+8), the date the calendar works in.
fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// One monthly indicator as the template shows it.
struct Ind {
    code: String,
    name: String,
    unit: String,
    kind_label: &'static str,
}

/// The generated data set: `zones` zones × the data set's indicators, CSV months first, then the
/// xlsx month. Deterministic, so every run imports the same numbers.
struct Plan {
    zones: Vec<Zone>,
    inds: Vec<Ind>,
    csv_periods: Vec<Month>,
    xlsx_period: Month,
}

impl Plan {
    /// The reported numbers of cell (zone, period, indicator): 本期数值, 上年同期数, 上年同期可比数, 备注.
    /// They pass the stored validation rules (a file the rules refuse is not imported): 高新技术
    /// ≤ 规上工业 ≤ GDP and 战略性新兴 ≤ GDP within a report, a rate within 0–100 %.
    fn cell(z: usize, k: usize, i: usize, code: &str) -> (f64, f64, Option<f64>, &'static str) {
        let seq = (z * 131 + k * 17 + i * 7) % 100_000;
        let size = ((z * 131 + k * 17) % 100_000) as f64 / 10.0 + 1.0;
        let value = match code {
            "gdp" => size * 10.0,
            "ind_va" => size * 4.0,
            "hitech_va" => size * 2.0,
            "sei_va" => size * 1.5,
            c if c.ends_with("_rate") => (seq % 1000) as f64 / 10.0,
            _ => seq as f64 / 10.0 + 1.0,
        };
        let last_year = (value * 0.9 * 100.0).round() / 100.0;
        let prior = seq.is_multiple_of(4).then(|| (value * 0.92 * 100.0).round() / 100.0);
        let comment = if seq.is_multiple_of(97) { "含新入规企业3家，口径已调整" } else { "" };
        (value, last_year, prior, comment)
    }

    /// CSV cells in template order: month by month, zone by zone, indicator by indicator.
    fn csv_cells(&self, n: usize) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        let (zs, is) = (self.zones.len(), self.inds.len());
        (0..n).map(move |x| (x / is % zs, x / (is * zs), x % is))
    }
}

fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn write_csv(plan: &Plan, n: usize, path: &Path) -> Result<u64> {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut line = ENTRY_HEADER.join(",");
    line.push('\n');
    f.write_all(line.as_bytes())?;
    for (z, k, i) in plan.csv_cells(n) {
        let (zone, ind, period) = (&plan.zones[z], &plan.inds[i], plan.csv_periods[k]);
        let (value, last_year, prior, comment) = Plan::cell(z, k, i, &ind.code);
        line.clear();
        for s in [&zone.code, &zone.name, &ind.code, &ind.name, &ind.unit, ind.kind_label] {
            csv_field(&mut line, s);
            line.push(',');
        }
        let prior = prior.map(|p| p.to_string()).unwrap_or_default();
        line.push_str(&format!("{period},{last_year},{value},{prior},"));
        csv_field(&mut line, comment);
        line.push('\n');
        f.write_all(line.as_bytes())?;
    }
    f.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn write_xlsx(plan: &Plan, n: usize, path: &Path) -> Result<u64> {
    let k = plan.csv_periods.len();
    let rows = (0..n)
        .map(|x| {
            let (z, i) = (x / plan.inds.len(), x % plan.inds.len());
            let (zone, ind) = (&plan.zones[z], &plan.inds[i]);
            let (value, last_year, prior, comment) = Plan::cell(z, k, i, &ind.code);
            TemplateRow {
                zone_code: zone.code.clone(),
                zone_name: zone.name.clone(),
                indicator_code: ind.code.clone(),
                indicator_name: ind.name.clone(),
                unit: ind.unit.clone(),
                kind_label: ind.kind_label.into(),
                value: Some(value),
                prior_comparable: prior,
                last_year: Some(last_year),
                comment: comment.into(),
            }
        })
        .collect();
    let spec = TemplateSpec { title: format!("{}主要经济指标填报表（基准测试）", plan.xlsx_period.label()), period: plan.xlsx_period.to_string(), rows };
    std::fs::write(path, template::write_entry_template(&spec)?)?;
    Ok(std::fs::metadata(path)?.len())
}

/// Master data, the generated zones, the months opened, the files written.
async fn prepare(db: &Db, values: usize, xlsx_values: usize) -> Result<(Plan, Dataset)> {
    let actor = Actor::system("bench");
    seed::master_data(db, &actor).await?;
    let ds = collection::dataset(db, seed::MONTHLY).await?;
    let all = masterdata::list_indicators(db).await?;
    let inds: Vec<Ind> = ds
        .indicators
        .iter()
        .filter_map(|c| all.iter().find(|i| &i.indicator.code == c))
        .map(|i| Ind {
            code: i.indicator.code.clone(),
            name: i.indicator.name.clone(),
            unit: i.indicator.unit.clone(),
            kind_label: if i.indicator.kind == IndicatorKind::Flow { "累计" } else { "期末" },
        })
        .collect();
    ensure!(!inds.is_empty(), "数据集“{}”没有指标", ds.name);
    // Enough zones for the xlsx month, and for the CSV to span at most a year.
    let per_zone = inds.len();
    let zone_count = xlsx_values.div_ceil(per_zone).max(values.div_ceil(per_zone * 12)).max(1);
    let zones: Vec<Zone> = (1..=zone_count)
        .map(|n| Zone {
            code: format!("bench_{n:05}"),
            name: format!("基准测试开发区{n:05}"),
            short_name: format!("基准{n:05}"),
            kind: if n.is_multiple_of(3) { ZoneKind::HighTech } else { ZoneKind::Economic },
            level: ZoneLevel::Provincial,
            county_code: "131082".into(),
            area_ha: None,
            leading_industries: String::new(),
            groups: Vec::new(),
        })
        .collect();
    masterdata::upsert_zones(db, &actor, &zones).await?;
    let first = Month::JANUARY_2021;
    let months = values.div_ceil(per_zone * zone_count).max(1);
    let csv_periods: Vec<Month> = (0..months as i32).map(|k| first.offset(k)).collect();
    let xlsx_period = first.offset(months as i32);
    let t = today();
    for p in csv_periods.iter().chain([&xlsx_period]) {
        let w = Window { period: *p, opens: t - chrono::Duration::days(3), due: t + chrono::Duration::days(7), locks: t + chrono::Duration::days(30) };
        collection::set_period_window(db, &actor, &ds, *p, w).await?;
    }
    Ok((Plan { zones, inds, csv_periods, xlsx_period }, ds))
}

/// Where the time of one import went.
#[derive(Default)]
struct Phases {
    read: Duration,
    parse: Duration,
    group: Duration,
    write: Duration,
    values: usize,
}

impl Phases {
    fn total(&self) -> Duration {
        self.read + self.parse + self.group + self.write
    }
}

/// The path an upload takes: read the sheet, parse and check it as the web does for the office
/// (every zone in scope, reportable indicators of the data set, open months, then the stored
/// validation rules over each report with its history), then write it whole.
async fn import_file(db: &Db, ds: &Dataset, path: &Path) -> Result<Phases> {
    let mut ph = Phases::default();
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();

    let t = Instant::now();
    let bytes = std::fs::read(path)?;
    let table = template::read_entry_sheet(&name, &bytes)?;
    drop(bytes);
    ph.read = t.elapsed();

    let t = Instant::now();
    let zones: HashSet<String> = masterdata::list_zones(db).await?.into_iter().map(|z| z.zone.code).collect();
    let reportable: HashMap<String, bool> = masterdata::list_indicators(db)
        .await?
        .into_iter()
        .map(|i| (i.indicator.code.clone(), i.indicator.kind != IndicatorKind::Formula && ds.indicators.contains(&i.indicator.code)))
        .collect();
    let cal = Calendar::load(db, ds).await?;
    let today = today();
    let open = |zone: &str, m: Month| -> Result<(), String> {
        let w = cal.window(Some(zone), m);
        match w.state(today) {
            WindowState::NotOpen => Err(format!("{}尚未开放填报（{} 开放）", m.label(), w.opens)),
            WindowState::Locked => Err(format!("{}的填报期已于 {} 结束", m.label(), w.locks)),
            _ => Ok(()),
        }
    };
    let parsed = match parse_value_table(&*table, &zones, &reportable, &open) {
        Ok(v) => v,
        Err(errs) => {
            for e in errs.iter().take(10) {
                eprintln!("{e}");
            }
            bail!("文件“{name}”有 {} 处问题，未导入", errs.len());
        }
    };
    // The stored validation rules over each report, with its history, as the dry run does.
    let check = nengji_web::checks::check_upload(db, ds, &parsed).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    ensure!(check.errors.is_empty(), "校验规则报告 {} 处错误：{:?}", check.errors.len(), check.errors.first());
    drop(table);
    ph.parse = t.elapsed();

    let t = Instant::now();
    ph.values = parsed.len();
    let values: Vec<ValueInput> = parsed.into_iter().map(|l| l.input).collect();
    let batches = bulk::batches(values);
    ph.group = t.elapsed();

    let t = Instant::now();
    let applied = bulk::apply(db, &Actor::system("bench"), ds, &batches, "import", today).await?;
    ph.write = t.elapsed();
    ensure!(applied.written == ph.values, "应写入 {} 个数值，实际写入 {}", ph.values, applied.written);
    Ok(ph)
}

/// sqlite3's own CSV import of the same file into a bare table of a fresh database.
fn baseline(sqlite3: &str, dir: &Path, csv: &str, rows: usize) -> Result<Duration> {
    let _ = std::fs::remove_file(dir.join("baseline.db"));
    let t = Instant::now();
    let out = std::process::Command::new(sqlite3)
        .current_dir(dir)
        .args(["baseline.db", ".mode csv", &format!(".import {csv} bare_table")])
        .output()
        .with_context(|| format!("无法运行 {sqlite3}（Debian 软件包 sqlite3）"))?;
    let took = t.elapsed();
    ensure!(out.status.success() && out.stderr.is_empty(), "sqlite3 .import 失败：{}", String::from_utf8_lossy(&out.stderr));
    let count = std::process::Command::new(sqlite3).current_dir(dir).args(["baseline.db", "SELECT count(*) FROM bare_table"]).output()?;
    let count: usize = String::from_utf8_lossy(&count.stdout).trim().parse().unwrap_or(0);
    ensure!(count == rows, "sqlite3 导入了 {count} 行，应为 {rows} 行");
    Ok(took)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn rate(n: usize, d: Duration) -> String {
    let r = n as f64 / d.as_secs_f64().max(1e-9);
    // Thousands separators keep 6–7 digit rates readable.
    let s = format!("{:.0}", r);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn phases_line(p: &Phases) -> String {
    format!(
        "读文件 {:.2} s · 解析校验 {:.2} s · 分组 {:.2} s · 写库 {:.2} s",
        secs(p.read),
        secs(p.parse),
        secs(p.group),
        secs(p.write)
    )
}

/// A fresh nengji database for one round, with the generated zones and open months.
async fn fresh_db(dir: &Path, round: usize, values: usize, xlsx_values: usize) -> Result<(Db, Plan, Dataset)> {
    let path = dir.join(format!("nengji-{round}.db"));
    let db = Db::connect(path.to_str().context("目录名不是 UTF-8")?).await?;
    let (plan, ds) = prepare(&db, values, xlsx_values).await?;
    Ok((db, plan, ds))
}

/// Removes a round's database (a million values take 300 MB) once it has been checked.
async fn drop_db(db: Db, dir: &Path, round: usize) {
    db.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("nengji-{round}.db{suffix}")));
    }
}

async fn import(values: usize, xlsx_values: usize, dir: Option<PathBuf>, sqlite3: &str, rounds: usize) -> Result<()> {
    ensure!(values > 0, "--values 至少为 1");
    ensure!(rounds > 0, "--rounds 至少为 1");
    if cfg!(debug_assertions) {
        eprintln!("注意：这是调试构建，计时没有参考价值；请用 cargo build --release -p nengji 构建后运行。");
    }
    let wd = work_dir(dir)?;

    let t = Instant::now();
    let (mut db, plan, mut ds) = fresh_db(&wd.path, 0, values, xlsx_values).await?;
    let csv_bytes = write_csv(&plan, values, &wd.path.join("values.csv"))?;
    let xlsx_bytes = if xlsx_values > 0 { write_xlsx(&plan, xlsx_values, &wd.path.join("values.xlsx"))? } else { 0 };
    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "数据：{} 个开发区 × {} 项指标；CSV {} 个数值（{} 至 {}，{:.1} MB），xlsx {} 个数值（{}，{:.1} MB）；准备用时 {:.1} s；{rounds} 轮，每轮先 (a) 后 (b)(c)，各取最快一轮",
        plan.zones.len(),
        plan.inds.len(),
        values,
        plan.csv_periods[0],
        plan.csv_periods[plan.csv_periods.len() - 1],
        mb(csv_bytes),
        xlsx_values,
        plan.xlsx_period,
        mb(xlsx_bytes),
        secs(t.elapsed())
    );

    let (mut bases, mut csvs, mut xlsxs) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        if round > 0 {
            (db, _, ds) = fresh_db(&wd.path, round, values, xlsx_values).await?;
        }
        let base = baseline(sqlite3, &wd.path, "values.csv", values)?;
        let csv = import_file(&db, &ds, &wd.path.join("values.csv")).await?;
        ensure!(csv.values == values, "CSV 应有 {values} 个数值，解析出 {}", csv.values);
        println!("  第 {} 轮：(a) {:.2} s · (b) {:.2} s（{}）", round + 1, secs(base), secs(csv.total()), phases_line(&csv));
        if xlsx_values > 0 {
            let x = import_file(&db, &ds, &wd.path.join("values.xlsx")).await?;
            ensure!(x.values == xlsx_values, "xlsx 应有 {xlsx_values} 个数值，解析出 {}", x.values);
            println!("           (c) {:.2} s（{}）", secs(x.total()), phases_line(&x));
            xlsxs.push(x);
        }
        let stored = observations::count(&db).await? as usize;
        ensure!(stored >= values + xlsx_values, "库中只有 {stored} 个数值");
        bases.push(base);
        csvs.push(csv);
        if wd.remove || round + 1 < rounds {
            drop_db(db.clone(), &wd.path, round).await;
        }
    }
    db.close().await;

    let base = bases.iter().copied().min().expect("rounds > 0");
    println!("(a) sqlite3 .import 到裸表        {:>7.2} s  {:>11} 行/秒", secs(base), rate(values, base));
    let csv = csvs.iter().min_by_key(|p| p.total()).expect("rounds > 0");
    let ratio = secs(csv.total()) / secs(base);
    println!(
        "(b) 能级 CSV 完整导入路径          {:>7.2} s  {:>11} 行/秒  (b)/(a) = {ratio:.2}（要求 ≤ 2：{}）",
        secs(csv.total()),
        rate(values, csv.total()),
        if ratio <= 2.0 { "达到" } else { "未达到" }
    );
    println!("    {}", phases_line(csv));
    if let Some(x) = xlsxs.iter().min_by_key(|p| p.total()) {
        println!(
            "(c) 能级 xlsx 完整导入路径         {:>7.2} s  {:>11} 行/秒  (c)/(a) 按行折算 = {:.2}",
            secs(x.total()),
            rate(xlsx_values, x.total()),
            (secs(x.total()) / xlsx_values as f64) / (secs(base) / values as f64)
        );
        println!("    {}", phases_line(x));
    }
    if !wd.remove {
        println!("文件和最后一轮的数据库保留在 {}", wd.path.display());
    }
    Ok(())
}
