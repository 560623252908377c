//! Read models for the figures pages show: values at a month, 当月 from 累计, 同比 growth.

use std::collections::HashMap;

use nengji_core::indicator::IndicatorKind;
use nengji_core::period::Month;
use nengji_core::series::{format_growth, growth_pct, month_from_cumulative};
use nengji_store::masterdata::StoredIndicator;
use nengji_store::observations::{self, Filter, Observation};
use nengji_store::Db;

/// The main indicators of the home page, in column order.
pub const MAIN: &[&str] = &["revenue", "gdp", "tax", "fdi", "ind_va", "hitech_ent"];

/// One shown figure: the formatted value and its year-on-year growth.
#[derive(Debug, Clone, Default)]
pub struct Figure {
    pub value: String,
    pub month_value: String,
    pub prior: String,
    pub growth: String,
    /// `up`, `down` or empty, for colouring.
    pub trend: &'static str,
}

/// Values of some zones for a month, its previous month and the same month a year before.
pub struct Snapshot {
    pub period: Month,
    by_key: HashMap<(String, String, Month), Observation>,
    pub demo: bool,
}

impl Snapshot {
    pub async fn load(db: &Db, zones: Vec<String>, indicators: Option<Vec<String>>, period: Month, approved_only: bool) -> nengji_store::Result<Snapshot> {
        let f = Filter { zones: Some(zones), indicators, from: Some(period.prior_year().offset(-1)), to: Some(period), approved_only, any_order: false };
        let rows = observations::query(db, &f).await?;
        let wanted = [period, period.offset(-1), period.prior_year(), period.prior_year().offset(-1)];
        let demo = rows.iter().any(|o| o.is_demo);
        let by_key = rows
            .into_iter()
            .filter_map(|o| {
                let m: Month = o.period.parse().ok()?;
                wanted.contains(&m).then(|| ((o.zone.clone(), o.indicator.clone(), m), o))
            })
            .collect();
        Ok(Snapshot { period, by_key, demo })
    }

    fn get(&self, zone: &str, ind: &str, m: Month) -> Option<&Observation> {
        self.by_key.get(&(zone.to_string(), ind.to_string(), m))
    }

    /// The figure of a zone for an indicator: 累计 (flows) or level (stocks), 当月, and 同比
    /// against the 上年同期可比数 when reported, else last year's stored value.
    pub fn figure(&self, zone: &str, ind: &StoredIndicator) -> Figure {
        let i = &ind.indicator;
        let Some(cur) = self.get(zone, &i.code, self.period) else { return Figure { value: "—".into(), ..Figure::default() } };
        let last_year = self.get(zone, &i.code, self.period.prior_year()).map(|o| o.value);
        let base = cur.prior_comparable.or(last_year);
        let g = growth_pct(cur.value, base);
        let month_value = if i.kind == IndicatorKind::Flow {
            let prev = self.get(zone, &i.code, self.period.offset(-1)).map(|o| o.value);
            month_from_cumulative(self.period.month(), cur.value, prev).map(|v| i.format(v)).unwrap_or_else(|| "—".into())
        } else {
            String::new()
        };
        Figure {
            value: i.format(cur.value),
            month_value,
            prior: base.map(|b| i.format(b)).unwrap_or_else(|| "—".into()),
            growth: format_growth(g),
            trend: match g {
                Some(v) if v > 0.05 => "up",
                Some(v) if v < -0.05 => "down",
                _ => "",
            },
        }
    }
}

/// Parses `?period=` or falls back to the latest month with data.
pub async fn choose_period(db: &Db, requested: Option<&str>) -> Result<Option<Month>, crate::error::AppError> {
    match requested.filter(|s| !s.is_empty()) {
        Some(s) => s.parse().map(Some).map_err(|e: nengji_core::period::BadMonth| crate::error::AppError::BadRequest(e.to_string())),
        None => Ok(observations::latest_period(db).await?),
    }
}
