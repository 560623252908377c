//! HTTP tests of the idle-land pages and API: every route for every role and zone scope, CSRF on
//! every POST, a stale edit refused, the procedure through the step form, the 台账 import (dry
//! run with located problems, then all-or-nothing) and export (re-read with calamine), and the
//! procedure's documents opened and read. Refused writes leave no audit record.

use crate::common;

use chrono::Utc;
use common::{client, login, spawn_app, App};
use nengji_core::land::procedure::Step;
use nengji_store::land::{self, StoredParcel};
use nengji_store::audit;
use reqwest::multipart::{Form, Part};
use reqwest::Client;

async fn demo(app: &App) {
    land::load_demo(&app.db, Utc::now()).await.unwrap();
}

async fn get(c: &Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

async fn bytes(c: &Client, url: String) -> (u16, Vec<u8>) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

async fn post(c: &Client, url: String, form: &[(&str, &str)]) -> (u16, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = r.text().await.unwrap_or_default();
    (status, if status == 303 { location } else { body })
}

async fn audits(app: &App) -> i64 {
    audit::count(&app.db).await.unwrap()
}

async fn parcels(app: &App) -> Vec<StoredParcel> {
    land::parcels(&app.db, None).await.unwrap()
}

/// A demo parcel of the zone whose procedure stands at `step` (or has none).
async fn at_step(app: &App, zone: Option<&str>, step: Option<Step>) -> StoredParcel {
    let ledger = land::ledger(&app.db, None, common_today()).await.unwrap();
    ledger.into_iter().find(|e| zone.is_none_or(|z| e.parcel.parcel.zone == z) && e.current == step).map(|e| e.parcel).expect("demo parcel")
}

fn common_today() -> chrono::NaiveDate {
    nengji_web::collect::today()
}

#[tokio::test]
async fn every_page_checks_role_and_zone_scope() {
    let app = spawn_app().await;
    demo(&app).await;
    let all = parcels(&app).await;
    let own = all.iter().find(|p| p.parcel.zone == "yanjiao_htz").unwrap();
    let other = all.iter().find(|p| p.parcel.zone != "yanjiao_htz").unwrap();
    let u = &app.url;
    // Anonymous: pages go to the login, the API answers 401.
    let anon = client();
    let r = anon.get(format!("{u}/land")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/login?next=%2Fland"));
    assert_eq!(get(&anon, format!("{u}/api/v1/land/parcels")).await.0, 401);

    let (admin, _) = login(&app, "admin").await;
    let (leader, _) = login(&app, "leader").await;
    let (yanjiao, _) = login(&app, "yanjiao").await;
    let (kejiju, _) = login(&app, "kejiju").await;
    let (viewer, _) = login(&app, "viewer").await;
    let pages = ["/land", "/land/parcels", "/land/export.xlsx", "/api/v1/land/parcels"];
    for c in [&admin, &leader, &viewer, &yanjiao] {
        for p in pages {
            assert_eq!(get(c, format!("{u}{p}")).await.0, 200, "{p}");
        }
        assert_eq!(get(c, format!("{u}/land/parcels/{}", own.id)).await.0, 200);
    }
    for p in pages {
        assert_eq!(get(&kejiju, format!("{u}{p}")).await.0, 403, "department reporter: {p}");
    }
    // The nav link is there for those who may use it.
    assert!(get(&admin, format!("{u}/")).await.1.contains(r#"<a href="/land" >土地</a>"#));
    assert!(!get(&kejiju, format!("{u}/")).await.1.contains(r#"href="/land""#));
    // A zone reporter sees only its zones: other parcels are not found, not listed, not exported.
    assert_eq!(get(&yanjiao, format!("{u}/land/parcels/{}", other.id)).await.0, 404);
    assert_eq!(get(&yanjiao, format!("{u}/api/v1/land/parcels/{}", other.id)).await.0, 404);
    let (_, dash) = get(&yanjiao, format!("{u}/land")).await;
    assert!(dash.contains(r#"data-zone="yanjiao_htz""#) && !dash.contains(r#"data-zone="sanhe_etdz""#));
    let (_, list) = get(&yanjiao, format!("{u}/land/parcels")).await;
    assert!(list.contains(&own.parcel.code) && !list.contains(&format!(">{}<", other.parcel.code)));
    let (_, xlsx) = bytes(&yanjiao, format!("{u}/land/export.xlsx")).await;
    let t = &nengji_office::read_tables("land.xlsx", &xlsx).unwrap()[0];
    assert!(!t.rows.is_empty() && t.rows.iter().all(|r| r[1] == "yanjiao_htz"), "{:?}", t.rows);
    let json: serde_json::Value = yanjiao.get(format!("{u}/api/v1/land/parcels")).send().await.unwrap().json().await.unwrap();
    assert!(json["parcels"].as_array().unwrap().iter().all(|p| p["parcel"]["zone"] == "yanjiao_htz"));
    // Editing: the office and the zone's reporter; the procedure and documents: not the reporter.
    assert_eq!(get(&yanjiao, format!("{u}/land/parcels/new")).await.0, 200);
    assert_eq!(get(&leader, format!("{u}/land/parcels/new")).await.0, 403);
    assert_eq!(get(&leader, format!("{u}/land/import")).await.0, 403);
    assert_eq!(get(&yanjiao, format!("{u}/land/import")).await.0, 200);
    assert!(!get(&yanjiao, format!("{u}/land/parcels/{}", own.id)).await.1.contains("step-form"));
    assert!(!get(&leader, format!("{u}/land/parcels/{}", own.id)).await.1.contains("parcel-form"));
    let decided = at_step(&app, None, Some(Step::Decision)).await;
    assert_eq!(get(&yanjiao, format!("{u}/land/parcels/{}/docs/fee.docx", decided.id)).await.0, 403);
    assert_eq!(bytes(&leader, format!("{u}/land/parcels/{}/docs/fee.docx", decided.id)).await.0, 200);
}

#[tokio::test]
async fn forms_need_csrf_and_a_stale_edit_is_refused() {
    let app = spawn_app().await;
    demo(&app).await;
    let u = &app.url;
    let (yanjiao, ycsrf) = login(&app, "yanjiao").await;
    let (admin, acsrf) = login(&app, "admin").await;
    let own = parcels(&app).await.into_iter().find(|p| p.parcel.zone == "yanjiao_htz").unwrap();
    let new = |csrf: &str, code: &str, zone: &str| -> Vec<(String, String)> {
        [("csrf", csrf), ("version", ""), ("code", code), ("zone", zone), ("holder", "三河某某公司"), ("uscc", "91310110666007217T"), ("land_use", "工业用地"),
            ("area_mu", "30"), ("supply", "出让"), ("supply_date", "2015-05-01"), ("handover", "2016-02-29"), ("price", "1200"), ("planned", "8000"), ("monitored", "1")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let as_ref = |v: &Vec<(String, String)>| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
    let n = audits(&app).await;
    // No token, a wrong token: refused before anything happens.
    let mut f = new("", "YJ-NEW-1", "yanjiao_htz");
    f.retain(|(k, _)| k != "csrf");
    assert_eq!(yanjiao.post(format!("{u}/land/parcels")).form(&as_ref(&f)).send().await.unwrap().status().as_u16(), 403);
    assert_eq!(yanjiao.post(format!("{u}/land/parcels")).form(&as_ref(&new("forged", "YJ-NEW-1", "yanjiao_htz"))).send().await.unwrap().status().as_u16(), 403);
    // Another zone: forbidden. Bad input: the form comes back with the fields named.
    assert_eq!(yanjiao.post(format!("{u}/land/parcels")).form(&as_ref(&new(&ycsrf, "YJ-NEW-1", "sanhe_etdz"))).send().await.unwrap().status().as_u16(), 403);
    let mut bad = new(&ycsrf, "YJ-NEW-1", "yanjiao_htz");
    bad.iter_mut().find(|(k, _)| k == "uscc").unwrap().1 = "91310110666007217A".into();
    let r = yanjiao.post(format!("{u}/land/parcels")).form(&as_ref(&bad)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("统一社会信用代码：统一社会信用代码校验位错误：第18位应为“T”，实际为“A”"));
    assert_eq!(audits(&app).await, n, "refusals write nothing");
    let r = yanjiao.post(format!("{u}/land/parcels")).form(&as_ref(&new(&ycsrf, "YJ-NEW-1", "yanjiao_htz"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let created = land::parcel_by_code(&app.db, "YJ-NEW-1").await.unwrap().unwrap();
    assert!((created.parcel.area_m2 - 20_000.0).abs() < 1e-6, "30 亩 = 20000 m²");
    assert_eq!(audits(&app).await, n + 1);

    // Two editors open version 1 of a parcel; the second save is refused and names the first.
    let page = get(&admin, format!("{u}/land/parcels/{}", own.id)).await.1;
    assert!(page.contains(r#"name="version" value="1""#));
    let mut edit: Vec<(String, String)> = nengji_web_form(&own, &ycsrf);
    edit.iter_mut().find(|(k, _)| k == "mortgagee").unwrap().1 = "燕郊农商银行".into();
    assert_eq!(yanjiao.post(format!("{u}/land/parcels/{}", own.id)).form(&as_ref(&edit)).send().await.unwrap().status().as_u16(), 200);
    let mut stale = nengji_web_form(&own, &acsrf);
    stale.iter_mut().find(|(k, _)| k == "note").unwrap().1 = "办公室修改".into();
    let n = audits(&app).await;
    let r = admin.post(format!("{u}/land/parcels/{}", own.id)).form(&as_ref(&stale)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("已被 yanjiao 于"), "names who saved first");
    assert_eq!(audits(&app).await, n);
    let now = land::parcel(&app.db, own.id).await.unwrap().unwrap();
    assert_eq!((now.version, now.parcel.mortgagee.as_str()), (2, "燕郊农商银行"));

    // The API answers a stale version with 409.
    let body = serde_json::json!({"version": 1, "parcel": now.parcel});
    let r = admin.put(format!("{u}/api/v1/land/parcels/{}", own.id)).header("x-csrf-token", &acsrf).json(&body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let body = serde_json::json!({"version": 2, "parcel": now.parcel});
    let r = admin.put(format!("{u}/api/v1/land/parcels/{}", own.id)).header("x-csrf-token", &acsrf).json(&body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(admin.put(format!("{u}/api/v1/land/parcels/{}", own.id)).json(&body).send().await.unwrap().status().as_u16(), 403, "API by cookie needs the CSRF header");
}

/// The edit form's fields for a stored parcel, as the page would post them.
fn nengji_web_form(p: &StoredParcel, csrf: &str) -> Vec<(String, String)> {
    let x = &p.parcel;
    let d = |v: Option<chrono::NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
    let mut f = vec![
        ("csrf", csrf.to_string()),
        ("version", p.version.to_string()),
        ("code", x.code.clone()),
        ("zone", x.zone.clone()),
        ("holder", x.holder.clone()),
        ("uscc", x.uscc.clone()),
        ("land_use", x.land_use.clone()),
        ("area_m2", format!("{:.2}", x.area_m2)),
        ("supply", "出让".into()),
        ("supply_date", d(x.supply_date)),
        ("contract_start", d(x.contract_start)),
        ("contract_completion", d(x.contract_completion)),
        ("handover", d(x.handover)),
        ("price", nengji_core::land::parcel::wan(x.price_fen)),
        ("planned", nengji_core::land::parcel::wan(x.planned_fen)),
        ("invested", nengji_core::land::parcel::wan(x.invested_fen)),
        ("to_develop_m2", format!("{:.2}", x.to_develop_m2)),
        ("developed_m2", format!("{:.2}", x.developed_m2)),
        ("started", d(x.started)),
        ("start_evidence", x.start_evidence.map(|e| e.code().to_string()).unwrap_or_default()),
        ("halted", d(x.halted)),
        ("cause", x.cause.map(|c| c.code().to_string()).unwrap_or_default()),
        ("mortgagee", x.mortgagee.clone()),
        ("note", x.note.clone()),
    ];
    if x.monitored {
        f.push(("monitored", "1".into()));
    }
    f.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[tokio::test]
async fn the_office_runs_the_procedure_and_gets_its_documents() {
    let app = spawn_app().await;
    demo(&app).await;
    let u = &app.url;
    let (admin, csrf) = login(&app, "admin").await;
    let (leader, lcsrf) = login(&app, "leader").await;
    let unfiled = land::ledger(&app.db, None, common_today()).await.unwrap().into_iter().find(|e| e.status_code() == "unfiled").unwrap().parcel;
    let today = common_today().to_string();
    let url = format!("{u}/land/parcels/{}/steps", unfiled.id);
    let n = audits(&app).await;
    assert_eq!(post(&leader, url.clone(), &[("csrf", &lcsrf), ("step", "suspected"), ("on", &today)]).await.0, 403, "leaders read only");
    assert_eq!(post(&admin, url.clone(), &[("step", "suspected"), ("on", &today)]).await.0, 403, "no CSRF token");
    let (status, body) = post(&admin, url.clone(), &[("csrf", &csrf), ("step", "decision"), ("on", &today)]).await;
    assert_eq!(status, 422);
    assert!(body.contains("尚未立案：第一步应为“发现疑似闲置”"));
    assert_eq!(audits(&app).await, n);
    assert_eq!(post(&admin, url.clone(), &[("csrf", &csrf), ("step", "suspected"), ("on", &today), ("note", "巡查发现")]).await, (303, format!("/land/parcels/{}", unfiled.id)));
    let page = get(&admin, format!("{u}/land/parcels/{}", unfiled.id)).await.1;
    assert!(page.contains("<dd id=\"status\">发现疑似闲置</dd>") && page.contains("巡查发现") && page.contains("前送达调查通知书"), "{page}");
    assert!(page.contains(r#"<option value="notice">送达调查通知书</option>"#));
    assert_eq!(audits(&app).await, n + 1);
    let (status, _) = post(&admin, url, &[("csrf", &csrf), ("step", "notice"), ("on", &today), ("doc_no", "廊国土闲调〔2026〕99号")]).await;
    assert_eq!(status, 303);

    // The investigation notice, from the parcel's data: holder, parcel, the 30-day reply limit.
    let (status, docx) = bytes(&admin, format!("{u}/land/parcels/{}/docs/investigation.docx", unfiled.id)).await;
    assert_eq!(status, 200);
    let text = nengji_office::docx_text::docx_paragraphs("n.docx", &docx).unwrap().join("\n");
    let p = &unfiled.parcel;
    for s in ["闲置土地调查通知书", "廊国土闲调〔2026〕99号", p.holder.as_str(), p.uscc.as_str(), &format!("宗地编号{}", p.code), "30日内", "示例数据"] {
        assert!(text.contains(s), "{s} not in {text}");
    }
    // A decision document of a holder-caused parcel states the fee or the recovery.
    let decided = land::ledger(&app.db, None, common_today()).await.unwrap().into_iter().find(|e| e.current == Some(Step::Decision)).unwrap();
    let (status, docx) = bytes(&leader, format!("{u}/land/parcels/{}/docs/fee.docx", decided.parcel.id)).await;
    assert_eq!(status, 200);
    let text = nengji_office::docx_text::docx_paragraphs("f.docx", &docx).unwrap().join("\n");
    let fee = nengji_core::land::rules::idle_fee(decided.parcel.parcel.price_fen, &nengji_core::land::rules::Thresholds::default());
    assert!(text.contains("征缴土地闲置费决定书") && text.contains(&format!("计人民币{}元", nengji_core::land::parcel::yuan(fee))), "{text}");
    assert!(text.contains("送达之日起30日内"));
    // The page offers the decision the rules call for: the fee in the second year, recovery after it.
    let page = get(&leader, format!("{u}/land/parcels/{}", decided.parcel.id)).await.1;
    assert!(page.contains("docs/fee.docx") && !page.contains("docs/recovery.docx"), "{page}");
    let appealed = land::ledger(&app.db, None, common_today()).await.unwrap().into_iter().find(|e| e.current == Some(Step::Appealed)).unwrap();
    let page = get(&leader, format!("{u}/land/parcels/{}", appealed.parcel.id)).await.1;
    assert!(page.contains("docs/recovery.docx") && !page.contains("docs/fee.docx"));
    let (_, docx) = bytes(&leader, format!("{u}/land/parcels/{}/docs/recovery.docx", appealed.parcel.id)).await;
    let text = nengji_office::docx_text::docx_paragraphs("r.docx", &docx).unwrap().join("\n");
    assert!(text.contains("收回国有建设用地使用权决定书") && text.contains("无偿收回该宗地的国有建设用地使用权"), "{text}");
    // The dashboard counts what the ledger holds, and flags overdue limits.
    let dash = get(&leader, format!("{u}/land")).await.1;
    assert!(dash.contains("<th>合计</th><td class=\"num\">"));
    assert!(!dash.contains("-0.00"), "an empty group shows 0.00 亩");
    let ledger = land::ledger(&app.db, None, common_today()).await.unwrap();
    let overdue = ledger.iter().filter(|e| e.deadline.is_some_and(|d| d.overdue)).count();
    assert!(overdue > 0 && dash.contains(&format!("<span id=\"overdue-count\">{overdue}</span>")));
    assert!(dash.contains(&format!("<td class=\"num\">{}</td><td class=\"num\">", ledger.len())));
}

fn sheet_bytes(rows: Vec<Vec<String>>) -> Vec<u8> {
    let t = nengji_core::masterdata::Table { sheet: nengji_core::land::sheet::SHEET.into(), header: nengji_core::land::sheet::header(), rows };
    nengji_office::write_xlsx(&[t]).unwrap()
}

async fn upload(c: &Client, app: &App, csrf: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let form = Form::new().text("csrf", csrf.to_string()).part("file", Part::bytes(bytes).file_name(name.to_string()));
    let r = c.post(format!("{}/land/import", app.url)).multipart(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_ledger_goes_out_as_xlsx_and_comes_back_whole_or_not_at_all() {
    let app = spawn_app().await;
    demo(&app).await;
    let u = &app.url;
    let (admin, csrf) = login(&app, "admin").await;
    let (yanjiao, ycsrf) = login(&app, "yanjiao").await;
    // Export: the usual columns, one row per parcel, re-read with calamine.
    let (status, xlsx) = bytes(&admin, format!("{u}/land/export.xlsx")).await;
    assert_eq!(status, 200);
    let t = nengji_office::read_tables("land.xlsx", &xlsx).unwrap().remove(0);
    assert_eq!(t.sheet, "闲置土地台账");
    assert_eq!(&t.header[..5], ["宗地编号", "开发区", "土地使用权人", "统一社会信用代码", "土地用途"]);
    assert!(t.header.contains(&"闲置费（万元）".to_string()) && t.header.contains(&"当前环节".to_string()));
    assert_eq!(t.rows.len(), 60);
    let ledger = land::ledger(&app.db, None, common_today()).await.unwrap();
    let col = |name: &str| t.header.iter().position(|h| h == name).unwrap();
    for (row, e) in t.rows.iter().zip(&ledger) {
        assert_eq!(row[0], e.parcel.parcel.code);
        assert_eq!(row[col("当前环节")], e.status());
        assert_eq!(row[col("面积（亩）")], format!("{:.4}", nengji_core::land::parcel::mu(e.parcel.parcel.area_m2)));
    }
    // A bad file: every problem located, nothing written, the upload recorded as rejected.
    let mut rows = t.rows.clone();
    rows[0][3] = "123".into();
    rows[1][1] = "不存在的开发区".into();
    let n = land::parcels(&app.db, None).await.unwrap();
    let (status, page) = upload(&admin, &app, &csrf, "台账.xlsx", sheet_bytes(rows)).await;
    assert_eq!(status, 422);
    assert!(page.contains("闲置土地台账 第2行第D列") && page.contains("统一社会信用代码应为18位，实际为3位"), "{page}");
    assert!(page.contains("闲置土地台账 第3行第B列") && page.contains("“不存在的开发区”不是已登记的开发区"));
    assert_eq!(land::parcels(&app.db, None).await.unwrap().len(), n.len());
    // A clean file with one edit and one new parcel: staged, then committed by its uploader.
    let mut rows = t.rows.clone();
    rows[0][2] = "改名后的示例公司".into();
    let mut extra = rows[1].clone();
    extra[0] = "新增-001".into();
    extra[24] = String::new();
    rows.push(extra);
    let (status, page) = upload(&admin, &app, &csrf, "台账.xlsx", sheet_bytes(rows)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("检查通过：共 61 行"));
    let at = page.find("action=\"/land/import/").unwrap() + "action=\"/land/import/".len();
    let id: i64 = page[at..].split('/').next().unwrap().parse().unwrap();
    assert_eq!(post(&yanjiao, format!("{u}/land/import/{id}/commit"), &[("csrf", &ycsrf)]).await.0, 422, "only the uploader commits");
    assert_eq!(post(&admin, format!("{u}/land/import/{id}/commit"), &[]).await.0, 403, "CSRF");
    let (status, page) = post(&admin, format!("{u}/land/import/{id}/commit"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 200);
    assert!(page.contains("已导入：新增 1 宗，修改 1 宗，未变 59 宗。"), "{page}");
    assert_eq!(land::parcel_by_code(&app.db, &t.rows[0][0]).await.unwrap().unwrap().parcel.holder, "改名后的示例公司");
    // A zone reporter's upload touching another zone is refused row by row.
    let (status, page) = upload(&yanjiao, &app, &ycsrf, "台账.xlsx", sheet_bytes(t.rows.clone())).await;
    assert_eq!(status, 422);
    assert!(page.contains("您无权填报开发区"));
}

#[tokio::test]
async fn the_office_sets_the_rule_set_as_data() {
    let app = spawn_app().await;
    let u = &app.url;
    let (admin, csrf) = login(&app, "admin").await;
    let (leader, lcsrf) = login(&app, "leader").await;
    assert_eq!(get(&leader, format!("{u}/land/rules")).await.0, 403);
    assert_eq!(post(&leader, format!("{u}/land/rules"), &[("csrf", &lcsrf), ("preset", "hainan")]).await.0, 403);
    let (status, page) = get(&admin, format!("{u}/land/rules")).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"name="fee_percent" value="20""#) && page.contains(r#"name="scope_since" value="2011-01-01""#));
    assert_eq!(post(&admin, format!("{u}/land/rules"), &[("preset", "hainan")]).await.0, 403, "CSRF");
    let (status, page) = post(&admin, format!("{u}/land/rules"), &[("csrf", &csrf), ("preset", "hainan")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("已保存：海南省（省政府令第247号）"));
    assert_eq!(land::thresholds(&app.db).await.unwrap().low_investment_years, Some(2));
    // A field by field edit, checked: a fee above 100 % is refused and nothing changes.
    let mut form: Vec<(String, String)> = [
        ("name", "国家规定"), ("idle_after_years", "1"), ("default_start_years", "1"), ("developed_num", "1"), ("developed_den", "3"),
        ("invested_percent", "25"), ("halted_years", "1"), ("low_investment_years", ""), ("fee_percent", "20"), ("fee_after_years", "1"),
        ("recovery_after_years", "2"), ("extension_max_years", "1"), ("temporary_use_max_years", "2"), ("step_limit_days", "30"), ("scope_since", "2011-01-01"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    form.push(("csrf".into(), csrf.clone()));
    form.iter_mut().find(|(k, _)| k == "fee_percent").unwrap().1 = "120".into();
    let r = admin.post(format!("{u}/land/rules")).form(&form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("投资比例和闲置费比例应在 0–100% 之间"));
    assert_eq!(land::thresholds(&app.db).await.unwrap().name, "海南省（省政府令第247号）");
    form.iter_mut().find(|(k, _)| k == "fee_percent").unwrap().1 = "15".into();
    form.iter_mut().find(|(k, _)| k == "name").unwrap().1 = "某省规定".into();
    assert_eq!(admin.post(format!("{u}/land/rules")).form(&form).send().await.unwrap().status().as_u16(), 200);
    let t = land::thresholds(&app.db).await.unwrap();
    assert_eq!((t.name.as_str(), t.fee_percent, t.low_investment_years), ("某省规定", 15, None));
}
