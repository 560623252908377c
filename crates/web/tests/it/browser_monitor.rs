//! The cockpit and a zone profile in real headless Chromium (chromedriver): the SVG charts with
//! Chinese labels are there without JavaScript, and a target's calculation opens on a click.
//! `scripts/test` sets NENGJI_REQUIRE_BROWSER=1, so there a missing browser fails the suite.

use crate::common;


use common::browser::{browser, shot};
use common::{spawn_app, PASSWORD};
use fantoccini::Locator;

#[tokio::test]
async fn the_cockpit_and_a_zone_profile_show_their_charts() {
    let app = spawn_app().await;
    nengji_store::registers::demo::load(&app.db, &nengji_store::Actor::system("test")).await.unwrap();
    // 开发区内 certificates valid at the end of 2020 (issued 2018–2020), counted by hand.
    let hitech_2020 = nengji_core::registers::demo::records(nengji_core::registers::RegisterKind::Enterprises)
        .iter()
        .filter(|r| !r.zone().is_empty() && r.get("hitech_date") >= "2018-01-01" && r.get("hitech_date") <= "2020-12-31")
        .count();
    let Some((_driver, b)) = browser().await else { return };
    let run = async {
        b.goto(&format!("{}/login?next=%2Fcockpit", app.url)).await?;
        b.find(Locator::Id("username")).await?.send_keys("leader").await?;
        b.find(Locator::Id("password")).await?.send_keys(PASSWORD).await?;
        b.find(Locator::Id("login")).await?.click().await?;
        b.wait().for_element(Locator::Id("target-tiles")).await?;
        assert!(b.current_url().await?.path().ends_with("/cockpit"));
        // JavaScript stays off the page: the charts are server-drawn SVG.
        assert!(b.find_all(Locator::Css("script")).await?.is_empty());

        // A tile per target of the plan, each with a status.
        let tiles = b.find_all(Locator::Css("#target-tiles article.tile")).await?;
        assert_eq!(tiles.len(), nengji_core::target::plan_targets().len());
        let hitech = b.find(Locator::Id("target-hitech_ent_400")).await?;
        assert!(hitech.text().await?.contains(&format!("{hitech_2020}家")));
        // The calculation is folded away and opens on a click, no script involved.
        let first_step = hitech.find(Locator::Css("ol.trail li")).await?;
        assert!(!first_step.is_displayed().await?);
        hitech.find(Locator::Css("summary")).await?.click().await?;
        assert!(first_step.is_displayed().await?);
        assert!(first_step.text().await?.starts_with("目标：开发区高新技术企业数量达400家以上"));
        let path_chart = hitech.find(Locator::Css("details svg")).await?;
        assert!(path_chart.is_displayed().await?);

        // The league chart and the city trend: SVG with Chinese labels and hover titles.
        let league = b.find(Locator::Css("#league-chart svg")).await?;
        assert!(league.is_displayed().await?);
        assert_eq!(league.attr("aria-label").await?.as_deref(), Some("各开发区主营业务收入 2020年1-12月（单位：亿元）"));
        let labels = league.find_all(Locator::Css("text")).await?;
        let mut texts = Vec::new();
        for l in &labels {
            texts.push(l.text().await?);
        }
        assert!(texts.iter().any(|t| t == "燕郊高新区") && texts.iter().any(|t| t == "单位：亿元"), "{texts:?}");
        assert_eq!(league.find_all(Locator::Css("rect.bar title")).await?.len(), 15);
        let trend = b.find(Locator::Css("#trend-chart svg")).await?;
        assert_eq!(trend.attr("aria-label").await?.as_deref(), Some("全市开发区主营业务收入走势（最近24个月）（单位：亿元）"));
        shot(&b, "cockpit.png").await;

        // Switching the league table to 税收收入 is a plain link.
        b.find(Locator::Css(".tabs a[href*='league=tax']")).await?.click().await?;
        b.wait().for_element(Locator::Css("#league-chart svg[aria-label^='各开发区税收收入']")).await?;

        // A zone profile from the league table: trend and month charts.
        b.find(Locator::Css("#league-table tbody th a")).await?.click().await?;
        b.wait().for_element(Locator::Css("#zone-trend svg")).await?;
        let trend = b.find(Locator::Css("#zone-trend svg")).await?;
        let label = trend.attr("aria-label").await?.unwrap_or_default();
        assert!(label.ends_with("税收收入走势（最近24个月）（单位：亿元）"), "{label}");
        let bars = b.find(Locator::Css("#zone-bars svg")).await?;
        assert!(bars.attr("aria-label").await?.unwrap_or_default().contains("税收收入当月值"));
        assert_eq!(bars.find_all(Locator::Css("rect.bar")).await?.len(), 24);
        assert!(b.find(Locator::Id("zone-ranks")).await?.text().await?.contains("/15"));

        // 外资 on 燕郊高新区 draws the target path.
        b.goto(&format!("{}/zones/yanjiao_htz?chart=fdi#charts", app.url)).await?;
        let legend = b.find(Locator::Css("#zone-trend svg g.legend")).await?.text().await?;
        assert!(legend.contains("目标路径（年均增长15%）"), "{legend}");
        shot(&b, "zone-charts.png").await;

        // The indicator page compares all zones; a rate's bars show its change in 百分点.
        b.goto(&format!("{}/compare?indicator=hitech_share&period=2020-12", app.url)).await?;
        let growth = b.find(Locator::Css("#growth-chart svg")).await?;
        assert_eq!(growth.attr("aria-label").await?.as_deref(), Some("各开发区高新技术产业增加值占规模以上工业增加值比重比上年同期 2020年1-12月（单位：百分点）"));
        assert_eq!(b.find_all(Locator::Css("#compare-table tbody tr")).await?.len(), 15);
        shot(&b, "compare.png").await;
        Ok::<_, fantoccini::error::CmdError>(())
    };
    let result = run.await;
    let _ = b.close().await;
    result.unwrap();
}
