//! What a pending future waits on, in words, told by the work itself.
//!
//! While a run is stepped, the tracer opens a slot around each poll of a
//! traced future ([`watch`]); a leaf of `tasks/` that returns `Pending` says
//! what it waits for ([`on`], or the [`Described`] wrapper), and the first
//! such sentence of the poll is kept as the future's `waitingOn`. Outside a
//! stepped run no slot is open and [`on`] is one thread-local read. Futures
//! this crate does not own (gloo's `TimeoutFuture`, a JavaScript Promise)
//! say nothing, and the queue says so.
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
}
