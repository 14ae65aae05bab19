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

mod call;
mod expr;
mod macros;
mod scope;
mod ty;

pub use ty::Ty;

use super::syntax::{BinOp, Block, Diagnostic, Expr, ExprKind, Pat, Program, Span, Stmt, TypeExpr};

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
