//! Monthly collection through HTTP: scope, the form and its version check, the workflow,
//! the Excel round trip with its dry run, and the batch API.

use crate::common;

use chrono::Duration;
use common::{client, login, spawn_app, App};
use nengji_core::calendar::Window;
use nengji_core::period::Month;
use nengji_store::{collection, seed, sessions, Actor};

const JAN: &str = "2021-01";

async fn open_january(app: &App) {
    let ds = collection::dataset(&app.db, seed::MONTHLY).await.unwrap();
    let today = nengji_web::collect::today();
    let w = Window { period: Month::JANUARY_2021, opens: today - Duration::days(2), due: today + Duration::days(2), locks: today + Duration::days(20) };
    collection::set_period_window(&app.db, &Actor::system("test"), &ds, Month::JANUARY_2021, w).await.unwrap();
}

fn version_of(html: &str) -> String {
    let at = html.find("name=\"version\" value=\"").unwrap() + "name=\"version\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn reporters_enter_submit_and_reviewers_approve() {
    let app = spawn_app().await;
    open_january(&app).await;
    let (c, csrf) = login(&app, "yanjiao").await;
    let url = |p: &str| format!("{}{p}", app.url);

    let due = c.get(url("/entry")).send().await.unwrap().text().await.unwrap();
    assert!(due.contains("燕郊高新区") && due.contains("2021年1月") && due.contains("还有 2 天截止"), "{due}");
    assert!(!due.contains("廊坊经开区"), "only its own zone");
    assert_eq!(c.get(url("/entry/langfang_etdz/2021-01")).send().await.unwrap().status(), 403);
    let other = c.post(url("/entry/langfang_etdz/2021-01")).form(&[("csrf", csrf.as_str()), ("v_gdp", "1")]).send().await.unwrap();
    assert_eq!(other.status(), 403);

    let form = c.get(url("/entry/yanjiao_htz/2021-01")).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("未填报") && form.contains("name=\"v_revenue\""));
    let v0 = version_of(&form);
    // A typo is refused with the row marked and what was typed kept.
    let bad = c.post(url("/entry/yanjiao_htz/2021-01")).form(&[("csrf", csrf.as_str()), ("version", &v0), ("action", "save"), ("v_gdp", "二十"), ("v_revenue", "88.5")]).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    assert!(page.contains("“二十”不是数字") && page.contains("value=\"88.5\""));
    let ok = c.post(url("/entry/yanjiao_htz/2021-01")).form(&[("csrf", csrf.as_str()), ("version", &v0), ("action", "save"), ("v_gdp", "20.5"), ("v_revenue", "88.5"), ("p_revenue", "80")]).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let page = ok.text().await.unwrap();
    assert!(page.contains("草稿已保存") && page.contains("状态：<strong id=\"status\">草稿"));
    // Someone saving on the old version is refused, naming who saved first.
    let stale = c.post(url("/entry/yanjiao_htz/2021-01")).form(&[("csrf", csrf.as_str()), ("version", &v0), ("action", "save"), ("v_gdp", "99")]).send().await.unwrap();
    assert_eq!(stale.status(), 409);
    assert!(stale.text().await.unwrap().contains("已被 yanjiao 于"));

    // Submitting runs the rules: GDP is up over 50% on the year, which needs an explanation.
    let v1 = version_of(&page);
    let sub = c.post(url("/entry/yanjiao_htz/2021-01")).form(&[("csrf", csrf.as_str()), ("version", &v1), ("action", "submit"), ("v_gdp", "20.5"), ("v_revenue", "88.5"), ("p_revenue", "80")]).send().await.unwrap();
    let page = sub.text().await.unwrap();
    assert!(page.contains("草稿已保存，但未报送") && page.contains("【警告】地区生产总值同比增长54.7%，超出±50%的合理波动范围"), "{page}");
    // An error rule cannot be explained away: 高新技术产业增加值 above 规上工业增加值.
    let v2 = version_of(&page);
    let sub = c.post(url("/entry/yanjiao_htz/2021-01")).form(&[("csrf", csrf.as_str()), ("version", &v2), ("action", "submit"), ("v_gdp", "20.5"), ("c_gdp", "新项目投产"), ("v_revenue", "88.5"), ("p_revenue", "80"), ("v_ind_va", "9"), ("v_hitech_va", "12"), ("c_hitech_va", "确认无误")]).send().await.unwrap();
    let page = sub.text().await.unwrap();
    assert!(page.contains("【错误】高新技术产业增加值不应大于规模以上工业增加值"), "{page}");
    let v3 = version_of(&page);
    let sub = c.post(url("/entry/yanjiao_htz/2021-01")).form(&[("csrf", csrf.as_str()), ("version", &v3), ("action", "submit"), ("v_gdp", "20.5"), ("c_gdp", "新项目投产"), ("v_revenue", "88.5"), ("p_revenue", "80"), ("v_ind_va", "9"), ("v_hitech_va", "3")]).send().await.unwrap();
    let page = sub.text().await.unwrap();
    assert!(page.contains("已报送，等待审核"), "{page}");
    assert!(!page.contains("name=\"v_gdp\""), "no longer editable");
    // Reporters do not approve.
    assert_eq!(c.get(url("/review")).send().await.unwrap().status(), 403);
    assert_eq!(c.post(url("/review")).form(&[("csrf", csrf.as_str()), ("action", "approve"), ("t", "yanjiao_htz|2021-01|")]).send().await.unwrap().status(), 403);

    let (r, rcsrf) = login(&app, "leader").await;
    let review = r.get(url("/review")).send().await.unwrap().text().await.unwrap();
    assert!(review.contains("已报送待审核"));
    let done = r.post(url("/review")).form(&[("csrf", rcsrf.as_str()), ("action", "approve"), ("t", "yanjiao_htz|2021-01|")]).send().await.unwrap().text().await.unwrap();
    assert!(done.contains("已审核通过 1 张报表"), "{done}");
    let profile = r.get(url("/zones/yanjiao_htz?period=2021-01")).send().await.unwrap().text().await.unwrap();
    assert!(profile.contains("<td class=\"num\">88.50</td>"), "approved value on the profile");
    assert!(profile.contains("<td class=\"num\">80.00</td><td class=\"num up\">10.6%</td>"), "同比 against the comparable figure: 88.5/80−1");

    // Approved: the form is read-only and a POST is refused until un-approval.
    let late = c.post(url("/entry/yanjiao_htz/2021-01")).form(&[("csrf", csrf.as_str()), ("version", "99"), ("action", "save"), ("v_gdp", "21")]).send().await.unwrap();
    assert_eq!(late.status(), 422);
    assert!(late.text().await.unwrap().contains("须先撤销审核"));
    let no_reason = r.post(url("/review")).form(&[("csrf", rcsrf.as_str()), ("action", "unapprove"), ("t", "yanjiao_htz|2021-01|")]).send().await.unwrap();
    assert_eq!(no_reason.status(), 422);
    assert!(no_reason.text().await.unwrap().contains("撤销审核必须填写原因"));
    let matrix = r.get(url("/review/matrix?end=2021-01")).send().await.unwrap().text().await.unwrap();
    assert!(matrix.contains("已审核") && matrix.contains("未报送"), "{matrix}");
}

#[tokio::test]
async fn excel_round_trip_with_dry_run() {
    let app = spawn_app().await;
    open_january(&app).await;
    let (c, csrf) = login(&app, "yanjiao").await;
    let url = |p: &str| format!("{}{p}", app.url);
    let xlsx = c.get(url("/entry/template.xlsx?period=2021-01")).send().await.unwrap().bytes().await.unwrap();
    let mut table = nengji_office::template::read_entry_table("t.xlsx", &xlsx).unwrap();
    assert_eq!(table.rows.len(), 13, "13 indicators of its one zone");
    let col = |name: &str| table.header.iter().position(|h| h == name).unwrap();
    let (value, code) = (col("本期数值"), col("指标代码"));
    for r in table.rows.iter_mut() {
        r[value] = match r[code].as_str() { "gdp" => "二十".into(), "revenue" => "90".into(), _ => String::new() };
    }
    let upload = |t: &nengji_core::masterdata::Table| {
        let bytes = nengji_office::write_xlsx(std::slice::from_ref(t)).unwrap();
        reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name("燕郊.xlsx"))
    };
    let res = c.post(url("/entry/import")).multipart(upload(&table)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("<td>填报 第3行第I列</td><td>本期数值：“二十”不是数字</td>"), "{page}");
    let gdp = table.rows.iter().position(|r| r[code] == "gdp").unwrap();
    table.rows[gdp][value] = "20".into();
    let page = c.post(url("/entry/import")).multipart(upload(&table)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("检查通过：共 2 个数值"), "{page}");
    let at = page.find("action=\"/entry/import/").unwrap() + "action=\"/entry/import/".len();
    let id = page[at..].split('/').next().unwrap();
    let done = c.post(url(&format!("/entry/import/{id}/commit"))).form(&[("csrf", csrf.as_str())]).send().await.unwrap().text().await.unwrap();
    assert!(done.contains("已导入 2 个数值"), "{done}");
    assert!(done.contains("未导入") && done.contains("已导入"), "import history lists both uploads");
    let form = c.get(url("/entry/yanjiao_htz/2021-01")).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("id=\"v_revenue\" value=\"90\""), "{form}");
    let hist = c.get(url("/entry/yanjiao_htz/2021-01/history/revenue")).send().await.unwrap().text().await.unwrap();
    assert!(hist.contains("文件导入") && hist.contains("90.00"));
}

#[tokio::test]
async fn batch_api_checks_everything_first() {
    let app = spawn_app().await;
    open_january(&app).await;
    let token = sessions::create_token(&app.db, &Actor::system("test"), "yanjiao", "脚本").await.unwrap();
    let c = client();
    let post = |body: serde_json::Value| c.post(format!("{}/api/v1/values/batch", app.url)).bearer_auth(&token).json(&body).send();
    let res = post(serde_json::json!({"values": [
        {"zone": "yanjiao_htz", "indicator": "gdp", "period": JAN, "value": 21.0},
        {"zone": "langfang_etdz", "indicator": "gdp", "period": JAN, "value": 1.0},
        {"zone": "yanjiao_htz", "indicator": "tax", "period": "2020-12", "value": 1.0}
    ]})).await.unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["ok"], false);
    assert_eq!(body["problems"][0]["index"], 1);
    assert!(body["problems"][0]["message"].as_str().unwrap().contains("不存在或您无权填报"));
    assert_eq!(body["problems"][1]["index"], 2);
    let ds = collection::dataset(&app.db, seed::MONTHLY).await.unwrap();
    assert!(collection::submission(&app.db, &ds, "yanjiao_htz", Month::JANUARY_2021).await.unwrap().is_none(), "nothing written");

    let good = serde_json::json!({"dry_run": true, "values": [{"zone": "yanjiao_htz", "indicator": "gdp", "period": JAN, "value": 21.0, "comment": "接口"}]});
    let body: serde_json::Value = post(good.clone()).await.unwrap().json().await.unwrap();
    assert_eq!((body["ok"].as_bool(), body["count"].as_u64()), (Some(true), Some(1)));
    assert!(collection::submission(&app.db, &ds, "yanjiao_htz", Month::JANUARY_2021).await.unwrap().is_none(), "dry run writes nothing");
    let mut write = good;
    write["dry_run"] = false.into();
    let body: serde_json::Value = post(write).await.unwrap().json().await.unwrap();
    assert_eq!(body["ok"], true);
    let h = collection::history(&app.db, "yanjiao_htz", "gdp", Month::JANUARY_2021).await.unwrap();
    assert_eq!((h.len(), h[0].source.as_str()), (1, "api"));
}

#[tokio::test]
async fn the_office_edits_rules_and_reviewers_see_outliers() {
    let app = spawn_app().await;
    open_january(&app).await;
    let url = |p: &str| format!("{}{p}", app.url);
    let (zr, zcsrf) = login(&app, "yanjiao").await;
    assert_eq!(zr.get(url("/admin/rules")).send().await.unwrap().status(), 403);

    let (a, csrf) = login(&app, "admin").await;
    let page = a.get(url("/admin/rules")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("hitech_va_le_ind_va") && page.contains("range_sewage_rate"), "default rules loaded");
    // A rule with a syntax error is refused with its position, in Chinese.
    let bad = a.post(url("/admin/rules")).form(&[("csrf", csrf.as_str()), ("code", "tax_le_gdp"), ("kind", "expression"), ("importance", "error"), ("expr", "tax <= (gdp")]).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    let text = bad.text().await.unwrap();
    assert!(text.contains("缺少右括号"), "{text}");
    let ok = a.post(url("/admin/rules")).form(&[("csrf", csrf.as_str()), ("code", "tax_le_gdp"), ("kind", "expression"), ("importance", "error"), ("expr", "tax <= gdp * 0.5"), ("message", "税收收入不应超过地区生产总值的一半")]).send().await.unwrap();
    assert!(ok.text().await.unwrap().contains("已保存规则“tax_le_gdp”"));

    // The new rule applies to uploads at once: the dry run names the cell.
    let csv = "开发区代码,指标代码,期间,本期数值,备注\nyanjiao_htz,gdp,2021-01,14,\nyanjiao_htz,tax,2021-01,9,\n";
    let form = reqwest::multipart::Form::new()
        .text("csrf", zcsrf.clone())
        .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("一月.csv"));
    let res = zr.post(url("/entry/import")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let text = res.text().await.unwrap();
    assert!(text.contains("一月.csv 第3行第D列") && text.contains("税收收入不应超过地区生产总值的一半"), "{text}");

    // Switched off, it no longer blocks; a plausibility warning is shown but does not stop the import.
    let off = a.post(url("/admin/rules/tax_le_gdp/active")).form(&[("csrf", csrf.as_str()), ("active", "0")]).send().await.unwrap();
    assert!(off.text().await.unwrap().contains("已停用规则“tax_le_gdp”"));
    let form = reqwest::multipart::Form::new()
        .text("csrf", zcsrf.clone())
        .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("一月.csv"));
    let text = zr.post(url("/entry/import")).multipart(form).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("检查通过：共 2 个数值") && text.contains("id=\"warnings\"") && text.contains("税收收入同比增长"), "{text}");

    // An implausible January shows on the reviewers' follow-up list.
    let ds = collection::dataset(&app.db, seed::MONTHLY).await.unwrap();
    let v = nengji_core::entry::ValueInput { zone: "yanjiao_htz".into(), indicator: "revenue".into(), period: Month::JANUARY_2021, value: 600.0, prior_comparable: None, comment: String::new() };
    let b = collection::Batch { zone: "yanjiao_htz".into(), period: Month::JANUARY_2021, expected_version: None, values: vec![v] };
    collection::apply(&app.db, &Actor::system("test"), &ds, &[b], "form", nengji_web::collect::today()).await.unwrap();
    let list = a.get(url("/review/outliers?period=2021-01")).send().await.unwrap().text().await.unwrap();
    let table = &list[list.find("id=\"outliers\"").expect("an outlier is listed")..];
    assert!(table.contains("燕郊高新区") && table.contains("主营业务收入") && table.contains("600.00"), "{table}");
    assert_eq!(table.matches("<tr>").count(), 2, "only that value: {table}");
}

#[tokio::test]
async fn the_office_configures_the_calendar() {
    let app = spawn_app().await;
    let (a, csrf) = login(&app, "admin").await;
    let post = |fields: Vec<(&'static str, String)>| {
        let mut f = fields;
        f.push(("csrf", csrf.clone()));
        a.post(format!("{}/admin/calendar", app.url)).form(&f).send()
    };
    let bad = post(vec![("action", "rule".into()), ("due_workday", "0".into()), ("lock_after_days", "10".into())]).await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("截止工作日应为 1 到 20 的整数"));
    let ok = post(vec![("action", "rule".into()), ("due_workday", "7".into()), ("lock_after_days", "15".into())]).await.unwrap().text().await.unwrap();
    assert!(ok.contains("已改为：次月第7个工作日截止，截止后15天锁定"));
    let ds = collection::dataset(&app.db, seed::MONTHLY).await.unwrap();
    assert_eq!((ds.rule.due_workday, ds.rule.lock_after_days), (7, 15));

    // 2019-02-04…08 Spring Festival: with the holiday entered, 2019-01 falls due later.
    let cal = collection::Calendar::load(&app.db, &ds).await.unwrap();
    let before = cal.window(None, "2019-01".parse().unwrap()).due;
    for d in ["2019-02-04", "2019-02-05", "2019-02-06", "2019-02-07", "2019-02-08"] {
        post(vec![("action", "day".into()), ("day", d.into()), ("workday", "0".into())]).await.unwrap();
    }
    let cal = collection::Calendar::load(&app.db, &ds).await.unwrap();
    assert_eq!((before.to_string(), cal.window(None, "2019-01".parse().unwrap()).due.to_string()), ("2019-02-11".into(), "2019-02-18".into()));

    let bad = post(vec![("action", "exception".into()), ("zone", "wenan_etdz".into()), ("period", "2021-01".into()), ("due", "2021/02/20".into())]).await.unwrap();
    assert!(bad.text().await.unwrap().contains("截止日期“2021/02/20”不是有效日期"));
    post(vec![("action", "exception".into()), ("zone", "wenan_etdz".into()), ("period", "2021-01".into()), ("due", "2021-02-26".into())]).await.unwrap();
    let cal = collection::Calendar::load(&app.db, &ds).await.unwrap();
    assert_eq!(cal.window(Some("wenan_etdz"), Month::JANUARY_2021).due.to_string(), "2021-02-26");
    assert_ne!(cal.window(Some("bazhou_etdz"), Month::JANUARY_2021).due.to_string(), "2021-02-26", "only that zone");

    let (zr, _) = login(&app, "yanjiao").await;
    assert_eq!(zr.get(format!("{}/admin/calendar", app.url)).send().await.unwrap().status(), 403);
}
