//! 项目库: the plan's project categories and industries, the stage life-cycle
//! 谋划 → 在谈 → 签约 → 开工 → 在建 → 竣工 → 投产 with a date per stage reached, and the monthly
//! investment completed.

use chrono::NaiveDate;

use super::{Entry, Field, FieldType, Record};

pub const CATEGORIES: &[&str] = &["重大项目", "重点项目", "招商项目", "技改项目"];

/// The plan's strategic emerging industries (三(一)) and the traditional ones it upgrades.
pub const INDUSTRIES: &[&str] = &[
    "大数据",
    "人工智能与智能制造",
    "新型显示",
    "新材料",
    "新能源与新能源汽车",
    "数字文化创意",
    "先进环保",
    "生物医药健康",
    "未来产业",
    "装备制造",
    "食品加工",
    "金属制品",
    "家具制造",
    "现代服务业",
];

/// Stages in order, with the field holding the date each was reached.
pub const STAGES: [(&str, &str); 7] = [
    ("谋划", "d_plan"),
    ("在谈", "d_talk"),
    ("签约", "d_sign"),
    ("开工", "d_start"),
    ("在建", "d_build"),
    ("竣工", "d_done"),
    ("投产", "d_prod"),
];

/// Date fields of 签约 and every later stage: a project counts as landed (落地) from the first.
pub const SIGNED_OR_LATER: &[&str] = &["d_sign", "d_start", "d_build", "d_done", "d_prod"];

pub const FIELDS: &[Field] = &[
    Field::new("code", "项目编号", FieldType::Text, true, true),
    Field::new("name", "项目名称", FieldType::Text, true, true),
    Field::new("zone", "所在开发区", FieldType::Zone, true, true),
    Field::new("county", "所在县（市、区）", FieldType::County, false, false),
    Field::new("category", "项目类别", FieldType::Choice(CATEGORIES), true, true),
    Field::new("industry", "产业", FieldType::Choice(INDUSTRIES), true, true),
    Field::new("total_invest", "总投资（亿元）", FieldType::Number, true, true),
    Field::new("foreign_invest", "外资（万美元）", FieldType::Number, false, false),
    Field::new("from_jingjin", "京津转移", FieldType::Flag, false, false),
    Field::new("fortune500", "世界500强", FieldType::Flag, false, false),
    Field::new("multinational", "跨国公司", FieldType::Flag, false, false),
    Field::new("investor", "投资方", FieldType::Text, false, false),
    Field::new("unit", "责任单位", FieldType::Text, false, false),
    Field::new("d_plan", "谋划日期", FieldType::Date, false, false),
    Field::new("d_talk", "在谈日期", FieldType::Date, false, false),
    Field::new("d_sign", "签约日期", FieldType::Date, false, false),
    Field::new("d_start", "开工日期", FieldType::Date, false, false),
    Field::new("d_build", "在建日期", FieldType::Date, false, false),
    Field::new("d_done", "竣工日期", FieldType::Date, false, false),
    Field::new("d_prod", "投产日期", FieldType::Date, false, false),
];

/// The stage reached by `as_of` (the latest stage dated on or before it); `None` before any.
pub fn stage_at(r: &Record, as_of: NaiveDate) -> Option<&'static str> {
    STAGES.iter().rev().find(|(_, f)| r.date(f).is_some_and(|d| d <= as_of)).map(|(s, _)| *s)
}

/// The stage reached so far.
pub fn current_stage(r: &Record) -> Option<&'static str> {
    STAGES.iter().rev().find(|(_, f)| r.date(f).is_some()).map(|(s, _)| *s)
}

/// A stage needs a date; stage dates may skip stages but never go back in time.
pub fn check(r: &Record) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let dated: Vec<(&str, &str, NaiveDate)> = STAGES.iter().filter_map(|(s, f)| r.date(f).map(|d| (*s, *f, d))).collect();
    if dated.is_empty() {
        out.push(("d_plan", "至少填写一个阶段日期（谋划、在谈、签约、开工、在建、竣工或投产）".to_string()));
    }
    for w in dated.windows(2) {
        let ((s0, _, d0), (s1, f1, d1)) = (w[0], w[1]);
        if d1 < d0 {
            out.push((f1, format!("{s1}日期 {d1} 早于{s0}日期 {d0}：阶段须按 谋划→在谈→签约→开工→在建→竣工→投产 的顺序")));
        }
    }
    if let (Some(total), Some(fdi)) = (r.number("total_invest"), r.number("foreign_invest")) {
        // 1 亿元 ≈ 1,400 万美元 at any plausible rate; a foreign share far above the total is a unit mistake.
        if fdi > total * 2000.0 {
            out.push(("foreign_invest", format!("外资 {fdi} 万美元远超总投资 {total} 亿元，请检查单位（外资以万美元计，总投资以亿元计）")));
        }
    }
    out
}

/// Monthly investment completed: one entry per month, non-negative.
pub fn check_investment(existing: &[Entry], new: &Entry) -> Result<(), String> {
    let amount = new.amount.ok_or("请填写完成投资额（亿元）")?;
    if !(amount.is_finite() && amount >= 0.0) {
        return Err("完成投资额应为非负数字".into());
    }
    let month = crate::period::Month::of_date(new.date);
    if existing.iter().any(|e| crate::period::Month::of_date(e.date) == month) {
        return Err(format!("{}的完成投资已登记，如需更正请先删除原记录", month.label()));
    }
    Ok(())
}

/// Σ monthly investment completed.
pub fn investment_completed(entries: &[Entry]) -> f64 {
    entries.iter().filter_map(|e| e.amount).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(pairs: &[(&str, &str)]) -> Record {
        let mut r = Record::default();
        for (k, v) in pairs {
            r.set(k, *v);
        }
        r
    }

    #[test]
    fn stage_follows_the_dates_and_their_order() {
        let r = rec(&[("d_talk", "2018-02-01"), ("d_sign", "2018-05-10"), ("d_start", "2018-09-01")]);
        assert!(check(&r).is_empty());
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(stage_at(&r, d("2018-01-31")), None);
        assert_eq!(stage_at(&r, d("2018-02-01")), Some("在谈"));
        assert_eq!(stage_at(&r, d("2018-06-30")), Some("签约"));
        assert_eq!(stage_at(&r, d("2020-12-31")), Some("开工"));
        assert_eq!(current_stage(&r), Some("开工"));

        let back = rec(&[("d_sign", "2018-05-10"), ("d_start", "2018-03-01")]);
        assert_eq!(
            check(&back),
            [("d_start", "开工日期 2018-03-01 早于签约日期 2018-05-10：阶段须按 谋划→在谈→签约→开工→在建→竣工→投产 的顺序".to_string())]
        );
        assert_eq!(check(&Record::default())[0].0, "d_plan");
    }

    #[test]
    fn one_investment_entry_per_month() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let e = |s: &str, a: f64| Entry { date: d(s), amount: Some(a), note: String::new() };
        let existing = [e("2019-01-31", 1.5), e("2019-02-28", 2.25)];
        assert!(check_investment(&existing, &e("2019-03-31", 0.0)).is_ok());
        assert_eq!(check_investment(&existing, &e("2019-02-01", 1.0)).unwrap_err(), "2019年2月的完成投资已登记，如需更正请先删除原记录");
        assert_eq!(investment_completed(&existing), 3.75);
    }
}
