//! The whole-ledger scan: every parcel assessed as of one date, the verdicts folded per chunk on
//! rayon's threads and the chunks merged — for counts over millions of parcels.

use chrono::NaiveDate;
use rayon::prelude::*;

use super::period::RestDays;
use super::rules::{assess, Assessment, ParcelFacts, Thresholds};

/// Parcels per task: large enough that scheduling costs nothing, small enough to balance.
const CHUNK: usize = 16_384;

/// Folds `assess` over `parcels` in parallel. `fold` must not depend on the order of parcels
/// across chunks (counts and sums do not).
pub fn par_fold<A, I, F, R>(parcels: &[ParcelFacts], as_of: NaiveDate, t: &Thresholds, r: &RestDays, identity: I, fold: F, reduce: R) -> A
where
    A: Send,
    I: Fn() -> A + Sync + Send,
    F: Fn(A, &ParcelFacts, &Assessment) -> A + Sync + Send,
    R: Fn(A, A) -> A + Sync + Send,
{
    parcels
        .par_chunks(CHUNK)
        .map(|ch| ch.iter().fold(identity(), |acc, f| fold(acc, f, &assess(f, as_of, t, r))))
        .reduce(&identity, reduce)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::land::rules::Supply;

    #[test]
    fn parallel_fold_counts_like_a_plain_loop() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let parcels: Vec<ParcelFacts> = (0..50_000)
            .map(|i| ParcelFacts {
                industrial: true,
                supply: Supply::Sale,
                supply_date: Some(d("2012-01-01")),
                contract_start: Some(d("2015-01-01") + chrono::Duration::days(i % 1500)),
                handover: None,
                started: None,
                halted: None,
                price_fen: 100,
                planned_fen: 0,
                invested_fen: 0,
                to_develop_m2: 0.0,
                developed_m2: 0.0,
                cause: None,
                restart: None,
            })
            .collect();
        let (t, r, as_of) = (Thresholds::default(), RestDays::weekends_only(), d("2017-06-30"));
        let plain = parcels.iter().filter(|f| assess(f, as_of, &t, &r).is_idle()).count();
        let par = par_fold(&parcels, as_of, &t, &r, || 0usize, |n, _, a| n + a.is_idle() as usize, |a, b| a + b);
        assert_eq!(par, plain);
        assert!(plain > 0 && plain < parcels.len());
    }
}
