//! Nengji's web layer: zh-CN HTML pages, the JSON API under `/api/v1` with its OpenAPI
//! document, login sessions and CSRF protection. Handlers are thin: they check who may do
//! what, call `store`/`core`, and render.

pub mod access;
pub mod api;
pub mod api_entry;
pub mod auth;
pub mod bulletin;
pub mod checks;
pub mod collect;
pub mod error;
pub mod evaluation;
pub mod figures;
pub mod landuse;
pub mod monitor;
pub mod page_cache;
pub mod pages;
pub mod public;
pub mod registers;
pub mod reminders;
pub mod shell;
pub mod supervise;
pub mod land;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{middleware, Router};
use nengji_store::Db;

/// Largest request body accepted (spreadsheet uploads).
pub const MAX_BODY: usize = 20 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// Login session lifetime.
    pub session_hours: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig { secure_cookies: false, session_hours: 8 }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub limiter: Arc<auth::LoginLimiter>,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        AppState { db, config: Arc::new(config), limiter: Arc::new(auth::LoginLimiter::default()) }
    }
}

async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], include_str!("../static/app.css"))
}

async fn healthz(axum::extract::State(st): axum::extract::State<AppState>) -> impl IntoResponse {
    match st.db.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(_) => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        .merge(public::routes())
        .merge(evaluation::routes())
        .merge(monitor::routes())
        .merge(registers::routes())
        .merge(supervise::routes())
        .merge(land::routes())
        .merge(landuse::routes())
        .route("/static/app.css", get(stylesheet))
        .route("/healthz", get(healthz))
        // Runs after `authenticate` (outer layers run first) and only for matched routes.
        .route_layer(middleware::from_fn(access::enforce))
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// No inline script or style anywhere in Nengji's own pages; the vendored Swagger UI needs inline
/// script, so only its path gets a looser policy.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
const CSP_DOCS: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

async fn security_headers(req: axum::extract::Request, next: middleware::Next) -> axum::response::Response {
    let docs = req.uri().path().starts_with("/api/v1/docs");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(if docs { CSP_DOCS } else { CSP }));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("same-origin"));
    res
}

/// Serves until the future `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
