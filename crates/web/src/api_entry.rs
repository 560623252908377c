//! `POST /api/v1/values/batch`: the API twin of the file upload — a dry run or an
//! all-or-nothing write of many values, with every problem located by item index.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nengji_core::masterdata::Table;
use nengji_store::collection;
use nengji_store::{seed, value_imports, Actor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::ApiUser;
use crate::collect::{entry_error, parse_upload, today};
use crate::error::ApiError;
use crate::AppState;

/// 一个待写入的数值
#[derive(Deserialize, ToSchema)]
pub struct BatchValue {
    zone: String,
    indicator: String,
    /// YYYY-MM
    period: String,
    /// 本期数值（流量指标为1–N月累计）
    value: f64,
    /// 上年同期可比数
    prior_comparable: Option<f64>,
    /// 备注/情况说明
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize, ToSchema)]
pub struct BatchRequest {
    /// true：只检查，不写入
    #[serde(default)]
    dry_run: bool,
    values: Vec<BatchValue>,
}

/// 一处问题：`index` 为 values 数组中的下标（从0开始）
#[derive(Serialize, ToSchema)]
pub struct BatchProblem {
    index: Option<usize>,
    field: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResponse {
    ok: bool,
    dry_run: bool,
    /// 写入（或将写入）的数值个数
    count: usize,
    problems: Vec<BatchProblem>,
}

/// 批量填报（先检查，全部通过才写入；写入为草稿）。开发区填报员只能写本开发区。
#[utoipa::path(post, path = "/api/v1/values/batch", tag = "指标数据", request_body = BatchRequest,
    responses((status = 200, body = BatchResponse), (status = 422, body = BatchResponse, description = "有问题，未写入"), (status = 401, description = "未认证")))]
pub async fn batch(State(st): State<AppState>, ApiUser(who): ApiUser, Json(req): Json<BatchRequest>) -> Result<Response, ApiError> {
    let ds = collection::dataset(&st.db, seed::MONTHLY).await?;
    // The same checks as a spreadsheet: one row per item.
    let table = Table {
        sheet: "values".into(),
        header: ["开发区代码", "指标代码", "期间", "本期数值", "上年同期可比数", "备注"].map(String::from).to_vec(),
        rows: req
            .values
            .iter()
            .map(|v| {
                vec![
                    v.zone.clone(),
                    v.indicator.clone(),
                    v.period.clone(),
                    v.value.to_string(),
                    v.prior_comparable.map(|p| p.to_string()).unwrap_or_default(),
                    v.comment.clone(),
                ]
            })
            .collect(),
    };
    let refuse = |problems: Vec<BatchProblem>| {
        (StatusCode::UNPROCESSABLE_ENTITY, Json(BatchResponse { ok: false, dry_run: req.dry_run, count: 0, problems })).into_response()
    };
    let parsed = match parse_upload(&st.db, &who, &ds, &table).await? {
        Ok(p) => p,
        Err(errs) => {
            return Ok(refuse(
                errs.into_iter().map(|e| BatchProblem { index: (e.row >= 2).then(|| e.row - 2), field: e.field, message: e.message }).collect(),
            ));
        }
    };
    let check = crate::checks::check_upload(&st.db, &ds, &parsed).await?;
    if !check.errors.is_empty() {
        return Ok(refuse(check.errors.into_iter().map(|(location, message)| BatchProblem { index: None, field: location, message }).collect()));
    }
    let values: Vec<_> = parsed.into_iter().map(|l| l.input).collect();
    let count = values.len();
    if !req.dry_run {
        let actor = Actor::user(who.user_id, &who.username);
        if let Err(e) = collection::apply(&st.db, &actor, &ds, &value_imports::batches(&values), "api", today()).await {
            let message = entry_error(e).map_err(ApiError::from)?;
            return Ok(refuse(vec![BatchProblem { index: None, field: String::new(), message }]));
        }
    }
    Ok(Json(BatchResponse { ok: true, dry_run: req.dry_run, count, problems: Vec::new() }).into_response())
}

