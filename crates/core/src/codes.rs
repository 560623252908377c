//! Administrative division codes (GB/T 2260) of 廊坊市 and its counties.
//!
//! The NBS *statistical* code 131071 (廊坊经济技术开发区) is deliberately absent:
//! it is a 统计用区划代码, not an administrative code, and zones carry the code of
//! the county they lie in.

/// (code, name) of 廊坊市 and its ten county-level divisions.
pub const LANGFANG_DIVISIONS: &[(&str, &str)] = &[
    ("131000", "廊坊市"),
    ("131002", "安次区"),
    ("131003", "广阳区"),
    ("131022", "固安县"),
    ("131023", "永清县"),
    ("131024", "香河县"),
    ("131025", "大城县"),
    ("131026", "文安县"),
    ("131028", "大厂回族自治县"),
    ("131081", "霸州市"),
    ("131082", "三河市"),
];

/// Name of a county-level division of 廊坊市 (the city itself included), if the code is one.
pub fn division_name(code: &str) -> Option<&'static str> {
    LANGFANG_DIVISIONS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The ten county-level divisions (the city excluded).
pub fn counties() -> impl Iterator<Item = (&'static str, &'static str)> {
    LANGFANG_DIVISIONS.iter().copied().filter(|(c, _)| *c != "131000")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_ten_counties_and_not_the_statistical_code() {
        assert_eq!(counties().count(), 10);
        assert_eq!(division_name("131028"), Some("大厂回族自治县"));
        assert_eq!(division_name("131071"), None);
        assert_eq!(division_name("131000"), Some("廊坊市"));
    }
}
