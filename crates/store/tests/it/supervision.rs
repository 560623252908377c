//! Supervision stories (任务分解与督办) on SQLite and PostgreSQL: review and adoption of a parsed
//! plan, a revision with its diff, lights through a task's life, alerts repeated until answered,
//! 催办 with read receipts, replies and escalation, manual lights, 销号, the 任务分解表 round trip,
//! deduction inputs, and the demo. Every write leaves its audit record; refusals leave none.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use nengji_core::masterdata::Table;
use nengji_core::supervision::{ledger, sheet as core_sheet, DeductionCounts, Light, Role};
use nengji_store::supervision::{self as sv, sheet, Channel, NewReport, TaskStatus};
use nengji_store::{audit, seed, Actor, Db, StoreError};

use crate::common;
use common::engines;

/// 10:00 Beijing time on a day.
fn at(day: &str) -> DateTime<Utc> {
    let d: NaiveDate = day.parse().unwrap();
    Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap())
}

fn office() -> Actor {
    Actor::system("office")
}

const PLAN: &str = "关于推进开发区重点工作的实施方案\n\
一、总体要求\n\
(一)工作目标。到2027年，开发区高新技术企业数量达到500家以上。[牵头单位:市科技局;责任单位:各县(市、区)政府]\n\
二、重点任务\n\
(一)精准招商。开展产业链精准招商，每年引进亿元以上项目30个以上。[牵头单位:市商务局、市科技局;责任单位:三河市政府]\n\
(二)清理闲置土地。全面清理开发区闲置土地。[牵头单位:市国土局;责任单位:三河市政府、大厂县政府;完成时限:2026年6月底]\n\
(三)督查考核。加强督导考核。[牵头单位:督查室]\n";

fn invalid(e: StoreError) -> String {
    match e {
        StoreError::Invalid(m) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn audits(db: &Db) -> i64 {
    audit::count(db).await.unwrap()
}

/// Adopts PLAN on 2026-03-02 after fixing its unknown unit; returns the plan id.
async fn adopt_plan(engine: &str, db: &Db) -> i64 {
    let id = sv::create_draft(db, &office(), "重点工作方案", PLAN, None, at("2026-03-01")).await.unwrap();
    let d = sv::draft(db, id).await.unwrap();
    assert_eq!(d.source, PLAN);
    let keys: Vec<&str> = d.ledger.tasks.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys, ["一/(一)#1", "二/(一)#1", "二/(二)#1", "二/(三)#1"], "{engine}");
    assert_eq!(d.ledger.tasks[2].deadline, "2026年6月底");
    assert_eq!(d.ledger.targets.len(), 2, "{engine}: {:?}", d.ledger.targets);

    // The unknown 督查室 blocks adoption, and the refusal writes nothing.
    let before = audits(db).await;
    let e = invalid(sv::adopt(db, &office(), id, d.version, at("2026-03-02")).await.unwrap_err());
    assert_eq!(e, "有 1 处问题，未采用：第4项任务（二/(三)）牵头单位：“督查室”不在单位名录中，是否为：市委督查室、市政府督查室");
    assert_eq!(audits(db).await, before, "{engine}");
    assert!(sv::plans(db).await.unwrap().is_empty());

    let mut l = d.ledger.clone();
    l.tasks[3].lead = ledger::units_from_text("市政府督查室");
    let v = sv::save_draft(db, &Actor::system("reviewer"), id, d.version, &l, at("2026-03-02")).await.unwrap();
    assert_eq!(v, d.version + 1);
    // A save on the old version is refused (someone else saved first).
    let e = invalid(sv::save_draft(db, &office(), id, d.version, &l, at("2026-03-02")).await.unwrap_err());
    assert_eq!(e, "保存被拒绝：该草稿已被 reviewer 修改，请刷新后重新修改");

    let a = sv::adopt(db, &office(), id, v, at("2026-03-02")).await.unwrap();
    assert_eq!((a.added, a.changed, a.withdrawn, a.targets), (4, 0, 0, 2), "{engine}");
    assert_eq!(sv::draft(db, id).await.unwrap().status, "adopted");
    let e = invalid(sv::adopt(db, &office(), id, v + 1, at("2026-03-02")).await.unwrap_err());
    assert_eq!(e, "草稿已采用，不能再次采用");
    a.plan_id
}

#[tokio::test]
async fn a_plan_is_reviewed_adopted_and_revised_with_a_diff() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &office()).await.unwrap();
        let plan = adopt_plan(engine, &db).await;
        let tasks = sv::tasks(&db, Some(plan)).await.unwrap();
        assert_eq!(tasks.iter().map(|t| t.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
        let goal = &tasks[0];
        assert_eq!(goal.lead, ["市科技局"]);
        assert_eq!(goal.responsible, ["各县(市、区)政府"], "{engine}: as written");
        assert_eq!(goal.units.iter().filter(|u| u.role == Role::Responsible).count(), 10, "{engine}: the collective expanded");
        assert_eq!(goal.starts_on, "2026-03-02".parse::<NaiveDate>().unwrap());
        let land = &tasks[2];
        assert_eq!((land.deadline_text.as_str(), land.deadline), ("2026年6月底", "2026-06-30".parse().ok()));
        assert_eq!(sv::tasks_of_unit(&db, "gov_131082").await.unwrap().iter().map(|t| t.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(sv::tasks_of_unit(&db, "kjj").await.unwrap().iter().map(|t| t.seq).collect::<Vec<_>>(), [1, 2]);
        let events = sv::events(&db, land.id).await.unwrap();
        assert!(events[0].summary.starts_with("采用任务分解（草稿 1）：第3项 二/(二) 清理闲置土地"), "{engine}: {:?}", events[0]);

        // A report on 精准招商 before the revision stays with the task afterwards.
        let invest = tasks[1].id;
        sv::file_report(&db, &Actor::system("商务局"), NewReport { task_id: invest, unit: Some("swj".into()), body: "已走访京津企业12家".into(), milestone: None, request_close: false, file: None }, at("2026-03-20")).await.unwrap();

        // The revised plan: 精准招商 gets a third lead, 督查考核 goes, 优化营商环境 comes.
        let revised = PLAN.replace("[牵头单位:市商务局、市科技局;", "[牵头单位:市商务局、市科技局、市发改委;")
            .replace("(三)督查考核。加强督导考核。[牵头单位:督查室]\n", "(三)优化营商环境。推进审批改革。[牵头单位:市行政审批局]\n");
        let r = sv::create_draft(&db, &office(), "重点工作方案（修订）", &revised, Some(plan), at("2026-04-01")).await.unwrap();
        let d = sv::draft(&db, r).await.unwrap();
        let adopted = sv::adopted_ledger(&db, plan).await.unwrap();
        let diff = ledger::diff(&adopted, &d.ledger);
        let changes: Vec<(ledger::ChangeKind, &str)> = diff.tasks.iter().map(|c| (c.kind, c.label.as_str())).collect();
        assert_eq!(changes, [
            (ledger::ChangeKind::Changed, "二/(一) 精准招商"),
            (ledger::ChangeKind::Changed, "二/(三) 优化营商环境"),
        ], "{engine}: same key 二/(三)#1, new content");
        assert!(diff.targets.is_empty(), "{engine}");
        assert_eq!(diff.tasks[0].fields[0].new, "市商务局、市科技局、市发改委");
        let a = sv::adopt(&db, &office(), r, d.version, at("2026-04-02")).await.unwrap();
        assert_eq!((a.added, a.changed, a.withdrawn), (0, 2, 0), "{engine}");
        let t = sv::task(&db, invest).await.unwrap();
        assert_eq!(t.lead, ["市商务局", "市科技局", "市发改委"]);
        assert!(t.role_of("fgw") == Some(Role::Lead));
        assert_eq!(sv::reports(&db, invest).await.unwrap().len(), 1, "{engine}: history stays with the task");
        assert!(sv::events(&db, invest).await.unwrap().iter().any(|e| e.summary.starts_with("方案修订（草稿 2）：牵头单位：市商务局、市科技局 → 市商务局、市科技局、市发改委")));

        // A second revision drops 二/(三) altogether: withdrawn, not deleted.
        let dropped = revised.replace("(三)优化营商环境。推进审批改革。[牵头单位:市行政审批局]\n", "");
        let r2 = sv::create_draft(&db, &office(), "重点工作方案（二次修订）", &dropped, Some(plan), at("2026-04-03")).await.unwrap();
        let v = sv::draft(&db, r2).await.unwrap().version;
        let a = sv::adopt(&db, &office(), r2, v, at("2026-04-03")).await.unwrap();
        assert_eq!(a.withdrawn, 1);
        assert_eq!(sv::tasks(&db, Some(plan)).await.unwrap().len(), 3);
        let gone = sv::task(&db, tasks[3].id).await.unwrap();
        assert_eq!(gone.status, TaskStatus::Withdrawn);
        assert_eq!(sv::plans(&db).await.unwrap()[0].revision, 3);
        assert!(sv::create_draft(&db, &office(), "x", PLAN, Some(99), at("2026-04-03")).await.is_err(), "{engine}: no such plan to revise");
        assert!(audit::verify(&db).await.unwrap().problems.is_empty(), "{engine}");
    }
}

#[tokio::test]
async fn a_task_lives_through_lights_alerts_urges_escalation_and_closing() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &office()).await.unwrap();
        let plan = adopt_plan(engine, &db).await;
        let tasks = sv::tasks(&db, Some(plan)).await.unwrap();
        let land = tasks[2].id;
        let rules = sv::rules(&db).await.unwrap();
        sv::add_milestone(&db, &office(), land, "完成核查", "2026-04-15".parse().unwrap(), at("2026-03-02")).await.unwrap();
        let light = |d: &str| {
            let db = db.clone();
            let day: NaiveDate = d.parse().unwrap();
            async move { sv::task(&db, land).await.unwrap().assess(day, &rules) }
        };
        assert_eq!(light("2026-03-10").await.light, Light::Green, "{engine}");
        assert_eq!(sv::sweep(&db, at("2026-03-10")).await.unwrap().raised, 0);

        // Milestone due in 10 days and no report for 34 days: yellow, six alerts (3 units × 2).
        sv::sweep(&db, at("2026-04-05")).await.unwrap();
        assert_eq!(sv::alerts(&db, Some(land), None, true).await.unwrap().len(), 6, "{engine}");
        assert_eq!(light("2026-04-05").await.light, Light::Yellow);
        let gtj = sv::alerts(&db, Some(land), Some("gtj"), true).await.unwrap();
        let mut msgs: Vec<&str> = gtj.iter().map(|a| a.message.as_str()).collect();
        msgs.sort();
        assert_eq!(msgs, ["节点“完成核查”（2026-04-15）还有 10 天到期", "进展情况应于 2026-04-01 前报送，已逾期 4 天"], "{engine}");
        let before = audits(&db).await;
        assert!(!sv::sweep(&db, at("2026-04-05")).await.unwrap().changed(), "{engine}: a second sweep the same day does nothing");
        assert_eq!(audits(&db).await, before);
        // Not answered: sent again after three days.
        sv::sweep(&db, at("2026-04-08")).await.unwrap();
        assert!(sv::alerts(&db, Some(land), None, true).await.unwrap().iter().all(|a| a.times == 2));

        // Only lead and responsible units report; 市国土局's report answers its alerts.
        let e = invalid(sv::file_report(&db, &office(), NewReport { task_id: land, unit: Some("swj".into()), body: "x".into(), milestone: None, request_close: false, file: None }, at("2026-04-08")).await.unwrap_err());
        assert_eq!(e, "该单位不是第3项任务的牵头或责任单位，不能报送进展");
        let e = invalid(sv::file_report(&db, &office(), NewReport { task_id: land, unit: Some("gtj".into()), body: "  ".into(), milestone: None, request_close: false, file: None }, at("2026-04-08")).await.unwrap_err());
        assert_eq!(e, "进展情况不能为空");
        let before = audits(&db).await;
        let pdf = (String::from("核查进度.pdf"), String::from("application/pdf"), b"%PDF-1.4 demo".to_vec());
        let rid = sv::file_report(&db, &Actor::system("国土局"), NewReport { task_id: land, unit: Some("gtj".into()), body: "已完成三河市核查，大厂县核查过半".into(), milestone: None, request_close: false, file: Some(pdf.clone()) }, at("2026-04-08")).await.unwrap();
        assert!(audits(&db).await > before, "{engine}: the report and its audit record");
        assert_eq!(sv::attachment(&db, land, rid).await.unwrap(), Some(pdf), "{engine}: the attachment comes back byte for byte");
        assert_eq!(sv::attachment(&db, tasks[0].id, rid).await.unwrap(), None, "{engine}: only under its own task");
        let r = &sv::reports(&db, land).await.unwrap()[0];
        assert_eq!((r.unit_name.as_str(), r.file_size), ("市国土局", Some(13)));
        let gtj = sv::alerts(&db, Some(land), Some("gtj"), false).await.unwrap();
        assert!(gtj.iter().all(|a| !a.pending()), "{engine}: answered or resolved: {gtj:?}");
        sv::sweep(&db, at("2026-04-11")).await.unwrap();
        let pending = sv::alerts(&db, Some(land), None, true).await.unwrap();
        assert_eq!(pending.iter().map(|a| (a.unit.as_str(), a.times)).filter(|(_, n)| *n == 3).count(), 4, "{engine}: only the two counties are reminded again: {pending:?}");
        assert!(pending.iter().all(|a| a.unit != "gtj"));

        // Overdue within the grace: yellow; beyond it: red.
        sv::sweep(&db, at("2026-04-20")).await.unwrap();
        let all = sv::alerts(&db, Some(land), None, false).await.unwrap();
        let milestone = |kind: &str, open: bool| all.iter().filter(|a| a.subject == "milestone:完成核查" && a.kind == kind && a.resolved_on.is_none() == open).count();
        assert_eq!((milestone("overdue", true), milestone("due_soon", false), milestone("due_soon", true)), (3, 3, 0), "{engine}: an overdue alert per unit, the due-soon ones resolved");
        assert_eq!(light("2026-04-20").await.reason(), "节点“完成核查”（2026-04-15）逾期 5 天未完成");
        sv::sweep(&db, at("2026-04-25")).await.unwrap();
        let a = light("2026-04-25").await;
        assert_eq!((a.light, a.reason()), (Light::Red, "节点“完成核查”（2026-04-15）逾期 10 天未完成".to_string()), "{engine}");
        // Reaching the milestone turns it green at once.
        let t = sv::task(&db, land).await.unwrap();
        sv::file_report(&db, &Actor::system("国土局"), NewReport { task_id: land, unit: Some("gtj".into()), body: "核查全部完成".into(), milestone: Some(t.milestones[0].id), request_close: false, file: None }, at("2026-04-25")).await.unwrap();
        assert_eq!(light("2026-04-25").await.light, Light::Green);
        let lights: Vec<(String, Light)> = sv::light_history(&db, land).await.unwrap().into_iter().map(|l| (l.on.to_string(), l.light)).collect();
        assert_eq!(lights, [
            ("2026-03-02".to_string(), Light::Green),
            ("2026-04-05".to_string(), Light::Yellow),
            ("2026-04-25".to_string(), Light::Red),
            ("2026-04-25".to_string(), Light::Green),
        ], "{engine}");
        let t = sv::task(&db, land).await.unwrap();
        assert_eq!((t.milestones[0].reached, t.milestones[0].reached_by.as_deref()), ("2026-04-25".parse().ok(), Some("市国土局")));

        // 催办: one county signs and replies, the other signs but stays silent → the leader.
        let ids = sv::urge(&db, &office(), land, &["gov_131082".into(), "gov_131028".into()], Channel::Sms, "请报送本县核查结果", at("2026-05-01")).await.unwrap();
        assert_eq!(ids.len(), 2);
        assert!(matches!(sv::acknowledge(&db, &office(), ids[1], "gov_131082", at("2026-05-01")).await, Err(StoreError::NotFound(_))), "{engine}: not its urge");
        sv::acknowledge(&db, &Actor::system("大厂"), ids[1], "gov_131028", at("2026-05-02")).await.unwrap();
        sv::reply(&db, &Actor::system("三河"), ids[0], "gov_131082", "三河市核查结果已报", at("2026-05-02")).await.unwrap();
        assert_eq!(invalid(sv::reply(&db, &Actor::system("三河"), ids[0], "gov_131082", "再次回复", at("2026-05-02")).await.unwrap_err()), "该催办已回复");
        assert_eq!(sv::sweep(&db, at("2026-05-05")).await.unwrap().escalated, 0, "{engine}: four days is not yet five");
        assert_eq!(sv::sweep(&db, at("2026-05-06")).await.unwrap().escalated, 1);
        let urges = sv::urges(&db, Some(land), None).await.unwrap();
        let dachang = urges.iter().find(|g| g.unit == "gov_131028").unwrap();
        assert_eq!((dachang.read_by.as_deref(), dachang.escalated_on), (Some("大厂"), "2026-05-06".parse().ok()));
        let sanhe = urges.iter().find(|g| g.unit == "gov_131082").unwrap();
        assert_eq!((sanhe.reply.as_deref(), sanhe.read_by.as_deref(), sanhe.channel_label()), (Some("三河市核查结果已报"), Some("三河"), "短信"));
        let esc = sv::escalations(&db, None).await.unwrap();
        assert_eq!(esc.len(), 1);
        assert_eq!(esc[0].reason, "2026-05-01 向大厂县政府催办（短信），5 天未回复");
        sv::instruct(&db, &Actor::system("leader"), esc[0].id, "请大厂县政府主要负责同志三日内说明情况", at("2026-05-07")).await.unwrap();
        assert_eq!(sv::escalations(&db, Some(land)).await.unwrap()[0].instructed_by.as_deref(), Some("leader"));
        assert_eq!(sv::sweep(&db, at("2026-05-20")).await.unwrap().escalated, 0, "{engine}: escalated once");

        // Manual light: a reason is required; it wins until cleared.
        let invest = tasks[1].id;
        let before = audits(&db).await;
        assert_eq!(invalid(sv::set_manual_light(&db, &office(), invest, Some((Light::Red, " ")), at("2026-05-10")).await.unwrap_err()), "人工设定亮灯必须填写理由");
        assert_eq!(audits(&db).await, before, "{engine}: a refusal writes nothing");
        sv::set_manual_light(&db, &office(), invest, Some((Light::Red, "省督查通报进度滞后")), at("2026-05-10")).await.unwrap();
        let a = sv::task(&db, invest).await.unwrap().assess("2026-05-10".parse().unwrap(), &rules);
        assert_eq!((a.light, a.manual, a.reason()), (Light::Red, true, "人工设定：省督查通报进度滞后".to_string()));
        let last = sv::light_history(&db, invest).await.unwrap().pop().unwrap();
        assert_eq!((last.light, last.manual, last.by.as_str()), (Light::Red, true, "office"));
        sv::set_manual_light(&db, &office(), invest, None, at("2026-05-11")).await.unwrap();
        assert!(!sv::task(&db, invest).await.unwrap().assess("2026-05-11".parse().unwrap(), &rules).manual);

        // 销号: a request, returned with a reason, then closed with a rating; closed tasks take no more reports.
        sv::file_report(&db, &Actor::system("商务局"), NewReport { task_id: invest, unit: Some("swj".into()), body: "全年目标已完成".into(), milestone: None, request_close: true, file: None }, at("2026-05-12")).await.unwrap();
        assert_eq!(sv::task(&db, invest).await.unwrap().status, TaskStatus::Closing);
        sv::return_close(&db, &office(), invest, "缺少项目落地佐证材料", at("2026-05-13")).await.unwrap();
        assert_eq!(sv::task(&db, invest).await.unwrap().status, TaskStatus::Open);
        assert_eq!(invalid(sv::close(&db, &office(), invest, "很好", "", at("2026-05-14")).await.unwrap_err()), "评价应为 优秀、良好、合格、不合格 之一");
        sv::close(&db, &office(), invest, "优秀", "提前完成", at("2026-05-14")).await.unwrap();
        let t = sv::task(&db, invest).await.unwrap();
        assert_eq!((t.status, t.rating.as_deref(), t.closed_on), (TaskStatus::Closed, Some("优秀"), "2026-05-14".parse().ok()));
        assert!(sv::alerts(&db, Some(invest), None, true).await.unwrap().is_empty(), "{engine}: closing resolves its alerts");
        let e = invalid(sv::file_report(&db, &office(), NewReport { task_id: invest, unit: None, body: "补充".into(), milestone: None, request_close: false, file: None }, at("2026-05-15")).await.unwrap_err());
        assert_eq!(e, "第2项任务已销号，不能再办理");
        let history: Vec<String> = sv::events(&db, invest).await.unwrap().into_iter().map(|e| e.summary).collect();
        assert!(history.iter().any(|h| h == "退回销号申请：缺少项目落地佐证材料"), "{history:?}");
        assert!(history.iter().any(|h| h == "销号，评价“优秀”：提前完成"), "{history:?}");

        // Deduction inputs of 2026, as of 10 July: 清理闲置土地 overdue (30 June) and red in April.
        sv::set_schedule(&db, &office(), land, "2026-03-02".parse().unwrap(), "2026-06-30", at("2026-05-20")).await.unwrap();
        let d = sv::deductions(&db, 2026, at("2026-07-10")).await.unwrap();
        let unit = |c: &str| d.units.iter().find(|u| u.unit == c).map(|u| u.counts.clone()).unwrap_or_default();
        assert_eq!(unit("gtj"), DeductionCounts { overdue_lead: 1, overdue_responsible: 0, red_lead: 1, red_responsible: 0 }, "{engine}: {d:?}");
        assert_eq!(unit("gov_131028"), DeductionCounts { overdue_lead: 0, overdue_responsible: 1, red_lead: 0, red_responsible: 1 });
        assert_eq!(unit("swj").total(), 1, "{engine}: the manual red counts against 精准招商's units");
        let dachang = d.zones.iter().find(|z| z.zone == "dachang_htz").unwrap();
        assert_eq!((dachang.counts.overdue_responsible, dachang.via.as_slice()), (1, &["gov_131028".to_string()][..]));
        assert!(audit::verify(&db).await.unwrap().problems.is_empty(), "{engine}");
    }
}

fn with_row(t: &Table, row: &[&str]) -> Table {
    let mut t = t.clone();
    t.rows.push(row.iter().map(|s| s.to_string()).collect());
    t
}

#[tokio::test]
async fn the_task_sheet_round_trips_with_a_dry_run_and_an_all_or_nothing_commit() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &office()).await.unwrap();
        let plan = adopt_plan(engine, &db).await;
        let rows = sheet::sheet_rows(&db, plan, None).await.unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!((rows[2].task.as_str(), rows[2].deadline.as_str()), ("清理闲置土地", "2026年6月底"));
        assert_eq!(sheet::sheet_rows(&db, plan, Some("gtj")).await.unwrap().len(), 1);
        let table = core_sheet::to_table(&rows);
        // Unchanged, the sheet imports as nothing to do.
        let clean = sheet::check_upload(&db, plan, &table).await.unwrap().unwrap();
        let id = sheet::stage_import(&db, &office(), plan, "任务分解表.xlsx", &clean, at("2026-03-05")).await.unwrap();
        assert_eq!(sheet::commit_import(&db, &office(), id, at("2026-03-05")).await.unwrap(), sheet::Committed::default(), "{engine}");

        // Problems are listed by row and column, and nothing is written.
        let bad = with_row(&table, &["7", "", "市督查局", "", "明年", ""]);
        let errs: Vec<String> = sheet::check_upload(&db, plan, &bad).await.unwrap().unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, [
            "工作表“任务分解表”第6行第A列（序号）：序号 7 不在当前任务分解表中（新增任务请将序号留空）",
            "工作表“任务分解表”第6行第B列（重点任务）：“重点任务”不能为空",
            "工作表“任务分解表”第6行第C列（牵头单位）：“市督查局”不在单位名录中，请改为名录中的名称或先在主数据中添加该单位",
            "工作表“任务分解表”第6行第E列（完成时限）：无法识别的完成时限“明年”：请写成 2026-06-30、2026年6月底 或 2026年底",
        ], "{engine}");
        sheet::reject_import(&db, &office(), plan, "坏表.xlsx", bad.rows.len(), errs.len(), at("2026-03-05")).await.unwrap();

        // The office edits a deadline and a lead, fills in 进展情况, adds a task.
        let mut edited = table.clone();
        edited.rows[0][4] = "2027年底".into();
        edited.rows[2][2] = "市国土局、市规划局".into();
        edited.rows[1][5] = "已签约项目8个".into();
        let edited = with_row(&edited, &["", "建设开发区综合服务平台", "市政务办", "各县(市、区)政府", "2026-12-31", "已完成需求调研"]);
        let changes = sheet::check_upload(&db, plan, &edited).await.unwrap().unwrap();
        let id = sheet::stage_import(&db, &office(), plan, "任务分解表（修改）.xlsx", &changes, at("2026-03-06")).await.unwrap();
        assert_eq!(invalid(sheet::commit_import(&db, &Actor::system("someone"), id, at("2026-03-06")).await.unwrap_err()), "只能确认自己上传的文件");
        let done = sheet::commit_import(&db, &office(), id, at("2026-03-06")).await.unwrap();
        assert_eq!(done, sheet::Committed { updated: 2, added: 1, progress: 2 }, "{engine}");
        assert_eq!(invalid(sheet::commit_import(&db, &office(), id, at("2026-03-06")).await.unwrap_err()), format!("导入批次 {id} 已处理，不能重复导入"));
        let tasks = sv::tasks(&db, Some(plan)).await.unwrap();
        assert_eq!((tasks[0].deadline_text.as_str(), tasks[0].deadline), ("2027年底", "2027-12-31".parse().ok()));
        assert_eq!(tasks[2].lead, ["市国土局", "市规划局"]);
        assert_eq!(tasks[2].role_of("ghj"), Some(Role::Lead));
        let added = &tasks[4];
        assert_eq!((added.seq, added.key.as_str(), added.section(), added.units.len()), (5, "补充任务#1", "补充任务", 11), "{engine}");
        let r = &sv::reports(&db, tasks[1].id).await.unwrap()[0];
        assert_eq!((r.unit.as_deref(), r.unit_name.as_str(), r.source.as_str(), r.body.as_str()), (None, "市开发区办（代录）", "import", "已签约项目8个"));
        assert!(sv::events(&db, tasks[0].id).await.unwrap().iter().any(|e| e.summary == "任务分解表导入（任务分解表（修改）.xlsx 第2行）：完成时限： → 2027年底"), "{engine}");
        // Exported again, the progress column shows the latest report; re-importing it adds nothing.
        let again = core_sheet::to_table(&sheet::sheet_rows(&db, plan, None).await.unwrap());
        assert_eq!(again.rows[1][5], "2026-03-06 市开发区办（代录）：已签约项目8个");
        let changes = sheet::check_upload(&db, plan, &again).await.unwrap().unwrap();
        let id = sheet::stage_import(&db, &office(), plan, "再导入.xlsx", &changes, at("2026-03-07")).await.unwrap();
        assert_eq!(sheet::commit_import(&db, &office(), id, at("2026-03-07")).await.unwrap(), sheet::Committed::default());
        let history: Vec<(String, String)> = sheet::imports(&db, 10).await.unwrap().into_iter().map(|i| (i.file_name, i.status)).collect();
        assert_eq!(history[2], ("坏表.xlsx".to_string(), "rejected".to_string()), "{engine}: {history:?}");
        assert!(audit::verify(&db).await.unwrap().problems.is_empty(), "{engine}");
    }
}

#[tokio::test]
async fn the_demo_adopts_the_seed_ledger_with_reports_urges_and_an_escalation() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &office()).await.unwrap();
        let now = Utc::now();
        let line = sv::load_demo(&db, now).await.unwrap();
        assert!(line.contains("任务 37 项"), "{engine}: {line}");
        let tasks = sv::tasks(&db, None).await.unwrap();
        assert_eq!(tasks.len(), 37);
        let rules = sv::rules(&db).await.unwrap();
        let today = sv::beijing_date(now);
        let lights: Vec<Light> = tasks.iter().map(|t| t.assess(today, &rules).light).collect();
        for l in Light::ALL {
            assert!(lights.contains(&l), "{engine}: the demo shows every light: {lights:?}");
        }
        let mine = sv::tasks_of_unit(&db, "kjj").await.unwrap();
        let six = mine.iter().find(|t| t.seq == 6).unwrap();
        assert_eq!(six.assess(today, &rules).light, Light::Red, "{engine}: 科技局 has a missed milestone to report");
        assert_eq!(sv::escalations(&db, None).await.unwrap().len(), 1);
        assert_eq!(sv::urges(&db, None, None).await.unwrap().len(), 3);
        assert_eq!(sv::urges(&db, None, Some("kjj")).await.unwrap()[0].read_at, None);
        assert!(tasks.iter().filter(|t| t.last_report().is_some()).count() >= 20);
        assert_eq!(tasks.iter().filter(|t| t.status == TaskStatus::Closed).count(), 1);
        assert!(!sv::alerts(&db, None, Some("kjj"), true).await.unwrap().is_empty());
        // A second run adds nothing.
        sv::load_demo(&db, now).await.unwrap();
        assert_eq!(sv::tasks(&db, None).await.unwrap().len(), 37);
        assert_eq!(sv::escalations(&db, None).await.unwrap().len(), 1);
        assert!(audit::verify(&db).await.unwrap().problems.is_empty(), "{engine}");
    }
}
