//! The ledger under review before adoption: the parsed plan as editable tasks and targets,
//! the checks that must pass before it is adopted, and the diff against the adopted ledger
//! when a revised plan is parsed again.
//!
//! Items keep a key from the plan's outline (`三/(一)#1`: the first task under 三/(一)) so a
//! revision is matched to what was adopted, and its reports and history stay with it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::plan::units::split_units;
use crate::plan::{Comparator, Plan, Registry, Resolution};

fn yes() -> bool {
    true
}

/// A task as the office reviews it. Units are as written; they are resolved on adoption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerTask {
    pub key: String,
    pub seq: usize,
    pub path: String,
    pub title: String,
    pub text: String,
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    pub cooperating: Vec<String>,
    /// Other fields of the annotation (责任领导 …); 完成时限 is in `deadline`.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// 完成时限 as written or edited (`2020年底`, `2026-06-30`); empty when none.
    #[serde(default)]
    pub deadline: String,
    pub line: usize,
    /// Unticked in review: not adopted.
    #[serde(default = "yes")]
    pub include: bool,
}

impl LedgerTask {
    /// The top-level section (一 … 八) the task sits in.
    pub fn section(&self) -> &str {
        self.path.split('/').next().unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerTarget {
    pub key: String,
    pub path: String,
    pub text: String,
    pub year: Option<i32>,
    pub indicator: String,
    pub value: f64,
    pub unit: String,
    pub comparator: Comparator,
    #[serde(default)]
    pub per_year: bool,
    pub indicator_code: Option<String>,
    /// Key of the task the target sits in.
    pub task: Option<String>,
    pub line: usize,
    #[serde(default = "yes")]
    pub include: bool,
}

impl LedgerTarget {
    /// `不低于400家`, `2.5%左右`.
    pub fn goal(&self) -> String {
        let v = if self.value.fract() == 0.0 && self.value.abs() < 1e15 { format!("{}", self.value as i64) } else { self.value.to_string() };
        match self.comparator {
            Comparator::Eq => format!("{v}{}", self.unit),
            Comparator::Approx => format!("{v}{}左右", self.unit),
            c => format!("{}{v}{}", c.label(), self.unit),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    pub tasks: Vec<LedgerTask>,
    pub targets: Vec<LedgerTarget>,
}

/// `base#1`, `base#2` … in order of appearance.
fn numbered<'a>(bases: impl Iterator<Item = String> + 'a) -> impl Iterator<Item = String> + 'a {
    let mut seen: HashMap<String, usize> = HashMap::new();
    bases.map(move |b| {
        let n = seen.entry(b.clone()).or_insert(0);
        *n += 1;
        format!("{b}#{n}")
    })
}

/// The ledger of a parsed plan, every item included.
pub fn from_plan(plan: &Plan) -> Ledger {
    let keys: Vec<String> = numbered(plan.tasks.iter().map(|t| t.path.clone())).collect();
    let tasks: Vec<LedgerTask> = plan
        .tasks
        .iter()
        .zip(&keys)
        .map(|(t, key)| {
            let mut fields = t.fields.clone();
            let deadline = fields.remove("完成时限").unwrap_or_default();
            LedgerTask {
                key: key.clone(),
                seq: t.seq,
                path: t.path.clone(),
                title: t.title.clone(),
                text: t.text.clone(),
                lead: t.lead.clone(),
                responsible: t.responsible.clone(),
                cooperating: t.cooperating.clone(),
                fields,
                deadline,
                line: t.line,
                include: true,
            }
        })
        .collect();
    let task_key = |seq: usize| tasks.iter().find(|t| t.seq == seq).map(|t| t.key.clone());
    let target_keys: Vec<String> =
        numbered(plan.targets.iter().map(|t| format!("{}#{}#{}", t.path, t.indicator, t.year.map(|y| y.to_string()).unwrap_or_default()))).collect();
    let targets = plan
        .targets
        .iter()
        .zip(target_keys)
        .map(|(t, key)| LedgerTarget {
            key,
            path: t.path.clone(),
            text: t.text.clone(),
            year: t.year,
            indicator: t.indicator.clone(),
            value: t.value,
            unit: t.unit.clone(),
            comparator: t.comparator,
            per_year: t.per_year,
            indicator_code: t.indicator_code.clone(),
            task: t.task.and_then(task_key),
            line: t.line,
            include: true,
        })
        .collect();
    Ledger { tasks, targets }
}

/// Keeps the adopted deadlines of tasks the revised plan leaves without one (the office sets
/// most deadlines after adoption; a revision of the text should not wipe them).
pub fn carry_over(new: &mut Ledger, adopted: &Ledger) {
    for t in new.tasks.iter_mut().filter(|t| t.deadline.trim().is_empty()) {
        if let Some(old) = adopted.tasks.iter().find(|o| o.key == t.key) {
            t.deadline = old.deadline.clone();
        }
    }
}

/// Unit names typed in one box, split like the parser splits brackets
/// (`各县(市、区)政府` stays one unit).
pub fn units_from_text(s: &str) -> Vec<String> {
    split_units(&s.replace(['\r', '\n'], "、"))
}

pub fn units_text(units: &[String]) -> String {
    units.join("、")
}

fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).map(|d| d - chrono::Duration::days(1))
}

/// 完成时限 as a date: `2026-06-30`, `2026/6/30`, `2026年6月30日`, `2026年6月底` or `2026-06`
/// (the month's last day), `2026年上半年`, `2026年第三季度`, `2026年底` or `2026年` (31 December);
/// `前` / `以前` after and `到` / `于` before are ignored. `长期`, `持续推进` or empty: no date.
pub fn parse_deadline(s: &str) -> Result<Option<NaiveDate>, String> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let mut t = t.as_str();
    for p in ["截至", "截止", "到", "于", "在"] {
        t = t.strip_prefix(p).unwrap_or(t);
    }
    for p in ["之前", "以前", "前"] {
        t = t.strip_suffix(p).unwrap_or(t);
    }
    if t.is_empty() || ["长期", "长期坚持", "持续推进", "持续", "长期推进"].contains(&t) {
        return Ok(None);
    }
    let bad = || format!("无法识别的完成时限“{}”：请写成 2026-06-30、2026年6月底 或 2026年底", s.trim());
    let num = |x: &str| x.parse::<u32>().ok();
    // Digits and the separators between them.
    let parts: Vec<&str> = t.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).collect();
    let year = parts.first().and_then(|y| y.parse::<i32>().ok()).filter(|y| (1990..=2100).contains(y)).ok_or_else(bad)?;
    let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
    let date = match parts.len() {
        1 => {
            let tail = rest.trim_start_matches('年');
            match tail {
                "" | "底" | "末" | "年底" | "年末" | "下半年" | "第四季度" | "四季度" => NaiveDate::from_ymd_opt(year, 12, 31),
                "上半年" | "年中" => NaiveDate::from_ymd_opt(year, 6, 30),
                "第一季度" | "一季度" => NaiveDate::from_ymd_opt(year, 3, 31),
                "第二季度" | "二季度" => NaiveDate::from_ymd_opt(year, 6, 30),
                "第三季度" | "三季度" => NaiveDate::from_ymd_opt(year, 9, 30),
                _ => None,
            }
        }
        2 => {
            let m = num(parts[1]).filter(|m| (1..=12).contains(m)).ok_or_else(bad)?;
            let tail: String = rest.chars().filter(|c| !c.is_ascii_digit()).collect();
            let ok = ["-", "/", ".", "年月", "年月底", "年月末", "年月份", "年月份底"].contains(&tail.as_str());
            if ok { last_of_month(year, m) } else { None }
        }
        3 => {
            let (m, d) = (num(parts[1]).ok_or_else(bad)?, num(parts[2]).ok_or_else(bad)?);
            let tail: String = rest.chars().filter(|c| !c.is_ascii_digit()).collect();
            let ok = ["--", "//", "..", "年月日", "年月号", "年月"].contains(&tail.as_str());
            if ok { NaiveDate::from_ymd_opt(year, m, d) } else { None }
        }
        _ => None,
    };
    date.map(Some).ok_or_else(bad)
}

/// A problem that blocks adoption, located by item and field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `第3项任务（三/(一)）` or `第2项目标（一/(三)/2）`.
    pub item: String,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}：{}", self.item, self.field, self.message)
    }
}

/// Why a written unit name cannot be resolved (`None`: it can).
pub fn unknown_unit(registry: &Registry, name: &str) -> Option<String> {
    match registry.resolve(name).resolution {
        Resolution::Unknown { suggestions } if suggestions.is_empty() => Some(format!("“{name}”不在单位名录中，请改为名录中的名称或先在主数据中添加该单位")),
        Resolution::Unknown { suggestions } => Some(format!("“{name}”不在单位名录中，是否为：{}", suggestions.join("、"))),
        _ => None,
    }
}

/// What must be fixed before the ledger can be adopted: empty titles, tasks without a lead or
/// responsible unit, unit names not in the registry, unreadable deadlines, unreadable targets.
pub fn check(ledger: &Ledger, registry: &Registry) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, t) in ledger.tasks.iter().enumerate().filter(|(_, t)| t.include) {
        let item = format!("第{}项任务（{}）", i + 1, t.path);
        let mut p = |field: &str, message: String| out.push(Problem { item: item.clone(), field: field.into(), message });
        if t.title.trim().is_empty() {
            p("重点任务", "不能为空".into());
        }
        if t.lead.is_empty() && t.responsible.is_empty() {
            p("牵头单位", "牵头单位和责任单位不能都为空".into());
        }
        for (field, names) in [("牵头单位", &t.lead), ("责任单位", &t.responsible), ("配合单位", &t.cooperating)] {
            for n in names {
                if let Some(m) = unknown_unit(registry, n) {
                    p(field, m);
                }
            }
        }
        if let Err(e) = parse_deadline(&t.deadline) {
            p("完成时限", e);
        }
    }
    for (i, g) in ledger.targets.iter().enumerate().filter(|(_, g)| g.include) {
        let item = format!("第{}项目标（{}）", i + 1, g.path);
        let mut p = |field: &str, message: String| out.push(Problem { item: item.clone(), field: field.into(), message });
        if g.indicator.trim().is_empty() {
            p("指标", "不能为空".into());
        }
        if !g.value.is_finite() {
            p("目标值", "不是有效的数字".into());
        }
        if let Some(y) = g.year.filter(|y| !(1990..=2100).contains(y)) {
            p("年份", format!("{y} 不是有效的年份"));
        }
    }
    out
}

/// Added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "新增",
            ChangeKind::Removed => "删除",
            ChangeKind::Changed => "修改",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    pub key: String,
    /// The item as people know it: `三/(一) 发展壮大战略性新兴产业`.
    pub label: String,
    pub kind: ChangeKind,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LedgerDiff {
    pub tasks: Vec<ItemChange>,
    pub targets: Vec<ItemChange>,
}

impl LedgerDiff {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty() && self.targets.is_empty()
    }
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.tasks.iter().chain(&self.targets).filter(|c| c.kind == kind).count()
    }
}

fn fields_text(f: &BTreeMap<String, String>) -> String {
    f.iter().map(|(k, v)| format!("{k}：{v}")).collect::<Vec<_>>().join("；")
}

fn task_fields(t: &LedgerTask) -> Vec<(&'static str, String)> {
    vec![
        ("路径", t.path.clone()),
        ("重点任务", t.title.clone()),
        ("任务内容", t.text.clone()),
        ("牵头单位", units_text(&t.lead)),
        ("责任单位", units_text(&t.responsible)),
        ("配合单位", units_text(&t.cooperating)),
        ("完成时限", t.deadline.clone()),
        ("其他字段", fields_text(&t.fields)),
    ]
}

fn target_fields(g: &LedgerTarget) -> Vec<(&'static str, String)> {
    vec![
        ("表述", g.text.clone()),
        ("年份", g.year.map(|y| y.to_string()).unwrap_or_default()),
        ("指标", g.indicator.clone()),
        ("目标值", g.goal()),
        ("每年", if g.per_year { "是".into() } else { "否".into() }),
        ("所属任务", g.task.clone().unwrap_or_default()),
    ]
}

fn diff_items<T>(old: &[T], new: &[T], key: impl Fn(&T) -> &str, label: impl Fn(&T) -> String, fields: impl Fn(&T) -> Vec<(&'static str, String)>) -> Vec<ItemChange> {
    let mut out = Vec::new();
    for n in new {
        match old.iter().find(|o| key(o) == key(n)) {
            None => out.push(ItemChange {
                key: key(n).into(),
                label: label(n),
                kind: ChangeKind::Added,
                fields: fields(n).into_iter().filter(|(_, v)| !v.is_empty()).map(|(f, v)| FieldChange { field: f, old: String::new(), new: v }).collect(),
            }),
            Some(o) => {
                let changed: Vec<FieldChange> = fields(o)
                    .into_iter()
                    .zip(fields(n))
                    .filter(|((_, a), (_, b))| a != b)
                    .map(|((f, a), (_, b))| FieldChange { field: f, old: a, new: b })
                    .collect();
                if !changed.is_empty() {
                    out.push(ItemChange { key: key(n).into(), label: label(n), kind: ChangeKind::Changed, fields: changed });
                }
            }
        }
    }
    for o in old.iter().filter(|o| !new.iter().any(|n| key(n) == key(o))) {
        out.push(ItemChange { key: key(o).into(), label: label(o), kind: ChangeKind::Removed, fields: Vec::new() });
    }
    out
}

/// What adopting `new` would change in `adopted`: tasks and targets added, removed (by key) and
/// changed field by field. Items unticked in `new` count as removed.
pub fn diff(adopted: &Ledger, new: &Ledger) -> LedgerDiff {
    let tasks: Vec<LedgerTask> = new.tasks.iter().filter(|t| t.include).cloned().collect();
    let targets: Vec<LedgerTarget> = new.targets.iter().filter(|t| t.include).cloned().collect();
    LedgerDiff {
        tasks: diff_items(&adopted.tasks, &tasks, |t| &t.key, |t| format!("{} {}", t.path, t.title), task_fields),
        targets: diff_items(&adopted.targets, &targets, |g| &g.key, |g| format!("{} {}", g.path, g.indicator), target_fields),
    }
}

/// The year a deadline falls in, for grouping.
pub fn deadline_year(s: &str) -> Option<i32> {
    parse_deadline(s).ok().flatten().map(|d| d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn deadlines_as_people_write_them() {
        for (text, want) in [
            ("2026-06-30", d("2026-06-30")),
            ("2026/6/30", d("2026-06-30")),
            ("2026.6.30", d("2026-06-30")),
            ("2026年6月30日", d("2026-06-30")),
            ("2026年6月底前", d("2026-06-30")),
            ("2024年2月", d("2024-02-29")),
            ("2026-06", d("2026-06-30")),
            ("到2020年", d("2020-12-31")),
            ("2020年底", d("2020-12-31")),
            ("2020 年底前", d("2020-12-31")),
            ("2019年上半年", d("2019-06-30")),
            ("2019年第三季度", d("2019-09-30")),
            ("2019", d("2019-12-31")),
            ("长期坚持", None),
            ("", None),
        ] {
            assert_eq!(parse_deadline(text), Ok(want), "{text}");
        }
        for bad in ["明年", "2026年13月", "2026-02-30", "20260630", "2026年6月30号前后", "3026年"] {
            let e = parse_deadline(bad).unwrap_err();
            assert!(e.starts_with(&format!("无法识别的完成时限“{bad}”")), "{bad}: {e}");
        }
    }

    const PLAN: &str = "一、总体要求\n(一)工作目标。到2020年，开发区高新技术企业数量达400家以上。[牵头单位:市科技局;责任单位:各县(市、区)政府;完成时限:2020年底]\n二、重点任务\n(一)招商引资。开展精准招商。[牵头单位:市商务局]加快项目建设。[牵头单位:市发改委;责任单位:督查室]\n";

    #[test]
    fn the_ledger_keeps_keys_deadlines_and_links() {
        let l = from_plan(&crate::plan::parse(PLAN));
        assert_eq!(l.tasks.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(), ["一/(一)#1", "二/(一)#1", "二/(一)#2"]);
        assert_eq!(l.tasks[0].deadline, "2020年底");
        assert!(l.tasks[0].fields.is_empty());
        assert_eq!(l.tasks[0].section(), "一");
        assert_eq!(l.targets.len(), 1);
        assert_eq!(l.targets[0].task.as_deref(), Some("一/(一)#1"));
        assert_eq!(l.targets[0].goal(), "不低于400家");
        // Checks: the unknown unit, with nothing to suggest, blocks adoption.
        let problems = check(&l, &Registry::builtin());
        assert_eq!(problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(), ["第3项任务（二/(一)）责任单位：“督查室”不在单位名录中，是否为：市委督查室、市政府督查室"]);
        let mut fixed = l.clone();
        fixed.tasks[2].responsible = units_from_text("市政府督查室、各县(市、区)政府");
        assert_eq!(fixed.tasks[2].responsible, ["市政府督查室", "各县(市、区)政府"]);
        assert_eq!(units_from_text("市商务局\n市科技局、"), ["市商务局", "市科技局"], "a unit per line works too");
        fixed.tasks[1].deadline = "下个月".into();
        fixed.tasks[1].lead.clear();
        let problems: Vec<String> = check(&fixed, &Registry::builtin()).iter().map(|p| p.to_string()).collect();
        assert_eq!(problems, [
            "第2项任务（二/(一)）牵头单位：牵头单位和责任单位不能都为空",
            "第2项任务（二/(一)）完成时限：无法识别的完成时限“下个月”：请写成 2026-06-30、2026年6月底 或 2026年底",
        ]);
        fixed.tasks[1].include = false;
        assert!(check(&fixed, &Registry::builtin()).is_empty(), "unticked items are not checked");
    }

    #[test]
    fn a_revised_plan_shows_what_changes() {
        let adopted = from_plan(&crate::plan::parse(PLAN));
        let revised_text = PLAN
            .replace("400家", "450家")
            .replace("[牵头单位:市商务局]", "[牵头单位:市商务局、市科技局]")
            .replace("加快项目建设。[牵头单位:市发改委;责任单位:督查室]", "")
            + "(二)优化营商环境。推进审批改革。[牵头单位:市行政审批局]\n";
        let mut revised = from_plan(&crate::plan::parse(&revised_text));
        assert_eq!(diff(&adopted, &adopted.clone()), LedgerDiff::default());
        let mut adopted_with_deadline = adopted.clone();
        adopted_with_deadline.tasks[1].deadline = "2026-06-30".into();
        carry_over(&mut revised, &adopted_with_deadline);
        assert_eq!(revised.tasks[1].deadline, "2026-06-30", "kept: the revision gives none");
        let diff = diff(&adopted_with_deadline, &revised);
        let tasks: Vec<(ChangeKind, &str)> = diff.tasks.iter().map(|c| (c.kind, c.key.as_str())).collect();
        assert_eq!(tasks, [(ChangeKind::Changed, "一/(一)#1"), (ChangeKind::Changed, "二/(一)#1"), (ChangeKind::Added, "二/(二)#1"), (ChangeKind::Removed, "二/(一)#2")]);
        assert_eq!(diff.tasks[1].fields, [FieldChange { field: "牵头单位", old: "市商务局".into(), new: "市商务局、市科技局".into() }]);
        assert_eq!(diff.tasks[0].fields.iter().map(|f| f.field).collect::<Vec<_>>(), ["任务内容"]);
        assert_eq!(diff.targets.len(), 1, "the 400 target's key holds its year, so a new value is a change");
        let t = diff.targets.iter().find(|c| c.kind == ChangeKind::Changed).unwrap();
        assert!(t.fields.iter().any(|f| f.field == "目标值" && f.old == "不低于400家" && f.new == "不低于450家"), "{t:?}");
        assert_eq!(diff.count(ChangeKind::Added), 1);
        assert_eq!(diff.count(ChangeKind::Removed), 1);
        // An unticked task counts as removed.
        let mut unticked = adopted.clone();
        unticked.tasks[0].include = false;
        assert_eq!(super::diff(&adopted, &unticked).tasks[0].kind, ChangeKind::Removed);
    }
}
