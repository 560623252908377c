//! The idle-land 台账 as a spreadsheet: the register's columns, then what the rules and the
//! procedure say about each parcel. Reading a sheet checks every row and names each problem by
//! sheet, row, column and field; nothing is returned unless the whole sheet is clean.

use std::collections::HashSet;

use super::parcel::{self, Parcel, StartEvidence};
use super::rules::Cause;
use crate::masterdata::{CellError, Table};

pub const SHEET: &str = "闲置土地台账";

/// The register's columns: accepted header names (first is the one written) and whether required.
const COLUMNS: [(&str, &[&str], bool); 25] = [
    ("宗地编号", &["宗地编号", "宗地代码", "地块编号"], true),
    ("开发区", &["开发区", "开发区代码", "所在开发区"], true),
    ("土地使用权人", &["土地使用权人", "用地单位", "受让人"], true),
    ("统一社会信用代码", &["统一社会信用代码", "信用代码"], true),
    ("土地用途", &["土地用途", "用途"], true),
    ("面积（平方米）", &["面积（平方米）", "面积平方米", "宗地面积平方米", "宗地面积"], false),
    ("面积（亩）", &["面积（亩）", "面积亩", "宗地面积亩"], false),
    ("供地方式", &["供地方式", "供应方式"], true),
    ("供地日期", &["供地日期", "出让日期", "合同签订日期"], false),
    ("约定动工日期", &["约定动工日期", "约定开工日期", "动工期限"], false),
    ("约定竣工日期", &["约定竣工日期", "竣工期限"], false),
    ("交地日期", &["交地日期", "交地确认书日期", "实际交地日期"], false),
    ("土地价款（万元）", &["土地价款（万元）", "出让价款万元", "土地价款万元", "成交价款万元"], false),
    ("计划总投资（万元）", &["计划总投资（万元）", "总投资万元", "计划总投资万元"], false),
    ("已投资额（万元）", &["已投资额（万元）", "已投资万元", "已投资额万元"], false),
    ("应开发面积（平方米）", &["应开发面积（平方米）", "应开发面积平方米", "应开发面积"], false),
    ("已开发面积（平方米）", &["已开发面积（平方米）", "已开发面积平方米", "已开发面积"], false),
    ("动工日期", &["动工日期", "实际动工日期", "开工日期"], false),
    ("动工依据", &["动工依据"], false),
    ("停工日期", &["停工日期", "中止开发日期"], false),
    ("闲置原因", &["闲置原因", "原因"], false),
    ("抵押权人", &["抵押权人"], false),
    ("已录入监测监管系统", &["已录入监测监管系统", "已录入监管系统", "监测监管系统"], false),
    ("备注", &["备注"], false),
    ("版本", &["版本"], false),
];

/// The computed columns of the export (ignored on import).
pub const COMPUTED: [&str; 9] = ["是否纳入清理范围", "闲置情形", "应动工日期", "闲置起始日", "闲置年数", "处置方向", "闲置费（万元）", "当前环节", "环节时限"];

fn norm(s: &str) -> String {
    s.trim().trim_start_matches('\u{feff}').chars().filter(|c| !c.is_whitespace() && !"*()（）".contains(*c)).collect()
}

/// The register's header as written.
pub fn header() -> Vec<String> {
    COLUMNS.iter().map(|c| c.0.to_string()).chain(COMPUTED.iter().map(|c| c.to_string())).collect()
}

/// A parcel as the register's cells (zone written as its code).
pub fn register_cells(p: &Parcel, version: i64) -> Vec<String> {
    let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
    vec![
        p.code.clone(),
        p.zone.clone(),
        p.holder.clone(),
        p.uscc.clone(),
        p.land_use.clone(),
        format!("{:.2}", p.area_m2),
        format!("{:.4}", parcel::mu(p.area_m2)),
        parcel::supply_label(p.supply).into(),
        d(p.supply_date),
        d(p.contract_start),
        d(p.contract_completion),
        d(p.handover),
        parcel::wan(p.price_fen),
        parcel::wan(p.planned_fen),
        parcel::wan(p.invested_fen),
        format!("{:.2}", p.to_develop_m2),
        format!("{:.2}", p.developed_m2),
        d(p.started),
        p.start_evidence.map(|e| e.label().to_string()).unwrap_or_default(),
        d(p.halted),
        p.cause.map(|c| c.label().to_string()).unwrap_or_default(),
        p.mortgagee.clone(),
        if p.monitored { "是" } else { "否" }.into(),
        p.note.clone(),
        version.to_string(),
    ]
}

/// One checked row: the parcel and the version the sheet was exported at (for the conflict check).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SheetParcel {
    pub row: usize,
    pub parcel: Parcel,
    pub version: Option<i64>,
}

/// Reads a 台账. `zone_of` resolves a zone code or name to its code; `may_edit` says whether
/// the uploader may write parcels of that zone.
pub fn read_table(t: &Table, zone_of: &dyn Fn(&str) -> Option<String>, may_edit: &dyn Fn(&str) -> bool) -> Result<Vec<SheetParcel>, Vec<CellError>> {
    let all: Vec<&Vec<String>> = std::iter::once(&t.header).chain(&t.rows).collect();
    let is_header = |r: &Vec<String>| r.iter().any(|c| norm(c) == "宗地编号");
    let Some(h) = all.iter().take(5).position(|r| is_header(r)) else {
        return Err(vec![CellError { sheet: t.sheet.clone(), row: 1, column: None, field: "表头".into(), message: "找不到表头：前5行中应有一行写着 宗地编号、开发区、土地使用权人 等列名".into() }]);
    };
    let header = all[h];
    let mut errors = Vec::new();
    let pos: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(name, names, required)| {
            let at = header.iter().position(|c| names.iter().any(|n| norm(n) == norm(c)));
            if at.is_none() && *required {
                errors.push(CellError { sheet: t.sheet.clone(), row: h + 1, column: None, field: name.to_string(), message: format!("缺少必填列“{name}”") });
            }
            at
        })
        .collect();
    if pos[5].is_none() && pos[6].is_none() {
        errors.push(CellError { sheet: t.sheet.clone(), row: h + 1, column: None, field: "面积".into(), message: "缺少面积列：“面积（平方米）”和“面积（亩）”至少要有一列".into() });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in all.iter().enumerate().skip(h + 1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let excel_row = i + 1;
        let cell = |c: usize| pos[c].and_then(|p| row.get(p)).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut errs: Vec<(usize, String)> = Vec::new();
        let code = cell(0);
        if !code.is_empty() && !seen.insert(code.clone()) {
            errs.push((0, format!("宗地编号“{code}”在表中重复出现")));
        }
        let zone_text = cell(1);
        let zone = match zone_of(&zone_text) {
            Some(z) if may_edit(&z) => z,
            Some(z) => {
                errs.push((1, format!("您无权填报开发区“{zone_text}”的宗地")));
                z
            }
            None => {
                errs.push((1, format!("“{zone_text}”不是已登记的开发区（填写开发区代码或名称）")));
                String::new()
            }
        };
        let date = |c: usize, errs: &mut Vec<(usize, String)>| parcel::parse_date(&cell(c)).unwrap_or_else(|e| {
            errs.push((c, e));
            None
        });
        let supply_date = date(8, &mut errs);
        let contract_start = date(9, &mut errs);
        let contract_completion = date(10, &mut errs);
        let handover = date(11, &mut errs);
        let started = date(17, &mut errs);
        let halted = date(19, &mut errs);
        let money = |c: usize, errs: &mut Vec<(usize, String)>| match parcel::parse_wan(&cell(c)) {
            Ok(v) if v >= 0 => v,
            Ok(_) => {
                errs.push((c, "金额不能为负数".into()));
                0
            }
            Err(e) => {
                errs.push((c, e));
                0
            }
        };
        let price_fen = money(12, &mut errs);
        let planned_fen = money(13, &mut errs);
        let invested_fen = money(14, &mut errs);
        let area = |c: usize, errs: &mut Vec<(usize, String)>| parcel::parse_area(&cell(c)).unwrap_or_else(|e| {
            errs.push((c, e));
            None
        });
        let m2 = area(5, &mut errs);
        let mu = area(6, &mut errs);
        let area_m2 = match (m2, mu) {
            (Some(a), Some(b)) => {
                // 亩 is usually written to 2–4 decimals; a difference beyond 0.01 亩 is a typing error.
                if (parcel::mu(a) - b).abs() > 0.01 {
                    errs.push((6, format!("面积 {a} 平方米折合 {:.4} 亩，与所填 {b} 亩不一致（1亩 = 10000/15 平方米）", parcel::mu(a))));
                }
                a
            }
            (Some(a), None) => a,
            (None, Some(b)) => b * parcel::M2_PER_MU,
            (None, None) => 0.0,
        };
        let to_develop = area(15, &mut errs).unwrap_or(area_m2);
        let developed = area(16, &mut errs).unwrap_or(0.0);
        let supply = parcel::parse_supply(&cell(7)).unwrap_or_else(|| {
            errs.push((7, format!("“{}”不是有效供地方式，应为“出让”或“划拨”", cell(7))));
            super::rules::Supply::Sale
        });
        let evidence_text = cell(18);
        let start_evidence = if evidence_text.is_empty() {
            None
        } else {
            StartEvidence::parse(&evidence_text).or_else(|| {
                errs.push((18, format!("“{evidence_text}”不是第三十条规定的动工标准，应为：基坑开挖完毕、所有基础桩打入、地基施工完成三分之一")));
                None
            })
        };
        let cause_text = cell(20);
        let cause = if cause_text.is_empty() {
            None
        } else {
            Cause::parse(&cause_text).or_else(|| {
                errs.push((20, format!("“{cause_text}”不是有效的闲置原因（第八条六种政府原因、不可抗力或土地使用者自身原因）")));
                None
            })
        };
        let monitored = parcel::parse_yes_no(&cell(22)).unwrap_or_else(|e| {
            errs.push((22, e));
            false
        });
        let version_text = cell(24);
        let version = if version_text.is_empty() {
            None
        } else {
            version_text.parse::<i64>().ok().or_else(|| {
                errs.push((24, format!("“{version_text}”不是有效版本号（请保留导出时的数字）")));
                None
            })
        };
        let p = Parcel {
            code,
            zone,
            holder: cell(2),
            uscc: crate::uscc::validate(&cell(3)).unwrap_or_else(|_| cell(3)),
            land_use: cell(4),
            area_m2,
            supply,
            supply_date,
            contract_start,
            contract_completion,
            handover,
            price_fen,
            planned_fen,
            invested_fen,
            to_develop_m2: to_develop,
            developed_m2: developed,
            started,
            start_evidence,
            halted,
            cause,
            mortgagee: cell(21),
            monitored,
            note: cell(23),
        };
        for (field, message) in p.problems() {
            let c = COLUMNS.iter().position(|(n, _, _)| *n == field).unwrap_or(0);
            // A missing area column is reported on the column that exists.
            let c = if c == 5 && pos[5].is_none() { 6 } else { c };
            errs.push((c, message));
        }
        for (c, message) in errs {
            errors.push(CellError { sheet: t.sheet.clone(), row: excel_row, column: pos[c].map(|p| p + 1), field: COLUMNS[c].0.into(), message });
        }
        out.push(SheetParcel { row: excel_row, parcel: p, version });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: Vec<Vec<&str>>) -> Table {
        Table {
            sheet: SHEET.into(),
            header: header(),
            rows: rows.into_iter().map(|r| r.into_iter().map(String::from).collect()).collect(),
        }
    }

    fn row<'a>(code: &'a str, zone: &'a str, uscc: &'a str) -> Vec<&'a str> {
        vec![code, zone, "廊坊某某科技有限公司", uscc, "工业用地", "20000", "30", "出让", "2015-05-01", "", "", "2016-02-29", "1200", "8000", "500", "20000", "0", "", "", "", "", "", "是", "", ""]
    }

    #[test]
    fn a_clean_sheet_reads_whole() {
        let zone_of = |s: &str| (s == "gu_an" || s == "固安经开区").then(|| "gu_an".to_string());
        let r = read_table(&table(vec![row("LF-001", "固安经开区", "91310110666007217T")]), &zone_of, &|_| true).unwrap();
        assert_eq!(r.len(), 1);
        let p = &r[0].parcel;
        assert_eq!((p.zone.as_str(), p.price_fen, p.planned_fen, p.area_m2), ("gu_an", 1_200_000_000, 8_000_000_000, 20000.0));
        assert_eq!(p.handover, parcel::parse_date("2016-02-29").unwrap());
        assert_eq!(r[0].row, 2);
    }

    #[test]
    fn every_problem_is_located_by_row_column_and_field() {
        let zone_of = |s: &str| (s == "gu_an").then(|| s.to_string());
        let mut bad = row("LF-002", "nowhere", "91310110666007217A");
        bad[6] = "31";
        bad[11] = "2016-02-30";
        let errs = read_table(&table(vec![row("LF-001", "gu_an", "91310110666007217T"), bad, row("LF-001", "gu_an", "91310110666007217T")]), &zone_of, &|_| true).unwrap_err();
        let at = |field: &str| errs.iter().find(|e| e.field == field).unwrap_or_else(|| panic!("{field}: {errs:?}"));
        assert_eq!((at("开发区").row, at("开发区").column), (3, Some(2)));
        assert!(at("统一社会信用代码").message.contains("校验位错误"));
        assert_eq!(at("交地日期").column, Some(12));
        assert!(at("面积（亩）").message.contains("不一致"));
        assert!(at("宗地编号").message.contains("重复出现") && at("宗地编号").row == 4);
        assert_eq!(at("开发区").to_string(), "工作表“闲置土地台账”第3行第B列（开发区）：“nowhere”不是已登记的开发区（填写开发区代码或名称）");
    }

    #[test]
    fn zone_scope_is_checked_per_row() {
        let zone_of = |s: &str| Some(s.to_string());
        let errs = read_table(&table(vec![row("LF-001", "sanhe", "91310110666007217T")]), &zone_of, &|z| z == "gu_an").unwrap_err();
        assert_eq!(errs[0].message, "您无权填报开发区“sanhe”的宗地");
    }
}
