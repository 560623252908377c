//! 创新平台: the platform types the plan names (四(二)), their level and recognition date.

use super::{Field, FieldType, Record};

pub const TYPES: &[&str] = &[
    "重点实验室",
    "产业技术研究院",
    "制造业创新中心",
    "工程研究中心",
    "技术创新中心",
    "孵化器",
    "众创空间",
    "加速器",
    "技术转移服务机构",
    "院士工作站",
    "国际科技合作基地",
    "协同创新基地",
    "高层次人才创新创业园区",
];

/// The research-and-development platforms of 四(二) "市级以上研发平台 … 总数达到660家".
pub const RD_TYPES: &[&str] = &["重点实验室", "产业技术研究院", "制造业创新中心", "工程研究中心", "技术创新中心"];

/// Levels, lowest first.
pub const LEVELS: &[&str] = &["市级", "省级", "国家级"];

/// Levels at or above `min` (“省级以上” = 省级, 国家级).
pub fn levels_from(min: &str) -> Vec<String> {
    let i = LEVELS.iter().position(|l| *l == min).unwrap_or(0);
    LEVELS[i..].iter().map(|s| s.to_string()).collect()
}

pub const FIELDS: &[Field] = &[
    Field::new("name", "平台名称", FieldType::Text, true, true),
    Field::new("kind", "平台类型", FieldType::Choice(TYPES), true, true),
    Field::new("level", "级别", FieldType::Choice(LEVELS), true, true),
    Field::new("zone", "所在开发区", FieldType::Zone, false, true),
    Field::new("county", "所在县（市、区）", FieldType::County, false, false),
    Field::new("recognised", "认定日期", FieldType::Date, true, true),
    Field::new("host", "依托单位", FieldType::Text, false, false),
    Field::new("revoked", "撤销日期", FieldType::Date, false, false),
];

pub fn check(r: &Record) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if r.zone().is_empty() && r.county().is_empty() {
        out.push(("county", "开发区外的平台须填写所在县（市、区）".into()));
    }
    if let (Some(from), Some(to)) = (r.date("recognised"), r.date("revoked"))
        && to <= from
    {
        out.push(("revoked", format!("撤销日期 {to} 应晚于认定日期 {from}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_dates() {
        assert_eq!(levels_from("省级"), ["省级", "国家级"]);
        assert_eq!(levels_from("市级").len(), 3);
        let mut r = Record::default();
        r.set("county", "131082");
        r.set("recognised", "2019-05-01");
        r.set("revoked", "2019-05-01");
        assert_eq!(check(&r), [("revoked", "撤销日期 2019-05-01 应晚于认定日期 2019-05-01".to_string())]);
        r.set("revoked", "2020-01-01");
        assert!(check(&r).is_empty());
    }
}
