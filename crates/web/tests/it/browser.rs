//! Main user flows in real headless Chromium, driven over WebDriver (chromedriver).
//! `scripts/test` sets NENGJI_REQUIRE_BROWSER=1, so there a missing browser fails the suite.

use crate::common;


use common::browser::{browser, log_in, log_out, shot};
use common::{spawn_app, PASSWORD};
use fantoccini::Locator;

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

#[tokio::test]
async fn a_month_is_reported_by_file_submitted_approved_and_published() {
    let app = spawn_app().await;
    let ds = nengji_store::collection::dataset(&app.db, nengji_store::seed::MONTHLY).await.unwrap();
    let today = nengji_web::collect::today();
    let jan = nengji_core::period::Month::JANUARY_2021;
    let w = nengji_core::calendar::Window { period: jan, opens: today - chrono::Duration::days(1), due: today + chrono::Duration::days(5), locks: today + chrono::Duration::days(20) };
    nengji_store::collection::set_period_window(&app.db, &nengji_store::Actor::system("test"), &ds, jan, w).await.unwrap();
    let Some((_driver, b)) = browser().await else { return };
    let files = tempfile::tempdir().unwrap();
    let run = async {
        log_in(&b, &app, "yanjiao").await?;
        b.goto(&format!("{}/entry", app.url)).await?;
        let due = b.find(Locator::Id("due")).await?.text().await?;
        assert!(due.contains("燕郊高新区") && due.contains("2021年1月"), "{due}");

        // Download the template with the browser's session, fill it by program.
        let href = b.find(Locator::Css("#due a[href*='template.xlsx']")).await?.attr("href").await?.unwrap();
        let session = b.get_named_cookie("nengji_session").await?.value().to_string();
        let xlsx = reqwest::Client::new()
            .get(format!("{}{href}", app.url))
            .header("cookie", format!("nengji_session={session}"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let mut table = nengji_office::template::read_entry_table("t.xlsx", &xlsx).unwrap();
        let col = |name: &str| table.header.iter().position(|h| h == name).unwrap();
        let (value, code) = (col("本期数值"), col("指标代码"));
        for r in table.rows.iter_mut() {
            r[value] = match r[code].as_str() { "revenue" => "65.25".into(), "gdp" => "十四".into(), _ => String::new() };
        }
        let path = files.path().join("燕郊2021年1月.xlsx");
        std::fs::write(&path, nengji_office::write_xlsx(std::slice::from_ref(&table)).unwrap()).unwrap();

        // Upload: the dry run lists the error with its cell; nothing can be committed yet.
        b.goto(&format!("{}/entry/import", app.url)).await?;
        b.find(Locator::Id("file")).await?.send_keys(path.to_str().unwrap()).await?;
        b.find(Locator::Id("upload")).await?.click().await?;
        let problems = b.wait().for_element(Locator::Id("problems")).await?.text().await?;
        assert!(problems.contains("第I列") && problems.contains("“十四”不是数字"), "{problems}");
        assert!(b.find(Locator::Id("commit")).await.is_err());

        // Fix it, upload again, confirm.
        let gdp = table.rows.iter().position(|r| r[code] == "gdp").unwrap();
        table.rows[gdp][value] = "14".into();
        std::fs::write(&path, nengji_office::write_xlsx(std::slice::from_ref(&table)).unwrap()).unwrap();
        b.find(Locator::Id("file")).await?.send_keys(path.to_str().unwrap()).await?;
        b.find(Locator::Id("upload")).await?.click().await?;
        let dry = b.wait().for_element(Locator::Id("dry-run")).await?.text().await?;
        assert!(dry.contains("共 2 个数值"), "{dry}");
        b.find(Locator::Id("commit")).await?.click().await?;
        let result = b.wait().for_element(Locator::Id("import-result")).await?.text().await?;
        assert!(result.contains("已导入 2 个数值"), "{result}");

        // Submit from the form.
        b.goto(&format!("{}/entry/yanjiao_htz/2021-01", app.url)).await?;
        assert_eq!(b.find(Locator::Id("v_revenue")).await?.prop("value").await?.as_deref(), Some("65.25"));
        b.find(Locator::Id("submit")).await?.click().await?;
        let msg = b.wait().for_element(Locator::Id("message")).await?.text().await?;
        assert_eq!(msg, "已报送，等待审核");
        log_out(&b).await?;

        // The reviewer approves; the value is published on the zone profile.
        log_in(&b, &app, "leader").await?;
        b.goto(&format!("{}/review", app.url)).await?;
        b.find(Locator::Id("t-yanjiao_htz-2021-01")).await?.click().await?;
        b.find(Locator::Id("approve")).await?.click().await?;
        let msg = b.wait().for_element(Locator::Id("message")).await?.text().await?;
        assert!(msg.contains("已审核通过 1 张报表"), "{msg}");
        b.goto(&format!("{}/zones/yanjiao_htz?period=2021-01", app.url)).await?;
        let figures = b.find(Locator::Id("zone-figures")).await?.text().await?;
        assert!(figures.contains("65.25"), "{figures}");
        log_out(&b).await?;

        // Approved: the reporter's form has no inputs any more.
        log_in(&b, &app, "yanjiao").await?;
        b.goto(&format!("{}/entry/yanjiao_htz/2021-01", app.url)).await?;
        assert_eq!(b.find(Locator::Id("status")).await?.text().await?, "已审核");
        assert!(b.find(Locator::Id("v_revenue")).await.is_err(), "approved data cannot be edited");
        log_out(&b).await?;

        // Un-approve and return with reasons: the form opens again, and later changes are flagged.
        log_in(&b, &app, "leader").await?;
        for action in ["unapprove", "return"] {
            b.goto(&format!("{}/review", app.url)).await?;
            b.find(Locator::Id("t-yanjiao_htz-2021-01")).await?.click().await?;
            b.find(Locator::Id("reason")).await?.send_keys("税收口径需核实").await?;
            b.find(Locator::Id(action)).await?.click().await?;
            b.wait().for_element(Locator::Id("message")).await?;
        }
        log_out(&b).await?;
        log_in(&b, &app, "yanjiao").await?;
        b.goto(&format!("{}/entry/yanjiao_htz/2021-01", app.url)).await?;
        let page = b.find(Locator::Css("main")).await?.text().await?;
        assert!(page.contains("退回原因：税收口径需核实"), "{page}");
        let input = b.find(Locator::Id("v_gdp")).await?;
        input.clear().await?;
        input.send_keys("14.5").await?;
        b.find(Locator::Id("save")).await?.click().await?;
        let page = b.wait().for_element(Locator::Id("message")).await?;
        assert_eq!(page.text().await?, "草稿已保存");
        assert!(b.find(Locator::Css("main")).await?.text().await?.contains("审核后曾修改"));
        Ok::<_, fantoccini::error::CmdError>(())
    };
    let result = run.await;
    let _ = b.close().await;
    result.unwrap();
}

#[tokio::test]
async fn the_office_issues_a_bulletin_and_the_public_sees_it() {
    let app = spawn_app().await;
    let Some((_driver, b)) = browser().await else { return };
    let run = async {
        log_in(&b, &app, "admin").await?;
        b.goto(&format!("{}/bulletins", app.url)).await?;
        // <input type=month> takes keyboard input as year, then month, in Chromium.
        b.execute("document.getElementById('period').value = '2020-12'", vec![]).await?;
        b.find(Locator::Id("generate")).await?.click().await?;
        let msg = b.wait().for_element(Locator::Id("message")).await?.text().await?;
        assert!(msg.contains("已生成2020年12月通报草稿"), "{msg}");
        b.find(Locator::Css("#bulletins tbody a")).await?.click().await?;
        b.wait().for_element(Locator::Id("bulletin")).await?;
        assert_eq!(b.find(Locator::Id("bulletin-status")).await?.text().await?, "草稿");
        let summary = b.find(Locator::Id("summary")).await?.text().await?;
        assert!(summary.starts_with("2020年1-12月，全市15家省级以上开发区实现主营业务收入"), "{summary}");
        let chart = b.find(Locator::Css("#bulletin-chart svg")).await?.attr("aria-label").await?.unwrap_or_default();
        assert!(chart.contains("主营业务收入"), "{chart}");
        b.find(Locator::Id("issue")).await?.click().await?;
        let msg = b.wait().for_element(Locator::Id("message")).await?.text().await?;
        assert!(msg.contains("已印发"), "{msg}");
        log_out(&b).await?;

        // Anyone, without logging in.
        b.goto(&format!("{}/public", app.url)).await?;
        let list = b.find(Locator::Id("public-bulletins")).await?.text().await?;
        assert!(list.contains("全市开发区主要经济指标通报（2020年12月）"), "{list}");
        b.find(Locator::Css("#public-bulletins a")).await?.click().await?;
        let title = b.wait().for_element(Locator::Css("h1.doc-title")).await?.text().await?;
        assert_eq!(title, "全市开发区主要经济指标通报（2020年12月）");
        Ok::<_, fantoccini::error::CmdError>(())
    };
    let result = run.await;
    let _ = b.close().await;
    result.unwrap();
}
