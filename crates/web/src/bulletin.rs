//! The monthly bulletin: generated from approved data, versioned drafts, issued by the office,
//! downloadable as .docx, .xlsx and PDF. Drafts are generated automatically once every zone's
//! report for a month is approved.

use std::collections::HashMap;

use chrono::Datelike;
use nengji_core::bulletin::{self, Bulletin, BulletinInput, IndicatorInput, ZoneFigure};
use nengji_core::indicator::IndicatorKind;
use nengji_core::period::Month;
use nengji_store::collection::{self, Status};
use nengji_store::observations::{self, Filter};
use nengji_store::{bulletins, masterdata, seed, Actor, Db};

use crate::error::AppError;

/// The indicators a bulletin reports, in order.
pub const INDICATORS: &[&str] = &["revenue", "gdp", "tax", "fdi", "trade", "ind_va", "hitech_va", "fai"];

/// Editable wording: (setting key, label, default).
pub const SETTINGS: [(&str, &str, &str); 3] = [
    ("title", "标题模板", bulletin::DEFAULT_TITLE),
    ("issuer", "印发机关", bulletin::DEFAULT_ISSUER),
    ("summary", "总体情况模板", bulletin::DEFAULT_SUMMARY),
];

pub async fn setting(db: &Db, key: &str) -> Result<String, AppError> {
    let default = SETTINGS.iter().find(|(k, _, _)| *k == key).map(|(_, _, d)| *d).unwrap_or("");
    Ok(bulletins::setting(db, key).await?.unwrap_or_else(|| default.to_string()))
}

fn chinese_date(d: chrono::NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Builds the bulletin of a month from approved values (nothing is stored).
pub async fn compose(db: &Db, period: Month) -> Result<Bulletin, AppError> {
    let zones = masterdata::list_zones(db).await?;
    let inds = masterdata::list_indicators(db).await?;
    let f = Filter {
        zones: Some(zones.iter().map(|z| z.zone.code.clone()).collect()),
        indicators: Some(INDICATORS.iter().map(|s| s.to_string()).collect()),
        from: Some(period.prior_year()),
        to: Some(period),
        approved_only: true,
        any_order: false,
    };
    let rows = observations::query(db, &f).await?;
    let demo = rows.iter().any(|o| o.is_demo && o.period == period.to_string());
    let by: HashMap<(String, String, String), &observations::Observation> =
        rows.iter().map(|o| ((o.zone.clone(), o.indicator.clone(), o.period.clone()), o)).collect();
    let get = |z: &str, i: &str, m: Month| by.get(&(z.to_string(), i.to_string(), m.to_string())).copied();
    let indicators = INDICATORS
        .iter()
        .filter_map(|code| inds.iter().find(|i| i.indicator.code == *code))
        .map(|i| {
            let i = &i.indicator;
            IndicatorInput {
                code: i.code.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
                decimals: i.decimals,
                flow: i.kind == IndicatorKind::Flow,
                zones: zones
                    .iter()
                    .map(|z| {
                        let cur = get(&z.zone.code, &i.code, period);
                        ZoneFigure {
                            zone: z.zone.code.clone(),
                            zone_name: z.zone.short_name.clone(),
                            value: cur.map(|o| o.value),
                            comparable: cur.and_then(|o| o.prior_comparable),
                            last_year: get(&z.zone.code, &i.code, period.prior_year()).map(|o| o.value),
                            // Last month's 位次 compares 累计 within the same year only.
                            last_month_value: (period.month() > 1).then(|| get(&z.zone.code, &i.code, period.offset(-1)).map(|o| o.value)).flatten(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let (title, issuer, summary) = (setting(db, "title").await?, setting(db, "issuer").await?, setting(db, "summary").await?);
    let today = crate::collect::today();
    bulletin::build(BulletinInput {
        period,
        number: format!("{}年第{}期", period.year(), period.month()),
        date: chinese_date(today),
        title_template: &title,
        issuer: &issuer,
        summary_template: &summary,
        indicators,
        demo,
    })
    .map_err(|e| AppError::BadRequest(format!("通报模板有误：{e}")))
}

/// Generates and stores a new draft version for a month.
pub async fn generate(db: &Db, actor: &Actor, period: Month) -> Result<i64, AppError> {
    let b = compose(db, period).await?;
    if b.tables.iter().all(|t| t.rows.iter().all(|r| r.rank.is_none())) {
        return Err(AppError::BadRequest(format!("{}没有已审核的数据，无法生成通报", period.label())));
    }
    Ok(bulletins::create_draft(db, actor, &b).await?)
}

/// After approvals: months whose every zone is now approved get a draft, once.
pub async fn draft_when_complete(db: &Db, periods: &[Month]) -> Result<Vec<i64>, AppError> {
    let ds = collection::dataset(db, seed::MONTHLY).await?;
    let zone_count = masterdata::list_zones(db).await?.len();
    let existing = bulletins::list(db, false).await?;
    let mut made = Vec::new();
    for p in periods {
        let subs = collection::submissions(db, &ds, Some(std::slice::from_ref(p))).await?;
        let approved = subs.iter().filter(|s| matches!(s.status, Status::Approved | Status::Locked)).count();
        if approved == zone_count && !existing.iter().any(|b| b.period == p.to_string()) {
            made.push(generate(db, &Actor::system("自动生成"), *p).await?);
        }
    }
    Ok(made)
}

/// The bulletin's chart: each zone's figure of the first table (主营业务收入), as SVG.
pub fn chart(b: &Bulletin) -> String {
    let Some(t) = b.tables.first() else { return String::new() };
    nengji_office::chart::bar_chart(&nengji_office::chart::BarChart {
        title: format!("各开发区{}", t.title),
        unit: t.unit.clone(),
        labels: t.rows.iter().map(|r| r.zone_name.clone()).collect(),
        values: t.rows.iter().map(|r| r.value.parse().ok()).collect(),
        highlight: None,
        width: 900,
        height: 380,
    })
}
