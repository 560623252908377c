//! Land: the annual intensive-use evaluation of zones (土地集约利用评价, DOMAIN.md §2) and the
//! 亩均效益 grading of enterprises (DOMAIN.md §3). Every threshold, ideal value, weight, benchmark
//! and band lives in a scheme (data, versioned by the store), never in code; the example schemes
//! in [`examples`] are what the office starts from.

pub mod examples;
pub mod intensive;
pub mod mujun;
pub mod sheet;
pub mod synth;

/// Sum that skips nothing and is done left to right (the benchmark's numpy side uses `cumsum`,
/// which is sequential too, so both sides get the same bits).
pub(crate) fn seq_sum(xs: impl Iterator<Item = f64>) -> f64 {
    xs.fold(0.0, |a, x| a + x)
}
