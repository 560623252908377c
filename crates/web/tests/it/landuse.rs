//! Land intensive-use evaluation and 亩均 grading through HTTP: the demo, role and zone scope
//! on every page, CSRF, the 公示 workflow from the pages, imports with dry run, the scheme
//! editor's version check, and xlsx exports read back with calamine.

use crate::common;

use common::{login, spawn_app, App};
use nengji_core::landuse::mujun;
use nengji_store::landuse::{self, RunStatus};
use nengji_web::landuse::service;

async fn demo_app() -> App {
    let app = spawn_app().await;
    service::demo(&app.db).await.unwrap();
    app
}

async fn runs(app: &App) -> (i64, i64) {
    let runs = landuse::runs(&app.db).await.unwrap();
    let final_ = runs.iter().find(|r| r.status == RunStatus::Final).unwrap().id;
    let open = runs.iter().find(|r| r.status == RunStatus::Publicity).unwrap().id;
    (final_, open)
}

fn firm_of(run: &landuse::MujunRun, zone: &str) -> String {
    run.outcome.results.iter().find(|r| r.zone == zone && r.class != mujun::NOT_RATED).unwrap().uscc.clone()
}

#[tokio::test]
async fn the_demo_has_both_evaluations_and_loads_once() {
    let app = demo_app().await;
    assert!(service::demo(&app.db).await.unwrap().contains("未重复加载"));
    let evals = landuse::land_evals(&app.db).await.unwrap();
    assert_eq!(evals.iter().map(|e| (e.year, e.outcome.zones.len())).collect::<Vec<_>>(), [(2020, 14), (2019, 15)]);
    // The bonded zone is 工业主导型 by its name whatever its land mix.
    let ftz = evals[0].outcome.zones.iter().find(|z| z.zone == "langfang_ftz").unwrap();
    assert_eq!(ftz.zone_type, nengji_core::landuse::intensive::ZoneType::Industrial);
    let runs = landuse::runs(&app.db).await.unwrap();
    assert_eq!(runs.iter().map(|r| (r.year, r.status)).collect::<Vec<_>>(), [(2020, RunStatus::Publicity), (2019, RunStatus::Final)]);
    assert_eq!(landuse::figure_years(&app.db).await.unwrap(), [(2020, 600), (2019, 600), (2018, 600)]);
    // Every class is used, and 淮安's bands hold within each zone's 规上 group.
    let r2020 = &runs[0].outcome;
    for c in ["A", "B", "C", "D", "T"] {
        assert!(r2020.results.iter().any(|r| r.class == c), "class {c}");
    }
    let group: Vec<&mujun::EnterpriseResult> = r2020.results.iter().filter(|r| r.zone == "yanjiao_htz" && r.segment == "above").collect();
    let n = group.len();
    let a = group.iter().filter(|r| r.class == "A").count();
    assert_eq!(a, (n as f64 * 0.2 + 1e-9).floor() as usize, "A = ⌊20 % × {n}⌋ without ties");
}

#[tokio::test]
async fn pages_show_each_person_only_their_zones() {
    let app = demo_app().await;
    let (final_id, open_id) = runs(&app).await;
    let run = landuse::run(&app.db, open_id).await.unwrap().unwrap();
    let yanjiao_firms = run.outcome.results.iter().filter(|r| r.zone == "yanjiao_htz").count();
    let (leader, _) = login(&app, "leader").await;
    let (reporter, _) = login(&app, "yanjiao").await;
    let get = |c: &reqwest::Client, p: &str| {
        let u = format!("{}{p}", app.url);
        let c = c.clone();
        async move { c.get(u).send().await.unwrap() }
    };
    let page = get(&leader, &format!("/mujun/runs/{open_id}")).await.text().await.unwrap();
    assert!(page.contains("公示中") && page.contains("示例数据") && page.contains("分开发区汇总") && page.contains("本开发区上年规上企业"), "{page}");
    assert_eq!(page.matches("/firms/").count(), 600);
    let page = get(&reporter, &format!("/mujun/runs/{open_id}")).await.text().await.unwrap();
    assert_eq!(page.matches("/firms/").count(), yanjiao_firms, "a reporter sees only its zone's firms");
    assert!(!page.contains("三河经开区"));
    // Cards: the calculation trail for one's own firm, 403 for another zone's.
    let own = firm_of(&run, "yanjiao_htz");
    let card = get(&reporter, &format!("/mujun/runs/{open_id}/firms/{own}")).await.text().await.unwrap();
    assert!(card.contains("计算过程") && card.contains("× 45 =") && card.contains("本开发区上年"), "{card}");
    assert_eq!(get(&reporter, &format!("/mujun/runs/{open_id}/firms/{}", firm_of(&run, "sanhe_etdz"))).await.status(), 403);
    // Exports, read back with calamine: the reporter's has its zone only.
    let rows = |bytes: &[u8]| nengji_office::read_tables("r.xlsx", bytes).unwrap().remove(0);
    let all = rows(&get(&leader, &format!("/mujun/runs/{final_id}/results.xlsx")).await.bytes().await.unwrap());
    assert_eq!((all.sheet.as_str(), all.rows.len()), ("2019年亩均效益评价", 600));
    let class_col = all.header.iter().position(|h| h == "类别").unwrap();
    assert!(all.rows.iter().all(|r| ["A", "B", "C", "D", "T"].contains(&r[class_col].as_str())));
    let price_col = all.header.iter().position(|h| h == "价格政策").unwrap();
    assert!(all.rows.iter().any(|r| r[class_col] == "D" && r[price_col].contains("差别化电价")));
    let mine = rows(&get(&reporter, &format!("/mujun/runs/{final_id}/results.xlsx")).await.bytes().await.unwrap());
    assert_eq!(mine.rows.len(), yanjiao_firms);
    assert!(mine.rows.iter().all(|r| r[2] == "燕郊高新区"), "{:?}", mine.rows[0]);
    // Intensive use (current = evaluated within 2 years): 大城 has no 2020 statistics, so its
    // 2019 evaluation covers 2019–2020 and has lapsed in 2021; in 2022 every zone's has.
    let page = get(&leader, "/land-use?as_of=2020").await.text().await.unwrap();
    assert_eq!(page.matches("not-eligible").count(), 0, "{page}");
    let page = get(&leader, "/land-use?as_of=2021").await.text().await.unwrap();
    assert_eq!(page.matches("not-eligible").count(), 1);
    assert_eq!(get(&leader, "/land-use?as_of=2022").await.text().await.unwrap().matches("not-eligible").count(), 15);
    assert!(page.contains("最近一次评价为2019年，已超过2年有效期"));
    let page = get(&reporter, "/land-use?as_of=2021").await.text().await.unwrap();
    assert!(page.contains("燕郊高新技术产业开发区") && !page.contains("三河经济开发区") && !page.contains("三河经开区"), "{page}");
    assert_eq!(page.matches("href=\"/land-use/stats/").count(), 1, "one ranking row: {page}");
    let land = rows(&get(&leader, &format!("/land-use/evals/{}/results.xlsx", landuse::land_evals(&app.db).await.unwrap()[1].id)).await.bytes().await.unwrap());
    assert_eq!((land.sheet.as_str(), land.rows.len()), ("2019年土地集约利用评价", 15));
    assert_eq!(get(&reporter, "/land-use/stats/sanhe_etdz/2020").await.status(), 403);
    assert_eq!(get(&reporter, "/land-use/stats/yanjiao_htz/2020").await.status(), 200);
    // Editing pages are the office's.
    for p in ["/mujun/schemes", "/mujun/import", "/land-use/schemes", "/land-use/import"] {
        assert_eq!(get(&leader, p).await.status(), 403, "{p}");
    }
}

#[tokio::test]
async fn the_publicity_workflow_runs_from_the_pages_with_roles_and_csrf() {
    let app = demo_app().await;
    let (_, open_id) = runs(&app).await;
    let run = landuse::run(&app.db, open_id).await.unwrap().unwrap();
    let (admin, a_csrf) = login(&app, "admin").await;
    let (reporter, r_csrf) = login(&app, "yanjiao").await;
    let (leader, l_csrf) = login(&app, "leader").await;
    let post = |c: &reqwest::Client, p: &str, form: Vec<(&'static str, String)>| {
        let u = format!("{}{p}", app.url);
        let c = c.clone();
        async move { c.post(u).form(&form).send().await.unwrap() }
    };
    let own = firm_of(&run, "yanjiao_htz");
    let other = firm_of(&run, "sanhe_etdz");
    let obj = format!("/mujun/runs/{open_id}/objections");
    // No CSRF token: refused before anything happens.
    assert_eq!(post(&reporter, &obj, vec![("uscc", own.clone()), ("text", "x".into())]).await.status(), 403);
    // A reporter objects for its own firm, not for another zone's; a reviewer cannot record one.
    let res = post(&reporter, &obj, vec![("csrf", r_csrf.clone()), ("uscc", own.clone()), ("text", "用地面积含代征道路，应扣除".into())]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("异议已登记"));
    assert_eq!(post(&reporter, &obj, vec![("csrf", r_csrf.clone()), ("uscc", other), ("text", "x".into())]).await.status(), 403);
    assert_eq!(post(&leader, &obj, vec![("csrf", l_csrf.clone()), ("uscc", own.clone()), ("text", "x".into())]).await.status(), 403);
    // Only the office finalises — and not before the window closes.
    let fin = format!("/mujun/runs/{open_id}/finalise");
    assert_eq!(post(&leader, &fin, vec![("csrf", l_csrf), ("version", "2".into())]).await.status(), 403);
    let res = post(&admin, &fin, vec![("csrf", a_csrf.clone()), ("version", "2".into())]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("公示期满后才能定稿"));
    // A stale version is a conflict.
    let res = post(&admin, &format!("/mujun/runs/{open_id}/recompute"), vec![("csrf", a_csrf.clone()), ("version", "1".into())]).await;
    assert_eq!(res.status(), 409);
    let oid = landuse::objections(&app.db, open_id).await.unwrap()[0].id;
    let res = post(&admin, &format!("/mujun/runs/{open_id}/objections/{oid}/resolve"), vec![("csrf", a_csrf.clone()), ("decision", "upheld".into()), ("resolution", "核减代征道路面积后重新计算".into())]).await;
    assert!(res.text().await.unwrap().contains("异议成立"));
    let res = post(&admin, &format!("/mujun/runs/{open_id}/recompute"), vec![("csrf", a_csrf.clone()), ("version", "2".into())]).await;
    assert!(res.text().await.unwrap().contains("已按最新企业数据重新计算"));
    assert_eq!(landuse::run(&app.db, open_id).await.unwrap().unwrap().version, 3);
    let steps: Vec<String> = nengji_store::audit::recent(&app.db, None, 10).await.unwrap().into_iter().map(|e| format!("{} {} {}", e.actor, e.action, e.entity)).collect();
    assert!(steps.contains(&"admin recompute mujun_run".to_string()) && steps.contains(&"admin resolve mujun_objection".to_string()) && steps.contains(&"yanjiao object mujun_objection".to_string()), "{steps:?}");
    // A new draft goes to 公示 from the page.
    let sid = landuse::latest_schemes::<mujun::MujunScheme>(&app.db, landuse::SchemeKind::Mujun).await.unwrap().into_iter().find(|s| s.code == "huangyan").unwrap().id;
    let res = post(&admin, "/mujun/runs", vec![("csrf", a_csrf.clone()), ("scheme", sid.to_string()), ("year", "2020".into())]).await;
    assert_eq!(res.status(), 303);
    let new_id: i64 = res.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let res = post(&admin, &format!("/mujun/runs/{new_id}/publicity"), vec![("csrf", a_csrf.clone()), ("version", "1".into()), ("start", "2021-05-10".into()), ("end", "2021-05-12".into())]).await;
    let page = res.text().await.unwrap();
    assert!(page.contains("已进入公示") && page.contains("2021-05-10 至 2021-05-12"), "{page}");
    let page = admin.get(format!("{}/mujun/runs/{new_id}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("公布的基准值 24.097"), "黄岩区's published constants are the benchmarks");
}

fn upload(csrf: &str, mode: &str, name: &str, body: String) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("mode", mode.to_string())
        .part("file", reqwest::multipart::Part::bytes(body.into_bytes()).file_name(name.to_string()))
}

#[tokio::test]
async fn imports_check_first_and_land_whole_or_not_at_all() {
    let app = spawn_app().await;
    let (admin, csrf) = login(&app, "admin").await;
    let good = nengji_core::uscc::with_check_digit("91131082MA0C00001").unwrap();
    let header = mujun::template_header().join(",");
    let ok_row = format!("{good},甲公司,yanjiao_htz,2020,12.5,是,300,2000,600,40,500,1,300,80,");
    let bad = format!("{header}\n{ok_row}\n91131082MA0C000010,乙公司,yanjiao_htz,2020,8,否,10,,,,,,,,\n");
    let url = format!("{}/mujun/import", app.url);
    let res = admin.post(&url).multipart(upload(&csrf, "commit", "企业.csv", bad)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("企业.csv 第3行第A列") && page.contains("校验位错误") && page.contains("未导入任何数据"), "{page}");
    assert!(landuse::figure_years(&app.db).await.unwrap().is_empty());
    let good_file = format!("{header}\n{ok_row}\n");
    let page = admin.post(&url).multipart(upload(&csrf, "check", "企业.csv", good_file.clone())).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("检查通过：1 家企业，未写入"), "{page}");
    assert!(landuse::figure_years(&app.db).await.unwrap().is_empty(), "a dry run writes nothing");
    let page = admin.post(&url).multipart(upload(&csrf, "commit", "企业.csv", good_file)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("新增 1"), "{page}");
    assert_eq!(landuse::figures(&app.db, 2020, None).await.unwrap()[0].tax, Some(300.0));
    // Land-use statistics: an unknown zone is located; nothing written.
    let url = format!("{}/land-use/import", app.url);
    let csv = "开发区代码,年度,评价范围,A2,A1,D21\nyanjiao_htz,2020,主区,100,20,130\nnowhere,2020,主区,1,1,1\n".to_string();
    let res = admin.post(&url).multipart(upload(&csrf, "commit", "用地.csv", csv)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("用地.csv 第3行第A列"));
    assert!(landuse::stats_years(&app.db).await.unwrap().is_empty());
    let csv = "开发区代码,年度,评价范围,A2,A1,D21\nyanjiao_htz,2020,主区,100,20,130\n".to_string();
    assert!(admin.post(&url).multipart(upload(&csrf, "commit", "用地.csv", csv)).send().await.unwrap().text().await.unwrap().contains("已导入 1 行"));
    // The templates are readable workbooks with the import headers.
    let t = admin.get(format!("{}/mujun/template.xlsx", app.url)).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(nengji_office::read_tables("t.xlsx", &t).unwrap()[0].header, mujun::template_header());
}

#[tokio::test]
async fn scheme_and_statistics_edits_are_version_checked() {
    let app = demo_app().await;
    let (admin, csrf) = login(&app, "admin").await;
    let (reporter, r_csrf) = login(&app, "yanjiao").await;
    let huaian = landuse::latest_schemes::<mujun::MujunScheme>(&app.db, landuse::SchemeKind::Mujun).await.unwrap().into_iter().find(|s| s.code == "huaian").unwrap();
    let mut s = huaian.scheme.clone();
    s.bands[0].upto = 0.25;
    let text = toml::to_string_pretty(&s).unwrap();
    let url = format!("{}/mujun/schemes", app.url);
    let save = |text: String, expected: i64| admin.post(&url).form(&[("csrf", csrf.clone()), ("text", text), ("code", "huaian".into()), ("expected", expected.to_string())]).send();
    let res = save(text.clone(), huaian.version).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("已保存"));
    let res = save(text.clone(), huaian.version).await.unwrap();
    assert_eq!(res.status(), 409, "saved on top of a version that is no longer the latest");
    // Bad weights are refused with the reason.
    let broken = text.replacen("weight = 45.0", "weight = 40.0", 1);
    let res = save(broken, huaian.version + 1).await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("之和为 95"));
    assert_eq!(landuse::schemes::<mujun::MujunScheme>(&app.db, landuse::SchemeKind::Mujun).await.unwrap().iter().filter(|x| x.code == "huaian").count(), 2);
    // Statistics form: the office saves at version 1; a second form opened at 1 is refused.
    let url = format!("{}/land-use/stats/yanjiao_htz/2020", app.url);
    let form = |c: &str, v: &str, a2: &str| vec![("csrf", c.to_string()), ("version", v.to_string()), ("area", "main".into()), ("A2", a2.to_string()), ("A1", "50".into())];
    let res = admin.post(&url).form(&form(&csrf, "1", "321")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("已保存"));
    assert_eq!(admin.post(&url).form(&form(&csrf, "1", "999")).send().await.unwrap().status(), 409);
    let res = admin.post(&url).form(&form(&csrf, "2", "-3")).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("工矿仓储用地（A2）：“-3”不是有效的非负数字"));
    assert_eq!(reporter.post(&url).form(&form(&r_csrf, "2", "1")).send().await.unwrap().status(), 403, "reporters read, the office edits");
    let stored = landuse::stats(&app.db, 2020, Some(&["yanjiao_htz".to_string()])).await.unwrap();
    assert_eq!((stored[0].version, stored[0].stats.get("A2")), (2, 321.0));
}
