//! The bulletin as an official document (.docx: A4, 方正小标宋/黑体/仿宋 with fallbacks, numbered
//! headings, ranked tables) and as a workbook (.xlsx: every table on its own sheet).

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, Table as DocTable, TableCell, TableRow, WidthType,
};
use nengji_core::bulletin::{Bulletin, Table};
use nengji_core::masterdata::Table as Sheet;

use crate::OfficeError;

/// Fonts of 党政机关公文格式 (GB/T 9704), each with a font every Windows/WPS machine has.
const TITLE_FONT: &str = "方正小标宋简体";
const HEADING_FONT: &str = "黑体";
const BODY_FONT: &str = "仿宋_GB2312";

fn run(text: &str, font: &str, half_points: usize, bold: bool) -> Run {
    let r = Run::new().add_text(text).size(half_points).fonts(RunFonts::new().east_asia(font).ascii("Times New Roman").hi_ansi("Times New Roman"));
    if bold { r.bold() } else { r }
}

fn para(text: &str, font: &str, half_points: usize) -> Paragraph {
    Paragraph::new().add_run(run(text, font, half_points, false)).line_spacing(LineSpacing::new().line(560))
}

/// Body text: 三号仿宋 (16pt), first line indented two characters.
fn body(text: &str) -> Paragraph {
    para(text, BODY_FONT, 32).indent(None, Some(docx_rs::SpecialIndentType::FirstLine(640)), None, None)
}

fn cell(text: &str, header: bool) -> TableCell {
    TableCell::new().add_paragraph(
        Paragraph::new().add_run(run(text, if header { HEADING_FONT } else { BODY_FONT }, 21, false)).align(AlignmentType::Center),
    )
}

fn rank_change(c: Option<i32>) -> String {
    match c {
        Some(c) if c > 0 => format!("↑{c}"),
        Some(c) if c < 0 => format!("↓{}", -c),
        Some(_) => "—".into(),
        None => "".into(),
    }
}

fn doc_table(t: &Table) -> DocTable {
    let mut rows = vec![TableRow::new(
        ["序号", "开发区", &format!("数值（{}）", t.unit), "同比增长（%）", "位次", "位次变化"].iter().map(|h| cell(h, true)).collect(),
    )];
    for (i, r) in t.rows.iter().enumerate() {
        rows.push(TableRow::new(vec![
            cell(&(i + 1).to_string(), false),
            cell(&r.zone_name, false),
            cell(&r.value, false),
            cell(&r.growth, false),
            cell(&r.rank.map(|x| x.to_string()).unwrap_or_default(), false),
            cell(&rank_change(r.rank_change), false),
        ]));
    }
    rows.push(TableRow::new(vec![cell("", false), cell("合计", true), cell(&t.total, false), cell(&t.total_growth, false), cell("", false), cell("", false)]));
    DocTable::new(rows).width(8800, WidthType::Dxa)
}

const CHINESE_NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// Writes the bulletin as .docx.
pub fn write_docx(b: &Bulletin) -> Result<Vec<u8>, OfficeError> {
    // A4 with GB/T 9704 margins (top 37mm, bottom 35mm, left 28mm, right 26mm) in twips.
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(2098).bottom(1984).left(1588).right(1474))
        .add_paragraph(para(&b.number, BODY_FONT, 32).align(AlignmentType::Center))
        .add_paragraph(Paragraph::new().add_run(run(&b.title, TITLE_FONT, 44, false)).align(AlignmentType::Center).line_spacing(LineSpacing::new().line(700)))
        .add_paragraph(para(&format!("{}　{}", b.issuer, b.date), BODY_FONT, 32).align(AlignmentType::Center));
    if b.demo {
        doc = doc.add_paragraph(para("（本通报使用示例数据，仅供演示）", HEADING_FONT, 28).align(AlignmentType::Center));
    }
    doc = doc.add_paragraph(para(&format!("{}、总体情况", CHINESE_NUMERALS[0]), HEADING_FONT, 32)).add_paragraph(body(&b.summary));
    doc = doc.add_paragraph(para(&format!("{}、各开发区主要指标完成情况", CHINESE_NUMERALS[1]), HEADING_FONT, 32));
    for (i, t) in b.tables.iter().enumerate() {
        doc = doc
            .add_paragraph(para(&format!("（{}）{}", CHINESE_NUMERALS[i.min(9)], t.title), "楷体_GB2312", 32))
            .add_table(doc_table(t))
            .add_paragraph(Paragraph::new());
    }
    if !b.highlights.is_empty() {
        doc = doc.add_paragraph(para(&format!("{}、需要关注的情况", CHINESE_NUMERALS[2]), HEADING_FONT, 32));
        for h in &b.highlights {
            doc = doc.add_paragraph(body(h));
        }
    }
    let mut buf = Cursor::new(Vec::new());
    doc.build().pack(&mut buf).map_err(|e| OfficeError::Write(e.to_string()))?;
    Ok(buf.into_inner())
}

/// Writes every table of the bulletin as a sheet of an .xlsx workbook.
pub fn write_xlsx(b: &Bulletin) -> Result<Vec<u8>, OfficeError> {
    let sheets: Vec<Sheet> = b
        .tables
        .iter()
        .map(|t| {
            let mut rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    vec![
                        (i + 1).to_string(),
                        r.zone_name.clone(),
                        r.value.clone(),
                        r.growth.clone(),
                        r.rank.map(|x| x.to_string()).unwrap_or_default(),
                        rank_change(r.rank_change),
                    ]
                })
                .collect();
            rows.push(vec![String::new(), "合计".into(), t.total.clone(), t.total_growth.clone(), String::new(), String::new()]);
            // Sheet names: at most 31 characters, no []:*?/\ .
            let name: String = t.title.split('（').next().unwrap_or(&t.code).chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
            Sheet {
                sheet: name,
                header: ["序号", "开发区", &format!("数值（{}）", t.unit), "同比增长（%）", "位次", "位次变化"].map(String::from).to_vec(),
                rows,
            }
        })
        .collect();
    crate::write_xlsx(&sheets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nengji_core::bulletin::Row;

    fn sample() -> Bulletin {
        Bulletin {
            period: "2020-06".into(),
            title: "全市开发区主要经济指标通报（2020年6月）".into(),
            issuer: "廊坊市开发区改革发展领导小组办公室".into(),
            number: "2020年第6期".into(),
            date: "2020年7月15日".into(),
            summary: "2020年1-6月，全市开发区实现主营业务收入556.00亿元，同比增长11.2%。".into(),
            tables: vec![Table {
                code: "revenue".into(),
                title: "主营业务收入（亿元，1至本月累计）".into(),
                unit: "亿元".into(),
                total: "556.00".into(),
                total_growth: "11.2".into(),
                rows: vec![Row { zone: "a".into(), zone_name: "燕郊高新区".into(), value: "130.00".into(), growth: "30.0".into(), rank: Some(1), rank_change: Some(2) }],
            }],
            highlights: vec!["主营业务收入增速居前三位的是：燕郊高新区（30.0%）。".into()],
            demo: true,
        }
    }

    #[test]
    fn xlsx_has_one_sheet_per_table_with_totals() {
        let bytes = write_xlsx(&sample()).unwrap();
        let t = &crate::read_tables("b.xlsx", &bytes).unwrap()[0];
        assert_eq!(t.sheet, "主营业务收入");
        assert_eq!(t.rows[0], ["1", "燕郊高新区", "130.00", "30.0", "1", "↑2"]);
        assert_eq!(t.rows[1][1..4], ["合计".to_string(), "556.00".into(), "11.2".into()]);
    }

    #[test]
    fn docx_carries_the_text_fonts_and_a4_page() {
        use std::io::Read;
        let bytes = write_docx(&sample()).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        for text in ["全市开发区主要经济指标通报（2020年6月）", "一、总体情况", "燕郊高新区", "130.00", "↑2", "合计", "示例数据", "三、需要关注的情况"] {
            assert!(xml.contains(text), "{text}");
        }
        assert!(xml.contains("方正小标宋简体") && xml.contains("仿宋_GB2312") && xml.contains("黑体"));
        assert!(xml.contains(r#"w:w="11906""#) && xml.contains(r#"w:h="16838""#), "A4");
    }
}
