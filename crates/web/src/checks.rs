//! Validation rules applied to reports (before submission) and to uploads (in the dry run).

use nengji_core::entry::LocatedValue;
use nengji_core::period::Month;
use nengji_store::collection::Dataset;
use nengji_store::Db;

use crate::error::AppError;

/// The findings of the rules on one report.
pub struct ReportCheck {
    findings: Vec<(String, bool)>,
}

impl ReportCheck {
    pub fn lines(&self) -> Vec<String> {
        self.findings.iter().map(|(t, _)| t.clone()).collect()
    }
    pub fn blocking(&self) -> bool {
        self.findings.iter().any(|(_, b)| *b)
    }
}

pub async fn check_report(_db: &Db, _ds: &Dataset, _zone: &str, _period: Month) -> Result<ReportCheck, AppError> {
    Ok(ReportCheck { findings: Vec::new() })
}

pub async fn check_upload(_db: &Db, _ds: &Dataset, _values: &[LocatedValue]) -> Result<Vec<(String, String)>, AppError> {
    Ok(Vec::new())
}
