//! Shared by the entry pages, the review pages and the batch API: what a zone must report,
//! who may touch which report, and turning parsed values into a checked, written batch.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use nengji_core::auth::{Principal, Role};
use nengji_core::entry::{parse_value_table, LocatedValue};
use nengji_core::indicator::IndicatorKind;
use nengji_core::masterdata::{CellError, Sheet};
use nengji_core::period::Month;
use nengji_store::collection::{self, Calendar, Dataset};
use nengji_store::masterdata::{self, StoredIndicator};
use nengji_store::observations::{self, Filter, Observation};
use nengji_store::Db;

use crate::error::AppError;

/// Today in China (UTC+8): the calendar's dates are Beijing dates.
pub fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).date_naive()
}

/// May this person enter data for the zone? Zone reporters for their zones; the office for any.
pub fn can_enter(who: &Principal, zone: &str) -> bool {
    match who.role {
        Role::Admin => true,
        Role::ZoneReporter => who.zones.iter().any(|z| z == zone),
        _ => false,
    }
}

/// May this person approve, return and un-approve?
pub fn can_review(who: &Principal) -> bool {
    matches!(who.role, Role::Admin | Role::Reviewer)
}

/// Zones this person reports for.
pub async fn entry_zones(db: &Db, who: &Principal) -> Result<Vec<nengji_store::masterdata::StoredZone>, AppError> {
    Ok(masterdata::list_zones(db).await?.into_iter().filter(|z| can_enter(who, &z.zone.code)).collect())
}

/// The indicators of a data set, in its order.
pub async fn dataset_indicators(db: &Db, ds: &Dataset) -> Result<Vec<StoredIndicator>, AppError> {
    let all = masterdata::list_indicators(db).await?;
    Ok(ds.indicators.iter().filter_map(|c| all.iter().find(|i| &i.indicator.code == c).cloned()).collect())
}

/// Values of one zone around a period (this month, last month, the year before), any status.
pub async fn around(db: &Db, zone: &str, period: Month) -> Result<HashMap<(String, Month), Observation>, AppError> {
    let f = Filter {
        zones: Some(vec![zone.to_string()]),
        from: Some(period.prior_year().offset(-1)),
        to: Some(period),
        ..Filter::default()
    };
    Ok(observations::query(db, &f)
        .await?
        .into_iter()
        .filter_map(|o| Some(((o.indicator.clone(), o.period.parse().ok()?), o)))
        .collect())
}

/// Parses an uploaded sheet for this person: only their zones, only reportable indicators, only open periods.
pub async fn parse_upload(db: &Db, who: &Principal, ds: &Dataset, table: &(dyn Sheet + Send)) -> Result<Result<Vec<LocatedValue>, Vec<CellError>>, AppError> {
    let zones: HashSet<String> = entry_zones(db, who).await?.into_iter().map(|z| z.zone.code).collect();
    let inds = masterdata::list_indicators(db).await?;
    let reportable: HashMap<String, bool> = inds
        .iter()
        .map(|i| (i.indicator.code.clone(), i.indicator.kind != IndicatorKind::Formula && ds.indicators.contains(&i.indicator.code)))
        .collect();
    let cal = Calendar::load(db, ds).await?;
    let today = today();
    let open = |zone: &str, m: Month| -> Result<(), String> {
        let w = cal.window(Some(zone), m);
        match w.state(today) {
            nengji_core::calendar::WindowState::NotOpen => Err(format!("{}尚未开放填报（{} 开放）", m.label(), w.opens)),
            nengji_core::calendar::WindowState::Locked => Err(format!("{}的填报期已于 {} 结束", m.label(), w.locks)),
            _ => Ok(()),
        }
    };
    Ok(parse_value_table(table, &zones, &reportable, &open))
}

/// Readable text of an entry refusal.
pub fn entry_error(e: collection::EntryError) -> Result<String, AppError> {
    match e {
        collection::EntryError::Store(e) => Err(e.into()),
        other => Ok(other.to_string()),
    }
}
