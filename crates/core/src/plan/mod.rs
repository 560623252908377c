//! The plan ledger read from policy text (任务分解): the outline, the tasks with their lead,
//! responsible and cooperating units, and the quantitative targets.
//!
//! [`parse`] takes plain text (one paragraph per line, as a .txt file or the paragraphs of a
//! .docx); nothing here reads files. The parser never fails: what it cannot place stays in the
//! outline as text, and what it had to guess is reported in [`Plan::warnings`] in Chinese.
//!
//! Tasks follow the annotations (`[牵头单位:…;责任单位:…]` and the other forms in
//! [`annotations`]). An annotation inside a paragraph covers the sentences before it, back to
//! the previous annotation of the paragraph or the paragraph's start; an annotation on a line
//! of its own covers the item it follows — and when that item is one of several unnumbered
//! sub-headings and the only annotated one, the numbered item above them all (the seed's 三(一)
//! lists eight 加快发展… paragraphs and then one bracket for the whole of (一)).
//!
//! Units are kept exactly as written after splitting; [`resolve`] maps them onto the registry.

pub mod annotations;
pub mod outline;
pub mod resolve;
mod targets;
pub mod text;
pub mod units;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use annotations::Annotation;
pub use outline::NodeKind;
pub use resolve::{Registry, Resolution, Resolved};

use crate::indicator::Indicator;
use outline::Form;
use text::{collect, depths, is_space, pairs};

/// How a target value is compared, as written: 以上/不少于/达到 `>=`, 突破/超过 `>`, 以内/不超过/
/// 控制在 `<=`, 低于 `<`, a bare number `=`, 左右 `~`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Comparator {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "~")]
    Approx,
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Ge => ">=",
            Comparator::Gt => ">",
            Comparator::Le => "<=",
            Comparator::Lt => "<",
            Comparator::Eq => "=",
            Comparator::Approx => "~",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Comparator::Ge => "不低于",
            Comparator::Gt => "超过",
            Comparator::Le => "不超过",
            Comparator::Lt => "低于",
            Comparator::Eq => "为",
            Comparator::Approx => "左右",
        }
    }
}

/// A paragraph of the source and its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub line: usize,
    pub text: String,
}

/// A heading of the outline with the text under it (not its children's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Labels from the top, joined by `/`: `三/(一)`, `一/(三)/1`, `三/(一)/加快发展大数据产业`.
    pub path: String,
    /// The numbering as written without its punctuation (`一`, `(一)`, `1`, `(1)`, `①`);
    /// the title for bullets and unnumbered sub-headings; inferred for `()` (see warnings).
    pub label: String,
    /// The marker exactly as written, punctuation included (`一、`, `(一)`, `1、`, `——`, `()`).
    pub marker: String,
    pub kind: NodeKind,
    pub number: Option<u32>,
    pub depth: usize,
    pub parent: Option<usize>,
    pub title: String,
    pub line: usize,
    /// The heading paragraph after the marker, then the body paragraphs, as written.
    pub paragraphs: Vec<Line>,
}

/// A task of the ledger: one annotation and the text it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// 1-based, in document order (the 序号 of the 任务分解表).
    pub seq: usize,
    pub path: String,
    /// Index into [`Plan::outline`]; `None` before the first heading.
    pub node: Option<usize>,
    pub title: String,
    /// The sentences the annotation covers, annotations removed.
    pub text: String,
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    pub cooperating: Vec<String>,
    pub fields: BTreeMap<String, String>,
    /// The annotation as written (lines of their own joined by a newline).
    pub source: String,
    pub line: usize,
}

/// A quantitative target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The clause it was read from, as written.
    pub text: String,
    pub year: Option<i32>,
    pub indicator: String,
    #[serde(serialize_with = "integral_as_int")]
    pub value: f64,
    pub unit: String,
    pub comparator: Comparator,
    /// 每年: the value is due every year.
    pub per_year: bool,
    /// The year is not in the target's sentence but taken from the paragraph or the chapter.
    pub year_inferred: bool,
    /// The first year of a range (`2018年到2020年`), for growth targets.
    pub from_year: Option<i32>,
    pub path: String,
    pub node: Option<usize>,
    /// The `seq` of the task the target sits in.
    pub task: Option<usize>,
    /// The catalogue indicator whose name the phrase contains, when the unit fits.
    pub indicator_code: Option<String>,
    pub line: usize,
}

/// `400` rather than `400.0` in JSON, as people write targets.
fn integral_as_int<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 { s.serialize_i64(*v as i64) } else { s.serialize_f64(*v) }
}

/// Something the parser had to guess or could not read, to be checked before adoption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}行：{}", self.line, self.message)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Paragraphs before the first heading (titles, the 通知, the opening paragraph).
    pub preamble: Vec<Line>,
    /// Every heading in document order; a node's children follow it.
    pub outline: Vec<Node>,
    pub tasks: Vec<Task>,
    pub targets: Vec<Target>,
    pub warnings: Vec<Warning>,
}

impl Plan {
    /// The source again, paragraph by paragraph (markers restored), for checking that nothing
    /// was lost: its non-whitespace characters are those of the input, in order.
    pub fn source_text(&self) -> String {
        let mut out: Vec<String> = self.preamble.iter().map(|l| l.text.clone()).collect();
        for n in &self.outline {
            for (i, p) in n.paragraphs.iter().enumerate() {
                out.push(if i == 0 { format!("{}{}", n.marker, p.text) } else { p.text.clone() });
            }
        }
        out.join("\n")
    }

    pub fn node(&self, path: &str) -> Option<&Node> {
        self.outline.iter().find(|n| n.path == path)
    }

    pub fn children(&self, index: usize) -> impl Iterator<Item = &Node> {
        self.outline.iter().filter(move |n| n.parent == Some(index))
    }
}

/// Parses plan text with the built-in indicator catalogue for linking targets.
pub fn parse(text: &str) -> Plan {
    parse_with(text, &crate::catalog::indicators())
}

/// Parses plan text, linking targets to `indicators` by name.
pub fn parse_with(text: &str, indicators: &[Indicator]) -> Plan {
    let text = text.replace("\r\n", "\n").replace(['\r', '\u{2028}', '\u{2029}'], "\n");
    let lines = text.split('\n').enumerate().map(|(i, l)| (i + 1, l.to_string())).collect();
    Builder::new(indicators).run(lines)
}

/// Parses paragraphs (as read from a .docx); paragraph `i` is reported as line `i + 1`.
pub fn parse_paragraphs<S: AsRef<str>>(paragraphs: &[S], indicators: &[Indicator]) -> Plan {
    let text = paragraphs.iter().map(|p| p.as_ref().replace(['\n', '\r'], " ")).collect::<Vec<_>>().join("\n");
    parse_with(&text, indicators)
}

/// One paragraph while the plan is assembled.
struct Para {
    line: usize,
    /// The stored text: after the marker for a heading, else the whole trimmed paragraph.
    chars: Vec<char>,
    node: Option<usize>,
    anns: Vec<annotations::Found>,
    /// A paragraph that is only annotations, or a `牵头单位：…` line.
    own_line: bool,
    /// For the first of several `牵头单位：` / `责任单位：` lines: the lines after it.
    continued: Vec<String>,
}

enum Class {
    /// `牵头单位：…` / `完成时限：…` on a line of its own.
    KeyLine(Annotation),
    Marked(outline::Marker),
    Plain,
}

struct Builder<'a> {
    indicators: &'a [Indicator],
    outline: Vec<Node>,
    stack: Vec<usize>,
    preamble: Vec<Line>,
    paras: Vec<Para>,
    warnings: Vec<Warning>,
    last_paren: NodeKind,
}

impl<'a> Builder<'a> {
    fn new(indicators: &'a [Indicator]) -> Self {
        Builder {
            indicators,
            outline: Vec::new(),
            stack: Vec::new(),
            preamble: Vec::new(),
            paras: Vec::new(),
            warnings: Vec::new(),
            last_paren: NodeKind::Section,
        }
    }

    fn warn(&mut self, line: usize, message: String) {
        self.warnings.push(Warning { line, message });
    }

    fn run(mut self, lines: Vec<(usize, String)>) -> Plan {
        let paras: Vec<(usize, Vec<char>)> = lines
            .into_iter()
            .map(|(n, l)| (n, text::trim(&l).chars().collect::<Vec<char>>()))
            .filter(|(_, cs)| !cs.is_empty())
            .collect();
        let classes: Vec<Class> = paras
            .iter()
            .map(|(_, cs)| {
                if annotations::is_role_line(cs) || annotations::is_field_line(cs) {
                    match annotations::parse_keyed(cs) {
                        Some(a) => Class::KeyLine(a),
                        None => Class::Plain,
                    }
                } else {
                    outline::detect(cs).map_or(Class::Plain, Class::Marked)
                }
            })
            .collect();
        let mut key_run: Option<usize> = None;
        for (i, (line, cs)) in paras.iter().enumerate() {
            match &classes[i] {
                Class::KeyLine(a) => {
                    // Consecutive `牵头单位：` / `责任单位：` / `完成时限：` lines are one annotation.
                    if let Some(first) = key_run {
                        let mut merged = self.paras[first].anns[0].annotation.clone();
                        merged.merge(a.clone());
                        self.paras[first].anns[0].annotation = merged;
                        self.paras[first].continued.push(collect(cs));
                        self.body(*line, cs.clone(), Vec::new(), true);
                    } else {
                        key_run = Some(self.paras.len());
                        let found = annotations::Found { start: 0, end: cs.len(), annotation: a.clone() };
                        self.body(*line, cs.clone(), vec![found], true);
                    }
                    continue;
                }
                Class::Marked(m) => {
                    key_run = None;
                    if self.heading(i, *line, cs, m, &paras, &classes) {
                        continue;
                    }
                }
                Class::Plain => key_run = None,
            }
            self.plain(*line, cs.clone());
        }
        self.finish()
    }

    /// Opens a numbered node (or a bullet) for a marked paragraph. False if the marker turns
    /// out not to be one (a bare number its neighbours do not confirm).
    fn heading(&mut self, i: usize, line: usize, cs: &[char], m: &outline::Marker, paras: &[(usize, Vec<char>)], classes: &[Class]) -> bool {
        let rest: Vec<char> = cs[m.len..].to_vec();
        let marker = collect(&cs[..m.len]).trim_end_matches(is_space).to_string();
        let anns = annotations::find_bracketed(&rest);
        let stop = anns.first().map_or(rest.len(), |a| a.start);
        let title = collect(&rest[..outline::title_len(&rest, stop)]);
        match &m.form {
            Form::Numbered(kind) => {
                self.open(*kind, marker, m.label.clone(), m.number, title, line, rest, anns);
            }
            Form::Bullet => {
                let label = if title.is_empty() { m.label.clone() } else { title.replace('/', "／") };
                self.open(NodeKind::Bullet, marker, label, None, title, line, rest, anns);
            }
            Form::EmptyParen { open, close } => {
                let kind = self
                    .stack
                    .iter()
                    .rev()
                    .map(|&s| self.outline[s].kind)
                    .find(|k| matches!(k, NodeKind::Section | NodeKind::SubItem))
                    .unwrap_or(self.last_paren);
                let parent = self.parent_for(kind);
                let prev = self.outline.iter().rev().find(|n| n.parent == parent && n.kind == kind).and_then(|n| n.number);
                let num = prev.map_or(1, |p| p + 1);
                let numeral = if kind == NodeKind::Section { text::chinese_numeral(num) } else { num.to_string() };
                let label = format!("{open}{numeral}{close}");
                self.warn(line, format!("编号“{marker}”缺少序号，按上下文视为“{label}”"));
                self.open(kind, marker, label, Some(num), title, line, rest, anns);
            }
            Form::BareNumber => {
                let n = m.number.unwrap_or(0);
                let next_item = paras[i + 1..]
                    .iter()
                    .zip(&classes[i + 1..])
                    .find_map(|(_, c)| match c {
                        Class::Marked(mm) if matches!(mm.form, Form::Numbered(_)) => Some(mm),
                        _ => None,
                    })
                    .filter(|mm| mm.form == Form::Numbered(NodeKind::Item))
                    .and_then(|mm| mm.number);
                let prev_item = self.stack.iter().rev().map(|&s| &self.outline[s]).find(|n| n.kind == NodeKind::Item).and_then(|n| n.number);
                // `1承载…` followed by `2、…`: the punctuation was lost, the numbering was not.
                if next_item != Some(n + 1) && !(n > 1 && prev_item == Some(n - 1)) {
                    return false;
                }
                self.warn(line, format!("编号“{}”后缺少标点，按第{}条处理", m.label, n));
                self.open(NodeKind::Item, marker, m.label.clone(), Some(n), title, line, rest, anns);
            }
        }
        true
    }

    /// The parent a node of `kind` would get, without changing the stack.
    fn parent_for(&self, kind: NodeKind) -> Option<usize> {
        self.stack.iter().rev().copied().find(|&s| self.outline[s].kind.rank() < kind.rank())
    }

    #[allow(clippy::too_many_arguments)]
    fn open(&mut self, kind: NodeKind, marker: String, label: String, number: Option<u32>, title: String, line: usize, rest: Vec<char>, anns: Vec<annotations::Found>) {
        while self.stack.last().is_some_and(|&s| self.outline[s].kind.rank() >= kind.rank()) {
            self.stack.pop();
        }
        let parent = self.stack.last().copied();
        let path = match parent {
            Some(p) => format!("{}/{}", self.outline[p].path, label),
            None => label.clone(),
        };
        if matches!(kind, NodeKind::Section | NodeKind::SubItem) {
            self.last_paren = kind;
        }
        let index = self.outline.len();
        self.outline.push(Node {
            path,
            label,
            marker,
            kind,
            number,
            depth: self.stack.len(),
            parent,
            title,
            line,
            paragraphs: vec![Line { line, text: collect(&rest) }],
        });
        self.stack.push(index);
        self.check_brackets(line, &rest, &anns);
        self.paras.push(Para { line, chars: rest, node: Some(index), anns, own_line: false, continued: Vec::new() });
    }

    /// A paragraph without a marker: an annotation line, a sub-heading, or body text.
    fn plain(&mut self, line: usize, cs: Vec<char>) {
        let anns = annotations::find_bracketed(&cs);
        let own_line = !anns.is_empty() && {
            let mut covered = vec![false; cs.len()];
            for a in &anns {
                covered[a.start..a.end].iter_mut().for_each(|c| *c = true);
            }
            cs.iter().zip(&covered).all(|(c, cov)| *cov || text::is_edge_punct(*c))
        };
        if !own_line && !self.stack.is_empty() {
            let stop = anns.first().map_or(cs.len(), |a| a.start);
            if let Some(len) = outline::subheading_len(&cs, stop) {
                let title = collect(&cs[..len]);
                let label = title.replace('/', "／");
                self.open(NodeKind::Subheading, String::new(), label, None, title, line, cs, anns);
                return;
            }
        }
        self.check_brackets(line, &cs, &anns);
        self.body(line, cs, anns, own_line);
    }

    fn body(&mut self, line: usize, cs: Vec<char>, anns: Vec<annotations::Found>, own_line: bool) {
        let node = self.stack.last().copied();
        let l = Line { line, text: collect(&cs) };
        match node {
            Some(n) => self.outline[n].paragraphs.push(l),
            None => self.preamble.push(l),
        }
        self.paras.push(Para { line, chars: cs, node, anns, own_line, continued: Vec::new() });
    }

    /// Brackets that mention a role but could not be read are reported, not guessed.
    fn check_brackets(&mut self, line: usize, cs: &[char], anns: &[annotations::Found]) {
        let close = pairs(cs);
        let depth = depths(cs);
        for (i, c) in close.iter().enumerate() {
            let Some(j) = *c else { continue };
            if depth[i] != 0 || !text::is_annotation_open(cs[i]) || anns.iter().any(|a| a.start == i) {
                continue;
            }
            let inner = collect(&cs[i + 1..j]);
            if ["牵头单位", "责任单位", "配合单位", "牵头部门", "责任部门"].iter().any(|k| inner.contains(k)) {
                self.warn(line, format!("“{}”像是单位标注，但无法识别其格式，请人工核对", collect(&cs[i..=j])));
            }
        }
        for a in anns {
            if a.annotation.is_empty() {
                self.warn(line, format!("标注“{}”中没有单位", collect(&cs[a.start..a.end])));
            }
        }
    }

    fn finish(self) -> Plan {
        let (tasks, by_ann) = self.tasks();
        let targets = self.targets(&tasks, &by_ann);
        Plan { preamble: self.preamble, outline: self.outline, tasks, targets, warnings: self.warnings }
    }

    /// End (exclusive) of the subtree of node `n` in `outline` order.
    fn subtree_end(&self, n: usize) -> usize {
        let d = self.outline[n].depth;
        (n + 1..self.outline.len()).find(|&k| self.outline[k].depth <= d).unwrap_or(self.outline.len())
    }

    /// The node's own text, annotations removed.
    fn node_text(&self, n: usize) -> String {
        self.paras
            .iter()
            .filter(|p| p.node == Some(n) && !p.own_line)
            .map(|p| text_without(&p.chars, &p.anns))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Tasks in document order, and for every (paragraph, annotation) the task's `seq`.
    fn tasks(&self) -> (Vec<Task>, BTreeMap<(usize, usize), usize>) {
        let mut per_node = vec![0usize; self.outline.len()];
        for p in &self.paras {
            if let Some(n) = p.node {
                per_node[n] += p.anns.len();
            }
        }
        let mut tasks = Vec::new();
        let mut by_ann = BTreeMap::new();
        for (pi, p) in self.paras.iter().enumerate() {
            let mut prev_end = 0;
            for (ai, a) in p.anns.iter().enumerate() {
                let (node, text) = if p.own_line {
                    let mut node = p.node;
                    if let Some(n) = node {
                        let kind = self.outline[n].kind;
                        if let (false, Some(parent)) = (kind.is_numbered(), self.outline[n].parent) {
                            let subtree: usize = (parent..self.subtree_end(parent)).map(|k| per_node[k]).sum();
                            if subtree == 1 {
                                node = Some(parent);
                            }
                        }
                    }
                    (node, node.map(|n| self.node_text(n)).unwrap_or_default())
                } else if p.anns.len() == 1 {
                    (p.node, text_without(&p.chars, &p.anns))
                } else {
                    let t = text::trim(&collect(&p.chars[prev_end..a.start])).to_string();
                    prev_end = a.end;
                    (p.node, t)
                };
                let mut source = collect(&p.chars[a.start..a.end]);
                for c in &p.continued {
                    source.push('\n');
                    source.push_str(c);
                }
                let seq = tasks.len() + 1;
                by_ann.insert((pi, ai), seq);
                let ann = a.annotation.clone();
                tasks.push(Task {
                    seq,
                    path: node.map(|n| self.outline[n].path.clone()).unwrap_or_default(),
                    node,
                    title: node.map(|n| self.outline[n].title.clone()).unwrap_or_default(),
                    text,
                    lead: ann.lead,
                    responsible: ann.responsible,
                    cooperating: ann.cooperating,
                    fields: ann.fields,
                    source,
                    line: p.line,
                });
            }
        }
        (tasks, by_ann)
    }

    fn chapter_of(&self, mut n: usize) -> usize {
        while let Some(p) = self.outline[n].parent {
            n = p;
        }
        n
    }

    fn targets(&self, tasks: &[Task], by_ann: &BTreeMap<(usize, usize), usize>) -> Vec<Target> {
        let mut out = Vec::new();
        let mut ctx = targets::YearContext::default();
        let mut chapter: Option<usize> = None;
        for (pi, p) in self.paras.iter().enumerate() {
            if p.own_line {
                continue;
            }
            let ch = p.node.map(|n| self.chapter_of(n));
            if ch != chapter {
                ctx = targets::YearContext::default();
                chapter = ch;
            }
            let mut masked = p.chars.clone();
            for a in &p.anns {
                masked[a.start..a.end].iter_mut().for_each(|c| *c = '\u{1}');
            }
            for f in targets::extract(&masked, &mut ctx) {
                let task = self.task_at(pi, f.at, tasks, by_ann);
                let indicator_code = link_indicator(&f.indicator, &f.unit, self.indicators);
                out.push(Target {
                    text: text::trim_punct(&collect(&p.chars[f.text_start..f.text_end])).to_string(),
                    year: f.year,
                    indicator: f.indicator,
                    value: f.value,
                    unit: f.unit,
                    comparator: f.comparator,
                    per_year: f.per_year,
                    year_inferred: f.year_inferred,
                    from_year: f.from_year,
                    path: p.node.map(|n| self.outline[n].path.clone()).unwrap_or_default(),
                    node: p.node,
                    task,
                    indicator_code,
                    line: p.line,
                });
            }
        }
        out
    }

    /// The task a position in a paragraph belongs to: the annotation after it in the same
    /// paragraph, else the nearest task of the node or its ancestors.
    fn task_at(&self, pi: usize, at: usize, tasks: &[Task], by_ann: &BTreeMap<(usize, usize), usize>) -> Option<usize> {
        let p = &self.paras[pi];
        if p.anns.len() == 1 {
            return by_ann.get(&(pi, 0)).copied();
        }
        let mut prev_end = 0;
        for (ai, a) in p.anns.iter().enumerate() {
            if at >= prev_end && at < a.start {
                return by_ann.get(&(pi, ai)).copied();
            }
            prev_end = a.end;
        }
        let mut n = p.node;
        while let Some(k) = n {
            if let Some(t) = tasks.iter().find(|t| t.node == Some(k)) {
                return Some(t.seq);
            }
            n = self.outline[k].parent;
        }
        None
    }
}

/// A paragraph with its annotations cut out, trimmed.
fn text_without(chars: &[char], anns: &[annotations::Found]) -> String {
    let mut s = String::new();
    let mut prev = 0;
    for a in anns {
        s.extend(&chars[prev..a.start]);
        prev = a.end;
    }
    s.extend(&chars[prev.min(chars.len())..]);
    text::trim(&s).to_string()
}

/// Scope words that do not belong to an indicator's name (`开发区高新技术企业数量`).
const SCOPE_WORDS: &[&str] = &["全市开发区", "开发区内", "开发区", "全市", "全省", "省级以上"];

/// The catalogue indicator a target phrase names: the longest indicator name contained in the
/// phrase (scope words removed; 数/数量/总额 endings optional), when the unit fits — the same
/// unit, or a percentage of a growth measure (年均增长/增速).
pub fn link_indicator(phrase: &str, unit: &str, indicators: &[Indicator]) -> Option<String> {
    let mut p = phrase.to_string();
    for w in SCOPE_WORDS {
        p = p.replace(w, "");
    }
    let growth = ["增长", "增速", "增幅"].iter().any(|w| phrase.contains(w));
    indicators
        .iter()
        .filter_map(|ind| {
            let mut name = ind.name.clone();
            for w in SCOPE_WORDS {
                name = name.replace(w, "");
            }
            for end in ["数量", "总额", "总量", "数"] {
                if let Some(s) = name.strip_suffix(end)
                    && s.chars().count() >= 2 {
                        name = s.to_string();
                        break;
                    }
            }
            let unit_fits = ind.unit == unit || (growth && unit == "%");
            (p.contains(&name) && unit_fits).then(|| (name.chars().count(), ind.code.clone()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, code)| code)
}

#[cfg(test)]
mod tests;
