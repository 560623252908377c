//! The rule set in force (`/land/rules`, the office only): every threshold of 53号令 as a field,
//! the national defaults and the 海南 variant as presets. Saving stores the set (audited); the
//! ledger, the dashboard and the documents use it from then on.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use nengji_core::land::rules::Thresholds;
use nengji_store::{land, StoreError};

use super::{actor, require_office};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

/// `(field, label, value)` of every threshold.
fn fields(t: &Thresholds) -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("name", "规则名称", t.name.clone()),
        ("idle_after_years", "未动工开发满几年认定闲置（年）", t.idle_after_years.to_string()),
        ("default_start_years", "未约定动工日期的，交地后几年为动工日期（年）", t.default_start_years.to_string()),
        ("developed_num", "已开发面积比例分子", t.developed_num.to_string()),
        ("developed_den", "已开发面积比例分母", t.developed_den.to_string()),
        ("invested_percent", "已投资额比例（%）", t.invested_percent.to_string()),
        ("halted_years", "中止开发建设满几年（年）", t.halted_years.to_string()),
        ("low_investment_years", "地方从严：应动工日后满几年投资仍不足即认定（年，空为不适用）", t.low_investment_years.map(|y| y.to_string()).unwrap_or_default()),
        ("fee_percent", "土地闲置费占土地价款比例（%）", t.fee_percent.to_string()),
        ("fee_after_years", "未动工满几年征缴闲置费（年）", t.fee_after_years.to_string()),
        ("recovery_after_years", "未动工满几年无偿收回（年）", t.recovery_after_years.to_string()),
        ("extension_max_years", "延长动工开发期限最长（年）", t.extension_max_years.to_string()),
        ("temporary_use_max_years", "临时使用最长（年）", t.temporary_use_max_years.to_string()),
        ("step_limit_days", "调查、说明、履行时限（日）", t.step_limit_days.to_string()),
        ("scope_since", "清理范围：此日期以后出让的工业用地", t.scope_since.to_string()),
    ]
}

#[derive(Template)]
#[template(path = "land_rules.html")]
struct RulesPage {
    shell: Shell,
    fields: Vec<(&'static str, &'static str, String)>,
    message: Option<String>,
    errors: Vec<String>,
}

pub async fn page(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    require_office(&s.who)?;
    let t = land::thresholds(&st.db).await?;
    Ok(Html(RulesPage { shell: Shell::new(&s, "land"), fields: fields(&t), message: None, errors: Vec::new() }.render()?))
}

fn parse(v: &std::collections::HashMap<String, String>) -> Result<Thresholds, Vec<String>> {
    let mut e = Vec::new();
    let labels: std::collections::HashMap<&str, &str> = fields(&Thresholds::default()).into_iter().map(|(k, l, _)| (k, l)).collect();
    let text = |k: &str| v.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut n = |k: &str| {
        text(k).parse::<u32>().unwrap_or_else(|_| {
            e.push(format!("{}：“{}”应为非负整数", labels[k], text(k)));
            0
        })
    };
    let mut t = Thresholds {
        name: text("name"),
        idle_after_years: n("idle_after_years"),
        default_start_years: n("default_start_years"),
        developed_num: n("developed_num"),
        developed_den: n("developed_den"),
        invested_percent: n("invested_percent"),
        halted_years: n("halted_years"),
        low_investment_years: None,
        fee_percent: n("fee_percent"),
        fee_after_years: n("fee_after_years"),
        recovery_after_years: n("recovery_after_years"),
        extension_max_years: n("extension_max_years"),
        temporary_use_max_years: n("temporary_use_max_years"),
        step_limit_days: n("step_limit_days"),
        scope_since: Thresholds::default().scope_since,
    };
    if !text("low_investment_years").is_empty() {
        t.low_investment_years = Some(n("low_investment_years"));
    }
    match nengji_core::land::parcel::parse_date(&text("scope_since")) {
        Ok(Some(d)) => t.scope_since = d,
        Ok(None) => e.push(format!("{}：不能为空", labels["scope_since"])),
        Err(m) => e.push(format!("{}：{m}", labels["scope_since"])),
    }
    if t.name.is_empty() {
        e.push("规则名称：不能为空".into());
    }
    if e.is_empty() { Ok(t) } else { Err(e) }
}

pub async fn save(State(st): State<AppState>, PageUser(s): PageUser, Form(values): Form<std::collections::HashMap<String, String>>) -> Result<Response, AppError> {
    require_office(&s.who)?;
    let parsed = match values.get("preset").map(String::as_str) {
        Some("national") => Ok(Thresholds::default()),
        Some("hainan") => Ok(Thresholds::hainan()),
        _ => parse(&values),
    };
    let t = match parsed {
        Ok(t) => t,
        Err(errors) => {
            let mut shown = fields(&land::thresholds(&st.db).await?);
            for (k, _, v) in shown.iter_mut() {
                if let Some(x) = values.get(*k) {
                    *v = x.clone();
                }
            }
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(RulesPage { shell: Shell::new(&s, "land"), fields: shown, message: None, errors }.render()?)).into_response());
        }
    };
    match land::set_thresholds(&st.db, &actor(&s), &t).await {
        Ok(()) => Ok(Html(RulesPage { shell: Shell::new(&s, "land"), fields: fields(&t), message: Some(format!("已保存：{}。台账和总览即按此规则计算。", t.name)), errors: Vec::new() }.render()?).into_response()),
        Err(StoreError::Invalid(m)) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(RulesPage { shell: Shell::new(&s, "land"), fields: fields(&t), message: None, errors: vec![m] }.render()?)).into_response()),
        Err(e) => Err(e.into()),
    }
}
