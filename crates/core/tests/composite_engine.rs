//! The engine beyond the published indices: scoring and weighting formulas against hand-computed
//! figures, deductions/bonuses/vetoes with evidence, ranking conventions, consequences, the
//! explanation identities, bad-input messages, snapshots that re-run bit for bit, and the Monte
//! Carlo run's reproducibility.

mod composite_util;

use std::collections::BTreeMap;

use composite_util::inputs;
use nengji_core::evaluate::*;
use serde_json::{json, Value};

fn scheme(v: Value) -> Scheme {
    serde_json::from_value(v).unwrap()
}

fn units(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("Z{i}")).collect()
}

fn some(v: &[f64]) -> Vec<Option<f64>> {
    v.iter().map(|&x| Some(x)).collect()
}

/// One indicator scored by `scoring` under an arithmetic index: the index is the score.
fn score_one(scoring: Value, direction: &str, x: &[Option<f64>]) -> Result<Vec<Option<f64>>, EvalError> {
    let s = scheme(json!({
        "code": "t", "weighting": { "method": "equal" },
        "nodes": [{ "code": "idx" }],
        "indicators": [{ "code": "x", "parent": "idx", "direction": direction, "scoring": scoring }],
    }));
    let data = inputs(&units(x.len()), vec![("x", x.to_vec())]);
    evaluate(&s, &data, &Context::default()).map(|o| o.node("x").unwrap().values.to_vec())
}

fn close(a: &[Option<f64>], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x.unwrap() - y).abs() < 1e-12, "{a:?} vs {b:?}");
    }
}

#[test]
fn scoring_methods_by_hand() {
    let x = some(&[2.0, 4.0, 4.0, 5.0, 10.0]);
    // min-max [0,100]: (x − 2)/8·100; cost: (10 − x)/8·100.
    close(&score_one(json!({"method": "min_max"}), "benefit", &x).unwrap(), &[0.0, 25.0, 25.0, 37.5, 100.0]);
    close(&score_one(json!({"method": "min_max", "low": 1, "high": 100}), "cost", &x).unwrap(), &[100.0, 75.25, 75.25, 62.875, 1.0]);
    // z-score with the sample sd: mean 5, sd = sqrt(36/4) = 3.
    close(&score_one(json!({"method": "z_score"}), "benefit", &x).unwrap(), &[-1.0, -1.0 / 3.0, -1.0 / 3.0, 0.0, 5.0 / 3.0]);
    close(&score_one(json!({"method": "z_score", "mean": 10, "sd": 2}), "cost", &x).unwrap(), &[12.0, 10.0 + 2.0 / 3.0, 10.0 + 2.0 / 3.0, 10.0, 10.0 - 10.0 / 3.0]);
    // percentile rank: (rank_min − 1)/(n − 1); ties share the lower rank.
    close(&score_one(json!({"method": "percent_rank"}), "benefit", &x).unwrap(), &[0.0, 25.0, 25.0, 75.0, 100.0]);
    close(&score_one(json!({"method": "rank"}), "cost", &x).unwrap(), &[5.0, 3.0, 3.0, 2.0, 1.0]);
    // ratio to the best: x/10, cost 2/x; to the mean (5): x/5, cost 5/x.
    close(&score_one(json!({"method": "ratio_to_max"}), "benefit", &x).unwrap(), &[20.0, 40.0, 40.0, 50.0, 100.0]);
    close(&score_one(json!({"method": "ratio_to_max"}), "cost", &x).unwrap(), &[100.0, 50.0, 50.0, 40.0, 20.0]);
    close(&score_one(json!({"method": "ratio_to_mean", "scale": 1}), "benefit", &x).unwrap(), &[0.4, 0.8, 0.8, 1.0, 2.0]);
    close(&score_one(json!({"method": "ratio_to_mean", "scale": 1}), "cost", &x).unwrap(), &[2.5, 1.25, 1.25, 1.0, 0.5]);
    // distance to target 8 (COINr n_dist2targ): (x − 2)/(8 − 2), capped at 1; cost target 3:
    // (10 − x)/(10 − 3).
    close(&score_one(json!({"method": "distance_to_target", "target": 8, "scale": 1}), "benefit", &x).unwrap(), &[0.0, 1.0 / 3.0, 1.0 / 3.0, 0.5, 1.0]);
    close(&score_one(json!({"method": "distance_to_target", "target": 8, "cap": false, "scale": 1}), "benefit", &x).unwrap(), &[0.0, 1.0 / 3.0, 1.0 / 3.0, 0.5, 8.0 / 6.0]);
    close(&score_one(json!({"method": "distance_to_target", "target": 3, "scale": 1}), "cost", &x).unwrap(), &[1.0, 6.0 / 7.0, 6.0 / 7.0, 5.0 / 7.0, 0.0]);
    // goalposts [3, 9], truncated; cost: (x − 9)/(3 − 9).
    close(&score_one(json!({"method": "goalposts", "low": 3, "high": 9}), "benefit", &x).unwrap(), &[0.0, 100.0 / 6.0, 100.0 / 6.0, 200.0 / 6.0, 100.0]);
    close(&score_one(json!({"method": "goalposts", "low": 3, "high": 9, "scale": 1}), "cost", &x).unwrap(), &[1.0, 5.0 / 6.0, 5.0 / 6.0, 4.0 / 6.0, 0.0]);
}

#[test]
fn growth_scoring_flat_80_percent_one_point_per_5_percent_bonus_capped_at_half() {
    // Base points 10: flat 8 points (80), +10 % → 10 points (100), +30 % → 8 + 6 capped at
    // 8 + 5 = 13 (130), −10 % → 6 (60), −50 % → 0 (never negative), +7 % → 9.4 (94) or, counting
    // whole steps only, 9 (90).
    let x = some(&[100.0, 110.0, 130.0, 90.0, 50.0, 107.0]);
    let base = some(&[100.0; 6]);
    let s = |stepwise: bool| {
        scheme(json!({
            "code": "g", "weighting": { "method": "equal" }, "nodes": [{ "code": "idx" }],
            "indicators": [{ "code": "x", "parent": "idx", "scoring": { "method": "growth", "points": 10, "base": "x0", "stepwise": stepwise } }],
        }))
    };
    let data = inputs(&units(6), vec![("x", x), ("x0", base)]);
    let o = evaluate(&s(false), &data, &Context::default()).unwrap();
    close(&o.index, &[80.0, 100.0, 130.0, 60.0, 0.0, 94.0]);
    let o = evaluate(&s(true), &data, &Context::default()).unwrap();
    close(&o.index, &[80.0, 100.0, 130.0, 60.0, 0.0, 90.0]);
    // Growth given directly in %, cost direction: a fall of 10 % (energy intensity) earns 100.
    let v = score_one(json!({"method": "growth", "points": 10}), "cost", &some(&[-10.0, 0.0, 5.0])).unwrap();
    close(&v, &[100.0, 80.0, 70.0]);
}

#[test]
fn entropy_variants_and_critic_by_hand() {
    // Column a (benefit) [1,2,3,6]: S1 y = [0,.2,.4,1], p = [0,.125,.25,.625],
    // e = (0.125·ln8 + 0.25·ln4 + 0.625·ln1.6)/ln4 = 0.649398…, d = 0.350602…;
    // column b (cost) [10,4,4,1]: y = [0,2/3,2/3,1], p = [0,2/7,2/7,3/7], d = 0.221689…;
    // w_a = 0.350602/0.572291 = 0.612648. (Same figures recomputed with numpy.)
    let cols = vec![vec![1.0, 2.0, 3.0, 6.0], vec![10.0, 4.0, 4.0, 1.0]];
    let dirs = [Direction::Benefit, Direction::Cost];
    let check = |std, eps, want: [f64; 2]| {
        let w = entropy_weights(&cols, &dirs, std, eps).unwrap();
        assert!((w[0] - want[0]).abs() < 1e-12 && (w[1] - want[1]).abs() < 1e-12, "{std:?}: {w:?}");
    };
    check(EntropyStandardise::MinMax, 0.0, [0.6126478258225088, 0.3873521741774912]);
    check(EntropyStandardise::Shift, 1e-4, [0.6126458041066412, 0.3873541958933589]);
    check(EntropyStandardise::ShiftRescale, 0.01, [0.6113320303766218, 0.38866796962337824]);
    check(EntropyStandardise::Raw, 0.0, [0.4411611370413968, 0.5588388629586032]);
    // S0 refuses non-positive data; S1 refuses a constant column; S0 gives it weight 0.
    assert!(entropy_weights(&[vec![0.0, 1.0, 2.0]], &[Direction::Benefit], EntropyStandardise::Raw, 0.0).unwrap_err().to_string().contains("S1 或 S2"));
    let with_const = vec![vec![1.0, 2.0, 3.0], vec![5.0, 5.0, 5.0]];
    assert!(entropy_weights(&with_const, &dirs, EntropyStandardise::MinMax, 0.0).unwrap_err().to_string().contains("常数列"));
    assert_eq!(entropy_weights(&with_const, &dirs, EntropyStandardise::Raw, 0.0).unwrap()[1], 0.0);

    // CRITIC on 5 units × 3 criteria (third a cost), min-max [0,1], sample sd, Pearson r.
    let cols = vec![vec![3.0, 5.0, 2.0, 7.0, 4.0], vec![60.0, 45.0, 80.0, 50.0, 70.0], vec![5.0, 9.0, 4.0, 2.0, 6.0]];
    let w = critic_weights(&cols, &[Direction::Benefit, Direction::Benefit, Direction::Cost]).unwrap();
    for (g, e) in w.iter().zip([0.38615404359137345, 0.3924546176574138, 0.22139133875121275]) {
        assert!((g - e).abs() < 1e-12, "{w:?}");
    }
}

#[test]
fn topsis_weighted_distance_variant_by_hand() {
    // Two benefit criteria already on [0,1], weights .5/.5. T-wdist: D⁺ = sqrt(Σ w (z − max)²).
    // Unit 2 (0.5, 0.5): D⁺ = D⁻ = sqrt(.5·.25 + .5·.25) = .5 → C = 0.5; unit 1 (1, 0):
    // D⁺ = sqrt(.5) = D⁻ → 0.5; unit 3 (0, 0.25): D⁺ = sqrt(.5 + .5·.5625), D⁻ = sqrt(.5·.0625).
    let s = scheme(json!({
        "code": "t", "nodes": [{ "code": "idx", "aggregation": { "method": "topsis", "distance": "weighted_distance" } }],
        "indicators": [
            { "code": "a", "parent": "idx", "weight": 0.5, "scoring": { "method": "raw" } },
            { "code": "b", "parent": "idx", "weight": 0.5, "scoring": { "method": "raw" } },
        ],
    }));
    let data = inputs(&units(4), vec![("a", some(&[1.0, 0.5, 0.0, 0.0])), ("b", some(&[0.0, 0.5, 0.25, 1.0]))]);
    let o = evaluate(&s, &data, &Context::default()).unwrap();
    let (p, m) = ((0.5f64 + 0.5 * 0.5625).sqrt(), (0.5f64 * 0.0625).sqrt());
    close(&o.index, &[0.5, 0.5, m / (p + m), 0.5]);
}

fn zones_scheme() -> Value {
    json!({
        "code": "kfq", "name": "开发区年度综合考核", "version": 2, "weight_sum": 100,
        "ranking": { "round": 2, "groups": ["kind"] },
        "nodes": [
            { "code": "total", "name": "综合得分" },
            { "code": "econ", "name": "经济发展", "parent": "total", "weight": 60 },
            { "code": "green", "name": "绿色发展", "parent": "total", "weight": 40 },
        ],
        "indicators": [
            { "code": "revenue", "name": "营业收入", "parent": "econ", "weight": 70 },
            { "code": "tax", "name": "税收", "parent": "econ", "weight": 30, "missing": "worst" },
            { "code": "energy", "name": "单位增加值能耗", "parent": "green", "weight": 100, "direction": "cost" },
        ],
        "adjustments": [
            { "code": "eco", "name": "环保督察问题", "kind": "deduction", "column": "eco_issues", "points": 0.3, "max_points": 1.0 },
            { "code": "award", "name": "国家级表彰", "kind": "bonus", "column": "awards", "points": 2 },
            { "code": "safety", "name": "较大及以上安全事故", "kind": "veto", "column": "major_accidents" },
        ],
        "consequences": [
            { "code": "criticise", "label": "通报批评", "when": "bottom", "n": 2 },
            { "code": "support", "label": "项目资金土地支持", "when": "top", "n": 2 },
            { "code": "improved", "label": "进位奖励", "when": "most_improved", "n": 1 },
            { "code": "warn", "label": "预警", "when": "repeat_bottom", "n": 2, "times": 2, "years": 3 },
        ],
    })
}

fn zones_inputs() -> Inputs {
    let mut data = inputs(
        &units(6),
        vec![
            ("revenue", some(&[100.0, 80.0, 60.0, 40.0, 20.0, 90.0])),
            ("tax", vec![Some(10.0), Some(9.0), None, Some(4.0), Some(2.0), Some(8.0)]),
            ("energy", some(&[0.5, 0.4, 0.9, 0.6, 1.0, 0.3])),
            ("eco_issues", vec![Some(5.0), None, Some(1.0), None, None, None]),
            ("awards", vec![None, None, None, Some(1.0), None, None]),
            ("major_accidents", vec![None, None, None, None, None, Some(1.0)]),
        ],
    );
    for (u, k) in data.units.iter_mut().zip(["国家级", "国家级", "省级", "省级", "省级", "国家级"]) {
        u.groups.insert("kind".into(), k.into());
        u.name = format!("{}开发区", u.code);
    }
    data.evidence.push(Evidence { unit: "Z1".into(), column: "eco_issues".into(), text: "中央环保督察反馈意见第3条".into() });
    data
}

fn zones_context() -> Context {
    let past = |year, r: [u32; 6]| PastRanking { year, ranks: units(6).into_iter().zip(r).collect::<BTreeMap<_, _>>() };
    Context { year: Some(2019), history: vec![past(2017, [1, 2, 3, 5, 6, 4]), past(2018, [2, 1, 6, 3, 5, 4])] }
}

#[test]
fn a_zone_evaluation_with_adjustments_ranks_and_consequences() {
    let o = evaluate(&scheme(zones_scheme()), &zones_inputs(), &zones_context()).unwrap();
    // Scores by hand: revenue min-max (x − 20)/80·100; tax missing for Z3 → worst (2);
    // energy cost (1 − x)/0.7·100.
    let revenue = [100.0, 75.0, 50.0, 25.0, 0.0, 87.5];
    let tax = [100.0, 87.5, 0.0, 25.0, 0.0, 75.0];
    let energy = [500.0 / 7.0, 600.0 / 7.0, 100.0 / 7.0, 400.0 / 7.0, 0.0, 100.0];
    let index: Vec<f64> = (0..6).map(|i| 0.6 * (0.7 * revenue[i] + 0.3 * tax[i]) + 0.4 * energy[i]).collect();
    close(&o.index, &index);
    // Z1: 5 issues × 0.3 = 1.5, capped at 1; Z4: one award +2; Z6: vetoed (ranked last).
    assert_eq!(o.adjustment_total, vec![-1.0, 0.0, -0.3, 2.0, 0.0, 0.0]);
    let a = &o.adjustments[0][0];
    assert_eq!((a.rule.as_str(), a.count, a.points), ("eco", 5.0, -1.0));
    assert_eq!(a.evidence, vec!["中央环保督察反馈意见第3条".to_string()]);
    assert_eq!(o.veto[5], Some(VetoEffect::Last));
    let finals: Vec<f64> = (0..6).map(|i| index[i] + o.adjustment_total[i]).collect();
    close(&o.scores, &finals);
    // finals ≈ [98.57, 82.33, 26.71, 43.4, 0, 97.0] → Z6 would be 2nd but the veto puts it last.
    assert_eq!(o.ranks, vec![Some(1), Some(2), Some(4), Some(3), Some(5), Some(6)]);
    // Within groups (国家级: Z1, Z2, Z6; 省级: Z3, Z4, Z5).
    assert_eq!(o.group_ranks[0].ranks, vec![Some(1), Some(2), Some(2), Some(1), Some(3), Some(3)]);
    // Rank change against 2018 (previous − current): Z3 6 → 4 = +2 (进位), Z6 4 → 6 = −2.
    assert_eq!(o.rank_change, vec![Some(1), Some(-1), Some(2), Some(0), Some(0), Some(-2)]);
    let hits = |rule: &str| o.consequences.iter().filter(|c| c.rule == rule).map(|c| c.unit.clone()).collect::<Vec<_>>();
    assert_eq!(hits("criticise"), ["Z5", "Z6"]);
    assert_eq!(hits("support"), ["Z1", "Z2"]);
    assert_eq!(hits("improved"), ["Z3"]);
    // Z5: bottom 2 in 2018 (rank 5 of 6) and 2019 → warning; Z6 only this year (2017: rank 4).
    assert_eq!(hits("warn"), ["Z5"]);
    let warn = o.consequences.iter().find(|c| c.rule == "warn").unwrap();
    assert!(warn.reason.contains("2018、2019年"), "{}", warn.reason);
    assert!(o.notices.iter().any(|n| n.contains("税收") && n.contains("最差值")));
}

#[test]
fn ties_share_the_better_rank_and_boundary_ties_are_all_in_the_bottom() {
    assert_eq!(competition_ranks(&[Some(10.0), Some(9.0), Some(9.0), Some(8.0), None]), vec![Some(1), Some(2), Some(2), Some(4), None]);
    assert_eq!(competition_ranks(&[Some(0.0), Some(-0.0)]), vec![Some(1), Some(1)]);
    // Ranking rounded scores: 80.004 and 79.996 tie at 2 dp.
    let s = scheme(json!({
        "code": "r", "ranking": { "round": 2 },
        "nodes": [{ "code": "idx" }],
        "indicators": [{ "code": "x", "parent": "idx", "weight": 1, "scoring": { "method": "raw" } }],
        "consequences": [{ "code": "b", "label": "通报批评", "when": "bottom", "n": 1 }],
    }));
    let data = inputs(&units(4), vec![("x", some(&[90.0, 80.004, 79.996, 79.996]))]);
    let o = evaluate(&s, &data, &Context::default()).unwrap();
    assert_eq!(o.ranks, vec![Some(1), Some(2), Some(2), Some(2)]);
    // "Last 1" with a three-way tie for last place: all three are in it.
    assert_eq!(o.consequences.len(), 3);
}

#[test]
fn explanation_adds_up_to_the_score_and_to_its_change() {
    let s = scheme(zones_scheme());
    let now = evaluate(&s, &zones_inputs(), &zones_context()).unwrap();
    let mut before_inputs = zones_inputs();
    before_inputs.columns[0].values = some(&[90.0, 85.0, 50.0, 45.0, 20.0, 60.0]);
    before_inputs.columns[3].values = vec![None; 6];
    let before = evaluate(&s, &before_inputs, &Context::default()).unwrap();
    for u in units(6) {
        let e = explain(&now, &u, Some(&before)).unwrap();
        let leaves: f64 = e.items.iter().filter(|c| c.kind == NodeKind::Indicator).map(|c| c.to_index.unwrap()).sum();
        assert!((leaves - e.index.unwrap()).abs() < 1e-9, "{u}");
        let pillars: f64 = e.items.iter().filter(|c| c.parent.as_deref() == Some("total")).map(|c| c.to_index.unwrap()).sum();
        assert!((pillars - e.index.unwrap()).abs() < 1e-9);
        let d: f64 = e.changes.iter().filter(|c| e.items.iter().any(|i| i.code == c.code && i.kind == NodeKind::Indicator)).map(|c| c.to_index_change.unwrap()).sum();
        assert!((d - e.index_change.unwrap()).abs() < 1e-9);
        assert!((e.index_change.unwrap() + e.adjustment_change.unwrap() - e.score_change.unwrap()).abs() < 1e-9);
    }
    // Z3's tax was imputed; its revenue contribution: 0.6 · 0.7 · 50 = 21 points.
    let e = explain(&now, "Z3", None).unwrap();
    let rev = e.items.iter().find(|c| c.code == "revenue").unwrap();
    assert!((rev.to_index.unwrap() - 21.0).abs() < 1e-12 && rev.basis == Some(Basis::Points));
    assert_eq!(rev.raw, Some(60.0));
}

fn assert_error(s: Value, data: &Inputs, needle: &str) {
    let scheme: Scheme = serde_json::from_value(s).unwrap();
    let err = evaluate(&scheme, data, &Context::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(needle), "expected “{needle}” in: {msg}");
}

#[test]
fn bad_schemes_give_a_clear_message_and_no_result() {
    let data = zones_inputs();
    // Weights not summing to the declared 100.
    let mut s = zones_scheme();
    s["indicators"][0]["weight"] = json!(65);
    assert_error(s, &data, "“经济发展（econ）”下各项权重之和为 95，应为 100");
    // An unknown indicator: no such data column; a parent that does not exist.
    let mut s = zones_scheme();
    s["indicators"][1]["code"] = json!("rd_ratio");
    assert_error(s, &data, "未知指标：数据中没有“rd_ratio”列");
    let mut s = zones_scheme();
    s["indicators"][2]["parent"] = json!("environment");
    assert_error(s, &data, "“energy”的上级“environment”不存在");
    // A cycle: econ → green → econ, and no index left.
    let mut s = zones_scheme();
    s["nodes"][1]["parent"] = json!("green");
    s["nodes"][2]["parent"] = json!("econ");
    assert_error(s, &data, "指标体系存在循环：");
    // A non-positive value under a geometric mean.
    let mut s = zones_scheme();
    s["nodes"][0]["aggregation"] = json!({ "method": "geometric" });
    assert_error(s, &data, "几何平均要求各项得分为正");
    // Missing weights under manual weighting, duplicates, an indicator as a parent.
    let mut s = zones_scheme();
    s["indicators"][2].as_object_mut().unwrap().remove("weight");
    assert_error(s, &data, "“单位增加值能耗（energy）”缺少权重");
    let mut s = zones_scheme();
    s["nodes"][2]["code"] = json!("econ");
    assert_error(s, &data, "代码“econ”重复");
    // A constant column is refused, or scored as the scheme says and reported.
    let mut flat = zones_inputs();
    flat.columns[2].values = some(&[0.5; 6]);
    assert_error(zones_scheme(), &flat, "常数列");
    let mut s = zones_scheme();
    s["constant_columns"] = json!({ "policy": "score", "value": 100 });
    let o = evaluate(&scheme(s), &flat, &Context::default()).unwrap();
    assert!(o.notices.iter().any(|n| n.contains("常数列") && n.contains("100")));
    assert!(o.scores.iter().all(|v| v.is_some_and(f64::is_finite)));
    // Several problems are reported together.
    let mut s = zones_scheme();
    s["indicators"][0]["weight"] = json!(65);
    s["indicators"][1]["code"] = json!("rd_ratio");
    let err = evaluate(&scheme(s), &data, &Context::default()).unwrap_err();
    assert!(matches!(&err, EvalError::Scheme(v) if v.len() == 2), "{err}");
}

#[test]
fn a_snapshot_reruns_bit_for_bit() {
    let s = scheme(zones_scheme());
    let (mut data, ctx) = (zones_inputs(), zones_context());
    // Values whose shortest decimal form needs all 17 digits (JSON must parse them exactly:
    // serde_json's float_roundtrip feature).
    for v in data.columns[0].values.iter_mut().flatten() {
        *v = *v / 3.0 + 0.1 + 0.2;
    }
    let o = evaluate(&s, &data, &ctx).unwrap();
    let mc = monte_carlo(&s, &data, &McOptions { replications: 200, seed: 7, threads: None }).unwrap();
    let snapshot = serde_json::to_string(&json!({ "scheme": s, "inputs": data, "context": ctx })).unwrap();
    let back: Value = serde_json::from_str(&snapshot).unwrap();
    let s2: Scheme = serde_json::from_value(back["scheme"].clone()).unwrap();
    let d2: Inputs = serde_json::from_value(back["inputs"].clone()).unwrap();
    let c2: Context = serde_json::from_value(back["context"].clone()).unwrap();
    assert_eq!((&s2, &d2, &c2), (&s, &data, &ctx));
    let o2 = evaluate(&s2, &d2, &c2).unwrap();
    let bits = |o: &Outcome| o.scores.iter().chain(&o.index).copied().chain(o.nodes.iter().flat_map(|n| n.values.iter())).map(|v| v.map(f64::to_bits)).collect::<Vec<_>>();
    assert_eq!(bits(&o), bits(&o2));
    assert_eq!(o, o2);
    let mc2 = monte_carlo(&s2, &d2, &McOptions { replications: 200, seed: 7, threads: Some(1) }).unwrap();
    assert_eq!(mc, mc2);
    // The outcome itself survives JSON too (a stored result reads back equal).
    let o3: Outcome = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
    assert_eq!(bits(&o), bits(&o3));
}

#[test]
fn monte_carlo_is_reproducible_whatever_the_threads() {
    let mut s = scheme(zones_scheme());
    s.uncertainty = Some(Uncertainty {
        weight_noise: vec![LevelNoise { level: 1, factor: 0.5 }, LevelNoise { level: 2, factor: 0.25 }],
        scoring_alternatives: vec![Scoring::ZScore { mean: 10.0, sd: 2.0 }, Scoring::PercentRank { scale: 100.0 }],
        aggregation_alternatives: vec![Aggregation::Geometric],
    });
    let data = zones_inputs();
    let run = |threads, seed| monte_carlo(&s, &data, &McOptions { replications: 400, seed, threads }).unwrap();
    let one = run(Some(1), 42);
    assert_eq!(one, run(Some(2), 42));
    assert_eq!(one, run(Some(3), 42));
    assert_eq!(one, run(None, 42));
    assert_ne!(one.stats, run(None, 43).stats);
    // Geometric means over scores ≤ 0 fail and are dropped (about a third of the draws).
    assert!(one.failed > 50 && one.failed < 250, "{}", one.failed);
    assert!(one.failures.iter().all(|f| f.contains("几何平均")));
    for st in &one.stats {
        let (q5, med, q95) = (st.q5.unwrap(), st.median.unwrap(), st.q95.unwrap());
        assert!(1.0 <= q5 && q5 <= med && med <= q95 && q95 <= 6.0);
        assert_eq!(st.replications as usize, 400 - one.failed);
    }
    // The vetoed unit is last in every replication.
    assert_eq!((one.stats[5].q5, one.stats[5].q95), (Some(6.0), Some(6.0)));
    assert_eq!(one.stats[0].nominal, Some(1));
}

#[test]
fn without_noise_every_replication_is_the_nominal_ranking() {
    let mut s = scheme(zones_scheme());
    s.uncertainty = Some(Uncertainty { weight_noise: vec![], scoring_alternatives: vec![], aggregation_alternatives: vec![] });
    let o = evaluate(&s, &zones_inputs(), &Context::default()).unwrap();
    let mc = monte_carlo(&s, &zones_inputs(), &McOptions { replications: 10, seed: 1, threads: None }).unwrap();
    for (st, r) in mc.stats.iter().zip(&o.ranks) {
        let r = r.map(f64::from);
        assert_eq!((st.nominal.map(f64::from), st.median, st.q5, st.q95, st.mean), (r, r, r, r, r));
    }
}

#[test]
fn type_7_quantiles() {
    let x: Vec<f64> = (1..=10).map(f64::from).collect();
    // h = 9·0.05 = 0.45 → 1 + 0.45·(2 − 1); median of an even count is the mean of the middle two.
    assert_eq!(quantile_type7(&x, 0.05), Some(1.45));
    assert_eq!(quantile_type7(&x, 0.5), Some(5.5));
    assert!((quantile_type7(&x, 0.95).unwrap() - 9.55).abs() < 1e-12);
    assert_eq!(quantile_type7(&[3.0], 0.95), Some(3.0));
    assert_eq!(quantile_type7(&[], 0.5), None);
}

#[test]
fn splitmix64_reference_values() {
    // SplitMix64 from seed 0 (Vigna's reference implementation): e220a8397b1dcdaf, …
    let mut g = SplitMix64::new(0);
    assert_eq!(g.next_u64(), 0xe220a8397b1dcdaf);
    assert_eq!(g.next_u64(), 0x6e789e6aa1b965f4);
    let u = SplitMix64::for_replication(1, 0).uniform();
    assert!((0.0..1.0).contains(&u));
}

#[test]
fn inputs_from_a_sheet_with_names_groups_and_evidence() {
    let s = scheme(zones_scheme());
    let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let table = nengji_core::masterdata::Table {
        sheet: "data.csv".into(),
        header: row(&["code", "名称", "kind", "revenue", "tax", "energy", "eco_issues", "依据:eco_issues", "awards", "major_accidents", "备注"]),
        rows: vec![
            row(&["Z1", "甲区", "国家级", "1,200", "10", "0.5", "2", "督察通报", "", "", "x"]),
            row(&["Z2", "乙区", "省级", "800", "NA", "0.4", "", "", "1", "", ""]),
        ],
    };
    let d = inputs_from_table(&table, &s).unwrap();
    assert_eq!(d.units[0].name, "甲区");
    assert_eq!(d.units[1].groups["kind"], "省级");
    assert_eq!(d.column("revenue").unwrap().values, vec![Some(1200.0), Some(800.0)]);
    assert_eq!(d.column("tax").unwrap().values, vec![Some(10.0), None]);
    assert_eq!(d.evidence, vec![Evidence { unit: "Z1".into(), column: "eco_issues".into(), text: "督察通报".into() }]);
    assert!(d.column("备注").is_none());
    let mut bad = table.clone();
    bad.rows[1][3] = "八百".into();
    let errs = inputs_from_table(&bad, &s).unwrap_err();
    assert_eq!((errs[0].row, errs[0].column), (3, Some(4)));
    assert!(errs[0].message.contains("不是数值"));
}

#[test]
fn competition_ranks_match_the_definition_on_random_scores_with_ties() {
    // 1 + #{k : s_k > s_i} by brute force, on 3,000 scores drawn from 400 distinct values (many
    // ties), with a few missing, −0.0 and extremes.
    let mut g = SplitMix64::new(11);
    let mut s: Vec<Option<f64>> = (0..3000).map(|_| Some((g.uniform() * 400.0).floor() / 7.0 - 20.0)).collect();
    s[5] = None;
    s[6] = Some(-0.0);
    s[7] = Some(0.0);
    s[8] = Some(1e300);
    s[9] = Some(-1e-300);
    let r = competition_ranks(&s);
    for (i, v) in s.iter().enumerate() {
        let want = v.map(|v| 1 + s.iter().flatten().filter(|&&x| x > v).count() as u32);
        assert_eq!(r[i], want, "{i}: {v:?}");
    }
}

#[test]
fn monte_carlo_replays_from_seed_and_replication_alone() {
    // Entropy-TOPSIS over 30 units × 5 indicators; replication r's weights are
    // w + (2u − 1)·0.25·w with u drawn from SplitMix64::for_replication(seed, r) in indicator
    // order. Re-evaluating each replication with those weights by hand gives the same ranks, so
    // the statistics are a function of (scheme, data, seed, N) only.
    let mut g = SplitMix64::new(3);
    let cols: Vec<(String, Vec<Option<f64>>)> = (0..5).map(|j| (format!("x{j}"), (0..30).map(|_| Some(1.0 + g.uniform() * 9.0)).collect())).collect();
    let indicators: Vec<Value> = (0..5).map(|j| json!({ "code": format!("x{j}"), "parent": "c", "direction": if j == 2 { "cost" } else { "benefit" } })).collect();
    let s = scheme(json!({
        "code": "mc", "weighting": { "method": "entropy" }, "scoring": { "method": "min_max", "low": 0, "high": 1 },
        "nodes": [{ "code": "c", "aggregation": { "method": "topsis" } }], "indicators": indicators,
        "uncertainty": { "weight_noise": [{ "level": 1, "factor": 0.25 }] },
    }));
    let data = inputs(&units(30), cols.iter().map(|(c, v)| (c.as_str(), v.clone())).collect());
    let o = evaluate(&s, &data, &Context::default()).unwrap();
    let w: Vec<f64> = (0..5).map(|j| o.node(&format!("x{j}")).unwrap().weight).collect();
    let (seed, n) = (99u64, 37usize);
    let mc = monte_carlo(&s, &data, &McOptions { replications: n, seed, threads: None }).unwrap();
    let mut per_unit: Vec<Vec<f64>> = vec![vec![]; 30];
    for r in 0..n as u64 {
        let mut rng = SplitMix64::for_replication(seed, r);
        let mut manual = s.clone();
        manual.weighting = Weighting::Manual;
        for (j, ind) in manual.indicators.iter_mut().enumerate() {
            ind.weight = Some(w[j] + (2.0 * rng.uniform() - 1.0) * 0.25 * w[j]);
        }
        let rep = evaluate(&manual, &data, &Context::default()).unwrap();
        for (i, rank) in rep.ranks.iter().enumerate() {
            per_unit[i].push(f64::from(rank.unwrap()));
        }
    }
    for (i, mut v) in per_unit.into_iter().enumerate() {
        v.sort_by(f64::total_cmp);
        let st = &mc.stats[i];
        assert_eq!((st.median, st.q5, st.q95), (quantile_type7(&v, 0.5), quantile_type7(&v, 0.05), quantile_type7(&v, 0.95)), "unit {i}");
        assert_eq!(st.mean, Some(v.iter().sum::<f64>() / n as f64));
    }
}
