//! The service functions the land pages, the CLI demo and the tests share: seed the example
//! schemes, run an intensive-use evaluation, grade a year, re-grade after corrections, the
//! consecutive-year count behind escalating price items, the result tables and the demo.

use std::collections::HashMap;

use chrono::Duration;
use nengji_core::landuse::intensive::{self, IntensiveOutcome, IntensiveScheme, LandStats};
use nengji_core::landuse::mujun::{self, MujunOutcome, MujunScheme, NOT_RATED};
use nengji_core::landuse::{examples, synth};
use nengji_core::masterdata::Table;
use nengji_store::landuse::{self, MujunRun, RunStatus, SchemeKind, Stored};
use nengji_store::{masterdata, Actor, Db};

use crate::error::AppError;

/// Seeds the example schemes (黄岩区, 淮安, the intensive-use default) where their code is new.
pub async fn ensure_schemes(db: &Db, actor: &Actor) -> Result<(), AppError> {
    let have: Vec<String> = landuse::latest_schemes::<MujunScheme>(db, SchemeKind::Mujun).await?.into_iter().map(|s| s.code).collect();
    for s in [examples::huaian(), examples::huangyan_2022()] {
        if !have.contains(&s.code) {
            landuse::save_scheme(db, actor, SchemeKind::Mujun, &s.code, &s.name, &s, 0).await?;
        }
    }
    if landuse::latest_schemes::<IntensiveScheme>(db, SchemeKind::Intensive).await?.is_empty() {
        let s = examples::intensive_default();
        landuse::save_scheme(db, actor, SchemeKind::Intensive, &s.code, &s.name, &s, 0).await?;
    }
    Ok(())
}

pub async fn intensive_scheme(db: &Db, id: i64) -> Result<Stored<IntensiveScheme>, AppError> {
    landuse::scheme(db, SchemeKind::Intensive, id).await?.ok_or_else(|| AppError::NotFound(format!("集约利用评价方案 {id}")))
}

pub async fn mujun_scheme(db: &Db, id: i64) -> Result<Stored<MujunScheme>, AppError> {
    landuse::scheme(db, SchemeKind::Mujun, id).await?.ok_or_else(|| AppError::NotFound(format!("亩均评价方案 {id}")))
}

/// Evaluates every zone with 主区 statistics for `year` and stores the result.
pub async fn evaluate_land(db: &Db, actor: &Actor, scheme_id: i64, year: i32) -> Result<i64, AppError> {
    let scheme = intensive_scheme(db, scheme_id).await?;
    let names: HashMap<String, String> = masterdata::list_zones(db).await?.into_iter().map(|z| (z.zone.code, z.zone.name)).collect();
    let input: Vec<(LandStats, String)> = landuse::stats(db, year, None)
        .await?
        .into_iter()
        .map(|s| {
            let name = names.get(&s.stats.zone).cloned().unwrap_or_default();
            (s.stats, name)
        })
        .collect();
    if !input.iter().any(|(s, _)| s.area == intensive::EvalArea::Main) {
        return Err(AppError::BadRequest(format!("{year}年没有任何开发区的主区用地统计，无法评价")));
    }
    let outcome = intensive::evaluate(&scheme.scheme, year, &input).map_err(AppError::BadRequest)?;
    Ok(landuse::save_land_eval(db, actor, scheme_id, &outcome).await?)
}

async fn grade_outcome(db: &Db, scheme: &MujunScheme, year: i32) -> Result<MujunOutcome, AppError> {
    let firms = landuse::figures(db, year, None).await?;
    if firms.is_empty() {
        return Err(AppError::BadRequest(format!("{year}年没有企业亩均数据，请先导入")));
    }
    let prior = if scheme.needs_prior() { Some(landuse::figures(db, year - 1, None).await?) } else { None };
    mujun::grade(scheme, year, firms, prior.as_deref()).map_err(AppError::BadRequest)
}

/// Grades `year`'s figures with a scheme version; a new draft run.
pub async fn grade(db: &Db, actor: &Actor, scheme_id: i64, year: i32) -> Result<i64, AppError> {
    let scheme = mujun_scheme(db, scheme_id).await?;
    let outcome = grade_outcome(db, &scheme.scheme, year).await?;
    Ok(landuse::create_run(db, actor, scheme_id, &outcome).await?)
}

/// Re-grades a run from the current figures with its own scheme version (after corrections).
pub async fn regrade(db: &Db, actor: &Actor, run_id: i64, expected: i64) -> Result<(), AppError> {
    let run = landuse::run(db, run_id).await?.ok_or_else(|| AppError::NotFound(format!("亩均评价 {run_id}")))?;
    let scheme = mujun_scheme(db, run.scheme_id).await?;
    let outcome = grade_outcome(db, &scheme.scheme, run.year).await?;
    Ok(landuse::recompute(db, actor, run_id, expected, &outcome).await?)
}

/// For each firm of `run`: how many consecutive years (this one included) it has been in its
/// class, counting back through the final results of earlier years.
pub async fn streaks(db: &Db, run: &MujunRun) -> Result<HashMap<String, u32>, AppError> {
    let finals: HashMap<i32, HashMap<String, String>> = landuse::runs(db)
        .await?
        .into_iter()
        .filter(|r| r.status == RunStatus::Final && r.year < run.year)
        .map(|r| (r.year, r.outcome.results.into_iter().map(|x| (x.uscc, x.class)).collect()))
        .collect();
    Ok(run
        .outcome
        .results
        .iter()
        .map(|r| {
            let mut n = 1;
            while finals.get(&(run.year - n as i32)).and_then(|m| m.get(&r.uscc)).is_some_and(|c| *c == r.class && c != NOT_RATED) {
                n += 1;
            }
            (r.uscc.clone(), n)
        })
        .collect())
}

fn num(v: Option<f64>, dp: usize) -> String {
    v.map(|x| format!("{x:.dp$}")).unwrap_or_default()
}

/// A grading as a sheet (rows in rank order within segment and zone; only `zones` if given).
pub fn mujun_table(run: &MujunRun, scheme: &MujunScheme, zones: Option<&[String]>, zone_names: &HashMap<String, String>, streaks: &HashMap<String, u32>) -> Table {
    let metrics: Vec<mujun::Metric> = mujun::Metric::ALL.into_iter().filter(|m| scheme.segments.iter().any(|s| s.items.iter().any(|i| i.metric == *m))).collect();
    let mut header: Vec<String> = ["统一社会信用代码", "企业名称", "开发区", "分组"].iter().map(|s| s.to_string()).collect();
    for m in &metrics {
        header.push(format!("{}（{}）", m.label(), m.unit()));
        header.push(format!("{}得分", m.label()));
    }
    header.extend(["加减分", "总分", "排名", "参评数", "类别", "类别名称", "价格政策", "说明"].iter().map(|s| s.to_string()));
    let seg_name = |c: &str| scheme.segments.iter().find(|s| s.code == c).map(|s| s.name.clone()).unwrap_or_default();
    let mut rows: Vec<&mujun::EnterpriseResult> = run.outcome.results.iter().filter(|r| zones.is_none_or(|z| z.contains(&r.zone))).collect();
    rows.sort_by(|a, b| (a.segment.is_empty(), &a.segment, &a.zone, a.rank.unwrap_or(u32::MAX)).cmp(&(b.segment.is_empty(), &b.segment, &b.zone, b.rank.unwrap_or(u32::MAX))));
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut row = vec![r.uscc.clone(), r.name.clone(), zone_names.get(&r.zone).cloned().unwrap_or_else(|| r.zone.clone()), seg_name(&r.segment)];
            for m in &metrics {
                let it = r.items.iter().find(|i| i.metric == *m);
                row.push(num(it.and_then(|i| i.value), 4));
                row.push(it.map(|i| format!("{:.2}{}", i.score, if i.imputed { "（平均）" } else { "" })).unwrap_or_default());
            }
            row.push(if r.adjustment == 0.0 { String::new() } else { format!("{:+.2}", r.adjustment) });
            row.push(num(r.score, 2));
            row.push(r.rank.map(|k| k.to_string()).unwrap_or_default());
            row.push(if r.group_size > 0 { r.group_size.to_string() } else { String::new() });
            row.push(r.class.clone());
            row.push(scheme.class_name(&r.class).to_string());
            row.push(scheme.consequences_for(&r.class, streaks.get(&r.uscc).copied().unwrap_or(1)).join("；"));
            row.push(r.note.clone());
            row
        })
        .collect();
    Table { sheet: format!("{}年亩均效益评价", run.year), header, rows }
}

/// An intensive-use evaluation as a sheet.
pub fn land_table(o: &IntensiveOutcome, zones: Option<&[String]>) -> Table {
    let mut header: Vec<String> = ["排名", "类型内排名", "开发区代码", "开发区", "类型", "总分"].iter().map(|s| s.to_string()).collect();
    header.extend(intensive::INDICATORS.iter().map(|i| if i.unit.is_empty() { i.name.to_string() } else { format!("{}（{}）", i.name, i.unit) }));
    let rows = o
        .zones
        .iter()
        .filter(|z| zones.is_none_or(|zs| zs.contains(&z.zone)))
        .map(|z| {
            let mut row = vec![z.rank.to_string(), z.rank_in_type.to_string(), z.zone.clone(), z.zone_name.clone(), z.zone_type.label().to_string(), format!("{:.2}", z.score)];
            row.extend(intensive::INDICATORS.iter().map(|i| num(z.indicators.get(i.code).copied().flatten(), 2)));
            row
        })
        .collect();
    Table { sheet: format!("{}年土地集约利用评价", o.year), header, rows }
}

/// The demo (示例数据): land-use statistics of the 15 zones for 2019 and 2020 (one zone without
/// 2020 figures, so its eligibility lapses), both evaluated; enterprise figures 2018–2020,
/// 淮安 scheme: 2019 final after a 公示 with one objection, 2020 in 公示 now. Idempotent.
pub async fn demo(db: &Db) -> Result<String, AppError> {
    let actor = Actor::system("demo");
    ensure_schemes(db, &actor).await?;
    let zones = masterdata::list_zones(db).await?;
    if landuse::stats_years(db).await?.is_empty() {
        for year in [2019, 2020] {
            let rows: Vec<(LandStats, Option<i64>)> = zones
                .iter()
                .enumerate()
                .filter(|(_, z)| !(year == 2020 && z.zone.code == "dacheng_etdz"))
                .map(|(i, z)| (synth::land_stats(&z.zone.code, i, year, i % 3 != 1), None))
                .collect();
            landuse::put_stats(db, &actor, &rows, "示例数据").await?;
        }
        let scheme = landuse::latest_schemes::<IntensiveScheme>(db, SchemeKind::Intensive).await?.remove(0);
        for year in [2019, 2020] {
            evaluate_land(db, &actor, scheme.id, year).await?;
        }
    }
    if landuse::runs(db).await?.iter().any(|r| r.created_by == "demo") {
        return Ok("亩均评价示例已存在，未重复加载".into());
    }
    let pairs: Vec<(String, String)> = zones.iter().map(|z| (z.zone.code.clone(), z.zone.county_code.clone())).collect();
    let mut n = 0;
    for year in [2018, 2019, 2020] {
        let firms = synth::enterprises(&pairs, 40, year, 2018, true);
        n = firms.len();
        landuse::import_figures(db, &actor, &firms, "示例数据").await?;
    }
    let huaian = landuse::latest_schemes::<MujunScheme>(db, SchemeKind::Mujun).await?.into_iter().find(|s| s.code == "huaian").ok_or_else(|| AppError::NotFound("淮安方案".into()))?;
    let today = crate::collect::today();
    let r2019 = grade(db, &actor, huaian.id, 2019).await?;
    let (s, e) = (chrono::NaiveDate::from_ymd_opt(2020, 5, 11).expect("date"), chrono::NaiveDate::from_ymd_opt(2020, 5, 15).expect("date"));
    landuse::start_publicity(db, &actor, r2019, 1, s, e).await?;
    let run = landuse::run(db, r2019).await?.ok_or_else(|| AppError::NotFound("run".into()))?;
    let d_firm = run.outcome.results.iter().find(|r| r.class == "D").map(|r| r.uscc.clone()).unwrap_or_default();
    let oid = landuse::file_objection(db, &Actor::system("yanjiao"), r2019, &d_firm, "企业称2019年税收含总部汇缴部分未计入（示例数据）", s + Duration::days(1)).await?;
    landuse::resolve_objection(db, &actor, oid, false, "经核实，汇缴税款已按属地原则计入，维持原评价（示例数据）").await?;
    landuse::finalise(db, &actor, r2019, 2, e + Duration::days(1)).await?;
    let r2020 = grade(db, &actor, huaian.id, 2020).await?;
    // A window of the scheme's length that began yesterday, so objections can be tried now.
    let (start, end) = (today - Duration::days(1), today + Duration::days(huaian.scheme.publicity_days.max(2) as i64 - 2));
    landuse::start_publicity(db, &actor, r2020, 1, start, end).await?;
    Ok(format!("土地集约利用评价：2019 年 15 家、2020 年 14 家开发区的用地统计（示例数据）已评价；亩均评价：每年 {n} 家企业（2018–2020，示例数据），2019 年已定稿，2020 年公示中（{start} 至 {end}）"))
}
