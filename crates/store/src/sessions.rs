//! Server-side login sessions and API tokens. Only SHA-256 digests of the secrets are stored.

use chrono::{Duration, Utc};
use nengji_core::auth::Principal;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::audit::Actor;
use crate::db::Db;

/// A fresh random secret (256 bits, hex).
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new session: the cookie value and its CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

pub async fn create(db: &Db, who: &Principal, ttl: Duration) -> crate::Result<NewSession> {
    let token = random_secret();
    let csrf = random_secret();
    let now = Utc::now();
    let actor = Actor::user(who.user_id, &who.username);
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("DELETE FROM session WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO session (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(digest(&token)).bind(who.user_id).bind(&csrf).bind(now).bind(now + ttl).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "login", "session", &who.username, None::<String>, None::<String>)?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(NewSession { token, csrf })
}

/// The principal and CSRF token of a live session.
pub async fn load(db: &Db, token: &str) -> crate::Result<Option<(Principal, String)>> {
    let row: Option<(i64, String)> = with_pool!(db, p => sqlx::query_as(
        "SELECT user_id, csrf FROM session WHERE id_hash = $1 AND expires_at > $2")
        .bind(digest(token)).bind(Utc::now()).fetch_optional(p).await)?;
    let Some((user_id, csrf)) = row else { return Ok(None) };
    Ok(crate::users::principal(db, user_id).await?.map(|p| (p, csrf)))
}

pub async fn delete(db: &Db, token: &str, who: &Principal) -> crate::Result<()> {
    let actor = Actor::user(who.user_id, &who.username);
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("DELETE FROM session WHERE id_hash = $1").bind(digest(token)).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "logout", "session", &who.username, None::<String>, None::<String>)?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// Creates an API token for a user; the secret is returned once and never stored.
pub async fn create_token(db: &Db, actor: &Actor, username: &str, name: &str) -> crate::Result<String> {
    let token = format!("nj_{}", random_secret());
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let uid: Option<i64> = sqlx::query_scalar("SELECT id FROM app_user WHERE username = $1").bind(username).fetch_optional(&mut *tx).await?;
        let Some(uid) = uid else { return Err(crate::StoreError::NotFound(format!("用户“{username}”"))) };
        sqlx::query("INSERT INTO api_token (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(uid).bind(name).bind(digest(&token)).bind(Utc::now()).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "create_token", "api_token", username, None::<String>, Some(format!("{{\"name\":{:?}}}", name)))?;
        tx.commit().await?;
        Ok::<_, crate::StoreError>(())
    })?;
    Ok(token)
}

pub async fn principal_for_token(db: &Db, token: &str) -> crate::Result<Option<Principal>> {
    let uid: Option<i64> = with_pool!(db, p => sqlx::query_scalar("SELECT user_id FROM api_token WHERE token_hash = $1")
        .bind(digest(token)).fetch_optional(p).await)?;
    match uid {
        Some(uid) => crate::users::principal(db, uid).await,
        None => Ok(None),
    }
}
