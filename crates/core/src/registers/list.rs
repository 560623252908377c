//! List pages of every register: filters (text, zone, county, any choice field) and sorting,
//! names in pinyin order (安次 < 霸州 < 大城 …) rather than by code point.

use std::cmp::Ordering;

use pinyin::ToPinyin;

use super::{FieldType, Record, RegisterKind};

/// The pinyin sort key of a text: each Chinese character as its toneless pinyin followed by a
/// separator (so 西安 "xi an" sorts apart from 先 "xian"), other characters lower-cased.
pub fn pinyin_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for (ch, py) in s.chars().zip(s.to_pinyin()) {
        match py {
            Some(p) => {
                out.push_str(p.plain());
                out.push(' ');
            }
            None => out.extend(ch.to_lowercase()),
        }
    }
    out
}

/// Compares texts in pinyin order; equal keys fall back to the text itself.
pub fn pinyin_cmp(a: &str, b: &str) -> Ordering {
    pinyin_key(a).cmp(&pinyin_key(b)).then_with(|| a.cmp(b))
}

/// What a list page asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Matches the key or the name (substring).
    pub text: String,
    pub zone: String,
    pub county: String,
    /// Choice or flag field = value.
    pub equals: Vec<(String, String)>,
    /// Field to sort by (default: the name).
    pub sort: String,
    pub descending: bool,
}

impl Query {
    pub fn matches(&self, kind: RegisterKind, r: &Record) -> bool {
        let text = self.text.trim();
        (text.is_empty() || r.name().contains(text) || r.key(kind).contains(text))
            && (self.zone.is_empty() || (self.zone == "-" && r.zone().is_empty()) || r.zone() == self.zone)
            && (self.county.is_empty() || r.county() == self.county)
            && self.equals.iter().all(|(k, v)| v.is_empty() || r.get(k) == v)
    }
}

/// Orders records by `field`: numbers numerically, dates by date, text in pinyin order; blanks
/// last in both directions; ties by key. Sort keys are computed once per record (pinyin
/// conversion is the expensive part).
pub fn sort(kind: RegisterKind, records: &mut Vec<Record>, field: &str, descending: bool) {
    let field = if kind.field(field).is_some() { field } else { "name" };
    let ty = kind.field(field).map(|f| f.ty).unwrap_or(FieldType::Text);
    let primary = |r: &Record| -> String {
        let v = r.get(field);
        match ty {
            // Non-negative numbers: the bits of an f64 ≥ 0 order like the number.
            FieldType::Number => format!("{:020}", v.parse::<f64>().unwrap_or(0.0).max(0.0).to_bits()),
            FieldType::Date | FieldType::Uscc => v.to_string(),
            _ => pinyin_key(v) + "\u{0}" + v,
        }
    };
    let mut keyed: Vec<(String, String, Record)> =
        std::mem::take(records).into_iter().map(|r| (primary(&r), r.key(kind).to_string(), r)).collect();
    keyed.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let (mut filled, blank): (Vec<_>, Vec<_>) = keyed.into_iter().partition(|(_, _, r)| !r.get(field).is_empty());
    if descending {
        filled.reverse();
    }
    records.extend(filled.into_iter().chain(blank).map(|(_, _, r)| r));
}

/// Filters and sorts.
pub fn apply(kind: RegisterKind, records: Vec<Record>, q: &Query) -> Vec<Record> {
    let mut out: Vec<Record> = records.into_iter().filter(|r| q.matches(kind, r)).collect();
    sort(kind, &mut out, if q.sort.is_empty() { "name" } else { &q.sort }, q.descending);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(names: &[&str]) -> Vec<Record> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut r = Record::default();
                r.set("name", *n);
                r.set("recognised", format!("2019-0{}-01", 9 - i));
                r
            })
            .collect()
    }

    #[test]
    fn names_sort_in_pinyin_order_not_code_point_order() {
        // Code-point order would be 三 (4E09) < 大 (5927) < 廊 (5eca) < 永 (6C38) < 霸 (9738).
        let mut rs = named(&["霸州众创空间", "三河孵化器", "大城研究院", "廊坊实验室", "永清加速器", "安次创新中心"]);
        sort(RegisterKind::Platforms, &mut rs, "name", false);
        let got: Vec<&str> = rs.iter().map(|r| r.name()).collect();
        assert_eq!(got, ["安次创新中心", "霸州众创空间", "大城研究院", "廊坊实验室", "三河孵化器", "永清加速器"]);
        sort(RegisterKind::Platforms, &mut rs, "recognised", true);
        assert_eq!(rs[0].name(), "霸州众创空间"); // 2019-09-01, the latest
        assert_eq!(pinyin_key("西安"), "xi an ");
        // Numbers numerically (text order would put "10" before "9"), blanks last both ways.
        let mut ps: Vec<Record> = ["9", "10", "", "2.5"]
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut r = Record::default();
                r.set("code", format!("P{i}"));
                r.set("total_invest", *v);
                r
            })
            .collect();
        sort(RegisterKind::Projects, &mut ps, "total_invest", false);
        assert_eq!(ps.iter().map(|r| r.get("total_invest")).collect::<Vec<_>>(), ["2.5", "9", "10", ""]);
        sort(RegisterKind::Projects, &mut ps, "total_invest", true);
        assert_eq!(ps.iter().map(|r| r.get("total_invest")).collect::<Vec<_>>(), ["10", "9", "2.5", ""]);
        assert!(pinyin_cmp("西安", "先") == Ordering::Less);
    }

    #[test]
    fn filters_combine() {
        let mut rs = named(&["甲孵化器", "乙众创空间"]);
        rs[0].set("zone", "yanjiao_htz");
        rs[0].set("kind", "孵化器");
        rs[1].set("kind", "众创空间");
        let q = Query { equals: vec![("kind".into(), "孵化器".into())], ..Query::default() };
        assert_eq!(apply(RegisterKind::Platforms, rs.clone(), &q).len(), 1);
        let outside = Query { zone: "-".into(), ..Query::default() };
        assert_eq!(apply(RegisterKind::Platforms, rs.clone(), &outside)[0].name(), "乙众创空间");
        let text = Query { text: "众创".into(), ..Query::default() };
        assert_eq!(apply(RegisterKind::Platforms, rs, &text).len(), 1);
    }
}
