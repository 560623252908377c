//! 专项资金: allocations of the development-zone fund to projects, their disbursements (never more
//! than allocated) and the 绩效评价 result (score and grade: 优 ≥ 90, 良 80–90, 中 60–80, 差 < 60,
//! the bands of 财政部《项目支出绩效评价管理办法》(财预〔2020〕10号) 第二十九条).

use super::{Entry, Field, FieldType, Record};

pub const GRADES: &[&str] = &["优", "良", "中", "差"];

pub const FIELDS: &[Field] = &[
    Field::new("code", "资金编号", FieldType::Text, true, true),
    Field::new("name", "资金名称", FieldType::Text, true, true),
    Field::new("project", "项目编号", FieldType::Text, true, true),
    Field::new("zone", "所在开发区", FieldType::Zone, true, true),
    Field::new("county", "所在县（市、区）", FieldType::County, false, false),
    Field::new("year", "年度", FieldType::Text, true, true),
    Field::new("allocated", "安排金额（万元）", FieldType::Number, true, true),
    Field::new("issued", "下达日期", FieldType::Date, true, false),
    Field::new("eval_score", "绩效评价得分", FieldType::Number, false, true),
    Field::new("eval_grade", "绩效评价等级", FieldType::Choice(GRADES), false, true),
    Field::new("eval_note", "绩效评价意见", FieldType::Text, false, false),
];

/// The grade of a 绩效评价 score.
pub fn grade_of(score: f64) -> &'static str {
    if score >= 90.0 {
        "优"
    } else if score >= 80.0 {
        "良"
    } else if score >= 60.0 {
        "中"
    } else {
        "差"
    }
}

pub fn check(r: &Record) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let year = r.get("year");
    if !(year.len() == 4 && year.parse::<i32>().is_ok_and(|y| (2000..=2100).contains(&y))) {
        out.push(("year", format!("年度“{year}”应为四位年份，如 2019")));
    }
    if let Some(s) = r.number("eval_score") {
        if s > 100.0 {
            out.push(("eval_score", format!("绩效评价得分 {s} 超过满分100")));
        } else if !r.get("eval_grade").is_empty() && r.get("eval_grade") != grade_of(s) {
            out.push(("eval_grade", format!("得分 {s} 对应的等级是“{}”，不是“{}”", grade_of(s), r.get("eval_grade"))));
        }
    }
    if r.number("allocated").is_some_and(|a| a == 0.0) {
        out.push(("allocated", "安排金额应大于0".into()));
    }
    out
}

/// A disbursement is positive and keeps Σ disbursed ≤ allocated.
pub fn check_disbursement(r: &Record, existing: &[Entry], new: &Entry) -> Result<(), String> {
    let amount = new.amount.filter(|a| a.is_finite() && *a > 0.0).ok_or("拨付金额应为正数（万元）")?;
    let allocated = r.number("allocated").unwrap_or(0.0);
    let paid: f64 = existing.iter().filter_map(|e| e.amount).sum();
    // Money in 万元 with at most 4 decimals (元): compare in 元 as integers.
    let yuan = |v: f64| (v * 10_000.0).round() as i64;
    if yuan(paid) + yuan(amount) > yuan(allocated) {
        return Err(format!(
            "拨付后累计 {} 万元将超过安排金额 {} 万元（已拨付 {} 万元，最多还可拨付 {} 万元）",
            super::parse::canonical_number(paid + amount),
            super::parse::canonical_number(allocated),
            super::parse::canonical_number(paid),
            super::parse::canonical_number((yuan(allocated) - yuan(paid)) as f64 / 10_000.0)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn grades_and_disbursement_limit() {
        assert_eq!([grade_of(90.0), grade_of(89.9), grade_of(80.0), grade_of(60.0), grade_of(59.5)], ["优", "良", "良", "中", "差"]);
        let mut r = Record::default();
        r.set("year", "2019");
        r.set("allocated", "500");
        r.set("eval_score", "85");
        r.set("eval_grade", "优");
        assert_eq!(check(&r), [("eval_grade", "得分 85 对应的等级是“良”，不是“优”".to_string())]);
        r.set("eval_grade", "良");
        assert!(check(&r).is_empty());

        let d = NaiveDate::from_ymd_opt(2019, 6, 1).unwrap();
        let e = |a: f64| Entry { date: d, amount: Some(a), note: String::new() };
        // 0.1 + 0.2 in floating point is 0.30000000000000004: 元 arithmetic keeps it exact.
        r.set("allocated", "300.3");
        assert!(check_disbursement(&r, &[e(100.1), e(100.2)], &e(100.0)).is_ok());
        assert_eq!(
            check_disbursement(&r, &[e(200.0)], &e(100.4)).unwrap_err(),
            "拨付后累计 300.4 万元将超过安排金额 300.3 万元（已拨付 200 万元，最多还可拨付 100.3 万元）"
        );
        assert!(check_disbursement(&r, &[], &e(0.0)).is_err());
    }
}
