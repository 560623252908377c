//! Writing a bulk save's rows inside its open transaction, one way per engine.
//!
//! PostgreSQL: multi-row upserts of 1,000 rows, each chunk bound while the server runs the one
//! before. SQLite: prepared statements (values 32 to a statement) stepped on the connection's own
//! handle, as SQLite's shell does for `.import`. Through sqlx a million rows cost more outside
//! SQLite than inside it (a copy of every bound value into an argument buffer and a hand-over to
//! the driver's worker thread per statement).

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use nengji_core::period::Month;

use super::Placeholders;
use crate::collection::EntryError;
use crate::db::Backend;

pub(super) struct ObsRow<'a> {
    pub zone_id: i64,
    pub indicator_id: i64,
    pub period: Month,
    pub value: f64,
    pub prior: Option<f64>,
    pub comment: &'a str,
}

pub(super) struct HistRow {
    pub zone_id: i64,
    pub indicator_id: i64,
    pub period: Month,
    pub old_value: Option<f64>,
    pub new_value: f64,
    pub old_prior: Option<f64>,
    pub new_prior: Option<f64>,
    pub after_approval: bool,
}

/// One report's upsert: how many saves it received and whether one changed an approved report.
pub(super) struct ReportWrite {
    pub zone_id: i64,
    pub period: Month,
    pub saves: i64,
    pub changed_after_approval: bool,
    pub final_version: i64,
}

/// Everything a bulk save writes besides its audit row: reports first (if one was submitted
/// since it was read, nothing else is written), then values, then history rows.
pub(super) struct Rows<'a> {
    pub dataset: i64,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
    pub source: &'a str,
    pub subs: &'a [ReportWrite],
    pub obs: &'a [ObsRow<'a>],
    pub hist: &'a [HistRow],
}

pub(super) trait WriteRows {
    fn write_rows(&mut self, rows: &Rows<'_>) -> impl Future<Output = Result<(), EntryError>> + Send;
}

fn conflict() -> EntryError {
    EntryError::Conflict { by: "他人".into(), at: "刚才".into() }
}

// `version` carries the number of saves: a new report ends at that version, a stored one moves up
// by it. The status guard leaves a report submitted meanwhile by someone else out of RETURNING.
const SUBMISSION_UPSERT: &str = "ON CONFLICT (dataset_id, zone_id, period) DO UPDATE SET version = submission.version + excluded.version,
    updated_by = excluded.updated_by, updated_at = excluded.updated_at,
    changed_after_approval = submission.changed_after_approval OR excluded.changed_after_approval
    WHERE submission.status = 'draft'
    RETURNING zone_id, period, version";

// A new value records its creation on its row; an existing one keeps it.
const OBSERVATION_UPSERT: &str = "ON CONFLICT (zone_id, indicator_id, period) DO UPDATE SET value = excluded.value,
    prior_comparable = excluded.prior_comparable, comment = excluded.comment, status = 'draft', is_demo = FALSE,
    updated_by = excluded.updated_by, updated_at = excluded.updated_at";

impl WriteRows for sqlx::SqliteConnection {
    async fn write_rows(&mut self, rows: &Rows<'_>) -> Result<(), EntryError> {
        crate::db::on_sqlite_handle(self, |conn| {
            write_sqlite(conn, rows).map_err(|e| match e {
                Refusal::Conflict => conflict(),
                Refusal::Sql(e) => EntryError::Store(e.into()),
            })
        })
        .await
    }
}

enum Refusal {
    Conflict,
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for Refusal {
    fn from(e: rusqlite::Error) -> Self {
        Refusal::Sql(e)
    }
}

/// A month's text, made once per distinct month.
struct MonthTexts(Vec<(Month, String)>);

impl MonthTexts {
    fn get(&mut self, m: Month) -> &str {
        let i = match self.0.iter().position(|(k, _)| *k == m) {
            Some(i) => i,
            None => {
                self.0.push((m, m.to_string()));
                self.0.len() - 1
            }
        };
        &self.0[i].1
    }
}

/// Rows per SQLite statement (values, reports, history rows). A statement opens and closes a
/// cursor on the table and each of its indexes per execution (and an upsert with RETURNING a
/// temporary table); for single rows that was a third of the insert time. 32 rows amortise it
/// (more gained nothing measurable) and bind at most 259 parameters, far below SQLite's limit.
const SQLITE_ROWS: usize = 32;

/// Runs `run` on `rows` in chunks of [`SQLITE_ROWS`] with `sql(SQLITE_ROWS)`, then on the rest
/// one by one with `sql(1)`; `shared` are bound once to each statement as ?1, ?2, ….
fn in_statements<T>(
    conn: &rusqlite::Connection,
    sql: impl Fn(usize) -> String,
    shared: &[&dyn rusqlite::ToSql],
    rows: &[T],
    mut run: impl FnMut(&mut rusqlite::Statement, &[T]) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    let mut many = conn.prepare(&sql(SQLITE_ROWS))?;
    let mut one = conn.prepare(&sql(1))?;
    for st in [&mut many, &mut one] {
        for (i, value) in shared.iter().enumerate() {
            st.raw_bind_parameter(i + 1, value)?;
        }
    }
    let mut chunks = rows.chunks_exact(SQLITE_ROWS);
    for chunk in &mut chunks {
        run(&mut many, chunk)?;
    }
    for row in chunks.remainder().chunks(1) {
        run(&mut one, row)?;
    }
    Ok(())
}

/// The `VALUES` list of `rows` rows of `per_row` parameters each, numbered after the three shared
/// ones: `tuple(p)` is one row's tuple from its first parameter number `p`.
fn tuples(rows: usize, per_row: usize, tuple: impl Fn(usize) -> String) -> String {
    (0..rows).map(|k| tuple(4 + per_row * k)).collect::<Vec<_>>().join(", ")
}

fn write_sqlite(conn: &rusqlite::Connection, r: &Rows) -> Result<(), Refusal> {
    // As sqlx stores a timestamp on SQLite, so that reads through sqlx decode it.
    let stamp = r.now.to_rfc3339_opts(SecondsFormat::AutoSi, false);
    let mut months = MonthTexts(Vec::new());

    // Reports: each must come back with the version the replay computed (a report submitted
    // meanwhile is left out by the upsert's status guard).
    let submissions = |rows: usize| {
        format!(
            "INSERT INTO submission (dataset_id, zone_id, period, status, version, updated_by, updated_at, changed_after_approval)
             VALUES {} {SUBMISSION_UPSERT}",
            tuples(rows, 4, |p| format!("(?1, ?{}, ?{}, 'draft', ?{}, ?2, ?3, ?{})", p, p + 1, p + 2, p + 3))
        )
    };
    in_statements(conn, submissions, &[&r.dataset, &r.actor, &stamp], r.subs, |st, chunk| {
        for (k, s) in chunk.iter().enumerate() {
            let p = 4 + 4 * k;
            st.raw_bind_parameter(p, s.zone_id)?;
            st.raw_bind_parameter(p + 1, months.get(s.period))?;
            st.raw_bind_parameter(p + 2, s.saves)?;
            st.raw_bind_parameter(p + 3, s.changed_after_approval)?;
        }
        let mut returned = 0;
        let mut rows = st.raw_query();
        while let Some(row) = rows.next()? {
            let (zone_id, period, version): (i64, String, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            returned += 1;
            if !chunk.iter().any(|s| s.zone_id == zone_id && period.parse() == Ok(s.period) && s.final_version == version) {
                return Err(Refusal::Conflict);
            }
        }
        if returned == chunk.len() { Ok(()) } else { Err(Refusal::Conflict) }
    })?;

    let observations = |rows: usize| {
        format!(
            "INSERT INTO observation (zone_id, indicator_id, period, value, prior_comparable, comment, status, is_demo,
                 updated_by, updated_at, created_by, created_at, created_via)
             VALUES {} {OBSERVATION_UPSERT}",
            tuples(rows, 6, |p| format!("(?{}, ?{}, ?{}, ?{}, ?{}, ?{}, 'draft', FALSE, ?1, ?2, ?1, ?2, ?3)", p, p + 1, p + 2, p + 3, p + 4, p + 5))
        )
    };
    in_statements(conn, observations, &[&r.actor, &stamp, &r.source], r.obs, |st, chunk| {
        for (k, o) in chunk.iter().enumerate() {
            let p = 4 + 6 * k;
            st.raw_bind_parameter(p, o.zone_id)?;
            st.raw_bind_parameter(p + 1, o.indicator_id)?;
            st.raw_bind_parameter(p + 2, months.get(o.period))?;
            st.raw_bind_parameter(p + 3, o.value)?;
            st.raw_bind_parameter(p + 4, o.prior)?;
            st.raw_bind_parameter(p + 5, o.comment)?;
        }
        st.raw_execute()?;
        Ok(())
    })?;

    let history = |rows: usize| {
        format!(
            "INSERT INTO observation_history (zone_id, indicator_id, period, old_value, new_value, old_prior, new_prior,
                 changed_by, changed_at, source, after_approval)
             VALUES {}",
            tuples(rows, 8, |p| format!("(?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?1, ?2, ?3, ?{})", p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7))
        )
    };
    in_statements(conn, history, &[&r.actor, &stamp, &r.source], r.hist, |st, chunk| {
        for (k, h) in chunk.iter().enumerate() {
            let p = 4 + 8 * k;
            st.raw_bind_parameter(p, h.zone_id)?;
            st.raw_bind_parameter(p + 1, h.indicator_id)?;
            st.raw_bind_parameter(p + 2, months.get(h.period))?;
            st.raw_bind_parameter(p + 3, h.old_value)?;
            st.raw_bind_parameter(p + 4, h.new_value)?;
            st.raw_bind_parameter(p + 5, h.old_prior)?;
            st.raw_bind_parameter(p + 6, h.new_prior)?;
            st.raw_bind_parameter(p + 7, h.after_approval)?;
        }
        st.raw_execute()?;
        Ok(())
    })
}

/// Rows per multi-row statement. Observations bind 6 parameters a row, history rows 8: well under
/// PostgreSQL's 65535, and large enough that per-statement cost vanishes.
const CHUNK: usize = 1000;

/// A multi-row write: `head` selects from `c` (values bound once per statement, named by
/// `shared`) and `v` (the rows, `per_row` values each, columns `column1…`), then `tail`.
struct RowsSql {
    head: &'static str,
    shared: &'static [&'static str],
    per_row: usize,
    tail: &'static str,
}

impl RowsSql {
    fn sql(&self, rows: usize) -> String {
        let mut ph = Placeholders::new(Backend::Postgres);
        let shared: Vec<String> = self.shared.iter().map(|name| format!("{} AS {name}", ph.next())).collect();
        let mut sql = String::with_capacity(self.head.len() + self.tail.len() + rows * (self.per_row * 8 + 4));
        sql.push_str(self.head);
        sql.push_str(" FROM (SELECT ");
        sql.push_str(&shared.join(", "));
        sql.push_str(") AS c, (VALUES ");
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&ph.list(self.per_row));
            sql.push(')');
        }
        sql.push_str(") AS v ");
        sql.push_str(self.tail);
        sql
    }
}

const OBSERVATIONS: RowsSql = RowsSql {
    head: "INSERT INTO observation (zone_id, indicator_id, period, value, prior_comparable, comment, status, is_demo, updated_by, updated_at,
               created_by, created_at, created_via)
           SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, 'draft', FALSE, c.actor_name, c.stamp,
               c.actor_name, c.stamp, c.source",
    shared: &["actor_name", "stamp", "source"],
    per_row: 6,
    tail: OBSERVATION_UPSERT,
};

const HISTORY: RowsSql = RowsSql {
    head: "INSERT INTO observation_history (zone_id, indicator_id, period, old_value, new_value, old_prior, new_prior,
               changed_by, changed_at, source, after_approval)
           SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, c.actor_name, c.stamp, c.source, v.column8",
    shared: &["actor_name", "stamp", "source"],
    per_row: 8,
    tail: "",
};

const SUBMISSIONS: RowsSql = RowsSql {
    head: "INSERT INTO submission (dataset_id, zone_id, period, status, version, updated_by, updated_at, changed_after_approval)
           SELECT c.dataset_id, v.column1, v.column2, 'draft', v.column3, c.actor_name, c.stamp, v.column4",
    shared: &["dataset_id", "actor_name", "stamp"],
    per_row: 4,
    tail: SUBMISSION_UPSERT,
};

/// Shared text values: one allocation per distinct period and for the empty 备注, not one per value.
struct Texts {
    periods: std::collections::HashMap<Month, Arc<str>>,
    empty: Arc<str>,
}

impl Texts {
    fn period(&mut self, m: Month) -> Arc<str> {
        self.periods.entry(m).or_insert_with(|| Arc::from(m.to_string())).clone()
    }
    fn text(&self, s: &str) -> Arc<str> {
        if s.is_empty() { self.empty.clone() } else { Arc::from(s) }
    }
}

impl WriteRows for sqlx::PgConnection {
    async fn write_rows(&mut self, r: &Rows<'_>) -> Result<(), EntryError> {
        let mut texts = Texts { periods: Default::default(), empty: Arc::from("") };
        for chunk in r.subs.chunks(CHUNK) {
            let mut q = sqlx::query_as::<_, (i64, String, i64)>(sqlx::AssertSqlSafe(SUBMISSIONS.sql(chunk.len())))
                .bind(r.dataset)
                .bind(r.actor)
                .bind(r.now);
            for s in chunk {
                q = q.bind(s.zone_id).bind(texts.period(s.period)).bind(s.saves).bind(s.changed_after_approval);
            }
            let rows = q.fetch_all(&mut *self).await?;
            let expected: std::collections::HashMap<(i64, String), i64> =
                chunk.iter().map(|s| ((s.zone_id, s.period.to_string()), s.final_version)).collect();
            if rows.len() != chunk.len() || rows.into_iter().any(|(z, p, v)| expected.get(&(z, p)) != Some(&v)) {
                return Err(conflict());
            }
        }

        // Each chunk's parameters are bound while the server executes the previous one.
        let (obs_full, hist_full) = (OBSERVATIONS.sql(CHUNK), HISTORY.sql(CHUNK));
        let mut bind_obs = |chunk: &[ObsRow]| {
            let sql = if chunk.len() == CHUNK { obs_full.clone() } else { OBSERVATIONS.sql(chunk.len()) };
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(r.actor.to_string()).bind(r.now).bind(r.source.to_string());
            for o in chunk {
                q = q.bind(o.zone_id).bind(o.indicator_id).bind(texts.period(o.period)).bind(o.value).bind(o.prior).bind(texts.text(o.comment));
            }
            q
        };
        let mut chunks = r.obs.chunks(CHUNK);
        let mut next = chunks.next().map(&mut bind_obs);
        while let Some(q) = next.take() {
            let (done, following) = tokio::join!(q.execute(&mut *self), async { chunks.next().map(&mut bind_obs) });
            done?;
            next = following;
        }
        let mut bind_hist = |chunk: &[HistRow]| {
            let sql = if chunk.len() == CHUNK { hist_full.clone() } else { HISTORY.sql(chunk.len()) };
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(r.actor.to_string()).bind(r.now).bind(r.source.to_string());
            for h in chunk {
                q = q
                    .bind(h.zone_id)
                    .bind(h.indicator_id)
                    .bind(texts.period(h.period))
                    .bind(h.old_value)
                    .bind(h.new_value)
                    .bind(h.old_prior)
                    .bind(h.new_prior)
                    .bind(h.after_approval);
            }
            q
        };
        let mut chunks = r.hist.chunks(CHUNK);
        let mut next = chunks.next().map(&mut bind_hist);
        while let Some(q) = next.take() {
            let (done, following) = tokio::join!(q.execute(&mut *self), async { chunks.next().map(&mut bind_hist) });
            done?;
            next = following;
        }
        Ok(())
    }
}
