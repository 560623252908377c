//! The indicator catalogue and the unit directory.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use nengji_core::codes::division_name;
use nengji_store::masterdata;

use crate::auth::PageUser;
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub struct IndicatorItem {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub kind: String,
    pub direction: String,
    pub decimals: u8,
    pub formula: String,
    pub owner: String,
    pub monthly: bool,
    pub description: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    shell: Shell,
    indicators: Vec<IndicatorItem>,
}

pub async fn indicators(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    let units = masterdata::list_units(&st.db).await?;
    let items = masterdata::list_indicators(&st.db)
        .await?
        .into_iter()
        .map(|i| {
            let i = i.indicator;
            IndicatorItem {
                owner: i.owner_unit.as_deref().map(|c| units.iter().find(|u| u.code == c).map(|u| u.name.clone()).unwrap_or_else(|| c.to_string())).unwrap_or_default(),
                kind: i.kind.label().into(),
                direction: i.direction.label().into(),
                formula: i.formula.unwrap_or_default(),
                code: i.code,
                name: i.name,
                unit: i.unit,
                decimals: i.decimals,
                monthly: i.monthly,
                description: i.description,
            }
        })
        .collect();
    Ok(Html(IndicatorsPage { shell: Shell::new(&s, "indicators"), indicators: items }.render()?))
}

pub struct UnitItem {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub county: String,
    pub aliases: String,
}

pub struct CollectiveItem {
    pub name: String,
    pub members: String,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    shell: Shell,
    units: Vec<UnitItem>,
    collectives: Vec<CollectiveItem>,
}

pub async fn units(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    let units = masterdata::list_units(&st.db).await?;
    let name_of = |code: &str| units.iter().find(|u| u.code == code).map(|u| u.name.clone()).unwrap_or_else(|| code.to_string());
    let collectives = masterdata::list_collectives(&st.db)
        .await?
        .into_iter()
        .map(|c| CollectiveItem { count: c.members.len(), members: c.members.iter().map(|m| name_of(m)).collect::<Vec<_>>().join("、"), name: c.name })
        .collect();
    let items = units
        .iter()
        .map(|u| UnitItem {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.label().into(),
            county: u.county_code.as_deref().and_then(division_name).unwrap_or("").into(),
            aliases: u.aliases.join("、"),
        })
        .collect();
    Ok(Html(UnitsPage { shell: Shell::new(&s, "units"), units: items, collectives }.render()?))
}
