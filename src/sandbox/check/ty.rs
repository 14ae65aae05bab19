//! The types of the subset, written as rustc writes them.

use std::fmt;

use super::FutKind;

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
