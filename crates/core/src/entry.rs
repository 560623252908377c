//! Reported values coming in from a form, a spreadsheet or the API: parsing and the checks
//! that need no history (codes, numbers, duplicates, the open window). Rule-based validation
//! lives in `validate`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;


use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::masterdata::{CellError, Sheet};
use crate::period::Month;

/// One value as reported: flows as 1–N月累计, stocks as end-of-month levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueInput {
    pub zone: String,
    pub indicator: String,
    pub period: Month,
    pub value: f64,
    /// 上年同期可比数 (optional, DOMAIN.md §5).
    pub prior_comparable: Option<f64>,
    /// 备注 / 情况说明: also the written explanation a plausibility warning asks for.
    pub comment: String,
}

/// A parsed value with where it came from, so later findings can point at the cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocatedValue {
    pub input: ValueInput,
    /// Shared by every value of the sheet (a file holds up to a million).
    pub sheet: Arc<str>,
    pub row: usize,
    /// 1-based column of 本期数值.
    pub value_column: usize,
}

/// Parses a number as people type it: `1,234.5`, full-width digits, surrounding spaces.
pub fn parse_number(s: &str) -> Option<f64> {
    // Plain ASCII without separators is the common case: nothing to map, no copy needed.
    let plain = s.trim();
    if plain.bytes().all(|b| b.is_ascii() && b != b',') {
        return plain.parse::<f64>().ok().filter(|v| v.is_finite());
    }
    let t: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            c => c,
        })
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Whether a zone may report a month now (`Err` holds the Chinese reason). Rows are checked on
/// several threads, hence `Sync`.
pub type OpenWindow<'a> = dyn Fn(&str, Month) -> Result<(), String> + Sync + 'a;

const COLUMNS: &[(&str, &[&str], bool)] = &[
    ("zone", &["开发区代码"], true),
    ("indicator", &["指标代码"], true),
    ("period", &["期间"], true),
    ("value", &["本期数值", "数值"], true),
    ("prior", &["上年同期可比数"], false),
    ("comment", &["备注", "情况说明"], false),
];

/// Parses a sheet of values (the entry template or a CSV with the same headers).
/// `reportable` maps indicator codes to whether they may be reported (formula indicators may not);
/// `open` says whether a zone may report a period now (`Err` holds the Chinese reason).
/// Rows with an empty 本期数值 are skipped. Any problem anywhere → every problem, nothing parsed.
pub fn parse_value_table<S: Sheet + ?Sized>(
    t: &S,
    zones: &HashSet<String>,
    reportable: &HashMap<String, bool>,
    open: &OpenWindow<'_>,
) -> Result<Vec<LocatedValue>, Vec<CellError>> {
    let norm = |s: &str| s.trim().trim_start_matches('\u{feff}').replace([' ', '*'], "");
    let header: Vec<String> = t.header().iter().map(|h| norm(h)).collect();
    let mut errors = Vec::new();
    let mut pos = HashMap::new();
    for (key, names, required) in COLUMNS {
        match header.iter().position(|h| names.contains(&h.as_str()) || h == key) {
            Some(i) => {
                pos.insert(*key, i);
            }
            None if *required => errors.push(CellError {
                sheet: t.name().to_string(),
                row: 1,
                column: None,
                field: names[0].into(),
                message: format!("缺少必填列“{}”", names[0]),
            }),
            None => {}
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Column positions resolved once; cells are borrowed from the table and only the values kept
    // are copied (a file can hold a million rows).
    let col = |key: &str| pos.get(key).copied();
    let cols = Cols { zone: col("zone"), indicator: col("indicator"), period: col("period"), value: col("value"), prior: col("prior"), comment: col("comment") };
    // Rows are checked on all cores in runs of consecutive rows; the duplicate check, which
    // needs the rows before, then runs in file order, and problems are listed in file order.
    const RUN: usize = 4096;
    let n = t.row_count();
    let checked: Vec<Vec<Checked>> = (0..n.div_ceil(RUN))
        .into_par_iter()
        .map(|k| check_rows(t, &cols, k * RUN..(k * RUN + RUN).min(n), zones, reportable, open))
        .collect();
    let mut out = Vec::with_capacity(n);
    let sheet: Arc<str> = Arc::from(t.name());
    // foldhash (randomly seeded, so a crafted file cannot pile its keys into one bucket): a
    // million keys through SipHash took a tenth of this loop.
    let mut seen: HashMap<(&str, &str, Month), usize, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(n, Default::default());
    for c in checked.into_iter().flatten() {
        let clean = c.errors.is_empty();
        errors.extend(c.errors);
        let Some(key) = c.key else { continue };
        let first = *seen.entry(key).or_insert(c.row);
        if first != c.row {
            errors.push(CellError {
                sheet: t.name().to_string(),
                row: c.row,
                column: cols.indicator.map(|c| c + 1),
                field: "指标代码".into(),
                message: format!("与第{first}行重复：同一开发区、指标、期间只能有一行"),
            });
        } else if clean && errors.is_empty() {
            let (input, value_column) = c.value.expect("a row without problems has its value");
            out.push(LocatedValue { input, sheet: sheet.clone(), row: c.row, value_column });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Positions of the template's columns in a sheet.
struct Cols {
    zone: Option<usize>,
    indicator: Option<usize>,
    period: Option<usize>,
    value: Option<usize>,
    prior: Option<usize>,
    comment: Option<usize>,
}

/// One row with a 本期数值, checked on its own.
struct Checked<'a> {
    row: usize,
    /// Zone, indicator and month (when the month is one), for the duplicate check.
    key: Option<(&'a str, &'a str, Month)>,
    errors: Vec<CellError>,
    /// The value and the 1-based column of 本期数值, when the row has no problem.
    value: Option<(ValueInput, usize)>,
}

/// Checks consecutive data rows: codes, numbers, window.
fn check_rows<'a, S: Sheet + ?Sized>(
    t: &'a S,
    cols: &Cols,
    rows: std::ops::Range<usize>,
    zones: &HashSet<String>,
    reportable: &HashMap<String, bool>,
    open: &OpenWindow<'_>,
) -> Vec<Checked<'a>> {
    let mut out = Vec::with_capacity(rows.len());
    // Rows come grouped by zone and month, so the previous row's answers usually hold.
    type Answer<'a> = ((&'a str, Month), Result<(), String>);
    let mut last_open: Option<Answer> = None;
    let mut last_zone: Option<(&str, bool)> = None;
    for i in rows {
        let row = i + 2;
        let cell = |c: Option<usize>| c.and_then(|c| t.cell(i, c)).map(|s| s.trim()).unwrap_or("");
        let err = |c: Option<usize>, field: &str, message: String| CellError {
            sheet: t.name().to_string(),
            row,
            column: c.map(|c| c + 1),
            field: field.into(),
            message,
        };
        let value_text = cell(cols.value);
        if value_text.is_empty() {
            continue;
        }
        let mut errors = Vec::new();
        let zone = cell(cols.zone);
        let known = match last_zone {
            Some((z, known)) if z == zone => known,
            _ => zones.contains(zone),
        };
        last_zone = Some((zone, known));
        if !known {
            errors.push(err(cols.zone, "开发区代码", format!("开发区代码“{zone}”不存在或您无权填报")));
        }
        let indicator = cell(cols.indicator);
        match reportable.get(indicator) {
            None => errors.push(err(cols.indicator, "指标代码", format!("指标代码“{indicator}”不存在"))),
            Some(false) => errors.push(err(cols.indicator, "指标代码", format!("“{indicator}”是计算指标，由系统计算，不能填报"))),
            Some(true) => {}
        }
        let period = match cell(cols.period).parse::<Month>() {
            Ok(m) => Some(m),
            Err(e) => {
                errors.push(err(cols.period, "期间", e.to_string()));
                None
            }
        };
        let value = parse_number(value_text);
        if value.is_none() {
            errors.push(err(cols.value, "本期数值", format!("“{value_text}”不是数字")));
        }
        let prior_text = cell(cols.prior);
        let prior = if prior_text.is_empty() { None } else { parse_number(prior_text) };
        if !prior_text.is_empty() && prior.is_none() {
            errors.push(err(cols.prior, "上年同期可比数", format!("“{prior_text}”不是数字")));
        }
        if let Some(p) = period
            && errors.is_empty()
        {
            let answer = match &last_open {
                Some((key, answer)) if *key == (zone, p) => answer.clone(),
                _ => {
                    let answer = open(zone, p);
                    last_open = Some(((zone, p), answer.clone()));
                    answer
                }
            };
            if let Err(reason) = answer {
                errors.push(err(cols.period, "期间", reason));
            }
        }
        let value = match (errors.is_empty(), period, value) {
            (true, Some(period), Some(value)) => Some((
                ValueInput { zone: zone.to_string(), indicator: indicator.to_string(), period, value, prior_comparable: prior, comment: cell(cols.comment).to_string() },
                cols.value.expect("required column") + 1,
            )),
            _ => None,
        };
        out.push(Checked { row, key: period.map(|p| (zone, indicator, p)), errors, value });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::masterdata::Table;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            sheet: "填报".into(),
            header: ["开发区代码", "开发区", "指标代码", "指标名称", "计量单位", "口径", "期间", "上年同期数", "本期数值", "上年同期可比数", "备注"]
                .map(String::from)
                .to_vec(),
            rows: rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect(),
        }
    }

    fn ctx() -> (HashSet<String>, HashMap<String, bool>) {
        (
            ["z1".to_string()].into(),
            [("gdp".to_string(), true), ("hitech_share".to_string(), false)].into(),
        )
    }

    fn open_2021(_: &str, m: Month) -> Result<(), String> {
        if m == Month::new(2021, 1).unwrap() { Ok(()) } else { Err(format!("{}不在填报期内", m.label())) }
    }

    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(parse_number(" 1,234.5 "), Some(1234.5));
        assert_eq!(parse_number("１２．５"), Some(12.5));
        assert_eq!(parse_number("十二"), None);
        assert_eq!(parse_number("NaN"), None);
    }

    #[test]
    fn good_rows_parse_and_blank_values_are_skipped() {
        let (z, i) = ctx();
        let t = table(&[&["z1", "甲", "gdp", "", "", "", "2021-01", "", "12.5", "11", "说明"], &["z1", "甲", "gdp", "", "", "", "2021-01", "", "", "", ""]]);
        let v = parse_value_table(&t, &z, &i, &open_2021).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].input.value, v[0].input.prior_comparable, v[0].row, v[0].value_column), (12.5, Some(11.0), 2, 9));
        assert_eq!(v[0].input.comment, "说明");
    }

    #[test]
    fn a_long_sheet_is_checked_in_runs_and_reported_in_row_order() {
        // 10,000 rows (runs of 4,096 are checked in parallel): every month of 2021-01 for
        // distinct indicator codes, then a duplicate of row 12 far down and a bad number after it.
        let (z, _) = ctx();
        let codes: Vec<String> = (0..10_000).map(|k| format!("i{k}")).collect();
        let reportable: HashMap<String, bool> = codes.iter().map(|c| (c.clone(), true)).collect();
        let mut rows: Vec<Vec<String>> =
            codes.iter().enumerate().map(|(k, c)| ["z1", "", c, "", "", "", "2021-01", "", &k.to_string(), "", ""].map(String::from).to_vec()).collect();
        let ok = Table { rows: rows.clone(), ..table(&[]) };
        let v = parse_value_table(&ok, &z, &reportable, &open_2021).unwrap();
        assert_eq!(v.len(), 10_000);
        assert!(v.iter().enumerate().all(|(k, l)| l.row == k + 2 && l.input.value == k as f64 && l.input.indicator == codes[k]));
        rows[9000][2] = "i10".into();
        rows[9500][8] = "x".into();
        let bad = Table { rows, ..table(&[]) };
        let msgs: Vec<String> = parse_value_table(&bad, &z, &reportable, &open_2021).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            ["工作表“填报”第9002行第C列（指标代码）：与第12行重复：同一开发区、指标、期间只能有一行", "工作表“填报”第9502行第I列（本期数值）：“x”不是数字"]
        );
    }

    #[test]
    fn every_bad_cell_is_located() {
        let (z, i) = ctx();
        let t = table(&[
            &["z1", "", "gdp", "", "", "", "2021-01", "", "abc", "", ""],
            &["zx", "", "gdp", "", "", "", "2021-01", "", "1", "", ""],
            &["z1", "", "nope", "", "", "", "2021-01", "", "1", "", ""],
            &["z1", "", "hitech_share", "", "", "", "2021-01", "", "1", "", ""],
            &["z1", "", "gdp", "", "", "", "2020-12", "", "1", "", ""],
            &["z1", "", "gdp", "", "", "", "2021-01", "", "2", "x", ""],
            &["z1", "", "gdp", "", "", "", "2021-01", "", "3", "", ""],
        ]);
        let msgs: Vec<String> = parse_value_table(&t, &z, &i, &open_2021).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "工作表“填报”第2行第I列（本期数值）：“abc”不是数字",
                "工作表“填报”第3行第A列（开发区代码）：开发区代码“zx”不存在或您无权填报",
                "工作表“填报”第4行第C列（指标代码）：指标代码“nope”不存在",
                "工作表“填报”第5行第C列（指标代码）：“hitech_share”是计算指标，由系统计算，不能填报",
                "工作表“填报”第6行第G列（期间）：2020年12月不在填报期内",
                "工作表“填报”第7行第J列（上年同期可比数）：“x”不是数字",
                "工作表“填报”第7行第C列（指标代码）：与第2行重复：同一开发区、指标、期间只能有一行",
                "工作表“填报”第8行第C列（指标代码）：与第2行重复：同一开发区、指标、期间只能有一行",
            ]
        );
    }
}
