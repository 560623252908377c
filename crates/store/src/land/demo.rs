//! The demo parcel ledger (示例数据): 60 parcels across the 15 zones, dated relative to today,
//! with idle cases at every step of the procedure — unfiled, suspected (in time and overdue),
//! notice served (in time and overdue), reply, cleared, 认定, publication, a negotiated plan
//! (extension and temporary use), hearing notice, decision (in time and overdue), executed,
//! appealed and disposed — plus parcels not yet due and started ones. Idempotent: a second run
//! finds the parcels and adds nothing.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use nengji_core::land::parcel::{Parcel, StartEvidence};
use nengji_core::land::procedure::Step;
use nengji_core::land::rules::{Cause, DisposalOption, Supply};

use super::{create, parcel_by_code, record_step, NewStep};
use crate::audit::Actor;
use crate::db::Db;

/// What one demo parcel is meant to show.
struct Variant {
    /// Steps recorded, the last one `last_ago` days before today, earlier ones 15 days apart.
    path: &'static [Step],
    last_ago: i64,
    /// The due start date, days before today (`None`: no contract date; handover a year earlier).
    start_ago: i64,
    contract_start: bool,
    cause: Option<Cause>,
    started: bool,
    plan: Option<DisposalOption>,
}

const HOLDER_PATH: [Step; 9] =
    [Step::Suspected, Step::Notice, Step::Reply, Step::Determination, Step::Publication, Step::HearingNotice, Step::Decision, Step::Executed, Step::Disposed];
const GOV_PATH: [Step; 7] = [Step::Suspected, Step::Notice, Step::Reply, Step::Determination, Step::Publication, Step::Plan, Step::Disposed];

fn variants() -> Vec<Variant> {
    let v = |path: &'static [Step], last_ago, start_ago, cause| Variant { path, last_ago, start_ago, contract_start: true, cause, started: false, plan: None };
    let fee = 565; // idle since 200 days ago: the fee stage
    let h = Some(Cause::Holder);
    vec![
        Variant { started: true, ..v(&[], 0, 900, None) },
        v(&[], 0, 120, None),
        Variant { contract_start: false, ..v(&[], 0, 700, None) },
        v(&HOLDER_PATH[..1], 5, fee, None),
        v(&HOLDER_PATH[..1], 40, fee, None),
        v(&HOLDER_PATH[..2], 10, fee, None),
        v(&HOLDER_PATH[..2], 45, fee, None),
        v(&HOLDER_PATH[..3], 20, fee, None),
        Variant { started: true, ..v(&[Step::Suspected, Step::Notice, Step::Reply, Step::Cleared], 30, 500, None) },
        Variant { contract_start: false, ..v(&HOLDER_PATH[..4], 25, fee, h) },
        v(&GOV_PATH[..5], 15, 900, Some(Cause::PlanRevised)),
        Variant { plan: Some(DisposalOption::Extend), ..v(&GOV_PATH[..6], 60, 900, Some(Cause::NewPolicy)) },
        v(&HOLDER_PATH[..6], 12, fee, h),
        v(&HOLDER_PATH[..7], 8, fee, h),
        v(&HOLDER_PATH[..7], 50, fee, h),
        v(&HOLDER_PATH[..8], 30, fee, h),
        v(&[Step::Suspected, Step::Notice, Step::Reply, Step::Determination, Step::Publication, Step::HearingNotice, Step::Decision, Step::Appealed], 20, 1100, h),
        v(&HOLDER_PATH, 10, fee, h),
        Variant { plan: Some(DisposalOption::TemporaryUse), ..v(&GOV_PATH, 10, 1000, Some(Cause::Petitions)) },
        Variant { started: true, ..v(&HOLDER_PATH[..1], 3, 1100, None) },
    ]
}

const GOV_CAUSES: [Cause; 7] =
    [Cause::LandNotDelivered, Cause::PlanRevised, Cause::NewPolicy, Cause::Petitions, Cause::MilitaryOrHeritage, Cause::OtherGovernmentAct, Cause::ForceMajeure];

const HOLDERS: [&str; 10] = ["新材料", "智能装备", "电子信息", "生物医药", "食品", "汽车零部件", "物流", "新能源", "精密机械", "包装材料"];

fn parcel(k: usize, zone: &str, v: &Variant, today: NaiveDate) -> Parcel {
    let start = today - Duration::days(v.start_ago);
    let handover = start - Duration::days(365);
    let area = 10_000.0 + ((k * 7919) % 60_000) as f64;
    let price_fen = (area * 45_000.0) as i64; // 450 元/m²
    let planned_fen = price_fen * 6;
    let cause = match v.cause {
        // Government-caused cases cycle through the six causes and force majeure.
        Some(c) if c.is_government() => Some(GOV_CAUSES[k % GOV_CAUSES.len()]),
        c => c,
    };
    let (started, evidence, halted, developed, invested) = match (v.started, v.path.first()) {
        // Case B: started, a fifth developed, halted two years ago.
        (true, Some(_)) if v.path.len() == 1 => (Some(start - Duration::days(30)), Some(StartEvidence::Piles), Some(today - Duration::days(730)), (area / 5.0).round(), planned_fen / 10),
        (true, _) => (Some(start - Duration::days(20)), Some(StartEvidence::Foundation), None, (area * 0.6).round(), planned_fen / 2),
        _ => (None, None, None, 0.0, 0),
    };
    let body = format!("91131000MA0{:06}", 100_000 + k * 37);
    Parcel {
        code: format!("示例-{:03}", k + 1),
        zone: zone.to_string(),
        holder: format!("廊坊示例{}有限公司（第{}号）", HOLDERS[k % HOLDERS.len()], k + 1),
        uscc: nengji_core::uscc::with_check_digit(&body).expect("17 characters"),
        land_use: if k % 11 == 10 { "仓储用地" } else { "工业用地" }.into(),
        area_m2: area,
        supply: Supply::Sale,
        supply_date: Some(handover - Duration::days(90)),
        contract_start: v.contract_start.then_some(start),
        contract_completion: Some(start + Duration::days(730)),
        handover: Some(handover),
        price_fen,
        planned_fen,
        invested_fen: invested,
        to_develop_m2: area,
        developed_m2: developed,
        started,
        start_evidence: evidence,
        halted,
        cause,
        mortgagee: if k.is_multiple_of(4) { "中国银行廊坊分行".into() } else { String::new() },
        monitored: true,
        note: "示例数据".into(),
    }
}

/// Loads the demo ledger; returns a line for the console.
pub async fn load_demo(db: &Db, now: DateTime<Utc>) -> crate::Result<String> {
    let actor = Actor::system("demo");
    let today = crate::supervision::beijing_date(now);
    let zones = crate::masterdata::list_zones(db).await?;
    let vs = variants();
    let (mut added, mut steps) = (0, 0);
    for k in 0..60 {
        let v = &vs[k % vs.len()];
        let zone = &zones[k % zones.len()].zone.code;
        let p = parcel(k, zone, v, today);
        if parcel_by_code(db, &p.code).await?.is_some() {
            continue;
        }
        let id = create(db, &actor, &p, true, now).await?;
        added += 1;
        let n = v.path.len() as i64;
        for (i, step) in v.path.iter().enumerate() {
            let on = today - Duration::days(v.last_ago + 15 * (n - 1 - i as i64));
            let mut s = NewStep { step: step.code().into(), on: Some(on), doc_no: doc_no(*step, k, on), note: String::new(), ..NewStep::default() };
            if *step == Step::Plan {
                let o = v.plan.unwrap_or(DisposalOption::Extend);
                s.option = Some(o.code().into());
                match o {
                    DisposalOption::TemporaryUse => s.temporary_until = Some(on + Duration::days(365)),
                    _ => s.new_start_due = Some(on + Duration::days(300)),
                }
                s.note = "示例：经市政府批准的闲置土地处置方案".into();
            }
            record_step(db, &actor, id, &s, now).await?;
            steps += 1;
        }
    }
    Ok(if added == 0 {
        "闲置土地台账：示例宗地已存在，未重复加载".into()
    } else {
        format!("闲置土地台账：加载示例宗地 {added} 宗（15个开发区），程序环节 {steps} 条")
    })
}

fn doc_no(step: Step, k: usize, on: NaiveDate) -> String {
    use chrono::Datelike;
    let kind = match step {
        Step::Notice => "闲调",
        Step::Determination => "闲认",
        Step::Decision => "闲决",
        Step::Plan => "闲处",
        _ => return String::new(),
    };
    format!("廊国土{kind}〔{}〕{}号", on.year(), k + 1)
}
