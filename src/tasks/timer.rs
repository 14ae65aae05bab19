//! Timers as futures, and deadlines on other futures.
//!
//! Most lessons await gloo's `TimeoutFuture`, the idiomatic timer. Where
//! that would change what is measured or shown (the deadlines, the frame
//! waits, and the lessons with many timers or a heartbeat: `many`, `errors`,
//! `worker`) they use [`Sleep`] instead, for two reasons:
//! - dropping a pending `TimeoutFuture` drops the sender of its channel, and
//!   that wakes the task that polled it once more for nothing: a deadline
//!   that did not fire must not add a poll to the task it guarded;
//! - each `TimeoutFuture` allocates a JavaScript closure; all `Sleep`s share
//!   one, which makes ten thousand of them about as cheap as in plain JS
//!   (`cargo xtask bench`).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures::future::{select, Either};
use slab::Slab;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::Error;

/// One pending [`Sleep`]: its deadline, fired yet, and whom to wake.
struct Slot {
    deadline: u64,
    fired: bool,
    waker: Option<Waker>,
}

/// The sleeps that share one browser timer: those due in the same
/// millisecond, and those of the same length made less than a millisecond
/// after the first (see [`Sleep::new`]).
struct Bucket {
    handle: i32,
    /// When its timer fires: its key, or one millisecond later once a sleep
    /// made just after the first, across the turn of a millisecond, joined.
    due: u64,
    /// The length and the moment of making of the sleep that made it.
    ms: u32,
    made: f64,
    keys: Vec<usize>,
    /// Sleeps in `keys` not yet dropped; at 0 the browser timer is cleared.
    live: usize,
}

#[wasm_bindgen]
extern "C" {
    // The global functions, so that timers work on the page and in workers.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout_with_deadline(handler: &js_sys::Function, ms: f64, deadline: f64) -> i32;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: i32);
}

/// All pending sleeps of this thread, grouped by deadline, and the one JS
/// callback they share.
struct Timers {
    slots: RefCell<Slab<Slot>>,
    buckets: RefCell<BTreeMap<u64, Bucket>>,
    // Created once per thread and kept for its life: every browser timer
    // calls this one function with its deadline, instead of each timer
    // allocating a JS closure of its own (most of what a gloo timer costs).
    on_fire: Closure<dyn FnMut(f64)>,
}

thread_local! {
    static TIMERS: Timers = Timers {
        slots: RefCell::new(Slab::new()),
        buckets: RefCell::new(BTreeMap::new()),
        on_fire: Closure::new(|deadline: f64| fire(deadline as u64)),
    };
}

// ANCHOR: fire
/// The browser timer for `deadline` went off: marks its sleeps fired and
/// wakes their tasks (outside every borrow: an executor may poll at once).
fn fire(deadline: u64) {
    let wakers: Vec<Waker> = TIMERS.with(|timers| {
        let Some(bucket) = timers.buckets.borrow_mut().remove(&deadline) else {
            return Vec::new();
        };
        let mut slots = timers.slots.borrow_mut();
        bucket
            .keys
            .iter()
            .filter_map(|&key| {
                // A key whose sleep was dropped may have been reused by a
                // sleep with another deadline: the deadline tells them apart.
                let slot = slots.get_mut(key).filter(|s| s.deadline == deadline)?;
                slot.fired = true;
                slot.waker.take()
            })
            .collect()
    });
    // Every task woken here was woken at this one instant.
    crate::clock::frozen_at(crate::clock::now(), || {
        for waker in wakers {
            waker.wake();
        }
    });
}
// ANCHOR_END: fire

/// A timer future that wakes its task only when it fires: dropped early, it
/// wakes nobody (and clears the browser timer once no sleep needs it).
///
/// Sleeps with the same deadline share one browser timer and one JavaScript
/// callback, as a rule (the one exception is below), so ten thousand of them
/// cost about as much as one `setTimeout` each in plain JS, or less
/// (`cargo xtask bench`). A sleep never fires early: its deadline is rounded
/// up to the next whole millisecond.
///
/// Sleeps of one length made together (`join!(sleep(300), sleep(300))`) end
/// together: when the clock's millisecond turns between the making of the
/// first and of one made less than a millisecond after it, so that their
/// deadlines differ by one, the later one joins the first one's timer, which
/// then fires one millisecond later. (A sleep of another length, or made a
/// millisecond or more after the first, due in that later millisecond gets a
/// timer of its own, firing in the same millisecond.) Without that, whether
/// they share a timer (one wake of their task, or two) would depend on how
/// fast the machine made them.
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct Sleep {
    key: usize,
    /// The key of its bucket: its deadline, or one millisecond before it
    /// when it joined an earlier sleep's timer.
    deadline: u64,
    done: bool,
}

/// The most a browser timer waits: 2³¹ − 1 ms, about 24.8 days. A longer
/// delay is not refused by `setTimeout` but wraps around, and the timer
/// fires at once.
const LONGEST_TIMER_MS: f64 = 2_147_483_647.0;

/// The delay to give `setTimeout` for `deadline` (whole milliseconds of the
/// page's clock) at `now`: never less than what is left (rounded up), never
/// more than a timer can wait.
fn delay_ms(deadline: u64, now: f64) -> f64 {
    (deadline as f64 - now).max(0.0).ceil().min(LONGEST_TIMER_MS)
}

impl Sleep {
    /// Fires after `ms` milliseconds. The timer starts now, not at the
    /// first poll (as with gloo's `TimeoutFuture`).
    pub fn new(ms: u32) -> Self {
        let now = crate::clock::now();
        let deadline = (now + f64::from(ms)).ceil() as u64;
        TIMERS.with(|timers| {
            let mut buckets = timers.buckets.borrow_mut();
            // Made less than a millisecond after a sleep of the same length
            // whose deadline is one millisecond earlier: join its timer.
            let joined = (!buckets.contains_key(&deadline))
                .then(|| deadline.checked_sub(1))
                .flatten()
                .filter(|earlier| {
                    buckets
                        .get(earlier)
                        .is_some_and(|b| b.ms == ms && now - b.made < 1.0)
                });
            let key = joined.unwrap_or(deadline);
            let bucket = buckets.entry(key).or_insert_with(|| Bucket {
                handle: set_timeout_with_deadline(
                    timers.on_fire.as_ref().unchecked_ref(),
                    delay_ms(deadline, now),
                    deadline as f64,
                ),
                due: deadline,
                ms,
                made: now,
                keys: Vec::new(),
                live: 0,
            });
            if bucket.due < deadline {
                // Its timer would fire before this sleep is due: set it again.
                clear_timeout(bucket.handle);
                bucket.handle = set_timeout_with_deadline(
                    timers.on_fire.as_ref().unchecked_ref(),
                    delay_ms(deadline, now),
                    key as f64,
                );
                bucket.due = deadline;
            }
            let slot = timers.slots.borrow_mut().insert(Slot {
                deadline: key,
                fired: false,
                waker: None,
            });
            bucket.keys.push(slot);
            bucket.live += 1;
            Sleep {
                key: slot,
                deadline: key,
                done: false,
            }
        })
    }
}

// ANCHOR: poll
impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        let fired = TIMERS.with(|timers| {
            let mut slots = timers.slots.borrow_mut();
            let Some(slot) = slots.get_mut(self.key) else {
                return true;
            };
            if slot.fired {
                slots.remove(self.key);
                return true;
            }
            match &slot.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => slot.waker = Some(cx.waker().clone()),
            }
            false
        });
        if fired {
            self.done = true;
            Poll::Ready(())
        } else {
            let deadline = self.deadline;
            crate::waits::on(|| {
                let left = due(deadline) as f64 - crate::clock::now();
                format!(
                    "a timer (Sleep), due in {} ms",
                    crate::fixed::fixed(left.max(0.0), 0)
                )
            });
            Poll::Pending
        }
    }
}
// ANCHOR_END: poll

/// When the timer of the sleeps with this deadline fires (a millisecond later
/// once a sleep made just after joined them).
fn due(deadline: u64) -> u64 {
    TIMERS.with(|timers| {
        let buckets = timers.buckets.try_borrow().ok();
        buckets
            .and_then(|b| b.get(&deadline).map(|b| b.due))
            .unwrap_or(deadline)
    })
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // `try_with`: during thread teardown the timers may already be gone.
        let _ = TIMERS.try_with(|timers| {
            let (Ok(mut slots), Ok(mut buckets)) =
                (timers.slots.try_borrow_mut(), timers.buckets.try_borrow_mut())
            else {
                return;
            };
            let fired = slots.try_remove(self.key).is_some_and(|slot| slot.fired);
            if fired {
                return; // its bucket is gone already
            }
            if let Some(bucket) = buckets.get_mut(&self.deadline) {
                bucket.live -= 1;
                if bucket.live == 0 {
                    clear_timeout(bucket.handle);
                    buckets.remove(&self.deadline);
                }
            }
        });
    }
}

/// Runs `future` with a deadline of `ms` milliseconds. If the deadline passes
/// first, `future` is dropped (which cancels whatever it was doing: a
/// download aborts its request) and the result is [`Error::TimedOut`].
pub async fn with_timeout<T, F>(ms: u32, future: F) -> Result<T, Error>
where
    F: Future<Output = Result<T, Error>>,
{
    let future = std::pin::pin!(future);
    match select(future, Sleep::new(ms)).await {
        Either::Left((result, _timer)) => result,
        Either::Right(((), _loser)) => Err(Error::TimedOut { after_ms: ms }),
    }
}

/// A JavaScript `Promise` that JavaScript's own `setTimeout` resolves with
/// `value` after `ms` milliseconds: the JS side of the bridge lesson.
pub fn js_timeout_promise(ms: u32, value: &str) -> js_sys::Promise {
    let value = wasm_bindgen::JsValue::from_str(value);
    js_sys::Promise::new(&mut |resolve, reject| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok());
        let scheduled = set_timeout
            .map(|f| f.call3(&global, &resolve, &ms.into(), &value).is_ok())
            .unwrap_or(false);
        if !scheduled {
            let _ = reject.call1(
                &wasm_bindgen::JsValue::NULL,
                &"setTimeout is not available".into(),
            );
        }
    })
}
