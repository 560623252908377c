//! Any bytes uploaded as a .csv entry file (UTF-8 or GB18030) through the value parser.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = nengji_fuzz::check_entry_file("填报.csv", data);
});
