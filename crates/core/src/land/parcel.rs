//! A parcel of the register (宗地台账): its fields, their units (m² and 亩, money in 分 shown
//! as 万元) and the checks every entry path runs (form, API, sheet).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rules::{Cause, ParcelFacts, Restart, Supply};

/// 1 亩 = 10000/15 m².
pub const M2_PER_MU: f64 = 10000.0 / 15.0;

pub fn mu(m2: f64) -> f64 {
    m2 / M2_PER_MU
}

/// Land uses of the register; 工业 and 仓储 are industrial (工矿仓储用地).
pub const USES: [&str; 6] = ["工业用地", "仓储用地", "商服用地", "住宅用地", "公共管理与公共服务用地", "其他用地"];

pub fn is_industrial(land_use: &str) -> bool {
    matches!(land_use, "工业用地" | "仓储用地")
}

/// What shows 动工开发 was reached (Art. 30, after the 施工许可证).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartEvidence {
    /// 需挖深基坑的项目，基坑开挖完毕.
    DeepPit,
    /// 使用桩基的项目，打入所有基础桩.
    Piles,
    /// 其他项目，地基施工完成三分之一.
    Foundation,
}

impl StartEvidence {
    pub const ALL: [StartEvidence; 3] = [StartEvidence::DeepPit, StartEvidence::Piles, StartEvidence::Foundation];
    pub fn code(self) -> &'static str {
        match self {
            StartEvidence::DeepPit => "deep_pit",
            StartEvidence::Piles => "piles",
            StartEvidence::Foundation => "foundation",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            StartEvidence::DeepPit => "基坑开挖完毕",
            StartEvidence::Piles => "所有基础桩打入",
            StartEvidence::Foundation => "地基施工完成三分之一",
        }
    }
    pub fn parse(s: &str) -> Option<StartEvidence> {
        StartEvidence::ALL.into_iter().find(|e| e.code() == s.trim() || e.label() == s.trim())
    }
}

pub fn supply_label(s: Supply) -> &'static str {
    match s {
        Supply::Sale => "出让",
        Supply::Allocation => "划拨",
    }
}

pub fn parse_supply(s: &str) -> Option<Supply> {
    match s.trim() {
        "出让" | "公开出让" | "招拍挂出让" | "协议出让" | "sale" => Some(Supply::Sale),
        "划拨" | "allocation" => Some(Supply::Allocation),
        _ => None,
    }
}

/// One parcel as entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parcel {
    /// 宗地编号 (unique).
    pub code: String,
    /// The zone's code.
    pub zone: String,
    pub holder: String,
    /// 统一社会信用代码, canonical upper case.
    pub uscc: String,
    pub land_use: String,
    pub area_m2: f64,
    pub supply: Supply,
    pub supply_date: Option<NaiveDate>,
    pub contract_start: Option<NaiveDate>,
    pub contract_completion: Option<NaiveDate>,
    pub handover: Option<NaiveDate>,
    pub price_fen: i64,
    pub planned_fen: i64,
    pub invested_fen: i64,
    pub to_develop_m2: f64,
    pub developed_m2: f64,
    pub started: Option<NaiveDate>,
    pub start_evidence: Option<StartEvidence>,
    pub halted: Option<NaiveDate>,
    pub cause: Option<Cause>,
    pub mortgagee: String,
    /// Recorded in the 土地市场动态监测与监管系统 (Art. 25).
    pub monitored: bool,
    pub note: String,
}

impl Parcel {
    pub fn facts(&self, restart: Option<Restart>) -> ParcelFacts {
        ParcelFacts {
            industrial: is_industrial(&self.land_use),
            supply: self.supply,
            supply_date: self.supply_date,
            contract_start: self.contract_start,
            handover: self.handover,
            started: self.started,
            halted: self.halted,
            price_fen: self.price_fen,
            planned_fen: self.planned_fen,
            invested_fen: self.invested_fen,
            to_develop_m2: self.to_develop_m2,
            developed_m2: self.developed_m2,
            cause: self.cause,
            restart,
        }
    }

    /// Cross-field checks, as `(field, message)` pairs in Chinese.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut e = Vec::new();
        if self.code.trim().is_empty() {
            e.push(("宗地编号", "“宗地编号”不能为空".to_string()));
        }
        if self.holder.trim().is_empty() {
            e.push(("土地使用权人", "“土地使用权人”不能为空".into()));
        }
        if let Err(err) = crate::uscc::validate(&self.uscc) {
            e.push(("统一社会信用代码", err.to_string()));
        }
        if !USES.contains(&self.land_use.as_str()) {
            e.push(("土地用途", format!("“{}”不是有效用途，应为：{}", self.land_use, USES.join("、"))));
        }
        if self.area_m2.is_nan() || self.area_m2 <= 0.0 {
            e.push(("面积（平方米）", "宗地面积应大于0".into()));
        }
        if self.developed_m2 > self.to_develop_m2 && self.to_develop_m2 > 0.0 {
            e.push(("已开发面积（平方米）", format!("已开发面积 {} 平方米大于应开发面积 {} 平方米", self.developed_m2, self.to_develop_m2)));
        }
        if self.to_develop_m2 > self.area_m2 * 1.000001 {
            e.push(("应开发面积（平方米）", "应开发面积不能大于宗地面积".into()));
        }
        for (field, v) in [("土地价款（万元）", self.price_fen), ("计划总投资（万元）", self.planned_fen), ("已投资额（万元）", self.invested_fen)] {
            if v < 0 {
                e.push((field, "金额不能为负数".into()));
            }
        }
        if self.contract_start.is_none() && self.handover.is_none() {
            e.push(("交地日期", "约定动工日期和交地日期至少填写一项（未约定动工日期的，以交地确认书日期后一年为动工日期）".into()));
        }
        if let (Some(s), Some(c)) = (self.contract_start, self.contract_completion)
            && c < s
        {
            e.push(("约定竣工日期", format!("约定竣工日期 {c} 早于约定动工日期 {s}")));
        }
        match (self.started, self.start_evidence) {
            (Some(_), None) => e.push(("动工依据", "填写了动工日期，须注明动工依据（第三十条：基坑开挖完毕、所有基础桩打入或地基施工完成三分之一）".into())),
            (None, Some(_)) => e.push(("动工日期", "注明了动工依据，须填写动工日期".into())),
            _ => {}
        }
        if let Some(h) = self.halted {
            match self.started {
                None => e.push(("停工日期", "未动工的宗地不能填写停工日期".into())),
                Some(s) if h < s => e.push(("停工日期", format!("停工日期 {h} 早于动工日期 {s}"))),
                _ => {}
            }
        }
        e
    }
}

/// Parses a date as people write it: 2016-02-29, 2016/2/29, 2016.2.29, 2016年2月29日, 20160229.
pub fn parse_date(s: &str) -> Result<Option<NaiveDate>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let t = t.split([' ', 'T']).next().unwrap_or(t);
    let norm: String = t.replace(['年', '月', '/', '.'], "-").trim_end_matches('日').to_string();
    let parsed = if norm.len() == 8 && norm.chars().all(|c| c.is_ascii_digit()) {
        NaiveDate::parse_from_str(&norm, "%Y%m%d").ok()
    } else {
        NaiveDate::parse_from_str(&norm, "%Y-%m-%d").ok()
    };
    parsed.map(Some).ok_or_else(|| format!("“{s}”不是有效日期（应为 2016-02-29 或 2016年2月29日）"))
}

/// Parses 万元 with at most six decimals into 分, exactly.
pub fn parse_wan(s: &str) -> Result<i64, String> {
    let t = s.trim().replace([',', '，'], "");
    let bad = || format!("“{s}”不是有效金额（万元，最多6位小数）");
    if t.is_empty() {
        return Ok(0);
    }
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r.to_string()),
        None => (false, t),
    };
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 6 {
        return Err(bad());
    }
    let i: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| bad())? };
    let f: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
    let v = i.checked_mul(1_000_000).and_then(|x| x.checked_add(f)).ok_or_else(bad)?;
    Ok(if neg { -v } else { v })
}

/// 分 as 万元 text without trailing zeros: 12_345_600 → "12.3456".
pub fn wan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    let (i, f) = (a / 1_000_000, a % 1_000_000);
    if f == 0 {
        format!("{sign}{i}")
    } else {
        format!("{sign}{i}.{}", format!("{f:06}").trim_end_matches('0'))
    }
}

/// 分 as 元 with two decimals, for decision documents: 12_345_678 → "123,456.78".
pub fn yuan(fen: i64) -> String {
    let a = fen.unsigned_abs();
    let int = (a / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}{grouped}.{:02}", if fen < 0 { "-" } else { "" }, a % 100)
}

/// Parses a non-negative area in m².
pub fn parse_area(s: &str) -> Result<Option<f64>, String> {
    let t = s.trim().replace([',', '，'], "");
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
        _ => Err(format!("“{s}”不是有效的非负面积")),
    }
}

/// Reads 是/否.
pub fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.trim() {
        "是" | "已录入" | "1" | "true" | "Y" | "y" => Ok(true),
        "否" | "" | "未录入" | "0" | "false" | "N" | "n" => Ok(false),
        other => Err(format!("“{other}”应为“是”或“否”")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_in_fen() {
        assert_eq!(parse_wan("1234.5").unwrap(), 1_234_500_000);
        assert_eq!(parse_wan("0.000001").unwrap(), 1);
        assert_eq!(parse_wan("1,000").unwrap(), 1_000_000_000);
        assert!(parse_wan("1.0000001").is_err());
        assert!(parse_wan("abc").is_err());
        assert_eq!(wan(12_345_600), "12.3456");
        assert_eq!(wan(3_000_000_000), "3000");
        assert_eq!(yuan(12_345_678), "123,456.78");
        assert_eq!(yuan(600_000_000), "6,000,000.00");
    }

    #[test]
    fn one_mu_is_ten_thousand_fifteenths_of_a_square_metre() {
        assert!((mu(10000.0) - 15.0).abs() < 1e-12);
        assert!((mu(666.666_666_666_7) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn dates_in_the_ways_people_write_them() {
        let d = NaiveDate::from_ymd_opt(2016, 2, 29).unwrap();
        for s in ["2016-02-29", "2016/2/29", "2016.2.29", "2016年2月29日", "20160229", "2016-02-29 00:00:00"] {
            assert_eq!(parse_date(s).unwrap(), Some(d), "{s}");
        }
        assert_eq!(parse_date("").unwrap(), None);
        assert!(parse_date("2017-02-29").unwrap_err().contains("不是有效日期"));
    }
}
