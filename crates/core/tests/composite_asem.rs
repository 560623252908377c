//! COINr's ASEM pipeline (METHODS.md §2, §5): raw data → min-max [0,100] → weighted arithmetic
//! mean over the 4-level tree with missing values, and min-max [1,100] → geometric mean, against
//! tests/data/composite/asem/expected_*.csv (written by coinr_reference.py there, an
//! independent re-implementation of COINr 1.1.14's formulas) within 1e-9.

mod composite_util;

use composite_util::{csv, inputs, num};
use nengji_core::evaluate::{evaluate, Context, Outcome, Scheme};
use serde_json::{json, Value};

fn asem(low: f64, aggregation: &str) -> (Scheme, nengji_core::evaluate::Inputs) {
    let meta = csv("asem/input_ASEM_iMeta.csv");
    let mut indicators = Vec::new();
    let mut nodes = Vec::new();
    for m in &meta {
        let parent = (!m["Parent"].is_empty()).then(|| m["Parent"].clone());
        match m["Type"].as_str() {
            "Indicator" => indicators.push(json!({
                "code": m["iCode"], "name": m["iName"], "parent": parent,
                "weight": num(&m["Weight"]),
                "direction": if m["Direction"] == "1" { "benefit" } else { "cost" },
            })),
            "Aggregate" => nodes.push(json!({ "code": m["iCode"], "name": m["iName"], "parent": parent, "weight": num(&m["Weight"]) })),
            _ => {}
        }
    }
    let scheme: Scheme = serde_json::from_value(json!({
        "code": "asem", "name": "ASEM Sustainable Connectivity",
        "scoring": { "method": "min_max", "low": low, "high": 100 },
        "aggregation": { "method": aggregation },
        "nodes": nodes, "indicators": indicators,
    }))
    .unwrap();
    let data = csv("asem/input_ASEM_iData.csv");
    let units: Vec<String> = data.iter().map(|r| r["uCode"].clone()).collect();
    let codes: Vec<String> = scheme.indicators.iter().map(|i| i.code.clone()).collect();
    let cols = codes.iter().map(|c| (c.as_str(), data.iter().map(|r| num(&r[c])).collect())).collect();
    let inputs = inputs(&units, cols);
    (scheme, inputs)
}

fn compare(o: &Outcome, expected_file: &str) -> usize {
    let expected = csv(expected_file);
    let mut n = 0;
    for row in &expected {
        let i = o.unit_index(&row["uCode"]).unwrap();
        for (code, cell) in row.iter().filter(|(k, _)| k.as_str() != "uCode") {
            let got = o.node(code).unwrap_or_else(|| panic!("node {code}")).values.at(i);
            match (got, num(cell)) {
                (Some(g), Some(e)) => assert!((g - e).abs() <= 1e-9, "{} {code}: {g} vs {e}", row["uCode"]),
                (None, None) => {}
                (g, e) => panic!("{} {code}: {g:?} vs {e:?}", row["uCode"]),
            }
            n += 1;
        }
    }
    n
}

#[test]
fn minmax_0_100_arithmetic_mean_with_missing_values() {
    let (scheme, data) = asem(0.0, "arithmetic");
    assert!(data.columns.iter().any(|c| c.values.iter().any(|v| v.is_none())), "ASEM has missing values");
    let o = evaluate(&scheme, &data, &Context::default()).unwrap();
    assert_eq!(o.nodes.iter().map(|n| n.level).max(), Some(4));
    assert_eq!(compare(&o, "asem/expected_amean_0_100.csv"), 51 * 60);
    // Missing values are reported, not hidden.
    assert!(o.notices.iter().any(|n| n.contains("缺失值")));
}

#[test]
fn minmax_1_100_geometric_mean() {
    let (scheme, data) = asem(1.0, "geometric");
    let o = evaluate(&scheme, &data, &Context::default()).unwrap();
    assert_eq!(compare(&o, "asem/expected_gmean_1_100.csv"), 51 * 60);
}

#[test]
fn geometric_mean_on_0_100_scores_is_refused() {
    // min-max [0,100] gives exact zeros, where the geometric mean is undefined (COINr stops).
    let (scheme, data) = asem(0.0, "geometric");
    let err = evaluate(&scheme, &data, &Context::default()).unwrap_err().to_string();
    assert!(err.contains("几何平均要求各项得分为正"), "{err}");
    assert!(err.contains("1–100"), "{err}");
}

#[allow(dead_code)]
fn _unused(_: Value) {}
