//! The office edits each zone's public lists; every version is kept, and a version is public
//! only once published and from its effective date.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use nengji_store::{bulletins, masterdata, Actor};
use serde::Deserialize;

use crate::auth::{AdminUser, Session};
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub struct VersionRow {
    pub id: i64,
    pub kind: String,
    pub version: i64,
    pub effective: String,
    pub published: bool,
    pub content: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    shell: Shell,
    zone: String,
    zones: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    versions: Vec<VersionRow>,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ZoneQuery {
    zone: Option<String>,
}

async fn page(st: &AppState, s: &Session, zone: Option<String>, message: Option<String>, error: Option<String>) -> Result<ListsPage, AppError> {
    let zones: Vec<(String, String)> = masterdata::list_zones(&st.db).await?.into_iter().map(|z| (z.zone.code, z.zone.short_name)).collect();
    let zone = zone.filter(|z| zones.iter().any(|(c, _)| c == z)).unwrap_or_else(|| zones[0].0.clone());
    let label = |k: &str| bulletins::LIST_KINDS.iter().find(|(c, _)| *c == k).map(|(_, l)| l.to_string()).unwrap_or_default();
    let versions = bulletins::list_versions(&st.db, &zone, None)
        .await?
        .into_iter()
        .map(|v| VersionRow { id: v.id, kind: label(&v.kind), version: v.version, effective: v.effective_from.to_string(), published: v.published, content: v.content, by: v.created_by })
        .collect();
    Ok(ListsPage {
        shell: Shell::new(s, "lists"),
        zone,
        zones,
        kinds: bulletins::LIST_KINDS.iter().map(|(k, l)| (k.to_string(), l.to_string())).collect(),
        versions,
        message,
        error,
    })
}

pub async fn show(State(st): State<AppState>, AdminUser(s): AdminUser, Query(q): Query<ZoneQuery>) -> Result<Html<String>, AppError> {
    Ok(Html(page(&st, &s, q.zone, None, None).await?.render()?))
}

#[derive(Deserialize)]
pub struct NewVersion {
    zone: String,
    kind: String,
    content: String,
    effective_from: String,
}

pub async fn add(State(st): State<AppState>, AdminUser(s): AdminUser, Form(f): Form<NewVersion>) -> Result<Response, AppError> {
    let actor = Actor::user(s.who.user_id, &s.who.username);
    let result = match chrono::NaiveDate::parse_from_str(f.effective_from.trim(), "%Y-%m-%d") {
        Err(_) => Err(format!("施行日期“{}”不是有效日期", f.effective_from)),
        Ok(d) => bulletins::add_list_version(&st.db, &actor, &f.zone, &f.kind, &f.content, d).await.map_err(|e| e.to_string()),
    };
    match result {
        Ok(_) => Ok(Html(page(&st, &s, Some(f.zone), Some("已保存新版本（未公开）".into()), None).await?.render()?).into_response()),
        Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page(&st, &s, Some(f.zone), None, Some(e)).await?.render()?)).into_response()),
    }
}

#[derive(Deserialize)]
pub struct PublishForm {
    zone: String,
}

pub async fn publish(State(st): State<AppState>, AdminUser(s): AdminUser, Path(id): Path<i64>, Form(f): Form<PublishForm>) -> Result<Html<String>, AppError> {
    bulletins::publish_list_version(&st.db, &Actor::user(s.who.user_id, &s.who.username), id).await?;
    Ok(Html(page(&st, &s, Some(f.zone), Some("已公开".into()), None).await?.render()?))
}
