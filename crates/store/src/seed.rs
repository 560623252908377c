//! Loads the plan's master data and the demo values. Idempotent: a second run changes nothing.

use nengji_core::calendar::CalendarRule;
use nengji_core::{catalog, demo};
use serde::Serialize;

use crate::audit::Actor;
use crate::db::Db;
use crate::masterdata::{self, UpsertSummary};

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct MasterDataSummary {
    pub groups: UpsertSummary,
    pub zones: UpsertSummary,
    pub units: UpsertSummary,
    pub collectives: UpsertSummary,
    pub indicators: UpsertSummary,
}

/// Zones, groups, units, collectives and indicators named by the plan.
pub async fn master_data(db: &Db, actor: &Actor) -> crate::Result<MasterDataSummary> {
    let summary = MasterDataSummary {
        groups: masterdata::upsert_groups(db, actor, &catalog::zone_groups()).await?,
        zones: masterdata::upsert_zones(db, actor, &catalog::zones()).await?,
        units: masterdata::upsert_units(db, actor, &catalog::units()).await?,
        collectives: masterdata::upsert_collectives(db, actor, &catalog::collectives()).await?,
        indicators: masterdata::upsert_indicators(db, actor, &catalog::indicators()).await?,
    };
    // The 每月一通报 data set: every indicator zones report monthly.
    let monthly: Vec<String> = catalog::indicators().into_iter().filter(|i| i.monthly).map(|i| i.code).collect();
    crate::collection::upsert_dataset(db, actor, MONTHLY, "月度主要经济指标", CalendarRule::default(), &monthly).await?;
    // Default validation rules only on first load: afterwards the rules are the office's.
    if crate::rules::list(db).await?.is_empty() {
        crate::rules::upsert(db, actor, &nengji_core::validate::default_rules(&catalog::indicators())).await?;
    }
    Ok(summary)
}

/// Code of the monthly main-indicator data set.
pub const MONTHLY: &str = "monthly_main";

/// The 示例数据 monthly values for 2016-01 … 2020-12.
pub async fn demo_values(db: &Db, actor: &Actor) -> crate::Result<usize> {
    crate::observations::load_demo(db, actor, &demo::values()).await
}
