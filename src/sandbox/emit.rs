//! What the Python and the JavaScript writers share: lines at an indent,
//! the program's comments carried over where they stand in the Rust, and
//! fresh names.

use super::check::{Checked, Ty};
use super::syntax::{Expr, Program};

/// How a language writes what [`Emitter`] writes.
#[derive(Clone, Copy)]
pub struct Style {
    /// One level of indent.
    pub indent: &'static str,
    /// What starts a line comment (`#`, `//`).
    pub comment: &'static str,
    /// Between a fresh name's stem and its number (`value_1`, `value1`).
    pub join: &'static str,
}

/// Text being written from `program`, with its types from `checked`.
pub struct Emitter<'a> {
    /// The program written.
    pub program: &'a Program,
    /// Its types.
    pub checked: &'a Checked,
    /// What is written so far.
    pub out: String,
    /// The indent of the next line, in levels.
    pub indent: usize,
    style: Style,
    names: usize,
    comments_done: usize,
    /// Where the last line with a comment ends (see [`Emitter::noted_line`]).
    noted_at: Option<usize>,
}

impl<'a> Emitter<'a> {
    /// Nothing written yet, at `indent`.
    pub fn new(program: &'a Program, checked: &'a Checked, style: Style, indent: usize) -> Self {
        Emitter {
            program,
            checked,
            out: String::new(),
            indent,
            style,
            names: 0,
            comments_done: 0,
            noted_at: None,
        }
    }

    /// An emitter one level in, for a body written apart: it goes on with
    /// this one's names and comments; [`Emitter::absorb`] takes them back.
    pub fn nested(&self) -> Self {
        Emitter {
            out: String::new(),
            indent: self.indent + 1,
            noted_at: None,
            ..*self
        }
    }

    /// The text `inner` (from [`Emitter::nested`]) wrote; the names and
    /// comments it used are used here too.
    pub fn absorb(&mut self, inner: Emitter<'_>) -> String {
        self.names = inner.names;
        self.comments_done = inner.comments_done;
        inner.out
    }

    /// `text` on a line of its own, at the indent.
    pub fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str(self.style.indent);
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// `code` on a line of its own with the writer's `note` as a comment
    /// (a comment the program has there is added to it).
    pub fn noted_line(&mut self, code: &str, note: &str) {
        self.line(&format!("{code}  {} {note}", self.style.comment));
        self.noted_at = Some(self.out.len());
    }

    /// The program's comments written before byte `at`, not yet carried over.
    pub fn comments_before(&mut self, at: usize) {
        while let Some((span, text)) = self.program.comments.get(self.comments_done) {
            if span.start >= at {
                break;
            }
            self.comments_done += 1;
            let line = if text.is_empty() {
                self.style.comment.to_string()
            } else {
                format!("{} {text}", self.style.comment)
            };
            self.line(&line);
        }
    }

    /// A comment on the same line as the statement that ends at `end`:
    /// after that statement's (last) line here.
    pub fn trailing(&mut self, end: usize) {
        let source = &self.program.source;
        let line_end = source[end.min(source.len())..]
            .find('\n')
            .map_or(source.len(), |i| end + i);
        while let Some((span, text)) = self.program.comments.get(self.comments_done) {
            if span.start < end || span.start >= line_end {
                break;
            }
            self.comments_done += 1;
            if self.out.ends_with('\n') {
                self.out.pop();
            }
            // A line with a note of the writer's own: the comment goes on in it.
            if self.noted_at == Some(self.out.len() + 1) {
                self.out.push_str(&format!("; {text}\n"));
            } else {
                self.out.push_str(&format!("  {} {text}\n", self.style.comment));
            }
            self.noted_at = Some(self.out.len());
        }
    }

    /// A name not used before: `what` and a number.
    pub fn fresh(&mut self, what: &str) -> String {
        self.names += 1;
        format!("{what}{}{}", self.style.join, self.names)
    }

    /// The type the checker gave `expr`.
    pub fn ty(&self, expr: &Expr) -> Option<&'a Ty> {
        self.checked.types.get(&(expr.span.start, expr.span.end))
    }

    /// The Rust type of `expr` as rustc writes it, for a twin's `debug()`
    /// to write the value as Rust's Debug does, where the twin's own value
    /// does not tell: an `Ok` (bare in a twin), a tuple (an array or list),
    /// an error (its Rust variant). None where the value tells by itself.
    pub fn debug_type(&self, expr: &Expr) -> Option<String> {
        fn structural(ty: &Ty) -> bool {
            match ty {
                Ty::Result(..) | Ty::Tuple(_) | Ty::Error => true,
                Ty::Array(t) | Ty::Vec(t) | Ty::Ref(t) => structural(t),
                _ => false,
            }
        }
        self.ty(expr).filter(|ty| structural(ty)).map(Ty::to_string)
    }

    /// [`Self::debug_type`] of each of `exprs`.
    pub fn debug_types(&self, exprs: &[Expr]) -> Vec<Option<String>> {
        exprs.iter().map(|e| self.debug_type(e)).collect()
    }

    /// Whether awaiting `future` gives a `Result`: in a translation its
    /// error then stays a value until a `?` checks it, as the Rust's `Err`
    /// does, rather than raising where it is awaited.
    pub fn awaits_result(&self, future: &Expr) -> bool {
        matches!(self.ty(future), Some(Ty::Fut(out, _)) if matches!(**out, Ty::Result(..)))
    }
}

/// Whether a value of type `ty` holds a future (and so must be dropped
/// where the Rust drops it).
pub fn holds_future(ty: &Ty) -> bool {
    match ty {
        Ty::Fut(..) => true,
        Ty::Tuple(items) => items.iter().any(holds_future),
        Ty::Array(t) | Ty::Vec(t) | Ty::Either(t, _) => holds_future(t),
        _ => false,
    }
}
