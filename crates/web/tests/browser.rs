//! Main user flows in real headless Chromium, driven over WebDriver (chromedriver).
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

#[tokio::test]
async fn log_in_open_a_zone_profile_and_read_its_figures() {
    let app = spawn_app().await;
    let Some((_driver, b)) = browser().await else { return };
    let run = async {
        b.goto(&format!("{}/zones/yanjiao_htz", app.url)).await?;
        // Not logged in: the login page, which returns to the profile afterwards.
        assert!(b.current_url().await?.as_str().contains("/login?next=%2Fzones%2Fyanjiao_htz"));
        b.find(Locator::Id("username")).await?.send_keys("leader").await?;
        b.find(Locator::Id("password")).await?.send_keys(PASSWORD).await?;
        b.find(Locator::Id("login")).await?.click().await?;
        b.wait().for_element(Locator::Id("zone-figures")).await?;
        assert!(b.current_url().await?.path().ends_with("/zones/yanjiao_htz"));
        let h1 = b.find(Locator::Css("main h1")).await?.text().await?;
        assert_eq!(h1, "燕郊高新技术产业开发区");
        let table = b.find(Locator::Id("zone-figures")).await?.text().await?;
        assert!(table.contains("主营业务收入") && table.contains("高新技术企业数") && table.contains("亿元"), "{table}");
        let heading = b.find(Locator::Css("main h2")).await?.text().await?;
        assert!(heading.contains("2020年12月") && heading.contains("示例数据"), "{heading}");
        shot(&b, "zone.png").await;
        // The period picker works without JavaScript-specific code: submit the GET form.
        b.goto(&format!("{}/zones/yanjiao_htz?period=2018-06", app.url)).await?;
        let heading = b.find(Locator::Css("main h2")).await?.text().await?;
        assert!(heading.contains("2018年6月"), "{heading}");
        // Home lists all 15 zones for a leader.
        b.goto(&format!("{}/", app.url)).await?;
        let rows = b.find_all(Locator::Css("#main-figures tbody tr")).await?;
        assert_eq!(rows.len(), 15);
        shot(&b, "home.png").await;
        // Logging out through the header button ends the session.
        b.find(Locator::Css("form.who button")).await?.click().await?;
        b.wait().for_element(Locator::Id("login")).await?;
        Ok::<_, fantoccini::error::CmdError>(())
    };
    let result = run.await;
    let _ = b.close().await;
    result.unwrap();
}
