//! Reading an imported sheet by header names, with every problem located (sheet, row, column,
//! field) in Chinese. Shared by the land-use statistics and the enterprise figures imports.

use crate::entry::parse_number;
use crate::masterdata::{CellError, Table};

/// Normalised header text: no spaces, brackets or required-marks, so "用地面积（亩）*" matches.
pub fn norm(s: &str) -> String {
    s.trim().trim_start_matches('\u{feff}').replace(['（', '）', '(', ')', ' ', '*', '\u{3000}'], "")
}

/// Header positions of a table, found by any of a field's accepted names.
pub struct Columns<'t> {
    pub table: &'t Table,
    header: Vec<String>,
}

impl<'t> Columns<'t> {
    pub fn new(table: &'t Table) -> Columns<'t> {
        Columns { table, header: table.header.iter().map(|h| norm(h)).collect() }
    }

    /// The 0-based column of a field, or `None`.
    pub fn find(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| names.iter().any(|n| norm(n) == *h))
    }

    /// Like [`find`](Self::find), reporting a missing required column on row 1.
    pub fn require(&self, names: &[&str], errors: &mut Vec<CellError>) -> Option<usize> {
        let at = self.find(names);
        if at.is_none() {
            errors.push(CellError { sheet: self.table.sheet.clone(), row: 1, column: None, field: names[0].into(), message: format!("缺少必填列“{}”", names[0]) });
        }
        at
    }

    pub fn text(&self, row: usize, col: Option<usize>) -> String {
        col.and_then(|c| self.table.rows[row].get(c)).map(|s| s.trim().to_string()).unwrap_or_default()
    }

    pub fn err(&self, row: usize, col: Option<usize>, field: &str, message: String) -> CellError {
        CellError { sheet: self.table.sheet.clone(), row: row + 2, column: col.map(|c| c + 1), field: field.into(), message }
    }

    /// A non-negative number; empty gives `None`.
    pub fn number(&self, row: usize, col: Option<usize>, field: &str, errors: &mut Vec<CellError>) -> Option<f64> {
        let t = self.text(row, col);
        if t.is_empty() {
            return None;
        }
        match parse_number(&t) {
            Some(v) if v >= 0.0 => Some(v),
            _ => {
                errors.push(self.err(row, col, field, format!("“{t}”不是有效的非负数字")));
                None
            }
        }
    }

    pub fn blank(&self, row: usize) -> bool {
        self.table.rows[row].iter().all(|c| c.trim().is_empty())
    }
}
