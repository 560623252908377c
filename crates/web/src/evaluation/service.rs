//! Running an evaluation on the platform's data: inputs from approved December figures (and the
//! year before, for growth scoring), adjustment counts with their evidence, and the published
//! rankings of earlier years as context.

use std::collections::{BTreeMap, HashMap};

use nengji_core::evaluate::{self, Context, DataColumn, Evidence, Inputs, McOptions, PastRanking, Scheme, UnitInfo};
use nengji_core::expr::{self, Env, Scope};
use nengji_core::period::Month;
use nengji_core::supervision::{DeductionCase, DeductionCounts, DeductionKind, Role as SvRole};
use nengji_store::evaluations::{self, AdjustmentInput};
use nengji_store::supervision as sv;
use nengji_store::observations::{self, Filter};
use nengji_store::{masterdata, Actor, Db};

use crate::error::AppError;

/// The demo scheme (TOML), also the starting point the office edits.
pub const DEMO_SCHEME: &str = include_str!("demo_scheme.toml");

pub fn parse_scheme(text: &str) -> Result<Scheme, String> {
    toml::from_str(text).map_err(|e| format!("方案不是有效的 TOML：{e}"))
}

struct December {
    zone: String,
    values: HashMap<(String, i32), f64>,
}

impl Env for December {
    fn value(&self, indicator: &str, period: Month, scope: &Scope) -> Option<f64> {
        match scope {
            Scope::Zone(z) if *z == self.zone => self.values.get(&(indicator.to_string(), period.year())).copied(),
            _ => None,
        }
    }
}

/// Units × columns for `year`: every catalogue indicator at December (formula indicators
/// computed from their parts), `X_prev` for the year before, and the adjustment counts.
pub async fn build_inputs(db: &Db, scheme: &Scheme, year: i32) -> Result<Inputs, AppError> {
    let zones = masterdata::list_zones(db).await?;
    let inds = masterdata::list_indicators(db).await?;
    let months = [Month::new(year - 1, 12).expect("valid"), Month::new(year, 12).expect("valid")];
    let f = Filter { from: Some(months[0]), to: Some(months[1]), approved_only: true, ..Filter::default() };
    let mut by_zone: HashMap<String, HashMap<(String, i32), f64>> = HashMap::new();
    for o in observations::query(db, &f).await? {
        if let Ok(m) = o.period.parse::<Month>() {
            if months.contains(&m) {
                by_zone.entry(o.zone).or_default().insert((o.indicator, m.year()), o.value);
            }
        }
    }
    let value = |zone: &str, code: &str, y: i32| -> Option<f64> {
        let env = December { zone: zone.to_string(), values: by_zone.get(zone).cloned().unwrap_or_default() };
        match inds.iter().find(|i| i.indicator.code == code).and_then(|i| i.indicator.formula.clone()) {
            Some(formula) => expr::eval_number(&expr::parse(&formula).ok()?, &env, Month::new(y, 12)?, &Scope::Zone(zone.into())),
            None => env.values.get(&(code.to_string(), y)).copied(),
        }
    };
    let adjustments = evaluations::adjustment_inputs(db, year).await?;
    let adj_columns: Vec<String> = scheme.adjustments.iter().map(|a| a.column.clone()).collect();
    let mut wanted: Vec<String> = scheme.indicators.iter().map(|i| i.column().to_string()).collect();
    for i in &scheme.indicators {
        if let Some(base) = growth_base(i) {
            wanted.push(base);
        }
    }
    wanted.sort();
    wanted.dedup();
    let mut columns = Vec::new();
    for c in wanted.iter().filter(|c| !adj_columns.contains(c)) {
        let (code, y) = match c.strip_suffix("_prev") { Some(base) => (base, year - 1), None => (c.as_str(), year) };
        // A column the catalogue lacks is left out, so the engine reports it as unknown instead of
        // scoring an all-empty column.
        if !inds.iter().any(|i| i.indicator.code == code) {
            continue;
        }
        columns.push(DataColumn { code: c.clone(), values: zones.iter().map(|z| value(&z.zone.code, code, y)).collect() });
    }
    // Supervision (督办) columns come from the year's overdue and red tasks of the units each zone
    // answers for, with every case as evidence; entered adjustments of the same column add to them.
    let supervised = |c: &str| DeductionCounts::COLUMNS.iter().position(|(code, _)| *code == c);
    let deductions = match adj_columns.iter().any(|c| supervised(c).is_some()) {
        true => Some(sv::deductions(db, year, supervision_as_of(year, chrono::Utc::now())).await?),
        false => None,
    };
    let mut evidence: Vec<Evidence> = adjustments.iter().map(|a| Evidence { unit: a.zone.clone(), column: a.item.clone(), text: a.evidence.clone() }).collect();
    for c in &adj_columns {
        let from_tasks = |zone: &str| -> f64 {
            let (Some(k), Some(d)) = (supervised(c), &deductions) else { return 0.0 };
            d.zones.iter().find(|z| z.zone == zone).map_or(0.0, |z| z.counts.values()[k] as f64)
        };
        columns.push(DataColumn {
            code: c.clone(),
            values: zones
                .iter()
                .map(|z| Some(from_tasks(&z.zone.code) + adjustments.iter().filter(|a| a.zone == z.zone.code && &a.item == c).map(|a| a.value).sum::<f64>()))
                .collect(),
        });
        if let (Some(k), Some(d)) = (supervised(c), &deductions) {
            for z in d.zones.iter().filter(|z| z.counts.values()[k] > 0) {
                for u in d.units.iter().filter(|u| z.via.contains(&u.unit)) {
                    for case in u.cases.iter().filter(|case| case_column(case) == k) {
                        evidence.push(Evidence { unit: z.zone.clone(), column: c.clone(), text: format!("督办：{} 第{}项“{}”{}", u.unit_name, case.seq, case.title, case.detail) });
                    }
                }
            }
        }
    }
    let units = zones
        .iter()
        .map(|z| UnitInfo { code: z.zone.code.clone(), name: z.zone.short_name.clone(), groups: BTreeMap::from([("类型".to_string(), z.zone.kind.label().to_string())]) })
        .collect();
    Ok(Inputs { units, columns, evidence })
}

/// Supervision counts for the evaluation of `year`: as of its last day (Beijing time), or now
/// while the year is still running.
fn supervision_as_of(year: i32, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    let end = chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("valid").and_hms_opt(15, 59, 59).expect("valid").and_utc();
    end.min(now)
}

/// Which of `DeductionCounts::COLUMNS` a case counts in.
fn case_column(case: &DeductionCase) -> usize {
    match (case.kind, case.role) {
        (DeductionKind::Overdue, SvRole::Lead) => 0,
        (DeductionKind::Overdue, _) => 1,
        (DeductionKind::Red, SvRole::Lead) => 2,
        (DeductionKind::Red, _) => 3,
    }
}

/// The base column a growth-scored indicator names, if any.
fn growth_base(i: &evaluate::IndicatorSpec) -> Option<String> {
    let v = serde_json::to_value(i.scoring.as_ref()?).ok()?;
    v.get("base").and_then(|b| b.as_str()).map(String::from)
}

/// Earlier published rankings, for rank change and "twice in the bottom N".
pub async fn context(db: &Db, year: i32) -> Result<Context, AppError> {
    let history = evaluations::runs(db)
        .await?
        .into_iter()
        .filter(|r| r.published && r.year < year)
        .map(|r| PastRanking {
            year: r.year,
            ranks: r.outcome.units.iter().zip(&r.outcome.ranks).filter_map(|(u, k)| Some((u.code.clone(), (*k)?))).collect(),
        })
        .collect();
    Ok(Context { year: Some(year), history })
}

/// Computes and stores a run (draft), with `replications` Monte Carlo rounds (0 = none).
pub async fn run(db: &Db, actor: &Actor, scheme_id: i64, year: i32, replications: usize) -> Result<i64, AppError> {
    let stored = evaluations::scheme(db, scheme_id).await?.ok_or_else(|| AppError::NotFound(format!("考核方案 {scheme_id}")))?;
    let inputs = build_inputs(db, &stored.scheme, year).await?;
    let ctx = context(db, year).await?;
    // One preparation for the nominal run and the Monte Carlo run, off the async workers.
    // A fixed seed per year: the same run gives the same bands.
    let opts = (replications > 0).then(|| McOptions { replications, seed: 2018_0000 + year as u64, threads: None });
    let (scheme, inputs2, ctx2) = (stored.scheme.clone(), inputs.clone(), ctx.clone());
    let (outcome, mc) = tokio::task::spawn_blocking(move || -> Result<_, evaluate::EvalError> {
        let ev = evaluate::Evaluation::new(&scheme, &inputs2)?;
        let mc = opts.map(|o| ev.monte_carlo(&o)).transpose()?;
        Ok((ev.outcome(&ctx2), mc))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(evaluations::save_run(db, actor, scheme_id, year, &inputs, &ctx, &outcome, mc.as_ref()).await?)
}

/// Re-runs a stored run from its frozen scheme, inputs and context: true when identical.
pub async fn reproduces(db: &Db, id: i64) -> Result<bool, AppError> {
    let r = evaluations::run(db, id).await?.ok_or_else(|| AppError::NotFound(format!("考核 {id}")))?;
    let s = evaluations::scheme(db, r.scheme_id).await?.ok_or_else(|| AppError::NotFound("考核方案".into()))?;
    let again = evaluate::evaluate(&s.scheme, &r.inputs, &r.context).map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(serde_json::to_string(&again).ok() == serde_json::to_string(&r.outcome).ok() && again == r.outcome)
}

/// The demo: the scheme, a few adjustment cases with evidence, and published 2018 and 2019 rankings.
pub async fn demo(db: &Db) -> Result<(), AppError> {
    let actor = Actor::system("demo");
    if !evaluations::runs(db).await?.is_empty() {
        return Ok(());
    }
    let scheme = parse_scheme(DEMO_SCHEME).map_err(AppError::BadRequest)?;
    let id = evaluations::save_scheme(db, &actor, &scheme).await?;
    let cases = [
        (2018, "wenan_etdz", "eco_issues", 2.0, "2018年省环保督察反馈问题2项（示例数据）"),
        (2019, "dacheng_etdz", "eco_issues", 3.0, "2019年中央环保督察“回头看”反馈问题3项（示例数据）"),
        (2019, "guangyang_etdz", "overdue_tasks", 2.0, "2019年督办任务逾期2项（示例数据）"),
    ];
    for (year, zone, item, value, evidence) in cases {
        evaluations::set_adjustment_input(db, &actor, year, &AdjustmentInput { zone: zone.into(), item: item.into(), value, evidence: evidence.into() }).await?;
    }
    for year in [2018, 2019] {
        let run = run(db, &actor, id, year, 200).await?;
        evaluations::publish(db, &actor, run).await?;
    }
    Ok(())
}
