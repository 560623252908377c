//! The monthly bulletin and the public portal: figures checked by hand from the demo values,
//! the .docx read back by LibreOffice, the .xlsx by calamine, the PDF by pdftotext; and nothing
//! unapproved or unpublished reaches a public route.

use crate::common;

use std::process::Command;

use chrono::Duration;
use common::{client, login, spawn_app, App};
use nengji_core::calendar::Window;
use nengji_core::entry::ValueInput;
use nengji_core::period::Month;
use nengji_store::collection::{self, Batch, Transition};
use nengji_store::{bulletins, seed, Actor};

fn demo_sum(indicator: &str, period: &str) -> f64 {
    nengji_core::demo::values().iter().filter(|v| v.indicator == indicator && v.period.to_string() == period).map(|v| v.value).sum()
}

async fn issue_december(app: &App) -> i64 {
    let (c, csrf) = login(app, "admin").await;
    let page = c.post(format!("{}/bulletins", app.url)).form(&[("csrf", csrf.as_str()), ("period", "2020-12")]).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("已生成2020年12月通报草稿"), "{page}");
    let id = bulletins::list(&app.db, false).await.unwrap()[0].id;
    let issued = c.post(format!("{}/bulletins/{id}/issue", app.url)).form(&[("csrf", csrf.as_str())]).send().await.unwrap().text().await.unwrap();
    assert!(issued.contains("已印发，并已在公开门户发布"));
    id
}

/// Text of a document through LibreOffice headless (docx → txt).
fn libreoffice_text(bytes: &[u8], ext: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(format!("in.{ext}"));
    std::fs::write(&input, bytes).unwrap();
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let out = Command::new("soffice")
        .args([profile.as_str(), "--headless", "--convert-to", "txt:Text", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .output()
        .expect("LibreOffice (soffice) is needed: scripts/install-deps installs it");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(dir.path().join("in.txt")).unwrap()
}

#[tokio::test]
async fn the_bulletin_reports_the_month_in_every_format() {
    let app = spawn_app().await;
    let (c, csrf) = login(&app, "leader").await;
    let page = c.post(format!("{}/bulletins", app.url)).form(&[("csrf", csrf.as_str()), ("period", "2020-12")]).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("已生成2020年12月通报草稿"), "{page}");
    let b = &bulletins::list(&app.db, false).await.unwrap()[0];
    assert!(!b.issued);
    // Hand check: city revenue = Σ zones; growth = Σ2020 / Σ2019 − 1 (no comparable figures in the demo).
    let (now, before) = (demo_sum("revenue", "2020-12"), demo_sum("revenue", "2019-12"));
    let expected = format!("2020年1-12月，全市15家省级以上开发区实现主营业务收入{now:.2}亿元，同比增长{:.1}%", (now / before - 1.0) * 100.0);
    assert!(b.content.summary.starts_with(&expected), "{}\n{expected}", b.content.summary);
    let revenue = &b.content.tables[0];
    let leader = nengji_core::demo::values().into_iter().filter(|v| v.indicator == "revenue" && v.period.to_string() == "2020-12").max_by(|a, b| a.value.total_cmp(&b.value)).unwrap();
    let top = revenue.rows.iter().find(|r| r.rank == Some(1)).unwrap();
    assert_eq!((top.zone.as_str(), top.value.clone()), (leader.zone.as_str(), format!("{:.2}", leader.value)));
    assert!(b.content.demo && b.content.highlights.iter().any(|h| h.contains("增速居前三位")));

    let url = |ext: &str| format!("{}/bulletins/file/{}.{ext}", app.url, b.id);
    let docx = c.get(url("docx")).send().await.unwrap().bytes().await.unwrap();
    let text = libreoffice_text(&docx, "docx");
    assert!(text.contains("全市开发区主要经济指标通报（2020年12月）") && text.contains(&format!("{now:.2}")), "{text}");
    assert!(text.contains(&top.zone_name) && text.contains("位次变化"), "{text}");

    let xlsx = c.get(url("xlsx")).send().await.unwrap().bytes().await.unwrap();
    let sheets = nengji_office::read_tables("b.xlsx", &xlsx).unwrap();
    assert_eq!(sheets.len(), nengji_web::bulletin::INDICATORS.len());
    assert_eq!(sheets[0].sheet, "主营业务收入");
    let row = sheets[0].rows.iter().find(|r| r[1] == top.zone_name).unwrap();
    assert_eq!((row[2].as_str(), row[4].as_str()), (top.value.as_str(), "1"));
    assert_eq!(sheets[0].rows.last().unwrap()[2], format!("{now:.2}"));

    let pdf = c.get(url("pdf")).send().await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.pdf");
    std::fs::write(&path, pdf.bytes().await.unwrap()).unwrap();
    let out = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils) is needed");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("主要经济指标通报") && text.contains(&format!("{now:.2}")), "{text}");

    // Wording is data: a template with a typo is refused, a good one is used by the next draft.
    let (a, acsrf) = login(&app, "admin").await;
    let bad = a.post(format!("{}/bulletins/settings", app.url)).form(&[("csrf", acsrf.as_str()), ("summary", "{period_cumulative}收入{revenu}亿元")]).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("占位符“{revenu}”无法识别"));
    a.post(format!("{}/bulletins/settings", app.url)).form(&[("csrf", acsrf.as_str()), ("summary", "{period_cumulative}，主营业务收入{revenue}亿元。")]).send().await.unwrap();
    a.post(format!("{}/bulletins", app.url)).form(&[("csrf", acsrf.as_str()), ("period", "2020-12")]).send().await.unwrap();
    let v2 = &bulletins::list(&app.db, false).await.unwrap()[0];
    assert_eq!((v2.version, v2.content.summary.clone()), (2, format!("2020年1-12月，主营业务收入{now:.2}亿元。")));
    // Reporters neither see nor generate bulletins.
    let (zr, zcsrf) = login(&app, "yanjiao").await;
    assert_eq!(zr.get(format!("{}/bulletins", app.url)).send().await.unwrap().status(), 403);
    assert_eq!(zr.post(format!("{}/bulletins", app.url)).form(&[("csrf", zcsrf.as_str()), ("period", "2020-12")]).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn public_routes_reveal_only_published_data() {
    let app = spawn_app().await;
    let anon = client();
    let get = |p: &str| anon.get(format!("{}{p}", app.url)).send();
    // Nothing issued yet: no figures at all, though the demo values are approved.
    let index = get("/public").await.unwrap().text().await.unwrap();
    assert!(index.contains("id=\"no-bulletins\"") && index.contains("尚无"));
    let csv = get("/public/data.csv").await.unwrap().text().await.unwrap();
    assert_eq!(csv.lines().count(), 1, "header only: {csv}");
    let zone = get("/public/zones/yanjiao_htz").await.unwrap().text().await.unwrap();
    assert!(zone.contains("尚无已公布的数据"));

    // A draft stays private.
    let (c, csrf) = login(&app, "admin").await;
    c.post(format!("{}/bulletins", app.url)).form(&[("csrf", csrf.as_str()), ("period", "2020-12")]).send().await.unwrap();
    let draft = bulletins::list(&app.db, false).await.unwrap()[0].id;
    assert_eq!(get(&format!("/public/bulletins/{draft}")).await.unwrap().status(), 404);
    assert_eq!(get(&format!("/public/bulletins/file/{draft}.docx")).await.unwrap().status(), 404);
    assert_eq!(get(&format!("/bulletins/file/{draft}.docx")).await.unwrap().status(), 303, "office route needs a login");

    // 2021-01: one zone approved (but no bulletin for that month), one zone only in draft.
    let ds = collection::dataset(&app.db, seed::MONTHLY).await.unwrap();
    let today = nengji_web::collect::today();
    let w = Window { period: Month::JANUARY_2021, opens: today - Duration::days(1), due: today + Duration::days(5), locks: today + Duration::days(20) };
    let office = Actor::system("test");
    collection::set_period_window(&app.db, &office, &ds, Month::JANUARY_2021, w).await.unwrap();
    for (zone, value) in [("yanjiao_htz", 777.77), ("bazhou_etdz", 888.88)] {
        let v = ValueInput { zone: zone.into(), indicator: "revenue".into(), period: Month::JANUARY_2021, value, prior_comparable: None, comment: "核实".into() };
        collection::apply(&app.db, &office, &ds, &[Batch { zone: zone.into(), period: Month::JANUARY_2021, expected_version: None, values: vec![v] }], "form", today).await.unwrap();
    }
    let t = [("yanjiao_htz".to_string(), Month::JANUARY_2021, None)];
    collection::transition(&app.db, &office, &ds, Transition::Submit, &t, "").await.unwrap();
    collection::transition(&app.db, &office, &ds, Transition::Approve, &t, "").await.unwrap();

    // Public lists: an unpublished version and a future one stay hidden.
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let v1 = bulletins::add_list_version(&app.db, &office, "yanjiao_htz", "one_visit", "企业投资项目备案\n营业执照办理", d("2020-01-01")).await.unwrap();
    bulletins::add_list_version(&app.db, &office, "yanjiao_htz", "power", "未公开的权力事项", d("2020-01-01")).await.unwrap();
    let future = bulletins::add_list_version(&app.db, &office, "yanjiao_htz", "service", "将来的服务事项", today + Duration::days(30)).await.unwrap();
    bulletins::publish_list_version(&app.db, &office, v1).await.unwrap();
    bulletins::publish_list_version(&app.db, &office, future).await.unwrap();

    let id = issue_december(&app).await;
    let index = get("/public").await.unwrap().text().await.unwrap();
    assert!(index.contains(&format!("/public/bulletins/{id}")) && index.contains("2020年12月"));
    assert!(!index.contains(&format!("/public/bulletins/{draft}\"")), "the older draft stays private");
    let page = get(&format!("/public/bulletins/{id}")).await.unwrap().text().await.unwrap();
    assert!(page.contains("全市开发区主要经济指标通报（2020年12月）"));
    assert_eq!(get(&format!("/public/bulletins/file/{id}.xlsx")).await.unwrap().status(), 200);

    let csv = get("/public/data.csv").await.unwrap().text().await.unwrap();
    assert!(csv.contains(",2020-12,") && !csv.contains("2021-01"), "approved 2021-01 is not yet published");
    assert!(!csv.contains("777.77") && !csv.contains("888.88"));
    let json: serde_json::Value = get("/public/data.json").await.unwrap().json().await.unwrap();
    assert!(json["values"].as_array().unwrap().iter().all(|v| v["period"].as_str().unwrap() <= "2020-12"));
    assert!(json["dictionary"].as_array().unwrap().iter().any(|d| d["code"] == "revenue"));
    let zone = get("/public/zones/yanjiao_htz").await.unwrap().text().await.unwrap();
    assert!(zone.contains("2020年1-12月") && !zone.contains("777.77"));
    assert!(zone.contains("“最多跑一次”事项目录") && zone.contains("企业投资项目备案"));
    assert!(!zone.contains("未公开的权力事项") && !zone.contains("将来的服务事项"));
    let targets = get("/public/targets").await.unwrap().text().await.unwrap();
    assert!(targets.contains("id=\"public-targets\"") && targets.contains("2020年12月"));
}

#[tokio::test]
async fn approving_the_last_zone_drafts_the_bulletin() {
    let app = spawn_app().await;
    let ds = collection::dataset(&app.db, seed::MONTHLY).await.unwrap();
    let today = nengji_web::collect::today();
    let office = Actor::system("test");
    let w = Window { period: Month::JANUARY_2021, opens: today - Duration::days(1), due: today + Duration::days(5), locks: today + Duration::days(20) };
    collection::set_period_window(&app.db, &office, &ds, Month::JANUARY_2021, w).await.unwrap();
    let zones = nengji_store::masterdata::list_zones(&app.db).await.unwrap();
    let mut targets = Vec::new();
    for z in &zones {
        let code = z.zone.code.clone();
        let last: f64 = nengji_core::demo::values().iter().find(|v| v.zone == code && v.indicator == "revenue" && v.period.to_string() == "2020-01").unwrap().value;
        let v = ValueInput { zone: code.clone(), indicator: "revenue".into(), period: Month::JANUARY_2021, value: (last * 1.08 * 100.0).round() / 100.0, prior_comparable: None, comment: String::new() };
        collection::apply(&app.db, &office, &ds, &[Batch { zone: code.clone(), period: Month::JANUARY_2021, expected_version: None, values: vec![v] }], "form", today).await.unwrap();
        collection::transition(&app.db, &office, &ds, Transition::Submit, &[(code.clone(), Month::JANUARY_2021, None)], "").await.unwrap();
        targets.push(format!("{code}|2021-01|"));
    }
    let (c, csrf) = login(&app, "leader").await;
    let mut form: Vec<(&str, String)> = vec![("csrf", csrf.clone()), ("action", "approve".into())];
    form.extend(targets[..14].iter().map(|t| ("t", t.clone())));
    let page = c.post(format!("{}/review", app.url)).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("已审核通过 14 张报表") && !page.contains("自动生成"));
    assert!(bulletins::list(&app.db, false).await.unwrap().is_empty());
    let page = c.post(format!("{}/review", app.url)).form(&[("csrf", csrf.clone()), ("action", "approve".into()), ("t", targets[14].clone())]).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("全部开发区已审核，已自动生成通报草稿"), "{page}");
    let b = &bulletins::list(&app.db, false).await.unwrap()[0];
    assert_eq!((b.period.as_str(), b.created_by.as_str(), b.issued), ("2021-01", "自动生成", false));
}
