//! Pages and API through real HTTP: login, scope, CSRF, import, API.

use crate::common;

use common::{client, csrf_of, login, spawn_app, PASSWORD};
use nengji_store::{audit, masterdata, sessions, Actor};

#[tokio::test]
async fn anonymous_callers_are_sent_to_login_or_refused() {
    let app = spawn_app().await;
    let c = client();
    for path in ["/", "/zones", "/zones/yanjiao_htz", "/indicators", "/units", "/admin/users", "/admin/audit"] {
        let res = c.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status(), 303, "{path}");
        let loc = res.headers()["location"].to_str().unwrap();
        assert!(loc.starts_with("/login?next="), "{path} → {loc}");
    }
    for path in ["/api/v1/zones", "/api/v1/values?zone=yanjiao_htz"] {
        let res = c.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path}");
        assert!(res.text().await.unwrap().contains("需要登录"));
    }
    assert_eq!(c.get(format!("{}/healthz", app.url)).send().await.unwrap().text().await.unwrap(), "ok");
    let login = c.get(format!("{}/login", app.url)).send().await.unwrap();
    assert_eq!(login.status(), 200);
    assert!(login.text().await.unwrap().contains("<h1>能级 · 开发区提升能级工作平台</h1>"));
}

#[tokio::test]
async fn login_sets_a_strict_session_cookie_and_home_shows_the_fifteen_zones() {
    let app = spawn_app().await;
    let c = client();
    let page = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let bad = c
        .post(format!("{}/login", app.url))
        .form(&[("username", "admin"), ("password", "wrong-password"), ("csrf", &csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert!(bad.text().await.unwrap().contains("用户名或密码不正确"));

    let ok = c
        .post(format!("{}/login", app.url))
        .form(&[("username", "admin"), ("password", PASSWORD), ("csrf", &csrf_of(&page)), ("next", "/zones")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/zones");
    let cookie = ok.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|v| v.starts_with("nengji_session=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");

    let home = c.get(format!("{}/", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("2020年1-12月") && home.contains("示例数据"), "latest period, labelled demo");
    let table = &home[home.find("id=\"main-figures\"").unwrap()..];
    assert_eq!(table.matches("<a href=\"/zones/").count(), 15);
    for name in ["廊坊经开区", "燕郊高新区", "北京亦庄永清高新区", "廊坊综保区"] {
        assert!(table.contains(name), "{name}");
    }
    let zones = c.get(format!("{}/zones?group=new_airport", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(zones.contains("新机场对接平台（5）"));
    let listed = &zones[zones.find("id=\"zones\"").unwrap()..];
    assert_eq!(listed.matches("<tr>").count(), 1 + 5, "header + the 5 zones of 方案二(三)");

    // Logging out ends the session server-side.
    let csrf = csrf_of(&home);
    assert_eq!(c.post(format!("{}/logout", app.url)).form(&[("csrf", csrf.as_str())]).send().await.unwrap().status(), 303);
    assert_eq!(c.get(format!("{}/", app.url)).send().await.unwrap().status(), 303);
}

#[tokio::test]
async fn zone_profile_shows_figures_with_growth() {
    let app = spawn_app().await;
    let (c, _) = login(&app, "leader").await;
    let page = c.get(format!("{}/zones/yanjiao_htz?period=2019-07", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("燕郊高新技术产业开发区") && page.contains("2019年7月"));
    // Hand-check one row against the stored demo values: 累计, 当月 = 7月累计 − 6月累计, 同比.
    let v = |p: &str| {
        nengji_core::demo::values().into_iter().find(|v| v.zone == "yanjiao_htz" && v.indicator == "revenue" && v.period.to_string() == p).unwrap().value
    };
    let (jul, jun, last) = (v("2019-07"), v("2019-06"), v("2018-07"));
    let row = format!(
        "<tr><th>主营业务收入</th><td>亿元</td><td class=\"num\">{jul:.2}</td>\n<td class=\"num\">{:.2}</td>\n<td class=\"num\">{last:.2}</td><td class=\"num up\">{:.1}%</td></tr>",
        jul - jun,
        (jul / last - 1.0) * 100.0
    );
    assert!(page.contains(&row), "expected row {row}");
    let missing = c.get(format!("{}/zones/no_such_zone", app.url)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let bad_period = c.get(format!("{}/zones/yanjiao_htz?period=2019-13", app.url)).send().await.unwrap();
    assert_eq!(bad_period.status(), 400);
    assert!(bad_period.text().await.unwrap().contains("期间“2019-13”格式不对"));
}

#[tokio::test]
async fn a_zone_reporter_sees_only_its_own_zone() {
    let app = spawn_app().await;
    let (c, _) = login(&app, "yanjiao").await;
    assert_eq!(c.get(format!("{}/zones/yanjiao_htz", app.url)).send().await.unwrap().status(), 200);
    let other = c.get(format!("{}/zones/langfang_etdz", app.url)).send().await.unwrap();
    assert_eq!(other.status(), 403);
    assert!(other.text().await.unwrap().contains("您没有权限"));
    let home = c.get(format!("{}/", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("燕郊高新区") && !home.contains("/zones/langfang_etdz"));
    assert!(!home.contains("href=\"/cockpit\""), "no city-wide cockpit link for a zone reporter");

    let api = c.get(format!("{}/api/v1/values?zone=langfang_etdz", app.url)).send().await.unwrap();
    assert_eq!(api.status(), 403);
    let own: Vec<serde_json::Value> = c
        .get(format!("{}/api/v1/values?indicator=revenue&from=2020-01&to=2020-12", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(own.len(), 12);
    assert!(own.iter().all(|v| v["zone"] == "yanjiao_htz"));
    assert_eq!(c.get(format!("{}/admin/users", app.url)).send().await.unwrap().status(), 403);
    assert_eq!(c.get(format!("{}/admin/import", app.url)).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn state_changing_posts_need_the_csrf_token() {
    let app = spawn_app().await;
    let (c, csrf) = login(&app, "admin").await;
    let form = |token: &str| {
        vec![
            ("username", "newuser".to_string()),
            ("password", "a-long-password".to_string()),
            ("role", "viewer".to_string()),
            ("csrf", token.to_string()),
        ]
    };
    let audits = audit::count(&app.db).await.unwrap();
    let without: Vec<(&str, String)> = form("").into_iter().filter(|(k, _)| *k != "csrf").collect();
    let res = c.post(format!("{}/admin/users", app.url)).form(&without).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("CSRF"));
    let res = c.post(format!("{}/admin/users", app.url)).form(&form("0".repeat(64).as_str())).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(nengji_store::users::get(&app.db, "newuser").await.unwrap().is_none(), "nothing created");
    assert_eq!(audit::count(&app.db).await.unwrap(), audits);
    let res = c.post(format!("{}/admin/users", app.url)).form(&form(&csrf)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("已创建用户“newuser”"));
    let e = &audit::recent(&app.db, Some("user"), 1).await.unwrap()[0];
    assert_eq!((e.actor.as_str(), e.action.as_str(), e.entity_key.as_str()), ("admin", "create", "newuser"));

    // Logout is state-changing too.
    assert_eq!(c.post(format!("{}/logout", app.url)).send().await.unwrap().status(), 403);
    // A login POST without the login page's cookie is refused.
    let fresh = client();
    let res = fresh
        .post(format!("{}/login", app.url))
        .form(&[("username", "admin"), ("password", PASSWORD), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn login_is_rate_limited() {
    let app = spawn_app().await;
    let c = client();
    let page = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    for _ in 0..5 {
        let res = c.post(format!("{}/login", app.url)).form(&[("username", "viewer"), ("password", "guess"), ("csrf", &csrf)]).send().await.unwrap();
        assert_eq!(res.status(), 401);
    }
    let res = c.post(format!("{}/login", app.url)).form(&[("username", "viewer"), ("password", PASSWORD), ("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(res.status(), 429, "even the right password waits after 5 failures");
    assert!(res.text().await.unwrap().contains("登录失败次数过多"));
}

fn multipart(kind: &str, file_name: &str, bytes: Vec<u8>, csrf: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("kind", kind.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()))
}

#[tokio::test]
async fn zone_import_reports_problems_in_chinese_and_writes_nothing() {
    let app = spawn_app().await;
    let (c, csrf) = login(&app, "admin").await;
    let before = masterdata::list_zones(&app.db).await.unwrap();
    let csv = "代码,名称,简称,类型,级别,所在县代码,平台分组\nnew_zone,新开发区,,高新区,省级,131082,\nsanhe_etdz,三河经济开发区,三河经开区,经开区,省级,131099,subcenter\n";
    let gbk = encoding_rs::GB18030.encode(csv).0.into_owned();
    let res = c.post(format!("{}/admin/import", app.url)).multipart(multipart("zones", "开发区.csv", gbk, &csrf)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("文件有 1 处问题，未导入任何数据"), "{page}");
    assert!(page.contains("<td>开发区.csv 第3行第F列</td><td>所在县代码：“131099”不是廊坊市的县级行政区划代码（GB/T 2260），例如 131082 三河市</td>"), "{page}");
    assert_eq!(masterdata::list_zones(&app.db).await.unwrap(), before, "nothing written");

    // Without the token the upload is refused before it is read.
    let res = c.post(format!("{}/admin/import", app.url)).multipart(multipart("zones", "a.csv", csv.as_bytes().to_vec(), "")).send().await.unwrap();
    assert_eq!(res.status(), 403);

    // The exported workbook is a valid template: change one cell, upload, see the update.
    let xlsx = c.get(format!("{}/admin/export/zones.xlsx", app.url)).send().await.unwrap().bytes().await.unwrap();
    let mut table = nengji_office::read_tables("zones.xlsx", &xlsx).unwrap().remove(0);
    assert_eq!(table.rows.len(), 15);
    table.rows[2][6] = "1234.5".into();
    let bytes = nengji_office::write_xlsx(&[table]).unwrap();
    let res = c.post(format!("{}/admin/import", app.url)).multipart(multipart("zones", "开发区.xlsx", bytes, &csrf)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("开发区数据已导入：新增 0 条，更新 1 条，未变化 14 条。"));
    assert_eq!(masterdata::get_zone(&app.db, "sanhe_etdz").await.unwrap().unwrap().zone.area_ha, Some(1234.5));
}

#[tokio::test]
async fn api_serves_master_data_and_values_with_a_token() {
    let app = spawn_app().await;
    let token = sessions::create_token(&app.db, &Actor::system("test"), "viewer", "测试").await.unwrap();
    let c = client();
    let get = |path: &str| c.get(format!("{}{path}", app.url)).bearer_auth(&token).send();
    let zones: Vec<serde_json::Value> = get("/api/v1/zones").await.unwrap().json().await.unwrap();
    assert_eq!(zones.len(), 15);
    assert_eq!(zones[11]["short_name"], "霸州经开区");
    assert_eq!(zones[11]["groups"], serde_json::json!(["xiongan", "new_airport"]));
    let units: Vec<serde_json::Value> = get("/api/v1/units").await.unwrap().json().await.unwrap();
    assert!(units.iter().any(|u| u["name"] == "市国土局" && u["aliases"].as_array().unwrap().contains(&"国土局".into())));
    let inds: Vec<serde_json::Value> = get("/api/v1/indicators").await.unwrap().json().await.unwrap();
    assert!(inds.iter().any(|i| i["code"] == "fdi" && i["unit"] == "万美元" && i["kind"] == "flow"));
    let vals: Vec<serde_json::Value> = get("/api/v1/values?zone=bazhou_etdz&indicator=gdp&from=2018-01&to=2018-03").await.unwrap().json().await.unwrap();
    assert_eq!(vals.iter().map(|v| v["period"].as_str().unwrap()).collect::<Vec<_>>(), ["2018-01", "2018-02", "2018-03"]);
    assert!(vals.iter().all(|v| v["is_demo"] == true));
    let bad = get("/api/v1/values?from=2018").await.unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("格式不对"));
    let forged = c.get(format!("{}/api/v1/zones", app.url)).bearer_auth("nj_forged").send().await.unwrap();
    assert_eq!(forged.status(), 401);

    let doc: serde_json::Value = c.get(format!("{}/api/v1/openapi.json", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for p in ["/api/v1/zones", "/api/v1/units", "/api/v1/indicators", "/api/v1/values"] {
        assert!(doc["paths"][p]["get"].is_object(), "{p}");
    }
    let ui = c.get(format!("{}/api/v1/docs/", app.url)).send().await.unwrap();
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"), "Swagger UI served locally");
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy() {
    let app = spawn_app().await;
    let res = client().get(format!("{}/login", app.url)).send().await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    for part in ["script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "form-action 'self'"] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
    let page = res.text().await.unwrap();
    assert!(!page.contains("<script") && !page.contains("style=\""), "no inline script or style to allow");
}

#[tokio::test]
async fn failed_logins_and_lockouts_are_audited() {
    let app = spawn_app().await;
    let c = client();
    let page = c.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    for _ in 0..6 {
        c.post(format!("{}/login", app.url)).form(&[("username", "viewer"), ("password", "guess"), ("csrf", &csrf)]).send().await.unwrap();
    }
    let actions: Vec<String> = audit::recent(&app.db, Some("session"), 20).await.unwrap().into_iter().filter(|e| e.entity_key == "viewer").map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "login_failed").count(), 5);
    assert_eq!(actions.iter().filter(|a| *a == "login_locked").count(), 1);
}

#[tokio::test]
async fn script_payloads_are_shown_as_text_everywhere() {
    const XSS: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let app = spawn_app().await;
    let (c, csrf) = login(&app, "admin").await;
    // Through a form: a user's display name, shown in the user list and the page header.
    let form = [("username", "evil"), ("display_name", XSS), ("password", "a-long-password"), ("role", "viewer"), ("csrf", csrf.as_str())];
    c.post(format!("{}/admin/users", app.url)).form(&form).send().await.unwrap();
    // Through an import: a zone's name and industries.
    let csv = format!("代码,名称,简称,类型,级别,所在县代码,主导产业\nevil_zone,{XSS},{XSS},高新区,省级,131082,{XSS}\n");
    let part = reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("zones.csv");
    let res = c.post(format!("{}/admin/import", app.url)).multipart(reqwest::multipart::Form::new().text("csrf", csrf.clone()).text("kind", "zones").part("file", part)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    for path in ["/admin/users", "/zones", "/zones/evil_zone", "/admin/audit", "/"] {
        let page = c.get(format!("{}{path}", app.url)).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("<script>alert") && !page.contains("<img src=x"), "{path} renders the payload as markup");
        assert!(page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;") || path == "/", "{path} shows it as text");
    }
    let e = client();
    let p = e.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    e.post(format!("{}/login", app.url)).form(&[("username", "evil"), ("password", "a-long-password"), ("csrf", &csrf_of(&p))]).send().await.unwrap();
    let home = e.get(format!("{}/", app.url)).send().await.unwrap().text().await.unwrap();
    assert!((home.contains("&lt;script&gt;") || home.contains("&#60;script&#62;")) && !home.contains("<script>alert"), "the header shows the name as text");
}
