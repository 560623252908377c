//! The scheme editor shared by the intensive-use and 亩均 evaluations: a scheme is TOML, saved as
//! a new version (the version edited is checked), with the older versions listed.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use nengji_core::landuse::intensive::IntensiveScheme;
use nengji_core::landuse::mujun::MujunScheme;
use nengji_store::landuse::{self, SchemeKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{actor, office};
use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::shell::Shell;
use crate::AppState;

/// What the editor needs to know of a kind of scheme.
pub trait Edited: Serialize + DeserializeOwned {
    const KIND: SchemeKind;
    const ACTION: &'static str;
    const TITLE: &'static str;
    const HELP: &'static str;
    /// The example shown (with its code) before any scheme of this kind is saved.
    fn example() -> (Self, &'static str);
    fn code(&self) -> &str;
    fn name(&self) -> &str;
    fn problems(&self) -> Vec<String>;
}

impl Edited for IntensiveScheme {
    const KIND: SchemeKind = SchemeKind::Intensive;
    const ACTION: &'static str = "/land-use/schemes";
    const TITLE: &'static str = "土地集约利用评价方案";
    const HELP: &'static str = "TOML 格式：current_years（评价有效年限）、type_rule（类型判定）、industrial / integrated（各类型的指标、理想值 ideal、权重 weight、方向 direction，越低越好的指标需给出最差值 worst）。各类型权重之和须为 1。保存为新版本，旧版本与用过它的评价结果保留。";
    fn example() -> (Self, &'static str) {
        (nengji_core::landuse::examples::intensive_default(), "intensive")
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn problems(&self) -> Vec<String> {
        IntensiveScheme::problems(self)
    }
}

impl Edited for MujunScheme {
    const KIND: SchemeKind = SchemeKind::Mujun;
    const ACTION: &'static str = "/mujun/schemes";
    const TITLE: &'static str = "亩均效益评价方案";
    const HELP: &'static str = "TOML 格式：segments（规上/规下分组、指标 metric、权重 weight（合计 100）、基准 benchmark：rule = \"constant\" 的 value，或 rule = \"prior_average\" 的倍数 k；缺失数据 missing = zero / segment_average）、bands（档次与累计比例 upto）、adjustments（加减分项）、consequences（各档价格政策，amounts 为连续第 1、2、3… 年的加价）、rank_scope（all 全市 / zone 按开发区）、publicity_days（公示天数）。保存为新版本，旧版本保留。";
    fn example() -> (Self, &'static str) {
        (nengji_core::landuse::examples::huaian(), "huaian")
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn problems(&self) -> Vec<String> {
        MujunScheme::problems(self)
    }
}

#[derive(Template)]
#[template(path = "landuse_schemes.html")]
struct SchemesPage {
    shell: Shell,
    action: &'static str,
    title: &'static str,
    help: &'static str,
    text: String,
    code: String,
    expected: i64,
    choices: Vec<(i64, String)>,
    versions: Vec<(String, i64, String, String)>,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SchemeQuery {
    id: Option<i64>,
}

#[derive(Deserialize)]
pub struct SchemeForm {
    text: String,
    code: String,
    expected: i64,
}

async fn schemes_page<S: Edited>(st: &AppState, s: &Session, id: Option<i64>, edit: Option<(String, String, i64)>, message: Option<String>, error: Option<String>) -> Result<SchemesPage, AppError> {
    let all = landuse::schemes::<S>(&st.db, S::KIND).await?;
    let chosen = id.and_then(|id| all.iter().find(|x| x.id == id)).or(all.first());
    let (text, code, expected) = match (edit, chosen) {
        (Some(e), _) => e,
        (None, Some(c)) => (toml::to_string_pretty(&c.scheme).unwrap_or_default(), c.code.clone(), c.version),
        (None, None) => {
            let (example, code) = S::example();
            (toml::to_string_pretty(&example).unwrap_or_default(), code.into(), 0)
        }
    };
    Ok(SchemesPage {
        shell: Shell::new(s, "mujun"),
        action: S::ACTION,
        title: S::TITLE,
        help: S::HELP,
        text,
        code,
        expected,
        choices: all.iter().map(|x| (x.id, format!("{}（第{}版）", x.name, x.version))).collect(),
        versions: all.iter().map(|x| (x.name.clone(), x.version, x.created_by.clone(), crate::pages::beijing(x.created_at))).collect(),
        message,
        error,
    })
}

pub async fn page<S: Edited>(State(st): State<AppState>, PageUser(s): PageUser, Query(q): Query<SchemeQuery>) -> Result<Html<String>, AppError> {
    office(&s)?;
    Ok(Html(schemes_page::<S>(&st, &s, q.id, None, None, None).await?.render()?))
}

pub async fn save<S: Edited>(State(st): State<AppState>, PageUser(s): PageUser, Form(f): Form<SchemeForm>) -> Result<Response, AppError> {
    office(&s)?;
    let parsed: Result<S, String> = toml::from_str(&f.text).map_err(|e| format!("方案格式有误：{e}"));
    let result = match parsed {
        Err(e) => Err(e),
        Ok(x) if !x.problems().is_empty() => Err(x.problems().join("；")),
        Ok(x) => {
            let expected = if x.code() == f.code { f.expected } else { 0 };
            landuse::save_scheme(&st.db, &actor(&s), S::KIND, x.code(), x.name(), &x, expected).await.map(|id| (id, x.name().to_string())).map_err(|e| e.to_string())
        }
    };
    match result {
        Ok((id, name)) => Ok(Html(schemes_page::<S>(&st, &s, Some(id), None, Some(format!("已保存“{name}”的新版本")), None).await?.render()?).into_response()),
        Err(e) => {
            let status = if e.contains("方案已被修改") { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            let p = schemes_page::<S>(&st, &s, None, Some((f.text, f.code, f.expected)), None, Some(e)).await?;
            Ok((status, Html(p.render()?)).into_response())
        }
    }
}
