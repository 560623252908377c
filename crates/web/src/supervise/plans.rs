//! Review before adoption: upload or paste a plan, see the parsed ledger beside the source text,
//! edit every field, adopt; a revision of an adopted plan shows what adopting it would change.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use nengji_core::plan::Comparator;
use nengji_core::supervision::ledger::{self, units_from_text, units_text, Ledger};
use nengji_store::supervision as sv;
use nengji_store::StoreError;

use super::{actor, now, require_office};
use crate::auth::{PageUser, Session};
use crate::error::AppError;
use crate::pages::beijing;
use crate::shell::Shell;
use crate::AppState;

pub struct PlanRow {
    pub id: i64,
    pub name: String,
    pub revision: i64,
    pub adopted: String,
    pub tasks: i64,
    pub targets: i64,
}

pub struct DraftRow {
    pub id: i64,
    pub name: String,
    pub status: &'static str,
    pub revises: String,
    pub tasks: usize,
    pub targets: usize,
    pub created: String,
}

#[derive(Template)]
#[template(path = "tasks_plans.html")]
struct ListPage {
    shell: Shell,
    plans: Vec<PlanRow>,
    drafts: Vec<DraftRow>,
    error: Option<String>,
}

async fn list_page(st: &AppState, s: &Session, error: Option<String>) -> Result<ListPage, AppError> {
    let plans = sv::plans(&st.db).await?;
    let names: HashMap<i64, String> = plans.iter().map(|p| (p.id, p.name.clone())).collect();
    Ok(ListPage {
        shell: Shell::new(s, "tasks"),
        drafts: sv::drafts(&st.db)
            .await?
            .into_iter()
            .map(|d| DraftRow {
                id: d.id,
                name: d.name,
                status: d.status_label,
                revises: d.plan_id.and_then(|p| names.get(&p).cloned()).unwrap_or_default(),
                tasks: d.tasks,
                targets: d.targets,
                created: format!("{} {}", d.created_by, beijing(d.created_at)),
            })
            .collect(),
        plans: plans
            .into_iter()
            .map(|p| PlanRow { id: p.id, name: p.name, revision: p.revision, adopted: format!("{} {}", p.adopted_by, beijing(p.adopted_at)), tasks: p.tasks, targets: p.targets })
            .collect(),
        error,
    })
}

pub async fn list(State(st): State<AppState>, PageUser(s): PageUser) -> Result<Html<String>, AppError> {
    require_office(&s)?;
    Ok(Html(list_page(&st, &s, None).await?.render()?))
}

/// A plan to parse (multipart: `name`, `revises`, and a `file` (.docx/.txt) or pasted `text`).
pub async fn upload(State(st): State<AppState>, PageUser(s): PageUser, mut mp: Multipart) -> Result<Response, AppError> {
    require_office(&s)?;
    let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(format!("上传内容无法读取：{e}"));
    let (mut name, mut revises, mut text, mut file) = (String::new(), None, String::new(), None);
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "name" => name = field.text().await.map_err(bad)?.trim().to_string(),
            "revises" => revises = field.text().await.map_err(bad)?.trim().parse::<i64>().ok(),
            "text" => text = field.text().await.map_err(bad)?,
            "file" => {
                let n = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !n.is_empty() && !bytes.is_empty() {
                    file = Some((n, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    let refuse = |m: String| {
        let (st, s) = (st.clone(), s.clone());
        async move { Ok::<_, AppError>((StatusCode::UNPROCESSABLE_ENTITY, Html(list_page(&st, &s, Some(m)).await?.render()?)).into_response()) }
    };
    if let Some((n, bytes)) = &file {
        match nengji_office::docx_text::read_plan_text(n, bytes) {
            Ok(t) => text = t,
            Err(e) => return refuse(e.to_string()).await,
        }
        if name.is_empty() {
            name = n.rsplit_once('.').map(|(a, _)| a.to_string()).unwrap_or_else(|| n.clone());
        }
    }
    match sv::create_draft(&st.db, &actor(&s), &name, &text, revises, now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/tasks/plans/{id}")).into_response()),
        Err(StoreError::Invalid(m)) => refuse(m).await,
        Err(e) => Err(e.into()),
    }
}

pub struct TaskEdit {
    pub i: usize,
    pub line: usize,
    pub include: bool,
    pub path: String,
    pub title: String,
    pub text: String,
    pub lead: String,
    pub responsible: String,
    pub cooperating: String,
    pub deadline: String,
    pub fields: String,
    pub targets: Vec<String>,
}

pub struct TargetEdit {
    pub i: usize,
    pub line: usize,
    pub include: bool,
    pub path: String,
    pub text: String,
    pub year: String,
    pub indicator: String,
    pub value: String,
    pub unit: String,
    pub comparator: &'static str,
    pub per_year: bool,
    pub task: String,
}

pub struct ChangeView {
    pub kind: &'static str,
    pub label: String,
    pub fields: Vec<(&'static str, String, String)>,
}

#[derive(Template)]
#[template(path = "tasks_review.html")]
struct ReviewPage {
    shell: Shell,
    id: i64,
    name: String,
    status: &'static str,
    editable: bool,
    version: i64,
    lines: Vec<(usize, String)>,
    tasks: Vec<TaskEdit>,
    targets: Vec<TargetEdit>,
    comparators: Vec<(&'static str, &'static str)>,
    problems: Vec<String>,
    warnings: Vec<String>,
    revises: Option<String>,
    diff: Vec<ChangeView>,
    diff_summary: String,
    message: Option<String>,
    error: Option<String>,
}

const COMPARATORS: [Comparator; 6] = [Comparator::Ge, Comparator::Gt, Comparator::Le, Comparator::Lt, Comparator::Eq, Comparator::Approx];

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { v.to_string() }
}

async fn review_page(st: &AppState, s: &Session, d: &sv::Draft, l: &Ledger, message: Option<String>, error: Option<String>) -> Result<ReviewPage, AppError> {
    let reg = sv::registry(&st.db).await?;
    let problems = ledger::check(l, &reg).iter().map(|p| p.to_string()).collect();
    let (revises, diff, diff_summary) = match d.plan_id {
        Some(pid) => {
            let name = sv::plans(&st.db).await?.into_iter().find(|p| p.id == pid).map(|p| format!("{}（第{}版）", p.name, p.revision));
            let diff = ledger::diff(&sv::adopted_ledger(&st.db, pid).await?, l);
            let summary = format!(
                "采用后：新增 {} 项，修改 {} 项，删除 {} 项（任务与目标合计）",
                diff.count(ledger::ChangeKind::Added),
                diff.count(ledger::ChangeKind::Changed),
                diff.count(ledger::ChangeKind::Removed)
            );
            let views = diff
                .tasks
                .iter()
                .map(|c| (c, "任务"))
                .chain(diff.targets.iter().map(|c| (c, "目标")))
                .map(|(c, what)| ChangeView {
                    kind: c.kind.label(),
                    label: format!("{what} {}", c.label),
                    fields: c.fields.iter().map(|f| (f.field, f.old.clone(), f.new.clone())).collect(),
                })
                .collect();
            (name, views, summary)
        }
        None => (None, Vec::new(), String::new()),
    };
    Ok(ReviewPage {
        shell: Shell::new(s, "tasks"),
        id: d.id,
        name: d.name.clone(),
        status: d.status_label(),
        editable: d.status == "draft",
        version: d.version,
        lines: d.source.lines().enumerate().map(|(i, l)| (i + 1, l.to_string())).collect(),
        tasks: l
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| TaskEdit {
                i,
                line: t.line,
                include: t.include,
                path: t.path.clone(),
                title: t.title.clone(),
                text: t.text.clone(),
                lead: units_text(&t.lead),
                responsible: units_text(&t.responsible),
                cooperating: units_text(&t.cooperating),
                deadline: t.deadline.clone(),
                fields: t.fields.iter().map(|(k, v)| format!("{k}：{v}")).collect::<Vec<_>>().join("\n"),
                targets: l.targets.iter().filter(|g| g.task.as_deref() == Some(t.key.as_str())).map(|g| format!("{}{}", g.indicator, g.goal())).collect(),
            })
            .collect(),
        targets: l
            .targets
            .iter()
            .enumerate()
            .map(|(i, g)| TargetEdit {
                i,
                line: g.line,
                include: g.include,
                path: g.path.clone(),
                text: g.text.clone(),
                year: g.year.map(|y| y.to_string()).unwrap_or_default(),
                indicator: g.indicator.clone(),
                value: number(g.value),
                unit: g.unit.clone(),
                comparator: g.comparator.symbol(),
                per_year: g.per_year,
                task: g.task.clone().unwrap_or_default(),
            })
            .collect(),
        comparators: COMPARATORS.iter().map(|c| (c.symbol(), c.label())).collect(),
        problems,
        warnings: d.warnings.clone(),
        revises,
        diff,
        diff_summary,
        message,
        error,
    })
}

pub async fn review(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    require_office(&s)?;
    let d = sv::draft(&st.db, id).await?;
    Ok(Html(review_page(&st, &s, &d, &d.ledger, None, None).await?.render()?))
}

/// The edited ledger from the form, or the fields that could not be read.
fn edited(d: &sv::Draft, f: &HashMap<String, String>) -> (Ledger, Vec<String>) {
    let get = |k: String| f.get(&k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut l = d.ledger.clone();
    let mut errors = Vec::new();
    for (i, t) in l.tasks.iter_mut().enumerate() {
        t.include = f.contains_key(&format!("t{i}_include"));
        t.path = get(format!("t{i}_path"));
        t.title = get(format!("t{i}_title"));
        t.text = get(format!("t{i}_text"));
        t.lead = units_from_text(&get(format!("t{i}_lead")));
        t.responsible = units_from_text(&get(format!("t{i}_responsible")));
        t.cooperating = units_from_text(&get(format!("t{i}_cooperating")));
        t.deadline = get(format!("t{i}_deadline"));
        let mut fields = BTreeMap::new();
        for line in get(format!("t{i}_fields")).lines().map(str::trim).filter(|l| !l.is_empty()) {
            match line.split_once(['：', ':']) {
                Some((k, v)) if !k.trim().is_empty() => {
                    fields.insert(k.trim().to_string(), v.trim().to_string());
                }
                _ => errors.push(format!("第{}项任务其他字段：“{line}”应写成“字段：内容”", i + 1)),
            }
        }
        t.fields = fields;
    }
    for (i, g) in l.targets.iter_mut().enumerate() {
        g.include = f.contains_key(&format!("g{i}_include"));
        g.text = get(format!("g{i}_text"));
        g.indicator = get(format!("g{i}_indicator"));
        g.unit = get(format!("g{i}_unit"));
        g.per_year = f.contains_key(&format!("g{i}_per_year"));
        let year = get(format!("g{i}_year"));
        match year.parse::<i32>() {
            _ if year.is_empty() => g.year = None,
            Ok(y) => g.year = Some(y),
            Err(_) => errors.push(format!("第{}项目标年份：“{year}”不是年份", i + 1)),
        }
        let value = get(format!("g{i}_value"));
        match nengji_core::entry::parse_number(&value) {
            Some(v) => g.value = v,
            None => errors.push(format!("第{}项目标目标值：“{value}”不是数字", i + 1)),
        }
        let c = get(format!("g{i}_comparator"));
        match COMPARATORS.iter().find(|x| x.symbol() == c) {
            Some(x) => g.comparator = *x,
            None => errors.push(format!("第{}项目标比较方式：“{c}”无效", i + 1)),
        }
    }
    (l, errors)
}

/// Saves the edits (`action=save`), or saves and adopts (`action=adopt`).
pub async fn save(State(st): State<AppState>, PageUser(s): PageUser, Path(id): Path<i64>, Form(f): Form<HashMap<String, String>>) -> Result<Response, AppError> {
    require_office(&s)?;
    let d = sv::draft(&st.db, id).await?;
    let version: i64 = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let (l, errors) = edited(&d, &f);
    let unprocessable = |page: ReviewPage| Ok::<_, AppError>((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    if !errors.is_empty() {
        let page = review_page(&st, &s, &d, &l, None, Some(format!("有 {} 处填写错误，未保存：{}", errors.len(), errors.join("；")))).await?;
        return unprocessable(page);
    }
    let v = match sv::save_draft(&st.db, &actor(&s), id, version, &l, now()).await {
        Ok(v) => v,
        Err(StoreError::Invalid(m)) => return unprocessable(review_page(&st, &s, &d, &l, None, Some(m)).await?),
        Err(e) => return Err(e.into()),
    };
    if f.get("action").map(String::as_str) != Some("adopt") {
        let d = sv::draft(&st.db, id).await?;
        return Ok(Html(review_page(&st, &s, &d, &d.ledger, Some("修改已保存".into()), None).await?.render()?).into_response());
    }
    match sv::adopt(&st.db, &actor(&s), id, v, now()).await {
        Ok(a) => {
            let d = sv::draft(&st.db, id).await?;
            let msg = format!("已采用：新增任务 {} 项，修改 {} 项，撤销 {} 项；量化目标 {} 项。到“督办”查看任务。", a.added, a.changed, a.withdrawn, a.targets);
            Ok(Html(review_page(&st, &s, &d, &d.ledger, Some(msg), None).await?.render()?).into_response())
        }
        Err(StoreError::Invalid(m)) => {
            let d = sv::draft(&st.db, id).await?;
            unprocessable(review_page(&st, &s, &d, &d.ledger, Some("修改已保存".into()), Some(m)).await?)
        }
        Err(e) => Err(e.into()),
    }
}
