//! The interpreter: it evaluates a checked program, and every future the
//! program writes becomes the real one, made by the prelude's own function
//! (a browser timer, a download, futures-rs's `join_all`, …), traced into
//! the run under its label as written. The interpreter itself only builds
//! that tree and awaits what the program awaits: the polls, wakes and drops
//! are the futures' own. Its values are owned as the program's are: a
//! future bound to a name lives until the name's scope ends (then it is
//! dropped: cancelled), one made and not kept is dropped at the end of its
//! statement.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::future::Future;
use std::rc::Rc;

use futures::future::{self, Either, LocalBoxFuture};
use futures::FutureExt;

use super::prelude::{self, imp, Task};
use super::runtime::Runtime;
use super::syntax::{label, line_col, BinOp, Block, Expr, ExprKind, Pat, Program, Span, Stmt};
use crate::error::Error;
use crate::trace::{AwaitAt, AwaitId, Outcome, TaskOutput, PROGRAM};

/// A value of a running program.
pub enum Value {
    /// `()`.
    Unit,
    /// A number.
    Int(u64),
    /// A string (a literal or a `String`).
    Str(Rc<str>),
    /// An `Error` (boxed: it is the largest variant, and a `Value` is made
    /// for each of the thousands of futures a `repeat` makes).
    Error(Box<Error>),
    /// A tuple.
    Tuple(Vec<Value>),
    /// An array or a `Vec`.
    List(Vec<Value>),
    /// `Ok(…)` or `Err(…)`.
    Result(Result<Box<Value>, Box<Value>>),
    /// `Either::Left(…)` (true) or `Right(…)`.
    Either(bool, Box<Value>),
    /// A future, not yet awaited.
    Future(Task<Value>),
    /// A closure.
    Closure(Rc<Closure>),
}

/// A closure: its parameters, body, and what it captured.
#[derive(Debug)]
pub struct Closure {
    params: Vec<Pat>,
    body: Rc<Expr>,
    captured: RefCell<Env>,
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The program's own `{:?}`: exactly what Rust's derived Debug writes.
        match self {
            Value::Unit => f.write_str("()"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Str(s) => write!(f, "{:?}", &**s),
            Value::Error(e) => write!(f, "{e:?}"),
            Value::Tuple(items) => {
                let mut t = f.debug_tuple("");
                for item in items {
                    t.field(item);
                }
                t.finish()
            }
            Value::List(items) => f.debug_list().entries(items).finish(),
            Value::Result(Ok(v)) => f.debug_tuple("Ok").field(v).finish(),
            Value::Result(Err(e)) => f.debug_tuple("Err").field(e).finish(),
            Value::Either(true, v) => f.debug_tuple("Left").field(v).finish(),
            Value::Either(false, v) => f.debug_tuple("Right").field(v).finish(),
            Value::Future(_) => f.write_str("<future>"),
            Value::Closure(_) => f.write_str("<closure>"),
        }
    }
}

impl Value {
    /// The program's own `{}`.
    fn display(&self) -> String {
        match self {
            Value::Int(n) => n.to_string(),
            Value::Str(s) => s.to_string(),
            Value::Error(e) => e.to_string(),
            other => format!("{other:?}"),
        }
    }

    /// Whether a future is inside: such a value is moved, never copied.
    fn holds_future(&self) -> bool {
        match self {
            Value::Future(_) => true,
            Value::Tuple(items) | Value::List(items) => items.iter().any(Value::holds_future),
            Value::Result(Ok(v) | Err(v)) | Value::Either(_, v) => v.holds_future(),
            _ => false,
        }
    }

    /// A copy of a value that holds no future.
    fn copy(&self) -> Value {
        match self {
            Value::Unit => Value::Unit,
            Value::Int(n) => Value::Int(*n),
            Value::Str(s) => Value::Str(s.clone()),
            Value::Error(e) => Value::Error(e.clone()),
            Value::Tuple(items) => Value::Tuple(items.iter().map(Value::copy).collect()),
            Value::List(items) => Value::List(items.iter().map(Value::copy).collect()),
            Value::Result(Ok(v)) => Value::Result(Ok(Box::new(v.copy()))),
            Value::Result(Err(v)) => Value::Result(Err(Box::new(v.copy()))),
            Value::Either(side, v) => Value::Either(*side, Box::new(v.copy())),
            Value::Closure(c) => Value::Closure(c.clone()),
            Value::Future(_) => Value::Unit, // never: futures are moved
        }
    }

    /// A `Result<Value, Error>` of the value a `Result` holds.
    fn into_result(self) -> Result<Value, Error> {
        match self {
            Value::Result(Ok(v)) => Ok(*v),
            Value::Result(Err(e)) => Err(match *e {
                Value::Error(e) => *e,
                other => Error::Program(other.display()),
            }),
            other => Ok(other),
        }
    }

    fn from_result(result: Result<Value, Error>) -> Value {
        Value::Result(
            result
                .map(Box::new)
                .map_err(|e| Box::new(Value::Error(Box::new(e)))),
        )
    }
}

impl TaskOutput for Value {
    /// As the compiled program's outputs read (the same rules, in trace/traced.rs).
    fn outcome(&self) -> Outcome {
        use crate::trace::outputs::{either, items, tuple, PENDING_FUTURE};
        match self {
            Value::Unit => Outcome::Done(None),
            Value::Int(n) => Outcome::Done(Some(n.to_string())),
            Value::Str(s) => Outcome::Done(Some(s.to_string())),
            Value::Error(e) => Outcome::Failed(e.to_string()),
            Value::Tuple(parts) => tuple(parts.iter().map(TaskOutput::outcome)),
            Value::List(list) => items(list.len()),
            Value::Result(Ok(v)) => v.outcome(),
            Value::Result(Err(e)) => Outcome::Failed(e.display()),
            Value::Either(left, v) => either(*left, v.outcome()),
            Value::Future(_) => Outcome::Done(Some(PENDING_FUTURE.into())),
            Value::Closure(_) => Outcome::Done(None),
        }
    }
}

/// The variables in scope: names and values, innermost last. A value taken
/// (moved) leaves `None`.
#[derive(Debug, Default)]
pub struct Env {
    vars: Vec<(Rc<str>, Option<Value>)>,
}

impl Env {
    fn get(&mut self, name: &str) -> Option<Value> {
        let slot = self.vars.iter_mut().rev().find(|(n, _)| &**n == name)?;
        match &slot.1 {
            Some(v) if !v.holds_future() => Some(v.copy()),
            _ => slot.1.take(),
        }
    }

    fn set(&mut self, name: &str, value: Value) {
        self.set_shared(name.into(), value);
    }

    fn set_shared(&mut self, name: Rc<str>, value: Value) {
        self.vars.push((name, Some(value)));
    }

    /// Drops the variables past `mark`, the last declared first (as Rust does).
    fn truncate(&mut self, mark: usize) {
        while self.vars.len() > mark {
            drop(self.vars.pop());
        }
    }
}

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

    /// Calls closure `closure` with `args`: its body runs to its end at once
    /// (a closure's body has no `.await`).
    fn call_closure(
        self: &Rc<Self>,
        span: Span,
        closure: &Closure,
        args: impl IntoIterator<Item = Value>,
    ) -> Result<Value, Exit> {
        self.call_closure_in(span, closure, args, &mut Env::default())
    }

    /// [`call_closure`](Self::call_closure) with `env` (empty, left empty)
    /// as the call's scope: a `repeat` of thousands of calls reuses one.
    fn call_closure_in(
        self: &Rc<Self>,
        span: Span,
        closure: &Closure,
        args: impl IntoIterator<Item = Value>,
        env: &mut Env,
    ) -> Result<Value, Exit> {
        debug_assert!(env.vars.is_empty());
        {
            let mut captured = closure.captured.borrow_mut();
            for i in 0..captured.vars.len() {
                let name = captured.vars[i].0.clone();
                if let Some(value) = captured.get(&name) {
                    env.set_shared(name, value);
                }
            }
        }
        for (pat, value) in closure.params.iter().zip(args) {
            self.bind(pat, value, env);
        }
        let body = closure.body.clone();
        // A body that is one call with plain arguments (`|_| sleep(0)`, the
        // common case, made thousands of times by `repeat`) needs no future.
        let result = match &body.kind {
            // (All checked first: `at_once` moves a future out of its variable.)
            ExprKind::Call { name, args, .. } if args.iter().all(plain) => {
                let values: Option<Result<Vec<Value>, Exit>> =
                    args.iter().map(|a| self.at_once(a, env)).collect();
                values.map(|v| v.and_then(|v| self.apply(body.span, name, args, v, env)))
            }
            _ => self.expr(&body, env).now_or_never(),
        };
        env.truncate(0);
        result.unwrap_or_else(|| Err(self.fault(span, "a closure's body waited: this is a bug")))
    }

    fn futures(&self, span: Span, value: Value) -> Result<Vec<Task<Value>>, Exit> {
        let Value::List(items) = value else {
            return Err(self.fault(span, "expected a list of futures"));
        };
        items
            .into_iter()
            .map(|item| match item {
                Value::Future(f) => Ok(f),
                other => Err(self.fault(span, format!("{other:?} is not a future"))),
            })
            .collect()
    }

    fn future(&self, span: Span, value: Value) -> Result<Task<Value>, Exit> {
        match value {
            Value::Future(f) => Ok(f),
            other => Err(self.fault(span, format!("{other:?} is not a future"))),
        }
    }

    fn text(&self, span: Span, value: &Value) -> Result<String, Exit> {
        match value {
            Value::Str(s) => Ok(s.to_string()),
            other => Err(self.fault(span, format!("{other:?} is not a string"))),
        }
    }

    async fn call(
        self: &Rc<Self>,
        span: Span,
        name: &str,
        args: &[Expr],
        env: &mut Env,
    ) -> Result<Value, Exit> {
        let values = self.list(args, env).await?;
        self.apply(span, name, args, values, env)
    }

    /// Calls function `name` with the `values` of its arguments `args`
    /// (already evaluated: nothing here waits).
    fn apply(
        self: &Rc<Self>,
        span: Span,
        name: &str,
        args: &[Expr],
        mut values: Vec<Value>,
        env: &mut Env,
    ) -> Result<Value, Exit> {
        let arg = |i: usize| args.get(i).map_or(span, |a| a.span);
        // A closure held in a variable, called.
        if let Some(Value::Closure(closure)) = env.get(name) {
            return self.call_closure(span, &closure, values);
        }
        let mut take = |i: usize| std::mem::replace(&mut values[i], Value::Unit);
        let int = |v: &Value| match v {
            Value::Int(n) => *n,
            _ => 0,
        };
        let runtime = self.runtime.clone();
        let future: Task<Value> = match name {
            "sleep" => {
                // Boxed once, with its trace, below (not as the prelude's
                // `Task` and then again): thousands are made by a `repeat`.
                let sleep = imp::sleep(int(&take(0)));
                return self.traced(span, async move {
                    sleep.await;
                    Value::Unit
                });
            }
            "block" => {
                let ms = int(&take(0));
                if ms > prelude::MAX_BLOCK_MS {
                    let most = prelude::MAX_BLOCK_MS;
                    return Err(self.fault(
                        span,
                        format!("block({ms}) would hold the page longer than the {most} ms a run may"),
                    ));
                }
                prelude::block(ms).map(|()| Value::Unit).boxed_local()
            }
            "click" => imp::click(runtime).map(|()| Value::Unit).boxed_local(),
            "fetch" => {
                let url = self.text(arg(0), &take(0))?;
                imp::fetch(url, runtime.base.clone())
                    .map(|r| Value::from_result(r.map(|s| Value::Str(s.into()))))
                    .boxed_local()
            }
            "fail" => {
                let why = self.text(arg(0), &take(0))?;
                prelude::fail(why)
                    .map(|r| Value::from_result(r.map(|()| Value::Unit)))
                    .boxed_local()
            }
            "ready" => prelude::ready(take(0)),
            "join_all" => {
                let list = self.futures(arg(0), take(0))?;
                prelude::join_all(list).map(Value::List).boxed_local()
            }
            "try_join_all" => {
                let list = self.futures(arg(0), take(0))?;
                let list = list.into_iter().map(|f| f.map(Value::into_result));
                prelude::try_join_all(list)
                    .map(|r| Value::from_result(r.map(Value::List)))
                    .boxed_local()
            }
            "select" => {
                let (a, b) = (self.future(arg(0), take(0))?, self.future(arg(1), take(1))?);
                prelude::select(a, b)
                    .map(|either| match either {
                        Either::Left((out, rest)) => {
                            Value::Either(true, Box::new(Value::Tuple(vec![out, Value::Future(rest)])))
                        }
                        Either::Right((out, rest)) => {
                            Value::Either(false, Box::new(Value::Tuple(vec![out, Value::Future(rest)])))
                        }
                    })
                    .boxed_local()
            }
            "select_all" => {
                let list = self.futures(arg(0), take(0))?;
                prelude::select_all(list)
                    .map(|(out, index, rest)| {
                        Value::Tuple(vec![
                            out,
                            Value::Int(index),
                            Value::List(rest.into_iter().map(Value::Future).collect()),
                        ])
                    })
                    .boxed_local()
            }
            "buffer_unordered" => {
                let k = int(&take(0));
                if k == 0 {
                    return Err(self.fault(span, imp::NO_LANES));
                }
                let list = self.futures(arg(1), take(1))?;
                prelude::buffer_unordered(k, list).map(Value::List).boxed_local()
            }
            "timeout" => {
                let ms = int(&take(0));
                let future = self.future(arg(1), take(1))?;
                prelude::timeout(ms, future).map(Value::from_result).boxed_local()
            }
            "retry" => {
                let attempts = int(&take(0));
                let Value::Closure(closure) = take(1) else {
                    return Err(self.fault(arg(1), "retry takes a closure"));
                };
                let this = self.clone();
                let closure_span = arg(1);
                prelude::retry(attempts, move || {
                    let made = this.call_closure(closure_span, &closure, Vec::new());
                    match made {
                        Ok(Value::Future(f)) => f.map(Value::into_result).boxed_local(),
                        _ => future::pending().boxed_local(),
                    }
                })
                .map(Value::from_result)
                .boxed_local()
            }
            "spawn_local" => {
                let future = self.future(arg(0), take(0))?;
                self.runtime.detached.spawn(future.map(drop));
                return Ok(Value::Unit);
            }
            "repeat" => {
                let n = int(&take(0));
                let Value::Closure(closure) = take(1) else {
                    return Err(self.fault(arg(1), "repeat takes a closure"));
                };
                let mut made = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(prelude::MAX_FUTURES));
                let mut scope = Env::default();
                for i in 0..n {
                    made.push(self.call_closure_in(arg(1), &closure, [Value::Int(i)], &mut scope)?);
                }
                return Ok(Value::List(made));
            }
            "drop" => {
                drop(take(0));
                return Ok(Value::Unit);
            }
            "Ok" => return Ok(Value::Result(Ok(Box::new(take(0))))),
            other => return Err(self.fault(span, format!("no function `{other}`"))),
        };
        self.traced(span, future)
    }

    async fn macro_call(
        self: &Rc<Self>,
        span: Span,
        name: &str,
        args: &[Expr],
        env: &mut Env,
    ) -> Result<Value, Exit> {
        match name {
            "join" | "try_join" => {
                let values = self.list(args, env).await?;
                let futures = values
                    .into_iter()
                    .zip(args)
                    .map(|(v, a)| self.future(a.span, v))
                    .collect::<Result<Vec<_>, _>>()?;
                let joined: Task<Value> = if name == "join" {
                    join_in_order(futures)
                } else {
                    try_join_in_order(futures)
                };
                match self.traced(span, joined)? {
                    // The macro awaits what it joins, at its own line.
                    Value::Future(f) => Ok(AwaitAt::placed(f, self.place(span.start)).await),
                    other => Ok(other),
                }
            }
            "println" | "format" => {
                let line = match args.first() {
                    Some(Expr {
                        kind: ExprKind::Str(template),
                        ..
                    }) => {
                        let values = self.list(&args[1..], env).await?;
                        format_line(template, &values)
                    }
                    _ => String::new(),
                };
                if name == "format" {
                    return Ok(Value::Str(line.into()));
                }
                match self.runtime.run.borrow().as_ref() {
                    Some(run) => run.recorder().log(line),
                    None => imp::console(&line),
                }
                Ok(Value::Unit)
            }
            "vec" => Ok(Value::List(self.list(args, env).await?)),
            other => Err(self.fault(span, format!("no macro `{other}!`"))),
        }
    }
}

/// Whether `expr` is a literal or a variable, whose value needs no future
/// ([`Interpreter::at_once`] gives it).
fn plain(expr: &Expr) -> bool {
    matches!(expr.kind, ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::Var(_))
}

/// How many distinct labels [`shared_label`] keeps for the page's life.
const SHARED_LABELS: usize = 4096;

/// `label` as a traced future's label (a `Cow<'static, str>`) without a copy
/// per future: a program traces thousands of futures under a few labels
/// (`repeat(10000, |_| sleep(0))` makes ten thousand `sleep(0)`), and a
/// compiled program's labels are `&'static str`s. Each distinct label is
/// kept once, for the page's life, up to [`SHARED_LABELS`] of them of at
/// most 300 bytes each (so at most about 1.2 MB however many programs run);
/// past that, each future gets a copy of its own.
fn shared_label(label: &str) -> Cow<'static, str> {
    thread_local! {
        static KEPT: RefCell<std::collections::HashSet<&'static str>> = RefCell::default();
    }
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        if let Some(&shared) = kept.get(label) {
            return shared.into();
        }
        // (A long label is cut by the tracer, into a copy, anyway.)
        if kept.len() >= SHARED_LABELS || label.len() > 300 {
            return label.to_owned().into();
        }
        let shared: &'static str = Box::leak(label.into());
        kept.insert(shared);
        shared.into()
    })
}

/// `join!` over `futures`: as futures-rs's own, every unfinished one polled
/// in order on each poll (here `future::join`, nested: the same polls).
fn join_in_order(mut futures: Vec<Task<Value>>) -> Task<Value> {
    let count = futures.len();
    let Some(first) = (!futures.is_empty()).then(|| futures.remove(0)) else {
        return async { Value::Unit }.boxed_local();
    };
    let joined = futures
        .into_iter()
        .fold(first.map(|v| vec![v]).boxed_local(), |acc, next| {
            future::join(acc, next)
                .map(|(mut values, v)| {
                    values.push(v);
                    values
                })
                .boxed_local()
        });
    joined
        .map(move |values| {
            debug_assert_eq!(values.len(), count);
            Value::Tuple(values)
        })
        .boxed_local()
}

/// `try_join!` over `futures`: in order, stopping at the first error.
fn try_join_in_order(mut futures: Vec<Task<Value>>) -> Task<Value> {
    let Some(first) = (!futures.is_empty()).then(|| futures.remove(0)) else {
        return async { Value::Unit }.boxed_local();
    };
    let first: LocalBoxFuture<'static, Result<Vec<Value>, Error>> =
        first.map(|v| v.into_result().map(|v| vec![v])).boxed_local();
    let joined = futures.into_iter().fold(first, |acc, next| {
        future::try_join(acc, next.map(Value::into_result))
            .map(|r| {
                r.map(|(mut values, v)| {
                    values.push(v);
                    values
                })
            })
            .boxed_local()
    });
    joined
        .map(|r| Value::from_result(r.map(Value::Tuple)))
        .boxed_local()
}

fn names(pat: &Pat) -> Vec<String> {
    match pat {
        Pat::Ident { name, .. } => vec![name.clone()],
        Pat::Tuple(items, _) => items.iter().flat_map(names).collect(),
        Pat::Wild(_) => Vec::new(),
    }
}

/// `template` with its `{}` and `{:?}` filled from `values`, as `format!`
/// fills them.
pub fn format_line(template: &str, values: &[Value]) -> String {
    use super::template::Piece;
    let mut out = String::new();
    let mut values = values.iter();
    for piece in super::template::checked_pieces(template) {
        match piece {
            Piece::Text(text) => out.push_str(&text),
            Piece::Hole { debug } => match (debug, values.next()) {
                (true, Some(value)) => {
                    let _ = write!(out, "{value:?}");
                }
                (false, Some(value)) => out.push_str(&value.display()),
                (_, None) => {}
            },
        }
    }
    out
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
