//! Bulk writes of reported values: `collection::apply`'s guarantees at file-import scale.
//!
//! `apply` reads and writes value by value, which suits a form and takes minutes for a file of a
//! million values. Here the existing reports and values of the affected zone × periods are read in
//! a few queries, diffed in memory, and written with multi-row upserts, all in ONE transaction:
//! the same window, data-set, zone, workflow-state and version checks with the same refusals (the
//! first failing report in input order), the same creation stamps, history rows and
//! `changed_after_approval` flags, the same versions. One audit row summarises the batch; each
//! value's creation is on its row and each change (old → new) in the history.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, NaiveDate, Utc};
use nengji_core::calendar::WindowState;
use nengji_core::entry::ValueInput;
use nengji_core::period::Month;
use serde::Serialize;

use crate::audit::{json, Actor};
use crate::collection::{history_row, Batch, Calendar, Dataset, EntryError, Status};
use crate::db::{Backend, Db};

mod write;
use write::{HistRow, ObsRow, ReportWrite, Rows, WriteRows};

/// Zone ids per `IN (…)` list when reading what is stored.
const READ_CHUNK: usize = 500;

/// What a bulk write did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    /// The new version of each report, in batch order (what `collection::apply` returns).
    pub versions: Vec<i64>,
    /// Values inserted or changed (a changed 备注 alone counts).
    pub written: usize,
    /// Values identical to the stored ones, left as they were.
    pub unchanged: usize,
    /// History rows written (本期数值 or 上年同期可比数 changed; see `collection::history_row`).
    pub history: usize,
}

/// Groups values into one batch per zone × period, in order of first appearance, without version
/// checks (file imports may only write reports still in draft, which [`apply`] enforces).
/// Linear in the number of values, unlike `value_imports::batches`.
pub fn batches(values: Vec<ValueInput>) -> Vec<Batch> {
    let mut index: HashMap<Month, HashMap<String, usize>> = HashMap::new();
    let mut out: Vec<Batch> = Vec::new();
    for v in values {
        // Files list a report's values together: most values join the batch just before them.
        if let Some(last) = out.last_mut()
            && last.zone == v.zone
            && last.period == v.period
        {
            last.values.push(v);
            continue;
        }
        let zones = index.entry(v.period).or_default();
        match zones.get(&v.zone) {
            Some(&i) => out[i].values.push(v),
            None => {
                zones.insert(v.zone.clone(), out.len());
                out.push(Batch { zone: v.zone.clone(), period: v.period, expected_version: None, values: vec![v] });
            }
        }
    }
    out
}

/// FxHash (multiply-rotate) for the diff's integer keys: ids and months, a million of them.
/// They come from the database and from already validated values, so SipHash's resistance to
/// crafted collisions buys nothing here, and it cost a third of the diff.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
type FxSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

/// A stored report as far as writing to it matters.
struct Report {
    status: Status,
    version: i64,
    updated_by: String,
    updated_at: DateTime<Utc>,
    was_approved: bool,
}

/// A stored value: 本期数值, 上年同期可比数, 备注.
type Stored = (f64, Option<f64>, String);

/// Placeholders in text order: `?` on SQLite, `$1, $2, …` on PostgreSQL. SQLite keeps numbered
/// and named parameters in a list that sqlx searches once per bound value, which is quadratic in
/// a statement of thousands of parameters (it was most of the time); anonymous ones bind by position.
struct Placeholders {
    pg: bool,
    n: usize,
}

impl Placeholders {
    fn new(backend: Backend) -> Placeholders {
        Placeholders { pg: backend == Backend::Postgres, n: 0 }
    }
    fn next(&mut self) -> String {
        self.n += 1;
        if self.pg { format!("${}", self.n) } else { "?".to_string() }
    }
    fn list(&mut self, k: usize) -> String {
        (0..k).map(|_| self.next()).collect::<Vec<_>>().join(", ")
    }
}

/// Writes batches of values in one transaction, with the semantics of `collection::apply`
/// (all land or none do; window, data set, zone, workflow state and version checked per report;
/// history rows for changed values; approved-before reports flagged), fast enough for a million
/// values. Batches for the same report are applied one after the other, as `apply` does.
pub async fn apply(db: &Db, actor: &Actor, ds: &Dataset, batches: &[Batch], source: &str, today: NaiveDate) -> Result<Applied, EntryError> {
    let mut applied = Applied { versions: Vec::with_capacity(batches.len()), written: 0, unchanged: 0, history: 0 };
    if batches.is_empty() {
        return Ok(applied);
    }
    // Checks that need no stored state, over every batch first, as `apply` does.
    let cal = Calendar::load(db, ds).await?;
    let members: HashSet<&str> = ds.indicators.iter().map(String::as_str).collect();
    let mut checked: HashSet<(&str, Month)> = HashSet::new();
    for b in batches {
        if checked.insert((b.zone.as_str(), b.period)) {
            let w = cal.window(Some(&b.zone), b.period);
            match w.state(today) {
                WindowState::NotOpen => return Err(EntryError::Refused(format!("{}的报表尚未开放填报（{} 开放）", b.period.label(), w.opens))),
                WindowState::Locked => return Err(EntryError::Refused(format!("{}的填报期已于 {} 结束，报表已锁定，不能再修改", b.period.label(), w.locks))),
                _ => {}
            }
        }
        if let Some(v) = b.values.iter().find(|v| v.zone != b.zone || v.period != b.period || !members.contains(v.indicator.as_str())) {
            return Err(EntryError::Refused(format!("指标“{}”不属于数据集“{}”或期间、开发区不符", v.indicator, ds.name)));
        }
    }
    let now = Utc::now();
    let backend = db.backend();

    with_pool!(db, p => {
        // Every parent id written below (data set, zones, indicators) is read in this transaction.
        let mut tx = p.begin_bulk_write().await?;
        let dataset: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM dataset WHERE id = {}", Placeholders::new(backend).next())))
            .bind(ds.id).fetch_optional(&mut *tx).await?;
        if dataset.is_none() {
            return Err(EntryError::Refused(format!("数据集“{}”不存在", ds.name)));
        }
        let ids: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM indicator")
            .fetch_all(&mut *tx).await?.into_iter().collect();

        // Read what is stored for the affected zone × periods: a few queries, not one per value.
        let zone_ids: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM zone")
            .fetch_all(&mut *tx).await?.into_iter().collect();
        let mut by_period: FxMap<Month, Vec<i64>> = FxMap::default();
        let mut seen: FxSet<(i64, Month)> = FxSet::default();
        for b in batches {
            if let Some(&z) = zone_ids.get(&b.zone)
                && seen.insert((z, b.period))
            {
                by_period.entry(b.period).or_default().push(z);
            }
        }
        let mut reports: FxMap<(i64, Month), Report> = FxMap::default();
        let mut stored: FxMap<(i64, i64, Month), Stored> = FxMap::default();
        for (period, zones) in &by_period {
            let ps = period.to_string();
            for chunk in zones.chunks(READ_CHUNK) {
                let mut ph = Placeholders::new(backend);
                let sql = format!(
                    "SELECT zone_id, status, version, updated_by, updated_at, approved_at FROM submission
                     WHERE dataset_id = {} AND period = {} AND zone_id IN ({})", ph.next(), ph.next(), ph.list(chunk.len()));
                let mut q = sqlx::query_as::<_, (i64, String, i64, String, DateTime<Utc>, Option<DateTime<Utc>>)>(sqlx::AssertSqlSafe(sql))
                    .bind(ds.id).bind(&ps);
                for z in chunk {
                    q = q.bind(*z);
                }
                for (z, status, version, updated_by, updated_at, approved_at) in q.fetch_all(&mut *tx).await? {
                    reports.insert((z, *period), Report { status: Status::parse(&status), version, updated_by, updated_at, was_approved: approved_at.is_some() });
                }
                let mut ph = Placeholders::new(backend);
                let sql = format!(
                    "SELECT zone_id, indicator_id, value, prior_comparable, comment FROM observation
                     WHERE period = {} AND zone_id IN ({})", ph.next(), ph.list(chunk.len()));
                let mut q = sqlx::query_as::<_, (i64, i64, f64, Option<f64>, String)>(sqlx::AssertSqlSafe(sql)).bind(&ps);
                for z in chunk {
                    q = q.bind(*z);
                }
                for (z, i, value, prior, comment) in q.fetch_all(&mut *tx).await? {
                    stored.insert((z, i, *period), (value, prior, comment));
                }
            }
        }

        // Replay the batches in order against the stored state, as `apply` would one by one.
        let total: usize = batches.iter().map(|b| b.values.len()).sum();
        let mut obs: Vec<ObsRow> = Vec::with_capacity(total);
        let mut obs_at: FxMap<(i64, i64, Month), usize> = FxMap::with_capacity_and_hasher(total, Default::default());
        let mut hist: Vec<HistRow> = Vec::new();
        let mut subs: Vec<ReportWrite> = Vec::new();
        let mut sub_at: FxMap<(i64, Month), usize> = FxMap::default();
        for b in batches {
            let Some(&zone_id) = zone_ids.get(&b.zone) else { return Err(EntryError::Refused(format!("开发区“{}”不存在", b.zone))) };
            let key = (zone_id, b.period);
            let current = reports.get(&key);
            let was_approved = current.is_some_and(|r| r.was_approved);
            if let Some(r) = current {
                match r.status {
                    Status::Submitted => return Err(EntryError::Refused(format!("{}的报表已报送待审核，不能修改；如需修改请审核人退回", b.period.label()))),
                    Status::Approved | Status::Locked => return Err(EntryError::Refused(format!("{}的报表已审核，不能修改；如需修改须先撤销审核", b.period.label()))),
                    Status::Draft => {}
                }
                if b.expected_version.is_some_and(|v| v != r.version) {
                    return Err(EntryError::Conflict { by: r.updated_by.clone(), at: beijing(r.updated_at) });
                }
            } else if b.expected_version.is_some_and(|v| v != 0) {
                return Err(EntryError::Conflict { by: "他人".into(), at: "刚才".into() });
            }
            let mut changed = false;
            for v in &b.values {
                // Foreign keys are not enforced in this transaction: an id must come from its read.
                let Some(&ind) = ids.get(&v.indicator) else { return Err(EntryError::Refused(format!("指标“{}”不存在", v.indicator))) };
                let okey = (zone_id, ind, b.period);
                // What `apply` would read now: this batch's own earlier write, else what is stored.
                let old: Option<(f64, Option<f64>, &str)> = match obs_at.get(&okey) {
                    Some(&i) => Some((obs[i].value, obs[i].prior, obs[i].comment)),
                    None => stored.get(&okey).map(|(val, prior, comment)| (*val, *prior, comment.as_str())),
                };
                if old.is_some_and(|(val, prior, comment)| val == v.value && prior == v.prior_comparable && comment == v.comment) {
                    applied.unchanged += 1;
                    continue;
                }
                if history_row(old.map(|o| (o.0, o.1)), v, was_approved) {
                    hist.push(HistRow {
                        zone_id, indicator_id: ind, period: b.period,
                        old_value: old.map(|o| o.0), new_value: v.value,
                        old_prior: old.and_then(|o| o.1), new_prior: v.prior_comparable,
                        after_approval: was_approved,
                    });
                }
                let row = ObsRow { zone_id, indicator_id: ind, period: b.period, value: v.value, prior: v.prior_comparable, comment: &v.comment };
                // A value written twice is upserted once, with its last state (PostgreSQL refuses
                // to update one row twice in a statement).
                match obs_at.get(&okey) {
                    Some(&i) => obs[i] = row,
                    None => {
                        obs_at.insert(okey, obs.len());
                        obs.push(row);
                    }
                }
                applied.written += 1;
                changed = true;
            }
            let version = current.map_or(1, |r| r.version + 1);
            match sub_at.get(&key) {
                Some(&i) => {
                    subs[i].saves += 1;
                    subs[i].changed_after_approval |= was_approved && changed;
                    subs[i].final_version = version;
                }
                None => {
                    sub_at.insert(key, subs.len());
                    subs.push(ReportWrite { zone_id, period: b.period, saves: 1, changed_after_approval: was_approved && changed, final_version: version });
                }
            }
            reports.insert(key, Report { status: Status::Draft, version, updated_by: actor.name.clone(), updated_at: now, was_approved });
            applied.versions.push(version);
        }

        // Sorted by key, inserts append to the primary-key and history indexes instead of splitting pages.
        obs.sort_unstable_by_key(|r| (r.zone_id, r.indicator_id, r.period));
        hist.sort_by_key(|h| (h.zone_id, h.indicator_id, h.period));
        let rows = Rows { dataset: ds.id, actor: &actor.name, now, source, subs: &subs, obs: &obs, hist: &hist };
        WriteRows::write_rows(&mut *tx, &rows).await?;
        applied.history = hist.len();

        let mut periods: Vec<Month> = by_period.keys().copied().collect();
        periods.sort();
        let summary = serde_json::json!({
            "source": source,
            "reports": subs.len(),
            "saves": batches.len(),
            "values": applied.written + applied.unchanged,
            "written": applied.written,
            "unchanged": applied.unchanged,
            "history": applied.history,
            "zones": seen.iter().map(|(z, _)| z).collect::<HashSet<_>>().len(),
            "periods": periods.iter().map(Month::to_string).collect::<Vec<_>>(),
        });
        audit!(&mut *tx, actor, "bulk_save", "submission", &format!("{}/批量", ds.code), None::<String>, json(&summary))?;
        tx.commit().await?;
        Ok::<_, EntryError>(())
    })?;
    Ok(applied)
}

fn beijing(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).format("%Y-%m-%d %H:%M:%S").to_string()
}
