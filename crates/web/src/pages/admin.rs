//! Office-admin pages: users, master-data import/export, the audit log.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use nengji_core::auth::Role;
use nengji_core::masterdata::{indicators_table, units_table, zones_table};
use nengji_store::imports::{self, ImportError, MasterKind};
use nengji_store::users::{self, NewUser};
use nengji_store::{audit, masterdata, Actor};
use serde::Deserialize;

use crate::auth::AdminUser;
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

fn actor(s: &crate::auth::Session) -> Actor {
    Actor::user(s.who.user_id, &s.who.username)
}

pub struct UserRow {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope: String,
    pub active: bool,
    pub created: String,
}

pub struct Choice {
    pub code: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    shell: Shell,
    users: Vec<UserRow>,
    roles: Vec<Choice>,
    zones: Vec<Choice>,
    units: Vec<Choice>,
    message: Option<String>,
    error: Option<String>,
}

async fn users_page(st: &AppState, s: &crate::auth::Session, message: Option<String>, error: Option<String>) -> Result<UsersPage, AppError> {
    let zones = masterdata::list_zones(&st.db).await?;
    let units = masterdata::list_units(&st.db).await?;
    let zone_name = |c: &str| zones.iter().find(|z| z.zone.code == c).map(|z| z.zone.short_name.clone()).unwrap_or_else(|| c.to_string());
    let rows = users::list(&st.db)
        .await?
        .into_iter()
        .map(|u| UserRow {
            scope: match u.role {
                Role::ZoneReporter => u.zones.iter().map(|z| zone_name(z)).collect::<Vec<_>>().join("、"),
                Role::DeptReporter => u.unit.as_deref().and_then(|c| units.iter().find(|x| x.code == c)).map(|x| x.name.clone()).unwrap_or_default(),
                _ => "全部".into(),
            },
            role: u.role.label().into(),
            username: u.username,
            display_name: u.display_name,
            active: u.active,
            created: u.created_at.format("%Y-%m-%d").to_string(),
        })
        .collect();
    Ok(UsersPage {
        shell: Shell::new(s, "users"),
        users: rows,
        roles: Role::ALL.iter().map(|r| Choice { code: r.code().into(), name: r.label().into() }).collect(),
        zones: zones.iter().map(|z| Choice { code: z.zone.code.clone(), name: z.zone.short_name.clone() }).collect(),
        units: units.iter().map(|u| Choice { code: u.code.clone(), name: u.name.clone() }).collect(),
        message,
        error,
    })
}

pub async fn users(State(st): State<AppState>, AdminUser(s): AdminUser) -> Result<Html<String>, AppError> {
    Ok(Html(users_page(&st, &s, None, None).await?.render()?))
}

pub async fn create_user(State(st): State<AppState>, AdminUser(s): AdminUser, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, AppError> {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let role = Role::parse(&get("role")).ok_or_else(|| AppError::BadRequest("请选择有效的角色".into()))?;
    let unit = Some(get("unit")).filter(|u| !u.is_empty() && role == Role::DeptReporter);
    let zones = if role == Role::ZoneReporter { pairs.iter().filter(|(k, _)| k == "zones").map(|(_, v)| v.clone()).collect() } else { Vec::new() };
    let new = NewUser { username: get("username"), display_name: get("display_name"), password: get("password"), role, unit, zones, email: Some(get("email")) };
    let done = format!("已创建用户“{}”", new.username);
    let result = users::create(&st.db, &actor(&s), new).await.map(|_| ());
    users_outcome(&st, &s, result, done).await
}

/// The users page after an action: the success message, or the refusal with 422.
async fn users_outcome(st: &AppState, s: &crate::auth::Session, result: nengji_store::Result<()>, done: String) -> Result<Response, AppError> {
    let (status, page) = match result {
        Ok(()) => (StatusCode::OK, users_page(st, s, Some(done), None).await?),
        Err(nengji_store::StoreError::Invalid(m)) => (StatusCode::UNPROCESSABLE_ENTITY, users_page(st, s, None, Some(m)).await?),
        Err(e) => return Err(e.into()),
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn reset_password(
    State(st): State<AppState>,
    AdminUser(s): AdminUser,
    Path(username): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let result = users::set_password(&st.db, &actor(&s), &username, &f.password).await;
    users_outcome(&st, &s, result, format!("已重置“{username}”的密码，其登录会话已失效")).await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(st): State<AppState>,
    AdminUser(s): AdminUser,
    Path(username): Path<String>,
    Form(f): Form<ActiveForm>,
) -> Result<Response, AppError> {
    if username == s.who.username {
        return Err(AppError::BadRequest("不能停用自己的账号".into()));
    }
    users::set_active(&st.db, &actor(&s), &username, f.active == "1").await?;
    Ok(Redirect::to("/admin/users").into_response())
}

pub struct ImportProblem {
    pub location: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    shell: Shell,
    file_name: String,
    problems: Vec<ImportProblem>,
    error: Option<String>,
    result: Option<String>,
}

fn import_page(s: &crate::auth::Session) -> ImportPage {
    ImportPage { shell: Shell::new(s, "import"), file_name: String::new(), problems: Vec::new(), error: None, result: None }
}

pub async fn import_form(AdminUser(s): AdminUser) -> Result<Html<String>, AppError> {
    Ok(Html(import_page(&s).render()?))
}

/// Uploads a master-data file. Every row is checked first; any problem means nothing is written.
pub async fn import_submit(State(st): State<AppState>, AdminUser(s): AdminUser, mut mp: Multipart) -> Result<Response, AppError> {
    let mut kind = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = mp.next_field().await.map_err(|e| AppError::BadRequest(format!("上传内容无法读取：{e}")))? {
        match field.name() {
            Some("kind") => kind = MasterKind::parse(&field.text().await.unwrap_or_default()),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(format!("文件上传失败：{e}")))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let mut page = import_page(&s);
    let kind = kind.ok_or_else(|| AppError::BadRequest("请选择导入的数据类型".into()))?;
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        page.error = Some("请选择要上传的文件".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    page.file_name = name.clone();
    let tables = match nengji_office::read_tables(&name, &bytes) {
        Ok(t) => t,
        Err(e) => {
            page.error = Some(e.to_string());
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    // The first non-instruction sheet holds the data.
    let table = tables.iter().find(|t| t.sheet != "填表说明").unwrap_or(&tables[0]);
    match imports::import(&st.db, &actor(&s), kind, table).await {
        Ok(sum) => {
            page.result = Some(format!(
                "{}数据已导入：新增 {} 条，更新 {} 条，未变化 {} 条。",
                kind.label(),
                sum.inserted,
                sum.updated,
                sum.unchanged
            ));
            Ok(Html(page.render()?).into_response())
        }
        Err(ImportError::Cells(errs)) => {
            page.error = Some(format!("文件有 {} 处问题，未导入任何数据。请修改后重新上传。", errs.len()));
            page.problems = errs
                .iter()
                .map(|e| ImportProblem {
                    location: crate::pages::location(&e.sheet, e.row, e.column),
                    message: format!("{}：{}", e.field, e.message),
                })
                .collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// Current master data as xlsx in the import layout (doubles as the import template).
pub async fn export(State(st): State<AppState>, AdminUser(_): AdminUser, Path(file): Path<String>) -> Result<Response, AppError> {
    let (table, name) = match file.as_str() {
        "zones.xlsx" => {
            let zones: Vec<_> = masterdata::list_zones(&st.db).await?.into_iter().map(|z| z.zone).collect();
            (zones_table(&zones), "开发区.xlsx")
        }
        "units.xlsx" => (units_table(&masterdata::list_units(&st.db).await?), "单位.xlsx"),
        "indicators.xlsx" => {
            let inds: Vec<_> = masterdata::list_indicators(&st.db).await?.into_iter().map(|i| i.indicator).collect();
            (indicators_table(&inds), "指标.xlsx")
        }
        _ => return Err(AppError::NotFound(format!("文件“{file}”"))),
    };
    let bytes = nengji_office::write_xlsx(&[table]).map_err(|e| AppError::Internal(e.into()))?;
    let disposition = crate::pages::attachment(&file, name);
    Ok((
        [(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub key: String,
    pub old: String,
    pub new: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    shell: Shell,
    rows: Vec<AuditRow>,
    total: i64,
}

pub async fn audit(State(st): State<AppState>, AdminUser(s): AdminUser) -> Result<Html<String>, AppError> {
    let total = audit::count(&st.db).await?;
    let rows = audit::recent(&st.db, None, 200)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            at: crate::pages::beijing(e.at),
            actor: e.actor,
            action: action_label(&e.action).into(),
            entity: e.entity,
            key: e.entity_key,
            old: e.old_value.unwrap_or_default(),
            new: e.new_value.unwrap_or_default(),
        })
        .collect();
    Ok(Html(AuditPage { shell: Shell::new(&s, "audit"), rows, total }.render()?))
}

fn action_label(a: &str) -> &str {
    match a {
        "create" => "新增",
        "update" => "修改",
        "login" => "登录",
        "logout" => "退出",
        "set_password" => "重置密码",
        "set_active" => "启用/停用",
        "create_token" => "创建API令牌",
        "load_demo" => "载入示例数据",
        "login_failed" => "登录失败",
        "login_locked" => "登录被锁定",
        other => other,
    }
}
