//! The demo's supervision: the seed plan's ledger adopted 100 days ago with deadlines and
//! milestones set around today, progress reports, 催办 (one answered, one unread, one unanswered
//! long enough to be escalated to the leader) and one task closed with a rating — so every
//! light, alert and page has something to show. Loaded once; later runs only sweep.

use chrono::{DateTime, Duration, Utc};
use nengji_core::supervision::ledger;

use super::{Channel, NewReport};
use crate::audit::Actor;
use crate::db::Db;

/// The plan the city adopted in 2018 (the seed).
pub const SEED_TEXT: &str = include_str!("../../../../docs/plan/langfang-2018.txt");
pub const SEED_NAME: &str = "关于推进开发区提升能级打造高质量发展新平台的实施方案";

/// One dated step of the demo story, replayed in date order so lights and alerts are recorded
/// as they would have been.
enum Step {
    Report { seq: i64, unit: String, body: String, milestone: Option<&'static str>, close: bool },
    Urge { seq: i64, unit: &'static str, channel: Channel, message: &'static str },
    Reply { seq: i64, unit: &'static str, text: &'static str },
    Close { seq: i64, rating: &'static str, comment: &'static str },
}

const PROGRESS: [&str; 4] = [
    "已制定年度工作方案，明确责任分工和时间节点，召开专题推进会议，各项工作按计划推进。",
    "本月完成阶段性工作：梳理重点项目清单，对接京津有关单位，形成问题台账并逐项销号。",
    "已与相关开发区开展对接，完成调研报告初稿，下一步将提请领导小组审议。",
    "按照方案要求推进落实，已召开两次协调会，存在的要素保障问题已报市开发区办协调。",
];

/// Loads the demo's supervision data (once) and sweeps; returns a line for the demo's output.
pub async fn load_demo(db: &Db, now: DateTime<Utc>) -> crate::Result<String> {
    if !super::plans(db).await?.is_empty() {
        let s = super::sweep(db, now).await?;
        return Ok(format!("督办：任务分解已采用（本次更新亮灯 {} 项，提醒 {} 条，升级督办 {} 件）", s.lights, s.raised + s.repeated, s.escalated));
    }
    let office = Actor::system("demo");
    let today = super::beijing_date(now);
    let day = |ago: i64| now - Duration::days(ago);
    let date = |ahead: i64| today + Duration::days(ahead);
    let adopted_at = day(100);

    let id = super::create_draft(db, &office, SEED_NAME, SEED_TEXT, None, adopted_at).await?;
    let mut d = super::draft(db, id).await?;
    // Deadlines around today: most ahead, 第9项 due soon, 第15项 and 第23项 overdue.
    for (i, t) in d.ledger.tasks.iter_mut().enumerate() {
        let seq = i as i64 + 1;
        let ahead = match seq {
            9 => 10,
            15 => -20,
            23 => -3,
            1 => 30,
            _ => 45 + 30 * (seq % 9),
        };
        t.deadline = date(ahead).to_string();
    }
    let v = super::save_draft(db, &office, id, d.version, &d.ledger, adopted_at).await?;
    let problems = ledger::check(&d.ledger, &super::registry(db).await?);
    debug_assert!(problems.is_empty(), "{problems:?}");
    let adopted = super::adopt(db, &office, id, v, adopted_at).await?;
    let tasks = super::tasks(db, Some(adopted.plan_id)).await?;
    let task = |seq: i64| tasks.iter().find(|t| t.seq == seq).map(|t| t.id).expect("seed task");

    // Milestones: 第6项 (市科技局) has one missed for 12 days — red until 科技局 reports it done.
    super::add_milestone(db, &office, task(6), "完成高新技术企业后备库入库", date(-12), adopted_at).await?;
    super::add_milestone(db, &office, task(6), "组织第一批企业申报", date(40), adopted_at).await?;
    super::add_milestone(db, &office, task(1), "完成产业规划编制", date(-20), adopted_at).await?;
    super::add_milestone(db, &office, task(15), "完成闲置土地核查", date(-40), adopted_at).await?;
    super::add_milestone(db, &office, task(9), "签约重点项目", date(20), adopted_at).await?;

    let mut steps: Vec<(i64, Step)> = Vec::new();
    // Two thirds of the tasks have a recent report by their first lead (or responsible) unit;
    // the rest have none since adoption and show yellow.
    for t in &tasks {
        if t.seq % 3 == 0 || [6, 15].contains(&t.seq) {
            continue;
        }
        let Some(unit) = t.reporting_units().first().map(|u| u.code.clone()) else { continue };
        let body = format!("{}：{}", t.title, PROGRESS[(t.seq % 4) as usize]);
        steps.push((5 + t.seq % 20, Step::Report { seq: t.seq, unit, body, milestone: None, close: false }));
    }
    steps.push((20, Step::Report { seq: 6, unit: "kjj".into(), body: "加快培育壮大创新主体：已完成后备企业摸底，入库材料正在审核。".into(), milestone: None, close: false }));
    steps.push((45, Step::Report { seq: 15, unit: "gtj".into(), body: "全面清理闲置土地：已部署各县(市、区)开展自查。".into(), milestone: None, close: false }));
    steps.push((9, Step::Report { seq: 1, unit: "swj".into(), body: "产业规划已编制完成并印发，配套政策全部落地，申请销号。".into(), milestone: Some("完成产业规划编制"), close: true }));
    steps.push((5, Step::Close { seq: 1, rating: "良好", comment: "规划和政策按期完成，建议持续跟踪项目落地" }));
    steps.push((8, Step::Urge { seq: 15, unit: "gtj", channel: Channel::Phone, message: "闲置土地核查已逾期，请于3日内报送核查结果和处置计划。" }));
    steps.push((6, Step::Urge { seq: 9, unit: "swj", channel: Channel::Document, message: "重点项目签约节点临近，请报送签约准备情况。" }));
    steps.push((5, Step::Reply { seq: 9, unit: "swj", text: "已与5个重点项目完成洽谈，计划下旬集中签约。" }));
    steps.push((2, Step::Urge { seq: 6, unit: "kjj", channel: Channel::System, message: "“完成高新技术企业后备库入库”节点已逾期，请尽快报送完成情况。" }));
    // Oldest first; at one day, reports before the urges and closes that follow them.
    steps.sort_by_key(|(ago, s)| (-ago, matches!(s, Step::Close { .. } | Step::Reply { .. })));

    let (mut reports, mut urges) = (0, 0);
    for (ago, step) in steps {
        let at = day(ago);
        match step {
            Step::Report { seq, unit, body, milestone, close } => {
                let t = super::task(db, task(seq)).await?;
                let milestone = milestone.and_then(|m| t.milestones.iter().find(|x| x.title == m).map(|x| x.id));
                let who = Actor::system(&format!("{}填报员", t.units.iter().find(|u| u.code == unit).map(|u| u.name.as_str()).unwrap_or(&unit)));
                super::file_report(db, &who, NewReport { task_id: t.id, unit: Some(unit), body, milestone, request_close: close, file: None }, at).await?;
                reports += 1;
            }
            Step::Urge { seq, unit, channel, message } => {
                super::urge(db, &office, task(seq), &[unit.to_string()], channel, message, at).await?;
                urges += 1;
            }
            Step::Reply { seq, unit, text } => {
                let g = super::urges(db, Some(task(seq)), Some(unit)).await?.into_iter().next().expect("urged");
                super::reply(db, &Actor::system("市商务局填报员"), g.id, unit, text, at).await?;
            }
            Step::Close { seq, rating, comment } => super::close(db, &office, task(seq), rating, comment, at).await?,
        }
    }
    let s = super::sweep(db, now).await?;
    let escalated = super::escalations(db, None).await?.len();
    Ok(format!(
        "督办：已采用《{SEED_NAME}》任务 {} 项、量化目标 {} 项；进展报送 {reports} 条，催办 {urges} 次，升级领导督办 {escalated} 件，当前提醒 {} 条",
        adopted.added,
        adopted.targets,
        super::alerts(db, None, None, true).await?.len().max(s.raised)
    ))
}
