//! Which `.await`s of the shown code a run is suspended at: how the code
//! pane knows where to point.
//!
//! The lessons' functions carry `#[mark_awaits]` (crate `async-demo-macros`),
//! which turns each `x.await` into `AwaitAt::new(x).await`, located at that
//! `.await` by `#[track_caller]`. Two things are noted, each only for the
//! length of one poll (nothing is held across a suspension):
//! - While an [`AwaitAt`] polls what it awaits, it is [`current`] (the
//!   innermost one, when they nest). A [`Traced`](super::Traced) future
//!   polled inside (directly or through `join_all`, `select`, …) records it
//!   with the poll: the `.await` at which its run waits for it.
//! - When an `AwaitAt` returns `Pending`, it is where the poll stopped. The
//!   innermost one inside a traced future ([`watch_suspension`]) is recorded
//!   too: the `.await` at which that future itself is suspended.
//!
//! Locations are kept as [`AwaitId`]s, two bytes each, so that a poll event
//! holds both in the padding beside its flags.

use std::cell::{Cell, RefCell};
use std::future::{Future, IntoFuture};
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// A marked `.await`, as a number (0: none); [`AwaitId::location`] says
/// where it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AwaitId(u16);

/// The file a sandbox program's places are in (its lines are the program's).
pub const PROGRAM: &str = "program";

thread_local! {
    /// Every place interned so far: a file and a line.
    static KNOWN: RefCell<Vec<(&'static str, u32)>> = const { RefCell::new(Vec::new()) };
    /// The last place interned: a call site traced in a loop (a lesson with
    /// 100,000 timers) finds its id without a search.
    static LAST: Cell<(*const Location<'static>, AwaitId)> = const { Cell::new((std::ptr::null(), AwaitId::NONE)) };
    static CURRENT: Cell<AwaitId> = const { Cell::new(AwaitId::NONE) };
    static SUSPENDED: Cell<AwaitId> = const { Cell::new(AwaitId::NONE) };
}

impl AwaitId {
    /// No marked `.await`.
    pub const NONE: AwaitId = AwaitId(0);

    /// The id of the place `at` (the same for the same file and line).
    pub fn of(at: &'static Location<'static>) -> AwaitId {
        let (last, id) = LAST.with(Cell::get);
        if std::ptr::eq(last, at) {
            return id;
        }
        let id = Self::at(at.file(), at.line());
        LAST.with(|l| l.set((at, id)));
        id
    }

    /// The id of line `line` of `file` (a sandbox program's: [`PROGRAM`]).
    pub fn at(file: &'static str, line: u32) -> AwaitId {
        KNOWN.with(|known| {
            let mut known = known.borrow_mut();
            if let Some(i) = known.iter().position(|&k| k == (file, line)) {
                return AwaitId(i as u16 + 1);
            }
            match u16::try_from(known.len() + 1) {
                Ok(id) => {
                    known.push((file, line));
                    AwaitId(id)
                }
                Err(_) => AwaitId::NONE, // more places than code can hold
            }
        })
    }

    /// Where it is: file and line.
    pub fn place(self) -> Option<(&'static str, u32)> {
        let index = usize::from(self.0).checked_sub(1)?;
        KNOWN.with(|known| known.borrow().get(index).copied())
    }

    /// Whether it is a marked `.await` at all.
    pub fn is_some(self) -> bool {
        self != AwaitId::NONE
    }
}

/// The innermost marked `.await` now polling ([`AwaitId::NONE`] if none).
pub fn current() -> AwaitId {
    CURRENT.with(Cell::get)
}

/// Runs `poll` (one poll of a traced future) and returns, with its result,
/// the innermost marked `.await` inside it that returned `Pending`: where
/// that future is suspended. Nested watches each keep their own.
pub fn watch_suspension<R>(poll: impl FnOnce() -> R) -> (R, AwaitId) {
    let outer = SUSPENDED.with(|s| s.replace(AwaitId::NONE));
    let result = poll();
    let inner = SUSPENDED.with(|s| s.replace(outer));
    (result, inner)
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
        // Interned at the first poll.
        id: AwaitId,
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
            id: AwaitId::NONE,
            timer_ms: None,
        }
    }

    /// Wraps `awaited` as the `.await` at `id`: where a sandbox program
    /// wrote it (`AwaitId::at(PROGRAM, line)`), as the interpreter awaits it.
    #[track_caller]
    pub fn placed(awaited: F, id: AwaitId) -> Self {
        AwaitAt {
            inner: awaited,
            at: Location::caller(),
            id,
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
            id: AwaitId::NONE,
            timer_ms: Some(ms),
        }
    }
}

impl<F: Future> Future for AwaitAt<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let outer = enter(this.id, this.at);
        let result = this.inner.poll(cx);
        leave(outer, *this.id, *this.timer_ms, result.is_pending());
        result
    }
}

// Out of line, so that the code per awaited type is only the inner poll.
// (Nor `waits::by_type::<F>()` at every await: each type's name would cost
// the wasm its bytes.)

#[inline(never)]
fn enter(id: &mut AwaitId, at: &'static Location<'static>) -> AwaitId {
    if !id.is_some() {
        *id = AwaitId::of(at);
    }
    CURRENT.with(|c| c.replace(*id))
}

#[inline(never)]
fn leave(outer: AwaitId, id: AwaitId, timer_ms: Option<u32>, pending: bool) {
    CURRENT.with(|c| c.set(outer));
    if !pending {
        return;
    }
    // The innermost pending `.await` is the first to get here.
    SUSPENDED.with(|s| {
        if !s.get().is_some() {
            s.set(id);
        }
    });
    if let Some(ms) = timer_ms {
        // Heard only in a stepped run.
        crate::waits::on(|| format!("a browser timer of {ms} ms (gloo's TimeoutFuture)"));
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::pin::{pin, Pin};
    use std::rc::Rc;
    use std::task::{Context, Poll};

    use futures::task::noop_waker_ref;

    use super::{current, watch_suspension, AwaitId};

    /// A future that notes the current `.await` line at each poll and is
    /// ready at its second.
    fn spy(seen: Rc<RefCell<Vec<Option<u32>>>>) -> impl Future<Output = ()> {
        let mut polls = 0;
        std::future::poll_fn(move |_| {
            seen.borrow_mut().push(current().place().map(|(_, line)| line));
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
            assert_eq!(current(), AwaitId::NONE, "nothing is current between polls");
        }
        let lines = lines.borrow();
        // Each spy is polled twice, at the `.await` (or `join!`) that awaits it;
        // the inner block's spy at its own `.await`, not at `inner.await`.
        // (The block runs when `inner.await` polls it: its line comes third.)
        let (first, inner, join) = (lines[0], lines[2], lines[3]);
        let expected: Vec<_> = [first, first, inner, inner, join, join].map(Some).into();
        assert_eq!(*seen.borrow(), expected);
        assert_eq!(current(), AwaitId::NONE);
    }

    /// Stands for a traced future: notes where the future it wraps stopped.
    struct Watched<F>(Pin<Box<F>>, Rc<Cell<AwaitId>>);

    impl<F: Future> Future for Watched<F> {
        type Output = F::Output;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            let (result, suspended) = watch_suspension(|| self.0.as_mut().poll(cx));
            self.1.set(suspended);
            result
        }
    }

    #[async_demo_macros::mark_awaits]
    async fn nested(inner_seen: Rc<Cell<AwaitId>>, lines: Rc<RefCell<Vec<u32>>>) {
        let inner = async {
            lines.borrow_mut().push(line!() + 1);
            std::future::pending::<()>().await
        };
        lines.borrow_mut().push(line!() + 1);
        Watched(Box::pin(inner), inner_seen).await
    }

    #[test]
    fn the_innermost_pending_await_is_where_a_watched_future_stopped() {
        let (inner_seen, lines) = (Rc::default(), Rc::<RefCell<Vec<u32>>>::default());
        let mut run = pin!(nested(Rc::clone(&inner_seen), Rc::clone(&lines)));
        let mut cx = Context::from_waker(noop_waker_ref());
        let (result, outer) = watch_suspension(|| run.as_mut().poll(&mut cx));
        assert!(result.is_pending());
        let line = |id: AwaitId| id.place().map(|(_, line)| line);
        let lines = lines.borrow();
        // The watched future stopped at `pending().await` inside it; the run
        // around it at the `.await` of the watched future.
        assert_eq!(line(inner_seen.get()), Some(lines[1]));
        assert_eq!(line(outer), Some(lines[0]));
        // Ids are per place.
        let (file, at) = outer.place().expect("outer is marked");
        assert_eq!(AwaitId::at(file, at), outer);
        assert_ne!(inner_seen.get(), outer);
    }
}
