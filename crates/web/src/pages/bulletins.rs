//! Office pages for the monthly bulletin: list, generate a draft, preview, download, issue, and
//! edit the wording templates.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use nengji_core::bulletin::Bulletin;
use nengji_core::period::Month;
use nengji_store::{bulletins, Actor};
use serde::Deserialize;

use crate::auth::{PageUser, Session};
use crate::bulletin::{generate, setting, SETTINGS};
use crate::collect::can_review;
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub struct Item {
    pub id: i64,
    pub period: String,
    pub version: i64,
    pub issued: bool,
    pub number: String,
    pub title: String,
    pub created: String,
}

pub struct SettingField {
    pub key: String,
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "bulletins.html")]
struct ListPage {
    shell: Shell,
    items: Vec<Item>,
    settings: Vec<SettingField>,
    message: Option<String>,
    error: Option<String>,
}

fn office(s: &Session) -> Result<(), AppError> {
    if can_review(&s.who) { Ok(()) } else { Err(AppError::Forbidden) }
}

async fn list_page(st: &AppState, s: &Session, message: Option<String>, error: Option<String>) -> Result<ListPage, AppError> {
    let items = bulletins::list(&st.db, false)
        .await?
        .into_iter()
        .map(|b| Item {
            id: b.id,
            period: b.period,
            version: b.version,
            issued: b.issued,
            number: b.number,
            title: b.content.title,
            created: format!("{}（{}）", crate::pages::beijing(b.created_at), b.created_by),
        })
        .collect();
    let mut settings = Vec::new();
    for (key, label, _) in SETTINGS {
        settings.push(SettingField { key: key.into(), label: label.into(), value: setting(&st.db, key).await? });
    }
    Ok(ListPage { shell: Shell::new(s, "bulletins"), items, settings, message, error })
}

pub async fn list(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    office(&s)?;
    Ok(Html(list_page(&st, &s, None, None).await?.render()?))
}

#[derive(Deserialize)]
pub struct GenerateForm {
    period: String,
}

pub async fn create(State(st): State<AppState>, PageUser(s): PageUser, Form(f): Form<GenerateForm>) -> Result<Response, AppError> {
    office(&s)?;
    let period: Month = f.period.parse().map_err(|e: nengji_core::period::BadMonth| AppError::BadRequest(e.to_string()))?;
    match generate(&st.db, &Actor::user(s.who.user_id, &s.who.username), period).await {
        Ok(id) => Ok(Html(list_page(&st, &s, Some(format!("已生成{}通报草稿（编号 {id}）", period.label())), None).await?.render()?).into_response()),
        Err(AppError::BadRequest(m)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(list_page(&st, &s, None, Some(m)).await?.render()?)).into_response()),
        Err(e) => Err(e),
    }
}

/// Saves the wording templates; a template with an unknown placeholder is refused.
pub async fn settings(State(st): State<AppState>, PageUser(s): PageUser, Form(fields): Form<Vec<(String, String)>>) -> Result<Response, AppError> {
    if !s.who.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let actor = Actor::user(s.who.user_id, &s.who.username);
    for (key, label, _) in SETTINGS {
        let Some(value) = fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_string()) else { continue };
        if let Err(e) = check_template(key, &value) {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(list_page(&st, &s, None, Some(format!("{label}：{e}"))).await?.render()?)).into_response());
        }
        bulletins::set_setting(&st.db, &actor, key, &value).await?;
    }
    Ok(Html(list_page(&st, &s, Some("通报模板已保存".into()), None).await?.render()?).into_response())
}

/// Renders a template against the variables a bulletin offers, so typos are caught on save.
fn check_template(key: &str, value: &str) -> Result<(), String> {
    if key == "issuer" {
        return Ok(());
    }
    let mut vars = std::collections::BTreeMap::new();
    for k in ["period_label", "period_cumulative", "zone_count"] {
        vars.insert(k.to_string(), String::new());
    }
    for code in crate::bulletin::INDICATORS {
        for suffix in ["", "_growth", "_change"] {
            vars.insert(format!("{code}{suffix}"), String::new());
        }
    }
    nengji_core::bulletin::render(value, &vars).map(|_| ()).map_err(|e| e.to_string())
}

#[derive(Template)]
#[template(path = "bulletin.html")]
pub struct BulletinPage {
    pub shell: Shell,
    pub id: i64,
    pub b: Bulletin,
    pub issued: bool,
    pub base: String,
    pub can_issue: bool,
    pub message: Option<String>,
    pub chart: String,
}

async fn load(st: &AppState, id: i64) -> Result<bulletins::StoredBulletin, AppError> {
    bulletins::get(&st.db, id).await?.ok_or_else(|| AppError::NotFound(format!("通报 {id}")))
}

pub async fn show(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    office(&s)?;
    let b = load(&st, id).await?;
    let page = BulletinPage { can_issue: s.who.role.is_admin() && !b.issued, shell: Shell::new(&s, "bulletins"), id, issued: b.issued, chart: crate::bulletin::chart(&b.content), b: b.content, base: format!("/bulletins/file/{id}"), message: None };
    Ok(Html(page.render()?))
}

pub async fn issue(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Response, AppError> {
    if !s.who.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    bulletins::issue(&st.db, &Actor::user(s.who.user_id, &s.who.username), id).await?;
    let b = load(&st, id).await?;
    let page = BulletinPage { can_issue: false, shell: Shell::new(&s, "bulletins"), id, issued: true, chart: crate::bulletin::chart(&b.content), b: b.content, base: format!("/bulletins/file/{id}"), message: Some("已印发，并已在公开门户发布".into()) };
    Ok(Html(page.render()?).into_response())
}

/// `{id}.docx|xlsx|pdf` for the office (drafts included).
pub async fn download(State(st): State<AppState>, PageUser(s): PageUser, Path(file): Path<String>) -> Result<Response, AppError> {
    office(&s)?;
    let (id, ext) = file.rsplit_once('.').ok_or_else(|| AppError::NotFound(file.clone()))?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound(file.clone()))?;
    render_file(&load(&st, id).await?, ext)
}

/// The bulletin file in a format; shared with the public portal.
pub fn render_file(b: &bulletins::StoredBulletin, ext: &str) -> Result<Response, AppError> {
    let office = |e: nengji_office::OfficeError| AppError::Internal(e.into());
    let (bytes, mime) = match ext {
        "docx" => (nengji_office::bulletin_doc::write_docx(&b.content).map_err(office)?, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xlsx" => (nengji_office::bulletin_doc::write_xlsx(&b.content).map_err(office)?, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "pdf" => {
            let docx = nengji_office::bulletin_doc::write_docx(&b.content).map_err(office)?;
            (nengji_office::pdf::docx_to_pdf(&docx).map_err(|e| AppError::BadRequest(e.to_string()))?, "application/pdf")
        }
        other => return Err(AppError::NotFound(format!("格式“{other}”"))),
    };
    let name = format!("{}{}.{ext}", b.content.title, if b.issued { "" } else { "（草稿）" });
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, crate::pages::attachment(&format!("bulletin-{}-v{}.{ext}", b.period, b.version), &name))], bytes).into_response())
}
