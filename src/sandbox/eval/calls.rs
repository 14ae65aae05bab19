//! The interpreter's calls: closures, the prelude's functions and macros,
//! each making the real future.

use super::*;

impl Interpreter {
    /// Calls closure `closure` with `args`: its body runs to its end at once
    /// (a closure's body has no `.await`).
    pub(super) fn call_closure(
        self: &Rc<Self>,
        span: Span,
        closure: &Closure,
        args: impl IntoIterator<Item = Value>,
    ) -> Result<Value, Exit> {
        self.call_closure_in(span, closure, args, &mut Env::default())
    }

    /// [`call_closure`](Self::call_closure) with `env` (empty, left empty)
    /// as the call's scope: a `repeat` of thousands of calls reuses one.
    pub(super) fn call_closure_in(
        self: &Rc<Self>,
        span: Span,
        closure: &Closure,
        args: impl IntoIterator<Item = Value>,
        env: &mut Env,
    ) -> Result<Value, Exit> {
        debug_assert!(env.vars.is_empty());
        {
            let mut captured = closure.captured.borrow_mut();
            for i in 0..captured.vars.len() {
                let name = captured.vars[i].0.clone();
                if let Some(value) = captured.get(&name) {
                    env.set_shared(name, value);
                }
            }
        }
        for (pat, value) in closure.params.iter().zip(args) {
            self.bind(pat, value, env);
        }
        let body = closure.body.clone();
        // A body that is one call with plain arguments (`|_| sleep(0)`, the
        // common case, made thousands of times by `repeat`) needs no future.
        let result = match &body.kind {
            // (All checked first: `at_once` moves a future out of its variable.)
            ExprKind::Call { name, args, .. } if args.iter().all(plain) => {
                let values: Option<Result<Vec<Value>, Exit>> =
                    args.iter().map(|a| self.at_once(a, env)).collect();
                values.map(|v| v.and_then(|v| self.apply(body.span, name, args, v, env)))
            }
            _ => self.expr(&body, env).now_or_never(),
        };
        env.truncate(0);
        result.unwrap_or_else(|| Err(self.fault(span, "a closure's body waited: this is a bug")))
    }

    pub(super) fn futures(&self, span: Span, value: Value) -> Result<Vec<Task<Value>>, Exit> {
        let Value::List(items) = value else {
            return Err(self.fault(span, "expected a list of futures"));
        };
        items
            .into_iter()
            .map(|item| match item {
                Value::Future(f) => Ok(f),
                other => Err(self.fault(span, format!("{other:?} is not a future"))),
            })
            .collect()
    }

    pub(super) fn future(&self, span: Span, value: Value) -> Result<Task<Value>, Exit> {
        match value {
            Value::Future(f) => Ok(f),
            other => Err(self.fault(span, format!("{other:?} is not a future"))),
        }
    }

    pub(super) fn text(&self, span: Span, value: &Value) -> Result<String, Exit> {
        match value {
            Value::Str(s) => Ok(s.to_string()),
            other => Err(self.fault(span, format!("{other:?} is not a string"))),
        }
    }

    pub(super) async fn call(
        self: &Rc<Self>,
        span: Span,
        name: &str,
        args: &[Expr],
        env: &mut Env,
    ) -> Result<Value, Exit> {
        let values = self.list(args, env).await?;
        self.apply(span, name, args, values, env)
    }

    /// Calls function `name` with the `values` of its arguments `args`
    /// (already evaluated: nothing here waits).
    pub(super) fn apply(
        self: &Rc<Self>,
        span: Span,
        name: &str,
        args: &[Expr],
        mut values: Vec<Value>,
        env: &mut Env,
    ) -> Result<Value, Exit> {
        let arg = |i: usize| args.get(i).map_or(span, |a| a.span);
        // A closure held in a variable, called.
        if let Some(Value::Closure(closure)) = env.get(name) {
            return self.call_closure(span, &closure, values);
        }
        let mut take = |i: usize| std::mem::replace(&mut values[i], Value::Unit);
        let int = |v: &Value| match v {
            Value::Int(n) => *n,
            _ => 0,
        };
        let runtime = self.runtime.clone();
        let future: Task<Value> = match name {
            "sleep" => {
                // Boxed once, with its trace, below (not as the prelude's
                // `Task` and then again): thousands are made by a `repeat`.
                let sleep = imp::sleep(int(&take(0)));
                return self.traced(span, async move {
                    sleep.await;
                    Value::Unit
                });
            }
            "block" => {
                let ms = int(&take(0));
                let most = prelude::MAX_BLOCK_MS;
                if ms > most {
                    return Err(self.fault(
                        span,
                        format!("block({ms}) would hold the page longer than the {most} ms a run may"),
                    ));
                }
                // The limit is the run's, not one call's: busy loops one
                // after another give the page no turn to take a Cancel. A
                // loop counts when it runs (at its poll), as it then would.
                let this = self.clone();
                async move {
                    let total = this.runtime.blocked_ms.get().saturating_add(ms);
                    if total > most {
                        // The fault ends the run, as a panic would.
                        let _ = this.fault(
                            span,
                            format!(
                                "block({ms}) would bring this run's busy loops to {total} ms, more than the \
                                 {most} ms a run may hold the page (between them it could not even take a Cancel)"
                            ),
                        );
                        return future::pending().await;
                    }
                    this.runtime.blocked_ms.set(total);
                    prelude::block(ms).await;
                    Value::Unit
                }
                .boxed_local()
            }
            "click" => imp::click(runtime).map(|()| Value::Unit).boxed_local(),
            "fetch" => {
                let url = self.text(arg(0), &take(0))?;
                imp::fetch(url, runtime.base.clone())
                    .map(|r| Value::from_result(r.map(|s| Value::Str(s.into()))))
                    .boxed_local()
            }
            "fail" => {
                let why = self.text(arg(0), &take(0))?;
                prelude::fail(why)
                    .map(|r| Value::from_result(r.map(|()| Value::Unit)))
                    .boxed_local()
            }
            "ready" => prelude::ready(take(0)),
            "join_all" => {
                let list = self.futures(arg(0), take(0))?;
                prelude::join_all(list).map(Value::List).boxed_local()
            }
            "try_join_all" => {
                let list = self.futures(arg(0), take(0))?;
                let list = list.into_iter().map(|f| f.map(Value::into_result));
                prelude::try_join_all(list)
                    .map(|r| Value::from_result(r.map(Value::List)))
                    .boxed_local()
            }
            "select" => {
                let (a, b) = (self.future(arg(0), take(0))?, self.future(arg(1), take(1))?);
                prelude::select(a, b)
                    .map(|either| match either {
                        Either::Left((out, rest)) => {
                            Value::Either(true, Box::new(Value::Tuple(vec![out, Value::Future(rest)])))
                        }
                        Either::Right((out, rest)) => {
                            Value::Either(false, Box::new(Value::Tuple(vec![out, Value::Future(rest)])))
                        }
                    })
                    .boxed_local()
            }
            "select_all" => {
                let list = self.futures(arg(0), take(0))?;
                prelude::select_all(list)
                    .map(|(out, index, rest)| {
                        Value::Tuple(vec![
                            out,
                            Value::Int(index),
                            Value::List(rest.into_iter().map(Value::Future).collect()),
                        ])
                    })
                    .boxed_local()
            }
            "buffer_unordered" => {
                let k = int(&take(0));
                if k == 0 {
                    return Err(self.fault(span, imp::NO_LANES));
                }
                let list = self.futures(arg(1), take(1))?;
                prelude::buffer_unordered(k, list).map(Value::List).boxed_local()
            }
            "timeout" => {
                let ms = int(&take(0));
                let future = self.future(arg(1), take(1))?;
                prelude::timeout(ms, future).map(Value::from_result).boxed_local()
            }
            "retry" => {
                let attempts = int(&take(0));
                let Value::Closure(closure) = take(1) else {
                    return Err(self.fault(arg(1), "retry takes a closure"));
                };
                let this = self.clone();
                let closure_span = arg(1);
                prelude::retry(attempts, move || {
                    let made = this.call_closure(closure_span, &closure, Vec::new());
                    match made {
                        Ok(Value::Future(f)) => f.map(Value::into_result).boxed_local(),
                        _ => future::pending().boxed_local(),
                    }
                })
                .map(Value::from_result)
                .boxed_local()
            }
            "spawn_local" => {
                let future = self.future(arg(0), take(0))?;
                self.runtime.detached.spawn(future.map(drop));
                return Ok(Value::Unit);
            }
            "repeat" => {
                let n = int(&take(0));
                let Value::Closure(closure) = take(1) else {
                    return Err(self.fault(arg(1), "repeat takes a closure"));
                };
                let mut made = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(prelude::MAX_FUTURES));
                let mut scope = Env::default();
                for i in 0..n {
                    made.push(self.call_closure_in(arg(1), &closure, [Value::Int(i)], &mut scope)?);
                }
                return Ok(Value::List(made));
            }
            "drop" => {
                drop(take(0));
                return Ok(Value::Unit);
            }
            "Ok" => return Ok(Value::Result(Ok(Box::new(take(0))))),
            other => return Err(self.fault(span, format!("no function `{other}`"))),
        };
        self.traced(span, future)
    }

    pub(super) async fn macro_call(
        self: &Rc<Self>,
        span: Span,
        name: &str,
        args: &[Expr],
        env: &mut Env,
    ) -> Result<Value, Exit> {
        match name {
            "join" | "try_join" => {
                let values = self.list(args, env).await?;
                let futures = values
                    .into_iter()
                    .zip(args)
                    .map(|(v, a)| self.future(a.span, v))
                    .collect::<Result<Vec<_>, _>>()?;
                let joined: Task<Value> = if name == "join" {
                    join_in_order(futures)
                } else {
                    try_join_in_order(futures)
                };
                match self.traced(span, joined)? {
                    // The macro awaits what it joins, at its own line.
                    Value::Future(f) => Ok(AwaitAt::placed(f, self.place(span.start)).await),
                    other => Ok(other),
                }
            }
            "println" | "format" => {
                let line = match args.first() {
                    Some(Expr {
                        kind: ExprKind::Str(template),
                        ..
                    }) => {
                        let values = self.list(&args[1..], env).await?;
                        format_line(template, &values)
                    }
                    _ => String::new(),
                };
                if name == "format" {
                    return Ok(Value::Str(line.into()));
                }
                match self.runtime.run.borrow().as_ref() {
                    Some(run) => run.recorder().log(line),
                    None => imp::console(&line),
                }
                Ok(Value::Unit)
            }
            "vec" => Ok(Value::List(self.list(args, env).await?)),
            other => Err(self.fault(span, format!("no macro `{other}!`"))),
        }
    }
}

/// Whether `expr` is a literal or a variable, whose value needs no future
/// ([`Interpreter::at_once`] gives it).
fn plain(expr: &Expr) -> bool {
    matches!(expr.kind, ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::Var(_))
}

/// `join!` over `futures`: as futures-rs's own, every unfinished one polled
/// in order on each poll (here `future::join`, nested: the same polls).
fn join_in_order(mut futures: Vec<Task<Value>>) -> Task<Value> {
    let count = futures.len();
    let Some(first) = (!futures.is_empty()).then(|| futures.remove(0)) else {
        return async { Value::Unit }.boxed_local();
    };
    let joined = futures
        .into_iter()
        .fold(first.map(|v| vec![v]).boxed_local(), |acc, next| {
            future::join(acc, next)
                .map(|(mut values, v)| {
                    values.push(v);
                    values
                })
                .boxed_local()
        });
    joined
        .map(move |values| {
            debug_assert_eq!(values.len(), count);
            Value::Tuple(values)
        })
        .boxed_local()
}

/// `try_join!` over `futures`: in order, stopping at the first error.
fn try_join_in_order(mut futures: Vec<Task<Value>>) -> Task<Value> {
    let Some(first) = (!futures.is_empty()).then(|| futures.remove(0)) else {
        return async { Value::Unit }.boxed_local();
    };
    let first: LocalBoxFuture<'static, Result<Vec<Value>, Error>> =
        first.map(|v| v.into_result().map(|v| vec![v])).boxed_local();
    let joined = futures.into_iter().fold(first, |acc, next| {
        future::try_join(acc, next.map(Value::into_result))
            .map(|r| {
                r.map(|(mut values, v)| {
                    values.push(v);
                    values
                })
            })
            .boxed_local()
    });
    joined
        .map(|r| Value::from_result(r.map(Value::Tuple)))
        .boxed_local()
}

pub(super) fn names(pat: &Pat) -> Vec<String> {
    match pat {
        Pat::Ident { name, .. } => vec![name.clone()],
        Pat::Tuple(items, _) => items.iter().flat_map(names).collect(),
        Pat::Wild(_) => Vec::new(),
    }
}
