//! The reporting calendar, configured by the office: the due/lock rule, holidays and 调休,
//! explicit period windows (re-opening a month) and per-zone due dates.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use chrono::NaiveDate;
use nengji_core::calendar::{CalendarRule, DayOverride, Window};
use nengji_core::period::Month;
use nengji_store::collection::{self, Calendar};
use nengji_store::{masterdata, seed, Actor};

use crate::auth::{AdminUser, Session};
use crate::collect::today;
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub struct PeriodRow {
    pub period: String,
    pub opens: String,
    pub due: String,
    pub locks: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    shell: Shell,
    due_workday: u32,
    lock_after_days: u32,
    periods: Vec<PeriodRow>,
    days: Vec<(String, bool)>,
    zones: Vec<(String, String)>,
    message: Option<String>,
    error: Option<String>,
}

async fn page(st: &AppState, s: &Session, message: Option<String>, error: Option<String>) -> Result<CalendarPage, AppError> {
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let cal = Calendar::load(&st.db, &ds).await?;
    let t = today();
    let mut months: Vec<Month> = (0..6).map(|k| Month::of_date(t).offset(-k)).collect();
    months.extend(cal.open_periods(t, Month::of_date(t).offset(-1)));
    months.sort();
    months.dedup();
    months.reverse();
    let periods = months
        .into_iter()
        .map(|m| {
            let w = cal.window(None, m);
            PeriodRow { period: m.to_string(), opens: w.opens.to_string(), due: w.due.to_string(), locks: w.locks.to_string(), state: w.state(t).label().into() }
        })
        .collect();
    let days = collection::day_overrides(&st.db).await?.into_iter().map(|d| (d.date.to_string(), d.workday)).collect();
    let zones = masterdata::list_zones(&st.db).await?.into_iter().map(|z| (z.zone.code, z.zone.short_name)).collect();
    Ok(CalendarPage { shell: Shell::new(s, "calendar"), due_workday: ds.rule.due_workday, lock_after_days: ds.rule.lock_after_days, periods, days, zones, message, error })
}

pub async fn show(State(st): State<AppState>, AdminUser(s): AdminUser) -> Result<Html<String>, AppError> {
    Ok(Html(page(&st, &s, None, None).await?.render()?))
}

fn date(fields: &[(String, String)], key: &str, label: &str) -> Result<NaiveDate, String> {
    let v = fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()).unwrap_or("");
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| format!("{label}“{v}”不是有效日期（YYYY-MM-DD）"))
}

/// One form, several actions: `rule`, `window`, `exception`, `day`.
pub async fn update(State(st): State<AppState>, AdminUser(s): AdminUser, Form(fields): Form<Vec<(String, String)>>) -> Result<Response, AppError> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let actor = Actor::user(s.who.user_id, &s.who.username);
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let period = || get("period").parse::<Month>().map_err(|e| e.to_string());
    let result: Result<String, String> = async {
        match get("action").as_str() {
            "rule" => {
                let due: u32 = get("due_workday").parse().ok().filter(|d| (1..=20).contains(d)).ok_or("截止工作日应为 1 到 20 的整数")?;
                let lock: u32 = get("lock_after_days").parse().ok().filter(|d| *d <= 60).ok_or("锁定天数应为 0 到 60 的整数")?;
                let rule = CalendarRule { due_workday: due, lock_after_days: lock };
                collection::upsert_dataset(&st.db, &actor, &ds.code, &ds.name, rule, &ds.indicators).await.map_err(|e| e.to_string())?;
                Ok(format!("已改为：次月第{due}个工作日截止，截止后{lock}天锁定"))
            }
            "window" => {
                let p = period()?;
                let w = Window { period: p, opens: date(&fields, "opens", "开放日期")?, due: date(&fields, "due", "截止日期")?, locks: date(&fields, "locks", "锁定日期")? };
                collection::set_period_window(&st.db, &actor, &ds, p, w).await.map_err(|e| e.to_string())?;
                Ok(format!("已设置 {} 的填报期", p.label()))
            }
            "exception" => {
                let p = period()?;
                let due = date(&fields, "due", "截止日期")?;
                collection::set_due_exception(&st.db, &actor, &ds, &get("zone"), p, due).await.map_err(|e| e.to_string())?;
                Ok(format!("已为该开发区将 {} 的截止日期设为 {due}", p.label()))
            }
            "day" => {
                let d = date(&fields, "day", "日期")?;
                let workday = get("workday") == "1";
                collection::set_day_overrides(&st.db, &actor, &[DayOverride { date: d, workday }]).await.map_err(|e| e.to_string())?;
                Ok(format!("已将 {d} 设为{}", if workday { "调休上班日" } else { "节假日" }))
            }
            other => Err(format!("未知操作“{other}”")),
        }
    }
    .await;
    match result {
        Ok(m) => Ok(Html(page(&st, &s, Some(m), None).await?.render()?).into_response()),
        Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page(&st, &s, None, Some(e)).await?.render()?)).into_response()),
    }
}
