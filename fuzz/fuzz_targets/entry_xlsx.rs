//! Bytes uploaded as an .xlsx entry file through calamine and the value parser. Input starting
//! with "PK" is the file itself (calamine detects the format from the bytes, so .xls and .ods
//! parsing is reached too); any other input is a sheet's XML and, after the first NUL byte, its
//! shared-string table, packed into a valid workbook so that the mutations reach the cells.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PK") {
        let _ = nengji_fuzz::check_entry_file("填报.xlsx", data);
    } else {
        let (sheet, strings) = match data.iter().position(|b| *b == 0) {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (data, &b""[..]),
        };
        let _ = nengji_fuzz::check_entry_file("填报.xlsx", &nengji_fuzz::workbook(sheet, strings));
    }
});
