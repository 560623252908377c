//! 示例数据 for the registers: deterministic (a fixed-seed generator), sized so that every count
//! target of the plan has a computed status, with some met and some behind. Not real companies.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};

use super::{projects, Entry, EntryKind, Record, RegisterKind};
use crate::catalog;

/// A small deterministic generator (64-bit LCG, Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// A day in `[from, from + days)`.
    fn day(&mut self, from: &str, days: u64) -> NaiveDate {
        let f = NaiveDate::parse_from_str(from, "%Y-%m-%d").expect("date");
        f + Duration::days(self.below(days) as i64)
    }
}

const PLACES: &[&str] = &["廊坊", "燕郊", "三河", "固安", "永清", "霸州", "香河", "大厂", "文安", "大城", "广阳", "安次"];
const WORDS: &[&str] = &[
    "华科", "鑫源", "中瑞", "博远", "天成", "金诺", "宏达", "瑞丰", "恒通", "新创", "京冀", "凯盛", "明德", "东升", "汇智", "远航",
    "正泰", "嘉禾", "润泽", "英特", "晟达", "卓越", "百川", "长城", "启明", "泰和", "海纳", "智源", "北辰", "永丰",
];
const TRADES: &[&str] = &["科技", "新材料", "电子", "智能装备", "生物医药", "新能源", "环保科技", "食品", "数据科技", "显示技术"];

fn zones() -> Vec<(String, String)> {
    catalog::zones().into_iter().map(|z| (z.code, z.county_code)).collect()
}

fn set(r: &mut Record, pairs: &[(&str, String)]) {
    for (k, v) in pairs {
        r.set(k, v.clone());
    }
}

/// Every demo record of a register, in a fixed order.
pub fn records(kind: RegisterKind) -> Vec<Record> {
    match kind {
        RegisterKind::Projects => project_records(),
        RegisterKind::Enterprises => enterprise_records(),
        RegisterKind::Platforms => platform_records(),
        RegisterKind::Parks => park_records(),
        RegisterKind::Funds => fund_records(),
    }
}

fn project_records() -> Vec<Record> {
    let mut g = Lcg(2018);
    let zs = zones();
    let mut out = Vec::new();
    let emerging = &projects::INDUSTRIES[..9];
    // (category, how many, first year, code prefix)
    let plan: [(&str, usize, &str); 4] = [("重大项目", 21, "ZD"), ("重点项目", 150, "ZX"), ("招商项目", 96, "ZS"), ("技改项目", 30, "JG")];
    // 重大项目 total investment: 21 projects adding up to 362 亿元 (the plan's figure).
    let major_invest: Vec<f64> = (0..21).map(|i| if i < 20 { 10.0 + (i % 5) as f64 * 2.5 } else { 0.0 }).collect();
    let major_rest = 362.0 - major_invest.iter().sum::<f64>();
    for (category, n, prefix) in plan {
        for i in 0..n {
            let (zone, county) = g.pick(&zs).clone();
            let industry = if category == "技改项目" { *g.pick(&projects::INDUSTRIES[9..]) } else { *g.pick(emerging) };
            let mut r = Record::default();
            let invest = match category {
                "重大项目" if i == 20 => major_rest,
                "重大项目" => major_invest[i],
                "重点项目" => 1.0 + g.below(40) as f64 / 4.0,
                "招商项目" => 0.5 + g.below(60) as f64 / 4.0,
                _ => 0.2 + g.below(20) as f64 / 10.0,
            };
            // Key projects: spread over 2016–2020 so each year has its own intake (≈ 30 a year).
            let start_year = match category {
                "重点项目" => 2016 + (i % 5) as i32,
                "重大项目" => 2017 + (i % 3) as i32,
                _ => 2017 + (i % 4) as i32,
            };
            let d_plan = g.day(&format!("{start_year}-01-01"), 120);
            let mut d = d_plan;
            let reach = 1 + g.below(7) as usize; // stages reached: 1..=7
            let mut stages = Vec::new();
            for (_, field) in projects::STAGES.iter().take(reach) {
                stages.push((*field, d.to_string()));
                d += Duration::days(30 + g.below(120) as i64);
            }
            // Projects listed as 招商/重大 are at least signed so they count.
            if category != "技改项目" && reach < 3 {
                stages.push(("d_talk", (d_plan + Duration::days(20)).to_string()));
                stages.push(("d_sign", (d_plan + Duration::days(60)).to_string()));
            }
            for (f, v) in stages {
                r.set(f, v);
            }
            let word = *g.pick(WORDS);
            let trade = *g.pick(TRADES);
            set(
                &mut r,
                &[
                    ("code", format!("{prefix}{}{:03}", start_year, i + 1)),
                    ("name", format!("{word}{trade}{industry}项目（{}期）", ["一", "二", "三"][i % 3])),
                    ("zone", zone),
                    ("county", county),
                    ("category", category.to_string()),
                    ("industry", industry.to_string()),
                    ("total_invest", super::parse::canonical_number(invest)),
                    ("investor", format!("{}{word}{trade}集团有限公司", g.pick(&["北京", "天津", "深圳", "上海", "廊坊"]))),
                    ("unit", "市商务局".to_string()),
                ],
            );
            if g.below(3) == 0 {
                r.set("from_jingjin", "是");
            }
            if category == "招商项目" && g.below(5) == 0 {
                r.set("fortune500", "是");
                r.set("multinational", "是");
                r.set("foreign_invest", format!("{}", 500 + g.below(40) * 100));
            }
            out.push(r);
        }
    }
    out
}

fn uscc(g: &mut Lcg, county: &str) -> String {
    const BODY: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let id: String = (0..9).map(|_| BODY[g.below(31) as usize] as char).collect();
    crate::uscc::with_check_digit(&format!("91{county}{id}")).expect("17 characters")
}

fn enterprise_records() -> Vec<Record> {
    let mut g = Lcg(400);
    let zs = zones();
    let counties: Vec<&str> = crate::codes::counties().map(|(c, _)| c).collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let industries = ["电子信息", "新材料", "装备制造", "生物医药", "新能源", "软件和信息服务", "食品加工", "金属制品"];
    for i in 0..1600usize {
        // Two in three in a zone.
        let (zone, county) = if i % 3 != 2 {
            g.pick(&zs).clone()
        } else {
            (String::new(), g.pick(&counties).to_string())
        };
        let code = uscc(&mut g, &county);
        if !seen.insert(code.clone()) {
            continue;
        }
        let mut r = Record::default();
        let place = *g.pick(PLACES);
        let word = *g.pick(WORDS);
        let trade = *g.pick(TRADES);
        set(
            &mut r,
            &[
                ("uscc", code),
                ("name", format!("{place}{word}{trade}有限公司（示例{:04}）", i + 1)),
                ("zone", zone),
                ("county", county),
                ("industry", g.pick(&industries).to_string()),
                ("above_scale", if g.below(2) == 0 { "是" } else { "否" }.to_string()),
                ("land_mu", format!("{}", 10 + g.below(190))),
                ("revenue", format!("{}", 500 + g.below(50_000))),
                ("tax", format!("{}", 20 + g.below(3_000))),
            ],
        );
        // Certificates: about 45% hold one, issued 2015–2020 (valid three years).
        if g.below(100) < 45 {
            let issued = g.day("2015-10-01", 365 * 5 + 60);
            r.set("hitech_no", format!("GR{}{}{:06}", issued.format("%Y"), "13", i + 1));
            r.set("hitech_date", issued.to_string());
        }
        // 科技型中小企业: about 75%, entered 2016–2020.
        if g.below(100) < 75 {
            r.set("tech_sme_date", g.day("2016-03-01", 365 * 5).to_string());
        }
        // The reserve pool: about one in eight without a certificate.
        if r.get("hitech_date").is_empty() && g.below(8) == 0 {
            r.set("reserve_status", "培育中");
            r.set("reserve_date", g.day("2018-03-01", 900).to_string());
        }
        out.push(r);
    }
    out
}

fn platform_records() -> Vec<Record> {
    use super::platforms::TYPES;
    let mut g = Lcg(660);
    let zs = zones();
    let counties: Vec<&str> = crate::codes::counties().map(|(c, _)| c).collect();
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    // (type, how many, share provincial %, share national %, first day, span in days)
    let plan: [(&str, usize, u64, u64, &str, u64); 13] = [
        ("重点实验室", 180, 20, 2, "2010-01-01", 3900),
        ("产业技术研究院", 60, 20, 0, "2012-01-01", 3200),
        ("制造业创新中心", 25, 20, 0, "2016-01-01", 1800),
        ("工程研究中心", 150, 15, 2, "2010-01-01", 3900),
        ("技术创新中心", 160, 15, 2, "2010-01-01", 3900),
        ("孵化器", 45, 30, 10, "2012-01-01", 3200),
        ("众创空间", 50, 30, 10, "2015-01-01", 2100),
        ("加速器", 6, 0, 0, "2016-01-01", 1800),
        ("技术转移服务机构", 20, 60, 10, "2014-01-01", 2500),
        ("院士工作站", 12, 100, 0, "2014-01-01", 2500),
        ("国际科技合作基地", 16, 65, 10, "2012-01-01", 3200),
        ("协同创新基地", 10, 50, 0, "2016-01-01", 1800),
        ("高层次人才创新创业园区", 4, 50, 0, "2016-01-01", 1800),
    ];
    debug_assert_eq!(plan.len(), TYPES.len());
    for (kind, n, prov, nat, from, span) in plan {
        let mut made = 0;
        while made < n {
            let word = *g.pick(WORDS);
            let place = *g.pick(PLACES);
            let field = *g.pick(&["新型显示", "新材料", "智能制造", "生物医药", "大数据", "新能源", "航空", "绿色建材", "现代农业", "电子信息"]);
            let name = format!("{place}{word}{field}{kind}");
            if !names.insert(name.clone()) {
                continue;
            }
            made += 1;
            let level = match g.below(100) {
                x if x < nat => "国家级",
                x if x < nat + prov => "省级",
                _ => "市级",
            };
            let (zone, county) = if g.below(4) != 0 { g.pick(&zs).clone() } else { (String::new(), g.pick(&counties).to_string()) };
            let mut r = Record::default();
            set(
                &mut r,
                &[
                    ("name", name),
                    ("kind", kind.to_string()),
                    ("level", level.to_string()),
                    ("zone", zone),
                    ("county", county),
                    ("recognised", g.day(from, span).to_string()),
                    ("host", format!("{place}{word}科技有限公司")),
                ],
            );
            if g.below(40) == 0 {
                let rec = r.date("recognised").expect("set above");
                r.set("revoked", (rec + Duration::days(400 + g.below(800) as i64)).to_string());
            }
            out.push(r);
        }
    }
    out
}

fn park_records() -> Vec<Record> {
    let mut g = Lcg(23);
    let zs = zones();
    let mut out = Vec::new();
    let mut park = |name: &str, kind: &str, partner: &str, established: &str, g: &mut Lcg| {
        let (zone, county) = g.pick(&zs).clone();
        let mut r = Record::default();
        set(
            &mut r,
            &[
                ("name", name.to_string()),
                ("kind", kind.to_string()),
                ("partner", partner.to_string()),
                ("zone", zone),
                ("county", county),
                ("established", established.to_string()),
            ],
        );
        out.push(r);
    };
    let country = [
        ("中德产业园", "德国", "2016-05-01"),
        ("中以创新产业园", "以色列", "2017-03-15"),
        ("中加产业园", "加拿大", "2018-10-20"),
        ("中印信息产业园", "印度", "2019-06-01"),
        ("中斯合作产业园", "斯洛伐克", "2019-11-11"),
        ("中韩产业园", "韩国", "2015-09-01"),
        ("中日精密制造园", "日本", "2016-08-01"),
        ("中意设计产业园", "意大利", "2017-06-01"),
        ("中法航空产业园", "法国", "2016-04-01"),
        ("中美生物医药产业园", "美国", "2017-10-01"),
        ("中瑞节能环保产业园", "瑞典", "2018-04-01"),
        ("中新智慧产业园", "新加坡", "2020-03-01"),
    ];
    for (name, partner, day) in country {
        park(name, "国别特色产业园", partner, day, &mut g);
    }
    for (name, partner, day) in [
        ("深商产业园", "深圳商会", "2017-04-01"),
        ("苏商产业园", "江苏商会", "2017-09-01"),
        ("浙商产业园", "浙江商会", "2016-11-01"),
        ("闽商产业园", "福建商会", "2018-07-01"),
        ("晋商产业园", "山西商会", "2019-05-01"),
        ("温商产业园", "温州商会", "2020-06-01"),
    ] {
        park(name, "商帮产业园", partner, day, &mut g);
    }
    for (name, partner, day) in [
        ("中关村互联网文化创意产业园", "北京中关村", "2017-08-01"),
        ("京津合作共建产业园", "天津滨海新区", "2018-11-01"),
        ("亦庄永清合作共建园", "北京经济技术开发区", "2016-06-01"),
    ] {
        park(name, "省际合作共建园", partner, day, &mut g);
    }
    // Sub-city industrial parks under the 六(一) check: 30 parks, decided in 2018–2019.
    let counties: Vec<(&str, &str)> = crate::codes::counties().collect();
    for i in 0..30usize {
        let (c, cname) = counties[i % counties.len()];
        let town = ["东", "西", "南", "北", "新"][i % 5];
        let mut r = Record::default();
        set(
            &mut r,
            &[
                ("name", format!("{}{town}镇工业园区（示例{:02}）", cname.trim_end_matches(['县', '市', '区']), i + 1)),
                ("kind", "市级以下工业园区".to_string()),
                ("county", c.to_string()),
            ],
        );
        if i < 26 {
            let decision = ["保留", "整合", "整合", "取缔"][i % 4];
            r.set("decision", decision);
            r.set("decision_date", g.day("2018-10-01", 400).to_string());
            if decision == "整合" {
                let z = catalog::zones().into_iter().find(|z| z.county_code == c).map(|z| z.short_name).unwrap_or_else(|| "就近省级开发区".into());
                r.set("merged_into", z);
            }
        }
        out.push(r);
    }
    out
}

fn fund_records() -> Vec<Record> {
    let mut g = Lcg(2019);
    let projects: Vec<Record> = project_records().into_iter().filter(|p| matches!(p.get("category"), "重大项目" | "重点项目")).collect();
    let mut out = Vec::new();
    for (i, p) in projects.iter().step_by(4).enumerate() {
        let year = 2018 + (i % 3) as i32;
        let mut r = Record::default();
        let allocated = 100 + g.below(20) * 50;
        set(
            &mut r,
            &[
                ("code", format!("ZJ{year}{:03}", i + 1)),
                ("name", format!("{year}年开发区发展专项资金")),
                ("project", p.get("code").to_string()),
                ("zone", p.zone().to_string()),
                ("county", p.county().to_string()),
                ("year", year.to_string()),
                ("allocated", allocated.to_string()),
                ("issued", g.day(&format!("{year}-04-01"), 120).to_string()),
            ],
        );
        if year < 2020 {
            let score = 55 + g.below(45);
            r.set("eval_score", score.to_string());
            r.set("eval_grade", super::funds::grade_of(score as f64));
        }
        out.push(r);
    }
    out
}

/// Demo entries under the demo records: monthly investment of projects that started, cultivation
/// actions in the reserve pool, disbursements of allocations (within the allocation).
pub fn entries(kind: RegisterKind, records: &[Record]) -> Vec<(String, Entry)> {
    let mut g = Lcg(12);
    let mut out = Vec::new();
    match kind.entry_kind() {
        Some(EntryKind::Investment) => {
            for r in records.iter().filter(|r| r.date("d_start").is_some()).take(60) {
                let start = r.date("d_start").expect("filtered");
                let total = r.number("total_invest").unwrap_or(1.0);
                let mut m = crate::period::Month::of_date(start);
                for _ in 0..6 {
                    let day = super::counts::month_end(m.year(), m.month());
                    let amount = (total / 24.0 * (0.5 + g.below(100) as f64 / 100.0) * 100.0).round() / 100.0;
                    out.push((r.key(kind).to_string(), Entry { date: day, amount: Some(amount), note: String::new() }));
                    m = m.offset(1);
                }
            }
        }
        Some(EntryKind::Cultivation) => {
            let actions = ["知识产权：专利申请辅导", "项目研发：对接高校联合攻关", "成果转化：技术合同登记", "企业制度：研发费用归集辅导", "财税筹划：加计扣除政策宣讲"];
            for r in records.iter().filter(|r| !r.get("reserve_status").is_empty()) {
                let from = r.date("reserve_date").expect("reserve date");
                for k in 0..2 {
                    let day = from + Duration::days(30 + 90 * k + g.below(30) as i64);
                    out.push((r.key(kind).to_string(), Entry { date: day, amount: None, note: g.pick(&actions).to_string() }));
                }
            }
        }
        Some(EntryKind::Disbursement) => {
            for r in records {
                let allocated = r.number("allocated").unwrap_or(0.0);
                let issued = r.date("issued").expect("issued");
                // 60% then the rest for older allocations; 60% only for the latest year.
                out.push((r.key(kind).to_string(), Entry { date: issued + Duration::days(30), amount: Some(allocated * 0.6), note: "首笔拨付".into() }));
                if r.get("year") != "2020" {
                    out.push((r.key(kind).to_string(), Entry { date: issued + Duration::days(200), amount: Some(allocated * 0.4), note: "验收后拨付".into() }));
                }
            }
        }
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::parse::{parse_table, to_table, Context};
    use crate::registers::ZoneInfo;

    #[test]
    fn demo_records_pass_their_own_registers_checks_and_are_deterministic() {
        let ctx = Context {
            zones: catalog::zones().into_iter().map(|z| ZoneInfo { code: z.code, name: z.name, short_name: z.short_name, county: z.county_code }).collect(),
        };
        for kind in RegisterKind::ALL {
            let rs = records(kind);
            assert!(!rs.is_empty());
            let parsed = parse_table(kind, &to_table(kind, &rs), &ctx).unwrap_or_else(|e| panic!("{kind:?}: {}", e[0]));
            assert_eq!(parsed.len(), rs.len(), "{kind:?}: keys unique");
            assert_eq!(records(kind), rs, "deterministic");
        }
        let major: f64 = records(RegisterKind::Projects).iter().filter(|r| r.get("category") == "重大项目").filter_map(|r| r.number("total_invest")).sum();
        assert!((major - 362.0).abs() < 1e-9);
        // Disbursements never exceed the allocation.
        let funds = records(RegisterKind::Funds);
        for f in &funds {
            let paid: f64 = entries(RegisterKind::Funds, &funds).iter().filter(|(k, _)| k == f.get("code")).filter_map(|(_, e)| e.amount).sum();
            assert!(paid <= f.number("allocated").unwrap() + 1e-9);
        }
    }
}
