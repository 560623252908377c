//! Bulletins (drafts versioned per month; issuing freezes one), their wording settings, and the
//! zones' public lists (权力/责任/服务清单, 最多跑一次) with every version kept.

use chrono::{DateTime, NaiveDate, Utc};
use nengji_core::bulletin::Bulletin;
use nengji_core::period::Month;
use serde::Serialize;

use crate::audit::Actor;
use crate::db::Db;
use crate::StoreError;

#[derive(Debug, Clone, Serialize)]
pub struct StoredBulletin {
    pub id: i64,
    pub period: String,
    pub version: i64,
    pub issued: bool,
    pub number: String,
    pub content: Bulletin,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Record {
    id: i64,
    period: String,
    version: i64,
    status: String,
    number: String,
    content: String,
    created_by: String,
    created_at: DateTime<Utc>,
    issued_at: Option<DateTime<Utc>>,
}

fn to_stored(r: Record) -> crate::Result<StoredBulletin> {
    Ok(StoredBulletin {
        content: serde_json::from_str(&r.content).map_err(|e| StoreError::Invalid(format!("通报内容损坏：{e}")))?,
        id: r.id,
        period: r.period,
        version: r.version,
        issued: r.status == "issued",
        number: r.number,
        created_by: r.created_by,
        created_at: r.created_at,
        issued_at: r.issued_at,
    })
}

const SELECT: &str = "SELECT id, period, version, status, number, content, created_by, created_at, issued_at FROM bulletin";

/// All bulletins (`issued_only` for the public), newest period first.
pub async fn list(db: &Db, issued_only: bool) -> crate::Result<Vec<StoredBulletin>> {
    let sql = format!("{SELECT} WHERE ($1 = FALSE OR status = 'issued') ORDER BY period DESC, version DESC");
    let rows = with_pool!(db, p => sqlx::query_as::<_, Record>(sqlx::AssertSqlSafe(sql)).bind(issued_only).fetch_all(p).await)?;
    rows.into_iter().map(to_stored).collect()
}

pub async fn get(db: &Db, id: i64) -> crate::Result<Option<StoredBulletin>> {
    let sql = format!("{SELECT} WHERE id = $1");
    let row = with_pool!(db, p => sqlx::query_as::<_, Record>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
    row.map(to_stored).transpose()
}

/// Saves a new draft version for the bulletin's month.
pub async fn create_draft(db: &Db, actor: &Actor, b: &Bulletin) -> crate::Result<i64> {
    let content = serde_json::to_string(b).map_err(|e| StoreError::Invalid(e.to_string()))?;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM bulletin WHERE period = $1")
            .bind(&b.period).fetch_one(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bulletin (period, version, status, number, content, created_by, created_at)
             VALUES ($1, $2, 'draft', $3, $4, $5, $6) RETURNING id")
            .bind(&b.period).bind(version).bind(&b.number).bind(&content).bind(&actor.name).bind(Utc::now())
            .fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", "bulletin", &format!("{}/v{version}", b.period), None::<String>, Some(format!("{{\"id\":{id}}}")))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    }).map_err(Into::into)
}

/// Issues a draft: it is frozen and public. One issued bulletin per month.
pub async fn issue(db: &Db, actor: &Actor, id: i64) -> crate::Result<()> {
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let row: Option<(String, i64, String)> = sqlx::query_as("SELECT period, version, status FROM bulletin WHERE id = $1")
            .bind(id).fetch_optional(&mut *tx).await?;
        let Some((period, version, status)) = row else { return Err(StoreError::NotFound(format!("通报 {id}"))) };
        if status == "issued" {
            return Err(StoreError::Invalid("该通报已印发".into()));
        }
        let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bulletin WHERE period = $1 AND status = 'issued'")
            .bind(&period).fetch_one(&mut *tx).await?;
        if issued > 0 {
            return Err(StoreError::Invalid(format!("{period} 的通报已印发过，不能再印发第二份")));
        }
        sqlx::query("UPDATE bulletin SET status = 'issued', issued_by = $1, issued_at = $2 WHERE id = $3")
            .bind(&actor.name).bind(Utc::now()).bind(id).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "issue", "bulletin", &format!("{period}/v{version}"), Some("{\"status\":\"draft\"}".to_string()), Some("{\"status\":\"issued\"}".to_string()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

/// The latest month with an issued bulletin: figures up to it are published.
pub async fn published_through(db: &Db) -> crate::Result<Option<Month>> {
    let p: Option<String> = with_pool!(db, p => sqlx::query_scalar("SELECT MAX(period) FROM bulletin WHERE status = 'issued'").fetch_one(p).await)?;
    Ok(p.and_then(|s| s.parse().ok()))
}

pub async fn setting(db: &Db, key: &str) -> crate::Result<Option<String>> {
    Ok(with_pool!(db, p => sqlx::query_scalar("SELECT value FROM bulletin_setting WHERE key = $1").bind(key).fetch_optional(p).await)?)
}

pub async fn set_setting(db: &Db, actor: &Actor, key: &str, value: &str) -> crate::Result<()> {
    let old = setting(db, key).await?;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("INSERT INTO bulletin_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
            .bind(key).bind(value).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "update", "bulletin_setting", key, old, Some(value.to_string()))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// Kinds of public list.
pub const LIST_KINDS: [(&str, &str); 4] = [("power", "权力清单"), ("responsibility", "责任清单"), ("service", "服务清单"), ("one_visit", "“最多跑一次”事项目录")];

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ListVersion {
    pub id: i64,
    pub zone: String,
    pub kind: String,
    pub version: i64,
    pub content: String,
    pub effective_from: NaiveDate,
    pub published: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// Versions of a zone's lists; `public` keeps only published versions in effect on `today`.
pub async fn list_versions(db: &Db, zone: &str, public: Option<NaiveDate>) -> crate::Result<Vec<ListVersion>> {
    let rows = with_pool!(db, p => sqlx::query_as::<_, ListVersion>(
        "SELECT l.id, z.code AS zone, l.kind, l.version, l.content, l.effective_from, l.published, l.created_by, l.created_at
         FROM public_list l JOIN zone z ON z.id = l.zone_id WHERE z.code = $1 ORDER BY l.kind, l.version DESC")
        .bind(zone).fetch_all(p).await)?;
    Ok(rows.into_iter().filter(|v| public.is_none_or(|t| v.published && v.effective_from <= t)).collect())
}

/// Adds a new version of a list (not yet published).
pub async fn add_list_version(db: &Db, actor: &Actor, zone: &str, kind: &str, content: &str, effective_from: NaiveDate) -> crate::Result<i64> {
    if !LIST_KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(StoreError::Invalid(format!("未知的清单类型“{kind}”")));
    }
    if content.trim().is_empty() {
        return Err(StoreError::Invalid("清单内容不能为空".into()));
    }
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let zone_id: Option<i64> = sqlx::query_scalar("SELECT id FROM zone WHERE code = $1").bind(zone).fetch_optional(&mut *tx).await?;
        let Some(zone_id) = zone_id else { return Err(StoreError::NotFound(format!("开发区“{zone}”"))) };
        let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM public_list WHERE zone_id = $1 AND kind = $2")
            .bind(zone_id).bind(kind).fetch_one(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO public_list (zone_id, kind, version, content, effective_from, published, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, FALSE, $6, $7) RETURNING id")
            .bind(zone_id).bind(kind).bind(version).bind(content.trim()).bind(effective_from).bind(&actor.name).bind(Utc::now())
            .fetch_one(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", "public_list", &format!("{zone}/{kind}/v{version}"), None::<String>, Some(content.trim().to_string()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    })
}

pub async fn publish_list_version(db: &Db, actor: &Actor, id: i64) -> crate::Result<()> {
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE public_list SET published = TRUE WHERE id = $1 AND published = FALSE").bind(id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::Invalid(format!("清单版本 {id} 不存在或已公开")));
        }
        audit!(&mut *tx, actor, "publish", "public_list", &id.to_string(), Some("{\"published\":false}".to_string()), Some("{\"published\":true}".to_string()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}
