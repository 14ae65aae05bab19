//! The parser's state and its statements, patterns and types.

use super::lex::{Tok, Token};
use super::*;

pub(super) struct Parser {
    pub(super) tokens: Vec<Token>,
    pub(super) at: usize,
    pub(super) depth: usize,
}

/// Words Rust reserves that the subset does not use: a program that uses one
/// gets rustc's sentence, not "cannot find".
pub(super) const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn", "if",
    "impl", "in", "loop", "match", "mod", "pub", "ref", "return", "self", "Self", "static", "struct",
    "super", "trait", "true", "type", "unsafe", "use", "where", "while", "await", "async", "move", "let",
    "for", "mut",
];

impl Parser {
    pub(super) fn peek(&self) -> &Tok {
        &self.tokens[self.at].tok
    }

    pub(super) fn span(&self) -> Span {
        self.tokens[self.at].span
    }

    pub(super) fn next(&mut self) -> Token {
        let token = self.tokens[self.at].clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    pub(super) fn is(&self, punct: &str) -> bool {
        matches!(self.peek(), Tok::Punct(p) if *p == punct)
    }

    pub(super) fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Ident(w) if w == word)
    }

    pub(super) fn eat(&mut self, punct: &str) -> bool {
        if self.is(punct) {
            self.next();
            true
        } else {
            false
        }
    }

    pub(super) fn eat_word(&mut self, word: &str) -> bool {
        if self.is_word(word) {
            self.next();
            true
        } else {
            false
        }
    }

    pub(super) fn describe(tok: &Tok) -> String {
        match tok {
            Tok::Ident(w) if KEYWORDS.contains(&w.as_str()) => format!("keyword `{w}`"),
            Tok::Ident(w) => format!("`{w}`"),
            Tok::Int(n) => format!("`{n}`"),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Eof => "end of the program".to_string(),
        }
    }

    pub(super) fn expected(&self, what: &str) -> Diagnostic {
        Diagnostic::error(
            self.span(),
            format!("expected {what}, found {}", Self::describe(self.peek())),
        )
    }

    pub(super) fn expect(&mut self, punct: &str) -> Result<Span, Diagnostic> {
        if self.is(punct) {
            Ok(self.next().span)
        } else {
            Err(self.expected(&format!("`{punct}`")))
        }
    }

    pub(super) fn deeper(&mut self) -> Result<(), Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                self.span(),
                format!(
                    "the program nests deeper than {MAX_DEPTH} levels of the sandbox's grammar, the most it reads \
                     (about 19 blocks, or 30 parentheses, inside one another)"
                ),
            ));
        }
        Ok(())
    }

    /// Statements up to `}` (or the end, for the program's body).
    pub(super) fn block_body(&mut self, open: Span, top: bool) -> Result<Block, Diagnostic> {
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

    pub(super) fn block(&mut self) -> Result<Block, Diagnostic> {
        let open = self.expect("{")?;
        let mut block = self.block_body(open, false)?;
        let close = self.expect("}")?;
        block.span = open.to(close);
        Ok(block)
    }

    pub(super) fn let_stmt(&mut self) -> Result<Stmt, Diagnostic> {
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

    pub(super) fn for_stmt(&mut self) -> Result<Stmt, Diagnostic> {
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

    pub(super) fn pat(&mut self) -> Result<Pat, Diagnostic> {
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

    pub(super) fn type_expr(&mut self) -> Result<TypeExpr, Diagnostic> {
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
}

/// Expressions that may stand as statements without `;`: blocks.
pub(super) fn is_block_like(expr: &Expr) -> bool {
    matches!(expr.kind, ExprKind::Block(_) | ExprKind::Async { .. })
}
