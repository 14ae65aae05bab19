//! The checker on calls of the prelude's functions: their arguments, the
//! futures they take and make, closures called as `FnMut`.

use super::*;

impl Checker<'_> {
    /// A closure's signature, wanted as `FnMut(params) -> ret` by `what`.
    pub(super) fn callable(&mut self, span: Span, ty: &Ty, params: &[Ty], what: &str) -> Check<Ty> {
        let Ty::Closure(id) = self.resolve(ty) else {
            return Err(Diagnostic::error(
                span,
                format!("expected a closure for {what}, found `{}`", self.resolve(ty)),
            )
            .code("E0277")
            .help("write a closure: `|| fetch(url)` or `|i| sleep(i * 100)`"));
        };
        let sig = self.closures[id].clone();
        if sig.params.len() != params.len() {
            return Err(Diagnostic::error(
                span,
                format!(
                    "closure is expected to take {} argument{}, but it takes {}",
                    params.len(),
                    if params.len() == 1 { "" } else { "s" },
                    sig.params.len()
                ),
            )
            .code("E0593"));
        }
        for (want, have) in params.iter().zip(&sig.params) {
            self.unify(span, have, want)?;
        }
        if sig.once {
            return Err(Diagnostic::error(
                span,
                "expected a closure that implements the `FnMut` trait, but this closure only implements `FnOnce`",
            )
            .code("E0525")
            .help(format!("{what} calls the closure more than once, and it moves a captured value out of itself")));
        }
        Ok(sig.ret)
    }

    pub(super) fn args(&mut self, span: Span, name: &str, args: &[Expr], count: usize) -> Check<Vec<Ty>> {
        if args.len() != count {
            return Err(Diagnostic::error(
                span,
                format!(
                    "this function takes {count} argument{} but {} argument{} supplied",
                    if count == 1 { "" } else { "s" },
                    args.len(),
                    if args.len() == 1 { " was" } else { "s were" }
                ),
            )
            .code("E0061")
            .help(signature(name)));
        }
        args.iter().map(|a| self.expr(a)).collect()
    }

    /// `ty` as a number, a string (for `fetch`), or a list of futures.
    pub(super) fn want(&mut self, arg: &Expr, expected: &Ty, found: &Ty) -> Check<()> {
        self.unify(arg.span, expected, found)
    }

    pub(super) fn want_string(&mut self, arg: &Expr, found: &Ty) -> Check<()> {
        match self.resolve(found) {
            Ty::Str | Ty::String => Ok(()),
            Ty::Ref(inner) if matches!(*inner, Ty::String | Ty::Str) => Ok(()),
            Ty::Var(_) => self.unify(arg.span, &Ty::Str, found),
            other => Err(mismatch(arg.span, &Ty::String, &other)
                .help("a URL or a sentence: a string literal, a String or `&String`")),
        }
    }

    /// The future type of the items of `found` (an array or a Vec of futures).
    pub(super) fn futures_in(&mut self, arg: &Expr, found: &Ty) -> Check<Ty> {
        let item = match self.resolve(found) {
            Ty::Array(t) | Ty::Vec(t) => *t,
            Ty::Var(_) => {
                let t = self.fresh();
                self.unify(arg.span, &Ty::Vec(Box::new(t.clone())), found)?;
                t
            }
            other => {
                return Err(
                    Diagnostic::error(arg.span, format!("`{other}` is not an iterator"))
                        .code("E0277")
                        .help("give an array `[a, b]`, `vec![a, b]` or what `repeat(n, …)` makes"),
                )
            }
        };
        match self.resolve(&item) {
            Ty::Fut(out, _) => Ok(*out),
            Ty::Var(_) => {
                let out = self.fresh();
                self.unify(arg.span, &Ty::Fut(Box::new(out.clone()), FutKind::Task), &item)?;
                Ok(out)
            }
            other => Err(Diagnostic::error(arg.span, format!("`{other}` is not a future"))
                .code("E0277")
                .help("the items must be futures, not yet awaited")),
        }
    }

    pub(super) fn future(&mut self, arg: &Expr, found: &Ty) -> Check<Ty> {
        match self.resolve(found) {
            Ty::Fut(out, _) => Ok(*out),
            Ty::Var(_) => {
                let out = self.fresh();
                self.unify(arg.span, &Ty::Fut(Box::new(out.clone()), FutKind::Task), found)?;
                Ok(out)
            }
            other => Err(Diagnostic::error(arg.span, format!("`{other}` is not a future"))
                .code("E0277")
                .help("give the future itself: without `.await`")),
        }
    }

    pub(super) fn task(out: Ty) -> Ty {
        Ty::Fut(Box::new(out), FutKind::Task)
    }

    pub(super) fn result(value: Ty) -> Ty {
        Ty::Result(Box::new(value), Box::new(Ty::Error))
    }

    pub(super) fn call(
        &mut self,
        span: Span,
        name: &str,
        name_span: Span,
        turbofish: &[TypeExpr],
        args: &[Expr],
    ) -> Check<Ty> {
        if !turbofish.is_empty() && name != "Ok" && name != "ready" {
            return Err(Diagnostic::error(
                name_span,
                format!("`{name}` takes no type arguments in the sandbox"),
            )
            .code("E0107"));
        }
        // A closure held in a variable, called.
        if let Some(id) = self.lookup(name) {
            let ty = self.bindings[id].ty.clone();
            self.use_var(id, name_span, false)?;
            let arg_tys = args.iter().map(|a| self.expr(a)).collect::<Check<Vec<_>>>()?;
            return self.callable(name_span, &ty, &arg_tys, &format!("the call of `{name}`"));
        }
        if FUTURE_FNS.contains(&name) {
            self.written(span);
        }
        let ty = match name {
            "sleep" | "block" => {
                let a = self.args(span, name, args, 1)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                if let (ExprKind::Int(ms), "block") = (&args[0].kind, name) {
                    if *ms > crate::sandbox::prelude::MAX_BLOCK_MS {
                        return Err(Diagnostic::error(
                            args[0].span,
                            format!(
                                "block holds the page at most {} ms here: {ms} ms of busy loop would freeze it",
                                crate::sandbox::prelude::MAX_BLOCK_MS
                            ),
                        )
                        .help("to wait without holding the page, sleep(ms)"));
                    }
                }
                Self::task(Ty::Unit)
            }
            "click" => {
                self.args(span, name, args, 0)?;
                Self::task(Ty::Unit)
            }
            "fetch" => {
                let a = self.args(span, name, args, 1)?;
                self.want_string(&args[0], &a[0])?;
                Self::task(Self::result(Ty::String))
            }
            "fail" => {
                let a = self.args(span, name, args, 1)?;
                self.want_string(&args[0], &a[0])?;
                Self::task(Self::result(Ty::Unit))
            }
            "ready" => {
                let a = self.args(span, name, args, 1)?;
                if let [t] = turbofish {
                    let t = self.type_of(t, name_span)?;
                    self.unify(args[0].span, &t, &a[0])?;
                }
                Self::task(a[0].clone())
            }
            "join_all" => {
                let a = self.args(span, name, args, 1)?;
                let out = self.futures_in(&args[0], &a[0])?;
                Self::task(Ty::Vec(Box::new(out)))
            }
            "try_join_all" => {
                let a = self.args(span, name, args, 1)?;
                let out = self.futures_in(&args[0], &a[0])?;
                let value = self.fresh();
                self.unify(args[0].span, &Self::result(value.clone()), &out)
                    .map_err(|_| {
                        Diagnostic::error(
                            args[0].span,
                            "try_join_all takes futures whose output is a `Result<_, Error>`",
                        )
                        .code("E0277")
                    })?;
                Self::task(Self::result(Ty::Vec(Box::new(value))))
            }
            "select" => {
                let a = self.args(span, name, args, 2)?;
                let left = self.future(&args[0], &a[0])?;
                let right = self.future(&args[1], &a[1])?;
                Self::task(Ty::Either(
                    Box::new(Ty::Tuple(vec![left.clone(), Self::task(right.clone())])),
                    Box::new(Ty::Tuple(vec![right, Self::task(left)])),
                ))
            }
            "select_all" => {
                let a = self.args(span, name, args, 1)?;
                let out = self.futures_in(&args[0], &a[0])?;
                Self::task(Ty::Tuple(vec![
                    out.clone(),
                    Ty::Int,
                    Ty::Vec(Box::new(Self::task(out))),
                ]))
            }
            "buffer_unordered" => {
                let a = self.args(span, name, args, 2)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                let out = self.futures_in(&args[1], &a[1])?;
                Self::task(Ty::Vec(Box::new(out)))
            }
            "timeout" => {
                let a = self.args(span, name, args, 2)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                let out = self.future(&args[1], &a[1])?;
                Self::task(Self::result(out))
            }
            "retry" => {
                let a = self.args(span, name, args, 2)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                let made = self.callable(args[1].span, &a[1], &[], "retry")?;
                let out = self.future(&args[1], &made)?;
                let value = self.fresh();
                self.unify(args[1].span, &Self::result(value.clone()), &out)
                    .map_err(|_| {
                        Diagnostic::error(
                            args[1].span,
                            "retry takes a closure whose future's output is a `Result<_, Error>`",
                        )
                        .code("E0277")
                    })?;
                Self::task(Self::result(value))
            }
            "repeat" => {
                let a = self.args(span, name, args, 2)?;
                self.want(&args[0], &Ty::Int, &a[0])?;
                let made = self.callable(args[1].span, &a[1], &[Ty::Int], "repeat")?;
                Ty::Vec(Box::new(made))
            }
            "spawn_local" => {
                let a = self.args(span, name, args, 1)?;
                let out = self.future(&args[0], &a[0])?;
                self.unify(args[0].span, &Ty::Unit, &out).map_err(|_| {
                    Diagnostic::error(args[0].span, format!("type mismatch resolving `<… as Future>::Output == ()`: this future's output is `{}`", self.resolve(&out)))
                        .code("E0271")
                        .help("spawn_local runs a future whose output is `()`: await it inside an async block, `async move { let _ = f.await; }`")
                })?;
                Ty::Unit
            }
            "drop" => {
                self.args(span, name, args, 1)?;
                Ty::Unit
            }
            "Ok" => {
                let a = self.args(span, name, args, 1)?;
                let error = match turbofish {
                    [] => self.fresh(),
                    [t, e] => {
                        let t = self.type_of(t, name_span)?;
                        self.unify(args[0].span, &t, &a[0])?;
                        self.type_of(e, name_span)?
                    }
                    _ => {
                        return Err(
                            Diagnostic::error(name_span, "`Ok::<T, E>` takes two type arguments")
                                .code("E0107"),
                        )
                    }
                };
                Ty::Result(Box::new(a[0].clone()), Box::new(error))
            }
            _ => {
                let d = Diagnostic::error(name_span, format!("cannot find function `{name}` in this scope"))
                    .code("E0425");
                let near = FUTURE_FNS
                    .iter()
                    .chain(OTHER_FNS)
                    .min_by_key(|f| distance(f, name))
                    .filter(|f| distance(f, name) <= 2);
                return Err(match near {
                    Some(f) => d.help(format!("a function with a similar name exists: `{f}`")),
                    None => d.help(format!(
                        "the prelude's functions are {}",
                        FUTURE_FNS
                            .iter()
                            .chain(OTHER_FNS)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                });
            }
        };
        Ok(ty)
    }
}

/// How the prelude function `name` is called, for a hint.
pub(super) fn signature(name: &str) -> String {
    match name {
        "sleep" => "sleep(ms: u64) -> Task<()>".into(),
        "block" => "block(ms: u64) -> Task<()>: a busy loop, when polled".into(),
        "click" => "click() -> Task<()>: the next click on the widget's button".into(),
        "fetch" => "fetch(url) -> Task<Result<String, Error>>".into(),
        "fail" => "fail(why) -> Task<Result<(), Error>>".into(),
        "ready" => "ready(value) -> Task<T>".into(),
        "join_all" => "join_all([futures]) -> Task<Vec<T>>".into(),
        "try_join_all" => "try_join_all([futures]) -> Task<Result<Vec<T>, Error>>".into(),
        "select" => "select(a, b) -> Task<Either<(A, Task<B>), (B, Task<A>)>>".into(),
        "select_all" => "select_all([futures]) -> Task<(T, u64, Vec<Task<T>>)>".into(),
        "buffer_unordered" => "buffer_unordered(k: u64, [futures]) -> Task<Vec<T>>".into(),
        "timeout" => "timeout(ms: u64, future) -> Task<Result<T, Error>>".into(),
        "retry" => "retry(attempts: u64, || future) -> Task<Result<T, Error>>".into(),
        "repeat" => "repeat(n: u64, |i| value) -> Vec<T>".into(),
        "spawn_local" => "spawn_local(future)".into(),
        "drop" => "drop(value)".into(),
        "Ok" => "Ok(value)".into(),
        other => format!("{other}(…)"),
    }
}
