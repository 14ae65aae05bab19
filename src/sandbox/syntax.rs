//! The sandbox's language: a small subset of async Rust, read into a tree
//! that keeps every node's place in the text. Anything outside the subset,
//! and anything Rust would not parse, is a [`Diagnostic`]: a message, a
//! place, and a caret under it, as rustc writes them.
//!
//! The subset (the README's "Your own program" lists it for readers):
//!
//! ```text
//! program := stmt* expr?                       (the body of an async fn)
//! stmt    := "let" pat (":" type)? "=" expr ";"
//!          | "for" pat "in" expr ".." expr block
//!          | expr ";"  |  block-like expr      (a block, an async block)
//! pat     := ident | "mut" ident | "_" | "(" pat,* ")"
//! expr    := a binary expression of "+ - * / %" over
//!            literal | ident | call | macro | "(" expr,* ")" | "[" expr,* "]"
//!            | "&" expr | block | "async" "move"? block | "move"? "|" pat,* "|" expr
//!            each followed by any of ".await", "?", ".clone()"
//! call    := ident ("::" "<" type,* ">")? "(" expr,* ")"
//! macro   := ident "!" ("(" | "[") expr,* (")" | "]")
//! ```

use std::fmt;
use std::rc::Rc;

/// A range of bytes of the program's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// From `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// From the start of `self` to the end of `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start, other.end.max(self.start))
    }
}

/// A place in the text as people count: 1-based line and column (in
/// characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

/// A message as a sentence quotes it: each `name` in it of more than 60
/// characters cut short with "…" (a program may name anything), and the
/// whole cut at 240 characters.
fn shortened(message: &str) -> std::borrow::Cow<'_, str> {
    const NAME: usize = 60;
    if message.chars().count() <= NAME {
        return message.into();
    }
    let mut out = String::with_capacity(message.len().min(400));
    for (i, piece) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        match piece.char_indices().nth(NAME) {
            // Inside backticks (odd pieces): a name, cut.
            Some((end, _)) if i % 2 == 1 => {
                out.push_str(&piece[..end]);
                out.push('…');
            }
            _ => out.push_str(piece),
        }
    }
    crate::error::cut_to(&out, 240).into_owned().into()
}

/// The line and column of byte `at` of `source`.
pub fn line_col(source: &str, at: usize) -> LineCol {
    let at = floor_char_boundary(source, at.min(source.len()));
    let before = &source[..at];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    LineCol {
        line,
        col: before[line_start..].chars().count() as u32 + 1,
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// What is wrong with a program, and where: an error (the program does not
/// run) or a warning (it runs, but rustc would say something too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// rustc's code, such as `E0425`, where rustc has one.
    pub code: Option<&'static str>,
    /// The message.
    pub message: String,
    /// Where.
    pub span: Span,
    /// A hint, as rustc's `help:` lines give them.
    pub help: Option<String>,
    /// A warning rather than an error.
    pub warning: bool,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code: None,
            message: message.into(),
            span,
            help: None,
            warning: false,
        }
    }

    /// With rustc's error code.
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// With a hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// As a warning.
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    /// The one-line form `line:col: message`, as `run()` rejects with it
    /// (a sentence: it ends with a full stop where rustc's has none).
    pub fn sentence(&self, source: &str) -> String {
        let at = line_col(source, self.span.start);
        let kind = if self.warning { "warning" } else { "error" };
        let code = self.code.map(|c| format!("[{c}]")).unwrap_or_default();
        let message = shortened(&self.message);
        let stop = if message.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        format!("{}:{}: {kind}{code}: {message}{stop}", at.line, at.col)
    }

    /// rustc's form: the sentence, the line of the program and a caret
    /// under the place, and the hint.
    pub fn render(&self, source: &str) -> String {
        let at = line_col(source, self.span.start);
        let line_text = source.lines().nth(at.line as usize - 1).unwrap_or("");
        let end = line_col(source, self.span.end.max(self.span.start));
        let width = if end.line == at.line {
            (end.col.saturating_sub(at.col)).max(1)
        } else {
            (line_text.chars().count() as u32 + 1)
                .saturating_sub(at.col)
                .max(1)
        };
        let gutter = " ".repeat(at.line.to_string().len());
        let mut out = format!(
            "{}\n{gutter} --> {}:{}\n{gutter} |\n{} | {line_text}\n{gutter} | {}{}",
            self.sentence(source),
            at.line,
            at.col,
            at.line,
            " ".repeat(at.col as usize - 1),
            "^".repeat(width as usize)
        );
        if let Some(help) = &self.help {
            out.push_str(&format!("\n{gutter} = help: {help}"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The most characters a program may have.
pub const MAX_CHARS: usize = 10_000;
/// The deepest nesting of expressions and blocks.
pub const MAX_DEPTH: usize = 64;

// ---- tokens ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Int(u64),
    Str(String),
    Punct(&'static str),
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    span: Span,
}

const PUNCTS: &[&str] = &[
    "..=", "::", "..", "=>", "->", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", "{", "}", ",",
    ";", ":", ".", "?", "=", "!", "|", "&", "+", "-", "*", "/", "%", "<", ">", "#", "'", "@", "^", "~", "$",
];

fn lex(source: &str, comments: &mut Vec<(Span, String)>) -> Result<Vec<Token>, Diagnostic> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let c = source[at..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        if source[at..].starts_with("//") {
            let end = source[at..].find('\n').map_or(source.len(), |i| at + i);
            let text = source[at + 2..end].trim();
            comments.push((Span::new(at, end), text.to_string()));
            at = end;
            continue;
        }
        if source[at..].starts_with("/*") {
            // Nested, as Rust's are.
            let (mut depth, mut i) = (0usize, at);
            loop {
                if i >= bytes.len() {
                    return Err(
                        Diagnostic::error(Span::new(at, at + 2), "unterminated block comment").code("E0758"),
                    );
                }
                if source[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if source[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += source[i..].chars().next().map_or(1, char::len_utf8);
                }
            }
            at = i;
            continue;
        }
        let start = at;
        if c.is_ascii_alphabetic() || c == '_' {
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            tokens.push(Token {
                tok: Tok::Ident(source[start..at].to_string()),
                span: Span::new(start, at),
            });
            continue;
        }
        if c.is_ascii_digit() {
            while at < bytes.len() && (bytes[at].is_ascii_digit() || bytes[at] == b'_') {
                at += 1;
            }
            // A suffix (`300u64`) is read and must name an integer type.
            let digits_end = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            let span = Span::new(start, at);
            let suffix = &source[digits_end..at];
            if !suffix.is_empty() && suffix != "u64" {
                let hint = if suffix.starts_with('.') || suffix.starts_with('e') {
                    "the sandbox has whole numbers only"
                } else {
                    "the sandbox's numbers are u64: write the number alone, or with the suffix u64"
                };
                return Err(
                    Diagnostic::error(span, format!("invalid suffix `{suffix}` for number literal"))
                        .help(hint),
                );
            }
            if at < bytes.len() && bytes[at] == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
                return Err(Diagnostic::error(
                    Span::new(start, at + 2),
                    "the sandbox has whole numbers only",
                )
                .help("write milliseconds as a whole number, such as 1500"));
            }
            let digits: String = source[start..digits_end].chars().filter(|&c| c != '_').collect();
            let value = digits.parse::<u64>().map_err(|_| {
                Diagnostic::error(span, "integer literal is too large")
                    .help("the largest u64 is 18446744073709551615")
            })?;
            tokens.push(Token {
                tok: Tok::Int(value),
                span,
            });
            continue;
        }
        if c == '"' {
            let (text, end) = string_literal(source, at)?;
            tokens.push(Token {
                tok: Tok::Str(text),
                span: Span::new(start, end),
            });
            at = end;
            continue;
        }
        match PUNCTS.iter().find(|p| source[at..].starts_with(**p)) {
            Some(p) => {
                tokens.push(Token {
                    tok: Tok::Punct(p),
                    span: Span::new(at, at + p.len()),
                });
                at += p.len();
            }
            None => {
                return Err(Diagnostic::error(
                    Span::new(at, at + c.len_utf8()),
                    format!("unknown start of token: {}", c.escape_debug()),
                ))
            }
        }
    }
    tokens.push(Token {
        tok: Tok::Eof,
        span: Span::new(source.len(), source.len()),
    });
    Ok(tokens)
}

/// A string literal starting at `start` (its opening quote): its value and
/// where it ends.
fn string_literal(source: &str, start: usize) -> Result<(String, usize), Diagnostic> {
    let mut text = String::new();
    let mut chars = source[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        let at = start + 1 + i;
        match c {
            '"' => return Ok((text, at + 1)),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                let escaped = match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '\\' => '\\',
                    '"' => '"',
                    '\'' => '\'',
                    '\n' => {
                        // A line continuation: the newline and the next line's
                        // leading spaces go.
                        let rest = &source[at + 2..];
                        let skip = rest.len() - rest.trim_start().len();
                        for _ in rest[..skip].chars() {
                            chars.next();
                        }
                        continue;
                    }
                    'u' => {
                        let rest = &source[at + 2..];
                        let close = rest.find('}').filter(|_| rest.starts_with('{'));
                        let value = close
                            .and_then(|end| u32::from_str_radix(&rest[1..end], 16).ok())
                            .and_then(char::from_u32);
                        match (close, value) {
                            (Some(end), Some(value)) => {
                                for _ in rest[..=end].chars() {
                                    chars.next();
                                }
                                value
                            }
                            _ => {
                                return Err(Diagnostic::error(
                                    Span::new(at, at + 2),
                                    "invalid unicode character escape",
                                )
                                .help("format of unicode escape sequences is `\\u{...}`"))
                            }
                        }
                    }
                    other => {
                        return Err(Diagnostic::error(
                            Span::new(at, at + 1 + other.len_utf8()),
                            format!("unknown character escape: `{}`", other.escape_debug()),
                        ))
                    }
                };
                text.push(escaped);
            }
            c => text.push(c),
        }
    }
    Err(Diagnostic::error(Span::new(start, start + 1), "unterminated double quote string").code("E0765"))
}

// ---- the tree -------------------------------------------------------------

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

// ---- the parser -------------------------------------------------------------

/// Reads `source` into a [`Program`], or says what is wrong.
pub fn parse(source: &str) -> Result<Program, Diagnostic> {
    let chars = source.chars().count();
    if chars > MAX_CHARS {
        return Err(Diagnostic::error(
            Span::new(0, 0),
            format!("the program has {chars} characters; the sandbox takes at most {MAX_CHARS}"),
        ));
    }
    let mut comments = Vec::new();
    let tokens = lex(source, &mut comments)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
    };
    let body = parser.block_body(Span::new(0, 0), true)?;
    Ok(Program {
        source: source.into(),
        body: Rc::new(body),
        comments,
    })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

/// Words Rust reserves that the subset does not use: a program that uses one
/// gets rustc's sentence, not "cannot find".
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn", "if",
    "impl", "in", "loop", "match", "mod", "pub", "ref", "return", "self", "Self", "static", "struct",
    "super", "trait", "true", "type", "unsafe", "use", "where", "while", "await", "async", "move", "let",
    "for", "mut",
];

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.at].tok
    }

    fn span(&self) -> Span {
        self.tokens[self.at].span
    }

    fn next(&mut self) -> Token {
        let token = self.tokens[self.at].clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    fn is(&self, punct: &str) -> bool {
        matches!(self.peek(), Tok::Punct(p) if *p == punct)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Ident(w) if w == word)
    }

    fn eat(&mut self, punct: &str) -> bool {
        if self.is(punct) {
            self.next();
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.is_word(word) {
            self.next();
            true
        } else {
            false
        }
    }

    fn describe(tok: &Tok) -> String {
        match tok {
            Tok::Ident(w) if KEYWORDS.contains(&w.as_str()) => format!("keyword `{w}`"),
            Tok::Ident(w) => format!("`{w}`"),
            Tok::Int(n) => format!("`{n}`"),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Eof => "end of the program".to_string(),
        }
    }

    fn expected(&self, what: &str) -> Diagnostic {
        Diagnostic::error(
            self.span(),
            format!("expected {what}, found {}", Self::describe(self.peek())),
        )
    }

    fn expect(&mut self, punct: &str) -> Result<Span, Diagnostic> {
        if self.is(punct) {
            Ok(self.next().span)
        } else {
            Err(self.expected(&format!("`{punct}`")))
        }
    }

    fn deeper(&mut self) -> Result<(), Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                self.span(),
                format!("the program nests deeper than {MAX_DEPTH} levels, the most the sandbox reads"),
            ));
        }
        Ok(())
    }

    /// Statements up to `}` (or the end, for the program's body).
    fn block_body(&mut self, open: Span, top: bool) -> Result<Block, Diagnostic> {
        self.deeper()?;
        let mut stmts = Vec::new();
        let mut tail = None;
        loop {
            if top && matches!(self.peek(), Tok::Eof) {
                break;
            }
            if !top && self.is("}") {
                break;
            }
            if matches!(self.peek(), Tok::Eof) {
                return Err(
                    Diagnostic::error(open, "this file contains an unclosed delimiter")
                        .help("a `{` here has no `}`"),
                );
            }
            if self.eat(";") {
                continue;
            }
            if let Some(earlier) = tail.take() {
                // An expression without `;` that is not the last: only block-like
                // ones may stand so.
                let earlier: Expr = earlier;
                if is_block_like(&earlier) {
                    stmts.push(Stmt::Expr {
                        expr: earlier,
                        semi: false,
                    });
                } else {
                    return Err(Diagnostic::error(
                        Span::new(earlier.span.end, earlier.span.end),
                        format!("expected `;`, found {}", Self::describe(self.peek())),
                    )
                    .help("add `;` here"));
                }
            }
            if self.is_word("let") {
                stmts.push(self.let_stmt()?);
            } else if self.is_word("for") {
                stmts.push(self.for_stmt()?);
            } else {
                let expr = self.expr()?;
                if self.eat(";") {
                    stmts.push(Stmt::Expr { expr, semi: true });
                } else {
                    tail = Some(expr);
                }
            }
        }
        let end = self.span().end;
        self.depth -= 1;
        Ok(Block {
            stmts,
            tail: tail.map(Box::new),
            span: Span::new(open.start, end),
        })
    }

    fn block(&mut self) -> Result<Block, Diagnostic> {
        let open = self.expect("{")?;
        let mut block = self.block_body(open, false)?;
        let close = self.expect("}")?;
        block.span = open.to(close);
        Ok(block)
    }

    fn let_stmt(&mut self) -> Result<Stmt, Diagnostic> {
        let start = self.next().span;
        let pat = self.pat()?;
        let ty = if self.eat(":") {
            Some(self.type_expr()?)
        } else {
            None
        };
        if !self.is("=") {
            if self.is(";") {
                return Err(Diagnostic::error(
                    self.span(),
                    "a `let` without a value is not in the sandbox's subset",
                )
                .help("give it its value: `let x = …;`"));
            }
            return Err(self.expected("`=`"));
        }
        self.next();
        let init = self.expr()?;
        let end = self.expect(";").map_err(|e| {
            if matches!(self.peek(), Tok::Eof) || self.is("}") {
                Diagnostic::error(Span::new(init.span.end, init.span.end), "expected `;`")
                    .help("add `;` here")
            } else {
                e
            }
        })?;
        Ok(Stmt::Let {
            pat,
            ty,
            init,
            span: start.to(end),
        })
    }

    fn for_stmt(&mut self) -> Result<Stmt, Diagnostic> {
        let start = self.next().span;
        let pat = self.pat()?;
        if !self.eat_word("in") {
            return Err(self.expected("`in`"));
        }
        let from = self.binary(0)?;
        if self.is("..=") {
            return Err(Diagnostic::error(
                self.span(),
                "the sandbox's `for` takes a range `a..b` (b excluded)",
            )
            .help("write `a..b + 1` for the numbers from a to b"));
        }
        if !self.eat("..") {
            return Err(self.expected("`..` (the sandbox's `for` takes a range of numbers, `for i in 0..n`)"));
        }
        let to = self.binary(0)?;
        let body = self.block()?;
        let span = start.to(body.span);
        Ok(Stmt::For {
            pat,
            start: from,
            end: to,
            body: Rc::new(body),
            span,
        })
    }

    fn pat(&mut self) -> Result<Pat, Diagnostic> {
        self.deeper()?;
        let token = self.next();
        let pat = match token.tok {
            Tok::Ident(w) if w == "_" => Pat::Wild(token.span),
            Tok::Ident(w) if w == "mut" => match self.next() {
                Token {
                    tok: Tok::Ident(name),
                    span,
                } if !KEYWORDS.contains(&name.as_str()) && name != "_" => Pat::Ident {
                    name,
                    mutable: true,
                    span: token.span.to(span),
                },
                other => {
                    return Err(Diagnostic::error(
                        other.span,
                        format!("expected identifier, found {}", Self::describe(&other.tok)),
                    ))
                }
            },
            Tok::Ident(w) if !KEYWORDS.contains(&w.as_str()) => Pat::Ident {
                name: w,
                mutable: false,
                span: token.span,
            },
            Tok::Punct("(") => {
                let mut items = Vec::new();
                while !self.is(")") {
                    items.push(self.pat()?);
                    if !self.eat(",") {
                        break;
                    }
                }
                let close = self.expect(")")?;
                match items.len() {
                    1 if !self.tokens[self.at - 2].tok.eq(&Tok::Punct(",")) => {
                        items.pop().unwrap_or(Pat::Wild(token.span))
                    }
                    _ => Pat::Tuple(items, token.span.to(close)),
                }
            }
            other => {
                return Err(Diagnostic::error(
                    token.span,
                    format!(
                        "expected a pattern (a name, `_` or a tuple), found {}",
                        Self::describe(&other)
                    ),
                ))
            }
        };
        self.depth -= 1;
        Ok(pat)
    }

    fn type_expr(&mut self) -> Result<TypeExpr, Diagnostic> {
        self.deeper()?;
        let token = self.next();
        let ty = match token.tok {
            Tok::Ident(w) if w == "_" => TypeExpr::Infer,
            Tok::Punct("&") => {
                if self.is("'") {
                    // `&'static str`
                    self.next();
                    if !self.eat_word("static") {
                        return Err(self.expected("`static`"));
                    }
                }
                TypeExpr::Ref(Box::new(self.type_expr()?))
            }
            Tok::Punct("(") => {
                let mut items = Vec::new();
                while !self.is(")") {
                    items.push(self.type_expr()?);
                    if !self.eat(",") {
                        break;
                    }
                }
                self.expect(")")?;
                if items.len() == 1 && !matches!(self.tokens[self.at - 2].tok, Tok::Punct(",")) {
                    items.pop().unwrap_or(TypeExpr::Tuple(Vec::new()))
                } else {
                    TypeExpr::Tuple(items)
                }
            }
            Tok::Ident(name) => {
                let mut args = Vec::new();
                if self.eat("<") {
                    while !self.is(">") {
                        args.push(self.type_expr()?);
                        if !self.eat(",") {
                            break;
                        }
                    }
                    self.expect(">")?;
                }
                TypeExpr::Path(name, args)
            }
            other => {
                return Err(Diagnostic::error(
                    token.span,
                    format!("expected a type, found {}", Self::describe(&other)),
                ))
            }
        };
        self.depth -= 1;
        Ok(ty)
    }

    fn expr(&mut self) -> Result<Expr, Diagnostic> {
        self.binary(0)
    }

    fn binary(&mut self, min: u8) -> Result<Expr, Diagnostic> {
        self.deeper()?;
        let mut lhs = self.unary()?;
        loop {
            let (op, precedence) = match self.peek() {
                Tok::Punct("+") => (BinOp::Add, 1),
                Tok::Punct("-") => (BinOp::Sub, 1),
                Tok::Punct("*") => (BinOp::Mul, 2),
                Tok::Punct("/") => (BinOp::Div, 2),
                Tok::Punct("%") => (BinOp::Rem, 2),
                Tok::Punct(p @ ("==" | "!=" | "<" | ">" | "<=" | ">=" | "&&" | "||")) => {
                    let p = *p;
                    return Err(Diagnostic::error(
                        self.span(),
                        format!("`{p}` is not in the sandbox's subset: it has no conditions"),
                    ));
                }
                _ => break,
            };
            if precedence < min {
                break;
            }
            self.next();
            let rhs = self.binary(precedence + 1)?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, Diagnostic> {
        if self.is("&") {
            let start = self.next().span;
            if self.is_word("mut") {
                return Err(Diagnostic::error(
                    self.span(),
                    "`&mut` is not in the sandbox's subset",
                ));
            }
            self.deeper()?;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = start.to(inner.span);
            return Ok(Expr {
                kind: ExprKind::Ref(Box::new(inner)),
                span,
            });
        }
        if self.is("-") || self.is("!") || self.is("*") {
            return Err(Diagnostic::error(
                self.span(),
                format!(
                    "a leading `{}` is not in the sandbox's subset",
                    Self::describe(self.peek()).trim_matches('`')
                ),
            ));
        }
        let mut expr = self.primary()?;
        loop {
            if self.is(".") {
                let dot = self.next().span;
                match self.next() {
                    Token {
                        tok: Tok::Ident(w),
                        span,
                    } if w == "await" => {
                        let span = expr.span.to(span);
                        expr = Expr {
                            kind: ExprKind::Await(Box::new(expr)),
                            span,
                        };
                    }
                    Token {
                        tok: Tok::Ident(w),
                        span,
                    } if w == "clone" => {
                        let _ = span;
                        self.expect("(")?;
                        let close = self.expect(")")?;
                        let span = expr.span.to(close);
                        expr = Expr {
                            kind: ExprKind::Clone(Box::new(expr)),
                            span,
                        };
                    }
                    Token {
                        tok: Tok::Ident(w),
                        span,
                    } => {
                        return Err(Diagnostic::error(
                            dot.to(span),
                            format!("the method `{w}` is not in the sandbox's subset"),
                        )
                        .help("after a value the sandbox reads `.await` and `.clone()`"))
                    }
                    other => {
                        return Err(Diagnostic::error(
                            other.span,
                            format!(
                                "expected `await` or `clone()` after `.`, found {}",
                                Self::describe(&other.tok)
                            ),
                        ))
                    }
                }
            } else if self.is("?") {
                let q = self.next().span;
                let span = expr.span.to(q);
                expr = Expr {
                    kind: ExprKind::Try(Box::new(expr)),
                    span,
                };
            } else {
                break;
            }
        }
        Ok(expr)
    }

    /// Comma-separated expressions up to `close` (consumed); returns its span.
    fn list(&mut self, close: &str) -> Result<(Vec<Expr>, Span, bool), Diagnostic> {
        let mut items = Vec::new();
        let mut trailing = false;
        while !self.is(close) {
            if matches!(self.peek(), Tok::Eof) {
                return Err(self.expected(&format!("`{close}`")));
            }
            items.push(self.expr()?);
            trailing = false;
            if !self.eat(",") {
                break;
            }
            trailing = true;
        }
        let end = self.expect(close)?;
        Ok((items, end, trailing))
    }

    fn primary(&mut self) -> Result<Expr, Diagnostic> {
        self.deeper()?;
        let token = self.next();
        let start = token.span;
        let expr = match token.tok {
            Tok::Int(n) => Expr {
                kind: ExprKind::Int(n),
                span: start,
            },
            Tok::Str(s) => Expr {
                kind: ExprKind::Str(s.into()),
                span: start,
            },
            Tok::Punct("(") => {
                let (mut items, end, trailing) = self.list(")")?;
                let span = start.to(end);
                if items.len() == 1 && !trailing {
                    Expr {
                        kind: ExprKind::Paren(Box::new(items.remove(0))),
                        span,
                    }
                } else {
                    Expr {
                        kind: ExprKind::Tuple(items),
                        span,
                    }
                }
            }
            Tok::Punct("[") => {
                let (items, end, _) = self.list("]")?;
                Expr {
                    kind: ExprKind::Array(items),
                    span: start.to(end),
                }
            }
            Tok::Punct("{") => {
                let mut block = self.block_body(start, false)?;
                let close = self.expect("}")?;
                block.span = start.to(close);
                Expr {
                    span: block.span,
                    kind: ExprKind::Block(Rc::new(block)),
                }
            }
            Tok::Punct("|") | Tok::Punct("||") => {
                self.at -= 1;
                self.closure(start, false)?
            }
            Tok::Ident(w) if w == "move" => {
                if self.is("|") || self.is("||") {
                    self.closure(start, true)?
                } else {
                    return Err(self.expected("`|` (a closure after `move`)"));
                }
            }
            Tok::Ident(w) if w == "async" => {
                let is_move = self.eat_word("move");
                if self.is("|") || self.is("||") {
                    return Err(Diagnostic::error(
                        start.to(self.span()),
                        "async closures are not in the sandbox's subset",
                    )
                    .help("write a closure that returns an async block: `|| async move { … }`"));
                }
                if !self.is("{") {
                    return Err(self.expected("`{` (an async block)"));
                }
                let block = self.block()?;
                Expr {
                    span: start.to(block.span),
                    kind: ExprKind::Async {
                        is_move,
                        block: Rc::new(block),
                    },
                }
            }
            Tok::Ident(w) if w == "await" => {
                return Err(Diagnostic::error(start, "incorrect use of `await`")
                    .help("`await` is a postfix operation: write `future.await`"))
            }
            Tok::Ident(w) if w == "if" || w == "match" || w == "loop" || w == "while" || w == "return" => {
                return Err(Diagnostic::error(start, format!("`{w}` is not in the sandbox's subset"))
                    .help("the sandbox has `let`, `for i in a..b`, blocks, async blocks and closures"))
            }
            Tok::Ident(w) if w == "true" || w == "false" => {
                return Err(Diagnostic::error(start, "booleans are not in the sandbox's subset"))
            }
            Tok::Ident(w) if w == "fn" || w == "use" || w == "struct" || w == "impl" || w == "mod" => {
                return Err(Diagnostic::error(start, format!("`{w}` items are not in the sandbox's subset"))
                    .help("the program is the body of an async fn: statements only (the prelude is already in scope)"))
            }
            Tok::Ident(w) if KEYWORDS.contains(&w.as_str()) => {
                return Err(Diagnostic::error(
                    start,
                    format!("expected expression, found keyword `{w}`"),
                ))
            }
            Tok::Ident(name) => {
                if self.is("!") {
                    self.next();
                    let open = self.next();
                    let close = match open.tok {
                        Tok::Punct("(") => ")",
                        Tok::Punct("[") => "]",
                        other => {
                            return Err(Diagnostic::error(
                                open.span,
                                format!("expected `(` or `[` after `{name}!`, found {}", Self::describe(&other)),
                            ))
                        }
                    };
                    let (args, end, _) = self.list(close)?;
                    Expr {
                        kind: ExprKind::Macro { name, args },
                        span: start.to(end),
                    }
                } else if self.is("(") || self.is("::") {
                    let mut turbofish = Vec::new();
                    if self.eat("::") {
                        self.expect("<")?;
                        while !self.is(">") {
                            turbofish.push(self.type_expr()?);
                            if !self.eat(",") {
                                break;
                            }
                        }
                        self.expect(">")?;
                        if !self.is("(") {
                            return Err(self.expected("`(`"));
                        }
                    }
                    self.next();
                    let (args, end, _) = self.list(")")?;
                    Expr {
                        kind: ExprKind::Call {
                            name,
                            name_span: start,
                            turbofish,
                            args,
                        },
                        span: start.to(end),
                    }
                } else {
                    Expr {
                        kind: ExprKind::Var(name),
                        span: start,
                    }
                }
            }
            other => {
                let at = Span::new(start.start, start.end);
                return Err(Diagnostic::error(at, format!("expected expression, found {}", Self::describe(&other))));
            }
        };
        self.depth -= 1;
        Ok(expr)
    }

    fn closure(&mut self, start: Span, is_move: bool) -> Result<Expr, Diagnostic> {
        let mut params = Vec::new();
        if !self.eat("||") {
            self.expect("|")?;
            while !self.is("|") {
                params.push(self.pat()?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect("|")?;
        }
        if self.is("->") {
            return Err(Diagnostic::error(
                self.span(),
                "a closure's return type is not in the sandbox's subset",
            ));
        }
        let body = self.expr()?;
        let span = start.to(body.span);
        Ok(Expr {
            kind: ExprKind::Closure {
                is_move,
                params,
                body: Rc::new(body),
            },
            span,
        })
    }
}

/// Expressions that may stand as statements without `;`: blocks.
fn is_block_like(expr: &Expr) -> bool {
    matches!(expr.kind, ExprKind::Block(_) | ExprKind::Async { .. })
}

/// `text` with runs of white space as one space: a node's label.
pub fn label(source: &str, span: Span) -> String {
    let text = source.get(span.start..span.end).unwrap_or("");
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(source: &str) -> String {
        match parse(source) {
            Ok(_) => panic!("{source:?} parsed"),
            Err(e) => e.sentence(source),
        }
    }

    #[test]
    fn a_program_of_the_subset_is_read_with_its_places() {
        let source = "let a = sleep(300);\nlet (x, y) = join!(a, fetch(\"async-demo-api/delay/5\"));\nx";
        let program = parse(source).expect("parses");
        assert_eq!(program.body.stmts.len(), 2);
        let Stmt::Let { init, .. } = &program.body.stmts[1] else {
            panic!()
        };
        assert_eq!(
            label(source, init.span),
            "join!(a, fetch(\"async-demo-api/delay/5\"))"
        );
        assert!(
            matches!(program.body.tail.as_deref(), Some(Expr { kind: ExprKind::Var(v), .. }) if v == "x")
        );
    }

    #[test]
    fn every_construct_of_the_subset_parses() {
        let source = r#"
            // a comment /* and */ more
            let _ = async move { sleep(1).await; 5 };
            let f = move |i| sleep(i * 100 + 1);
            let g = || fetch(&format!("async-demo-api/delay/{}", 5));
            for i in 0..3 { println!("{} {:?}", i, (i, "x")); }
            let v: Vec<u64> = vec![1, 2];
            let w = [sleep(1), sleep(2)];
            let r = Ok::<(), Error>(());
            let (a, (b, _)) = (1, (2, 3));
            { drop(w); }
            timeout(50, sleep(100)).await.clone()?;
        "#;
        parse(source).expect("parses");
    }

    #[test]
    fn errors_say_where_like_rustc() {
        assert_eq!(error("let a = sleep(300)"), "1:19: error: expected `;`.");
        assert_eq!(error("let a = ;"), "1:9: error: expected expression, found `;`.");
        assert_eq!(
            error("sleep(1) sleep(2);"),
            "1:9: error: expected `;`, found `sleep`."
        );
        assert_eq!(
            error("let x = \"open"),
            "1:9: error[E0765]: unterminated double quote string."
        );
        assert_eq!(
            error("async { sleep(1).await;"),
            "1:7: error: this file contains an unclosed delimiter."
        );
        assert_eq!(
            error("let x = 1.5;"),
            "1:9: error: the sandbox has whole numbers only."
        );
        assert_eq!(
            error("let x = 99999999999999999999;"),
            "1:9: error: integer literal is too large."
        );
        assert_eq!(
            error("if x { }"),
            "1:1: error: `if` is not in the sandbox's subset."
        );
        assert_eq!(
            error("x.len();"),
            "1:2: error: the method `len` is not in the sandbox's subset."
        );
        assert_eq!(error("let x = await f;"), "1:9: error: incorrect use of `await`.");
        assert_eq!(
            error("for i in 0..=3 {}"),
            "1:11: error: the sandbox's `for` takes a range `a..b` (b excluded)."
        );
        assert_eq!(error("let é = 1;"), "1:5: error: unknown start of token: é.");
        assert_eq!(
            error("a == b;"),
            "1:3: error: `==` is not in the sandbox's subset: it has no conditions."
        );
        assert_eq!(error("/* open"), "1:1: error[E0758]: unterminated block comment.");
        assert_eq!(error("\"\\q\";"), "1:2: error: unknown character escape: `q`.");
        assert_eq!(
            error("let x = 5u8;"),
            "1:9: error: invalid suffix `u8` for number literal."
        );
    }

    #[test]
    fn a_long_name_is_cut_short_in_the_sentence() {
        let name = "x".repeat(10_000);
        let said = crate::sandbox::first_error(&name).expect("an unknown name");
        assert!(said.len() < 300 && said.ends_with('.'), "{said}");
        assert!(
            said.starts_with(&format!(
                "1:1: error[E0425]: cannot find value `{}…`",
                "x".repeat(60)
            )),
            "{said}"
        );
    }

    #[test]
    fn a_diagnostic_renders_with_a_caret_under_the_place() {
        let source = "let a = 1;\nlet b = sleep(1)\n";
        let e = parse(source).expect_err("no ;");
        assert_eq!(
            e.render(source),
            "2:17: error: expected `;`.\n  --> 2:17\n  |\n2 | let b = sleep(1)\n  |                 ^\n  = help: add `;` here"
        );
    }

    #[test]
    fn too_long_or_too_deep_is_said_before_anything_runs() {
        let long = "1;".repeat(MAX_CHARS / 2 + 1);
        assert!(error(&long).starts_with("1:1: error: the program has 10002 characters"));
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert!(error(&deep).contains("nests deeper than 64 levels"));
        let deep = format!("{}{}", "{".repeat(100), "}".repeat(100));
        assert!(error(&deep).contains("nests deeper than 64 levels"));
    }

    #[test]
    fn line_and_column_count_characters() {
        let source = "é\n  x";
        assert_eq!(line_col(source, source.len() - 1), LineCol { line: 2, col: 3 });
        assert_eq!(
            line_col(source, 1),
            LineCol { line: 1, col: 1 },
            "inside a character: its start"
        );
    }

    #[test]
    fn labels_are_the_text_as_written_with_spaces_folded() {
        let source = "join!(\n    a,\n    b\n)";
        assert_eq!(label(source, Span::new(0, source.len())), "join!( a, b )");
    }
}
