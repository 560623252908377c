//! The formula language over indicator codes, used by formula indicators
//! (`hitech_va / ind_va * 100`) and by validation rules (`hitech_va <= ind_va`).
//!
//! Grammar, loosest binding first:
//!
//! ```text
//! expr    = or
//! or      = and { ("or" | "||") and }
//! and     = not { ("and" | "&&") not }
//! not     = ("not" | "!") not | cmp
//! cmp     = sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
//! sum     = product { ("+" | "-") product }
//! product = unary { ("*" | "/") unary }
//! unary   = ("-" | "+") unary | primary
//! primary = number | code | func "(" args ")" | "(" expr ")"
//! ```
//!
//! Functions: `ytd(x)`, `month(x)`, `offset(x, n)`, `sum_over(x, group)`, `abs(x)`,
//! `min(a, b, …)`, `max(a, b, …)`. Types (number / condition) are checked while parsing, so a
//! parsed expression never mixes them. Full-width `（ ） ，` are accepted because people type
//! formulas with a Chinese input method. Evaluation is pure: the caller supplies values through
//! [`Env`]; missing data or a division by zero gives `None`, never NaN.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::period::Month;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
    /// Binding strength, used by the printer (higher binds tighter).
    fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }
    fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

/// Plain numeric functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Abs,
    Min,
    Max,
}

impl Func {
    fn name(self) -> &'static str {
        match self {
            Func::Abs => "abs",
            Func::Min => "min",
            Func::Max => "max",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    /// An indicator code.
    Ref(String),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
    /// 1–N月累计. Flows are stored as 累计, so this is the value itself; it exists so formulas
    /// can say what they mean next to `month(x)`.
    Ytd(Box<Expr>),
    /// 当月 from 累计: x − x one month earlier; January is its own 累计.
    MonthOf(Box<Expr>),
    /// x at the period shifted by n months (`offset(x, -12)` = 上年同期).
    Offset(Box<Expr>, i32),
    /// Sum of x evaluated in each zone of a zone group.
    SumOver(Box<Expr>, String),
}

/// A parse error at a 1-based character column (characters, not bytes: formulas may hold Chinese).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第{column}个字符处：{message}")]
pub struct ParseError {
    pub column: usize,
    pub message: String,
}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError { column, message: message.into() })
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    column: usize,
    text: String,
}

fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let tok = if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            match text.parse::<f64>() {
                // 400 nines parse as infinity, which prints as "inf" and would read back as a code.
                Ok(v) if v.is_finite() => Tok::Num(v),
                Ok(_) => return err(column, format!("数字“{text}”过大")),
                Err(_) => return err(column, format!("数字“{text}”格式不对")),
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            Tok::Ident(chars[start..i].iter().collect())
        } else {
            let next = chars.get(i + 1).copied();
            let (tok, len) = match (c, next) {
                ('(' | '（', _) => (Tok::LParen, 1),
                (')' | '）', _) => (Tok::RParen, 1),
                (',' | '，', _) => (Tok::Comma, 1),
                ('<', Some('=')) => (Tok::Op("<="), 2),
                ('>', Some('=')) => (Tok::Op(">="), 2),
                ('=', Some('=')) => (Tok::Op("=="), 2),
                ('!', Some('=')) => (Tok::Op("!="), 2),
                ('&', Some('&')) => (Tok::Op("and"), 2),
                ('|', Some('|')) => (Tok::Op("or"), 2),
                ('<', _) => (Tok::Op("<"), 1),
                ('>', _) => (Tok::Op(">"), 1),
                ('!', _) => (Tok::Op("not"), 1),
                ('+', _) => (Tok::Op("+"), 1),
                ('-', _) => (Tok::Op("-"), 1),
                ('*', _) => (Tok::Op("*"), 1),
                ('/', _) => (Tok::Op("/"), 1),
                ('=', _) => return err(column, "“=”应写作“==”"),
                ('&', _) => return err(column, "“&”应写作“&&”或 and"),
                ('|', _) => return err(column, "“|”应写作“||”或 or"),
                _ => return err(column, format!("无法识别的字符“{c}”（指标请用代码，如 ind_va）")),
            };
            i += len;
            tok
        };
        out.push(Token { tok, column, text: chars[start..i].iter().collect() });
    }
    out.push(Token { tok: Tok::End, column: chars.len() + 1, text: String::new() });
    Ok(out)
}

// ---------------------------------------------------------------- parser

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Num,
    Bool,
}

struct Parser {
    toks: Vec<Token>,
    at: usize,
}

/// Parses a formula or condition. Use [`parse_number`] or [`parse_condition`] when the caller
/// needs one of the two.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    parse_typed(src).map(|(e, _)| e)
}

/// Parses a formula that must yield a number (a formula indicator).
pub fn parse_number(src: &str) -> Result<Expr, ParseError> {
    match parse_typed(src)? {
        (e, Ty::Num) => Ok(e),
        (_, Ty::Bool) => err(1, "计算公式应得出数值，而这是一个条件（比较式）"),
    }
}

/// Parses a condition (a validation rule such as `hitech_va <= ind_va`).
pub fn parse_condition(src: &str) -> Result<Expr, ParseError> {
    match parse_typed(src)? {
        (e, Ty::Bool) => Ok(e),
        (_, Ty::Num) => err(1, "校验条件应为比较式，例如 hitech_va <= ind_va"),
    }
}

fn parse_typed(src: &str) -> Result<(Expr, Ty), ParseError> {
    let toks = lex(src)?;
    if toks.len() == 1 {
        return err(1, "公式为空");
    }
    let mut p = Parser { toks, at: 0 };
    let out = p.or()?;
    let t = p.peek();
    match t.tok {
        Tok::End => Ok(out),
        Tok::RParen => err(t.column, "多余的右括号“)”"),
        _ => err(t.column, format!("“{}”前缺少运算符", t.text)),
    }
}

fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    Expr::Binary(op, Box::new(l), Box::new(r))
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.toks[self.at]
    }
    fn next(&mut self) -> Token {
        let t = self.toks[self.at].clone();
        if t.tok != Tok::End {
            self.at += 1;
        }
        t
    }
    /// Consumes an operator (or keyword) if it is one of `ops`; returns its symbol and column.
    fn eat_op(&mut self, ops: &[&'static str]) -> Option<(&'static str, usize)> {
        let t = self.peek();
        let sym = match &t.tok {
            Tok::Op(s) => *s,
            Tok::Ident(w) if w == "and" || w == "or" || w == "not" => match w.as_str() {
                "and" => "and",
                "or" => "or",
                _ => "not",
            },
            _ => return None,
        };
        let column = t.column;
        ops.contains(&sym).then(|| {
            self.at += 1;
            (sym, column)
        })
    }

    fn want(&self, ty: Ty, got: Ty, column: usize, op: &str) -> Result<(), ParseError> {
        match (ty, got == ty) {
            (_, true) => Ok(()),
            (Ty::Num, false) => err(column, format!("“{op}”两边应为数值")),
            (Ty::Bool, false) => err(column, format!("“{op}”两边应为条件（比较式）")),
        }
    }

    fn or(&mut self) -> Result<(Expr, Ty), ParseError> {
        let (mut l, lt) = self.and()?;
        while let Some((_, col)) = self.eat_op(&["or"]) {
            let (r, rt) = self.and()?;
            self.want(Ty::Bool, lt, col, "or")?;
            self.want(Ty::Bool, rt, col, "or")?;
            l = bin(BinOp::Or, l, r);
        }
        Ok((l, lt))
    }

    fn and(&mut self) -> Result<(Expr, Ty), ParseError> {
        let (mut l, lt) = self.not()?;
        while let Some((_, col)) = self.eat_op(&["and"]) {
            let (r, rt) = self.not()?;
            self.want(Ty::Bool, lt, col, "and")?;
            self.want(Ty::Bool, rt, col, "and")?;
            l = bin(BinOp::And, l, r);
        }
        Ok((l, lt))
    }

    fn not(&mut self) -> Result<(Expr, Ty), ParseError> {
        if let Some((_, col)) = self.eat_op(&["not"]) {
            let (e, t) = self.not()?;
            if t != Ty::Bool {
                return err(col, "“not”后面应为条件（比较式）");
            }
            return Ok((Expr::Unary(UnOp::Not, Box::new(e)), Ty::Bool));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<(Expr, Ty), ParseError> {
        const OPS: [&str; 6] = ["<", "<=", ">", ">=", "==", "!="];
        let (l, lt) = self.sum()?;
        let Some((sym, col)) = self.eat_op(&OPS) else { return Ok((l, lt)) };
        let (r, rt) = self.sum()?;
        self.want(Ty::Num, lt, col, sym)?;
        self.want(Ty::Num, rt, col, sym)?;
        if let Some((_, col2)) = self.eat_op(&OPS) {
            return err(col2, "比较运算不能连写，请用 and 连接两个比较式");
        }
        let op = match sym {
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            ">" => BinOp::Gt,
            ">=" => BinOp::Ge,
            "==" => BinOp::Eq,
            _ => BinOp::Ne,
        };
        Ok((bin(op, l, r), Ty::Bool))
    }

    fn sum(&mut self) -> Result<(Expr, Ty), ParseError> {
        let (mut l, lt) = self.product()?;
        while let Some((sym, col)) = self.eat_op(&["+", "-"]) {
            let (r, rt) = self.product()?;
            self.want(Ty::Num, lt, col, sym)?;
            self.want(Ty::Num, rt, col, sym)?;
            l = bin(if sym == "+" { BinOp::Add } else { BinOp::Sub }, l, r);
        }
        Ok((l, lt))
    }

    fn product(&mut self) -> Result<(Expr, Ty), ParseError> {
        let (mut l, lt) = self.unary()?;
        while let Some((sym, col)) = self.eat_op(&["*", "/"]) {
            let (r, rt) = self.unary()?;
            self.want(Ty::Num, lt, col, sym)?;
            self.want(Ty::Num, rt, col, sym)?;
            l = bin(if sym == "*" { BinOp::Mul } else { BinOp::Div }, l, r);
        }
        Ok((l, lt))
    }

    fn unary(&mut self) -> Result<(Expr, Ty), ParseError> {
        if let Some((sym, col)) = self.eat_op(&["-", "+"]) {
            let (e, t) = self.unary()?;
            if t != Ty::Num {
                return err(col, format!("“{sym}”后面应为数值"));
            }
            return Ok((if sym == "-" { Expr::Unary(UnOp::Neg, Box::new(e)) } else { e }, Ty::Num));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<(Expr, Ty), ParseError> {
        let t = self.next();
        match t.tok {
            Tok::Num(v) => Ok((Expr::Num(v), Ty::Num)),
            Tok::Ident(name) if matches!(name.as_str(), "and" | "or" | "not") => {
                err(t.column, format!("“{name}”前缺少条件"))
            }
            Tok::Ident(name) => {
                if self.peek().tok == Tok::LParen {
                    self.call(name, t.column)
                } else {
                    Ok((Expr::Ref(name), Ty::Num))
                }
            }
            Tok::LParen => {
                let inner = self.or()?;
                let close = self.next();
                if close.tok != Tok::RParen {
                    return err(close.column, "缺少右括号“)”");
                }
                Ok(inner)
            }
            Tok::End => err(t.column, "公式不完整，此处还缺少数字、指标代码或“(”"),
            _ => err(t.column, format!("“{}”前应为数字、指标代码或“(”", t.text)),
        }
    }

    /// A function call; the name is consumed, the current token is "(".
    fn call(&mut self, name: String, column: usize) -> Result<(Expr, Ty), ParseError> {
        const FUNCS: [&str; 7] = ["ytd", "month", "offset", "sum_over", "abs", "min", "max"];
        if !FUNCS.contains(&name.as_str()) {
            return err(column, format!("未知函数“{name}”（可用：{}）", FUNCS.join("、")));
        }
        self.next(); // "("
        let mut args: Vec<(Expr, Ty, usize)> = Vec::new();
        if self.peek().tok == Tok::RParen {
            self.next();
        } else {
            loop {
                let at = self.peek().column;
                let (e, t) = self.or()?;
                args.push((e, t, at));
                let sep = self.next();
                match sep.tok {
                    Tok::Comma => continue,
                    Tok::RParen => break,
                    _ => return err(sep.column, "缺少右括号“)”"),
                }
            }
        }
        let arity_ok = match name.as_str() {
            "min" | "max" => args.len() >= 2,
            "offset" | "sum_over" => args.len() == 2,
            _ => args.len() == 1,
        };
        if !arity_ok {
            let need = match name.as_str() {
                "min" | "max" => "至少需要2个参数",
                "offset" | "sum_over" => "需要2个参数",
                _ => "需要1个参数",
            };
            return err(column, format!("“{name}”{need}"));
        }
        // The first argument (all arguments of min/max) must be numbers.
        let numeric = if matches!(name.as_str(), "min" | "max") { args.len() } else { 1 };
        if let Some((_, _, at)) = args.iter().take(numeric).find(|a| a.1 != Ty::Num) {
            return err(*at, format!("“{name}”的参数应为数值"));
        }
        let mut it = args.into_iter().map(|(e, _, at)| (e, at));
        let (first, _) = it.next().expect("arity checked");
        let e = match name.as_str() {
            "ytd" => Expr::Ytd(Box::new(first)),
            "month" => Expr::MonthOf(Box::new(first)),
            "abs" => Expr::Call(Func::Abs, vec![first]),
            "min" | "max" => {
                let f = if name == "min" { Func::Min } else { Func::Max };
                Expr::Call(f, std::iter::once(first).chain(it.map(|(e, _)| e)).collect())
            }
            "offset" => {
                let (n, at) = it.next().expect("arity checked");
                let months = match n {
                    Expr::Num(v) => Some(v),
                    Expr::Unary(UnOp::Neg, ref b) => match **b {
                        Expr::Num(v) => Some(-v),
                        _ => None,
                    },
                    _ => None,
                };
                match months {
                    Some(v) if v.fract() == 0.0 && v.abs() <= 1200.0 => Expr::Offset(Box::new(first), v as i32),
                    _ => return err(at, "“offset”的第2个参数应为整数月数，例如 -12 表示上年同期"),
                }
            }
            _ => {
                let (g, at) = it.next().expect("arity checked");
                match g {
                    Expr::Ref(code) => Expr::SumOver(Box::new(first), code),
                    _ => return err(at, "“sum_over”的第2个参数应为开发区组代码，例如 xiongan"),
                }
            }
        };
        Ok((e, Ty::Num))
    }
}

// ---------------------------------------------------------------- queries and printing

impl Expr {
    /// Indicator codes the expression reads (group codes of `sum_over` are not indicators).
    pub fn references(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.walk(&mut |e| {
            if let Expr::Ref(c) = e {
                out.insert(c.clone());
            }
        });
        out
    }

    /// Zone-group codes used by `sum_over`, so callers can check them against the master data.
    pub fn groups(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.walk(&mut |e| {
            if let Expr::SumOver(_, g) = e {
                out.insert(g.clone());
            }
        });
        out
    }

    /// Whether the expression is a condition (true/false) rather than a number.
    pub fn is_condition(&self) -> bool {
        match self {
            Expr::Unary(UnOp::Not, _) => true,
            Expr::Binary(op, _, _) => op.is_comparison() || matches!(op, BinOp::And | BinOp::Or),
            _ => false,
        }
    }

    fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Num(_) | Expr::Ref(_) => {}
            Expr::Unary(_, e) | Expr::Ytd(e) | Expr::MonthOf(e) | Expr::Offset(e, _) | Expr::SumOver(e, _) => e.walk(f),
            Expr::Binary(_, l, r) => {
                l.walk(f);
                r.walk(f);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.walk(f)),
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Expr::Binary(op, _, _) => op.precedence(),
            Expr::Unary(UnOp::Not, _) => 3,
            Expr::Unary(UnOp::Neg, _) => 7,
            _ => 8,
        }
    }
}

/// Prints the canonical source, with only the parentheses the grammar needs, so that
/// `parse(&e.to_string()) == Ok(e)`.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wrap = |f: &mut fmt::Formatter<'_>, e: &Expr, paren: bool| {
            if paren { write!(f, "({e})") } else { write!(f, "{e}") }
        };
        match self {
            Expr::Num(v) => write!(f, "{v}"),
            Expr::Ref(c) => write!(f, "{c}"),
            Expr::Unary(UnOp::Neg, e) => {
                write!(f, "-")?;
                wrap(f, e, e.precedence() < 7)
            }
            Expr::Unary(UnOp::Not, e) => {
                write!(f, "not ")?;
                wrap(f, e, e.precedence() < 3)
            }
            Expr::Binary(op, l, r) => {
                let p = op.precedence();
                // Left-associative: the right operand needs parentheses at equal precedence.
                wrap(f, l, l.precedence() < p)?;
                write!(f, " {} ", op.symbol())?;
                wrap(f, r, r.precedence() <= p)
            }
            Expr::Call(func, args) => {
                write!(f, "{}(", func.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{a}")?;
                }
                write!(f, ")")
            }
            Expr::Ytd(e) => write!(f, "ytd({e})"),
            Expr::MonthOf(e) => write!(f, "month({e})"),
            Expr::Offset(e, n) => write!(f, "offset({e}, {n})"),
            Expr::SumOver(e, g) => write!(f, "sum_over({e}, {g})"),
        }
    }
}

// ---------------------------------------------------------------- definitions: unknown codes and cycles

/// A problem with a set of formula definitions `(indicator code, formula)`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CycleError {
    #[error("指标“{code}”的计算公式{error}")]
    Parse { code: String, error: ParseError },
    #[error("指标“{0}”的计算公式重复定义")]
    Duplicate(String),
    /// Every formula that reads unknown codes, with those codes.
    #[error("计算公式引用了未知指标：{}", .0.iter().map(|(c, u)| format!("指标“{c}”引用 {}", u.join("、"))).collect::<Vec<_>>().join("；"))]
    Unknown(Vec<(String, Vec<String>)>),
    /// The codes around the cycle; the first is repeated at the end.
    #[error("计算公式存在循环引用：{}", .0.join(" → "))]
    Cycle(Vec<String>),
}

/// Parses every definition and returns the formula codes in an evaluation order (each after the
/// formulas it reads). References to codes that are not defined here are taken as reported inputs.
pub fn check_cycles(defs: &[(String, String)]) -> Result<Vec<String>, CycleError> {
    Ok(Formulas::new(defs)?.order)
}

/// Like [`check_cycles`], and also rejects references to codes that are neither in `known`
/// (the indicator catalogue) nor defined in `defs`.
pub fn check_formulas(defs: &[(String, String)], known: &BTreeSet<String>) -> Result<Vec<String>, CycleError> {
    let f = Formulas::new_unordered(defs)?;
    let unknown: Vec<(String, Vec<String>)> = f
        .exprs
        .iter()
        .filter_map(|(code, e)| {
            let u: Vec<String> =
                e.references().into_iter().filter(|r| !known.contains(r) && !f.exprs.contains_key(r)).collect();
            (!u.is_empty()).then(|| (code.clone(), u))
        })
        .collect();
    if !unknown.is_empty() {
        return Err(CycleError::Unknown(unknown));
    }
    Ok(f.ordered()?.order)
}

/// Parsed, cycle-free formula definitions.
#[derive(Debug, Clone)]
pub struct Formulas {
    exprs: BTreeMap<String, Expr>,
    order: Vec<String>,
}

impl Formulas {
    pub fn new(defs: &[(String, String)]) -> Result<Formulas, CycleError> {
        Formulas::new_unordered(defs)?.ordered()
    }

    fn new_unordered(defs: &[(String, String)]) -> Result<Formulas, CycleError> {
        let mut exprs = BTreeMap::new();
        for (code, src) in defs {
            let e = parse_number(src).map_err(|error| CycleError::Parse { code: code.clone(), error })?;
            if exprs.insert(code.clone(), e).is_some() {
                return Err(CycleError::Duplicate(code.clone()));
            }
        }
        Ok(Formulas { exprs, order: Vec::new() })
    }

    /// Depth-first topological sort in code order; a reference back onto the path is a cycle.
    fn ordered(mut self) -> Result<Formulas, CycleError> {
        fn visit(
            code: &str,
            exprs: &BTreeMap<String, Expr>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
            order: &mut Vec<String>,
        ) -> Result<(), CycleError> {
            if done.contains(code) {
                return Ok(());
            }
            if let Some(i) = path.iter().position(|p| p == code) {
                let mut cycle = path[i..].to_vec();
                cycle.push(code.to_string());
                return Err(CycleError::Cycle(cycle));
            }
            let Some(e) = exprs.get(code) else { return Ok(()) };
            path.push(code.to_string());
            for r in e.references() {
                visit(&r, exprs, path, done, order)?;
            }
            path.pop();
            done.insert(code.to_string());
            order.push(code.to_string());
            Ok(())
        }
        let (mut path, mut done, mut order) = (Vec::new(), BTreeSet::new(), Vec::new());
        for code in self.exprs.keys() {
            visit(code, &self.exprs, &mut path, &mut done, &mut order)?;
        }
        self.order = order;
        Ok(self)
    }

    pub fn get(&self, code: &str) -> Option<&Expr> {
        self.exprs.get(code)
    }

    /// Formula codes, each after the formulas it reads.
    pub fn order(&self) -> &[String] {
        &self.order
    }

    /// An [`Env`] that answers formula codes by evaluating their formulas over `base`, so a
    /// formula evaluated at a group or city scope is recomputed from that scope's components.
    pub fn over<'a, E: Env + ?Sized>(&'a self, base: &'a E) -> WithFormulas<'a, E> {
        WithFormulas { formulas: self, base }
    }
}

pub struct WithFormulas<'a, E: ?Sized> {
    formulas: &'a Formulas,
    base: &'a E,
}

impl<E: Env + ?Sized> Env for WithFormulas<'_, E> {
    fn value(&self, indicator: &str, period: Month, scope: &Scope) -> Option<f64> {
        match self.formulas.get(indicator) {
            // Terminates: `Formulas` is cycle-free.
            Some(e) => eval_number(e, self, period, scope),
            None => self.base.value(indicator, period, scope),
        }
    }
    fn group_zones(&self, group: &str) -> Option<Vec<String>> {
        self.base.group_zones(group)
    }
}

// ---------------------------------------------------------------- evaluation

/// Where a value is read: one zone, a zone group, or all zones of the city (全市开发区).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    City,
    Zone(String),
    Group(String),
}

/// The caller's data. For `Group` and `City` scopes the caller returns the aggregate of the
/// member zones (Σ for amounts); formula indicators are then recomputed from those aggregates
/// by [`Formulas::over`], never averaged.
pub trait Env {
    /// The value of a reported indicator, or `None` when it is missing.
    fn value(&self, indicator: &str, period: Month, scope: &Scope) -> Option<f64>;
    /// The zones of a zone group, for `sum_over`; `None` for an unknown group.
    fn group_zones(&self, _group: &str) -> Option<Vec<String>> {
        None
    }
}

/// Evaluates a numeric expression at `period` and `scope`. `None` when data is missing, a
/// divisor is zero, or the expression is a condition.
pub fn eval_number<E: Env + ?Sized>(expr: &Expr, env: &E, period: Month, scope: &Scope) -> Option<f64> {
    let num = |e: &Expr| eval_number(e, env, period, scope);
    let v = match expr {
        Expr::Num(v) => *v,
        Expr::Ref(code) => env.value(code, period, scope)?,
        Expr::Unary(UnOp::Neg, e) => -num(e)?,
        Expr::Binary(op, l, r) => {
            let (a, b) = (num(l)?, num(r)?);
            match op {
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a * b,
                BinOp::Div if b == 0.0 => return None,
                BinOp::Div => a / b,
                _ => return None,
            }
        }
        Expr::Call(func, args) => {
            let vs = args.iter().map(num).collect::<Option<Vec<f64>>>()?;
            match func {
                Func::Abs => vs[0].abs(),
                Func::Min => vs.into_iter().fold(f64::INFINITY, f64::min),
                Func::Max => vs.into_iter().fold(f64::NEG_INFINITY, f64::max),
            }
        }
        Expr::Ytd(e) => num(e)?,
        Expr::MonthOf(e) if period.month() == 1 => num(e)?,
        Expr::MonthOf(e) => num(e)? - eval_number(e, env, period.offset(-1), scope)?,
        Expr::Offset(e, n) => eval_number(e, env, period.offset(*n), scope)?,
        Expr::SumOver(e, group) => {
            let zones = env.group_zones(group).filter(|z| !z.is_empty())?;
            let mut total = 0.0;
            for z in zones {
                total += eval_number(e, env, period, &Scope::Zone(z))?;
            }
            total
        }
        Expr::Unary(UnOp::Not, _) => return None,
    };
    v.is_finite().then_some(v)
}

/// Evaluates a condition. `None` when it cannot be decided for missing data; `and`/`or` follow
/// three-valued logic (`false and ?` is false, `true or ?` is true). Comparisons allow a relative
/// rounding tolerance of 1e-9, so `a / b * 100 <= 100` holds when a equals b.
pub fn eval_bool<E: Env + ?Sized>(expr: &Expr, env: &E, period: Month, scope: &Scope) -> Option<bool> {
    let cond = |e: &Expr| eval_bool(e, env, period, scope);
    match expr {
        Expr::Unary(UnOp::Not, e) => cond(e).map(|b| !b),
        Expr::Binary(BinOp::And, l, r) => match (cond(l), cond(r)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        Expr::Binary(BinOp::Or, l, r) => match (cond(l), cond(r)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        Expr::Binary(op, l, r) if op.is_comparison() => {
            let (a, b) = (eval_number(l, env, period, scope)?, eval_number(r, env, period, scope)?);
            let same = (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
            Some(match op {
                BinOp::Lt => a < b && !same,
                BinOp::Le => a < b || same,
                BinOp::Gt => a > b && !same,
                BinOp::Ge => a > b || same,
                BinOp::Eq => same,
                _ => !same,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn n(v: f64) -> Box<Expr> {
        Box::new(Expr::Num(v))
    }
    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    /// Values keyed by (indicator, "YYYY-MM", scope); groups map to zones.
    #[derive(Default)]
    struct Fake {
        values: HashMap<(String, String, Scope), f64>,
        groups: HashMap<String, Vec<String>>,
    }
    impl Fake {
        fn set(mut self, ind: &str, period: &str, scope: Scope, v: f64) -> Self {
            self.values.insert((ind.into(), period.into(), scope), v);
            self
        }
        fn zone(self, z: &str, ind: &str, period: &str, v: f64) -> Self {
            self.set(ind, period, Scope::Zone(z.into()), v)
        }
    }
    impl Env for Fake {
        fn value(&self, indicator: &str, period: Month, scope: &Scope) -> Option<f64> {
            self.values.get(&(indicator.to_string(), period.to_string(), scope.clone())).copied()
        }
        fn group_zones(&self, group: &str) -> Option<Vec<String>> {
            self.groups.get(group).cloned()
        }
    }
    fn z(c: &str) -> Scope {
        Scope::Zone(c.into())
    }
    fn num(src: &str, env: &Fake) -> Option<f64> {
        eval_number(&parse(src).unwrap(), env, m(2019, 7), &z("a"))
    }
    fn cond(src: &str, env: &Fake) -> Option<bool> {
        eval_bool(&parse_condition(src).unwrap(), env, m(2019, 7), &z("a"))
    }
    fn perr(src: &str) -> String {
        parse(src).unwrap_err().to_string()
    }

    #[test]
    fn precedence_and_associativity() {
        use BinOp::*;
        assert_eq!(parse("1 + 2 * 3").unwrap(), Expr::Binary(Add, n(1.0), Box::new(Expr::Binary(Mul, n(2.0), n(3.0)))));
        let e = Fake::default();
        assert_eq!(num("1 + 2 * 3", &e), Some(7.0)); // 1 + 6
        assert_eq!(num("(1 + 2) * 3", &e), Some(9.0));
        assert_eq!(num("10 - 4 - 3", &e), Some(3.0)); // (10 − 4) − 3, not 10 − 1
        assert_eq!(num("12 / 3 / 2", &e), Some(2.0)); // (12 ÷ 3) ÷ 2
        assert_eq!(num("0.35 * 200", &e), Some(70.0));
        // and binds tighter than or: true or (false and false) = true
        assert_eq!(cond("1 < 2 or 1 > 2 and 2 > 3", &e), Some(true));
        assert_eq!(cond("(1 < 2 or 1 > 2) and 2 > 3", &e), Some(false));
        assert_eq!(cond("not 1 > 2 && 2 >= 2", &e), Some(true)); // (not false) and true
        assert_eq!(cond("!(1 < 2) || 3 != 3", &e), Some(false));
        assert_eq!(cond("2 * 3 == 6", &e), Some(true));
    }

    #[test]
    fn unary_minus() {
        let e = Fake::default().zone("a", "x", "2019-07", 4.0);
        assert_eq!(num("-2 * 3", &e), Some(-6.0));
        assert_eq!(num("-(1 + 2)", &e), Some(-3.0));
        assert_eq!(num("2 - -3", &e), Some(5.0));
        assert_eq!(num("-x + 10", &e), Some(6.0)); // (−4) + 10, not −(4 + 10)
        assert_eq!(num("abs(-x)", &e), Some(4.0));
        assert_eq!(num("min(x, 3, 5) + max(x, -1)", &e), Some(7.0)); // 3 + 4
    }

    #[test]
    fn errors_point_at_characters_not_bytes() {
        // "（a + b": （ is 3 bytes but 1 character; the missing ")" is at character 7 (after "b").
        assert_eq!(perr("（a + b"), "第7个字符处：缺少右括号“)”");
        // Full-width brackets and commas are accepted.
        assert_eq!(parse("（a + b）* max(a，b)").unwrap().to_string(), "(a + b) * max(a, b)");
        // "a / 增加值": 增 is character 5.
        let e = parse("a / 增加值").unwrap_err();
        assert_eq!(e.column, 5);
        assert!(e.message.starts_with("无法识别的字符“增”"), "{e}");
        // "（ab + foo(1)": foo starts at character 7 (byte 9).
        assert_eq!(
            parse("（ab + foo(1)").unwrap_err().to_string(),
            "第7个字符处：未知函数“foo”（可用：ytd、month、offset、sum_over、abs、min、max）"
        );
        assert_eq!(perr("offset(a)"), "第1个字符处：“offset”需要2个参数");
        assert_eq!(perr("x + abs(a, b)"), "第5个字符处：“abs”需要1个参数");
        assert_eq!(perr("min(a)"), "第1个字符处：“min”至少需要2个参数");
        assert_eq!(perr("offset(a, 1.5)"), "第11个字符处：“offset”的第2个参数应为整数月数，例如 -12 表示上年同期");
        assert_eq!(perr("sum_over(a, 3)"), "第13个字符处：“sum_over”的第2个参数应为开发区组代码，例如 xiongan");
        assert_eq!(perr(""), "第1个字符处：公式为空");
        // Found by fuzz/ (formula target): a number too large for f64 is refused, not read as ∞.
        assert_eq!(perr(&format!("a + {}", "9".repeat(400))), format!("第5个字符处：数字“{}”过大", "9".repeat(400)));
        assert_eq!(perr("a +"), "第4个字符处：公式不完整，此处还缺少数字、指标代码或“(”");
        assert_eq!(perr("a + b)"), "第6个字符处：多余的右括号“)”");
        assert_eq!(perr("a b"), "第3个字符处：“b”前缺少运算符");
        assert_eq!(perr("a = b"), "第3个字符处：“=”应写作“==”");
        assert_eq!(perr("a + (b < c)"), "第3个字符处：“+”两边应为数值");
        assert_eq!(perr("a and b > 1"), "第3个字符处：“and”两边应为条件（比较式）");
        assert_eq!(perr("a < b < c"), "第7个字符处：比较运算不能连写，请用 and 连接两个比较式");
        assert_eq!(perr("1.2.3"), "第1个字符处：数字“1.2.3”格式不对");
        assert_eq!(parse_number("a <= b").unwrap_err().message, "计算公式应得出数值，而这是一个条件（比较式）");
        assert_eq!(parse_condition("a + b").unwrap_err().message, "校验条件应为比较式，例如 hitech_va <= ind_va");
    }

    #[test]
    fn references_groups_and_printing() {
        let e = parse("hitech_va / ind_va * 100 + sum_over(gdp, xiongan) + offset(tax, -12)").unwrap();
        assert_eq!(e.references().into_iter().collect::<Vec<_>>(), ["gdp", "hitech_va", "ind_va", "tax"]);
        assert_eq!(e.groups().into_iter().collect::<Vec<_>>(), ["xiongan"]);
        for src in [
            "a - (b - c)",
            "a * b + c",
            "a / (b * c)",
            "-(a + b)",
            "not (a > 1 and b > 1) or c == 2",
            "(month(tax) / offset(month(tax), -12) - 1) * 100",
            "ytd(a) + abs(-b)",
        ] {
            let e = parse(src).unwrap();
            assert_eq!(e.to_string(), src);
            assert_eq!(parse(&e.to_string()).unwrap(), e);
        }
        assert_eq!(parse("((a * b)) + (c)").unwrap().to_string(), "a * b + c");
        assert!(parse("a <= b").unwrap().is_condition());
        assert!(!parse("a + b").unwrap().is_condition());
    }

    #[test]
    fn cycles_order_and_unknown_codes() {
        let defs = |d: &[(&str, &str)]| d.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        let err = check_cycles(&defs(&[("a", "b + 1"), ("b", "c * 2"), ("c", "a / 3")])).unwrap_err();
        assert_eq!(err.to_string(), "计算公式存在循环引用：a → b → c → a");
        assert_eq!(
            check_cycles(&defs(&[("a", "offset(a, -1) + 1")])).unwrap_err().to_string(),
            "计算公式存在循环引用：a → a"
        );
        // share reads reported inputs; double reads share, so share comes first.
        assert_eq!(
            check_cycles(&defs(&[("double", "share * 2"), ("share", "x / y * 100")])).unwrap(),
            ["share", "double"]
        );
        let e = check_cycles(&defs(&[("s", "x / （y")])).unwrap_err();
        assert_eq!(e.to_string(), "指标“s”的计算公式第7个字符处：缺少右括号“)”");
        assert_eq!(
            check_cycles(&defs(&[("s", "x"), ("s", "y")])).unwrap_err().to_string(),
            "指标“s”的计算公式重复定义"
        );

        let known: BTreeSet<String> = ["x", "y", "share"].map(String::from).into();
        assert!(check_formulas(&defs(&[("share", "x / y * 100"), ("d", "share * 2")]), &known).is_ok());
        let e = check_formulas(&defs(&[("share", "x / yy * 100"), ("d", "zz + foo + share")]), &known).unwrap_err();
        assert_eq!(e.to_string(), "计算公式引用了未知指标：指标“d”引用 foo、zz；指标“share”引用 yy");
        // The catalogue's own formulas are consistent.
        let cat = crate::catalog::indicators();
        let known: BTreeSet<String> = cat.iter().map(|i| i.code.clone()).collect();
        let defs: Vec<_> = cat.iter().filter_map(|i| i.formula.clone().map(|f| (i.code.clone(), f))).collect();
        assert_eq!(check_formulas(&defs, &known).unwrap(), ["hitech_share", "sei_share"]);
    }

    #[test]
    fn hitech_share_from_values() {
        let f = Formulas::new(&[("hitech_share".into(), "hitech_va / ind_va * 100".into())]).unwrap();
        let base = Fake::default()
            .zone("a", "hitech_va", "2019-07", 42.0)
            .zone("a", "ind_va", "2019-07", 120.0)
            .zone("b", "hitech_va", "2019-07", 5.0)
            .zone("b", "ind_va", "2019-07", 0.0)
            .zone("c", "ind_va", "2019-07", 80.0);
        let env = f.over(&base);
        let share = |zone: &str| env.value("hitech_share", m(2019, 7), &z(zone));
        // 42 ÷ 120 × 100 = 35.0
        assert!((share("a").unwrap() - 35.0).abs() < 1e-9);
        assert_eq!(share("b"), None, "division by zero gives no value");
        assert_eq!(share("c"), None, "missing hitech_va gives no value");
        // A formula over a formula: 35 × 2 = 70.
        let f2 = Formulas::new(&[
            ("double".into(), "hitech_share * 2".into()),
            ("hitech_share".into(), "hitech_va / ind_va * 100".into()),
        ])
        .unwrap();
        assert!((f2.over(&base).value("double", m(2019, 7), &z("a")).unwrap() - 70.0).abs() < 1e-9);
    }

    #[test]
    fn offset_month_and_sum_over() {
        let mut env = Fake::default()
            .zone("a", "tax", "2019-07", 50.0)
            .zone("a", "tax", "2019-06", 43.0)
            .zone("a", "tax", "2018-07", 40.0)
            .zone("a", "tax", "2019-01", 6.0)
            .zone("bazhou", "gdp", "2019-07", 10.0)
            .zone("wenan", "gdp", "2019-07", 20.0)
            .zone("dacheng", "gdp", "2019-07", 30.5);
        env.groups.insert("xiongan".into(), vec!["bazhou".into(), "wenan".into(), "dacheng".into()]);
        env.groups.insert("empty".into(), vec![]);
        // 同比 of 1–7月累计: (50 ÷ 40 − 1) × 100 = 25
        assert!((num("(tax / offset(tax, -12) - 1) * 100", &env).unwrap() - 25.0).abs() < 1e-9);
        // 当月 of July: 50 − 43 = 7; ytd is the 累计 itself.
        assert_eq!(num("month(tax)", &env), Some(7.0));
        assert_eq!(num("ytd(tax)", &env), Some(50.0));
        // January is its own 累计.
        assert_eq!(eval_number(&parse("month(tax)").unwrap(), &env, m(2019, 1), &z("a")), Some(6.0));
        // No June 2018 value, so the July 2018 当月 is unknown.
        assert_eq!(num("offset(month(tax), -12)", &env), None);
        // 10 + 20 + 30.5 = 60.5, whatever the current scope.
        assert_eq!(num("sum_over(gdp, xiongan)", &env), Some(60.5));
        assert_eq!(num("sum_over(gdp, nowhere)", &env), None);
        assert_eq!(num("sum_over(gdp, empty)", &env), None);
        env.values.remove(&("gdp".to_string(), "2019-07".to_string(), z("wenan")));
        assert_eq!(num("sum_over(gdp, xiongan)", &env), None, "a missing zone makes the sum unknown");
    }

    #[test]
    fn conditions_with_missing_data_and_rounding() {
        let env = Fake::default()
            .zone("a", "hitech_va", "2019-07", 0.1 + 0.2) // 0.30000000000000004
            .zone("a", "ind_va", "2019-07", 0.3)
            .zone("a", "neg", "2019-07", -1.0);
        assert_eq!(cond("hitech_va / ind_va * 100 <= 100", &env), Some(true));
        assert_eq!(cond("hitech_va == ind_va", &env), Some(true));
        assert_eq!(cond("hitech_va > ind_va", &env), Some(false));
        assert_eq!(cond("hitech_va < ind_va + 0.1", &env), Some(true));
        assert_eq!(cond("gdp >= ind_va", &env), None, "missing gdp: cannot decide");
        assert_eq!(cond("neg > 0 and gdp > 0", &env), Some(false)); // false and ? = false
        assert_eq!(cond("neg < 0 or gdp > 0", &env), Some(true)); // true or ? = true
        assert_eq!(cond("neg < 0 and gdp > 0", &env), None);
        assert_eq!(num("neg / 0", &env), None);
    }
}
