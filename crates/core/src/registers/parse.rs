//! Sheet ↔ records for every register: header matching, typed cells, the register's own rules,
//! duplicates; each problem located by sheet, row, column and field. All rows are checked before
//! anything is returned, so an import lands whole or not at all. Forms and the API go through
//! the same path as a one-row sheet.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::{Field, FieldType, Record, RegisterKind, ZoneInfo};
use crate::codes;
use crate::masterdata::{CellError, Table};

/// What parsing needs to know beyond the sheet.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub zones: Vec<ZoneInfo>,
}

impl Context {
    fn zone(&self, text: &str) -> Option<&ZoneInfo> {
        self.zones.iter().find(|z| z.code == text || z.name == text || z.short_name == text)
    }
}

fn norm_header(s: &str) -> String {
    s.trim().trim_start_matches('\u{feff}').replace(['（', '）', '(', ')', ' ', '*'], "")
}

/// Reads a date as people type it, or an Excel serial day number.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Some(d);
        }
    }
    // "2019-03-15 00:00:00" from some exports.
    if let Some((d, _)) = t.split_once(' ')
        && let Ok(d) = NaiveDate::parse_from_str(d, "%Y-%m-%d")
    {
        return Some(d);
    }
    // Excel serial: day 1 = 1900-01-01 with the 1900 leap-year bug, so count from 1899-12-30.
    if let Ok(n) = t.parse::<i64>()
        && (20_000..=80_000).contains(&n)
    {
        return NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|b| b.checked_add_signed(chrono::Duration::days(n)));
    }
    None
}

/// Canonical text of a number: no grouping, no trailing zeros.
pub fn canonical_number(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// Parses one cell; `Ok("")` for a blank optional cell.
pub fn parse_cell(f: &Field, text: &str, ctx: &Context) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return if f.required { Err(format!("“{}”不能为空", f.label)) } else { Ok(String::new()) };
    }
    match f.ty {
        FieldType::Text => Ok(t.to_string()),
        FieldType::Date => parse_date(t)
            .filter(|d| (1949..=2100).contains(&d.year()))
            .map(|d| d.to_string())
            .ok_or_else(|| format!("“{t}”不是有效日期（应为如 2019-03-15 的格式）")),
        FieldType::Number => match t.replace([',', '，'], "").parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(canonical_number(v)),
            _ => Err(format!("“{t}”不是有效的非负数字")),
        },
        FieldType::Flag => match t {
            "是" | "Y" | "y" | "1" | "true" | "TRUE" | "√" => Ok("是".into()),
            "否" | "N" | "n" | "0" | "false" | "FALSE" => Ok("否".into()),
            _ => Err(format!("“{t}”应填“是”或“否”")),
        },
        FieldType::Choice(options) => {
            if options.contains(&t) {
                Ok(t.to_string())
            } else {
                Err(format!("“{t}”不是可选值（可选：{}）", options.join("、")))
            }
        }
        FieldType::Uscc => crate::uscc::validate(t).map_err(|e| e.to_string()),
        FieldType::Zone => ctx.zone(t).map(|z| z.code.clone()).ok_or_else(|| format!("开发区“{t}”不存在（填写开发区代码、全称或简称）")),
        FieldType::County => {
            // 131000 is 市本级 (the 廊坊经开区 lies directly under the city).
            if codes::division_name(t).is_some() {
                Ok(t.to_string())
            } else if let Some((c, _)) = codes::LANGFANG_DIVISIONS.iter().find(|(_, n)| *n == t) {
                Ok(c.to_string())
            } else {
                Err(format!("“{t}”不是本市的县（市、区）（填写行政区划代码或名称）"))
            }
        }
    }
}

/// Where each field's column is in a table (by Chinese label or field key).
fn layout(kind: RegisterKind, table: &Table, errors: &mut Vec<CellError>) -> Vec<Option<usize>> {
    let header: Vec<String> = table.header.iter().map(|h| norm_header(h)).collect();
    kind.fields()
        .iter()
        .map(|f| {
            let at = header.iter().position(|h| *h == norm_header(f.label) || h == f.key);
            if at.is_none() && f.required {
                errors.push(CellError {
                    sheet: table.sheet.clone(),
                    row: 1,
                    column: None,
                    field: f.label.to_string(),
                    message: format!("缺少必填列“{}”", f.label),
                });
            }
            at
        })
        .collect()
}

/// Parses every row of a sheet into records of `kind`, or every problem found. Blank rows are
/// skipped; a key twice in the file is refused.
pub fn parse_table(kind: RegisterKind, table: &Table, ctx: &Context) -> Result<Vec<(usize, Record)>, Vec<CellError>> {
    let mut errors = Vec::new();
    let cols = layout(kind, table, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = i + 2;
        let at = |key: &str| -> (Option<usize>, &'static str) {
            let idx = kind.fields().iter().position(|f| f.key == key).expect("field of the register");
            (cols[idx].map(|c| c + 1), kind.fields()[idx].label)
        };
        let err = |key: &str, message: String| {
            let (column, label) = at(key);
            CellError { sheet: table.sheet.clone(), row: line, column, field: label.to_string(), message }
        };
        let mut rec = Record::default();
        let mut row_ok = true;
        for (f, col) in kind.fields().iter().zip(&cols) {
            let text = col.and_then(|c| row.get(c)).map(String::as_str).unwrap_or("");
            match parse_cell(f, text, ctx) {
                Ok(v) => rec.set(f.key, v),
                Err(m) => {
                    row_ok = false;
                    errors.push(err(f.key, m));
                }
            }
        }
        // A key seen twice is reported even when the rows have other problems.
        let key = rec.key(kind).to_string();
        if !key.is_empty()
            && let Some(first) = seen.insert(key.clone(), line)
        {
            let label = kind.field(kind.key_field()).map(|f| f.label).unwrap_or("");
            errors.push(err(kind.key_field(), format!("{label}“{key}”与第{first}行重复")));
            continue;
        }
        if !row_ok {
            continue;
        }
        // County from the zone when left blank; a zone in another county is a contradiction.
        if kind.field("county").is_some()
            && let Some(z) = ctx.zone(rec.zone())
        {
            if rec.county().is_empty() {
                rec.set("county", z.county.clone());
            } else if rec.county() != z.county {
                errors.push(err("county", format!("开发区“{}”位于{}，与所填县（市、区）不符", z.short_name, codes::division_name(&z.county).unwrap_or(&z.county))));
                continue;
            }
        }
        let problems = kind.check(&rec);
        if !problems.is_empty() {
            errors.extend(problems.into_iter().map(|(k, m)| err(k, m)));
            continue;
        }
        out.push((line, rec));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// One record from form or API fields (field key or label → text), checked like a sheet row
/// named “表单”.
pub fn parse_fields(kind: RegisterKind, input: &[(String, String)], ctx: &Context) -> Result<Record, Vec<CellError>> {
    let fields = kind.fields();
    let value = |f: &Field| {
        input.iter().find(|(k, _)| k == f.key || k == f.label).map(|(_, v)| v.clone()).unwrap_or_default()
    };
    let table = Table {
        sheet: "表单".into(),
        header: fields.iter().map(|f| f.label.to_string()).collect(),
        rows: vec![fields.iter().map(value).collect()],
    };
    let mut rows = parse_table(kind, &table, ctx)?;
    rows.pop().map(|(_, r)| r).ok_or_else(|| {
        vec![CellError { sheet: "表单".into(), row: 2, column: None, field: String::new(), message: "没有填写任何内容".into() }]
    })
}

/// Records as a sheet with the Chinese headers (what export writes and import reads back).
pub fn to_table(kind: RegisterKind, records: &[Record]) -> Table {
    Table {
        sheet: kind.sheet().into(),
        header: kind.fields().iter().map(|f| f.label.to_string()).collect(),
        rows: records.iter().map(|r| kind.fields().iter().map(|f| r.get(f.key).to_string()).collect()).collect(),
    }
}

/// The column letter and label of a field in the export layout (for messages and tests).
pub fn export_column(kind: RegisterKind, key: &str) -> Option<(String, &'static str)> {
    let i = kind.fields().iter().position(|f| f.key == key)?;
    Some((crate::masterdata::column_letter(i + 1), kind.fields()[i].label))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn ctx() -> Context {
        Context {
            zones: crate::catalog::zones()
                .into_iter()
                .map(|z| ZoneInfo { code: z.code, name: z.name, short_name: z.short_name, county: z.county_code })
                .collect(),
        }
    }

    #[test]
    fn dates_numbers_and_flags_are_canonical() {
        assert_eq!(parse_date("2019/3/5"), NaiveDate::from_ymd_opt(2019, 3, 5));
        assert_eq!(parse_date("2019年3月5日"), NaiveDate::from_ymd_opt(2019, 3, 5));
        assert_eq!(parse_date("43539"), NaiveDate::from_ymd_opt(2019, 3, 15)); // Excel serial
        assert_eq!(parse_date("2019-02-30"), None);
        assert_eq!(canonical_number(12.50), "12.5");
        assert_eq!(canonical_number(3.0), "3");
        let f = Field::new("x", "金额", FieldType::Number, true, false);
        assert_eq!(parse_cell(&f, "1,234.50", &ctx()).as_deref(), Ok("1234.5"));
        assert_eq!(parse_cell(&f, "-1", &ctx()).unwrap_err(), "“-1”不是有效的非负数字");
        assert_eq!(parse_cell(&f, " ", &ctx()).unwrap_err(), "“金额”不能为空");
        let z = Field::new("zone", "开发区", FieldType::Zone, false, false);
        assert_eq!(parse_cell(&z, "燕郊高新区", &ctx()).as_deref(), Ok("yanjiao_htz"));
        assert!(parse_cell(&z, "燕郊", &ctx()).is_err());
        let c = Field::new("county", "县", FieldType::County, false, false);
        assert_eq!(parse_cell(&c, "三河市", &ctx()).as_deref(), Ok("131082"));
        assert_eq!(parse_cell(&c, "廊坊市", &ctx()).as_deref(), Ok("131000"), "市本级");
        assert!(parse_cell(&c, "110105", &ctx()).is_err(), "not in the city");
    }

    #[test]
    fn a_sheet_lands_whole_or_lists_every_problem_by_row_and_column() {
        let kind = RegisterKind::Platforms;
        let header = ["平台名称", "平台类型", "级别", "所在开发区", "所在县（市、区）", "认定日期"].map(String::from).to_vec();
        let row = |v: [&str; 6]| v.map(String::from).to_vec();
        let ok = Table {
            sheet: "创新平台".into(),
            header: header.clone(),
            rows: vec![
                row(["河北省新型显示技术创新中心", "技术创新中心", "省级", "京南固安高新区", "", "2018-06-01"]),
                row(["", "", "", "", "", ""]),
                row(["三河众创空间", "众创空间", "市级", "", "三河市", "2019/5/1"]),
            ],
        };
        let recs = parse_table(kind, &ok, &ctx()).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].0, 2);
        assert_eq!(recs[0].1.county(), "131022", "county from the zone");
        assert_eq!(recs[1].0, 4);
        assert_eq!(recs[1].1.get("recognised"), "2019-05-01");

        let bad = Table {
            rows: vec![
                row(["甲", "实验室", "省级", "", "三河市", "2018-01-01"]),
                row(["乙", "孵化器", "省级", "燕郊高新区", "霸州市", "2018-01-01"]),
                row(["丙", "孵化器", "市级", "", "", "2018-13-01"]),
                row(["甲", "孵化器", "市级", "", "三河市", "2018-01-01"]),
            ],
            ..ok.clone()
        };
        let errs = parse_table(kind, &bad, &ctx()).unwrap_err();
        let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "工作表“创新平台”第2行第B列（平台类型）：“实验室”不是可选值（可选：重点实验室、产业技术研究院、制造业创新中心、工程研究中心、技术创新中心、孵化器、众创空间、加速器、技术转移服务机构、院士工作站、国际科技合作基地、协同创新基地、高层次人才创新创业园区）",
                "工作表“创新平台”第3行第E列（所在县（市、区））：开发区“燕郊高新区”位于三河市，与所填县（市、区）不符",
                "工作表“创新平台”第4行第F列（认定日期）：“2018-13-01”不是有效日期（应为如 2019-03-15 的格式）",
                "工作表“创新平台”第5行第A列（平台名称）：平台名称“甲”与第2行重复",
            ]
        );
        let missing = Table { header: vec!["平台名称".into()], rows: vec![], ..ok };
        let errs = parse_table(kind, &missing, &ctx()).unwrap_err();
        assert_eq!(errs[0].to_string(), "工作表“创新平台”第1行（平台类型）：缺少必填列“平台类型”");
    }

    #[test]
    fn export_reads_back_identically() {
        let recs: Vec<Record> = super::super::demo::records(RegisterKind::Projects).into_iter().take(20).collect();
        let table = to_table(RegisterKind::Projects, &recs);
        let back: Vec<Record> = parse_table(RegisterKind::Projects, &table, &ctx()).unwrap().into_iter().map(|(_, r)| r).collect();
        assert_eq!(back, recs);
    }
}
