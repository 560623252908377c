//! 名录: the five registers (projects, enterprises, innovation platforms, parks, special funds)
//! as pages and API over one generic layer — core's field definitions parse, check, list, import
//! and export every register; the store keeps records, history, entries and staged imports.
//!
//! Who may do what: everyone logged in reads; a zone reporter reads and writes only its zones'
//! records; the office (admin) writes everything and alone allocates special funds.

pub mod api;
mod files;
mod pages;
mod views;

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use nengji_core::auth::{Principal, Role};
use nengji_core::registers::RegisterKind;
use nengji_store::Actor;

use crate::auth::{ApiUser, PageUser, Session};
use crate::error::{ApiError, AppError};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registers", get(pages::landing))
        .route("/registers/{kind}", get(pages::list))
        .route("/registers/{kind}/new", get(pages::new_form).post(pages::create))
        .route("/registers/{kind}/export/{file}", get(files::export))
        .route("/registers/{kind}/import", get(files::import_page).post(files::import_upload))
        .route("/registers/{kind}/import/{id}/commit", post(files::import_commit))
        .route("/registers/{kind}/{id}", get(pages::detail).post(pages::update))
        .route("/registers/{kind}/{id}/entries", post(pages::add_entry))
        .route("/api/v1/registers", get(api::summary))
        .route("/api/v1/registers/counts", get(api::counts))
        .route("/api/v1/registers/{kind}", get(api::list).post(api::create))
        .route("/api/v1/registers/{kind}/{id}", get(api::detail).put(api::update))
        .route("/api/v1/registers/{kind}/{id}/entries", post(api::add_entry))
}

fn kind_of(s: &str) -> Result<RegisterKind, AppError> {
    RegisterKind::parse(s).ok_or_else(|| AppError::NotFound(format!("名录“{s}”")))
}

fn actor(who: &Principal) -> Actor {
    Actor::user(who.user_id, &who.display_name)
}

/// Whether `who` may add or change records of `kind` (in some zone).
pub fn can_write(who: &Principal, kind: RegisterKind) -> bool {
    match who.role {
        Role::Admin => true,
        Role::ZoneReporter => kind != RegisterKind::Funds && !who.zones.is_empty(),
        _ => false,
    }
}

/// The zones a writer is held to: `None` for the office.
pub fn write_scope(who: &Principal) -> Option<&[String]> {
    match who.role {
        Role::Admin => None,
        _ => Some(&who.zones),
    }
}

/// Zone reporters read only their zones' records (records outside every zone are city matters).
pub fn can_read(who: &Principal, zone: &str) -> bool {
    match who.role {
        Role::ZoneReporter => !zone.is_empty() && who.can_read_zone(zone),
        _ => true,
    }
}

fn require_write(s: &Session, kind: RegisterKind) -> Result<(), AppError> {
    if can_write(&s.who, kind) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The register named by the `{kind}` path parameter.
async fn path_kind<S: Send + Sync>(parts: &mut Parts, s: &S) -> Result<RegisterKind, AppError> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, s)
        .await
        .map_err(|_| AppError::NotFound("名录".into()))?;
    kind_of(params.get("kind").map(String::as_str).unwrap_or(""))
}

/// A page caller who may write the register in the path. Checked before the body is read, so a
/// reader is refused (403) whatever it sent.
pub struct Writer(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for Writer {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let PageUser(session) = PageUser::from_request_parts(parts, s).await?;
        let kind = path_kind(parts, s).await.map_err(IntoResponse::into_response)?;
        require_write(&session, kind).map_err(IntoResponse::into_response)?;
        Ok(Writer(session))
    }
}

/// The API twin of [`Writer`] (JSON errors).
pub struct ApiWriter(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for ApiWriter {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let ApiUser(who) = ApiUser::from_request_parts(parts, s).await?;
        let kind = path_kind(parts, s).await.map_err(|e| ApiError(e).into_response())?;
        if !can_write(&who, kind) {
            return Err(ApiError(AppError::Forbidden).into_response());
        }
        Ok(ApiWriter(who))
    }
}
