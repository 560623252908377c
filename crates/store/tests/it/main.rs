//! The store crate's integration tests in one binary: one link of the crate and its dependencies
//! instead of one per file (each web test binary was ~110 MB; CI's disk ran out).

mod common;
mod bulk;
mod collection;
mod land;
mod landuse;
mod pg_scale;
mod query_plan;
mod registers;
mod story;
mod supervision;
