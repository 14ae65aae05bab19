//! What a pending future waits on, in words, told by the work itself.
//!
//! While a run is stepped, the tracer opens a slot around each poll of a
//! traced future ([`watch`]); a leaf of `tasks/` that returns `Pending` says
//! what it waits for ([`on`], or the [`Described`] wrapper), and the first
//! such sentence of the poll is kept as the future's `waitingOn`. Outside a
//! stepped run no slot is open and [`on`] is one thread-local read. Futures
//! this crate does not own cannot speak; a traced future that *is* one of
//! them (gloo's `TimeoutFuture`, a `JsFuture`, perhaps under `map`) is told
//! apart by its type ([`by_type`]); a `TimeoutFuture::new(ms).await` in a
//! lesson's code says its `ms`, read from the call (`trace::AwaitAt`).
//! Anything else the queue says it cannot tell.
//!
//! It lives beside `clock.rs`, outside both `tasks/` and `trace/`, so that
//! the work can speak without knowing the tracer.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

thread_local! {
    /// `None`: nobody listens. `Some(None)`: a poll is watched, nothing said
    /// yet. `Some(Some(text))`: said.
    static SLOT: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Says that the future being polled waits on `describe()` (called only if
/// someone listens, and only for the first leaf of a poll).
pub fn on(describe: impl FnOnce() -> String) {
    SLOT.with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            if let Some(said @ None) = slot.as_mut() {
                *said = Some(describe());
            }
        }
    });
}

/// What a future of type `F` waits on, read from the type itself, for the
/// futures this crate does not own: gloo's `TimeoutFuture` and
/// wasm-bindgen's `JsFuture`, alone or under adapters that only change their
/// output (`map`, `map_ok`, `map_err`, `inspect`). Any other type, an async
/// block among them, gets `None`: its type does not say what it awaits.
pub fn by_type<F>() -> Option<String> {
    leaf(std::any::type_name::<F>()).map(String::from)
}

fn leaf(name: &str) -> Option<&'static str> {
    const TIMER: &str = "a browser timer (gloo's TimeoutFuture, whose delay it does not expose)";
    const PROMISE: &str = "a JavaScript Promise (a JsFuture)";
    // JsFuture lives in js_sys now (wasm-bindgen-futures re-exports it);
    // older releases defined it in wasm_bindgen_futures.
    const LEAVES: [(&str, &str); 3] = [
        ("gloo_timers::future::TimeoutFuture", TIMER),
        ("js_sys::futures::JsFuture", PROMISE),
        ("wasm_bindgen_futures::JsFuture", PROMISE),
    ];
    const ADAPTERS: [&str; 4] = ["Map<", "MapOk<", "MapErr<", "Inspect<"];
    if let Some((_, kind)) = LEAVES.iter().find(|(path, _)| name.starts_with(path)) {
        return Some(kind);
    }
    let inner = name.strip_prefix("futures_util::future::")?;
    let inner = inner.split_once("::")?.1; // the module: future, try_future
    ADAPTERS.iter().find_map(|a| inner.strip_prefix(a)).and_then(leaf)
}

/// Runs `poll` with a slot open; returns its result and what was said.
/// Nested watches each keep their own slot.
pub fn watch<R>(poll: impl FnOnce() -> R) -> (R, Option<String>) {
    let outer = SLOT.with(|slot| slot.replace(Some(None)));
    let result = poll();
    let said = SLOT.with(|slot| slot.replace(outer)).flatten();
    (result, said)
}

pin_project_lite::pin_project! {
    /// A future that says what it waits on whenever it is `Pending`.
    #[derive(Debug)]
    pub struct Described<F, D> {
        #[pin]
        inner: F,
        describe: D,
    }
}

impl<F, D> Described<F, D> {
    /// `inner`, described by `describe` while it is pending.
    pub fn new(inner: F, describe: D) -> Self {
        Described { inner, describe }
    }
}

impl<F: Future, D: Fn() -> String> Future for Described<F, D> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let result = this.inner.poll(cx);
        if result.is_pending() {
            on(|| (this.describe)());
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::{FutureExt, TryFutureExt};
    use wasm_bindgen_futures::JsFuture;

    const PROMISE: &str = "a JavaScript Promise (a JsFuture)";

    /// What the future `make` would return waits on, without making it (a
    /// JsFuture needs a browser).
    fn made<R>(_make: &impl Fn(JsFuture) -> R) -> Option<String> {
        by_type::<R>()
    }

    #[test]
    fn only_a_watched_poll_hears_and_the_first_leaf_wins() {
        on(|| unreachable!("nobody listens: not even described"));
        let ((), said) = watch(|| {
            on(|| "a timer of 5 ms".into());
            on(|| "something else".into());
        });
        assert_eq!(said.as_deref(), Some("a timer of 5 ms"));
        let ((), outer) = watch(|| {
            let ((), inner) = watch(|| on(|| "inner".into()));
            assert_eq!(inner.as_deref(), Some("inner"));
        });
        assert_eq!(outer, None, "a nested watch keeps its own slot");
    }

    #[test]
    fn foreign_leaves_are_told_by_their_type_and_nothing_else_is() {
        let timer = by_type::<gloo_timers::future::TimeoutFuture>().expect("a timer");
        assert!(timer.starts_with("a browser timer"), "{timer}");
        assert_eq!(by_type::<JsFuture>().as_deref(), Some(PROMISE));
        assert_eq!(made(&|f: JsFuture| f.map(|_| 1)).as_deref(), Some(PROMISE));
        assert_eq!(
            made(&|f: JsFuture| f.map_ok(|_| 1).map_err(|_| 2)).as_deref(),
            Some(PROMISE)
        );
        assert_eq!(by_type::<crate::tasks::Sleep>(), None);
        // An async block names nothing it awaits, even a timer; nor does a
        // combinator of several futures.
        #[allow(clippy::redundant_async_block)] // the async block is the point
        let block = made(&|f: JsFuture| async { f.await });
        assert_eq!(block, None);
        assert_eq!(
            made(&|f: JsFuture| futures::future::join(f, crate::tasks::Sleep::new(1))),
            None
        );
    }
}
