//! `nengji demo`: the plan's master data, the 示例数据 values, and demo accounts with fresh passwords.

use anyhow::Result;
use nengji_core::auth::Role;
use nengji_store::users::{self, NewUser};
use chrono::Duration;
use nengji_core::calendar::Window;
use nengji_core::period::Month;
use nengji_store::{collection, seed, Actor, Db};

/// The first month after the demo values.
const FIRST_OPEN: Month = Month::JANUARY_2021;

/// A readable random password (no look-alike characters).
pub fn random_password() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..12).map(|_| CHARS[rng.random_range(0..CHARS.len())] as char).collect()
}

/// Creates the account, or gives an existing one a new password.
async fn ensure(db: &Db, actor: &Actor, u: NewUser) -> Result<()> {
    if users::get(db, &u.username).await?.is_some() {
        users::set_password(db, actor, &u.username, &u.password).await?;
        users::set_active(db, actor, &u.username, true).await?;
    } else {
        users::create(db, actor, u).await?;
    }
    Ok(())
}

pub async fn load(db: &Db) -> Result<()> {
    let actor = Actor::system("demo");
    let md = seed::master_data(db, &actor).await?;
    let n = seed::demo_values(db, &actor).await?;
    println!(
        "主数据：开发区 {} 家，单位 {} 个，指标 {} 项（新增 {}）；示例数据 {} 条（2016-01 至 2020-12）",
        md.zones.inserted + md.zones.updated + md.zones.unchanged,
        md.units.inserted + md.units.updated + md.units.unchanged,
        md.indicators.inserted + md.indicators.updated + md.indicators.unchanged,
        md.zones.inserted + md.units.inserted + md.indicators.inserted,
        n
    );
    // Open the month after the demo data (2021-01) for entry now, so the collection flow can be tried.
    let ds = collection::dataset(db, seed::MONTHLY).await?;
    let today = nengji_web::collect::today();
    let w = Window { period: FIRST_OPEN, opens: today - Duration::days(3), due: today + Duration::days(7), locks: today + Duration::days(30) };
    collection::set_period_window(db, &actor, &ds, FIRST_OPEN, w).await?;
    println!("已开放 {} 的数据填报：截止 {}，{} 锁定", FIRST_OPEN.label(), w.due, w.locks);
    println!("{}", nengji_store::supervision::load_demo(db, chrono::Utc::now()).await?);
    println!("{}", nengji_store::registers::demo::load_summary(db, &actor).await?);
    println!("{}", nengji_store::land::load_demo(db, chrono::Utc::now()).await?);
    nengji_web::evaluation::service::demo(db).await.map_err(|e| anyhow::anyhow!(e.message()))?;
    println!("{}", nengji_web::landuse::service::demo(db).await.map_err(|e| anyhow::anyhow!(e.message()))?);
    println!("已计算并发布 2018、2019 年开发区综合考核（示例方案与示例数据）");
    let accounts = [
        ("admin", "市开发区办管理员", Role::Admin, None, vec![]),
        ("leader", "领导（演示）", Role::Reviewer, None, vec![]),
        ("yanjiao", "燕郊高新区填报员（演示）", Role::ZoneReporter, None, vec!["yanjiao_htz".to_string()]),
        ("kejiju", "市科技局填报员（演示）", Role::DeptReporter, Some("kjj".to_string()), vec![]),
    ];
    println!("演示账号（每次运行 demo 都会重新生成密码）：");
    for (username, name, role, unit, zones) in accounts {
        let password = random_password();
        let u = NewUser { username: username.into(), display_name: name.into(), password: password.clone(), role, unit, zones, email: None };
        ensure(db, &actor, u).await?;
        println!("  {:<10} 用户名 {username:<8} 密码 {password}", role.label());
    }
    Ok(())
}
