//! Bulk writes on both engines: the same results, versions, history and refusals as
//! `collection::apply`, across statement chunks, all or nothing.

use crate::common;

use chrono::NaiveDate;
use common::engines;
use nengji_core::calendar::Window;
use nengji_core::entry::ValueInput;
use nengji_core::period::Month;
use nengji_store::collection::{self, Batch, Dataset, EntryError, Transition};
use nengji_store::observations::{self, Filter};
use nengji_store::{audit, bulk, seed, Actor, Db};

fn m(s: &str) -> Month {
    s.parse().unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn v(zone: &str, ind: &str, period: &str, value: f64, prior: Option<f64>, comment: &str) -> ValueInput {
    ValueInput { zone: zone.into(), indicator: ind.into(), period: m(period), value, prior_comparable: prior, comment: comment.into() }
}

fn batch(zone: &str, period: &str, version: Option<i64>, values: Vec<ValueInput>) -> Batch {
    Batch { zone: zone.into(), period: m(period), expected_version: version, values }
}

/// Master data, and the given months open for entry today.
async fn prepare(db: &Db, open: &[&str]) -> Dataset {
    let office = Actor::system("office");
    seed::master_data(db, &office).await.unwrap();
    let ds = collection::dataset(db, seed::MONTHLY).await.unwrap();
    for p in open {
        let w = Window { period: m(p), opens: today(), due: today(), locks: today() };
        collection::set_period_window(db, &office, &ds, m(p), w).await.unwrap();
    }
    ds
}

/// Everything a write leaves behind that both paths must agree on.
async fn state(db: &Db, ds: &Dataset, cells: &[(String, String, Month)]) -> String {
    let obs = observations::query(db, &Filter { from: Some(m("2021-01")), ..Filter::default() }).await.unwrap();
    let subs: Vec<_> = collection::submissions(db, ds, None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.zone, s.period, s.status, s.version, s.updated_by, s.changed_after_approval))
        .collect();
    let mut hist = Vec::new();
    for (zone, ind, period) in cells {
        for h in collection::history(db, zone, ind, *period).await.unwrap() {
            hist.push((zone.clone(), ind.clone(), *period, h.old_value, h.new_value, h.old_prior, h.new_prior, h.changed_by, h.source, h.after_approval));
        }
    }
    format!("{obs:#?}\n{subs:#?}\n{hist:#?}")
}

#[tokio::test]
async fn bulk_writes_what_apply_writes() {
    let (reporter, reviewer) = (Actor::user(1, "yanjiao"), Actor::user(2, "leader"));
    let pairs = engines().await.into_iter().zip(engines().await);
    for ((engine, by_apply, _d1), (_, by_bulk, _d2)) in pairs {
        let ds = prepare(&by_apply, &["2021-03", "2021-04"]).await;
        let ds_b = prepare(&by_bulk, &["2021-03", "2021-04"]).await;
        // The same history on both: a report approved, un-approved and returned; a draft at version 1.
        for db in [&by_apply, &by_bulk] {
            let ds = collection::dataset(db, seed::MONTHLY).await.unwrap();
            let first = [
                batch("yanjiao_htz", "2021-03", None, vec![
                    v("yanjiao_htz", "gdp", "2021-03", 10.0, Some(9.0), ""),
                    v("yanjiao_htz", "revenue", "2021-03", 50.0, None, ""),
                    v("yanjiao_htz", "tax", "2021-03", 5.0, None, "旧说明"),
                ]),
                batch("bazhou_etdz", "2021-03", None, vec![v("bazhou_etdz", "gdp", "2021-03", 20.0, None, ""), v("bazhou_etdz", "tax", "2021-03", 3.0, None, "")]),
            ];
            collection::apply(db, &reporter, &ds, &first, "form", today()).await.unwrap();
            let t = vec![("yanjiao_htz".to_string(), m("2021-03"), None)];
            for (step, who, why) in [(Transition::Submit, &reporter, ""), (Transition::Approve, &reviewer, ""), (Transition::Unapprove, &reviewer, "有误"), (Transition::Return, &reviewer, "请更正")] {
                collection::transition(db, who, &ds, step, &t, why).await.unwrap();
            }
        }

        let all: Vec<ValueInput> = ds.indicators.iter().enumerate().map(|(i, ind)| v("wenan_etdz", ind, "2021-04", i as f64 * 1.5, None, "")).collect();
        let batches = vec![
            // Unchanged, changed, 备注 only (no history row), new: on a report approved before.
            batch("yanjiao_htz", "2021-03", None, vec![
                v("yanjiao_htz", "gdp", "2021-03", 10.0, Some(9.0), ""),
                v("yanjiao_htz", "revenue", "2021-03", 55.0, None, ""),
                v("yanjiao_htz", "tax", "2021-03", 5.0, None, "新说明"),
                v("yanjiao_htz", "fdi", "2021-03", 1.5, None, ""),
            ]),
            // Two saves of one report, with versions: the second sees the first.
            batch("bazhou_etdz", "2021-03", Some(1), vec![v("bazhou_etdz", "gdp", "2021-03", 20.0, None, ""), v("bazhou_etdz", "tax", "2021-03", 4.0, Some(3.5), "")]),
            batch("bazhou_etdz", "2021-03", Some(2), vec![v("bazhou_etdz", "tax", "2021-03", 4.5, Some(3.5), "")]),
            batch("wenan_etdz", "2021-04", Some(0), all),
            batch("bazhou_etdz", "2021-04", None, vec![v("bazhou_etdz", "gdp", "2021-04", 1.0, None, "")]),
        ];
        let cells: Vec<(String, String, Month)> =
            batches.iter().flat_map(|b| b.values.iter().map(|v| (v.zone.clone(), v.indicator.clone(), v.period))).collect();

        let versions = collection::apply(&by_apply, &reporter, &ds, &batches, "import", today()).await.unwrap();
        let applied = bulk::apply(&by_bulk, &reporter, &ds_b, &batches, "import", today()).await.unwrap();
        assert_eq!(applied.versions, versions, "{engine}");
        assert_eq!(versions, [6, 2, 3, 1, 1], "{engine}");
        // History rows: the two changes on the report approved before (one of them a new value),
        // and the two changes of bazhou's tax; the 14 new values on drafts carry their creation.
        assert_eq!((applied.written, applied.unchanged, applied.history), (3 + 1 + 1 + 13 + 1, 2, 2 + 1 + 1), "{engine}");
        assert_eq!(state(&by_bulk, &ds_b, &cells).await, state(&by_apply, &ds, &cells).await, "{engine}");

        let s = collection::submission(&by_bulk, &ds_b, "yanjiao_htz", m("2021-03")).await.unwrap().unwrap();
        assert!(s.changed_after_approval, "{engine}: changed after approval");
        let h = collection::history(&by_bulk, "yanjiao_htz", "revenue", m("2021-03")).await.unwrap();
        assert_eq!((h[0].old_value, h[0].new_value, h[0].after_approval, h[0].source.as_str()), (Some(50.0), Some(55.0), true, "import"), "{engine}");
        assert!(collection::history(&by_bulk, "yanjiao_htz", "tax", m("2021-03")).await.unwrap().len() == 1, "{engine}: 备注 alone makes no history row");
        // A new value on a report approved before is a history row (listed as a change after
        // approval), once; a new value on a draft shows its creation from its row.
        let h = collection::history(&by_bulk, "yanjiao_htz", "fdi", m("2021-03")).await.unwrap();
        assert_eq!(h.iter().map(|e| (e.old_value, e.new_value, e.after_approval)).collect::<Vec<_>>(), [(None, Some(1.5), true)], "{engine}");
        let late = collection::changes_after_approval(&by_bulk, 10).await.unwrap();
        assert!(late.iter().any(|c| c.indicator == "fdi" && c.old_value.is_none()), "{engine}: {late:?}");
        let h = collection::history(&by_bulk, "wenan_etdz", &ds.indicators[2], m("2021-04")).await.unwrap();
        assert_eq!(
            h.iter().map(|e| (e.old_value, e.new_value, e.changed_by.as_str(), e.source.as_str(), e.after_approval)).collect::<Vec<_>>(),
            [(None, Some(3.0), "yanjiao", "import", false)],
            "{engine}"
        );

        // One audit row summarises the whole batch.
        let last = &audit::recent(&by_bulk, Some("submission"), 1).await.unwrap()[0];
        assert_eq!((last.action.as_str(), last.entity_key.as_str(), last.actor.as_str()), ("bulk_save", "monthly_main/批量", "yanjiao"), "{engine}");
        let summary: serde_json::Value = serde_json::from_str(last.new_value.as_deref().unwrap()).unwrap();
        assert_eq!(summary["written"], 19, "{engine}");
        assert_eq!(summary["reports"], 4, "{engine}");
        assert_eq!(summary["periods"], serde_json::json!(["2021-03", "2021-04"]), "{engine}");
    }
}

#[tokio::test]
async fn refusals_match_apply_and_write_nothing() {
    for (engine, db, _dir) in engines().await {
        let reporter = Actor::user(1, "office");
        let ds = prepare(&db, &["2021-01", "2021-02", "2021-03"]).await;
        collection::apply(&db, &reporter, &ds, &[batch("yanjiao_htz", "2021-03", None, vec![v("yanjiao_htz", "gdp", "2021-03", 1.0, None, "")])], "form", today())
            .await
            .unwrap();
        collection::apply(&db, &reporter, &ds, &[batch("sanhe_etdz", "2021-03", None, vec![v("sanhe_etdz", "gdp", "2021-03", 2.0, None, "")])], "form", today())
            .await
            .unwrap();
        collection::transition(&db, &reporter, &ds, Transition::Submit, &[("sanhe_etdz".to_string(), m("2021-03"), None)], "").await.unwrap();
        let outside = nengji_store::masterdata::list_indicators(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.indicator.code)
            .find(|c| !ds.indicators.contains(c))
            .expect("an indicator outside the monthly data set");

        // Every zone's good values for two months ahead of each bad report.
        let mut good = Vec::new();
        for p in ["2021-01", "2021-02"] {
            for z in nengji_store::masterdata::list_zones(&db).await.unwrap() {
                for ind in &ds.indicators {
                    good.push(v(&z.zone.code, ind, p, 3.0, None, ""));
                }
            }
        }
        assert!(good.len() > 300, "{engine}: {} values", good.len());
        let cases: Vec<(&str, Batch)> = vec![
            ("已报送待审核", batch("sanhe_etdz", "2021-03", None, vec![v("sanhe_etdz", "gdp", "2021-03", 3.0, None, "")])),
            ("开发区“nowhere”不存在", batch("nowhere", "2021-03", None, vec![v("nowhere", "gdp", "2021-03", 3.0, None, "")])),
            ("不属于数据集", batch("yanjiao_htz", "2021-03", None, vec![v("yanjiao_htz", &outside, "2021-03", 3.0, None, "")])),
            ("报表已锁定", batch("yanjiao_htz", "2021-05", None, vec![v("yanjiao_htz", "gdp", "2021-05", 3.0, None, "")])),
            ("保存被拒绝", batch("yanjiao_htz", "2021-03", Some(7), vec![v("yanjiao_htz", "gdp", "2021-03", 3.0, None, "")])),
        ];
        let before = (observations::count(&db).await.unwrap(), audit::count(&db).await.unwrap());
        let before_state = state(&db, &ds, &[("yanjiao_htz".into(), "gdp".into(), m("2021-03"))]).await;
        for (expect, bad) in cases {
            let mut batches = bulk::batches(good.clone());
            batches.push(bad);
            let by_apply = collection::apply(&db, &reporter, &ds, &batches, "import", today()).await.unwrap_err().to_string();
            let by_bulk = bulk::apply(&db, &reporter, &ds, &batches, "import", today()).await.unwrap_err();
            assert!(!matches!(by_bulk, EntryError::Store(_)), "{engine}: {by_bulk:?}");
            assert_eq!(by_bulk.to_string(), by_apply, "{engine}");
            assert!(by_apply.contains(expect), "{engine}: {by_apply}");
            assert_eq!((observations::count(&db).await.unwrap(), audit::count(&db).await.unwrap()), before, "{engine}: nothing written ({expect})");
        }
        assert_eq!(state(&db, &ds, &[("yanjiao_htz".into(), "gdp".into(), m("2021-03"))]).await, before_state, "{engine}");
    }
}

#[tokio::test]
async fn large_batches_span_chunks_and_keep_history() {
    for (engine, db, _dir) in engines().await {
        let periods = ["2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06"];
        let ds = prepare(&db, &periods).await;
        let office = Actor::system("import");
        let zones: Vec<String> = nengji_store::masterdata::list_zones(&db).await.unwrap().into_iter().map(|z| z.zone.code).collect();
        let values = |bump: f64| -> Vec<ValueInput> {
            let mut out = Vec::new();
            for (k, p) in periods.iter().enumerate() {
                for (zi, z) in zones.iter().enumerate() {
                    for (ii, ind) in ds.indicators.iter().enumerate() {
                        let x = (k * 1000 + zi * 20 + ii) as f64 + bump;
                        out.push(v(z, ind, p, x, (ii % 3 == 0).then_some(x - 1.0), if ii == 4 { "含新入规企业" } else { "" }));
                    }
                }
            }
            out
        };
        let n = values(0.0).len();
        assert!(n > 1000, "{engine}: {n} values cross a chunk boundary");

        let a = bulk::apply(&db, &office, &ds, &bulk::batches(values(0.0)), "import", today()).await.unwrap();
        assert_eq!((a.written, a.unchanged, a.history), (n, 0, 0), "{engine}: creations are on the rows");
        assert_eq!(a.versions.len(), zones.len() * periods.len());
        assert!(a.versions.iter().all(|v| *v == 1));
        let stored = observations::query(&db, &Filter { from: Some(m("2021-01")), ..Filter::default() }).await.unwrap();
        assert_eq!(stored.len(), n, "{engine}");
        let mut want: Vec<(String, String, String, f64, Option<f64>)> =
            values(0.0).into_iter().map(|v| (v.zone, v.indicator, v.period.to_string(), v.value, v.prior_comparable)).collect();
        let mut got: Vec<(String, String, String, f64, Option<f64>)> =
            stored.into_iter().map(|o| (o.zone, o.indicator, o.period, o.value, o.prior_comparable)).collect();
        want.sort_by(|x, y| x.partial_cmp(y).unwrap());
        got.sort_by(|x, y| x.partial_cmp(y).unwrap());
        assert_eq!(got, want, "{engine}");

        // The same file again changes nothing but the versions; a corrected file writes history.
        let again = bulk::apply(&db, &office, &ds, &bulk::batches(values(0.0)), "import", today()).await.unwrap();
        assert_eq!((again.written, again.unchanged, again.history), (0, n, 0), "{engine}");
        assert!(again.versions.iter().all(|v| *v == 2));
        let fixed = bulk::apply(&db, &office, &ds, &bulk::batches(values(0.5)), "import", today()).await.unwrap();
        assert_eq!((fixed.written, fixed.history), (n, n), "{engine}");
        let h = collection::history(&db, &zones[3], &ds.indicators[0], m("2021-05")).await.unwrap();
        let x = (4 * 1000 + 3 * 20) as f64;
        assert_eq!(
            h.iter().map(|e| (e.old_value, e.new_value, e.old_prior, e.new_prior)).collect::<Vec<_>>(),
            [(Some(x), Some(x + 0.5), Some(x - 1.0), Some(x - 0.5)), (None, Some(x), None, Some(x - 1.0))],
            "{engine}"
        );
        assert_eq!(audit::recent(&db, Some("submission"), 10).await.unwrap().iter().filter(|e| e.action == "bulk_save").count(), 3, "{engine}");
    }
}

/// The SQLite bulk write turns foreign-key enforcement off on its own connection only (its
/// parents are read inside its transaction); that connection is closed afterwards, so every
/// connection the pool hands out later still enforces them.
#[tokio::test]
async fn foreign_keys_stay_enforced_after_a_bulk_write() {
    for (engine, db, _dir) in engines().await {
        let ds = prepare(&db, &["2021-01"]).await;
        let values = ds.indicators.iter().take(3).map(|i| v("yanjiao_htz", i, "2021-01", 5.0, None, "")).collect();
        let a = bulk::apply(&db, &Actor::system("import"), &ds, &bulk::batches(values), "import", today()).await.unwrap();
        assert_eq!(a.written, 3, "{engine}");
        // The same row is written for a zone that exists and refused for one that does not.
        let insert = |zone: &str| {
            format!(
                "INSERT INTO observation (zone_id, indicator_id, period, value, updated_by, updated_at)
                 VALUES ({zone}, (SELECT min(id) FROM indicator), '2030-01', 1, 'x', CURRENT_TIMESTAMP)"
            )
        };
        for (zone, ok) in [("987654", false), ("(SELECT min(id) FROM zone)", true)] {
            let sql = sqlx::AssertSqlSafe(insert(zone));
            let done = match &db {
                Db::Sqlite(p) => sqlx::query(sql).execute(p).await.is_ok(),
                Db::Postgres(p) => sqlx::query(sql).execute(p).await.is_ok(),
            };
            assert_eq!(done, ok, "{engine}: zone {zone}");
        }
        if let Db::Sqlite(p) = &db {
            let mut held = Vec::new();
            for _ in 0..p.size() {
                let mut c = p.acquire().await.unwrap();
                let on: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *c).await.unwrap();
                assert_eq!(on, 1, "every pooled connection enforces foreign keys");
                held.push(c);
            }
        }
    }
}
