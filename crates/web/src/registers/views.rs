//! What the register pages show besides the records: display text of a field, the project
//! pipeline by stage and zone, the certificate renewal list, the park clean-up tally, the fund
//! disbursement totals, and the count targets per zone and county.

use std::collections::HashMap;

use chrono::NaiveDate;
use nengji_core::codes;
use nengji_core::registers::counts::Area;
use nengji_core::registers::{enterprises, parks, projects, FieldType, Record, RegisterKind};
use nengji_core::target::{plan_targets, Target};

/// Zone code → short name.
pub type ZoneNames = HashMap<String, String>;

/// A field as people read it: zone and county by name.
pub fn display(kind: RegisterKind, key: &str, r: &Record, zones: &ZoneNames) -> String {
    let v = r.get(key);
    match kind.field(key).map(|f| f.ty) {
        Some(FieldType::Zone) if v.is_empty() => "（开发区外）".into(),
        Some(FieldType::Zone) => zones.get(v).cloned().unwrap_or_else(|| v.to_string()),
        Some(FieldType::County) => codes::division_name(v).map(|n| if v == "131000" { "市本级".to_string() } else { n.to_string() }).unwrap_or_else(|| v.to_string()),
        _ => v.to_string(),
    }
}

/// One row of the pipeline: a zone and its projects per stage.
pub struct PipelineRow {
    pub zone: String,
    pub counts: Vec<usize>,
    pub total: usize,
}

/// Projects by current stage (columns 谋划 … 投产) and zone (rows), zones in the given order.
pub fn pipeline(records: &[Record], zone_order: &[(String, String)]) -> (Vec<PipelineRow>, Vec<usize>) {
    let stage_index = |r: &Record| projects::current_stage(r).and_then(|s| projects::STAGES.iter().position(|(n, _)| *n == s));
    let mut rows = Vec::new();
    let mut totals = vec![0; projects::STAGES.len()];
    for (code, name) in zone_order {
        let mut counts = vec![0; projects::STAGES.len()];
        for r in records.iter().filter(|r| r.zone() == code) {
            if let Some(i) = stage_index(r) {
                counts[i] += 1;
                totals[i] += 1;
            }
        }
        let total = counts.iter().sum();
        if total > 0 {
            rows.push(PipelineRow { zone: name.clone(), counts, total });
        }
    }
    (rows, totals)
}

pub struct Expiring {
    pub id: i64,
    pub name: String,
    pub zone: String,
    pub number: String,
    pub expires: String,
}

/// Certificates expiring within 90 days of `today`.
pub fn expiring(records: &[(i64, Record)], today: NaiveDate, zones: &ZoneNames) -> Vec<Expiring> {
    let only: Vec<Record> = records.iter().map(|(_, r)| r.clone()).collect();
    enterprises::expiring_soon(&only, today, 90)
        .into_iter()
        .filter_map(|(r, e)| {
            let id = records.iter().find(|(_, x)| x.get("uscc") == r.get("uscc"))?.0;
            Some(Expiring {
                id,
                name: r.name().to_string(),
                zone: display(RegisterKind::Enterprises, "zone", r, zones),
                number: r.get("hitech_no").to_string(),
                expires: e.to_string(),
            })
        })
        .collect()
}

/// The sub-city park check per county: (county, 保留, 整合, 取缔, 未排查).
pub fn cleanup(records: &[Record]) -> Vec<(String, [usize; 4])> {
    let mut out: Vec<(String, [usize; 4])> = Vec::new();
    for (code, name) in codes::counties() {
        let mut n = [0; 4];
        for r in records.iter().filter(|r| r.get("kind") == parks::SUB_CITY && r.county() == code) {
            let i = parks::DECISIONS.iter().position(|d| *d == r.get("decision")).unwrap_or(3);
            n[i] += 1;
        }
        if n.iter().sum::<usize>() > 0 {
            out.push((name.to_string(), n));
        }
    }
    out
}

/// A count target with its value for the city and for each column area on a day.
pub struct CountRow {
    pub code: String,
    pub title: String,
    pub goal: String,
    pub city: String,
    pub cells: Vec<String>,
}

fn fmt(v: f64) -> String {
    crate::monitor::targets::num(v)
}

/// Every register-count target on `day`, for the city and per area (zones or counties).
pub fn count_rows(records: &HashMap<RegisterKind, Vec<Record>>, day: NaiveDate, areas: &[(Area, String)]) -> Vec<CountRow> {
    plan_targets()
        .into_iter()
        .filter_map(|t: Target| {
            let spec = t.register_spec()?.clone();
            let rs = records.get(&spec.register).map(Vec::as_slice).unwrap_or(&[]);
            let city = t.measure_registers(rs, day).map(fmt).unwrap_or_else(|| "—".into());
            let cells = areas.iter().map(|(a, _)| fmt(spec.measure(rs, day, a))).collect();
            Some(CountRow {
                goal: format!("{}{}{}", t.comparator.symbol(), fmt(t.target_value), t.unit),
                code: t.code,
                title: t.title,
                city,
                cells,
            })
        })
        .collect()
}
