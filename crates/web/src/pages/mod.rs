//! HTML pages (zh-CN), server-rendered; they work without JavaScript.

mod admin;
pub mod bulletins;
mod calendar;
mod catalog;
mod entry;
mod home;
mod lists;
mod login;
mod review;
mod rules;
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
        .route("/entry", get(entry::due))
        .route("/entry/template.xlsx", get(entry::template))
        .route("/entry/import", get(entry::import_form).post(entry::import_upload))
        .route("/entry/import/{id}/commit", post(entry::import_commit))
        .route("/entry/{zone}/{period}", get(entry::form).post(entry::save))
        .route("/entry/{zone}/{period}/history/{indicator}", get(entry::history))
        .route("/review", get(review::list).post(review::act))
        .route("/review/matrix", get(review::matrix))
        .route("/review/outliers", get(review::outliers))
        .route("/admin/rules", get(rules::list).post(rules::add))
        .route("/admin/lists", get(lists::show).post(lists::add))
        .route("/admin/lists/{id}/publish", post(lists::publish))
        .route("/bulletins", get(bulletins::list).post(bulletins::create))
        .route("/bulletins/settings", post(bulletins::settings))
        .route("/bulletins/{id}", get(bulletins::show))
        .route("/bulletins/{id}/issue", post(bulletins::issue))
        .route("/bulletins/file/{file}", get(bulletins::download))
        .route("/admin/calendar", get(calendar::show).post(calendar::update))
        .route("/admin/rules/{code}/active", post(rules::toggle))
}

/// The uploaded file of a form (its `file` field): name and bytes, or `None` when no file was
/// chosen (an empty name or an empty file). Other fields are ignored.
pub async fn uploaded_file(mut mp: axum::extract::Multipart) -> Result<Option<(String, Vec<u8>)>, crate::error::AppError> {
    use crate::error::AppError;
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(|e| AppError::BadRequest(format!("上传内容无法读取：{e}")))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(format!("文件上传失败：{e}")))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    Ok(file.filter(|(n, b): &(String, Vec<u8>)| !n.is_empty() && !b.is_empty()))
}

/// A time as Beijing time text.
pub fn beijing(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).format("%Y-%m-%d %H:%M").to_string()
}

/// `Content-Disposition` for a download with an ASCII fallback and the UTF-8 (RFC 5987) name.
pub fn attachment(ascii: &str, name: &str) -> String {
    let enc: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{enc}")
}

/// Where a problem in an uploaded sheet is: `sheet 第3行第F列`.
pub fn location(sheet: &str, row: usize, column: Option<usize>) -> String {
    format!("{sheet} 第{row}行{}", column.map(|c| format!("第{}列", nengji_core::masterdata::column_letter(c))).unwrap_or_default())
}
