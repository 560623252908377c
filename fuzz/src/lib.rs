//! What the entry-file targets check, shared by the CSV and the xlsx target: an uploaded file
//! goes the way `nengji import` and the upload page take it (`read_entry_sheet`, then
//! `parse_value_table` against the demo zones and the indicator catalogue), and whatever the
//! bytes, the result must be one of the two documented outcomes.

use std::collections::{HashMap, HashSet};

use nengji_core::catalog;
use nengji_core::entry::LocatedValue;
use nengji_core::indicator::IndicatorKind;
use nengji_core::masterdata::CellError;
use nengji_core::period::Month;

/// The demo's zones and reportable indicators, built once per process.
struct Context {
    zones: HashSet<String>,
    reportable: HashMap<String, bool>,
}

fn context() -> &'static Context {
    static CTX: std::sync::OnceLock<Context> = std::sync::OnceLock::new();
    CTX.get_or_init(|| Context {
        zones: catalog::zones().into_iter().map(|z| z.code).collect(),
        reportable: catalog::indicators().into_iter().map(|i| (i.code, i.kind != IndicatorKind::Formula)).collect(),
    })
}

/// Reads `bytes` as the upload `file_name` and parses its values. Panics (a fuzz finding) when
/// the reader or the parser panics, or when the outcome breaks the contract: either every value
/// comes back located at a real cell with a finite number, a known zone, a reportable indicator
/// and no duplicate (zone, indicator, period); or a non-empty list of errors each of which
/// names a sheet, a row of the file and a column of its header.
/// Returns the parse outcome (`None` when the file is unreadable) for the seed tests below.
pub fn check_entry_file(file_name: &str, bytes: &[u8]) -> Option<Result<Vec<LocatedValue>, Vec<CellError>>> {
    let Ok(table) = nengji_office::template::read_entry_sheet(file_name, bytes) else { return None };
    let ctx = context();
    // Periods before 2015 stand in for a closed window, so the refusal path runs too.
    let open = |_zone: &str, m: Month| if m.year() < 2015 { Err("填报期已结束".to_string()) } else { Ok(()) };
    let last_row = table.row_count() + 1;
    let outcome = nengji_core::entry::parse_value_table(&*table, &ctx.zones, &ctx.reportable, &open);
    match &outcome {
        Ok(values) => {
            let mut seen = HashSet::new();
            for v in values {
                assert!((2..=last_row).contains(&v.row), "row {} outside 2..={last_row}", v.row);
                assert!((1..=table.header().len()).contains(&v.value_column), "value column {}", v.value_column);
                assert_eq!(&*v.sheet, table.name());
                let i = &v.input;
                assert!(i.value.is_finite() && i.prior_comparable.is_none_or(f64::is_finite), "{i:?}");
                assert!(ctx.zones.contains(&i.zone), "unknown zone accepted: {i:?}");
                assert_eq!(ctx.reportable.get(&i.indicator), Some(&true), "indicator accepted: {i:?}");
                assert!(i.period.year() >= 2015, "closed period accepted: {i:?}");
                assert!(seen.insert((i.zone.clone(), i.indicator.clone(), i.period)), "duplicate accepted: {i:?}");
                // The value is read from the cell the location names.
                let cell = table.cell(v.row - 2, v.value_column - 1).expect("the located cell exists").trim();
                assert_eq!(nengji_core::entry::parse_number(cell), Some(i.value), "cell {cell:?}");
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without saying why");
            for e in errors {
                assert_eq!(e.sheet, table.name());
                assert!((1..=last_row).contains(&e.row), "error row {} outside 1..={last_row}", e.row);
                assert!(e.column.is_none_or(|c| (1..=table.header().len()).contains(&c)), "error column {:?}", e.column);
                assert!(!e.field.is_empty() && !e.message.is_empty(), "{e:?}");
            }
        }
    }
    Some(outcome)
}

/// A workbook whose one sheet “填报” has the XML `sheet` and the shared-string table `strings`.
/// Mutating a whole .xlsx mostly breaks its deflate streams or CRCs, so the zip layer refuses it
/// before calamine's XML reading runs; packing fuzzed XML lets the fuzzer reach the cells.
pub fn workbook(sheet: &[u8], strings: &[u8]) -> Vec<u8> {
    use std::io::Write;
    const NS: &str = "http://schemas.openxmlformats.org";
    let parts: [(&str, Vec<u8>); 6] = [
        ("[Content_Types].xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{NS}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#).into_bytes()),
        ("_rels/.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{NS}/package/2006/relationships"><Relationship Id="rId1" Type="{NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).into_bytes()),
        ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{NS}/package/2006/relationships"><Relationship Id="rId1" Type="{NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{NS}/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#).into_bytes()),
        ("xl/workbook.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}/spreadsheetml/2006/main" xmlns:r="{NS}/officeDocument/2006/relationships"><sheets><sheet name="填报" sheetId="1" r:id="rId1"/></sheets></workbook>"#).into_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.to_vec()),
        ("xl/sharedStrings.xml", strings.to_vec()),
    ];
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in parts {
        out.start_file(name, stored).expect("zip in memory");
        out.write_all(&bytes).expect("zip in memory");
    }
    out.finish().expect("zip in memory").into_inner()
}

/// The committed seeds reach the parser's both outcomes (not only the reader's refusals), so the
/// fuzzer starts from inputs that exercise the whole path. `cargo test` in fuzz/.
#[cfg(test)]
mod tests {
    use super::*;

    fn seed(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/seeds/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn messages(outcome: Option<Result<Vec<LocatedValue>, Vec<CellError>>>) -> Vec<(usize, String)> {
        outcome.expect("readable").expect_err("refused").into_iter().map(|e| (e.row, e.message)).collect()
    }

    #[test]
    fn csv_seeds_reach_values_and_located_errors() {
        let errs = messages(check_entry_file("填报.csv", &seed("entry_csv/template_utf8.csv")));
        assert!(errs.iter().any(|(r, m)| *r == 5 && m.contains("计算指标")), "{errs:?}");
        assert!(errs.iter().any(|(r, m)| *r == 6 && m.contains("填报期已结束")), "{errs:?}");
        assert!(errs.iter().any(|(r, m)| *r == 7 && m.contains("“abc”不是数字")), "{errs:?}");
        for f in ["template_bom.csv", "template_gb18030.csv"] {
            let values = check_entry_file("填报.csv", &seed(&format!("entry_csv/{f}"))).unwrap().unwrap();
            assert_eq!(values.iter().map(|v| v.input.value).collect::<Vec<_>>(), [123.45, 1234.5], "{f}");
        }
        let errs = messages(check_entry_file("填报.csv", &seed("entry_csv/required_only_duplicate.csv")));
        assert_eq!(errs, [(3, "与第2行重复：同一开发区、指标、期间只能有一行".to_string())]);
    }

    #[test]
    fn xlsx_seeds_reach_the_parser_whole_and_as_sheet_parts() {
        let template = check_entry_file("填报.xlsx", &seed("entry_xlsx/template_yanjiao_2021-01.xlsx")).expect("readable");
        assert!(template.is_ok_and(|v| v.iter().all(|v| v.input.zone == "yanjiao_htz")));
        let parts = seed("entry_xlsx/small_sheet_parts.xml");
        let i = parts.iter().position(|b| *b == 0).unwrap();
        let errs = messages(check_entry_file("填报.xlsx", &workbook(&parts[..i], &parts[i + 1..])));
        assert!(errs.iter().any(|(r, m)| *r == 3 && m.contains("与第2行重复")), "{errs:?}");
    }
}
