//! The checker's scopes and statements: bindings and patterns, blocks,
//! `let`, a future left unused, written types.

use super::*;

impl Checker<'_> {
    pub(super) fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub(super) fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    pub(super) fn bind_pat(&mut self, pat: &Pat, ty: &Ty) -> Check<()> {
        match pat {
            Pat::Wild(_) => Ok(()),
            Pat::Ident { name, span, mutable } => {
                if *mutable {
                    self.warnings.push(
                        Diagnostic::error(*span, "variable does not need to be mutable")
                            .help("remove this `mut`: the sandbox never changes a variable")
                            .warning(),
                    );
                }
                self.types.insert((span.start, span.end), ty.clone());
                self.bind(name, ty.clone());
                Ok(())
            }
            Pat::Tuple(items, span) => {
                let parts: Vec<Ty> = items.iter().map(|_| self.fresh()).collect();
                let tuple = if parts.is_empty() {
                    Ty::Unit
                } else {
                    Ty::Tuple(parts.clone())
                };
                self.unify(*span, ty, &tuple)?;
                for (item, part) in items.iter().zip(&parts) {
                    self.bind_pat(item, part)?;
                }
                Ok(())
            }
        }
    }

    // ---- statements and blocks ---------------------------------------------

    pub(super) fn block(&mut self, block: &Block) -> Check<Ty> {
        self.push_scope();
        let ty = self.block_inner(block, false);
        self.pop_scope();
        ty
    }

    pub(super) fn block_inner(&mut self, block: &Block, top: bool) -> Check<Ty> {
        for stmt in &block.stmts {
            self.stmt(stmt)?;
        }
        let ty = match &block.tail {
            Some(tail) => self.expr(tail)?,
            None => Ty::Unit,
        };
        if top {
            // The program's body: its value is dropped; a future left there
            // is never run.
            if let Some(tail) = &block.tail {
                self.unused_future(tail, &ty);
            }
        }
        Ok(ty)
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt) -> Check<()> {
        match stmt {
            Stmt::Let { pat, ty, init, .. } => {
                let found = self.expr(init)?;
                if let Some(written) = ty {
                    let expected = self.type_of(written, init.span)?;
                    self.unify(init.span, &expected, &found)?;
                }
                self.bind_pat(pat, &found)
            }
            Stmt::Expr { expr, semi } => {
                let ty = self.expr(expr)?;
                if *semi {
                    self.unused_future(expr, &ty);
                } else {
                    self.unify(expr.span, &Ty::Unit, &ty)?;
                }
                Ok(())
            }
            Stmt::For {
                pat,
                start,
                end,
                body,
                ..
            } => {
                let from = self.expr(start)?;
                self.unify(start.span, &Ty::Int, &from)?;
                let to = self.expr(end)?;
                self.unify(end.span, &Ty::Int, &to)?;
                self.loop_depths.push(self.closure_scopes.len());
                self.push_scope();
                self.bind_pat(pat, &Ty::Int)?;
                let ty = self.block(body);
                self.pop_scope();
                self.loop_depths.pop();
                let ty = ty?;
                self.unify(body.span, &Ty::Unit, &ty)
            }
        }
    }

    /// rustc's warning for a future made and dropped as a statement, in
    /// its words (rustc 1.95): the prelude's futures are `Task`s, pinned
    /// boxed trait objects; an async block is an `impl Future`; a name
    /// alone is a path statement.
    pub(super) fn unused_future(&mut self, expr: &Expr, ty: &Ty) {
        if matches!(self.resolve(ty), Ty::Fut(..)) {
            let mut inner = expr;
            while let ExprKind::Paren(e) = &inner.kind {
                inner = e;
            }
            let message = match inner.kind {
                ExprKind::Async { .. } => "unused implementer of `Future` that must be used",
                ExprKind::Var(_) => "path statement drops value",
                _ => "unused pinned boxed `Future` trait object that must be used",
            };
            self.warnings.push(
                Diagnostic::error(expr.span, message)
                    .help("futures do nothing unless you `.await` or poll them: this one is dropped, never polled")
                    .warning(),
            );
        }
    }

    pub(super) fn type_of(&mut self, written: &TypeExpr, span: Span) -> Check<Ty> {
        Ok(match written {
            TypeExpr::Infer => self.fresh(),
            TypeExpr::Tuple(items) if items.is_empty() => Ty::Unit,
            TypeExpr::Tuple(items) => Ty::Tuple(items.iter().map(|t| self.type_of(t, span)).collect::<Check<_>>()?),
            TypeExpr::Ref(inner) => match **inner {
                TypeExpr::Path(ref name, ref args) if name == "str" && args.is_empty() => Ty::Str,
                ref other => Ty::Ref(Box::new(self.type_of(other, span)?)),
            },
            TypeExpr::Path(name, args) => match (name.as_str(), args.as_slice()) {
                ("u64", []) => Ty::Int,
                ("String", []) => Ty::String,
                ("Error", []) => Ty::Error,
                ("Vec", [t]) => Ty::Vec(Box::new(self.type_of(t, span)?)),
                ("Result", [t, e]) => Ty::Result(Box::new(self.type_of(t, span)?), Box::new(self.type_of(e, span)?)),
                ("Task", [t]) => Ty::Fut(Box::new(self.type_of(t, span)?), FutKind::Task),
                ("u8" | "u16" | "u32" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128" | "isize", []) => {
                    return Err(Diagnostic::error(span, format!("the sandbox's numbers are u64, not {name}")))
                }
                _ => {
                    return Err(Diagnostic::error(span, format!("cannot find type `{name}` in this scope"))
                        .code("E0412")
                        .help("the sandbox's types are (), u64, &str, String, Error, Vec<T>, Result<T, Error>, Task<T> and tuples"))
                }
            },
        })
    }

    // ---- expressions ---------------------------------------------------------

    pub(super) fn in_async(&self) -> bool {
        matches!(self.contexts.last(), Some(Context::Async { .. }))
    }

    pub(super) fn written(&mut self, span: Span) {
        self.written.push(Written {
            span,
            label: crate::sandbox::syntax::label(self.source, span),
        });
    }
}
