//! The parcel form: text fields as typed (money in 万元, areas in m² or 亩) to a `Parcel`, with
//! every problem named by its field; and a parcel back to the form's text.

use nengji_core::land::parcel::{self, Parcel, StartEvidence};
use nengji_core::land::rules::Cause;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ParcelForm {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub zone: String,
    #[serde(default)]
    pub holder: String,
    #[serde(default)]
    pub uscc: String,
    #[serde(default)]
    pub land_use: String,
    #[serde(default)]
    pub area_m2: String,
    #[serde(default)]
    pub area_mu: String,
    #[serde(default)]
    pub supply: String,
    #[serde(default)]
    pub supply_date: String,
    #[serde(default)]
    pub contract_start: String,
    #[serde(default)]
    pub contract_completion: String,
    #[serde(default)]
    pub handover: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub planned: String,
    #[serde(default)]
    pub invested: String,
    #[serde(default)]
    pub to_develop_m2: String,
    #[serde(default)]
    pub developed_m2: String,
    #[serde(default)]
    pub started: String,
    #[serde(default)]
    pub start_evidence: String,
    #[serde(default)]
    pub halted: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub mortgagee: String,
    #[serde(default)]
    pub monitored: Option<String>,
    #[serde(default)]
    pub note: String,
}

impl ParcelForm {
    pub fn of(p: &Parcel, version: i64) -> ParcelForm {
        let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
        ParcelForm {
            version: version.to_string(),
            code: p.code.clone(),
            zone: p.zone.clone(),
            holder: p.holder.clone(),
            uscc: p.uscc.clone(),
            land_use: p.land_use.clone(),
            area_m2: format!("{:.2}", p.area_m2),
            area_mu: String::new(),
            supply: parcel::supply_label(p.supply).into(),
            supply_date: d(p.supply_date),
            contract_start: d(p.contract_start),
            contract_completion: d(p.contract_completion),
            handover: d(p.handover),
            price: parcel::wan(p.price_fen),
            planned: parcel::wan(p.planned_fen),
            invested: parcel::wan(p.invested_fen),
            to_develop_m2: format!("{:.2}", p.to_develop_m2),
            developed_m2: format!("{:.2}", p.developed_m2),
            started: d(p.started),
            start_evidence: p.start_evidence.map(|e| e.code().to_string()).unwrap_or_default(),
            halted: d(p.halted),
            cause: p.cause.map(|c| c.code().to_string()).unwrap_or_default(),
            mortgagee: p.mortgagee.clone(),
            monitored: p.monitored.then(|| "1".into()),
            note: p.note.clone(),
        }
    }

    /// The parcel, or every problem as `字段：问题`.
    pub fn parse(&self) -> Result<Parcel, Vec<String>> {
        let mut e = Vec::new();
        let mut date = |field: &str, s: &str| {
            parcel::parse_date(s).unwrap_or_else(|m| {
                e.push(format!("{field}：{m}"));
                None
            })
        };
        let supply_date = date("供地日期", &self.supply_date);
        let contract_start = date("约定动工日期", &self.contract_start);
        let contract_completion = date("约定竣工日期", &self.contract_completion);
        let handover = date("交地日期", &self.handover);
        let started = date("动工日期", &self.started);
        let halted = date("停工日期", &self.halted);
        let mut money = |field: &str, s: &str| {
            parcel::parse_wan(s).unwrap_or_else(|m| {
                e.push(format!("{field}：{m}"));
                0
            })
        };
        let price_fen = money("土地价款（万元）", &self.price);
        let planned_fen = money("计划总投资（万元）", &self.planned);
        let invested_fen = money("已投资额（万元）", &self.invested);
        let mut area = |field: &str, s: &str| {
            parcel::parse_area(s).unwrap_or_else(|m| {
                e.push(format!("{field}：{m}"));
                None
            })
        };
        let m2 = area("面积（平方米）", &self.area_m2);
        let mu = area("面积（亩）", &self.area_mu);
        let to_develop = area("应开发面积（平方米）", &self.to_develop_m2);
        let developed = area("已开发面积（平方米）", &self.developed_m2);
        let area_m2 = match (m2, mu) {
            (Some(a), Some(b)) if (parcel::mu(a) - b).abs() > 0.01 => {
                e.push(format!("面积（亩）：{a} 平方米折合 {:.4} 亩，与所填 {b} 亩不一致", parcel::mu(a)));
                a
            }
            (Some(a), _) => a,
            (None, Some(b)) => b * parcel::M2_PER_MU,
            (None, None) => 0.0,
        };
        let supply = parcel::parse_supply(&self.supply).unwrap_or_else(|| {
            e.push(format!("供地方式：“{}”应为“出让”或“划拨”", self.supply));
            nengji_core::land::rules::Supply::Sale
        });
        let start_evidence = match self.start_evidence.trim() {
            "" => None,
            s => StartEvidence::parse(s).or_else(|| {
                e.push(format!("动工依据：“{s}”不是第三十条规定的动工标准"));
                None
            }),
        };
        let cause = match self.cause.trim() {
            "" => None,
            s => Cause::parse(s).or_else(|| {
                e.push(format!("闲置原因：“{s}”不是有效的闲置原因"));
                None
            }),
        };
        let p = Parcel {
            code: self.code.trim().into(),
            zone: self.zone.trim().into(),
            holder: self.holder.trim().into(),
            uscc: self.uscc.trim().into(),
            land_use: self.land_use.trim().into(),
            area_m2,
            supply,
            supply_date,
            contract_start,
            contract_completion,
            handover,
            price_fen,
            planned_fen,
            invested_fen,
            to_develop_m2: to_develop.unwrap_or(area_m2),
            developed_m2: developed.unwrap_or(0.0),
            started,
            start_evidence,
            halted,
            cause,
            mortgagee: self.mortgagee.trim().into(),
            monitored: self.monitored.is_some(),
            note: self.note.trim().into(),
        };
        e.extend(p.problems().into_iter().map(|(f, m)| format!("{f}：{m}")));
        if e.is_empty() { Ok(p) } else { Err(e) }
    }
}
