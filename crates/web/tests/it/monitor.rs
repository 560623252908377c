//! Monitoring through HTTP: the cockpit's targets, city totals and league tables, the indicator
//! comparison, the zone profile's charts and ranks, downloads, the API, scope and approved-only
//! data. Expected figures are recomputed here by hand from the demo values.

use crate::common;

use std::collections::HashMap;

use chrono::Duration;
use common::{login, spawn_app, App};
use nengji_core::calendar::Window;
use nengji_core::entry::ValueInput;
use nengji_core::period::Month;
use nengji_store::collection::{self, Batch, Transition};
use nengji_store::{seed, Actor};

/// Demo values by (zone, indicator, YYYY-MM).
fn demo() -> HashMap<(String, String, String), f64> {
    nengji_core::demo::values().into_iter().map(|v| ((v.zone, v.indicator, v.period.to_string()), v.value)).collect()
}

fn zones() -> Vec<String> {
    nengji_core::catalog::zones().into_iter().map(|z| z.code).collect()
}

fn sum(d: &HashMap<(String, String, String), f64>, ind: &str, p: &str) -> f64 {
    zones().iter().map(|z| d[&(z.clone(), ind.to_string(), p.to_string())]).sum()
}

/// The trails' number format: 2 decimals, trailing zeros dropped.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

async fn get(c: &reqwest::Client, app: &App, path: &str) -> (u16, String) {
    let res = c.get(format!("{}{path}", app.url)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The HTML of one target tile.
fn tile<'a>(page: &'a str, code: &str) -> &'a str {
    let at = page.find(&format!("id=\"target-{code}\"")).unwrap_or_else(|| panic!("tile {code}"));
    &page[at..at + page[at..].find("</article>").unwrap()]
}

/// The text of the table row whose header cell links to `label`.
fn row<'a>(table: &'a str, label: &str) -> &'a str {
    let at = table.find(&format!(">{label}</a></th>")).unwrap_or_else(|| panic!("row {label}"));
    let start = table[..at].rfind("<tr").unwrap();
    &table[start..at + table[at..].find("</tr>").unwrap()]
}

/// A chart's `<figure>`.
fn figure<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id}"));
    &page[at..at + page[at..].find("</figure>").expect("</figure>")]
}

/// 开发区内有效高新技术企业证书 on a day, counted by hand from the demo enterprise register
/// (a certificate is valid for three years from its issue date).
fn hitech_in_zones(day: &str) -> f64 {
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    let three_years_before = day.checked_sub_months(chrono::Months::new(36)).unwrap();
    nengji_core::registers::demo::records(nengji_core::registers::RegisterKind::Enterprises)
        .iter()
        .filter(|r| !r.zone().is_empty())
        .filter(|r| r.date("hitech_date").is_some_and(|d| d <= day && d > three_years_before))
        .count() as f64
}

async fn with_registers(app: &App) {
    nengji_store::registers::demo::load(&app.db, &Actor::system("test")).await.unwrap();
}

fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id}"));
    &page[at..at + page[at..].find("</table>").unwrap_or(page.len() - at)]
}

#[tokio::test]
async fn cockpit_shows_every_target_with_a_status_from_data_and_its_calculation() {
    let app = spawn_app().await;
    with_registers(&app).await;
    let (c, _) = login(&app, "leader").await;
    let (status, page) = get(&c, &app, "/cockpit").await;
    assert_eq!(status, 200);
    assert!(page.contains("领导驾驶舱") && page.contains("截至2020年12月") && page.contains("示例数据"));
    let targets = nengji_core::target::plan_targets();
    assert_eq!(page.matches("<article class=\"tile").count(), targets.len());
    for t in &targets {
        let tile = tile(&page, &t.code);
        assert!(tile.contains(&t.title), "{}", t.code);
        assert!(tile.contains("<details>") && tile.contains("<summary>计算过程</summary>"), "{}", t.code);
        assert!(tile.contains(&format!("<li>目标：{}", t.title)), "trail starts with the goal: {}", t.code);
    }
    let d = demo();

    // 目标2: the enterprise register's valid certificates in zones at the end of 2020, from 2017's.
    let (h0, hitech) = (hitech_in_zones("2017-12-31"), hitech_in_zones("2020-12-31"));
    assert!(hitech < 400.0);
    let t = tile(&page, "hitech_ent_400");
    assert!(t.contains("数据来源：名录“企业库”") && t.contains(&format!("{}家", num(hitech))), "{t}");
    assert!(t.contains(&format!("基期：2017年 = {}家", num(h0))) && t.contains(&format!("最新值 {}家 尚未达到目标 400家", num(hitech))), "{t}");

    // 目标1: zones whose 2020 主营业务收入 reached 1000 亿元, from 2017's count.
    let count = |p: &str| zones().iter().filter(|z| d[&(z.to_string(), "revenue".to_string(), p.to_string())] >= 1000.0).count() as f64;
    let (n0, n) = (count("2017-12"), count("2020-12"));
    assert!(n < 4.0);
    let t = tile(&page, "revenue_1000_zones");
    assert!(t.contains(&format!("基期：2017年 = {}家", num(n0))) && t.contains(&format!("最新：2020年 = {}家", num(n))), "{t}");
    assert!(!t.contains("已实现"), "{t}");

    // 目标3: 外资 2017 → 2020 average growth against 15%: R = observed ÷ required.
    let (b, e) = (sum(&d, "fdi", "2017-12"), sum(&d, "fdi", "2020-12"));
    let cagr = ((e / b).powf(1.0 / 3.0) - 1.0) * 100.0;
    let t = tile(&page, "fdi_growth_15");
    assert!(t.contains(&format!("年均 {cagr:.1}%")), "{t}");
    assert!(t.contains(&format!("实际年均增速 = ({} ÷ {})^(1/3) − 1 = {cagr:.2}%", num(e), num(b))), "{t}");
    let expected = if e >= b * 1.15f64.powi(3) {
        "已实现"
    } else {
        let r = cagr / 15.0;
        if r >= 0.95 { "按计划推进" } else if r >= 0.6 { "需加快" } else if r >= 0.0 { "进展有限" } else { "倒退" }
    };
    assert!(t.contains(expected), "fdi should be {expected}: {t}");

    // 目标2: the share is Σ高新技术产业增加值 ÷ Σ规上工业增加值, not the mean of the zones' shares.
    let share = sum(&d, "hitech_va", "2020-12") / sum(&d, "ind_va", "2020-12") * 100.0;
    let mean = zones().iter().map(|z| d[&(z.clone(), "hitech_va".into(), "2020-12".into())] / d[&(z.clone(), "ind_va".into(), "2020-12".into())] * 100.0).sum::<f64>() / 15.0;
    assert!((share - mean).abs() > 0.01);
    assert!(tile(&page, "hitech_share_35").contains(&format!("最新：2020年 = {}%", num(share))));

    // Targets without data say why instead of inventing a status.
    let t = tile(&page, "gdp_city_share_55");
    assert!(t.contains("无法评估") && t.contains("需由市开发区办录入全市地区生产总值"), "{t}");
    // 中外合作产业园 created under the plan (from 2018) in the park register: 中瑞, 中加, 中印, 中斯, 中新.
    let t = tile(&page, "sino_foreign_parks");
    assert!(t.contains("已实现") && t.contains("最新：2020年 = 5个"), "{t}");

    // Mid-year, flows are judged on full years plus this year's pace: 2019 目标 = 2018 × 1.1, by July × 7 ÷ 12.
    let (_, july) = get(&c, &app, "/cockpit?period=2019-07").await;
    let goal = sum(&d, "gdp", "2018-12") * 1.1;
    let t = tile(&july, "gdp_growth_10");
    assert!(t.contains(&format!("应达 {}，实际 {}", num(goal * 7.0 / 12.0), num(sum(&d, "gdp", "2019-07")))), "{t}");
    assert!(t.contains("最新：2018年"), "the latest full year: {t}");
    // A stock is judged at the month itself.
    assert!(tile(&july, "hitech_ent_400").contains(&format!("最新：2019年7月 = {}家", num(hitech_in_zones("2019-07-31")))));
}

#[tokio::test]
async fn city_totals_are_sums_and_ratios_are_recomputed_from_sums() {
    let app = spawn_app().await;
    let (c, _) = login(&app, "viewer").await;
    let (_, page) = get(&c, &app, "/cockpit?period=2019-07").await;
    let table = section(&page, "city-totals");
    let d = demo();
    let (jul, jun, last) = (sum(&d, "revenue", "2019-07"), sum(&d, "revenue", "2019-06"), sum(&d, "revenue", "2018-07"));
    let r = row(table, "主营业务收入");
    assert!(
        r.contains(&format!("<td class=\"num\">{jul:.2}</td><td class=\"num\">{:.2}</td><td class=\"num\">{last:.2}</td><td class=\"num up\">{:.1}%</td>", jul - jun, (jul / last - 1.0) * 100.0)),
        "{r}"
    );
    let share = |p: &str| sum(&d, "hitech_va", p) / sum(&d, "ind_va", p) * 100.0;
    let r = row(table, "高新技术产业增加值占规模以上工业增加值比重");
    assert!(r.contains(&format!("<td class=\"num\">{:.1}</td>", share("2019-07"))), "{r}");
    assert!(r.contains("个百分点") || r.contains("持平"), "a rate changes in 百分点: {r}");
    assert!(row(table, "污水集中处理率").contains("不适用"), "rates are not summed");
    assert!(row(table, "高新技术企业数").contains(&format!("<td class=\"num\">{}</td>", sum(&d, "hitech_ent", "2019-07"))));
}

#[tokio::test]
async fn league_tables_rank_every_zone_and_a_zone_reporter_sees_only_its_own() {
    let app = spawn_app().await;
    let d = demo();
    let names: HashMap<String, String> = nengji_core::catalog::zones().into_iter().map(|z| (z.code, z.short_name)).collect();
    let mut by_tax: Vec<(String, f64)> = zones().into_iter().map(|z| (z.clone(), d[&(z, "tax".to_string(), "2020-06".to_string())])).collect();
    by_tax.sort_by(|a, b| b.1.total_cmp(&a.1));

    let (c, _) = login(&app, "leader").await;
    let (_, page) = get(&c, &app, "/compare?indicator=tax&period=2020-06").await;
    let table = section(&page, "compare-table");
    let body = &table[table.find("<tbody>").unwrap()..];
    let order: Vec<usize> = by_tax.iter().map(|(z, _)| body.find(&format!(">{}</a></th>", names[z])).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "rows in rank order");
    let first = row(body, &names[&by_tax[0].0]);
    assert!(first.starts_with("<tr><td class=\"num\">1/15</td>") && first.contains(&format!("{:.2}", by_tax[0].1)), "{first}");
    assert!(row(body, &names[&by_tax[14].0]).contains("15/15"));
    let total: f64 = by_tax.iter().map(|(_, v)| v).sum();
    assert!(table.contains(&format!("全市开发区合计</th><td class=\"num\">{total:.2}</td>")));
    // Both charts list the 15 zones, with the values on hover.
    assert_eq!(page.matches("<rect class=\"bar\"").count(), 30);
    assert!(page.contains(&format!("<title>{}：{}亿元</title>", names[&by_tax[0].0], nengji_office::chart::format_value(by_tax[0].1))));

    // The cockpit's league table is the same ranking.
    let (_, cockpit) = get(&c, &app, "/cockpit?period=2020-06&league=tax").await;
    assert!(row(section(&cockpit, "league-table"), &names[&by_tax[0].0]).contains("1/15"));

    // A zone reporter: no city-wide views, and comparisons show only its own zone.
    let (y, _) = login(&app, "yanjiao").await;
    assert_eq!(get(&y, &app, "/cockpit").await.0, 403);
    let (status, page) = get(&y, &app, "/compare?indicator=tax&period=2020-06").await;
    assert_eq!(status, 200);
    assert!(page.contains("燕郊高新区") && page.contains("只能查看本开发区"));
    for (code, name) in &names {
        if code != "yanjiao_htz" {
            assert!(!page.contains(name.as_str()), "{name} must not appear");
        }
    }
    assert!(!page.contains("全市开发区合计"));
    assert_eq!(page.matches("<rect class=\"bar\"").count(), 2);
    let rank = by_tax.iter().position(|(z, _)| z == "yanjiao_htz").unwrap() + 1;
    assert!(page.contains(&format!("<td class=\"num\">{rank}/15</td>")));
    let api: serde_json::Value = y.get(format!("{}/api/v1/league?indicator=tax&period=2020-06", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(api["rows"].as_array().unwrap().len(), 1);
    assert_eq!(api["rows"][0]["zone"], "yanjiao_htz");
    assert!(api["total"].is_null() && api["rows"][0]["share_pct"].is_null());
    for path in ["/api/v1/targets", "/api/v1/series?indicator=tax", "/api/v1/series?indicator=tax&group=subcenter", "/api/v1/series?indicator=tax&zone=langfang_etdz", "/download/city.csv", "/download/targets.xlsx", "/download/zone.xlsx?zone=langfang_etdz"] {
        assert_eq!(get(&y, &app, path).await.0, 403, "{path}");
    }
    let xlsx = y.get(format!("{}/download/league.xlsx?indicator=tax&period=2020-06", app.url)).send().await.unwrap().bytes().await.unwrap();
    let t = &nengji_office::read_tables("x.xlsx", &xlsx).unwrap()[0];
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0][1], "燕郊高新区");
    assert_eq!(get(&y, &app, "/api/v1/series?indicator=tax&zone=yanjiao_htz").await.0, 200);
}

#[tokio::test]
async fn every_table_downloads_as_xlsx_and_csv() {
    let app = spawn_app().await;
    with_registers(&app).await;
    let (c, _) = login(&app, "leader").await;
    let d = demo();
    for (path, rows, first) in [
        ("/download/targets.{ext}?period=2020-12", nengji_core::target::plan_targets().len(), "1"),
        ("/download/city.{ext}?period=2020-12", 15, "主营业务收入"),
        ("/download/league.{ext}?period=2020-12&indicator=revenue", 15, "1/15"),
        ("/download/zone.{ext}?period=2020-12&zone=yanjiao_htz", 15, "主营业务收入"),
    ] {
        let xlsx = c.get(format!("{}{}", app.url, path.replace("{ext}", "xlsx"))).send().await.unwrap();
        assert_eq!(xlsx.status(), 200, "{path}");
        assert!(xlsx.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''"));
        let x = nengji_office::read_tables("t.xlsx", &xlsx.bytes().await.unwrap()).unwrap().remove(0);
        let csv = c.get(format!("{}{}", app.url, path.replace("{ext}", "csv"))).send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let bytes = csv.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "CSV carries a UTF-8 BOM for Excel");
        let v = nengji_office::read_tables("t.csv", &bytes).unwrap().remove(0);
        assert_eq!((x.header.clone(), x.rows.clone()), (v.header, v.rows), "{path}: xlsx and CSV hold the same table");
        assert_eq!(x.rows.len(), rows, "{path}");
        assert_eq!(x.rows[0][0], first, "{path}");
        assert_eq!(x.header.last().unwrap(), "数据性质");
        assert!(x.rows.iter().all(|r| r.last().unwrap() == "示例数据"), "demo figures are labelled in files too");
    }
    let city = c.get(format!("{}/download/city.xlsx?period=2020-12", app.url)).send().await.unwrap().bytes().await.unwrap();
    let t = nengji_office::read_tables("t.xlsx", &city).unwrap().remove(0);
    assert_eq!(t.sheet, "全市开发区合计");
    assert_eq!(t.rows[0][2], format!("{:.2}", sum(&d, "revenue", "2020-12")));
    let targets = c.get(format!("{}/download/targets.xlsx", app.url)).send().await.unwrap().bytes().await.unwrap();
    let t = nengji_office::read_tables("t.xlsx", &targets).unwrap().remove(0);
    let hitech = t.rows.iter().find(|r| r[1] == "开发区高新技术企业数量达400家以上").unwrap();
    let api: serde_json::Value = c.get(format!("{}/api/v1/targets?period=2020-12", app.url)).send().await.unwrap().json().await.unwrap();
    let status = api["targets"].as_array().unwrap().iter().find(|t| t["code"] == "hitech_ent_400").unwrap()["status_label"].clone();
    assert_eq!(serde_json::Value::from(hitech[3].clone()), status, "the file and the API agree");
    assert_ne!(hitech[3], "无法评估");
    assert!(hitech[14].contains("目标：开发区高新技术企业数量达400家以上"), "the calculation is in the file");
    assert_eq!(c.get(format!("{}/download/nothing.xlsx", app.url)).send().await.unwrap().status(), 404);
    assert_eq!(c.get(format!("{}/download/city.pdf", app.url)).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn zone_profile_has_trend_and_month_charts_with_the_target_path_and_ranks() {
    let app = spawn_app().await;
    let d = demo();
    let (c, _) = login(&app, "yanjiao").await;
    let (status, page) = get(&c, &app, "/zones/yanjiao_htz?period=2020-12").await;
    assert_eq!(status, 200);
    let charts = &page[page.find("id=\"charts\"").unwrap()..];
    assert_eq!(charts.matches("<svg").count(), 2);
    assert!(charts.contains("aria-label=\"燕郊高新区主营业务收入走势（最近24个月）（单位：亿元）\""));
    assert!(charts.contains("aria-label=\"燕郊高新区主营业务收入当月值（最近24个月）（单位：亿元）\""));
    let v = |p: &str| d[&("yanjiao_htz".to_string(), "revenue".to_string(), p.to_string())];
    let fv = nengji_office::chart::format_value;
    assert!(charts.contains(&format!("<title>实际（1–N月累计） 2020年12月：{}亿元</title>", fv(v("2020-12")))));
    assert!(charts.contains(&format!("<title>上年同期 2020年12月：{}亿元</title>", fv(v("2019-12")))));
    assert!(charts.contains(&format!("<title>2020年12月：{}亿元</title>", fv(v("2020-12") - v("2020-11")))), "当月 bar");
    // Its rank on each indicator among the 15, without other zones' values.
    let mut revenue: Vec<f64> = zones().iter().map(|z| d[&(z.clone(), "revenue".to_string(), "2020-12".to_string())]).collect();
    revenue.sort_by(|a, b| b.total_cmp(a));
    let rank = revenue.iter().position(|x| *x == v("2020-12")).unwrap() + 1;
    let ranks = section(&page, "zone-ranks");
    assert!(row(ranks, "主营业务收入").contains(&format!("<td class=\"num\">{rank}/15</td>")), "{ranks}");
    assert_eq!(ranks.matches("<tr>").count(), 1 + 15);
    assert!(!page.contains("廊坊经开区"), "no other zone on a reporter's profile");

    // 外资 has a growth target: the path is 2019 actual × 1.15 × N ÷ 12 in 2020.
    let (_, fdi) = get(&c, &app, "/zones/yanjiao_htz?period=2020-12&chart=fdi").await;
    assert!(fdi.contains("目标路径（年均增长15%）") && fdi.contains("id=\"path-note\""));
    let f = |p: &str| d[&("yanjiao_htz".to_string(), "fdi".to_string(), p.to_string())];
    let path_june = f("2019-12") * 1.15 * 6.0 / 12.0;
    assert!(fdi.contains(&format!("<title>目标路径（年均增长15%） 2020年6月：{}万美元</title>", fv(path_june))), "path value");
    // 高新技术企业数 is a city-wide count: no path for one zone.
    let (_, ent) = get(&c, &app, "/zones/yanjiao_htz?period=2020-12&chart=hitech_ent").await;
    assert!(!ent.contains("目标路径") && ent.contains("高新技术企业数月末值"));
    assert_eq!(get(&c, &app, "/zones/yanjiao_htz?chart=nonsense").await.0, 404);
}

#[tokio::test]
async fn api_serves_computed_series_and_target_statuses() {
    let app = spawn_app().await;
    with_registers(&app).await;
    let (c, _) = login(&app, "viewer").await;
    let d = demo();
    let j = |path: &'static str| {
        let c = c.clone();
        let url = format!("{}{path}", app.url);
        async move { c.get(url).send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let s = j("/api/v1/series?indicator=revenue&from=2020-01&to=2020-12").await;
    assert_eq!((s["scope"].as_str(), s["is_demo"].as_bool()), (Some("city"), Some(true)));
    let pts = s["points"].as_array().unwrap();
    assert_eq!(pts.len(), 12);
    let close = |a: &serde_json::Value, b: f64| (a.as_f64().unwrap() - b).abs() < 1e-6;
    assert!(close(&pts[6]["value"], sum(&d, "revenue", "2020-07")));
    assert!(close(&pts[6]["month_value"], sum(&d, "revenue", "2020-07") - sum(&d, "revenue", "2020-06")));
    assert_eq!(pts[6]["month_label"], "7月");
    assert!(close(&pts[0]["month_value"], sum(&d, "revenue", "2020-01")));
    assert!(close(&pts[6]["yoy_pct"], (sum(&d, "revenue", "2020-07") / sum(&d, "revenue", "2019-07") - 1.0) * 100.0));
    assert_eq!(pts[6]["yoy_basis"], "last_year");

    let s = j("/api/v1/series?indicator=sei_share&from=2019-12&to=2020-12").await;
    let share = |p: &str| sum(&d, "sei_va", p) / sum(&d, "gdp", p) * 100.0;
    let pts = s["points"].as_array().unwrap();
    assert!(close(&pts[12]["value"], share("2020-12")));
    assert!(close(&pts[12]["change_pp"], share("2020-12") - share("2019-12")));

    let s = j("/api/v1/series?indicator=gdp&group=xiongan&from=2020-12&to=2020-12").await;
    let xiongan: f64 = ["bazhou_etdz", "wenan_etdz", "dacheng_etdz"].iter().map(|z| d[&(z.to_string(), "gdp".to_string(), "2020-12".to_string())]).sum();
    assert!(close(&s["points"][0]["value"], xiongan), "{s}");
    assert_eq!(s["scope_name"], "雄安配套平台开发区合计");
    let s = j("/api/v1/series?indicator=tax&zone=bazhou_etdz&from=2018-01&to=2018-02").await;
    assert!(close(&s["points"][1]["value"], d[&("bazhou_etdz".to_string(), "tax".to_string(), "2018-02".to_string())]));

    let t = j("/api/v1/targets?period=2020-12").await;
    let ts = t["targets"].as_array().unwrap();
    assert_eq!(ts.len(), nengji_core::target::plan_targets().len());
    let hitech = ts.iter().find(|t| t["code"] == "hitech_ent_400").unwrap();
    assert_ne!(hitech["status"].as_str(), Some("unable_to_assess"));
    assert!(close(&hitech["latest"]["value"], hitech_in_zones("2020-12-31")));
    assert!(ts.iter().all(|t| !t["trail"].as_array().unwrap().is_empty()));

    for (path, code) in [("/api/v1/series?indicator=nope", 404), ("/api/v1/series?indicator=gdp&zone=nope", 404), ("/api/v1/series?indicator=gdp&from=2020-13", 400), ("/api/v1/league?indicator=gdp&period=x", 400)] {
        assert_eq!(c.get(format!("{}{path}", app.url)).send().await.unwrap().status().as_u16(), code, "{path}");
    }
    let doc: serde_json::Value = c.get(format!("{}/api/v1/openapi.json", app.url)).send().await.unwrap().json().await.unwrap();
    for p in ["/api/v1/series", "/api/v1/targets", "/api/v1/league"] {
        assert!(doc["paths"][p]["get"].is_object(), "{p}");
    }
    assert!(doc["components"]["schemas"]["TargetDto"].is_object());
    assert_eq!(common::client().get(format!("{}/api/v1/targets", app.url)).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn analytics_use_approved_values_only() {
    let app = spawn_app().await;
    let actor = Actor::system("test");
    let ds = collection::dataset(&app.db, seed::MONTHLY).await.unwrap();
    let today = nengji_web::collect::today();
    let jan = Month::JANUARY_2021;
    let w = Window { period: jan, opens: today - Duration::days(2), due: today + Duration::days(2), locks: today + Duration::days(20) };
    collection::set_period_window(&app.db, &actor, &ds, jan, w).await.unwrap();
    let input = ValueInput { zone: "yanjiao_htz".into(), indicator: "revenue".into(), period: jan, value: 88.5, prior_comparable: Some(80.0), comment: String::new() };
    let batch = Batch { zone: "yanjiao_htz".into(), period: jan, expected_version: None, values: vec![input] };
    collection::apply(&app.db, &actor, &ds, &[batch], "test", today).await.unwrap();

    let (c, _) = login(&app, "leader").await;
    let url = format!("{}/api/v1/series?indicator=revenue&zone=yanjiao_htz&from=2021-01&to=2021-01", app.url);
    let s: serde_json::Value = c.get(&url).send().await.unwrap().json().await.unwrap();
    assert!(s["points"][0]["value"].is_null(), "a draft is not analysed: {s}");
    let (_, page) = get(&c, &app, "/compare?indicator=revenue&period=2021-01").await;
    assert!(!page.contains("88.50"));
    // The zone profile is shared between requests: asked once before the approval, it must
    // still show the approved value afterwards.
    let (_, profile) = get(&c, &app, "/zones/yanjiao_htz?period=2021-01").await;
    assert!(!section(&profile, "zone-figures").contains("88.50"));

    let key = vec![("yanjiao_htz".to_string(), jan, None)];
    collection::transition(&app.db, &actor, &ds, Transition::Submit, &key, "").await.unwrap();
    let s: serde_json::Value = c.get(&url).send().await.unwrap().json().await.unwrap();
    assert!(s["points"][0]["value"].is_null(), "submitted is not approved either");
    collection::transition(&app.db, &actor, &ds, Transition::Approve, &key, "").await.unwrap();
    let s: serde_json::Value = c.get(&url).send().await.unwrap().json().await.unwrap();
    let p = &s["points"][0];
    assert_eq!(p["value"], 88.5);
    assert!((p["yoy_pct"].as_f64().unwrap() - 10.625).abs() < 1e-9, "against the comparable 80: {p}");
    assert_eq!(p["yoy_basis"], "comparable");
    // The city total needs every zone: with one zone reported it stays unknown, not understated.
    let city: serde_json::Value = c.get(format!("{}/api/v1/series?indicator=revenue&from=2021-01&to=2021-01", app.url)).send().await.unwrap().json().await.unwrap();
    assert!(city["points"][0]["value"].is_null());
    let (_, profile) = get(&c, &app, "/zones/yanjiao_htz?period=2021-01").await;
    assert!(section(&profile, "zone-figures").contains("88.50"), "the approval is shown, not the kept page");
    let (_, page) = get(&c, &app, "/compare?indicator=revenue&period=2021-01").await;
    assert!(row(section(&page, "compare-table"), "燕郊高新区").starts_with("<tr><td class=\"num\">1/1</td>"), "the only ranked zone");
}


/// A national-scale league is read a page at a time: 100 rows and bars per page, the pager says
/// where one is, and a later page continues the ranks where the one before stopped.
#[tokio::test]
async fn a_long_league_table_is_paged_with_its_charts() {
    use nengji_core::zone::{Zone, ZoneKind, ZoneLevel};
    use nengji_store::masterdata;
    use nengji_store::observations::{self, BulkRow};
    let app = spawn_app().await;
    let actor = Actor::system("test");
    let extra: Vec<Zone> = (1..=200)
        .map(|k| Zone {
            code: format!("t_z{k:03}"),
            name: format!("测试开发区{k:03}号"),
            short_name: format!("测试{k:03}"),
            kind: ZoneKind::Economic,
            level: ZoneLevel::ALL[0],
            county_code: "131002".into(),
            area_ha: None,
            leading_industries: String::new(),
            groups: Vec::new(),
        })
        .collect();
    masterdata::upsert_zones(&app.db, &actor, &extra).await.unwrap();
    let ids: HashMap<String, i64> = masterdata::list_zones(&app.db).await.unwrap().into_iter().map(|z| (z.zone.code, z.id)).collect();
    let revenue = masterdata::list_indicators(&app.db).await.unwrap().into_iter().find(|i| i.indicator.code == "revenue").unwrap().id;
    let june: Month = "2020-06".parse().unwrap();
    // Revenue 10,000 + k: far above every demo zone, so 测试200 ranks first (tables show short names).
    let rows: Vec<BulkRow> = (1..=200)
        .map(|k| BulkRow { zone_id: ids[&format!("t_z{k:03}")], indicator_id: revenue, period: june, value: 10_000.0 + k as f64, prior_comparable: None })
        .collect();
    observations::bulk_load(&app.db, &actor, &rows, chrono::Utc::now()).await.unwrap();

    let (c, _) = login(&app, "leader").await;
    let (status, first) = get(&c, &app, "/compare?indicator=revenue&period=2020-06").await;
    assert_eq!(status, 200);
    let table = section(&first, "compare-table");
    assert_eq!(table.matches("<tr><td class=\"num\">").count(), 100, "one page of rows");
    assert!(row(table, "测试200").starts_with("<tr><td class=\"num\">1/215</td>"));
    assert!(!table.contains("测试100"), "rank 101 is on page 2");
    let pager = section(&first, "compare-pager");
    assert!(pager.contains("第 1–100 行，共 215 行") && pager.contains("第 1/3 页") && pager.contains("page=2") && !pager.contains("上一页"), "{pager}");
    let chart = figure(&first, "value-chart");
    assert_eq!(chart.matches("class=\"bar\"").count(), 100, "a bar per row of the page");
    assert!(chart.contains("测试200") && !chart.contains("测试100"));
    assert!(figure(&first, "growth-chart").contains("测试200"), "the growth chart has the same zones");

    let (_, second) = get(&c, &app, "/compare?indicator=revenue&period=2020-06&page=2").await;
    let table = section(&second, "compare-table");
    assert_eq!(table.matches("<tr><td class=\"num\">").count(), 100);
    assert!(row(table, "测试100").starts_with("<tr><td class=\"num\">101/215</td>"));
    assert!(!table.contains("测试200"));
    let chart = figure(&second, "value-chart");
    assert!(chart.contains("测试100") && !chart.contains("测试200"), "the chart shows this page's zones");

    let (_, last) = get(&c, &app, "/compare?indicator=revenue&period=2020-06&page=9").await;
    let table = section(&last, "compare-table");
    assert_eq!(table.matches("<tr><td class=\"num\">").count(), 15, "a page beyond the end shows the last one");
    assert!(section(&last, "compare-pager").contains("第 201–215 行，共 215 行"));
    assert!(table.contains("燕郊高新区"));
}
