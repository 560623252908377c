//! Store stories, run on SQLite always and on PostgreSQL when `NENGJI_TEST_PG_URL` is set
//! (`scripts/test` sets it and `NENGJI_REQUIRE_PG=1`, so there PostgreSQL is never skipped).

use chrono::Duration;
use nengji_core::auth::Role;
use nengji_core::masterdata::{Collective, Table};
use nengji_core::period::Month;
use nengji_store::imports::{import, ImportError, MasterKind};
use nengji_store::observations::{self, Filter};
use nengji_store::users::{self, NewUser};
use nengji_store::{audit, masterdata, seed, sessions, Actor, Db};

use crate::common;
use common::engines;

fn system() -> Actor {
    Actor::system("test")
}

fn zones_table(rows: &[&[&str]]) -> Table {
    Table {
        sheet: "zones.csv".into(),
        header: ["代码", "名称", "简称", "类型", "级别", "所在县代码", "平台分组"].map(String::from).to_vec(),
        rows: rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect(),
    }
}

#[tokio::test]
async fn master_data_loads_once_and_is_audited() {
    for (engine, db, _dir) in engines().await {
        let first = seed::master_data(&db, &system()).await.unwrap();
        assert_eq!(first.zones.inserted, 15, "{engine}");
        assert_eq!(first.groups.inserted, 3, "{engine}");
        let audits = audit::count(&db).await.unwrap();
        let second = seed::master_data(&db, &system()).await.unwrap();
        assert_eq!((second.zones.inserted, second.zones.updated, second.zones.unchanged), (0, 0, 15), "{engine}");
        assert_eq!(audit::count(&db).await.unwrap(), audits, "{engine}: an unchanged reload writes nothing");

        let zones = masterdata::list_zones(&db).await.unwrap();
        assert_eq!(zones.len(), 15);
        assert_eq!(zones[0].zone.short_name, "廊坊经开区", "{engine}: plan order kept");
        let bazhou = masterdata::get_zone(&db, "bazhou_etdz").await.unwrap().unwrap();
        assert_eq!(bazhou.zone.groups, ["xiongan", "new_airport"], "{engine}");
        let unit = masterdata::resolve_unit(&db, "国土局").await.unwrap().unwrap();
        assert_eq!(unit.name, "市国土局", "{engine}: alias resolves");
        let colls = masterdata::list_collectives(&db).await.unwrap();
        let govs = colls.iter().find(|c| c.name == "各县(市、区)政府").unwrap();
        assert_eq!(govs.members.len(), 10, "{engine}");
        let inds = masterdata::list_indicators(&db).await.unwrap();
        let share = inds.iter().find(|i| i.indicator.code == "hitech_share").unwrap();
        assert_eq!(share.indicator.formula.as_deref(), Some("hitech_va / ind_va * 100"), "{engine}");

        let entries = audit::recent(&db, Some("zone"), 100).await.unwrap();
        assert_eq!(entries.len(), 15, "{engine}");
        assert!(entries.iter().all(|e| e.action == "create" && e.actor == "test" && e.old_value.is_none()));
    }
}

#[tokio::test]
async fn zone_import_with_bad_county_or_duplicate_writes_nothing() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &system()).await.unwrap();
        let before = (masterdata::list_zones(&db).await.unwrap(), audit::count(&db).await.unwrap());

        let bad_county = zones_table(&[
            &["new_zone", "新开发区", "", "高新区", "省级", "131082", ""],
            &["sanhe_etdz", "三河经济开发区（改）", "三河经开区", "经开区", "省级", "139999", "subcenter"],
        ]);
        let Err(ImportError::Cells(errs)) = import(&db, &system(), MasterKind::Zones, &bad_county).await else {
            panic!("{engine}: bad county must be refused")
        };
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].to_string(), "工作表“zones.csv”第3行第F列（所在县代码）：“139999”不是廊坊市的县级行政区划代码（GB/T 2260），例如 131082 三河市");

        let duplicate = zones_table(&[
            &["new_zone", "新开发区", "", "高新区", "省级", "131082", ""],
            &["new_zone", "又一个", "", "高新区", "省级", "131082", ""],
        ]);
        let Err(ImportError::Cells(errs)) = import(&db, &system(), MasterKind::Zones, &duplicate).await else {
            panic!("{engine}: duplicate code must be refused")
        };
        assert_eq!(errs[0].to_string(), "工作表“zones.csv”第3行第A列（代码）：代码“new_zone”在文件中重复出现");

        let after = (masterdata::list_zones(&db).await.unwrap(), audit::count(&db).await.unwrap());
        assert_eq!(before, after, "{engine}: nothing written");

        // A good file updates one zone, adds one, and audits old → new.
        let good = zones_table(&[
            &["new_zone", "新开发区", "", "高新区", "省级", "131082", ""],
            &["sanhe_etdz", "三河经济开发区", "三河经开区", "经开区", "国家级", "131082", "subcenter"],
        ]);
        let sum = import(&db, &system(), MasterKind::Zones, &good).await.unwrap();
        assert_eq!((sum.inserted, sum.updated), (1, 1), "{engine}");
        let e = &audit::recent(&db, Some("zone"), 1).await.unwrap()[0];
        assert_eq!(e.action, "update");
        assert!(e.old_value.as_deref().unwrap().contains("\"provincial\"") && e.new_value.as_deref().unwrap().contains("\"national\""));
    }
}

#[tokio::test]
async fn a_failing_write_rolls_back_whole() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &system()).await.unwrap();
        let before = (masterdata::list_collectives(&db).await.unwrap(), audit::count(&db).await.unwrap());
        let bad = [
            Collective { code: "c1".into(), name: "甲组".into(), members: vec!["swj".into()] },
            Collective { code: "c2".into(), name: "乙组".into(), members: vec!["no_such_unit".into()] },
        ];
        let err = masterdata::upsert_collectives(&db, &system(), &bad).await.unwrap_err();
        assert_eq!(err.to_string(), "集合“乙组”的成员单位“no_such_unit”不存在", "{engine}");
        let after = (masterdata::list_collectives(&db).await.unwrap(), audit::count(&db).await.unwrap());
        assert_eq!(before, after, "{engine}: the first collective was rolled back too");
    }
}

#[tokio::test]
async fn audit_log_is_append_only() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &system()).await.unwrap();
        let upd = match &db {
            Db::Sqlite(p) => sqlx::query("UPDATE audit_log SET actor = 'x'").execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query("UPDATE audit_log SET actor = 'x'").execute(p).await.map(|_| ()),
        };
        assert!(upd.unwrap_err().to_string().contains("append-only"), "{engine}");
        let del = match &db {
            Db::Sqlite(p) => sqlx::query("DELETE FROM audit_log").execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query("DELETE FROM audit_log").execute(p).await.map(|_| ()),
        };
        assert!(del.is_err(), "{engine}");
    }
}

#[tokio::test]
async fn demo_values_load_and_query() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &system()).await.unwrap();
        let n = seed::demo_values(&db, &system()).await.unwrap();
        assert_eq!(n, 15 * 13 * 60);
        assert_eq!(seed::demo_values(&db, &system()).await.unwrap(), n, "{engine}: reload replaces");
        assert_eq!(observations::count(&db).await.unwrap(), n as i64, "{engine}");
        assert_eq!(observations::latest_period(&db).await.unwrap(), Some(Month::new(2020, 12).unwrap()));
        let f = Filter {
            zones: Some(vec!["yanjiao_htz".into()]),
            indicators: Some(vec!["revenue".into()]),
            from: Some("2019-01".parse().unwrap()),
            to: Some("2019-12".parse().unwrap()),
            approved_only: true,
            any_order: false,
        };
        let rows = observations::query(&db, &f).await.unwrap();
        assert_eq!(rows.len(), 12, "{engine}");
        assert!(rows.iter().all(|r| r.is_demo && r.zone == "yanjiao_htz"));
        assert!(rows.windows(2).all(|w| w[0].period < w[1].period && w[0].value <= w[1].value), "{engine}: 累计 rises");
        let expected = nengji_core::demo::values()
            .into_iter()
            .find(|v| v.zone == "yanjiao_htz" && v.indicator == "revenue" && v.period.to_string() == "2019-12")
            .unwrap();
        assert_eq!(rows[11].value, expected.value, "{engine}: stored exactly");
        // Every zone and indicator of a year: in any order, the same rows as in order.
        let year = Filter { zones: None, indicators: None, ..f.clone() };
        let ordered = observations::query(&db, &year).await.unwrap();
        let mut any = observations::query(&db, &Filter { any_order: true, ..year }).await.unwrap();
        assert_eq!(ordered.len(), 15 * 13 * 12, "{engine}");
        let key = |o: &observations::Observation| (o.zone.clone(), o.indicator.clone(), o.period.clone());
        assert!(ordered.windows(2).all(|w| w[0].zone != w[1].zone || w[0].indicator != w[1].indicator || w[0].period < w[1].period), "{engine}: by month");
        let mut sorted = ordered.clone();
        sorted.sort_by_key(key);
        any.sort_by_key(key);
        assert_eq!(any, sorted, "{engine}");
        let none = Filter { zones: Some(vec![]), ..Filter::default() };
        assert!(observations::query(&db, &none).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn users_sessions_and_tokens() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &system()).await.unwrap();
        let new = |name: &str, role, zones: &[&str], unit: Option<&str>| NewUser {
            username: name.into(),
            display_name: String::new(),
            password: "secret-密码-123".into(),
            role,
            unit: unit.map(String::from),
            zones: zones.iter().map(|s| s.to_string()).collect(),
            email: None,
        };
        users::create(&db, &system(), new("zr", Role::ZoneReporter, &["yanjiao_htz"], None)).await.unwrap();
        let dup = users::create(&db, &system(), new("zr", Role::Viewer, &[], None)).await.unwrap_err();
        assert_eq!(dup.to_string(), "用户名“zr”已存在", "{engine}");
        let no_zone = users::create(&db, &system(), new("zr2", Role::ZoneReporter, &[], None)).await.unwrap_err();
        assert_eq!(no_zone.to_string(), "开发区填报员必须至少指定一个开发区");
        let bad_zone = users::create(&db, &system(), new("zr3", Role::ZoneReporter, &["nowhere"], None)).await.unwrap_err();
        assert_eq!(bad_zone.to_string(), "开发区“nowhere”不存在", "{engine}");
        assert!(users::get(&db, "zr3").await.unwrap().is_none(), "{engine}: rolled back");
        users::create(&db, &system(), new("dept", Role::DeptReporter, &[], Some("kjj"))).await.unwrap();

        assert!(users::authenticate(&db, "zr", "wrong-password").await.unwrap().is_none());
        assert!(users::authenticate(&db, "nobody", "secret-密码-123").await.unwrap().is_none());
        let zr = users::authenticate(&db, "zr", "secret-密码-123").await.unwrap().unwrap();
        assert_eq!(zr.zones, ["yanjiao_htz"], "{engine}");
        assert!(zr.can_read_zone("yanjiao_htz") && !zr.can_read_zone("langfang_etdz"));
        let dept = users::authenticate(&db, "dept", "secret-密码-123").await.unwrap().unwrap();
        assert_eq!(dept.unit.as_deref(), Some("kjj"));

        let s = sessions::create(&db, &zr, Duration::hours(8)).await.unwrap();
        let (who, csrf) = sessions::load(&db, &s.token).await.unwrap().unwrap();
        assert_eq!((who.username.as_str(), csrf.as_str()), ("zr", s.csrf.as_str()), "{engine}");
        assert!(sessions::load(&db, "forged").await.unwrap().is_none());
        let expired = sessions::create(&db, &zr, Duration::seconds(-1)).await.unwrap();
        assert!(sessions::load(&db, &expired.token).await.unwrap().is_none(), "{engine}: expired");

        // A new password ends open sessions.
        users::set_password(&db, &system(), "zr", "another-密码-456").await.unwrap();
        assert!(sessions::load(&db, &s.token).await.unwrap().is_none(), "{engine}");
        assert!(users::authenticate(&db, "zr", "another-密码-456").await.unwrap().is_some());
        assert_eq!(users::set_password(&db, &system(), "zr", "short").await.unwrap_err().to_string(), "密码至少需要 8 个字符");

        let token = sessions::create_token(&db, &system(), "dept", "脚本").await.unwrap();
        assert_eq!(sessions::principal_for_token(&db, &token).await.unwrap().unwrap().username, "dept");
        users::set_active(&db, &system(), "dept", false).await.unwrap();
        assert!(sessions::principal_for_token(&db, &token).await.unwrap().is_none(), "{engine}: disabled users lose tokens");
        assert!(users::authenticate(&db, "dept", "secret-密码-123").await.unwrap().is_none());

        let actions: Vec<String> = audit::recent(&db, Some("user"), 10).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["set_active", "set_password", "create", "create"], "{engine}");
    }
}

#[tokio::test]
async fn the_audit_chain_detects_edits_deletions_and_reordering() {
    for (engine, db, _dir) in engines().await {
        seed::master_data(&db, &system()).await.unwrap();
        let v = audit::verify(&db).await.unwrap();
        assert!(v.problems.is_empty() && v.records > 70, "{engine}: {v:?}");
        // A tamperer with database access first drops the append-only triggers.
        let raw = |sql: &'static str| {
            let db = db.clone();
            async move {
                match &db {
                    Db::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
                    Db::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
                }
                .unwrap()
            }
        };
        match &db {
            Db::Sqlite(_) => raw("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").await,
            Db::Postgres(_) => raw("DROP TRIGGER audit_log_no_change ON audit_log;").await,
        }
        raw("UPDATE audit_log SET new_value = REPLACE(new_value, '燕郊', '某某') WHERE entity_key = 'yanjiao_htz'").await;
        let v = audit::verify(&db).await.unwrap();
        assert_eq!(v.problems.len(), 1, "{engine}: {v:?}");
        assert!(v.problems[0].contains("内容与其哈希不符"), "{engine}");
        raw("UPDATE audit_log SET new_value = REPLACE(new_value, '某某', '燕郊') WHERE entity_key = 'yanjiao_htz'").await;
        assert!(audit::verify(&db).await.unwrap().problems.is_empty(), "{engine}: restored");

        raw("DELETE FROM audit_log WHERE seq = 5").await;
        let v = audit::verify(&db).await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("记录被删除")), "{engine}: {v:?}");

        // Reordering: two records swap places in the sequence.
        let (_, db2, _d) = engines().await.into_iter().find(|(e, _, _)| *e == engine).unwrap();
        seed::master_data(&db2, &system()).await.unwrap();
        let raw2 = |sql: &'static str| {
            let db = db2.clone();
            async move {
                match &db {
                    Db::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
                    Db::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
                }
                .unwrap()
            }
        };
        match &db2 {
            Db::Sqlite(_) => raw2("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").await,
            Db::Postgres(_) => raw2("DROP TRIGGER audit_log_no_change ON audit_log;").await,
        }
        raw2("UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -1").await;
        let v = audit::verify(&db2).await.unwrap();
        assert!(v.problems.iter().any(|p| p.contains("调换了顺序")), "{engine}: {v:?}");
        raw2("UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -1").await;
        assert!(audit::verify(&db2).await.unwrap().problems.is_empty(), "{engine}: restored");
        // Deleting the newest record leaves the chain consistent but shorter than its head says.
        raw2("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)").await;
        let v = audit::verify(&db2).await.unwrap();
        assert_eq!(v.problems.len(), 1, "{engine}: {v:?}");
        assert!(v.problems[0].contains("末尾的记录被删除"), "{engine}: {v:?}");
    }
}

#[tokio::test]
async fn backup_while_writing_and_restore_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(dir.path().join("live.db").to_str().unwrap()).await.unwrap();
    seed::master_data(&db, &system()).await.unwrap();
    seed::demo_values(&db, &system()).await.unwrap();
    // The server keeps writing while the backup runs.
    let writer = {
        let db = db.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                audit::record_event(&db, &system(), "ping", "test", &i.to_string(), None).await.unwrap();
            }
        })
    };
    let file = dir.path().join("backups/nengji-1.db");
    nengji_store::backup::backup(&db, &file).await.unwrap();
    writer.await.unwrap();
    assert!(nengji_store::backup::backup(&db, &file).await.unwrap_err().to_string().contains("已存在"));
    assert!(nengji_store::backup::check_file(&file).await.unwrap() >= 6);

    // The snapshot is consistent on its own: its audit chain verifies.
    let snap = Db::connect(file.to_str().unwrap()).await.unwrap();
    assert!(audit::verify(&snap).await.unwrap().problems.is_empty());
    let snapshot = nengji_store::backup::sqlite_fingerprint(&snap).await.unwrap();
    snap.close().await;

    let target = dir.path().join("restored/nengji.db");
    nengji_store::backup::restore(&file, &target).await.unwrap();
    let restored = Db::connect(target.to_str().unwrap()).await.unwrap();
    assert_eq!(nengji_store::backup::sqlite_fingerprint(&restored).await.unwrap(), snapshot, "every table, every row");
    assert!(snapshot.iter().any(|(t, n, _)| t == "observation" && *n == 15 * 13 * 60));

    let bogus = dir.path().join("bogus.db");
    std::fs::write(&bogus, b"not a database").unwrap();
    assert!(nengji_store::backup::restore(&bogus, &target).await.is_err());
}
