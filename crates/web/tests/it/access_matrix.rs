//! The access matrix: every route of the router × every role × a zone in and out of scope.
//!
//! Routes are read from the router's source (every `.route("…", get(…).post(…))` under
//! crates/web/src), so a route added without a rule in `nengji_web::access::RULES` fails here, as
//! it is refused (fail closed) by the server. Each request is sent as each role — and anonymously —
//! and the answer must agree with the rule: refused is 403 (anonymous: a redirect to the login
//! page, or 401 on the API), allowed is anything else but a server error.

use crate::common;

use std::collections::BTreeSet;

use common::{client, csrf_of, login, spawn_app, App};
use nengji_core::auth::Role;
use nengji_web::access::{self, Scope, Who};

/// (method, path) of every `.route(…)` in the web crate's source.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(root)];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut out = BTreeSet::new();
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        // The Swagger UI registers its page, its assets and the OpenAPI document itself.
        if let Some(at) = src.find("SwaggerUi::new(\"") {
            let quoted: Vec<&str> = src[at..].split('"').collect();
            let (ui, doc) = (quoted[1], quoted[3]);
            for p in [ui.to_string(), format!("{ui}/"), format!("{ui}/{{*rest}}"), doc.to_string()] {
                out.insert(("GET".to_string(), p));
            }
        }
        let mut rest = src.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let Some(open) = rest.trim_start().strip_prefix('"') else { continue };
            let Some(end) = open.find('"') else { continue };
            let path = &open[..end];
            // The method router: up to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let args = &open[end + 1..];
            let close = args
                .char_indices()
                .find(|&(_, ch)| {
                    match ch {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .expect("balanced .route(…)");
            let args = &args[..close];
            for m in ["get", "post", "put", "delete", "patch"] {
                let called = args.match_indices(&format!("{m}(")).any(|(i, _)| i == 0 || !args.as_bytes()[i - 1].is_ascii_alphanumeric() && args.as_bytes()[i - 1] != b'_');
                if called {
                    out.insert((m.to_uppercase(), path.to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn every_route_has_exactly_one_rule() {
    let routes = routes_in_source();
    assert!(routes.len() > 100, "the scan found only {} routes", routes.len());
    let missing: Vec<_> = routes.iter().filter(|(m, p)| access::rule(m, p).is_none()).collect();
    assert!(missing.is_empty(), "routes without an access rule (add them to access::RULES): {missing:#?}");
    let stale: Vec<_> = access::RULES.iter().filter(|r| !routes.contains(&(r.method.to_string(), r.path.to_string()))).map(|r| (r.method, r.path)).collect();
    assert!(stale.is_empty(), "rules for routes that no longer exist: {stale:?}");
    let mut seen = BTreeSet::new();
    for r in access::RULES {
        assert!(seen.insert((r.method, r.path)), "two rules for {} {}", r.method, r.path);
    }
}

const IN_SCOPE: &str = "yanjiao_htz";
const OUT_OF_SCOPE: &str = "langfang_etdz";

/// A concrete path for a route pattern, with the zone parameter set to `zone`.
fn concrete(path: &str, zone_param: Option<&str>, zone: &str) -> String {
    let mut out = String::new();
    for seg in path.split('/').skip(1) {
        out.push('/');
        let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            out.push_str(seg);
            continue;
        };
        let name = name.trim_start_matches('*');
        let v = if Some(name) == zone_param {
            zone.to_string()
        } else {
            match name {
                "code" | "zone" => IN_SCOPE.into(),
                "period" => "2021-01".into(),
                "indicator" => "revenue".into(),
                "username" => "viewer".into(),
                "kind" => "projects".into(),
                "year" => "2019".into(),
                "uscc" => "91310110666007217T".into(),
                "file" => "league.csv".into(),
                _ => "1".into(),
            }
        };
        out.push_str(&v);
    }
    out
}

struct Caller {
    name: &'static str,
    role: Option<Role>,
    client: reqwest::Client,
    csrf: String,
}

async fn callers(app: &App) -> Vec<Caller> {
    let mut out = Vec::new();
    let anon = client();
    let page = anon.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    out.push(Caller { name: "匿名", role: None, csrf: csrf_of(&page), client: anon });
    for (name, role) in [("admin", Role::Admin), ("leader", Role::Reviewer), ("yanjiao", Role::ZoneReporter), ("kejiju", Role::DeptReporter), ("viewer", Role::Viewer)] {
        let (client, csrf) = login(app, name).await;
        out.push(Caller { name, role: Some(role), client, csrf });
    }
    out
}

/// Allowed or refused, as the rule says for this caller and zone.
fn expected(rule: &access::Rule, role: Option<Role>, zone: &str) -> bool {
    let Some(role) = role else { return matches!(rule.who, Who::Public) };
    let by_role = match rule.who {
        Who::Public | Who::Login => true,
        Who::Roles(roles) => roles.contains(&role),
    };
    by_role && !(role == Role::ZoneReporter && matches!(rule.scope, Scope::ZoneParam(_)) && zone != IN_SCOPE)
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_rule_says() {
    let app = spawn_app().await;
    let callers = callers(&app).await;
    let mut checked = 0usize;
    let mut wrong = Vec::new();
    // Logging out ends the caller's session: it goes last.
    let mut routes: Vec<_> = routes_in_source().into_iter().collect();
    routes.sort_by_key(|(_, p)| p == "/logout");
    for (method, path) in &routes {
        let rule = access::rule(method, path).unwrap_or_else(|| panic!("no rule for {method} {path}"));
        let zones: &[&str] = match rule.scope {
            Scope::ZoneParam(_) => &[IN_SCOPE, OUT_OF_SCOPE],
            _ => &[IN_SCOPE],
        };
        let zone_param = match rule.scope {
            Scope::ZoneParam(p) => Some(p),
            _ => None,
        };
        for &zone in zones {
            let url = format!("{}{}", app.url, concrete(path, zone_param, zone));
            for c in &callers {
                if path == "/logout" && c.role.is_some() && c.name != "viewer" {
                    continue;
                }
                let req = match method.as_str() {
                    "GET" => c.client.get(&url),
                    "POST" => c.client.post(&url).form(&[("csrf", c.csrf.as_str())]),
                    "PUT" => c.client.put(&url).header("x-csrf-token", &c.csrf).json(&serde_json::json!({})),
                    "DELETE" => c.client.delete(&url).header("x-csrf-token", &c.csrf),
                    m => panic!("method {m}"),
                };
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let location = res.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
                let refused = match c.role {
                    None => status == 401 || status == 403 || ((status == 303 || status == 302) && location.starts_with("/login")),
                    Some(_) => status == 401 || status == 403,
                };
                let allow = expected(rule, c.role, zone);
                checked += 1;
                if status >= 500 || refused == allow {
                    wrong.push(format!("{method} {url} as {}: {status} {location} (rule: {})", c.name, if allow { "allowed" } else { "refused" }));
                }
            }
        }
    }
    eprintln!("access matrix: {checked} requests (routes × callers × zones) checked");
    assert!(wrong.is_empty(), "{} of {checked} answers disagree with the rules:\n{}", wrong.len(), wrong.join("\n"));
}

/// The routes whose record belongs to a zone or a unit (`Scope::Record`), probed with real
/// records from the demo ledgers: a zone reporter reads its own zone's parcel and register record
/// and is refused another zone's (403, or 404 so as not to confirm it exists); a department
/// reporter reads a task its unit has a part in and is refused one it has not; the office reads all.
#[tokio::test]
async fn record_routes_refuse_records_outside_the_callers_zone_or_unit() {
    use nengji_core::registers::RegisterKind;
    use nengji_store::{land, registers, supervision, Actor};
    let app = spawn_app().await;
    let now = chrono::Utc::now();
    land::load_demo(&app.db, now).await.unwrap();
    registers::demo::load_summary(&app.db, &Actor::system("test")).await.unwrap();
    supervision::load_demo(&app.db, now).await.unwrap();
    let parcels = land::ledger(&app.db, None, now.date_naive()).await.unwrap();
    let parcel_in = parcels.iter().find(|e| e.parcel.parcel.zone == IN_SCOPE).expect("a demo parcel in the zone").parcel.id;
    let parcel_out = parcels.iter().find(|e| e.parcel.parcel.zone != IN_SCOPE).unwrap().parcel.id;
    let projects = registers::list(&app.db, RegisterKind::Projects).await.unwrap();
    let project_in = projects.iter().find(|r| r.record.zone() == IN_SCOPE).expect("a demo project in the zone").id;
    let project_out = projects.iter().find(|r| !r.record.zone().is_empty() && r.record.zone() != IN_SCOPE).unwrap().id;
    let tasks = supervision::tasks(&app.db, None).await.unwrap();
    let task_in = tasks.iter().find(|t| t.role_of("kjj").is_some()).expect("a demo task of 科技局").id;
    let task_out = tasks.iter().find(|t| t.role_of("kjj").is_none()).unwrap().id;

    let cases: Vec<(&str, String, String)> = vec![
        ("yanjiao", format!("/land/parcels/{parcel_in}"), format!("/land/parcels/{parcel_out}")),
        ("yanjiao", format!("/api/v1/land/parcels/{parcel_in}"), format!("/api/v1/land/parcels/{parcel_out}")),
        ("yanjiao", format!("/registers/projects/{project_in}"), format!("/registers/projects/{project_out}")),
        ("yanjiao", format!("/api/v1/registers/projects/{project_in}"), format!("/api/v1/registers/projects/{project_out}")),
        ("kejiju", format!("/tasks/{task_in}"), format!("/tasks/{task_out}")),
    ];
    let (admin, _) = login(&app, "admin").await;
    let mut checked = 0;
    for (who, mine, other) in cases {
        let (c, _) = login(&app, who).await;
        let status = |c: &reqwest::Client, path: String| {
            let url = format!("{}{path}", app.url);
            let c = c.clone();
            async move { c.get(url).send().await.unwrap().status().as_u16() }
        };
        assert_eq!(status(&c, mine.clone()).await, 200, "{who} reads {mine}");
        let refused = status(&c, other.clone()).await;
        assert!(refused == 403 || refused == 404, "{who} must not read {other}: {refused}");
        assert_eq!(status(&admin, other.clone()).await, 200, "the office reads {other}");
        checked += 3;
    }
    eprintln!("record scope: {checked} requests on real records");
}
