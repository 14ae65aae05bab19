//! The tree a program is read into: every node keeps its place in the text.

use std::rc::Rc;

use super::Span;

/// A program: the body of an async fn.
#[derive(Debug, Clone)]
pub struct Program {
    /// Its text.
    pub source: Rc<str>,
    /// Its statements and its final expression.
    pub body: Rc<Block>,
    /// Its `//` comments (their text, trimmed), for the twins to carry over.
    pub comments: Vec<(Span, String)>,
}

/// A `{ … }` block (or the program's body).
#[derive(Debug, Clone)]
pub struct Block {
    /// The statements.
    pub stmts: Vec<Stmt>,
    /// The final expression, whose value is the block's.
    pub tail: Option<Box<Expr>>,
    /// Where it is.
    pub span: Span,
}

/// A statement.
#[derive(Debug, Clone)]
pub enum Stmt {
    /// `let pat: ty = init;`
    Let {
        /// The pattern.
        pat: Pat,
        /// The written type, if any.
        ty: Option<TypeExpr>,
        /// The value.
        init: Expr,
        /// The whole statement.
        span: Span,
    },
    /// `expr;` (or a block-like expression without `;`).
    Expr {
        /// The expression.
        expr: Expr,
        /// Whether a `;` ends it.
        semi: bool,
    },
    /// `for pat in start..end { body }`.
    For {
        /// The loop variable.
        pat: Pat,
        /// The range's start.
        start: Expr,
        /// The range's end (excluded).
        end: Expr,
        /// The body, run once per number.
        body: Rc<Block>,
        /// The whole loop.
        span: Span,
    },
}

/// A pattern on the left of `let`, in a closure's parameters or a loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Pat {
    /// A name (`mut` or not).
    Ident {
        /// The name.
        name: String,
        /// Written `mut`.
        mutable: bool,
        /// Where.
        span: Span,
    },
    /// `_`: nothing is bound, the value is dropped at once.
    Wild(Span),
    /// `(a, b, …)`.
    Tuple(Vec<Pat>, Span),
}

impl Pat {
    /// Where it is.
    pub fn span(&self) -> Span {
        match self {
            Pat::Ident { span, .. } | Pat::Wild(span) | Pat::Tuple(_, span) => *span,
        }
    }
}

/// A type as written (`let x: u64`, `Ok::<(), Error>`).
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `_`.
    Infer,
    /// A path: `u64`, `String`, `Error`, `Vec<T>`, `Result<T, E>`, `&str`.
    Path(String, Vec<TypeExpr>),
    /// `&T`.
    Ref(Box<TypeExpr>),
    /// `(A, B)` and `()`.
    Tuple(Vec<TypeExpr>),
}

/// An expression and its place.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// A binary operator on whole numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
}

/// The kinds of expression.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A whole number.
    Int(u64),
    /// A string literal.
    Str(Rc<str>),
    /// A variable.
    Var(String),
    /// A function call: a prelude name, `Ok`, `Err`, `drop`.
    Call {
        /// The name.
        name: String,
        /// Where the name is.
        name_span: Span,
        /// `::<…>` after the name.
        turbofish: Vec<TypeExpr>,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// A macro: `join!`, `try_join!`, `println!`, `format!`, `vec!`.
    Macro {
        /// The name, without `!`.
        name: String,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `async { … }` or `async move { … }`.
    Async {
        /// `move`.
        is_move: bool,
        /// The block.
        block: Rc<Block>,
    },
    /// `|a, b| body` or `move |…| body`.
    Closure {
        /// `move`.
        is_move: bool,
        /// The parameters.
        params: Vec<Pat>,
        /// The body.
        body: Rc<Expr>,
    },
    /// `expr.await`.
    Await(Box<Expr>),
    /// `expr?`.
    Try(Box<Expr>),
    /// `expr.clone()`.
    Clone(Box<Expr>),
    /// `(a, b)`; `()` is the empty one.
    Tuple(Vec<Expr>),
    /// `[a, b]`.
    Array(Vec<Expr>),
    /// `&expr`.
    Ref(Box<Expr>),
    /// `a + b` and the like.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left.
        lhs: Box<Expr>,
        /// Right.
        rhs: Box<Expr>,
    },
    /// `{ … }`.
    Block(Rc<Block>),
    /// `(expr)`.
    Paren(Box<Expr>),
}
