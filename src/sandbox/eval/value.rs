//! A running program's values, their `{}` and `{:?}`, and the labels its
//! futures are traced under.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use super::super::prelude::Task;
use super::super::syntax::{Expr, Pat};
use crate::error::Error;
use crate::trace::{Outcome, TaskOutput};

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
    pub(super) params: Vec<Pat>,
    pub(super) body: Rc<Expr>,
    pub(super) captured: RefCell<Env>,
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
    pub(super) fn display(&self) -> String {
        match self {
            Value::Int(n) => n.to_string(),
            Value::Str(s) => s.to_string(),
            Value::Error(e) => e.to_string(),
            other => format!("{other:?}"),
        }
    }

    /// Whether a future is inside: such a value is moved, never copied.
    pub(super) fn holds_future(&self) -> bool {
        match self {
            Value::Future(_) => true,
            Value::Tuple(items) | Value::List(items) => items.iter().any(Value::holds_future),
            Value::Result(Ok(v) | Err(v)) | Value::Either(_, v) => v.holds_future(),
            _ => false,
        }
    }

    /// A copy of a value that holds no future.
    pub(super) fn copy(&self) -> Value {
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
    pub(super) fn into_result(self) -> Result<Value, Error> {
        match self {
            Value::Result(Ok(v)) => Ok(*v),
            Value::Result(Err(e)) => Err(match *e {
                Value::Error(e) => *e,
                other => Error::Program(other.display()),
            }),
            other => Ok(other),
        }
    }

    pub(super) fn from_result(result: Result<Value, Error>) -> Value {
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
    pub(super) vars: Vec<(Rc<str>, Option<Value>)>,
}

impl Env {
    pub(super) fn get(&mut self, name: &str) -> Option<Value> {
        let slot = self.vars.iter_mut().rev().find(|(n, _)| &**n == name)?;
        match &slot.1 {
            Some(v) if !v.holds_future() => Some(v.copy()),
            _ => slot.1.take(),
        }
    }

    pub(super) fn set(&mut self, name: &str, value: Value) {
        self.set_shared(name.into(), value);
    }

    pub(super) fn set_shared(&mut self, name: Rc<str>, value: Value) {
        self.vars.push((name, Some(value)));
    }

    /// Drops the variables past `mark`, the last declared first (as Rust does).
    pub(super) fn truncate(&mut self, mark: usize) {
        while self.vars.len() > mark {
            drop(self.vars.pop());
        }
    }
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
pub(super) fn shared_label(label: &str) -> Cow<'static, str> {
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

/// `template` with its `{}` and `{:?}` filled from `values`, as `format!`
/// fills them.
pub fn format_line(template: &str, values: &[Value]) -> String {
    use super::super::template::Piece;
    let mut out = String::new();
    let mut values = values.iter();
    for piece in super::super::template::checked_pieces(template) {
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
