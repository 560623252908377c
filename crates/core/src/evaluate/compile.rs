//! Checks a scheme against itself and its data and turns it into a [`Plan`]: items indexed by
//! position, indicators first (scheme order), then aggregates children-before-parents, the
//! index last. Every problem is collected, so the office sees them all at once.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::scheme::*;
use super::{label, EvalError, SchemeError};

#[derive(Debug, Clone)]
pub(crate) enum ItemKind {
    Indicator {
        column: usize,
        direction: Direction,
        transform: Option<Transform>,
        scoring: Scoring,
        missing: MissingRule,
        /// Growth scoring's base-year column.
        base: Option<usize>,
    },
    Aggregate {
        aggregation: Aggregation,
        missing: NodeMissing,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub code: String,
    pub name: String,
    pub label: String,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// 1 for indicators, 1 + the highest child level for aggregates.
    pub level: u32,
    pub weight: Option<f64>,
    pub kind: ItemKind,
}

#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub n_units: usize,
    /// Number of indicators (items `0..ni`).
    pub ni: usize,
    pub items: Vec<Item>,
    pub root: usize,
    /// Adjustment rules with their data column.
    pub adjustments: Vec<(AdjustmentRule, usize)>,
}

fn finite_nonneg(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

/// Validates `scheme` against `inputs` and resolves every reference.
pub(crate) fn compile(scheme: &Scheme, inputs: &Inputs) -> Result<Plan, EvalError> {
    check_inputs(inputs)?;
    let mut errs: Vec<SchemeError> = Vec::new();
    let columns: BTreeMap<&str, usize> = inputs.columns.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();

    // Codes: unique over indicators and aggregates.
    let mut seen = BTreeSet::new();
    for code in scheme.indicators.iter().map(|i| &i.code).chain(scheme.nodes.iter().map(|n| &n.code)) {
        if code.trim().is_empty() {
            errs.push(SchemeError::EmptyCode);
        } else if !seen.insert(code.as_str()) {
            errs.push(SchemeError::Duplicate(code.clone()));
        }
    }
    let node_ix: BTreeMap<&str, usize> = scheme.nodes.iter().enumerate().map(|(i, n)| (n.code.as_str(), i)).collect();
    let ind_codes: BTreeSet<&str> = scheme.indicators.iter().map(|i| i.code.as_str()).collect();
    let resolve = |child: &str, parent: &str, errs: &mut Vec<SchemeError>| -> Option<usize> {
        match node_ix.get(parent) {
            Some(&p) => Some(p),
            None if ind_codes.contains(parent) => {
                errs.push(SchemeError::ParentIsIndicator { child: child.into(), parent: parent.into() });
                None
            }
            None => {
                errs.push(SchemeError::UnknownParent { child: child.into(), parent: parent.into() });
                None
            }
        }
    };

    // Parents of aggregates; roots; cycles.
    let node_parent: Vec<Option<usize>> =
        scheme.nodes.iter().map(|n| n.parent.as_deref().and_then(|p| resolve(&n.code, p, &mut errs))).collect();
    let roots: Vec<usize> = (0..scheme.nodes.len()).filter(|&i| scheme.nodes[i].parent.is_none()).collect();
    let mut in_cycle = BTreeSet::new();
    for start in 0..scheme.nodes.len() {
        let mut path = vec![start];
        let mut at = start;
        while let Some(p) = node_parent[at] {
            if let Some(pos) = path.iter().position(|&x| x == p) {
                let cycle: Vec<usize> = path[pos..].to_vec();
                if cycle.iter().all(|c| in_cycle.insert(*c)) {
                    // child → parent links, closed: a → b → a.
                    let mut names: Vec<String> = cycle.iter().map(|&c| scheme.nodes[c].code.clone()).collect();
                    names.push(scheme.nodes[p].code.clone());
                    errs.push(SchemeError::Cycle(names));
                }
                break;
            }
            path.push(p);
            at = p;
        }
    }
    match roots.len() {
        0 if in_cycle.is_empty() => errs.push(SchemeError::NoRoot),
        0 => {}
        1 => {}
        _ => errs.push(SchemeError::ManyRoots(roots.iter().map(|&r| scheme.nodes[r].code.clone()).collect())),
    }

    // Indicators: parents, columns, parameters.
    let mut ind_parent = Vec::new();
    let mut ind_cols = Vec::new();
    let mut ind_base = Vec::new();
    for ind in &scheme.indicators {
        let lab = label(&ind.code, &ind.name);
        ind_parent.push(resolve(&ind.code, &ind.parent, &mut errs));
        let col = columns.get(ind.column()).copied();
        if col.is_none() {
            errs.push(SchemeError::UnknownColumn { item: format!("指标“{lab}”"), column: ind.column().into() });
        }
        ind_cols.push(col);
        let scoring = ind.scoring.clone().unwrap_or_else(|| scheme.scoring.clone());
        let mut base = None;
        if let Scoring::Growth { base: Some(b), .. } = &scoring {
            base = columns.get(b.as_str()).copied();
            if base.is_none() {
                errs.push(SchemeError::UnknownColumn { item: format!("指标“{lab}”的基期值"), column: b.clone() });
            }
        }
        ind_base.push(base);
        check_scoring(&scoring, ind, &lab, &mut errs);
    }

    // Children lists and empty aggregates.
    let mut node_children: Vec<Vec<Child>> = vec![Vec::new(); scheme.nodes.len()];
    for (i, p) in ind_parent.iter().enumerate() {
        if let Some(p) = p {
            node_children[*p].push(Child::Ind(i));
        }
    }
    for (i, p) in node_parent.iter().enumerate() {
        if let Some(p) = p {
            node_children[*p].push(Child::Node(i));
        }
    }
    for (i, ch) in node_children.iter().enumerate() {
        if ch.is_empty() {
            errs.push(SchemeError::EmptyNode(label(&scheme.nodes[i].code, &scheme.nodes[i].name)));
        }
    }

    check_weights(scheme, &node_children, &mut errs);
    check_other(scheme, &node_children, &columns, &mut errs);

    if !errs.is_empty() {
        return Err(EvalError::Scheme(errs));
    }
    let root_node = roots[0];

    // Items: indicators, then aggregates in post-order from the root.
    let ni = scheme.indicators.len();
    let mut order = Vec::new();
    post_order(root_node, &node_children, &mut order);
    let mut node_item = vec![usize::MAX; scheme.nodes.len()];
    for (k, &n) in order.iter().enumerate() {
        node_item[n] = ni + k;
    }
    let mut items: Vec<Item> = Vec::with_capacity(ni + order.len());
    for (i, ind) in scheme.indicators.iter().enumerate() {
        items.push(Item {
            code: ind.code.clone(),
            name: ind.name.clone(),
            label: label(&ind.code, &ind.name),
            parent: ind_parent[i].map(|p| node_item[p]),
            children: vec![],
            level: 1,
            weight: ind.weight,
            kind: ItemKind::Indicator {
                column: ind_cols[i].expect("checked"),
                direction: ind.direction,
                transform: ind.transform,
                scoring: ind.scoring.clone().unwrap_or_else(|| scheme.scoring.clone()),
                missing: ind.missing.unwrap_or(scheme.missing),
                base: ind_base[i],
            },
        });
    }
    for &n in &order {
        let node = &scheme.nodes[n];
        let children: Vec<usize> = node_children[n]
            .iter()
            .map(|c| match c {
                Child::Ind(i) => *i,
                Child::Node(j) => node_item[*j],
            })
            .collect();
        let level = 1 + children.iter().map(|&c| items[c].level).max().unwrap_or(0);
        items.push(Item {
            code: node.code.clone(),
            name: node.name.clone(),
            label: label(&node.code, &node.name),
            parent: node_parent[n].map(|p| node_item[p]),
            children,
            level,
            weight: node.weight,
            kind: ItemKind::Aggregate {
                aggregation: node.aggregation.clone().unwrap_or_else(|| scheme.aggregation.clone()),
                missing: node.missing.unwrap_or(scheme.aggregate_missing),
            },
        });
    }
    // Aggregates are all reachable from the root here (one root, no cycle, parents exist).
    let adjustments = scheme.adjustments.iter().map(|r| (r.clone(), columns[r.column.as_str()])).collect();
    Ok(Plan { n_units: inputs.units.len(), ni, root: items.len() - 1, items, adjustments })
}

#[derive(Debug, Clone, Copy)]
enum Child {
    Ind(usize),
    Node(usize),
}

fn post_order(n: usize, children: &[Vec<Child>], out: &mut Vec<usize>) {
    for c in &children[n] {
        if let Child::Node(j) = c {
            post_order(*j, children, out);
        }
    }
    out.push(n);
}

fn check_inputs(inputs: &Inputs) -> Result<(), EvalError> {
    let n = inputs.units.len();
    let data = |indicator: &str, message: String| Err(EvalError::Data { indicator: indicator.into(), message });
    if n == 0 {
        return data("（全部）", "没有任何参评单位".into());
    }
    // foldhash (randomly seeded, so crafted codes cannot pile into one bucket): the B-tree of
    // 2,700 codes was a tenth of a nominal run.
    let mut seen: HashSet<&str, foldhash::fast::RandomState> = HashSet::with_capacity_and_hasher(n, Default::default());
    for u in &inputs.units {
        if !seen.insert(u.code.as_str()) {
            return data("（单位）", format!("单位代码“{}”重复", u.code));
        }
    }
    let mut cols = BTreeSet::new();
    for c in &inputs.columns {
        if !cols.insert(c.code.as_str()) {
            return data(&c.code, "数据列重复".into());
        }
        if c.values.len() != n {
            return data(&c.code, format!("有 {} 个数值，应与单位数 {n} 相同", c.values.len()));
        }
        // A pass without early exit (it vectorises) before looking for the culprit.
        if c.values.iter().fold(false, |bad, v| bad | v.is_some_and(|x| !x.is_finite()))
            && let Some((i, v)) = c.values.iter().enumerate().find_map(|(i, v)| v.filter(|x| !x.is_finite()).map(|x| (i, x)))
        {
            return data(&c.code, format!("单位“{}”的数值 {v} 不是有限数", inputs.units[i].code));
        }
    }
    Ok(())
}

fn check_scoring(scoring: &Scoring, ind: &IndicatorSpec, lab: &str, errs: &mut Vec<SchemeError>) {
    let mut bad = |m: &str| errs.push(SchemeError::Parameter { item: format!("指标“{lab}”"), message: m.to_string() });
    let log = ind.transform == Some(Transform::Log);
    match scoring {
        Scoring::MinMax { low, high } if !(low.is_finite() && high.is_finite() && high > low) => bad("极差标准化的区间须满足 low < high"),
        Scoring::ZScore { mean, sd } if !(mean.is_finite() && sd.is_finite() && *sd > 0.0) => bad("Z 分数的标准差须为正"),
        Scoring::Goalposts { low, high, scale } => {
            if !(low.is_finite() && high.is_finite() && high > low && scale.is_finite()) {
                bad("门槛值须满足 low < high");
            } else if log && *low <= 0.0 {
                bad("对数变换下门槛值须为正");
            }
        }
        Scoring::DistanceToTarget { target, scale, .. } if !(target.is_finite() && scale.is_finite()) || (log && *target <= 0.0) => {
            bad("目标值须为有限数（对数变换下须为正）")
        }
        Scoring::PercentRank { scale } | Scoring::RatioToMax { scale } | Scoring::RatioToMean { scale } if !scale.is_finite() => {
            bad("scale 须为有限数")
        }
        Scoring::Growth { points, flat_share, step_pct, step_points, bonus_cap_share, .. } => {
            if !(*points > 0.0 && points.is_finite()) {
                bad("增幅计分的基本分 points 须为正");
            }
            if !(*step_pct > 0.0 && step_pct.is_finite()) {
                bad("增幅计分的步长 step_pct 须为正");
            }
            if !(finite_nonneg(*flat_share) && finite_nonneg(*step_points) && finite_nonneg(*bonus_cap_share)) {
                bad("增幅计分的参数须为非负有限数");
            }
            if ind.transform.is_some() {
                bad("增幅计分不能与数值变换同用");
            }
        }
        Scoring::Raw if ind.direction == Direction::Cost => bad("原值计分不处理方向，只能用于正向指标"),
        _ => {}
    }
}

fn check_weights(scheme: &Scheme, children: &[Vec<Child>], errs: &mut Vec<SchemeError>) {
    let objective = matches!(scheme.weighting, Weighting::Entropy { .. } | Weighting::Critic);
    let equal = scheme.weighting == Weighting::Equal;
    let weight_of = |c: &Child, errs: &mut Vec<SchemeError>| -> (String, Option<f64>) {
        let (lab, w) = match c {
            Child::Ind(i) => (label(&scheme.indicators[*i].code, &scheme.indicators[*i].name), scheme.indicators[*i].weight),
            Child::Node(j) => (label(&scheme.nodes[*j].code, &scheme.nodes[*j].name), scheme.nodes[*j].weight),
        };
        if let Some(w) = w
            && !finite_nonneg(w)
        {
            errs.push(SchemeError::BadWeight { item: lab.clone(), weight: w });
        }
        (lab, w)
    };
    for (n, ch) in children.iter().enumerate() {
        let node_label = label(&scheme.nodes[n].code, &scheme.nodes[n].name);
        // Which children carry written weights that count here.
        let counted: Vec<(String, Option<f64>)> = ch
            .iter()
            .filter(|c| !(equal || objective && matches!(c, Child::Ind(_))))
            .map(|c| weight_of(c, errs))
            .collect();
        if counted.is_empty() {
            continue;
        }
        let missing: Vec<&String> = counted.iter().filter(|(_, w)| w.is_none()).map(|(l, _)| l).collect();
        if objective {
            // Aggregates under an objective weighting: all written, or none (then data-driven).
            if !missing.is_empty() && missing.len() < counted.len() {
                errs.push(SchemeError::Parameter {
                    item: format!("“{node_label}”"),
                    message: "下级汇总节点的权重要么都填写，要么都不填写（不填写时取其下指标客观权重之和）".into(),
                });
                continue;
            }
            if missing.len() == counted.len() {
                continue;
            }
        } else if !missing.is_empty() {
            for l in missing {
                errs.push(SchemeError::MissingWeight(l.clone()));
            }
            continue;
        }
        let sum: f64 = counted.iter().filter_map(|(_, w)| *w).sum();
        if let Some(declared) = scheme.weight_sum
            && (sum - declared).abs() > 1e-9 * declared.abs().max(1.0)
        {
            errs.push(SchemeError::WeightSum { node: node_label.clone(), sum: round_for_message(sum), declared });
        }
        if sum <= 0.0 {
            errs.push(SchemeError::ZeroWeights(node_label));
        }
    }
}

/// Sums like 0.30000000000000004 are shown as 0.3.
fn round_for_message(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

fn check_other(scheme: &Scheme, children: &[Vec<Child>], columns: &BTreeMap<&str, usize>, errs: &mut Vec<SchemeError>) {
    let param = |item: String, message: &str| SchemeError::Parameter { item, message: message.into() };
    // Vector scores keep the raw orientation: only a TOPSIS parent can use them on a cost column.
    for (n, ch) in children.iter().enumerate() {
        let agg = scheme.nodes[n].aggregation.clone().unwrap_or_else(|| scheme.aggregation.clone());
        for c in ch {
            match c {
                Child::Ind(i) => {
                    let ind = &scheme.indicators[*i];
                    let scoring = ind.scoring.as_ref().unwrap_or(&scheme.scoring);
                    if *scoring == Scoring::Vector && !matches!(agg, Aggregation::Topsis { .. }) {
                        errs.push(param(format!("指标“{}”", label(&ind.code, &ind.name)), "向量标准化不处理指标方向，只能用于 TOPSIS 汇总"));
                    }
                }
                Child::Node(_) => {}
            }
        }
        if let Aggregation::Topsis { scale, .. } = agg
            && !(scale > 0.0 && scale.is_finite())
        {
            errs.push(param(format!("“{}”", label(&scheme.nodes[n].code, &scheme.nodes[n].name)), "TOPSIS 的 scale 须为正"));
        }
    }
    if let Weighting::Entropy { standardise, epsilon } = scheme.weighting {
        let needs = matches!(standardise, EntropyStandardise::Shift | EntropyStandardise::ShiftRescale);
        match epsilon {
            None if needs => errs.push(param("熵权法".into(), "平移变体须给出 epsilon（如 0.0001）")),
            Some(e) if needs && !(e > 0.0 && e < 1.0) => errs.push(param("熵权法".into(), "epsilon 须在 (0, 1) 之间")),
            _ => {}
        }
    }
    if let ConstantPolicy::Score { value } = scheme.constant_columns
        && !value.is_finite()
    {
        errs.push(param("constant_columns".into(), "value 须为有限数"));
    }
    if let Some(dp) = scheme.ranking.round
        && dp > 12
    {
        errs.push(param("ranking.round".into(), "小数位数不能超过 12"));
    }
    let mut rule_codes = BTreeSet::new();
    for r in &scheme.adjustments {
        let lab = format!("{}“{}”", r.kind.label(), label(&r.code, &r.name));
        if !rule_codes.insert(r.code.as_str()) {
            errs.push(SchemeError::Duplicate(r.code.clone()));
        }
        if !columns.contains_key(r.column.as_str()) {
            errs.push(SchemeError::UnknownColumn { item: lab.clone(), column: r.column.clone() });
        }
        if !finite_nonneg(r.points) || r.max_points.is_some_and(|m| !finite_nonneg(m)) || !r.at_least.is_finite() {
            errs.push(param(lab.clone(), "分值须为非负有限数"));
        }
        if r.kind != AdjustmentKind::Veto && r.points == 0.0 {
            errs.push(param(lab, "每项分值 points 须为正"));
        }
    }
    for m in [scheme.max_total_deduction, scheme.max_total_bonus].into_iter().flatten() {
        if !finite_nonneg(m) {
            errs.push(param("加减分上限".into(), "须为非负有限数"));
        }
    }
    for c in &scheme.consequences {
        let lab = format!("处理规则“{}”", label(&c.code, &c.label));
        if c.n == 0 {
            errs.push(param(lab.clone(), "n 须为正整数"));
        }
        if c.when == ConsequenceWhen::RepeatBottom {
            match (c.times, c.years) {
                (Some(t), Some(y)) if t >= 1 && y >= 1 && t <= y => {}
                _ => errs.push(param(lab, "repeat_bottom 须给出 times 和 years（times ≤ years）")),
            }
        }
    }
    if let Some(u) = &scheme.uncertainty {
        for n in &u.weight_noise {
            if !(n.factor >= 0.0 && n.factor < 1.0) || n.level == 0 {
                errs.push(param("不确定性分析".into(), "权重扰动幅度须在 [0, 1) 之间，层级从 1 开始"));
            }
        }
    }
}
