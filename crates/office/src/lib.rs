//! Files people exchange with the office: spreadsheets in (CSV in UTF-8 or GB18030, xlsx/xls/ods)
//! and xlsx out. Everything becomes or comes from a `core::masterdata::Table`.

pub mod bulletin_doc;
pub mod chart;
pub mod docx_text;
pub mod land_docs;
pub mod pdf;
pub mod tables;
pub mod template;

pub use tables::{read_tables, write_xlsx, OfficeError};
