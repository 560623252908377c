//! Errors as people see them: an HTML page for pages, JSON for the API. Internals go to the log.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use nengji_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    NotFound(String),
    Forbidden,
    BadRequest(String),
    Internal(anyhow::Error),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    pub fn message(&self) -> String {
        match self {
            AppError::NotFound(what) => format!("未找到{what}"),
            AppError::Forbidden => "您没有权限访问此页面或数据".into(),
            AppError::BadRequest(m) => m.clone(),
            AppError::Internal(_) => "服务器内部错误，请稍后重试；如持续出现请联系管理员".into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(m) => AppError::BadRequest(m),
            StoreError::NotFound(m) => AppError::NotFound(m),
            e => AppError::Internal(e.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    message: String,
}

/// Renders an error page with a status.
pub fn error_page(status: StatusCode, message: String) -> Response {
    let body = ErrorPage { status: status.as_u16(), message }.render().unwrap_or_else(|_| "error".into());
    (status, Html(body)).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "request failed");
        }
        error_page(self.status(), self.message())
    }
}

/// The API's error: same cases, JSON body `{"error": "..."}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self.0 {
            tracing::error!(error = ?e, "api request failed");
        }
        (self.0.status(), axum::Json(serde_json::json!({ "error": self.0.message() }))).into_response()
    }
}
