//! Fresh databases per test: SQLite always, PostgreSQL when `NENGJI_TEST_PG_URL` is set
//! (`scripts/test` sets it and `NENGJI_REQUIRE_PG=1`, so there PostgreSQL is never skipped).

use nengji_store::{sessions, Db};

/// Fresh databases for one test: a SQLite file and, if configured, a new PostgreSQL database.
pub async fn engines() -> Vec<(&'static str, Db, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(dir.path().join("t.db").to_str().unwrap()).await.unwrap();
    let mut out = vec![("sqlite", sqlite, Some(dir))];
    match std::env::var("NENGJI_TEST_PG_URL") {
        Ok(admin) => {
            let name = format!("nengji_t_{}", sessions::random_secret()[..12].to_string());
            let admin_db = sqlx::PgPool::connect(&admin).await.expect("PostgreSQL from NENGJI_TEST_PG_URL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin_db).await.unwrap();
            admin_db.close().await;
            let (base, _) = admin.rsplit_once('/').unwrap();
            out.push(("postgres", Db::connect(&format!("{base}/{name}")).await.unwrap(), None));
        }
        Err(_) if std::env::var("NENGJI_REQUIRE_PG").as_deref() == Ok("1") => {
            panic!("NENGJI_REQUIRE_PG=1 but NENGJI_TEST_PG_URL is not set")
        }
        Err(_) => eprintln!("NENGJI_TEST_PG_URL not set: PostgreSQL stories skipped (scripts/test runs them)"),
    }
    out
}

