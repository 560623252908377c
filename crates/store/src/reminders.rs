//! Which reminders went out, so each is sent at most once per day.

use chrono::Utc;

use crate::audit::Actor;
use crate::db::Db;

pub async fn already_sent(db: &Db, key: &str) -> crate::Result<bool> {
    let n: i64 = with_pool!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM reminder_sent WHERE dedupe_key = $1").bind(key).fetch_one(p).await)?;
    Ok(n > 0)
}

/// Records a sent reminder with its audit row.
pub async fn record(db: &Db, key: &str, username: &str, channel: &str) -> crate::Result<()> {
    let actor = Actor::system("reminder");
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("INSERT INTO reminder_sent (dedupe_key, user_id, sent_at, channel)
                     SELECT $1, id, $2, $3 FROM app_user WHERE username = $4 ON CONFLICT (dedupe_key) DO NOTHING")
            .bind(key).bind(Utc::now()).bind(channel).bind(username).execute(&mut *tx).await?;
        audit!(&mut *tx, actor, "send", "reminder", key, None::<String>, Some(format!("{{\"to\":{username:?},\"channel\":{channel:?}}}")))?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}
