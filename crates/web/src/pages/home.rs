//! The home page: every zone's main figures for the latest (or chosen) month.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use nengji_store::masterdata::{self, StoredIndicator};
use serde::Deserialize;

use crate::auth::PageUser;
use crate::error::AppError;
use crate::figures::{choose_period, Figure, Snapshot, MAIN};
use crate::shell::Shell;
use crate::AppState;

pub struct Column {
    pub name: String,
    pub unit: String,
    pub flow: bool,
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub figures: Vec<Figure>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    shell: Shell,
    period: String,
    period_value: String,
    columns: Vec<Column>,
    rows: Vec<Row>,
    demo: bool,
    /// Reports this user still owes (due soon or overdue).
    reminders: Vec<String>,
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    pub period: Option<String>,
}

pub async fn page(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<PeriodQuery>) -> Result<Html<String>, AppError> {
    let zones: Vec<_> = masterdata::list_zones(&st.db).await?.into_iter().filter(|z| s.who.can_read_zone(&z.zone.code)).collect();
    let inds: Vec<StoredIndicator> = masterdata::list_indicators(&st.db).await?;
    let main: Vec<&StoredIndicator> = MAIN.iter().filter_map(|c| inds.iter().find(|i| i.indicator.code == *c)).collect();
    let period = choose_period(&st.db, q.period.as_deref()).await?;
    let (rows, demo, label, value) = match period {
        Some(p) => {
            let snap = Snapshot::load(&st.db, zones.iter().map(|z| z.zone.code.clone()).collect(), Some(MAIN.iter().map(|c| c.to_string()).collect()), p, true).await?;
            let rows = zones
                .iter()
                .map(|z| Row {
                    code: z.zone.code.clone(),
                    name: z.zone.short_name.clone(),
                    kind: z.zone.kind.label().into(),
                    figures: main.iter().map(|i| snap.figure(&z.zone.code, i)).collect(),
                })
                .collect();
            (rows, snap.demo, p.cumulative_label(), p.to_string())
        }
        None => (Vec::new(), false, "暂无数据".into(), String::new()),
    };
    let columns = main
        .iter()
        .map(|i| Column {
            name: i.indicator.name.clone(),
            unit: i.indicator.unit.clone(),
            flow: i.indicator.kind == nengji_core::indicator::IndicatorKind::Flow,
        })
        .collect();
    let reminders = crate::reminders::due_reports(&st.db, crate::collect::today())
        .await?
        .into_iter()
        .filter(|d| d.username == s.who.username)
        .map(|d| d.subject().trim_start_matches("【能级】").to_string())
        .collect();
    Ok(Html(HomePage { shell: Shell::new(&s, "home"), period: label, period_value: value, columns, rows, demo, reminders }.render()?))
}
