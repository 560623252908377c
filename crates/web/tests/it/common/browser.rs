//! The chromedriver harness shared by the browser tests.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use super::PASSWORD;

/// chromedriver on a free port, killed on drop.
pub struct Driver {
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

pub async fn browser() -> Option<(Driver, Client)> {
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
pub async fn shot(b: &Client, name: &str) {
    if let Ok(dir) = std::env::var("NENGJI_SCREENSHOTS") {
        let png = b.screenshot().await.expect("screenshot");
        std::fs::write(std::path::Path::new(&dir).join(name), png).expect("write screenshot");
    }
}

/// Clicks an element that leads to another page and waits until that page has replaced the
/// current one: waiting for an element alone can find the old page's copy of it (an `#error`
/// shown before, a heading every page has) while the browser is still submitting.
#[allow(dead_code)]
pub async fn click_to_next_page(b: &Client, el: fantoccini::elements::Element) -> Result<(), fantoccini::error::CmdError> {
    b.execute("document.documentElement.dataset.leaving = '1'", vec![]).await?;
    el.click().await?;
    for _ in 0..300 {
        let leaving = b.execute("return document.readyState === 'complete' ? (document.documentElement.dataset.leaving || null) : '1'", vec![]).await?;
        if leaving.is_null() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the click did not lead to a new page within 15 s");
}

pub async fn log_in(b: &Client, app: &super::App, user: &str) -> Result<(), fantoccini::error::CmdError> {
    b.goto(&format!("{}/login", app.url)).await?;
    b.find(Locator::Id("username")).await?.send_keys(user).await?;
    b.find(Locator::Id("password")).await?.send_keys(PASSWORD).await?;
    b.find(Locator::Id("login")).await?.click().await?;
    b.wait().for_element(Locator::Css("form.who")).await?;
    Ok(())
}

pub async fn log_out(b: &Client) -> Result<(), fantoccini::error::CmdError> {
    b.find(Locator::Css("form.who button")).await?.click().await?;
    b.wait().for_element(Locator::Id("login")).await?;
    Ok(())
}
