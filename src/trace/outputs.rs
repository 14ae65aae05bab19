//! How the work's own results read in a task's record. The tracer adapts
//! `tasks/`' types here, so that `tasks/` knows nothing of the tracer; and
//! the outputs of a sandbox program's futures (lists, tuples, `Either`,
//! pending futures), read the same way whether the program is compiled or
//! interpreted.

use std::future::Future;

use super::{Outcome, TaskOutput};
use crate::tasks::{Download, WorkerResult};

impl TaskOutput for Download {
    fn outcome(&self) -> Outcome {
        Outcome::Done(Some(self.to_string()))
    }
}

impl TaskOutput for WorkerResult {
    fn outcome(&self) -> Outcome {
        Outcome::Done(Some(self.to_string()))
    }
}

/// How a value reads inside a list, a tuple or an `Either` (a sandbox
/// program's outputs): its description, `()` for one that has none, and an
/// error as `Err(…)`.
pub fn part(outcome: Outcome) -> String {
    match outcome {
        Outcome::Done(Some(text)) => text,
        Outcome::Done(None) => "()".into(),
        Outcome::Failed(error) => format!("Err({error})"),
    }
}

/// A list reads as its length: a run of 100,000 would not fit a cell.
pub fn items(len: usize) -> Outcome {
    Outcome::Done(Some(format!("{len} item{}", if len == 1 { "" } else { "s" })))
}

impl<T> TaskOutput for Vec<T> {
    fn outcome(&self) -> Outcome {
        items(self.len())
    }
}

/// A future inside an output (the loser of a `select`): still pending.
pub const PENDING_FUTURE: &str = "a pending future";

impl<T> TaskOutput for std::pin::Pin<Box<dyn Future<Output = T>>> {
    fn outcome(&self) -> Outcome {
        Outcome::Done(Some(PENDING_FUTURE.into()))
    }
}

/// A tuple reads as its parts: `(a, b)`.
pub fn tuple(parts: impl IntoIterator<Item = Outcome>) -> Outcome {
    let parts: Vec<String> = parts.into_iter().map(part).collect();
    Outcome::Done(Some(format!("({})", parts.join(", "))))
}

macro_rules! tuples_are_outputs {
    ($(($($t:ident $i:tt),+))*) => {$(
        impl<$($t: TaskOutput),+> TaskOutput for ($($t,)+) {
            fn outcome(&self) -> Outcome {
                tuple([$(self.$i.outcome()),+])
            }
        }
    )*};
}
tuples_are_outputs!((A 0, B 1) (A 0, B 1, C 2) (A 0, B 1, C 2, D 3) (A 0, B 1, C 2, D 3, E 4) (A 0, B 1, C 2, D 3, E 4, F 5));

/// `select`'s output: which side won, and with what.
pub fn either(left: bool, inner: Outcome) -> Outcome {
    Outcome::Done(Some(format!(
        "{}{}",
        if left { "Left" } else { "Right" },
        part(inner)
    )))
}

impl<L: TaskOutput, R: TaskOutput> TaskOutput for futures::future::Either<L, R> {
    fn outcome(&self) -> Outcome {
        match self {
            futures::future::Either::Left(l) => either(true, l.outcome()),
            futures::future::Either::Right(r) => either(false, r.outcome()),
        }
    }
}
