//! Tables in and out: a units × columns sheet (CSV/xlsx read by the office crate) becomes
//! [`Inputs`]; an [`Outcome`] (with optional Monte Carlo statistics) becomes a result sheet.

use std::collections::{BTreeMap, BTreeSet};

use super::engine::Outcome;
use super::mc::McResult;
use super::scheme::*;
use super::label;
use crate::masterdata::{CellError, Table};

/// Headers that hold the unit name.
const NAME_HEADERS: [&str; 4] = ["name", "名称", "单位名称", "开发区名称"];
/// Prefixes of evidence columns: `依据:eco_issues` holds the documents behind `eco_issues`.
const EVIDENCE_PREFIXES: [&str; 4] = ["依据:", "依据：", "evidence:", "证据:"];

fn parse_number(s: &str) -> Result<Option<f64>, ()> {
    let t = s.trim();
    if t.is_empty() || ["NA", "N/A", "-", "—", "缺", "缺报", "无数据"].contains(&t) {
        return Ok(None);
    }
    // Thousands separators as Excel shows them (1,234.5).
    let t: String = t.chars().filter(|c| *c != ',').collect();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(()),
    }
}

/// Reads a units × columns table: the first column is the unit code; a `name`/`名称` column, the
/// scheme's group attributes and `依据:<column>` evidence columns are text; the columns the
/// scheme uses are numbers (empty, `NA` or `-` = missing); other columns are ignored.
pub fn inputs_from_table(table: &Table, scheme: &Scheme) -> Result<Inputs, Vec<CellError>> {
    let mut errs = Vec::new();
    let err = |row: usize, column: Option<usize>, field: &str, message: String| CellError {
        sheet: table.sheet.clone(),
        row,
        column,
        field: field.to_string(),
        message,
    };
    if table.header.is_empty() {
        return Err(vec![err(1, None, "表头", "表头为空：第 1 列应为单位代码".into())]);
    }
    let mut numeric: BTreeSet<&str> = scheme.indicators.iter().map(|i| i.column()).collect();
    for i in &scheme.indicators {
        if let Some(Scoring::Growth { base: Some(b), .. }) = i.scoring.as_ref().or(Some(&scheme.scoring)) {
            numeric.insert(b);
        }
    }
    numeric.extend(scheme.adjustments.iter().map(|a| a.column.as_str()));
    let groups: BTreeSet<&str> = scheme.ranking.groups.iter().map(String::as_str).chain(scheme.consequences.iter().filter_map(|c| c.group.as_deref())).collect();

    let mut name_col = None;
    let mut group_cols = Vec::new();
    let mut evidence_cols = Vec::new();
    let mut number_cols = Vec::new();
    let mut seen = BTreeSet::new();
    for (c, h) in table.header.iter().enumerate().skip(1) {
        let h = h.trim();
        if !h.is_empty() && !seen.insert(h) {
            errs.push(err(1, Some(c + 1), h, format!("列名“{h}”重复")));
            continue;
        }
        if NAME_HEADERS.contains(&h) {
            name_col = Some(c);
        } else if groups.contains(h) {
            group_cols.push((c, h.to_string()));
        } else if let Some(target) = EVIDENCE_PREFIXES.iter().find_map(|p| h.strip_prefix(p)) {
            evidence_cols.push((c, target.trim().to_string()));
        } else if numeric.contains(h) {
            number_cols.push((c, h.to_string()));
        }
    }
    let mut inputs = Inputs::default();
    let mut columns: Vec<Vec<Option<f64>>> = vec![Vec::new(); number_cols.len()];
    let mut codes = BTreeMap::new();
    for (r, row) in table.rows.iter().enumerate() {
        let rownum = r + 2;
        let cell = |c: usize| row.get(c).map(|s| s.trim()).unwrap_or("");
        if row.iter().all(|s| s.trim().is_empty()) {
            continue;
        }
        let code = cell(0).to_string();
        if code.is_empty() {
            errs.push(err(rownum, Some(1), &table.header[0], "单位代码为空".into()));
            continue;
        }
        if let Some(first) = codes.insert(code.clone(), rownum) {
            errs.push(err(rownum, Some(1), &table.header[0], format!("单位代码“{code}”与第 {first} 行重复")));
            continue;
        }
        let mut unit = UnitInfo { code: code.clone(), name: name_col.map(|c| cell(c).to_string()).unwrap_or_default(), groups: BTreeMap::new() };
        for (c, g) in &group_cols {
            if !cell(*c).is_empty() {
                unit.groups.insert(g.clone(), cell(*c).to_string());
            }
        }
        for (c, target) in &evidence_cols {
            if !cell(*c).is_empty() {
                inputs.evidence.push(Evidence { unit: code.clone(), column: target.clone(), text: cell(*c).to_string() });
            }
        }
        for (k, (c, h)) in number_cols.iter().enumerate() {
            match parse_number(cell(*c)) {
                Ok(v) => columns[k].push(v),
                Err(()) => {
                    errs.push(err(rownum, Some(c + 1), h, format!("“{}”不是数值", cell(*c))));
                    columns[k].push(None);
                }
            }
        }
        inputs.units.push(unit);
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    inputs.columns = number_cols.into_iter().zip(columns).map(|((_, code), values)| DataColumn { code, values }).collect();
    Ok(inputs)
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

fn int<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// One row per unit: node scores, index, adjustments, final score, ranks (overall, within
/// groups), rank change, consequences, and the Monte Carlo rank statistics when given. Numbers
/// keep full precision (shortest round-trip form).
pub fn results_table(o: &Outcome, mc: Option<&McResult>) -> Table {
    let mut header: Vec<String> = vec!["单位代码".into(), "单位名称".into()];
    let shown: Vec<usize> = (0..o.nodes.len()).filter(|&k| o.nodes[k].parent.is_some()).collect();
    for &k in &shown {
        let n = &o.nodes[k];
        header.push(format!("{}得分", label(&n.code, &n.name)));
    }
    header.extend(["综合指数", "加减分", "加减分说明", "最终得分", "排名"].map(String::from));
    for g in &o.group_ranks {
        header.push(format!("组内排名（{}）", g.group));
    }
    let with_previous = o.previous_ranks.iter().any(|r| r.is_some());
    if with_previous {
        header.extend(["上次排名", "位次变化"].map(String::from));
    }
    header.push("处理".into());
    if mc.is_some() {
        header.extend(["名义排名", "排名中位数", "排名5%分位", "排名95%分位", "平均排名", "有效模拟次数"].map(String::from));
    }
    let mut rows = Vec::with_capacity(o.units.len());
    for (i, u) in o.units.iter().enumerate() {
        let mut row = vec![u.code.clone(), u.name.clone()];
        for &k in &shown {
            row.push(num(o.nodes[k].values.at(i)));
        }
        let notes: Vec<String> = o.adjustments[i]
            .iter()
            .map(|a| {
                let what = if a.name.is_empty() { a.rule.clone() } else { a.name.clone() };
                let pts = if a.kind == AdjustmentKind::Veto { String::new() } else { format!(" {:+}", a.points) };
                let ev = if a.evidence.is_empty() { String::new() } else { format!("（依据：{}）", a.evidence.join("；")) };
                format!("{}：{what} {}{pts}{ev}", a.kind.label(), a.count)
            })
            .collect();
        row.extend([num(o.index[i]), format!("{}", o.adjustment_total[i]), notes.join("；"), num(o.scores[i]), int(o.ranks[i])]);
        for g in &o.group_ranks {
            row.push(int(g.ranks[i]));
        }
        if with_previous {
            row.push(int(o.previous_ranks[i]));
            row.push(int(o.rank_change[i]));
        }
        let labels: Vec<&str> = o.consequences.iter().filter(|c| c.unit == u.code).map(|c| c.label.as_str()).collect();
        row.push(labels.join("；"));
        if let Some(mc) = mc {
            let s = &mc.stats[i];
            row.extend([int(s.nominal), num(s.median), num(s.q5), num(s.q95), num(s.mean), s.replications.to_string()]);
        }
        rows.push(row);
    }
    Table { sheet: "考核结果".into(), header, rows }
}
