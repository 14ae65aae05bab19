//! Your own program: a small subset of async Rust that a reader types, run
//! with real futures (the interpreter builds the tree of futures the program
//! writes and awaits it), stepped like every lesson, and shown beside the
//! same program in Python and JavaScript.
//!
//! - [`syntax`] reads the text (every error `line:col: message`, a caret);
//! - [`check`] says what rustc would (names, types, moves, borrows);
//! - [`eval`] runs it: each future written becomes the prelude's real one,
//!   traced under its text;
//! - [`prelude`] is the same program's names as real Rust
//!   (`use async_demo::sandbox::prelude::*;`), which a test compiles every
//!   example and hundreds of generated programs against, and holds the
//!   interpreter to the compiled program's polls, wakes and ends;
//! - `python` and `javascript` write the program in asyncio and in
//!   JavaScript.

pub mod check;
pub mod eval;
pub mod examples;
pub mod free;
pub mod prelude;
pub mod runtime;
pub mod syntax;

use futures::future::{select, Either};
use futures::{FutureExt, StreamExt};

use crate::error::Error;
use crate::lessons::Clicks;
use crate::trace::Recorder;
use check::Checked;
use runtime::{AbortOnDrop, Runtime};
use syntax::{Diagnostic, Program};

/// The program read and checked, or the first thing wrong with it.
pub fn compile(source: &str) -> Result<(Program, Checked), Diagnostic> {
    let program = syntax::parse(source)?;
    let checked = check::check(&program)?;
    let futures = most_futures(&program.body);
    if futures > runtime::MAX_FUTURES as u128 {
        return Err(Diagnostic::error(
            syntax::Span::new(0, 0),
            format!(
                "the program would make {futures} futures; a run may make at most {}",
                runtime::MAX_FUTURES
            ),
        )
        .help("lower the counts of repeat(n, …) and of the for loops"));
    }
    let turns = most_turns(&program.body);
    if turns > runtime::MAX_FUTURES as u128 {
        return Err(Diagnostic::error(
            syntax::Span::new(0, 0),
            format!(
                "the program's for loops would turn {turns} times; a run may turn them at most {}",
                runtime::MAX_FUTURES
            ),
        )
        .help("shorten the loops' ranges"));
    }
    Ok((program, checked))
}

/// How many times `block`'s `for` loops turn at most, where their ranges
/// are written as numbers (nested loops multiply).
fn most_turns(block: &syntax::Block) -> u128 {
    use syntax::{ExprKind, Stmt};
    fn expr(e: &syntax::Expr) -> u128 {
        match &e.kind {
            ExprKind::Async { block, .. } | ExprKind::Block(block) => most_turns(block),
            ExprKind::Closure { body, .. } => expr(body),
            ExprKind::Call { args, .. }
            | ExprKind::Macro { args, .. }
            | ExprKind::Tuple(args)
            | ExprKind::Array(args) => args.iter().map(expr).fold(0, u128::saturating_add),
            ExprKind::Await(e)
            | ExprKind::Try(e)
            | ExprKind::Clone(e)
            | ExprKind::Ref(e)
            | ExprKind::Paren(e) => expr(e),
            ExprKind::Binary { lhs, rhs, .. } => expr(lhs).saturating_add(expr(rhs)),
            ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::Var(_) => 0,
        }
    }
    let mut total: u128 = 0;
    for stmt in &block.stmts {
        total = total.saturating_add(match stmt {
            Stmt::Let { init, .. } => expr(init),
            Stmt::Expr { expr: e, .. } => expr(e),
            Stmt::For { start, end, body, .. } => {
                let count = match (&start.kind, &end.kind) {
                    (ExprKind::Int(a), ExprKind::Int(b)) => u128::from(b.saturating_sub(*a)),
                    _ => 0,
                };
                count.saturating_add(count.saturating_mul(most_turns(body)))
            }
        });
    }
    total.saturating_add(block.tail.as_deref().map_or(0, expr))
}

/// How many futures `block` makes at most, where its counts are written as
/// numbers (`repeat(100000, …)`, `for i in 0..10`): a run of too many is
/// refused before it starts.
fn most_futures(block: &syntax::Block) -> u128 {
    use syntax::{ExprKind, Stmt};
    fn expr(e: &syntax::Expr) -> u128 {
        let number = |e: &syntax::Expr| match e.kind {
            ExprKind::Int(n) => u128::from(n),
            _ => 1,
        };
        match &e.kind {
            ExprKind::Call { name, args, .. } if name == "repeat" && args.len() == 2 => {
                number(&args[0]).saturating_mul(expr(&args[1]).max(1))
            }
            ExprKind::Call { name, args, .. } => {
                let own = u128::from(check::FUTURE_FNS.contains(&name.as_str()));
                args.iter().map(expr).fold(own, u128::saturating_add)
            }
            ExprKind::Macro { name, args } => {
                let own = u128::from(name == "join" || name == "try_join");
                args.iter().map(expr).fold(own, u128::saturating_add)
            }
            ExprKind::Async { block, .. } => 1u128.saturating_add(most_futures(block)),
            ExprKind::Block(block) => most_futures(block),
            ExprKind::Closure { body, .. } => expr(body),
            ExprKind::Tuple(items) | ExprKind::Array(items) => {
                items.iter().map(expr).fold(0, u128::saturating_add)
            }
            ExprKind::Await(e)
            | ExprKind::Try(e)
            | ExprKind::Clone(e)
            | ExprKind::Ref(e)
            | ExprKind::Paren(e) => expr(e),
            ExprKind::Binary { lhs, rhs, .. } => expr(lhs).saturating_add(expr(rhs)),
            ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::Var(_) => 0,
        }
    }
    let mut total: u128 = 0;
    for stmt in &block.stmts {
        total = total.saturating_add(match stmt {
            Stmt::Let { init, .. } => expr(init),
            Stmt::Expr { expr: e, .. } => expr(e),
            Stmt::For { start, end, body, .. } => {
                let count = match (&start.kind, &end.kind) {
                    (ExprKind::Int(a), ExprKind::Int(b)) => u128::from(b.saturating_sub(*a)),
                    _ => 1,
                };
                count.saturating_mul(most_futures(body))
            }
        });
    }
    total.saturating_add(block.tail.as_deref().map_or(0, expr))
}

/// Runs `source` (checked already) as one run named `program` of
/// `recorder`: relative URLs against `base`, clicks from `clicks`. Resolves
/// when the program and every task it spawned have ended, with the
/// program's error if it returned one.
pub async fn run(source: &str, base: &str, recorder: &Recorder, clicks: Clicks) -> Result<(), Error> {
    let (program, checked) = compile(source).map_err(|d| Error::Program(d.sentence(source)))?;
    let runtime = Runtime::new(base);
    *runtime.run.borrow_mut() = Some(recorder.begin_run("program"));
    // Cancelling the run (dropping this future) aborts its spawned tasks.
    let _spawned = AbortOnDrop(runtime.clone());
    let hub = runtime.clone();
    let pump = clicks.for_each(move |()| {
        hub.clicks.click();
        futures::future::ready(())
    });
    let interpreter = eval::Interpreter::new(program, &checked, runtime.clone());
    let outcome = match select(interpreter.run().boxed_local(), pump.boxed_local()).await {
        Either::Left((outcome, _)) => outcome,
        // The clicks ended (no widget): the program goes on without them.
        Either::Right(((), program)) => program.await,
    };
    let run = runtime.run.borrow_mut().take();
    if let Some(run) = run {
        run.finish().await;
    }
    outcome
}

/// The error a program's `?` passed on out of its body, as the run's end
/// says it (its own text cut short: it may be anything the program wrote).
/// A compiled program returns the error itself.
pub fn passed_on(error: &Error) -> Error {
    let text = error.to_string();
    let mut said = format!(
        "The program ended with an error that a `?` passed on: {}",
        crate::error::cut_to(text.trim(), 200)
    );
    if !said.ends_with(['.', '!', '?']) {
        said.push('.');
    }
    Error::Program(said)
}

/// What the sandbox shows beside `source`: its Python and JavaScript twins
/// (relative URLs resolved against `base`), and what the checker says (the
/// first error, with its caret; or the warnings).
pub fn generate(source: &str, base: &str) -> crate::markup::widget::Generated {
    match compile(source) {
        Ok((program, checked)) => {
            let diagnostics = checked
                .warnings
                .iter()
                .map(|w| w.render(source))
                .collect::<Vec<_>>()
                .join("\n\n");
            crate::markup::widget::Generated {
                python: python::write(&program, &checked, base),
                javascript: javascript::write(&program, &checked, base),
                diagnostics,
            }
        }
        Err(error) => {
            let said = error.sentence(source);
            crate::markup::widget::Generated {
                python: format!("# The program does not compile yet, so it has no twin:\n# {said}"),
                javascript: format!("// The program does not compile yet, so it has no twin:\n// {said}"),
                diagnostics: error.render(source),
            }
        }
    }
}

/// The text of `source`'s first error, as the editor and `run()` say it, or
/// `None` if it runs.
pub fn first_error(source: &str) -> Option<String> {
    compile(source).err().map(|d| d.sentence(source))
}
pub mod javascript;
pub mod python;

#[cfg(test)]
mod tests;
pub mod twins;
