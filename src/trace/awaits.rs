//! Which `.await` of the shown code is polling right now: how the code pane
//! knows where a run is suspended.
//!
//! The lessons' functions carry `#[mark_awaits]` (crate `async-demo-macros`),
//! which turns each `x.await` into `AwaitAt::new(x).await`, located at that
//! `.await` by `#[track_caller]`. While an [`AwaitAt`] polls what it awaits,
//! [`current`] returns its location; a [`Traced`](super::Traced) future
//! polled inside (directly or through `join_all`, `select`, …) records it
//! with the poll. That is the `.await` at which its run waits for it.
//!
//! Nested awaits form a stack (an outer `.await` polls an async block that
//! polls an inner one); the innermost marked one is current. Nothing is held
//! across a suspension: the location is set only for the length of one poll.

use std::cell::Cell;
use std::future::{Future, IntoFuture};
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

thread_local! {
    static CURRENT: Cell<Option<&'static Location<'static>>> = const { Cell::new(None) };
}

/// The location of the innermost marked `.await` now polling, if any.
pub fn current() -> Option<&'static Location<'static>> {
    CURRENT.with(Cell::get)
}

pin_project! {
    /// What `#[mark_awaits]` puts in front of each `.await`: the awaited
    /// future, with the location of the `.await`.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct AwaitAt<F> {
        #[pin]
        inner: F,
        at: &'static Location<'static>,
        // For `TimeoutFuture::new(ms).await`: the `ms` it was built with.
        timer_ms: Option<u32>,
    }
}

impl<F: Future> AwaitAt<F> {
    /// Wraps `awaited`, located at the caller: the `.await` it stands for.
    #[track_caller]
    pub fn new<I: IntoFuture<IntoFuture = F>>(awaited: I) -> Self {
        AwaitAt {
            inner: awaited.into_future(),
            at: Location::caller(),
            timer_ms: None,
        }
    }

    /// For `TimeoutFuture::new(ms).await`: the timer, made by `make(ms)`,
    /// which says while pending that it waits on a timer of `ms` (gloo's
    /// timer does not expose its delay; the call that builds it does).
    #[track_caller]
    pub fn timer(ms: u32, make: impl FnOnce(u32) -> F) -> Self {
        AwaitAt {
            inner: make(ms),
            at: Location::caller(),
            timer_ms: Some(ms),
        }
    }
}

impl<F: Future> Future for AwaitAt<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let outer = enter(this.at);
        let result = this.inner.poll(cx);
        leave(outer, *this.timer_ms, result.is_pending());
        result
    }
}

// Out of line, so that the code per awaited type is only the inner poll.
// (Nor `waits::by_type::<F>()` at every await: each type's name would cost
// the wasm its bytes.)

#[inline(never)]
fn enter(at: &'static Location<'static>) -> Option<&'static Location<'static>> {
    CURRENT.with(|c| c.replace(Some(at)))
}

#[inline(never)]
fn leave(outer: Option<&'static Location<'static>>, timer_ms: Option<u32>, pending: bool) {
    CURRENT.with(|c| c.set(outer));
    if let (Some(ms), true) = (timer_ms, pending) {
        // Heard only in a stepped run.
        crate::waits::on(|| format!("a browser timer of {ms} ms (gloo's TimeoutFuture)"));
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::pin;
    use std::rc::Rc;
    use std::task::{Context, Poll};

    use futures::task::noop_waker_ref;

    use super::current;

    /// A future that notes the current `.await` line at each poll and is
    /// ready at its second.
    fn spy(seen: Rc<RefCell<Vec<Option<u32>>>>) -> impl Future<Output = ()> {
        let mut polls = 0;
        std::future::poll_fn(move |_| {
            seen.borrow_mut().push(current().map(|l| l.line()));
            polls += 1;
            if polls == 2 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }

    #[async_demo_macros::mark_awaits]
    async fn marked(seen: Rc<RefCell<Vec<Option<u32>>>>, lines: Rc<RefCell<Vec<u32>>>) {
        lines.borrow_mut().push(line!() + 1);
        spy(seen.clone()).await;
        #[rustfmt::skip] // the `.await` on a line of its own: its line counts
        let inner = async {
            lines.borrow_mut().push(line!() + 2);
            spy(seen.clone())
                .await
        };
        lines.borrow_mut().push(line!() + 1);
        inner.await;
        lines.borrow_mut().push(line!() + 1);
        futures::join!(spy(seen.clone()), async {});
    }

    #[test]
    fn a_marked_await_is_current_while_it_polls_and_the_innermost_wins() {
        let (seen, lines) = (Rc::default(), Rc::default());
        let mut run = pin!(marked(Rc::clone(&seen), Rc::clone(&lines)));
        let mut cx = Context::from_waker(noop_waker_ref());
        while run.as_mut().poll(&mut cx).is_pending() {
            assert_eq!(current(), None, "nothing is current between polls");
        }
        let lines = lines.borrow();
        // Each spy is polled twice, at the `.await` (or `join!`) that awaits it;
        // the inner block's spy at its own `.await`, not at `inner.await`.
        // (The block runs when `inner.await` polls it: its line comes third.)
        let (first, inner, join) = (lines[0], lines[2], lines[3]);
        let expected: Vec<_> = [first, first, inner, inner, join, join].map(Some).into();
        assert_eq!(*seen.borrow(), expected);
        assert_eq!(current(), None);
    }
}
