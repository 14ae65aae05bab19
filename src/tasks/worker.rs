//! CPU-bound work, on the main thread or in a Web Worker awaited as a future.

use futures::channel::oneshot;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::error::{js_message, Error};

/// Counts the primes below `bound` by trial division: deliberately plain
/// CPU work, a few hundred milliseconds to seconds for bounds in the millions.
pub fn count_primes(bound: u32) -> u32 {
    (2..bound).filter(|&n| is_prime(n)).count() as u32
}

fn is_prime(n: u32) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n % 2 == 0 {
        return false;
    }
    let mut d = 3;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

/// The bound below which counting primes takes about `target_ms` on this
/// machine. CPU speed differs two- to threefold between machines, so the
/// lesson sizes its work by time, never by a fixed bound.
///
/// It times ever larger counts until one takes at least 25 ms, times that
/// one twice more and keeps the fastest (about 100 ms of calibration in
/// all), then scales the bound by the cost of trial
/// division, which grows about as `bound^1.5 / ln bound`.
pub fn primes_bound_for(target_ms: f64, now: impl Fn() -> f64) -> u32 {
    const MAX_BOUND: f64 = 200_000_000.0;
    let mut bound: u32 = 20_000;
    loop {
        let time = || {
            let start = now();
            std::hint::black_box(count_primes(bound));
            now() - start
        };
        let took = time();
        if took >= 25.0 || bound >= 100_000_000 {
            // The fastest of three: a busy machine only ever makes a count
            // slower, and one stall scaled up tenfold would make the lesson's
            // count far shorter than asked.
            let took = took.min(time()).min(time());
            // Trial division up to n costs about n^1.5 / ln n.
            let b = f64::from(bound);
            let first = b * (target_ms / took.max(0.001)).powf(1.0 / 1.5);
            let corrected = first * (first.ln() / b.ln()).max(1.0).powf(1.0 / 1.5);
            return corrected.clamp(2.0, MAX_BOUND) as u32;
        }
        bound = bound.saturating_mul(2);
    }
}

/// What the worker sent back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkerResult {
    /// The number of primes.
    pub count: u32,
    /// How long the worker computed (its own clock), ms.
    pub ms: f64,
}

impl std::fmt::Display for WorkerResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} primes, computed in {} ms off the main thread",
            self.count,
            crate::fixed::fixed(self.ms, 0)
        )
    }
}

/// A started worker. Dropping it terminates the worker: cancelling the
/// future cancels the computation too.
struct Running {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Counts primes below `bound` in a module worker loaded from `script`
/// (`www/worker.js`), and waits for its answer without blocking the page.
///
/// # Errors
/// [`Error::Js`] if the worker cannot start or fails.
pub async fn count_primes_in_worker(script: &str, bound: u32) -> Result<WorkerResult, Error> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(script, &options)
        .map_err(|e| Error::Worker(format!("the worker {script} could not start: {}", js_message(&e))))?;
    let (send, answer) = oneshot::channel::<Result<WorkerResult, Error>>();
    let send = std::rc::Rc::new(std::cell::RefCell::new(Some(send)));
    let reply = send.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let field = |name: &str| {
            js_sys::Reflect::get(&data, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        let error = js_sys::Reflect::get(&data, &"error".into())
            .ok()
            .and_then(|v| v.as_string());
        let result = match (field("count"), field("ms"), error) {
            (_, _, Some(error)) => Err(Error::Worker(format!("the worker failed: {error}"))),
            (Some(count), Some(ms), None) => Ok(WorkerResult {
                count: count as u32,
                ms,
            }),
            _ => Err(Error::Worker(format!("the worker answered {data:?}"))),
        };
        if let Some(send) = reply.borrow_mut().take() {
            let _ = send.send(result);
        }
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        let message = event.message();
        let message = if message.is_empty() {
            "it failed to load or threw".to_string()
        } else {
            message
        };
        if let Some(send) = send.borrow_mut().take() {
            let _ = send.send(Err(Error::Worker(format!("the worker stopped: {message}"))));
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let running = Running {
        worker,
        _on_message: on_message,
        _on_error: on_error,
    };
    running.worker.post_message(&JsValue::from(bound)).map_err(|e| {
        Error::Worker(format!(
            "the worker could not be sent its job: {}",
            js_message(&e)
        ))
    })?;
    let result = crate::waits::Described::new(answer, || "a Web Worker's answer".to_string())
        .await
        .unwrap_or_else(|_| Err(Error::Worker("the worker went away".into())));
    drop(running);
    result
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::count_primes;

    #[test]
    fn counts_primes() {
        assert_eq!(count_primes(0), 0);
        assert_eq!(count_primes(3), 1);
        assert_eq!(count_primes(10), 4);
        assert_eq!(count_primes(100), 25);
        assert_eq!(count_primes(100_000), 9592);
    }

    #[test]
    fn the_calibrated_bound_grows_with_the_time_asked_for() {
        // A fake clock on which every timed count takes 40 ms: read at the
        // start of a count it stays, read at the end it moves on.
        let bound_for = |target_ms| {
            let (t, at_end) = (Cell::new(0.0), Cell::new(false));
            super::primes_bound_for(target_ms, || {
                if at_end.replace(!at_end.get()) {
                    t.set(t.get() + 40.0);
                }
                t.get()
            })
        };
        let (short, long) = (bound_for(100.0), bound_for(1000.0));
        // 40 ms at the first bound (20,000): 100 ms is about twice as far,
        // 1,000 ms about (1000 / 40)^(2/3) ≈ 8.5 times, and a little more
        // for the logarithm.
        assert!((30_000..45_000).contains(&short), "{short}");
        assert!((180_000..210_000).contains(&long), "{long}");
    }
}
