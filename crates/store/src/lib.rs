//! Nengji's persistence: one query layer over SQLite (embedded default) and PostgreSQL.
//!
//! Every query body is written once and compiled per backend by [`with_pool!`]; every write
//! runs in one transaction together with its audit record.

#[macro_use]
mod db;
#[macro_use]
pub mod audit;
pub mod bulk;
pub mod backup;
pub mod bulletins;
pub mod collection;
pub mod evaluations;
pub mod imports;
pub mod landuse;
pub mod land;
pub mod masterdata;
pub mod observations;
pub mod registers;
pub mod reminders;
pub mod rules;
pub mod seed;
pub mod sessions;
pub mod supervision;
pub mod users;
pub mod value_imports;

pub use audit::Actor;
pub use db::{redact_url, Backend, Db, StoreError};

pub type Result<T> = std::result::Result<T, StoreError>;
