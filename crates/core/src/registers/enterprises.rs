//! 企业库: enterprises by 统一社会信用代码, the high-tech enterprise certificate (valid three
//! years from its issue date, 《高新技术企业认定管理办法》第十一条), 科技型中小企业, and the
//! 高新技术企业后备培育库 with its cultivation actions; land area and the figures the 亩均
//! evaluation needs.

use chrono::{Months, NaiveDate};

use super::{Entry, Field, FieldType, Record};

pub const RESERVE_STATUSES: &[&str] = &["培育中", "已认定", "已出库"];

pub const FIELDS: &[Field] = &[
    Field::new("uscc", "统一社会信用代码", FieldType::Uscc, true, true),
    Field::new("name", "企业名称", FieldType::Text, true, true),
    Field::new("zone", "所在开发区", FieldType::Zone, false, true),
    Field::new("county", "所在县（市、区）", FieldType::County, false, false),
    Field::new("industry", "行业", FieldType::Text, false, true),
    Field::new("above_scale", "规模以上", FieldType::Flag, false, false),
    Field::new("hitech_no", "高新技术企业证书编号", FieldType::Text, false, false),
    Field::new("hitech_date", "高企证书发证日期", FieldType::Date, false, true),
    Field::new("tech_sme_date", "科技型中小企业入库日期", FieldType::Date, false, true),
    Field::new("reserve_status", "后备培育库状态", FieldType::Choice(RESERVE_STATUSES), false, true),
    Field::new("reserve_date", "后备库入库日期", FieldType::Date, false, false),
    Field::new("land_mu", "用地面积（亩）", FieldType::Number, false, false),
    Field::new("revenue", "主营业务收入（万元）", FieldType::Number, false, false),
    Field::new("tax", "税收（万元）", FieldType::Number, false, false),
];

/// A high-tech certificate is valid for three years from its issue date.
pub const CERTIFICATE_YEARS: u32 = 3;

/// The last day the certificate is valid (issue date + 3 years − 1 day), if there is one.
pub fn certificate_expires(r: &Record) -> Option<NaiveDate> {
    let issued = r.date("hitech_date")?;
    issued.checked_add_months(Months::new(12 * CERTIFICATE_YEARS))?.pred_opt()
}

/// Whether the enterprise holds a valid high-tech certificate on `day`.
pub fn hitech_on(r: &Record, day: NaiveDate) -> bool {
    match (r.date("hitech_date"), certificate_expires(r)) {
        (Some(from), Some(to)) => from <= day && day <= to,
        _ => false,
    }
}

/// Certificates valid on `today` that expire within `days` days (the renewal list), soonest first.
pub fn expiring_soon(records: &[Record], today: NaiveDate, days: i64) -> Vec<(&Record, NaiveDate)> {
    let limit = today + chrono::Duration::days(days);
    let mut out: Vec<(&Record, NaiveDate)> = records
        .iter()
        .filter(|r| hitech_on(r, today))
        .filter_map(|r| certificate_expires(r).filter(|e| *e <= limit).map(|e| (r, e)))
        .collect();
    out.sort_by_key(|(r, e)| (*e, r.get("uscc").to_string()));
    out
}

pub fn check(r: &Record) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let (no, date) = (r.get("hitech_no"), r.get("hitech_date"));
    if !no.is_empty() && date.is_empty() {
        out.push(("hitech_date", "填写了高新技术企业证书编号时须填写发证日期".into()));
    }
    if no.is_empty() && !date.is_empty() {
        out.push(("hitech_no", "填写了高企证书发证日期时须填写证书编号".into()));
    }
    if r.zone().is_empty() && r.county().is_empty() {
        out.push(("county", "开发区外的企业须填写所在县（市、区）".into()));
    }
    match (r.get("reserve_status"), r.get("reserve_date")) {
        ("", "") => {}
        ("", _) => out.push(("reserve_status", "填写了后备库入库日期时须填写后备培育库状态".into())),
        (_, "") => out.push(("reserve_date", "后备培育库企业须填写入库日期".into())),
        ("已认定", _) if r.get("hitech_date").is_empty() => {
            out.push(("reserve_status", "状态为“已认定”的后备企业须填写高企证书编号和发证日期".into()))
        }
        _ => {}
    }
    out
}

/// A cultivation action (知识产权、项目研发、成果转化、企业制度、财税筹划 …) needs words and a
/// company in the reserve pool.
pub fn check_cultivation(r: &Record, new: &Entry) -> Result<(), String> {
    if r.get("reserve_status").is_empty() {
        return Err("该企业不在高新技术企业后备培育库中，不能登记培育措施".into());
    }
    if new.note.trim().is_empty() {
        return Err("请填写培育措施内容".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn ent(uscc: &str, issued: &str) -> Record {
        let mut r = Record::default();
        r.set("uscc", uscc);
        r.set("county", "131082");
        if !issued.is_empty() {
            r.set("hitech_no", "GR201813000001");
            r.set("hitech_date", issued);
        }
        r
    }

    #[test]
    fn certificate_valid_three_years_from_issue() {
        let r = ent("91310110666007217T", "2017-11-30");
        assert_eq!(certificate_expires(&r), Some(d("2020-11-29")));
        assert!(!hitech_on(&r, d("2017-11-29")));
        assert!(hitech_on(&r, d("2017-11-30")));
        assert!(hitech_on(&r, d("2020-11-29")));
        assert!(!hitech_on(&r, d("2020-11-30")));
        // Issued on 29 February: three years later there is no 29 February, so 28 Feb − 1 day.
        let leap = ent("x", "2016-02-29");
        assert_eq!(certificate_expires(&leap), Some(d("2019-02-27")));
        assert!(!hitech_on(&ent("x", ""), d("2019-01-01")));
    }

    #[test]
    fn expiring_soon_lists_valid_certificates_ending_within_the_window() {
        let rs = vec![
            ent("A", "2017-12-01"), // ends 2020-11-30: in 60 days of 2020-10-15
            ent("B", "2017-10-20"), // ends 2020-10-19: soonest
            ent("C", "2018-06-01"), // ends 2021-05-31: too far
            ent("D", "2017-10-01"), // ended 2020-09-30: already expired
        ];
        let list = expiring_soon(&rs, d("2020-10-15"), 60);
        let got: Vec<(&str, NaiveDate)> = list.iter().map(|(r, e)| (r.get("uscc"), *e)).collect();
        assert_eq!(got, [("B", d("2020-10-19")), ("A", d("2020-11-30"))]);
    }

    #[test]
    fn certificate_fields_and_reserve_pool_go_together() {
        let mut r = ent("A", "");
        r.set("hitech_no", "GR1");
        assert_eq!(check(&r)[0].0, "hitech_date");
        let mut r = ent("A", "2018-01-01");
        r.set("reserve_status", "培育中");
        assert_eq!(check(&r), [("reserve_date", "后备培育库企业须填写入库日期".to_string())]);
        r.set("reserve_date", "2018-03-01");
        assert!(check(&r).is_empty());
        let mut outside = ent("A", "");
        outside.set("county", "");
        assert_eq!(check(&outside)[0].1, "开发区外的企业须填写所在县（市、区）");
        let action = Entry { date: d("2019-01-01"), amount: None, note: "知识产权培训".into() };
        assert!(check_cultivation(&ent("A", ""), &action).is_err());
        assert!(check_cultivation(&r, &action).is_ok());
    }
}
