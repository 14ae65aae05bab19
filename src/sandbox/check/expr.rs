//! The checker on expressions: values, names (and the near miss rustc
//! would suggest), `?`, async blocks and closures with what they capture.

use super::*;

impl Checker<'_> {
    /// An expression used as a value (moved, if it is a variable).
    pub(super) fn expr(&mut self, expr: &Expr) -> Check<Ty> {
        let ty = self.expr_inner(expr, true)?;
        self.types.insert((expr.span.start, expr.span.end), ty.clone());
        Ok(ty)
    }

    pub(super) fn expr_inner(&mut self, expr: &Expr, by_value: bool) -> Check<Ty> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Int(_) => Ok(Ty::Int),
            ExprKind::Str(_) => Ok(Ty::Str),
            ExprKind::Var(name) => match self.lookup(name) {
                Some(id) => {
                    self.use_var(id, span, by_value)?;
                    Ok(self.bindings[id].ty.clone())
                }
                None => Err(self.unknown_value(name, span)),
            },
            ExprKind::Paren(inner) => self.expr_inner(inner, by_value),
            ExprKind::Ref(inner) => {
                let ty = self.expr_inner(inner, false)?;
                Ok(match self.resolve(&ty) {
                    Ty::Str => Ty::Ref(Box::new(Ty::Str)),
                    other => Ty::Ref(Box::new(other)),
                })
            }
            ExprKind::Clone(inner) => {
                let ty = self.expr_inner(inner, false)?;
                match self.resolve(&ty) {
                    Ty::Fut(..) | Ty::Closure(_) | Ty::Var(_) => Err(Diagnostic::error(
                        span,
                        format!(
                            "the method `clone` exists for `{}`, but its trait bounds were not satisfied",
                            self.resolve(&ty)
                        ),
                    )
                    .code("E0599")
                    .help("a future cannot be cloned: make a new one")),
                    Ty::Ref(inner) => Ok(*inner),
                    other => Ok(other),
                }
            }
            ExprKind::Tuple(items) if items.is_empty() => Ok(Ty::Unit),
            ExprKind::Tuple(items) => Ok(Ty::Tuple(
                items.iter().map(|e| self.expr(e)).collect::<Check<_>>()?,
            )),
            ExprKind::Array(items) => {
                let elem = self.fresh();
                for item in items {
                    let ty = self.expr(item)?;
                    self.unify(item.span, &elem, &ty)?;
                }
                Ok(Ty::Array(Box::new(elem)))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (l, r) = (self.expr(lhs)?, self.expr(rhs)?);
                for (side, ty) in [(lhs, &l), (rhs, &r)] {
                    if self.unify(side.span, &Ty::Int, ty).is_err() {
                        return Err(Diagnostic::error(
                            side.span,
                            format!(
                                "cannot apply `{}` to `{}`: the sandbox's arithmetic is on u64",
                                op.symbol(),
                                self.resolve(ty)
                            ),
                        )
                        .code("E0369")
                        .help(if matches!(self.resolve(ty), Ty::Fut(..)) {
                            "this is a future: consider `.await`ing it"
                        } else {
                            "both sides must be numbers"
                        }));
                    }
                }
                let _ = op == &BinOp::Add;
                Ok(Ty::Int)
            }
            ExprKind::Block(block) => self.block(block),
            ExprKind::Await(inner) => {
                if !self.in_async() {
                    return Err(Diagnostic::error(span, "`await` is only allowed inside `async` functions and blocks")
                        .code("E0728")
                        .help("a closure's body is not async: return the future (`|| sleep(1)`) or an async block (`|| async move { … }`)"));
                }
                let ty = self.expr(inner)?;
                match self.resolve(&ty) {
                    Ty::Fut(out, _) => Ok(*out),
                    Ty::Var(_) => Err(Diagnostic::error(span, "type annotations needed").code("E0282")),
                    other => Err(Diagnostic::error(span, format!("`{other}` is not a future"))
                        .code("E0277")
                        .help("remove the `.await`: only a future can be awaited")),
                }
            }
            ExprKind::Try(inner) => self.question(span, inner),
            ExprKind::Async { is_move, block } => self.async_block(span, *is_move, block),
            ExprKind::Closure {
                is_move,
                params,
                body,
            } => self.closure(span, *is_move, params, body),
            ExprKind::Macro { name, args } => self.macro_call(span, name, args),
            ExprKind::Call {
                name,
                name_span,
                turbofish,
                args,
            } => self.call(span, name, *name_span, turbofish, args),
        }
    }

    pub(super) fn unknown_value(&self, name: &str, span: Span) -> Diagnostic {
        let d = Diagnostic::error(span, format!("cannot find value `{name}` in this scope")).code("E0425");
        if FUTURE_FNS.contains(&name) || OTHER_FNS.contains(&name) {
            return d.help(format!("`{name}` is a function: call it, `{name}(…)`"));
        }
        match self.similar(name) {
            Some(near) => d.help(format!("a local variable with a similar name exists: `{near}`")),
            None => d,
        }
    }

    pub(super) fn similar(&self, name: &str) -> Option<String> {
        let names = self
            .scopes
            .iter()
            .flatten()
            .map(|&b| self.bindings[b].name.clone());
        names
            .filter(|n| distance(n, name) <= 2 && n != name)
            .min_by_key(|n| distance(n, name))
    }

    pub(super) fn question(&mut self, span: Span, inner: &Expr) -> Check<Ty> {
        let ty = self.expr(inner)?;
        let (value, error) = match self.resolve(&ty) {
            Ty::Result(value, error) => (*value, *error),
            Ty::Fut(out, _) if matches!(*out, Ty::Result(..)) => {
                return Err(Diagnostic::error(
                    span,
                    "the `?` operator can only be applied to values that implement `Try`",
                )
                .code("E0277")
                .help("this is a future: consider `.await`ing it first: `future.await?`"))
            }
            other => {
                return Err(Diagnostic::error(
                    span,
                    format!(
                        "the `?` operator can only be applied to values that implement `Try` (not `{other}`)"
                    ),
                )
                .code("E0277"))
            }
        };
        match self.contexts.last_mut() {
            Some(Context::Closure) | None => Err(Diagnostic::error(
                span,
                "the `?` operator can only be used in a closure that returns `Result`",
            )
            .code("E0277")
            .help("a closure of the sandbox returns a future: put the `?` inside an async block")),
            Some(Context::Async {
                output,
                try_error,
                is_block,
            }) => {
                let (output, is_block) = (output.clone(), *is_block);
                let known = try_error.clone();
                match known {
                    Some(e) => self.unify(span, &e, &error)?,
                    None => {
                        // The error type of the block's output: from its end,
                        // `Ok::<_, Error>`, or anything that says.
                        let e = self.fresh();
                        let v = self.fresh();
                        self.unify(span, &output, &Ty::Result(Box::new(v), Box::new(e.clone())))
                            .map_err(|_| {
                                Diagnostic::error(span, "the `?` operator can only be used in an async block that returns `Result`")
                                    .code("E0277")
                            })?;
                        if let Some(Context::Async { try_error, .. }) = self.contexts.last_mut() {
                            *try_error = Some(e.clone());
                        }
                        if is_block {
                            if let Ty::Var(var) = e {
                                self.question_vars.push((span, var));
                            }
                        }
                        let e_now = self.resolve(&e);
                        if !matches!(e_now, Ty::Var(_)) {
                            self.unify(span, &e_now, &error)?;
                        }
                    }
                }
                Ok(value)
            }
        }
    }

    pub(super) fn async_block(&mut self, span: Span, is_move: bool, block: &Block) -> Check<Ty> {
        self.written(span);
        let output = self.fresh();
        self.contexts.push(Context::Async {
            output: output.clone(),
            try_error: None,
            is_block: true,
        });
        // An async block is checked as a closure is for captures: what it
        // uses from outside, and how.
        self.closure_scopes.push((usize::MAX, Vec::new()));
        let scope_depth = self.closure_scopes.len();
        let body = self.block(block);
        let (_, captures) = self.closure_scopes.pop().unwrap_or((0, Vec::new()));
        let context = self.contexts.pop();
        let ty = body?;
        self.unify(block.span, &output, &ty)?;
        if let Some(Context::Async {
            try_error: Some(e), ..
        }) = context
        {
            // The `?`s' error type is the output's.
            if let Ty::Result(_, out_e) = self.resolve(&output) {
                let _ = self.unify(span, &out_e, &e);
            }
        }
        self.capture(captures, is_move, scope_depth, span)?;
        Ok(Ty::Fut(Box::new(output), FutKind::Block(span.start)))
    }

    /// What a closure or async block (written at `span`) took from
    /// outside: a value it moves is moved where it is written; a `move` one
    /// takes everything it uses.
    pub(super) fn capture(
        &mut self,
        captures: Vec<(usize, bool)>,
        is_move: bool,
        depth: usize,
        span: Span,
    ) -> Check<()> {
        for (id, moves) in captures {
            if self.bindings[id].closure_depth >= depth {
                continue; // its own variable
            }
            let copy = self.is_copy(&self.bindings[id].ty.clone());
            let take = moves || (is_move && !copy);
            // One level out, the capture is a use there.
            let level = self.closure_scopes.len();
            if self.bindings[id].closure_depth < level {
                if let Some((_, outer)) = self.closure_scopes.last_mut() {
                    outer.push((id, take));
                }
            }
            if take && self.bindings[id].closure_depth == level {
                let name = self.bindings[id].name.clone();
                if let Some(at) = self.bindings[id].moved {
                    let at = crate::sandbox::syntax::line_col(self.source, at.start);
                    return Err(Diagnostic::error(span, format!("use of moved value: `{name}`"))
                        .code("E0382")
                        .help(format!(
                            "the value was moved at {}:{}; a future can be awaited (or handed on) once",
                            at.line, at.col
                        )));
                }
                if self.bindings[id].loop_depth < self.loop_depths.len() {
                    return Err(Diagnostic::error(span, format!("use of moved value: `{name}`"))
                        .code("E0382")
                        .help("value moved into a closure or async block, in previous iteration of loop"));
                }
                self.bindings[id].moved = Some(span);
            }
        }
        Ok(())
    }

    pub(super) fn closure(&mut self, span: Span, is_move: bool, params: &[Pat], body: &Expr) -> Check<Ty> {
        let id = self.closures.len();
        let param_tys: Vec<Ty> = params.iter().map(|_| self.fresh()).collect();
        let ret = self.fresh();
        self.closures.push(ClosureSig {
            params: param_tys.clone(),
            ret: ret.clone(),
            once: false,
            copy: true,
        });
        self.contexts.push(Context::Closure);
        self.closure_scopes.push((id, Vec::new()));
        let depth = self.closure_scopes.len();
        self.push_scope();
        let mut result = Ok(());
        for (pat, ty) in params.iter().zip(&param_tys) {
            if result.is_ok() {
                result = self.bind_pat(pat, ty);
            }
        }
        let body_ty = result.and_then(|()| self.expr(body));
        self.pop_scope();
        let (_, captures) = self.closure_scopes.pop().unwrap_or((0, Vec::new()));
        self.contexts.pop();
        let body_ty = body_ty?;
        self.unify(body.span, &ret, &body_ty)?;
        // A closure that moves a captured value out when called can be
        // called once; one that holds a moved value is not Copy.
        let once = captures
            .iter()
            .any(|&(b, moves)| moves && self.bindings[b].closure_depth < depth);
        let holds = captures.iter().any(|&(b, moves)| {
            self.bindings[b].closure_depth < depth
                && (moves || is_move)
                && !self.is_copy(&self.bindings[b].ty.clone())
        });
        self.closures[id].once = once;
        self.closures[id].copy = !holds;
        // A closure that returns an async block borrowing the closure's own
        // parameters would outlive them.
        if let ExprKind::Async {
            is_move: false,
            block,
        } = &body.kind
        {
            if let Some(name) = params.iter().find_map(|p| uses_param(p, block)) {
                return Err(Diagnostic::error(
                    body.span,
                    format!("async block may outlive the current function, but it borrows `{name}`, which is owned by the current function"),
                )
                .code("E0373")
                .help(format!("to force the async block to take ownership of `{name}` (and any other referenced variables), use the `move` keyword: `async move {{ … }}`")));
            }
        }
        self.capture(captures, is_move, depth, span)?;
        Ok(Ty::Closure(id))
    }
}

/// Whether `block` uses the closure parameter bound by `pat` (a name).
pub(super) fn uses_param(pat: &Pat, block: &Block) -> Option<String> {
    let mut names = Vec::new();
    fn collect(pat: &Pat, names: &mut Vec<String>) {
        match pat {
            Pat::Ident { name, .. } => names.push(name.clone()),
            Pat::Tuple(items, _) => items.iter().for_each(|p| collect(p, names)),
            Pat::Wild(_) => {}
        }
    }
    collect(pat, &mut names);
    names
        .into_iter()
        .find(|n| crate::sandbox::free::block_mentions(block, n))
}
