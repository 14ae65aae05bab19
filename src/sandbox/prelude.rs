//! The sandbox's prelude: what a program sees, as real Rust. A program of
//! the playground's sandbox compiles in a project of your own with one line
//! before it:
//!
//! ```ignore
//! use async_demo::sandbox::prelude::*;
//!
//! async fn program() -> Result<(), Error> {
//!     let a = sleep(300);
//!     let b = fetch("async-demo-api/delay/500");
//!     let (_, page) = join!(a, b);
//!     println!("{}", page?);
//!     Ok(())
//! }
//! ```
//!
//! Every function that makes a future returns a [`Task`] (a boxed future,
//! so that a list of them has one type) and starts nothing: like an
//! `async fn`, and like Python's `asyncio.sleep`, it runs when polled. The
//! combinators are futures-rs's own (`join_all`, `try_join_all`, `select`,
//! `select_all`, `buffer_unordered`), with their semantics: `join_all` of up
//! to 30 futures polls every unfinished one on each wake, `select` leaves
//! the loser pending (dropped when its holder is), and so on. `select` and
//! `select_all` box their futures, so they take async blocks as well.
//!
//! The sandbox's interpreter calls these same functions (with its own
//! values as the outputs): the futures of a program are the same whether
//! it is interpreted or compiled.
//!
//! `println!` is Rust's own (the prelude cannot shadow it): in the sandbox
//! its line goes into the widget's log; compiled for the web, the standard
//! output goes nowhere, as for any wasm32-unknown-unknown program.

use std::future::Future;
use std::rc::Rc;

use futures::future::LocalBoxFuture;
use futures::{FutureExt, StreamExt};

pub use crate::error::Error;
pub use futures::future::Either;
pub use futures::{join, try_join};

pub use super::runtime::MAX_FUTURES;
use super::runtime::{self, NextClick, Runtime};

/// A future of the prelude: boxed, so that futures with the same output
/// have the same type (an array of them compiles).
pub type Task<T> = LocalBoxFuture<'static, T>;

/// The longest a browser timer waits; a longer sleep waits this long.
const LONGEST_MS: u64 = i32::MAX as u64;

fn ms(ms: u64) -> u32 {
    ms.min(LONGEST_MS) as u32
}

/// Waits `ms` milliseconds without blocking; the timer starts at the first
/// poll (like `asyncio.sleep`, unlike gloo's `TimeoutFuture`, which starts
/// when it is built). Longer than about 24.8 days waits that long.
pub fn sleep(ms: u64) -> Task<()> {
    imp::sleep(ms).boxed_local()
}

/// Downloads `url` (relative to the widget's folder, where its
/// `async-demo-api/` endpoints are) and gives its body as text, or an error
/// sentence (unreachable, HTTP 4xx/5xx, over 5 MB). Dropping it aborts the
/// request.
pub fn fetch(url: impl Into<String>) -> Task<Result<String, Error>> {
    let base = runtime::current()
        .map(|r| r.base.clone())
        .unwrap_or_else(page_base);
    imp::fetch(url.into(), base)
}

/// The next click on the widget's button (the widget shows one, "Click
/// me", while a program runs). In a page of your own, the next click
/// anywhere in the document.
pub fn click() -> Task<()> {
    match runtime::current() {
        Some(runtime) => imp::click(runtime),
        None => imp::document_click(),
    }
}

/// The longest [`block`] holds the thread: the sandbox refuses a longer
/// one before the run starts (or, computed, stops the run there), and the
/// compiled prelude holds it this long.
pub const MAX_BLOCK_MS: u64 = 10_000;

/// Holds the thread for `ms` milliseconds when polled, without yielding: a
/// blocking call in async code (nothing else on the page moves meanwhile).
/// At most [`MAX_BLOCK_MS`].
pub fn block(ms: u64) -> Task<()> {
    let ms = self::ms(ms.min(MAX_BLOCK_MS));
    async move {
        crate::tasks::block_for(ms);
    }
    .boxed_local()
}

/// Fails with `why` when polled.
pub fn fail(why: impl Into<String>) -> Task<Result<(), Error>> {
    let why = why.into();
    async move { Err(Error::Program(why)) }.boxed_local()
}

/// Gives `value` at its first poll.
pub fn ready<T: 'static>(value: T) -> Task<T> {
    async move { value }.boxed_local()
}

/// All of `futures`, together: the outputs in input order.
pub fn join_all<F>(futures: impl IntoIterator<Item = F>) -> Task<Vec<F::Output>>
where
    F: Future + 'static,
{
    futures::future::join_all(futures).boxed_local()
}

/// All of `futures`, together, stopping at the first error (the others are
/// dropped: cancelled).
pub fn try_join_all<F, T>(futures: impl IntoIterator<Item = F>) -> Task<Result<Vec<T>, Error>>
where
    F: Future<Output = Result<T, Error>> + 'static,
    T: 'static,
{
    futures::future::try_join_all(futures).boxed_local()
}

/// The first of `a` and `b` to finish: its output, and the other, still
/// pending (dropping it cancels it).
#[allow(clippy::type_complexity)]
pub fn select<A, B>(a: A, b: B) -> Task<Either<(A::Output, Task<B::Output>), (B::Output, Task<A::Output>)>>
where
    A: Future + 'static,
    B: Future + 'static,
{
    async move {
        match futures::future::select(a.boxed_local(), b.boxed_local()).await {
            Either::Left((out, b)) => Either::Left((out, b)),
            Either::Right((out, a)) => Either::Right((out, a)),
        }
    }
    .boxed_local()
}

/// What `select_all` gives: the first output, its index, and the others.
pub type Selected<T> = (T, u64, Vec<Task<T>>);

/// The first of `futures` to finish: its output, its index, and the others,
/// still pending.
pub fn select_all<F>(futures: impl IntoIterator<Item = F>) -> Task<Selected<F::Output>>
where
    F: Future + 'static,
{
    let boxed: Vec<Task<F::Output>> = futures.into_iter().map(FutureExt::boxed_local).collect();
    async move {
        if boxed.is_empty() {
            // futures-rs panics here; the sandbox waits for ever, as a
            // selection of nothing would.
            return futures::future::pending().await;
        }
        let (out, index, rest) = futures::future::select_all(boxed).await;
        (out, index as u64, rest)
    }
    .boxed_local()
}

/// `futures` with at most `k` in flight at once: the outputs in the order
/// they finish.
///
/// # Panics
/// With `k` = 0 (nothing would ever start).
pub fn buffer_unordered<F>(k: u64, futures: impl IntoIterator<Item = F>) -> Task<Vec<F::Output>>
where
    F: Future + 'static,
    F::Output: 'static,
{
    assert!(k > 0, "{}", imp::NO_LANES);
    let list: Vec<F> = futures.into_iter().collect();
    futures::stream::iter(list)
        .buffer_unordered(k as usize)
        .collect()
        .boxed_local()
}

/// `future` with a deadline of `ms` milliseconds from its first poll:
/// its output, or an error once the deadline passes (it is then dropped,
/// which cancels it).
pub fn timeout<F>(ms: u64, future: F) -> Task<Result<F::Output, Error>>
where
    F: Future + 'static,
{
    let ms = self::ms(ms);
    crate::tasks::with_timeout(ms, future.map(Ok)).boxed_local()
}

/// Up to `attempts` tries: each calls `make` for a new future and awaits
/// it; the first `Ok` wins, otherwise the last error. No wait between them.
pub fn retry<F, T>(attempts: u64, mut make: impl FnMut() -> F + 'static) -> Task<Result<T, Error>>
where
    F: Future<Output = Result<T, Error>> + 'static,
    T: 'static,
{
    async move {
        let mut last = Error::Program(imp::NO_ATTEMPT.into());
        for _ in 0..attempts {
            match make().await {
                Ok(value) => return Ok(value),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
    .boxed_local()
}

/// Runs `future` as a task of its own on the page's executor; nothing waits
/// for it (in the widget, the run goes on until it ends, and Cancel stops
/// it too).
pub fn spawn_local(future: impl Future<Output = ()> + 'static) {
    match runtime::current() {
        Some(runtime) => runtime.detached.spawn(future),
        None => imp::spawn(future),
    }
}

/// `f(0)`, `f(1)`, … `f(n - 1)`, in a Vec: so that a line makes many
/// futures (`repeat(1000, |i| sleep(i))`).
pub fn repeat<T>(n: u64, f: impl FnMut(u64) -> T) -> Vec<T> {
    (0..n).map(f).collect()
}

/// The wrapper the compiled-twin test puts around each future a program
/// writes (by the id of its place): traced into the current run under the
/// program's own label, as the interpreter traces it.
#[doc(hidden)]
pub fn __trace<F>(id: usize, future: F) -> Either<crate::trace::Traced<F>, F>
where
    F: Future,
    F::Output: crate::trace::TaskOutput,
{
    let Some(runtime) = runtime::current() else {
        return Either::Right(future);
    };
    let label = runtime.labels.get(id).cloned().unwrap_or_default();
    let line = runtime.lines.get(id).copied().unwrap_or(0);
    let _ = runtime.count();
    let traced = match runtime.run.borrow().as_ref() {
        Some(run) => Either::Left(run.trace_at(
            label,
            crate::trace::AwaitId::at(crate::trace::PROGRAM, line),
            future,
        )),
        None => Either::Right(future),
    };
    traced
}

/// The page's base URL, where there is a page.
fn page_base() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.base_uri().ok().flatten())
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        String::new()
    }
}

/// The implementations, with their surroundings given: the interpreter
/// calls these with its run's own [`Runtime`].
pub(crate) mod imp {
    use super::*;

    /// Why `buffer_unordered(0, …)` is refused.
    pub const NO_LANES: &str = "buffer_unordered(0, …) would never start a future: give it 1 or more";
    /// What `retry(0, …)` fails with.
    pub const NO_ATTEMPT: &str = "retry(0, …) made no attempt";

    /// [`sleep`](super::sleep), unboxed.
    pub fn sleep(ms: u64) -> impl Future<Output = ()> {
        let ms = super::ms(ms);
        async move { crate::tasks::Sleep::new(ms).await }
    }

    pub fn fetch(url: String, base: String) -> Task<Result<String, Error>> {
        async move {
            let url = super::super::runtime::resolve(&url, &base);
            crate::tasks::download_text(&url).await
        }
        .boxed_local()
    }

    pub fn click(runtime: Rc<Runtime>) -> Task<()> {
        NextClick::new(runtime).boxed_local()
    }

    #[cfg(target_arch = "wasm32")]
    pub fn document_click() -> Task<()> {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        async move {
            let (send, receive) = futures::channel::oneshot::channel::<()>();
            let heard = Closure::once_into_js(move || {
                let _ = send.send(());
            });
            let options = web_sys::AddEventListenerOptions::new();
            options.set_once(true);
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
                    "click",
                    heard.unchecked_ref(),
                    &options,
                );
            }
            let _ = receive.await;
        }
        .boxed_local()
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn document_click() -> Task<()> {
        futures::future::pending().boxed_local()
    }

    #[cfg(target_arch = "wasm32")]
    pub fn spawn(future: impl Future<Output = ()> + 'static) {
        wasm_bindgen_futures::spawn_local(future);
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn spawn(future: impl Future<Output = ()> + 'static) {
        drop(future);
    }

    #[cfg(target_arch = "wasm32")]
    pub fn console(line: &str) {
        web_sys::console::log_1(&line.into());
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn console(line: &str) {
        let _ = line;
    }
}
