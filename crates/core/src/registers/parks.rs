//! 园区: the plan's 特色产业园 (country parks 中德、中以 … and 商帮 parks such as 深商、苏商) and
//! 合作共建园 (省际 partners 京津 …) of 五(四), and the check of sub-city industrial parks of
//! 六(一) with its decision 保留 / 整合 / 取缔.

use super::{Field, FieldType, Record};

pub const KINDS: &[&str] = &["国别特色产业园", "商帮产业园", "省际合作共建园", "市级以下工业园区"];
pub const DECISIONS: &[&str] = &["保留", "整合", "取缔"];

/// The sub-city parks under the clean-up check.
pub const SUB_CITY: &str = "市级以下工业园区";

pub const FIELDS: &[Field] = &[
    Field::new("name", "园区名称", FieldType::Text, true, true),
    Field::new("kind", "园区类型", FieldType::Choice(KINDS), true, true),
    Field::new("partner", "合作国别/地区或合作方", FieldType::Text, false, true),
    Field::new("zone", "所在开发区", FieldType::Zone, false, true),
    Field::new("county", "所在县（市、区）", FieldType::County, false, false),
    Field::new("established", "设立日期", FieldType::Date, false, true),
    Field::new("decision", "排查结论", FieldType::Choice(DECISIONS), false, true),
    Field::new("decision_date", "结论日期", FieldType::Date, false, false),
    Field::new("merged_into", "整合至", FieldType::Text, false, false),
    Field::new("note", "说明", FieldType::Text, false, false),
];

pub fn check(r: &Record) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let kind = r.get("kind");
    let sub_city = kind == SUB_CITY;
    if r.zone().is_empty() && r.county().is_empty() {
        out.push(("county", "开发区外的园区须填写所在县（市、区）".into()));
    }
    if !sub_city {
        if r.get("partner").is_empty() {
            out.push(("partner", format!("{kind}须填写合作国别/地区或合作方（如 德国、以色列、深圳商会、北京中关村）")));
        }
        if r.get("established").is_empty() {
            out.push(("established", format!("{kind}须填写设立日期")));
        }
        if !r.get("decision").is_empty() {
            out.push(("decision", "排查结论（保留/整合/取缔）只适用于市级以下工业园区".into()));
        }
    }
    match (r.get("decision"), r.get("decision_date")) {
        ("", "") => {}
        ("", _) => out.push(("decision", "填写了结论日期时须填写排查结论".into())),
        (_, "") => out.push(("decision_date", "须填写排查结论的日期".into())),
        _ => {}
    }
    if r.get("decision") == "整合" && r.get("merged_into").is_empty() {
        out.push(("merged_into", "结论为“整合”时须填写整合至哪个开发区或园区".into()));
    }
    if r.get("decision") != "整合" && !r.get("merged_into").is_empty() {
        out.push(("merged_into", "只有结论为“整合”时才填写“整合至”".into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn park(kind: &str) -> Record {
        let mut r = Record::default();
        r.set("kind", kind);
        r.set("county", "131022");
        r
    }

    #[test]
    fn cooperation_parks_need_a_partner_and_clean_up_decisions_need_their_facts() {
        let mut r = park("国别特色产业园");
        let keys: Vec<&str> = check(&r).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["partner", "established"]);
        r.set("partner", "德国");
        r.set("established", "2018-09-01");
        assert!(check(&r).is_empty());
        r.set("decision", "保留");
        r.set("decision_date", "2019-01-01");
        assert_eq!(check(&r)[0].1, "排查结论（保留/整合/取缔）只适用于市级以下工业园区");

        let mut s = park(SUB_CITY);
        assert!(check(&s).is_empty(), "not yet checked");
        s.set("decision", "整合");
        s.set("decision_date", "2019-03-01");
        assert_eq!(check(&s), [("merged_into", "结论为“整合”时须填写整合至哪个开发区或园区".to_string())]);
        s.set("merged_into", "固安高新区");
        assert!(check(&s).is_empty());
        s.set("decision", "取缔");
        assert_eq!(check(&s)[0].0, "merged_into");
    }
}
