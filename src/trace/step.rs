//! Step mode: the run's traced futures are polled only when a person steps.
//!
//! Nothing here is an executor of its own. The lesson's future runs on
//! wasm-bindgen-futures as always, and its combinators (`join_all`,
//! `select`, `buffer_unordered`) poll their children as always; but a traced
//! future in a stepped run asks the [`Stepper`] before it polls what it
//! wraps. Without permission it returns `Pending` at once, and joins the
//! queue if it has a reason to be polled:
//!
//! - its first poll ([`Cause::First`]);
//! - its own waker was called since its last poll ([`Cause::Woken`]): a timer
//!   fired, bytes arrived (the browser delivers these in real time, stepped
//!   or not);
//! - its combinator polls it because a sibling was woken
//!   ([`Cause::Sibling`]), as `join_all` of up to 30 does: counted only when
//!   a real wake happened since the future's last turn, not when the
//!   stepper's own grant made the combinator poll every child again.
//!
//! A step grants the front of the queue and wakes the waker that future saw,
//! so that whatever holds it polls it again; that one poll runs, and the
//! step ends. Counted this way, a stepped run makes exactly as many polls as
//! the same run at full speed: the steps until the end add up to the
//! report's polls.
//!
//! Traced futures inside a traced future (a sandbox program's `join!` of two
//! downloads) are not queued on their own: while the granted future polls,
//! whatever it polls runs as it would at full speed, and the step reports
//! those polls as [`Stepped::inside`]. Only the outermost traced futures
//! wait in the queue (their wakes reach them through their children's), so
//! the polls are still the full-speed ones: the steps plus the polls inside
//! them add up to the report's polls.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Poll, Waker};

use super::task::Cause;
use crate::error::Error;

/// A future waiting for its poll, in the order it will get it.
#[derive(Debug, Clone)]
pub struct Queued {
    /// Its run's index.
    pub run: usize,
    /// Its index in the run.
    pub task: usize,
    /// Why it wants a poll.
    pub cause: Cause,
    waker: Waker,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stepped {
    /// The run of the future polled.
    pub run: usize,
    /// The future polled.
    pub task: usize,
    /// Whether that poll returned `Ready`.
    pub ready: bool,
    /// Why it was polled.
    pub cause: Cause,
    /// The traced futures it polled inside that poll, as (task, ready), in
    /// the order their polls returned (the innermost first).
    pub inside: Vec<(usize, bool)>,
}

#[derive(Debug, Default)]
struct State {
    /// Bumped on every change the view shows (queue, last poll).
    version: u64,
    /// The last future a step polled, and how.
    last_polled: Option<Stepped>,
    active: bool,
    over: bool,
    stepping: bool,
    queue: VecDeque<Queued>,
    granted: Option<(usize, usize)>,
    /// The granted future, while its poll runs: everything polled meanwhile
    /// is inside it.
    polling: Option<(usize, usize)>,
    /// The polls inside the granted one so far.
    inside: Vec<(usize, bool)>,
    /// The granted future's poll, once it ran; `Err` if it was dropped first.
    last: Option<Result<Stepped, ()>>,
    /// The `step()` (or `queue` watcher) waiting for something to happen.
    waiter: Option<Waker>,
}

/// What [`Stepper::admit`] says to a traced future about to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Poll what you wrap.
    Poll,
    /// Return `Pending` without polling: you are queued (or not due).
    Wait,
}

/// The gate of a stepped run, shared by its traced futures and the widget.
#[derive(Debug, Clone)]
pub struct Stepper {
    state: Rc<RefCell<State>>,
    /// Wakes that came from the work (timers, network), counted by the
    /// recording wakers; `Send + Sync` because wakers must be.
    real_wakes: Arc<AtomicU64>,
}

impl Default for Stepper {
    fn default() -> Self {
        Stepper {
            state: Rc::new(RefCell::new(State {
                active: true,
                ..State::default()
            })),
            real_wakes: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Stepper {
    /// A stepper that holds every poll until it is stepped.
    pub fn new() -> Self {
        Self::default()
    }

    /// The counter the recording wakers bump on every real wake.
    pub(crate) fn wake_counter(&self) -> Arc<AtomicU64> {
        self.real_wakes.clone()
    }

    /// A traced future (`run`, `task`) is about to poll what it wraps, for
    /// `cause`; `seen` is the real-wake count at its last turn.
    pub(crate) fn admit(
        &self,
        (run, task): (usize, usize),
        cause: Cause,
        waker: &Waker,
        seen: &mut u64,
    ) -> Admit {
        let Ok(mut s) = self.state.try_borrow_mut() else {
            debug_assert!(false, "the stepper is borrowed during a poll: this is a bug");
            return Admit::Poll;
        };
        if !s.active {
            return Admit::Poll;
        }
        if s.polling.is_some() {
            // Inside the granted poll: polled as at full speed. (Were it
            // queued from an earlier poll outside, it leaves the queue.)
            if s.granted == Some((run, task)) {
                s.granted = None;
            }
            if s.queue.iter().any(|q| (q.run, q.task) == (run, task)) {
                s.queue.retain(|q| (q.run, q.task) != (run, task));
                s.version += 1;
            }
            return Admit::Poll;
        }
        if s.granted == Some((run, task)) {
            s.granted = None;
            s.polling = Some((run, task));
            s.inside.clear();
            return Admit::Poll;
        }
        let real = self.real_wakes.load(Ordering::Relaxed);
        if let Some(queued) = s.queue.iter_mut().find(|q| (q.run, q.task) == (run, task)) {
            if !queued.waker.will_wake(waker) {
                queued.waker = waker.clone();
            }
            if cause == Cause::Woken {
                queued.cause = Cause::Woken;
            }
        } else if cause != Cause::Sibling || real > *seen {
            s.queue.push_back(Queued {
                run,
                task,
                cause,
                waker: waker.clone(),
            });
            s.version += 1;
            if let Some(waiter) = s.waiter.take() {
                waiter.wake();
            }
        }
        *seen = real;
        Admit::Wait
    }

    /// The granted poll of (`run`, `task`) returned.
    pub(crate) fn polled(&self, (run, task): (usize, usize), ready: bool, cause: Cause) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            match s.polling {
                Some(granted) if granted != (run, task) => {
                    if granted.0 == run {
                        s.inside.push((task, ready));
                    }
                    return;
                }
                Some(_) => s.polling = None,
                None => {}
            }
            if s.stepping && s.last.is_none() {
                let stepped = Stepped {
                    run,
                    task,
                    ready,
                    cause,
                    inside: std::mem::take(&mut s.inside),
                };
                s.last = Some(Ok(stepped.clone()));
                s.last_polled = Some(stepped);
                s.version += 1;
                if let Some(waiter) = s.waiter.take() {
                    waiter.wake();
                }
            }
        }
    }

    /// (`run`, `task`) was dropped: it leaves the queue, and a step that
    /// granted it moves on.
    pub(crate) fn forget(&self, (run, task): (usize, usize)) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            s.queue.retain(|q| (q.run, q.task) != (run, task));
            s.version += 1;
            if s.granted == Some((run, task)) {
                s.granted = None;
                s.last = Some(Err(()));
                if let Some(waiter) = s.waiter.take() {
                    waiter.wake();
                }
            }
        }
    }

    /// The futures waiting for their poll, in the order they will get it.
    pub fn queue(&self) -> Vec<Queued> {
        self.state.borrow().queue.iter().cloned().collect()
    }

    /// A number that changes whenever the queue or the last poll does.
    pub fn version(&self) -> u64 {
        self.state.borrow().version
    }

    /// The last future a step polled.
    pub fn last_polled(&self) -> Option<Stepped> {
        self.state.borrow().last_polled.clone()
    }

    /// Whether polls are still held.
    pub fn is_active(&self) -> bool {
        self.state.borrow().active
    }

    /// Runs exactly one poll of one traced future: the front of the queue,
    /// waiting for a wake first if nothing is queued.
    ///
    /// # Errors
    /// A sentence if the run is over (or continues at full speed), or if a
    /// step is already under way.
    pub async fn step(&self) -> Result<Stepped, Error> {
        {
            let mut s = self.state.borrow_mut();
            if s.stepping {
                return Err(Error::Usage(
                    "A step is already under way: await it first.".into(),
                ));
            }
            s.stepping = true;
        }
        let result = self.one_step().await;
        self.state.borrow_mut().stepping = false;
        result
    }

    async fn one_step(&self) -> Result<Stepped, Error> {
        loop {
            // Something to poll: the front of the queue, or wait for a wake.
            poll_fn(|cx| {
                let mut s = self.state.borrow_mut();
                if !s.active || s.over {
                    return Poll::Ready(Err(over()));
                }
                match s.queue.pop_front() {
                    Some(next) => {
                        s.version += 1;
                        s.granted = Some((next.run, next.task));
                        s.last = None;
                        next.waker.wake();
                        Poll::Ready(Ok(()))
                    }
                    None => {
                        s.waiter = Some(cx.waker().clone());
                        Poll::Pending
                    }
                }
            })
            .await?;
            // Its one poll.
            let done = poll_fn(|cx| {
                let mut s = self.state.borrow_mut();
                match s.last.take() {
                    Some(result) => Poll::Ready(Ok(result)),
                    None if s.over || !s.active => Poll::Ready(Err(over())),
                    None => {
                        s.waiter = Some(cx.waker().clone());
                        Poll::Pending
                    }
                }
            })
            .await?;
            match done {
                Ok(stepped) => return Ok(stepped),
                Err(()) => continue, // dropped before its turn: the next one
            }
        }
    }

    /// Stops holding polls: every queued future is woken, and the run goes on
    /// at full speed.
    pub fn resume(&self) {
        let (queue, waiter) = {
            let mut s = self.state.borrow_mut();
            s.active = false;
            s.granted = None;
            s.version += 1;
            (std::mem::take(&mut s.queue), s.waiter.take())
        };
        for queued in queue {
            queued.waker.wake();
        }
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }

    /// The run ended (or was cancelled): a pending step rejects.
    pub fn end(&self) {
        let waiter = {
            let mut s = self.state.borrow_mut();
            s.over = true;
            s.active = false;
            s.queue.clear();
            s.version += 1;
            s.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

fn over() -> Error {
    Error::Usage(
        "The run is not being stepped any more (it ended, was cancelled, or continues at full speed).".into(),
    )
}
