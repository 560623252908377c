//! Outline markers at the start of a paragraph: `一、` / `(一)` `（一）` / `1.` `1、` `1．` /
//! `(1)` `（1）` `1)` / `①` / `——` bullets, and unnumbered sub-headings (`加快发展大数据产业。…`).
//! The level comes from the form, not from the number, so item numbers may continue across
//! sections (`(一) 1. 2. (二) 3. 4.`).

use serde::{Deserialize, Serialize};

use super::text::{chinese_number, collect, depths, digit, is_cjk, is_space, longest_at};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// 一、
    Chapter,
    /// (一) （一）
    Section,
    /// 1. 1、 1．
    Item,
    /// (1) （1） 1)
    SubItem,
    /// ① ⑴
    Circled,
    /// —— • ●
    Bullet,
    /// A short first sentence standing as a heading, without a number.
    Subheading,
}

impl NodeKind {
    /// Nesting rank: a node closes every open node of the same or a higher rank.
    pub(crate) fn rank(self) -> u8 {
        match self {
            NodeKind::Chapter => 0,
            NodeKind::Section => 1,
            NodeKind::Item => 2,
            NodeKind::SubItem => 3,
            NodeKind::Circled => 4,
            NodeKind::Bullet | NodeKind::Subheading => 5,
        }
    }

    pub fn is_numbered(self) -> bool {
        self.rank() < 5
    }

    pub fn label(self) -> &'static str {
        match self {
            NodeKind::Chapter => "一级标题",
            NodeKind::Section => "二级标题",
            NodeKind::Item => "三级标题",
            NodeKind::SubItem => "四级标题",
            NodeKind::Circled => "五级标题",
            NodeKind::Bullet => "列举项",
            NodeKind::Subheading => "小标题",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Form {
    Numbered(NodeKind),
    /// `()` with the numeral missing; the level and number come from the context.
    EmptyParen { open: char, close: char },
    /// `1承载…`: a number with its punctuation lost; an item only if its neighbours agree.
    BareNumber,
    Bullet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    pub form: Form,
    /// Characters the marker takes, including its punctuation and the spaces after it.
    pub len: usize,
    pub number: Option<u32>,
    /// The label as written, without trailing punctuation: `一`, `(一)`, `1`, `(1)`, `①`.
    pub label: String,
}

const CN_DIGITS: &str = "〇零一二两三四五六七八九十";

/// What must not follow a bare number for it to be read as a lost `1、` (`2020年`, `3家`).
const NOT_AFTER_BARE: &[&str] = &[
    "年", "月", "日", "号", "时", "点", "天", "周", "个", "家", "项", "名", "人", "万", "亿", "千", "百", "元", "倍", "次", "批",
    "条", "所", "座", "户", "亩", "吨", "米", "公里", "平方", "届", "期", "类", "种", "位", "层", "%", "％",
];

pub(crate) fn detect(chars: &[char]) -> Option<Marker> {
    let n = chars.len();
    let skip_spaces = |mut j: usize| {
        while j < n && is_space(chars[j]) {
            j += 1;
        }
        j
    };
    let has_text_after = |j: usize| j < n;
    // 一、
    let cn = chars.iter().take_while(|c| CN_DIGITS.contains(**c)).count();
    if cn > 0 && cn <= 4 && cn < n && matches!(chars[cn], '、' | '．' | '.' | '，' | ',')
        && let Some(num) = chinese_number(&chars[..cn]) {
            let len = skip_spaces(cn + 1);
            if has_text_after(len) {
                return Some(Marker { form: Form::Numbered(NodeKind::Chapter), len, number: Some(num), label: collect(&chars[..cn]) });
            }
        }
    // (一) (1) ()
    if n > 0 && matches!(chars[0], '(' | '（') {
        if let Some(close) = (1..n.min(7)).find(|&k| matches!(chars[k], ')' | '）')) {
            let inner: Vec<char> = chars[1..close].iter().copied().filter(|c| !is_space(*c)).collect();
            let mut len = close + 1;
            if len < n && matches!(chars[len], '、' | '.' | '．') {
                len += 1;
            }
            let len = skip_spaces(len);
            let label = format!("{}{}{}", chars[0], collect(&inner), chars[close]);
            if has_text_after(len) {
                if inner.is_empty() {
                    return Some(Marker { form: Form::EmptyParen { open: chars[0], close: chars[close] }, len, number: None, label });
                }
                if let Some(num) = chinese_number(&inner) {
                    return Some(Marker { form: Form::Numbered(NodeKind::Section), len, number: Some(num), label });
                }
                if inner.len() <= 3 && inner.iter().all(|c| digit(*c).is_some()) {
                    let num = inner.iter().fold(0, |a, c| a * 10 + digit(*c).unwrap());
                    return Some(Marker { form: Form::Numbered(NodeKind::SubItem), len, number: Some(num), label });
                }
            }
        }
        return None;
    }
    // ① ⑴
    if let Some(&c) = chars.first() {
        let (kind, num) = match c {
            '①'..='⑳' => (NodeKind::Circled, c as u32 - '①' as u32 + 1),
            '⑴'..='⒇' => (NodeKind::SubItem, c as u32 - '⑴' as u32 + 1),
            _ => (NodeKind::Chapter, 0),
        };
        if num > 0 {
            let len = skip_spaces(1);
            if has_text_after(len) {
                return Some(Marker { form: Form::Numbered(kind), len, number: Some(num), label: c.to_string() });
            }
        }
    }
    // 1. 1、 1． 1) and the bare `1承载`
    let d = chars.iter().take_while(|c| digit(**c).is_some()).count();
    if d > 0 && d <= 3 && d < n {
        let num = chars[..d].iter().fold(0, |a, c| a * 10 + digit(*c).unwrap());
        let label = collect(&chars[..d]);
        let p = chars[d];
        let next_is_digit = chars.get(d + 1).is_some_and(|c| digit(*c).is_some());
        let form = match p {
            '、' => Some(Form::Numbered(NodeKind::Item)),
            '.' | '．' | ',' | '，' if !next_is_digit => Some(Form::Numbered(NodeKind::Item)),
            ')' | '）' => Some(Form::Numbered(NodeKind::SubItem)),
            _ => None,
        };
        if let Some(form) = form {
            let len = skip_spaces(d + 1);
            let label = if form == Form::Numbered(NodeKind::SubItem) { format!("{label}{p}") } else { label };
            if has_text_after(len) {
                return Some(Marker { form, len, number: Some(num), label });
            }
            return None;
        }
        if d <= 2 && is_cjk(p) && longest_at(chars, d, NOT_AFTER_BARE).is_none() {
            return Some(Marker { form: Form::BareNumber, len: d, number: Some(num), label });
        }
        return None;
    }
    // —— • ●
    if let Some(b) = longest_at(chars, 0, &["——", "—", "――", "―", "－－", "--", "•", "●", "◆", "■", "▪", "►"]) {
        let len = skip_spaces(b.chars().count());
        if has_text_after(len) {
            return Some(Marker { form: Form::Bullet, len, number: None, label: b.to_string() });
        }
    }
    None
}

/// Characters of the title at the start of a heading's text: up to the first sentence end or
/// colon at the top level, or the first annotation (`stop`).
pub(crate) fn title_len(chars: &[char], stop: usize) -> usize {
    let depth = depths(chars);
    let end = (0..stop.min(chars.len()))
        .find(|&i| depth[i] == 0 && matches!(chars[i], '。' | '！' | '？' | '!' | '?' | '：' | ':' | '；' | ';'))
        .unwrap_or(stop.min(chars.len()));
    let mut e = end;
    while e > 0 && is_space(chars[e - 1]) {
        e -= 1;
    }
    e
}

/// Longest first sentence that still reads as a heading (`加快发展先进环保产业、生物医药健康产业。`).
const SUBHEADING_MAX: usize = 30;

/// If the paragraph starts with an unnumbered sub-heading, the length of its title: a short
/// first sentence without commas, or a short line of its own with no closing punctuation.
pub(crate) fn subheading_len(chars: &[char], stop: usize) -> Option<usize> {
    let depth = depths(chars);
    let chars = &chars[..stop.min(chars.len())];
    if chars.first().is_none_or(|c| digit(*c).is_some()) {
        return None;
    }
    let clause_mark = |i: usize| depth[i] == 0 && matches!(chars[i], ',' | '，' | ';' | '；' | ':' | '：');
    match (0..chars.len()).find(|&i| depth[i] == 0 && matches!(chars[i], '。' | '！' | '？' | '!' | '?')) {
        Some(end) => ((2..=SUBHEADING_MAX).contains(&end) && !(0..end).any(clause_mark)).then_some(end),
        None => {
            let n = chars.len();
            ((2..=25).contains(&n) && !(0..n).any(clause_mark)).then_some(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Option<(Form, usize, Option<u32>, String)> {
        let cs: Vec<char> = s.chars().collect();
        detect(&cs).map(|m| (m.form, m.len, m.number, m.label))
    }

    use NodeKind::*;

    #[test]
    fn every_numbering_form() {
        assert_eq!(m("一、总体要求"), Some((Form::Numbered(Chapter), 2, Some(1), "一".into())));
        assert_eq!(m("十二．附则"), Some((Form::Numbered(Chapter), 3, Some(12), "十二".into())));
        assert_eq!(m("(一)指导思想"), Some((Form::Numbered(Section), 3, Some(1), "(一)".into())));
        assert_eq!(m("（十）强化宣传"), Some((Form::Numbered(Section), 3, Some(10), "（十）".into())));
        assert_eq!(m("( 二 ) 加强"), Some((Form::Numbered(Section), 6, Some(2), "(二)".into())));
        assert_eq!(m("1.承载能力"), Some((Form::Numbered(Item), 2, Some(1), "1".into())));
        assert_eq!(m("2、创新能力"), Some((Form::Numbered(Item), 2, Some(2), "2".into())));
        assert_eq!(m("12．开放水平"), Some((Form::Numbered(Item), 3, Some(12), "12".into())));
        assert_eq!(m("３、全角数字"), Some((Form::Numbered(Item), 2, Some(3), "３".into())));
        assert_eq!(m("(1)加强"), Some((Form::Numbered(SubItem), 3, Some(1), "(1)".into())));
        assert_eq!(m("（12）加强"), Some((Form::Numbered(SubItem), 4, Some(12), "（12）".into())));
        assert_eq!(m("3)加强"), Some((Form::Numbered(SubItem), 2, Some(3), "3)".into())));
        assert_eq!(m("②推进"), Some((Form::Numbered(Circled), 1, Some(2), "②".into())));
        assert_eq!(m("——坚持开放"), Some((Form::Bullet, 2, None, "——".into())));
        assert_eq!(m("—坚持开放"), Some((Form::Bullet, 1, None, "—".into())));
        assert_eq!(m("()深化人事"), Some((Form::EmptyParen { open: '(', close: ')' }, 2, None, "()".into())));
        assert_eq!(m("1承载高端"), Some((Form::BareNumber, 1, Some(1), "1".into())));
    }

    #[test]
    fn text_that_only_looks_numbered() {
        for s in [
            "十九大精神", "2020年,全市", "1.5亿元", "3家开发区", "(征求意见稿)", "(包括经济开发区)", "一批项目", "1,000家", "2018年09月04日",
            "一、", "(一)", "100%", "—",
        ] {
            assert!(!matches!(m(s), Some((Form::Numbered(_) | Form::EmptyParen { .. } | Form::Bullet, ..))), "{s}: {:?}", m(s));
            assert!(!matches!(m(s), Some((Form::BareNumber, ..))), "{s}");
        }
    }

    #[test]
    fn titles_and_subheadings() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        let s = c("构建平台。根据“建设。”要求");
        assert_eq!(title_len(&s, s.len()), 4);
        let s = c("指导思想");
        assert_eq!(title_len(&s, s.len()), 4);
        let s = c("加强统筹协调[牵头单位:市商务局]");
        assert_eq!(title_len(&s, 6), 6);
        assert_eq!(subheading_len(&c("加快发展大数据产业。抓住契机,以…"), 99), Some(9));
        assert_eq!(subheading_len(&c("加快发展先进环保产业、生物医药健康产业。加强"), 99), Some(19));
        assert_eq!(subheading_len(&c("以习近平新时代中国特色社会主义思想为指导,贯彻落实。"), 99), None);
        assert_eq!(subheading_len(&c("重点任务"), 99), Some(4));
        assert_eq!(subheading_len(&c("2020年目标。"), 99), None);
    }
}
