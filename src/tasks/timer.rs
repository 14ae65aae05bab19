//! Timers as futures, and deadlines on other futures.
//!
//! The lessons await gloo's `TimeoutFuture`, the idiomatic timer. The
//! machinery around them (deadlines, "wait for the next frame") uses
//! [`Sleep`] instead: dropping a pending `TimeoutFuture` drops the sender of
//! its channel, and that wakes the task that polled it once more for
//! nothing. A deadline that did not fire must not add a poll to the
//! recording of the task it guarded.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures::future::{select, Either};
use gloo_timers::callback::Timeout;

use crate::error::Error;

#[derive(Default)]
struct Shared {
    fired: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// A timer future on gloo's callback `Timeout` that wakes its task only
/// when it fires: dropped early, it clears the timer and wakes nobody.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    shared: Rc<Shared>,
    // Held for its `Drop`, which clears the browser timer.
    _timeout: Timeout,
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep")
            .field("fired", &self.shared.fired.get())
            .finish()
    }
}

impl Sleep {
    /// Fires after `ms` milliseconds.
    pub fn new(ms: u32) -> Self {
        let shared = Rc::new(Shared::default());
        let on_fire = shared.clone();
        let timeout = Timeout::new(ms, move || {
            on_fire.fired.set(true);
            if let Some(waker) = on_fire.waker.take() {
                waker.wake();
            }
        });
        Sleep {
            shared,
            _timeout: timeout,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.shared.fired.get() {
            return Poll::Ready(());
        }
        let mut waker = self.shared.waker.borrow_mut();
        match waker.as_ref() {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => *waker = Some(cx.waker().clone()),
        }
        Poll::Pending
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
