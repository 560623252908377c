//! Crash safety: `nengji serve` is killed with SIGKILL 20 times in the middle of large imports
//! (one transaction of every zone × indicator a request) and of approvals (every zone's report in
//! one request), and started again on the same SQLite file. Afterwards:
//! - the database passes `PRAGMA integrity_check`;
//! - every import is entirely present (all its values in their histories) or entirely absent;
//! - every import the server acknowledged is present;
//! - every approval batch moved all of its reports or none, and an acknowledged one moved all.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_nengji");
const CYCLES: usize = 20;
const PERIOD: &str = "2021-01";

fn nengji(db: &str, args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).env("NENGJI_DATABASE_URL", db).env("NENGJI_LOG", "warn").output().unwrap();
    assert!(out.status.success(), "nengji {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start(db: &str) -> (Child, String) {
    let port = free_port();
    let child = Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("NENGJI_DATABASE_URL", db)
        .env("NENGJI_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let c = reqwest::Client::new();
    let started = Instant::now();
    while c.get(format!("{url}/healthz")).send().await.map(|r| r.status() != 200).unwrap_or(true) {
        assert!(started.elapsed() < Duration::from_secs(60), "the server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (child, url)
}

fn kill(mut child: Child) {
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

/// An import's value of a cell: last year's demo value scaled by the import's own factor, so
/// ratios between indicators hold and every import's values are its own.
fn scaled(base: f64, id: u64) -> f64 {
    base * (1.0 + id as f64 * 1e-4)
}

async fn pool(db: &str) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite://{db}")).await.unwrap()
}

/// `t` values (zone|period|version) of the reports listed on the review page.
async fn review_targets(client: &reqwest::Client, url: &str, auth: &str, zones: &[String]) -> Vec<(&'static str, String)> {
    let page = client.get(format!("{url}/review")).header("authorization", auth).send().await.unwrap().text().await.unwrap();
    zones
        .iter()
        .filter_map(|z| {
            let key = format!("value=\"{z}|{PERIOD}|");
            page.split(&key).nth(1).and_then(|s| s.split('"').next()).map(|v| ("t", format!("{z}|{PERIOD}|{v}")))
        })
        .collect()
}

async fn transition(client: &reqwest::Client, url: &str, auth: &str, zones: &[String], action: &str) -> reqwest::StatusCode {
    let mut form = review_targets(client, url, auth, zones).await;
    form.push(("action", action.into()));
    form.push(("reason", "崩溃测试".into()));
    client.post(format!("{url}/review")).header("authorization", auth).form(&form).send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_twenty_times_during_imports_and_approvals_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db").to_str().unwrap().to_string();
    nengji(&db, &["demo", "--no-serve"]);
    let token = nengji(&db, &["user", "token", "admin", "--name", "crash-test"]).trim().lines().last().unwrap().to_string();

    // The cells: every zone × amount indicator of the monthly data set (rates cannot be scaled
    // past 100 %), with last year's demo value.
    let p = pool(&db).await;
    let cells: Vec<(String, String, f64)> = sqlx::query_as(
        "SELECT z.code, i.code, o.value FROM observation o JOIN zone z ON z.id = o.zone_id JOIN indicator i ON i.id = o.indicator_id
         JOIN dataset_indicator di ON di.indicator_id = i.id JOIN dataset d ON d.id = di.dataset_id AND d.code = 'monthly_main'
         WHERE o.period = '2020-01' AND i.unit <> '%' ORDER BY z.code, i.code",
    )
    .fetch_all(&p)
    .await
    .unwrap();
    p.close().await;
    assert!(cells.len() >= 150, "{} cells", cells.len());
    let mut zones: Vec<String> = cells.iter().map(|c| c.0.clone()).collect();
    zones.dedup();

    let auth = format!("Bearer {token}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let sent: Arc<Mutex<HashMap<u64, bool>>> = Arc::new(Mutex::new(HashMap::new()));
    let mut approvals: Vec<bool> = Vec::new();
    let mut next_id = 1u64;
    for cycle in 0..CYCLES {
        let (child, url) = start(&db).await;
        if cycle % 2 == 0 {
            // Imports: four clients sending batches until the kill, at a different moment each cycle.
            let mut tasks = Vec::new();
            for _ in 0..4 {
                let (client, url, auth, cells, sent) = (client.clone(), url.clone(), auth.clone(), cells.clone(), sent.clone());
                let first = next_id;
                next_id += 1000;
                tasks.push(tokio::spawn(async move {
                    for id in first.. {
                        let values: Vec<_> = cells
                            .iter()
                            .map(|(z, i, v)| serde_json::json!({"zone": z, "indicator": i, "period": PERIOD, "value": scaled(*v, id), "comment": "崩溃测试"}))
                            .collect();
                        sent.lock().unwrap().insert(id, false);
                        match client.post(format!("{url}/api/v1/values/batch")).header("authorization", &auth).json(&serde_json::json!({"values": values})).send().await {
                            Ok(r) if r.status() == 200 => {
                                sent.lock().unwrap().insert(id, true);
                            }
                            Ok(r) => panic!("import {id}: {} {}", r.status(), r.text().await.unwrap_or_default()),
                            Err(_) => return, // the server was killed
                        }
                    }
                }));
            }
            tokio::time::sleep(Duration::from_millis(700 + 97 * cycle as u64)).await;
            kill(child);
            for t in tasks {
                t.await.unwrap();
            }
        } else {
            // Approvals: every report submitted (not killed), then approved in one request, killed
            // after a delay that moves through the request from cycle to cycle.
            for z in &zones {
                let form = client.get(format!("{url}/entry/{z}/{PERIOD}")).header("authorization", &auth).send().await.unwrap().text().await.unwrap();
                if !form.contains("value=\"submit\"") {
                    continue;
                }
                let version = form.split("name=\"version\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_string();
                let r = client.post(format!("{url}/entry/{z}/{PERIOD}")).header("authorization", &auth).form(&[("version", version.as_str()), ("action", "submit")]).send().await.unwrap();
                assert_eq!(r.status(), 200, "submit {z}");
            }
            let mut form = review_targets(&client, &url, &auth, &zones).await;
            assert_eq!(form.len(), zones.len(), "every report is listed for review");
            form.push(("action", "approve".into()));
            let pending = client.post(format!("{url}/review")).header("authorization", &auth).form(&form).send();
            let acked = tokio::select! {
                r = pending => matches!(r, Ok(ref r) if r.status() == 200),
                _ = tokio::time::sleep(Duration::from_millis(15 * cycle as u64)) => false,
            };
            kill(child);
            approvals.push(acked);
            let p = pool(&db).await;
            let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM submission WHERE period = ?1").bind(PERIOD).fetch_all(&p).await.unwrap();
            p.close().await;
            let approved = statuses.iter().filter(|s| *s == "approved").count();
            assert!(approved == 0 || approved == zones.len(), "cycle {cycle}: {approved} of {} reports approved", zones.len());
            assert!(!acked || approved == zones.len(), "cycle {cycle}: an acknowledged approval is missing");
            // Back to draft for the next imports (not killed).
            let (child, url) = start(&db).await;
            if approved > 0 {
                assert_eq!(transition(&client, &url, &auth, &zones, "unapprove").await, 200);
            }
            assert_eq!(transition(&client, &url, &auth, &zones, "return").await, 200);
            kill(child);
        }
    }

    let p = pool(&db).await;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&p).await.unwrap();
    assert_eq!(check, "ok");
    let rows: Vec<(String, String, f64)> = sqlx::query_as(
        "SELECT z.code, i.code, h.new_value FROM observation_history h JOIN zone z ON z.id = h.zone_id JOIN indicator i ON i.id = h.indicator_id
         WHERE h.period = ?1 AND h.source = 'api'
         UNION ALL
         -- A value's creation is on its row: the first value is the oldest change's old one, or today's.
         SELECT z.code, i.code, COALESCE((SELECT h.old_value FROM observation_history h
                 WHERE h.zone_id = o.zone_id AND h.indicator_id = o.indicator_id AND h.period = o.period ORDER BY h.id LIMIT 1), o.value)
         FROM observation o JOIN zone z ON z.id = o.zone_id JOIN indicator i ON i.id = o.indicator_id
         WHERE o.period = ?1 AND o.created_via = 'api'",
    )
    .bind(PERIOD)
    .fetch_all(&p)
    .await
    .unwrap();
    let mut written: HashMap<(String, String), Vec<f64>> = HashMap::new();
    for (z, i, v) in rows {
        written.entry((z, i)).or_default().push(v);
    }
    let sent = sent.lock().unwrap();
    let (mut present, mut absent) = (0, 0);
    for (&id, &acked) in sent.iter() {
        let found = cells.iter().filter(|(z, i, v)| written.get(&(z.clone(), i.clone())).is_some_and(|w| w.contains(&scaled(*v, id)))).count();
        assert!(found == 0 || found == cells.len(), "import {id}: {found} of {} values present", cells.len());
        assert!(!acked || found == cells.len(), "import {id} was acknowledged but is missing");
        if found == 0 { absent += 1 } else { present += 1 }
    }
    eprintln!(
        "{CYCLES} kills: {} imports sent ({present} present, {absent} absent, {} acknowledged), {} approval batches ({} acknowledged); integrity ok",
        sent.len(),
        sent.values().filter(|a| **a).count(),
        approvals.len(),
        approvals.iter().filter(|a| **a).count()
    );
    assert!(present > 0 && absent > 0, "the kills must land both between and inside imports");
}
