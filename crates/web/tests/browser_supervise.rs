//! The supervision flow in real headless Chromium over WebDriver (chromedriver): a department
//! user opens "my tasks" and files a progress report; the office sees the light change.
//! `scripts/test` sets NENGJI_REQUIRE_BROWSER=1, so there a missing browser fails the suite.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{spawn_app, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};

/// chromedriver on a free port, killed on drop.
struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn browser() -> Option<(Driver, Client)> {
    let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = match Command::new(&driver_bin).arg(format!("--port={port}")).arg("--allowed-ips=127.0.0.1").stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
        Ok(c) => c,
        Err(e) if std::env::var("NENGJI_REQUIRE_BROWSER").as_deref() != Ok("1") => {
            eprintln!("chromedriver not available ({e}): browser test skipped (scripts/test runs it)");
            return None;
        }
        Err(e) => panic!("NENGJI_REQUIRE_BROWSER=1 but chromedriver cannot start: {e}"),
    };
    let profile = tempfile::tempdir().unwrap();
    let profile_path = profile.path().to_path_buf();
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}"), _profile: profile };
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-extensions", "--lang=zh-CN",
                     "--window-size=1400,1000", format!("--user-data-dir={}", profile_path.display())]
        }),
    );
    // chromedriver needs a moment to listen.
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&driver.url).await {
            Ok(c) => return Some((driver, c)),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("could not open a WebDriver session on {}", driver.url);
}

/// Saves a screenshot when NENGJI_SCREENSHOTS names a directory (used for the README).
async fn shot(b: &Client, name: &str) {
    if let Ok(dir) = std::env::var("NENGJI_SCREENSHOTS") {
        let png = b.screenshot().await.expect("screenshot");
        std::fs::write(std::path::Path::new(&dir).join(name), png).expect("write screenshot");
    }
}

async fn log_in(b: &Client, app: &common::App, user: &str) -> Result<(), fantoccini::error::CmdError> {
    b.goto(&format!("{}/login", app.url)).await?;
    b.find(Locator::Id("username")).await?.send_keys(user).await?;
    b.find(Locator::Id("password")).await?.send_keys(PASSWORD).await?;
    b.find(Locator::Id("login")).await?.click().await?;
    b.wait().for_element(Locator::Css("form.who")).await?;
    Ok(())
}

async fn log_out(b: &Client) -> Result<(), fantoccini::error::CmdError> {
    b.find(Locator::Css("form.who button")).await?.click().await?;
    b.wait().for_element(Locator::Id("login")).await?;
    Ok(())
}

#[tokio::test]
async fn a_department_files_a_progress_report_and_the_office_sees_the_light_change() {
    let app = spawn_app().await;
    nengji_store::supervision::load_demo(&app.db, chrono::Utc::now()).await.unwrap();
    let Some((_driver, b)) = browser().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("进展说明.txt");
    std::fs::write(&file, "后备库入库企业126家，名单见附件。").unwrap();
    let run = async {
        // The office sees 第6项 red: a milestone of 市科技局 is 12 days overdue.
        log_in(&b, &app, "admin").await?;
        b.find(Locator::LinkText("督办")).await?.click().await?;
        b.wait().for_element(Locator::Id("by-unit")).await?;
        shot(&b, "tasks-overview.png").await;
        b.goto(&format!("{}/tasks?view=list&unit=kjj", app.url)).await?;
        let light = b.find(Locator::Css("#task-6 .light")).await?.text().await?;
        assert_eq!(light, "红灯");
        log_out(&b).await?;

        // The department opens "my tasks" and files a report that marks the milestone reached.
        log_in(&b, &app, "kejiju").await?;
        b.find(Locator::LinkText("我的任务")).await?.click().await?;
        b.wait().for_element(Locator::Id("my-tasks")).await?;
        assert!(b.find(Locator::Id("alerts")).await?.text().await?.contains("逾期提醒"));
        assert_eq!(b.find(Locator::Css("#my-task-6 .light")).await?.text().await?, "红灯");
        shot(&b, "my-tasks.png").await;
        b.find(Locator::Id("report-link-6")).await?.click().await?;
        b.wait().for_element(Locator::Id("report-form")).await?;
        b.find(Locator::Id("report-body")).await?.send_keys("高新技术企业后备库入库工作已完成，共入库企业126家。").await?;
        let select = b.find(Locator::Id("report-milestone")).await?;
        let options = select.find_all(Locator::Css("option")).await?;
        let mut value = None;
        for o in options {
            if o.text().await?.starts_with("完成高新技术企业后备库入库") {
                value = o.attr("value").await?;
            }
        }
        select.select_by_value(&value.expect("the overdue milestone is offered")).await?;
        b.find(Locator::Id("report-file")).await?.send_keys(file.to_str().unwrap()).await?;
        b.find(Locator::Id("report-submit")).await?.click().await?;
        let message = b.wait().for_element(Locator::Id("message")).await?.text().await?;
        assert_eq!(message, "进展已报送");
        let reports = b.find(Locator::Id("reports")).await?.text().await?;
        assert!(reports.contains("共入库企业126家") && reports.contains("进展说明.txt"), "{reports}");
        assert_ne!(b.find(Locator::Id("task-light")).await?.text().await?, "红灯");
        log_out(&b).await?;

        // The office sees the light change, in the list and in the task's history.
        log_in(&b, &app, "admin").await?;
        b.goto(&format!("{}/tasks?view=list&unit=kjj", app.url)).await?;
        let light = b.find(Locator::Css("#task-6 .light")).await?.text().await?;
        assert_eq!(light, "绿灯");
        b.find(Locator::Css("#task-6 a")).await?.click().await?;
        let history = b.wait().for_element(Locator::Id("history")).await?.text().await?;
        assert!(history.contains("红灯 → 绿灯"), "{history}");
        assert!(history.contains("节点“完成高新技术企业后备库入库”已完成"), "{history}");
        shot(&b, "task.png").await;
        // The timeline draws the tasks as SVG.
        b.goto(&format!("{}/tasks/timeline", app.url)).await?;
        let label = b.find(Locator::Css("#gantt svg")).await?.attr("aria-label").await?.unwrap_or_default();
        assert_eq!(label, "任务时间轴");
        shot(&b, "tasks-timeline.png").await;
        // The adopted ledger beside its source text.
        b.goto(&format!("{}/tasks/plans", app.url)).await?;
        b.find(Locator::Css("#drafts tbody a")).await?.click().await?;
        b.wait().for_element(Locator::Id("source")).await?;
        assert_eq!(b.find_all(Locator::Css("#ledger-tasks tbody tr")).await?.len(), 37);
        shot(&b, "tasks-review.png").await;
        Ok::<_, fantoccini::error::CmdError>(())
    };
    let result = run.await;
    let _ = b.close().await;
    result.unwrap();
}
