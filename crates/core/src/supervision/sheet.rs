//! The 任务分解表 as a spreadsheet (序号 / 重点任务 / 牵头单位 / 责任单位 / 完成时限 / 进展情况):
//! the table the office sends out and gets back. Reading it checks every row and reports each
//! problem by row and column; nothing is returned unless the whole sheet is clean.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::ledger::{parse_deadline, units_from_text, units_text, unknown_unit};
use crate::masterdata::{CellError, Table};
use crate::plan::Registry;

pub const SHEET: &str = "任务分解表";
pub const HEADER: [&str; 6] = ["序号", "重点任务", "牵头单位", "责任单位", "完成时限", "进展情况"];

/// One row as exported.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub seq: usize,
    pub task: String,
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    pub deadline: String,
    pub progress: String,
}

pub fn to_table(rows: &[SheetRow]) -> Table {
    Table {
        sheet: SHEET.into(),
        header: HEADER.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| vec![r.seq.to_string(), r.task.clone(), units_text(&r.lead), units_text(&r.responsible), r.deadline.clone(), r.progress.clone()])
            .collect(),
    }
}

/// One checked row of an uploaded sheet. `seq: None` is a new task.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SheetChange {
    /// The row in the sheet (1-based, as Excel shows it).
    pub row: usize,
    pub seq: Option<usize>,
    pub task: String,
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    pub deadline: String,
    pub deadline_date: Option<NaiveDate>,
    pub progress: String,
}

fn norm(s: &str) -> String {
    s.trim().trim_start_matches('\u{feff}').chars().filter(|c| !c.is_whitespace() && !"*()（）".contains(*c)).collect()
}

const COLUMNS: [(&str, &[&str], bool); 6] = [
    ("序号", &["序号", "编号"], true),
    ("重点任务", &["重点任务", "任务", "工作任务", "重点工作", "任务内容"], true),
    ("牵头单位", &["牵头单位"], true),
    ("责任单位", &["责任单位"], true),
    ("完成时限", &["完成时限", "完成时间", "时限"], true),
    ("进展情况", &["进展情况", "进展", "工作进展"], false),
];

/// Reads a 任务分解表. The header may sit below a title row (within the first five rows).
/// `known` are the 序号 of the plan's tasks; a row with an empty 序号 is a new task.
pub fn read_table(t: &Table, known: &[usize], registry: &Registry) -> Result<Vec<SheetChange>, Vec<CellError>> {
    let all: Vec<&Vec<String>> = std::iter::once(&t.header).chain(&t.rows).collect();
    let has = |row: &Vec<String>, name: &str| row.iter().any(|c| norm(c) == name);
    let Some(h) = all.iter().take(5).position(|r| has(r, "序号") && COLUMNS[1].1.iter().any(|n| has(r, n))) else {
        return Err(vec![CellError {
            sheet: t.sheet.clone(),
            row: 1,
            column: None,
            field: "表头".into(),
            message: format!("找不到表头：前5行中应有一行写着 {}", HEADER.join("、")),
        }]);
    };
    let header = all[h];
    let mut errors = Vec::new();
    let pos: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(name, names, required)| {
            let at = header.iter().position(|c| names.contains(&norm(c).as_str()));
            if at.is_none() && *required {
                errors.push(CellError { sheet: t.sheet.clone(), row: h + 1, column: None, field: name.to_string(), message: format!("缺少必填列“{name}”") });
            }
            at
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in all.iter().enumerate().skip(h + 1) {
        let excel_row = i + 1;
        let cell = |c: usize| pos[c].and_then(|p| row.get(p)).map(|s| s.trim().to_string()).unwrap_or_default();
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut err = |c: usize, message: String| {
            errors.push(CellError { sheet: t.sheet.clone(), row: excel_row, column: pos[c].map(|p| p + 1), field: COLUMNS[c].0.into(), message })
        };
        let seq_text = cell(0);
        let seq = if seq_text.is_empty() {
            None
        } else {
            match seq_text.parse::<usize>() {
                Ok(n) if n > 0 && !known.contains(&n) => {
                    err(0, format!("序号 {n} 不在当前任务分解表中（新增任务请将序号留空）"));
                    None
                }
                Ok(n) if n > 0 => {
                    if !seen.insert(n) {
                        err(0, format!("序号 {n} 在表中重复出现"));
                    }
                    Some(n)
                }
                _ => {
                    err(0, format!("“{seq_text}”不是有效的序号（应为正整数）"));
                    None
                }
            }
        };
        let task = cell(1);
        if task.is_empty() {
            err(1, "“重点任务”不能为空".into());
        }
        let (lead, responsible) = (units_from_text(&cell(2)), units_from_text(&cell(3)));
        if lead.is_empty() && responsible.is_empty() {
            err(2, "牵头单位和责任单位不能都为空".into());
        }
        for (c, names) in [(2, &lead), (3, &responsible)] {
            for n in names {
                if let Some(m) = unknown_unit(registry, n) {
                    err(c, m);
                }
            }
        }
        let deadline = cell(4);
        let deadline_date = parse_deadline(&deadline).unwrap_or_else(|e| {
            err(4, e);
            None
        });
        out.push(SheetChange { row: excel_row, seq, task, lead, responsible, deadline, deadline_date, progress: cell(5) });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        let mut rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        let header = rows.remove(0);
        Table { sheet: SHEET.into(), header, rows }
    }

    #[test]
    fn round_trip_and_new_rows() {
        let rows = vec![SheetRow {
            seq: 1,
            task: "构建与雄安新区发展相配套的重大开放平台".into(),
            lead: vec!["市商务局".into(), "各县(市、区)政府".into()],
            responsible: vec!["市发改委".into()],
            deadline: "2026年底".into(),
            progress: String::new(),
        }];
        let mut t = to_table(&rows);
        assert_eq!(t.header, HEADER);
        assert_eq!(t.rows[0][2], "市商务局、各县(市、区)政府");
        t.rows.push(vec!["".into(), "新增：推进审批改革".into(), "行政审批局".into(), "".into(), "2027-03-31".into(), "已启动".into()]);
        let back = read_table(&t, &[1], &Registry::builtin()).unwrap();
        assert_eq!(back[0].lead, ["市商务局", "各县(市、区)政府"]);
        assert_eq!(back[0].deadline_date, "2026-12-31".parse().ok());
        assert_eq!((back[1].row, back[1].seq, back[1].progress.as_str()), (3, None, "已启动"));
    }

    #[test]
    fn every_problem_is_located_by_row_and_column() {
        let t = table(&[
            &["廊坊市开发区重点任务分解表", "", "", "", "", ""],
            &["序号", "重点任务", "牵头单位", "责任单位", "完成时限", "进展情况"],
            &["1", "任务甲", "市商务局", "", "2026-06-30", ""],
            &["1", "任务乙", "市督查局", "", "明年", ""],
            &["x", "", "", "", "", ""],
            &["", "", "", "", "", ""],
            &["9", "任务丙", "市科技局", "", "", ""],
        ]);
        let errs: Vec<String> = read_table(&t, &[1, 2], &Registry::builtin()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, [
            "工作表“任务分解表”第4行第A列（序号）：序号 1 在表中重复出现",
            "工作表“任务分解表”第4行第C列（牵头单位）：“市督查局”不在单位名录中，请改为名录中的名称或先在主数据中添加该单位",
            "工作表“任务分解表”第4行第E列（完成时限）：无法识别的完成时限“明年”：请写成 2026-06-30、2026年6月底 或 2026年底",
            "工作表“任务分解表”第5行第A列（序号）：“x”不是有效的序号（应为正整数）",
            "工作表“任务分解表”第5行第B列（重点任务）：“重点任务”不能为空",
            "工作表“任务分解表”第5行第C列（牵头单位）：牵头单位和责任单位不能都为空",
            "工作表“任务分解表”第7行第A列（序号）：序号 9 不在当前任务分解表中（新增任务请将序号留空）",
        ]);
        let no_header = table(&[&["编号", "名称"], &["1", "x"]]);
        assert_eq!(read_table(&no_header, &[], &Registry::builtin()).unwrap_err()[0].message, "找不到表头：前5行中应有一行写着 序号、重点任务、牵头单位、责任单位、完成时限、进展情况");
        let missing = table(&[&["序号", "重点任务", "牵头单位"], &["1", "x", "市商务局"]]);
        let errs: Vec<String> = read_table(&missing, &[1], &Registry::builtin()).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, ["工作表“任务分解表”第1行（责任单位）：缺少必填列“责任单位”", "工作表“任务分解表”第1行（完成时限）：缺少必填列“完成时限”"]);
    }
}
