//! The published entropy / TOPSIS examples (tests/data/composite/published_small, transcribed from
//! the pyrepo-mcda and pymcdm test suites) at their published decimals, METHODS.md §3–4.

mod composite_util;

use composite_util::{inputs, read, round};
use nengji_core::evaluate::{entropy_weights, evaluate, Context, Direction, EntropyStandardise, Scheme};
use serde_json::{json, Value};

fn cases() -> Value {
    serde_json::from_str(&read("published_small/published_small_cases.json")).unwrap()
}

/// Columns (criteria) of a case's matrix, rows being alternatives.
fn columns(case: &Value) -> Vec<Vec<f64>> {
    let x: Vec<Vec<f64>> = serde_json::from_value(case["X"].clone()).unwrap();
    (0..x[0].len()).map(|j| x.iter().map(|r| r[j]).collect()).collect()
}

fn f64s(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn published_entropy_weights_with_s0() {
    let all = cases();
    let mut checked = 0;
    for (name, case) in all.as_object().unwrap() {
        let Some(published) = case.get("weights") else { continue };
        let cols = columns(case);
        let dirs = vec![Direction::Benefit; cols.len()];
        let w = entropy_weights(&cols, &dirs, EntropyStandardise::Raw, 0.0).unwrap();
        let dp = case["dp"].as_u64().unwrap() as u32;
        for (j, (got, want)) in w.iter().zip(f64s(published)).enumerate() {
            assert!((round(*got, dp) - want).abs() < 1e-12, "{name} weight {j}: {got} vs published {want} at {dp} dp");
        }
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        checked += 1;
    }
    assert_eq!(checked, 5, "Xu, Zavadskas & Podvezko, Ersoy, Lee & Chang, Elsayed");
}

/// A flat scheme: one indicator per column under a TOPSIS index.
fn flat_scheme(n: usize, types: &[f64], weighting: Value, scoring: Value, weights: Option<&[f64]>) -> Scheme {
    let indicators: Vec<Value> = (0..n)
        .map(|j| {
            let mut v = json!({
                "code": format!("c{j}"), "parent": "topsis",
                "direction": if types[j] > 0.0 { "benefit" } else { "cost" },
                "scoring": scoring,
            });
            if let Some(w) = weights {
                v["weight"] = json!(w[j]);
            }
            v
        })
        .collect();
    serde_json::from_value(json!({
        "code": "t", "weighting": weighting,
        "nodes": [{ "code": "topsis", "aggregation": { "method": "topsis" } }],
        "indicators": indicators,
    }))
    .unwrap()
}

fn run(cols: Vec<Vec<f64>>, scheme: &Scheme) -> nengji_core::evaluate::Outcome {
    let units: Vec<String> = (0..cols[0].len()).map(|i| format!("A{}", i + 1)).collect();
    let names: Vec<String> = (0..cols.len()).map(|j| format!("c{j}")).collect();
    let data = inputs(&units, names.iter().zip(cols).map(|(n, c)| (n.as_str(), c.into_iter().map(Some).collect())).collect());
    evaluate(scheme, &data, &Context::default()).unwrap()
}

#[test]
fn ersoy_2021_entropy_topsis_closeness_at_3dp() {
    let case = &cases()["ersoy2021_entropy_topsis"];
    let cols = columns(case);
    let types = f64s(&case["types"]);
    // Entropy S0 (raw, types ignored) with full-precision weights; classical TOPSIS on vector
    // normalised raw values with the types.
    let scheme = flat_scheme(cols.len(), &types, json!({ "method": "entropy", "standardise": "raw" }), json!({ "method": "vector" }), None);
    let o = run(cols.clone(), &scheme);
    for (i, want) in f64s(&case["closeness"]).into_iter().enumerate() {
        let got = o.index[i].unwrap();
        assert!((round(got, 3) - want).abs() < 1e-12, "A{}: {got} vs {want}", i + 1);
    }
    // The engine's entropy weights are the function's, and match the published 3-dp weights.
    let w = entropy_weights(&cols, &vec![Direction::Benefit; cols.len()], EntropyStandardise::Raw, 0.0).unwrap();
    for (j, want) in f64s(&case["weights"]).into_iter().enumerate() {
        let node = o.node(&format!("c{j}")).unwrap();
        assert_eq!(node.weight, w[j]);
        assert!((round(node.share, 3) - want).abs() < 1e-12);
    }
    // Ranks follow closeness: A5 first, A6 last.
    assert_eq!(o.ranks, vec![Some(3), Some(5), Some(2), Some(4), Some(1), Some(6)]);
    // With the published 3-dp weights the closeness only matches at 2 dp (METHODS.md §4).
    let rounded = flat_scheme(cols.len(), &types, json!({ "method": "manual" }), json!({ "method": "vector" }), Some(&f64s(&case["weights"])));
    let o2 = run(cols, &rounded);
    let published = f64s(&case["closeness"]);
    assert!((0..6).all(|i| (round(o2.index[i].unwrap(), 2) - round(published[i], 2)).abs() < 1e-12));
    assert!((0..6).any(|i| (round(o2.index[i].unwrap(), 3) - published[i]).abs() > 1e-12));
}

#[test]
fn opricovic_tzeng_2004_topsis_with_minmax_normalisation() {
    let case = &cases()["opricovic_tzeng2004_topsis"];
    let types = f64s(&case["types"]);
    let scheme = flat_scheme(2, &types, json!({ "method": "manual" }), json!({ "method": "min_max", "low": 0, "high": 1 }), Some(&f64s(&case["given_weights"])));
    let o = run(columns(case), &scheme);
    for (i, want) in f64s(&case["closeness"]).into_iter().enumerate() {
        assert!((round(o.index[i].unwrap(), 3) - want).abs() < 1e-12, "A{}: {:?}", i + 1, o.index[i]);
    }
    // A1 and A3 tie at exactly 0.5: both rank 2 (competition ranking), A2 first.
    assert_eq!(o.ranks, vec![Some(2), Some(1), Some(2)]);
    // Vector normalisation does NOT reproduce it (the entry's note).
    let vector = flat_scheme(2, &types, json!({ "method": "manual" }), json!({ "method": "vector" }), Some(&[0.5, 0.5]));
    let o = run(columns(case), &vector);
    assert!((round(o.index[1].unwrap(), 3) - 0.617).abs() > 1e-9);
}
