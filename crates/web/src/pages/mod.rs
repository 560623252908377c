//! HTML pages (zh-CN), server-rendered; they work without JavaScript.

mod admin;
mod catalog;
mod home;
mod login;
mod zones;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/", get(home::page))
        .route("/zones", get(zones::list))
        .route("/zones/{code}", get(zones::profile))
        .route("/indicators", get(catalog::indicators))
        .route("/units", get(catalog::units))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{username}/password", post(admin::reset_password))
        .route("/admin/users/{username}/active", post(admin::set_active))
        .route("/admin/import", get(admin::import_form).post(admin::import_submit))
        .route("/admin/export/{file}", get(admin::export))
        .route("/admin/audit", get(admin::audit))
}
