//! Quantitative targets in policy prose: `到2020年，开发区高新技术企业数量达400家以上` →
//! year 2020, indicator 开发区高新技术企业数量, value 400, unit 家, comparator ≥.
//!
//! A paragraph is cut into sentences (。！？ and annotations) and clauses (，；：), and a clause
//! into items where a list continues with a new number (`创建2个A和2个B`,
//! `新增A6个、B12个`). In an item a number with a unit is a target when
//!
//! - it ends the item and is introduced by a comparator (`达到` `不少于` `突破` `控制在` …) or a
//!   growth measure (`年均增长`), or followed by `以上` `以内` `左右`, or the item starts with an
//!   action (`新增A21个`);
//! - or it stands right after an action inside the item (`建设2家以上众创空间`,
//!   `推动8个开发区实施循环化改造`).
//!
//! Numbers that qualify a noun are not targets: `世界500强` (no unit), `等3家开发区` (no
//! action), `超1亿美元以上开发区达到3家` (the target is the 3), `总投资额362亿元的21项` (the
//! 的 makes 362亿元 a modifier). Chinese numerals (`两家`, `三年`) are not read.
//!
//! The year is the one stated in the same sentence; else one stated elsewhere in the paragraph,
//! else the last one stated earlier in the same chapter (marked as inferred).

use super::text::{depths, digit, is_space, longest_at, longest_before, starts_with, trim_punct};
use super::Comparator;

/// Units a target value may carry, matched longest first.
const UNITS: &[&str] = &[
    "亿美元", "万美元", "美元", "亿元", "万元", "千元", "元", "个百分点", "百分点", "%", "％", "‰", "平方公里", "万平方米",
    "平方米", "万亩", "亩", "公顷", "万吨", "吨", "万人次", "人次", "万人", "人", "家", "个", "项", "名", "户", "座", "所",
    "条", "台", "套", "批", "次", "倍", "处", "件", "辆", "公里", "千米", "栋", "场",
];

const CMP_PREFIX: &[(&str, Comparator)] = &[
    ("不少于", Comparator::Ge),
    ("不低于", Comparator::Ge),
    ("不小于", Comparator::Ge),
    ("达到", Comparator::Ge),
    ("达", Comparator::Ge),
    ("提高到", Comparator::Ge),
    ("提高至", Comparator::Ge),
    ("提升到", Comparator::Ge),
    ("提升至", Comparator::Ge),
    ("增加到", Comparator::Ge),
    ("增加至", Comparator::Ge),
    ("增至", Comparator::Ge),
    ("超过", Comparator::Gt),
    ("突破", Comparator::Gt),
    ("超", Comparator::Gt),
    ("高于", Comparator::Gt),
    ("多于", Comparator::Gt),
    ("大于", Comparator::Gt),
    ("不超过", Comparator::Le),
    ("不高于", Comparator::Le),
    ("不大于", Comparator::Le),
    ("控制在", Comparator::Le),
    ("降至", Comparator::Le),
    ("降到", Comparator::Le),
    ("降低到", Comparator::Le),
    ("降低至", Comparator::Le),
    ("下降到", Comparator::Le),
    ("下降至", Comparator::Le),
    ("低于", Comparator::Lt),
    ("少于", Comparator::Lt),
    ("小于", Comparator::Lt),
    ("保持在", Comparator::Eq),
    ("稳定在", Comparator::Eq),
];

const CMP_SUFFIX: &[(&str, Comparator)] = &[
    ("或以上", Comparator::Ge),
    ("及以上", Comparator::Ge),
    ("以上", Comparator::Ge),
    ("以内", Comparator::Le),
    ("之内", Comparator::Le),
    ("以下", Comparator::Le),
    ("左右", Comparator::Approx),
    ("上下", Comparator::Approx),
];

/// Growth measures: the value is a rate of the indicator, and stays in the indicator phrase.
const MEASURES: &[&str] = &["年均增长", "年均增速", "年均提高", "年增速", "年增长", "增速", "增长", "增幅"];

/// Actions that make a count a target (`新增…21个`, `建设2家…`).
const ACTIONS: &[&str] = &[
    "建设", "新建", "新增", "引进", "引入", "创建", "推动", "推进", "打造", "培育", "新培育", "实施", "吸纳", "完成", "建成",
    "认定", "新认定", "争创", "培养", "扶持", "组织", "举办", "开展", "签约", "储备", "谋划", "招引", "孵化", "设立", "新设",
    "转化", "引育",
];

/// Words at the start of a clause that are not part of the indicator.
const FILLERS: &[&str] = &["确保", "力争", "争取", "努力", "全力", "力求", "预计", "计划", "目标是", "其中", "届时", "年内"];

/// Scopes that a list item inherits from the one before (`开发区A年均增长…、B年均增长…`).
const SCOPES: &[&str] = &["全市开发区", "开发区内", "全市", "全省", "开发区"];

/// Words that name a measure without its subject (`…研发平台年增速达到10%，总数达到660家`).
const GENERIC: &[&str] = &["总数", "总量", "总额", "数量", "规模", "比重", "增速", "年增速", "增幅"];

/// A target read from one paragraph; positions are character indexes in it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    pub text_start: usize,
    pub text_end: usize,
    /// Where the value stands, to find the task the target sits in.
    pub at: usize,
    pub year: Option<i32>,
    pub year_inferred: bool,
    pub from_year: Option<i32>,
    pub indicator: String,
    pub value: f64,
    pub unit: String,
    pub comparator: Comparator,
    pub per_year: bool,
}

/// Year context carried from paragraph to paragraph within a chapter.
#[derive(Debug, Default, Clone)]
pub(crate) struct YearContext {
    pub last: Option<(i32, Option<i32>)>,
}

#[derive(Debug, Clone, Copy)]
struct Year {
    at: usize,
    year: i32,
    from: Option<i32>,
}

#[derive(Debug, Clone)]
struct Token {
    start: usize,
    end: usize,
    value: f64,
    unit: String,
    suffix: Option<Comparator>,
    /// `100多家`: more than.
    more: bool,
    /// Followed by 的: a modifier of the noun after it.
    modifier: bool,
}

fn is_digit(c: char) -> bool {
    digit(c).is_some()
}

/// Year mentions: `2020年`, `2018年到2020年`, `2018—2020年`.
fn years(chars: &[char]) -> Vec<Year> {
    let mut out = Vec::new();
    let four = |i: usize| -> Option<i32> {
        if i + 4 > chars.len() || (i > 0 && is_digit(chars[i - 1])) || chars.get(i + 4).is_some_and(|c| is_digit(*c)) {
            return None;
        }
        let mut y = 0;
        for c in &chars[i..i + 4] {
            y = y * 10 + digit(*c)? as i32;
        }
        (1949..=2100).contains(&y).then_some(y)
    };
    let mut i = 0;
    while i < chars.len() {
        let Some(y) = four(i) else {
            i += 1;
            continue;
        };
        let mut j = i + 4;
        let has_nian = chars.get(j) == Some(&'年');
        if has_nian {
            j += 1;
        }
        // A range: the end year is the target year, the start is kept for growth targets.
        let sep = longest_at(chars, j, &["到", "至", "—", "–", "-", "－", "~", "～", "——"]);
        if let Some(sep) = sep {
            let k = j + sep.chars().count();
            if let (Some(y2), Some('年')) = (four(k), chars.get(k + 4))
                && y2 > y {
                    out.push(Year { at: i, year: y2, from: Some(y) });
                    i = k + 5;
                    continue;
                }
        }
        if has_nian {
            out.push(Year { at: i, year: y, from: None });
        }
        i = j;
    }
    out
}

/// A number with a unit at `i`, if there is one.
fn token_at(chars: &[char], i: usize, end: usize) -> Option<Token> {
    if !is_digit(chars[i]) {
        return None;
    }
    if i > 0 {
        let p = chars[i - 1];
        if is_digit(p) || p.is_ascii_alphabetic() || matches!(p, '.' | '．') {
            return None;
        }
    }
    let mut num = String::new();
    let mut j = i;
    while j < end {
        let c = chars[j];
        if let Some(d) = digit(c) {
            num.push(char::from_digit(d, 10).unwrap());
            j += 1;
        } else if c == ',' && j + 3 < end + 1 && (1..=3).all(|k| chars.get(j + k).is_some_and(|c| c.is_ascii_digit()))
            && !chars.get(j + 4).is_some_and(|c| is_digit(*c))
        {
            // 1,000: a thousands separator, not a clause break.
            j += 1;
        } else if matches!(c, '.' | '．') && chars.get(j + 1).is_some_and(|c| is_digit(*c)) && !num.contains('.') {
            num.push('.');
            j += 1;
        } else {
            break;
        }
    }
    let value: f64 = num.parse().ok()?;
    let more = j < end && matches!(chars[j], '多' | '余');
    if more {
        j += 1;
    }
    while j < end && is_space(chars[j]) {
        j += 1;
    }
    let unit = longest_at(&chars[..end], j, UNITS)?;
    j += unit.chars().count();
    // `3000家(个)以上`: an alternative unit in brackets.
    if j + 2 < end && matches!(chars[j], '(' | '（')
        && let Some(k) = (j + 2..(j + 4).min(end)).find(|&k| matches!(chars[k], ')' | '）'))
            && longest_at(&chars[..k], j + 1, UNITS).is_some_and(|u| j + 1 + u.chars().count() == k) {
                j = k + 1;
            }
    let suffixes: Vec<&str> = CMP_SUFFIX.iter().map(|(s, _)| *s).collect();
    let suffix = longest_at(&chars[..end], j, &suffixes).map(|s| {
        j += s.chars().count();
        CMP_SUFFIX.iter().find(|(x, _)| *x == s).unwrap().1
    });
    let modifier = chars.get(j) == Some(&'的');
    let unit = if unit == "％" { "%" } else { unit };
    Some(Token { start: i, end: j, value, unit: unit.to_string(), suffix, more, modifier })
}

/// Tokens at nesting depth `base` within `[start, end)`.
fn tokens(chars: &[char], depth: &[u16], start: usize, end: usize, base: u16) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        if depth[i] == base
            && let Some(t) = token_at(chars, i, end) {
                i = t.end;
                out.push(t);
                continue;
            }
        i += 1;
    }
    out
}

/// Skips fillers and time phrases at the start of a clause; reports `每年`.
fn skip_fillers(chars: &[char], mut i: usize, end: usize) -> (usize, bool) {
    let mut per_year = false;
    loop {
        while i < end && (is_space(chars[i]) || matches!(chars[i], ',' | '，' | '、')) {
            i += 1;
        }
        if let Some(w) = longest_at(&chars[..end], i, FILLERS) {
            i += w.chars().count();
            continue;
        }
        if let Some(w) = longest_at(&chars[..end], i, &["每年度", "每年"]) {
            i += w.chars().count();
            per_year = true;
            continue;
        }
        // 到2020年底 / 2018年到2020年 / 2018—2020年 / 3年内 / 今后3年
        let mut j = i;
        if let Some(w) = longest_at(&chars[..end], j, &["到", "至", "在", "今后", "用"]) {
            j += w.chars().count();
        }
        let digits = (j..end).take_while(|&k| is_digit(chars[k])).count();
        if digits > 0 && digits <= 4 {
            let mut k = j + digits;
            if let Some(sep) = longest_at(&chars[..end], k, &["年到", "年至", "—", "–", "-", "－", "~", "～"]) {
                let k2 = k + sep.chars().count();
                let d2 = (k2..end).take_while(|&m| is_digit(chars[m])).count();
                if d2 == 4 {
                    k = k2 + 4;
                }
            }
            if chars.get(k) == Some(&'年') && k < end {
                k += 1;
                if let Some(w) = longest_at(&chars[..end], k, &["年底", "底前", "年末", "底", "末", "前", "内", "时", "以内", "间"]) {
                    k += w.chars().count();
                }
                i = k;
                continue;
            }
        }
        return (i, per_year);
    }
}

fn cmp_of(words: &[(&'static str, Comparator)], w: &str) -> Comparator {
    words.iter().find(|(x, _)| *x == w).unwrap().1
}

fn text(chars: &[char], a: usize, b: usize) -> String {
    if a >= b {
        return String::new();
    }
    chars[a..b].iter().collect()
}

fn clean(s: &str) -> String {
    trim_punct(s).trim_end_matches('的').to_string()
}

fn leading_scope(s: &str) -> Option<&'static str> {
    SCOPES.iter().copied().find(|p| s.starts_with(p))
}

fn strip_measure(s: &str) -> &str {
    let cs: Vec<char> = s.chars().collect();
    let words: Vec<&str> = MEASURES.iter().chain(GENERIC).copied().collect();
    match longest_before(&cs, cs.len(), &words) {
        Some(w) if w.chars().count() < cs.len() => &s[..s.len() - w.len()],
        _ => s,
    }
}

/// What an item passes on to the next item of the same clause or sentence.
#[derive(Debug, Default, Clone)]
struct Carry {
    /// The action phrase of a count item (`创建`, `支持引进`), for `和2个B`.
    action: Option<String>,
    /// The scope of a list item (`开发区`), for the next item of the same list.
    scope: Option<String>,
    /// The subject of the last indicator (`市级以上研发平台`), for `总数达到660家`.
    subject: Option<String>,
}

/// Targets in one paragraph. `chars` has annotations blanked out with `\u{1}`.
pub(crate) fn extract(chars: &[char], ctx: &mut YearContext) -> Vec<Found> {
    let depth = depths(chars);
    let all_years = years(chars);
    let boundary = |i: usize, set: &str| depth[i] == 0 && (set.contains(chars[i]) || chars[i] == '\u{1}');
    let mut sentences = Vec::new();
    let mut s = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || boundary(i, "。！？!?") {
            if s < i {
                sentences.push((s, i));
            }
            s = i + 1;
        }
    }
    let mut out = Vec::new();
    for (si, &(ss, se)) in sentences.iter().enumerate() {
        let mut carry = Carry::default();
        let mut c = ss;
        for i in ss..=se {
            let is_break = i == se || (boundary(i, ",，;；:：") && !(chars[i] == ',' && is_thousands(chars, i)));
            if !is_break {
                continue;
            }
            if c < i {
                let year_of = |at: usize| resolve_year(&all_years, &sentences, si, (c, i), at, ctx);
                clause(chars, &depth, c, i, &mut carry, &year_of, &mut out);
            }
            carry.action = None;
            carry.scope = None;
            c = i + 1;
        }
    }
    if let Some(y) = all_years.last() {
        ctx.last = Some((y.year, y.from));
    }
    out
}

fn is_thousands(chars: &[char], i: usize) -> bool {
    i > 0 && chars[i - 1].is_ascii_digit() && (1..=3).all(|k| chars.get(i + k).is_some_and(|c| c.is_ascii_digit()))
        && !chars.get(i + 4).is_some_and(|c| c.is_ascii_digit())
}

/// (year, inferred, from_year) for a value at `at` in clause `cl` of sentence `si`.
fn resolve_year(
    ys: &[Year],
    sentences: &[(usize, usize)],
    si: usize,
    cl: (usize, usize),
    at: usize,
    ctx: &YearContext,
) -> (Option<i32>, bool, Option<i32>) {
    let (ss, se) = sentences[si];
    let pick = |y: &Year| (Some(y.year), false, y.from);
    if let Some(y) = ys.iter().rev().find(|y| y.at >= cl.0 && y.at < at) {
        return pick(y);
    }
    if let Some(y) = ys.iter().find(|y| y.at >= cl.0 && y.at < cl.1) {
        return pick(y);
    }
    if let Some(y) = ys.iter().rev().find(|y| y.at >= ss && y.at < cl.0) {
        return pick(y);
    }
    if let Some(y) = ys.iter().find(|y| y.at >= cl.1 && y.at < se) {
        return pick(y);
    }
    let inferred = |y: &Year| (Some(y.year), true, y.from);
    if let Some(y) = ys.iter().rev().find(|y| y.at < ss) {
        return inferred(y);
    }
    if let Some(y) = ys.iter().find(|y| y.at >= se) {
        return inferred(y);
    }
    match ctx.last {
        Some((y, from)) => (Some(y), true, from),
        None => (None, false, None),
    }
}

/// One clause: cut into list items where a new number starts, then read each item.
fn clause(
    chars: &[char],
    depth: &[u16],
    start: usize,
    end: usize,
    carry: &mut Carry,
    year_of: &dyn Fn(usize) -> (Option<i32>, bool, Option<i32>),
    out: &mut Vec<Found>,
) {
    let base = depth[start];
    let toks = tokens(chars, depth, start, end, base);
    let mut cuts = vec![start];
    for k in start..end {
        if depth[k] != base || !matches!(chars[k], '、' | '和' | '及') {
            continue;
        }
        let next = (k + 1..end).find(|&m| !is_space(chars[m]));
        let next_is_number = next.is_some_and(|m| is_digit(chars[m]));
        let left_ends_with_value = toks.iter().any(|t| t.end <= k && (t.end..k).all(|m| is_space(chars[m])));
        if next_is_number || left_ends_with_value {
            cuts.push(k + 1);
        }
    }
    cuts.push(end + 1);
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1] - 1);
        item(chars, depth, a, b, base, carry, year_of, out);
    }
}

#[allow(clippy::too_many_arguments)]
fn item(
    chars: &[char],
    depth: &[u16],
    start: usize,
    end: usize,
    base: u16,
    carry: &mut Carry,
    year_of: &dyn Fn(usize) -> (Option<i32>, bool, Option<i32>),
    out: &mut Vec<Found>,
) {
    let (body, per_year) = skip_fillers(chars, start, end);
    if body >= end {
        return;
    }
    let leading_action = longest_at(&chars[..end], body, ACTIONS);
    let cmp_words: Vec<&str> = CMP_PREFIX.iter().map(|(w, _)| *w).collect();
    for t in tokens(chars, depth, body, end, base) {
        if t.modifier {
            continue;
        }
        // Only brackets may follow a value that ends the item (`600家(其中开发区内400家以上)`).
        let mut k = t.end;
        let mut trailing_bracket = None;
        loop {
            while k < end && is_space(chars[k]) {
                k += 1;
            }
            if k < end && depth[k] == base && matches!(chars[k], '(' | '（') {
                let close = (k + 1..end).find(|&m| depth[m] == base).filter(|&m| matches!(chars[m], ')' | '）'));
                match close {
                    Some(m) => {
                        trailing_bracket.get_or_insert((k + 1, m));
                        k = m + 1;
                    }
                    None => break,
                }
            } else {
                break;
            }
        }
        let at_end = k >= end || chars[k..end].iter().all(|&c| is_space(c) || "。，,；;、".contains(c));
        let cmp = longest_before(&chars[..t.start], t.start, &cmp_words).filter(|w| t.start - w.chars().count() >= body);
        let ind_end = t.start - cmp.map_or(0, |w| w.chars().count());
        let measure = longest_before(&chars[..ind_end], ind_end, MEASURES).filter(|w| ind_end - w.chars().count() >= body);
        let action_before = longest_before(&chars[..t.start], t.start, ACTIONS).filter(|w| t.start - w.chars().count() >= body);
        let de_form = t.start > body && chars[t.start - 1] == '的' && (body..t.start).any(|m| longest_at(chars, m, ACTIONS).is_some());
        let inherited = carry.action.clone().filter(|_| leading_action.is_none());
        let accept = if at_end {
            cmp.is_some() || measure.is_some() || t.suffix.is_some() || leading_action.is_some() || inherited.is_some()
        } else {
            cmp.is_none() && (action_before.is_some() || de_form || (inherited.is_some() && t.start == body))
        };
        if !accept {
            continue;
        }
        let mut indicator = if at_end {
            clean(&text(chars, body, ind_end))
        } else {
            clean(&(text(chars, body, t.start) + &text(chars, t.end, end)))
        };
        if let Some(a) = &inherited
            && longest_at(&indicator.chars().collect::<Vec<_>>(), 0, ACTIONS).is_none() {
                indicator = format!("{a}{indicator}");
            }
        if GENERIC.contains(&indicator.as_str())
            && let Some(s) = &carry.subject {
                indicator = format!("{s}{indicator}");
            }
        if let (Some(scope), None) = (&carry.scope, leading_scope(&indicator)) {
            indicator = format!("{scope}{indicator}");
        }
        if indicator.is_empty() {
            continue;
        }
        let comparator = t.suffix.or(cmp.map(|w| cmp_of(CMP_PREFIX, w))).unwrap_or(if t.more { Comparator::Gt } else { Comparator::Eq });
        let (year, year_inferred, from_year) = year_of(t.start);
        let found = Found {
            text_start: start,
            text_end: end,
            at: t.start,
            year,
            year_inferred,
            from_year,
            indicator: indicator.clone(),
            value: t.value,
            unit: t.unit.clone(),
            comparator,
            per_year,
        };
        // `地区生产总值和税收收入年均增长10%以上`: a growth target for each indicator named.
        let parts = measure.map(|m| split_indicators(&indicator, m)).unwrap_or_default();
        if parts.len() > 1 {
            for p in parts {
                out.push(Found { indicator: p, ..found.clone() });
            }
        } else {
            out.push(found.clone());
        }
        carry.subject = Some(strip_measure(&indicator).to_string());
        carry.scope = leading_scope(&indicator).map(String::from);
        carry.action = if !at_end {
            // `争取支持引进6个A和60名B`: B is also 支持引进.
            let phrase = clean(&text(chars, body, t.start));
            (!de_form && !phrase.is_empty()).then_some(phrase)
        } else {
            leading_action.map(String::from).or(inherited)
        };
        if let (true, Some((a, b))) = (at_end, trailing_bracket) {
            sub_targets(chars, depth, a, b, &indicator, &found, out);
        }
    }
}

/// `A和B年均增长` → [`A年均增长`, `B年均增长`], the scope of A carried to B.
fn split_indicators(indicator: &str, measure: &str) -> Vec<String> {
    let Some(subjects) = indicator.strip_suffix(measure) else { return Vec::new() };
    let cs: Vec<char> = subjects.chars().collect();
    let depth = depths(&cs);
    let mut parts = Vec::new();
    let mut s = 0;
    for i in 0..=cs.len() {
        if i == cs.len() || (depth[i] == 0 && matches!(cs[i], '和' | '、' | '及')) {
            parts.push(cs[s..i].iter().collect::<String>());
            s = i + 1;
        }
    }
    if parts.len() < 2 || parts.iter().any(|p| p.chars().count() < 2) {
        return Vec::new();
    }
    let scope = leading_scope(&parts[0]);
    parts
        .into_iter()
        .map(|p| match scope {
            Some(sc) if leading_scope(&p).is_none() => format!("{sc}{p}{measure}"),
            _ => format!("{p}{measure}"),
        })
        .collect()
}

/// `(其中开发区内400家以上)` after a target: the same indicator, narrowed.
fn sub_targets(chars: &[char], depth: &[u16], a: usize, b: usize, main: &str, parent: &Found, out: &mut Vec<Found>) {
    if !starts_with(chars, a, "其中") {
        return;
    }
    let (body, _) = skip_fillers(chars, a, b);
    let base = depth.get(a).copied().unwrap_or(0);
    let cmp_words: Vec<&str> = CMP_PREFIX.iter().map(|(w, _)| *w).collect();
    let subject = match leading_scope(main) {
        Some(sc) if sc != "开发区" && sc != "开发区内" => &main[sc.len()..],
        _ => main,
    };
    for t in tokens(chars, depth, body, b, base) {
        let cmp = longest_before(&chars[..t.start], t.start, &cmp_words).filter(|w| t.start - w.chars().count() >= body);
        let q_end = t.start - cmp.map_or(0, |w| w.chars().count());
        let qualifier = clean(&text(chars, body, q_end));
        let comparator = t.suffix.or(cmp.map(|w| cmp_of(CMP_PREFIX, w))).unwrap_or(Comparator::Eq);
        out.push(Found {
            text_start: a,
            text_end: b,
            at: t.start,
            indicator: format!("{qualifier}{subject}"),
            value: t.value,
            unit: t.unit.clone(),
            comparator,
            ..parent.clone()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> Vec<(Option<i32>, String, f64, String, &'static str)> {
        let chars: Vec<char> = s.chars().collect();
        extract(&chars, &mut YearContext::default())
            .into_iter()
            .map(|f| (f.year, f.indicator, f.value, f.unit, f.comparator.symbol()))
            .collect()
    }

    fn t(y: Option<i32>, i: &str, v: f64, u: &str, c: &'static str) -> (Option<i32>, String, f64, String, &'static str) {
        (y, i.to_string(), v, u.to_string(), c)
    }

    #[test]
    fn every_comparator_form() {
        let y = Some(2020);
        assert_eq!(run("到2020年，高新技术企业数量达到400家以上。"), [t(y, "高新技术企业数量", 400.0, "家", ">=")]);
        assert_eq!(run("到2020年，科技型中小企业不少于6000家。"), [t(y, "科技型中小企业", 6000.0, "家", ">=")]);
        assert_eq!(run("2020年，主营业务收入突破1000亿元。"), [t(y, "主营业务收入", 1000.0, "亿元", ">")]);
        assert_eq!(run("到2020年，单位工业增加值能耗下降幅度控制在15%以内。"), [t(y, "单位工业增加值能耗下降幅度", 15.0, "%", "<=")]);
        assert_eq!(run("2020年,万元GDP用水量不超过20吨。"), [t(y, "万元GDP用水量", 20.0, "吨", "<=")]);
        assert_eq!(run("2020年，研发投入强度达到2.5%左右。"), [t(y, "研发投入强度", 2.5, "%", "~")]);
        assert_eq!(run("2018年到2020年，实际利用外资年均增长15%以上。"), [t(y, "实际利用外资年均增长", 15.0, "%", ">=")]);
        assert_eq!(run("每年引进重点项目35项以上。"), [t(None, "引进重点项目", 35.0, "项", ">=")]);
        assert_eq!(run("到2020年，新增省级以上创新平台21个。"), [t(y, "新增省级以上创新平台", 21.0, "个", "=")]);
        assert_eq!(run("到2020年，入驻企业１００多家。"), Vec::new(), "no action, comparator or suffix word: not a target");
        assert_eq!(run("到2020年，新增入驻企业100多家。"), [t(y, "新增入驻企业", 100.0, "家", ">")]);
        assert_eq!(run("2019年，空气质量优良天数比例低于60％的开发区要整改。"), Vec::new());
    }

    #[test]
    fn per_year_and_from_year() {
        let chars: Vec<char> = "2018年到2020年，每年新增高新技术企业50家以上。".chars().collect();
        let f = extract(&chars, &mut YearContext::default());
        assert_eq!(f.len(), 1);
        assert!(f[0].per_year);
        assert_eq!((f[0].year, f[0].from_year, f[0].year_inferred), (Some(2020), Some(2018), false));
        assert_eq!(f[0].indicator, "新增高新技术企业");
    }

    #[test]
    fn qualifiers_are_not_targets() {
        assert_eq!(run("吸引一批世界500强和跨国公司高端项目。"), Vec::new());
        assert_eq!(run("以霸州经开区、文安经开区、大城经开区等3家开发区为重点。"), Vec::new());
        assert_eq!(run("推动各省级以上开发区围绕12个主导产业链条，组织专业招商团队。"), Vec::new());
        assert_eq!(run("全面排查2011年以后开发区批准范围内所有公开出让的工业建设项目用地。"), Vec::new());
        assert_eq!(run("确保实际利用外资超1亿美元以上开发区达到3家或以上。"), [t(None, "实际利用外资超1亿美元以上开发区", 3.0, "家", ">=")]);
        assert_eq!(run("建设总投资额362亿元的21项重大项目。"), [t(None, "建设总投资额362亿元的重大项目", 21.0, "项", "=")]);
    }

    #[test]
    fn lists_share_action_scope_and_subject() {
        let y = Some(2020);
        assert_eq!(run("2020年，创建2个中外合作产业园和2个省际合作共建园。"), [
            t(y, "创建中外合作产业园", 2.0, "个", "="),
            t(y, "创建省际合作共建园", 2.0, "个", "=")
        ]);
        assert_eq!(run("到2020年，争取支持引进6个高层次产业创新创业团队和60名科技型中小企业创新英才，新建9家院士工作站。"), [
            t(y, "支持引进高层次产业创新创业团队", 6.0, "个", "="),
            t(y, "支持引进科技型中小企业创新英才", 60.0, "名", "="),
            t(y, "新建院士工作站", 9.0, "家", "=")
        ]);
        assert_eq!(run("到2020年,新增省级以上孵化器6个、省级以上众创空间12个,市级以上孵化器、众创空间达到100家,吸纳入孵企业和创业团队3000家(个)以上。"), [
            t(y, "新增省级以上孵化器", 6.0, "个", "="),
            t(y, "新增省级以上众创空间", 12.0, "个", "="),
            t(y, "市级以上孵化器、众创空间", 100.0, "家", ">="),
            t(y, "吸纳入孵企业和创业团队", 3000.0, "家", ">=")
        ]);
        assert_eq!(run("2018年到2020年，开发区实际利用外资年均增长15%以上、外贸进出口年均增长10%以上。"), [
            t(y, "开发区实际利用外资年均增长", 15.0, "%", ">="),
            t(y, "开发区外贸进出口年均增长", 10.0, "%", ">=")
        ]);
        assert_eq!(run("2020年,全市开发区地区生产总值和税收收入年均增长10%以上;地区生产总值占全市比重达到55%以上。"), [
            t(y, "全市开发区地区生产总值年均增长", 10.0, "%", ">="),
            t(y, "全市开发区税收收入年均增长", 10.0, "%", ">="),
            t(y, "地区生产总值占全市比重", 55.0, "%", ">=")
        ]);
        assert_eq!(run("到2020年，市级以上研发平台年增速达到10%，总数达到660家。"), [
            t(y, "市级以上研发平台年增速", 10.0, "%", ">="),
            t(y, "市级以上研发平台总数", 660.0, "家", ">=")
        ]);
    }

    #[test]
    fn narrowed_in_brackets() {
        let y = Some(2020);
        assert_eq!(run("到2020年，全市高新技术企业数量达到600家（其中开发区内400家以上），科技型中小企业达到9100家(其中开发区内达6000家以上)。"), [
            t(y, "全市高新技术企业数量", 600.0, "家", ">="),
            t(y, "开发区内高新技术企业数量", 400.0, "家", ">="),
            t(y, "科技型中小企业", 9100.0, "家", ">="),
            t(y, "开发区内科技型中小企业", 6000.0, "家", ">=")
        ]);
    }

    #[test]
    fn year_from_the_paragraph_then_the_chapter() {
        let chars: Vec<char> = "支持每个县建设2家以上众创空间。到2020年，新增孵化器6个。".chars().collect();
        let f = extract(&chars, &mut YearContext::default());
        assert_eq!((f[0].year, f[0].year_inferred), (Some(2020), true));
        assert_eq!((f[1].year, f[1].year_inferred), (Some(2020), false));
        let mut ctx = YearContext::default();
        extract(&"到2020年，新增孵化器6个。".chars().collect::<Vec<_>>(), &mut ctx);
        let f = extract(&"污水集中处理率达到100%。".chars().collect::<Vec<_>>(), &mut ctx);
        assert_eq!((f[0].year, f[0].year_inferred, f[0].comparator), (Some(2020), true, Comparator::Ge));
    }

    #[test]
    fn numbers_in_other_shapes() {
        assert_eq!(run("2020年，新增投资1,000万元，建成１２个园区。"), [
            t(Some(2020), "新增投资", 1000.0, "万元", "="),
            t(Some(2020), "建成园区", 12.0, "个", "=")
        ]);
        assert_eq!(run("传真(电话)2317121"), Vec::new());
        assert_eq!(run("2018年09月04日 来源: 廊坊市商务局"), Vec::new());
    }
}
