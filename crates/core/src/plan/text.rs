//! Character-level helpers shared by the plan parser. Everything works on `&[char]` so that
//! positions are counted in characters, the way Chinese text is read and reported.

/// Whitespace as it appears in pasted Chinese text: ASCII and Unicode spaces, the ideographic
/// space, no-break spaces from web pages, and the zero-width characters Word leaves behind.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}')
}

pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Punctuation that may be dropped at the edges of a clause or a unit name.
pub(crate) fn is_edge_punct(c: char) -> bool {
    is_space(c) || "。，,；;、：:！!？?".contains(c)
}

pub(crate) fn trim_punct(s: &str) -> &str {
    s.trim_matches(is_edge_punct)
}

pub(crate) fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// ASCII or full-width digit value.
pub(crate) fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// Brackets that nest. Half- and full-width forms of the same bracket close each other,
/// because mixed widths (`各县（市、区)`) are common in typed documents.
fn family(c: char) -> Option<(u8, bool)> {
    Some(match c {
        '(' | '（' => (0, true),
        ')' | '）' => (0, false),
        '[' | '［' => (1, true),
        ']' | '］' => (1, false),
        '【' => (2, true),
        '】' => (2, false),
        '〔' => (3, true),
        '〕' => (3, false),
        '《' => (4, true),
        '》' => (4, false),
        '“' => (5, true),
        '”' => (5, false),
        '‘' => (6, true),
        '’' => (6, false),
        '「' => (7, true),
        '」' => (7, false),
        '『' => (8, true),
        '』' => (8, false),
        '〈' => (9, true),
        '〉' => (9, false),
        '{' | '｛' => (10, true),
        '}' | '｝' => (10, false),
        _ => return None,
    })
}

/// Brackets an annotation may be written in: `[…]` `(…)` `（…）` `【…】` `〔…〕`.
pub(crate) fn is_annotation_open(c: char) -> bool {
    matches!(c, '(' | '（' | '[' | '［' | '【' | '〔')
}

/// For every opening bracket that is closed, the index of its closing bracket. Unmatched
/// brackets (the seed has `《…〉`) are treated as ordinary characters.
pub(crate) fn pairs(chars: &[char]) -> Vec<Option<usize>> {
    let mut out = vec![None; chars.len()];
    let mut stack: Vec<(u8, usize)> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match family(c) {
            Some((f, true)) => stack.push((f, i)),
            Some((f, false)) => {
                // Close the innermost bracket of the same family; brackets opened inside it and
                // never closed are dropped.
                if let Some(pos) = stack.iter().rposition(|&(g, _)| g == f) {
                    out[stack[pos].1] = Some(i);
                    stack.truncate(pos);
                }
            }
            None => {}
        }
    }
    out
}

/// Nesting depth of every character: the number of matched bracket pairs strictly around it.
/// Brackets themselves carry the depth outside them.
pub(crate) fn depths(chars: &[char]) -> Vec<u16> {
    let p = pairs(chars);
    let mut delta = vec![0i32; chars.len() + 1];
    for (i, close) in p.iter().enumerate() {
        if let Some(j) = close {
            delta[i + 1] += 1;
            delta[*j] -= 1;
        }
    }
    let mut d = 0i32;
    (0..chars.len())
        .map(|i| {
            d += delta[i];
            d.max(0) as u16
        })
        .collect()
}

pub(crate) fn starts_with(chars: &[char], at: usize, word: &str) -> bool {
    (at..).zip(word.chars()).all(|(i, w)| chars.get(i) == Some(&w))
}

pub(crate) fn ends_with(chars: &[char], end: usize, word: &str) -> bool {
    let n = word.chars().count();
    end >= n && starts_with(chars, end - n, word)
}

/// The longest of `words` that `chars[at..]` starts with.
pub(crate) fn longest_at<'w>(chars: &[char], at: usize, words: &[&'w str]) -> Option<&'w str> {
    words.iter().copied().filter(|w| starts_with(chars, at, w)).max_by_key(|w| w.chars().count())
}

/// The longest of `words` that `chars[..end]` ends with.
pub(crate) fn longest_before<'w>(chars: &[char], end: usize, words: &[&'w str]) -> Option<&'w str> {
    words.iter().copied().filter(|w| ends_with(chars, end, w)).max_by_key(|w| w.chars().count())
}

pub(crate) fn collect(chars: &[char]) -> String {
    chars.iter().collect()
}

/// Chinese numerals as used in outline labels (一 … 九十九, 〇/零, 两).
pub(crate) fn chinese_number(s: &[char]) -> Option<u32> {
    let d = |c: char| "〇一二三四五六七八九".chars().position(|x| x == c).map(|v| v as u32).or(match c {
        '零' => Some(0),
        '两' => Some(2),
        _ => None,
    });
    if s.is_empty() || s.len() > 4 {
        return None;
    }
    if let Some(p) = s.iter().position(|&c| c == '十') {
        let tens = if p == 0 { 1 } else if p == 1 { d(s[0])? } else { return None };
        let ones = match s.len() - p - 1 {
            0 => 0,
            1 => d(s[p + 1])?,
            _ => return None,
        };
        return Some(tens * 10 + ones);
    }
    if s.len() == 1 { d(s[0]) } else { None }
}

/// The Chinese numeral for `n` (1–99), for labels inferred from context.
pub(crate) fn chinese_numeral(n: u32) -> String {
    const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    match n {
        0..=9 => D[n as usize].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[(n % 10) as usize]),
        _ if n.is_multiple_of(10) => format!("{}十", D[(n / 10 % 10) as usize]),
        _ => format!("{}十{}", D[(n / 10 % 10) as usize], D[(n % 10) as usize]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn numerals_round_trip() {
        for n in 1..=99 {
            assert_eq!(chinese_number(&c(&chinese_numeral(n))), Some(n), "{n}");
        }
        assert_eq!(chinese_number(&c("十九大")), None);
        assert_eq!(chinese_number(&c("两")), Some(2));
    }

    #[test]
    fn brackets_match_across_widths_and_ignore_strays() {
        let s = c("各县（市、区)政府《意见〉(a[b)c");
        let p = pairs(&s);
        assert_eq!(p[2], Some(6));
        assert_eq!(p[9], None, "《 closed by 〉 is not a pair");
        // `(a[b)c`: the `(` closes at `)` and the unclosed `[` inside is dropped.
        assert_eq!(p[13], Some(17));
        assert_eq!(p[15], None);
        let d = depths(&s);
        assert_eq!((d[2], d[3], d[6], d[7]), (0, 1, 0, 0));
    }
}
