//! Validation rules (stored, office-edited) applied to a report before submission and to
//! uploads in the dry run; outlier screening over each zone's history.

use std::collections::{BTreeMap, HashMap};

use nengji_core::entry::LocatedValue;
use nengji_core::expr::{Env, Scope};
use nengji_core::indicator::{Indicator, IndicatorKind};
use nengji_core::period::Month;
use nengji_core::series::{monthly_value, MonthlyValue};
use nengji_core::validate::{self, blocks_submission, Finding, Importance, OutlierMethod, Submitted};
use nengji_store::collection::Dataset;
use nengji_store::observations::{self, Filter, Observation};
use nengji_store::{masterdata, rules, Db};

use crate::error::AppError;

/// How many months of history the rules may look back (learned ranges, 同比, 环比).
const LOOKBACK: i32 = 25;

/// Stored values of one zone, as the rules' `Env`.
struct History {
    zone: String,
    values: HashMap<(String, Month), f64>,
}

impl Env for History {
    fn value(&self, indicator: &str, period: Month, scope: &Scope) -> Option<f64> {
        match scope {
            Scope::Zone(z) if *z == self.zone => self.values.get(&(indicator.to_string(), period)).copied(),
            _ => None,
        }
    }
}

/// A zone's stored values as a report at `period` sees them: its history (the months of the
/// look-back before it) and what is saved for the period itself (value, 上年同期可比数, 备注).
type Saved = HashMap<String, (f64, Option<f64>, String)>;

fn history_at<'a>(zone: &str, period: Month, stored: impl Iterator<Item = &'a (Month, Observation)>) -> (History, Saved) {
    let mut values = HashMap::new();
    let mut current = HashMap::new();
    for (m, o) in stored.filter(|(m, _)| (period.offset(-LOOKBACK)..=period).contains(m)) {
        if *m == period {
            current.insert(o.indicator.clone(), (o.value, o.prior_comparable, o.comment.clone()));
        } else {
            values.insert((o.indicator.clone(), *m), o.value);
        }
    }
    (History { zone: zone.to_string(), values }, current)
}

/// Stored values of some zones from `from` to `to`, by zone: a few queries for a whole upload
/// rather than one per report (a national file has tens of thousands of reports).
async fn stored_by_zone(db: &Db, zones: &[String], from: Month, to: Month) -> Result<HashMap<String, Vec<(Month, Observation)>>, AppError> {
    const ZONES_PER_READ: usize = 500;
    let mut out: HashMap<String, Vec<(Month, Observation)>> = HashMap::new();
    for chunk in zones.chunks(ZONES_PER_READ) {
        let f = Filter { zones: Some(chunk.to_vec()), from: Some(from), to: Some(to), any_order: true, ..Filter::default() };
        for o in observations::query(db, &f).await? {
            if let Ok(m) = o.period.parse::<Month>() {
                out.entry(o.zone.clone()).or_default().push((m, o));
            }
        }
    }
    Ok(out)
}

async fn history(db: &Db, zone: &str, period: Month) -> Result<(History, Saved), AppError> {
    let stored = stored_by_zone(db, &[zone.to_string()], period.offset(-LOOKBACK), period).await?;
    Ok(history_at(zone, period, stored.get(zone).into_iter().flatten()))
}

async fn catalogue(db: &Db) -> Result<Vec<Indicator>, AppError> {
    Ok(masterdata::list_indicators(db).await?.into_iter().map(|i| i.indicator).collect())
}

fn describe(f: &Finding) -> String {
    let mut s = format!("【{}】{}", f.importance.label(), f.message_zh);
    if f.needs_explanation {
        s.push_str("（请在该指标的备注中填写情况说明）");
    }
    s
}

/// The findings of the rules on one report.
pub struct ReportCheck {
    findings: Vec<Finding>,
}

impl ReportCheck {
    pub fn lines(&self) -> Vec<String> {
        self.findings.iter().map(describe).collect()
    }
    pub fn blocking(&self) -> bool {
        blocks_submission(&self.findings)
    }
}

/// Runs the active rules over a zone's saved values for a period (what would be submitted).
pub async fn check_report(db: &Db, ds: &Dataset, zone: &str, period: Month) -> Result<ReportCheck, AppError> {
    let (hist, current) = history(db, zone, period).await?;
    let values: BTreeMap<String, Submitted> = ds
        .indicators
        .iter()
        .map(|code| {
            let (value, comparable, explanation) = match current.get(code) {
                Some((v, p, c)) => (Some(*v), *p, c.clone()),
                None => (None, None, String::new()),
            };
            (code.clone(), Submitted { value, comparable, explanation })
        })
        .collect();
    let cat = catalogue(db).await?;
    let rules = rules::active(db).await?;
    let sub = validate::Submission { zone, period, values: &values, history: &hist, catalogue: &cat };
    Ok(ReportCheck { findings: validate::check(&rules, &sub) })
}

/// Findings of an upload: errors (which stop the import) and warnings (shown; an explanation is
/// needed before submission). Each is located at the row of its indicator where possible.
pub struct UploadCheck {
    pub errors: Vec<(String, String)>,
    pub warnings: Vec<(String, String)>,
}

pub async fn check_upload(db: &Db, ds: &Dataset, parsed: &[LocatedValue]) -> Result<UploadCheck, AppError> {
    let cat = catalogue(db).await?;
    let rules = rules::active(db).await?;
    let checker = validate::Checker::new(&rules, &cat);
    let mut groups: BTreeMap<(&str, Month), Vec<&LocatedValue>> = BTreeMap::new();
    for v in parsed {
        groups.entry((v.input.zone.as_str(), v.input.period)).or_default().push(v);
    }
    let mut out = UploadCheck { errors: Vec::new(), warnings: Vec::new() };
    let periods = groups.keys().map(|(_, p)| *p);
    let (Some(from), Some(to)) = (periods.clone().min(), periods.max()) else { return Ok(out) };
    let zones: Vec<String> = groups.keys().map(|(z, _)| z.to_string()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let stored = stored_by_zone(db, &zones, from.offset(-LOOKBACK), to).await?;
    for ((zone, period), rows) in groups {
        let (hist, current) = history_at(zone, period, stored.get(zone).into_iter().flatten());
        // Uploaded values over what is saved, so cross-indicator rules see the whole report.
        let mut values: BTreeMap<String, Submitted> = ds
            .indicators
            .iter()
            .filter_map(|c| current.get(c).map(|(v, p, e)| (c.clone(), Submitted { value: Some(*v), comparable: *p, explanation: e.clone() })))
            .collect();
        for r in &rows {
            values.insert(r.input.indicator.clone(), Submitted { value: Some(r.input.value), comparable: r.input.prior_comparable, explanation: r.input.comment.clone() });
        }
        let sub = validate::Submission { zone, period, values: &values, history: &hist, catalogue: &cat };
        for f in checker.check(&sub) {
            // An expression rule is placed at the uploaded indicator it names first.
            let named = f.indicator.clone().or_else(|| first_reference(&rules, &f.rule_code, &rows));
            let row = named.as_ref().and_then(|i| rows.iter().find(|r| &r.input.indicator == i));
            let location = match row {
                Some(r) => crate::pages::location(&r.sheet, r.row, Some(r.value_column)),
                None => format!("{zone} {}", period.label()),
            };
            let line = (location, describe(&f));
            if f.importance == Importance::Error { out.errors.push(line) } else { out.warnings.push(line) }
        }
    }
    Ok(out)
}

/// The indicator of `rows` that an expression rule mentions first in its text.
fn first_reference(rules: &[validate::Rule], code: &str, rows: &[&LocatedValue]) -> Option<String> {
    let validate::RuleKind::Expression { expr } = &rules.iter().find(|r| r.code == code)?.kind else { return None };
    let refs = nengji_core::expr::parse(expr).ok()?.references();
    refs.into_iter()
        .filter(|r| rows.iter().any(|v| &v.input.indicator == r))
        .min_by_key(|r| expr.find(r.as_str()).unwrap_or(usize::MAX))
}

/// One value far from its zone's history (modified z-score over the last two years).
pub struct Outlier {
    pub zone: String,
    pub indicator: String,
    pub value: f64,
    pub median: f64,
    pub score: f64,
}

/// Values of `period` whose 当月 (flows) or level (stocks) is an outlier against the zone's
/// previous 24 months: the follow-up list for reviewers.
pub async fn outliers(db: &Db, ds: &Dataset, period: Month) -> Result<Vec<Outlier>, AppError> {
    let cat = catalogue(db).await?;
    let f = Filter { indicators: Some(ds.indicators.clone()), from: Some(period.offset(-LOOKBACK)), to: Some(period), any_order: true, ..Filter::default() };
    let mut series: BTreeMap<(String, String), BTreeMap<Month, f64>> = BTreeMap::new();
    for o in observations::query(db, &f).await? {
        if let Ok(m) = o.period.parse() {
            series.entry((o.zone, o.indicator)).or_default().insert(m, o.value);
        }
    }
    let mut out = Vec::new();
    for ((zone, ind), s) in series {
        let Some(i) = cat.iter().find(|i| i.code == ind) else { continue };
        // 当月 values for flows (a combined 1–2月 is not comparable with single months).
        let level = |m: Month| -> Option<f64> {
            let v = *s.get(&m)?;
            if i.kind != IndicatorKind::Flow {
                return Some(v);
            }
            match monthly_value(m.month(), v, s.get(&m.offset(-1)).copied())? {
                MonthlyValue::Month { value, .. } => Some(value),
                MonthlyValue::JanFeb { .. } => None,
            }
        };
        let Some(x) = level(period) else { continue };
        let hist: Vec<f64> = (1..=24).filter_map(|k| level(period.offset(-k))).collect();
        if hist.len() < 12 {
            continue;
        }
        if let Some(sc) = validate::outlier_score(x, &hist, OutlierMethod::ModifiedZScore, validate::MODIFIED_Z_THRESHOLD) {
            if sc.outlier {
                let mut sorted = hist.clone();
                sorted.sort_by(f64::total_cmp);
                out.push(Outlier { zone, indicator: i.name.clone(), value: x, median: sorted[sorted.len() / 2], score: sc.score });
            }
        }
    }
    out.sort_by(|a, b| b.score.abs().total_cmp(&a.score.abs()));
    Ok(out)
}
