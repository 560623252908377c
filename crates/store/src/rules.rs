//! Validation rules as data: the whole rule (kind, importance, message) is stored as JSON so
//! the office can add and change rules without a release.

use nengji_core::validate::Rule;
use serde::Serialize;

use crate::audit::{json, Actor};
use crate::db::Db;
use crate::StoreError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRule {
    pub rule: Rule,
    pub active: bool,
}

pub async fn list(db: &Db) -> crate::Result<Vec<StoredRule>> {
    let rows: Vec<(String, bool)> = with_pool!(db, p => sqlx::query_as(
        "SELECT definition, active FROM validation_rule ORDER BY sort_order, code").fetch_all(p).await)?;
    rows.into_iter()
        .map(|(d, active)| {
            let rule = serde_json::from_str(&d).map_err(|e| StoreError::Invalid(format!("校验规则定义损坏：{e}")))?;
            Ok(StoredRule { rule, active })
        })
        .collect()
}

/// The rules in force.
pub async fn active(db: &Db) -> crate::Result<Vec<Rule>> {
    Ok(list(db).await?.into_iter().filter(|r| r.active).map(|r| r.rule).collect())
}

/// Adds or replaces rules by code, in one transaction.
pub async fn upsert(db: &Db, actor: &Actor, rules: &[Rule]) -> crate::Result<usize> {
    let existing = list(db).await?;
    let mut changed = 0;
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        for (i, r) in rules.iter().enumerate() {
            let old = existing.iter().find(|e| e.rule.code == r.code);
            if old.is_some_and(|o| o.rule == *r) {
                continue;
            }
            let def = json(r).expect("rules serialise");
            sqlx::query("INSERT INTO validation_rule (code, definition, active, sort_order) VALUES ($1, $2, TRUE, $3)
                         ON CONFLICT (code) DO UPDATE SET definition = $2")
                .bind(&r.code).bind(&def).bind((existing.len() + i) as i64).execute(&mut *tx).await?;
            audit!(&mut *tx, actor, if old.is_some() { "update" } else { "create" }, "validation_rule", &r.code,
                old.and_then(|o| json(&o.rule)), Some(def))?;
            changed += 1;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(changed)
}

pub async fn set_active(db: &Db, actor: &Actor, code: &str, active: bool) -> crate::Result<()> {
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE validation_rule SET active = $1 WHERE code = $2").bind(active).bind(code).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("校验规则“{code}”")));
        }
        audit!(&mut *tx, actor, "set_active", "validation_rule", code, Some(format!("{{\"active\":{}}}", !active)), Some(format!("{{\"active\":{active}}}")))?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
}
