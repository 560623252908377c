//! Explanation of a unit's score (得分构成) and of its change since the previous evaluation.
//!
//! Under a weighted arithmetic mean the contribution of a child to its parent is
//! `share · value` (share = weight over the weights of the children present for the unit), and
//! the parent is exactly their sum. Along a path of arithmetic means the contribution to the
//! index is `value · Π shares`, and the index is exactly the sum over indicators. Under a
//! geometric mean the contributions are additive in logarithms (`share · ln value`, summing to
//! ln parent); under TOPSIS each child's part of D⁺² (gap to the ideal) and D⁻² (lead over the
//! anti-ideal) is given. Contributions to the index exist only below an unbroken chain of
//! arithmetic means.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::engine::{AppliedAdjustment, NodeKind, Outcome};
use super::scheme::{Aggregation, TopsisDistance};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Points of the parent's score (arithmetic mean).
    Points,
    /// Natural-log points (geometric mean): the parts sum to ln(parent).
    LogPoints,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub code: String,
    pub name: String,
    pub kind: NodeKind,
    pub parent: Option<String>,
    pub level: u32,
    pub raw: Option<f64>,
    pub value: Option<f64>,
    /// Weight over the weights of the siblings present for this unit.
    pub share: Option<f64>,
    pub to_parent: Option<f64>,
    pub basis: Option<Basis>,
    pub to_index: Option<f64>,
    /// TOPSIS parent: this child's part of D⁺² and of D⁻².
    pub gap_to_ideal: Option<f64>,
    pub lead_over_anti: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemChange {
    pub code: String,
    pub value_change: Option<f64>,
    pub to_index_change: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub unit: String,
    pub name: String,
    pub index: Option<f64>,
    pub adjustments: Vec<AppliedAdjustment>,
    pub adjustment_total: f64,
    pub score: Option<f64>,
    pub rank: Option<u32>,
    pub items: Vec<Contribution>,
    /// Against the previous outcome, when given: score, index, adjustments and every item.
    pub score_change: Option<f64>,
    pub index_change: Option<f64>,
    pub adjustment_change: Option<f64>,
    pub rank_change: Option<i64>,
    pub changes: Vec<ItemChange>,
}

fn sub(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

fn contributions(o: &Outcome, i: usize) -> Vec<Contribution> {
    let pos: BTreeMap<&str, usize> = o.nodes.iter().enumerate().map(|(k, n)| (n.code.as_str(), k)).collect();
    let mut out: Vec<Contribution> = Vec::with_capacity(o.nodes.len());
    for node in &o.nodes {
        let value = node.values.at(i);
        let mut c = Contribution {
            code: node.code.clone(),
            name: node.name.clone(),
            kind: node.kind,
            parent: node.parent.clone(),
            level: node.level,
            raw: node.raw.get(i),
            value,
            share: None,
            to_parent: None,
            basis: None,
            to_index: None,
            gap_to_ideal: None,
            lead_over_anti: None,
        };
        if let Some(p) = node.parent.as_deref().map(|p| &o.nodes[pos[p]]) {
            let siblings = o.nodes.iter().filter(|s| s.parent.as_deref() == Some(p.code.as_str()));
            match p.aggregation.as_ref().expect("aggregate") {
                Aggregation::Topsis { distance, .. } => {
                    let total: f64 = siblings.clone().map(|s| s.weight).sum();
                    let k = siblings.clone().position(|s| s.code == node.code).expect("sibling");
                    let w = node.weight / total;
                    let f = if *distance == TopsisDistance::Classical { w * w } else { w };
                    c.share = Some(w);
                    if let (Some(v), Some(t)) = (value, &p.topsis) {
                        c.gap_to_ideal = Some(f * (v - t.ideal[k]) * (v - t.ideal[k]));
                        c.lead_over_anti = Some(f * (v - t.anti[k]) * (v - t.anti[k]));
                    }
                }
                agg => {
                    let present: f64 = siblings.filter(|s| s.values.at(i).is_some()).map(|s| s.weight).sum();
                    if let Some(v) = value
                        && present > 0.0
                    {
                        let share = node.weight / present;
                        c.share = Some(share);
                        if *agg == Aggregation::Geometric {
                            c.to_parent = Some(share * v.ln());
                            c.basis = Some(Basis::LogPoints);
                        } else {
                            c.to_parent = Some(share * v);
                            c.basis = Some(Basis::Points);
                        }
                    }
                }
            }
        }
        out.push(c);
    }
    // Multipliers down unbroken arithmetic chains: the index has 1; nodes come children-first,
    // so walk them backwards (parents before children).
    let mut mult: Vec<Option<f64>> = vec![None; out.len()];
    for k in (0..out.len()).rev() {
        mult[k] = match &o.nodes[k].parent {
            None => Some(1.0),
            Some(p) => {
                let pk = pos[p.as_str()];
                let arithmetic = o.nodes[pk].aggregation == Some(Aggregation::Arithmetic);
                match (mult[pk], out[k].share, arithmetic) {
                    (Some(m), Some(s), true) => Some(m * s),
                    _ => None,
                }
            }
        };
        out[k].to_index = mult[k].zip(out[k].value).map(|(m, v)| m * v);
    }
    out
}

/// Explains `unit`'s score in `outcome`, and its change against `previous` (same scheme tree).
pub fn explain(outcome: &Outcome, unit: &str, previous: Option<&Outcome>) -> Option<Explanation> {
    let i = outcome.unit_index(unit)?;
    let items = contributions(outcome, i);
    let mut e = Explanation {
        unit: unit.to_string(),
        name: outcome.units[i].name.clone(),
        index: outcome.index[i],
        adjustments: outcome.adjustments[i].clone(),
        adjustment_total: outcome.adjustment_total[i],
        score: outcome.scores[i],
        rank: outcome.ranks[i],
        items,
        score_change: None,
        index_change: None,
        adjustment_change: None,
        rank_change: outcome.rank_change[i],
        changes: vec![],
    };
    if let Some(prev) = previous
        && let Some(j) = prev.unit_index(unit)
    {
        let before: BTreeMap<String, Contribution> = contributions(prev, j).into_iter().map(|c| (c.code.clone(), c)).collect();
        e.score_change = sub(outcome.scores[i], prev.scores[j]);
        e.index_change = sub(outcome.index[i], prev.index[j]);
        e.adjustment_change = Some(outcome.adjustment_total[i] - prev.adjustment_total[j]);
        if e.rank_change.is_none() {
            e.rank_change = prev.ranks[j].zip(outcome.ranks[i]).map(|(p, c)| p as i64 - c as i64);
        }
        e.changes = e
            .items
            .iter()
            .map(|c| {
                let b = before.get(&c.code);
                ItemChange {
                    code: c.code.clone(),
                    value_change: sub(c.value, b.and_then(|b| b.value)),
                    to_index_change: sub(c.to_index, b.and_then(|b| b.to_index)),
                }
            })
            .collect();
    }
    Some(e)
}
