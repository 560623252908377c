//! Land intensive-use statistics and 亩均 gradings on both engines: scheme versions with the
//! conflict check, statistics with version checks, all-or-nothing imports, the 公示 workflow with
//! its refusals, and the audit trail of every step.

use crate::common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use common::engines;
use nengji_core::landuse::intensive::{EvalArea, LandStats};
use nengji_core::landuse::mujun::{grade, Enterprise, MujunScheme};
use nengji_core::landuse::{examples, intensive};
use nengji_store::landuse::{self, RunStatus, SchemeKind};
use nengji_store::{audit, seed, Actor};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn stats(zone: &str, year: i32, a2: f64) -> LandStats {
    LandStats { zone: zone.into(), year, area: EvalArea::Main, values: BTreeMap::from([("A2".to_string(), a2), ("A1".to_string(), 10.0), ("D21".to_string(), a2 + 10.0)]) }
}

fn firm(n: u32, zone: &str, year: i32) -> Enterprise {
    let body = format!("91131000MA0B{n:05}");
    Enterprise {
        uscc: nengji_core::uscc::with_check_digit(&body).unwrap(),
        name: format!("测试企业{n}"),
        zone: zone.into(),
        year,
        land_mu: 10.0 + n as f64,
        above_scale: !n.is_multiple_of(3),
        tax: Some(100.0 + 7.0 * n as f64),
        revenue: Some(1000.0 + 13.0 * n as f64),
        added_value: Some(300.0),
        energy: Some(50.0),
        electricity: Some(40.0),
        ..Default::default()
    }
}

#[tokio::test]
async fn scheme_versions_are_kept_and_a_stale_save_is_refused() {
    for (engine, db, _dir) in engines().await {
        let (a, b) = (Actor::user(1, "admin"), Actor::user(2, "office2"));
        let s = examples::huaian();
        landuse::save_scheme(&db, &a, SchemeKind::Mujun, &s.code, &s.name, &s, 0).await.unwrap();
        let mut s2 = s.clone();
        s2.bands[0].upto = 0.25;
        landuse::save_scheme(&db, &b, SchemeKind::Mujun, &s2.code, &s2.name, &s2, 1).await.unwrap();
        // a still edits version 1: refused, naming who saved version 2.
        let err = landuse::save_scheme(&db, &a, SchemeKind::Mujun, &s.code, &s.name, &s, 1).await.unwrap_err().to_string();
        assert!(err.contains("office2") && err.contains("第2版"), "{engine}: {err}");
        let all = landuse::schemes::<MujunScheme>(&db, SchemeKind::Mujun).await.unwrap();
        assert_eq!(all.iter().map(|x| x.version).collect::<Vec<_>>(), [2, 1], "{engine}");
        assert_eq!((all[0].scheme.bands[0].upto, all[1].scheme.bands[0].upto), (0.25, 0.20));
        let latest = landuse::latest_schemes::<MujunScheme>(&db, SchemeKind::Mujun).await.unwrap();
        assert_eq!(latest.len(), 1);
        // Kinds are separate: an intensive scheme with the same code starts at version 1.
        let i = examples::intensive_default();
        landuse::save_scheme(&db, &a, SchemeKind::Intensive, "huaian", &i.name, &i, 0).await.unwrap();
        assert!(landuse::scheme::<MujunScheme>(&db, SchemeKind::Mujun, all[0].id).await.unwrap().is_some());
        assert!(landuse::scheme::<MujunScheme>(&db, SchemeKind::Intensive, all[0].id).await.unwrap().is_none());
        let log = audit::recent(&db, Some("landuse_scheme"), 10).await.unwrap();
        assert_eq!(log.len(), 3, "{engine}: one audit record per saved version");
        assert!(log.iter().any(|e| e.entity_key == "mujun/huaian/v2" && e.actor == "office2"));
    }
}

#[tokio::test]
async fn statistics_keep_versions_and_imports_land_whole_or_not_at_all() {
    for (engine, db, _dir) in engines().await {
        let a = Actor::user(1, "admin");
        seed::master_data(&db, &Actor::system("t")).await.unwrap();
        landuse::put_stats(&db, &a, &[(stats("yanjiao_htz", 2019, 100.0), Some(0))], "表单").await.unwrap();
        // A second form opened at version 0 is refused; nothing changes.
        let err = landuse::put_stats(&db, &Actor::user(2, "other"), &[(stats("yanjiao_htz", 2019, 999.0), Some(0))], "表单").await.unwrap_err().to_string();
        assert!(err.contains("admin") && err.contains("第1版"), "{engine}: {err}");
        let got = landuse::stats(&db, 2019, None).await.unwrap();
        assert_eq!((got.len(), got[0].version, got[0].stats.get("A2")), (1, 1, 100.0), "{engine}");
        // An import whose last row names an unknown zone writes nothing, not even the good rows.
        let rows = vec![(stats("sanhe_etdz", 2019, 50.0), None), (stats("yanjiao_htz", 2019, 120.0), None), (stats("nowhere", 2019, 1.0), None)];
        assert!(landuse::put_stats(&db, &a, &rows, "导入").await.is_err());
        let got = landuse::stats(&db, 2019, None).await.unwrap();
        assert_eq!((got.len(), got[0].stats.get("A2")), (1, 100.0), "{engine}: rolled back");
        landuse::put_stats(&db, &a, &rows[..2], "导入").await.unwrap();
        let got = landuse::stats(&db, 2019, None).await.unwrap();
        assert_eq!(got.len(), 2, "{engine}");
        assert_eq!(got.iter().find(|s| s.stats.zone == "yanjiao_htz").map(|s| (s.version, s.stats.get("A2"))), Some((2, 120.0)));
        // Zone scope: a reporter's query sees only its zone.
        assert_eq!(landuse::stats(&db, 2019, Some(&["sanhe_etdz".to_string()])).await.unwrap().len(), 1);
        assert_eq!(landuse::stats_years(&db).await.unwrap(), [2019]);
        // An evaluation is stored and marks the zones as evaluated in 2019.
        let scheme = examples::intensive_default();
        let id = landuse::save_scheme(&db, &a, SchemeKind::Intensive, &scheme.code, &scheme.name, &scheme, 0).await.unwrap();
        let input: Vec<(LandStats, String)> = got.iter().map(|s| (s.stats.clone(), s.stats.zone.clone())).collect();
        let o = intensive::evaluate(&scheme, 2019, &input).unwrap();
        landuse::save_land_eval(&db, &a, id, &o).await.unwrap();
        let last = landuse::last_evaluated(&db).await.unwrap();
        assert_eq!((last.get("sanhe_etdz"), last.get("gu_an_etdz")), (Some(&2019), None), "{engine}");
        let log = audit::recent(&db, Some("landuse_stats"), 10).await.unwrap();
        assert_eq!(log.len(), 3, "{engine}: form + two imported rows");
        assert!(log.iter().any(|e| e.old_value.as_deref().is_some_and(|v| v.contains("100")) && e.new_value.as_deref().is_some_and(|v| v.contains("120"))));
    }
}

#[tokio::test]
async fn the_publicity_workflow_refuses_every_wrong_step_and_audits_each_right_one() {
    for (engine, db, _dir) in engines().await {
        let (office, reporter) = (Actor::user(1, "admin"), Actor::user(3, "yanjiao"));
        seed::master_data(&db, &Actor::system("t")).await.unwrap();
        let prior: Vec<Enterprise> = (0..12).map(|n| firm(n, if n % 2 == 0 { "yanjiao_htz" } else { "sanhe_etdz" }, 2019)).collect();
        let now: Vec<Enterprise> = (0..12).map(|n| firm(n, if n % 2 == 0 { "yanjiao_htz" } else { "sanhe_etdz" }, 2020)).collect();
        // All-or-nothing: a bad zone in the last row leaves the year empty.
        let mut broken = now.clone();
        broken[11].zone = "nowhere".into();
        assert!(landuse::import_figures(&db, &office, &broken, "t.xlsx").await.is_err());
        assert!(landuse::figures(&db, 2020, None).await.unwrap().is_empty(), "{engine}");
        assert_eq!(landuse::import_figures(&db, &office, &prior, "t.xlsx").await.unwrap(), (12, 0));
        assert_eq!(landuse::import_figures(&db, &office, &now, "t.xlsx").await.unwrap(), (12, 0));
        assert_eq!(landuse::import_figures(&db, &office, &now, "t.xlsx").await.unwrap(), (0, 12), "{engine}: upsert by code");
        let back = landuse::figures(&db, 2020, None).await.unwrap();
        assert_eq!(back.len(), 12);
        assert_eq!(back.iter().find(|e| e.uscc == now[5].uscc), Some(&now[5]), "{engine}: round trip");
        assert_eq!(landuse::figures(&db, 2020, Some(&["yanjiao_htz".to_string()])).await.unwrap().len(), 6);

        let scheme = examples::huaian();
        let sid = landuse::save_scheme(&db, &office, SchemeKind::Mujun, &scheme.code, &scheme.name, &scheme, 0).await.unwrap();
        let o = grade(&scheme, 2020, back.clone(), Some(&landuse::figures(&db, 2019, None).await.unwrap())).unwrap();
        let id = landuse::create_run(&db, &office, sid, &o).await.unwrap();
        let uscc = now[0].uscc.clone();
        let refused = |r: nengji_store::Result<()>| r.unwrap_err().to_string();

        assert!(landuse::file_objection(&db, &reporter, id, &uscc, "税收口径有误", d("2021-05-10")).await.unwrap_err().to_string().contains("不在公示期"));
        assert!(refused(landuse::start_publicity(&db, &office, id, 1, d("2021-05-10"), d("2021-05-09")).await).contains("早于"));
        assert!(refused(landuse::start_publicity(&db, &office, id, 0, d("2021-05-10"), d("2021-05-12")).await).contains("已被他人更新"), "{engine}");
        landuse::start_publicity(&db, &office, id, 1, d("2021-05-10"), d("2021-05-12")).await.unwrap();
        assert!(refused(landuse::start_publicity(&db, &office, id, 2, d("2021-05-10"), d("2021-05-12")).await).contains("只有草稿"));
        assert!(landuse::file_objection(&db, &reporter, id, &uscc, "税收口径有误", d("2021-05-13")).await.unwrap_err().to_string().contains("不在公示期内"));
        assert!(landuse::file_objection(&db, &reporter, id, "91110000000000000X", "x", d("2021-05-11")).await.unwrap_err().to_string().contains("不在本次评价结果中"));
        let oid = landuse::file_objection(&db, &reporter, id, &uscc, "税收口径有误：漏计增值税留抵", d("2021-05-11")).await.unwrap();
        assert!(refused(landuse::finalise(&db, &office, id, 2, d("2021-05-12")).await).contains("公示期满后"), "{engine}");
        assert!(refused(landuse::finalise(&db, &office, id, 2, d("2021-05-13")).await).contains("1 件异议未处理"));
        assert!(refused(landuse::resolve_objection(&db, &office, oid, true, " ").await).contains("处理意见不能为空"));
        landuse::resolve_objection(&db, &office, oid, true, "核实后更正税收数据并重新计算").await.unwrap();
        assert!(refused(landuse::resolve_objection(&db, &office, oid, false, "再次").await).contains("已处理"));
        // The upheld objection: corrected figure, recomputed in 公示.
        let mut fixed = now[0].clone();
        fixed.tax = Some(900.0);
        landuse::import_figures(&db, &office, &[fixed], "更正").await.unwrap();
        let o2 = grade(&scheme, 2020, landuse::figures(&db, 2020, None).await.unwrap(), Some(&prior)).unwrap();
        landuse::recompute(&db, &office, id, 2, &o2).await.unwrap();
        assert!(refused(landuse::finalise(&db, &office, id, 2, d("2021-05-13")).await).contains("已被他人更新"));
        landuse::finalise(&db, &office, id, 3, d("2021-05-13")).await.unwrap();
        let r = landuse::run(&db, id).await.unwrap().unwrap();
        assert_eq!((r.status, r.version, r.publicity_end), (RunStatus::Final, 4, Some(d("2021-05-12"))), "{engine}");
        assert_eq!(r.outcome.results.iter().find(|x| x.uscc == uscc).unwrap().items[0].value, Some(900.0 / 10.0));
        assert!(refused(landuse::recompute(&db, &office, id, 4, &o2).await).contains("已定稿"));
        // A second run of the same year cannot also become final.
        let id2 = landuse::create_run(&db, &office, sid, &o2).await.unwrap();
        landuse::start_publicity(&db, &office, id2, 1, d("2021-06-01"), d("2021-06-03")).await.unwrap();
        assert!(refused(landuse::finalise(&db, &office, id2, 2, d("2021-06-04")).await).contains("已有定稿"), "{engine}");
        let objections = landuse::objections(&db, id).await.unwrap();
        assert_eq!((objections.len(), objections[0].status_label(), objections[0].filed_by.as_str()), (1, "异议成立", "yanjiao"));
        // Every step left its record, and the chain is intact.
        let steps: Vec<String> = audit::recent(&db, Some("mujun_run"), 20).await.unwrap().into_iter().filter(|e| e.entity_key == format!("2020/{id}")).map(|e| e.action).collect();
        assert_eq!(steps, ["finalise", "recompute", "publicity", "create"], "{engine}");
        assert_eq!(audit::recent(&db, Some("mujun_objection"), 10).await.unwrap().len(), 2);
        assert!(audit::verify(&db).await.unwrap().problems.is_empty());
    }
}
