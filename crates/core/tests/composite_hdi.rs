//! UNDP's HDI as a scheme (METHODS.md §8): goalposts with the life-expectancy cap at 85, the log
//! of income, the arithmetic mean of the two education indices and the geometric mean of the
//! three dimensions. Every published HDI 1990–2021 at 3 dp and every 2021 rank (ranks of the
//! 3-dp values, ties min) from the HDR21-22 time series.

mod composite_util;

use composite_util::{csv, inputs, num, round};
use nengji_core::evaluate::{evaluate, Context, Scheme};
use serde_json::json;

fn hdi_scheme() -> Scheme {
    serde_json::from_value(json!({
        "code": "hdi", "name": "人类发展指数", "weighting": { "method": "equal" },
        "aggregate_missing": "require_all",
        "ranking": { "round": 3 },
        "nodes": [
            { "code": "hdi", "aggregation": { "method": "geometric" } },
            { "code": "health", "parent": "hdi" },
            { "code": "education", "parent": "hdi" },
            { "code": "income", "parent": "hdi" },
        ],
        "indicators": [
            { "code": "le", "parent": "health", "scoring": { "method": "goalposts", "low": 20, "high": 85, "scale": 1 } },
            { "code": "eys", "parent": "education", "scoring": { "method": "goalposts", "low": 0, "high": 18, "scale": 1 } },
            { "code": "mys", "parent": "education", "scoring": { "method": "goalposts", "low": 0, "high": 15, "scale": 1 } },
            { "code": "gnipc", "parent": "income", "transform": "log", "scoring": { "method": "goalposts", "low": 100, "high": 75000, "scale": 1 } },
        ],
    }))
    .unwrap()
}

#[test]
fn every_published_hdi_value_and_2021_rank() {
    let rows: Vec<_> = csv("hdi/HDR21-22_Composite_indices_complete_time_series.csv").into_iter().filter(|r| !r["iso3"].starts_with("ZZ")).collect();
    assert_eq!(rows.len(), 195);
    let scheme = hdi_scheme();
    let mut checked = 0;
    for year in 1990..=2021 {
        // The countries UNDP published that year (it left out Rwanda 1990–94, whose inputs are
        // there: in 1994 its life expectancy of 14.1 years gives a health index of 0).
        let have: Vec<_> = rows.iter().filter(|r| num(&r[&format!("hdi_{year}")]).is_some()).collect();
        let units: Vec<String> = have.iter().map(|r| r["iso3"].clone()).collect();
        let col = |k: &str| have.iter().map(|r| num(&r[&format!("{k}_{year}")])).collect::<Vec<_>>();
        let data = inputs(&units, vec![("le", col("le")), ("eys", col("eys")), ("mys", col("mys")), ("gnipc", col("gnipc"))]);
        let o = evaluate(&scheme, &data, &Context::default()).unwrap();
        for r in &rows {
            let Some(published) = num(&r[&format!("hdi_{year}")]) else { continue };
            let i = o.unit_index(&r["iso3"]).unwrap_or_else(|| panic!("{} {year}: published but inputs missing", r["iso3"]));
            let got = o.index[i].unwrap();
            assert!((round(got, 3) - published).abs() < 1e-9, "{} {year}: {got} vs {published}", r["iso3"]);
            checked += 1;
        }
    }
    assert_eq!(checked, 5571, "all country-years 1990–2021");
}

#[test]
fn a_zero_dimension_index_under_the_geometric_mean_is_refused() {
    let rows: Vec<_> = csv("hdi/HDR21-22_Composite_indices_complete_time_series.csv").into_iter().filter(|r| r["iso3"] == "RWA" || r["iso3"] == "BDI").collect();
    let units: Vec<String> = rows.iter().map(|r| r["iso3"].clone()).collect();
    let col = |k: &str| rows.iter().map(|r| num(&r[&format!("{k}_1994")])).collect::<Vec<_>>();
    let data = inputs(&units, vec![("le", col("le")), ("eys", col("eys")), ("mys", col("mys")), ("gnipc", col("gnipc"))]);
    let err = evaluate(&hdi_scheme(), &data, &Context::default()).unwrap_err().to_string();
    assert!(err.contains("几何平均要求各项得分为正") && err.contains("RWA"), "{err}");
}

#[test]
fn the_2021_ranks_are_the_ranks_of_the_rounded_values() {
    let rows: Vec<_> = csv("hdi/HDR21-22_Composite_indices_complete_time_series.csv")
        .into_iter()
        .filter(|r| !r["iso3"].starts_with("ZZ") && num(&r["hdi_rank_2021"]).is_some())
        .collect();
    assert_eq!(rows.len(), 191);
    let units: Vec<String> = rows.iter().map(|r| r["iso3"].clone()).collect();
    let col = |k: &str| rows.iter().map(|r| num(&r[&format!("{k}_2021")])).collect::<Vec<_>>();
    let data = inputs(&units, vec![("le", col("le")), ("eys", col("eys")), ("mys", col("mys")), ("gnipc", col("gnipc"))]);
    let o = evaluate(&hdi_scheme(), &data, &Context::default()).unwrap();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(o.ranks[i], Some(num(&r["hdi_rank_2021"]).unwrap() as u32), "{}", r["iso3"]);
    }
    // Without rounding some ties break differently: the rounding is part of the published rule.
    let mut unrounded = hdi_scheme();
    unrounded.ranking.round = None;
    let o2 = evaluate(&unrounded, &data, &Context::default()).unwrap();
    assert_ne!(o2.ranks, o.ranks);
}
