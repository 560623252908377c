//! 100 concurrent clients on loopback, on SQLite and on PostgreSQL: 80 zone reporters saving and
//! submitting overlapping reports through the entry form, 20 reviewers approving, returning and
//! un-approving them through the review page, for `NENGJI_CONCURRENCY_SECS` seconds (15 by
//! default; `scripts/test` runs this bounded form). Then:
//! - no server error and no request left hanging (each has a 30 s limit);
//! - every refused save is a clear refusal: 409 with the "changed by someone else" message, or
//!   422 saying the report is submitted or approved;
//! - no lost update: every acknowledged save is in the value's history exactly once, the history
//!   is one unbroken chain (each change starts from the value the one before left), and the
//!   stored value is where the chain ends.

use crate::common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Duration as Days;
use common::{login, spawn_app, spawn_app_on, App};
use nengji_core::auth::Role;
use nengji_core::calendar::Window;
use nengji_core::entry::ValueInput;
use nengji_core::period::Month;
use nengji_store::users::{self, NewUser};
use nengji_store::{collection, observations, seed, Actor};

const ZONES: [&str; 10] = [
    "langfang_etdz", "yanjiao_htz", "sanhe_etdz", "dachang_htz", "xianghe_etdz", "guangyang_etdz", "yongqing_etdz", "bazhou_etdz", "wenan_etdz", "dacheng_etdz",
];
const REPORTERS: usize = 80;
const REVIEWERS: usize = 20;

fn value_attr<'a>(page: &'a str, name: &str) -> Option<&'a str> {
    let at = page.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    page[at..].split('"').next()
}

#[derive(Default)]
struct Tally {
    saved: HashMap<(String, Month), Vec<f64>>,
    conflicts: usize,
    refusals: usize,
    submitted: usize,
    not_submitted: Vec<String>,
    transitions: usize,
    transition_refusals: usize,
    requests: usize,
    bad: Vec<String>,
}

async fn reporter(app: Arc<App>, who: String, zone: &'static str, period: Month, me: usize, until: Instant, tally: Arc<Mutex<Tally>>) {
    let (c, _) = login(&app, &who).await;
    let url = format!("{}/entry/{zone}/{period}", app.url);
    let mut n = 0u64;
    while Instant::now() < until {
        let page = match c.get(&url).timeout(Duration::from_secs(30)).send().await {
            Ok(r) if r.status() == 200 => r.text().await.unwrap(),
            Ok(r) => {
                tally.lock().unwrap().bad.push(format!("GET {url}: {}", r.status()));
                continue;
            }
            Err(e) => {
                tally.lock().unwrap().bad.push(format!("GET {url}: {e}"));
                continue;
            }
        };
        tally.lock().unwrap().requests += 1;
        if !page.contains("name=\"v_revenue\"") {
            // Submitted or approved: nothing to edit until a reviewer returns it.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        n += 1;
        // Unique per save; February's 1–2月累计 stays above January's.
        let value = if period.month() == 1 { 10_000.0 } else { 20_000.0 } + me as f64 + n as f64 / 1000.0;
        let action = if (n + me as u64) % 4 == 0 { "submit" } else { "save" };
        let form = [
            ("csrf", value_attr(&page, "csrf").unwrap().to_string()),
            ("version", value_attr(&page, "version").unwrap().to_string()),
            ("v_revenue", value.to_string()),
            ("c_revenue", "并发测试数据".to_string()),
            ("action", action.to_string()),
        ];
        let res = match c.post(&url).form(&form).timeout(Duration::from_secs(30)).send().await {
            Ok(r) => r,
            Err(e) => {
                tally.lock().unwrap().bad.push(format!("POST {url}: {e}"));
                continue;
            }
        };
        let status = res.status().as_u16();
        let body = res.text().await.unwrap_or_default();
        let mut t = tally.lock().unwrap();
        t.requests += 1;
        match status {
            200 if body.contains("草稿已保存") || body.contains("已报送") => {
                t.saved.entry((zone.to_string(), period)).or_default().push(value);
                if body.contains("已报送，等待审核") {
                    t.submitted += 1;
                } else if action == "submit" {
                    let at = body.find("未报送").unwrap_or(0);
                    t.not_submitted.push(body[at..].chars().take(400).collect());
                }
            }
            409 if body.contains("保存被拒绝：该报表已被") && body.contains("请刷新后在最新数据上重新修改") => t.conflicts += 1,
            422 if body.contains("已报送待审核，不能修改") || body.contains("已审核，不能修改") => t.refusals += 1,
            _ => t.bad.push(format!("POST {url} as {who}: {status} {}", &body.chars().take(300).collect::<String>())),
        }
    }
}

async fn reviewer(app: Arc<App>, who: &'static str, me: usize, until: Instant, tally: Arc<Mutex<Tally>>) {
    let (c, _) = login(&app, who).await;
    let url = format!("{}/review", app.url);
    let mut n = 0usize;
    while Instant::now() < until {
        let page = match c.get(&url).timeout(Duration::from_secs(30)).send().await {
            Ok(r) if r.status() == 200 => r.text().await.unwrap(),
            other => {
                tally.lock().unwrap().bad.push(format!("GET /review: {other:?}"));
                continue;
            }
        };
        // The boxes of this run's reports: "zone|2021-0x|version", with their status.
        let mut boxes: Vec<(String, bool)> = Vec::new();
        for row in page.split("<tr>").filter(|r| r.contains("|2021-0")) {
            if let Some(t) = value_attr(row, "t") {
                boxes.push((t.to_string(), row.contains("已审核")));
            }
        }
        if boxes.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        n += 1;
        let (t, approved) = &boxes[(me * 7 + n * 13) % boxes.len()];
        let action = if *approved { "unapprove" } else if n % 3 == 0 { "approve" } else { "return" };
        let form = [("csrf", value_attr(&page, "csrf").unwrap().to_string()), ("t", t.clone()), ("action", action.into()), ("reason", "并发测试".into())];
        let res = c.post(&url).form(&form).timeout(Duration::from_secs(30)).send().await;
        let (status, body) = match res {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(e) => (0, e.to_string()),
        };
        let mut tl = tally.lock().unwrap();
        tl.requests += 1;
        match status {
            200 => tl.transitions += 1,
            409 | 422 if body.contains("class=\"error\"") => tl.transition_refusals += 1,
            _ => tl.bad.push(format!("POST /review {action} {t}: {status} {}", body.chars().take(300).collect::<String>())),
        }
    }
}

async fn run(app: App, engine: &str) {
    let actor = Actor::system("test");
    let ds = collection::dataset(&app.db, seed::MONTHLY).await.unwrap();
    let today = nengji_web::collect::today();
    let periods = [Month::JANUARY_2021, Month::JANUARY_2021.offset(1)];
    for p in periods {
        let w = Window { period: p, opens: today - Days::days(2), due: today + Days::days(2), locks: today + Days::days(20) };
        collection::set_period_window(&app.db, &actor, &ds, p, w).await.unwrap();
    }
    // Each report starts as a complete draft (last year's demo values), so that it can be
    // submitted; the clients then change 主营业务收入 only.
    for z in ZONES {
        for p in periods {
            let filter = observations::Filter { zones: Some(vec![z.into()]), indicators: None, from: Some(p.prior_year()), to: Some(p.prior_year()), approved_only: false, any_order: false };
            let values = observations::query(&app.db, &filter)
                .await
                .unwrap()
                .into_iter()
                .filter(|o| ds.indicators.contains(&o.indicator))
                .map(|o| ValueInput { zone: z.into(), indicator: o.indicator, period: p, value: o.value, prior_comparable: None, comment: String::new() })
                .collect();
            let batch = collection::Batch { zone: z.into(), period: p, expected_version: None, values };
            collection::apply(&app.db, &actor, &ds, &[batch], "test", today).await.unwrap();
        }
    }
    for z in ZONES {
        let u = NewUser { username: format!("r_{z}"), display_name: format!("{z} 填报员"), password: common::PASSWORD.into(), role: Role::ZoneReporter, unit: None, zones: vec![z.into()], email: None };
        users::create(&app.db, &actor, u).await.unwrap();
    }
    let secs: u64 = std::env::var("NENGJI_CONCURRENCY_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(15);
    let app = Arc::new(app);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let until = started + Duration::from_secs(secs) + Duration::from_secs(10); // logins first
    let mut tasks = Vec::new();
    for i in 0..REPORTERS {
        let zone = ZONES[i % ZONES.len()];
        let period = periods[(i / ZONES.len()) % 2];
        tasks.push(tokio::spawn(reporter(app.clone(), format!("r_{zone}"), zone, period, i + 1, until, tally.clone())));
    }
    for i in 0..REVIEWERS {
        tasks.push(tokio::spawn(reviewer(app.clone(), if i % 2 == 0 { "leader" } else { "admin" }, i, until, tally.clone())));
    }
    for t in tasks {
        tokio::time::timeout(Duration::from_secs(secs + 120), t).await.expect("a client hung (deadlock?)").unwrap();
    }
    let t = std::mem::take(&mut *tally.lock().unwrap());
    let saves: usize = t.saved.values().map(Vec::len).sum();
    eprintln!(
        "{engine}: {} clients, {:.0} s, {} requests: {saves} saves acknowledged, {} conflicts and {} refusals answered, {} submitted, {} transitions, {} transitions refused",
        REPORTERS + REVIEWERS,
        started.elapsed().as_secs_f64(),
        t.requests,
        t.conflicts,
        t.refusals,
        t.submitted,
        t.transitions,
        t.transition_refusals
    );
    if let Some(why) = t.not_submitted.first() {
        eprintln!("{engine}: {} submissions held back, e.g. {why}", t.not_submitted.len());
    }
    assert!(t.bad.is_empty(), "{engine}: {} bad answers, e.g.\n{}", t.bad.len(), t.bad.iter().take(10).cloned().collect::<Vec<_>>().join("\n"));
    assert!(saves >= 20 && t.conflicts > 0 && t.transitions > 0, "{engine}: the run must exercise saves, conflicts and transitions");

    for ((zone, period), acked) in &t.saved {
        let mut hist = collection::history(&app.db, zone, "revenue", *period).await.unwrap();
        hist.reverse(); // oldest first
        let form: Vec<_> = hist.iter().filter(|h| h.source == "form").collect();
        let mut written: Vec<f64> = form.iter().filter_map(|h| h.new_value).collect();
        let mut expected = acked.clone();
        written.sort_by(f64::total_cmp);
        expected.sort_by(f64::total_cmp);
        assert_eq!(written, expected, "{engine} {zone} {period}: history ≠ acknowledged saves");
        for w in hist.windows(2) {
            assert_eq!(w[1].old_value, w[0].new_value, "{engine} {zone} {period}: a change did not start from the value before it");
        }
        let filter = observations::Filter { zones: Some(vec![zone.clone()]), indicators: Some(vec!["revenue".into()]), from: Some(*period), to: Some(*period), approved_only: false, any_order: false };
        let stored = observations::query(&app.db, &filter).await.unwrap().first().map(|o| o.value);
        assert_eq!(stored, hist.last().and_then(|h| h.new_value), "{engine} {zone} {period}: stored value is not the last change");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_clients_on_sqlite_lose_nothing() {
    run(spawn_app().await, "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_clients_on_postgres_lose_nothing() {
    let Some(db) = common::pg_db().await else { return };
    run(spawn_app_on(db, None).await, "PostgreSQL").await;
}
