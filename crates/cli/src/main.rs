//! `nengji`: the one binary. Thin commands over the store and web crates.

mod bench;
mod bench_bulletin;
mod bench_land;
mod bench_mujun;
mod config;
mod demo;
#[path = "gen.rs"]
mod generate;
mod evaluate;
mod plan;
mod user;

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use nengji_store::imports::{self, ImportError, MasterKind};
use nengji_store::{masterdata, Actor, Db};

use crate::config::Config;

/// 能级 Nengji — 开发区提升能级工作平台 (the development-zone office's platform).
#[derive(Parser)]
#[command(name = "nengji", version, about, long_about = None)]
struct Cli {
    /// Optional TOML config file (keys: database_url, listen, secure_cookies, session_hours).
    #[arg(long, env = "NENGJI_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Database: a SQLite file path (default ./nengji-data/nengji.db) or postgres://user:pass@host/db.
    #[arg(long, env = "NENGJI_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Log filter, e.g. `info` or `nengji_web=debug`.
    #[arg(long, env = "NENGJI_LOG", global = true, default_value = "info")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (pages, API) on the configured database.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "NENGJI_LISTEN")]
        listen: Option<String>,
    },
    /// Load the plan's master data and the demo values (示例数据), create demo accounts, print the
    /// login, and start the server.
    Demo {
        /// Address to listen on.
        #[arg(long, env = "NENGJI_LISTEN")]
        listen: Option<String>,
        /// Only load the data and accounts; do not start the server.
        #[arg(long)]
        no_serve: bool,
    },
    /// Create or upgrade the database schema and exit.
    Migrate,
    /// Import master data (zones, units or indicators) from a .csv or .xlsx file. All or nothing.
    Import {
        /// What the file holds: zones | units | indicators.
        kind: String,
        /// The file (.csv in UTF-8 or GB18030, .xlsx, .xls or .ods).
        file: PathBuf,
    },
    /// Export master data as .xlsx in the import layout.
    Export {
        /// zones | units | indicators.
        kind: String,
        /// Output .xlsx file.
        file: PathBuf,
    },
    /// E-mail today's reminders (reports due soon or overdue) through the configured SMTP relay.
    Remind,
    /// Write a consistent snapshot of the SQLite database to FILE while the server keeps running.
    Backup { file: PathBuf },
    /// Replace the SQLite database with a backup (stop the server first; the old file is kept aside).
    Restore { file: PathBuf },
    /// Check the audit log's hash chain: any edited, deleted or reordered record is reported.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Read a plan (.txt or .docx) into its ledger: outline, tasks with their units, targets.
    Plan {
        #[command(subcommand)]
        command: plan::PlanCommand,
    },
    /// Generate a national-scale benchmark data set (approved values of generated zones ×
    /// indicators × months) in a new, empty database. See bench/monitor-load.sh.
    Gen(generate::GenArgs),
    /// Evaluate and rank units with a scheme (TOML/JSON) on a CSV/xlsx of units × indicators;
    /// writes scores, ranks and, with --mc N, Monte Carlo rank statistics as CSV. No database.
    Evaluate(evaluate::EvaluateArgs),
    /// Benchmarks (not part of the test suite; use a release build).
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain over every record.
    Verify,
}

#[tokio::main]
async fn main() {
    // Errors people see are one Chinese line (with its causes), not a Rust backtrace.
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("错误：{e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&cli.log).unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cfg = Config::load(cli.config.as_deref(), cli.database_url.clone())?;
    match cli.command {
        Command::Serve { listen } => {
            let db = cfg.connect().await?;
            serve(db, &cfg, listen.or(cfg.listen.clone())).await
        }
        Command::Demo { listen, no_serve } => {
            let db = cfg.connect().await?;
            demo::load(&db).await?;
            if no_serve {
                return Ok(());
            }
            serve(db, &cfg, listen.or(cfg.listen.clone())).await
        }
        Command::Migrate => {
            cfg.connect().await?;
            println!("数据库已是最新结构：{}", nengji_store::redact_url(&cfg.database_url));
            Ok(())
        }
        Command::Import { kind, file } => import(&cfg, &kind, &file).await,
        Command::Export { kind, file } => export(&cfg, &kind, &file).await,
        Command::Remind => {
            let Some(smtp) = cfg.smtp.clone() else { bail!("未配置 SMTP：请设置 NENGJI_SMTP_HOST（以及 NENGJI_SMTP_PORT、NENGJI_SMTP_FROM）或配置文件中的 smtp_host") };
            let db = cfg.connect().await?;
            let n = nengji_web::reminders::send(&db, &smtp, nengji_web::collect::today()).await?;
            println!("已发送 {n} 封催报提醒邮件");
            Ok(())
        }
        Command::Backup { file } => {
            nengji_store::backup::backup(&cfg.connect().await?, &file).await?;
            println!("已备份到 {}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            if cfg.database_url.starts_with("postgres") {
                bail!("PostgreSQL 请使用 pg_restore 恢复 pg_dump 的备份");
            }
            let target = PathBuf::from(cfg.database_url.trim_start_matches("sqlite://").trim_start_matches("sqlite:"));
            nengji_store::backup::restore(&file, &target).await?;
            println!("已从 {} 恢复到 {}（原数据库已另存为 .before-restore）", file.display(), target.display());
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let v = nengji_store::audit::verify(&cfg.connect().await?).await?;
            if v.legacy > 0 {
                println!("另有 {} 条记录写于哈希链启用之前，无法校验", v.legacy);
            }
            if v.problems.is_empty() {
                println!("审计日志完整：{} 条记录，哈希链无断点", v.records);
                Ok(())
            } else {
                for p in v.problems.iter().take(20) {
                    eprintln!("{p}");
                }
                if v.problems.len() > 20 {
                    eprintln!("……另有 {} 处", v.problems.len() - 20);
                }
                bail!("审计日志有 {} 处异常（共 {} 条记录）", v.problems.len(), v.records)
            }
        }
        Command::User { command } => user::run(&cfg.connect().await?, command).await,
        Command::Plan { command } => plan::run(command),
        Command::Gen(args) => generate::run(&cfg.connect().await?, args).await,
        Command::Evaluate(args) => evaluate::run(args),
        Command::Bench { command } => bench::run(command).await,
    }
}

async fn serve(db: Db, cfg: &Config, listen: Option<String>) -> Result<()> {
    let addr = listen.unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("无法监听 {addr}"))?;
    let local = listener.local_addr()?;
    let host = if local.ip().is_unspecified() { "127.0.0.1".to_string() } else { local.ip().to_string() };
    println!("能级已启动：http://{host}:{}/", local.port());
    tracing::info!(listen = %local, database = %nengji_store::redact_url(&cfg.database_url), "serving");
    if let Some(smtp) = cfg.smtp.clone() {
        // Hourly: each reminder still goes out at most once a day (see reminders::send).
        let db = db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tick.tick().await;
                match nengji_web::reminders::send(&db, &smtp, nengji_web::collect::today()).await {
                    Ok(n) => tracing::info!(sent = n, "reminders"),
                    Err(e) => tracing::warn!(error = %e, "reminders failed"),
                }
            }
        });
    }
    let state = nengji_web::AppState::new(db.clone(), cfg.web());
    nengji_web::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    db.close().await;
    Ok(())
}

fn master_kind(kind: &str) -> Result<MasterKind> {
    MasterKind::parse(kind).with_context(|| format!("未知的数据类型“{kind}”：应为 zones、units 或 indicators"))
}

async fn import(cfg: &Config, kind: &str, file: &std::path::Path) -> Result<()> {
    let kind = master_kind(kind)?;
    let bytes = std::fs::read(file).with_context(|| format!("无法读取文件 {}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tables = nengji_office::read_tables(&name, &bytes)?;
    let db = cfg.connect().await?;
    match imports::import(&db, &Actor::system("cli"), kind, &tables[0]).await {
        Ok(sum) => {
            println!("{}数据已导入：新增 {}，更新 {}，未变化 {}", kind.label(), sum.inserted, sum.updated, sum.unchanged);
            Ok(())
        }
        Err(ImportError::Cells(errs)) => {
            for e in &errs {
                eprintln!("{e}");
            }
            bail!("文件有 {} 处问题，未导入任何数据", errs.len())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

async fn export(cfg: &Config, kind: &str, file: &std::path::Path) -> Result<()> {
    let db = cfg.connect().await?;
    let table = match master_kind(kind)? {
        MasterKind::Zones => {
            let zones: Vec<_> = masterdata::list_zones(&db).await?.into_iter().map(|z| z.zone).collect();
            nengji_core::masterdata::zones_table(&zones)
        }
        MasterKind::Units => nengji_core::masterdata::units_table(&masterdata::list_units(&db).await?),
        MasterKind::Indicators => {
            let inds: Vec<_> = masterdata::list_indicators(&db).await?.into_iter().map(|i| i.indicator).collect();
            nengji_core::masterdata::indicators_table(&inds)
        }
    };
    std::fs::write(file, nengji_office::write_xlsx(&[table])?).with_context(|| format!("无法写入 {}", file.display()))?;
    println!("已导出到 {}", file.display());
    Ok(())
}
