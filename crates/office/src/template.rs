//! The Excel data-entry template (填报模板) zones fill in offline, and picking its sheet back out of
//! an uploaded file. Parsing the values is `nengji_core::entry::parse_value_table`'s job.
//!
//! Sheet “填报” has one header row and one row per zone × indicator. Everything is locked except the
//! three input columns (本期数值, 上年同期可比数, 备注) of the data rows; the two number columns
//! accept only decimals ≥ 0. Sheet “填表说明” explains the conventions in Chinese.

use nengji_core::masterdata::{Sheet, Table};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, Format, FormatAlign, FormatBorder,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use crate::tables::{is_csv, read_tables, CsvSheet, OfficeError};

/// Name of the entry sheet.
pub const ENTRY_SHEET: &str = "填报";
/// Name of the instructions sheet.
pub const INSTRUCTIONS_SHEET: &str = "填表说明";
/// The entry sheet's header, in order.
pub const ENTRY_HEADER: [&str; 11] =
    ["开发区代码", "开发区", "指标代码", "指标名称", "计量单位", "口径", "期间", "上年同期数", "本期数值", "上年同期可比数", "备注"];
/// 0-based column of 上年同期数 (reference only, locked).
pub const COL_LAST_YEAR: u16 = 7;
/// 0-based column of 本期数值 (input).
pub const COL_VALUE: u16 = 8;
/// 0-based column of 上年同期可比数 (input, optional).
pub const COL_PRIOR_COMPARABLE: u16 = 9;
/// 0-based column of 备注 (input, optional).
pub const COL_COMMENT: u16 = 10;

/// What goes into one entry template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateSpec {
    /// Shown on the instructions sheet and as the document title, e.g. “2021年1月主要经济指标填报表”.
    pub title: String,
    /// The report month, `YYYY-MM` (written into every row's 期间).
    pub period: String,
    pub rows: Vec<TemplateRow>,
}

/// One zone × indicator line of the template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateRow {
    pub zone_code: String,
    pub zone_name: String,
    pub indicator_code: String,
    pub indicator_name: String,
    pub unit: String,
    /// 口径: “累计” (flows, 1–N月累计) or “期末” (stocks).
    pub kind_label: String,
    /// 本期数值, prefilled when already reported.
    pub value: Option<f64>,
    /// 上年同期可比数, prefilled when already reported.
    pub prior_comparable: Option<f64>,
    /// 上年同期数: last year's stored value for the same period, for reference.
    pub last_year: Option<f64>,
    /// 备注.
    pub comment: String,
}

const INSTRUCTIONS: &[&str] = &[
    "一、只在“本期数值”“上年同期可比数”“备注”三列填写（白底列），其他列已锁定，请勿修改开发区代码、指标代码和期间，也不要增删列或调整列的顺序。",
    "二、口径为“累计”的流量指标填报1–N月累计数（例如3月填1–3月累计）；口径为“期末”的存量指标填报月末数。",
    "三、1月、2月数据可以合并报送：在2月的行中填写1–2月累计数，1月可不填。",
    "四、“上年同期可比数”为选填项，按国家统计局做法填写按本期同口径（同一批企业、同一范围）调整后的上年同期数；不填时，系统按“上年同期数”计算同比增长。",
    "五、“上年同期数”是系统中已有的上年同期数值，仅供参考，不需要也不能修改。",
    "六、数值只填数字，不带单位，计量单位见“计量单位”列；不报的指标留空即可，留空的行不导入。",
    "七、填好后请保存为 .xlsx 格式（Excel 或 WPS 均可，“另存为”时选择“Excel 工作簿(*.xlsx)”），再到平台上传。",
    "八、上传后系统先检查整个文件：每个问题都会按工作表、行号和列名列出；只要还有一处问题，整个文件都不会导入，改正后重新上传即可。",
];

fn xerr(e: XlsxError) -> OfficeError {
    OfficeError::Write(e.to_string())
}

/// Display width of a string in Excel character units (CJK and full-width count as two).
fn text_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) < 0x1100 { 1 } else { 2 }).sum()
}

fn number_or_blank(ws: &mut Worksheet, row: u32, col: u16, v: Option<f64>, fmt: &Format) -> Result<(), XlsxError> {
    match v {
        Some(v) if v.is_finite() => ws.write_number_with_format(row, col, v, fmt).map(|_| ()),
        _ => ws.write_blank(row, col, fmt).map(|_| ()),
    }
}

/// Writes the entry template as xlsx bytes.
pub fn write_entry_template(spec: &TemplateSpec) -> Result<Vec<u8>, OfficeError> {
    let mut wb = Workbook::new();
    wb.set_properties(&DocProperties::new().set_title(&spec.title).set_subject(&spec.period).set_author("能级"));

    let header_fmt = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);
    let header_input_fmt = header_fmt.clone().set_background_color(Color::RGB(0xFFE699));
    let locked = Format::new().set_border(FormatBorder::Thin).set_background_color(Color::RGB(0xF2F2F2));
    let locked_num = locked.clone().set_num_format("General");
    let input = Format::new().set_unlocked().set_border(FormatBorder::Thin);
    let input_num = input.clone().set_num_format("General");

    let ws = wb.add_worksheet();
    ws.set_name(ENTRY_SHEET).map_err(xerr)?;
    let mut widths: Vec<usize> = ENTRY_HEADER.iter().map(|h| text_width(h)).collect();
    for (c, h) in ENTRY_HEADER.iter().enumerate() {
        let c = c as u16;
        let f = if (COL_VALUE..=COL_COMMENT).contains(&c) { &header_input_fmt } else { &header_fmt };
        ws.write_string_with_format(0, c, *h, f).map_err(xerr)?;
    }
    for (i, r) in spec.rows.iter().enumerate() {
        let row = i as u32 + 1;
        let texts = [&r.zone_code, &r.zone_name, &r.indicator_code, &r.indicator_name, &r.unit, &r.kind_label, &spec.period];
        for (c, t) in texts.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, t.as_str(), &locked).map_err(xerr)?;
            widths[c] = widths[c].max(text_width(t));
        }
        number_or_blank(ws, row, COL_LAST_YEAR, r.last_year, &locked_num).map_err(xerr)?;
        number_or_blank(ws, row, COL_VALUE, r.value, &input_num).map_err(xerr)?;
        number_or_blank(ws, row, COL_PRIOR_COMPARABLE, r.prior_comparable, &input_num).map_err(xerr)?;
        if r.comment.is_empty() {
            ws.write_blank(row, COL_COMMENT, &input).map_err(xerr)?;
        } else {
            ws.write_string_with_format(row, COL_COMMENT, &r.comment, &input).map_err(xerr)?;
            widths[COL_COMMENT as usize] = widths[COL_COMMENT as usize].max(text_width(&r.comment));
        }
    }
    // Numbers are typed in; give them room for 12 digits. 备注 gets a sensible writing width.
    for c in [COL_LAST_YEAR, COL_VALUE, COL_PRIOR_COMPARABLE] {
        widths[c as usize] = widths[c as usize].max(14);
    }
    widths[COL_COMMENT as usize] = widths[COL_COMMENT as usize].max(30);
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(8, 60) as f64 + 2.0).map_err(xerr)?;
    }

    if !spec.rows.is_empty() {
        let last = spec.rows.len() as u32;
        let dv = DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            .set_input_title("请填写数字")
            .and_then(|d| d.set_input_message("只填数字，不带单位；不报的指标留空。流量指标填1–N月累计数。"))
            .and_then(|d| d.set_error_title("数值不正确"))
            .and_then(|d| d.set_error_message("这里只能填大于或等于0的数字（不带单位、不带文字）。"))
            .map_err(xerr)?
            .set_error_style(DataValidationErrorStyle::Stop);
        ws.add_data_validation(1, COL_VALUE, last, COL_PRIOR_COMPARABLE, &dv).map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    });

    let ws = wb.add_worksheet();
    ws.set_name(INSTRUCTIONS_SHEET).map_err(xerr)?;
    let title_fmt = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.set_column_width(0, 100).map_err(xerr)?;
    let title = if spec.title.is_empty() { "填表说明".to_string() } else { format!("{}　填表说明", spec.title) };
    ws.write_string_with_format(0, 0, &title, &title_fmt).map_err(xerr)?;
    ws.write_string(1, 0, format!("期间：{}", spec.period)).map_err(xerr)?;
    for (i, line) in INSTRUCTIONS.iter().enumerate() {
        let row = i as u32 + 3;
        ws.write_string_with_format(row, 0, *line, &wrap).map_err(xerr)?;
        // Roughly one line per 100 width units.
        let lines = text_width(line).div_ceil(95).max(1);
        ws.set_row_height(row, 16.0 * lines as f64 + 2.0).map_err(xerr)?;
    }
    ws.protect();

    wb.save_to_buffer().map_err(xerr)
}

/// Reads an uploaded entry file and returns its entry sheet: the sheet named “填报”, else the only
/// sheet (a CSV, or a workbook with one sheet).
/// The entry sheet of an upload for parsing values: a CSV is held as one text (`CsvSheet`, no
/// `String` per cell — value files run to a million rows), a workbook's entry sheet as a `Table`.
pub fn read_entry_sheet(file_name: &str, bytes: &[u8]) -> Result<Box<dyn Sheet + Send>, OfficeError> {
    if is_csv(file_name) {
        return Ok(Box::new(CsvSheet::read(file_name, bytes)?));
    }
    Ok(Box::new(read_entry_table(file_name, bytes)?))
}

pub fn read_entry_table(file_name: &str, bytes: &[u8]) -> Result<Table, OfficeError> {
    let mut tables = read_tables(file_name, bytes)?;
    if let Some(i) = tables.iter().position(|t| t.sheet.trim() == ENTRY_SHEET) {
        return Ok(tables.swap_remove(i));
    }
    if tables.len() == 1 {
        return Ok(tables.remove(0));
    }
    let names: Vec<String> = tables.iter().map(|t| format!("“{}”", t.sheet)).collect();
    Err(OfficeError::Unreadable {
        file: file_name.to_string(),
        reason: format!("没有名为“{ENTRY_SHEET}”的工作表（文件中有：{}）；请使用平台下载的填报模板", names.join("、")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn spec() -> TemplateSpec {
        let row = |zone: &str, zname: &str, ind: &str, iname: &str, unit: &str, kind: &str| TemplateRow {
            zone_code: zone.into(),
            zone_name: zname.into(),
            indicator_code: ind.into(),
            indicator_name: iname.into(),
            unit: unit.into(),
            kind_label: kind.into(),
            ..TemplateRow::default()
        };
        TemplateSpec {
            title: "2021年1月主要经济指标填报表".into(),
            period: "2021-01".into(),
            rows: vec![
                TemplateRow { value: Some(123.45), prior_comparable: Some(110.0), last_year: Some(108.2), comment: "含新入规企业3家".into(), ..row("yanjiao", "燕郊高新区", "revenue", "主营业务收入", "亿元", "累计") },
                TemplateRow { last_year: Some(5600.0), ..row("yanjiao", "燕郊高新区", "fdi", "实际利用外资", "万美元", "累计") },
                TemplateRow { value: Some(412.0), ..row("yanjiao", "燕郊高新区", "hitech_ent", "高新技术企业数", "家", "期末") },
            ],
        }
    }

    fn sheet_xml(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn template_reads_back_through_calamine() {
        let bytes = write_entry_template(&spec()).unwrap();
        let all = read_tables("填报模板.xlsx", &bytes).unwrap();
        assert_eq!(all.iter().map(|t| t.sheet.as_str()).collect::<Vec<_>>(), [ENTRY_SHEET, INSTRUCTIONS_SHEET]);

        let t = read_entry_table("填报模板.xlsx", &bytes).unwrap();
        assert_eq!(t.sheet, "填报");
        assert_eq!(t.header, ENTRY_HEADER);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(
            t.rows[0],
            ["yanjiao", "燕郊高新区", "revenue", "主营业务收入", "亿元", "累计", "2021-01", "108.2", "123.45", "110", "含新入规企业3家"]
        );
        // Blank inputs stay blank; the reference column is filled.
        assert_eq!(t.rows[1][7..], ["5600", "", "", ""]);
        assert_eq!(t.rows[2][8], "412");
        assert_eq!(t.rows[2][9], "");
    }

    #[test]
    fn template_parses_with_the_core_entry_parser() {
        use std::collections::{HashMap, HashSet};
        let t = read_entry_table("t.xlsx", &write_entry_template(&spec()).unwrap()).unwrap();
        let zones: HashSet<String> = ["yanjiao".to_string()].into();
        let reportable: HashMap<String, bool> =
            ["revenue", "fdi", "hitech_ent"].iter().map(|c| (c.to_string(), true)).collect();
        let vals = nengji_core::entry::parse_value_table(&t, &zones, &reportable, &|_, _| Ok(())).unwrap();
        // The fdi row has no 本期数值 and is skipped.
        assert_eq!(vals.len(), 2);
        assert_eq!(vals[0].input.value, 123.45);
        assert_eq!(vals[0].input.prior_comparable, Some(110.0));
        assert_eq!(vals[0].input.comment, "含新入规企业3家");
        assert_eq!((vals[0].row, vals[0].value_column), (2, 9));
        assert_eq!(vals[1].input.indicator, "hitech_ent");
    }

    #[test]
    fn sheet_is_protected_with_unlocked_inputs_and_validation() {
        let bytes = write_entry_template(&spec()).unwrap();
        let xml = sheet_xml(&bytes, "xl/worksheets/sheet1.xml");
        assert!(xml.contains("<sheetProtection"), "entry sheet protected");
        assert!(xml.contains("<dataValidation type=\"decimal\""), "decimal validation: {xml}");
        assert!(xml.contains("operator=\"greaterThanOrEqual\""));
        assert!(xml.contains("sqref=\"I2:J4\""), "validation covers 本期数值 and 上年同期可比数 of the data rows");
        assert!(xml.contains("只能填大于或等于0的数字"));
        assert!(xml.contains("<pane ySplit=\"1\""), "frozen header");
        assert!(sheet_xml(&bytes, "xl/worksheets/sheet2.xml").contains("<sheetProtection"));

        // Exactly the three input columns of the data rows use an unlocked style.
        let styles = sheet_xml(&bytes, "xl/styles.xml");
        let xfs = styles.split("<cellXfs").nth(1).unwrap().split("</cellXfs>").next().unwrap();
        let unlocked: Vec<usize> = xfs
            .split("<xf ")
            .skip(1)
            .enumerate()
            .filter(|(_, xf)| xf.split("</xf>").next().unwrap().contains("locked=\"0\""))
            .map(|(i, _)| i)
            .collect();
        assert!(!unlocked.is_empty());
        let cell_style = |cell: &str| -> usize {
            let start = xml.find(&format!("<c r=\"{cell}\"")).unwrap_or_else(|| panic!("cell {cell} missing"));
            let tag = &xml[start..start + xml[start..].find('>').unwrap()];
            tag.split("s=\"").nth(1).map(|s| s.split('"').next().unwrap().parse().unwrap()).unwrap_or(0)
        };
        for row in 2..=4 {
            for col in ["I", "J", "K"] {
                assert!(unlocked.contains(&cell_style(&format!("{col}{row}"))), "{col}{row} unlocked");
            }
            for col in ["A", "C", "G", "H"] {
                assert!(!unlocked.contains(&cell_style(&format!("{col}{row}"))), "{col}{row} locked");
            }
        }
        assert!(!unlocked.contains(&cell_style("I1")), "header locked");
    }

    #[test]
    fn instructions_cover_the_conventions() {
        let bytes = write_entry_template(&spec()).unwrap();
        let all = read_tables("t.xlsx", &bytes).unwrap();
        let text: String = std::iter::once(all[1].header.join(""))
            .chain(all[1].rows.iter().map(|r| r.join("")))
            .collect::<Vec<_>>()
            .join("\n");
        for needle in ["1–N月累计", "1–2月", "上年同期可比数", "国家统计局", "代码", ".xlsx", "行号", "整个文件都不会导入", "2021-01"] {
            assert!(text.contains(needle), "说明缺少“{needle}”：{text}");
        }
    }

    #[test]
    fn entry_sheet_is_picked_from_csv_and_single_sheet_files() {
        let csv = "开发区代码,指标代码,期间,本期数值\nyanjiao,gdp,2021-01,1.5\n";
        let t = read_entry_table("values.csv", csv.as_bytes()).unwrap();
        assert_eq!(t.header[3], "本期数值");
        assert_eq!(t.rows, [["yanjiao", "gdp", "2021-01", "1.5"]]);

        let two = crate::tables::write_xlsx(&[
            Table { sheet: "甲".into(), header: vec!["a".into()], rows: vec![] },
            Table { sheet: "乙".into(), header: vec!["b".into()], rows: vec![] },
        ])
        .unwrap();
        let e = read_entry_table("x.xlsx", &two).unwrap_err().to_string();
        assert!(e.contains("没有名为“填报”的工作表") && e.contains("“甲”、“乙”"), "{e}");
    }

    #[test]
    fn empty_template_still_has_header_and_instructions() {
        let bytes = write_entry_template(&TemplateSpec { title: String::new(), period: "2021-02".into(), rows: vec![] }).unwrap();
        let t = read_entry_table("t.xlsx", &bytes).unwrap();
        assert_eq!(t.header, ENTRY_HEADER);
        assert!(t.rows.is_empty());
    }
}
