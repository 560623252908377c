//! Zones, platform groups, units (with aliases and collectives) and indicators.
//! Imports upsert by code inside one transaction; each changed record leaves an audit row.

use nengji_core::indicator::{Direction, Indicator, IndicatorKind};
use nengji_core::masterdata::{Collective, Unit, UnitKind};
use nengji_core::zone::{Zone, ZoneGroup, ZoneKind, ZoneLevel};
use serde::Serialize;

use crate::audit::{json, Actor};
use crate::db::Db;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertSummary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl UpsertSummary {
    fn count(&mut self, old: &Option<String>, new: &Option<String>) -> Option<&'static str> {
        match old {
            None => {
                self.inserted += 1;
                Some("create")
            }
            Some(_) if old == new => {
                self.unchanged += 1;
                None
            }
            Some(_) => {
                self.updated += 1;
                Some("update")
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct ZoneRecord {
    id: i64,
    code: String,
    name: String,
    short_name: String,
    kind: String,
    level: String,
    county_code: String,
    area_ha: Option<f64>,
    leading_industries: String,
}

/// A zone as stored, with its database id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredZone {
    pub id: i64,
    #[serde(flatten)]
    pub zone: Zone,
}

const ZONE_COLUMNS: &str = "id, code, name, short_name, kind, level, county_code, area_ha, leading_industries";

async fn zone_groups_by_zone(db: &Db) -> crate::Result<Vec<(i64, String)>> {
    Ok(with_pool!(db, p => sqlx::query_as::<_, (i64, String)>(
        "SELECT m.zone_id, g.code FROM zone_group_member m JOIN zone_group g ON g.id = m.group_id ORDER BY g.id")
        .fetch_all(p).await)?)
}

fn to_zone(r: ZoneRecord, groups: &[(i64, String)]) -> StoredZone {
    StoredZone {
        id: r.id,
        zone: Zone {
            code: r.code,
            name: r.name,
            short_name: r.short_name,
            kind: ZoneKind::parse(&r.kind).unwrap_or(ZoneKind::Other),
            level: ZoneLevel::parse(&r.level).unwrap_or(ZoneLevel::City),
            county_code: r.county_code,
            area_ha: r.area_ha,
            leading_industries: r.leading_industries,
            groups: groups.iter().filter(|(z, _)| *z == r.id).map(|(_, g)| g.clone()).collect(),
        },
    }
}

pub async fn list_zones(db: &Db) -> crate::Result<Vec<StoredZone>> {
    let sql = format!("SELECT {ZONE_COLUMNS} FROM zone ORDER BY sort_order, id");
    let rows = with_pool!(db, p => sqlx::query_as::<_, ZoneRecord>(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    let groups = zone_groups_by_zone(db).await?;
    Ok(rows.into_iter().map(|r| to_zone(r, &groups)).collect())
}

pub async fn get_zone(db: &Db, code: &str) -> crate::Result<Option<StoredZone>> {
    let sql = format!("SELECT {ZONE_COLUMNS} FROM zone WHERE code = $1");
    let row = with_pool!(db, p => sqlx::query_as::<_, ZoneRecord>(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(p).await)?;
    let groups = zone_groups_by_zone(db).await?;
    Ok(row.map(|r| to_zone(r, &groups)))
}

pub async fn list_groups(db: &Db) -> crate::Result<Vec<ZoneGroup>> {
    let rows = with_pool!(db, p => sqlx::query_as::<_, (String, String, String)>(
        "SELECT code, name, description FROM zone_group ORDER BY id").fetch_all(p).await)?;
    Ok(rows.into_iter().map(|(code, name, description)| ZoneGroup { code, name, description }).collect())
}

pub async fn upsert_groups(db: &Db, actor: &Actor, groups: &[ZoneGroup]) -> crate::Result<UpsertSummary> {
    let mut sum = UpsertSummary::default();
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        for g in groups {
            let old: Option<(String, String)> = sqlx::query_as("SELECT name, description FROM zone_group WHERE code = $1")
                .bind(&g.code).fetch_optional(&mut *tx).await?;
            let old = old.map(|(name, description)| json(&ZoneGroup { code: g.code.clone(), name, description })).flatten();
            let new = json(g);
            if let Some(action) = sum.count(&old, &new) {
                sqlx::query("INSERT INTO zone_group (code, name, description) VALUES ($1, $2, $3)
                             ON CONFLICT (code) DO UPDATE SET name = $2, description = $3")
                    .bind(&g.code).bind(&g.name).bind(&g.description).execute(&mut *tx).await?;
                audit!(&mut *tx, actor, action, "zone_group", &g.code, old, new)?;
            }
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(sum)
}

/// Inserts or updates zones by code, replacing their group memberships. All or nothing.
pub async fn upsert_zones(db: &Db, actor: &Actor, zones: &[Zone]) -> crate::Result<UpsertSummary> {
    let existing = list_zones(db).await?;
    let known_groups: Vec<String> = list_groups(db).await?.into_iter().map(|g| g.code).collect();
    if let Some(bad) = zones.iter().flat_map(|z| &z.groups).find(|g| !known_groups.contains(g)) {
        return Err(crate::StoreError::Invalid(format!("平台分组“{bad}”不存在")));
    }
    let mut sum = UpsertSummary::default();
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        for (i, z) in zones.iter().enumerate() {
            let old = existing.iter().find(|e| e.zone.code == z.code);
            let old_json = old.map(|o| json(&o.zone)).flatten();
            let new_json = json(z);
            let Some(action) = sum.count(&old_json, &new_json) else { continue };
            let sort = old.map(|_| None).unwrap_or(Some((existing.len() + i) as i64));
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO zone (code, name, short_name, kind, level, county_code, area_ha, leading_industries, sort_order)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9, 0))
                 ON CONFLICT (code) DO UPDATE SET name = $2, short_name = $3, kind = $4, level = $5,
                     county_code = $6, area_ha = $7, leading_industries = $8
                 RETURNING id")
                .bind(&z.code).bind(&z.name).bind(&z.short_name).bind(z.kind.code()).bind(z.level.code())
                .bind(&z.county_code).bind(z.area_ha).bind(&z.leading_industries).bind(sort)
                .fetch_one(&mut *tx).await?;
            sqlx::query("DELETE FROM zone_group_member WHERE zone_id = $1").bind(id).execute(&mut *tx).await?;
            for g in &z.groups {
                sqlx::query("INSERT INTO zone_group_member (group_id, zone_id) SELECT id, $2 FROM zone_group WHERE code = $1")
                    .bind(g).bind(id).execute(&mut *tx).await?;
            }
            audit!(&mut *tx, actor, action, "zone", &z.code, old_json, new_json)?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(sum)
}

#[derive(sqlx::FromRow)]
struct UnitRecord {
    id: i64,
    code: String,
    name: String,
    kind: String,
    county_code: Option<String>,
}

pub async fn list_units(db: &Db) -> crate::Result<Vec<Unit>> {
    let rows = with_pool!(db, p => sqlx::query_as::<_, UnitRecord>(
        "SELECT id, code, name, kind, county_code FROM unit ORDER BY sort_order, id").fetch_all(p).await)?;
    let aliases = with_pool!(db, p => sqlx::query_as::<_, (i64, String)>(
        "SELECT unit_id, alias FROM unit_alias ORDER BY alias").fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Unit {
            aliases: aliases.iter().filter(|(u, _)| *u == r.id).map(|(_, a)| a.clone()).collect(),
            code: r.code,
            name: r.name,
            kind: UnitKind::parse(&r.kind).unwrap_or(UnitKind::Department),
            county_code: r.county_code,
        })
        .collect())
}

/// Finds a unit by code, name or alias (国土局 → 市国土局).
pub async fn resolve_unit(db: &Db, name_or_code: &str) -> crate::Result<Option<Unit>> {
    let n = name_or_code.trim();
    Ok(list_units(db).await?.into_iter().find(|u| u.code == n || u.name == n || u.aliases.iter().any(|a| a == n)))
}

pub async fn upsert_units(db: &Db, actor: &Actor, units: &[Unit]) -> crate::Result<UpsertSummary> {
    let existing = list_units(db).await?;
    let mut sum = UpsertSummary::default();
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        for (i, u) in units.iter().enumerate() {
            let old = existing.iter().find(|e| e.code == u.code);
            // Aliases are a set: compare them sorted.
            let norm = |u: &Unit| { let mut u = u.clone(); u.aliases.sort(); json(&u) };
            let old_json = old.map(norm).flatten();
            let new_json = norm(u);
            let Some(action) = sum.count(&old_json, &new_json) else { continue };
            let sort = old.map(|_| None).unwrap_or(Some((existing.len() + i) as i64));
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO unit (code, name, kind, county_code, sort_order) VALUES ($1, $2, $3, $4, COALESCE($5, 0))
                 ON CONFLICT (code) DO UPDATE SET name = $2, kind = $3, county_code = $4 RETURNING id")
                .bind(&u.code).bind(&u.name).bind(u.kind.code()).bind(&u.county_code).bind(sort)
                .fetch_one(&mut *tx).await?;
            sqlx::query("DELETE FROM unit_alias WHERE unit_id = $1").bind(id).execute(&mut *tx).await?;
            for a in &u.aliases {
                sqlx::query("INSERT INTO unit_alias (alias, unit_id) VALUES ($1, $2)").bind(a).bind(id).execute(&mut *tx).await?;
            }
            audit!(&mut *tx, actor, action, "unit", &u.code, old_json, new_json)?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(sum)
}

pub async fn list_collectives(db: &Db) -> crate::Result<Vec<Collective>> {
    let heads = with_pool!(db, p => sqlx::query_as::<_, (i64, String, String)>(
        "SELECT id, code, name FROM collective ORDER BY id").fetch_all(p).await)?;
    let members = with_pool!(db, p => sqlx::query_as::<_, (i64, String)>(
        "SELECT m.collective_id, u.code FROM collective_member m JOIN unit u ON u.id = m.unit_id ORDER BY u.sort_order, u.id")
        .fetch_all(p).await)?;
    Ok(heads
        .into_iter()
        .map(|(id, code, name)| Collective {
            code,
            name,
            members: members.iter().filter(|(c, _)| *c == id).map(|(_, u)| u.clone()).collect(),
        })
        .collect())
}

pub async fn upsert_collectives(db: &Db, actor: &Actor, collectives: &[Collective]) -> crate::Result<UpsertSummary> {
    let existing = list_collectives(db).await?;
    let mut sum = UpsertSummary::default();
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        for c in collectives {
            // Members are a set: compare them sorted.
            let norm = |c: &Collective| { let mut c = c.clone(); c.members.sort(); json(&c) };
            let old_json = existing.iter().find(|e| e.code == c.code).map(norm).flatten();
            let new_json = norm(c);
            let Some(action) = sum.count(&old_json, &new_json) else { continue };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO collective (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = $2 RETURNING id")
                .bind(&c.code).bind(&c.name).fetch_one(&mut *tx).await?;
            sqlx::query("DELETE FROM collective_member WHERE collective_id = $1").bind(id).execute(&mut *tx).await?;
            for m in &c.members {
                let n = sqlx::query("INSERT INTO collective_member (collective_id, unit_id) SELECT $1, id FROM unit WHERE code = $2")
                    .bind(id).bind(m).execute(&mut *tx).await?.rows_affected();
                if n == 0 {
                    return Err(crate::StoreError::Invalid(format!("集合“{}”的成员单位“{m}”不存在", c.name)));
                }
            }
            audit!(&mut *tx, actor, action, "collective", &c.code, old_json, new_json)?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(sum)
}

#[derive(sqlx::FromRow)]
struct IndicatorRecord {
    id: i64,
    code: String,
    name: String,
    unit: String,
    kind: String,
    direction: String,
    decimals: i64,
    formula: Option<String>,
    owner_unit: Option<String>,
    monthly: bool,
    description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredIndicator {
    pub id: i64,
    #[serde(flatten)]
    pub indicator: Indicator,
}

pub async fn list_indicators(db: &Db) -> crate::Result<Vec<StoredIndicator>> {
    let rows = with_pool!(db, p => sqlx::query_as::<_, IndicatorRecord>(
        "SELECT id, code, name, unit, kind, direction, decimals, formula, owner_unit, monthly, description
         FROM indicator ORDER BY sort_order, id").fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| StoredIndicator {
            id: r.id,
            indicator: Indicator {
                code: r.code,
                name: r.name,
                unit: r.unit,
                kind: IndicatorKind::parse(&r.kind).unwrap_or(IndicatorKind::Stock),
                direction: Direction::parse(&r.direction).unwrap_or(Direction::Higher),
                decimals: r.decimals.clamp(0, 6) as u8,
                formula: r.formula,
                owner_unit: r.owner_unit,
                monthly: r.monthly,
                description: r.description,
            },
        })
        .collect())
}

pub async fn upsert_indicators(db: &Db, actor: &Actor, indicators: &[Indicator]) -> crate::Result<UpsertSummary> {
    let existing = list_indicators(db).await?;
    let mut sum = UpsertSummary::default();
    with_pool!(db, p => {
        let mut tx = p.begin_write().await?;
        for (i, ind) in indicators.iter().enumerate() {
            let old = existing.iter().find(|e| e.indicator.code == ind.code);
            let old_json = old.map(|o| json(&o.indicator)).flatten();
            let new_json = json(ind);
            let Some(action) = sum.count(&old_json, &new_json) else { continue };
            let sort = old.map(|_| None).unwrap_or(Some((existing.len() + i) as i64));
            sqlx::query(
                "INSERT INTO indicator (code, name, unit, kind, direction, decimals, formula, owner_unit, monthly, description, sort_order)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE($11, 0))
                 ON CONFLICT (code) DO UPDATE SET name = $2, unit = $3, kind = $4, direction = $5, decimals = $6,
                     formula = $7, owner_unit = $8, monthly = $9, description = $10")
                .bind(&ind.code).bind(&ind.name).bind(&ind.unit).bind(ind.kind.code()).bind(ind.direction.code())
                .bind(ind.decimals as i64).bind(&ind.formula).bind(&ind.owner_unit).bind(ind.monthly)
                .bind(&ind.description).bind(sort)
                .execute(&mut *tx).await?;
            audit!(&mut *tx, actor, action, "indicator", &ind.code, old_json, new_json)?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(sum)
}
