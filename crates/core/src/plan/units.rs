//! Splitting a written list of units the way a careful clerk does: never inside parentheses
//! (`各县(市、区)政府` is one unit), shared prefixes written once are expanded
//! (`各县(市、区)党委、政府` → 各县(市、区)党委 + 各县(市、区)政府), a shared organ written once
//! after several places is expanded (`三河市、大厂县政府` → 三河市政府 + 大厂县政府), `及` splits,
//! and a trailing `等` is dropped. Names are otherwise kept exactly as written.

use super::text::{collect, depths, ends_with, is_cjk, starts_with, trim, trim_punct};

/// Organs that a list may name without repeating the place in front of them.
const ORGANS: &[&str] = &[
    "人大常委会", "人民政府", "纪委监委", "党工委", "管委会", "政府", "党委", "人大", "政协", "纪委", "监委", "党组",
];

/// Place endings that can stand in front of an organ (`三河市` + `政府`).
const PLACES: &[char] = &['市', '县', '区', '旗', '镇', '乡'];

/// Suffixes that make a phrase look like a unit, for the keyword-less form `(X牵头，Y负责)`
/// where there is no `牵头单位：` to say so.
const UNIT_ENDINGS: &[&str] = &[
    "局", "委", "办", "部", "室", "厅", "署", "处", "科", "所", "站", "队", "院", "会", "行", "社", "馆", "中心", "政府",
    "党委", "党工委", "管委会", "海关", "集团", "公司", "单位", "部门", "小组", "机关", "开发区", "高新区", "经开区",
    "园区", "街道", "乡镇", "镇", "乡", "县", "市", "区", "组", "团",
];

/// Splits `s` into unit names.
pub fn split_units(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let depth = depths(&chars);
    let mut raw: Vec<String> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let top = depth[i] == 0;
        let sep_len = if !top {
            0
        } else if "、，,；;/／".contains(chars[i]) {
            1
        } else if starts_with(&chars, i, "以及") {
            2
        } else if chars[i] == '及' {
            1
        } else {
            0
        };
        if sep_len > 0 {
            raw.push(collect(&chars[start..i]));
            start = i + sep_len;
            i += sep_len;
        } else {
            i += 1;
        }
    }
    raw.push(collect(&chars[start..]));

    let mut out: Vec<String> = Vec::new();
    for item in raw {
        let item = clean(&item);
        if item.is_empty() {
            continue;
        }
        // `党委、政府`: the second names only an organ; it shares the first one's place.
        if let (Some(prev), true) = (out.last(), ORGANS.contains(&item.as_str())) {
            let pc: Vec<char> = prev.chars().collect();
            if let Some(organ) = ORGANS.iter().filter(|o| ends_with(&pc, pc.len(), o)).max_by_key(|o| o.chars().count()) {
                let prefix = collect(&pc[..pc.len() - organ.chars().count()]);
                if !prefix.is_empty() && *organ != item {
                    out.push(format!("{prefix}{item}"));
                    continue;
                }
            }
        }
        out.push(item);
    }
    expand_shared_organ(&mut out);
    out
}

/// `三河市、大厂县政府`: bare places before a place+organ share that organ.
fn expand_shared_organ(items: &mut [String]) {
    let mut i = items.len();
    while i > 0 {
        i -= 1;
        let cs: Vec<char> = items[i].chars().collect();
        let Some(organ) = ORGANS.iter().filter(|o| ends_with(&cs, cs.len(), o)).max_by_key(|o| o.chars().count()) else {
            continue;
        };
        let place_end = cs.len() - organ.chars().count();
        if place_end == 0 || !PLACES.contains(&cs[place_end - 1]) {
            continue;
        }
        let mut j = i;
        while j > 0 && is_bare_place(&items[j - 1]) {
            j -= 1;
            items[j] = format!("{}{}", items[j], organ);
        }
        i = j;
    }
}

fn is_bare_place(s: &str) -> bool {
    let cs: Vec<char> = s.chars().collect();
    (2..=6).contains(&cs.len())
        && cs.iter().all(|&c| is_cjk(c))
        && cs[0] != '各'
        && PLACES.contains(cs.last().unwrap())
}

/// Trims one list item and drops a trailing `等` / `等部门` / `等有关单位`.
fn clean(item: &str) -> String {
    let mut s = trim_punct(trim(item)).to_string();
    for tail in ["等有关单位", "等有关部门", "等相关单位", "等相关部门", "等单位", "等部门", "等"] {
        if let Some(rest) = s.strip_suffix(tail) {
            if !rest.is_empty() {
                s = trim_punct(rest).to_string();
            }
            break;
        }
    }
    s
}

/// Whether `name` reads as the name of a unit (used only for keyword-less annotations).
pub(crate) fn looks_like_unit(name: &str) -> bool {
    let cs: Vec<char> = name.chars().collect();
    if cs.len() < 2 || cs.len() > 30 || cs.iter().any(|c| c.is_ascii_digit()) {
        return false;
    }
    // `各县(市、区)`: judge by what stands outside the trailing parenthesis.
    let mut end = cs.len();
    if matches!(cs[end - 1], ')' | '）')
        && let Some(open) = cs.iter().rposition(|&c| c == '(' || c == '（') {
            end = open;
        }
    end >= 1 && UNIT_ENDINGS.iter().any(|e| ends_with(&cs, end, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<String> {
        split_units(s)
    }

    #[test]
    fn never_inside_parentheses() {
        assert_eq!(split("市商务局、市科技局,各县(市、区)政府"), ["市商务局", "市科技局", "各县(市、区)政府"]);
        assert_eq!(split("各县（市、区）政府；市直有关部门"), ["各县（市、区）政府", "市直有关部门"]);
    }

    #[test]
    fn shared_prefix_is_expanded() {
        assert_eq!(split("各县(市、区)党委、政府"), ["各县(市、区)党委", "各县(市、区)政府"]);
        assert_eq!(split("廊坊开发区党工委、管委会"), ["廊坊开发区党工委", "廊坊开发区管委会"]);
        assert_eq!(split("市委组织部,市人社局,各县(市、区)党委、政府,廊坊开发区党工委、管委会"), [
            "市委组织部",
            "市人社局",
            "各县(市、区)党委",
            "各县(市、区)政府",
            "廊坊开发区党工委",
            "廊坊开发区管委会"
        ]);
        // A full name after a full name is left alone.
        assert_eq!(split("市委、市政府"), ["市委", "市政府"]);
    }

    #[test]
    fn shared_organ_after_places_is_expanded() {
        assert_eq!(split("三河市、大厂县、香河县政府"), ["三河市政府", "大厂县政府", "香河县政府"]);
        assert_eq!(split("市商务局、三河市政府"), ["市商务局", "三河市政府"]);
    }

    #[test]
    fn ji_splits_and_trailing_deng_is_dropped() {
        assert_eq!(split("市发改委及市工信局等"), ["市发改委", "市工信局"]);
        assert_eq!(split("市财政局以及市政府金融办等有关单位"), ["市财政局", "市政府金融办"]);
        assert_eq!(split("市培育和发展战略性新兴产业领导小组办公室"), ["市培育和发展战略性新兴产业领导小组办公室"]);
        assert_eq!(split(" 、市商务局,, ;"), ["市商务局"]);
        assert!(split("").is_empty());
    }

    #[test]
    fn unit_likeness() {
        for u in ["市商务局", "各县(市、区)", "各县（市、区）政府", "市直有关部门", "廊坊开发区管委会", "廊坊海关"] {
            assert!(looks_like_unit(u), "{u}");
        }
        for u in ["其中开发区内400家以上", "包括经济开发区、高新技术产业开发区以及海关特殊监管区域", "市场主体", "征求意见稿"] {
            assert!(!looks_like_unit(u), "{u}");
        }
    }
}
