//! Reading sheets into `Table`s and writing `Table`s as xlsx.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, open_workbook_from_rs, Data, Reader, Xlsx, XlsxError};
use nengji_core::masterdata::{Sheet, Table};
use rayon::prelude::*;
use rust_xlsxwriter::{Format, Workbook};

/// The most cells (rows × columns up to the last value) an xlsx sheet may have: twice the largest
/// real upload (200,000 values × 11 columns), and about 120 MB of empty cells at most.
const MAX_CELLS: usize = 5_000_000;

#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("文件“{0}”的格式无法识别：请上传 .csv、.xlsx、.xls 或 .ods 文件")]
    UnknownFormat(String),
    #[error("文件“{file}”无法读取：{reason}")]
    Unreadable { file: String, reason: String },
    #[error("文件“{0}”是空的：第1行应为表头")]
    Empty(String),
    #[error("生成 xlsx 失败：{0}")]
    Write(String),
}

/// Decodes CSV bytes: UTF-8 (with or without BOM), else GB18030 (what Chinese Excel/WPS save).
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Integral numbers print without ".0" so codes like 131082 survive a trip through Excel.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是".into() } else { "否".into() },
        Data::DateTime(dt) => dt.as_datetime().map(|d| d.date().to_string()).unwrap_or_else(|| dt.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn split_header(sheet: String, mut rows: Vec<Vec<String>>, file: &str) -> Result<Table, OfficeError> {
    if rows.is_empty() {
        return Err(OfficeError::Empty(file.to_string()));
    }
    let header = rows.remove(0);
    Ok(Table { sheet, header, rows })
}

/// A CSV file's rows held as one text: every cell's unescaped text end to end, where each cell
/// ends, and where each row's cells start. An upload of a million values is 12 million cells; a
/// `String` each made reading it and dropping it cost more than checking it.
#[derive(Debug, Clone)]
pub struct CsvSheet {
    name: String,
    header: Vec<String>,
    text: String,
    /// End offset in `text` of every cell, in file order.
    cell_ends: Vec<u32>,
    /// Index in `cell_ends` of each data row's first cell, and one past the last row's end.
    row_starts: Vec<u32>,
}

/// One piece of a CSV file as read on its own thread (offsets relative to the piece).
#[derive(Default)]
struct Cells {
    text: Vec<u8>,
    cell_ends: Vec<u32>,
    row_starts: Vec<u32>,
}

impl Cells {
    fn read(piece: &[u8]) -> Result<Cells, csv::Error> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(piece);
        let mut out = Cells { text: Vec::with_capacity(piece.len()), ..Cells::default() };
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec)? {
            out.row_starts.push(out.cell_ends.len() as u32);
            for field in rec.iter() {
                out.text.extend_from_slice(field);
                out.cell_ends.push(out.text.len() as u32);
            }
        }
        Ok(out)
    }
}

impl CsvSheet {
    /// Reads CSV bytes (UTF-8 with or without BOM, else GB18030), large files in pieces on all
    /// cores. The first record is the header.
    pub fn read(file_name: &str, bytes: &[u8]) -> Result<CsvSheet, OfficeError> {
        CsvSheet::read_in_pieces(file_name, bytes, rayon::current_num_threads(), 1 << 20)
    }

    fn read_in_pieces(file_name: &str, bytes: &[u8], parts: usize, min_piece: usize) -> Result<CsvSheet, OfficeError> {
        let unreadable = |reason: String| OfficeError::Unreadable { file: file_name.to_string(), reason };
        // UTF-8 is read in place; only GB18030 needs a decoded copy (files run to 100 MB).
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let decoded;
        let text: &[u8] = if std::str::from_utf8(body).is_ok() {
            body
        } else {
            decoded = decode_text(bytes);
            decoded.as_bytes()
        };
        if text.len() >= u32::MAX as usize {
            return Err(unreadable("文件超过 4 GB，请拆分后上传".into()));
        }
        let pieces = split_records(text, parts, min_piece);
        let parts: Vec<Result<Cells, csv::Error>> =
            pieces.windows(2).collect::<Vec<_>>().into_par_iter().map(|w| Cells::read(&text[w[0]..w[1]])).collect();
        let mut all = Cells { text: Vec::with_capacity(text.len()), ..Cells::default() };
        for part in parts {
            let part = part.map_err(|e| unreadable(e.to_string()))?;
            let (base_text, base_cell) = (all.text.len() as u32, all.cell_ends.len() as u32);
            all.text.extend_from_slice(&part.text);
            all.cell_ends.extend(part.cell_ends.iter().map(|e| e + base_text));
            all.row_starts.extend(part.row_starts.iter().map(|r| r + base_cell));
        }
        // Cells are cut at ASCII delimiters of valid UTF-8, so the whole is valid UTF-8 again.
        let text = String::from_utf8(all.text).map_err(|e| unreadable(e.to_string()))?;
        let mut row_starts = all.row_starts;
        row_starts.push(all.cell_ends.len() as u32);
        if row_starts.len() < 2 {
            return Err(OfficeError::Empty(file_name.to_string()));
        }
        let mut sheet = CsvSheet { name: file_name.to_string(), header: Vec::new(), text, cell_ends: all.cell_ends, row_starts };
        sheet.header = (0..sheet.width(0)).filter_map(|c| sheet.get(0, c)).map(String::from).collect();
        sheet.row_starts.remove(0);
        Ok(sheet)
    }

    /// Cells in row `r` of `row_starts` (the header while it is still there).
    fn width(&self, r: usize) -> usize {
        (self.row_starts[r + 1] - self.row_starts[r]) as usize
    }

    fn get(&self, r: usize, col: usize) -> Option<&str> {
        if col >= self.width(r) {
            return None;
        }
        let i = self.row_starts[r] as usize + col;
        let start = if i == 0 { 0 } else { self.cell_ends[i - 1] as usize };
        Some(&self.text[start..self.cell_ends[i] as usize])
    }

    /// The same rows as a [`Table`] of strings (for the importers that edit rows).
    pub fn into_table(self) -> Table {
        let rows = (0..self.row_count()).map(|r| (0..self.width(r)).filter_map(|c| self.get(r, c)).map(String::from).collect()).collect();
        Table { sheet: self.name, header: self.header, rows }
    }
}

impl Sheet for CsvSheet {
    fn name(&self) -> &str {
        &self.name
    }
    fn header(&self) -> &[String] {
        &self.header
    }
    fn row_count(&self) -> usize {
        self.row_starts.len() - 1
    }
    fn cell(&self, row: usize, col: usize) -> Option<&str> {
        if row >= self.row_count() { None } else { self.get(row, col) }
    }
}

/// Offsets `0 = p0 < p1 < … = len` that cut CSV text into about `parts` runs of whole records.
/// A cut goes after a line break outside quotes: one with an even number of `"` before it (a
/// quoted field may hold line breaks; a quote inside one is doubled). Pieces are at least
/// `min_piece` bytes long (threads cost more than they save on a small file).
fn split_records(text: &[u8], parts: usize, min_piece: usize) -> Vec<usize> {
    let parts = parts.clamp(1, text.len() / min_piece.max(1) + 1);
    let mut cuts = vec![0];
    let (mut pos, mut quotes) = (0, 0usize);
    for k in 1..parts {
        let target = text.len() * k / parts;
        if target <= pos {
            continue;
        }
        quotes += text[pos..target].iter().filter(|&&b| b == b'"').count();
        pos = target;
        while pos < text.len() {
            let b = text[pos];
            pos += 1;
            if b == b'"' {
                quotes += 1;
            } else if b == b'\n' && quotes % 2 == 0 {
                break;
            }
        }
        if pos < text.len() {
            cuts.push(pos);
        }
    }
    cuts.push(text.len());
    cuts.dedup();
    cuts
}

/// Whether a file is read as CSV text (by its name, as uploads are).
pub fn is_csv(file_name: &str) -> bool {
    let lower = file_name.to_lowercase();
    lower.ends_with(".csv") || lower.ends_with(".txt")
}

/// Reads every sheet of a file (a CSV has one, named after the file). Sheet order is kept.
pub fn read_tables(file_name: &str, bytes: &[u8]) -> Result<Vec<Table>, OfficeError> {
    let lower = file_name.to_lowercase();
    let unreadable = |e: &dyn std::fmt::Display| OfficeError::Unreadable { file: file_name.to_string(), reason: e.to_string() };
    if is_csv(file_name) {
        return Ok(vec![CsvSheet::read(file_name, bytes)?.into_table()]);
    }
    if ![".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"].iter().any(|e| lower.ends_with(e)) {
        return Err(OfficeError::UnknownFormat(file_name.to_string()));
    }
    let mut out = Vec::new();
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        // Cell by cell: `worksheet_range` allocates the sheet's whole bounding box at once, and a
        // crafted file with two cells far apart asked for hundreds of GB and aborted the server
        // (found by fuzz/ entry_xlsx). Only the cells present are kept, within MAX_CELLS.
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(|e: XlsxError| unreadable(&e))?;
        for name in wb.sheet_names() {
            let mut cells: Vec<(usize, usize, String)> = Vec::new();
            {
                let mut reader = wb.worksheet_cells_reader(&name).map_err(|e| unreadable(&e))?;
                while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
                    let (r, c) = cell.get_position();
                    let text = cell_text(&Data::from(cell.get_value().clone()));
                    if !text.is_empty() {
                        cells.push((r as usize, c as usize, text));
                    }
                }
            }
            let Some(last_row) = cells.iter().map(|c| c.0).max() else { continue };
            let width = cells.iter().map(|c| c.1 + 1).max().unwrap_or(0);
            if (last_row + 1).saturating_mul(width) > MAX_CELLS {
                return Err(OfficeError::Unreadable { file: file_name.to_string(), reason: format!("工作表“{name}”过大（超过 {MAX_CELLS} 个单元格），请删去多余的行列或拆分后上传") });
            }
            let mut rows: Vec<Vec<String>> = vec![vec![String::new(); width]; last_row + 1];
            for (r, c, text) in cells {
                rows[r][c] = text;
            }
            out.push(split_header(name, rows, file_name)?);
        }
        return if out.is_empty() { Err(OfficeError::Empty(file_name.to_string())) } else { Ok(out) };
    }
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| unreadable(&e))?;
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(|e| unreadable(&e))?;
        // Keep absolute row numbers: pad rows above the used range so row 1 is the header.
        let start = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
        let mut rows: Vec<Vec<String>> = vec![Vec::new(); start.0];
        for r in range.rows() {
            let mut row = vec![String::new(); start.1];
            row.extend(r.iter().map(cell_text));
            rows.push(row);
        }
        if rows.iter().all(|r| r.iter().all(|c| c.is_empty())) {
            continue;
        }
        out.push(split_header(name, rows, file_name)?);
    }
    if out.is_empty() {
        return Err(OfficeError::Empty(file_name.to_string()));
    }
    Ok(out)
}

/// Writes tables as an xlsx workbook, one sheet each, bold frozen header.
pub fn write_xlsx(tables: &[Table]) -> Result<Vec<u8>, OfficeError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let err = |e: rust_xlsxwriter::XlsxError| OfficeError::Write(e.to_string());
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(&t.sheet).map_err(err)?;
        for (c, h) in t.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        ws.autofit();
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cell of a sheet, row by row, through the `Sheet` trait.
    fn cells(s: &dyn Sheet) -> Vec<Vec<String>> {
        (0..s.row_count()).map(|r| (0..).map_while(|c| s.cell(r, c)).map(String::from).collect()).collect()
    }

    #[test]
    fn a_csv_sheet_holds_the_cells_the_csv_reader_reads_in_any_number_of_pieces() {
        let mut csv = String::from("\u{feff}开发区代码,指标代码,本期数值,备注\r\n");
        for i in 0..400 {
            match i % 5 {
                0 => csv.push_str(&format!("z{i},gdp,{i}.5,\"含逗号,与\"\"引号\"\"\"\r\n")),
                1 => csv.push_str(&format!("z{i},tax,,\"跨\n两行\"\n")),
                2 => csv.push_str(&format!("z{i},revenue\n")),
                3 => csv.push_str(&format!("z{i},,{i},,extra,\n")),
                _ => csv.push_str("\n"),
            }
        }
        // The reference: the csv crate's own records, a String per cell.
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let mut want: Vec<Vec<String>> = rdr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        let header = want.remove(0);
        assert!(want.len() > 300 && want.iter().any(|r| r.len() == 6) && want.iter().any(|r| r.len() == 2), "ragged rows are in the file");
        for (parts, min_piece) in [(1, 1 << 20), (2, 1), (7, 1), (64, 1)] {
            let sheet = CsvSheet::read_in_pieces("v.csv", csv.as_bytes(), parts, min_piece).unwrap();
            assert_eq!(sheet.header(), header.as_slice(), "{parts} pieces");
            assert_eq!(cells(&sheet), want, "{parts} pieces");
            assert_eq!(sheet.cell(sheet.row_count(), 0), None);
            assert_eq!(sheet.cell(0, 99), None);
        }
        let table = CsvSheet::read("v.csv", csv.as_bytes()).unwrap().into_table();
        assert_eq!((table.header.clone(), cells(&table)), (header, want));
        assert!(matches!(CsvSheet::read("e.csv", b""), Err(OfficeError::Empty(_))));
        assert_eq!(CsvSheet::read("h.csv", "开发区代码,指标代码\n".as_bytes()).unwrap().row_count(), 0);
    }

    #[test]
    fn csv_pieces_end_between_records_even_inside_quoted_line_breaks() {
        // Quoted fields with line breaks and doubled quotes, CRLF endings, no final newline.
        let text = "代码,备注\r\nz1,\"第一行\n第二行\"\r\nz2,\"他说\"\"好\"\"\n再见\"\nz3,\n\"z\n4\",\"\"\"\"\nz5,末行";
        let whole = CsvSheet::read_in_pieces("t.csv", text.as_bytes(), 1, 1).unwrap();
        assert_eq!(whole.row_count(), 5);
        assert_eq!(whole.cell(1, 1), Some("他说\"好\"\n再见"));
        for parts in 1..=text.len() {
            let cuts = split_records(text.as_bytes(), parts, 1);
            assert_eq!((cuts[0], *cuts.last().unwrap()), (0, text.len()));
            assert!(cuts.windows(2).all(|w| w[0] < w[1]), "{cuts:?}");
            let pieces = CsvSheet::read_in_pieces("t.csv", text.as_bytes(), parts, 1).unwrap();
            assert_eq!((pieces.header(), cells(&pieces)), (whole.header(), cells(&whole)), "{parts} parts: {cuts:?}");
        }
        // A file shorter than the smallest piece is read whole.
        assert_eq!(split_records(text.as_bytes(), 8, 1 << 20), [0, text.len()]);
    }

    #[test]
    fn an_xlsx_with_cells_far_apart_is_refused_not_allocated() {
        // Two values a million rows and a hundred columns apart: a bounding box of 101 million
        // cells, which calamine's `worksheet_range` would allocate at once.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "代码").unwrap();
        ws.write_string(1_000_000, 100, "x").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let e = read_tables("大.xlsx", &bytes).unwrap_err().to_string();
        assert!(e.contains("过大") && e.contains("Sheet1"), "{e}");
        // A sparse but small sheet still reads, with rows padded to the same width.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "代码").unwrap();
        ws.write_string(0, 2, "名称").unwrap();
        ws.write_string(3, 0, "sanhe").unwrap();
        let t = &read_tables("小.xlsx", &wb.save_to_buffer().unwrap()).unwrap()[0];
        assert_eq!(t.rows.iter().map(|r| r.len()).collect::<Vec<_>>(), [3, 3, 3]);
        assert_eq!(t.rows[2][0], "sanhe");
    }

    #[test]
    fn csv_in_utf8_bom_and_gb18030_read_alike() {
        let text = "代码,名称,所在县代码\nsanhe,三河经开区,131082\n";
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let gbk = encoding_rs::GB18030.encode(text).0.into_owned();
        assert_ne!(gbk, text.as_bytes());
        for bytes in [bom, gbk, text.as_bytes().to_vec()] {
            let t = &read_tables("zones.csv", &bytes).unwrap()[0];
            assert_eq!(t.header, ["代码", "名称", "所在县代码"]);
            assert_eq!(t.rows, [["sanhe", "三河经开区", "131082"]]);
            assert_eq!(t.sheet, "zones.csv");
        }
    }

    #[test]
    fn xlsx_round_trips_through_calamine() {
        let t = Table {
            sheet: "开发区".into(),
            header: vec!["代码".into(), "名称".into()],
            rows: vec![vec!["a".into(), "燕郊高新区".into()], vec!["b".into(), "".into()]],
        };
        let bytes = write_xlsx(std::slice::from_ref(&t)).unwrap();
        let back = read_tables("x.xlsx", &bytes).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].sheet, "开发区");
        assert_eq!(back[0].header, t.header);
        assert_eq!(back[0].rows[0], t.rows[0]);
        assert_eq!(back[0].rows[1][0], "b");
    }

    #[test]
    fn numeric_cells_keep_codes_intact() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "所在县代码").unwrap();
        ws.write_number(1, 0, 131082.0).unwrap();
        ws.write_number(2, 0, 12.5).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let t = &read_tables("n.xlsx", &bytes).unwrap()[0];
        assert_eq!(t.rows, [["131082"], ["12.5"]]);
    }

    #[test]
    fn refuses_unknown_and_empty_files() {
        assert_eq!(read_tables("a.pdf", b"%PDF").unwrap_err().to_string(), "文件“a.pdf”的格式无法识别：请上传 .csv、.xlsx、.xls 或 .ods 文件");
        assert!(matches!(read_tables("a.csv", b""), Err(OfficeError::Empty(_))));
        assert!(matches!(read_tables("a.xlsx", b"not a zip"), Err(OfficeError::Unreadable { .. })));
    }
}
