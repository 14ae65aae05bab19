//! What rustc would say of a program before it runs: names, types (with
//! inference), `.await` and `?` where they may stand, values used after a
//! move, async blocks and closures that would outlive what they borrow.
//! The checker is a guard, not a compiler: what it accepts must compile as
//! Rust against the prelude (the compiled-twin test holds it to that), and
//! its sentences are rustc's where rustc has one.
//!
//! It also records, for the interpreter and the twins, each future the
//! program writes ([`Written`]): every call of a prelude function that makes
//! a future, every `join!`/`try_join!`, every async block.

use std::collections::HashMap;
use std::fmt;

use super::syntax::{BinOp, Block, Diagnostic, Expr, ExprKind, Pat, Program, Span, Stmt, TypeExpr};

/// A type of the subset.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `()`
    Unit,
    /// `u64`: every number of the subset.
    Int,
    /// `&'static str`: a literal.
    Str,
    /// `String`.
    String,
    /// The prelude's `Error`.
    Error,
    /// `(A, B, …)` (never empty: that is `Unit`).
    Tuple(Vec<Ty>),
    /// `[T; n]`, an array literal.
    Array(Box<Ty>),
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// `Result<T, E>`.
    Result(Box<Ty>, Box<Ty>),
    /// `Either<L, R>`, what `select` gives.
    Either(Box<Ty>, Box<Ty>),
    /// `&T`.
    Ref(Box<Ty>),
    /// A future with this output: the prelude's `Task<T>`, or one async
    /// block (each has a type of its own).
    Fut(Box<Ty>, FutKind),
    /// A closure (its signature is in the checker's table).
    Closure(usize),
    /// Not known yet.
    Var(usize),
}

/// Which future type: the prelude's boxed one, or an async block's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FutKind {
    /// `Task<T>` (`Pin<Box<dyn Future<Output = T>>>`).
    Task,
    /// The async block written at this byte.
    Block(usize),
}

/// A future the program writes: where, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Where in the program.
    pub span: Span,
    /// Its label: the text as written.
    pub label: String,
}

/// A program that passed: its warnings, and the futures it writes.
#[derive(Debug, Clone)]
pub struct Checked {
    /// What rustc would warn about (the program runs).
    pub warnings: Vec<Diagnostic>,
    /// Every future the program writes, in the order of the text.
    pub written: Vec<Written>,
    /// The type of each `let` pattern's names and of each expression that
    /// the twins need (by the start and end of its span).
    pub types: HashMap<(usize, usize), Ty>,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Unit => write!(f, "()"),
            Ty::Int => write!(f, "u64"),
            Ty::Str => write!(f, "&str"),
            Ty::String => write!(f, "String"),
            Ty::Error => write!(f, "Error"),
            Ty::Tuple(items) => {
                write!(f, "(")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                if items.len() == 1 {
                    write!(f, ",")?;
                }
                write!(f, ")")
            }
            Ty::Array(t) => write!(f, "[{t}; _]"),
            Ty::Vec(t) => write!(f, "Vec<{t}>"),
            Ty::Result(t, e) => write!(f, "Result<{t}, {e}>"),
            Ty::Either(l, r) => write!(f, "Either<{l}, {r}>"),
            Ty::Ref(t) => write!(f, "&{t}"),
            Ty::Fut(out, FutKind::Task) => write!(f, "Task<{out}>"),
            Ty::Fut(out, FutKind::Block(_)) => write!(f, "`async` block (impl Future<Output = {out}>)"),
            Ty::Closure(_) => write!(f, "closure"),
            Ty::Var(_) => write!(f, "_"),
        }
    }
}

/// The prelude's functions that make a future.
pub const FUTURE_FNS: &[&str] = &[
    "sleep",
    "fetch",
    "click",
    "block",
    "fail",
    "ready",
    "join_all",
    "try_join_all",
    "select",
    "select_all",
    "buffer_unordered",
    "timeout",
    "retry",
];
/// The prelude's other functions (and Rust's own `drop`, `Ok`).
pub const OTHER_FNS: &[&str] = &["spawn_local", "repeat", "drop", "Ok"];
/// The macros of the subset.
pub const MACROS: &[&str] = &["join", "try_join", "println", "format", "vec"];

/// Checks `program`: its warnings and written futures, or the first error.
pub fn check(program: &Program) -> Result<Checked, Diagnostic> {
    let mut checker = Checker {
        source: &program.source,
        vars: Vec::new(),
        scopes: vec![Vec::new()],
        bindings: Vec::new(),
        closures: Vec::new(),
        contexts: vec![Context::Async {
            output: Ty::Result(Box::new(Ty::Unit), Box::new(Ty::Error)),
            try_error: None,
            is_block: false,
        }],
        warnings: Vec::new(),
        written: Vec::new(),
        types: HashMap::new(),
        question_vars: Vec::new(),
        loop_depths: Vec::new(),
        closure_scopes: Vec::new(),
    };
    let body = &program.body;
    checker.block_inner(body, true)?;
    // A `?` whose error type nothing decided: rustc asks for an annotation.
    for (span, var) in std::mem::take(&mut checker.question_vars) {
        if matches!(checker.resolve(&Ty::Var(var)), Ty::Var(_)) {
            return Err(Diagnostic::error(span, "type annotations needed")
                .code("E0282")
                .help("the `?` inside this async block cannot tell its error type: end the block with `Ok::<_, Error>(…)`"));
        }
    }
    let types = checker
        .types
        .iter()
        .map(|(k, t)| (*k, checker.resolve(t)))
        .collect();
    checker
        .written
        .sort_by_key(|w| (w.span.start, std::cmp::Reverse(w.span.end)));
    Ok(Checked {
        warnings: checker.warnings,
        written: checker.written,
        types,
    })
}

/// Where an expression stands: in async code (with the output its `?`
/// returns into) or in a closure's body (no `.await`, no `?`).
enum Context {
    Async {
        /// The async fn's or block's output.
        output: Ty,
        /// The error type a `?` here converts into, once known.
        try_error: Option<Ty>,
        /// An async block (not the program's body).
        is_block: bool,
    },
    Closure,
}

/// A variable: its type, and whether (and where) it was moved.
struct Binding {
    name: String,
    ty: Ty,
    moved: Option<Span>,
    /// How many loops and closures enclose its declaration.
    loop_depth: usize,
    closure_depth: usize,
}

/// A closure's signature, known as it is used.
#[derive(Debug, Clone)]
struct ClosureSig {
    params: Vec<Ty>,
    ret: Ty,
    /// It moves a captured value out of itself when called: callable once.
    once: bool,
    /// It captures only Copy values, or by reference: it is Copy itself.
    copy: bool,
}

struct Checker<'a> {
    source: &'a str,
    vars: Vec<Option<Ty>>,
    /// Names in scope, innermost last, as indices into `bindings`.
    scopes: Vec<Vec<usize>>,
    bindings: Vec<Binding>,
    closures: Vec<ClosureSig>,
    contexts: Vec<Context>,
    warnings: Vec<Diagnostic>,
    written: Vec<Written>,
    types: HashMap<(usize, usize), Ty>,
    /// `?`s inside async blocks, with the variable of their error type.
    question_vars: Vec<(Span, usize)>,
    /// The loop nesting at each open loop (for moves in loops).
    loop_depths: Vec<usize>,
    /// For each open closure: the bindings it captured, by how (moved or
    /// not), and its id.
    closure_scopes: Vec<(usize, Vec<(usize, bool)>)>,
}

type Check<T> = Result<T, Diagnostic>;

fn mismatch(span: Span, expected: &Ty, found: &Ty) -> Diagnostic {
    let d = Diagnostic::error(
        span,
        format!("mismatched types: expected `{expected}`, found `{found}`"),
    )
    .code("E0308");
    match (expected, found) {
        (Ty::Fut(_, FutKind::Block(_)), Ty::Fut(_, FutKind::Block(_))) => {
            d.help("no two async blocks, even if identical, have the same type: make each a Task with a prelude function, or await them apart")
        }
        (e, Ty::Fut(out, _)) if !matches!(e, Ty::Fut(..) | Ty::Var(_)) && **out == *e => {
            d.help("this is a future: consider `.await`ing it")
        }
        (e, Ty::Fut(..)) if !matches!(e, Ty::Fut(..) | Ty::Var(_)) => d.help("this is a future: consider `.await`ing it"),
        (Ty::String, Ty::Str) => d.help("try using a conversion method: `.to_string()` is not in the subset; use `format!(\"…\")`"),
        _ => d,
    }
}

impl Checker<'_> {
    // ---- inference -----------------------------------------------------

    fn fresh(&mut self) -> Ty {
        self.vars.push(None);
        Ty::Var(self.vars.len() - 1)
    }

    fn resolve(&self, ty: &Ty) -> Ty {
        match ty {
            Ty::Var(v) => match &self.vars[*v] {
                Some(t) => self.resolve(t),
                None => ty.clone(),
            },
            Ty::Tuple(items) => Ty::Tuple(items.iter().map(|t| self.resolve(t)).collect()),
            Ty::Array(t) => Ty::Array(Box::new(self.resolve(t))),
            Ty::Vec(t) => Ty::Vec(Box::new(self.resolve(t))),
            Ty::Result(t, e) => Ty::Result(Box::new(self.resolve(t)), Box::new(self.resolve(e))),
            Ty::Either(l, r) => Ty::Either(Box::new(self.resolve(l)), Box::new(self.resolve(r))),
            Ty::Ref(t) => Ty::Ref(Box::new(self.resolve(t))),
            Ty::Fut(out, kind) => Ty::Fut(Box::new(self.resolve(out)), *kind),
            other => other.clone(),
        }
    }

    fn occurs(&self, var: usize, ty: &Ty) -> bool {
        match self.resolve(ty) {
            Ty::Var(v) => v == var,
            Ty::Tuple(items) => items.iter().any(|t| self.occurs(var, t)),
            Ty::Array(t) | Ty::Vec(t) | Ty::Ref(t) | Ty::Fut(t, _) => self.occurs(var, &t),
            Ty::Result(a, b) | Ty::Either(a, b) => self.occurs(var, &a) || self.occurs(var, &b),
            _ => false,
        }
    }

    /// Makes `found` the type `expected` wants, or says why not.
    fn unify(&mut self, span: Span, expected: &Ty, found: &Ty) -> Check<()> {
        let (e, f) = (self.resolve(expected), self.resolve(found));
        let fail = |this: &Self| mismatch(span, &this.resolve(&e), &this.resolve(&f));
        match (&e, &f) {
            (Ty::Var(a), Ty::Var(b)) if a == b => Ok(()),
            (Ty::Var(a), other) | (other, Ty::Var(a)) => {
                if self.occurs(*a, other) {
                    return Err(fail(self));
                }
                self.vars[*a] = Some(other.clone());
                Ok(())
            }
            (Ty::Unit, Ty::Unit)
            | (Ty::Int, Ty::Int)
            | (Ty::Str, Ty::Str)
            | (Ty::String, Ty::String)
            | (Ty::Error, Ty::Error) => Ok(()),
            (Ty::Tuple(a), Ty::Tuple(b)) if a.len() == b.len() => {
                for (x, y) in a.iter().zip(b) {
                    self.unify(span, x, y).map_err(|_| fail(self))?;
                }
                Ok(())
            }
            (Ty::Array(a), Ty::Array(b)) | (Ty::Vec(a), Ty::Vec(b)) | (Ty::Ref(a), Ty::Ref(b)) => {
                self.unify(span, a, b).map_err(|_| fail(self))
            }
            (Ty::Result(a, b), Ty::Result(c, d)) | (Ty::Either(a, b), Ty::Either(c, d)) => {
                self.unify(span, a, c).map_err(|_| fail(self))?;
                self.unify(span, b, d).map_err(|_| fail(self))
            }
            (Ty::Fut(a, k1), Ty::Fut(b, k2)) if k1 == k2 => self.unify(span, a, b).map_err(|_| fail(self)),
            (Ty::Closure(a), Ty::Closure(b)) if a == b => Ok(()),
            _ => Err(fail(self)),
        }
    }

    fn is_copy(&self, ty: &Ty) -> bool {
        match self.resolve(ty) {
            Ty::Unit | Ty::Int | Ty::Str | Ty::Ref(_) => true,
            Ty::Tuple(items) => items.iter().all(|t| self.is_copy(t)),
            Ty::Closure(id) => self.closures[id].copy,
            _ => false,
        }
    }

    // ---- scopes and moves ------------------------------------------------

    fn bind(&mut self, name: &str, ty: Ty) -> usize {
        let id = self.bindings.len();
        self.bindings.push(Binding {
            name: name.to_string(),
            ty,
            moved: None,
            loop_depth: self.loop_depths.len(),
            closure_depth: self.closure_scopes.len(),
        });
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(id);
        }
        id
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .copied()
            .find(|&b| self.bindings[b].name == name)
    }

    /// A use of variable `id` at `span`: by value (a move, unless Copy) or not.
    fn use_var(&mut self, id: usize, span: Span, by_value: bool) -> Check<()> {
        let name = self.bindings[id].name.clone();
        if let Some(at) = self.bindings[id].moved {
            let at = super::syntax::line_col(self.source, at.start);
            return Err(Diagnostic::error(span, format!("use of moved value: `{name}`"))
                .code("E0382")
                .help(format!(
                    "the value was moved at {}:{}; a future can be awaited (or handed on) once",
                    at.line, at.col
                )));
        }
        let ty = self.bindings[id].ty.clone();
        let moves = by_value && !self.is_copy(&ty);
        // Inside a closure, a variable from outside it is captured.
        if self.bindings[id].closure_depth < self.closure_scopes.len() {
            if let Some((_, captures)) = self.closure_scopes.last_mut() {
                captures.push((id, moves));
            }
        }
        if moves {
            if self.bindings[id].loop_depth < self.loop_depths.len()
                && self.bindings[id].closure_depth == self.closure_scopes.len()
            {
                return Err(Diagnostic::error(span, format!("use of moved value: `{name}`"))
                    .code("E0382")
                    .help("value moved here, in previous iteration of loop: a value from outside a loop can be moved into it once"));
            }
            if self.bindings[id].closure_depth == self.closure_scopes.len() {
                self.bindings[id].moved = Some(span);
            }
        }
        Ok(())
    }

    fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    fn bind_pat(&mut self, pat: &Pat, ty: &Ty) -> Check<()> {
        match pat {
            Pat::Wild(_) => Ok(()),
            Pat::Ident { name, span, mutable } => {
                if *mutable {
                    self.warnings.push(
                        Diagnostic::error(*span, "variable does not need to be mutable")
                            .help("remove this `mut`: the sandbox never changes a variable")
                            .warning(),
                    );
                }
                self.types.insert((span.start, span.end), ty.clone());
                self.bind(name, ty.clone());
                Ok(())
            }
            Pat::Tuple(items, span) => {
                let parts: Vec<Ty> = items.iter().map(|_| self.fresh()).collect();
                let tuple = if parts.is_empty() {
                    Ty::Unit
                } else {
                    Ty::Tuple(parts.clone())
                };
                self.unify(*span, ty, &tuple)?;
                for (item, part) in items.iter().zip(&parts) {
                    self.bind_pat(item, part)?;
                }
                Ok(())
            }
        }
    }

    // ---- statements and blocks ---------------------------------------------

    fn block(&mut self, block: &Block) -> Check<Ty> {
        self.push_scope();
        let ty = self.block_inner(block, false);
        self.pop_scope();
        ty
    }

    fn block_inner(&mut self, block: &Block, top: bool) -> Check<Ty> {
        for stmt in &block.stmts {
            self.stmt(stmt)?;
        }
        let ty = match &block.tail {
            Some(tail) => self.expr(tail)?,
            None => Ty::Unit,
        };
        if top {
            // The program's body: its value is dropped; a future left there
            // is never run.
            if let Some(tail) = &block.tail {
                self.unused_future(tail, &ty);
            }
        }
        Ok(ty)
    }

    fn stmt(&mut self, stmt: &Stmt) -> Check<()> {
        match stmt {
            Stmt::Let { pat, ty, init, .. } => {
                let found = self.expr(init)?;
                if let Some(written) = ty {
                    let expected = self.type_of(written, init.span)?;
                    self.unify(init.span, &expected, &found)?;
                }
                self.bind_pat(pat, &found)
            }
            Stmt::Expr { expr, semi } => {
                let ty = self.expr(expr)?;
                if *semi {
                    self.unused_future(expr, &ty);
                } else {
                    self.unify(expr.span, &Ty::Unit, &ty)?;
                }
                Ok(())
            }
            Stmt::For {
                pat,
                start,
                end,
                body,
                ..
            } => {
                let from = self.expr(start)?;
                self.unify(start.span, &Ty::Int, &from)?;
                let to = self.expr(end)?;
                self.unify(end.span, &Ty::Int, &to)?;
                self.loop_depths.push(self.closure_scopes.len());
                self.push_scope();
                self.bind_pat(pat, &Ty::Int)?;
                let ty = self.block(body);
                self.pop_scope();
                self.loop_depths.pop();
                let ty = ty?;
                self.unify(body.span, &Ty::Unit, &ty)
            }
        }
    }

    /// rustc's warning for a future made and dropped as a statement, in
    /// its words (rustc 1.95): the prelude's futures are `Task`s, pinned
    /// boxed trait objects; an async block is an `impl Future`; a name
    /// alone is a path statement.
    fn unused_future(&mut self, expr: &Expr, ty: &Ty) {
        if matches!(self.resolve(ty), Ty::Fut(..)) {
            let mut inner = expr;
            while let ExprKind::Paren(e) = &inner.kind {
                inner = e;
            }
            let message = match inner.kind {
                ExprKind::Async { .. } => "unused implementer of `Future` that must be used",
                ExprKind::Var(_) => "path statement drops value",
                _ => "unused pinned boxed `Future` trait object that must be used",
            };
            self.warnings.push(
                Diagnostic::error(expr.span, message)
                    .help("futures do nothing unless you `.await` or poll them: this one is dropped, never polled")
                    .warning(),
            );
        }
    }

    fn type_of(&mut self, written: &TypeExpr, span: Span) -> Check<Ty> {
        Ok(match written {
            TypeExpr::Infer => self.fresh(),
            TypeExpr::Tuple(items) if items.is_empty() => Ty::Unit,
            TypeExpr::Tuple(items) => Ty::Tuple(items.iter().map(|t| self.type_of(t, span)).collect::<Check<_>>()?),
            TypeExpr::Ref(inner) => match **inner {
                TypeExpr::Path(ref name, ref args) if name == "str" && args.is_empty() => Ty::Str,
                ref other => Ty::Ref(Box::new(self.type_of(other, span)?)),
            },
            TypeExpr::Path(name, args) => match (name.as_str(), args.as_slice()) {
                ("u64", []) => Ty::Int,
                ("String", []) => Ty::String,
                ("Error", []) => Ty::Error,
                ("Vec", [t]) => Ty::Vec(Box::new(self.type_of(t, span)?)),
                ("Result", [t, e]) => Ty::Result(Box::new(self.type_of(t, span)?), Box::new(self.type_of(e, span)?)),
                ("Task", [t]) => Ty::Fut(Box::new(self.type_of(t, span)?), FutKind::Task),
                ("u8" | "u16" | "u32" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128" | "isize", []) => {
                    return Err(Diagnostic::error(span, format!("the sandbox's numbers are u64, not {name}")))
                }
                _ => {
                    return Err(Diagnostic::error(span, format!("cannot find type `{name}` in this scope"))
                        .code("E0412")
                        .help("the sandbox's types are (), u64, &str, String, Error, Vec<T>, Result<T, Error>, Task<T> and tuples"))
                }
            },
        })
    }

    // ---- expressions ---------------------------------------------------------

    fn in_async(&self) -> bool {
        matches!(self.contexts.last(), Some(Context::Async { .. }))
    }

    fn written(&mut self, span: Span) {
        self.written.push(Written {
            span,
            label: super::syntax::label(self.source, span),
        });
    }

    /// An expression used as a value (moved, if it is a variable).
    fn expr(&mut self, expr: &Expr) -> Check<Ty> {
        let ty = self.expr_inner(expr, true)?;
        self.types.insert((expr.span.start, expr.span.end), ty.clone());
        Ok(ty)
    }

    fn expr_inner(&mut self, expr: &Expr, by_value: bool) -> Check<Ty> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Int(_) => Ok(Ty::Int),
            ExprKind::Str(_) => Ok(Ty::Str),
            ExprKind::Var(name) => match self.lookup(name) {
                Some(id) => {
                    self.use_var(id, span, by_value)?;
                    Ok(self.bindings[id].ty.clone())
                }
                None => Err(self.unknown_value(name, span)),
            },
            ExprKind::Paren(inner) => self.expr_inner(inner, by_value),
            ExprKind::Ref(inner) => {
                let ty = self.expr_inner(inner, false)?;
                Ok(match self.resolve(&ty) {
                    Ty::Str => Ty::Ref(Box::new(Ty::Str)),
                    other => Ty::Ref(Box::new(other)),
                })
            }
            ExprKind::Clone(inner) => {
                let ty = self.expr_inner(inner, false)?;
                match self.resolve(&ty) {
                    Ty::Fut(..) | Ty::Closure(_) | Ty::Var(_) => Err(Diagnostic::error(
                        span,
                        format!(
                            "the method `clone` exists for `{}`, but its trait bounds were not satisfied",
                            self.resolve(&ty)
                        ),
                    )
                    .code("E0599")
                    .help("a future cannot be cloned: make a new one")),
                    Ty::Ref(inner) => Ok(*inner),
                    other => Ok(other),
                }
            }
            ExprKind::Tuple(items) if items.is_empty() => Ok(Ty::Unit),
            ExprKind::Tuple(items) => Ok(Ty::Tuple(
                items.iter().map(|e| self.expr(e)).collect::<Check<_>>()?,
            )),
            ExprKind::Array(items) => {
                let elem = self.fresh();
                for item in items {
                    let ty = self.expr(item)?;
                    self.unify(item.span, &elem, &ty)?;
                }
                Ok(Ty::Array(Box::new(elem)))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (l, r) = (self.expr(lhs)?, self.expr(rhs)?);
                for (side, ty) in [(lhs, &l), (rhs, &r)] {
                    if self.unify(side.span, &Ty::Int, ty).is_err() {
                        return Err(Diagnostic::error(
                            side.span,
                            format!(
                                "cannot apply `{}` to `{}`: the sandbox's arithmetic is on u64",
                                op.symbol(),
                                self.resolve(ty)
                            ),
                        )
                        .code("E0369")
                        .help(if matches!(self.resolve(ty), Ty::Fut(..)) {
                            "this is a future: consider `.await`ing it"
                        } else {
                            "both sides must be numbers"
                        }));
                    }
                }
                let _ = op == &BinOp::Add;
                Ok(Ty::Int)
            }
            ExprKind::Block(block) => self.block(block),
            ExprKind::Await(inner) => {
                if !self.in_async() {
                    return Err(Diagnostic::error(span, "`await` is only allowed inside `async` functions and blocks")
                        .code("E0728")
                        .help("a closure's body is not async: return the future (`|| sleep(1)`) or an async block (`|| async move { … }`)"));
                }
                let ty = self.expr(inner)?;
                match self.resolve(&ty) {
                    Ty::Fut(out, _) => Ok(*out),
                    Ty::Var(_) => Err(Diagnostic::error(span, "type annotations needed").code("E0282")),
                    other => Err(Diagnostic::error(span, format!("`{other}` is not a future"))
                        .code("E0277")
                        .help("remove the `.await`: only a future can be awaited")),
                }
            }
            ExprKind::Try(inner) => self.question(span, inner),
            ExprKind::Async { is_move, block } => self.async_block(span, *is_move, block),
            ExprKind::Closure {
                is_move,
                params,
                body,
            } => self.closure(span, *is_move, params, body),
            ExprKind::Macro { name, args } => self.macro_call(span, name, args),
            ExprKind::Call {
                name,
                name_span,
                turbofish,
                args,
            } => self.call(span, name, *name_span, turbofish, args),
        }
    }

    fn unknown_value(&self, name: &str, span: Span) -> Diagnostic {
        let d = Diagnostic::error(span, format!("cannot find value `{name}` in this scope")).code("E0425");
        if FUTURE_FNS.contains(&name) || OTHER_FNS.contains(&name) {
            return d.help(format!("`{name}` is a function: call it, `{name}(…)`"));
        }
        match self.similar(name) {
            Some(near) => d.help(format!("a local variable with a similar name exists: `{near}`")),
            None => d,
        }
    }

    fn similar(&self, name: &str) -> Option<String> {
        let names = self
            .scopes
            .iter()
            .flatten()
            .map(|&b| self.bindings[b].name.clone());
        names
            .filter(|n| distance(n, name) <= 2 && n != name)
            .min_by_key(|n| distance(n, name))
    }

    fn question(&mut self, span: Span, inner: &Expr) -> Check<Ty> {
        let ty = self.expr(inner)?;
        let (value, error) = match self.resolve(&ty) {
            Ty::Result(value, error) => (*value, *error),
            Ty::Fut(out, _) if matches!(*out, Ty::Result(..)) => {
                return Err(Diagnostic::error(
                    span,
                    "the `?` operator can only be applied to values that implement `Try`",
                )
                .code("E0277")
                .help("this is a future: consider `.await`ing it first: `future.await?`"))
            }
            other => {
                return Err(Diagnostic::error(
                    span,
                    format!(
                        "the `?` operator can only be applied to values that implement `Try` (not `{other}`)"
                    ),
                )
                .code("E0277"))
            }
        };
        match self.contexts.last_mut() {
            Some(Context::Closure) | None => Err(Diagnostic::error(
                span,
                "the `?` operator can only be used in a closure that returns `Result`",
            )
            .code("E0277")
            .help("a closure of the sandbox returns a future: put the `?` inside an async block")),
            Some(Context::Async {
                output,
                try_error,
                is_block,
            }) => {
                let (output, is_block) = (output.clone(), *is_block);
                let known = try_error.clone();
                match known {
                    Some(e) => self.unify(span, &e, &error)?,
                    None => {
                        // The error type of the block's output: from its end,
                        // `Ok::<_, Error>`, or anything that says.
                        let e = self.fresh();
                        let v = self.fresh();
                        self.unify(span, &output, &Ty::Result(Box::new(v), Box::new(e.clone())))
                            .map_err(|_| {
                                Diagnostic::error(span, "the `?` operator can only be used in an async block that returns `Result`")
                                    .code("E0277")
                            })?;
                        if let Some(Context::Async { try_error, .. }) = self.contexts.last_mut() {
                            *try_error = Some(e.clone());
                        }
                        if is_block {
                            if let Ty::Var(var) = e {
                                self.question_vars.push((span, var));
                            }
                        }
                        let e_now = self.resolve(&e);
                        if !matches!(e_now, Ty::Var(_)) {
                            self.unify(span, &e_now, &error)?;
                        }
                    }
                }
                Ok(value)
            }
        }
    }

    fn async_block(&mut self, span: Span, is_move: bool, block: &Block) -> Check<Ty> {
        self.written(span);
        let output = self.fresh();
        self.contexts.push(Context::Async {
            output: output.clone(),
            try_error: None,
            is_block: true,
        });
        // An async block is checked as a closure is for captures: what it
        // uses from outside, and how.
        self.closure_scopes.push((usize::MAX, Vec::new()));
        let scope_depth = self.closure_scopes.len();
        let body = self.block(block);
        let (_, captures) = self.closure_scopes.pop().unwrap_or((0, Vec::new()));
        let context = self.contexts.pop();
        let ty = body?;
        self.unify(block.span, &output, &ty)?;
        if let Some(Context::Async {
            try_error: Some(e), ..
        }) = context
        {
            // The `?`s' error type is the output's.
            if let Ty::Result(_, out_e) = self.resolve(&output) {
                let _ = self.unify(span, &out_e, &e);
            }
        }
        self.capture(captures, is_move, scope_depth, span)?;
        Ok(Ty::Fut(Box::new(output), FutKind::Block(span.start)))
    }

    /// What a closure or async block (written at `span`) took from
    /// outside: a value it moves is moved where it is written; a `move` one
    /// takes everything it uses.
    fn capture(
        &mut self,
        captures: Vec<(usize, bool)>,
        is_move: bool,
        depth: usize,
        span: Span,
    ) -> Check<()> {
        for (id, moves) in captures {
            if self.bindings[id].closure_depth >= depth {
                continue; // its own variable
            }
            let copy = self.is_copy(&self.bindings[id].ty.clone());
            let take = moves || (is_move && !copy);
            // One level out, the capture is a use there.
            let level = self.closure_scopes.len();
            if self.bindings[id].closure_depth < level {
                if let Some((_, outer)) = self.closure_scopes.last_mut() {
                    outer.push((id, take));
                }
            }
            if take && self.bindings[id].closure_depth == level {
                let name = self.bindings[id].name.clone();
                if let Some(at) = self.bindings[id].moved {
                    let at = super::syntax::line_col(self.source, at.start);
                    return Err(Diagnostic::error(span, format!("use of moved value: `{name}`"))
                        .code("E0382")
                        .help(format!(
                            "the value was moved at {}:{}; a future can be awaited (or handed on) once",
                            at.line, at.col
                        )));
                }
                if self.bindings[id].loop_depth < self.loop_depths.len() {
                    return Err(Diagnostic::error(span, format!("use of moved value: `{name}`"))
                        .code("E0382")
                        .help("value moved into a closure or async block, in previous iteration of loop"));
                }
                self.bindings[id].moved = Some(span);
            }
        }
        Ok(())
    }

    fn closure(&mut self, span: Span, is_move: bool, params: &[Pat], body: &Expr) -> Check<Ty> {
        let id = self.closures.len();
        let param_tys: Vec<Ty> = params.iter().map(|_| self.fresh()).collect();
        let ret = self.fresh();
        self.closures.push(ClosureSig {
            params: param_tys.clone(),
            ret: ret.clone(),
            once: false,
            copy: true,
        });
        self.contexts.push(Context::Closure);
        self.closure_scopes.push((id, Vec::new()));
        let depth = self.closure_scopes.len();
        self.push_scope();
        let mut result = Ok(());
        for (pat, ty) in params.iter().zip(&param_tys) {
            if result.is_ok() {
                result = self.bind_pat(pat, ty);
            }
        }
        let body_ty = result.and_then(|()| self.expr(body));
        self.pop_scope();
        let (_, captures) = self.closure_scopes.pop().unwrap_or((0, Vec::new()));
        self.contexts.pop();
        let body_ty = body_ty?;
        self.unify(body.span, &ret, &body_ty)?;
        // A closure that moves a captured value out when called can be
        // called once; one that holds a moved value is not Copy.
        let once = captures
            .iter()
            .any(|&(b, moves)| moves && self.bindings[b].closure_depth < depth);
        let holds = captures.iter().any(|&(b, moves)| {
            self.bindings[b].closure_depth < depth
                && (moves || is_move)
                && !self.is_copy(&self.bindings[b].ty.clone())
        });
        self.closures[id].once = once;
        self.closures[id].copy = !holds;
        // A closure that returns an async block borrowing the closure's own
        // parameters would outlive them.
        if let ExprKind::Async {
            is_move: false,
            block,
        } = &body.kind
        {
            if let Some(name) = params.iter().find_map(|p| uses_param(p, block)) {
                return Err(Diagnostic::error(
                    body.span,
                    format!("async block may outlive the current function, but it borrows `{name}`, which is owned by the current function"),
                )
                .code("E0373")
                .help(format!("to force the async block to take ownership of `{name}` (and any other referenced variables), use the `move` keyword: `async move {{ … }}`")));
            }
        }
        self.capture(captures, is_move, depth, span)?;
        Ok(Ty::Closure(id))
    }

    /// A closure's signature, wanted as `FnMut(params) -> ret` by `what`.
    fn callable(&mut self, span: Span, ty: &Ty, params: &[Ty], what: &str) -> Check<Ty> {
        let Ty::Closure(id) = self.resolve(ty) else {
            return Err(Diagnostic::error(
                span,
                format!("expected a closure for {what}, found `{}`", self.resolve(ty)),
            )
            .code("E0277")
            .help("write a closure: `|| fetch(url)` or `|i| sleep(i * 100)`"));
        };
        let sig = self.closures[id].clone();
        if sig.params.len() != params.len() {
            return Err(Diagnostic::error(
                span,
                format!(
                    "closure is expected to take {} argument{}, but it takes {}",
                    params.len(),
                    if params.len() == 1 { "" } else { "s" },
                    sig.params.len()
                ),
            )
            .code("E0593"));
        }
        for (want, have) in params.iter().zip(&sig.params) {
            self.unify(span, have, want)?;
        }
        if sig.once {
            return Err(Diagnostic::error(
                span,
                "expected a closure that implements the `FnMut` trait, but this closure only implements `FnOnce`",
            )
            .code("E0525")
            .help(format!("{what} calls the closure more than once, and it moves a captured value out of itself")));
        }
        Ok(sig.ret)
    }

    fn args(&mut self, span: Span, name: &str, args: &[Expr], count: usize) -> Check<Vec<Ty>> {
        if args.len() != count {
            return Err(Diagnostic::error(
                span,
                format!(
                    "this function takes {count} argument{} but {} argument{} supplied",
                    if count == 1 { "" } else { "s" },
                    args.len(),
                    if args.len() == 1 { " was" } else { "s were" }
                ),
            )
            .code("E0061")
            .help(signature(name)));
        }
        args.iter().map(|a| self.expr(a)).collect()
    }

    /// `ty` as a number, a string (for `fetch`), or a list of futures.
    fn want(&mut self, arg: &Expr, expected: &Ty, found: &Ty) -> Check<()> {
        self.unify(arg.span, expected, found)
    }

    fn want_string(&mut self, arg: &Expr, found: &Ty) -> Check<()> {
        match self.resolve(found) {
            Ty::Str | Ty::String => Ok(()),
            Ty::Ref(inner) if matches!(*inner, Ty::String | Ty::Str) => Ok(()),
            Ty::Var(_) => self.unify(arg.span, &Ty::Str, found),
            other => Err(mismatch(arg.span, &Ty::String, &other)
                .help("a URL or a sentence: a string literal, a String or `&String`")),
        }
    }

    /// The future type of the items of `found` (an array or a Vec of futures).
    fn futures_in(&mut self, arg: &Expr, found: &Ty) -> Check<Ty> {
        let item = match self.resolve(found) {
            Ty::Array(t) | Ty::Vec(t) => *t,
            Ty::Var(_) => {
                let t = self.fresh();
                self.unify(arg.span, &Ty::Vec(Box::new(t.clone())), found)?;
                t
            }
            other => {
                return Err(
                    Diagnostic::error(arg.span, format!("`{other}` is not an iterator"))
                        .code("E0277")
                        .help("give an array `[a, b]`, `vec![a, b]` or what `repeat(n, …)` makes"),
                )
            }
        };
        match self.resolve(&item) {
            Ty::Fut(out, _) => Ok(*out),
            Ty::Var(_) => {
                let out = self.fresh();
                self.unify(arg.span, &Ty::Fut(Box::new(out.clone()), FutKind::Task), &item)?;
                Ok(out)
            }
            other => Err(Diagnostic::error(arg.span, format!("`{other}` is not a future"))
                .code("E0277")
                .help("the items must be futures, not yet awaited")),
        }
    }

    fn future(&mut self, arg: &Expr, found: &Ty) -> Check<Ty> {
        match self.resolve(found) {
            Ty::Fut(out, _) => Ok(*out),
            Ty::Var(_) => {
                let out = self.fresh();
                self.unify(arg.span, &Ty::Fut(Box::new(out.clone()), FutKind::Task), found)?;
                Ok(out)
            }
            other => Err(Diagnostic::error(arg.span, format!("`{other}` is not a future"))
                .code("E0277")
                .help("give the future itself: without `.await`")),
        }
    }

    fn task(out: Ty) -> Ty {
        Ty::Fut(Box::new(out), FutKind::Task)
    }

    fn result(value: Ty) -> Ty {
        Ty::Result(Box::new(value), Box::new(Ty::Error))
    }

    fn call(
        &mut self,
        span: Span,
        name: &str,
        name_span: Span,
        turbofish: &[TypeExpr],
        args: &[Expr],
    ) -> Check<Ty> {
        if !turbofish.is_empty() && name != "Ok" && name != "ready" {
            return Err(Diagnostic::error(
                name_span,
                format!("`{name}` takes no type arguments in the sandbox"),
            )
            .code("E0107"));
        }
        // A closure held in a variable, called.
        if let Some(id) = self.lookup(name) {
            let ty = self.bindings[id].ty.clone();
            self.use_var(id, name_span, false)?;
            let arg_tys = args.iter().map(|a| self.expr(a)).collect::<Check<Vec<_>>>()?;
            return self.callable(name_span, &ty, &arg_tys, &format!("the call of `{name}`"));
        }
        if FUTURE_FNS.contains(&name) {
            self.written(span);
        }
        let ty = match name {
            "sleep" | "block" => {
                let a = self.args(span, name, args, 1)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                if let (ExprKind::Int(ms), "block") = (&args[0].kind, name) {
                    if *ms > super::prelude::MAX_BLOCK_MS {
                        return Err(Diagnostic::error(
                            args[0].span,
                            format!(
                                "block holds the page at most {} ms here: {ms} ms of busy loop would freeze it",
                                super::prelude::MAX_BLOCK_MS
                            ),
                        )
                        .help("to wait without holding the page, sleep(ms)"));
                    }
                }
                Self::task(Ty::Unit)
            }
            "click" => {
                self.args(span, name, args, 0)?;
                Self::task(Ty::Unit)
            }
            "fetch" => {
                let a = self.args(span, name, args, 1)?;
                self.want_string(&args[0], &a[0])?;
                Self::task(Self::result(Ty::String))
            }
            "fail" => {
                let a = self.args(span, name, args, 1)?;
                self.want_string(&args[0], &a[0])?;
                Self::task(Self::result(Ty::Unit))
            }
            "ready" => {
                let a = self.args(span, name, args, 1)?;
                if let [t] = turbofish {
                    let t = self.type_of(t, name_span)?;
                    self.unify(args[0].span, &t, &a[0])?;
                }
                Self::task(a[0].clone())
            }
            "join_all" => {
                let a = self.args(span, name, args, 1)?;
                let out = self.futures_in(&args[0], &a[0])?;
                Self::task(Ty::Vec(Box::new(out)))
            }
            "try_join_all" => {
                let a = self.args(span, name, args, 1)?;
                let out = self.futures_in(&args[0], &a[0])?;
                let value = self.fresh();
                self.unify(args[0].span, &Self::result(value.clone()), &out)
                    .map_err(|_| {
                        Diagnostic::error(
                            args[0].span,
                            "try_join_all takes futures whose output is a `Result<_, Error>`",
                        )
                        .code("E0277")
                    })?;
                Self::task(Self::result(Ty::Vec(Box::new(value))))
            }
            "select" => {
                let a = self.args(span, name, args, 2)?;
                let left = self.future(&args[0], &a[0])?;
                let right = self.future(&args[1], &a[1])?;
                Self::task(Ty::Either(
                    Box::new(Ty::Tuple(vec![left.clone(), Self::task(right.clone())])),
                    Box::new(Ty::Tuple(vec![right, Self::task(left)])),
                ))
            }
            "select_all" => {
                let a = self.args(span, name, args, 1)?;
                let out = self.futures_in(&args[0], &a[0])?;
                Self::task(Ty::Tuple(vec![
                    out.clone(),
                    Ty::Int,
                    Ty::Vec(Box::new(Self::task(out))),
                ]))
            }
            "buffer_unordered" => {
                let a = self.args(span, name, args, 2)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                let out = self.futures_in(&args[1], &a[1])?;
                Self::task(Ty::Vec(Box::new(out)))
            }
            "timeout" => {
                let a = self.args(span, name, args, 2)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                let out = self.future(&args[1], &a[1])?;
                Self::task(Self::result(out))
            }
            "retry" => {
                let a = self.args(span, name, args, 2)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                let made = self.callable(args[1].span, &a[1], &[], "retry")?;
                let out = self.future(&args[1], &made)?;
                let value = self.fresh();
                self.unify(args[1].span, &Self::result(value.clone()), &out)
                    .map_err(|_| {
                        Diagnostic::error(
                            args[1].span,
                            "retry takes a closure whose future's output is a `Result<_, Error>`",
                        )
                        .code("E0277")
                    })?;
                Self::task(Self::result(value))
            }
            "repeat" => {
                let a = self.args(span, name, args, 2)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                let made = self.callable(args[1].span, &a[1], &[Ty::Int], "repeat")?;
                Ty::Vec(Box::new(made))
            }
            "spawn_local" => {
                let a = self.args(span, name, args, 1)?;
                let out = self.future(&args[0], &a[0])?;
                self.unify(args[0].span, &Ty::Unit, &out).map_err(|_| {
                    Diagnostic::error(args[0].span, format!("type mismatch resolving `<… as Future>::Output == ()`: this future's output is `{}`", self.resolve(&out)))
                        .code("E0271")
                        .help("spawn_local runs a future whose output is `()`: await it inside an async block, `async move { let _ = f.await; }`")
                })?;
                Ty::Unit
            }
            "drop" => {
                self.args(span, name, args, 1)?;
                Ty::Unit
            }
            "Ok" => {
                let a = self.args(span, name, args, 1)?;
                let error = match turbofish {
                    [] => self.fresh(),
                    [t, e] => {
                        let t = self.type_of(t, name_span)?;
                        self.unify(args[0].span, &t, &a[0])?;
                        self.type_of(e, name_span)?
                    }
                    _ => {
                        return Err(
                            Diagnostic::error(name_span, "`Ok::<T, E>` takes two type arguments")
                                .code("E0107"),
                        )
                    }
                };
                Ty::Result(Box::new(a[0].clone()), Box::new(error))
            }
            _ => {
                let d = Diagnostic::error(name_span, format!("cannot find function `{name}` in this scope"))
                    .code("E0425");
                let near = FUTURE_FNS
                    .iter()
                    .chain(OTHER_FNS)
                    .min_by_key(|f| distance(f, name))
                    .filter(|f| distance(f, name) <= 2);
                return Err(match near {
                    Some(f) => d.help(format!("a function with a similar name exists: `{f}`")),
                    None => d.help(format!(
                        "the prelude's functions are {}",
                        FUTURE_FNS
                            .iter()
                            .chain(OTHER_FNS)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                });
            }
        };
        Ok(ty)
    }

    fn macro_call(&mut self, span: Span, name: &str, args: &[Expr]) -> Check<Ty> {
        match name {
            "join" | "try_join" => {
                if !self.in_async() {
                    return Err(Diagnostic::error(span, format!("`{name}!` awaits, and `await` is only allowed inside `async` functions and blocks")).code("E0728"));
                }
                if args.is_empty() {
                    return Err(Diagnostic::error(
                        span,
                        format!("`{name}!` needs at least one future"),
                    ));
                }
                self.written(span);
                let mut outs = Vec::new();
                for arg in args {
                    let ty = self.expr(arg)?;
                    let out = self.future(arg, &ty)?;
                    if name == "try_join" {
                        let value = self.fresh();
                        self.unify(arg.span, &Self::result(value.clone()), &out)
                            .map_err(|_| {
                                Diagnostic::error(
                                    arg.span,
                                    "try_join! takes futures whose output is a `Result<_, Error>`",
                                )
                                .code("E0277")
                            })?;
                        outs.push(value);
                    } else {
                        outs.push(out);
                    }
                }
                let tuple = Ty::Tuple(outs);
                Ok(if name == "try_join" {
                    Self::result(tuple)
                } else {
                    tuple
                })
            }
            "println" | "format" => {
                let Some(first) = args.first() else {
                    return if name == "println" {
                        Ok(Ty::Unit)
                    } else {
                        Ok(Ty::String)
                    };
                };
                let ExprKind::Str(template) = &first.kind else {
                    return Err(
                        Diagnostic::error(first.span, "format argument must be a string literal").help(
                            format!(
                            "you might be missing a string literal to format with: `{name}!(\"{{}}\", …)`"
                        ),
                        ),
                    );
                };
                let holes = holes(template).map_err(|m| Diagnostic::error(first.span, m))?;
                if holes.len() != args.len() - 1 {
                    return Err(Diagnostic::error(
                        span,
                        format!(
                            "{} positional argument{} in format string, but there {} {} argument{}",
                            holes.len(),
                            if holes.len() == 1 { "" } else { "s" },
                            if args.len() - 1 == 1 { "is" } else { "are" },
                            args.len() - 1,
                            if args.len() - 1 == 1 { "" } else { "s" }
                        ),
                    ));
                }
                for (arg, debug) in args[1..].iter().zip(holes) {
                    let ty = self.expr_inner(arg, false)?;
                    self.types.insert((arg.span.start, arg.span.end), ty.clone());
                    self.formattable(arg.span, &ty, debug)?;
                }
                Ok(if name == "println" { Ty::Unit } else { Ty::String })
            }
            "vec" => {
                let elem = self.fresh();
                for arg in args {
                    let ty = self.expr(arg)?;
                    self.unify(arg.span, &elem, &ty)?;
                }
                Ok(Ty::Vec(Box::new(elem)))
            }
            _ => Err(
                Diagnostic::error(span, format!("cannot find macro `{name}` in this scope"))
                    .help("the sandbox's macros are join!, try_join!, println!, format! and vec!"),
            ),
        }
    }

    /// Whether `ty` can be written with `{}` (or `{:?}`).
    fn formattable(&mut self, span: Span, ty: &Ty, debug: bool) -> Check<()> {
        let resolved = self.resolve(ty);
        let ok = if debug {
            self.is_debug(&resolved)
        } else {
            matches!(resolved, Ty::Int | Ty::Str | Ty::String | Ty::Error)
                || matches!(&resolved, Ty::Ref(inner) if matches!(**inner, Ty::Int | Ty::Str | Ty::String))
        };
        if ok {
            return Ok(());
        }
        if matches!(resolved, Ty::Var(_)) {
            // A value whose type is still open: u64, as rustc's default.
            return self.unify(span, &Ty::Int, ty);
        }
        let trait_name = if debug { "Debug" } else { "Display" };
        let d = Diagnostic::error(
            span,
            format!("`{resolved}` doesn't implement `std::fmt::{trait_name}`"),
        )
        .code("E0277");
        Err(match resolved {
            Ty::Fut(..) => d.help("this is a future: await it first, and print what it gives"),
            _ if !debug && self.is_debug(&resolved) => d.help("use `{:?}` (Debug) instead of `{}`"),
            _ => d,
        })
    }

    fn is_debug(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Unit | Ty::Int | Ty::Str | Ty::String | Ty::Error => true,
            Ty::Tuple(items) => items.iter().all(|t| self.is_debug(t)),
            Ty::Array(t) | Ty::Vec(t) | Ty::Ref(t) => self.is_debug(t),
            Ty::Result(a, b) => self.is_debug(a) && self.is_debug(b),
            _ => false,
        }
    }
}

/// Whether `block` uses the closure parameter bound by `pat` (a name).
fn uses_param(pat: &Pat, block: &Block) -> Option<String> {
    let mut names = Vec::new();
    fn collect(pat: &Pat, names: &mut Vec<String>) {
        match pat {
            Pat::Ident { name, .. } => names.push(name.clone()),
            Pat::Tuple(items, _) => items.iter().for_each(|p| collect(p, names)),
            Pat::Wild(_) => {}
        }
    }
    collect(pat, &mut names);
    names.into_iter().find(|n| super::free::block_mentions(block, n))
}

/// The `{}` and `{:?}` of a format string, in order (`true` for Debug).
pub fn holes(template: &str) -> Result<Vec<bool>, String> {
    Ok(super::template::pieces(template)?
        .into_iter()
        .filter_map(|p| match p {
            super::template::Piece::Hole { debug } => Some(debug),
            super::template::Piece::Text(_) => None,
        })
        .collect())
}

/// How the prelude function `name` is called, for a hint.
pub fn signature(name: &str) -> String {
    match name {
        "sleep" => "sleep(ms: u64) -> Task<()>".into(),
        "block" => "block(ms: u64) -> Task<()>: a busy loop, when polled".into(),
        "click" => "click() -> Task<()>: the next click on the widget's button".into(),
        "fetch" => "fetch(url) -> Task<Result<String, Error>>".into(),
        "fail" => "fail(why) -> Task<Result<(), Error>>".into(),
        "ready" => "ready(value) -> Task<T>".into(),
        "join_all" => "join_all([futures]) -> Task<Vec<T>>".into(),
        "try_join_all" => "try_join_all([futures]) -> Task<Result<Vec<T>, Error>>".into(),
        "select" => "select(a, b) -> Task<Either<(A, Task<B>), (B, Task<A>)>>".into(),
        "select_all" => "select_all([futures]) -> Task<(T, u64, Vec<Task<T>>)>".into(),
        "buffer_unordered" => "buffer_unordered(k: u64, [futures]) -> Task<Vec<T>>".into(),
        "timeout" => "timeout(ms: u64, future) -> Task<Result<T, Error>>".into(),
        "retry" => "retry(attempts: u64, || future) -> Task<Result<T, Error>>".into(),
        "repeat" => "repeat(n: u64, |i| value) -> Vec<T>".into(),
        "spawn_local" => "spawn_local(future)".into(),
        "drop" => "drop(value)".into(),
        "Ok" => "Ok(value)".into(),
        other => format!("{other}(…)"),
    }
}

/// The edit distance of two short names.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + usize::from(ca != cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
