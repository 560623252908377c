//! Master-data import: turns a spreadsheet table into zones, units or indicators, or into
//! a list of Chinese error messages that say exactly where (sheet, row, column, field).
//! All rows are checked before anything is returned, so an import lands whole or not at all.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::division_name;
use crate::indicator::{Direction, Indicator, IndicatorKind};
use crate::zone::{Zone, ZoneKind, ZoneLevel};

/// A sheet read from a CSV or xlsx file: the header row and the data rows as text.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub sheet: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A sheet's data rows, read cell by cell: a [`Table`], or a large CSV upload held as one text
/// (`nengji_office::tables::CsvSheet`, no `String` per cell).
pub trait Sheet: Sync {
    fn name(&self) -> &str;
    fn header(&self) -> &[String];
    /// Data rows (the header not counted).
    fn row_count(&self) -> usize;
    /// The text of data row `row` (0-based), column `col` (0-based); `None` past the row's end.
    fn cell(&self, row: usize, col: usize) -> Option<&str>;
}

impl Sheet for Table {
    fn name(&self) -> &str {
        &self.sheet
    }
    fn header(&self) -> &[String] {
        &self.header
    }
    fn row_count(&self) -> usize {
        self.rows.len()
    }
    fn cell(&self, row: usize, col: usize) -> Option<&str> {
        self.rows.get(row)?.get(col).map(String::as_str)
    }
}

/// One problem in an imported file, located by sheet, 1-based row and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellError {
    pub sheet: String,
    pub row: usize,
    /// 1-based column; `None` when the problem is the whole row or a missing column.
    pub column: Option<usize>,
    pub field: String,
    pub message: String,
}

/// Spreadsheet column letters: 1 → A, 27 → AA.
pub fn column_letter(mut col: usize) -> String {
    let mut s = Vec::new();
    while col > 0 {
        let r = (col - 1) % 26;
        s.push(b'A' + r as u8);
        col = (col - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "工作表“{}”第{}行", self.sheet, self.row)?;
        if let Some(c) = self.column {
            write!(f, "第{}列", column_letter(c))?;
        }
        write!(f, "（{}）：{}", self.field, self.message)
    }
}

/// A column the importer understands: its field key, the header names accepted, and whether it is required.
struct Col {
    key: &'static str,
    names: &'static [&'static str],
    required: bool,
}

/// Resolves header positions; reports missing required columns on row 1.
struct Layout<'t> {
    table: &'t Table,
    pos: Vec<(&'static str, &'static str, Option<usize>)>,
}

impl<'t> Layout<'t> {
    fn new(table: &'t Table, cols: &[Col], errors: &mut Vec<CellError>) -> Layout<'t> {
        let norm = |s: &str| s.trim().trim_start_matches('\u{feff}').replace(['（', '）', '(', ')', ' ', '*'], "");
        let header: Vec<String> = table.header.iter().map(|h| norm(h)).collect();
        let pos = cols
            .iter()
            .map(|c| {
                let at = header.iter().position(|h| h == c.key || c.names.iter().any(|n| norm(n) == *h));
                if at.is_none() && c.required {
                    errors.push(CellError {
                        sheet: table.sheet.clone(),
                        row: 1,
                        column: None,
                        field: c.names[0].to_string(),
                        message: format!("缺少必填列“{}”", c.names[0]),
                    });
                }
                (c.key, c.names[0], at)
            })
            .collect();
        Layout { table, pos }
    }

    /// The trimmed cell text of `key` in data row `i` (0-based), with its column.
    fn cell(&self, i: usize, key: &str) -> (String, Option<usize>, &'static str) {
        let (_, name, at) = self.pos.iter().find(|(k, _, _)| *k == key).expect("known column");
        let text = at.and_then(|c| self.table.rows[i].get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        (text, at.map(|c| c + 1), name)
    }

    fn err(&self, i: usize, key: &str, message: String) -> CellError {
        let (_, col, name) = self.cell(i, key);
        CellError { sheet: self.table.sheet.clone(), row: i + 2, column: col, field: name.to_string(), message }
    }

    fn required(&self, i: usize, key: &str, errors: &mut Vec<CellError>) -> String {
        let (text, _, name) = self.cell(i, key);
        if text.is_empty() {
            errors.push(self.err(i, key, format!("“{name}”不能为空")));
        }
        text
    }

    fn optional_number(&self, i: usize, key: &str, errors: &mut Vec<CellError>) -> Option<f64> {
        let (text, _, _) = self.cell(i, key);
        if text.is_empty() {
            return None;
        }
        match text.replace(',', "").parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
            _ => {
                errors.push(self.err(i, key, format!("“{text}”不是有效的非负数字")));
                None
            }
        }
    }

    fn is_blank_row(&self, i: usize) -> bool {
        self.table.rows[i].iter().all(|c| c.trim().is_empty())
    }
}

/// Splits a list cell written the way people write lists: 、 ， , ; ；
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['、', '，', ',', ';', '；', '|'])
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn check_unique(layout: &Layout, i: usize, key: &str, code: &str, seen: &mut HashSet<String>, errors: &mut Vec<CellError>) {
    if !code.is_empty() && !seen.insert(code.to_string()) {
        errors.push(layout.err(i, key, format!("代码“{code}”在文件中重复出现")));
    }
}

fn check_code_shape(layout: &Layout, i: usize, key: &str, code: &str, errors: &mut Vec<CellError>) {
    if !code.is_empty() && !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        errors.push(layout.err(i, key, format!("代码“{code}”只能包含字母、数字、下划线或连字符")));
    }
}

/// Parses a zones sheet. `known_groups` are the platform-group codes that exist.
pub fn parse_zones(table: &Table, known_groups: &[String]) -> Result<Vec<Zone>, Vec<CellError>> {
    let mut errors = Vec::new();
    let layout = Layout::new(
        table,
        &[
            Col { key: "code", names: &["代码", "开发区代码"], required: true },
            Col { key: "name", names: &["名称", "开发区名称"], required: true },
            Col { key: "short_name", names: &["简称"], required: false },
            Col { key: "kind", names: &["类型"], required: true },
            Col { key: "level", names: &["级别"], required: true },
            Col { key: "county_code", names: &["所在县代码", "区划代码", "所在县(市、区)代码"], required: true },
            Col { key: "area_ha", names: &["批准面积", "批准面积公顷"], required: false },
            Col { key: "leading_industries", names: &["主导产业"], required: false },
            Col { key: "groups", names: &["平台分组"], required: false },
        ],
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut seen = HashSet::new();
    let mut zones = Vec::new();
    for i in 0..table.rows.len() {
        if layout.is_blank_row(i) {
            continue;
        }
        let code = layout.required(i, "code", &mut errors);
        check_code_shape(&layout, i, "code", &code, &mut errors);
        check_unique(&layout, i, "code", &code, &mut seen, &mut errors);
        let name = layout.required(i, "name", &mut errors);
        let kind_text = layout.required(i, "kind", &mut errors);
        let kind = ZoneKind::parse(&kind_text);
        if kind.is_none() && !kind_text.is_empty() {
            errors.push(layout.err(i, "kind", format!("“{kind_text}”不是有效类型，应为 经开区、高新区、综保区 或 其他")));
        }
        let level_text = layout.required(i, "level", &mut errors);
        let level = ZoneLevel::parse(&level_text);
        if level.is_none() && !level_text.is_empty() {
            errors.push(layout.err(i, "level", format!("“{level_text}”不是有效级别，应为 国家级、省级 或 市级")));
        }
        let county_code = layout.required(i, "county_code", &mut errors);
        if !county_code.is_empty() && division_name(&county_code).is_none() {
            errors.push(layout.err(
                i,
                "county_code",
                format!("“{county_code}”不是廊坊市的县级行政区划代码（GB/T 2260），例如 131082 三河市"),
            ));
        }
        let area_ha = layout.optional_number(i, "area_ha", &mut errors);
        let groups = split_list(&layout.cell(i, "groups").0);
        for g in &groups {
            if !known_groups.contains(g) {
                errors.push(layout.err(i, "groups", format!("平台分组“{g}”不存在")));
            }
        }
        if let (Some(kind), Some(level)) = (kind, level) {
            let short = layout.cell(i, "short_name").0;
            zones.push(Zone {
                short_name: if short.is_empty() { name.clone() } else { short },
                code,
                name,
                kind,
                level,
                county_code,
                area_ha,
                leading_industries: layout.cell(i, "leading_industries").0,
                groups,
            });
        }
    }
    if errors.is_empty() { Ok(zones) } else { Err(errors) }
}

/// 单位类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 市直部门
    Department,
    /// 县（市、区）政府
    CountyGovernment,
    /// 县（市、区）党委
    CountyParty,
    /// 开发区管委会/党工委
    ZoneCommittee,
    /// 领导小组办公室
    LeadingGroupOffice,
    /// 中央、省驻廊单位（如海关）
    Vertical,
    /// 市委部门
    PartyDepartment,
}

impl UnitKind {
    pub const ALL: [UnitKind; 7] = [
        UnitKind::Department,
        UnitKind::CountyGovernment,
        UnitKind::CountyParty,
        UnitKind::ZoneCommittee,
        UnitKind::LeadingGroupOffice,
        UnitKind::Vertical,
        UnitKind::PartyDepartment,
    ];
    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Department => "department",
            UnitKind::CountyGovernment => "county_government",
            UnitKind::CountyParty => "county_party",
            UnitKind::ZoneCommittee => "zone_committee",
            UnitKind::LeadingGroupOffice => "leading_group_office",
            UnitKind::Vertical => "vertical",
            UnitKind::PartyDepartment => "party_department",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Department => "市直部门",
            UnitKind::CountyGovernment => "县（市、区）政府",
            UnitKind::CountyParty => "县（市、区）党委",
            UnitKind::ZoneCommittee => "开发区管理机构",
            UnitKind::LeadingGroupOffice => "领导小组办公室",
            UnitKind::Vertical => "驻廊单位",
            UnitKind::PartyDepartment => "市委部门",
        }
    }
    pub fn parse(s: &str) -> Option<UnitKind> {
        let s = s.trim();
        UnitKind::ALL.into_iter().find(|k| k.code() == s || k.label() == s)
    }
}

/// A unit (单位) that leads or shares tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub county_code: Option<String>,
    /// Other names the plan or people use for it (国土局 = 市国土局).
    pub aliases: Vec<String>,
}

/// A collective name that expands to units (各县(市、区)政府 → the ten county governments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collective {
    pub code: String,
    pub name: String,
    pub members: Vec<String>,
}

/// Parses a units sheet.
pub fn parse_units(table: &Table) -> Result<Vec<Unit>, Vec<CellError>> {
    let mut errors = Vec::new();
    let layout = Layout::new(
        table,
        &[
            Col { key: "code", names: &["代码", "单位代码"], required: true },
            Col { key: "name", names: &["名称", "单位名称"], required: true },
            Col { key: "kind", names: &["类型", "单位类型"], required: true },
            Col { key: "county_code", names: &["所在县代码", "区划代码"], required: false },
            Col { key: "aliases", names: &["别名"], required: false },
        ],
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut seen = HashSet::new();
    let mut names = HashSet::new();
    let mut units = Vec::new();
    for i in 0..table.rows.len() {
        if layout.is_blank_row(i) {
            continue;
        }
        let code = layout.required(i, "code", &mut errors);
        check_code_shape(&layout, i, "code", &code, &mut errors);
        check_unique(&layout, i, "code", &code, &mut seen, &mut errors);
        let name = layout.required(i, "name", &mut errors);
        let aliases = split_list(&layout.cell(i, "aliases").0);
        for n in std::iter::once(&name).chain(&aliases) {
            if !n.is_empty() && !names.insert(n.clone()) {
                errors.push(layout.err(i, "name", format!("名称或别名“{n}”与前面的单位重复")));
            }
        }
        let kind_text = layout.required(i, "kind", &mut errors);
        let kind = UnitKind::parse(&kind_text);
        if kind.is_none() && !kind_text.is_empty() {
            errors.push(layout.err(i, "kind", format!("“{kind_text}”不是有效的单位类型")));
        }
        let county = layout.cell(i, "county_code").0;
        if !county.is_empty() && division_name(&county).is_none() {
            errors.push(layout.err(i, "county_code", format!("“{county}”不是廊坊市的县级行政区划代码（GB/T 2260）")));
        }
        if let Some(kind) = kind {
            units.push(Unit { code, name, kind, county_code: (!county.is_empty()).then_some(county), aliases });
        }
    }
    if errors.is_empty() { Ok(units) } else { Err(errors) }
}

/// Parses an indicators sheet.
pub fn parse_indicators(table: &Table) -> Result<Vec<Indicator>, Vec<CellError>> {
    let mut errors = Vec::new();
    let layout = Layout::new(
        table,
        &[
            Col { key: "code", names: &["代码", "指标代码"], required: true },
            Col { key: "name", names: &["名称", "指标名称"], required: true },
            Col { key: "unit", names: &["计量单位", "单位"], required: true },
            Col { key: "kind", names: &["类别", "指标类别"], required: true },
            Col { key: "direction", names: &["方向", "指标方向"], required: false },
            Col { key: "decimals", names: &["小数位数", "小数位"], required: false },
            Col { key: "formula", names: &["计算公式", "公式"], required: false },
            Col { key: "owner_unit", names: &["责任部门代码", "责任部门"], required: false },
            Col { key: "monthly", names: &["月报", "是否月报"], required: false },
            Col { key: "description", names: &["说明", "口径说明"], required: false },
        ],
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for i in 0..table.rows.len() {
        if layout.is_blank_row(i) {
            continue;
        }
        let code = layout.required(i, "code", &mut errors);
        check_code_shape(&layout, i, "code", &code, &mut errors);
        check_unique(&layout, i, "code", &code, &mut seen, &mut errors);
        let name = layout.required(i, "name", &mut errors);
        let unit = layout.required(i, "unit", &mut errors);
        let kind_text = layout.required(i, "kind", &mut errors);
        let kind = IndicatorKind::parse(&kind_text);
        if kind.is_none() && !kind_text.is_empty() {
            errors.push(layout.err(i, "kind", format!("“{kind_text}”不是有效类别，应为 流量、存量 或 计算")));
        }
        let dir_text = layout.cell(i, "direction").0;
        let direction = if dir_text.is_empty() { Some(Direction::Higher) } else { Direction::parse(&dir_text) };
        if direction.is_none() {
            errors.push(layout.err(i, "direction", format!("“{dir_text}”应为 越大越好 或 越小越好")));
        }
        let dec_text = layout.cell(i, "decimals").0;
        let decimals = if dec_text.is_empty() { Some(2) } else { dec_text.parse::<u8>().ok().filter(|d| *d <= 6) };
        if decimals.is_none() {
            errors.push(layout.err(i, "decimals", format!("“{dec_text}”应为 0 到 6 的整数")));
        }
        let formula = layout.cell(i, "formula").0;
        if kind == Some(IndicatorKind::Formula) && formula.is_empty() {
            errors.push(layout.err(i, "formula", "计算指标必须填写计算公式".to_string()));
        }
        let monthly_text = layout.cell(i, "monthly").0;
        let monthly = matches!(monthly_text.as_str(), "是" | "Y" | "y" | "1" | "true");
        let owner = layout.cell(i, "owner_unit").0;
        if let (Some(kind), Some(direction), Some(decimals)) = (kind, direction, decimals) {
            out.push(Indicator {
                code,
                name,
                unit,
                kind,
                direction,
                decimals,
                formula: (!formula.is_empty()).then_some(formula),
                owner_unit: (!owner.is_empty()).then_some(owner),
                monthly,
                description: layout.cell(i, "description").0,
            });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The zones as a sheet in the import layout (so an export is also a template).
pub fn zones_table(zones: &[Zone]) -> Table {
    Table {
        sheet: "开发区".into(),
        header: ["代码", "名称", "简称", "类型", "级别", "所在县代码", "批准面积（公顷）", "主导产业", "平台分组"].map(String::from).to_vec(),
        rows: zones
            .iter()
            .map(|z| {
                vec![
                    z.code.clone(),
                    z.name.clone(),
                    z.short_name.clone(),
                    z.kind.label().into(),
                    z.level.label().into(),
                    z.county_code.clone(),
                    z.area_ha.map(|a| a.to_string()).unwrap_or_default(),
                    z.leading_industries.clone(),
                    z.groups.join("、"),
                ]
            })
            .collect(),
    }
}

/// The units as a sheet in the import layout.
pub fn units_table(units: &[Unit]) -> Table {
    Table {
        sheet: "单位".into(),
        header: ["代码", "名称", "类型", "所在县代码", "别名"].map(String::from).to_vec(),
        rows: units
            .iter()
            .map(|u| vec![u.code.clone(), u.name.clone(), u.kind.label().into(), u.county_code.clone().unwrap_or_default(), u.aliases.join("、")])
            .collect(),
    }
}

/// The indicators as a sheet in the import layout.
pub fn indicators_table(inds: &[Indicator]) -> Table {
    Table {
        sheet: "指标".into(),
        header: ["代码", "名称", "计量单位", "类别", "方向", "小数位数", "计算公式", "责任部门代码", "月报", "说明"].map(String::from).to_vec(),
        rows: inds
            .iter()
            .map(|i| {
                vec![
                    i.code.clone(),
                    i.name.clone(),
                    i.unit.clone(),
                    i.kind.label().into(),
                    i.direction.label().into(),
                    i.decimals.to_string(),
                    i.formula.clone().unwrap_or_default(),
                    i.owner_unit.clone().unwrap_or_default(),
                    if i.monthly { "是".into() } else { "否".into() },
                    i.description.clone(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            sheet: "开发区".into(),
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect(),
        }
    }

    const ZH: &[&str] = &["代码", "名称", "简称", "类型", "级别", "所在县代码", "批准面积（公顷）", "主导产业", "平台分组"];

    #[test]
    fn exports_are_importable_unchanged() {
        let zones = crate::catalog::zones();
        let groups: Vec<String> = crate::catalog::zone_groups().into_iter().map(|g| g.code).collect();
        assert_eq!(parse_zones(&zones_table(&zones), &groups).unwrap(), zones);
        let units = crate::catalog::units();
        assert_eq!(parse_units(&units_table(&units)).unwrap(), units);
        let inds = crate::catalog::indicators();
        assert_eq!(parse_indicators(&indicators_table(&inds)).unwrap(), inds);
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(1), "A");
        assert_eq!(column_letter(6), "F");
        assert_eq!(column_letter(26), "Z");
        assert_eq!(column_letter(27), "AA");
        assert_eq!(column_letter(703), "AAA");
    }

    #[test]
    fn good_zone_rows_parse() {
        let t = table(ZH, &[&["SHETDZ", "三河经济开发区", "三河经开区", "经开区", "省级", "131082", "1,200.5", "装备制造", "capital_subcenter"]]);
        let z = parse_zones(&t, &["capital_subcenter".into()]).unwrap();
        assert_eq!(z[0].area_ha, Some(1200.5));
        assert_eq!(z[0].groups, ["capital_subcenter"]);
        assert_eq!(z[0].kind, ZoneKind::Economic);
    }

    #[test]
    fn wrong_county_code_names_row_and_column() {
        let t = table(ZH, &[
            &["A1", "甲开发区", "", "高新区", "省级", "131082", "", "", ""],
            &["A2", "乙开发区", "", "高新区", "省级", "131071", "", "", ""],
        ]);
        let errs = parse_zones(&t, &[]).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].row, errs[0].column), (3, Some(6)));
        assert_eq!(
            errs[0].to_string(),
            "工作表“开发区”第3行第F列（所在县代码）：“131071”不是廊坊市的县级行政区划代码（GB/T 2260），例如 131082 三河市"
        );
    }

    #[test]
    fn duplicate_codes_and_missing_fields_are_all_reported() {
        let t = table(ZH, &[
            &["A1", "甲开发区", "", "高新区", "省级", "131082", "", "", ""],
            &["A1", "", "", "开发区", "省级", "131082", "-3", "", "nowhere"],
        ]);
        let errs = parse_zones(&t, &[]).unwrap_err();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(msgs.contains(&"工作表“开发区”第3行第A列（代码）：代码“A1”在文件中重复出现".to_string()), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("工作表“开发区”第3行第B列（名称）")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("第D列（类型）：“开发区”不是有效类型")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("第G列（批准面积）：“-3”不是有效的非负数字")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("第I列（平台分组）：平台分组“nowhere”不存在")), "{msgs:?}");
        assert_eq!(errs.len(), 5);
    }

    #[test]
    fn missing_required_column_is_reported_on_the_header() {
        let t = table(&["代码", "名称"], &[&["A1", "甲"]]);
        let errs = parse_zones(&t, &[]).unwrap_err();
        assert!(errs.iter().all(|e| e.row == 1 && e.column.is_none()));
        assert_eq!(errs.len(), 3, "类型, 级别, 所在县代码");
    }

    #[test]
    fn units_and_indicators_parse_and_reject() {
        let u = table(&["代码", "名称", "类型", "别名"], &[
            &["swj", "市商务局", "市直部门", "商务局"],
            &["gtj", "市国土局", "市直部门", "商务局"],
        ]);
        let errs = parse_units(&u).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().contains("第3行"), "{}", errs[0]);
        let ind = table(&["代码", "名称", "计量单位", "类别", "小数位数", "计算公式"], &[
            &["gdp", "地区生产总值", "亿元", "流量", "2", ""],
            &["share", "占比", "%", "计算", "1", ""],
            &["bad", "坏", "%", "存量", "9", ""],
        ]);
        let errs = parse_indicators(&ind).unwrap_err();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("第3行第F列（计算公式）"), "{msgs:?}");
        assert!(msgs[1].contains("第4行第E列（小数位数）"), "{msgs:?}");
    }
}
