//! The monitoring pages' hot reads use their indexes (SQLite's EXPLAIN QUERY PLAN): at 19.4
//! million values a full scan takes seconds (bench/monitor-load.sh).

use nengji_core::period::Month;
use nengji_store::observations::{self, Months};
use nengji_store::Db;

async fn plan(db: &Db, sql: &str, binds: &[&str]) -> String {
    let Db::Sqlite(p) = db else { unreachable!() };
    let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")));
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.fetch_all(p).await.unwrap().into_iter().map(|r| r.3).collect::<Vec<_>>().join(" | ")
}

#[tokio::test]
async fn hot_monitoring_queries_use_their_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(dir.path().join("plan.db").to_str().unwrap()).await.unwrap();

    // The latest approved month: one seek in the index of approved values, no scan of the table.
    let latest = plan(&db, observations::LATEST_PERIOD_SQL, &[]).await;
    assert!(latest.contains("SEARCH observation USING COVERING INDEX observation_approved_period"), "{latest}");
    assert!(!latest.contains("SCAN observation"), "{latest}");

    // Every zone's values at three months: only those months' rows.
    let m: Month = "2025-12".parse().unwrap();
    let months = Months::In(vec![m.prior_year(), m.offset(-1), m]);
    let sql = observations::approved_cells_sql(&months, false, None);
    let at = plan(&db, &sql, &["2024-12", "2025-11", "2025-12"]).await;
    assert!(at.contains("USING INDEX observation_approved_period (period=?)"), "{at}");

    // One zone's history of some indicators: the primary key.
    let sql = observations::approved_cells_sql(&Months::UpTo(m), true, Some(2));
    let zone = plan(&db, &sql, &["2025-12", "1", "2", "3"]).await;
    assert!(zone.contains("sqlite_autoindex_observation_1 (zone_id=? AND indicator_id=?"), "{zone}");

    // "Is any shown value 示例数据": the partial index of demo rows.
    let demo = plan(&db, observations::APPROVED_DEMO_SQL, &["2025-12"]).await;
    assert!(demo.contains("observation_demo_period"), "{demo}");
    db.close().await;
}
