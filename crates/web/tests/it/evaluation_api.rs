//! The evaluation JSON API (`/api/v1/evaluations/...`) over the demo's published 2018 and 2019
//! rankings, on SQLite and PostgreSQL: runs, a run's ranking with rank change, group ranks, rank
//! bands, deductions with evidence and consequences, a zone's contributions; bearer tokens with the
//! pages' access (zone reporters refused); the paths in the OpenAPI document.

use crate::common;

use std::collections::BTreeMap;

use common::{spawn_app, spawn_app_on, App};
use nengji_store::{sessions, Actor};
use nengji_web::evaluation::service;
use serde_json::Value;

async fn get(app: &App, token: Option<&str>, path: &str) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is a number"))
}

async fn check(app: App) {
    service::demo(&app.db).await.unwrap();
    let system = Actor::system("t");
    let leader = sessions::create_token(&app.db, &system, "leader", "考核数据").await.unwrap();

    let (status, runs) = get(&app, Some(&leader), "/api/v1/evaluations").await;
    assert_eq!(status, 200, "{runs}");
    let runs = runs.as_array().unwrap();
    let years: Vec<(i64, bool, i64)> = runs.iter().map(|r| (r["year"].as_i64().unwrap(), r["published"].as_bool().unwrap(), r["scheme_version"].as_i64().unwrap())).collect();
    assert_eq!(years, [(2019, true, 1), (2018, true, 1)]);
    assert_eq!(runs[0]["scheme_code"], "kfq-annual");

    let ranking = |body: &Value| -> BTreeMap<String, i64> { body["units"].as_array().unwrap().iter().map(|u| (u["code"].as_str().unwrap().to_string(), u["rank"].as_i64().unwrap())).collect() };
    let (_, y2018) = get(&app, Some(&leader), &format!("/api/v1/evaluations/{}", runs[1]["id"])).await;
    let (status, body) = get(&app, Some(&leader), &format!("/api/v1/evaluations/{}", runs[0]["id"])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["run"]["year"].as_i64(), body["is_demo"].as_bool(), body["replications"].as_u64()), (Some(2019), Some(true), Some(200)));
    let units = body["units"].as_array().unwrap();
    assert_eq!(units.len(), 15);
    let before = ranking(&y2018);
    let mut last = (0, f64::INFINITY);
    for u in units {
        let (code, rank, score) = (u["code"].as_str().unwrap(), u["rank"].as_i64().unwrap(), f(&u["score"]));
        // Listed by rank; competition ranking; rank change = 2018's rank − 2019's.
        assert!(rank >= last.0 && score <= last.1 && (rank == last.0) == (score == last.1), "{u}");
        last = (rank, score);
        assert_eq!(u["previous_rank"].as_i64(), Some(before[code]), "{code}");
        assert_eq!(u["rank_change"].as_i64(), Some(before[code] - rank), "{code}");
        // Final score = index + adjustments, the adjustments listed one by one.
        let listed: f64 = u["adjustments"].as_array().unwrap().iter().map(|a| f(&a["points"])).sum();
        assert_eq!(f(&u["adjustment"]), listed, "{code}");
        assert!((score - (f(&u["index"]) + listed)).abs() < 1e-9, "{u}");
        // Within its 类型: 1 + the zones of the same kind ranked strictly ahead.
        let kind = &u["groups"]["类型"];
        let ahead = units.iter().filter(|v| &v["groups"]["类型"] == kind && v["rank"].as_i64().unwrap() < rank).count() as i64;
        assert_eq!(u["group_ranks"]["类型"].as_i64(), Some(1 + ahead), "{code}");
        let band = &u["band"];
        assert!(f(&band["q5"]) <= f(&band["median"]) && f(&band["median"]) <= f(&band["q95"]), "{band}");
        assert_eq!(band["nominal"].as_i64(), Some(rank));
    }
    // 大城经开区: three eco-inspection issues at 2 points each, capped at 6, with the evidence.
    let dacheng = units.iter().find(|u| u["code"] == "dacheng_etdz").unwrap();
    assert_eq!(f(&dacheng["adjustment"]), -6.0);
    let a = &dacheng["adjustments"][0];
    assert_eq!((a["name"].as_str(), a["kind"].as_str(), f(&a["count"])), (Some("环保督察问题"), Some("减分"), 3.0));
    assert!(a["evidence"][0].as_str().unwrap().contains("中央环保督察"), "{a}");
    // 广阳经开区: two overdue supervised tasks at 1 point each.
    assert_eq!(f(&units.iter().find(|u| u["code"] == "guangyang_etdz").unwrap()["adjustment"]), -2.0);
    // The last two criticised, with the zone names and the reason.
    let criticised: Vec<&Value> = body["consequences"].as_array().unwrap().iter().filter(|c| c["rule"] == "criticise").collect();
    assert_eq!(criticised.len(), 2);
    for c in criticised {
        let u = units.iter().find(|u| u["code"] == c["unit"]).unwrap();
        assert!(u["rank"].as_i64().unwrap() >= 14 && c["unit_name"] == u["name"] && u["consequences"].as_array().unwrap().contains(&c["label"]), "{c}");
        assert!(c["reason"].as_str().unwrap().contains("位列后 2 名"), "{c}");
    }

    // A zone's contributions: the pillars add up to the index, and the move since 2018.
    let (status, card) = get(&app, Some(&leader), &format!("/api/v1/evaluations/{}/zones/dacheng_etdz", runs[0]["id"])).await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(f(&card["score"]), f(&dacheng["score"]));
    assert_eq!(card["rank_change"], dacheng["rank_change"]);
    let items = card["items"].as_array().unwrap();
    let pillars: f64 = items.iter().filter(|i| i["parent"] == "total").map(|i| f(&i["to_index"])).sum();
    assert!((pillars - f(&card["index"])).abs() < 1e-9, "{card}");
    assert!(card["changes"].as_array().unwrap().iter().any(|c| c["code"] == "total" && c["to_index_change"].is_number()), "{card}");
    let (status, missing) = get(&app, Some(&leader), &format!("/api/v1/evaluations/{}/zones/nowhere", runs[0]["id"])).await;
    assert_eq!((status, missing["error"].as_str()), (404, Some("未找到单位“nowhere”")));
    assert_eq!(get(&app, Some(&leader), "/api/v1/evaluations/999999").await.0, 404);

    // Access as on the pages: zone reporters refused, anonymous callers asked to authenticate.
    let reporter = sessions::create_token(&app.db, &system, "yanjiao", "填报").await.unwrap();
    for path in ["/api/v1/evaluations".to_string(), format!("/api/v1/evaluations/{}", runs[0]["id"]), format!("/api/v1/evaluations/{}/zones/yanjiao_htz", runs[0]["id"])] {
        let (status, body) = get(&app, Some(&reporter), &path).await;
        assert_eq!((status, body["error"].as_str()), (403, Some("没有权限")), "{path}");
        assert_eq!(get(&app, None, &path).await.0, 401, "{path}");
    }
    let viewer = sessions::create_token(&app.db, &system, "viewer", "只读").await.unwrap();
    assert_eq!(get(&app, Some(&viewer), "/api/v1/evaluations").await.0, 200);
}

#[tokio::test]
async fn the_evaluation_api_serves_rankings_bands_and_contributions_on_sqlite() {
    check(spawn_app().await).await;
}

#[tokio::test]
async fn the_evaluation_api_serves_rankings_bands_and_contributions_on_postgres() {
    let Some(db) = common::pg_db().await else { return };
    check(spawn_app_on(db, None).await).await;
}

#[tokio::test]
async fn the_evaluation_paths_are_in_the_openapi_document() {
    let app = spawn_app().await;
    let (status, doc) = get(&app, None, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    for path in ["/api/v1/evaluations", "/api/v1/evaluations/{id}", "/api/v1/evaluations/{id}/zones/{code}"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} in the OpenAPI document");
    }
    let unit = &doc["components"]["schemas"]["UnitResultDto"]["properties"];
    assert!(unit["rank_change"].is_object() && unit["band"].is_object(), "{unit}");
}
