//! PostgreSQL at scale: the monitoring pages' hot reads use their indexes on a generated data
//! set (300 zones × 13 indicators × 60 months, loaded with COPY and ANALYZEd), and the value
//! tables are ready to be sharded by zone (every unique key includes zone_id).

use crate::common;

use nengji_core::catalog;
use nengji_core::indicator::IndicatorKind;
use nengji_core::period::Month;
use nengji_core::zone::{Zone, ZoneKind, ZoneLevel};
use nengji_store::observations::{self, BulkRow, Months};
use nengji_store::{masterdata, seed, Actor, Db};

/// A bound parameter: months are text, ids are integers.
enum B<'a> {
    T(&'a str),
    I(i64),
}

async fn explain(p: &sqlx::PgPool, sql: &str, binds: &[B<'_>]) -> String {
    let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")));
    for b in binds {
        q = match b {
            B::T(t) => q.bind(t.to_string()),
            B::I(i) => q.bind(*i),
        };
    }
    q.fetch_all(p).await.unwrap().join("\n")
}

/// The plan reads observation through an index, never by scanning the table.
fn indexed(plan: &str) -> bool {
    plan.contains("Index") && plan.contains(" on observation") && !plan.contains("Seq Scan on observation")
}

#[tokio::test]
async fn hot_queries_use_indexes_and_value_tables_carry_the_distribution_key() {
    let Some((_, db, _)) = common::engines().await.into_iter().find(|e| e.0 == "postgres") else { return };
    let actor = Actor::system("test");
    seed::master_data(&db, &actor).await.unwrap();
    let counties: Vec<String> = catalog::zones().into_iter().map(|z| z.county_code).collect();
    let extra: Vec<Zone> = (1..=285)
        .map(|k| Zone {
            code: format!("s_z{k:03}"),
            name: format!("规模测试开发区{k:03}"),
            short_name: format!("规模{k:03}"),
            kind: ZoneKind::Economic,
            level: ZoneLevel::ALL[k % 3],
            county_code: counties[k % counties.len()].clone(),
            area_ha: None,
            leading_industries: String::new(),
            groups: Vec::new(),
        })
        .collect();
    masterdata::upsert_zones(&db, &actor, &extra).await.unwrap();
    let zones = masterdata::list_zones(&db).await.unwrap();
    let inds: Vec<_> = masterdata::list_indicators(&db).await.unwrap().into_iter().filter(|i| i.indicator.kind != IndicatorKind::Formula).collect();
    let last: Month = "2025-12".parse().unwrap();
    let months: Vec<Month> = last.offset(-59).range_to(last).collect();
    let mut rows = Vec::new();
    for z in &zones {
        for i in &inds {
            for (t, m) in months.iter().enumerate() {
                rows.push(BulkRow { zone_id: z.id, indicator_id: i.id, period: *m, value: (z.id * 7 + i.id * 3 + t as i64) as f64, prior_comparable: None });
            }
        }
    }
    observations::bulk_load(&db, &actor, &rows, chrono::Utc::now()).await.unwrap();
    let Db::Postgres(p) = &db else { unreachable!() };
    sqlx::query("ANALYZE").execute(p).await.unwrap();
    eprintln!("{} values in {} zones", rows.len(), zones.len());

    // The latest approved month.
    let latest = explain(p, observations::LATEST_PERIOD_SQL, &[]).await;
    // (Either period index answers it from the newest end: a backward scan stops at the first
    // approved row.)
    assert!(indexed(&latest), "{latest}");

    // Every zone's values at three months (the league tables and the cockpit).
    let ms = Months::In(vec![last.prior_year(), last.offset(-1), last]);
    let at = explain(p, &observations::approved_cells_sql(&ms, false, None), &[B::T("2024-12"), B::T("2025-11"), B::T("2025-12")]).await;
    assert!(indexed(&at), "{at}");

    // One zone's history of two indicators (the zone profile's charts): the primary key.
    let sql = observations::approved_cells_sql(&Months::UpTo(last), true, Some(2));
    let zone = explain(p, &sql, &[B::T("2025-12"), B::I(zones[100].id), B::I(inds[0].id), B::I(inds[1].id)]).await;
    assert!(indexed(&zone) && zone.contains("observation_pkey"), "{zone}");

    // "Is any shown value 示例数据": the partial index of demo rows.
    let demo = explain(p, observations::APPROVED_DEMO_SQL, &[B::T("2025-12")]).await;
    assert!(indexed(&demo) && demo.contains("observation_demo_period"), "{demo}");

    // Sharding by zone (Citus): a distributed table's unique keys must contain its distribution key.
    let keys: Vec<(String, String, Vec<String>)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.conname::text, array_agg(a.attname::text ORDER BY a.attnum)
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
         WHERE c.contype IN ('p', 'u') AND c.conrelid::regclass::text IN ('observation', 'observation_history', 'submission')
         GROUP BY 1, 2",
    )
    .fetch_all(p)
    .await
    .unwrap();
    assert_eq!(keys.len(), 3, "{keys:?}");
    for (table, key, cols) in &keys {
        assert!(cols.iter().any(|c| c == "zone_id"), "{table}.{key} ({cols:?}) lacks the distribution key zone_id");
    }
    db.close().await;
}
