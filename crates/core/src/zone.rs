//! Development zones (开发区) and the platform groups of the plan's section 二.

use serde::{Deserialize, Serialize};

/// 开发区类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneKind {
    /// 经济技术开发区 / 经济开发区
    Economic,
    /// 高新技术产业开发区
    HighTech,
    /// 海关特殊监管区（综合保税区）
    Bonded,
    Other,
}

impl ZoneKind {
    pub const ALL: [ZoneKind; 4] = [ZoneKind::Economic, ZoneKind::HighTech, ZoneKind::Bonded, ZoneKind::Other];
    pub fn code(self) -> &'static str {
        match self {
            ZoneKind::Economic => "economic",
            ZoneKind::HighTech => "hightech",
            ZoneKind::Bonded => "bonded",
            ZoneKind::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ZoneKind::Economic => "经开区",
            ZoneKind::HighTech => "高新区",
            ZoneKind::Bonded => "综保区",
            ZoneKind::Other => "其他",
        }
    }
    /// Accepts the code or the Chinese label (as people type it in spreadsheets).
    pub fn parse(s: &str) -> Option<ZoneKind> {
        let s = s.trim();
        ZoneKind::ALL.into_iter().find(|k| k.code() == s || k.label() == s).or(match s {
            "经济技术开发区" | "经济开发区" => Some(ZoneKind::Economic),
            "高新技术产业开发区" => Some(ZoneKind::HighTech),
            "综合保税区" | "海关特殊监管区" => Some(ZoneKind::Bonded),
            _ => None,
        })
    }
}

/// 开发区级别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneLevel {
    National,
    Provincial,
    City,
}

impl ZoneLevel {
    pub const ALL: [ZoneLevel; 3] = [ZoneLevel::National, ZoneLevel::Provincial, ZoneLevel::City];
    pub fn code(self) -> &'static str {
        match self {
            ZoneLevel::National => "national",
            ZoneLevel::Provincial => "provincial",
            ZoneLevel::City => "city",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ZoneLevel::National => "国家级",
            ZoneLevel::Provincial => "省级",
            ZoneLevel::City => "市级",
        }
    }
    pub fn parse(s: &str) -> Option<ZoneLevel> {
        let s = s.trim();
        ZoneLevel::ALL.into_iter().find(|k| k.code() == s || k.label() == s)
    }
}

/// A zone as master data. `code` is the stable key used in files and URLs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: ZoneKind,
    pub level: ZoneLevel,
    /// GB/T 2260 code of the county-level division the zone belongs to.
    pub county_code: String,
    /// 批准面积（公顷）.
    pub area_ha: Option<f64>,
    pub leading_industries: String,
    /// Codes of the platform groups the zone belongs to (a zone may be in two).
    pub groups: Vec<String>,
}

/// A platform group of section 二 (雄安配套 / 副中心对接 / 新机场对接).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneGroup {
    pub code: String,
    pub name: String,
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_labels_and_codes() {
        assert_eq!(ZoneKind::parse("高新区"), Some(ZoneKind::HighTech));
        assert_eq!(ZoneKind::parse(" economic "), Some(ZoneKind::Economic));
        assert_eq!(ZoneKind::parse("综合保税区"), Some(ZoneKind::Bonded));
        assert_eq!(ZoneKind::parse("开发区"), None);
        assert_eq!(ZoneLevel::parse("省级"), Some(ZoneLevel::Provincial));
        assert_eq!(ZoneLevel::parse("县级"), None);
    }
}
