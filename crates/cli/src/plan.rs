//! `nengji plan parse FILE [--json]`: the ledger read from a plan (.txt or .docx) — outline,
//! tasks with their units, quantitative targets — printed for checking before the office adopts
//! it. Nothing is written to the database.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;
use nengji_core::plan::{self, Comparator, NodeKind, Plan, Registry, Target};

#[derive(Subcommand)]
pub enum PlanCommand {
    /// Parse a plan (.txt in UTF-8 or GB18030, or .docx) and print its outline, tasks
    /// (牵头/责任/配合单位) and targets.
    Parse {
        /// The plan file.
        file: PathBuf,
        /// Print JSON: {"outline":[…],"tasks":[…],"targets":[…],"warnings":[…]}.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: PlanCommand) -> Result<()> {
    match command {
        PlanCommand::Parse { file, json } => {
            let plan = load(&file)?;
            if json {
                println!("{}", to_json(&plan)?);
            } else {
                let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                print!("{}", report(&name, &plan, &Registry::builtin()));
            }
            Ok(())
        }
    }
}

fn load(file: &Path) -> Result<Plan> {
    let bytes = std::fs::read(file).with_context(|| format!("无法读取文件 {}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let text = nengji_office::docx_text::read_plan_text(&name, &bytes)?;
    Ok(plan::parse(&text))
}

/// The plan as JSON; units exactly as written after splitting.
fn to_json(plan: &Plan) -> Result<String> {
    Ok(serde_json::to_string_pretty(plan)?)
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// `不低于400家`, `2.5%左右`, `21个`.
fn goal(t: &Target) -> String {
    let v = format!("{}{}", number(t.value), t.unit);
    match t.comparator {
        Comparator::Eq => v,
        Comparator::Approx => format!("{v}左右"),
        c => format!("{}{v}", c.label()),
    }
}

fn year(t: &Target) -> String {
    match (t.year, t.year_inferred) {
        (Some(y), false) => format!("{y}年"),
        (Some(y), true) => format!("{y}年（按上下文推断）"),
        (None, _) => "年份未写明".into(),
    }
}

/// The ledger in Chinese, for reading in a terminal.
fn report(name: &str, plan: &Plan, registry: &Registry) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "《{name}》解析结果：大纲 {} 项，任务 {} 项，量化目标 {} 项，提示 {} 条",
        plan.outline.len(),
        plan.tasks.len(),
        plan.targets.len(),
        plan.warnings.len()
    );
    let _ = writeln!(s, "\n一、大纲");
    for n in &plan.outline {
        // `()` with its numeral lost is shown with the numeral inferred, and said so.
        let lost = n.kind.is_numbered() && n.marker.chars().all(|c| "()（）、.． ".contains(c));
        let (marker, note) = match n.kind {
            NodeKind::Subheading => ("· ".to_string(), ""),
            _ if lost => (n.label.clone(), "（原文缺序号，按上下文补）"),
            _ => (n.marker.clone(), ""),
        };
        let _ = writeln!(s, "{}{}{}{}", "  ".repeat(n.depth + 1), marker, n.title, note);
    }
    let _ = writeln!(s, "\n二、任务分解");
    for t in &plan.tasks {
        let path = if t.path.is_empty() { "正文前".to_string() } else { t.path.clone() };
        let _ = writeln!(s, "  {}. [{}] {}（第{}行）", t.seq, path, t.title, t.line);
        for (label, units) in [("牵头单位", &t.lead), ("责任单位", &t.responsible), ("配合单位", &t.cooperating)] {
            if !units.is_empty() {
                let _ = writeln!(s, "     {label}：{}", units.join("、"));
            }
        }
        for (k, v) in &t.fields {
            let _ = writeln!(s, "     {k}：{v}");
        }
    }
    let _ = writeln!(s, "\n三、量化目标");
    for (i, t) in plan.targets.iter().enumerate() {
        let per_year = if t.per_year { "每年" } else { "" };
        let task = t.task.map(|q| format!("，任务{q}")).unwrap_or_default();
        let code = t.indicator_code.as_deref().map(|c| format!("，指标 {c}")).unwrap_or_default();
        let _ = writeln!(s, "  {}. [{}] {} {}{}：{}（第{}行{task}{code}）", i + 1, t.path, year(t), per_year, t.indicator, goal(t), t.line);
        let _ = writeln!(s, "     原文：{}", t.text);
    }
    if !plan.warnings.is_empty() {
        let _ = writeln!(s, "\n四、需要核对");
        for w in &plan.warnings {
            let _ = writeln!(s, "  {w}");
        }
    }
    // The written names against the built-in registry: what adoption will not find.
    let mut unknown: Vec<String> = Vec::new();
    let mut names = 0;
    for t in &plan.tasks {
        for u in t.lead.iter().chain(&t.responsible).chain(&t.cooperating) {
            names += 1;
            let (_, missing) = registry.expand(std::slice::from_ref(u));
            for m in missing {
                if !unknown.contains(&m) {
                    unknown.push(m);
                }
            }
        }
    }
    if unknown.is_empty() {
        let _ = writeln!(s, "\n单位核对：{names} 处单位名称均在单位名录中。");
    } else {
        let _ = writeln!(s, "\n单位核对：以下名称不在单位名录中，采纳前请在单位名录中添加或改写：{}", unknown.join("、"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "三、优化产业布局\n(一)发展壮大战略性新兴产业。到2020年,开发区高新技术企业数量达400家以上。[牵头单位:市商务局、市科技局,霸州市政府;责任单位:市发改委,各县(市、区)党委、政府;完成时限:2020年底]\n(二)改造提升传统产业。(市工信局牵头,市气象局配合)\n";

    #[test]
    fn json_has_the_agreed_shape() {
        let v: serde_json::Value = serde_json::from_str(&to_json(&plan::parse(DOC)).unwrap()).unwrap();
        assert_eq!(v["outline"][1]["path"], "三/(一)");
        assert_eq!(v["outline"][1]["title"], "发展壮大战略性新兴产业");
        let t = &v["tasks"][0];
        assert_eq!(t["path"], "三/(一)");
        assert_eq!(t["title"], "发展壮大战略性新兴产业");
        assert_eq!(t["lead"], serde_json::json!(["市商务局", "市科技局", "霸州市政府"]));
        assert_eq!(t["responsible"], serde_json::json!(["市发改委", "各县(市、区)党委", "各县(市、区)政府"]));
        assert_eq!(t["cooperating"], serde_json::json!([]));
        assert_eq!(t["fields"], serde_json::json!({"完成时限": "2020年底"}));
        let g = &v["targets"][0];
        assert_eq!(g["text"], "开发区高新技术企业数量达400家以上");
        assert_eq!(g["year"], 2020);
        assert_eq!(g["indicator"], "开发区高新技术企业数量");
        assert!(g["value"].is_i64(), "400, not 400.0");
        assert_eq!(g["value"], 400);
        assert_eq!(g["unit"], "家");
        assert_eq!(g["comparator"], ">=");
    }

    #[test]
    fn report_in_chinese_with_unknown_units() {
        let r = report("方案.txt", &plan::parse(DOC), &Registry::builtin());
        assert!(r.starts_with("《方案.txt》解析结果：大纲 3 项，任务 2 项，量化目标 1 项，提示 0 条"), "{r}");
        assert!(r.contains("  1. [三/(一)] 发展壮大战略性新兴产业（第2行）\n     牵头单位：市商务局、市科技局、霸州市政府\n"), "{r}");
        assert!(r.contains("     完成时限：2020年底\n"), "{r}");
        assert!(r.contains("  1. [三/(一)] 2020年 开发区高新技术企业数量：不低于400家（第2行，任务1，指标 hitech_ent）"), "{r}");
        assert!(r.contains("以下名称不在单位名录中，采纳前请在单位名录中添加或改写：市气象局"), "{r}");
    }

    #[test]
    fn reads_the_seed_file() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/plan/langfang-2018.txt");
        let p = load(&path).unwrap();
        assert_eq!((p.tasks.len(), p.targets.len()), (37, 39));
        let r = report("langfang-2018.txt", &p, &Registry::builtin());
        assert!(r.contains("单位核对：165 处单位名称均在单位名录中。"), "{r}");
        assert!(r.contains("\n    (二)深化人事薪酬制度改革（原文缺序号，按上下文补）\n"), "{r}");
    }
}
