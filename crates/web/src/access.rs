//! Who may call which route: one table for the whole router, enforced by [`enforce`] before any
//! handler runs, and failing closed — a route without a rule is refused. Handlers still narrow
//! further where the table cannot see (a record's own zone, a department's own tasks); the table
//! is the outer wall, and `tests/it/access_matrix.rs` checks every route × role × zone against it.

use axum::extract::{MatchedPath, RawPathParams, Request};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use nengji_core::auth::Role;
use nengji_core::auth::Role::*;

use crate::auth::Session;
use crate::error::AppError;

/// Who may call a route at all.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Who {
    /// Anyone, logged in or not (the public portal, the login page, health check, styles).
    Public,
    /// Any logged-in person.
    Login,
    /// Logged-in people with one of these roles.
    Roles(&'static [Role]),
}

/// How a zone reporter is narrowed on a route its role may call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scope {
    /// Not by zone (or the handler lists only the reporter's zones).
    None,
    /// The path parameter of this name is a zone code: only the reporter's own zones.
    ZoneParam(&'static str),
    /// The record named in the path belongs to a zone; the handler checks it (403/404).
    Record,
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    /// The route pattern as registered (`/zones/{code}`).
    pub path: &'static str,
    pub who: Who,
    pub scope: Scope,
}

use Scope::{Record, ZoneParam};
use Who::{Login, Public, Roles};

const fn r(method: &'static str, path: &'static str, who: Who, scope: Option<Scope>) -> Rule {
    Rule { method, path, who, scope: match scope { Some(s) => s, None => Scope::None } }
}

/// Everyone but zone reporters: the city-wide views.
const CITY: Who = Roles(&[Admin, Reviewer, DeptReporter, Viewer]);
/// The office and leaders: review, bulletins, supervision.
const OFFICE: Who = Roles(&[Admin, Reviewer]);
const ADMIN: Who = Roles(&[Admin]);
/// Who enters zone data: the office and zone reporters.
const ENTER: Who = Roles(&[Admin, ZoneReporter]);
/// Land: everyone but departments.
const LAND_READ: Who = Roles(&[Admin, Reviewer, ZoneReporter, Viewer]);

pub const RULES: &[Rule] = &[
    // Anyone: the login page, the public portal, health check and styles.
    r("GET", "/login", Public, None),
    r("POST", "/login", Public, None),
    r("GET", "/healthz", Public, None),
    r("GET", "/static/app.css", Public, None),
    r("GET", "/static/monitor.css", Public, None),
    r("GET", "/static/tasks.css", Public, None),
    r("GET", "/public", Public, None),
    r("GET", "/public/bulletins/{id}", Public, None),
    r("GET", "/public/bulletins/file/{file}", Public, None),
    r("GET", "/public/zones/{code}", Public, None),
    r("GET", "/public/targets", Public, None),
    r("GET", "/public/dictionary", Public, None),
    r("GET", "/public/data.csv", Public, None),
    r("GET", "/public/data.json", Public, None),
    r("GET", "/api/v1/openapi.json", Public, None),
    r("GET", "/api/v1/docs", Public, None),
    r("GET", "/api/v1/docs/", Public, None),
    r("GET", "/api/v1/docs/{*rest}", Public, None),
    // Everyone logged in; zone reporters see their own zones' rows only (narrowed by the handlers).
    r("POST", "/logout", Login, None),
    r("GET", "/", Login, None),
    r("GET", "/zones", Login, None),
    r("GET", "/zones/{code}", Login, Some(ZoneParam("code"))),
    r("GET", "/indicators", Login, None),
    r("GET", "/units", Login, None),
    r("GET", "/compare", Login, None),
    r("GET", "/download/{file}", Login, None),
    r("GET", "/api/v1/zones", Login, None),
    r("GET", "/api/v1/units", Login, None),
    r("GET", "/api/v1/indicators", Login, None),
    r("GET", "/api/v1/values", Login, None),
    r("GET", "/api/v1/series", Login, None),
    r("GET", "/api/v1/league", Login, None),
    // City-wide views: everyone but zone reporters.
    r("GET", "/cockpit", CITY, None),
    r("GET", "/api/v1/targets", CITY, None),
    r("GET", "/evaluations", CITY, None),
    r("GET", "/evaluations/{id}", CITY, None),
    r("GET", "/evaluations/{id}/results.xlsx", CITY, None),
    r("GET", "/evaluations/{id}/verify", CITY, None),
    r("GET", "/evaluations/{id}/zones/{code}", CITY, None),
    r("GET", "/api/v1/evaluations", CITY, None),
    r("GET", "/api/v1/evaluations/{id}", CITY, None),
    r("GET", "/api/v1/evaluations/{id}/zones/{code}", CITY, None),
    // Data entry: the office and zone reporters, in their own zones.
    r("GET", "/entry", ENTER, None),
    r("GET", "/entry/template.xlsx", ENTER, None),
    r("GET", "/entry/import", ENTER, None),
    r("POST", "/entry/import", ENTER, None),
    r("POST", "/entry/import/{id}/commit", ENTER, Some(Record)),
    r("GET", "/entry/{zone}/{period}", Roles(&[Admin, Reviewer, ZoneReporter]), Some(ZoneParam("zone"))),
    r("POST", "/entry/{zone}/{period}", ENTER, Some(ZoneParam("zone"))),
    r("GET", "/entry/{zone}/{period}/history/{indicator}", Roles(&[Admin, Reviewer, ZoneReporter]), Some(ZoneParam("zone"))),
    r("POST", "/api/v1/values/batch", ENTER, Some(Record)),
    // Review, bulletins and supervision: the office and leaders.
    r("GET", "/review", OFFICE, None),
    r("POST", "/review", OFFICE, None),
    r("GET", "/review/matrix", OFFICE, None),
    r("GET", "/review/outliers", OFFICE, None),
    r("GET", "/bulletins", OFFICE, None),
    r("POST", "/bulletins", OFFICE, None),
    r("GET", "/bulletins/{id}", OFFICE, None),
    r("GET", "/bulletins/file/{file}", OFFICE, None),
    r("GET", "/tasks", OFFICE, None),
    r("GET", "/tasks/deductions", OFFICE, None),
    r("GET", "/tasks/deductions.xlsx", OFFICE, None),
    r("POST", "/tasks/escalations/{id}/instruct", OFFICE, None),
    // Supervision as a department sees it: its own unit's tasks (narrowed by the handlers).
    r("GET", "/tasks/my", Roles(&[Admin, Reviewer, DeptReporter]), None),
    r("GET", "/tasks/timeline", Roles(&[Admin, Reviewer, DeptReporter]), None),
    r("GET", "/tasks/export.xlsx", Roles(&[Admin, Reviewer, DeptReporter]), None),
    r("GET", "/tasks/{id}", Roles(&[Admin, Reviewer, DeptReporter]), Some(Record)),
    r("GET", "/tasks/{id}/reports/{rid}/file", Roles(&[Admin, Reviewer, DeptReporter]), Some(Record)),
    r("POST", "/tasks/{id}/reports", Roles(&[Admin, DeptReporter]), Some(Record)),
    r("POST", "/tasks/urges/{id}/read", Roles(&[DeptReporter]), Some(Record)),
    r("POST", "/tasks/urges/{id}/reply", Roles(&[DeptReporter]), Some(Record)),
    // The office (市开发区办) configures and runs everything else.
    r("GET", "/admin/users", ADMIN, None),
    r("POST", "/admin/users", ADMIN, None),
    r("POST", "/admin/users/{username}/password", ADMIN, None),
    r("POST", "/admin/users/{username}/active", ADMIN, None),
    r("GET", "/admin/import", ADMIN, None),
    r("POST", "/admin/import", ADMIN, None),
    r("GET", "/admin/export/{file}", ADMIN, None),
    r("GET", "/admin/audit", ADMIN, None),
    r("GET", "/admin/rules", ADMIN, None),
    r("POST", "/admin/rules", ADMIN, None),
    r("POST", "/admin/rules/{code}/active", ADMIN, None),
    r("GET", "/admin/lists", ADMIN, None),
    r("POST", "/admin/lists", ADMIN, None),
    r("POST", "/admin/lists/{id}/publish", ADMIN, None),
    r("GET", "/admin/calendar", ADMIN, None),
    r("POST", "/admin/calendar", ADMIN, None),
    r("POST", "/bulletins/settings", ADMIN, None),
    r("POST", "/bulletins/{id}/issue", ADMIN, None),
    r("POST", "/evaluations", ADMIN, None),
    r("POST", "/evaluations/adjustments", ADMIN, None),
    r("GET", "/evaluations/schemes", ADMIN, None),
    r("POST", "/evaluations/schemes", ADMIN, None),
    r("POST", "/evaluations/{id}/publish", ADMIN, None),
    r("GET", "/tasks/rules", ADMIN, None),
    r("POST", "/tasks/rules", ADMIN, None),
    r("GET", "/tasks/plans", ADMIN, None),
    r("POST", "/tasks/plans", ADMIN, None),
    r("GET", "/tasks/plans/{id}", ADMIN, None),
    r("POST", "/tasks/plans/{id}", ADMIN, None),
    r("GET", "/tasks/import", ADMIN, None),
    r("POST", "/tasks/import", ADMIN, None),
    r("POST", "/tasks/import/{id}/commit", ADMIN, None),
    r("POST", "/tasks/{id}/schedule", ADMIN, None),
    r("POST", "/tasks/{id}/milestones", ADMIN, None),
    r("POST", "/tasks/{id}/milestones/{mid}/delete", ADMIN, None),
    r("POST", "/tasks/{id}/light", ADMIN, None),
    r("POST", "/tasks/{id}/urges", ADMIN, None),
    r("POST", "/tasks/{id}/close", ADMIN, None),
    // Registers (名录): everyone reads, zone reporters only their zones' records (the handlers
    // narrow lists and check each record); the office and zone reporters write (funds: the office).
    r("GET", "/registers", Login, None),
    r("GET", "/registers/{kind}", Login, None),
    r("GET", "/registers/{kind}/new", ENTER, None),
    r("POST", "/registers/{kind}/new", ENTER, None),
    r("GET", "/registers/{kind}/export/{file}", Login, None),
    r("GET", "/registers/{kind}/import", ENTER, None),
    r("POST", "/registers/{kind}/import", ENTER, None),
    r("POST", "/registers/{kind}/import/{id}/commit", ENTER, None),
    r("GET", "/registers/{kind}/{id}", Login, Some(Record)),
    r("POST", "/registers/{kind}/{id}", ENTER, Some(Record)),
    r("POST", "/registers/{kind}/{id}/entries", ENTER, Some(Record)),
    r("GET", "/api/v1/registers", Login, None),
    r("GET", "/api/v1/registers/counts", Login, None),
    r("GET", "/api/v1/registers/{kind}", Login, None),
    r("POST", "/api/v1/registers/{kind}", ENTER, None),
    r("GET", "/api/v1/registers/{kind}/{id}", Login, Some(Record)),
    r("PUT", "/api/v1/registers/{kind}/{id}", ENTER, Some(Record)),
    r("POST", "/api/v1/registers/{kind}/{id}/entries", ENTER, Some(Record)),
    // Idle land (闲置土地): read by all but departments, parcels entered by the office and zone
    // reporters in their zones, the procedure and its documents run by the office.
    r("GET", "/land", LAND_READ, None),
    r("GET", "/land/parcels", LAND_READ, None),
    r("POST", "/land/parcels", ENTER, None),
    r("GET", "/land/parcels/new", ENTER, None),
    r("GET", "/land/parcels/{id}", LAND_READ, Some(Record)),
    r("POST", "/land/parcels/{id}", ENTER, Some(Record)),
    r("POST", "/land/parcels/{id}/steps", ADMIN, None),
    r("GET", "/land/parcels/{id}/docs/{kind}", OFFICE, None),
    r("GET", "/land/rules", ADMIN, None),
    r("POST", "/land/rules", ADMIN, None),
    r("GET", "/land/export.xlsx", LAND_READ, None),
    r("GET", "/land/import", ENTER, None),
    r("POST", "/land/import", ENTER, None),
    r("POST", "/land/import/{id}/commit", ENTER, Some(Record)),
    r("GET", "/api/v1/land/parcels", LAND_READ, None),
    r("POST", "/api/v1/land/parcels", ENTER, None),
    r("GET", "/api/v1/land/parcels/{id}", LAND_READ, Some(Record)),
    r("PUT", "/api/v1/land/parcels/{id}", ENTER, Some(Record)),
    r("POST", "/api/v1/land/parcels/{id}/steps", ADMIN, None),
    // Land intensive use (土地集约利用) and 亩均效益: everyone reads (zone reporters their own
    // zones and firms, narrowed by the handlers); the office enters, evaluates and publishes;
    // during the 公示 a zone reporter may object for a firm of its zone.
    r("GET", "/land-use", Login, None),
    r("POST", "/land-use/evaluate", ADMIN, None),
    r("GET", "/land-use/stats", Login, None),
    r("GET", "/land-use/stats/{zone}/{year}", Login, Some(ZoneParam("zone"))),
    r("POST", "/land-use/stats/{zone}/{year}", ADMIN, None),
    r("GET", "/land-use/import", ADMIN, None),
    r("POST", "/land-use/import", ADMIN, None),
    r("GET", "/land-use/template.xlsx", Login, None),
    r("GET", "/land-use/schemes", ADMIN, None),
    r("POST", "/land-use/schemes", ADMIN, None),
    r("GET", "/land-use/evals/{id}/results.xlsx", Login, None),
    r("GET", "/mujun", Login, None),
    r("POST", "/mujun/runs", ADMIN, None),
    r("GET", "/mujun/runs/{id}", Login, None),
    r("GET", "/mujun/runs/{id}/results.xlsx", Login, None),
    r("GET", "/mujun/runs/{id}/firms/{uscc}", Login, Some(Record)),
    r("POST", "/mujun/runs/{id}/publicity", ADMIN, None),
    r("POST", "/mujun/runs/{id}/objections", ENTER, Some(Record)),
    r("POST", "/mujun/runs/{id}/objections/{oid}/resolve", ADMIN, None),
    r("POST", "/mujun/runs/{id}/finalise", ADMIN, None),
    r("POST", "/mujun/runs/{id}/recompute", ADMIN, None),
    r("GET", "/mujun/import", ADMIN, None),
    r("POST", "/mujun/import", ADMIN, None),
    r("GET", "/mujun/template.xlsx", Login, None),
    r("GET", "/mujun/schemes", ADMIN, None),
    r("POST", "/mujun/schemes", ADMIN, None),
];

/// The rule of a route (`HEAD` is answered as `GET`).
pub fn rule(method: &str, path: &str) -> Option<&'static Rule> {
    let method = if method == "HEAD" { "GET" } else { method };
    RULES.iter().find(|r| r.method == method && r.path == path)
}

/// The middleware: the session (set by `auth::authenticate`, which runs first) against the rule
/// of the matched route.
pub async fn enforce(req: Request, next: Next) -> Response {
    let Some(path) = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()) else {
        return next.run(req).await;
    };
    let api = path.starts_with("/api/");
    let Some(rule) = rule(req.method().as_str(), &path) else {
        tracing::error!(%path, method = %req.method(), "route without an access rule: refused");
        return refuse(api);
    };
    if rule.who == Public {
        return next.run(req).await;
    }
    let Some(who) = req.extensions().get::<Session>().map(|s| s.who.clone()) else {
        if api {
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], axum::Json(serde_json::json!({ "error": "需要登录或提供 API 令牌（Authorization: Bearer …）" })))
                .into_response();
        }
        let next_url = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let target = if *req.method() == Method::GET { next_url } else { "/" };
        let q = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{q}")).into_response();
    };
    if let Roles(roles) = rule.who
        && !roles.contains(&who.role)
    {
        return refuse(api);
    }
    if let Scope::ZoneParam(name) = rule.scope {
        let (mut parts, body) = req.into_parts();
        let params = <RawPathParams as axum::extract::FromRequestParts<()>>::from_request_parts(&mut parts, &()).await;
        let zone = params.ok().and_then(|ps| ps.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()));
        match zone {
            Some(z) if who.can_read_zone(&z) => {}
            _ => return refuse(api),
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    next.run(req).await
}

fn refuse(api: bool) -> Response {
    if api {
        (StatusCode::FORBIDDEN, axum::Json(serde_json::json!({ "error": "没有权限" }))).into_response()
    } else {
        AppError::Forbidden.into_response()
    }
}
