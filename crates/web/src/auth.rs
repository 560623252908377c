//! Who is asking, and may they. The `authenticate` middleware resolves the session cookie or
//! API token and enforces CSRF on every state-changing request made with a cookie; the
//! extractors then demand a login (pages redirect, the API answers 401) or a role.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use nengji_core::auth::Principal;
use nengji_store::sessions;

use crate::error::{error_page, AppError};
use crate::AppState;

pub const SESSION_COOKIE: &str = "nengji_session";
pub const LOGIN_CSRF_COOKIE: &str = "nengji_login_csrf";
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The logged-in caller. `csrf` is empty for API-token callers (no ambient credentials).
#[derive(Clone, Debug)]
pub struct Session {
    pub who: Principal,
    pub csrf: String,
    /// The cookie secret, for logout; `None` for API-token callers.
    pub token: Option<String>,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Compares secrets without an early exit.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The CSRF token a request carries: the header, or the `csrf` field of a form (urlencoded or multipart).
async fn submitted_csrf(headers: &HeaderMap, body: &Bytes) -> Option<String> {
    if let Some(h) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Some(h.to_string());
    }
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ct.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        return pairs.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v);
    }
    if ct.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(ct).ok()?;
        let stream = futures_util::stream::once(std::future::ready(Ok::<_, std::io::Error>(body.clone())));
        let mut mp = multer::Multipart::new(stream, boundary);
        while let Ok(Some(field)) = mp.next_field().await {
            if field.name() == Some(CSRF_FIELD) {
                return field.text().await.ok();
            }
        }
    }
    None
}

fn csrf_refused() -> Response {
    error_page(StatusCode::FORBIDDEN, "请求缺少有效的安全令牌（CSRF），已拒绝。请刷新页面后重试。".into())
}

/// Resolves the caller and guards state-changing requests against CSRF.
pub async fn authenticate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let mut session = None;
    let mut by_cookie = false;
    if let Some(tok) = bearer(&headers) {
        match sessions::principal_for_token(&st.db, tok).await {
            Ok(Some(who)) => session = Some(Session { who, csrf: String::new(), token: None }),
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    } else if let Some(tok) = cookie(&headers, SESSION_COOKIE) {
        match sessions::load(&st.db, tok).await {
            Ok(Some((who, csrf))) => {
                by_cookie = true;
                session = Some(Session { who, csrf, token: Some(tok.to_string()) });
            }
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let is_login = req.uri().path() == "/login";
    let mut req = req;
    if unsafe_method && (by_cookie || is_login) {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_BODY).await else {
            return error_page(StatusCode::PAYLOAD_TOO_LARGE, "上传内容过大（上限 20 MB）".into());
        };
        let sent = submitted_csrf(&headers, &bytes).await.unwrap_or_default();
        // Logged in: the session's token. Logging in: the double-submit cookie set by the login page.
        let expected = match (&session, is_login && !by_cookie) {
            (Some(s), false) => s.csrf.clone(),
            _ => cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default().to_string(),
        };
        if expected.is_empty() || !same(&sent, &expected) {
            tracing::warn!(path = %parts.uri.path(), "CSRF check failed");
            return csrf_refused();
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    if let Some(s) = session {
        req.extensions_mut().insert(s);
    }
    next.run(req).await
}

/// A page that needs a login: anonymous callers are sent to the login page.
pub struct PageUser(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Session>() {
            Some(s) => Ok(PageUser(s.clone())),
            None => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{q}")).into_response())
            }
        }
    }
}

/// A page only the office admin may use.
pub struct AdminUser(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for AdminUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let PageUser(session) = PageUser::from_request_parts(parts, s).await?;
        if session.who.role.is_admin() { Ok(AdminUser(session)) } else { Err(AppError::Forbidden.into_response()) }
    }
}

/// An API caller (session cookie or `Authorization: Bearer <token>`); anonymous → 401.
pub struct ApiUser(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Session>() {
            Some(s) => Ok(ApiUser(s.who.clone())),
            None => Err((
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                axum::Json(serde_json::json!({ "error": "需要登录或提供 API 令牌（Authorization: Bearer …）" })),
            )
                .into_response()),
        }
    }
}

/// Counts failed logins per key (username, client address) in a sliding window.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    pub const MAX_FAILURES: usize = 5;
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    fn recent(list: &mut Vec<Instant>) -> usize {
        list.retain(|t| t.elapsed() < Self::WINDOW);
        list.len()
    }

    /// True when any of the keys has had too many failures recently.
    pub fn blocked(&self, keys: &[String]) -> bool {
        let mut map = self.failures.lock().expect("limiter lock");
        keys.iter().any(|k| map.get_mut(k).is_some_and(|l| Self::recent(l) >= Self::MAX_FAILURES))
    }

    pub fn fail(&self, keys: &[String]) {
        let mut map = self.failures.lock().expect("limiter lock");
        for k in keys {
            let l = map.entry(k.clone()).or_default();
            Self::recent(l);
            l.push(Instant::now());
        }
    }

    pub fn succeed(&self, keys: &[String]) {
        let mut map = self.failures.lock().expect("limiter lock");
        for k in keys {
            map.remove(k);
        }
    }
}

/// `Set-Cookie` value for a cookie readable only by the server, same-site only.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_five_failures_and_forgets_on_success() {
        let l = LoginLimiter::default();
        let keys = vec!["user:a".to_string()];
        for _ in 0..4 {
            l.fail(&keys);
        }
        assert!(!l.blocked(&keys));
        l.fail(&keys);
        assert!(l.blocked(&keys));
        assert!(!l.blocked(&["user:b".to_string()]));
        l.succeed(&keys);
        assert!(!l.blocked(&keys));
    }

    #[test]
    fn reads_cookies_and_compares_secrets() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; nengji_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
