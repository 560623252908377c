//! The web crate's integration tests in one binary: one link of the crate and its dependencies
//! instead of one per file (each web test binary was ~110 MB; CI's disk ran out).

mod common;
mod access_matrix;
mod browser;
mod browser_evaluation;
mod browser_land;
mod browser_monitor;
mod browser_supervise;
mod bulletin;
mod concurrency;
mod entry;
mod evaluation;
mod evaluation_api;
mod http;
mod land;
mod landuse;
mod monitor;
mod registers;
mod registers_browser;
mod reminders;
mod supervise;
