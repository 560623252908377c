//! The `Db` enum of concrete pools and the `with_pool!` macro (see STACK.md §4).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

/// Runs `$body` with `$p` bound to the concrete pool of either backend.
/// The body is compiled twice, once per backend, so native types and `FromRow` work.
macro_rules! with_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($p) => {
                #[allow(unused_imports)]
                use $crate::db::BeginWrite as _;
                $body
            }
            $crate::db::Db::Postgres($p) => {
                #[allow(unused_imports)]
                use $crate::db::BeginWrite as _;
                $body
            }
        }
    };
}

/// Starting a transaction that will write. On SQLite `BEGIN IMMEDIATE` takes the write lock at
/// once, waiting for it up to the busy timeout: a plain (deferred) transaction that reads and
/// then writes fails at once with "database is locked" when another connection wrote in
/// between, and concurrent savers got server errors instead of a wait.
pub trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(&self) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
    /// A write transaction for a bulk save whose every parent row (zone, indicator, data set) the
    /// caller reads inside it. On SQLite it runs on a connection of its own with foreign-key
    /// enforcement off: under the write lock a parent just read cannot go away, so SQLite's two or
    /// three parent lookups per inserted row would only repeat that check (they were a quarter of
    /// the insert time). The connection is closed afterwards rather than returned to the pool with
    /// the setting changed (`PRAGMA foreign_keys` cannot change inside a transaction).
    fn begin_bulk_write(&self) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    fn begin_write(&self) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
    async fn begin_bulk_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        let mut conn = self.acquire().await?;
        conn.close_on_drop();
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
        sqlx::Transaction::begin(conn, Some(sqlx::SqlSafeStr::into_sql_str("BEGIN IMMEDIATE"))).await
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    fn begin_write(&self) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
    fn begin_bulk_write(&self) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Sql(#[from] sqlx::Error),
    /// From statements run on SQLite's own handle (bulk writes).
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A user-facing refusal (validation, conflict) in Chinese.
    #[error("{0}")]
    Invalid(String),
    #[error("未找到：{0}")]
    NotFound(String),
}

impl StoreError {
    /// True when the error is a unique-key violation (on either engine).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Sql(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

impl Db {
    /// Connects by URL (`sqlite://path` or a bare path for SQLite, `postgres://…` for PostgreSQL)
    /// and runs the embedded migrations of that engine.
    pub async fn connect(url: &str) -> crate::Result<Db> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Db::Postgres(pool)
        } else {
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Invalid(format!("无法创建数据目录 {}：{e}", dir.display())))?;
            }
            let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                // SQLite's default page cache is 2 MiB: a file import writing a million rows
                // spills dirty B-tree pages to the WAL and rewrites them many times over before
                // it commits. 64 MiB per connection (allocated only as used) keeps them in memory.
                .pragma("cache_size", "-65536")
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
            Db::Sqlite(pool)
        };
        db.migrate().await?;
        Ok(db)
    }

    pub async fn migrate(&self) -> crate::Result<()> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        with_pool!(self, p => p.close().await)
    }

    /// Liveness check for `/healthz`.
    pub async fn ping(&self) -> crate::Result<()> {
        with_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))?;
        Ok(())
    }
}

/// Database URLs with the password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Runs blocking work on a runtime worker thread without stalling the tasks queued on it
/// (`block_in_place` hands them to another worker); a single-threaded runtime just runs it.
fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Runs `f` with rusqlite on a SQLite connection of sqlx's (its transaction, if one is open):
/// statements stepped on SQLite's own handle, not through sqlx's worker thread, which hands
/// every row and argument over separately (bulk writes, reads of a million rows).
pub(crate) async fn on_sqlite_handle<R, E: From<StoreError>>(conn: &mut sqlx::SqliteConnection, f: impl FnOnce(&rusqlite::Connection) -> Result<R, E>) -> Result<R, E> {
    let mut handle = conn.lock_handle().await.map_err(|e| E::from(e.into()))?;
    let raw = handle.as_raw_handle();
    blocking(|| {
        // SAFETY: `handle` keeps sqlx's worker thread off the connection until it is dropped,
        // after `conn`; a connection made by `from_handle` leaves the handle open on drop.
        let conn = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }.map_err(|e| E::from(e.into()))?;
        f(&conn)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords_only() {
        assert_eq!(super::redact_url("postgres://nengji:s3cret@db:5432/nengji"), "postgres://nengji:***@db:5432/nengji");
        assert_eq!(super::redact_url("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
        assert_eq!(super::redact_url("./nengji-data/nengji.db"), "./nengji-data/nengji.db");
    }
}
