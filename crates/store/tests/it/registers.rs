//! Register stories on both engines: create, duplicate key, versioned edit with history,
//! all-or-nothing import with zone scope, entries within their limits, demo load.

use crate::common;

use chrono::NaiveDate;
use nengji_core::masterdata::Table;
use nengji_core::registers::{Entry, Record, RegisterKind};
use nengji_store::registers::{self, demo, imports};
use nengji_store::{seed, Actor, StoreError};

fn table(sheet: &str, header: &[&str], rows: &[&[&str]]) -> Table {
    Table {
        sheet: sheet.into(),
        header: header.iter().map(|s| s.to_string()).collect(),
        rows: rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect(),
    }
}

const ENT_HEADER: &[&str] = &["统一社会信用代码", "企业名称", "所在开发区", "高新技术企业证书编号", "高企证书发证日期"];

#[tokio::test]
async fn records_are_created_once_edited_by_version_and_keep_their_history() {
    for (engine, db, _dir) in common::engines().await {
        let actor = Actor::system("test");
        seed::master_data(&db, &actor).await.unwrap();
        let ctx = imports::context(&db).await.unwrap();
        let kind = RegisterKind::Enterprises;
        let input = |name: &str| {
            vec![
                ("uscc".to_string(), "91310110666007217T".to_string()),
                ("name".to_string(), name.to_string()),
                ("zone".to_string(), "燕郊高新区".to_string()),
            ]
        };
        let rec = nengji_core::registers::parse::parse_fields(kind, &input("甲公司"), &ctx).unwrap();
        assert_eq!(rec.county(), "131082", "{engine}");
        let id = registers::create(&db, &actor, kind, &rec, None).await.unwrap();
        // The same code again is refused with the reason.
        let again = registers::create(&db, &actor, kind, &rec, None).await.unwrap_err();
        assert_eq!(again.to_string(), "统一社会信用代码“91310110666007217T”已登记，不能重复登记", "{engine}");

        // A zone reporter of another zone cannot add or edit it.
        let other = vec!["bazhou_etdz".to_string()];
        assert!(matches!(registers::create(&db, &actor, kind, &Record { ..rec.clone() }, Some(&other)).await, Err(StoreError::Invalid(_))));

        let mut renamed = rec.clone();
        renamed.set("name", "甲科技公司");
        renamed.set("hitech_no", "GR201813000001");
        renamed.set("hitech_date", "2018-11-12");
        assert!(matches!(registers::update(&db, &actor, kind, id, 1, &renamed, Some(&other)).await, Err(StoreError::Invalid(_))), "{engine}");
        let v2 = registers::update(&db, &actor, kind, id, 1, &renamed, Some(&["yanjiao_htz".to_string()])).await.unwrap();
        assert_eq!(v2, 2);
        // A second edit started from version 1 is refused, not overwritten.
        let mut stale = rec.clone();
        stale.set("name", "乙");
        let conflict = registers::update(&db, &actor, kind, id, 1, &stale, None).await.unwrap_err();
        assert!(conflict.to_string().contains("已被他人修改"), "{engine}: {conflict}");
        let got = registers::get(&db, kind, id).await.unwrap();
        assert_eq!((got.record.name(), got.version), ("甲科技公司", 2));

        let h = registers::history(&db, id).await.unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].action, "create");
        assert_eq!(h[1].summary, "修改 3 项：企业名称、高新技术企业证书编号、高企证书发证日期");
        assert_eq!(h[1].changes[0], ("企业名称".to_string(), "甲公司".to_string(), "甲科技公司".to_string()));
        // Each write left an audit record.
        let (n,): (i64,) = match &db {
            nengji_store::Db::Sqlite(p) => sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE entity = 'register:enterprises'").fetch_one(p).await.unwrap(),
            nengji_store::Db::Postgres(p) => sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE entity = 'register:enterprises'").fetch_one(p).await.unwrap(),
        };
        assert_eq!(n, 2, "{engine}");
    }
}

#[tokio::test]
async fn an_import_lands_whole_or_not_at_all_and_reporters_stay_in_their_zones() {
    for (engine, db, _dir) in common::engines().await {
        let actor = Actor::system("test");
        seed::master_data(&db, &actor).await.unwrap();
        let kind = RegisterKind::Enterprises;
        let good = table(
            "企业",
            ENT_HEADER,
            &[
                &["91310110666007217T", "甲公司", "燕郊高新区", "GR201813000001", "2018-11-12"],
                &["91310115591693856A", "乙公司", "燕郊高新区", "", ""],
            ],
        );
        // A bad code makes the whole file fail, with the reason and where.
        let mut bad = good.clone();
        bad.rows[1][0] = "91310115591693856B".into();
        let errs = imports::check(&db, kind, &bad, None).await.unwrap().unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].to_string(), "工作表“企业”第3行第A列（统一社会信用代码）：统一社会信用代码校验位错误：第18位应为“A”，实际为“B”");
        imports::reject(&db, &actor, kind, "企业.xlsx", 2, &errs).await.unwrap();
        assert!(registers::list(&db, kind).await.unwrap().is_empty(), "{engine}: nothing written");

        // A reporter of 燕郊 cannot import rows of 霸州.
        let mut elsewhere = good.clone();
        elsewhere.rows[1][2] = "霸州经开区".into();
        let yanjiao = vec!["yanjiao_htz".to_string()];
        let errs = imports::check(&db, kind, &elsewhere, Some(&yanjiao)).await.unwrap().unwrap_err();
        assert_eq!(errs[0].row, 3);
        assert!(errs[0].message.contains("只能导入本开发区的记录"));

        let planned = imports::check(&db, kind, &good, Some(&yanjiao)).await.unwrap().unwrap();
        assert_eq!(planned.iter().filter(|p| p.action == imports::Action::Insert).count(), 2);
        let id = imports::stage(&db, &actor, kind, "企业.xlsx", &planned).await.unwrap();
        let s = imports::commit(&db, &actor, kind, id, Some(&yanjiao)).await.unwrap();
        assert_eq!((s.inserted, s.updated, s.unchanged), (2, 0, 0), "{engine}");
        assert!(imports::commit(&db, &actor, kind, id, None).await.is_err(), "a batch commits once");

        // Re-import with one change: one update with history, one unchanged.
        let mut changed = good.clone();
        changed.rows[1][1] = "乙科技公司".into();
        let planned = imports::check(&db, kind, &changed, None).await.unwrap().unwrap();
        assert_eq!(planned[1].action, imports::Action::Update { changes: 1 });
        let id2 = imports::stage(&db, &actor, kind, "企业2.xlsx", &planned).await.unwrap();
        // Meanwhile someone edits the first record: the staged batch still commits whole,
        // re-planned against the current data (the first row now differs again).
        let first = registers::find_by_key(&db, kind, "91310110666007217T").await.unwrap().unwrap();
        let mut edited = first.record.clone();
        edited.set("name", "甲（改）");
        registers::update(&db, &actor, kind, first.id, first.version, &edited, None).await.unwrap();
        let s = imports::commit(&db, &actor, kind, id2, None).await.unwrap();
        assert_eq!((s.inserted, s.updated, s.unchanged), (0, 2, 0), "{engine}");
        let second = registers::find_by_key(&db, kind, "91310115591693856A").await.unwrap().unwrap();
        assert_eq!(second.record.name(), "乙科技公司");
        let h = registers::history(&db, second.id).await.unwrap();
        assert_eq!(h.last().unwrap().summary, "由“企业2.xlsx”第3行导入修改 1 项");
        let recent = imports::recent(&db, kind, 10).await.unwrap();
        assert_eq!(recent.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(), ["committed", "committed", "rejected"]);
    }
}

#[tokio::test]
async fn disbursements_stay_within_the_allocation_and_demo_loads_once() {
    for (engine, db, _dir) in common::engines().await {
        let actor = Actor::system("test");
        seed::master_data(&db, &actor).await.unwrap();
        let loaded = demo::load(&db, &actor).await.unwrap();
        assert!(loaded.iter().all(|(_, n)| *n > 0), "{engine}");
        let again = demo::load(&db, &actor).await.unwrap();
        assert!(again.iter().all(|(_, n)| *n == 0), "{engine}: idempotent");
        for (kind, n) in registers::counts(&db).await.unwrap() {
            assert_eq!(n as usize, nengji_core::registers::demo::records(kind).len(), "{engine} {kind:?}");
        }

        let kind = RegisterKind::Funds;
        // A 2020 allocation has 60% paid in the demo; 40% remain.
        let fund = registers::list(&db, kind).await.unwrap().into_iter().find(|f| f.record.get("year") == "2020").unwrap();
        let allocated = fund.record.number("allocated").unwrap();
        let paid: f64 = registers::entries(&db, fund.id).await.unwrap().iter().filter_map(|e| e.entry.amount).sum();
        assert!((paid - allocated * 0.6).abs() < 1e-9);
        let day = NaiveDate::from_ymd_opt(2020, 12, 1).unwrap();
        let too_much = Entry { date: day, amount: Some(allocated * 0.4 + 1.0), note: String::new() };
        let e = registers::add_entry(&db, &actor, kind, fund.id, &too_much, None).await.unwrap_err();
        assert!(e.to_string().contains("将超过安排金额"), "{engine}: {e}");
        let rest = Entry { date: day, amount: Some(allocated * 0.4), note: "尾款".into() };
        registers::add_entry(&db, &actor, kind, fund.id, &rest, None).await.unwrap();
        let h = registers::history(&db, fund.id).await.unwrap();
        assert!(h.last().unwrap().summary.starts_with("资金拨付（万元）：2020-12-01"), "{engine}");
        // Platforms have no entries.
        let p = registers::list(&db, RegisterKind::Platforms).await.unwrap().remove(0);
        assert!(registers::add_entry(&db, &actor, RegisterKind::Platforms, p.id, &rest, None).await.is_err());

        // The counts feed the targets: 开发区内高新技术企业 at the end of 2020 from the stored records.
        let ents = registers::records(&db, RegisterKind::Enterprises).await.unwrap();
        let t = nengji_core::target::plan_targets().into_iter().find(|t| t.code == "hitech_ent_400").unwrap();
        let end = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        let by_hand = ents
            .iter()
            .filter(|r| !r.zone().is_empty())
            .filter(|r| r.date("hitech_date").is_some_and(|d| d <= end && d > NaiveDate::from_ymd_opt(2017, 12, 31).unwrap()))
            .count();
        assert_eq!(t.measure_registers(&ents, end), Some(by_hand as f64), "{engine}: certificates of 2018–2020 are the valid ones at 2020-12-31");
    }
}

#[tokio::test]
async fn two_clerks_disbursing_at_once_cannot_exceed_the_allocation() {
    for (engine, db, _dir) in common::engines().await {
        let actor = Actor::system("test");
        seed::master_data(&db, &actor).await.unwrap();
        let ctx = imports::context(&db).await.unwrap();
        let input: Vec<(String, String)> = [
            ("code", "ZJ2020999"),
            ("name", "2020年开发区发展专项资金"),
            ("project", "XM1"),
            ("zone", "yanjiao_htz"),
            ("year", "2020"),
            ("allocated", "100"),
            ("issued", "2020-05-01"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let rec = nengji_core::registers::parse::parse_fields(RegisterKind::Funds, &input, &ctx).unwrap();
        let id = registers::create(&db, &actor, RegisterKind::Funds, &rec, None).await.unwrap();
        let day = NaiveDate::from_ymd_opt(2020, 6, 1).unwrap();
        // Each asks for 60 of 100: both fit alone, not together.
        let pay = |db: nengji_store::Db| async move {
            let e = Entry { date: day, amount: Some(60.0), note: String::new() };
            registers::add_entry(&db, &Actor::system("clerk"), RegisterKind::Funds, id, &e, None).await
        };
        let (a, b) = tokio::join!(tokio::spawn(pay(db.clone())), tokio::spawn(pay(db.clone())));
        let results = [a.unwrap(), b.unwrap()];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{engine}: {results:?}");
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(refused.to_string().contains("将超过安排金额 100 万元"), "{engine}: {refused}");
        let paid: f64 = registers::entries(&db, id).await.unwrap().iter().filter_map(|e| e.entry.amount).sum();
        assert_eq!(paid, 60.0, "{engine}");
    }
}
