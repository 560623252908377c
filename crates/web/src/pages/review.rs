//! Review for the office and leaders: approve (one or many), return, un-approve, lock; the
//! completeness matrix; values changed after approval.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use nengji_core::calendar::{timeliness, Timeliness};
use nengji_core::period::Month;
use nengji_store::collection::{self, Calendar, Status, Transition};
use nengji_store::{masterdata, seed, Actor};
use serde::Deserialize;

use crate::auth::{PageUser, Session};
use crate::collect::{can_review, entry_error, today};
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub struct ReviewRow {
    pub zone: String,
    pub zone_name: String,
    pub period: String,
    pub period_label: String,
    pub status: String,
    pub status_code: String,
    pub version: i64,
    pub submitted: String,
    pub flagged: bool,
}

pub struct LateRow {
    pub zone: String,
    pub indicator: String,
    pub period: String,
    pub change: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    shell: Shell,
    rows: Vec<ReviewRow>,
    late: Vec<LateRow>,
    message: Option<String>,
    error: Option<String>,
}

fn reviewer(s: &Session) -> Result<(), AppError> {
    if can_review(&s.who) { Ok(()) } else { Err(AppError::Forbidden) }
}

async fn page(st: &AppState, s: &Session, message: Option<String>, error: Option<String>) -> Result<ReviewPage, AppError> {
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let zones = masterdata::list_zones(&st.db).await?;
    let name = |c: &str| zones.iter().find(|z| z.zone.code == c).map(|z| z.zone.short_name.clone()).unwrap_or_else(|| c.to_string());
    let rows = collection::submissions(&st.db, &ds, None)
        .await?
        .into_iter()
        .filter(|x| x.status != Status::Locked)
        .take(300)
        .map(|x| ReviewRow {
            zone_name: name(&x.zone),
            period_label: x.period.parse::<Month>().map(|m| m.label()).unwrap_or_default(),
            status: x.status.label().into(),
            status_code: x.status.code().into(),
            version: x.version,
            submitted: x.submitted_at.map(crate::pages::beijing).unwrap_or_default(),
            flagged: x.changed_after_approval,
            zone: x.zone,
            period: x.period,
        })
        .collect();
    let inds = masterdata::list_indicators(&st.db).await?;
    let late = collection::changes_after_approval(&st.db, 50)
        .await?
        .into_iter()
        .map(|l| {
            let ind = inds.iter().find(|i| i.indicator.code == l.indicator);
            let f = |v: Option<f64>| v.map(|x| ind.map(|i| i.indicator.format(x)).unwrap_or_else(|| x.to_string())).unwrap_or_else(|| "—".into());
            LateRow {
                zone: name(&l.zone),
                indicator: ind.map(|i| i.indicator.name.clone()).unwrap_or(l.indicator.clone()),
                period: l.period,
                change: format!("{} → {}", f(l.old_value), f(l.new_value)),
                by: l.changed_by,
                at: crate::pages::beijing(l.changed_at),
            }
        })
        .collect();
    Ok(ReviewPage { shell: Shell::new(s, "review"), rows, late, message, error })
}

pub async fn list(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    reviewer(&s)?;
    Ok(Html(page(&st, &s, None, None).await?.render()?))
}

/// One form for every step: `action` = approve | return | unapprove | lock; `t` = `zone|period|version`
/// (repeated for bulk approval); `reason` where the step needs one.
pub async fn act(State(st): State<AppState>, PageUser(s): PageUser, Form(fields): Form<Vec<(String, String)>>) -> Result<Response, AppError> {
    reviewer(&s)?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let t = match get("action").as_str() {
        "approve" => Transition::Approve,
        "return" => Transition::Return,
        "unapprove" => Transition::Unapprove,
        "lock" if s.who.role.is_admin() => Transition::Lock,
        "lock" => return Err(AppError::Forbidden),
        other => return Err(AppError::BadRequest(format!("未知操作“{other}”"))),
    };
    let mut targets = Vec::new();
    for (_, v) in fields.iter().filter(|(k, _)| k == "t") {
        let mut parts = v.split('|');
        let (Some(zone), Some(period), version) = (parts.next(), parts.next().and_then(|p| p.parse::<Month>().ok()), parts.next().and_then(|v| v.parse().ok())) else {
            return Err(AppError::BadRequest(format!("无效的报表标识“{v}”")));
        };
        targets.push((zone.to_string(), period, version));
    }
    if targets.is_empty() {
        let p = page(&st, &s, None, Some("请至少选择一张报表".into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(p.render()?)).into_response());
    }
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let n = targets.len();
    match collection::transition(&st.db, &Actor::user(s.who.user_id, &s.who.username), &ds, t, &targets, &get("reason")).await {
        Ok(()) => {
            let mut msg = format!("已{} {n} 张报表", t.label());
            if t == Transition::Approve {
                // A month whose every zone is approved gets its bulletin draft now.
                let mut periods: Vec<Month> = targets.iter().map(|(_, p, _)| *p).collect();
                periods.sort();
                periods.dedup();
                for id in crate::bulletin::draft_when_complete(&st.db, &periods).await? {
                    msg.push_str(&format!("；全部开发区已审核，已自动生成通报草稿（编号 {id}），请到“月度通报”审阅"));
                }
            }
            Ok(Html(page(&st, &s, Some(msg), None).await?.render()?).into_response())
        }
        Err(e) => {
            let status = if matches!(e, collection::EntryError::Conflict { .. }) { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok((status, Html(page(&st, &s, None, Some(entry_error(e)?)).await?.render()?)).into_response())
        }
    }
}

pub struct MatrixCell {
    pub label: String,
    pub class: &'static str,
    pub link: String,
}

pub struct MatrixRow {
    pub zone: String,
    pub cells: Vec<MatrixCell>,
}

#[derive(Template)]
#[template(path = "matrix.html")]
struct MatrixPage {
    shell: Shell,
    periods: Vec<String>,
    rows: Vec<MatrixRow>,
    end: String,
}

#[derive(Deserialize)]
pub struct MatrixQuery {
    end: Option<String>,
}

/// Zones × the last 6 periods: 未报送 / 草稿 / 按时报送 / 逾期报送 / 已审核.
pub async fn matrix(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<MatrixQuery>) -> Result<Html<String>, AppError> {
    reviewer(&s)?;
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let cal = Calendar::load(&st.db, &ds).await?;
    let today = today();
    let end = match q.end.filter(|e| !e.is_empty()) {
        Some(e) => e.parse::<Month>().map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => collection::submissions(&st.db, &ds, None).await?.first().and_then(|x| x.period.parse().ok())
            .unwrap_or_else(|| Month::new(2021, 1).expect("valid")),
    };
    let periods: Vec<Month> = (0..6).rev().map(|k| end.offset(-k)).collect();
    let subs = collection::submissions(&st.db, &ds, Some(&periods)).await?;
    let rows = masterdata::list_zones(&st.db)
        .await?
        .into_iter()
        .map(|z| MatrixRow {
            cells: periods
                .iter()
                .map(|p| {
                    let sub = subs.iter().find(|x| x.zone == z.zone.code && x.period == p.to_string());
                    let w = cal.window(Some(&z.zone.code), *p);
                    let submitted = sub.filter(|x| x.status != Status::Draft).and_then(|x| x.submitted_at)
                        .map(|t| t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).date_naive());
                    let (label, class) = match (sub.map(|x| x.status), timeliness(&w, submitted, today)) {
                        (Some(Status::Approved | Status::Locked), _) => ("已审核".to_string(), "approved"),
                        (Some(Status::Submitted), Timeliness::Late) => ("逾期报送".into(), "late"),
                        (Some(Status::Submitted), _) => ("按时报送".into(), "ontime"),
                        (Some(Status::Draft), t) => (format!("草稿（{}）", t.label()), "draft"),
                        (None, t) => (t.label().to_string(), if t == Timeliness::Late || t == Timeliness::Missing { "missing" } else { "" }),
                    };
                    MatrixCell { label, class, link: format!("/entry/{}/{p}", z.zone.code) }
                })
                .collect(),
            zone: z.zone.short_name,
        })
        .collect();
    Ok(Html(MatrixPage { shell: Shell::new(&s, "review"), periods: periods.iter().map(|p| p.label()).collect(), rows, end: end.to_string() }.render()?))
}


pub struct OutlierRow {
    pub zone: String,
    pub indicator: String,
    pub value: String,
    pub median: String,
    pub score: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "outliers.html")]
struct OutliersPage {
    shell: Shell,
    period: String,
    rows: Vec<OutlierRow>,
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// The follow-up list: values far from their zone's last two years (modified z-score > 3.5).
pub async fn outliers(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<PeriodQuery>) -> Result<Html<String>, AppError> {
    reviewer(&s)?;
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    let period = match q.period.filter(|p| !p.is_empty()) {
        Some(p) => p.parse::<Month>().map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => nengji_store::observations::latest_period(&st.db).await?.unwrap_or(Month::JANUARY_2021),
    };
    let zones = masterdata::list_zones(&st.db).await?;
    let rows = crate::checks::outliers(&st.db, &ds, period)
        .await?
        .into_iter()
        .map(|o| OutlierRow {
            link: format!("/entry/{}/{period}", o.zone),
            zone: zones.iter().find(|z| z.zone.code == o.zone).map(|z| z.zone.short_name.clone()).unwrap_or(o.zone),
            indicator: o.indicator,
            value: format!("{:.2}", o.value),
            median: format!("{:.2}", o.median),
            score: format!("{:.1}", o.score),
        })
        .collect();
    Ok(Html(OutliersPage { shell: Shell::new(&s, "review"), period: period.to_string(), rows }.render()?))
}
