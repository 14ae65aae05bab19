//! The parser on expressions: operators by precedence, calls, macros,
//! blocks, async blocks and closures.

use super::lex::{Tok, Token};
use super::parse::{Parser, KEYWORDS};
use super::*;

impl Parser {
    pub(super) fn expr(&mut self) -> Result<Expr, Diagnostic> {
        self.binary(0)
    }

    pub(super) fn binary(&mut self, min: u8) -> Result<Expr, Diagnostic> {
        self.deeper()?;
        let mut lhs = self.unary()?;
        // A chain `a + b + c …` makes a tree one level deeper per operator,
        // which everything after the parser walks by recursion: it counts
        // against the same limit as any nesting.
        let mut chain = 0;
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
            // (The operator takes a level, its right side up to three more.)
            if self.depth + 4 > MAX_DEPTH {
                return Err(Diagnostic::error(
                    self.span(),
                    format!(
                        "this chain of operators nests deeper than {MAX_DEPTH} levels, the most the sandbox reads: \
                         split it with a `let`"
                    ),
                ));
            }
            chain += 1;
            self.depth += 1;
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
        self.depth -= 1 + chain;
        Ok(lhs)
    }

    pub(super) fn unary(&mut self) -> Result<Expr, Diagnostic> {
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
    pub(super) fn list(&mut self, close: &str) -> Result<(Vec<Expr>, Span, bool), Diagnostic> {
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

    pub(super) fn primary(&mut self) -> Result<Expr, Diagnostic> {
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

    pub(super) fn closure(&mut self, start: Span, is_move: bool) -> Result<Expr, Diagnostic> {
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
