//! Backup and restore. SQLite: `VACUUM INTO` writes a consistent snapshot while the server keeps
//! writing (it reads in one transaction under WAL). PostgreSQL: `pg_dump`/`pg_restore` are the
//! right tools; this module says so rather than reinventing them.

use std::path::Path;

use sqlx::Row;

use crate::db::Db;
use crate::StoreError;

/// Writes a snapshot of the SQLite database to `dest` (which must not exist).
pub async fn backup(db: &Db, dest: &Path) -> crate::Result<()> {
    let Db::Sqlite(p) = db else {
        return Err(StoreError::Invalid(
            "PostgreSQL 请使用 pg_dump 备份：pg_dump -Fc -f nengji.dump \"$NENGJI_DATABASE_URL\"；恢复：pg_restore -d <新库> nengji.dump".into(),
        ));
    };
    if dest.exists() {
        return Err(StoreError::Invalid(format!("备份文件 {} 已存在，请换一个文件名", dest.display())));
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Invalid(format!("无法创建目录 {}：{e}", dir.display())))?;
    }
    sqlx::query("VACUUM INTO $1").bind(dest.to_string_lossy().to_string()).execute(p).await?;
    Ok(())
}

/// Checks that a file is a sound Nengji SQLite database (integrity check and schema version).
pub async fn check_file(path: &Path) -> crate::Result<i64> {
    if !path.exists() {
        return Err(StoreError::NotFound(format!("备份文件 {}", path.display())));
    }
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path).read_only(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(opts).await?;
    let ok: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await?;
    if ok != "ok" {
        return Err(StoreError::Invalid(format!("备份文件损坏：{ok}")));
    }
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&pool).await.map_err(|_| {
        StoreError::Invalid("这不是能级的数据库备份（没有迁移记录）".into())
    })?;
    pool.close().await;
    version.ok_or_else(|| StoreError::Invalid("备份中没有任何迁移记录".into()))
}

/// Restores a backup file to `target` (the configured SQLite path). The server must be stopped;
/// an existing database is kept aside as `<target>.before-restore`.
pub async fn restore(backup: &Path, target: &Path) -> crate::Result<()> {
    check_file(backup).await?;
    let io = |e: std::io::Error| StoreError::Invalid(format!("恢复失败：{e}"));
    if target.exists() {
        let aside = target.with_extension("before-restore");
        std::fs::rename(target, &aside).map_err(io)?;
        for ext in ["db-wal", "db-shm"] {
            let _ = std::fs::remove_file(target.with_extension(ext));
        }
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::copy(backup, target).map_err(io)?;
    Ok(())
}

/// A digest of every row of every table, to compare two SQLite databases.
pub async fn sqlite_fingerprint(db: &Db) -> crate::Result<Vec<(String, i64, String)>> {
    let Db::Sqlite(p) = db else { return Err(StoreError::Invalid("仅用于 SQLite".into())) };
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").fetch_all(p).await?;
    let mut out = Vec::new();
    for t in tables {
        let cols: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info(\"{t}\")"))).fetch_all(p).await?.iter().map(|r| r.get::<String, _>("name")).collect();
        let expr = cols.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ");
        let sql = format!("SELECT COUNT(*), COALESCE(group_concat(r, char(10)), '') FROM (SELECT {expr} AS r FROM \"{t}\" ORDER BY 1)");
        let (n, all): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(p).await?;
        use sha2::{Digest, Sha256};
        out.push((t, n, hex::encode(Sha256::digest(all.as_bytes()))));
    }
    Ok(out)
}
