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
mod emit;
pub mod eval;
pub mod examples;
pub mod free;
pub mod prelude;
pub mod runtime;
pub mod syntax;
pub mod template;

use futures::StreamExt;

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
    let futures = most(&program.body, Most::Futures);
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
    let turns = most(&program.body, Most::Turns);
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

/// What [`most`] counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Most {
    /// Futures made: `repeat(100000, …)` and `for i in 0..10` multiply.
    Futures,
    /// Turns of `for` loops (nested loops multiply).
    Turns,
}

/// How many futures `block` makes, or how many times its `for` loops turn,
/// at most, where its counts are written as numbers: a run of too many is
/// refused before it starts (a count computed at run time is the
/// runtime's to stop).
fn most(block: &syntax::Block, what: Most) -> u128 {
    use syntax::{Expr, ExprKind, Stmt};
    let futures = what == Most::Futures;
    let expr = |e: &Expr| most_in(e, what);
    let mut total: u128 = 0;
    for stmt in &block.stmts {
        total = total.saturating_add(match stmt {
            Stmt::Let { init, .. } => expr(init),
            Stmt::Expr { expr: e, .. } => expr(e),
            Stmt::For { start, end, body, .. } => {
                let count = match (&start.kind, &end.kind) {
                    (ExprKind::Int(a), ExprKind::Int(b)) => u128::from(b.saturating_sub(*a)),
                    // Unknown: a loop of computed range makes its body's
                    // futures at least once, and is counted by the runtime.
                    _ => u128::from(futures),
                };
                let inside = count.saturating_mul(most(body, what));
                if futures {
                    inside
                } else {
                    count.saturating_add(inside)
                }
            }
        });
    }
    total.saturating_add(block.tail.as_deref().map_or(0, expr))
}

/// [`most`] of one expression.
fn most_in(e: &syntax::Expr, what: Most) -> u128 {
    use syntax::ExprKind;
    let futures = what == Most::Futures;
    let sum = |items: &[syntax::Expr], own: bool| {
        items
            .iter()
            .map(|e| most_in(e, what))
            .fold(u128::from(own), u128::saturating_add)
    };
    match &e.kind {
        ExprKind::Call { name, args, .. } if futures && name == "repeat" && args.len() == 2 => {
            let times = match args[0].kind {
                ExprKind::Int(n) => u128::from(n),
                _ => 1,
            };
            times.saturating_mul(most_in(&args[1], what).max(1))
        }
        ExprKind::Call { name, args, .. } => sum(args, futures && check::FUTURE_FNS.contains(&name.as_str())),
        ExprKind::Macro { name, args } => sum(args, futures && (name == "join" || name == "try_join")),
        ExprKind::Async { block, .. } => u128::from(futures).saturating_add(most(block, what)),
        ExprKind::Block(block) => most(block, what),
        ExprKind::Closure { body, .. } => most_in(body, what),
        ExprKind::Tuple(items) | ExprKind::Array(items) => sum(items, false),
        ExprKind::Await(e)
        | ExprKind::Try(e)
        | ExprKind::Clone(e)
        | ExprKind::Ref(e)
        | ExprKind::Paren(e) => most_in(e, what),
        ExprKind::Binary { lhs, rhs, .. } => most_in(lhs, what).saturating_add(most_in(rhs, what)),
        ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::Var(_) => 0,
    }
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
    // The clicks are counted in a task of their own, so that a click wakes
    // only the `click()`s waiting for it. (Counted in the run's task, a click
    // woke the whole program, whose futures were all polled again for it.)
    // The pump stops with the run: dropping its handle drops it.
    let hub = runtime.clone();
    let _pump = crate::tasks::spawn(clicks.for_each(move |()| {
        hub.clicks.click();
        futures::future::ready(())
    }));
    let interpreter = eval::Interpreter::new(program, &checked, runtime.clone());
    let outcome = interpreter.run().await;
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

/// [`generate`] as a widget shows it: the Python twin with its note on a
/// static site ([`crate::lessons::noted`]).
pub fn generate_shown(source: &str, base: &str) -> crate::markup::widget::Generated {
    let mut generated = generate(source, base);
    generated.python = crate::lessons::noted(generated.python);
    generated
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
mod spelling;

#[cfg(test)]
mod tests;
pub mod twins;
