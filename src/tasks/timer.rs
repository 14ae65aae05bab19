//! Timers as futures, and deadlines on other futures.

use std::future::Future;

use futures::future::{select, Either};
use gloo_timers::future::TimeoutFuture;

use crate::error::Error;

/// Runs `future` with a deadline of `ms` milliseconds. If the deadline passes
/// first, `future` is dropped (which cancels whatever it was doing: a
/// download aborts its request) and the result is [`Error::TimedOut`].
pub async fn with_timeout<T, F>(ms: u32, future: F) -> Result<T, Error>
where
    F: Future<Output = Result<T, Error>>,
{
    let future = std::pin::pin!(future);
    match select(future, TimeoutFuture::new(ms)).await {
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
