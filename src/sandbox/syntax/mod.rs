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

mod expr;
mod lex;
mod parse;
mod tree;

use std::fmt;
use std::rc::Rc;

use lex::lex;
use parse::Parser;
pub use tree::*;

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
        // Columns as the lines show them: a tab is four wide, as rustc
        // writes it, in the source line and under it alike.
        let shown = |chars: &mut dyn Iterator<Item = char>| -> usize {
            chars.map(|c| if c == '\t' { 4 } else { 1 }).sum()
        };
        let start = at.col as usize - 1;
        let pad = shown(&mut line_text.chars().take(start));
        let width = if end.line == at.line {
            shown(
                &mut line_text
                    .chars()
                    .skip(start)
                    .take((end.col.saturating_sub(at.col)) as usize),
            )
        } else {
            shown(&mut line_text.chars().skip(start)) + 1
        }
        .max(1);
        let gutter = " ".repeat(at.line.to_string().len());
        let mut out = format!(
            "{}\n{gutter} --> {}:{}\n{gutter} |\n{} | {}\n{gutter} | {}{}",
            self.sentence(source),
            at.line,
            at.col,
            at.line,
            line_text.replace('\t', "    "),
            " ".repeat(pad),
            "^".repeat(width)
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
    fn a_tab_before_the_place_shows_four_wide_in_both_lines() {
        let source = "\tslep(1).await;";
        let e = Diagnostic::error(Span::new(1, 5), "cannot find function `slep` in this scope");
        let lines: Vec<String> = e.render(source).lines().map(str::to_string).collect();
        assert_eq!(lines[3], "1 |     slep(1).await;");
        assert_eq!(lines[4], "  |     ^^^^");
        let inside = Diagnostic::error(Span::new(0, 5), "x");
        assert_eq!(inside.render(source).lines().nth(4), Some("  | ^^^^^^^^"));
    }

    #[test]
    fn too_long_or_too_deep_is_said_before_anything_runs() {
        let long = "1;".repeat(MAX_CHARS / 2 + 1);
        assert!(error(&long).starts_with("1:1: error: the program has 10002 characters"));
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert!(error(&deep).contains("nests deeper than 64 levels"));
        let deep = format!("{}{}", "{".repeat(100), "}".repeat(100));
        assert!(error(&deep).contains("nests deeper than 64 levels"));
        // What the sentence says a reader may write is read.
        let blocks = format!("{}sleep(1).await;{}", "{".repeat(19), "}".repeat(19));
        let parens = format!("let n = {}1{};", "(".repeat(30), ")".repeat(30));
        for fits in [blocks, parens] {
            assert!(parse(&fits).is_ok(), "{fits}");
        }
        // A chain of operators is a tree as deep as it is long (it crashed
        // the wasm's stack in the checker at 1,600 terms): refused too.
        let chain = format!("sleep({}).await;", vec!["1"; 1600].join(" + "));
        assert!(
            error(&chain).contains("this chain of operators nests deeper than 64 levels"),
            "{}",
            error(&chain)
        );
        let short = format!("sleep({}).await;", vec!["1"; 50].join(" + "));
        assert!(parse(&short).is_ok());
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
