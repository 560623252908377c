//! Monthly collection on both engines: windows, saves with version checks, every workflow
//! transition and refusal, history, changes after approval, staged imports.

use crate::common;

use chrono::{Duration, NaiveDate};
use common::engines;
use nengji_core::calendar::Window;
use nengji_core::entry::ValueInput;
use nengji_core::period::Month;
use nengji_store::collection::{self, Batch, EntryError, Status, Transition};
use nengji_store::observations::{self, Filter};
use nengji_store::{audit, seed, value_imports, Actor};

fn m(s: &str) -> Month {
    s.parse().unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn v(zone: &str, ind: &str, period: &str, value: f64) -> ValueInput {
    ValueInput { zone: zone.into(), indicator: ind.into(), period: m(period), value, prior_comparable: None, comment: String::new() }
}

fn batch(zone: &str, period: &str, version: Option<i64>, values: Vec<ValueInput>) -> Batch {
    Batch { zone: zone.into(), period: m(period), expected_version: version, values }
}

fn refused(e: EntryError) -> String {
    match e {
        EntryError::Refused(m) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn reports_move_through_the_workflow_and_refuse_wrong_steps() {
    for (engine, db, _dir) in engines().await {
        let (reporter, reviewer) = (Actor::user(1, "yanjiao"), Actor::user(2, "leader"));
        seed::master_data(&db, &Actor::system("test")).await.unwrap();
        seed::demo_values(&db, &Actor::system("test")).await.unwrap();
        let ds = collection::dataset(&db, seed::MONTHLY).await.unwrap();
        assert_eq!(ds.indicators.len(), 13, "{engine}");

        // By the rule, 2021-01 locked long ago; the office reopens it.
        let err = collection::apply(&db, &reporter, &ds, &[batch("yanjiao_htz", "2021-01", Some(0), vec![v("yanjiao_htz", "gdp", "2021-01", 20.0)])], "form", today())
            .await
            .unwrap_err();
        assert!(refused(err).contains("已于 2021-02-"), "{engine}: locked by the rule");
        let w = Window { period: m("2021-01"), opens: today() - Duration::days(3), due: today() + Duration::days(5), locks: today() + Duration::days(20) };
        collection::set_period_window(&db, &Actor::system("office"), &ds, m("2021-01"), w).await.unwrap();

        // First save creates the report at version 1; a stale version is refused, naming who saved.
        let vs = collection::apply(&db, &reporter, &ds, &[batch("yanjiao_htz", "2021-01", Some(0), vec![v("yanjiao_htz", "gdp", "2021-01", 20.0)])], "form", today()).await.unwrap();
        assert_eq!(vs, [1], "{engine}");
        let second = vec![v("yanjiao_htz", "gdp", "2021-01", 21.5), v("yanjiao_htz", "revenue", "2021-01", 88.0)];
        assert_eq!(collection::apply(&db, &reporter, &ds, &[batch("yanjiao_htz", "2021-01", Some(1), second.clone())], "form", today()).await.unwrap(), [2]);
        match collection::apply(&db, &Actor::user(3, "other"), &ds, &[batch("yanjiao_htz", "2021-01", Some(1), second)], "form", today()).await {
            Err(EntryError::Conflict { by, .. }) => assert_eq!(by, "yanjiao", "{engine}"),
            other => panic!("{engine}: expected a conflict, got {other:?}"),
        }

        // Wrong steps are refused; reasons are required where the step needs one.
        let target = |ver: Option<i64>| vec![("yanjiao_htz".to_string(), m("2021-01"), ver)];
        for t in [Transition::Approve, Transition::Return, Transition::Unapprove, Transition::Lock] {
            let e = collection::transition(&db, &reviewer, &ds, t, &target(None), "原因").await.unwrap_err();
            assert!(refused(e).contains("当前状态为“草稿”"), "{engine}: {t:?} from draft");
        }
        collection::transition(&db, &reporter, &ds, Transition::Submit, &target(Some(2)), "").await.unwrap();
        let e = collection::apply(&db, &reporter, &ds, &[batch("yanjiao_htz", "2021-01", Some(3), vec![v("yanjiao_htz", "gdp", "2021-01", 1.0)])], "form", today()).await.unwrap_err();
        assert!(refused(e).contains("已报送待审核"), "{engine}");
        let e = collection::transition(&db, &reviewer, &ds, Transition::Return, &target(None), " ").await.unwrap_err();
        assert_eq!(refused(e), "退回修改必须填写原因");
        collection::transition(&db, &reviewer, &ds, Transition::Return, &target(None), "GDP 口径不对").await.unwrap();
        let s = collection::submission(&db, &ds, "yanjiao_htz", m("2021-01")).await.unwrap().unwrap();
        assert_eq!((s.status, s.returned_reason.as_deref()), (Status::Draft, Some("GDP 口径不对")), "{engine}");
        collection::transition(&db, &reporter, &ds, Transition::Submit, &target(None), "").await.unwrap();
        collection::transition(&db, &reviewer, &ds, Transition::Approve, &target(None), "").await.unwrap();

        // Approved values are what analytics see; they cannot change until un-approved.
        let approved = |f: Filter| { let db = db.clone(); async move { observations::query(&db, &f).await.unwrap() } };
        let f = Filter { zones: Some(vec!["yanjiao_htz".into()]), from: Some(m("2021-01")), approved_only: true, ..Filter::default() };
        assert_eq!(approved(f.clone()).await.len(), 2, "{engine}");
        assert_eq!(observations::latest_period(&db).await.unwrap(), Some(m("2021-01")));
        let e = collection::apply(&db, &reporter, &ds, &[batch("yanjiao_htz", "2021-01", None, vec![v("yanjiao_htz", "gdp", "2021-01", 1.0)])], "form", today()).await.unwrap_err();
        assert!(refused(e).contains("须先撤销审核"), "{engine}");
        collection::transition(&db, &reviewer, &ds, Transition::Unapprove, &target(None), "发现录入错误").await.unwrap();
        assert!(approved(f.clone()).await.is_empty(), "{engine}: un-approved values leave analytics");
        collection::transition(&db, &reviewer, &ds, Transition::Return, &target(None), "请更正").await.unwrap();
        collection::apply(&db, &reporter, &ds, &[batch("yanjiao_htz", "2021-01", None, vec![v("yanjiao_htz", "gdp", "2021-01", 22.0)])], "form", today()).await.unwrap();
        let s = collection::submission(&db, &ds, "yanjiao_htz", m("2021-01")).await.unwrap().unwrap();
        assert!(s.changed_after_approval, "{engine}: flagged");
        let late = collection::changes_after_approval(&db, 10).await.unwrap();
        assert_eq!((late.len(), late[0].old_value, late[0].new_value), (1, Some(21.5), Some(22.0)), "{engine}");
        let h = collection::history(&db, "yanjiao_htz", "gdp", m("2021-01")).await.unwrap();
        assert_eq!(h.iter().map(|e| (e.old_value, e.new_value)).collect::<Vec<_>>(), [(Some(21.5), Some(22.0)), (Some(20.0), Some(21.5)), (None, Some(20.0))]);
        assert!(h[0].after_approval && !h[1].after_approval);

        // Re-approval clears the flag; locking ends changes for good.
        collection::transition(&db, &reporter, &ds, Transition::Submit, &target(None), "").await.unwrap();
        collection::transition(&db, &reviewer, &ds, Transition::Approve, &target(None), "").await.unwrap();
        collection::transition(&db, &reviewer, &ds, Transition::Lock, &target(None), "").await.unwrap();
        let e = collection::transition(&db, &reviewer, &ds, Transition::Unapprove, &target(None), "想改").await.unwrap_err();
        assert!(refused(e).contains("已锁定"), "{engine}");
        let actions: Vec<String> = audit::recent(&db, Some("submission"), 100).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions.iter().filter(|a| *a == "approve").count(), 2, "{engine}: every step audited");
    }
}

#[tokio::test]
async fn bulk_steps_and_imports_are_all_or_nothing() {
    for (engine, db, _dir) in engines().await {
        let (reporter, reviewer) = (Actor::user(1, "office"), Actor::user(2, "leader"));
        seed::master_data(&db, &Actor::system("test")).await.unwrap();
        let ds = collection::dataset(&db, seed::MONTHLY).await.unwrap();
        let w = Window { period: m("2021-02"), opens: today(), due: today(), locks: today() };
        collection::set_period_window(&db, &reporter, &ds, m("2021-02"), w).await.unwrap();
        let values = vec![v("yanjiao_htz", "gdp", "2021-02", 40.0), v("bazhou_etdz", "gdp", "2021-02", 30.0), v("bazhou_etdz", "tax", "2021-02", 5.0)];
        let id = value_imports::stage(&db, &reporter, "二月.xlsx", &values).await.unwrap();
        let e = value_imports::commit(&db, &Actor::user(9, "someone"), &ds, id, today()).await.unwrap_err();
        assert_eq!(refused(e), "只能确认自己上传的文件");
        assert_eq!(value_imports::commit(&db, &reporter, &ds, id, today()).await.unwrap(), 3, "{engine}");
        assert!(refused(value_imports::commit(&db, &reporter, &ds, id, today()).await.unwrap_err()).contains("不能重复导入"));
        let rec = value_imports::get(&db, id).await.unwrap().unwrap();
        assert_eq!((rec.status.as_str(), rec.row_count), ("committed", 3), "{engine}");
        value_imports::reject(&db, &reporter, "坏.csv", 10, 2, "2 处问题").await.unwrap();
        assert_eq!(value_imports::list(&db, Some("office"), 10).await.unwrap().len(), 2);

        // Submit both; a bulk approval that includes a report not yet submitted approves nothing.
        let both = vec![("yanjiao_htz".to_string(), m("2021-02"), None), ("bazhou_etdz".to_string(), m("2021-02"), None)];
        collection::transition(&db, &reporter, &ds, Transition::Submit, &both[..1], "").await.unwrap();
        let e = collection::transition(&db, &reviewer, &ds, Transition::Approve, &both, "").await.unwrap_err();
        assert!(refused(e).contains("bazhou_etdz"), "{engine}");
        let s = collection::submission(&db, &ds, "yanjiao_htz", m("2021-02")).await.unwrap().unwrap();
        assert_eq!(s.status, Status::Submitted, "{engine}: rolled back");
        collection::transition(&db, &reporter, &ds, Transition::Submit, &both[1..], "").await.unwrap();
        collection::transition(&db, &reviewer, &ds, Transition::Approve, &both, "").await.unwrap();
        assert_eq!(collection::submissions(&db, &ds, Some(&[m("2021-02")])).await.unwrap().iter().filter(|s| s.status == Status::Approved).count(), 2);

        // An import touching an approved report is refused whole: the draft report is untouched too.
        collection::set_period_window(&db, &reporter, &ds, m("2021-03"), Window { period: m("2021-03"), ..w }).await.unwrap();
        let mixed = value_imports::stage(&db, &reporter, "混合.xlsx", &[v("wenan_etdz", "gdp", "2021-03", 9.0), v("yanjiao_htz", "gdp", "2021-02", 41.0)]).await.unwrap();
        assert!(refused(value_imports::commit(&db, &reporter, &ds, mixed, today()).await.unwrap_err()).contains("已审核"));
        assert!(collection::submission(&db, &ds, "wenan_etdz", m("2021-03")).await.unwrap().is_none(), "{engine}: nothing written");
    }
}
