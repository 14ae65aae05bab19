//! The interpreter: it evaluates a checked program, and every future the
//! program writes becomes the real one, made by the prelude's own function
//! (a browser timer, a download, futures-rs's `join_all`, …), traced into
//! the run under its label as written. The interpreter itself only builds
//! that tree and awaits what the program awaits: the polls, wakes and drops
//! are the futures' own. Its values are owned as the program's are: a
//! future bound to a name lives until the name's scope ends (then it is
//! dropped: cancelled), one made and not kept is dropped at the end of its
//! statement.

mod calls;
mod value;

use std::borrow::Cow;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures::future::{self, Either, LocalBoxFuture};
use futures::FutureExt;

use super::prelude::{self, imp, Task};
use super::runtime::Runtime;
use super::syntax::{label, line_col, BinOp, Block, Expr, ExprKind, Pat, Program, Span, Stmt};
use crate::error::Error;
use crate::trace::{AwaitAt, AwaitId, PROGRAM};
use calls::names;
use value::shared_label;
pub use value::{format_line, Closure, Env, Value};

/// Why evaluation stopped early: a `?` that met an `Err` (it returns from
/// the async block or the program), or a fault (what Rust would panic at).
enum Exit {
    Question(Error),
    Fault(Error),
}

type Eval<'a> = LocalBoxFuture<'a, Result<Value, Exit>>;

/// A future the program writes: its span (start, end), then its label and
/// its place (its line, interned once rather than at each of the thousands
/// of futures a `repeat` makes there).
type Written = ((usize, usize), (Cow<'static, str>, AwaitId));

/// A program ready to run: its tree, the labels and lines of the futures it
/// writes, and the runtime its run has.
#[derive(Debug)]
pub struct Interpreter {
    program: Program,
    /// The futures the program writes, sorted by their spans.
    written: Vec<Written>,
    runtime: Rc<Runtime>,
    /// The first fault: it ends the run, as a panic would.
    fault: RefCell<Option<Error>>,
    /// Where each line of the program starts (byte offsets).
    line_starts: Vec<usize>,
}

impl Interpreter {
    /// `program` (checked) to run in `runtime`.
    pub fn new(program: Program, checked: &super::check::Checked, runtime: Rc<Runtime>) -> Rc<Self> {
        let written = checked
            .written
            .iter()
            .map(|w| {
                let line = line_col(&program.source, w.span.start).line;
                let place = AwaitId::at(PROGRAM, line);
                ((w.span.start, w.span.end), (shared_label(&w.label), place))
            })
            .collect::<Vec<_>>();
        let mut written = written;
        written.sort_by_key(|(span, _)| *span);
        let line_starts = std::iter::once(0)
            .chain(program.source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Rc::new(Interpreter {
            program,
            written,
            runtime,
            fault: RefCell::new(None),
            line_starts,
        })
    }

    /// Runs the program: its body, then (as the page's executor would) the
    /// tasks it spawned, to their end. A fault ends it at once.
    pub async fn run(self: Rc<Self>) -> Result<(), Error> {
        let body = self.program.body.clone();
        let this = self.clone();
        let program = async move {
            let mut env = Env::default();
            let outcome = this.block(&body, &mut env).await;
            env.truncate(0);
            match outcome {
                Ok(value) => {
                    drop(value);
                    Ok(())
                }
                Err(Exit::Question(e)) => Err(super::passed_on(&e)),
                Err(Exit::Fault(e)) => Err(e),
            }
        };
        let faulted = {
            let this = self.clone();
            future::poll_fn(move |cx| match this.fault.borrow().clone() {
                Some(e) => std::task::Poll::Ready(e),
                None => {
                    this.runtime.fault_waker.replace(Some(cx.waker().clone()));
                    std::task::Poll::Pending
                }
            })
        };
        let outcome = match future::select(program.boxed_local(), faulted.boxed_local()).await {
            Either::Left((outcome, _)) => outcome,
            Either::Right((fault, _)) => return Err(fault),
        };
        // Spawned tasks run on after the body returns, as they would on the
        // page's executor; the run ends with the last of them.
        if self.runtime.detached.live() > 0 {
            if let Some(run) = self.runtime.run.borrow().as_ref() {
                run.recorder()
                    .log("(the program's body returned; its spawned tasks run on)");
            }
            let done = self.runtime.detached.all_done();
            let this = self.clone();
            let faulted = future::poll_fn(move |cx| match this.fault.borrow().clone() {
                Some(e) => std::task::Poll::Ready(e),
                None => {
                    this.runtime.fault_waker.replace(Some(cx.waker().clone()));
                    std::task::Poll::Pending
                }
            });
            if let Either::Right((fault, _)) = future::select(done.boxed_local(), faulted.boxed_local()).await
            {
                return Err(fault);
            }
        }
        outcome
    }

    fn fault(&self, span: Span, message: impl std::fmt::Display) -> Exit {
        let at = line_col(&self.program.source, span.start);
        let mut said = format!("{}:{}: the program stopped: {message}", at.line, at.col);
        if !said.ends_with('.') {
            said.push('.');
        }
        let error = Error::Program(said);
        self.raise(error.clone());
        Exit::Fault(error)
    }

    /// Records `error` as the run's fault and wakes the run to end it.
    fn raise(&self, error: Error) {
        if self.fault.borrow().is_none() {
            *self.fault.borrow_mut() = Some(error);
        }
        if let Some(waker) = self.runtime.fault_waker.borrow_mut().take() {
            waker.wake();
        }
    }

    /// The place of byte `at` of the program: its line.
    fn place(&self, at: usize) -> AwaitId {
        // Found among the lines' starts: a loop's `.await` costs no scan.
        let line = self.line_starts.partition_point(|&start| start <= at);
        AwaitId::at(PROGRAM, u32::try_from(line).unwrap_or(u32::MAX))
    }

    /// `future`, traced as the future written at `span`, boxed once.
    fn traced(
        self: &Rc<Self>,
        span: Span,
        future: impl Future<Output = Value> + 'static,
    ) -> Result<Value, Exit> {
        self.runtime.count().map_err(|e| {
            self.raise(e.clone());
            Exit::Fault(e)
        })?;
        let (label, place) = match self
            .written
            .binary_search_by_key(&(span.start, span.end), |(s, _)| *s)
        {
            Ok(i) => self.written[i].1.clone(),
            Err(_) => {
                debug_assert!(false, "a future the checker did not list: this is a bug");
                (label(&self.program.source, span).into(), AwaitId::NONE)
            }
        };
        let run = self.runtime.run.borrow();
        Ok(Value::Future(match run.as_ref() {
            Some(run) => run.trace_at(label, place, future).boxed_local(),
            None => future.boxed_local(),
        }))
    }

    fn block<'a>(self: &'a Rc<Self>, block: &'a Block, env: &'a mut Env) -> Eval<'a> {
        async move {
            let mark = env.vars.len();
            let result = self.statements(block, env).await;
            env.truncate(mark);
            result
        }
        .boxed_local()
    }

    async fn statements(self: &Rc<Self>, block: &Block, env: &mut Env) -> Result<Value, Exit> {
        for stmt in &block.stmts {
            match stmt {
                Stmt::Let { pat, init, .. } => {
                    let value = self.expr(init, env).await?;
                    self.bind(pat, value, env);
                }
                Stmt::Expr { expr, .. } => {
                    // A statement's value is dropped at its end.
                    drop(self.expr(expr, env).await?);
                }
                Stmt::For {
                    pat,
                    start,
                    end,
                    body,
                    ..
                } => {
                    let from = self.int(start, env).await?;
                    let to = self.int(end, env).await?;
                    for i in from..to {
                        self.runtime.iterate().map_err(|e| {
                            self.raise(e.clone());
                            Exit::Fault(e)
                        })?;
                        let mark = env.vars.len();
                        self.bind(pat, Value::Int(i), env);
                        let value = self.block(body, env).await;
                        env.truncate(mark);
                        drop(value?);
                    }
                }
            }
        }
        match &block.tail {
            Some(tail) => self.expr(tail, env).await,
            None => Ok(Value::Unit),
        }
    }

    fn bind(&self, pat: &Pat, value: Value, env: &mut Env) {
        match (pat, value) {
            (Pat::Wild(_), value) => drop(value),
            (Pat::Ident { name, .. }, value) => env.set(name, value),
            (Pat::Tuple(pats, _), Value::Tuple(values)) => {
                for (pat, value) in pats.iter().zip(values) {
                    self.bind(pat, value, env);
                }
            }
            (Pat::Tuple(pats, _), Value::Unit) if pats.is_empty() => {}
            (Pat::Tuple(..), other) => {
                debug_assert!(false, "a tuple pattern on {other:?}: the checker let it through");
            }
        }
    }

    async fn int(self: &Rc<Self>, expr: &Expr, env: &mut Env) -> Result<u64, Exit> {
        match self.expr(expr, env).await? {
            Value::Int(n) => Ok(n),
            other => Err(self.fault(expr.span, format!("expected a number, found {other:?}"))),
        }
    }

    fn expr<'a>(self: &'a Rc<Self>, expr: &'a Expr, env: &'a mut Env) -> Eval<'a> {
        async move { self.expr_inner(expr, env).await }.boxed_local()
    }

    async fn expr_inner(self: &Rc<Self>, expr: &Expr, env: &mut Env) -> Result<Value, Exit> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::Var(_) => match self.at_once(expr, env) {
                Some(value) => value,
                None => unreachable!("a literal or a variable"),
            },
            ExprKind::Paren(inner) | ExprKind::Ref(inner) | ExprKind::Clone(inner) => {
                self.expr(inner, env).await
            }
            ExprKind::Tuple(items) if items.is_empty() => Ok(Value::Unit),
            ExprKind::Tuple(items) => Ok(Value::Tuple(self.list(items, env).await?)),
            ExprKind::Array(items) => Ok(Value::List(self.list(items, env).await?)),
            ExprKind::Binary { op, lhs, rhs } => {
                let (a, b) = (self.int(lhs, env).await?, self.int(rhs, env).await?);
                let result = match op {
                    BinOp::Add => a.checked_add(b),
                    BinOp::Sub => a.checked_sub(b),
                    BinOp::Mul => a.checked_mul(b),
                    BinOp::Div => a.checked_div(b),
                    BinOp::Rem => a.checked_rem(b),
                };
                result.map(Value::Int).ok_or_else(|| {
                    let what = match op {
                        BinOp::Add => "attempt to add with overflow",
                        BinOp::Sub => "attempt to subtract with overflow",
                        BinOp::Mul => "attempt to multiply with overflow",
                        BinOp::Div => "attempt to divide by zero",
                        BinOp::Rem => "attempt to calculate the remainder with a divisor of zero",
                    };
                    self.fault(span, format!("{what} (Rust would panic here)"))
                })
            }
            ExprKind::Block(block) => self.block(block, env).await,
            ExprKind::Await(inner) => match self.expr(inner, env).await? {
                // Awaited at the line of its `.await`, as the code pane lights it.
                Value::Future(future) => {
                    Ok(AwaitAt::placed(future, self.place(span.end.saturating_sub(1))).await)
                }
                other => Err(self.fault(span, format!("{other:?} is not a future"))),
            },
            ExprKind::Try(inner) => match self.expr(inner, env).await? {
                Value::Result(Ok(v)) => Ok(*v),
                Value::Result(Err(e)) => Err(Exit::Question(match *e {
                    Value::Error(e) => *e,
                    other => Error::Program(other.display()),
                })),
                other => Err(self.fault(span, format!("`?` on {other:?}"))),
            },
            ExprKind::Async { block, .. } => {
                let mut inner = Env::default();
                for name in super::free::of_block(block) {
                    if let Some(value) = env.get(&name) {
                        inner.set(&name, value);
                    }
                }
                let this = self.clone();
                let block = block.clone();
                let future = async move {
                    let mut env = inner;
                    match this.block(&block, &mut env).await {
                        Ok(value) => value,
                        Err(Exit::Question(e)) => Value::from_result(Err(e)),
                        // A fault ends the run (raised already): this task
                        // waits, as a panicking one would never return.
                        Err(Exit::Fault(_)) => future::pending().await,
                    }
                };
                self.traced(span, future)
            }
            ExprKind::Closure { params, body, .. } => {
                let bound: Vec<String> = params.iter().flat_map(names).collect();
                let mut captured = Env::default();
                for name in super::free::of_expr(body, &bound) {
                    if let Some(value) = env.get(&name) {
                        captured.set(&name, value);
                    }
                }
                Ok(Value::Closure(Rc::new(Closure {
                    params: params.clone(),
                    body: body.clone(),
                    captured: RefCell::new(captured),
                })))
            }
            ExprKind::Macro { name, args } => self.macro_call(span, name, args, env).await,
            ExprKind::Call { name, args, .. } => self.call(span, name, args, env).await,
        }
    }

    async fn list(self: &Rc<Self>, items: &[Expr], env: &mut Env) -> Result<Vec<Value>, Exit> {
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            let value = match self.at_once(item, env) {
                Some(value) => value,
                None => self.expr(item, env).await,
            };
            values.push(value?);
        }
        Ok(values)
    }

    /// The value of a literal or a variable, which needs no future of its
    /// own (most arguments are one): `None` for any other expression.
    fn at_once(&self, expr: &Expr, env: &mut Env) -> Option<Result<Value, Exit>> {
        Some(match &expr.kind {
            ExprKind::Int(n) => Ok(Value::Int(*n)),
            ExprKind::Str(s) => Ok(Value::Str(s.clone())),
            ExprKind::Var(name) => env
                .get(name)
                .ok_or_else(|| self.fault(expr.span, format!("`{name}` has no value here"))),
            // Not `plain`.
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{format_line, Value};

    #[test]
    fn format_fills_each_hole_with_the_next_value_as_rust_would() {
        let values = [Value::Int(30), Value::Str("a\"b".into())];
        assert_eq!(
            format_line("async-demo-api/delay/{}", &values[..1]),
            "async-demo-api/delay/30"
        );
        assert_eq!(format_line("{} and {:?}", &values), "30 and \"a\\\"b\"");
        assert_eq!(format_line("{{}} {} {{", &values[..1]), "{} 30 {");
        assert_eq!(format_line("no holes", &values), "no holes");
    }
}
