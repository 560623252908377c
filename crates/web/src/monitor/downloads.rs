//! Every monitoring table as xlsx (`nengji_office::write_xlsx`) or CSV (UTF-8 with BOM, which
//! Excel opens correctly), built by the same functions as the pages and with the same checks.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nengji_core::masterdata::Table;
use serde::Deserialize;

use super::panel::Panel;
use super::targets::evaluate_all;
use super::views;
use crate::auth::PageUser;
use crate::error::AppError;
use crate::pages::attachment;
use crate::AppState;

#[derive(Deserialize)]
pub struct DownloadQuery {
    period: Option<String>,
    indicator: Option<String>,
    zone: Option<String>,
}

/// `/download/{targets|city|league|zone}.{xlsx|csv}`
pub async fn download(State(st): State<AppState>, PageUser(s): PageUser, Path(file): Path<String>, Query(q): Query<DownloadQuery>) -> Result<Response, AppError> {
    let (name, ext) = file.rsplit_once('.').ok_or_else(|| AppError::NotFound(format!("下载文件“{file}”")))?;
    if !matches!(ext, "xlsx" | "csv") || !matches!(name, "targets" | "city" | "league" | "zone") {
        return Err(AppError::NotFound(format!("下载文件“{file}”")));
    }
    let Some(p) = super::period(&st.db, q.period.as_deref()).await? else {
        return Err(AppError::NotFound("已审核的数据".into()));
    };
    let panel = Panel::load(&st.db, p).await?;
    let (table, title) = match name {
        "targets" | "city" if !super::reads_all(&s.who, &panel) => return Err(AppError::Forbidden),
        "targets" => (views::targets_table(&evaluate_all(&panel, &super::targets::Registers::load(&st.db).await?, p)), format!("工作目标进展_{p}")),
        "city" => (views::city_table(&panel, p), format!("全市开发区合计_{p}")),
        "league" => {
            let ind = super::pick_indicator(&panel, q.indicator.as_deref(), "revenue")?;
            let all = super::reads_all(&s.who, &panel);
            (views::league_table(&panel.league(ind, p), &s.who, all), format!("{}排行_{p}", ind.name))
        }
        _ => {
            let code = q.zone.as_deref().unwrap_or_default();
            let z = panel.zone(code).ok_or_else(|| AppError::NotFound(format!("开发区“{code}”")))?;
            if !s.who.can_read_zone(&z.code) {
                return Err(AppError::Forbidden);
            }
            (views::rank_table(&panel, &z.code, &z.name, p), format!("{}指标位次_{p}", z.name))
        }
    };
    let table = labelled(table, panel.demo);
    let (bytes, mime) = match ext {
        "xlsx" => (
            nengji_office::write_xlsx(std::slice::from_ref(&table)).map_err(|e| AppError::Internal(e.into()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => (csv_bytes(&table), "text/csv; charset=utf-8"),
    };
    let disposition = attachment(&format!("{name}-{p}.{ext}"), &format!("{title}.{ext}"));
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// Demo figures say so in the file too: a last column 数据性质 = 示例数据.
fn labelled(mut t: Table, demo: bool) -> Table {
    if demo {
        t.header.push("数据性质".into());
        for r in &mut t.rows {
            r.push("示例数据".into());
        }
    }
    t
}

/// RFC 4180 CSV with a UTF-8 BOM and CRLF line ends.
pub fn csv_bytes(t: &Table) -> Vec<u8> {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    }
    let mut out = String::from("\u{feff}");
    for row in std::iter::once(&t.header).chain(&t.rows) {
        out.push_str(&row.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let t = Table { sheet: "s".into(), header: vec!["指标".into(), "说明".into()], rows: vec![vec!["a,b".into(), "say \"hi\"".into()]] };
        let s = String::from_utf8(csv_bytes(&t)).unwrap();
        assert_eq!(s, "\u{feff}指标,说明\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n");
    }
}
