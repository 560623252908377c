//! [`UnitValues`]: one number per unit, some missing — a node's scores or an indicator's raw
//! inputs in an [`Outcome`](super::Outcome).
//!
//! It reads and serialises exactly as `Vec<Option<f64>>` (JSON `[1.5, null, …]`), but is a
//! column of the evaluation that computed it (`f64`, NaN for a missing value), shared rather
//! than copied: an outcome of 2,700 units × 40 indicators then costs no per-node copy into
//! 16-byte options (that copy, and the fresh memory it touched, was a third of the nominal
//! run). NaN never leaves: every accessor gives `None` for it.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Default)]
pub struct UnitValues {
    /// Columns of `f64` with NaN for a missing value; this one is `columns[column]` (none: empty).
    columns: Arc<Vec<Vec<f64>>>,
    column: usize,
}

impl UnitValues {
    /// Column `column` of the engine's `columns` (NaN = missing).
    pub(crate) fn shared(columns: &Arc<Vec<Vec<f64>>>, column: usize) -> UnitValues {
        UnitValues { columns: columns.clone(), column }
    }

    /// A column of its own (NaN = missing).
    pub(crate) fn own(values: Vec<f64>) -> UnitValues {
        UnitValues { columns: Arc::new(vec![values]), column: 0 }
    }

    fn values(&self) -> &[f64] {
        self.columns.get(self.column).map_or(&[], |c| &c[..])
    }

    pub fn len(&self) -> usize {
        self.values().len()
    }

    pub fn is_empty(&self) -> bool {
        self.values().is_empty()
    }

    /// Unit `i`'s value (`None` when missing). Panics past the end, as indexing does.
    pub fn at(&self, i: usize) -> Option<f64> {
        let v = self.values()[i];
        (!v.is_nan()).then_some(v)
    }

    /// Unit `i`'s value, `None` when missing or past the end.
    pub fn get(&self, i: usize) -> Option<f64> {
        self.values().get(i).copied().filter(|v| !v.is_nan())
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<f64>> + '_ {
        self.values().iter().map(|&v| (!v.is_nan()).then_some(v))
    }

    pub fn to_vec(&self) -> Vec<Option<f64>> {
        self.iter().collect()
    }
}

impl From<Vec<Option<f64>>> for UnitValues {
    fn from(v: Vec<Option<f64>>) -> UnitValues {
        UnitValues::own(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
    }
}

impl PartialEq for UnitValues {
    fn eq(&self, other: &UnitValues) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for UnitValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for UnitValues {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for UnitValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<UnitValues, D::Error> {
        Vec::<Option<f64>>::deserialize(d).map(UnitValues::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same JSON, Debug and equality as the `Vec<Option<f64>>` it replaces, both ways.
    #[test]
    fn reads_and_writes_as_a_vector_of_options() {
        let plain = vec![Some(1.5), None, Some(-0.0), Some(1e300), Some(0.1 + 0.2)];
        let v = UnitValues::from(plain.clone());
        assert_eq!(serde_json::to_string(&v).unwrap(), serde_json::to_string(&plain).unwrap());
        assert_eq!(format!("{v:?}"), format!("{plain:?}"));
        let back: UnitValues = serde_json::from_str(&serde_json::to_string(&plain).unwrap()).unwrap();
        assert_eq!(back.to_vec(), plain);
        assert_eq!(back, v);
        assert_eq!((v.at(1), v.at(4), v.get(9), v.len()), (None, Some(0.1 + 0.2), None, 5));
        assert_ne!(v, UnitValues::from(vec![Some(1.5), Some(0.0), Some(0.0), Some(1e300), Some(0.1 + 0.2)]));
        assert_eq!(serde_json::to_string(&UnitValues::default()).unwrap(), "[]");
    }
}
