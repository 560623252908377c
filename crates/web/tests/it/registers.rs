//! The registers through HTTP: 统一社会信用代码 refused with the reason on the form and in an
//! import (every single-character mutation), duplicates refused, role and zone scope, CSRF,
//! versioned edits with history, exports re-read with calamine, the API with bearer tokens and
//! its OpenAPI paths, and a register change moving a target's status in the cockpit API.

use crate::common;

use common::{login, spawn_app, App};
use nengji_core::registers::RegisterKind;
use nengji_store::{registers, Actor};
use reqwest::multipart::{Form, Part};
use reqwest::Client;

const VALID: [&str; 2] = ["91310110666007217T", "914403001922038216"];
/// The 31 code symbols and the five letters GB 32100 leaves out.
const SYMBOLS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ";

fn mutations(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    for pos in 0..chars.len() {
        for sub in SYMBOLS.chars() {
            if sub != chars[pos] {
                let mut m = chars.clone();
                m[pos] = sub;
                out.push(m.into_iter().collect());
            }
        }
    }
    out
}

async fn get(c: &Client, app: &App, path: &str) -> (u16, String) {
    let r = c.get(format!("{}{path}", app.url)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(c: &Client, app: &App, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = c.post(format!("{}{path}", app.url)).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn upload(c: &Client, app: &App, kind: &str, csrf: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let form = Form::new().text("csrf", csrf.to_string()).part("file", Part::bytes(bytes).file_name(name.to_string()));
    let r = c.post(format!("{}/registers/{kind}/import", app.url)).multipart(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    rows.iter().map(|r| r.join(",")).collect::<Vec<_>>().join("\n").into_bytes()
}

#[tokio::test]
async fn invalid_codes_are_refused_with_the_reason_on_the_form_and_in_imports_and_duplicates_too() {
    let app = spawn_app().await;
    let (c, csrf) = login(&app, "admin").await;
    // The form: every single-character mutation of a valid code is refused, saying why.
    for m in mutations(VALID[0]) {
        let (status, page) = post(&c, &app, "/registers/enterprises/new", &[("csrf", &csrf), ("uscc", &m), ("name", "测试企业"), ("zone", "yanjiao_htz")]).await;
        assert_eq!(status, 422, "{m} accepted");
        assert!(page.contains("统一社会信用代码：统一社会信用代码"), "{m}: the reason is shown");
    }
    let (status, page) = post(&c, &app, "/registers/enterprises/new", &[("csrf", &csrf), ("uscc", "91310110666007217A"), ("name", "测试企业"), ("zone", "yanjiao_htz")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("统一社会信用代码校验位错误：第18位应为“T”，实际为“A”"), "{page}");
    assert!(registers::list(&app.db, RegisterKind::Enterprises).await.unwrap().is_empty());

    // The import: one file with every mutation of two codes — each row refused at column A.
    let mut rows = vec![vec!["统一社会信用代码".to_string(), "企业名称".into(), "所在开发区".into()]];
    let all: Vec<String> = VALID.iter().flat_map(|v| mutations(v)).collect();
    for (i, m) in all.iter().enumerate() {
        rows.push(vec![m.clone(), format!("企业{i}"), "燕郊高新区".into()]);
    }
    let (status, page) = upload(&c, &app, "enterprises", &csrf, "企业.csv", csv(&rows)).await;
    assert_eq!(status, 422);
    assert!(page.contains(&format!("有 {} 处问题，未导入任何记录", all.len())), "every row refused");
    assert_eq!(page.matches("第A列</td><td>统一社会信用代码</td>").count(), all.len());
    assert!(page.contains("企业.csv 第2行第A列"));
    assert!(registers::list(&app.db, RegisterKind::Enterprises).await.unwrap().is_empty(), "nothing written");

    // The valid codes go in; the same code a second time is refused.
    let (status, _) = post(&c, &app, "/registers/enterprises/new", &[("csrf", &csrf), ("uscc", VALID[0]), ("name", "甲公司"), ("zone", "yanjiao_htz")]).await;
    assert_eq!(status, 303);
    let (status, page) = post(&c, &app, "/registers/enterprises/new", &[("csrf", &csrf), ("uscc", &VALID[0].to_lowercase()), ("name", "乙公司"), ("zone", "yanjiao_htz")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("统一社会信用代码“91310110666007217T”已登记，不能重复登记"), "{page}");
    // … and twice in one file.
    let dup = vec![rows[0].clone(), vec![VALID[1].into(), "丙".into(), "燕郊高新区".into()], vec![VALID[1].into(), "丁".into(), "燕郊高新区".into()]];
    let (status, page) = upload(&c, &app, "enterprises", &csrf, "重复.csv", csv(&dup)).await;
    assert_eq!(status, 422);
    assert!(page.contains("统一社会信用代码“914403001922038216”与第2行重复"), "{page}");
}

#[tokio::test]
async fn zone_reporters_work_in_their_zones_only_and_every_form_needs_the_csrf_token() {
    let app = spawn_app().await;
    nengji_store::registers::demo::load(&app.db, &Actor::system("test")).await.unwrap();
    let (c, csrf) = login(&app, "yanjiao").await;
    // Lists show only the reporter's zone.
    let r: Vec<serde_json::Value> = c.get(format!("{}/api/v1/registers/platforms", app.url)).send().await.unwrap().json().await.unwrap();
    assert!(!r.is_empty());
    assert!(r.iter().all(|x| x["fields"]["zone"] == "yanjiao_htz"));
    let all = registers::list(&app.db, RegisterKind::Platforms).await.unwrap();
    let other = all.iter().find(|s| s.record.zone() == "bazhou_etdz").unwrap();
    let mine = all.iter().find(|s| s.record.zone() == "yanjiao_htz").unwrap();
    assert_eq!(get(&c, &app, &format!("/registers/platforms/{}", other.id)).await.0, 403);
    assert_eq!(get(&c, &app, &format!("/registers/platforms/{}", mine.id)).await.0, 200);
    let (_, list) = get(&c, &app, "/registers/platforms").await;
    assert!(!list.contains(other.record.name()));

    // Adding in another zone is refused; in its own zone it works.
    let fields = |zone: &'static str| vec![("name", "燕郊测试众创空间"), ("kind", "众创空间"), ("level", "市级"), ("zone", zone), ("recognised", "2020-05-01")];
    let mut f = fields("bazhou_etdz");
    f.push(("csrf", &csrf));
    let (status, page) = post(&c, &app, "/registers/platforms/new", &f).await;
    assert_eq!(status, 422);
    assert!(page.contains("只能登记和修改本开发区的记录"));
    let mut f = fields("yanjiao_htz");
    f.push(("csrf", &csrf));
    assert_eq!(post(&c, &app, "/registers/platforms/new", &f).await.0, 303);
    // Without the token: refused.
    let (status, page) = post(&c, &app, "/registers/platforms/new", &fields("yanjiao_htz")).await;
    assert_eq!(status, 403);
    assert!(page.contains("CSRF"));
    // Editing another zone's record, and special funds at all, are not for zone reporters.
    let v = other.version.to_string();
    let (status, _) = post(&c, &app, &format!("/registers/platforms/{}", other.id), &[("csrf", &csrf), ("version", &v), ("name", "x"), ("kind", "众创空间"), ("level", "市级"), ("zone", "yanjiao_htz"), ("recognised", "2020-01-01")]).await;
    assert_eq!(status, 403);
    assert_eq!(registers::get(&app.db, RegisterKind::Platforms, other.id).await.unwrap().record, other.record, "unchanged");
    assert_eq!(get(&c, &app, "/registers/funds/new").await.0, 403);
    // The reporter's import: a row of another zone fails the whole file.
    let rows = vec![
        vec!["平台名称".to_string(), "平台类型".into(), "级别".into(), "所在开发区".into(), "认定日期".into()],
        vec!["燕郊新平台".into(), "孵化器".into(), "市级".into(), "燕郊高新区".into(), "2020-06-01".into()],
        vec!["霸州新平台".into(), "孵化器".into(), "市级".into(), "霸州经开区".into(), "2020-06-01".into()],
    ];
    let (status, page) = upload(&c, &app, "platforms", &csrf, "平台.csv", csv(&rows)).await;
    assert_eq!(status, 422);
    assert!(page.contains("平台.csv 第3行第D列") && page.contains("只能导入本开发区的记录"), "{page}");
    assert!(registers::find_by_key(&app.db, RegisterKind::Platforms, "燕郊新平台").await.unwrap().is_none());

    // The landing page breaks the counts down by the reporter's zones only, without city totals.
    let (status, landing) = get(&c, &app, "/registers").await;
    assert_eq!(status, 200);
    assert!(landing.contains("<th class=\"num\">燕郊高新区</th>") && !landing.contains("<th class=\"num\">三河市</th>"));
    assert!(!landing.contains("<th class=\"num\">霸州经开区</th>"));
    // The API refuses a write outside the zones with the reason.
    let body = serde_json::json!({"fields": {"name": "霸州平台", "kind": "孵化器", "level": "市级", "zone": "bazhou_etdz", "recognised": "2020-01-01"}});
    let r = c.post(format!("{}/api/v1/registers/platforms", app.url)).header("x-csrf-token", &csrf).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["problems"][0], serde_json::json!({"field": "zone", "message": "只能登记和修改本开发区的记录"}));
    // Counts of the whole city or a county are not for a zone reporter: it gets its own zones.
    let own: Vec<serde_json::Value> = c.get(format!("{}/api/v1/registers/counts", app.url)).send().await.unwrap().json().await.unwrap();
    assert!(own.iter().all(|x| x["area"] == "zones" && x["area_code"] == "yanjiao_htz"));
    let zone: Vec<serde_json::Value> = c.get(format!("{}/api/v1/registers/counts?zone=yanjiao_htz", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(own.iter().map(|x| x["value"].clone()).collect::<Vec<_>>(), zone.iter().map(|x| x["value"].clone()).collect::<Vec<_>>());
    assert_eq!(c.get(format!("{}/api/v1/registers/counts?zone=bazhou_etdz", app.url)).send().await.unwrap().status(), 403);
    assert_eq!(c.get(format!("{}/api/v1/registers/counts?county=131082", app.url)).send().await.unwrap().status(), 403);

    // Viewers read and may not write.
    let (v, vcsrf) = login(&app, "viewer").await;
    assert_eq!(get(&v, &app, &format!("/registers/platforms/{}", other.id)).await.0, 200);
    assert_eq!(post(&v, &app, "/registers/platforms/new", &[("csrf", &vcsrf), ("name", "x")]).await.0, 403);
    assert_eq!(get(&v, &app, "/registers/platforms/import").await.0, 403);
    // Anonymous: sent to login; the API answers 401.
    assert_eq!(common::client().get(format!("{}/registers", app.url)).send().await.unwrap().status(), 303);
    assert_eq!(common::client().get(format!("{}/api/v1/registers", app.url)).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn edits_are_versioned_with_history_and_exports_read_back() {
    let app = spawn_app().await;
    nengji_store::registers::demo::load(&app.db, &Actor::system("test")).await.unwrap();
    let (c, csrf) = login(&app, "admin").await;
    let park = registers::list(&app.db, RegisterKind::Parks).await.unwrap().into_iter().find(|p| p.record.name() == "中德产业园").unwrap();
    let path = format!("/registers/parks/{}", park.id);
    let mut form: Vec<(String, String)> = park.record.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    form.retain(|(k, _)| k != "partner");
    form.push(("partner".into(), "德国（巴伐利亚州）".into()));
    form.push(("csrf".into(), csrf.clone()));
    form.push(("version".into(), "1".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(post(&c, &app, &path, &pairs).await.0, 303);
    // The same form again (version 1) is a conflict, not an overwrite.
    let (status, page) = post(&c, &app, &path, &pairs).await;
    assert_eq!(status, 422);
    assert!(page.contains("该记录已被他人修改"));
    let (_, page) = get(&c, &app, &path).await;
    assert!(page.contains("第 2 版"));
    let history = &page[page.find("id=\"history\"").unwrap()..];
    assert!(history.contains("修改 1 项：合作国别/地区或合作方") && history.contains("德国 → 德国（巴伐利亚州）"), "{history}");
    assert!(history.contains("示例数据"));
    // A rule of the register: an 整合 decision needs where to.
    let sub = registers::list(&app.db, RegisterKind::Parks).await.unwrap().into_iter().find(|p| p.record.get("decision") == "保留").unwrap();
    let v = sub.version.to_string();
    let mut f: Vec<(&str, &str)> = sub.record.fields.iter().filter(|(k, _)| k.as_str() != "decision").map(|(k, v)| (k.as_str(), v.as_str())).collect();
    f.extend([("decision", "整合"), ("csrf", csrf.as_str()), ("version", v.as_str())]);
    let (status, page) = post(&c, &app, &format!("/registers/parks/{}", sub.id), &f).await;
    assert_eq!(status, 422);
    assert!(page.contains("结论为“整合”时须填写整合至哪个开发区或园区"));

    // xlsx export read back with calamine: the headers, every record, pinyin order.
    let res = c.get(format!("{}/registers/platforms/export/platforms.xlsx", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("platforms.xlsx"));
    let bytes = res.bytes().await.unwrap();
    let tables = nengji_office::read_tables("x.xlsx", &bytes).unwrap();
    let t = &tables[0];
    assert_eq!(t.sheet, "创新平台");
    assert_eq!(t.header[..3], ["平台名称", "平台类型", "级别"]);
    let stored = registers::list(&app.db, RegisterKind::Platforms).await.unwrap();
    assert_eq!(t.rows.len(), stored.len());
    let names: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| nengji_core::registers::list::pinyin_cmp(a, b));
    assert_eq!(names, sorted);
    // The export is an import template: it parses back to the same records.
    let ctx = registers::imports::context(&app.db).await.unwrap();
    let back = nengji_core::registers::parse::parse_table(RegisterKind::Platforms, t, &ctx).unwrap();
    assert_eq!(back.len(), stored.len());
    let csv = c.get(format!("{}/registers/platforms/export/platforms.csv", app.url)).send().await.unwrap().bytes().await.unwrap();
    assert!(csv.starts_with("\u{feff}平台名称,平台类型".as_bytes()));
    assert_eq!(get(&c, &app, "/registers/platforms/export/x.pdf").await.0, 404);
}

#[tokio::test]
async fn a_register_change_moves_the_target_and_the_api_covers_the_registers() {
    let app = spawn_app().await;
    let (c, csrf) = login(&app, "admin").await;
    let target = |ts: &serde_json::Value, code: &str| ts["targets"].as_array().unwrap().iter().find(|t| t["code"] == code).unwrap().clone();
    let targets = || async {
        let r: serde_json::Value = c.get(format!("{}/api/v1/targets?period=2020-12", app.url)).send().await.unwrap().json().await.unwrap();
        r
    };
    // No register yet: the count targets cannot be judged, and say why.
    let before = targets().await;
    assert_eq!(target(&before, "intl_coop_bases_13")["status"], "unable_to_assess");
    let (_, cockpit) = get(&c, &app, "/cockpit?period=2020-12").await;
    assert!(cockpit.contains("“创新平台”名录尚无记录，无法计算"));

    nengji_store::registers::demo::load(&app.db, &Actor::system("test")).await.unwrap();
    // Every count target of the plan now has a computed status.
    let loaded = targets().await;
    let counted: Vec<String> = nengji_core::target::plan_targets()
        .into_iter()
        .filter(|t| t.register_spec().is_some() || t.indicator == "fdi")
        .map(|t| t.code)
        .collect();
    assert_eq!(counted.len(), 21);
    for code in &counted {
        assert_ne!(target(&loaded, code)["status"], "unable_to_assess", "{code}");
    }
    // 省级以上国际科技合作基地 on a day, in an area, counted by hand from the stored records.
    let bases = |rs: &[nengji_core::registers::Record], day: chrono::NaiveDate, zone: Option<&str>| {
        rs.iter()
            .filter(|r| zone.is_none_or(|z| r.zone() == z))
            .filter(|r| r.get("kind") == "国际科技合作基地" && r.get("level") != "市级")
            .filter(|r| r.date("recognised").is_some_and(|d| d <= day) && r.date("revoked").is_none_or(|d| d > day))
            .count()
    };
    let end = chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
    let end19 = chrono::NaiveDate::from_ymd_opt(2019, 12, 31).unwrap();
    let rs = registers::records(&app.db, RegisterKind::Platforms).await.unwrap();
    let n = bases(&rs, end, None);
    assert!(n < 13, "the demo is short of the goal: {n}");
    let t = target(&loaded, "intl_coop_bases_13");
    assert_eq!(t["latest"]["value"].as_f64(), Some(n as f64));
    assert_ne!(t["status"], "achieved");

    // Register the missing bases through the API with a token-less session call + CSRF header.
    for i in 0..(13 - n) {
        let body = serde_json::json!({"fields": {"name": format!("廊坊国际科技合作基地{i}"), "kind": "国际科技合作基地", "level": "省级", "zone": "langfang_etdz", "recognised": "2020-06-01"}});
        let r = c.post(format!("{}/api/v1/registers/platforms", app.url)).header("x-csrf-token", &csrf).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201);
    }
    let after = targets().await;
    let t = target(&after, "intl_coop_bases_13");
    assert_eq!(t["latest"]["value"].as_f64(), Some(13.0));
    assert_eq!(t["status"], "achieved");
    // The counts API at other dates and areas, against the same count by hand.
    let count_at = |date: &'static str, zone: &'static str| {
        let c = c.clone();
        let url = format!("{}/api/v1/registers/counts?date={date}&zone={zone}", app.url);
        async move {
            let counts: Vec<serde_json::Value> = c.get(url).send().await.unwrap().json().await.unwrap();
            counts.iter().find(|x| x["code"] == "intl_coop_bases_13").unwrap()["value"].as_f64().unwrap()
        }
    };
    assert_eq!(count_at("2020-12-31", "langfang_etdz").await, (bases(&rs, end, Some("langfang_etdz")) + 13 - n) as f64);
    assert_eq!(count_at("2019-12-31", "langfang_etdz").await, bases(&rs, end19, Some("langfang_etdz")) as f64);
    assert_eq!(count_at("2019-12-31", "yanjiao_htz").await, bases(&rs, end19, Some("yanjiao_htz")) as f64);
    assert_eq!(c.get(format!("{}/api/v1/registers/counts?date=2019-13-01", app.url)).send().await.unwrap().status(), 400);

    // A malformed or out-of-scope API write: 422 with the reason, 409 on a stale version.
    let bad = serde_json::json!({"fields": {"uscc": "91310110666007217A", "name": "x", "zone": "yanjiao_htz"}});
    let r = c.post(format!("{}/api/v1/registers/enterprises", app.url)).header("x-csrf-token", &csrf).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["problems"][0]["message"], "统一社会信用代码校验位错误：第18位应为“T”，实际为“A”");
    let p = registers::find_by_key(&app.db, RegisterKind::Platforms, "廊坊国际科技合作基地0").await.unwrap().unwrap();
    let mut fields = p.record.fields.clone();
    fields.insert("level".into(), "国家级".into());
    let put = |v: i64| serde_json::json!({"fields": fields, "version": v});
    let url = format!("{}/api/v1/registers/platforms/{}", app.url, p.id);
    assert_eq!(c.put(&url).header("x-csrf-token", &csrf).json(&put(1)).send().await.unwrap().status(), 200);
    assert_eq!(c.put(&url).header("x-csrf-token", &csrf).json(&put(1)).send().await.unwrap().status(), 409);
    let d: serde_json::Value = c.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(d["record"]["version"], 2);
    assert_eq!(d["history"][1]["changes"][0], serde_json::json!(["级别", "省级", "国家级"]));
    // The session API write without the CSRF header is refused.
    assert_eq!(c.put(&url).json(&put(2)).send().await.unwrap().status(), 403);

    // The OpenAPI document lists the register paths.
    let doc: serde_json::Value = c.get(format!("{}/api/v1/openapi.json", app.url)).send().await.unwrap().json().await.unwrap();
    for (path, method) in [
        ("/api/v1/registers", "get"),
        ("/api/v1/registers/counts", "get"),
        ("/api/v1/registers/{kind}", "get"),
        ("/api/v1/registers/{kind}", "post"),
        ("/api/v1/registers/{kind}/{id}", "put"),
        ("/api/v1/registers/{kind}/{id}/entries", "post"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    assert!(doc["paths"]["/api/v1/targets"]["get"].is_object(), "the existing paths stay");

    // The landing page: the five registers with counts and the count targets by county.
    let (status, page) = get(&c, &app, "/registers").await;
    assert_eq!(status, 200);
    assert!(page.contains("<a href=\"/registers\" class=\"on\">名录</a>"));
    for k in RegisterKind::ALL {
        assert!(page.contains(&format!("id=\"register-{}\"", k.code())), "{k:?}");
    }
    assert!(page.contains("id=\"count-intl_coop_bases_13\"") && page.contains("<th class=\"num\">三河市</th>"));
    // The pipeline and the renewal list on their registers' pages.
    let (_, projects) = get(&c, &app, "/registers/projects?f_category=重大项目").await;
    assert!(projects.contains("id=\"pipeline\"") && projects.contains("共 21 条"), "21 major projects");
}

/// Every register route as every role, against the rule the routes are meant to have (the access
/// table's entries for /registers…): reading for anyone logged in, writing for the office and
/// zone reporters (who are then narrowed to their zones' records by the handlers).
#[tokio::test]
async fn every_register_route_answers_each_role_as_intended() {
    let app = spawn_app().await;
    nengji_store::registers::demo::load(&app.db, &Actor::system("test")).await.unwrap();
    // A record in the zone reporter's own zone, so "allowed" is tested on a real record.
    let id = registers::list(&app.db, RegisterKind::Projects).await.unwrap().into_iter().find(|s| s.record.zone() == "yanjiao_htz").unwrap().id.to_string();
    let write = ["admin", "yanjiao"];
    let routes: Vec<(&str, String, bool)> = vec![
        ("GET", "/registers".into(), false),
        ("GET", "/registers/projects".into(), false),
        ("GET", "/registers/projects/new".into(), true),
        ("POST", "/registers/projects/new".into(), true),
        ("GET", "/registers/projects/export/projects.xlsx".into(), false),
        ("GET", "/registers/projects/import".into(), true),
        ("POST", "/registers/projects/import".into(), true),
        ("POST", "/registers/projects/import/1/commit".into(), true),
        ("GET", format!("/registers/projects/{id}"), false),
        ("POST", format!("/registers/projects/{id}"), true),
        ("POST", format!("/registers/projects/{id}/entries"), true),
        ("GET", "/api/v1/registers".into(), false),
        ("GET", "/api/v1/registers/counts".into(), false),
        ("GET", "/api/v1/registers/projects".into(), false),
        ("POST", "/api/v1/registers/projects".into(), true),
        ("GET", format!("/api/v1/registers/projects/{id}"), false),
        ("PUT", format!("/api/v1/registers/projects/{id}"), true),
        ("POST", format!("/api/v1/registers/projects/{id}/entries"), true),
    ];
    let mut wrong = Vec::new();
    for user in ["admin", "leader", "yanjiao", "kejiju", "viewer"] {
        let (c, csrf) = login(&app, user).await;
        for (method, path, writes) in &routes {
            let url = format!("{}{path}", app.url);
            let req = match *method {
                "GET" => c.get(&url),
                "PUT" => c.put(&url).header("x-csrf-token", &csrf).json(&serde_json::json!({})),
                _ => c.post(&url).form(&[("csrf", csrf.as_str())]),
            };
            let status = req.send().await.unwrap().status().as_u16();
            let allowed = !writes || write.contains(&user);
            if status >= 500 || (status == 403) == allowed {
                wrong.push(format!("{method} {path} as {user}: {status}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
