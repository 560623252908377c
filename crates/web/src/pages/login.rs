//! Login and logout. Failed logins are rate-limited per username and per client address.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Duration;
use nengji_store::{sessions, users};
use serde::Deserialize;

use crate::auth::{cookie, set_cookie, PageUser, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::AppError;
use crate::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths are allowed as the post-login target (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn render(st: &AppState, csrf: String, page: LoginPage, status: StatusCode) -> Result<Response, AppError> {
    let html = page.render()?;
    let c = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, st.config.secure_cookies);
    Ok((status, [(header::SET_COOKIE, c)], Html(html)).into_response())
}

pub async fn form(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    // Reuse the pending login token so several open tabs keep working.
    let csrf = cookie(&headers, LOGIN_CSRF_COOKIE).filter(|c| c.len() == 64).map(String::from).unwrap_or_else(sessions::random_secret);
    let page = LoginPage { csrf: csrf.clone(), next: safe_next(q.next.as_deref()), username: String::new(), error: None };
    render(&st, csrf, page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
    csrf: String,
}

pub async fn submit(
    State(st): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let username = f.username.trim().to_string();
    let keys = vec![format!("user:{username}"), format!("ip:{}", addr.ip())];
    let retry = |error: &str, status| {
        let page = LoginPage { csrf: f.csrf.clone(), next: safe_next(f.next.as_deref()), username: username.clone(), error: Some(error.into()) };
        render(&st, f.csrf.clone(), page, status)
    };
    if st.limiter.blocked(&keys) {
        let detail = format!("{{\"ip\":\"{}\"}}", addr.ip());
        nengji_store::audit::record_event(&st.db, &nengji_store::Actor::system("login"), "login_locked", "session", &username, Some(detail)).await?;
        return retry("登录失败次数过多，请 15 分钟后再试。", StatusCode::TOO_MANY_REQUESTS);
    }
    match users::authenticate(&st.db, &username, &f.password).await? {
        Some(who) => {
            st.limiter.succeed(&keys);
            let s = sessions::create(&st.db, &who, Duration::hours(st.config.session_hours)).await?;
            tracing::info!(user = %who.username, "login");
            let c = set_cookie(SESSION_COOKIE, &s.token, st.config.session_hours * 3600, st.config.secure_cookies);
            let clear = set_cookie(LOGIN_CSRF_COOKIE, "", 0, st.config.secure_cookies);
            let mut res = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            res.headers_mut().append(header::SET_COOKIE, c.parse().expect("cookie header"));
            res.headers_mut().append(header::SET_COOKIE, clear.parse().expect("cookie header"));
            Ok(res)
        }
        None => {
            st.limiter.fail(&keys);
            tracing::warn!(user = %username, ip = %addr.ip(), "login failed");
            let detail = format!("{{\"ip\":\"{}\"}}", addr.ip());
            nengji_store::audit::record_event(&st.db, &nengji_store::Actor::system("login"), "login_failed", "session", &username, Some(detail)).await?;
            retry("用户名或密码不正确。", StatusCode::UNAUTHORIZED)
        }
    }
}

pub async fn logout(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Response, AppError> {
    if let Some(token) = &s.token {
        sessions::delete(&st.db, token, &s.who).await?;
    }
    let clear = set_cookie(SESSION_COOKIE, "", 0, st.config.secure_cookies);
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_must_be_local() {
        assert_eq!(super::safe_next(Some("/zones/x?a=1")), "/zones/x?a=1");
        assert_eq!(super::safe_next(Some("//evil.example")), "/");
        assert_eq!(super::safe_next(Some("https://evil.example")), "/");
        assert_eq!(super::safe_next(None), "/");
    }
}
