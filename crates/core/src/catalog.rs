//! The master data the plan itself names: its 15 zones and three platform groups (section 二),
//! every unit in its [牵头单位/责任单位] brackets, and the indicators its 工作目标 and the
//! monthly bulletin use. These are real, not demo data; demo *values* live in `demo`.

use crate::codes::counties;
use crate::indicator::{Direction, Indicator, IndicatorKind};
use crate::masterdata::{Collective, Unit, UnitKind};
use crate::zone::{Zone, ZoneGroup, ZoneKind, ZoneLevel};

pub fn zone_groups() -> Vec<ZoneGroup> {
    [
        ("xiongan", "雄安配套平台", "构建与雄安新区发展相配套的重大开放平台（方案二、(一)）"),
        ("subcenter", "副中心对接平台", "构建对接北京城市副中心的重要合作平台（方案二、(二)）"),
        ("new_airport", "新机场对接平台", "构建对接北京新机场的重要合作平台（方案二、(三)）"),
    ]
    .into_iter()
    .map(|(c, n, d)| ZoneGroup { code: c.into(), name: n.into(), description: d.into() })
    .collect()
}

/// The 15 zones of the plan. County codes follow GB/T 2260; 廊坊经开区 is managed by the
/// city (廊坊开发区管委会), so it carries the city's code 131000. Levels are as approved by
/// the State Council / province; areas are left to the office to fill in.
pub fn zones() -> Vec<Zone> {
    use ZoneKind::*;
    use ZoneLevel::*;
    let z = |code: &str, name: &str, short: &str, kind, level, county: &str, industries: &str, groups: &[&str]| Zone {
        code: code.into(),
        name: name.into(),
        short_name: short.into(),
        kind,
        level,
        county_code: county.into(),
        area_ha: None,
        leading_industries: industries.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    };
    vec![
        z("langfang_etdz", "廊坊经济技术开发区", "廊坊经开区", Economic, National, "131000", "大数据、数控机床、智能仪器仪表、新型显示", &["subcenter"]),
        z("yanjiao_htz", "燕郊高新技术产业开发区", "燕郊高新区", HighTech, National, "131082", "新材料、电子信息、科技研发", &["subcenter"]),
        z("sanhe_etdz", "三河经济开发区", "三河经开区", Economic, Provincial, "131082", "先进制造、新材料", &["subcenter"]),
        z("dachang_htz", "大厂高新技术产业开发区", "大厂高新区", HighTech, Provincial, "131028", "智能硬件、影视创意", &["subcenter"]),
        z("xianghe_etdz", "香河经济开发区", "香河经开区", Economic, Provincial, "131024", "机器人、增材制造、先进环保", &["subcenter"]),
        z("guangyang_etdz", "广阳经济开发区", "广阳经开区", Economic, Provincial, "131003", "智能网联、新能源汽车", &["subcenter"]),
        z("longhe_htz", "龙河高新技术产业开发区", "龙河高新区", HighTech, Provincial, "131002", "科技研发、现代服务业", &["subcenter"]),
        z("yizhuang_yongqing_htz", "北京亦庄永清高新技术产业开发区", "北京亦庄永清高新区", HighTech, Provincial, "131023", "生物医药、电子信息", &["subcenter"]),
        z("jingnan_guan_htz", "京南固安高新技术产业开发区", "京南固安高新区", HighTech, Provincial, "131022", "新型显示、航空航天、生物医药", &["new_airport"]),
        z("langfang_htz", "廊坊高新技术产业开发区", "廊坊高新区", HighTech, Provincial, "131002", "碳纤维复合材料、汽车轻量化", &["new_airport"]),
        z("yongqing_etdz", "永清经济开发区", "永清经开区", Economic, Provincial, "131023", "电子信息、新型显示材料", &["new_airport"]),
        z("bazhou_etdz", "霸州经济开发区", "霸州经开区", Economic, Provincial, "131081", "新型显示、食品加工、金属制品", &["xiongan", "new_airport"]),
        z("wenan_etdz", "文安经济开发区", "文安经开区", Economic, Provincial, "131026", "人造板、机械装备", &["xiongan"]),
        z("dacheng_etdz", "大城经济开发区", "大城经开区", Economic, Provincial, "131025", "保温建材、新材料", &["xiongan"]),
        z("langfang_ftz", "廊坊综合保税区", "廊坊综保区", Bonded, National, "131003", "航空物流、跨境电商、保税加工", &["new_airport"]),
    ]
}

/// Short names of the ten counties as governments write them in the plan.
fn county_short(code: &str) -> &'static str {
    match code {
        "131002" => "安次区",
        "131003" => "广阳区",
        "131022" => "固安县",
        "131023" => "永清县",
        "131024" => "香河县",
        "131025" => "大城县",
        "131026" => "文安县",
        "131028" => "大厂县",
        "131081" => "霸州市",
        "131082" => "三河市",
        _ => unreachable!("not a county of 廊坊市: {code}"),
    }
}

/// Every unit the plan names, with the aliases people use for them.
pub fn units() -> Vec<Unit> {
    use UnitKind::*;
    let u = |code: &str, name: &str, kind, aliases: &[&str]| Unit {
        code: code.into(),
        name: name.into(),
        kind,
        county_code: None,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
    };
    let mut out = vec![
        u("kfqb", "市开发区改革发展领导小组办公室", LeadingGroupOffice, &["市开发区办", "开发区办"]),
        u("zxb", "市培育和发展战略性新兴产业领导小组办公室", LeadingGroupOffice, &["市战新办"]),
        u("swj", "市商务局", Department, &["商务局", "廊坊市商务局"]),
        u("kjj", "市科技局", Department, &["科技局"]),
        u("fgw", "市发改委", Department, &["发改委", "市发展改革委"]),
        u("gxj", "市工信局", Department, &["工信局"]),
        u("gtj", "市国土局", Department, &["国土局", "市国土资源局"]),
        u("ghj", "市规划局", Department, &["规划局"]),
        u("hbj", "市环保局", Department, &["环保局"]),
        u("jtj", "市交通局", Department, &["交通局"]),
        u("rsj", "市人社局", Department, &["人社局"]),
        u("jyj", "市教育局", Department, &["教育局"]),
        u("czj", "市财政局", Department, &["财政局"]),
        u("zwb", "市政务办", Department, &["政务办"]),
        u("xzspj", "市行政审批局", Department, &["行政审批局"]),
        u("bb", "市编办", Department, &["编办"]),
        u("jrb", "市政府金融办", Department, &["市金融办", "金融办"]),
        u("szfdcs", "市政府督查室", Department, &[]),
        u("zzb", "市委组织部", PartyDepartment, &[]),
        u("swdcs", "市委督查室", PartyDepartment, &[]),
        u("xcb", "市委宣传部", PartyDepartment, &[]),
        u("lfhg", "廊坊海关", Vertical, &[]),
        u("kfqgwh", "廊坊开发区管委会", ZoneCommittee, &["开发区管委会", "廊坊经开区管委会"]),
        u("kfqdgw", "廊坊开发区党工委", ZoneCommittee, &[]),
    ];
    for (code, _) in counties() {
        let short = county_short(code);
        let mut gov = u(&format!("gov_{code}"), &format!("{short}政府"), CountyGovernment, &[]);
        let mut party = u(&format!("party_{code}"), &format!("{short}党委"), CountyParty, &[]);
        if code == "131028" {
            gov.aliases.push("大厂回族自治县政府".into());
            party.aliases.push("大厂回族自治县党委".into());
        }
        party.aliases.push(format!("{}委", short));
        gov.county_code = Some(code.into());
        party.county_code = Some(code.into());
        out.push(gov);
        out.push(party);
    }
    out
}

/// Collective names in the plan and the units they expand to.
pub fn collectives() -> Vec<Collective> {
    let all = units();
    let of_kind = |k: UnitKind| all.iter().filter(|u| u.kind == k).map(|u| u.code.clone()).collect::<Vec<_>>();
    let departments = of_kind(UnitKind::Department);
    // The leading group's member list is not printed in the plan; these are the departments the
    // plan gives zone tasks to. The office edits the list when the official one arrives.
    let members = ["swj", "kjj", "fgw", "gxj", "gtj", "ghj", "hbj", "rsj", "czj"].map(String::from).to_vec();
    vec![
        Collective { code: "all_county_gov".into(), name: "各县(市、区)政府".into(), members: of_kind(UnitKind::CountyGovernment) },
        Collective { code: "all_county_party".into(), name: "各县(市、区)党委".into(), members: of_kind(UnitKind::CountyParty) },
        Collective { code: "city_departments".into(), name: "市直有关部门".into(), members: departments },
        Collective { code: "kfq_group_members".into(), name: "市开发区改革发展领导小组成员单位".into(), members },
    ]
}

/// The indicator catalogue: the monthly main indicators and the ones the 工作目标 need.
pub fn indicators() -> Vec<Indicator> {
    use IndicatorKind::*;
    let i = |code: &str, name: &str, unit: &str, kind, decimals, owner: &str, formula: Option<&str>, desc: &str| Indicator {
        code: code.into(),
        name: name.into(),
        unit: unit.into(),
        kind,
        direction: Direction::Higher,
        decimals,
        formula: formula.map(String::from),
        owner_unit: Some(owner.into()),
        monthly: kind != Formula,
        description: desc.into(),
    };
    vec![
        i("revenue", "主营业务收入", "亿元", Flow, 2, "swj", None, "开发区内规模以上工业和服务业企业主营业务收入，按1–N月累计报送（工作目标1：千亿元以上开发区达到4家以上）"),
        i("gdp", "地区生产总值", "亿元", Flow, 2, "swj", None, "开发区地区生产总值，现价，按1–N月累计报送（工作目标5）"),
        i("tax", "税收收入", "亿元", Flow, 2, "swj", None, "开发区范围内税收收入，按1–N月累计报送（工作目标5）"),
        i("fdi", "实际利用外资", "万美元", Flow, 0, "swj", None, "按1–N月累计报送（工作目标3：年均增长15%以上）"),
        i("trade", "外贸进出口总额", "亿元", Flow, 2, "swj", None, "按1–N月累计报送（工作目标3：年均增长10%以上）"),
        i("ind_va", "规模以上工业增加值", "亿元", Flow, 2, "gxj", None, "规模以上工业（年主营业务收入2000万元及以上）增加值，按1–N月累计报送"),
        i("hitech_va", "高新技术产业增加值", "亿元", Flow, 2, "kjj", None, "按1–N月累计报送"),
        i("sei_va", "战略性新兴产业增加值", "亿元", Flow, 2, "fgw", None, "按1–N月累计报送"),
        i("fai", "固定资产投资", "亿元", Flow, 2, "fgw", None, "按1–N月累计报送"),
        i("hitech_ent", "高新技术企业数", "家", Stock, 0, "kjj", None, "期末有效高新技术企业数（工作目标2：开发区内400家以上）"),
        i("tech_sme", "科技型中小企业数", "家", Stock, 0, "kjj", None, "期末数（方案四(一)：开发区内6000家以上）"),
        i("rd_platforms", "市级以上研发平台数", "家", Stock, 0, "kjj", None, "期末数（方案四(二)：年增速10%）"),
        i("sewage_rate", "污水集中处理率", "%", Stock, 1, "hbj", None, "期末值，不超过100%（工作目标4：达到100%）"),
        i("hitech_share", "高新技术产业增加值占规模以上工业增加值比重", "%", Formula, 1, "kjj", Some("hitech_va / ind_va * 100"), "工作目标2：达到35%以上"),
        i("sei_share", "战略性新兴产业增加值占地区生产总值比重", "%", Formula, 1, "fgw", Some("sei_va / gdp * 100"), "工作目标2：达到25%以上"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::division_name;
    use std::collections::HashSet;

    #[test]
    fn fifteen_zones_in_their_groups() {
        let zs = zones();
        assert_eq!(zs.len(), 15);
        let codes: HashSet<_> = zs.iter().map(|z| &z.code).collect();
        assert_eq!(codes.len(), 15);
        assert!(zs.iter().all(|z| division_name(&z.county_code).is_some()));
        let count = |g: &str| zs.iter().filter(|z| z.groups.iter().any(|x| x == g)).count();
        // 方案二: 3 家 / 8 家 / 5 家.
        assert_eq!((count("xiongan"), count("subcenter"), count("new_airport")), (3, 8, 5));
        let bazhou = zs.iter().find(|z| z.short_name == "霸州经开区").unwrap();
        assert_eq!(bazhou.groups.len(), 2);
        let groups: Vec<String> = zone_groups().into_iter().map(|g| g.code).collect();
        assert!(zs.iter().flat_map(|z| &z.groups).all(|g| groups.contains(g)));
    }

    #[test]
    fn units_aliases_and_collectives_are_consistent() {
        let us = units();
        let mut names = HashSet::new();
        for u in &us {
            for n in std::iter::once(&u.name).chain(&u.aliases) {
                assert!(names.insert(n.clone()), "duplicate name {n}");
            }
        }
        let codes: HashSet<_> = us.iter().map(|u| u.code.as_str()).collect();
        for c in collectives() {
            assert!(!c.members.is_empty());
            assert!(c.members.iter().all(|m| codes.contains(m.as_str())), "{}", c.name);
        }
        let govs = &collectives()[0];
        assert_eq!(govs.members.len(), 10);
        for n in ["市商务局", "廊坊海关", "廊坊开发区管委会", "大厂县政府", "市政府金融办", "市委督查室"] {
            assert!(us.iter().any(|u| u.name == n), "{n}");
        }
    }

    #[test]
    fn indicators_are_unique_and_formulas_reference_known_codes() {
        let is = indicators();
        let codes: HashSet<_> = is.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes.len(), is.len());
        for i in is.iter().filter(|i| i.kind == IndicatorKind::Formula) {
            let f = i.formula.as_deref().unwrap();
            for token in f.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|t| t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())) {
                assert!(codes.contains(token), "{} uses unknown {token}", i.code);
            }
        }
    }
}
