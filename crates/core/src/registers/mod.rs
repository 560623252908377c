//! Registers (名录) whose records the plan's count targets are computed from: projects,
//! enterprises, innovation platforms, parks and special-fund allocations.
//!
//! One generic layer serves all five: a register is a list of typed [`Field`]s; a [`Record`] is
//! the canonical text of each field (dates `YYYY-MM-DD`, numbers without grouping, flags 是/否),
//! so parsing, validation, import, export, listing and history work the same everywhere. Each
//! register's own rules (stage order, certificate validity, disbursement ≤ allocation …) live
//! in its own module and are reached through [`RegisterKind::check`].

pub mod counts;
pub mod demo;
pub mod enterprises;
pub mod funds;
pub mod list;
pub mod parks;
pub mod parse;
pub mod platforms;
pub mod projects;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The five registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterKind {
    Projects,
    Enterprises,
    Platforms,
    Parks,
    Funds,
}

impl RegisterKind {
    pub const ALL: [RegisterKind; 5] =
        [RegisterKind::Projects, RegisterKind::Enterprises, RegisterKind::Platforms, RegisterKind::Parks, RegisterKind::Funds];

    pub fn code(self) -> &'static str {
        match self {
            RegisterKind::Projects => "projects",
            RegisterKind::Enterprises => "enterprises",
            RegisterKind::Platforms => "platforms",
            RegisterKind::Parks => "parks",
            RegisterKind::Funds => "funds",
        }
    }
    pub fn parse(s: &str) -> Option<RegisterKind> {
        RegisterKind::ALL.into_iter().find(|k| k.code() == s || k.label() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            RegisterKind::Projects => "项目库",
            RegisterKind::Enterprises => "企业库",
            RegisterKind::Platforms => "创新平台",
            RegisterKind::Parks => "特色园区与园区清理",
            RegisterKind::Funds => "专项资金",
        }
    }
    /// What the register holds, for the landing page.
    pub fn description(self) -> &'static str {
        match self {
            RegisterKind::Projects => "重大项目、重点项目、招商项目、技改项目：阶段（谋划—投产）与月度完成投资",
            RegisterKind::Enterprises => "统一社会信用代码、高新技术企业证书（三年有效期）、科技型中小企业、高企后备培育库",
            RegisterKind::Platforms => "重点实验室、孵化器、众创空间、院士工作站、国际科技合作基地等，分市级/省级/国家级",
            RegisterKind::Parks => "国别特色产业园、商帮产业园、省际合作共建园，市级以下工业园区排查（保留/整合/取缔）",
            RegisterKind::Funds => "开发区专项资金安排到项目、拨付与绩效评价",
        }
    }
    /// The sheet name used in exported workbooks and preferred on import.
    pub fn sheet(self) -> &'static str {
        match self {
            RegisterKind::Projects => "项目",
            RegisterKind::Enterprises => "企业",
            RegisterKind::Platforms => "创新平台",
            RegisterKind::Parks => "园区",
            RegisterKind::Funds => "专项资金",
        }
    }
    pub fn fields(self) -> &'static [Field] {
        match self {
            RegisterKind::Projects => projects::FIELDS,
            RegisterKind::Enterprises => enterprises::FIELDS,
            RegisterKind::Platforms => platforms::FIELDS,
            RegisterKind::Parks => parks::FIELDS,
            RegisterKind::Funds => funds::FIELDS,
        }
    }
    /// The field that identifies a record (unique within the register).
    pub fn key_field(self) -> &'static str {
        match self {
            RegisterKind::Projects | RegisterKind::Funds => "code",
            RegisterKind::Enterprises => "uscc",
            RegisterKind::Platforms | RegisterKind::Parks => "name",
        }
    }
    pub fn field(self, key: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.key == key)
    }
    /// The register's own rules over a parsed record: (field key, Chinese message).
    pub fn check(self, r: &Record) -> Vec<(&'static str, String)> {
        match self {
            RegisterKind::Projects => projects::check(r),
            RegisterKind::Enterprises => enterprises::check(r),
            RegisterKind::Platforms => platforms::check(r),
            RegisterKind::Parks => parks::check(r),
            RegisterKind::Funds => funds::check(r),
        }
    }
    /// The kind of dated entries a record of this register collects, if any.
    pub fn entry_kind(self) -> Option<EntryKind> {
        match self {
            RegisterKind::Projects => Some(EntryKind::Investment),
            RegisterKind::Enterprises => Some(EntryKind::Cultivation),
            RegisterKind::Funds => Some(EntryKind::Disbursement),
            _ => None,
        }
    }
}

/// How a field's text is read and checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldType {
    Text,
    /// A calendar date (`2019-03-15`, `2019/3/15`, `2019年3月15日`, or an Excel date).
    Date,
    /// A non-negative number.
    Number,
    /// 是/否.
    Flag,
    /// One of the listed values.
    Choice(&'static [&'static str]),
    /// 统一社会信用代码 (GB 32100 check digit).
    Uscc,
    /// A zone code or its name / short name; blank means outside the zones.
    Zone,
    /// A county-level division code of the city (GB/T 2260) or its name; derived from the zone
    /// when blank.
    County,
}

/// One column of a register.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub key: &'static str,
    /// The Chinese header in sheets and forms.
    pub label: &'static str,
    pub ty: FieldType,
    pub required: bool,
    /// Shown as a column of the list page.
    pub listed: bool,
}

impl Field {
    pub const fn new(key: &'static str, label: &'static str, ty: FieldType, required: bool, listed: bool) -> Field {
        Field { key, label, ty, required, listed }
    }
}

/// A record of a register: canonical text per field key (empty fields absent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub fields: BTreeMap<String, String>,
}

impl Record {
    pub fn get(&self, key: &str) -> &str {
        self.fields.get(key).map(String::as_str).unwrap_or("")
    }
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let v = value.into();
        if v.is_empty() {
            self.fields.remove(key);
        } else {
            self.fields.insert(key.to_string(), v);
        }
    }
    pub fn date(&self, key: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(self.get(key), "%Y-%m-%d").ok()
    }
    pub fn number(&self, key: &str) -> Option<f64> {
        self.get(key).parse().ok()
    }
    pub fn flag(&self, key: &str) -> bool {
        self.get(key) == "是"
    }
    /// The identifying value (see [`RegisterKind::key_field`]).
    pub fn key(&self, kind: RegisterKind) -> &str {
        self.get(kind.key_field())
    }
    pub fn name(&self) -> &str {
        self.get("name")
    }
    /// The zone code; empty outside the zones.
    pub fn zone(&self) -> &str {
        self.get("zone")
    }
    pub fn county(&self) -> &str {
        self.get("county")
    }
}

/// A zone as the registers need it: code, names people type, county.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneInfo {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub county: String,
}

/// Dated entries under a record: a project's monthly investment completed, an enterprise's
/// cultivation actions (后备培育), a fund allocation's disbursements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Investment,
    Cultivation,
    Disbursement,
}

impl EntryKind {
    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Investment => "investment",
            EntryKind::Cultivation => "cultivation",
            EntryKind::Disbursement => "disbursement",
        }
    }
    pub fn parse(s: &str) -> Option<EntryKind> {
        [EntryKind::Investment, EntryKind::Cultivation, EntryKind::Disbursement].into_iter().find(|k| k.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Investment => "月度完成投资（亿元）",
            EntryKind::Cultivation => "培育措施",
            EntryKind::Disbursement => "资金拨付（万元）",
        }
    }
    /// Whether an entry carries an amount (investment, disbursement) or only text.
    pub fn has_amount(self) -> bool {
        !matches!(self, EntryKind::Cultivation)
    }
}

/// One dated entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub date: NaiveDate,
    pub amount: Option<f64>,
    pub note: String,
}

/// Checks a new entry against the record and the entries it already has.
pub fn check_entry(kind: RegisterKind, record: &Record, existing: &[Entry], new: &Entry) -> Result<(), String> {
    match kind.entry_kind() {
        Some(EntryKind::Investment) => projects::check_investment(existing, new),
        Some(EntryKind::Cultivation) => enterprises::check_cultivation(record, new),
        Some(EntryKind::Disbursement) => funds::check_disbursement(record, existing, new),
        None => Err(format!("{}没有可登记的明细", kind.label())),
    }
}
