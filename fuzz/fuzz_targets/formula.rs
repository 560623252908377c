//! Any text typed as a formula or a validation rule through the formula parser. A parsed
//! formula printed and parsed again gives the same tree (the printer is what the catalogue
//! pages show and what is stored back); its type decides which of parse_number and
//! parse_condition accepts it; evaluation never panics and never yields a non-finite number.
#![no_main]
use nengji_core::expr::{self, Env, Scope};
use nengji_core::period::Month;

/// Values for any code and month (some missing, some zero), and one zone group.
struct Data;

impl Env for Data {
    fn value(&self, indicator: &str, period: Month, _scope: &Scope) -> Option<f64> {
        let h = indicator.bytes().fold(period.year() as u64 * 13 + period.month() as u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
        match h % 7 {
            0 => None,
            1 => Some(0.0),
            k => Some(k as f64 * 1.5e3 - 4e3),
        }
    }
    fn group_zones(&self, group: &str) -> Option<Vec<String>> {
        (group == "xiongan").then(|| vec!["anxin".into(), "rongcheng".into()])
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let Ok(e) = expr::parse(src) else { return };
    let printed = e.to_string();
    assert_eq!(expr::parse(&printed).as_ref(), Ok(&e), "{src:?} printed as {printed:?} parses differently");
    assert_eq!(expr::parse_number(src).is_ok(), !e.is_condition());
    assert_eq!(expr::parse_condition(src).is_ok(), e.is_condition());
    let period: Month = "2021-03".parse().unwrap();
    for scope in [Scope::City, Scope::Zone("yanjiao".into())] {
        if e.is_condition() {
            let _ = expr::eval_bool(&e, &Data, period, &scope);
        } else if let Some(v) = expr::eval_number(&e, &Data, period, &scope) {
            assert!(v.is_finite(), "{src:?} evaluated to {v}");
        }
    }
});
