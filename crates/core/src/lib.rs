//! Nengji's domain: types and formulas, with no I/O, no async and no SQL.
//! Everything here is deterministic and tested in isolation.

pub mod auth;
pub mod bulletin;
pub mod calendar;
pub mod catalog;
pub mod codes;
pub mod demo;
pub mod entry;
pub mod evaluate;
pub mod expr;
pub mod indicator;
pub mod landuse;
pub mod masterdata;
pub mod period;
pub mod plan;
pub mod registers;
pub mod series;
pub mod land;
pub mod supervision;
pub mod target;
pub mod uscc;
pub mod validate;
pub mod zone;
