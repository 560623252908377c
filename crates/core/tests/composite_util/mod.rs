//! Shared helpers of the composite-index tests: the data folder and a small CSV reader (quoted
//! fields, "" escapes, BOM), so the tests need no CSV crate and no Python.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use nengji_core::evaluate::{DataColumn, Inputs, UnitInfo};

pub fn data_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/composite").join(rel)
}

pub fn read(rel: &str) -> String {
    let p = data_path(rel);
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)
}

/// Rows of a CSV file as maps from header to cell.
pub fn csv(rel: &str) -> Vec<BTreeMap<String, String>> {
    let text = read(rel);
    let mut records = parse_csv(&text).into_iter();
    let header = records.next().expect("header");
    records.filter(|r| r.len() > 1 || r.first().is_some_and(|c| !c.is_empty())).map(|r| header.iter().cloned().zip(r).collect()).collect()
}

pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

pub fn num(s: &str) -> Option<f64> {
    if s.trim().is_empty() { None } else { Some(s.trim().parse().unwrap_or_else(|_| panic!("not a number: {s}"))) }
}

/// Inputs from unit codes and named columns.
pub fn inputs(units: &[String], columns: Vec<(&str, Vec<Option<f64>>)>) -> Inputs {
    Inputs {
        units: units.iter().map(|u| UnitInfo { code: u.clone(), ..Default::default() }).collect(),
        columns: columns.into_iter().map(|(c, values)| DataColumn { code: c.into(), values }).collect(),
        evidence: vec![],
    }
}

/// Round half away from zero at `dp` decimals, for comparing with published figures.
pub fn round(x: f64, dp: u32) -> f64 {
    nengji_core::evaluate::round_dp(x, dp)
}
