//! Master-data imports from a parsed sheet: validate every row first (in `core`), then write
//! everything in one transaction. A file with any problem writes nothing.

use nengji_core::masterdata::{parse_indicators, parse_units, parse_zones, CellError, Table};

use crate::audit::Actor;
use crate::db::Db;
use crate::masterdata::{self, UpsertSummary};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Problems in the file, each located by sheet/row/column.
    #[error("文件有 {} 处问题，未导入任何数据", .0.len())]
    Cells(Vec<CellError>),
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

/// What kind of master data a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MasterKind {
    Zones,
    Units,
    Indicators,
}

impl MasterKind {
    pub fn parse(s: &str) -> Option<MasterKind> {
        match s {
            "zones" | "开发区" => Some(MasterKind::Zones),
            "units" | "单位" => Some(MasterKind::Units),
            "indicators" | "指标" => Some(MasterKind::Indicators),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MasterKind::Zones => "开发区",
            MasterKind::Units => "单位",
            MasterKind::Indicators => "指标",
        }
    }
}

pub async fn import(db: &Db, actor: &Actor, kind: MasterKind, table: &Table) -> Result<UpsertSummary, ImportError> {
    match kind {
        MasterKind::Zones => {
            let groups: Vec<String> = masterdata::list_groups(db).await?.into_iter().map(|g| g.code).collect();
            let zones = parse_zones(table, &groups).map_err(ImportError::Cells)?;
            Ok(masterdata::upsert_zones(db, actor, &zones).await?)
        }
        MasterKind::Units => {
            let units = parse_units(table).map_err(ImportError::Cells)?;
            Ok(masterdata::upsert_units(db, actor, &units).await?)
        }
        MasterKind::Indicators => {
            let inds = parse_indicators(table).map_err(ImportError::Cells)?;
            Ok(masterdata::upsert_indicators(db, actor, &inds).await?)
        }
    }
}
