//! The five registers on both engines: records (fields as JSON beside the key, name, zone and
//! county that lists filter on), a history row for every change, dated entries (investment,
//! cultivation, disbursement), staged imports. Every write is one transaction with its audit
//! record; an edit names the version it started from and is refused if the record moved on.

pub mod demo;
pub mod imports;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use nengji_core::registers::{check_entry, Entry, EntryKind, Record, RegisterKind};
use serde::Serialize;

use crate::audit::{now, Actor};
use crate::db::Db;
use crate::StoreError;

/// A record as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    pub id: i64,
    pub kind: RegisterKind,
    pub record: Record,
    pub version: i64,
    pub is_demo: bool,
    pub updated_at: DateTime<Utc>,
}

/// One change in a record's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub summary: String,
    /// (field label, old, new).
    pub changes: Vec<(String, String, String)>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEntry {
    pub id: i64,
    pub kind: EntryKind,
    pub entry: Entry,
    pub created_by: String,
}

/// Zones a writer may touch: `None` for the office, the reporter's zones otherwise.
pub type Scope<'a> = Option<&'a [String]>;

pub(crate) fn in_scope(scope: Scope, zone: &str) -> bool {
    scope.is_none_or(|zs| !zone.is_empty() && zs.iter().any(|z| z == zone))
}

pub(crate) fn to_json(r: &Record) -> String {
    serde_json::to_string(&r.fields).expect("string map serialises")
}

fn from_json(s: &str) -> crate::Result<Record> {
    let fields: BTreeMap<String, String> =
        serde_json::from_str(s).map_err(|e| StoreError::Invalid(format!("名录记录数据损坏：{e}")))?;
    Ok(Record { fields })
}

/// Field-by-field differences, labelled in Chinese, in the register's field order.
pub fn diff(kind: RegisterKind, old: &Record, new: &Record) -> Vec<(String, String, String)> {
    kind.fields()
        .iter()
        .filter(|f| old.get(f.key) != new.get(f.key))
        .map(|f| (f.label.to_string(), old.get(f.key).to_string(), new.get(f.key).to_string()))
        .collect()
}

type Row = (i64, String, String, i64, bool, DateTime<Utc>);
const COLS: &str = "id, register, data, version, is_demo, updated_at";

fn stored(row: Row) -> crate::Result<Stored> {
    let (id, reg, data, version, is_demo, updated_at) = row;
    let kind = RegisterKind::parse(&reg).ok_or_else(|| StoreError::Invalid(format!("未知名录“{reg}”")))?;
    Ok(Stored { id, kind, record: from_json(&data)?, version, is_demo, updated_at })
}

/// Every record of a register (filtering and pinyin sorting happen in core).
pub async fn list(db: &Db, kind: RegisterKind) -> crate::Result<Vec<Stored>> {
    let sql = format!("SELECT {COLS} FROM reg_record WHERE register = $1 ORDER BY id");
    let rows: Vec<Row> = with_pool!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(kind.code()).fetch_all(p).await)?;
    rows.into_iter().map(stored).collect()
}

/// Just the records, for counts.
pub async fn records(db: &Db, kind: RegisterKind) -> crate::Result<Vec<Record>> {
    Ok(list(db, kind).await?.into_iter().map(|s| s.record).collect())
}

/// Records per register, with their numbers.
pub async fn counts(db: &Db) -> crate::Result<Vec<(RegisterKind, i64)>> {
    let rows: Vec<(String, i64)> =
        with_pool!(db, p => sqlx::query_as("SELECT register, COUNT(*) FROM reg_record GROUP BY register").fetch_all(p).await)?;
    Ok(RegisterKind::ALL
        .iter()
        .map(|k| (*k, rows.iter().find(|(r, _)| r == k.code()).map(|(_, n)| *n).unwrap_or(0)))
        .collect())
}

pub async fn get(db: &Db, kind: RegisterKind, id: i64) -> crate::Result<Stored> {
    let sql = format!("SELECT {COLS} FROM reg_record WHERE register = $1 AND id = $2");
    let row: Option<Row> =
        with_pool!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(kind.code()).bind(id).fetch_optional(p).await)?;
    stored(row.ok_or_else(|| StoreError::NotFound(format!("{}记录 {id}", kind.label())))?)
}

pub async fn find_by_key(db: &Db, kind: RegisterKind, key: &str) -> crate::Result<Option<Stored>> {
    let sql = format!("SELECT {COLS} FROM reg_record WHERE register = $1 AND key = $2");
    let row: Option<Row> =
        with_pool!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(kind.code()).bind(key).fetch_optional(p).await)?;
    row.map(stored).transpose()
}

fn duplicate(kind: RegisterKind, key: &str) -> StoreError {
    let label = kind.field(kind.key_field()).map(|f| f.label).unwrap_or("编号");
    StoreError::Invalid(format!("{label}“{key}”已登记，不能重复登记"))
}

fn conflict() -> StoreError {
    StoreError::Invalid("该记录已被他人修改，请刷新后在最新内容上重新修改（未保存）".into())
}

fn out_of_scope() -> StoreError {
    StoreError::Invalid("只能登记和修改本开发区的记录".into())
}

/// Adds a checked record (from `core::registers::parse`). A key already registered is refused.
pub async fn create(db: &Db, actor: &Actor, kind: RegisterKind, record: &Record, scope: Scope<'_>) -> crate::Result<i64> {
    if !in_scope(scope, record.zone()) {
        return Err(out_of_scope());
    }
    let key = record.key(kind).to_string();
    let at = now();
    let data = to_json(record);
    let changes = diff(kind, &Record::default(), record);
    let res = with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM reg_record WHERE register = $1 AND key = $2")
            .bind(kind.code()).bind(&key).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(duplicate(kind, &key));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO reg_record (register, key, name, zone, county, data, version, is_demo, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, FALSE, $7, $7) RETURNING id")
            .bind(kind.code()).bind(&key).bind(record.name()).bind(record.zone()).bind(record.county()).bind(&data).bind(at)
            .fetch_one(&mut *tx).await?;
        sqlx::query("INSERT INTO reg_history (record_id, at, actor, action, summary, changes) VALUES ($1, $2, $3, 'create', $4, $5)")
            .bind(id).bind(at).bind(&actor.name).bind("登记").bind(serde_json::to_string(&changes).expect("json"))
            .execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "create", &format!("register:{}", kind.code()), &key, None, Some(data.clone()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    });
    match res {
        Err(e) if e.is_unique_violation() => Err(duplicate(kind, &key)),
        r => r,
    }
}

/// Replaces a record's fields if it is still at `version`; records what changed.
pub async fn update(db: &Db, actor: &Actor, kind: RegisterKind, id: i64, version: i64, record: &Record, scope: Scope<'_>) -> crate::Result<i64> {
    let old = get(db, kind, id).await?;
    if !in_scope(scope, old.record.zone()) || !in_scope(scope, record.zone()) {
        return Err(out_of_scope());
    }
    if old.version != version {
        return Err(conflict());
    }
    let changes = diff(kind, &old.record, record);
    if changes.is_empty() {
        return Ok(old.version);
    }
    let key = record.key(kind).to_string();
    let at = now();
    let data = to_json(record);
    let summary = format!("修改 {} 项：{}", changes.len(), changes.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join("、"));
    let res = with_pool!(db, p => {
        let mut tx = p.begin().await?;
        let n = sqlx::query(
            "UPDATE reg_record SET key = $1, name = $2, zone = $3, county = $4, data = $5, version = version + 1, updated_at = $6
             WHERE id = $7 AND register = $8 AND version = $9")
            .bind(&key).bind(record.name()).bind(record.zone()).bind(record.county()).bind(&data).bind(at)
            .bind(id).bind(kind.code()).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(conflict());
        }
        sqlx::query("INSERT INTO reg_history (record_id, at, actor, action, summary, changes) VALUES ($1, $2, $3, 'update', $4, $5)")
            .bind(id).bind(at).bind(&actor.name).bind(&summary).bind(serde_json::to_string(&changes).expect("json"))
            .execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "update", &format!("register:{}", kind.code()), &key, Some(to_json(&old.record)), Some(data.clone()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(version + 1)
    });
    match res {
        Err(e) if e.is_unique_violation() => Err(duplicate(kind, &key)),
        r => r,
    }
}

/// A record's history, oldest first.
pub async fn history(db: &Db, id: i64) -> crate::Result<Vec<Change>> {
    let rows: Vec<(DateTime<Utc>, String, String, String, String)> = with_pool!(db, p => sqlx::query_as(
        "SELECT at, actor, action, summary, changes FROM reg_history WHERE record_id = $1 ORDER BY id").bind(id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(at, actor, action, summary, changes)| Change {
            at,
            actor,
            action,
            summary,
            changes: serde_json::from_str(&changes).unwrap_or_default(),
        })
        .collect())
}

/// A record's entries, by date.
pub async fn entries(db: &Db, id: i64) -> crate::Result<Vec<StoredEntry>> {
    let rows: Vec<(i64, String, NaiveDate, Option<f64>, String, String)> = with_pool!(db, p => sqlx::query_as(
        "SELECT id, kind, day, amount, note, created_by FROM reg_entry WHERE record_id = $1 ORDER BY day, id").bind(id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind, date, amount, note, created_by)| {
            Some(StoredEntry { id, kind: EntryKind::parse(&kind)?, entry: Entry { date, amount, note }, created_by })
        })
        .collect())
}

/// Adds an entry after the register's check (investment once a month, disbursements within the
/// allocation), with the record's row locked so two clerks cannot over-disburse together.
pub async fn add_entry(db: &Db, actor: &Actor, kind: RegisterKind, id: i64, entry: &Entry, scope: Scope<'_>) -> crate::Result<i64> {
    let entry_kind = kind.entry_kind().ok_or_else(|| StoreError::Invalid(format!("{}没有可登记的明细", kind.label())))?;
    let at = now();
    with_pool!(db, p => {
        let mut tx = p.begin().await?;
        // Takes the row lock (PostgreSQL) / the write lock (SQLite) before reading the entries.
        let row: Option<(String, i64)> = sqlx::query_as("UPDATE reg_record SET updated_at = $1 WHERE id = $2 AND register = $3 RETURNING data, version")
            .bind(at).bind(id).bind(kind.code()).fetch_optional(&mut *tx).await?;
        let Some((data, _)) = row else { return Err(StoreError::NotFound(format!("{}记录 {id}", kind.label()))) };
        let record = from_json(&data)?;
        if !in_scope(scope, record.zone()) {
            return Err(out_of_scope());
        }
        let existing: Vec<(NaiveDate, Option<f64>, String)> = sqlx::query_as("SELECT day, amount, note FROM reg_entry WHERE record_id = $1")
            .bind(id).fetch_all(&mut *tx).await?;
        let existing: Vec<Entry> = existing.into_iter().map(|(date, amount, note)| Entry { date, amount, note }).collect();
        check_entry(kind, &record, &existing, entry).map_err(StoreError::Invalid)?;
        let (eid,): (i64,) = sqlx::query_as(
            "INSERT INTO reg_entry (record_id, kind, day, amount, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(id).bind(entry_kind.code()).bind(entry.date).bind(entry.amount).bind(&entry.note).bind(&actor.name).bind(at)
            .fetch_one(&mut *tx).await?;
        let amount = entry.amount.map(nengji_core::registers::parse::canonical_number).unwrap_or_default();
        let summary = format!("{}：{} {}{}", entry_kind.label(), entry.date, amount, if entry.note.is_empty() { String::new() } else { format!(" {}", entry.note) });
        sqlx::query("INSERT INTO reg_history (record_id, at, actor, action, summary, changes) VALUES ($1, $2, $3, 'entry', $4, '[]')")
            .bind(id).bind(at).bind(&actor.name).bind(summary.trim()).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "add_entry", &format!("register:{}", kind.code()), record.key(kind), None,
            Some(serde_json::to_string(entry).expect("json")))?;
        tx.commit().await?;
        Ok::<_, StoreError>(eid)
    })
}
