//! Users, roles and zone scope. Passwords are argon2id hashes, computed off the async runtime.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::password_hash::phc::PasswordHash;
use argon2::Argon2;
use chrono::{DateTime, Utc};
use nengji_core::auth::{Principal, Role};
use serde::Serialize;

use crate::audit::{json, Actor};
use crate::db::Db;
use crate::StoreError;

pub const MIN_PASSWORD_LEN: usize = 8;

/// Hashes a password with argon2id (the crate's default algorithm) and a fresh salt.
pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 hashing cannot fail for valid params").to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

async fn hash_blocking(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.expect("hash task")
}

fn check_password(password: &str) -> crate::Result<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(StoreError::Invalid(format!("密码至少需要 {MIN_PASSWORD_LEN} 个字符")));
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    /// Unit code (department reporters).
    pub unit: Option<String>,
    /// Zone codes (zone reporters).
    pub zones: Vec<String>,
    /// For e-mail reminders.
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserInfo {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: Option<String>,
    pub zones: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub email: Option<String>,
}

#[derive(sqlx::FromRow)]
struct UserRecord {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    unit: Option<String>,
    active: bool,
    created_at: DateTime<Utc>,
    email: Option<String>,
}

const USER_SELECT: &str = "SELECT u.id, u.username, u.display_name, u.role, un.code AS unit, u.active, u.created_at, u.email
     FROM app_user u LEFT JOIN unit un ON un.id = u.unit_id";

async fn zones_of(db: &Db) -> crate::Result<Vec<(i64, String)>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, (i64, String)>(
        "SELECT uz.user_id, z.code FROM user_zone uz JOIN zone z ON z.id = uz.zone_id ORDER BY z.sort_order, z.id")
        .fetch_all(p).await)?)
}

fn to_info(r: UserRecord, zones: &[(i64, String)]) -> UserInfo {
    UserInfo {
        zones: zones.iter().filter(|(u, _)| *u == r.id).map(|(_, z)| z.clone()).collect(),
        id: r.id,
        username: r.username,
        display_name: r.display_name,
        role: Role::parse(&r.role).unwrap_or(Role::Viewer),
        unit: r.unit,
        active: r.active,
        created_at: r.created_at,
        email: r.email,
    }
}

pub async fn list(db: &Db) -> crate::Result<Vec<UserInfo>> {
    let sql = format!("{USER_SELECT} ORDER BY u.id");
    let rows = with_pool!(db, p => sqlx::query_as::<_, UserRecord>(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    let zones = zones_of(db).await?;
    Ok(rows.into_iter().map(|r| to_info(r, &zones)).collect())
}

pub async fn get(db: &Db, username: &str) -> crate::Result<Option<UserInfo>> {
    let sql = format!("{USER_SELECT} WHERE u.username = $1");
    let row = with_pool!(db, p => sqlx::query_as::<_, UserRecord>(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(p).await)?;
    let zones = zones_of(db).await?;
    Ok(row.map(|r| to_info(r, &zones)))
}

/// Creates a user; the scope must fit the role (zone reporters need zones, department reporters a unit).
pub async fn create(db: &Db, actor: &Actor, u: NewUser) -> crate::Result<i64> {
    let username = u.username.trim().to_string();
    if username.is_empty() || !username.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
        return Err(StoreError::Invalid("用户名只能包含字母、数字、下划线、点或连字符，且不能为空".into()));
    }
    check_password(&u.password)?;
    if u.role == Role::ZoneReporter && u.zones.is_empty() {
        return Err(StoreError::Invalid("开发区填报员必须至少指定一个开发区".into()));
    }
    if u.role == Role::DeptReporter && u.unit.is_none() {
        return Err(StoreError::Invalid("部门填报员必须指定所属单位".into()));
    }
    let email = u.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(String::from);
    if email.as_ref().is_some_and(|e| !e.contains('@') || e.contains(char::is_whitespace)) {
        return Err(StoreError::Invalid(format!("电子邮箱“{}”格式不对", email.unwrap_or_default())));
    }
    if get(db, &username).await?.is_some() {
        return Err(StoreError::Invalid(format!("用户名“{username}”已存在")));
    }
    let hash = hash_blocking(u.password.clone()).await;
    let display = if u.display_name.trim().is_empty() { username.clone() } else { u.display_name.trim().to_string() };
    let new_json = json(&serde_json::json!({
        "username": username, "display_name": display, "role": u.role.code(), "unit": u.unit, "zones": u.zones, "email": u.email
    }));
    let id = with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let unit_id: Option<i64> = match &u.unit {
            Some(code) => match sqlx::query_scalar("SELECT id FROM unit WHERE code = $1").bind(code).fetch_optional(&mut *tx).await? {
                Some(id) => Some(id),
                None => return Err(StoreError::Invalid(format!("单位“{code}”不存在"))),
            },
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO app_user (username, display_name, password_hash, role, unit_id, active, created_at, email)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7) RETURNING id")
            .bind(&username).bind(&display).bind(&hash).bind(u.role.code()).bind(unit_id).bind(Utc::now()).bind(&email)
            .fetch_one(&mut *tx).await?;
        for z in &u.zones {
            let n = sqlx::query("INSERT INTO user_zone (user_id, zone_id) SELECT $1, id FROM zone WHERE code = $2")
                .bind(id).bind(z).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::Invalid(format!("开发区“{z}”不存在")));
            }
        }
        audit!(&mut *tx, actor, "create", "user", &username, None::<String>, new_json)?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    })?;
    Ok(id)
}

pub async fn set_password(db: &Db, actor: &Actor, username: &str, password: &str) -> crate::Result<()> {
    check_password(password)?;
    let hash = hash_blocking(password.to_string()).await;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE app_user SET password_hash = $1 WHERE username = $2")
            .bind(&hash).bind(username).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("用户“{username}”")));
        }
        // A new password ends every open session of that user.
        sqlx::query("DELETE FROM session WHERE user_id = (SELECT id FROM app_user WHERE username = $1)")
            .bind(username).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "set_password", "user", username, None::<String>, Some("{\"password\":\"(已更改)\"}".to_string()))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

pub async fn set_active(db: &Db, actor: &Actor, username: &str, active: bool) -> crate::Result<()> {
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let old: Option<bool> = sqlx::query_scalar("SELECT active FROM app_user WHERE username = $1")
            .bind(username).fetch_optional(&mut *tx).await?;
        let Some(old) = old else { return Err(StoreError::NotFound(format!("用户“{username}”"))) };
        sqlx::query("UPDATE app_user SET active = $1 WHERE username = $2").bind(active).bind(username).execute(&mut *tx).await?;
        if !active {
            sqlx::query("DELETE FROM session WHERE user_id = (SELECT id FROM app_user WHERE username = $1)")
                .bind(username).execute(&mut *tx).await?;
        }
        audit!(&mut *tx, actor, "set_active", "user", username,
            Some(format!("{{\"active\":{old}}}")), Some(format!("{{\"active\":{active}}}")))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}

fn to_principal(info: UserInfo) -> Principal {
    Principal {
        user_id: info.id,
        username: info.username,
        display_name: info.display_name,
        role: info.role,
        zones: if info.role == Role::ZoneReporter { info.zones } else { Vec::new() },
        unit: info.unit,
    }
}

pub async fn principal(db: &Db, user_id: i64) -> crate::Result<Option<Principal>> {
    let sql = format!("{USER_SELECT} WHERE u.id = $1 AND u.active = TRUE");
    let row = with_pool!(db, p => sqlx::query_as::<_, UserRecord>(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_optional(p).await)?;
    let zones = zones_of(db).await?;
    Ok(row.map(|r| to_principal(to_info(r, &zones))))
}

/// Checks a username and password. Unknown users cost the same hash work as known ones.
pub async fn authenticate(db: &Db, username: &str, password: &str) -> crate::Result<Option<Principal>> {
    let row: Option<(i64, String, bool)> = with_pool!(db, p => sqlx::query_as(
        "SELECT id, password_hash, active FROM app_user WHERE username = $1").bind(username).fetch_optional(p).await)?;
    let (id, hash, active) = row.unwrap_or((0, DUMMY_HASH.to_string(), false));
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.expect("verify task");
    if ok && active && id != 0 { principal(db, id).await } else { Ok(None) }
}

/// argon2id hash of a random string, so failed lookups take as long as real checks.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Q2x5cX2Ma9n9bWkBdvGZ0i0L3Z6Jm2w1u3G4qk8H2xE";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hashes_verify_and_reject() {
        let h = hash_password("正确的密码123");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("正确的密码123", &h));
        assert!(!verify_password("错误的密码123", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(h, hash_password("正确的密码123"), "salted");
    }
}
