//! Idle land (闲置土地) under 《闲置土地处置办法》(国土资源部令第53号): counting periods,
//! the rules as of any date, the procedure and its limits, the parcel register and its sheet.
//! DOMAIN.md §1 is the specification; `rules::Thresholds` holds every number it names.

pub mod parcel;
pub mod period;
pub mod procedure;
pub mod rules;
pub mod scan;
pub mod sheet;

#[cfg(test)]
mod cases;

/// Re-exported for the crates that write land documents without depending on chrono themselves.
pub use chrono::NaiveDate;
