//! A program in Python's asyncio, written from its tree: `main()` line for
//! line as the Rust, then the helpers that the prelude's names are here
//! (each with the asyncio construct it stands on: `gather`, a `TaskGroup`,
//! `asyncio.timeout`, `asyncio.wait(FIRST_COMPLETED)` and `cancel`, a
//! `Semaphore`, `create_task`). Like a Rust future, a coroutine runs nothing
//! until it is awaited; where the two differ (a Rust future held un-polled
//! vs a Python task that runs on), a comment says so.
//!
//! A value of type `Result` is the value itself for `Ok`, and the prelude's
//! exception (`Failure`) for `Err`, as `settle(...)` gives them; `?` is
//! `check(...)`, which raises it. Anything else raised is a Rust panic: it
//! ends the program.

use std::fmt::Write as _;

use super::check::{Checked, Ty};
use super::emit::{holds_future, Emitter, Style};
use super::spelling::{pattern, py_callee, py_name, python_format};
use super::syntax::{BinOp, Block, Expr, ExprKind, Pat, Program, Stmt};

/// The helpers, written after `main()`.
const HELPERS: &str = include_str!("twin_helpers.py");

/// What the traced twin adds: each future the program writes is made
/// through `_t(i, …)`, which notes when it ends and how (the states of the
/// Rust report: done, error, cancelled, or pending if it never ran), and the
/// run ends with one line of JSON: `{"totalMs", "tasks": [[label, state]],
/// "error"}`. The program itself is the twin a reader sees, line for line.
const TRACE: &str = include_str!("twin_trace.py");

/// `program` (checked) in Python; `base` is where its relative URLs point.
pub fn write(program: &Program, checked: &Checked, base: &str) -> String {
    write_with(program, checked, base, false)
}

/// The twin with the parity test's tracing ([`TRACE`]): the same program,
/// each future it writes made through `_t(i, …)`.
pub fn write_traced(program: &Program, checked: &Checked, base: &str) -> String {
    write_with(program, checked, base, true)
}

fn write_with(program: &Program, checked: &Checked, base: &str, trace: bool) -> String {
    let traced = trace.then(|| {
        checked
            .written
            .iter()
            .enumerate()
            .map(|(i, w)| ((w.span.start, w.span.end), i))
            .collect::<std::collections::HashMap<_, _>>()
    });
    let mut writer = Writer {
        e: Emitter::new(
            program,
            checked,
            Style {
                indent: "    ",
                comment: "#",
                join: "_",
            },
            1,
        ),
        traced,
    };
    // The program first, as the reader wrote it; what it needs (imports,
    // the server, the prelude's names) after it. Python looks those names
    // up when main() runs, so the module runs as shown.
    let mut out = String::from(
        "\"\"\"Your program in Python's asyncio, written from the Rust beside it:\n\
         main() first, then what it needs (Python 3.11 or later, aiohttp).\"\"\"\n\n\n\
         async def main():\n",
    );
    if let Some(value) = writer.body(&program.body) {
        if value != "None" {
            writer.e.line(&value);
        }
    }
    writer.e.comments_before(usize::MAX);
    if writer.e.out.is_empty() {
        writer.e.line("pass");
    }
    out.push_str(&writer.e.out);
    out.push_str(
        "\n\n# What main() needs. Python 3.11 or later (TaskGroup, except*) and\n\
         # aiohttp (pip install aiohttp); the downloads go to the server BASE\n\
         # names, where the Rust's relative URLs point (cargo xtask serve in\n\
         # async-demo's repository runs one).\n\
         import asyncio\n\
         import json\nimport re\nimport sys\nimport time\nimport unicodedata\nimport urllib.request\nfrom urllib.parse import urljoin\n\n\
         import aiohttp\n\n",
    );
    let _ = writeln!(out, "BASE = {}", super::super::lessons::twin::python_str(base));
    if trace {
        let labels: Vec<String> = checked
            .written
            .iter()
            .map(|w| super::super::lessons::twin::python_str(&w.label))
            .collect();
        let main = HELPERS.rfind("\n\nif __name__").unwrap_or(HELPERS.len());
        out.push_str(&HELPERS[..main]);
        let _ = write!(out, "\n\n_LABELS = [{}]", labels.join(", "));
        out.push_str(TRACE);
    } else {
        out.push_str(HELPERS);
    }
    out
}

struct Writer<'a> {
    e: Emitter<'a>,
    /// For the traced twin: the index of each future the program writes.
    traced: Option<std::collections::HashMap<(usize, usize), usize>>,
}

impl Writer<'_> {
    fn is_future(&self, expr: &Expr) -> bool {
        self.e.ty(expr).is_some_and(|t| matches!(t, Ty::Fut(..)))
    }

    /// Writes `block`'s statements; returns its value (an expression to
    /// write where it is wanted), computed before the futures its names
    /// still hold are dropped (as Rust drops its locals after the tail).
    fn body(&mut self, block: &Block) -> Option<String> {
        // The names bound here that hold futures, and whether each was moved.
        let mut held: Vec<(String, bool)> = Vec::new();
        for stmt in &block.stmts {
            let stmt_end = match stmt {
                Stmt::Let { span, .. } | Stmt::For { span, .. } => span.end,
                Stmt::Expr { expr, semi } => expr.span.end + usize::from(*semi),
            };
            let at = match stmt {
                Stmt::Let { span, .. } | Stmt::For { span, .. } => span.start,
                Stmt::Expr { expr, .. } => expr.span.start,
            };
            self.e.comments_before(at);
            // A held future used by value here is no longer held.
            for (name, moved) in &mut held {
                if !*moved && stmt_moves(stmt, name) {
                    *moved = true;
                }
            }
            match stmt {
                Stmt::Let { pat, init, .. } => {
                    let value = self.expr(init);
                    match pat {
                        Pat::Wild(_) if self.e.ty(init).is_some_and(holds_future) => {
                            self.e
                                .noted_line(&format!("drop({value})"), "`let _ =` drops it at once");
                        }
                        Pat::Wild(_) => self.e.line(&value),
                        _ => {
                            self.e.line(&format!("{} = {value}", pattern(pat)));
                            for (name, ty) in pattern_names(pat, self) {
                                if ty.as_ref().is_some_and(holds_future) {
                                    held.push((name, false));
                                }
                            }
                        }
                    }
                }
                Stmt::Expr { expr, .. } => self.statement(expr),
                Stmt::For {
                    pat,
                    start,
                    end,
                    body,
                    ..
                } => {
                    let (from, to) = (self.expr(start), self.expr(end));
                    self.e
                        .line(&format!("for {} in range({from}, {to}):", pattern(pat)));
                    self.e.indent += 1;
                    let before = self.e.out.len();
                    if let Some(value) = self.body(body) {
                        self.e.line(&value);
                    }
                    if self.e.out.len() == before {
                        self.e.line("pass");
                    }
                    self.e.indent -= 1;
                }
            }
            self.e.trailing(stmt_end);
        }
        let mut value = None;
        if let Some(tail) = &block.tail {
            self.e.comments_before(tail.span.start);
            for (name, moved) in &mut held {
                if !*moved && expr_moves(tail, name) {
                    *moved = true;
                }
            }
            let text = self.expr(tail);
            let dropped_after = held.iter().any(|(_, moved)| !moved);
            value = Some(if self.is_future(tail) {
                format!("drop({text})")
            } else if dropped_after {
                let name = self.e.fresh("value");
                self.e.line(&format!("{name} = {text}"));
                name
            } else {
                text
            });
        }
        self.e.comments_before(block.span.end);
        // What the Rust drops at the end of the block, still pending.
        for (name, moved) in held.iter().rev() {
            if !moved {
                self.e.line(&format!(
                    "drop({name})  # dropped at the end of its block, as in the Rust"
                ));
            }
        }
        value
    }

    /// An expression statement: its value dropped at its end.
    fn statement(&mut self, expr: &Expr) {
        let value = self.expr(expr);
        if self.is_future(expr) {
            self.e.line(&format!(
                "drop({value})  # made and dropped: never run (rustc warns)"
            ));
        } else if !value.is_empty() && value != "None" {
            self.e.line(&value);
        }
    }

    fn exprs(&mut self, items: &[Expr]) -> Vec<String> {
        items.iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&mut self, expr: &Expr) -> String {
        let text = self.expr_text(expr);
        let Some(i) = self
            .traced
            .as_ref()
            .and_then(|t| t.get(&(expr.span.start, expr.span.end)))
        else {
            return text;
        };
        // Traced: the future made through `_t` (join! awaits its own).
        match text.strip_prefix("await ") {
            Some(made) if matches!(expr.kind, ExprKind::Macro { .. }) => format!("await _t({i}, {made})"),
            _ => format!("_t({i}, {text})"),
        }
    }

    fn expr_text(&mut self, expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Int(n) => n.to_string(),
            ExprKind::Str(s) => super::super::lessons::twin::python_str(s),
            ExprKind::Var(name) => py_name(name),
            ExprKind::Paren(inner) => format!("({})", self.expr(inner)),
            ExprKind::Ref(inner) | ExprKind::Clone(inner) => self.expr(inner),
            ExprKind::Tuple(items) if items.is_empty() => "None".into(),
            ExprKind::Tuple(items) => {
                let parts = self.exprs(items);
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            ExprKind::Array(items) => format!("[{}]", self.exprs(items).join(", ")),
            ExprKind::Binary {
                op: BinOp::Sub,
                lhs,
                rhs,
            } => {
                // The Rust's numbers are u64: below 0 it stops the program.
                format!("sub({}, {})", self.expr(lhs), self.expr(rhs))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let op = match op {
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Mul => "*",
                    BinOp::Div => "//",
                    BinOp::Rem => "%",
                };
                format!("{} {op} {}", self.expr(lhs), self.expr(rhs))
            }
            ExprKind::Block(block) => self.body(block).unwrap_or_else(|| "None".into()),
            ExprKind::Await(inner) => {
                let value = self.expr(inner);
                if self.e.awaits_result(inner) {
                    format!("await settle({value})")
                } else {
                    format!("await {value}")
                }
            }
            ExprKind::Try(inner) => match &inner.kind {
                // `future.await?`: the exception goes on up, as the Err does.
                ExprKind::Await(awaited) => {
                    let value = self.expr(awaited);
                    format!("check(await {value})")
                }
                _ => format!("check({})", self.expr(inner)),
            },
            ExprKind::Async { block, .. } => {
                let name = self.e.fresh("block");
                let free: Vec<String> = super::free::of_block(block).iter().map(|f| py_name(f)).collect();
                self.e.line(&format!("async def {name}({}):", free.join(", ")));
                self.e.indent += 1;
                let before = self.e.out.len();
                if let Some(value) = self.body(block) {
                    self.e.line(&format!("return {value}"));
                } else if self.e.out.len() == before {
                    self.e.line("pass");
                }
                self.e.indent -= 1;
                format!("{name}({})", free.join(", "))
            }
            ExprKind::Closure { params, body, .. } => {
                let names: Vec<String> = params.iter().map(pattern).collect();
                let bound: Vec<String> = params
                    .iter()
                    .flat_map(|p| pattern_names(p, self).into_iter().map(|(n, _)| n))
                    .collect();
                let free = super::free::of_expr(body, &bound);
                let defaults: Vec<String> = free
                    .iter()
                    .map(|f| py_name(f))
                    .map(|f| format!("{f}={f}"))
                    .collect();
                let signature: Vec<String> = names.into_iter().chain(defaults).collect();
                match &body.kind {
                    ExprKind::Block(block) if !block.stmts.is_empty() => {
                        let name = self.e.fresh("closure");
                        self.e.line(&format!("def {name}({}):", signature.join(", ")));
                        self.e.indent += 1;
                        let value = self.body(block).unwrap_or_else(|| "None".into());
                        self.e.line(&format!("return {value}"));
                        self.e.indent -= 1;
                        name
                    }
                    _ => {
                        let value = self.expr(body);
                        format!("(lambda {}: {value})", signature.join(", "))
                    }
                }
            }
            ExprKind::Macro { name, args } => match name.as_str() {
                "join" => format!(
                    "await asyncio.gather({}, return_exceptions=True)",
                    self.exprs(args).join(", ")
                ),
                "try_join" => format!("await try_join({})", self.exprs(args).join(", ")),
                "vec" => format!("[{}]", self.exprs(args).join(", ")),
                "println" | "format" => {
                    let text = match args.first() {
                        Some(Expr {
                            kind: ExprKind::Str(template),
                            ..
                        }) => {
                            let values: Vec<_> = self
                                .exprs(&args[1..])
                                .into_iter()
                                .zip(self.e.debug_types(&args[1..]))
                                .collect();
                            python_format(template, &values)
                        }
                        _ => "\"\"".into(),
                    };
                    if name == "println" {
                        format!("print({text})")
                    } else {
                        text
                    }
                }
                _ => "None".into(),
            },
            ExprKind::Call { name, args, .. } => {
                let values = self.exprs(args);
                match name.as_str() {
                    "repeat" => match args.get(1).map(|a| &a.kind) {
                        // `repeat(n, |i| e)`: a comprehension, `[e for i in range(n)]`.
                        Some(ExprKind::Closure { params, body, .. })
                            if params.len() == 1
                                && !matches!(params[0], Pat::Tuple(..))
                                && !matches!(body.kind, ExprKind::Block(_) | ExprKind::Async { .. }) =>
                        {
                            let var = pattern(&params[0]);
                            let inline = self.expr(body);
                            format!("[{inline} for {var} in range({})]", values[0])
                        }
                        _ => format!(
                            "[{}(i) for i in range({})]",
                            values.get(1).cloned().unwrap_or_default(),
                            values[0]
                        ),
                    },
                    "Ok" => values.into_iter().next().unwrap_or_else(|| "None".into()),
                    // A Result in a Result: the inner Err is a value, Err(e).
                    "timeout" if args.get(1).is_some_and(|f| self.e.awaits_result(f)) => {
                        format!("timeout({}, inner({}))", values[0], values[1])
                    }
                    other => format!("{}({})", py_callee(other), values.join(", ")),
                }
            }
        }
    }
}

fn pattern_names(pat: &Pat, writer: &Writer<'_>) -> Vec<(String, Option<Ty>)> {
    match pat {
        Pat::Ident { name, span, .. } => vec![(
            name.clone(),
            writer.e.checked.types.get(&(span.start, span.end)).cloned(),
        )],
        Pat::Tuple(items, _) => items.iter().flat_map(|p| pattern_names(p, writer)).collect(),
        Pat::Wild(_) => Vec::new(),
    }
}

/// Whether `stmt` uses variable `name` by value (moves it on).
fn stmt_moves(stmt: &Stmt, name: &str) -> bool {
    match stmt {
        Stmt::Let { init, .. } => expr_moves(init, name),
        Stmt::Expr { expr, .. } => expr_moves(expr, name),
        Stmt::For { start, end, body, .. } => {
            expr_moves(start, name) || expr_moves(end, name) || super::free::block_mentions(body, name)
        }
    }
}

fn expr_moves(expr: &Expr, name: &str) -> bool {
    super::free::of_expr(expr, &[]).iter().any(|n| n == name)
}
