//! The office edits validation rules: switch rules on and off, add range and expression rules.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use nengji_core::validate::{check_rules, Importance, Rule, RuleKind};
use nengji_store::{masterdata, rules, Actor};
use serde::Deserialize;

use crate::auth::{AdminUser, Session};
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

pub struct RuleRow {
    pub code: String,
    pub kind: String,
    pub detail: String,
    pub importance: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    shell: Shell,
    rules: Vec<RuleRow>,
    indicators: Vec<(String, String)>,
    message: Option<String>,
    error: Option<String>,
}

fn describe(k: &RuleKind) -> (&'static str, String) {
    match k {
        RuleKind::Required { indicator } => ("必填", indicator.clone()),
        RuleKind::NonNegative { indicator } => ("非负", indicator.clone()),
        RuleKind::Range { indicator, min, max } => ("取值范围", format!("{indicator}：{} ～ {}", min.map(|v| v.to_string()).unwrap_or("—".into()), max.map(|v| v.to_string()).unwrap_or("—".into()))),
        RuleKind::LearnedRange { indicator, k, last_n, .. } => ("历史范围", format!("{indicator}：近{last_n}期，{k}倍离散度")),
        RuleKind::Expression { expr } => ("关系式", expr.clone()),
        RuleKind::CumulativeNonDecreasing { indicator } => ("累计不减", indicator.clone()),
        RuleKind::Plausibility { indicator, basis, max_abs_change_pct } => {
            ("变动幅度", format!("{indicator}：{}变动超过±{max_abs_change_pct}%须说明", if matches!(basis, nengji_core::validate::Basis::Yoy) { "同比" } else { "环比" }))
        }
    }
}

async fn page(st: &AppState, s: &Session, message: Option<String>, error: Option<String>) -> Result<RulesPage, AppError> {
    let rows = rules::list(&st.db)
        .await?
        .into_iter()
        .map(|r| {
            let (kind, detail) = describe(&r.rule.kind);
            RuleRow { code: r.rule.code, kind: kind.into(), detail, importance: r.rule.importance.label().into(), active: r.active }
        })
        .collect();
    let indicators = masterdata::list_indicators(&st.db).await?.into_iter().map(|i| (i.indicator.code, i.indicator.name)).collect();
    Ok(RulesPage { shell: Shell::new(s, "rules"), rules: rows, indicators, message, error })
}

pub async fn list(State(st): State<AppState>, AdminUser(s): AdminUser) -> Result<Html<String>, AppError> {
    Ok(Html(page(&st, &s, None, None).await?.render()?))
}

#[derive(Deserialize)]
pub struct NewRule {
    code: String,
    kind: String,
    importance: String,
    indicator: Option<String>,
    min: Option<String>,
    max: Option<String>,
    expr: Option<String>,
    message: Option<String>,
}

/// Adds (or replaces) a range or expression rule after checking it against the catalogue.
pub async fn add(State(st): State<AppState>, AdminUser(s): AdminUser, Form(f): Form<NewRule>) -> Result<Response, AppError> {
    let num = |v: &Option<String>| -> Result<Option<f64>, AppError> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(t) => nengji_core::entry::parse_number(t).map(Some).ok_or_else(|| AppError::BadRequest(format!("“{t}”不是数字"))),
            None => Ok(None),
        }
    };
    let indicator = f.indicator.clone().unwrap_or_default();
    let kind = match f.kind.as_str() {
        "range" => RuleKind::Range { indicator, min: num(&f.min)?, max: num(&f.max)? },
        "expression" => RuleKind::Expression { expr: f.expr.clone().unwrap_or_default() },
        other => return Err(AppError::BadRequest(format!("不支持的规则类型“{other}”"))),
    };
    let rule = Rule {
        code: f.code.trim().to_string(),
        kind,
        importance: if f.importance == "warning" { Importance::Warning } else { Importance::Error },
        message: f.message.clone().map(|m| m.trim().to_string()).filter(|m| !m.is_empty()),
    };
    let catalogue: Vec<_> = masterdata::list_indicators(&st.db).await?.into_iter().map(|i| i.indicator).collect();
    let mut problems = check_rules(std::slice::from_ref(&rule), &catalogue);
    if rule.code.is_empty() || !rule.code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        problems.insert(0, "规则代码只能包含字母、数字和下划线，且不能为空".into());
    }
    if !problems.is_empty() {
        let p = page(&st, &s, None, Some(problems.join("；"))).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(p.render()?)).into_response());
    }
    rules::upsert(&st.db, &Actor::user(s.who.user_id, &s.who.username), &[rule]).await?;
    Ok(Html(page(&st, &s, Some(format!("已保存规则“{}”", f.code.trim())), None).await?.render()?).into_response())
}

#[derive(Deserialize)]
pub struct Toggle {
    active: String,
}

pub async fn toggle(State(st): State<AppState>, AdminUser(s): AdminUser, Path(code): Path<String>, Form(f): Form<Toggle>) -> Result<Html<String>, AppError> {
    rules::set_active(&st.db, &Actor::user(s.who.user_id, &s.who.username), &code, f.active == "1").await?;
    Ok(Html(page(&st, &s, Some(format!("已{}规则“{code}”", if f.active == "1" { "启用" } else { "停用" })), None).await?.render()?))
}
