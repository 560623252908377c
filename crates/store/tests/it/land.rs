//! Idle-land stories on SQLite and PostgreSQL: a parcel registered, edited, and a stale edit
//! refused; the 台账 import (dry run with located errors and nothing written; staged, then
//! committed whole; a stale row refusing the whole import); the procedure in order with its
//! limits, a negotiated plan restarting the clock and one beyond its limit refused; the rule set
//! as data; the demo ledger loaded twice. Every write leaves its audit record; refusals none.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use nengji_core::land::parcel::{Parcel, StartEvidence};
use nengji_core::land::procedure::Step;
use nengji_core::land::rules::{Cause, IdleCase, Supply, Thresholds};
use nengji_core::land::sheet;
use nengji_core::masterdata::Table;
use nengji_store::land::{self, NewStep};
use nengji_store::{audit, seed, Actor, Db, StoreError};

use crate::common;
use common::engines;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(day: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d(day).and_hms_opt(2, 0, 0).unwrap())
}

fn invalid(e: StoreError) -> String {
    match e {
        StoreError::Invalid(m) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn audits(db: &Db) -> i64 {
    audit::count(db).await.unwrap()
}

fn parcel(code: &str, zone: &str) -> Parcel {
    Parcel {
        code: code.into(),
        zone: zone.into(),
        holder: "廊坊某某科技有限公司".into(),
        uscc: "91310110666007217t".into(),
        land_use: "工业用地".into(),
        area_m2: 20_000.0,
        supply: Supply::Sale,
        supply_date: Some(d("2015-05-01")),
        contract_start: Some(d("2016-03-01")),
        contract_completion: Some(d("2018-03-01")),
        handover: Some(d("2015-09-01")),
        price_fen: 1_200_000_000,
        planned_fen: 8_000_000_000,
        invested_fen: 0,
        to_develop_m2: 20_000.0,
        developed_m2: 0.0,
        started: None,
        start_evidence: None,
        halted: None,
        cause: None,
        mortgagee: String::new(),
        monitored: true,
        note: String::new(),
    }
}

async fn fresh() -> Vec<(&'static str, Db, Option<tempfile::TempDir>)> {
    let out = engines().await;
    for (_, db, _) in &out {
        seed::master_data(db, &Actor::system("seed")).await.unwrap();
    }
    out
}

#[tokio::test]
async fn parcels_are_versioned_and_a_stale_edit_is_refused() {
    for (engine, db, _dir) in fresh().await {
        let office = Actor::system("office");
        let before = audits(&db).await;
        let id = land::create(&db, &office, &parcel("GA-001", "jingnan_guan_htz"), false, at("2019-01-02")).await.unwrap();
        assert_eq!(audits(&db).await, before + 1, "{engine}");
        let p = land::parcel(&db, id).await.unwrap().unwrap();
        assert_eq!((p.version, p.parcel.uscc.as_str(), p.zone_name.as_str()), (1, "91310110666007217T", "京南固安高新技术产业开发区"), "{engine}: canonical USCC");
        // Two people open version 1; the first save wins, the second is refused, not overwritten.
        let mut a = p.parcel.clone();
        a.started = Some(d("2017-05-02"));
        a.start_evidence = Some(StartEvidence::DeepPit);
        assert_eq!(land::update(&db, &Actor::system("甲"), id, 1, &a, at("2019-01-03")).await.unwrap(), 2);
        let mut b = p.parcel.clone();
        b.mortgagee = "某银行".into();
        let n = audits(&db).await;
        let m = invalid(land::update(&db, &Actor::system("乙"), id, 1, &b, at("2019-01-04")).await.unwrap_err());
        assert!(m.contains("已被 甲 于 2019-01-03 10:00 修改（当前版本 2，您编辑的是版本 1）"), "{engine}: {m}");
        assert_eq!(audits(&db).await, n, "{engine}: a refusal writes nothing");
        let now = land::parcel(&db, id).await.unwrap().unwrap();
        assert_eq!((now.version, now.parcel.started, now.parcel.mortgagee.as_str()), (2, Some(d("2017-05-02")), ""), "{engine}");
        // Bad input is refused with the field named; duplicates too.
        let mut bad = parcel("GA-002", "jingnan_guan_htz");
        bad.uscc = "91310110666007217A".into();
        bad.started = Some(d("2017-01-01"));
        let m = invalid(land::create(&db, &office, &bad, false, at("2019-01-05")).await.unwrap_err());
        assert!(m.contains("统一社会信用代码：统一社会信用代码校验位错误") && m.contains("动工依据："), "{engine}: {m}");
        let m = invalid(land::create(&db, &office, &parcel("GA-001", "sanhe_etdz"), false, at("2019-01-05")).await.unwrap_err());
        assert_eq!(m, "宗地编号“GA-001”已存在");
        let m = invalid(land::create(&db, &office, &parcel("GA-003", "nowhere"), false, at("2019-01-05")).await.unwrap_err());
        assert_eq!(m, "开发区：“nowhere”不是已登记的开发区");
        assert_eq!(audits(&db).await, n, "{engine}");
    }
}

fn sheet_of(rows: Vec<Vec<String>>) -> Table {
    Table { sheet: sheet::SHEET.into(), header: sheet::header(), rows }
}

#[tokio::test]
async fn a_ledger_import_lands_whole_or_not_at_all() {
    for (engine, db, _dir) in fresh().await {
        let office = Actor::system("office");
        let id = land::create(&db, &office, &parcel("GA-001", "jingnan_guan_htz"), false, at("2019-01-02")).await.unwrap();
        let existing = land::parcel(&db, id).await.unwrap().unwrap();
        let mut edited = sheet::register_cells(&existing.parcel, existing.version);
        edited[2] = "固安某某新材料有限公司".into();
        let mut new = sheet::register_cells(&parcel("SH-001", "sanhe_etdz"), 0);
        new[1] = "三河经开区".into(); // a zone's short name resolves
        new[24] = String::new();
        let mut bad = sheet::register_cells(&parcel("SH-002", "sanhe_etdz"), 0);
        bad[3] = "91310110666007217A".into();
        bad[11] = "2015-02-30".into();
        bad[24] = String::new();
        let n = audits(&db).await;
        let all = |_: &str| true;
        // Dry run with a bad row: every problem located, nothing written.
        let errs = land::check_upload(&db, &sheet_of(vec![edited.clone(), new.clone(), bad]), &all).await.unwrap().unwrap_err();
        let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(shown.contains(&"工作表“闲置土地台账”第4行第D列（统一社会信用代码）：统一社会信用代码校验位错误：第18位应为“T”，实际为“A”".to_string()), "{engine}: {shown:?}");
        assert!(shown.iter().any(|s| s.starts_with("工作表“闲置土地台账”第4行第L列（交地日期）")), "{shown:?}");
        assert_eq!(audits(&db).await, n, "{engine}: a dry run writes nothing");
        // A zone reporter for 三河 may not touch 固安's parcel.
        let sanhe_only = |z: &str| z == "sanhe_etdz";
        let errs = land::check_upload(&db, &sheet_of(vec![edited.clone(), new.clone()]), &sanhe_only).await.unwrap().unwrap_err();
        assert!(errs.iter().any(|e| e.row == 2 && e.message.contains("您无权填报开发区")), "{engine}: {errs:?}");
        // The clean sheet is staged, then committed whole by its uploader only.
        let rows = land::check_upload(&db, &sheet_of(vec![edited.clone(), new.clone()]), &all).await.unwrap().unwrap();
        let staged = land::stage_import(&db, &office, "台账.xlsx", &rows, at("2019-01-03")).await.unwrap();
        assert!(invalid(land::commit_import(&db, &Actor::system("other"), staged, false, at("2019-01-03")).await.unwrap_err()).contains("只能确认自己上传的文件"));
        let c = land::commit_import(&db, &office, staged, false, at("2019-01-03")).await.unwrap();
        assert_eq!((c.added, c.updated, c.unchanged), (1, 1, 0), "{engine}");
        assert!(invalid(land::commit_import(&db, &office, staged, false, at("2019-01-03")).await.unwrap_err()).contains("已处理"));
        let p = land::parcel(&db, id).await.unwrap().unwrap();
        assert_eq!((p.version, p.parcel.holder.as_str()), (2, "固安某某新材料有限公司"), "{engine}");
        assert_eq!(land::parcel_by_code(&db, "SH-001").await.unwrap().unwrap().parcel.zone, "sanhe_etdz");
        // A sheet exported at version 1 is now stale: the dry run names the row.
        let errs = land::check_upload(&db, &sheet_of(vec![edited.clone()]), &all).await.unwrap().unwrap_err();
        assert_eq!(errs[0].message, "宗地“GA-001”在导出（版本 1）后已被 office 修改为版本 2，请重新导出后再改");
        // An edit between staging and commit fails the whole import: the new row is not added either.
        let mut again = sheet::register_cells(&p.parcel, 2);
        again[21] = "中国银行廊坊分行".into();
        let mut third = sheet::register_cells(&parcel("SH-003", "sanhe_etdz"), 0);
        third[24] = String::new();
        let rows = land::check_upload(&db, &sheet_of(vec![third, again]), &all).await.unwrap().unwrap();
        let staged = land::stage_import(&db, &office, "台账2.xlsx", &rows, at("2019-01-04")).await.unwrap();
        land::update(&db, &office, id, 2, &p.parcel, at("2019-01-04")).await.unwrap();
        let n = audits(&db).await;
        let m = invalid(land::commit_import(&db, &office, staged, false, at("2019-01-05")).await.unwrap_err());
        assert_eq!(m, "第3行：宗地“GA-001”在检查后被他人修改，未导入任何内容，请重新上传", "{engine}");
        assert!(land::parcel_by_code(&db, "SH-003").await.unwrap().is_none(), "{engine}: all or nothing");
        assert_eq!(audits(&db).await, n, "{engine}");
        let hist = land::imports(&db, None, 10).await.unwrap();
        assert_eq!(hist.iter().map(|h| h.status.as_str()).collect::<Vec<_>>(), ["staged", "committed"], "{engine}");
    }
}

#[tokio::test]
async fn the_procedure_runs_in_order_with_its_limits_and_the_clock_restarts() {
    for (engine, db, _dir) in fresh().await {
        let office = Actor::system("office");
        let mut p = parcel("LF-009", "langfang_etdz");
        p.cause = Some(Cause::PlanRevised);
        let id = land::create(&db, &office, &p, false, at("2017-01-02")).await.unwrap();
        let step = |s: Step, on: &str| NewStep { step: s.code().into(), on: Some(d(on)), doc_no: format!("{}号", s.code()), ..NewStep::default() };
        // Idle from 2017-03-02 (one full year after 2016-03-01).
        let e = land::ledger_entry(&db, id, d("2017-03-02")).await.unwrap().unwrap();
        assert_eq!((e.assessment.case, e.status()), (Some(IdleCase::NotStarted), "疑似闲置（未立案）"), "{engine}");
        let m = invalid(land::record_step(&db, &office, id, &step(Step::Notice, "2017-03-03"), at("2017-03-03")).await.unwrap_err());
        assert_eq!(m, "尚未立案：第一步应为“发现疑似闲置”");
        let n = audits(&db).await;
        land::record_step(&db, &office, id, &step(Step::Suspected, "2017-03-03"), at("2017-03-03")).await.unwrap();
        assert_eq!(audits(&db).await, n + 1, "{engine}");
        // Discovered Friday 2017-03-03 → the notice is due 2017-04-02 (Sunday) → Monday 2017-04-03.
        let e = land::ledger_entry(&db, id, d("2017-04-04")).await.unwrap().unwrap();
        let dl = e.deadline.unwrap();
        assert_eq!((dl.awaits, dl.due, dl.overdue), (Step::Notice, d("2017-04-03"), true), "{engine}");
        for (s, on) in [(Step::Notice, "2017-04-05"), (Step::Reply, "2017-04-20"), (Step::Determination, "2017-05-10"), (Step::Publication, "2017-05-20")] {
            land::record_step(&db, &office, id, &step(s, on), at(on)).await.unwrap();
        }
        // A plan beyond the one-year extension limit is refused and leaves nothing.
        let n = audits(&db).await;
        let mut plan = NewStep { option: Some("extend".into()), new_start_due: Some(d("2018-06-02")), ..step(Step::Plan, "2017-06-01") };
        let m = invalid(land::record_step(&db, &office, id, &plan, at("2017-06-01")).await.unwrap_err());
        assert_eq!(m, "延长动工开发期限最长不得超过1年：新的动工开发日期最迟为 2018-06-01", "{engine}");
        assert_eq!(audits(&db).await, n);
        plan.new_start_due = Some(d("2018-06-01"));
        land::record_step(&db, &office, id, &plan, at("2017-06-01")).await.unwrap();
        // The clock restarts: not idle on the new start date, idle again after a full year
        // (2019-06-01 is a Saturday, so the year ends Monday 2019-06-03).
        assert!(!land::ledger_entry(&db, id, d("2019-06-03")).await.unwrap().unwrap().assessment.is_idle(), "{engine}");
        let e = land::ledger_entry(&db, id, d("2019-06-04")).await.unwrap().unwrap();
        assert_eq!((e.assessment.idle_from, e.current), (Some(d("2019-06-04")), Some(Step::Plan)), "{engine}");
        let m = invalid(land::record_step(&db, &office, id, &step(Step::Decision, "2019-07-01"), at("2019-07-01")).await.unwrap_err());
        assert_eq!(m, "当前环节为“确定协议处置方案”，下一步只能是：处置完毕");
        land::record_step(&db, &office, id, &step(Step::Disposed, "2019-07-01"), at("2019-07-01")).await.unwrap();
        let steps = land::steps(&db, id).await.unwrap();
        assert_eq!(steps.len(), 7);
        assert_eq!(steps[5].option().map(|o| o.code()), Some("extend"));
        // Holder-caused parcel: no negotiated plan.
        let mut h = parcel("LF-010", "langfang_etdz");
        h.cause = Some(Cause::Holder);
        let hid = land::create(&db, &office, &h, false, at("2017-01-02")).await.unwrap();
        for (s, on) in [(Step::Suspected, "2017-03-03"), (Step::Notice, "2017-03-10"), (Step::Reply, "2017-03-20"), (Step::Determination, "2017-04-10"), (Step::Publication, "2017-04-20")] {
            land::record_step(&db, &office, hid, &step(s, on), at(on)).await.unwrap();
        }
        let m = invalid(land::record_step(&db, &office, hid, &NewStep { option: Some("extend".into()), new_start_due: Some(d("2017-12-01")), ..step(Step::Plan, "2017-05-01") }, at("2017-05-01")).await.unwrap_err());
        assert!(m.contains("土地使用者原因造成的闲置应征缴闲置费或无偿收回"), "{engine}: {m}");
        let e = land::ledger_entry(&db, hid, d("2018-03-02")).await.unwrap().unwrap();
        assert_eq!(e.assessment.consequence, nengji_core::land::rules::Consequence::Recovery, "{engine}");
    }
}

#[tokio::test]
async fn rule_sets_are_data_and_the_demo_loads_once() {
    for (engine, db, _dir) in fresh().await {
        let office = Actor::system("office");
        assert_eq!(land::thresholds(&db).await.unwrap(), Thresholds::default());
        let n = audits(&db).await;
        land::set_thresholds(&db, &office, &Thresholds::hainan()).await.unwrap();
        assert_eq!(land::thresholds(&db).await.unwrap().low_investment_years, Some(2), "{engine}");
        assert_eq!(audits(&db).await, n + 1);
        let bad = Thresholds { developed_den: 0, ..Thresholds::default() };
        assert!(invalid(land::set_thresholds(&db, &office, &bad).await.unwrap_err()).contains("开发面积比例"));
        land::set_thresholds(&db, &office, &Thresholds::default()).await.unwrap();

        let now = at("2026-11-28");
        let first = land::load_demo(&db, now).await.unwrap();
        assert!(first.starts_with("闲置土地台账：加载示例宗地 60 宗"), "{engine}: {first}");
        let again = land::load_demo(&db, now).await.unwrap();
        assert_eq!(again, "闲置土地台账：示例宗地已存在，未重复加载");
        let ledger = land::ledger(&db, None, d("2026-11-28")).await.unwrap();
        assert_eq!(ledger.len(), 60);
        let zones: std::collections::HashSet<_> = ledger.iter().map(|e| e.parcel.parcel.zone.clone()).collect();
        assert_eq!(zones.len(), 15, "{engine}: every zone");
        // Every step of the procedure appears, and overdue limits are flagged.
        for s in Step::ALL {
            assert!(ledger.iter().any(|e| e.current == Some(s)), "{engine}: no demo parcel at {s:?}");
        }
        assert!(ledger.iter().any(|e| e.deadline.is_some_and(|d| d.overdue)) && ledger.iter().any(|e| e.deadline.is_some_and(|d| !d.overdue)));
        assert!(ledger.iter().any(|e| e.status_code() == "unfiled") && ledger.iter().any(|e| e.status_code() == "normal"));
        assert!(ledger.iter().all(|e| e.parcel.is_demo));
        // The 台账 table re-reads through the importer unchanged.
        let t = land::ledger_table(&ledger);
        let rows = land::check_upload(&db, &t, &|_| true).await.unwrap().unwrap();
        assert_eq!(rows.len(), 60);
        assert!(rows.iter().zip(&ledger).all(|(r, e)| r.parcel.code == e.parcel.parcel.code && r.version == Some(e.parcel.version)));
    }
}
