//! `nengji user …`: accounts from the command line.

use std::io::BufRead;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use nengji_core::auth::Role;
use nengji_store::users::{self, NewUser};
use nengji_store::{sessions, Actor, Db};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from --password, NENGJI_PASSWORD, or one line of stdin.
    Add {
        username: String,
        /// admin | reviewer | zone_reporter | dept_reporter | viewer
        #[arg(long)]
        role: String,
        /// Display name (姓名).
        #[arg(long, default_value = "")]
        name: String,
        /// Zone code a zone reporter may report for (repeat for several).
        #[arg(long = "zone")]
        zones: Vec<String>,
        /// Unit code of a department reporter (e.g. kjj = 市科技局).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, env = "NENGJI_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// E-mail address for reminders.
        #[arg(long)]
        email: Option<String>,
    },
    /// Set a new password (ends the user's open sessions).
    Passwd {
        username: String,
        #[arg(long, env = "NENGJI_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users with role and scope.
    List,
    /// Disable a user (ends sessions, API tokens stop working).
    Disable { username: String },
    /// Enable a disabled user.
    Enable { username: String },
    /// Create an API token for a user; it is printed once.
    Token {
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn password(given: Option<String>) -> Result<String> {
    match given {
        Some(p) => Ok(p),
        None => {
            eprintln!("请输入密码（一行）：");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).context("读取密码失败")?;
            Ok(line.trim_end_matches(['\r', '\n']).to_string())
        }
    }
}

pub async fn run(db: &Db, cmd: UserCommand) -> Result<()> {
    let actor = Actor::system("cli");
    match cmd {
        UserCommand::Add { username, role, name, zones, unit, password: pw, email } => {
            let Some(role) = Role::parse(&role) else { bail!("未知角色“{role}”：应为 admin、reviewer、zone_reporter、dept_reporter 或 viewer") };
            let password = password(pw)?;
            users::create(db, &actor, NewUser { username: username.clone(), display_name: name, password, role, unit, zones, email }).await?;
            println!("已创建用户 {username}（{}）", role.label());
        }
        UserCommand::Passwd { username, password: pw } => {
            users::set_password(db, &actor, &username, &password(pw)?).await?;
            println!("已更新 {username} 的密码");
        }
        UserCommand::List => {
            println!("{:<16} {:<14} {:<20} {:<6} 范围", "用户名", "角色", "姓名", "状态");
            for u in users::list(db).await? {
                let scope = match u.role {
                    Role::ZoneReporter => u.zones.join(","),
                    Role::DeptReporter => u.unit.unwrap_or_default(),
                    _ => "全部".into(),
                };
                println!("{:<16} {:<14} {:<20} {:<6} {scope}", u.username, u.role.label(), u.display_name, if u.active { "启用" } else { "停用" });
            }
        }
        UserCommand::Disable { username } => {
            users::set_active(db, &actor, &username, false).await?;
            println!("已停用 {username}");
        }
        UserCommand::Enable { username } => {
            users::set_active(db, &actor, &username, true).await?;
            println!("已启用 {username}");
        }
        UserCommand::Token { username, name } => {
            let token = sessions::create_token(db, &actor, &username, &name).await?;
            println!("{token}");
            eprintln!("请妥善保存：令牌只显示这一次。用法：Authorization: Bearer <令牌>");
        }
    }
    Ok(())
}
