//! Paragraph text from a Word .docx (a zip holding `word/document.xml`), for the plan parser.
//!
//! Each `<w:p>` is a paragraph; its text is the `<w:t>` runs, with `<w:tab/>` as a tab and
//! `<w:br/>` as a line break (people put `牵头单位：…` and `责任单位：…` on lines of one
//! paragraph). Deleted text (`<w:delText>`) and field codes are not text. Text boxes are stored
//! twice (`mc:Choice` and `mc:Fallback`); the fallback copy is skipped.
//!
//! Numbering that Word generates (a list style: `一、`, `（一）`, `1.`) is not in the runs; it
//! is rendered from `word/numbering.xml` for paragraphs that carry their own `<w:numPr>`, so
//! the outline survives. Numbering inherited from a paragraph style is not rendered.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;
use quick_xml::Reader;

use crate::tables::decode_text;
use crate::OfficeError;

/// The text of a plan file: a .docx's paragraphs one per line, or a text file decoded from
/// UTF-8 or GB18030. Old binary .doc files are refused with a hint.
pub fn read_plan_text(file_name: &str, bytes: &[u8]) -> Result<String, OfficeError> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".docx") || bytes.starts_with(b"PK\x03\x04") {
        return Ok(docx_paragraphs(file_name, bytes)?.join("\n"));
    }
    if lower.ends_with(".doc") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(OfficeError::Unreadable {
            file: file_name.to_string(),
            reason: "旧版 .doc 格式无法读取，请在 Word 或 WPS 中另存为 .docx 或 .txt 后再试".into(),
        });
    }
    Ok(decode_text(bytes))
}

/// The paragraphs of a .docx, in document order (tables included, cell by cell).
pub fn docx_paragraphs(file_name: &str, bytes: &[u8]) -> Result<Vec<String>, OfficeError> {
    let unreadable = |reason: String| OfficeError::Unreadable { file: file_name.to_string(), reason };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(format!("不是有效的 .docx 文件（{e}）")))?;
    let mut read = |name: &str| -> Result<Option<String>, OfficeError> {
        let Ok(mut f) = zip.by_name(name) else { return Ok(None) };
        let mut s = String::new();
        f.read_to_string(&mut s).map_err(|e| unreadable(format!("无法解压 {name}（{e}）")))?;
        Ok(Some(s))
    };
    let document = read("word/document.xml")?.ok_or_else(|| unreadable("缺少 word/document.xml，不是 Word 文档".into()))?;
    let numbering = match read("word/numbering.xml")? {
        Some(xml) => Numbering::parse(&xml).map_err(|e| unreadable(format!("word/numbering.xml 不是有效的 XML（{e}）")))?,
        None => Numbering::default(),
    };
    paragraphs(&document, numbering).map_err(|e| unreadable(format!("word/document.xml 不是有效的 XML（{e}）")))
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok().flatten()?;
    a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned())
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

fn paragraphs(xml: &str, mut numbering: Numbering) -> Result<Vec<String>, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    // Open paragraphs: text boxes put paragraphs inside paragraphs.
    let mut open: Vec<Para> = Vec::new();
    let mut in_text = false;
    let mut fallback = 0usize;
    loop {
        let event = reader.read_event()?;
        let live = fallback == 0;
        match event {
            Event::Start(e) => match e.name().as_ref() {
                "w:p" => open.push(Para::default()),
                "w:t" => in_text = true,
                "mc:Fallback" => fallback += 1,
                _ => {}
            },
            Event::Empty(e) => {
                let para = open.last_mut();
                match (e.name().as_ref(), para) {
                    ("w:p", None) if live => out.push(String::new()),
                    ("w:tab", Some(p)) if live => p.text.push('\t'),
                    ("w:br" | "w:cr", Some(p)) if live => p.text.push('\n'),
                    ("w:ilvl", Some(p)) => p.level = attr(&e, "w:val").and_then(|v| v.parse().ok()),
                    ("w:numId", Some(p)) => p.num = attr(&e, "w:val"),
                    _ => {}
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:p" => {
                    if let (Some(p), true) = (open.pop(), live) {
                        let label = p.num.as_deref().map(|n| numbering.next(n, p.level.unwrap_or(0))).unwrap_or_default();
                        out.push(label + &p.text);
                    }
                }
                "w:t" => in_text = false,
                "mc:Fallback" => fallback = fallback.saturating_sub(1),
                _ => {}
            },
            Event::Text(t) if in_text && live => {
                if let Some(p) = open.last_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if in_text && live => {
                if let Some(p) = open.last_mut() {
                    p.text.push_str(&t);
                }
            }
            Event::GeneralRef(r) if in_text && live => {
                let c = if r.is_char_ref() { r.resolve_char_ref().ok().flatten() } else { entity(&r.xml10_content()) };
                if let (Some(p), Some(c)) = (open.last_mut(), c) {
                    p.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

#[derive(Default)]
struct Para {
    text: String,
    num: Option<String>,
    level: Option<usize>,
}

/// One level of a list definition.
#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
}

/// List definitions and the running counters of each list.
#[derive(Default)]
struct Numbering {
    /// numId → abstractNumId
    nums: HashMap<String, String>,
    /// abstractNumId → levels by ilvl
    abstracts: HashMap<String, Vec<Level>>,
    counters: HashMap<String, Vec<u32>>,
}

impl Numbering {
    fn parse(xml: &str) -> Result<Numbering, quick_xml::Error> {
        let mut reader = Reader::from_str(xml);
        let mut n = Numbering::default();
        let mut abstract_id: Option<String> = None;
        let mut num_id: Option<String> = None;
        let mut level: Option<(usize, Level)> = None;
        loop {
            match reader.read_event()? {
                Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                    "w:abstractNum" => abstract_id = attr(&e, "w:abstractNumId"),
                    "w:num" => num_id = attr(&e, "w:numId"),
                    "w:abstractNumId" => {
                        if let (Some(id), Some(a)) = (&num_id, attr(&e, "w:val")) {
                            n.nums.insert(id.clone(), a);
                        }
                    }
                    "w:lvl" => {
                        let ilvl = attr(&e, "w:ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                        level = Some((ilvl, Level { start: 1, ..Level::default() }));
                    }
                    "w:start" => {
                        if let Some((_, l)) = &mut level {
                            l.start = attr(&e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(1);
                        }
                    }
                    "w:numFmt" => {
                        if let Some((_, l)) = &mut level {
                            l.format = attr(&e, "w:val").unwrap_or_default();
                        }
                    }
                    "w:lvlText" => {
                        if let Some((_, l)) = &mut level {
                            l.text = attr(&e, "w:val").unwrap_or_default();
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.name().as_ref() {
                    "w:lvl" => {
                        if let (Some(id), Some((ilvl, l))) = (&abstract_id, level.take()) {
                            let levels = n.abstracts.entry(id.clone()).or_default();
                            if levels.len() <= ilvl {
                                levels.resize(ilvl + 1, Level::default());
                            }
                            levels[ilvl] = l;
                        }
                    }
                    "w:abstractNum" => abstract_id = None,
                    "w:num" => num_id = None,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(n)
    }

    /// The label of the next paragraph of list `num` at level `ilvl` (`一、`, `（二）`, `3.`).
    fn next(&mut self, num: &str, ilvl: usize) -> String {
        let Some(levels) = self.nums.get(num).and_then(|a| self.abstracts.get(a)) else { return String::new() };
        if num == "0" || ilvl >= levels.len() {
            return String::new();
        }
        let counters = self.counters.entry(num.to_string()).or_insert_with(|| levels.iter().map(|l| l.start.saturating_sub(1)).collect());
        counters[ilvl] += 1;
        // A new item restarts every deeper level.
        for (k, c) in counters.iter_mut().enumerate().skip(ilvl + 1) {
            *c = levels[k].start.saturating_sub(1);
        }
        let lvl = &levels[ilvl];
        if lvl.format == "bullet" || lvl.format == "none" {
            return lvl.text.clone();
        }
        let mut label = lvl.text.clone();
        for (k, l) in levels.iter().enumerate().take(ilvl + 1) {
            let value = counters[k].max(l.start);
            label = label.replace(&format!("%{}", k + 1), &format_number(value, &l.format));
        }
        label
    }
}

/// A list counter in Word's number formats that plans use.
fn format_number(n: u32, format: &str) -> String {
    const CN: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    match format {
        "chineseCounting" | "chineseCountingThousand" | "japaneseCounting" | "ideographTraditional" if n < 100 => match n {
            0..=9 => CN[n as usize].to_string(),
            10 => "十".into(),
            11..=19 => format!("十{}", CN[(n % 10) as usize]),
            _ if n.is_multiple_of(10) => format!("{}十", CN[(n / 10) as usize]),
            _ => format!("{}十{}", CN[(n / 10) as usize], CN[(n % 10) as usize]),
        },
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => char::from_u32('①' as u32 + n - 1).unwrap().to_string(),
        "decimalFullWidth" | "decimalFullWidth2" => n.to_string().chars().map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap()).collect(),
        "lowerLetter" if (1..=26).contains(&n) => char::from(b'a' + (n - 1) as u8).to_string(),
        "upperLetter" if (1..=26).contains(&n) => char::from(b'A' + (n - 1) as u8).to_string(),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

    fn docx(document_body: &str, numbering: Option<&str>) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        write!(z, r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{document_body}</w:body></w:document>"#).unwrap();
        if let Some(n) = numbering {
            z.start_file("word/numbering.xml", opts).unwrap();
            write!(z, r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}>{n}</w:numbering>"#).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    #[test]
    fn paragraphs_runs_breaks_and_entities() {
        let body = r#"
            <w:p><w:r><w:t>一、</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">总体 要求</w:t></w:r></w:p>
            <w:p/>
            <w:p><w:r><w:t>推进A&amp;B。[牵头单位:市商务局]</w:t></w:r><w:r><w:delText>删掉的</w:delText></w:r></w:p>
            <w:p><w:r><w:t>牵头单位：市科技局</w:t><w:br/><w:t>责任单位：各县（市、区）政府</w:t><w:tab/><w:t>&#x2014;完</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>表内</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>
        "#;
        let paras = docx_paragraphs("方案.docx", &docx(body, None)).unwrap();
        assert_eq!(paras, [
            "一、总体 要求",
            "",
            "推进A&B。[牵头单位:市商务局]",
            "牵头单位：市科技局\n责任单位：各县（市、区）政府\t—完",
            "表内",
            "文本框",
            "",
        ]);
    }

    #[test]
    fn word_list_numbering_is_rendered() {
        let numbering = r#"
            <w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
              <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
              <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="—"/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="5"><w:abstractNumId w:val="0"/></w:num>"#;
        let p = |lvl: u32, text: &str| format!(r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="5"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#);
        let body = [p(0, "总体要求"), p(1, "指导思想"), p(1, "工作目标"), p(2, "创新能力"), p(2, "开放水平"), p(3, "坚持开放"), p(0, "重点任务"), p(1, "平台"), p(2, "承载")].concat();
        let paras = docx_paragraphs("a.docx", &docx(&body, Some(numbering))).unwrap();
        assert_eq!(paras, ["一、总体要求", "（一）指导思想", "（二）工作目标", "1.创新能力", "2.开放水平", "—坚持开放", "二、重点任务", "（一）平台", "1.承载"]);
    }

    #[test]
    fn formats() {
        assert_eq!(format_number(12, "chineseCounting"), "十二");
        assert_eq!(format_number(20, "chineseCountingThousand"), "二十");
        assert_eq!(format_number(3, "decimalEnclosedCircle"), "③");
        assert_eq!(format_number(12, "decimalFullWidth"), "１２");
        assert_eq!(format_number(7, "decimal"), "7");
    }

    #[test]
    fn text_files_and_refusals() {
        assert_eq!(read_plan_text("plan.txt", "一、总体要求\n".as_bytes()).unwrap(), "一、总体要求\n");
        let (gbk, _, _) = encoding_rs::GB18030.encode("（一）指导思想");
        assert_eq!(read_plan_text("plan.txt", &gbk).unwrap(), "（一）指导思想");
        let body = "<w:p><w:r><w:t>一、总体要求</w:t></w:r></w:p>";
        assert_eq!(read_plan_text("方案（定稿）", &docx(body, None)).unwrap(), "一、总体要求");
        let e = read_plan_text("old.doc", b"\xD0\xCF\x11\xE0rest").unwrap_err().to_string();
        assert!(e.contains("另存为 .docx"), "{e}");
        let e = docx_paragraphs("bad.docx", b"PK\x03\x04broken").unwrap_err().to_string();
        assert!(e.contains("不是有效的 .docx"), "{e}");
    }
}
