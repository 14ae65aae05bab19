//! A program in JavaScript, written from its tree. A Rust future runs
//! nothing until it is polled; a JavaScript Promise starts the moment it is
//! made. So each future here is a `Lazy`: a function that makes its Promise
//! when it is first awaited (`await x.run()`), given an `AbortSignal`, which
//! dropping it aborts (as dropping a Rust future cancels it). The
//! combinators stand on `Promise.allSettled`, `Promise.all`, `Promise.race`
//! with an `AbortController`, and `AbortSignal.timeout`.
//!
//! A `Result` is the value itself for `Ok`, and an `Error` object for
//! `Err`; `?` is `check(…)`, which throws it.

use super::check::{Checked, Ty};
use super::emit::{holds_future, Emitter, Style};
use super::spelling::{js_helper, js_name, js_str, template_literal};
use super::syntax::{BinOp, Block, Expr, ExprKind, Pat, Program, Stmt};

const HELPERS: &str = include_str!("twin_helpers.js");

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// `program` (checked) in JavaScript; `base` is where its relative URLs point.
pub fn write(program: &Program, checked: &Checked, base: &str) -> String {
    let mut writer = Writer {
        e: Emitter::new(
            program,
            checked,
            Style {
                indent: "  ",
                comment: "//",
                join: "",
            },
            1,
        ),
        scopes: vec![Vec::new()],
        blocks: 0,
        big: false,
    };
    let mut out = String::from(
        "// Your program in JavaScript, written from the Rust beside it: run it in a\n\
         // browser's console, or with Node 20 or later (node program.mjs).\n",
    );
    if let Some(value) = writer.body(&program.body) {
        writer.e.line(&format!("{value};"));
    }
    if writer.big {
        out.push_str(
            "// Not quite the Rust's: a number above 2^53 - 1 (9007199254740991) is\n\
             // rounded here (a JavaScript number is a double), where the Rust's u64\n\
             // holds it exactly.\n",
        );
    }
    out.push_str(&format!(
        "const BASE = {};\n\nasync function main() {{\n",
        js_str(base)
    ));
    writer.e.comments_before(usize::MAX);
    out.push_str(&writer.e.out);
    out.push_str("}\n");
    out.push_str(HELPERS);
    out
}

struct Writer<'a> {
    e: Emitter<'a>,
    /// Rust names and their JavaScript names, by scope.
    scopes: Vec<Vec<(String, String)>>,
    /// How many async blocks the text being written is inside: there an
    /// await is `x.runIn($drop)`, so that dropping the block drops what it
    /// awaits and stops it there, as dropping a Rust future does.
    blocks: usize,
    /// Whether the program has a number JavaScript cannot hold exactly.
    big: bool,
}

impl Writer<'_> {
    fn body(&mut self, block: &Block) -> Option<String> {
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
            for (name, moved) in &mut held {
                if !*moved && mentions_stmt(stmt, name) {
                    *moved = true;
                }
            }
            match stmt {
                Stmt::Let { pat, init, .. } => {
                    let value = self.expr(init);
                    match pat {
                        Pat::Wild(_) if self.e.ty(init).is_some_and(holds_future) => {
                            self.e
                                .noted_line(&format!("drop({value});"), "`let _ =` drops it at once");
                        }
                        Pat::Wild(_) => self.e.line(&format!("{value};")),
                        _ => {
                            let target = self.declare_pat(pat);
                            self.e.line(&format!("const {target} = {value};"));
                            for (name, ty) in names(pat, self) {
                                if ty.as_ref().is_some_and(holds_future) {
                                    held.push((name, false));
                                }
                            }
                        }
                    }
                }
                Stmt::Expr { expr, .. } => {
                    let value = self.expr(expr);
                    if self.e.ty(expr).is_some_and(|t| matches!(t, Ty::Fut(..))) {
                        self.e.line(&format!(
                            "drop({value}); // made and dropped: never run (rustc warns)"
                        ));
                    } else if value != "undefined" {
                        // `(await x.run());` reads better without its parentheses.
                        let bare = value
                            .strip_prefix("(await ")
                            .and_then(|v| v.strip_suffix(')'))
                            .filter(|v| !v.contains("(await "))
                            .map_or(value.clone(), |v| format!("await {v}"));
                        self.e.line(&format!("{bare};"));
                    }
                }
                Stmt::For {
                    pat,
                    start,
                    end,
                    body,
                    ..
                } => {
                    let (from, to) = (self.expr(start), self.expr(end));
                    self.scopes.push(Vec::new());
                    let var = match self.declare_pat(pat) {
                        name if name.is_empty() || name.starts_with('[') => self.e.fresh("i"),
                        name => name,
                    };
                    self.e
                        .line(&format!("for (let {var} = {from}; {var} < {to}; {var}++) {{"));
                    self.e.indent += 1;
                    self.scopes.push(Vec::new());
                    if let Some(value) = self.body(body) {
                        self.e.line(&format!("{value};"));
                    }
                    self.scopes.pop();
                    self.e.indent -= 1;
                    self.scopes.pop();
                    self.e.line("}");
                }
            }
            self.e.trailing(stmt_end);
        }
        let mut value = None;
        if let Some(tail) = &block.tail {
            self.e.comments_before(tail.span.start);
            for (name, moved) in &mut held {
                if !*moved && super::free::of_expr(tail, &[]).iter().any(|n| n == name) {
                    *moved = true;
                }
            }
            let text = self.expr(tail);
            if held.iter().any(|(_, moved)| !moved) {
                let name = self.e.fresh("value");
                self.e.line(&format!("const {name} = {text};"));
                value = Some(name);
            } else {
                value = Some(text);
            }
        }
        self.e.comments_before(block.span.end);
        for (name, moved) in held.iter().rev() {
            if !moved {
                self.e.line(&format!(
                    "drop({name}); // dropped at the end of its block, as in the Rust"
                ));
            }
        }
        value
    }

    /// What `write` writes, one level in: a function's body.
    fn inner(&mut self, write: impl FnOnce(&mut Writer<'_>)) -> String {
        let mut inner = Writer {
            e: self.e.nested(),
            scopes: self.scopes.clone(),
            blocks: self.blocks,
            big: false,
        };
        inner.scopes.push(Vec::new());
        write(&mut inner);
        self.big |= inner.big;
        self.e.absorb(inner.e)
    }

    /// The JavaScript name `name` has here (a shadowed one was renamed).
    fn name_of(&self, name: &str) -> String {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(rust, _)| rust == name)
            .map_or_else(|| js_name(name), |(_, js)| js.clone())
    }

    /// Declares `name` in the current scope: renamed if it is declared there
    /// already (Rust shadows; `const` may not be declared twice).
    fn declare(&mut self, name: &str) -> String {
        let taken = self
            .scopes
            .last()
            .is_some_and(|s| s.iter().any(|(rust, _)| rust == name));
        let js = if taken {
            self.e.fresh(&format!("{}_", js_name(name)))
        } else {
            js_name(name)
        };
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), js.clone()));
        }
        js
    }

    fn declare_pat(&mut self, pat: &Pat) -> String {
        match pat {
            Pat::Ident { name, .. } => self.declare(name),
            Pat::Wild(_) => String::new(),
            Pat::Tuple(items, _) => {
                let parts: Vec<String> = items.iter().map(|p| self.declare_pat(p)).collect();
                format!("[{}]", parts.join(", "))
            }
        }
    }

    fn exprs(&mut self, items: &[Expr]) -> Vec<String> {
        items.iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&mut self, expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Int(n) => {
                self.big |= *n > MAX_SAFE_INTEGER;
                n.to_string()
            }
            ExprKind::Str(s) => js_str(s),
            ExprKind::Var(name) => self.name_of(name),
            ExprKind::Paren(inner) => format!("({})", self.expr(inner)),
            ExprKind::Ref(inner) | ExprKind::Clone(inner) => self.expr(inner),
            ExprKind::Tuple(items) if items.is_empty() => "undefined".into(),
            ExprKind::Tuple(items) | ExprKind::Array(items) => format!("[{}]", self.exprs(items).join(", ")),
            ExprKind::Binary { op, lhs, rhs } => {
                let (l, r) = (self.expr(lhs), self.expr(rhs));
                match op {
                    BinOp::Add => format!("{l} + {r}"),
                    // The Rust's numbers are u64: below 0 it stops the program.
                    BinOp::Sub => format!("sub({l}, {r})"),
                    BinOp::Mul => format!("{l} * {r}"),
                    BinOp::Div => format!("div({l}, {r})"),
                    BinOp::Rem => format!("rem({l}, {r})"),
                }
            }
            ExprKind::Block(block) => {
                let name = self.e.fresh("block");
                self.e.line(&format!("let {name};"));
                self.e.line("{");
                self.e.indent += 1;
                self.scopes.push(Vec::new());
                if let Some(value) = self.body(block) {
                    self.e.line(&format!("{name} = {value};"));
                }
                self.scopes.pop();
                self.e.indent -= 1;
                self.e.line("}");
                name
            }
            ExprKind::Await(inner) => {
                let value = self.expr(inner);
                let value = self.run(&value);
                if self.e.awaits_result(inner) {
                    format!("(await settle({value}))")
                } else {
                    format!("(await {value})")
                }
            }
            ExprKind::Try(inner) => format!("check({})", self.expr(inner)),
            ExprKind::Async { block, .. } => {
                self.blocks += 1;
                let inner = self.inner(|inner| {
                    if let Some(value) = inner.body(block) {
                        inner.e.line(&format!("return {value};"));
                    }
                });
                self.blocks -= 1;
                format!(
                    "lazy(async ($drop) => {{\n{inner}{}}})",
                    "  ".repeat(self.e.indent)
                )
            }
            ExprKind::Closure { params, body, .. } => {
                self.scopes.push(Vec::new());
                let names: Vec<String> = params
                    .iter()
                    .map(|p| match self.declare_pat(p) {
                        name if name.is_empty() => "_".to_string(),
                        name => name,
                    })
                    .collect();
                let text = self.closure(&names, body);
                self.scopes.pop();
                text
            }
            ExprKind::Macro { name, args } => self.macro_call(name, args),
            ExprKind::Call { name, args, .. } => self.call(name, args),
        }
    }

    fn closure(&mut self, names: &[String], body: &Expr) -> String {
        {
            if let ExprKind::Block(block) = &body.kind {
                let inner = self.inner(|inner| {
                    if let Some(value) = inner.body(block) {
                        inner.e.line(&format!("return {value};"));
                    }
                });
                return format!(
                    "(({}) => {{\n{inner}{}}})",
                    names.join(", "),
                    "  ".repeat(self.e.indent)
                );
            }
            let body = self.expr(body);
            format!("(({}) => {body})", names.join(", "))
        }
    }

    /// `future` started where it is awaited: `.run()`, or inside an async
    /// block `.runIn($drop)` (see `blocks`).
    fn run(&self, future: &str) -> String {
        if self.blocks > 0 {
            format!("{future}.runIn($drop)")
        } else {
            format!("{future}.run()")
        }
    }

    fn macro_call(&mut self, name: &str, args: &[Expr]) -> String {
        match name {
            "join" | "try_join" => {
                let helper = if name == "join" { "join" } else { "tryJoin" };
                let joined = format!("{helper}({})", self.exprs(args).join(", "));
                format!("(await {})", self.run(&joined))
            }
            "vec" => format!("[{}]", self.exprs(args).join(", ")),
            "println" | "format" => {
                let text = match args.first() {
                    Some(Expr {
                        kind: ExprKind::Str(template),
                        ..
                    }) => {
                        let values = self.exprs(&args[1..]).into_iter();
                        template_literal(
                            template,
                            &values.zip(self.e.debug_types(&args[1..])).collect::<Vec<_>>(),
                        )
                    }
                    _ => "\"\"".into(),
                };
                if name == "println" {
                    format!("console.log({text})")
                } else {
                    text
                }
            }
            _ => "undefined".into(),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> String {
        let values = self.exprs(args);
        match name {
            "Ok" => values.into_iter().next().unwrap_or_else(|| "undefined".into()),
            // A Result in a Result: the inner Err is a value, new Err(e).
            "timeout" if args.get(1).is_some_and(|f| self.e.awaits_result(f)) => {
                format!("timeout({}, inner({}))", values[0], values[1])
            }
            // A closure the program holds (its own name, maybe renamed).
            _ if self.scopes.iter().flatten().any(|(rust, _)| rust == name) => {
                format!("{}({})", self.name_of(name), values.join(", "))
            }
            _ => format!("{}({})", js_helper(name), values.join(", ")),
        }
    }
}

fn names(pat: &Pat, writer: &Writer<'_>) -> Vec<(String, Option<Ty>)> {
    match pat {
        Pat::Ident { name, span, .. } => vec![(
            js_name(name),
            writer.e.checked.types.get(&(span.start, span.end)).cloned(),
        )],
        Pat::Tuple(items, _) => items.iter().flat_map(|p| names(p, writer)).collect(),
        Pat::Wild(_) => Vec::new(),
    }
}

fn mentions_stmt(stmt: &Stmt, name: &str) -> bool {
    let free = |e: &Expr| super::free::of_expr(e, &[]).iter().any(|n| n == name);
    match stmt {
        Stmt::Let { init, .. } => free(init),
        Stmt::Expr { expr, .. } => free(expr),
        Stmt::For { start, end, body, .. } => {
            free(start) || free(end) || super::free::block_mentions(body, name)
        }
    }
}
