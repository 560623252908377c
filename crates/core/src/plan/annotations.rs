//! Unit annotations: who leads, who is responsible, who cooperates, plus any other fields
//! (`责任领导：…`, `完成时限：…`). Forms read:
//!
//! - keyed, in any bracket: `[牵头单位:A、B;责任单位:C]`, `（责任单位：C）`, `【牵头单位：A，配合单位：D】`,
//!   `〔…〕`, with half- or full-width colons, commas and semicolons;
//! - keyed, on lines of their own without brackets: `牵头单位：A` / `责任单位：B` / `配合单位：C`;
//! - keyword-less, in brackets: `(A、B牵头,C按职责分工负责)`.
//!
//! A bracket that is neither (`(征求意见稿)`, `各县(市、区)`) is ordinary text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::text::{collect, depths, is_annotation_open, is_cjk, is_space, longest_at, longest_before, pairs, trim_punct};
use super::units::{looks_like_unit, split_units};

/// The units and fields of one annotation, units exactly as written after splitting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    pub cooperating: Vec<String>,
    /// Everything else written as `键：值` inside the annotation (责任领导, 完成时限, …).
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Lead,
    Responsible,
    Cooperating,
}

const ROLE_KEYS: &[(&str, Role)] = &[
    ("牵头单位", Role::Lead),
    ("牵头部门", Role::Lead),
    ("牵头责任单位", Role::Lead),
    ("主办单位", Role::Lead),
    ("责任单位", Role::Responsible),
    ("责任部门", Role::Responsible),
    ("主责单位", Role::Responsible),
    ("主责部门", Role::Responsible),
    ("承办单位", Role::Responsible),
    ("实施单位", Role::Responsible),
    ("落实单位", Role::Responsible),
    ("配合单位", Role::Cooperating),
    ("配合部门", Role::Cooperating),
    ("协办单位", Role::Cooperating),
    ("协助单位", Role::Cooperating),
    ("参与单位", Role::Cooperating),
    ("参加单位", Role::Cooperating),
    ("协同单位", Role::Cooperating),
    ("协作单位", Role::Cooperating),
];

/// Field keys that make a bracket an annotation even without a role (`[完成时限：2019年底]`)
/// and that continue an annotation written on lines of their own.
const FIELD_KEYS: &[&str] = &[
    "责任领导", "牵头领导", "分管领导", "分管市领导", "牵头市领导", "责任人", "完成时限", "完成时间", "时间节点", "时限要求",
    "时限", "截止时间", "进度安排",
];

/// Verbs of the keyword-less form, longest first wins.
const ROLE_VERBS: &[(&str, Role)] = &[
    ("牵头", Role::Lead),
    ("牵头负责", Role::Lead),
    ("牵头落实", Role::Lead),
    ("牵头组织", Role::Lead),
    ("为牵头单位", Role::Lead),
    ("负责", Role::Responsible),
    ("按职责分工负责", Role::Responsible),
    ("按职责负责", Role::Responsible),
    ("按职能负责", Role::Responsible),
    ("分别负责", Role::Responsible),
    ("具体负责", Role::Responsible),
    ("共同负责", Role::Responsible),
    ("负责落实", Role::Responsible),
    ("按职责分工落实", Role::Responsible),
    ("落实", Role::Responsible),
    ("为责任单位", Role::Responsible),
    ("配合", Role::Cooperating),
    ("按职责分工配合", Role::Cooperating),
    ("积极配合", Role::Cooperating),
    ("协助", Role::Cooperating),
    ("参与", Role::Cooperating),
    ("共同参与", Role::Cooperating),
    ("协同", Role::Cooperating),
    ("为配合单位", Role::Cooperating),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Role(Role),
    /// A known field key.
    Known(String),
    /// Any other short `键：` inside an annotation that already has a key.
    Other(String),
}

/// The key starting at `at`, and where its value starts (after the colon).
fn key_at(chars: &[char], at: usize, allow_other: bool) -> Option<(Key, usize)> {
    let colon_after = |end: usize| {
        let mut j = end;
        while j < chars.len() && is_space(chars[j]) {
            j += 1;
        }
        (j < chars.len() && matches!(chars[j], ':' | '：')).then_some(j + 1)
    };
    let roles: Vec<&str> = ROLE_KEYS.iter().map(|(k, _)| *k).collect();
    if let Some(k) = longest_at(chars, at, &roles)
        && let Some(v) = colon_after(at + k.chars().count()) {
            let role = ROLE_KEYS.iter().find(|(x, _)| *x == k).unwrap().1;
            return Some((Key::Role(role), v));
        }
    if let Some(k) = longest_at(chars, at, FIELD_KEYS)
        && let Some(v) = colon_after(at + k.chars().count()) {
            return Some((Key::Known(k.to_string()), v));
        }
    if allow_other {
        let mut end = at;
        while end < chars.len() && end - at < 8 && is_cjk(chars[end]) {
            end += 1;
        }
        if end - at >= 2
            && let Some(v) = colon_after(end) {
                return Some((Key::Other(collect(&chars[at..end])), v));
            }
    }
    None
}

fn first_non_space(chars: &[char]) -> usize {
    chars.iter().position(|&c| !is_space(c)).unwrap_or(chars.len())
}

/// Whether the text starts with a role key and a colon (`牵头单位：…`).
pub(crate) fn is_role_line(chars: &[char]) -> bool {
    matches!(key_at(chars, first_non_space(chars), false), Some((Key::Role(_), _)))
}

/// Whether the text starts with a known field key and a colon (`完成时限：…`).
pub(crate) fn is_field_line(chars: &[char]) -> bool {
    matches!(key_at(chars, first_non_space(chars), false), Some((Key::Known(_), _)))
}

impl Annotation {
    fn add(&mut self, role: Role, units: Vec<String>) {
        let list = match role {
            Role::Lead => &mut self.lead,
            Role::Responsible => &mut self.responsible,
            Role::Cooperating => &mut self.cooperating,
        };
        for u in units {
            if !list.contains(&u) {
                list.push(u);
            }
        }
    }

    fn add_field(&mut self, key: String, value: &str) {
        if value.is_empty() {
            return;
        }
        self.fields.entry(key).and_modify(|v| {
            v.push('；');
            v.push_str(value);
        }).or_insert_with(|| value.to_string());
    }

    /// Merges a later line of the same annotation (`牵头单位：…` then `责任单位：…`).
    pub(crate) fn merge(&mut self, other: Annotation) {
        self.add(Role::Lead, other.lead);
        self.add(Role::Responsible, other.responsible);
        self.add(Role::Cooperating, other.cooperating);
        for (k, v) in other.fields {
            self.add_field(k, &v);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lead.is_empty() && self.responsible.is_empty() && self.cooperating.is_empty() && self.fields.is_empty()
    }
}

/// Parses keyed content: `牵头单位:A、B;责任单位:C,完成时限:2019年底`. The content must start
/// with a role or a known field key.
pub(crate) fn parse_keyed(content: &[char]) -> Option<Annotation> {
    let depth = depths(content);
    let start = first_non_space(content);
    key_at(content, start, false)?;
    let mut keys: Vec<(usize, Key, usize)> = Vec::new();
    let mut i = start;
    while i < content.len() {
        let at_segment_start = i == start || {
            let prev = content[..i].iter().rev().find(|c| !is_space(**c));
            matches!(prev, Some(';' | '；' | ',' | '，' | '。' | '、')) || is_space(content[i - 1])
        };
        if depth[i] == 0 && at_segment_start && !is_space(content[i])
            && let Some((k, v)) = key_at(content, i, true) {
                keys.push((i, k, v));
                i = v;
                continue;
            }
        i += 1;
    }
    let mut ann = Annotation::default();
    for (n, (_, key, v)) in keys.iter().enumerate() {
        let end = keys.get(n + 1).map_or(content.len(), |k| k.0);
        let value = collect(&content[*v..end.max(*v)]);
        let value = trim_punct(&value);
        match key {
            Key::Role(r) => ann.add(*r, split_units(value)),
            Key::Known(k) | Key::Other(k) => ann.add_field(k.clone(), value),
        }
    }
    Some(ann)
}

/// Parses the keyword-less form `A、B牵头,C按职责分工负责`. Every clause must be a list of
/// units followed by a role verb, or the bracket is not an annotation.
pub(crate) fn parse_keyless(content: &[char]) -> Option<Annotation> {
    let depth = depths(content);
    let verbs: Vec<&str> = ROLE_VERBS.iter().map(|(v, _)| *v).collect();
    let mut ann = Annotation::default();
    let mut start = 0;
    let mut any = false;
    for i in 0..=content.len() {
        let boundary = i == content.len() || (depth[i] == 0 && matches!(content[i], ',' | '，' | ';' | '；' | '。'));
        if !boundary {
            continue;
        }
        let clause = collect(&content[start..i]);
        start = i + 1;
        let clause = trim_punct(&clause);
        if clause.is_empty() {
            continue;
        }
        let clause = clause.strip_prefix('由').unwrap_or(clause);
        let cs: Vec<char> = clause.chars().collect();
        let verb = longest_before(&cs, cs.len(), &verbs)?;
        let role = ROLE_VERBS.iter().find(|(v, _)| *v == verb).unwrap().1;
        let units = split_units(&collect(&cs[..cs.len() - verb.chars().count()]));
        if units.is_empty() || !units.iter().all(|u| looks_like_unit(u)) {
            return None;
        }
        ann.add(role, units);
        any = true;
    }
    any.then_some(ann)
}

/// An annotation found in brackets inside a paragraph, by character positions.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub annotation: Annotation,
}

/// Every bracketed annotation at the top level of `chars`.
pub(crate) fn find_bracketed(chars: &[char]) -> Vec<Found> {
    let close = pairs(chars);
    let depth = depths(chars);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if let (true, true, Some(j)) = (depth[i] == 0, is_annotation_open(chars[i]), close[i]) {
            let content = &chars[i + 1..j];
            if let Some(annotation) = parse_keyed(content).or_else(|| parse_keyless(content)) {
                out.push(Found { start: i, end: j + 1, annotation });
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn one(s: &str) -> Annotation {
        let found = find_bracketed(&chars(s));
        assert_eq!(found.len(), 1, "{s}");
        found.into_iter().next().unwrap().annotation
    }

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn keyed_in_every_bracket_and_width() {
        for s in [
            "[牵头单位:市商务局、市科技局,霸州市政府;责任单位:市发改委,各县(市、区)政府]",
            "（牵头单位：市商务局、市科技局，霸州市政府；责任单位：市发改委，各县（市、区）政府）",
            "【牵头单位：市商务局、市科技局,霸州市政府;责任单位:市发改委，各县(市、区)政府】",
            "〔牵头单位 ：市商务局、市科技局，霸州市政府 ; 责任单位： 市发改委，各县(市、区)政府〕",
            "(牵头单位:市商务局、市科技局,霸州市政府;责任单位:市发改委,各县(市、区)政府)",
            "［牵头单位:市商务局、市科技局，霸州市政府。责任单位:市发改委,各县(市、区)政府］",
        ] {
            let a = one(s);
            assert_eq!(a.lead, v(&["市商务局", "市科技局", "霸州市政府"]), "{s}");
            assert_eq!(a.responsible.len(), 2, "{s}");
            assert_eq!(a.responsible[0], "市发改委");
            assert!(a.cooperating.is_empty() && a.fields.is_empty());
        }
    }

    #[test]
    fn fields_are_captured_not_units() {
        let a = one("[牵头单位:市商务局;配合单位:市财政局；责任领导：张副市长；完成时限：2019年12月底前]");
        assert_eq!(a.lead, v(&["市商务局"]));
        assert_eq!(a.cooperating, v(&["市财政局"]));
        assert_eq!(a.fields.get("责任领导").map(String::as_str), Some("张副市长"));
        assert_eq!(a.fields.get("完成时限").map(String::as_str), Some("2019年12月底前"));
        let a = one("（完成时限：长期坚持）");
        assert!(a.lead.is_empty());
        assert_eq!(a.fields.get("完成时限").map(String::as_str), Some("长期坚持"));
        // An unknown key after a role key is a field too.
        let a = one("[责任单位:市编办,督办事项编号:2018-17]");
        assert_eq!(a.responsible, v(&["市编办"]));
        assert_eq!(a.fields.get("督办事项编号").map(String::as_str), Some("2018-17"));
    }

    #[test]
    fn keyword_less_form() {
        let a = one("推进招商(市商务局、市科技局牵头,各县(市、区)政府按职责分工负责)。");
        assert_eq!(a.lead, v(&["市商务局", "市科技局"]));
        assert_eq!(a.responsible, v(&["各县(市、区)政府"]));
        let a = one("（由市财政局负责，市政府金融办配合）");
        assert_eq!(a.responsible, v(&["市财政局"]));
        assert_eq!(a.cooperating, v(&["市政府金融办"]));
    }

    #[test]
    fn ordinary_brackets_are_not_annotations() {
        for s in [
            "推进全市省级以上开发区(包括经济开发区、高新技术产业开发区以及海关特殊监管区)加快转型升级",
            "各县(市、区)政府充分赋予开发区相应权限",
            "达到600家(其中开发区内400家以上)",
            "(征求意见稿)",
            "首台(套)重大技术装备",
            "[由市场主体负责]",
            "(牵头单位)",
        ] {
            assert!(find_bracketed(&chars(s)).is_empty(), "{s}");
        }
    }

    #[test]
    fn several_in_one_paragraph() {
        let s = "加大投入。[牵头单位:市环保局,各县(市、区)政府;责任单位:市商务局、市科技局]推进绿色园区建设。[牵头单位:市工信局]";
        let f = find_bracketed(&chars(s));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].start, 5);
        assert_eq!(f[1].annotation.lead, v(&["市工信局"]));
    }

    #[test]
    fn lines_of_their_own() {
        assert!(is_role_line(&chars("  牵头单位：市商务局")));
        assert!(is_role_line(&chars("配合单位:市财政局")));
        assert!(!is_role_line(&chars("牵头单位负责")));
        assert!(is_field_line(&chars("完成时限：2020年底")));
        assert!(!is_field_line(&chars("联系人:廊坊市商务局开发区管理科")));
        let mut a = parse_keyed(&chars("牵头单位：市商务局")).unwrap();
        a.merge(parse_keyed(&chars("责任单位：各县（市、区）党委、政府")).unwrap());
        assert_eq!(a.responsible, v(&["各县（市、区）党委", "各县（市、区）政府"]));
    }
}
